//! Suppliers' product cards (issue 14, point 7): brand, manufacturer, health registration and
//! its expiry, GTIN and pack size of what a supplier delivers for a catalogue item.
//!
//! A verified firm's own users keep its cards; nobody else may touch them (another firm's card
//! is refused with `auth.not_permitted`). Cards are public: each catalogue item's page lists
//! the active ones, and a framework agreement's call-off catalogue shows them beside each
//! supplier's unit price through [`for_items`].

use super::audit::{Publication, commit_with};
use super::events::product_cards::{ProductCardCreated, ProductCardUpdated, ProductCardWithdrawn};
use super::{Actor, ServiceError};
use crate::domain::catalogue::CatalogueItem;
use crate::domain::money::parse_positive;
use crate::domain::product_card::{self, CardFields, CardStatus, RegistrationStanding};
use crate::domain::role::Role;
use crate::domain::supplier::SupplierStatus;
use crate::domain::time::Timestamp;
use crate::domain::validation::{FieldCode, Validator};
use crate::repository::product_cards::{ActiveFilter, ProductCardRow};
use crate::repository::{Database, Queryable, RepoError, catalogue, product_cards, suppliers};
use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::Deserialize;
use std::collections::HashMap;
use tianguis_gs1::Gtin;

/// A product card as submitted by the form or the API.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ProductCardForm {
    /// Id of the catalogue item the product is (see `GET /api/catalogue`).
    #[serde(default)]
    pub catalogue_item_id: Option<i64>,
    /// Brand (trade name) of the product.
    #[serde(default)]
    pub brand: String,
    /// Who makes it.
    #[serde(default)]
    pub manufacturer: String,
    /// Health registration number (registro sanitario), e.g. `PF-23418-2021`.
    #[serde(default)]
    pub health_registration: String,
    /// Last day the registration is in force, `YYYY-MM-DD`. An expired registration is stored
    /// and flagged, not refused.
    #[serde(default)]
    pub health_registration_expires: String,
    /// GTIN-8, GTIN-12, GTIN-13 or GTIN-14, digits only, with its check digit; stored as
    /// GTIN-14.
    #[serde(default)]
    pub gtin: String,
    /// How many of the catalogue item's units one pack holds (e.g. `100` tablets), a positive
    /// decimal with up to three decimals.
    #[serde(default)]
    pub pack_size: String,
}

/// The day a stored expiry stands for, in the zone it was stored in.
pub fn expiry_day(micros: i64, tz: Tz) -> NaiveDate {
    Timestamp::from_micros(micros)
        .to_datetime()
        .with_timezone(&tz)
        .date_naive()
}

/// The stored form of a day: the UTC microseconds of its start in `tz` (as contracts store
/// their dates).
pub fn day_start(day: NaiveDate, tz: Tz) -> Option<Timestamp> {
    Timestamp::parse_local(&format!("{}T00:00", day.format("%Y-%m-%d")), tz)
}

/// Where a card's health registration stands at `now` in the zone `tz`.
pub fn standing(card: &ProductCardRow, now: Timestamp, tz: Tz) -> RegistrationStanding {
    product_card::standing(
        expiry_day(card.health_registration_expires, tz),
        now.to_datetime().with_timezone(&tz).date_naive(),
    )
}

/// The firm whose cards `actor` keeps: a supplier user's own firm (a refusal otherwise).
fn own_firm(actor: &Actor) -> Result<i64, ServiceError> {
    let Actor::User(user) = actor else {
        return Err(ServiceError::Forbidden);
    };
    user.supplier_id
        .filter(|_| user.has_role(Role::Supplier))
        .ok_or(ServiceError::Forbidden)
}

/// The firm of `actor`, which must be verified to change its cards: a pending or suspended
/// firm offers nothing (`state.illegal_transition`, from its status).
async fn verified_firm(db: &mut impl Queryable, actor: &Actor) -> Result<i64, ServiceError> {
    let supplier_id = own_firm(actor)?;
    let supplier = suppliers::find(db, supplier_id)
        .await?
        .ok_or(ServiceError::Forbidden)?;
    if supplier.status != SupplierStatus::Verified {
        return Err(ServiceError::IllegalTransition {
            from: supplier.status.code().into(),
            action: "manage_product_cards".into(),
        });
    }
    Ok(supplier_id)
}

/// A card of `supplier_id`: another firm's card is `auth.not_permitted`, not "not found" (cards
/// are public, so hiding it would hide nothing).
async fn own_card(
    db: &mut impl Queryable,
    supplier_id: i64,
    id: i64,
) -> Result<ProductCardRow, ServiceError> {
    let card = product_cards::find(db, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if card.supplier_id != supplier_id {
        return Err(ServiceError::Forbidden);
    }
    Ok(card)
}

/// Reads a `YYYY-MM-DD` day between the years 2000 and 2100.
fn parse_day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .ok()
        .filter(|d| (2000..=2100).contains(&chrono::Datelike::year(d)))
}

/// Checks a submitted card; every failing field is reported at once.
async fn check(
    db: &mut impl Queryable,
    tz: Tz,
    form: &ProductCardForm,
) -> Result<CardFields, ServiceError> {
    let mut v = Validator::new();
    let item = match form.catalogue_item_id {
        None => {
            v.fail("catalogue_item_id", FieldCode::Required);
            None
        }
        Some(id) => {
            let item = catalogue::find_active(db, id).await?;
            if item.is_none() {
                v.fail("catalogue_item_id", FieldCode::UnknownOption);
            }
            item
        }
    };
    let brand = v.name("brand", &form.brand, 2, 120);
    let manufacturer = v.name("manufacturer", &form.manufacturer, 2, 200);
    let before = v.errors().len();
    let health_registration = v.text("health_registration", &form.health_registration, 3, 40);
    if v.errors().len() == before && !product_card::is_registration_number(&health_registration) {
        v.fail("health_registration", FieldCode::InvalidCharacters);
    }
    let expires = if form.health_registration_expires.trim().is_empty() {
        v.fail("health_registration_expires", FieldCode::Required);
        None
    } else {
        let stored = parse_day(&form.health_registration_expires).and_then(|d| day_start(d, tz));
        if stored.is_none() {
            v.fail("health_registration_expires", FieldCode::InvalidDate);
        }
        stored
    };
    let gtin_text = form.gtin.trim();
    let gtin = if gtin_text.is_empty() {
        v.fail("gtin", FieldCode::Required);
        None
    } else {
        Gtin::parse(gtin_text)
            .map_err(|e| v.fail("gtin", FieldCode::from(e)))
            .ok()
    };
    let pack_size = if form.pack_size.trim().is_empty() {
        v.fail("pack_size", FieldCode::Required);
        None
    } else {
        parse_positive(&form.pack_size, 3)
            .map_err(|e| v.fail("pack_size", FieldCode::from(e)))
            .ok()
    };
    v.finish().map_err(ServiceError::Validation)?;
    match (item, expires, gtin, pack_size) {
        (Some(item), Some(expires), Some(gtin), Some(pack_size)) => Ok(CardFields {
            catalogue_item_id: item.id,
            brand,
            manufacturer,
            health_registration,
            health_registration_expires: expires.as_micros(),
            gtin: gtin.to_string(),
            pack_size: pack_size.to_string(),
        }),
        _ => Err(ServiceError::Internal("a checked card lost a field".into())),
    }
}

/// A second active card with the same GTIN of the same firm is refused at the GTIN field.
fn gtin_taken(err: RepoError) -> ServiceError {
    match err {
        RepoError::UniqueViolation(_) => ServiceError::field("gtin", FieldCode::AlreadyRegistered),
        other => other.into(),
    }
}

/// Registers a product card of the actor's firm (a verified supplier's user).
pub async fn create(
    db: &Database,
    tz: Tz,
    actor: &Actor,
    form: &ProductCardForm,
    now: Timestamp,
) -> Result<ProductCardRow, ServiceError> {
    let mut tx = db.begin().await?;
    let supplier_id = verified_firm(&mut tx, actor).await?;
    let fields = check(&mut tx, tz, form).await?;
    let created_by = actor.user_id().ok_or(ServiceError::Forbidden)?;
    let id = product_cards::insert(&mut tx, supplier_id, &fields, created_by, now)
        .await
        .map_err(gtin_taken)?;
    let created = product_cards::find(&mut tx, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    commit_with(
        tx,
        actor,
        &ProductCardCreated { card: &created },
        Publication::None,
    )
    .await?;
    Ok(created)
}

/// Changes one of the firm's active cards.
pub async fn update(
    db: &Database,
    tz: Tz,
    actor: &Actor,
    id: i64,
    form: &ProductCardForm,
    now: Timestamp,
) -> Result<ProductCardRow, ServiceError> {
    let mut tx = db.begin().await?;
    let supplier_id = verified_firm(&mut tx, actor).await?;
    let before = own_card(&mut tx, supplier_id, id).await?;
    if before.status != CardStatus::Active {
        return Err(ServiceError::IllegalTransition {
            from: before.status.code().into(),
            action: "update".into(),
        });
    }
    let fields = check(&mut tx, tz, form).await?;
    product_cards::update(&mut tx, id, &fields, now)
        .await
        .map_err(gtin_taken)?;
    let after = product_cards::find(&mut tx, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let event = ProductCardUpdated {
        before: &before,
        after: &after,
    };
    commit_with(tx, actor, &event, Publication::None).await?;
    Ok(after)
}

/// Withdraws one of the firm's active cards: it is no longer offered, and stays for the record.
pub async fn withdraw(
    db: &Database,
    actor: &Actor,
    id: i64,
    now: Timestamp,
) -> Result<ProductCardRow, ServiceError> {
    let mut tx = db.begin().await?;
    let supplier_id = verified_firm(&mut tx, actor).await?;
    let before = own_card(&mut tx, supplier_id, id).await?;
    if !product_cards::set_status(&mut tx, id, CardStatus::Active, CardStatus::Withdrawn, now)
        .await?
    {
        return Err(ServiceError::IllegalTransition {
            from: before.status.code().into(),
            action: "withdraw".into(),
        });
    }
    let after = product_cards::find(&mut tx, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let event = ProductCardWithdrawn {
        before: &before,
        after: &after,
    };
    commit_with(tx, actor, &event, Publication::None).await?;
    Ok(after)
}

/// The active cards of these suppliers for these catalogue items: what a framework agreement's
/// call-off catalogue shows beside each supplier's unit price (issue 14). Runs on the caller's
/// connection or transaction; empty lists give no cards.
pub async fn for_items(
    db: &mut impl Queryable,
    supplier_ids: &[i64],
    item_ids: &[i64],
) -> Result<Vec<ProductCardRow>, ServiceError> {
    Ok(product_cards::active(
        db,
        ActiveFilter {
            supplier_ids: Some(supplier_ids),
            item_ids: Some(item_ids),
        },
    )
    .await?)
}

/// A card with what pages and the API show beside it.
#[derive(Debug, Clone)]
pub struct CardView {
    /// The card.
    pub card: ProductCardRow,
    /// Its catalogue item.
    pub item: CatalogueItem,
    /// The supplier's registered name.
    pub supplier_name: String,
    /// Where its health registration stands today.
    pub standing: RegistrationStanding,
}

/// Each card with its item, supplier and standing (a lookup per distinct item and supplier).
async fn views(
    db: &mut impl Queryable,
    cards: Vec<ProductCardRow>,
    now: Timestamp,
    tz: Tz,
) -> Result<Vec<CardView>, ServiceError> {
    let mut items: HashMap<i64, CatalogueItem> = HashMap::new();
    let mut names: HashMap<i64, String> = HashMap::new();
    let mut out = Vec::with_capacity(cards.len());
    for card in cards {
        if !items.contains_key(&card.catalogue_item_id) {
            let item = catalogue::find(db, card.catalogue_item_id)
                .await?
                .ok_or_else(|| RepoError::Corrupt(format!("product card {}: item", card.id)))?;
            items.insert(item.id, item);
        }
        if !names.contains_key(&card.supplier_id) {
            let supplier = suppliers::find(db, card.supplier_id)
                .await?
                .ok_or_else(|| RepoError::Corrupt(format!("product card {}: supplier", card.id)))?;
            names.insert(supplier.id, supplier.legal_name);
        }
        out.push(CardView {
            item: items[&card.catalogue_item_id].clone(),
            supplier_name: names[&card.supplier_id].clone(),
            standing: standing(&card, now, tz),
            card,
        });
    }
    Ok(out)
}

/// One card with what is shown beside it.
pub async fn view(
    db: &Database,
    card: ProductCardRow,
    now: Timestamp,
    tz: Tz,
) -> Result<CardView, ServiceError> {
    let mut conn = db.read().await?;
    let mut list = views(&mut conn, vec![card], now, tz).await?;
    list.pop().ok_or(ServiceError::NotFound)
}

/// Every card of the actor's firm, active first (a supplier's user; pending and suspended firms
/// see theirs too).
pub async fn mine(
    db: &Database,
    actor: &Actor,
    now: Timestamp,
    tz: Tz,
) -> Result<Vec<CardView>, ServiceError> {
    let supplier_id = own_firm(actor)?;
    let mut conn = db.read().await?;
    let cards = product_cards::of_supplier(&mut conn, supplier_id).await?;
    views(&mut conn, cards, now, tz).await
}

/// One of the actor's firm's cards, to edit it.
pub async fn find_own(
    db: &Database,
    actor: &Actor,
    id: i64,
) -> Result<ProductCardRow, ServiceError> {
    let supplier_id = own_firm(actor)?;
    let mut conn = db.read().await?;
    own_card(&mut conn, supplier_id, id).await
}

/// A catalogue item and the active cards offered for it (public).
pub async fn of_item(
    db: &Database,
    item_id: i64,
    now: Timestamp,
    tz: Tz,
) -> Result<(CatalogueItem, Vec<CardView>), ServiceError> {
    let mut conn = db.read().await?;
    let item = catalogue::find(&mut conn, item_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let cards = product_cards::active(
        &mut conn,
        ActiveFilter {
            supplier_ids: None,
            item_ids: Some(&[item_id]),
        },
    )
    .await?;
    let list = views(&mut conn, cards, now, tz).await?;
    Ok((item, list))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_stored_as_their_start_in_the_zone() {
        let tz = chrono_tz::America::Guatemala;
        let day = NaiveDate::from_ymd_opt(2027, 3, 31).unwrap();
        let stored = day_start(day, tz).unwrap();
        assert_eq!(stored.to_rfc3339(), "2027-03-31T06:00:00.000000Z");
        assert_eq!(expiry_day(stored.as_micros(), tz), day);
        assert_eq!(parse_day(" 2027-03-31 "), Some(day));
        assert_eq!(parse_day("31/03/2027"), None);
        assert_eq!(parse_day("2027-02-30"), None);
        assert_eq!(parse_day("1999-12-31"), None);
    }
}
