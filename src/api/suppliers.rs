//! The public supplier registry and buyers (pages and JSON).

use super::AppState;
use super::context::RequestContext;
use super::error::AppError;
use super::error::AppResult;
use super::extract::{ApiJson, ApiPath, ApiQuery, Paging, WebForm};
use super::page::{PageCtx, redirect_with_flash, render};
use crate::domain::supplier::{CATEGORIES, Supplier, SupplierStatus};
use crate::domain::validation::FieldCode;
use crate::repository::Page;
use crate::repository::buyers::BuyerRow;
use crate::repository::supplier_history::{HistoryAward, HistoryBid};
use crate::service::suppliers::{
    self as supplier_service, ContactInput, OwnerInput, Registration, SupplierProfile,
};
use crate::service::{ServiceError, registry};
use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

/// A supplier as published.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SupplierView {
    /// Id.
    pub id: i64,
    /// Legal name.
    pub legal_name: String,
    /// Tax id (NIT), `BODY-CHECK`.
    pub nit: String,
    /// `pending`, `verified` or `suspended`.
    pub status: String,
    /// Department of the registered address.
    pub department: Option<String>,
    /// Registration time (RFC 3339, UTC).
    pub registered_at: String,
}

impl From<&Supplier> for SupplierView {
    fn from(s: &Supplier) -> Self {
        SupplierView {
            id: s.id,
            legal_name: s.legal_name.clone(),
            nit: s.nit.clone(),
            status: s.status.code().to_string(),
            department: s.department.clone(),
            registered_at: s.created_at.to_rfc3339(),
        }
    }
}

/// A page of suppliers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SupplierPage {
    /// Suppliers on this page.
    pub items: Vec<SupplierView>,
    /// Suppliers matching the filter.
    pub total: i64,
    /// Page number.
    pub page: i64,
    /// Page size.
    pub per_page: i64,
}

/// Filters of the supplier list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SupplierQuery {
    /// Text in the legal name or NIT.
    pub search: Option<String>,
    /// `pending`, `verified` or `suspended`.
    pub status: Option<String>,
    /// Page number, from 1.
    pub page: Option<i64>,
    /// Rows per page (1–200).
    pub per_page: Option<i64>,
}

impl SupplierQuery {
    fn paging(&self) -> Paging {
        Paging {
            page: self.page,
            per_page: self.per_page,
        }
    }

    fn status(&self) -> Option<SupplierStatus> {
        self.status.as_deref().and_then(SupplierStatus::from_code)
    }
}

async fn fetch(state: &AppState, query: &SupplierQuery) -> AppResult<Page<Supplier>> {
    let paging = query.paging();
    Ok(registry::suppliers(
        &state.db,
        query.search.as_deref().map(str::trim),
        query.status(),
        paging.offset(),
        paging.limit(),
    )
    .await?)
}

/// Lists registered suppliers.
#[utoipa::path(get, path = "/api/suppliers", tag = "registry", operation_id = "list_suppliers",
    params(SupplierQuery),
    responses((status = 200, body = SupplierPage), (status = 400, body = super::openapi::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<SupplierQuery>,
) -> AppResult<Json<SupplierPage>> {
    let page = fetch(&state, &query).await?;
    let paging = query.paging();
    Ok(Json(SupplierPage {
        items: page.items.iter().map(SupplierView::from).collect(),
        total: page.total,
        page: paging.offset() / paging.limit() + 1,
        per_page: paging.limit(),
    }))
}

/// A contact person as published (name and position; their e-mail and phone stay private).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ContactView {
    /// Name.
    pub name: String,
    /// Position.
    pub position: Option<String>,
}

/// A beneficial owner as published (beneficial-ownership transparency, OCP guidance); the
/// identity-document number stays private.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OwnerView {
    /// Name.
    pub name: String,
    /// Nationality.
    pub nationality: Option<String>,
    /// Share held, percent (exact decimal text).
    pub share_percent: String,
    /// Whether a politically exposed person.
    pub politically_exposed: bool,
}

/// A supplier's public profile.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SupplierProfileView {
    /// Listing fields.
    #[serde(flatten)]
    pub supplier: SupplierView,
    /// Trade name.
    pub trade_name: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// Municipality.
    pub municipality: Option<String>,
    /// Website.
    pub website: Option<String>,
    /// Categories supplied (`atc:J`, `unspsc:42`, …).
    pub categories: Vec<String>,
    /// Contact people.
    pub contacts: Vec<ContactView>,
    /// Beneficial owners.
    pub owners: Vec<OwnerView>,
    /// When verified (RFC 3339, UTC).
    pub verified_at: Option<String>,
    /// When suspended (RFC 3339, UTC).
    pub suspended_at: Option<String>,
    /// Why it is suspended.
    pub suspension_reason: Option<String>,
    /// Its opened bids, most recent first (sealed bids never show).
    pub bids: Vec<HistoryBid>,
    /// Its awards, most recent first.
    pub awards: Vec<HistoryAward>,
    /// Its contracts, most recent first.
    pub contracts: Vec<HistoryAward>,
}

fn rfc3339(micros: Option<i64>) -> Option<String> {
    micros.map(|m| crate::domain::time::Timestamp::from_micros(m).to_rfc3339())
}

impl From<&SupplierProfile> for SupplierProfileView {
    fn from(p: &SupplierProfile) -> Self {
        SupplierProfileView {
            supplier: SupplierView::from(&p.supplier),
            trade_name: p.details.trade_name.clone(),
            address: p.details.address.clone(),
            municipality: p.details.municipality.clone(),
            website: p.details.website.clone(),
            categories: p.categories.clone(),
            contacts: p
                .contacts
                .iter()
                .map(|c| ContactView {
                    name: c.name.clone(),
                    position: c.position.clone(),
                })
                .collect(),
            owners: p
                .owners
                .iter()
                .map(|o| OwnerView {
                    name: o.name.clone(),
                    nationality: o.nationality.clone(),
                    share_percent: o.share_percent.clone(),
                    politically_exposed: o.politically_exposed,
                })
                .collect(),
            verified_at: rfc3339(p.details.verified_at),
            suspended_at: rfc3339(p.details.suspended_at),
            suspension_reason: p.details.suspension_reason.clone(),
            bids: p.bids.clone(),
            awards: p.awards.clone(),
            contracts: p.contracts.clone(),
        }
    }
}

/// One supplier's public profile.
#[utoipa::path(get, path = "/api/suppliers/{id}", tag = "registry", operation_id = "get_supplier",
    params(("id" = i64, Path, description = "Supplier id")),
    responses((status = 200, body = SupplierProfileView), (status = 404, body = super::openapi::ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<SupplierProfileView>> {
    Ok(Json(SupplierProfileView::from(
        &supplier_service::profile(&state.db, id).await?,
    )))
}

/// A registration's result.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = SupplierRegistered)]
pub struct Registered {
    /// The supplier (pending verification).
    pub supplier: SupplierView,
    /// The first account's id.
    pub user_id: i64,
    /// The first account's username.
    pub username: String,
}

/// A firm registers itself and its first account; it may bid once an administrator verifies it.
#[utoipa::path(post, path = "/api/suppliers", tag = "registry", operation_id = "register_supplier",
    request_body = Registration,
    responses((status = 201, body = Registered), (status = 422, body = super::openapi::ErrorBody)))]
pub async fn register(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiJson(r): ApiJson<Registration>,
) -> AppResult<(StatusCode, Json<Registered>)> {
    let (supplier, user) = state
        .limits
        .registrations
        .limited(&ctx.client_addr, supplier_service::register(&state.db, &r))
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(Registered {
            supplier: SupplierView::from(&supplier),
            user_id: user.id,
            username: user.username,
        }),
    ))
}

/// A registry status change.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct StatusChange {
    /// `verified` (verify or reinstate) or `suspended`.
    pub status: String,
    /// Why (required for a suspension, at least 10 characters).
    #[serde(default)]
    pub reason: String,
}

fn target_status(code: &str) -> Result<SupplierStatus, ServiceError> {
    match SupplierStatus::from_code(code.trim()) {
        Some(s @ (SupplierStatus::Verified | SupplierStatus::Suspended)) => Ok(s),
        _ => Err(ServiceError::field("status", FieldCode::UnknownOption)),
    }
}

/// Verifies, suspends or reinstates a supplier (administrators).
#[utoipa::path(post, path = "/api/suppliers/{id}/status", tag = "registry", operation_id = "change_supplier_status",
    security(("bearer" = [])), request_body = StatusChange, params(("id" = i64, Path, description = "Supplier id")),
    responses((status = 200, body = SupplierView), (status = 409, body = super::openapi::ErrorBody), (status = 422, body = super::openapi::ErrorBody)))]
pub async fn change_status(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    ApiJson(change): ApiJson<StatusChange>,
) -> AppResult<Json<SupplierView>> {
    let to = target_status(&change.status)?;
    let after =
        supplier_service::change_status(&state.db, &ctx.actor()?, id, to, &change.reason).await?;
    Ok(Json(SupplierView::from(&after)))
}

/// Lists procuring entities.
#[utoipa::path(get, path = "/api/buyers", tag = "registry", operation_id = "list_buyers",
    responses((status = 200, body = Vec<BuyerRow>)))]
pub async fn buyers(State(state): State<AppState>) -> AppResult<Json<Vec<BuyerRow>>> {
    Ok(Json(registry::buyers(&state.db).await?))
}

#[derive(Template)]
#[template(path = "suppliers.html")]
struct ListPage {
    ctx: PageCtx,
    suppliers: Page<Supplier>,
    query: SupplierQuery,
    page: i64,
    pages: i64,
}

impl ListPage {
    fn status_selected(&self, code: &str) -> bool {
        self.query.status.as_deref() == Some(code)
    }

    fn page_link(&self, page: i64) -> String {
        super::page::page_link(
            "/suppliers",
            page,
            &[
                ("search", self.query.search.as_deref()),
                ("status", self.query.status.as_deref()),
            ],
        )
    }
}

/// `GET /suppliers`.
pub async fn list_page(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiQuery(query): ApiQuery<SupplierQuery>,
) -> AppResult<Response> {
    let suppliers = fetch(&state, &query).await?;
    let paging = query.paging();
    Ok(render(&ListPage {
        ctx: PageCtx::new(&state, &ctx),
        page: paging.offset() / paging.limit() + 1,
        pages: ((suppliers.total + paging.limit() - 1) / paging.limit()).max(1),
        suppliers,
        query,
    }))
}

#[derive(Template)]
#[template(path = "supplier.html")]
struct DetailPage {
    ctx: PageCtx,
    supplier: Supplier,
    profile: SupplierProfileView,
    errors: Vec<(String, String)>,
}

impl DetailPage {
    fn money(&self, value: &str, currency: &str) -> String {
        self.ctx.money(value, currency)
    }
}

async fn detail(
    state: &AppState,
    ctx: &RequestContext,
    id: i64,
    errors: Vec<(String, String)>,
) -> AppResult<Response> {
    let profile = supplier_service::profile(&state.db, id).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut response = render(&DetailPage {
        ctx: PageCtx::new(state, ctx),
        supplier: profile.supplier.clone(),
        profile: SupplierProfileView::from(&profile),
        errors,
    });
    *response.status_mut() = status;
    Ok(response)
}

/// `GET /suppliers/{id}`.
pub async fn detail_page(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    detail(&state, &ctx, id, Vec::new()).await
}

/// The administrator's status form.
#[derive(Debug, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    reason: String,
}

/// `POST /suppliers/{id}/status`.
pub async fn change_status_submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    WebForm(form): WebForm<StatusForm>,
) -> AppResult<Response> {
    let result = match target_status(&form.status) {
        Ok(to) => {
            supplier_service::change_status(&state.db, &ctx.actor()?, id, to, &form.reason).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(after) => Ok(redirect_with_flash(
            &state,
            &format!("/suppliers/{id}"),
            &format!("flash-supplier-{}", after.status.code()),
            Some(&after.legal_name),
        )),
        Err(e @ ServiceError::Validation(_)) => {
            let errors = super::account::translated_fields(&state, &ctx, &e);
            detail(&state, &ctx, id, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------------ self-registration

/// The registration form: contacts and owners as parallel repeated fields (rows of a table).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RegistrationForm {
    #[serde(default)]
    legal_name: String,
    #[serde(default)]
    trade_name: String,
    #[serde(default)]
    nit: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    municipality: String,
    #[serde(default)]
    department: String,
    #[serde(default)]
    website: String,
    #[serde(default)]
    categories: Vec<String>,
    #[serde(default)]
    contact_name: Vec<String>,
    #[serde(default)]
    contact_position: Vec<String>,
    #[serde(default)]
    contact_email: Vec<String>,
    #[serde(default)]
    contact_phone: Vec<String>,
    #[serde(default)]
    owner_name: Vec<String>,
    #[serde(default)]
    owner_nationality: Vec<String>,
    #[serde(default)]
    owner_document_id: Vec<String>,
    #[serde(default)]
    owner_share_percent: Vec<String>,
    #[serde(default)]
    owner_pep: Vec<String>,
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirmation: String,
}

/// Rows of contacts and owners the form offers.
const CONTACT_ROWS: usize = 2;
const OWNER_ROWS: usize = 3;

fn nth(list: &[String], i: usize) -> String {
    list.get(i).cloned().unwrap_or_default()
}

impl RegistrationForm {
    fn to_registration(&self) -> Registration {
        let contacts = (0..self.contact_name.len().max(self.contact_email.len()))
            .map(|i| ContactInput {
                name: nth(&self.contact_name, i),
                position: nth(&self.contact_position, i),
                email: nth(&self.contact_email, i),
                phone: nth(&self.contact_phone, i),
            })
            .collect();
        let owners = (0..self.owner_name.len().max(self.owner_share_percent.len()))
            .map(|i| OwnerInput {
                name: nth(&self.owner_name, i),
                nationality: nth(&self.owner_nationality, i),
                document_id: nth(&self.owner_document_id, i),
                share_percent: nth(&self.owner_share_percent, i),
                politically_exposed: nth(&self.owner_pep, i) == "yes",
            })
            .collect();
        Registration {
            legal_name: self.legal_name.clone(),
            trade_name: self.trade_name.clone(),
            nit: self.nit.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            address: self.address.clone(),
            municipality: self.municipality.clone(),
            department: self.department.clone(),
            website: self.website.clone(),
            categories: self.categories.clone(),
            contacts,
            owners,
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            password: self.password.clone(),
        }
    }

    /// Contact row `i` for redisplay.
    fn contact(&self, i: &usize) -> [String; 4] {
        [
            nth(&self.contact_name, *i),
            nth(&self.contact_position, *i),
            nth(&self.contact_email, *i),
            nth(&self.contact_phone, *i),
        ]
    }

    /// Owner row `i` for redisplay.
    fn owner(&self, i: &usize) -> [String; 5] {
        [
            nth(&self.owner_name, *i),
            nth(&self.owner_nationality, *i),
            nth(&self.owner_document_id, *i),
            nth(&self.owner_share_percent, *i),
            nth(&self.owner_pep, *i),
        ]
    }
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    ctx: PageCtx,
    form: RegistrationForm,
    errors: Vec<(String, String)>,
    departments: &'static [&'static str],
    categories: &'static [&'static str],
    contact_rows: Vec<usize>,
    owner_rows: Vec<usize>,
}

impl RegisterPage {
    fn category_checked(&self, code: &str) -> bool {
        self.form.categories.iter().any(|c| c == code)
    }
    fn category_label(&self, code: &str) -> String {
        self.ctx.t(&format!("category-{}", code.replace(':', "-")))
    }
}

fn register_page(
    state: &AppState,
    ctx: &RequestContext,
    form: RegistrationForm,
    errors: Vec<(String, String)>,
) -> Response {
    // The service's field paths stay as they are (`contacts[0].email`): the error summary
    // names them (`PageCtx::field_label`) and links each to its control, whose id is
    // `PageCtx::field_anchor` of the path (`contacts_0__email`).
    let page_ctx = PageCtx::new(state, ctx);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let contact_rows = (0..form.contact_name.len().max(CONTACT_ROWS)).collect();
    let owner_rows = (0..form.owner_name.len().max(OWNER_ROWS)).collect();
    let mut response = render(&RegisterPage {
        ctx: page_ctx,
        form: RegistrationForm {
            password: String::new(),
            confirmation: String::new(),
            ..form
        },
        errors,
        departments: &crate::service::demo::DEPARTMENTS,
        categories: CATEGORIES,
        contact_rows,
        owner_rows,
    });
    *response.status_mut() = status;
    response
}

/// `GET /register`: a firm's self-registration form.
pub async fn register_form(State(state): State<AppState>, ctx: RequestContext) -> Response {
    register_page(&state, &ctx, RegistrationForm::default(), Vec::new())
}

/// `POST /register`.
pub async fn register_submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    WebForm(form): WebForm<RegistrationForm>,
) -> AppResult<Response> {
    if form.password != form.confirmation {
        let err = ServiceError::field("confirmation", FieldCode::PasswordMismatch);
        let errors = super::account::translated_fields(&state, &ctx, &err);
        return Ok(register_page(&state, &ctx, form, errors));
    }
    let registration = form.to_registration();
    let registered = state
        .limits
        .registrations
        .limited(
            &ctx.client_addr,
            supplier_service::register(&state.db, &registration),
        )
        .await;
    match registered {
        Ok((supplier, _)) => Ok(redirect_with_flash(
            &state,
            "/login",
            "flash-registered",
            Some(&supplier.legal_name),
        )),
        Err(e @ ServiceError::Validation(_)) => {
            let errors = super::account::translated_fields(&state, &ctx, &e);
            Ok(register_page(&state, &ctx, form, errors))
        }
        Err(e) => Err(AppError::from(e)),
    }
}
