//! Suppliers' product cards (issue 14, point 7): the supplier portal's list and form, the cards
//! on each catalogue item's public page, and the JSON API.

use super::AppState;
use super::account::translated_fields;
use super::context::RequestContext;
use super::error::AppResult;
use super::extract::{ApiJson, ApiPath, WebForm};
use super::page::{PageCtx, redirect_with_flash, render};
use crate::domain::catalogue::CatalogueItem;
use crate::domain::product_card::{CardStatus, RegistrationStanding};
use crate::domain::validation::FieldCode;
use crate::repository::product_cards::ProductCardRow;
use crate::service::ServiceError;
use crate::service::product_cards::{self, CardView, ProductCardForm};
use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

/// A product card as the API shows it, with its supplier, its catalogue item and where its
/// health registration stands today.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProductCardView {
    /// Id.
    pub id: i64,
    /// The supplier that offers the product.
    pub supplier_id: i64,
    /// The supplier's registered name.
    pub supplier_name: String,
    /// The catalogue item the product is.
    pub catalogue_item_id: i64,
    /// The catalogue item's code.
    pub catalogue_item_code: String,
    /// The catalogue item's unit, in which the pack size is counted.
    pub unit: String,
    /// Brand (trade name).
    pub brand: String,
    /// Who makes it.
    pub manufacturer: String,
    /// Health registration number (registro sanitario).
    pub health_registration: String,
    /// Last day the registration is in force (`YYYY-MM-DD`).
    pub health_registration_expires: String,
    /// `valid`, `expiring` (within 90 days) or `expired`.
    pub registration_standing: String,
    /// GTIN-14.
    pub gtin: String,
    /// How many of the catalogue item's units one pack holds (exact decimal).
    pub pack_size: String,
    /// `active` or `withdrawn`.
    pub status: String,
}

fn api_view(v: &CardView, tz: chrono_tz::Tz) -> ProductCardView {
    ProductCardView {
        id: v.card.id,
        supplier_id: v.card.supplier_id,
        supplier_name: v.supplier_name.clone(),
        catalogue_item_id: v.card.catalogue_item_id,
        catalogue_item_code: v.item.code.clone(),
        unit: v.item.unit.clone(),
        brand: v.card.brand.clone(),
        manufacturer: v.card.manufacturer.clone(),
        health_registration: v.card.health_registration.clone(),
        health_registration_expires: product_cards::expiry_day(
            v.card.health_registration_expires,
            tz,
        )
        .format("%Y-%m-%d")
        .to_string(),
        registration_standing: v.standing.code().to_string(),
        gtin: v.card.gtin.clone(),
        pack_size: v.card.pack_size.clone(),
        status: v.card.status.code().to_string(),
    }
}

/// The tag a registration's standing shows: nothing while it is valid, a warning when it
/// expires within 90 days, a danger tag once expired.
fn standing_tag(standing: RegistrationStanding) -> &'static str {
    match standing {
        RegistrationStanding::Valid => "",
        RegistrationStanding::Expiring => "warn",
        RegistrationStanding::Expired => "danger",
    }
}

// ---------------------------------------------------------------- pages

#[derive(Template)]
#[template(path = "product_cards.html")]
struct ListPage {
    ctx: PageCtx,
    cards: Vec<CardView>,
}

impl ListPage {
    fn tag_kind(&self, v: &CardView) -> &'static str {
        standing_tag(v.standing)
    }
    fn is_active(&self, v: &CardView) -> bool {
        v.card.status == CardStatus::Active
    }
}

/// `GET /portal/products`: the firm's product cards.
pub async fn list_page(State(state): State<AppState>, ctx: RequestContext) -> AppResult<Response> {
    let actor = ctx.actor()?;
    let cards = product_cards::mine(&state.db, &actor, state.now(), state.config.timezone).await?;
    Ok(render(&ListPage {
        ctx: PageCtx::new(&state, &ctx),
        cards,
    }))
}

/// The card form as the browser posts it (numbers and the item's id arrive as text).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CardWebForm {
    /// Catalogue item id.
    #[serde(default)]
    pub catalogue_item_id: String,
    /// Brand.
    #[serde(default)]
    pub brand: String,
    /// Manufacturer.
    #[serde(default)]
    pub manufacturer: String,
    /// Health registration number.
    #[serde(default)]
    pub health_registration: String,
    /// Its last day in force, `YYYY-MM-DD`.
    #[serde(default)]
    pub health_registration_expires: String,
    /// GTIN.
    #[serde(default)]
    pub gtin: String,
    /// Pack size.
    #[serde(default)]
    pub pack_size: String,
}

impl CardWebForm {
    fn to_form(&self) -> Result<ProductCardForm, ServiceError> {
        let catalogue_item_id =
            match self.catalogue_item_id.trim() {
                "" => None,
                s => Some(s.parse::<i64>().map_err(|_| {
                    ServiceError::field("catalogue_item_id", FieldCode::UnknownOption)
                })?),
            };
        Ok(ProductCardForm {
            catalogue_item_id,
            brand: self.brand.clone(),
            manufacturer: self.manufacturer.clone(),
            health_registration: self.health_registration.clone(),
            health_registration_expires: self.health_registration_expires.clone(),
            gtin: self.gtin.clone(),
            pack_size: self.pack_size.clone(),
        })
    }

    fn from_card(card: &ProductCardRow, tz: chrono_tz::Tz) -> CardWebForm {
        CardWebForm {
            catalogue_item_id: card.catalogue_item_id.to_string(),
            brand: card.brand.clone(),
            manufacturer: card.manufacturer.clone(),
            health_registration: card.health_registration.clone(),
            health_registration_expires: product_cards::expiry_day(
                card.health_registration_expires,
                tz,
            )
            .format("%Y-%m-%d")
            .to_string(),
            gtin: card.gtin.clone(),
            pack_size: card.pack_size.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "product_card_form.html")]
struct FormPage {
    ctx: PageCtx,
    /// The card being edited.
    editing: Option<i64>,
    form: CardWebForm,
    medicines: Vec<CatalogueItem>,
    supplies: Vec<CatalogueItem>,
    errors: Vec<(String, String)>,
}

impl FormPage {
    fn action(&self) -> String {
        match self.editing {
            Some(id) => format!("/portal/products/{id}"),
            None => "/portal/products".to_string(),
        }
    }
    fn selected(&self, item: &CatalogueItem) -> bool {
        self.form.catalogue_item_id.trim() == item.id.to_string()
    }
    fn item_label(&self, item: &CatalogueItem) -> String {
        let mut label = format!("{} — {}", item.code, item.name);
        if let Some(s) = &item.strength {
            label.push(' ');
            label.push_str(s);
        }
        format!("{label} ({})", self.ctx.unit(&item.unit))
    }
}

async fn form_page(
    state: &AppState,
    ctx: &RequestContext,
    editing: Option<i64>,
    form: CardWebForm,
    errors: Vec<(String, String)>,
) -> AppResult<Response> {
    let mut conn = state.db.read().await.map_err(ServiceError::from)?;
    let items = crate::repository::catalogue::all_active(&mut conn)
        .await
        .map_err(ServiceError::from)?;
    drop(conn);
    let (medicines, supplies) = items
        .into_iter()
        .partition(|i| i.kind == crate::domain::catalogue::ItemKind::Medicine);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut response = render(&FormPage {
        ctx: PageCtx::new(state, ctx),
        editing,
        form,
        medicines,
        supplies,
        errors,
    });
    *response.status_mut() = status;
    Ok(response)
}

/// `GET /portal/products/new`.
pub async fn new_page(State(state): State<AppState>, ctx: RequestContext) -> AppResult<Response> {
    form_page(&state, &ctx, None, CardWebForm::default(), Vec::new()).await
}

/// `GET /portal/products/{id}`: one of the firm's cards, to change it.
pub async fn edit_page(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    let card = product_cards::find_own(&state.db, &ctx.actor()?, id).await?;
    if card.status != CardStatus::Active {
        return Err(ServiceError::IllegalTransition {
            from: card.status.code().into(),
            action: "update".into(),
        }
        .into());
    }
    let form = CardWebForm::from_card(&card, state.config.timezone);
    form_page(&state, &ctx, Some(id), form, Vec::new()).await
}

/// `POST /portal/products` and `POST /portal/products/{id}`: create or change, then back to the
/// firm's list (post-redirect-get).
async fn submit(
    state: AppState,
    ctx: RequestContext,
    editing: Option<i64>,
    form: CardWebForm,
) -> AppResult<Response> {
    let actor = ctx.actor()?;
    let tz = state.config.timezone;
    let now = state.now();
    let result = match form.to_form() {
        Ok(f) => match editing {
            Some(id) => product_cards::update(&state.db, tz, &actor, id, &f, now).await,
            None => product_cards::create(&state.db, tz, &actor, &f, now).await,
        },
        Err(e) => Err(e),
    };
    match result {
        Ok(card) => Ok(redirect_with_flash(
            &state,
            "/portal/products",
            match (editing, product_cards::standing(&card, now, tz)) {
                (_, RegistrationStanding::Expired) => "flash-product-card-saved-expired",
                (Some(_), _) => "flash-product-card-updated",
                (None, _) => "flash-product-card-created",
            },
            Some(&card.brand),
        )),
        Err(err @ ServiceError::Validation(_)) => {
            let errors = translated_fields(&state, &ctx, &err);
            form_page(&state, &ctx, editing, form, errors).await
        }
        Err(err) => Err(err.into()),
    }
}

/// `POST /portal/products`.
pub async fn create_submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    WebForm(form): WebForm<CardWebForm>,
) -> AppResult<Response> {
    submit(state, ctx, None, form).await
}

/// `POST /portal/products/{id}`.
pub async fn update_submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    WebForm(form): WebForm<CardWebForm>,
) -> AppResult<Response> {
    submit(state, ctx, Some(id), form).await
}

/// `POST /portal/products/{id}/withdraw`, then back to the list.
pub async fn withdraw_submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    let card = product_cards::withdraw(&state.db, &ctx.actor()?, id, state.now()).await?;
    Ok(redirect_with_flash(
        &state,
        "/portal/products",
        "flash-product-card-withdrawn",
        Some(&card.brand),
    ))
}

#[derive(Template)]
#[template(path = "catalogue_item.html")]
struct ItemPage {
    ctx: PageCtx,
    item: CatalogueItem,
    cards: Vec<CardView>,
}

impl ItemPage {
    fn tag_kind(&self, v: &CardView) -> &'static str {
        standing_tag(v.standing)
    }
}

/// `GET /catalogue/items/{id}`: a catalogue item and the products suppliers offer for it.
pub async fn item_page(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    let (item, cards) =
        product_cards::of_item(&state.db, id, state.now(), state.config.timezone).await?;
    Ok(render(&ItemPage {
        ctx: PageCtx::new(&state, &ctx),
        item,
        cards,
    }))
}

// ---------------------------------------------------------------- JSON API

/// The signed-in supplier's product cards, active first.
#[utoipa::path(get, path = "/api/me/product-cards", tag = "products",
    operation_id = "list_my_product_cards", security(("bearer" = [])),
    responses((status = 200, body = [ProductCardView])))]
pub async fn mine(
    State(state): State<AppState>,
    ctx: RequestContext,
) -> AppResult<Json<Vec<ProductCardView>>> {
    let tz = state.config.timezone;
    let cards = product_cards::mine(&state.db, &ctx.actor()?, state.now(), tz).await?;
    Ok(Json(cards.iter().map(|v| api_view(v, tz)).collect()))
}

/// Registers a product card of the signed-in supplier's firm (verified firms).
#[utoipa::path(post, path = "/api/me/product-cards", tag = "products",
    operation_id = "create_product_card", security(("bearer" = [])),
    request_body = ProductCardForm,
    responses((status = 201, body = ProductCardView), (status = 409, body = super::openapi::ErrorBody),
              (status = 422, body = super::openapi::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiJson(form): ApiJson<ProductCardForm>,
) -> AppResult<(StatusCode, Json<ProductCardView>)> {
    let (tz, now) = (state.config.timezone, state.now());
    let card = product_cards::create(&state.db, tz, &ctx.actor()?, &form, now).await?;
    let view = product_cards::view(&state.db, card, now, tz).await?;
    Ok((StatusCode::CREATED, Json(api_view(&view, tz))))
}

/// Replaces the fields of one of the firm's active product cards.
#[utoipa::path(put, path = "/api/me/product-cards/{id}", tag = "products",
    operation_id = "update_product_card", security(("bearer" = [])),
    request_body = ProductCardForm,
    params(("id" = i64, Path, description = "Product card id")),
    responses((status = 200, body = ProductCardView), (status = 404, body = super::openapi::ErrorBody),
              (status = 409, body = super::openapi::ErrorBody), (status = 422, body = super::openapi::ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    ApiJson(form): ApiJson<ProductCardForm>,
) -> AppResult<Json<ProductCardView>> {
    let (tz, now) = (state.config.timezone, state.now());
    let card = product_cards::update(&state.db, tz, &ctx.actor()?, id, &form, now).await?;
    let view = product_cards::view(&state.db, card, now, tz).await?;
    Ok(Json(api_view(&view, tz)))
}

/// Withdraws one of the firm's active product cards (kept for the record).
#[utoipa::path(post, path = "/api/me/product-cards/{id}/withdraw", tag = "products",
    operation_id = "withdraw_product_card", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Product card id")),
    responses((status = 200, body = ProductCardView), (status = 404, body = super::openapi::ErrorBody),
              (status = 409, body = super::openapi::ErrorBody)))]
pub async fn withdraw(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<ProductCardView>> {
    let (tz, now) = (state.config.timezone, state.now());
    let card = product_cards::withdraw(&state.db, &ctx.actor()?, id, now).await?;
    let view = product_cards::view(&state.db, card, now, tz).await?;
    Ok(Json(api_view(&view, tz)))
}

/// The active product cards of a catalogue item (public).
#[utoipa::path(get, path = "/api/catalogue/items/{id}/product-cards", tag = "products",
    operation_id = "list_item_product_cards",
    params(("id" = i64, Path, description = "Catalogue item id")),
    responses((status = 200, body = [ProductCardView]), (status = 404, body = super::openapi::ErrorBody)))]
pub async fn of_item(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<Vec<ProductCardView>>> {
    let tz = state.config.timezone;
    let (_, cards) = product_cards::of_item(&state.db, id, state.now(), tz).await?;
    Ok(Json(cards.iter().map(|v| api_view(v, tz)).collect()))
}
