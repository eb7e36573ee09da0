//! Each role's desk: the buyer workspace, the supplier portal, the committee workspace and
//! everyone's notifications (pages and JSON).

use super::AppState;
use super::context::RequestContext;
use super::error::{AppError, AppResult};
use super::extract::{ApiJson, ApiQuery, Paging, WebForm};
use super::page::{PageCtx, redirect_with_flash, render};
use crate::domain::error_code::ErrorCode;
use crate::domain::tender::Phase;
use crate::domain::user::User;
use crate::repository::notifications::NotificationRow;
use crate::service::rate_limit::firm_key;
use crate::service::workspace::{self, BuyerWorkspace, CommitteeWorkspace, SupplierPortal};
use crate::service::{ServiceError, bids, suppliers};
use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};

// ------------------------------------------------------------------ buyer workspace

/// Filters of the buyer workspace.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WorkspaceQuery {
    /// Phase to list (default `draft`).
    #[param(schema_with = phases)]
    pub phase: Option<String>,
    /// `true`: only tenders the user created.
    pub mine: Option<String>,
    /// Page number, from 1.
    pub page: Option<i64>,
    /// Rows per page (1–200).
    pub per_page: Option<i64>,
}

fn phases() -> utoipa::openapi::Schema {
    let mut codes = vec![""];
    codes.extend(Phase::ALL.iter().map(|p| p.code()));
    super::openapi_schemas::one_of(&codes, "Phase to list (default `draft`).")
}

impl WorkspaceQuery {
    fn phase(&self) -> AppResult<Phase> {
        match self.phase.as_deref().filter(|p| !p.is_empty()) {
            None => Ok(Phase::Draft),
            Some(code) => Phase::ALL
                .into_iter()
                .find(|p| p.code() == code)
                .ok_or_else(|| {
                    AppError::new(ErrorCode::RequestInvalidQuery)
                        .with_details(serde_json::json!({"parameter": "phase"}))
                }),
        }
    }

    fn mine(&self) -> bool {
        self.mine.as_deref() == Some("true")
    }

    fn paging(&self) -> Paging {
        Paging {
            page: self.page,
            per_page: self.per_page,
        }
    }
}

#[derive(Template)]
#[template(path = "workspace.html")]
struct WorkspacePage {
    ctx: PageCtx,
    ws: BuyerWorkspace,
    phase: Phase,
    mine: bool,
    page: i64,
    pages: i64,
}

impl WorkspacePage {
    fn tab_link(&self, phase: &Phase) -> String {
        let mut link = format!("/workspace?phase={}", phase.code());
        if self.mine {
            link.push_str("&mine=true");
        }
        link
    }
    fn page_link(&self, page: i64) -> String {
        super::page::page_link(
            "/workspace",
            page,
            &[
                ("phase", Some(self.phase.code())),
                ("mine", self.mine.then_some("true")),
            ],
        )
    }
    fn money(&self, value: &str, currency: &str) -> String {
        self.ctx.money(value, currency)
    }
}

/// `GET /workspace`: the buyer's desk.
pub async fn buyer_page(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiQuery(query): ApiQuery<WorkspaceQuery>,
) -> AppResult<Response> {
    let user = ctx.require_user()?;
    let phase = query.phase()?;
    let paging = query.paging();
    let ws = workspace::buyer(
        &state.db,
        user,
        phase,
        query.mine(),
        state.now(),
        paging.offset(),
        paging.limit(),
    )
    .await?;
    Ok(render(&WorkspacePage {
        ctx: PageCtx::new(&state, &ctx),
        page: paging.offset() / paging.limit() + 1,
        pages: ((ws.tenders.total + paging.limit() - 1) / paging.limit()).max(1),
        ws,
        phase,
        mine: query.mine(),
    }))
}

/// One phase's count in the buyer workspace.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PhaseCount {
    /// Phase code.
    pub phase: String,
    /// Tenders in it.
    pub count: i64,
}

/// The buyer workspace as JSON.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WorkspaceView {
    /// Tenders per phase.
    pub counts: Vec<PhaseCount>,
    /// The chosen phase's tenders (ids, titles, phases).
    pub tenders: Vec<workspace::TenderLine>,
    /// Tenders in the chosen phase.
    pub total: i64,
    /// Complaints awaiting a resolution.
    pub complaints: Vec<workspace::PendingComplaint>,
}

/// The buyer's workspace: tenders per phase, one phase's tenders and pending complaints.
#[utoipa::path(get, path = "/api/me/workspace", tag = "workspace", operation_id = "buyer_workspace",
    security(("bearer" = [])), params(WorkspaceQuery),
    responses((status = 200, body = WorkspaceView), (status = 400, body = super::openapi::ErrorBody), (status = 403, body = super::openapi::ErrorBody)))]
pub async fn buyer_json(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiQuery(query): ApiQuery<WorkspaceQuery>,
) -> AppResult<Json<WorkspaceView>> {
    let user = ctx.require_user()?;
    let paging = query.paging();
    let now = state.now();
    let ws = workspace::buyer(
        &state.db,
        user,
        query.phase()?,
        query.mine(),
        now,
        paging.offset(),
        paging.limit(),
    )
    .await?;
    Ok(Json(WorkspaceView {
        counts: ws
            .counts
            .iter()
            .map(|(p, n)| PhaseCount {
                phase: p.code().to_string(),
                count: *n,
            })
            .collect(),
        tenders: ws
            .tenders
            .items
            .iter()
            .map(|r| workspace::TenderLine {
                id: r.tender.id,
                ocid: r.tender.ocid.clone(),
                reference: r.tender.reference.clone(),
                title: r.tender.title.clone(),
                phase: r.tender.phase(now).code().to_string(),
                bid_deadline: r.tender.bid_deadline,
            })
            .collect(),
        total: ws.tenders.total,
        complaints: ws.complaints,
    }))
}

// ------------------------------------------------------------------ supplier portal

#[derive(Template)]
#[template(path = "portal.html")]
struct PortalPage {
    ctx: PageCtx,
    portal: SupplierPortal,
    errors: Vec<(String, String)>,
    colleague: ColleagueForm,
}

impl PortalPage {
    fn money(&self, value: &str, currency: &str) -> String {
        self.ctx.money(value, currency)
    }
}

async fn portal_page(
    state: &AppState,
    ctx: &RequestContext,
    errors: Vec<(String, String)>,
    colleague: ColleagueForm,
) -> AppResult<Response> {
    let user = ctx.require_user()?;
    let portal = workspace::supplier(&state.db, user, state.now()).await?;
    let status = if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut response = render(&PortalPage {
        ctx: PageCtx::new(state, ctx),
        portal,
        errors,
        colleague,
    });
    *response.status_mut() = status;
    Ok(response)
}

/// `GET /portal`: the supplier's desk.
pub async fn supplier_page(
    State(state): State<AppState>,
    ctx: RequestContext,
) -> AppResult<Response> {
    portal_page(&state, &ctx, Vec::new(), ColleagueForm::default()).await
}

/// The supplier portal: the firm's status, bids with receipts, followed tenders, contracts,
/// complaints and colleagues.
#[utoipa::path(get, path = "/api/me/portal", tag = "workspace", operation_id = "supplier_portal",
    security(("bearer" = [])),
    responses((status = 200, body = SupplierPortal), (status = 403, body = super::openapi::ErrorBody)))]
pub async fn supplier_json(
    State(state): State<AppState>,
    ctx: RequestContext,
) -> AppResult<Json<SupplierPortal>> {
    let user = ctx.require_user()?;
    Ok(Json(
        workspace::supplier(&state.db, user, state.now()).await?,
    ))
}

/// A colleague's new account.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ColleagueForm {
    /// Username.
    #[serde(default)]
    pub username: String,
    /// Display name.
    #[serde(default)]
    pub display_name: String,
    /// E-mail.
    #[serde(default)]
    pub email: String,
    /// Initial password (they change it at first sign-in).
    #[serde(default, skip_serializing)]
    pub password: String,
}

/// Adds the colleague of `form` to `user`'s firm within the abuse policy's limit: a firm's
/// accounts together add at most `AbusePolicy::colleagues_per_firm` colleagues per window
/// (issue 13: a pending firm added colleagues without end); a refused account does not count.
/// The portal's form and the JSON route both add through here.
async fn add_colleague_within_limit(
    state: &AppState,
    user: &User,
    form: &ColleagueForm,
) -> Result<User, ServiceError> {
    let adding = suppliers::add_colleague(
        &state.db,
        user,
        &form.username,
        &form.display_name,
        &form.email,
        &form.password,
    );
    state
        .limits
        .colleagues
        .limited(&firm_key(user), adding)
        .await
}

/// `POST /portal/colleagues`.
pub async fn add_colleague_submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    WebForm(form): WebForm<ColleagueForm>,
) -> AppResult<Response> {
    let user = ctx.require_user()?;
    let added = add_colleague_within_limit(&state, user, &form).await;
    match added {
        Ok(created) => Ok(redirect_with_flash(
            &state,
            "/portal#colleagues",
            "flash-colleague-added",
            Some(&created.username),
        )),
        Err(e @ ServiceError::Validation(_)) => {
            let errors = super::account::translated_fields(&state, &ctx, &e);
            let form = ColleagueForm {
                password: String::new(),
                ..form
            };
            portal_page(&state, &ctx, errors, form).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Adds an account for a colleague at the same supplier.
#[utoipa::path(post, path = "/api/me/colleagues", tag = "workspace", operation_id = "add_colleague",
    security(("bearer" = [])), request_body = ColleagueForm,
    responses((status = 201, body = super::users::UserView), (status = 403, body = super::openapi::ErrorBody), (status = 422, body = super::openapi::ErrorBody)))]
pub async fn add_colleague_json(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiJson(form): ApiJson<ColleagueForm>,
) -> AppResult<(axum::http::StatusCode, Json<super::users::UserView>)> {
    let user = ctx.require_user()?;
    let created = add_colleague_within_limit(&state, user, &form).await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(super::users::UserView::from(&created)),
    ))
}

// ------------------------------------------------------------------ committee workspace

#[derive(Template)]
#[template(path = "committee.html")]
struct CommitteePage {
    ctx: PageCtx,
    ws: CommitteeWorkspace,
    errors: Vec<(String, String)>,
}

async fn committee_page(
    state: &AppState,
    ctx: &RequestContext,
    errors: Vec<(String, String)>,
) -> AppResult<Response> {
    let user = ctx.require_user()?;
    let ws = workspace::committee(&state.db, user, state.now()).await?;
    let status = if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut response = render(&CommitteePage {
        ctx: PageCtx::new(state, ctx),
        ws,
        errors,
    });
    *response.status_mut() = status;
    Ok(response)
}

/// `GET /committee`: the committee member's desk.
pub async fn committee_page_get(
    State(state): State<AppState>,
    ctx: RequestContext,
) -> AppResult<Response> {
    committee_page(&state, &ctx, Vec::new()).await
}

/// The committee workspace: the opening-key fingerprint and the member's tenders with their
/// next step.
#[utoipa::path(get, path = "/api/me/committee", tag = "workspace", operation_id = "committee_workspace",
    security(("bearer" = [])),
    responses((status = 200, body = CommitteeWorkspace), (status = 403, body = super::openapi::ErrorBody)))]
pub async fn committee_json(
    State(state): State<AppState>,
    ctx: RequestContext,
) -> AppResult<Json<CommitteeWorkspace>> {
    let user = ctx.require_user()?;
    Ok(Json(
        workspace::committee(&state.db, user, state.now()).await?,
    ))
}

/// The opening-key form.
#[derive(Debug, Deserialize)]
pub struct OpeningKeyForm {
    #[serde(default)]
    passphrase: String,
    #[serde(default)]
    confirmation: String,
    #[serde(default)]
    old_passphrase: String,
}

/// `POST /committee/opening-key`: registers or changes the member's opening key.
pub async fn opening_key_submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    WebForm(form): WebForm<OpeningKeyForm>,
) -> AppResult<Response> {
    if form.passphrase != form.confirmation {
        let err = ServiceError::field(
            "confirmation",
            crate::domain::validation::FieldCode::PasswordMismatch,
        );
        let errors = super::account::translated_fields(&state, &ctx, &err);
        return committee_page(&state, &ctx, errors).await;
    }
    let old = Some(form.old_passphrase.as_str()).filter(|p| !p.is_empty());
    match bids::register_opening_key(&state.db, &ctx.actor()?, &form.passphrase, old).await {
        Ok(fingerprint) => Ok(redirect_with_flash(
            &state,
            "/committee",
            "flash-opening-key",
            Some(&fingerprint),
        )),
        Err(e @ ServiceError::Validation(_)) => {
            let errors = super::account::translated_fields(&state, &ctx, &e);
            committee_page(&state, &ctx, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------------ notifications

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    ctx: PageCtx,
    list: Vec<NotificationRow>,
    unread: i64,
    page: i64,
    pages: i64,
}

impl NotificationsPage {
    /// The message in the reader's language, with its arguments.
    fn message(&self, n: &NotificationRow) -> String {
        message(&self.ctx, n)
    }
    fn page_link(&self, page: i64) -> String {
        super::page::page_link("/notifications", page, &[])
    }
}

fn message(ctx: &PageCtx, n: &NotificationRow) -> String {
    let args: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&n.args).unwrap_or_default();
    let args: Vec<(String, String)> = args
        .into_iter()
        .map(|(k, v)| {
            let text = match v {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            (k, text)
        })
        .collect();
    ctx.t_with(&format!("notification-{}", n.kind), &args)
}

/// `GET /notifications`.
pub async fn notifications_page(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiQuery(paging): ApiQuery<Paging>,
) -> AppResult<Response> {
    let user = ctx.require_user()?;
    let (list, unread) =
        workspace::notifications_of(&state.db, user, paging.offset(), paging.limit()).await?;
    Ok(render(&NotificationsPage {
        ctx: PageCtx::new(&state, &ctx),
        page: paging.offset() / paging.limit() + 1,
        pages: ((list.total + paging.limit() - 1) / paging.limit()).max(1),
        list: list.items,
        unread,
    }))
}

/// `POST /notifications/read`.
pub async fn notifications_read_submit(
    State(state): State<AppState>,
    ctx: RequestContext,
) -> AppResult<Response> {
    let user = ctx.require_user()?;
    workspace::mark_notifications_read(&state.db, user, state.now()).await?;
    Ok(redirect_with_flash(
        &state,
        "/notifications",
        "flash-notifications-read",
        None,
    ))
}

/// A notification as JSON.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NotificationView {
    /// Id.
    pub id: i64,
    /// Kind (`tender-amended`, `award-decided`, …).
    pub kind: String,
    /// The message in the caller's language.
    pub message: String,
    /// Where it leads.
    pub link: String,
    /// When (RFC 3339, UTC).
    pub created_at: String,
    /// Whether read.
    pub read: bool,
}

/// The caller's notifications.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NotificationList {
    /// This page, newest first.
    pub items: Vec<NotificationView>,
    /// How many are unread.
    pub unread: i64,
    /// How many there are in all.
    pub total: i64,
    /// Page number.
    pub page: i64,
    /// Page size.
    pub per_page: i64,
}

/// The caller's latest notifications, translated.
#[utoipa::path(get, path = "/api/me/notifications", tag = "workspace", operation_id = "list_notifications",
    security(("bearer" = [])), params(Paging),
    responses((status = 200, body = NotificationList), (status = 400, body = super::openapi::ErrorBody)))]
pub async fn notifications_json(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiQuery(paging): ApiQuery<Paging>,
) -> AppResult<Json<NotificationList>> {
    let user = ctx.require_user()?;
    let (list, unread) =
        workspace::notifications_of(&state.db, user, paging.offset(), paging.limit()).await?;
    let page = PageCtx::new(&state, &ctx);
    Ok(Json(NotificationList {
        total: list.total,
        page: paging.offset() / paging.limit() + 1,
        per_page: paging.limit(),
        items: list
            .items
            .iter()
            .map(|n| NotificationView {
                id: n.id,
                kind: n.kind.clone(),
                message: message(&page, n),
                link: n.link.clone(),
                created_at: crate::domain::time::Timestamp::from_micros(n.created_at).to_rfc3339(),
                read: n.read_at.is_some(),
            })
            .collect(),
        unread,
    }))
}

/// How many notifications were marked read.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MarkedRead {
    /// Count.
    pub marked: u64,
}

/// Marks all the caller's notifications read.
#[utoipa::path(post, path = "/api/me/notifications/read", tag = "workspace", operation_id = "read_notifications",
    security(("bearer" = [])),
    responses((status = 200, body = MarkedRead)))]
pub async fn notifications_read_json(
    State(state): State<AppState>,
    ctx: RequestContext,
) -> AppResult<Json<MarkedRead>> {
    let user = ctx.require_user()?;
    Ok(Json(MarkedRead {
        marked: workspace::mark_notifications_read(&state.db, user, state.now()).await?,
    }))
}
