//! The supplier registry: self-registration, verification, suspension, colleagues' accounts
//! (issue 3, item 2).
//!
//! A firm registers itself with its legal name, NIT (check digit validated), contacts,
//! categories supplied and beneficial owners, and gets its first supplier account in the same
//! transaction. It can bid once an administrator has verified it; a suspension (with a reason)
//! stops it from bidding until it is reinstated. Beneficial owners' names, shares and
//! politically-exposed status are public (beneficial-ownership transparency, OCP guidance);
//! identity-document numbers are not.

use super::audit::{Publication, commit_with, record};
use super::auth::hash_password;
use super::events::suppliers::{
    StatusChange, StatusChanged, SupplierPending, SupplierRegistered, SupplierReinstated,
    SupplierSuspended, SupplierVerified,
};
use super::events::users::UserCreated;
use super::{Actor, ServiceError};
use crate::domain::audit::AuditAction;
use crate::domain::money::parse_positive;
use crate::domain::nit::Nit;
use crate::domain::role::Role;
use crate::domain::supplier::{Supplier, SupplierStatus, is_category, looks_like_phone};
use crate::domain::time::Timestamp;
use crate::domain::user::{User, UserFields, canonical_username, validate_password, validate_user};
use crate::domain::validation::{FieldCode, FieldError, Validator, looks_like_email};
use crate::repository::supplier_history::{self, HistoryAward, HistoryBid};
use crate::repository::suppliers::{self, ContactRow, NewSupplier, OwnerRow, SupplierDetails};
use crate::repository::{Database, RepoError, users};
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::BTreeSet;

/// A contact person as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ContactInput {
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Position.
    #[serde(default)]
    pub position: String,
    /// E-mail.
    #[serde(default)]
    pub email: String,
    /// Phone.
    #[serde(default)]
    pub phone: String,
}

/// A beneficial owner as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct OwnerInput {
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Nationality.
    #[serde(default)]
    pub nationality: String,
    /// Identity document (DPI, passport) — kept private.
    #[serde(default)]
    pub document_id: String,
    /// Share held, percent.
    #[serde(default)]
    pub share_percent: String,
    /// Whether a politically exposed person.
    #[serde(default)]
    pub politically_exposed: bool,
}

/// The department field's schema: one of the 22 departments the service accepts.
fn department_schema() -> utoipa::openapi::Schema {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(super::demo::DEPARTMENTS))
        .into()
}

// The fields the service refuses when missing are `required` in the OpenAPI document (issue
// 13); they keep `serde(default)` so a missing one is reported with the other field errors
// rather than as malformed JSON.
/// A self-registration.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct Registration {
    /// Legal name (razón social).
    #[serde(default)]
    #[schema(required = true)]
    pub legal_name: String,
    /// Trade name.
    #[serde(default)]
    pub trade_name: String,
    /// NIT with its check digit.
    #[serde(default)]
    #[schema(required = true)]
    pub nit: String,
    /// Firm's e-mail.
    #[serde(default)]
    #[schema(required = true)]
    pub email: String,
    /// Firm's phone.
    #[serde(default)]
    #[schema(required = true)]
    pub phone: String,
    /// Address.
    #[serde(default)]
    #[schema(required = true)]
    pub address: String,
    /// Municipality.
    #[serde(default)]
    pub municipality: String,
    /// Department (one of the 22).
    #[serde(default)]
    #[schema(required = true)]
    #[schema(schema_with = department_schema)]
    pub department: String,
    /// Website.
    #[serde(default)]
    pub website: String,
    /// Categories supplied (`atc:J`, `unspsc:42`, …).
    #[serde(default)]
    #[schema(required = true)]
    pub categories: Vec<String>,
    /// Contact people (at least one).
    #[serde(default)]
    #[schema(required = true)]
    pub contacts: Vec<ContactInput>,
    /// Beneficial owners (at least one; shares ≤ 100 %).
    #[serde(default)]
    #[schema(required = true)]
    pub owners: Vec<OwnerInput>,
    /// The first account's username.
    #[serde(default)]
    #[schema(required = true)]
    pub username: String,
    /// The first account's display name.
    #[serde(default)]
    #[schema(required = true)]
    pub display_name: String,
    /// The first account's password.
    #[serde(default)]
    #[schema(required = true)]
    pub password: String,
}

fn optional(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// Checked registration data.
struct Checked {
    legal_name: String,
    nit: String,
    email: String,
    phone: String,
    department: String,
    details: SupplierDetails,
    contacts: Vec<ContactRow>,
    owners: Vec<OwnerRow>,
}

fn check(r: &Registration, v: &mut Validator) -> Checked {
    let legal_name = v.name("legal_name", &r.legal_name, 3, 200);
    v.name("trade_name", &r.trade_name, 0, 200);
    v.web_url("website", &r.website, 200);
    let nit = match Nit::parse(&r.nit) {
        Ok(n) => n.to_string(),
        Err(_) => {
            v.fail("nit", FieldCode::InvalidNit);
            String::new()
        }
    };
    let email = r.email.trim().to_string();
    if !looks_like_email(&email) {
        v.fail("email", FieldCode::InvalidEmail);
    }
    let phone = r.phone.trim().to_string();
    if !looks_like_phone(&phone) {
        v.fail("phone", FieldCode::InvalidPhone);
    }
    let department = r.department.trim().to_string();
    if !super::demo::DEPARTMENTS.contains(&department.as_str()) {
        v.fail("department", FieldCode::UnknownOption);
    }
    let address = v.text("address", &r.address, 5, 300);
    if r.municipality.trim().chars().count() > 100 {
        v.fail("municipality", FieldCode::TooLong);
    }
    let categories: BTreeSet<String> = r
        .categories
        .iter()
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();
    if categories.is_empty() {
        v.fail("categories", FieldCode::AtLeastOne);
    } else if categories.iter().any(|c| !is_category(c)) {
        v.fail("categories", FieldCode::UnknownOption);
    }
    // Empty rows are skipped; an error names a row by its place as sent (`contacts[1]` is the
    // second row even when the first was left empty), so a form can mark that row.
    let contacts: Vec<(usize, &ContactInput)> = r
        .contacts
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.name.trim().is_empty() || !c.email.trim().is_empty())
        .collect();
    if contacts.is_empty() {
        v.fail("contacts", FieldCode::AtLeastOne);
    }
    let mut contact_rows = Vec::new();
    for &(i, c) in &contacts {
        let name = v.name(&format!("contacts[{i}].name"), &c.name, 2, 120);
        if !c.email.trim().is_empty() && !looks_like_email(c.email.trim()) {
            v.fail(&format!("contacts[{i}].email"), FieldCode::InvalidEmail);
        }
        if !c.phone.trim().is_empty() && !looks_like_phone(&c.phone) {
            v.fail(&format!("contacts[{i}].phone"), FieldCode::InvalidPhone);
        }
        contact_rows.push(ContactRow {
            name,
            position: optional(&c.position),
            email: optional(&c.email),
            phone: optional(&c.phone),
        });
    }
    let owners: Vec<(usize, &OwnerInput)> = r
        .owners
        .iter()
        .enumerate()
        .filter(|(_, o)| !o.name.trim().is_empty() || !o.share_percent.trim().is_empty())
        .collect();
    if owners.is_empty() {
        v.fail("owners", FieldCode::AtLeastOne);
    }
    let mut total = Decimal::ZERO;
    let mut owner_rows = Vec::new();
    for &(i, o) in &owners {
        let name = v.name(&format!("owners[{i}].name"), &o.name, 2, 160);
        let share = match parse_positive(&o.share_percent, 4) {
            Ok(s) if s <= Decimal::from(100) => s,
            _ => {
                v.fail(
                    &format!("owners[{i}].share_percent"),
                    FieldCode::InvalidNumber,
                );
                Decimal::ZERO
            }
        };
        total += share;
        owner_rows.push(OwnerRow {
            name,
            nationality: optional(&o.nationality),
            document_id: optional(&o.document_id),
            share_percent: share.to_string(),
            politically_exposed: o.politically_exposed,
        });
    }
    if total > Decimal::from(100) {
        v.fail("owners", FieldCode::SumTooLarge);
    }
    Checked {
        legal_name,
        nit,
        email,
        phone,
        department,
        details: SupplierDetails {
            trade_name: optional(&r.trade_name),
            address: Some(address),
            municipality: optional(&r.municipality),
            website: optional(&r.website),
            categories: Some(serde_json::to_string(&categories).unwrap_or_default()),
            ..SupplierDetails::default()
        },
        contacts: contact_rows,
        owners: owner_rows,
    }
}

/// A firm registers itself and its first account (status pending until verified).
pub async fn register(db: &Database, r: &Registration) -> Result<(Supplier, User), ServiceError> {
    let mut v = Validator::new();
    let checked = check(r, &mut v);
    let roles = vec![Role::Supplier.code().to_string()];
    let account = validate_user(&crate::domain::user::UserInput {
        username: &r.username,
        display_name: &r.display_name,
        email: &r.email,
        roles: &roles,
        supplier_id: Some(0),
    });
    let mut errors: Vec<FieldError> = v.errors().to_vec();
    if let Err(account_errors) = &account {
        errors.extend(
            account_errors
                .iter()
                .filter(|e| e.field != "email")
                .cloned(),
        );
    }
    if let Err(code) = validate_password(&canonical_username(&r.username), &r.password) {
        errors.push(FieldError {
            field: "password".into(),
            code,
        });
    }
    let mut tx = db.begin().await?;
    if !checked.nit.is_empty()
        && suppliers::find_by_nit(&mut tx, &checked.nit)
            .await?
            .is_some()
    {
        errors.push(FieldError {
            field: "nit".into(),
            code: FieldCode::AlreadyRegistered,
        });
    }
    if users::find_for_login(&mut tx, &canonical_username(&r.username))
        .await?
        .is_some()
    {
        errors.push(FieldError {
            field: "username".into(),
            code: FieldCode::UsernameTaken,
        });
    }
    if !errors.is_empty() {
        return Err(ServiceError::Validation(errors));
    }
    let hash = hash_password(r.password.clone()).await?;
    let now = Timestamp::now();
    let supplier_id = suppliers::insert(
        &mut tx,
        &NewSupplier {
            legal_name: &checked.legal_name,
            nit: &checked.nit,
            status: SupplierStatus::Pending,
            email: Some(&checked.email),
            phone: Some(&checked.phone),
            department: Some(&checked.department),
        },
        now,
    )
    .await
    .map_err(|e| match e {
        RepoError::UniqueViolation(_) => ServiceError::field("nit", FieldCode::AlreadyRegistered),
        other => other.into(),
    })?;
    suppliers::set_details(&mut tx, supplier_id, &checked.details, now).await?;
    suppliers::set_contacts(&mut tx, supplier_id, &checked.contacts).await?;
    suppliers::set_owners(&mut tx, supplier_id, &checked.owners).await?;
    let fields = UserFields {
        supplier_id: Some(supplier_id),
        ..account.map_err(ServiceError::Validation)?
    };
    let user_id = users::insert(&mut tx, &fields, &hash, now)
        .await
        .map_err(|e| match e {
            RepoError::UniqueViolation(_) => {
                ServiceError::field("username", FieldCode::UsernameTaken)
            }
            other => other.into(),
        })?;
    let supplier = suppliers::find(&mut tx, supplier_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let user = users::find(&mut tx, user_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let actor = Actor::User(user.clone());
    // Only the owners' public fields reach the (public) log.
    let registered = SupplierRegistered::registration(
        &supplier,
        checked.details.categories.as_deref(),
        &checked.owners,
    );
    record(&mut tx, &actor, &registered, Publication::None).await?;
    commit_with(tx, &actor, &UserCreated { user: &user }, Publication::None).await?;
    Ok((supplier, user))
}

/// Verifies, suspends or reinstates a supplier (administrators). A suspension needs a reason.
pub async fn change_status(
    db: &Database,
    actor: &Actor,
    supplier_id: i64,
    to: SupplierStatus,
    reason: &str,
) -> Result<Supplier, ServiceError> {
    if !actor.has_role(Role::Administrator) {
        return Err(ServiceError::Forbidden);
    }
    let mut v = Validator::new();
    let reason = if to == SupplierStatus::Suspended {
        v.text("reason", reason, 10, 2000)
    } else {
        reason.trim().to_string()
    };
    v.finish().map_err(ServiceError::Validation)?;
    let mut tx = db.begin().await?;
    let before = suppliers::find(&mut tx, supplier_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let allowed = matches!(
        (before.status, to),
        (SupplierStatus::Pending, SupplierStatus::Verified)
            | (SupplierStatus::Pending, SupplierStatus::Suspended)
            | (SupplierStatus::Verified, SupplierStatus::Suspended)
            | (SupplierStatus::Suspended, SupplierStatus::Verified)
    );
    let action = match to {
        SupplierStatus::Verified if before.status == SupplierStatus::Suspended => {
            AuditAction::SupplierReinstated
        }
        SupplierStatus::Verified => AuditAction::SupplierVerified,
        SupplierStatus::Suspended => AuditAction::SupplierSuspended,
        SupplierStatus::Pending => AuditAction::SupplierPending,
    };
    if !allowed
        || !suppliers::set_status(
            &mut tx,
            supplier_id,
            before.status,
            to,
            Some(&reason),
            Timestamp::now(),
        )
        .await?
    {
        return Err(ServiceError::IllegalTransition {
            from: before.status.code().into(),
            action: action.code().trim_start_matches("supplier.").into(),
        });
    }
    let after = suppliers::find(&mut tx, supplier_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let change = StatusChange {
        before: &before,
        after: StatusChanged {
            supplier: &after,
            reason: &reason,
        },
    };
    let none = Publication::None;
    match to {
        SupplierStatus::Verified if before.status == SupplierStatus::Suspended => {
            commit_with(tx, actor, &SupplierReinstated(change), none).await?
        }
        SupplierStatus::Verified => commit_with(tx, actor, &SupplierVerified(change), none).await?,
        SupplierStatus::Suspended => {
            commit_with(tx, actor, &SupplierSuspended(change), none).await?
        }
        SupplierStatus::Pending => commit_with(tx, actor, &SupplierPending(change), none).await?,
    };
    Ok(after)
}

/// Everything the registry shows about a supplier.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SupplierProfile {
    /// Listing fields.
    pub supplier: Supplier,
    /// Details.
    pub details: SupplierDetails,
    /// Contacts.
    pub contacts: Vec<ContactRow>,
    /// Beneficial owners.
    pub owners: Vec<OwnerRow>,
    /// Categories supplied.
    pub categories: Vec<String>,
    /// Its opened bids (sealed ones never show), most recent first (issue 13).
    pub bids: Vec<HistoryBid>,
    /// Its awards, most recent first.
    pub awards: Vec<HistoryAward>,
    /// Its contracts, most recent first.
    pub contracts: Vec<HistoryAward>,
}

/// A supplier's full profile.
pub async fn profile(db: &Database, supplier_id: i64) -> Result<SupplierProfile, ServiceError> {
    let mut conn = db.read().await?;
    let supplier = suppliers::find(&mut conn, supplier_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let details = suppliers::details(&mut conn, supplier_id)
        .await?
        .unwrap_or_default();
    let categories = details
        .categories
        .as_deref()
        .and_then(|c| serde_json::from_str(c).ok())
        .unwrap_or_default();
    Ok(SupplierProfile {
        bids: supplier_history::bids(&mut conn, supplier_id).await?,
        awards: supplier_history::awards(&mut conn, supplier_id).await?,
        contracts: supplier_history::contracts(&mut conn, supplier_id).await?,
        contacts: suppliers::contacts(&mut conn, supplier_id).await?,
        owners: suppliers::owners(&mut conn, supplier_id).await?,
        supplier,
        details,
        categories,
    })
}

/// A supplier user adds a colleague's account for the same supplier.
pub async fn add_colleague(
    db: &Database,
    actor: &User,
    username: &str,
    display_name: &str,
    email: &str,
    password: &str,
) -> Result<User, ServiceError> {
    let Some(supplier_id) = actor.supplier_id.filter(|_| actor.has_role(Role::Supplier)) else {
        return Err(ServiceError::Forbidden);
    };
    let roles = vec![Role::Supplier.code().to_string()];
    let fields = validate_user(&crate::domain::user::UserInput {
        username,
        display_name,
        email,
        roles: &roles,
        supplier_id: Some(supplier_id),
    })
    .map_err(ServiceError::Validation)?;
    validate_password(&fields.username, password)
        .map_err(|code| ServiceError::field("password", code))?;
    let hash = hash_password(password.to_string()).await?;
    let mut tx = db.begin().await?;
    let id = users::insert(&mut tx, &fields, &hash, Timestamp::now())
        .await
        .map_err(|e| match e {
            RepoError::UniqueViolation(_) => {
                ServiceError::field("username", FieldCode::UsernameTaken)
            }
            other => other.into(),
        })?;
    let user = users::find(&mut tx, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    commit_with(
        tx,
        &Actor::User(actor.clone()),
        &UserCreated { user: &user },
        Publication::None,
    )
    .await?;
    Ok(user)
}
