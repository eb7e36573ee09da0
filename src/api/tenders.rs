//! Tenders over the JSON API: search, the whole public record, and the buyer's workflow.

use super::AppState;
use super::context::RequestContext;
use super::error::{AppError, AppResult};
use super::extract::{ApiJson, ApiMultipart, ApiPath, ApiQuery};
use crate::domain::error_code::ErrorCode;
use crate::domain::tender::Phase;
use crate::domain::time::Timestamp;
use crate::repository::tenders::{TenderListRow, TenderOrder, TenderRow, TenderSearch};
use crate::service::tender_view::{self, TenderDetail};
use crate::service::tenders::{self, TenderForm};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

/// The phase filter that takes both phases in which bids are received.
pub const OPEN_FOR_BIDS: &str = "open";

/// Filters of the tender search.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TenderQuery {
    /// Words in the title, description, items, buyer, reference (prefix match, accents ignored).
    pub q: Option<String>,
    /// Phase: `open` (taking bids: `clarification` or `bid_submission`), `clarification`,
    /// `bid_submission`, `awaiting_opening`, `evaluation`, `auction`, `awarded`, `contracted`,
    /// `cancelled`, `unsuccessful` (`draft` for buyers). Empty: every phase.
    #[param(schema_with = public_phases)]
    pub phase: Option<String>,
    /// Method code of the rulebook.
    pub method: Option<String>,
    /// Buyer id.
    pub buyer: Option<i64>,
    /// Catalogue item id.
    pub item: Option<i64>,
    /// Published on or after (YYYY-MM-DD or an RFC 3339 instant).
    #[param(schema_with = published_from_schema)]
    pub from: Option<String>,
    /// Published before (YYYY-MM-DD or an RFC 3339 instant).
    #[param(schema_with = published_to_schema)]
    pub to: Option<String>,
    /// Estimated value at least.
    #[param(schema_with = min_value_schema)]
    pub min_value: Option<String>,
    /// Estimated value at most.
    #[param(schema_with = max_value_schema)]
    pub max_value: Option<String>,
    /// `true`: direct awards only.
    pub direct: Option<String>,
    /// Order: `published_desc`, `published_asc`, `deadline_asc`, `deadline_desc`, `value_desc` or `value_asc` (tenders without the date last, equal values by id); empty: exact matches of a typed code first, then the newest publication.
    #[param(schema_with = sort_schema)]
    pub sort: Option<String>,
    /// Page (from 1).
    pub page: Option<i64>,
    /// Rows per page (1–200, default 50).
    pub per_page: Option<i64>,
}

impl TenderQuery {
    /// The order asked for (`None`: the default), or the parameter's name when `sort` names
    /// no order.
    pub fn order(&self) -> Result<Option<TenderOrder>, &'static str> {
        match self
            .sort
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => Ok(None),
            Some(code) => TenderOrder::parse(code).map(Some).ok_or("sort"),
        }
    }

    /// The repository search, or the name of the parameter that is wrong.
    pub fn to_search(&self, include_drafts: bool) -> Result<TenderSearch, &'static str> {
        let date =
            |s: &Option<String>, name: &'static str| -> Result<Option<Timestamp>, &'static str> {
                match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                    None => Ok(None),
                    Some(t) => Timestamp::parse(t).map(Some).ok_or(name),
                }
            };
        let value = |s: &Option<String>, name: &'static str| -> Result<Option<i64>, &'static str> {
            match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => Ok(None),
                Some(t) => crate::domain::money::parse_positive(t, 2)
                    .map(|d| Some(crate::domain::money::to_minor(d)))
                    .map_err(|_| name),
            }
        };
        // `open` is what a supplier means by "open to bids": both phases that take bids.
        let open_for_bids = self.phase.as_deref() == Some(OPEN_FOR_BIDS);
        let phase = match self.phase.as_deref().filter(|p| !p.is_empty()) {
            None => None,
            Some(OPEN_FOR_BIDS) => None,
            Some(p) => match Phase::from_code(p) {
                Some(Phase::Draft) if !include_drafts => return Err("phase"),
                Some(phase) => Some(phase),
                None => return Err("phase"),
            },
        };
        Ok(TenderSearch {
            text: self.q.clone().filter(|q| !q.trim().is_empty()),
            phase,
            open_for_bids,
            method: self.method.clone().filter(|m| !m.is_empty()),
            buyer_id: self.buyer,
            catalogue_item_id: self.item,
            published_from: date(&self.from, "from")?,
            published_to: date(&self.to, "to")?,
            min_value_minor: value(&self.min_value, "min_value")?,
            max_value_minor: value(&self.max_value, "max_value")?,
            direct_only: self.direct.as_deref() == Some("true"),
            include_drafts: include_drafts && phase == Some(Phase::Draft),
            created_by: None,
            order: self.order()?,
        })
    }

    /// Rows per page.
    pub fn limit(&self) -> i64 {
        self.per_page.unwrap_or(50).clamp(1, 200)
    }

    /// Offset.
    pub fn offset(&self) -> i64 {
        (self.page.unwrap_or(1).clamp(1, 100_000) - 1) * self.limit()
    }
}

/// One search result.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TenderSummary {
    /// Id.
    pub id: i64,
    /// OCDS id.
    pub ocid: String,
    /// Reference.
    pub reference: String,
    /// Title.
    pub title: String,
    /// Buyer short name.
    pub buyer: String,
    /// Method code.
    pub method: String,
    /// Phase now.
    pub phase: String,
    /// Estimated value.
    pub estimated_value: String,
    /// Currency.
    pub currency: String,
    /// Publication (RFC 3339).
    pub published_at: Option<String>,
    /// Bid deadline (RFC 3339).
    pub bid_deadline: Option<String>,
    /// Direct award (publicly flagged).
    pub direct_award: bool,
}

impl TenderSummary {
    fn from_row(r: &TenderListRow, now: Timestamp) -> TenderSummary {
        let t = &r.tender;
        TenderSummary {
            id: t.id,
            ocid: t.ocid.clone(),
            reference: t.reference.clone(),
            title: t.title.clone(),
            buyer: r.buyer_short_name.clone(),
            method: t.method_code.clone(),
            phase: t.phase(now).code().to_string(),
            estimated_value: t.estimated_value.clone(),
            currency: t.currency.clone(),
            published_at: t
                .published_at
                .map(|p| Timestamp::from_micros(p).to_rfc3339()),
            bid_deadline: t
                .bid_deadline
                .map(|p| Timestamp::from_micros(p).to_rfc3339()),
            direct_award: t.is_direct,
        }
    }
}

/// A page of results.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TenderPage {
    /// Results.
    pub items: Vec<TenderSummary>,
    /// Matching tenders.
    pub total: i64,
    /// Page.
    pub page: i64,
    /// Page size.
    pub per_page: i64,
}

fn published_from_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    super::openapi_schemas::instant_or_day(
        "Published on or after (YYYY-MM-DD or an RFC 3339 instant).",
    )
}

fn published_to_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    super::openapi_schemas::instant_or_day("Published before (YYYY-MM-DD or an RFC 3339 instant).")
}

fn min_value_schema() -> utoipa::openapi::Schema {
    super::openapi_schemas::amount("Estimated value at least.")
}

fn max_value_schema() -> utoipa::openapi::Schema {
    super::openapi_schemas::amount("Estimated value at most.")
}

/// The phases the public search takes (drafts are not public).
fn public_phases() -> utoipa::openapi::Schema {
    let mut codes = vec!["", OPEN_FOR_BIDS];
    codes.extend(
        Phase::ALL
            .iter()
            .filter(|p| **p != Phase::Draft)
            .map(|p| p.code()),
    );
    super::openapi_schemas::one_of(
        &codes,
        "Phase: `open` (taking bids: `clarification` or `bid_submission`) or one phase; empty: every phase.",
    )
}

/// The orders the search takes.
fn sort_schema() -> utoipa::openapi::Schema {
    let mut codes = vec![""];
    codes.extend(TenderOrder::CODES);
    super::openapi_schemas::one_of(
        &codes,
        "Order: `published_desc`, `published_asc`, `deadline_asc`, `deadline_desc`, `value_desc` or `value_asc` (tenders without the date last, equal values by id); empty: exact matches of a typed code first, then the newest publication.",
    )
}

fn bad_parameter(name: &str) -> AppError {
    AppError::new(ErrorCode::RequestInvalidQuery)
        .with_details(serde_json::json!({"parameter": name}))
}

/// Searches public tenders (full text and filters), newest publication first or as sorted.
#[utoipa::path(get, path = "/api/tenders", tag = "tenders", operation_id = "search_tenders",
    params(TenderQuery), responses((status = 200, body = TenderPage), (status = 400, body = super::openapi::ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<TenderQuery>,
) -> AppResult<Json<TenderPage>> {
    let s = q.to_search(false).map_err(bad_parameter)?;
    let now = state.now();
    let page = tenders::search(&state.db, &s, now, q.offset(), q.limit()).await?;
    Ok(Json(TenderPage {
        items: page
            .items
            .iter()
            .map(|r| TenderSummary::from_row(r, now))
            .collect(),
        total: page.total,
        page: q.offset() / q.limit() + 1,
        per_page: q.limit(),
    }))
}

/// The whole public record of a tender.
#[utoipa::path(get, path = "/api/tenders/{id}", tag = "tenders", operation_id = "get_tender",
    params(("id" = i64, Path, description = "Tender id")),
    responses((status = 200, body = TenderDetail), (status = 404, body = super::openapi::ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<TenderDetail>> {
    Ok(Json(
        tender_view::detail(&state.db, &state.rulebook, id, ctx.user(), state.now()).await?,
    ))
}

/// Creates a draft tender (buyers). Rulebook violations come back with their citations.
#[utoipa::path(post, path = "/api/tenders", tag = "tenders", operation_id = "create_tender",
    security(("bearer" = [])), request_body = TenderForm,
    responses((status = 201, body = Object), (status = 422, body = super::openapi::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiJson(form): ApiJson<TenderForm>,
) -> AppResult<(StatusCode, Json<TenderRow>)> {
    let row = tenders::create(
        &state.db,
        &state.rulebook,
        state.config.timezone,
        &ctx.actor()?,
        &form,
        state.now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(row)))
}

/// Replaces a draft (buyers).
#[utoipa::path(put, path = "/api/tenders/{id}", tag = "tenders", operation_id = "update_tender",
    security(("bearer" = [])), request_body = TenderForm, params(("id" = i64, Path, description = "Tender id")),
    responses((status = 200, body = Object), (status = 409, body = super::openapi::ErrorBody), (status = 422, body = super::openapi::ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    ApiJson(form): ApiJson<TenderForm>,
) -> AppResult<Json<TenderRow>> {
    Ok(Json(
        tenders::update(
            &state.db,
            &state.rulebook,
            state.config.timezone,
            &ctx.actor()?,
            id,
            &form,
            state.now(),
        )
        .await?,
    ))
}

/// Publishes a draft (buyers): rulebook check, sealing-key ceremony, public notice.
#[utoipa::path(post, path = "/api/tenders/{id}/publish", tag = "tenders", operation_id = "publish_tender",
    security(("bearer" = [])), params(("id" = i64, Path, description = "Tender id")),
    responses((status = 200, body = Object), (status = 409, body = super::openapi::ErrorBody), (status = 422, body = super::openapi::ErrorBody)))]
pub async fn publish(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<TenderRow>> {
    Ok(Json(
        tenders::publish(&state.db, &state.rulebook, &ctx.actor()?, id, state.now()).await?,
    ))
}

/// An amendment.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AmendRequest {
    /// What changes and why.
    pub description: String,
    /// New questions deadline (optional, never earlier).
    #[serde(default)]
    pub clarification_deadline: String,
    /// New bids deadline (optional, never earlier).
    #[serde(default)]
    pub bid_deadline: String,
}

/// Amends a published tender before its bid deadline; interested suppliers are notified.
#[utoipa::path(post, path = "/api/tenders/{id}/amendments", tag = "tenders", operation_id = "amend_tender",
    security(("bearer" = [])), request_body = AmendRequest, params(("id" = i64, Path, description = "Tender id")),
    responses((status = 201, body = Object), (status = 409, body = super::openapi::ErrorBody)))]
pub async fn amend(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<AmendRequest>,
) -> AppResult<(StatusCode, Json<crate::repository::tenders::AmendmentRow>)> {
    let row = tenders::amend(
        &state.db,
        &state.rulebook,
        state.config.timezone,
        &ctx.actor()?,
        id,
        &r.description,
        &r.clarification_deadline,
        &r.bid_deadline,
        state.now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(row)))
}

/// A reason for cancelling or declaring unsuccessful.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Reason {
    /// The reason (published).
    pub reason: String,
}

/// Cancels a tender with a reason.
#[utoipa::path(post, path = "/api/tenders/{id}/cancel", tag = "tenders", operation_id = "cancel_tender",
    security(("bearer" = [])), request_body = Reason, params(("id" = i64, Path, description = "Tender id")),
    responses((status = 200, body = Object), (status = 409, body = super::openapi::ErrorBody)))]
pub async fn cancel(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<Reason>,
) -> AppResult<Json<TenderRow>> {
    Ok(Json(
        tenders::cancel(&state.db, &ctx.actor()?, id, &r.reason, state.now()).await?,
    ))
}

/// Declares a tender unsuccessful with a reason.
#[utoipa::path(post, path = "/api/tenders/{id}/unsuccessful", tag = "tenders", operation_id = "declare_unsuccessful",
    security(("bearer" = [])), request_body = Reason, params(("id" = i64, Path, description = "Tender id")),
    responses((status = 204, description = "Declared"), (status = 409, body = super::openapi::ErrorBody)))]
pub async fn unsuccessful(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<Reason>,
) -> AppResult<StatusCode> {
    crate::service::awards::declare_unsuccessful(
        &state.db,
        &ctx.actor()?,
        id,
        &r.reason,
        state.now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An uploaded file: (file name, content type, bytes).
pub type Upload = (String, String, Vec<u8>);

/// Reads the first file of a multipart body: (file name, content type, bytes), and the text
/// fields; a missing file is a `file: required` field error.
pub async fn first_file(
    multipart: axum::extract::Multipart,
    limit: usize,
) -> AppResult<(
    String,
    String,
    Vec<u8>,
    std::collections::BTreeMap<String, String>,
)> {
    let (file, fields) = read_upload(multipart, limit).await?;
    let (name, content_type, bytes) = file.ok_or_else(|| {
        AppError::from(crate::service::ServiceError::field(
            "file",
            crate::domain::validation::FieldCode::Required,
        ))
    })?;
    Ok((name, content_type, bytes, fields))
}

/// Reads a multipart body: the first non-empty file, if any, and the text fields.
pub async fn read_upload(
    mut multipart: axum::extract::Multipart,
    limit: usize,
) -> AppResult<(Option<Upload>, std::collections::BTreeMap<String, String>)> {
    let mut fields = std::collections::BTreeMap::new();
    let mut file = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::new(ErrorCode::RequestInvalidForm))?
    {
        let name = field.name().unwrap_or("").to_string();
        if let Some(filename) = field.file_name().map(str::to_string) {
            let content_type = field
                .content_type()
                .unwrap_or("application/octet-stream")
                .to_string();
            let bytes = field
                .bytes()
                .await
                .map_err(|_| AppError::new(ErrorCode::RequestTooLarge))?;
            if bytes.len() > limit {
                return Err(AppError::new(ErrorCode::RequestTooLarge));
            }
            if file.is_none() && !filename.is_empty() && !bytes.is_empty() {
                file = Some((filename, content_type, bytes.to_vec()));
            }
        } else {
            let text = field
                .text()
                .await
                .map_err(|_| AppError::new(ErrorCode::RequestInvalidForm))?;
            fields.insert(name, text);
        }
    }
    Ok((file, fields))
}

// Read part by part by `first_file`; the type only documents the body.
/// The `multipart/form-data` body of a document upload.
#[derive(Debug, utoipa::ToSchema)]
pub struct DocumentUpload {
    /// The document, sent as a file part with its file name (at most 20 MiB).
    #[schema(value_type = String, content_media_type = "application/octet-stream")]
    pub file: Vec<u8>,
}

/// Attaches a document to a tender (multipart field `file`); its SHA-256 is published.
#[utoipa::path(post, path = "/api/tenders/{id}/documents", tag = "tenders", operation_id = "add_tender_document",
    security(("bearer" = [])), params(("id" = i64, Path, description = "Tender id")),
    request_body(content = DocumentUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = crate::repository::documents::DocumentRow), (status = 413, body = super::openapi::ErrorBody)))]
pub async fn add_document(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    ApiMultipart(multipart): ApiMultipart,
) -> AppResult<(StatusCode, Json<crate::repository::documents::DocumentRow>)> {
    let (name, content_type, bytes, _) = first_file(multipart, tenders::MAX_DOCUMENT_BYTES).await?;
    let doc = tenders::attach_document(
        &state.db,
        &ctx.actor()?,
        id,
        &name,
        &content_type,
        &bytes,
        state.now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(doc)))
}

/// A question.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Question {
    /// The question (10–4000 characters).
    pub question: String,
}

/// A supplier asks a question before the clarification deadline (its identity is never shown).
#[utoipa::path(post, path = "/api/tenders/{id}/questions", tag = "tenders", operation_id = "ask_question",
    security(("bearer" = [])), request_body = Question, params(("id" = i64, Path, description = "Tender id")),
    responses((status = 201, body = Object), (status = 409, body = super::openapi::ErrorBody)))]
pub async fn ask(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    ApiJson(q): ApiJson<Question>,
) -> AppResult<(StatusCode, Json<serde_json::Value>)> {
    let qid = tenders::ask(&state.db, &ctx.actor()?, id, &q.question, state.now()).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({"id": qid}))))
}

/// An answer.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Answer {
    /// The answer, published to all.
    pub answer: String,
}

/// The buyer answers a question; it is published to all and suppliers are notified.
#[utoipa::path(post, path = "/api/clarifications/{id}/answer", tag = "tenders", operation_id = "answer_question",
    security(("bearer" = [])), request_body = Answer, params(("id" = i64, Path, description = "Question id")),
    responses((status = 204, description = "Published"), (status = 409, body = super::openapi::ErrorBody)))]
pub async fn answer(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    ApiJson(a): ApiJson<Answer>,
) -> AppResult<StatusCode> {
    tenders::answer(&state.db, &ctx.actor()?, id, &a.answer, state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A supplier follows a tender (notified of amendments and answers).
#[utoipa::path(post, path = "/api/tenders/{id}/follow", tag = "tenders", operation_id = "follow_tender",
    security(("bearer" = [])), params(("id" = i64, Path, description = "Tender id")),
    responses((status = 204, description = "Following")))]
pub async fn follow(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<StatusCode> {
    tenders::follow(&state.db, &ctx.actor()?, id, state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A supplier stops following a tender (no more notifications of it); idempotent.
#[utoipa::path(delete, path = "/api/tenders/{id}/follow", tag = "tenders", operation_id = "unfollow_tender",
    security(("bearer" = [])), params(("id" = i64, Path, description = "Tender id")),
    responses((status = 204, description = "Not following")))]
pub async fn unfollow(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<StatusCode> {
    tenders::unfollow(&state.db, &ctx.actor()?, id, state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The rulebook in force: methods, ranges, periods, exceptions (what the forms offer).
#[utoipa::path(get, path = "/api/rulebook", tag = "tenders", operation_id = "get_rulebook",
    responses((status = 200, body = Object)))]
pub async fn rulebook(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(serde_json::to_value(&*state.rulebook).unwrap_or_default())
}
