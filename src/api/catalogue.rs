//! The public catalogue (basic medicines list and supplies), pages and JSON.

use super::AppState;
use super::context::RequestContext;
use super::error::{AppError, AppResult};
use super::extract::{ApiJson, ApiMultipart, ApiPath, ApiQuery, Paging, WebForm};
use super::page::{PageCtx, redirect_with_flash, render};
use crate::domain::catalogue::{CatalogueItem, ItemInput, ItemKind};
use crate::domain::error_code::ErrorCode;
use crate::domain::role::Role;
use crate::domain::validation::FieldCode;
use crate::repository::Page;
use crate::repository::catalogue::ProposalRow;
use crate::service::catalogue::{self, FileProblem, ImportReport, MAX_IMPORT_BYTES};
use crate::service::{ServiceError, registry};
use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

/// A catalogue item as published.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = CatalogueItem)]
pub struct ItemView {
    /// Id.
    pub id: i64,
    /// The institution's code.
    pub code: String,
    /// `medicine` or `supply`.
    pub kind: String,
    /// Generic name (INN) or description.
    pub name: String,
    /// Strength.
    pub strength: Option<String>,
    /// Pharmaceutical form.
    pub form: Option<String>,
    /// Presentation.
    pub presentation: Option<String>,
    /// Unit of purchase.
    pub unit: String,
    /// WHO ATC code.
    pub atc_code: Option<String>,
    /// UNSPSC code.
    pub unspsc_code: Option<String>,
    /// Level of care (1–3).
    pub level_of_care: Option<i64>,
}

impl From<&CatalogueItem> for ItemView {
    fn from(i: &CatalogueItem) -> Self {
        ItemView {
            id: i.id,
            code: i.code.clone(),
            kind: i.kind.code().to_string(),
            name: i.name.clone(),
            strength: i.strength.clone(),
            form: i.form.clone(),
            presentation: i.presentation.clone(),
            unit: i.unit.clone(),
            atc_code: i.atc_code.clone(),
            unspsc_code: i.unspsc_code.clone(),
            level_of_care: i.level_of_care,
        }
    }
}

/// A page of the catalogue.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ItemPage {
    /// Items on this page.
    pub items: Vec<ItemView>,
    /// Items matching the filter.
    pub total: i64,
    /// Page number.
    pub page: i64,
    /// Page size.
    pub per_page: i64,
}

/// Filters of the catalogue.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ItemQuery {
    /// Text in the name, code, ATC or UNSPSC code.
    pub search: Option<String>,
    /// `medicine` or `supply`.
    pub kind: Option<String>,
    /// Page number, from 1.
    pub page: Option<i64>,
    /// Rows per page (1–200).
    pub per_page: Option<i64>,
}

impl ItemQuery {
    fn paging(&self) -> Paging {
        Paging {
            page: self.page,
            per_page: self.per_page,
        }
    }
}

async fn fetch(state: &AppState, query: &ItemQuery) -> AppResult<Page<CatalogueItem>> {
    let paging = query.paging();
    Ok(registry::catalogue(
        &state.db,
        query.search.as_deref().map(str::trim),
        query.kind.as_deref().and_then(ItemKind::from_code),
        paging.offset(),
        paging.limit(),
    )
    .await?)
}

/// Lists the catalogue.
#[utoipa::path(get, path = "/api/catalogue", tag = "registry", operation_id = "list_catalogue",
    params(ItemQuery),
    responses((status = 200, body = ItemPage), (status = 400, body = super::openapi::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ItemQuery>,
) -> AppResult<Json<ItemPage>> {
    let page = fetch(&state, &query).await?;
    let paging = query.paging();
    Ok(Json(ItemPage {
        items: page.items.iter().map(ItemView::from).collect(),
        total: page.total,
        page: paging.offset() / paging.limit() + 1,
        per_page: paging.limit(),
    }))
}

#[derive(Template)]
#[template(path = "catalogue.html")]
struct ListPage {
    ctx: PageCtx,
    items: Page<CatalogueItem>,
    query: ItemQuery,
    page: i64,
    pages: i64,
}

impl ListPage {
    /// Buyers, analysts and administrators may propose changes (service::catalogue).
    fn may_propose(&self) -> bool {
        ["buyer", "analyst", "administrator"]
            .iter()
            .any(|r| self.ctx.has_role(r))
    }

    fn kind_selected(&self, code: &str) -> bool {
        self.query.kind.as_deref() == Some(code)
    }

    fn page_link(&self, page: i64) -> String {
        super::page::page_link(
            "/catalogue",
            page,
            &[
                ("search", self.query.search.as_deref()),
                ("kind", self.query.kind.as_deref()),
            ],
        )
    }
}

/// `GET /catalogue`.
pub async fn list_page(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiQuery(query): ApiQuery<ItemQuery>,
) -> AppResult<Response> {
    let items = fetch(&state, &query).await?;
    let paging = query.paging();
    Ok(render(&ListPage {
        ctx: PageCtx::new(&state, &ctx),
        page: paging.offset() / paging.limit() + 1,
        pages: ((items.total + paging.limit() - 1) / paging.limit()).max(1),
        items,
        query,
    }))
}

// ------------------------------------------------------------------ proposals

/// A proposed change to the list, as published (the therapeutic committee's work is public).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProposalView {
    /// Id.
    pub id: i64,
    /// `add`, `modify`, `retire` or `import`.
    pub kind: String,
    /// The item concerned (modify, retire).
    pub item_id: Option<i64>,
    /// The proposed items (for a retirement: the item retired).
    pub items: Vec<ItemView>,
    /// Why the change is needed.
    pub justification: String,
    /// `proposed`, `approved` or `rejected`.
    pub status: String,
    /// Proposer's user id.
    pub proposed_by: i64,
    /// When proposed (RFC 3339, UTC).
    pub proposed_at: String,
    /// Reviewer's user id.
    pub reviewed_by: Option<i64>,
    /// When reviewed (RFC 3339, UTC).
    pub reviewed_at: Option<String>,
    /// The committee's decision and its grounds.
    pub decision: Option<String>,
}

impl From<&ProposalRow> for ProposalView {
    fn from(p: &ProposalRow) -> Self {
        let items: Vec<CatalogueItem> = serde_json::from_str(&p.payload).unwrap_or_default();
        let time = |m: i64| crate::domain::time::Timestamp::from_micros(m).to_rfc3339();
        ProposalView {
            id: p.id,
            kind: p.kind.clone(),
            item_id: p.item_id,
            items: items.iter().map(ItemView::from).collect(),
            justification: p.justification.clone(),
            status: p.status.clone(),
            proposed_by: p.proposed_by,
            proposed_at: time(p.proposed_at),
            reviewed_by: p.reviewed_by,
            reviewed_at: p.reviewed_at.map(time),
            decision: p.decision.clone(),
        }
    }
}

/// Filter of the proposal list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProposalQuery {
    /// `proposed`, `approved` or `rejected` (empty: all).
    #[param(schema_with = proposal_statuses)]
    pub status: Option<String>,
}

/// The statuses a proposal list can be filtered by.
const PROPOSAL_STATUSES: [&str; 3] = ["proposed", "approved", "rejected"];

fn proposal_statuses() -> utoipa::openapi::Schema {
    let [proposed, approved, rejected] = PROPOSAL_STATUSES;
    super::openapi_schemas::one_of(
        &["", proposed, approved, rejected],
        "`proposed`, `approved` or `rejected` (empty: all).",
    )
}

impl ProposalQuery {
    fn status(&self) -> AppResult<Option<&str>> {
        match self.status.as_deref().filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) if PROPOSAL_STATUSES.contains(&s) => Ok(Some(s)),
            Some(_) => Err(AppError::new(ErrorCode::RequestInvalidQuery)
                .with_details(serde_json::json!({"parameter": "status"}))),
        }
    }
}

/// Lists proposed changes to the catalogue, newest first (up to 200).
#[utoipa::path(get, path = "/api/catalogue/proposals", tag = "registry", operation_id = "list_catalogue_proposals",
    params(ProposalQuery),
    responses((status = 200, body = Vec<ProposalView>), (status = 400, body = super::openapi::ErrorBody)))]
pub async fn proposals(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ProposalQuery>,
) -> AppResult<Json<Vec<ProposalView>>> {
    let rows = catalogue::proposals(&state.db, query.status()?).await?;
    Ok(Json(rows.iter().map(ProposalView::from).collect()))
}

/// One proposal.
#[utoipa::path(get, path = "/api/catalogue/proposals/{id}", tag = "registry", operation_id = "get_catalogue_proposal",
    params(("id" = i64, Path, description = "Proposal id")),
    responses((status = 200, body = ProposalView), (status = 404, body = super::openapi::ErrorBody)))]
pub async fn proposal(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<ProposalView>> {
    Ok(Json(ProposalView::from(
        &catalogue::proposal(&state.db, id).await?,
    )))
}

/// A new proposal: an item to add or change (matched by code), or an item to retire.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ProposalRequest {
    /// The item as it should be (add or modify).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub item: Option<ItemInput>,
    /// The item to retire (instead of `item`).
    #[serde(default)]
    pub retire_item_id: Option<i64>,
    /// Why the change is needed (at least 10 characters).
    #[serde(default)]
    pub justification: String,
}

async fn create_proposal(
    state: &AppState,
    ctx: &RequestContext,
    r: &ProposalRequest,
) -> Result<ProposalRow, ServiceError> {
    let actor = ctx.actor().map_err(|_| ServiceError::Forbidden)?;
    match (&r.item, r.retire_item_id) {
        (Some(item), None) => {
            catalogue::propose_item(&state.db, &actor, item, &r.justification).await
        }
        (None, Some(id)) => {
            catalogue::propose_retirement(&state.db, &actor, id, &r.justification).await
        }
        _ => Err(ServiceError::field("item", FieldCode::Required)),
    }
}

/// Proposes a change to the list (buyers, analysts, administrators); the therapeutic committee
/// reviews it.
#[utoipa::path(post, path = "/api/catalogue/proposals", tag = "registry", operation_id = "propose_catalogue_change",
    security(("bearer" = [])), request_body = ProposalRequest,
    responses((status = 201, body = ProposalView), (status = 404, body = super::openapi::ErrorBody), (status = 422, body = super::openapi::ErrorBody)))]
pub async fn propose(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiJson(r): ApiJson<ProposalRequest>,
) -> AppResult<(StatusCode, Json<ProposalView>)> {
    let row = create_proposal(&state, &ctx, &r).await?;
    Ok((StatusCode::CREATED, Json(ProposalView::from(&row))))
}

/// The therapeutic committee's decision on a proposal.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ReviewRequest {
    /// Approve (apply the change) or reject.
    #[serde(default)]
    pub approve: bool,
    /// The decision and its grounds (at least 5 characters).
    #[serde(default)]
    pub decision: String,
}

/// Approves or rejects a proposal (administrators, never the proposer).
#[utoipa::path(post, path = "/api/catalogue/proposals/{id}/review", tag = "registry", operation_id = "review_catalogue_proposal",
    security(("bearer" = [])), request_body = ReviewRequest, params(("id" = i64, Path, description = "Proposal id")),
    responses((status = 200, body = ProposalView), (status = 403, body = super::openapi::ErrorBody), (status = 409, body = super::openapi::ErrorBody), (status = 422, body = super::openapi::ErrorBody)))]
pub async fn review(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<ReviewRequest>,
) -> AppResult<Json<ProposalView>> {
    let row = catalogue::review(&state.db, &ctx.actor()?, id, r.approve, &r.decision).await?;
    Ok(Json(ProposalView::from(&row)))
}

fn file_problem(problem: FileProblem) -> AppError {
    AppError::new(ErrorCode::ImportInvalidFile)
        .with_details(serde_json::json!({"problem": problem.code()}))
}

// Read part by part by `tenders::first_file`; the type only documents the body.
/// The `multipart/form-data` body of a catalogue import.
#[derive(Debug, utoipa::ToSchema)]
pub struct CatalogueImportUpload {
    /// The CSV or XLSX file, sent as a file part with its file name (at most 5 MiB and 20,000
    /// rows; columns `code`, `kind`, `name` and `unit` at least).
    #[schema(value_type = String, content_media_type = "application/octet-stream")]
    pub file: Vec<u8>,
    /// Why the catalogue should change (10–4000 characters).
    #[schema(min_length = 10, max_length = 4000)]
    pub justification: String,
    /// `true`: import the valid rows of a file with errors (default: import nothing then).
    #[schema(nullable = false)]
    pub import_valid_rows: Option<bool>,
}

/// Imports catalogue rows from a CSV or XLSX file (multipart: `file`, `justification`,
/// `import_valid_rows=true` to import the valid rows of a file with errors). Returns the
/// row-by-row report; rows are proposed as one `import` proposal for the committee.
#[utoipa::path(post, path = "/api/catalogue/import", tag = "registry", operation_id = "import_catalogue",
    security(("bearer" = [])),
    request_body(content = CatalogueImportUpload, content_type = "multipart/form-data"),
    responses((status = 200, body = ImportReport), (status = 413, body = super::openapi::ErrorBody), (status = 422, body = super::openapi::ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiMultipart(multipart): ApiMultipart,
) -> AppResult<Json<ImportReport>> {
    let (_, _, bytes, fields) = super::tenders::first_file(multipart, MAX_IMPORT_BYTES).await?;
    let why = fields.get("justification").cloned().unwrap_or_default();
    let valid_rows = fields.get("import_valid_rows").map(String::as_str) == Some("true");
    match catalogue::import(&state.db, &ctx.actor()?, &bytes, &why, valid_rows).await? {
        Ok(report) => Ok(Json(report)),
        Err(problem) => Err(file_problem(problem)),
    }
}

/// Format of an export.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `csv` (default) or `xlsx`.
    #[param(schema_with = export_formats)]
    pub format: Option<String>,
}

fn export_formats() -> utoipa::openapi::Schema {
    super::openapi_schemas::one_of(&["csv", "xlsx"], "`csv` (default) or `xlsx`.")
}

async fn export_file(state: &AppState, format: &str) -> AppResult<Response> {
    let (bytes, content_type, ext) = match format {
        "csv" => (
            catalogue::export_csv(&state.db).await?,
            "text/csv; charset=utf-8",
            "csv",
        ),
        "xlsx" => (
            catalogue::export_xlsx(&state.db).await?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        _ => {
            return Err(AppError::new(ErrorCode::RequestInvalidQuery)
                .with_details(serde_json::json!({"parameter": "format"})));
        }
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"catalogo.{ext}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The active catalogue as a CSV or XLSX file (the import format).
#[utoipa::path(get, path = "/api/catalogue/export", tag = "registry", operation_id = "export_catalogue",
    params(ExportQuery),
    responses((status = 200, description = "The file",
        content((String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, body = super::openapi::ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> AppResult<Response> {
    export_file(&state, query.format.as_deref().unwrap_or("csv")).await
}

/// `GET /catalogue/export.csv`.
pub async fn export_csv_file(State(state): State<AppState>) -> AppResult<Response> {
    export_file(&state, "csv").await
}

/// `GET /catalogue/export.xlsx`.
pub async fn export_xlsx_file(State(state): State<AppState>) -> AppResult<Response> {
    export_file(&state, "xlsx").await
}

// ------------------------------------------------------------------ proposal pages

#[derive(Template)]
#[template(path = "catalogue_proposals.html")]
struct ProposalsPage {
    ctx: PageCtx,
    proposals: Vec<ProposalView>,
    status: String,
}

/// `GET /catalogue/proposals`.
pub async fn proposals_page(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiQuery(query): ApiQuery<ProposalQuery>,
) -> AppResult<Response> {
    let status = query.status()?;
    let rows = catalogue::proposals(&state.db, status).await?;
    Ok(render(&ProposalsPage {
        ctx: PageCtx::new(&state, &ctx),
        proposals: rows.iter().map(ProposalView::from).collect(),
        status: status.unwrap_or("").to_string(),
    }))
}

#[derive(Template)]
#[template(path = "catalogue_proposal.html")]
struct ProposalPage {
    ctx: PageCtx,
    proposal: ProposalView,
    proposer: String,
    reviewer: Option<String>,
    can_review: bool,
    errors: Vec<(String, String)>,
    /// For a modification, each proposed item's entry as the catalogue has it now (same order
    /// as `proposal.items`), so the reviewer sees what changes (issue 13).
    current: Vec<Option<ItemView>>,
}

impl ProposalPage {
    /// The current entry of the `i`-th proposed item, when the proposal changes one.
    fn before(&self, i: &usize) -> Option<&ItemView> {
        self.current.get(*i).and_then(Option::as_ref)
    }

    /// Whether the `i`-th proposed item changes `field` (a column key).
    fn is_changed(&self, i: &usize, field: &str) -> bool {
        self.changed(i).contains(&field)
    }

    /// The fields (as column keys) in which the `i`-th proposed item differs from the current.
    fn changed(&self, i: &usize) -> Vec<&'static str> {
        let (Some(before), Some(after)) = (self.before(i), self.proposal.items.get(*i)) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut diff = |key, a: String, b: String| {
            if a != b {
                out.push(key);
            }
        };
        diff("name", before.name.clone(), after.name.clone());
        diff(
            "strength",
            format!("{:?}", before.strength),
            format!("{:?}", after.strength),
        );
        diff(
            "form",
            format!("{:?}", before.form),
            format!("{:?}", after.form),
        );
        diff("unit", before.unit.clone(), after.unit.clone());
        diff(
            "classification",
            format!("{:?}{:?}", before.atc_code, before.unspsc_code),
            format!("{:?}{:?}", after.atc_code, after.unspsc_code),
        );
        diff(
            "level",
            format!("{:?}", before.level_of_care),
            format!("{:?}", after.level_of_care),
        );
        out
    }
}

async fn display_name(state: &AppState, id: i64) -> AppResult<String> {
    let mut conn = state.db.read().await?;
    Ok(crate::repository::users::find(&mut conn, id)
        .await?
        .map(|u| u.display_name)
        .unwrap_or_else(|| format!("#{id}")))
}

async fn proposal_page(
    state: &AppState,
    ctx: &RequestContext,
    id: i64,
    errors: Vec<(String, String)>,
) -> AppResult<Response> {
    let row = catalogue::proposal(&state.db, id).await?;
    let proposer = display_name(state, row.proposed_by).await?;
    let reviewer = match row.reviewed_by {
        Some(r) => Some(display_name(state, r).await?),
        None => None,
    };
    let can_review = row.status == "proposed"
        && ctx
            .user()
            .is_some_and(|u| u.has_role(Role::Administrator) && u.id != row.proposed_by);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let proposal = ProposalView::from(&row);
    let mut current = Vec::with_capacity(proposal.items.len());
    if proposal.kind == "modify" {
        let mut conn = state.db.read().await?;
        for item in &proposal.items {
            current.push(
                crate::repository::catalogue::find_by_code(&mut conn, &item.code)
                    .await?
                    .as_ref()
                    .map(ItemView::from),
            );
        }
    }
    let mut response = render(&ProposalPage {
        ctx: PageCtx::new(state, ctx),
        proposal,
        proposer,
        reviewer,
        can_review,
        errors,
        current,
    });
    *response.status_mut() = status;
    Ok(response)
}

/// `GET /catalogue/proposals/{id}`.
pub async fn proposal_page_get(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    proposal_page(&state, &ctx, id, Vec::new()).await
}

/// The review form.
#[derive(Debug, Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    outcome: String,
}

/// `POST /catalogue/proposals/{id}/review`.
pub async fn review_submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    WebForm(form): WebForm<ReviewForm>,
) -> AppResult<Response> {
    let approve = match form.outcome.as_str() {
        "approve" => true,
        "reject" => false,
        _ => {
            let err = ServiceError::field("outcome", FieldCode::UnknownOption);
            let errors = super::account::translated_fields(&state, &ctx, &err);
            return proposal_page(&state, &ctx, id, errors).await;
        }
    };
    match catalogue::review(&state.db, &ctx.actor()?, id, approve, &form.decision).await {
        Ok(row) => Ok(redirect_with_flash(
            &state,
            &format!("/catalogue/proposals/{id}"),
            &format!("flash-proposal-{}", row.status),
            None,
        )),
        Err(e @ ServiceError::Validation(_)) => {
            let errors = super::account::translated_fields(&state, &ctx, &e);
            proposal_page(&state, &ctx, id, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The proposal form (item fields, or the item to retire).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProposalForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    retire_item_id: Option<i64>,
    #[serde(default)]
    code: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    strength: String,
    #[serde(default)]
    form: String,
    #[serde(default)]
    presentation: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    atc_code: String,
    #[serde(default)]
    unspsc_code: String,
    #[serde(default)]
    level_of_care: String,
    #[serde(default)]
    justification: String,
}

impl ProposalForm {
    fn of_item(item: &CatalogueItem) -> ProposalForm {
        ProposalForm {
            action: "change".into(),
            retire_item_id: Some(item.id),
            code: item.code.clone(),
            kind: item.kind.code().into(),
            name: item.name.clone(),
            strength: item.strength.clone().unwrap_or_default(),
            form: item.form.clone().unwrap_or_default(),
            presentation: item.presentation.clone().unwrap_or_default(),
            unit: item.unit.clone(),
            atc_code: item.atc_code.clone().unwrap_or_default(),
            unspsc_code: item.unspsc_code.clone().unwrap_or_default(),
            level_of_care: item
                .level_of_care
                .map(|l| l.to_string())
                .unwrap_or_default(),
            justification: String::new(),
        }
    }

    fn to_request(&self) -> ProposalRequest {
        if self.action == "retire" {
            ProposalRequest {
                item: None,
                retire_item_id: self.retire_item_id,
                justification: self.justification.clone(),
            }
        } else {
            ProposalRequest {
                item: Some(ItemInput {
                    code: self.code.clone(),
                    kind: self.kind.clone(),
                    name: self.name.clone(),
                    strength: self.strength.clone(),
                    form: self.form.clone(),
                    presentation: self.presentation.clone(),
                    unit: self.unit.clone(),
                    atc_code: self.atc_code.clone(),
                    unspsc_code: self.unspsc_code.clone(),
                    level_of_care: self.level_of_care.clone(),
                }),
                retire_item_id: None,
                justification: self.justification.clone(),
            }
        }
    }
}

#[derive(Template)]
#[template(path = "catalogue_proposal_form.html")]
struct ProposalFormPage {
    ctx: PageCtx,
    form: ProposalForm,
    existing: Option<ItemView>,
    errors: Vec<(String, String)>,
}

async fn proposal_form_page(
    state: &AppState,
    ctx: &RequestContext,
    form: ProposalForm,
    errors: Vec<(String, String)>,
) -> AppResult<Response> {
    let existing = match form.retire_item_id {
        Some(id) => {
            let mut conn = state.db.read().await?;
            crate::repository::catalogue::find(&mut conn, id)
                .await?
                .map(|i| ItemView::from(&i))
        }
        None => None,
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut response = render(&ProposalFormPage {
        ctx: PageCtx::new(state, ctx),
        form,
        existing,
        errors,
    });
    *response.status_mut() = status;
    Ok(response)
}

/// Which item to start from.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewProposalQuery {
    item: Option<i64>,
}

/// `GET /catalogue/proposals/new[?item=ID]`: a blank form, or one prefilled from an item (to
/// change or retire it).
pub async fn new_proposal_page(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiQuery(query): ApiQuery<NewProposalQuery>,
) -> AppResult<Response> {
    let form = match query.item {
        Some(id) => {
            let mut conn = state.db.read().await?;
            let item = crate::repository::catalogue::find(&mut conn, id)
                .await?
                .ok_or(ServiceError::NotFound)?;
            ProposalForm::of_item(&item)
        }
        None => ProposalForm {
            action: "change".into(),
            kind: "medicine".into(),
            ..ProposalForm::default()
        },
    };
    proposal_form_page(&state, &ctx, form, Vec::new()).await
}

/// `POST /catalogue/proposals`.
pub async fn propose_submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    WebForm(form): WebForm<ProposalForm>,
) -> AppResult<Response> {
    match create_proposal(&state, &ctx, &form.to_request()).await {
        Ok(row) => Ok(redirect_with_flash(
            &state,
            &format!("/catalogue/proposals/{}", row.id),
            "flash-proposal-created",
            None,
        )),
        Err(e @ ServiceError::Validation(_)) => {
            let errors = super::account::translated_fields(&state, &ctx, &e);
            proposal_form_page(&state, &ctx, form, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "catalogue_import.html")]
struct ImportPage {
    ctx: PageCtx,
    report: Option<ImportReport>,
    problem: Option<String>,
    justification: String,
    errors: Vec<(String, String)>,
}

impl ImportPage {
    fn row_errors(&self, row: &catalogue::RowReport) -> String {
        row.errors
            .iter()
            .map(|e| {
                format!(
                    "{}: {}",
                    self.ctx.field_label(&e.field),
                    self.ctx.t(&e.code.message_key())
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

fn import_page(
    state: &AppState,
    ctx: &RequestContext,
    report: Option<ImportReport>,
    problem: Option<String>,
    justification: String,
    errors: Vec<(String, String)>,
) -> Response {
    let failed = problem.is_some() || !errors.is_empty();
    let mut response = render(&ImportPage {
        ctx: PageCtx::new(state, ctx),
        report,
        problem,
        justification,
        errors,
    });
    if failed {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

/// `GET /catalogue/import`.
pub async fn import_form(State(state): State<AppState>, ctx: RequestContext) -> Response {
    import_page(&state, &ctx, None, None, String::new(), Vec::new())
}

/// `POST /catalogue/import` (multipart): shows the row-by-row report.
pub async fn import_submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiMultipart(multipart): ApiMultipart,
) -> AppResult<Response> {
    let (file, fields) = super::tenders::read_upload(multipart, MAX_IMPORT_BYTES).await?;
    let why = fields.get("justification").cloned().unwrap_or_default();
    let Some((_, _, bytes)) = file else {
        let err = ServiceError::field("file", FieldCode::Required);
        let errors = super::account::translated_fields(&state, &ctx, &err);
        return Ok(import_page(&state, &ctx, None, None, why, errors));
    };
    let valid_rows = fields.get("import_valid_rows").map(String::as_str) == Some("true");
    match catalogue::import(&state.db, &ctx.actor()?, &bytes, &why, valid_rows).await {
        Ok(Ok(report)) => Ok(import_page(
            &state,
            &ctx,
            Some(report),
            None,
            why,
            Vec::new(),
        )),
        Ok(Err(problem)) => Ok(import_page(
            &state,
            &ctx,
            None,
            Some(problem.code().replace('_', "-")),
            why,
            Vec::new(),
        )),
        Err(e @ ServiceError::Validation(_)) => {
            let errors = super::account::translated_fields(&state, &ctx, &e);
            Ok(import_page(&state, &ctx, None, None, why, errors))
        }
        Err(e) => Err(e.into()),
    }
}
