//! Tender pages: the public search and tender page (with each role's actions), the buyer's
//! draft form, the supplier's bid form and receipt, the committee's opening act and
//! evaluation workspace, the contract form, and the printable evaluation report.

use super::AppState;
use super::context::RequestContext;
use super::error::{AppError, AppResult};
use super::extract::{ApiPath, ApiQuery, WebForm};
use super::page::{PageCtx, redirect_with_flash, render};
use super::tenders::TenderQuery;
use crate::domain::bid::{BidInput, DECLARATIONS};
use crate::domain::error_code::ErrorCode;
use crate::domain::role::Role;
use crate::domain::tender::{Action, Phase, check};
use crate::domain::time::Timestamp;
use crate::domain::validation::FieldCode;
use crate::repository::bids::BidRow;
use crate::repository::tenders::{SortKey, TenderListRow, TenderOrder};
use crate::repository::{
    awards as award_repo, bids as bid_repo, committee, evaluation as eval_repo,
    tenders as tender_repo, users as user_repo,
};
use crate::service::tender_view::{self, TenderDetail};
use crate::service::tenders::{self, ItemForm, TenderForm};
use crate::service::{ServiceError, awards, bids, evaluation};
use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::collections::BTreeMap;

fn method_names(state: &AppState, es: bool) -> Vec<(String, String)> {
    state
        .rulebook
        .methods()
        .iter()
        .map(|m| {
            (
                m.code().to_string(),
                if es { m.name_es() } else { m.name_en() }.to_string(),
            )
        })
        .collect()
}

/// Translated field errors for inline display.
fn field_errors(
    state: &AppState,
    ctx: &RequestContext,
    err: &ServiceError,
) -> Vec<(String, String)> {
    let mut out = super::account::translated_fields(state, ctx, err);
    if let ServiceError::Rules(violations) = err {
        for v in violations {
            let value = serde_json::to_value(v).unwrap_or_default();
            out.push((
                super::context::rule_field(v.code()).to_string(),
                super::context::rule_message(&state.i18n, ctx.lang, &state.rulebook, &value),
            ));
        }
    }
    out
}

fn is_form_error(err: &ServiceError) -> bool {
    matches!(err, ServiceError::Validation(_) | ServiceError::Rules(_))
}

// ------------------------------------------------------------------ search

#[derive(Template)]
#[template(path = "tenders.html")]
struct SearchPage {
    ctx: PageCtx,
    query: TenderQuery,
    results: Vec<TenderListRow>,
    total: i64,
    page: i64,
    pages: i64,
    methods: Vec<(String, String)>,
    phases: Vec<String>,
    items: Vec<(i64, String)>,
    buyers: Vec<(i64, String)>,
    now: Timestamp,
}

impl SearchPage {
    /// "291 processes published (drafts excluded…)" without filters, the same count and words
    /// as the home page; "12 results" for a search (issue 13).
    fn result_count(&self) -> String {
        let q = &self.query;
        let filtered = [
            &q.q,
            &q.phase,
            &q.method,
            &q.from,
            &q.to,
            &q.min_value,
            &q.max_value,
            &q.direct,
        ]
        .iter()
        .any(|f| f.as_deref().is_some_and(|v| !v.trim().is_empty()))
            || q.buyer.is_some()
            || q.item.is_some();
        let key = if filtered {
            "results-count"
        } else {
            "tenders-counted"
        };
        self.ctx.t1(key, "count", self.ctx.count(self.total))
    }
    fn item_selected(&self, id: &i64) -> bool {
        self.query.item == Some(*id)
    }
    fn buyer_selected(&self, id: &i64) -> bool {
        self.query.buyer == Some(*id)
    }
    fn phase(&self, r: &TenderListRow) -> &'static str {
        r.tender.phase(self.now).code()
    }
    fn money(&self, value: &str, currency: &str) -> String {
        self.ctx.money(value, currency)
    }
    fn method_name(&self, code: &str) -> String {
        self.methods
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, n)| n.clone())
            .unwrap_or_else(|| code.to_string())
    }
    /// A page of the list with the same filters, page size and order.
    fn page_link(&self, page: i64) -> String {
        self.link(page, self.query.sort.as_deref())
    }
    fn link(&self, page: i64, sort: Option<&str>) -> String {
        let item = self.query.item.map(|i| i.to_string());
        let buyer = self.query.buyer.map(|i| i.to_string());
        let per_page = self.query.per_page.map(|_| self.query.limit().to_string());
        super::page::page_link(
            "/tenders",
            page,
            &[
                ("q", self.query.q.as_deref()),
                ("buyer", buyer.as_deref()),
                ("phase", self.query.phase.as_deref()),
                ("method", self.query.method.as_deref()),
                ("item", item.as_deref()),
                ("from", self.query.from.as_deref()),
                ("to", self.query.to.as_deref()),
                ("min_value", self.query.min_value.as_deref()),
                ("max_value", self.query.max_value.as_deref()),
                ("direct", self.query.direct.as_deref()),
                ("per_page", per_page.as_deref()),
                ("sort", sort),
            ],
        )
    }
    /// The order shown: the one asked for, else the default (newest publication first).
    fn order(&self) -> TenderOrder {
        self.query
            .order()
            .ok()
            .flatten()
            .unwrap_or(TenderOrder::DEFAULT)
    }
    /// `aria-sort` of a column header: "ascending", "descending" or "" (not sorted by it).
    fn sort_dir(&self, key: &str) -> &'static str {
        let order = self.order();
        match order.key.code() == key {
            false => "",
            true if order.descending => "descending",
            true => "ascending",
        }
    }
    /// A column header's link: the first page sorted by that column, the other way round if
    /// the list is sorted by it already; filters and page size kept.
    fn sort_link(&self, key: &str) -> String {
        let order = self.order();
        let Some(key) = SortKey::ALL.into_iter().find(|k| k.code() == key) else {
            return self.page_link(1);
        };
        let next = TenderOrder {
            key,
            descending: if order.key == key {
                !order.descending
            } else {
                key.first_descending()
            },
        };
        self.link(1, Some(&next.code()))
    }
}

/// `GET /tenders`: the public search.
pub async fn search_page(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiQuery(mut query): ApiQuery<TenderQuery>,
) -> AppResult<Response> {
    // A `sort` that names no order (an old bookmark, a hand-edited address) lists in the
    // default order rather than failing.
    query.sort = query.order().ok().flatten().map(TenderOrder::code);
    let staff = ctx
        .user()
        .is_some_and(|u| u.has_role(Role::Buyer) || u.has_role(Role::Administrator));
    let search = query.to_search(staff).map_err(|p| {
        AppError::new(ErrorCode::RequestInvalidQuery)
            .with_details(serde_json::json!({"parameter": p}))
    })?;
    let now = state.now();
    let results = tenders::search(&state.db, &search, now, query.offset(), query.limit()).await?;
    let page = PageCtx::new(&state, &ctx);
    let es = page.lang_code() == "es";
    let mut phases: Vec<String> = std::iter::once(super::tenders::OPEN_FOR_BIDS.to_string())
        .chain(
            Phase::ALL
                .iter()
                .filter(|p| **p != Phase::Draft || staff)
                .map(|p| p.code().to_string()),
        )
        .collect();
    phases.dedup();
    let items = crate::service::registry::catalogue(&state.db, None, None, 0, 200)
        .await?
        .items
        .into_iter()
        .map(|i| (i.id, format!("{} — {}", i.code, i.name)))
        .collect();
    let buyers = crate::service::registry::buyers(&state.db)
        .await?
        .into_iter()
        .map(|b| (b.id, b.short_name))
        .collect();
    Ok(render(&SearchPage {
        buyers,
        methods: method_names(&state, es),
        ctx: page,
        total: results.total,
        page: query.offset() / query.limit() + 1,
        pages: ((results.total + query.limit() - 1) / query.limit()).max(1),
        results: results.items,
        query,
        phases,
        items,
        now,
    }))
}

// ------------------------------------------------------------------ tender page

/// What the viewer may do on the tender page.
#[derive(Debug, Default)]
struct Actions {
    buyer: bool,
    edit: bool,
    publish: bool,
    documents: bool,
    amend: bool,
    cancel: bool,
    unsuccessful: bool,
    answer: bool,
    award_lots: Vec<(i64, i64)>,
    resolve: Vec<i64>,
    sign: Vec<(i64, i64)>,
    /// A framework tender: its terms (before publication) and its agreements (after the
    /// awards) are on `/tenders/{id}/framework` (issue 14).
    framework: bool,
    follow: bool,
    /// The supplier already follows the tender (issue 13: "Following" and "Unfollow").
    following: bool,
    ask: bool,
    bid: bool,
    my_bids: Vec<BidRow>,
    complain: Vec<(i64, i64)>,
    open: bool,
    evaluate: bool,
    complete: bool,
}

impl Actions {
    fn any(&self) -> bool {
        self.edit
            || self.publish
            || self.documents
            || self.amend
            || self.cancel
            || self.unsuccessful
            || !self.award_lots.is_empty()
            || !self.sign.is_empty()
            || self.framework
            || self.follow
            || self.following
            || self.ask
            || self.bid
            || !self.my_bids.is_empty()
            || !self.complain.is_empty()
            || self.open
            || self.evaluate
    }
}

/// One row of a lot's evaluation result, ready to show.
struct ResultRow {
    rank: Option<i64>,
    supplier_id: Option<i64>,
    supplier: String,
    total: String,
    score: Option<String>,
    compliant: bool,
    reasons: String,
}

/// A lot's evaluation result, ready to show.
struct LotResultView {
    lot_number: i64,
    below_minimum: bool,
    rows: Vec<ResultRow>,
}

#[derive(Template)]
#[template(path = "tender.html")]
struct TenderPage {
    ctx: PageCtx,
    d: TenderDetail,
    a: Actions,
    item_names: BTreeMap<i64, String>,
    member_names: BTreeMap<i64, String>,
    /// Red flags of this process (issue 6): (code, name, explanation).
    red_flags: Vec<(String, String, String)>,
}

impl TenderPage {
    /// Whether the tender takes bids now (its clarification or bid-submission phase): the
    /// page counts down to the deadline (issue 13).
    fn taking_bids(&self) -> bool {
        self.d.phase == Phase::Clarification.code() || self.d.phase == Phase::BidSubmission.code()
    }
    fn money(&self, value: &str) -> String {
        self.ctx.money(value, &self.d.tender.currency)
    }
    fn method_name(&self) -> &str {
        if self.ctx.lang_code() == "es" {
            &self.d.method.name_es
        } else {
            &self.d.method.name_en
        }
    }
    /// "Feature: option" in the page's language (codes when the rulebook no longer has them).
    fn feature_name(&self, feature: &str, option: &str) -> String {
        let es = self.ctx.lang_code() == "es";
        let Some(f) = self
            .d
            .method
            .auction_features
            .iter()
            .find(|f| f.code == feature)
        else {
            return format!("{feature}: {option}");
        };
        let option = f
            .option(option)
            .map_or(option, |o| if es { &o.name_es } else { &o.name_en });
        format!("{}: {option}", if es { &f.name_es } else { &f.name_en })
    }
    fn exception_name(&self) -> Option<&str> {
        if self.ctx.lang_code() == "es" {
            self.d.method.exception_name_es.as_deref()
        } else {
            self.d.method.exception_name_en.as_deref()
        }
    }
    fn lot_number(&self, lot_id: &i64) -> i64 {
        self.d
            .lots
            .iter()
            .find(|l| l.lot.id == *lot_id)
            .map(|l| l.lot.number)
            .unwrap_or(0)
    }
    fn item_name(&self, item_id: &i64) -> String {
        self.item_names.get(item_id).cloned().unwrap_or_default()
    }
    fn member_name(&self, user_id: &i64) -> String {
        self.member_names.get(user_id).cloned().unwrap_or_default()
    }
    fn event_key(&self, action: &str) -> String {
        action.replace(['.', '_'], "-")
    }
    fn results(&self) -> Vec<LotResultView> {
        self.d
            .evaluation
            .iter()
            .map(|lr| LotResultView {
                lot_number: self.lot_number(&lr.lot_id),
                below_minimum: lr.bid_count["outcome"] != "sufficient",
                rows: lr
                    .bids
                    .iter()
                    .map(|b| {
                        let bid_id = b["bid_id"].as_i64().unwrap_or(0);
                        let opened = self.d.opened_bids.iter().find(|o| o.bid_id == bid_id);
                        let supplier = opened.map(|o| o.supplier.clone()).unwrap_or_default();
                        ResultRow {
                            supplier_id: opened.map(|o| o.supplier_id),
                            rank: b["rank"].as_i64(),
                            supplier,
                            total: b["total"].as_str().unwrap_or("0").to_string(),
                            score: b["total_score"].as_str().map(str::to_string),
                            compliant: b["compliant"].as_bool().unwrap_or(false),
                            reasons: b["failed_requirements"]
                                .as_array()
                                .map(|reqs| {
                                    reqs.iter()
                                        .flat_map(|r| r[1].as_array().cloned().unwrap_or_default())
                                        .filter_map(|x| x.as_str().map(str::to_string))
                                        .collect::<Vec<_>>()
                                        .join("; ")
                                })
                                .unwrap_or_default(),
                        }
                    })
                    .collect(),
            })
            .collect()
    }
}

async fn actions(
    state: &AppState,
    ctx: &RequestContext,
    d: &TenderDetail,
    now: Timestamp,
) -> AppResult<Actions> {
    let mut a = Actions::default();
    let Some(user) = ctx.user() else { return Ok(a) };
    let phase = d.tender.phase(now);
    let allowed = |action| check(phase, action).is_ok();
    if user.has_role(Role::Buyer) || user.has_role(Role::Administrator) {
        a.buyer = true;
        a.edit = allowed(Action::EditDraft);
        a.publish = allowed(Action::Publish);
        a.documents = allowed(Action::EditDraft) || allowed(Action::Amend);
        a.framework =
            crate::service::agreements::is_framework(&state.rulebook, &d.tender.method_code);
        a.amend = allowed(Action::Amend);
        a.cancel = allowed(Action::Cancel);
        a.unsuccessful = allowed(Action::DeclareUnsuccessful);
        a.answer = allowed(Action::AnswerQuestion);
        if allowed(Action::Award) && (!d.evaluation.is_empty() || d.opened_bids.is_empty()) {
            for l in &d.lots {
                let live = d.awards.iter().any(|aw| {
                    aw.award.lot_id == l.lot.id && aw.award.status != award_repo::status::ANNULLED
                });
                if !live && l.lot.status != "unsuccessful" {
                    a.award_lots.push((l.lot.id, l.lot.number));
                }
            }
        }
        a.resolve = d
            .complaints
            .iter()
            .filter(|c| c.complaint.status == award_repo::complaint_status::FILED)
            .map(|c| c.complaint.id)
            .collect();
        if allowed(Action::SignContract) && !a.framework {
            a.sign = d
                .awards
                .iter()
                .filter(|aw| {
                    aw.award.status == award_repo::status::FINAL
                        && !d
                            .contracts
                            .iter()
                            .any(|c| c.contract.award_id == aw.award.id)
                })
                .map(|aw| (aw.award.id, aw.lot_number))
                .collect();
        }
    }
    if let Some(supplier_id) = user.supplier_id.filter(|_| user.has_role(Role::Supplier)) {
        a.follow = d.tender.status().is_public()
            && !matches!(
                phase,
                Phase::Cancelled | Phase::Contracted | Phase::Unsuccessful
            );
        a.following = tenders::is_following(&state.db, &ctx.actor()?, d.tender.id).await?;
        a.ask = allowed(Action::AskQuestion);
        a.bid = allowed(Action::SubmitBid);
        if allowed(Action::WithdrawBid) {
            let mut conn = state.db.read().await?;
            a.my_bids = bid_repo::of_supplier(&mut conn, supplier_id)
                .await?
                .into_iter()
                .filter(|b| b.tender_id == d.tender.id && b.status == bid_repo::status::SUBMITTED)
                .collect();
        }
        if allowed(Action::FileComplaint) {
            a.complain = d
                .awards
                .iter()
                .filter(|aw| {
                    aw.award.status == award_repo::status::STANDSTILL
                        && now.as_micros() < aw.award.standstill_ends_at
                        && aw.award.supplier_id != supplier_id
                        && d.opened_bids
                            .iter()
                            .any(|o| o.lot_id == aw.award.lot_id && o.supplier_id == supplier_id)
                })
                .map(|aw| (aw.award.id, aw.lot_number))
                .collect();
        }
    }
    if user.has_role(Role::Evaluator) && d.committee.iter().any(|m| m.user_id == user.id) {
        a.open = allowed(Action::OpenBids);
        a.evaluate =
            allowed(Action::Evaluate) && d.evaluation.is_empty() && !d.opened_bids.is_empty();
        let chair = d.committee.iter().any(|m| m.user_id == user.id && m.chair);
        a.complete = chair
            && d.evaluation.is_empty()
            && d.evaluation_progress.as_ref().is_some_and(|p| p.complete);
    }
    if a.buyer
        && d.evaluation.is_empty()
        && d.evaluation_progress.as_ref().is_some_and(|p| p.complete)
    {
        a.complete = true;
    }
    Ok(a)
}

/// `GET /tenders/{id}`: the whole public record with the viewer's actions.
pub async fn tender_page(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    let now = state.now();
    awards::finalize_due(&state.db, now).await?;
    let d = tender_view::detail(&state.db, &state.rulebook, id, ctx.user(), now).await?;
    let a = actions(&state, &ctx, &d, now).await?;
    let item_names = d
        .lots
        .iter()
        .flat_map(|l| {
            l.items
                .iter()
                .map(|i| (i.item.id, i.item.description.clone()))
        })
        .collect();
    let member_names = d
        .committee
        .iter()
        .map(|m| (m.user_id, m.name.clone()))
        .collect();
    let page_ctx = PageCtx::new(&state, &ctx);
    let red_flags = match state
        .analytics
        .latest(
            &state.db,
            Default::default(),
            &crate::service::dashboards::RuleInputs::from_rulebook(&state.rulebook),
        )
        .await
    {
        Some(dashboard) => dashboard
            .report(page_ctx.lang)
            .processes
            .iter()
            .find(|p| p.ocid == d.tender.ocid)
            .map(|p| {
                p.flags
                    .iter()
                    .map(|f| (f.code.to_string(), f.name.clone(), f.explanation.clone()))
                    .collect()
            })
            .unwrap_or_default(),
        None => Vec::new(),
    };
    Ok(render(&TenderPage {
        ctx: page_ctx,
        d,
        a,
        item_names,
        member_names,
        red_flags,
    }))
}

fn back_to(state: &AppState, id: i64, key: &str) -> Response {
    redirect_with_flash(state, &format!("/tenders/{id}"), key, None)
}

/// Renders the standard error page for a failed secondary action (with field messages).
fn failure(err: ServiceError) -> AppError {
    AppError::from(err)
}

/// `POST /tenders/{id}/publish`.
pub async fn publish(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    tenders::publish(&state.db, &state.rulebook, &ctx.actor()?, id, state.now())
        .await
        .map_err(failure)?;
    Ok(back_to(&state, id, "flash-tender-published"))
}

/// The amendment form.
#[derive(Debug, Deserialize)]
pub struct AmendForm {
    #[serde(default)]
    description: String,
    #[serde(default)]
    clarification_deadline: String,
    #[serde(default)]
    bid_deadline: String,
}

/// `POST /tenders/{id}/amend`.
pub async fn amend(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    WebForm(f): WebForm<AmendForm>,
) -> AppResult<Response> {
    tenders::amend(
        &state.db,
        &state.rulebook,
        state.config.timezone,
        &ctx.actor()?,
        id,
        &f.description,
        &f.clarification_deadline,
        &f.bid_deadline,
        state.now(),
    )
    .await?;
    Ok(back_to(&state, id, "flash-tender-amended"))
}

/// A reason form.
#[derive(Debug, Deserialize)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
}

/// `POST /tenders/{id}/cancel`.
pub async fn cancel(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    WebForm(f): WebForm<ReasonForm>,
) -> AppResult<Response> {
    tenders::cancel(&state.db, &ctx.actor()?, id, &f.reason, state.now()).await?;
    Ok(back_to(&state, id, "flash-tender-cancelled"))
}

/// `POST /tenders/{id}/unsuccessful`.
pub async fn unsuccessful(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    WebForm(f): WebForm<ReasonForm>,
) -> AppResult<Response> {
    awards::declare_unsuccessful(&state.db, &ctx.actor()?, id, &f.reason, state.now()).await?;
    Ok(back_to(&state, id, "flash-tender-unsuccessful"))
}

/// `POST /tenders/{id}/documents` (multipart; the anti-forgery token is in the query).
pub async fn add_document(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    multipart: Multipart,
) -> AppResult<Response> {
    let (name, content_type, bytes, _) =
        super::tenders::first_file(multipart, tenders::MAX_DOCUMENT_BYTES).await?;
    tenders::attach_document(
        &state.db,
        &ctx.actor()?,
        id,
        &name,
        &content_type,
        &bytes,
        state.now(),
    )
    .await?;
    Ok(back_to(&state, id, "flash-document-added"))
}

/// A question form.
#[derive(Debug, Deserialize)]
pub struct QuestionForm {
    #[serde(default)]
    question: String,
}

/// `POST /tenders/{id}/questions`.
pub async fn ask(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    WebForm(f): WebForm<QuestionForm>,
) -> AppResult<Response> {
    tenders::ask(&state.db, &ctx.actor()?, id, &f.question, state.now()).await?;
    Ok(back_to(&state, id, "flash-question-sent"))
}

/// An answer form.
#[derive(Debug, Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    answer: String,
}

/// `POST /clarifications/{id}/answer`.
pub async fn answer(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(qid): ApiPath<i64>,
    WebForm(f): WebForm<AnswerForm>,
) -> AppResult<Response> {
    tenders::answer(&state.db, &ctx.actor()?, qid, &f.answer, state.now()).await?;
    let tender_id = {
        let mut conn = state.db.read().await?;
        crate::repository::clarifications::find(&mut conn, qid)
            .await?
            .map(|c| c.tender_id)
            .unwrap_or(0)
    };
    Ok(back_to(&state, tender_id, "flash-answer-published"))
}

/// `POST /tenders/{id}/follow`.
pub async fn follow(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    tenders::follow(&state.db, &ctx.actor()?, id, state.now()).await?;
    Ok(back_to(&state, id, "flash-following"))
}

/// `POST /tenders/{id}/unfollow`.
pub async fn unfollow(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    tenders::unfollow(&state.db, &ctx.actor()?, id, state.now()).await?;
    Ok(back_to(&state, id, "flash-unfollowed"))
}

/// `POST /bids/{id}/withdraw`.
pub async fn withdraw(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(bid_id): ApiPath<i64>,
) -> AppResult<Response> {
    let bid = bids::withdraw(&state.db, &ctx.actor()?, bid_id, state.now()).await?;
    Ok(back_to(&state, bid.tender_id, "flash-bid-withdrawn"))
}

/// An award form (direct awards name the supplier and amount).
#[derive(Debug, Deserialize, Default)]
pub struct AwardForm {
    #[serde(default)]
    supplier_id: String,
    #[serde(default)]
    amount: String,
}

/// `POST /tenders/{id}/lots/{lot_id}/award`.
pub async fn award(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath((id, lot_id)): ApiPath<(i64, i64)>,
    WebForm(f): WebForm<AwardForm>,
) -> AppResult<Response> {
    let direct = match f.supplier_id.trim().parse::<i64>() {
        Ok(s) => Some((s, f.amount.as_str())),
        Err(_) => None,
    };
    awards::award(
        &state.db,
        &state.rulebook,
        &ctx.actor()?,
        id,
        lot_id,
        direct,
        state.now(),
    )
    .await?;
    Ok(back_to(&state, id, "flash-award-decided"))
}

/// A complaint form.
#[derive(Debug, Deserialize)]
pub struct ComplaintForm {
    #[serde(default)]
    text: String,
}

/// `POST /awards/{id}/complaints`.
pub async fn complain(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(award_id): ApiPath<i64>,
    WebForm(f): WebForm<ComplaintForm>,
) -> AppResult<Response> {
    let c =
        awards::file_complaint(&state.db, &ctx.actor()?, award_id, &f.text, state.now()).await?;
    Ok(back_to(&state, c.tender_id, "flash-complaint-filed"))
}

/// A resolution form.
#[derive(Debug, Deserialize)]
pub struct ResolutionForm {
    #[serde(default)]
    resolution: String,
    #[serde(default)]
    upheld: String,
}

/// `POST /complaints/{id}/resolve`.
pub async fn resolve(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(cid): ApiPath<i64>,
    WebForm(f): WebForm<ResolutionForm>,
) -> AppResult<Response> {
    let c = awards::resolve_complaint(
        &state.db,
        &ctx.actor()?,
        cid,
        f.upheld == "true",
        &f.resolution,
        state.now(),
    )
    .await?;
    Ok(back_to(&state, c.tender_id, "flash-complaint-resolved"))
}

/// A contract-amendment form.
#[derive(Debug, Deserialize)]
pub struct ContractAmendForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    value_change: String,
    #[serde(default)]
    new_end: String,
}

/// `POST /contracts/{id}/amend`.
pub async fn amend_contract(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(cid): ApiPath<i64>,
    WebForm(f): WebForm<ContractAmendForm>,
) -> AppResult<Response> {
    awards::amend_contract(
        &state.db,
        state.config.timezone,
        &ctx.actor()?,
        cid,
        &f.reason,
        &f.value_change,
        &f.new_end,
        state.now(),
    )
    .await?;
    let tender_id = {
        let mut conn = state.db.read().await?;
        crate::repository::contracts::find(&mut conn, cid)
            .await?
            .map(|c| c.tender_id)
            .unwrap_or(0)
    };
    Ok(back_to(&state, tender_id, "flash-contract-amended"))
}

// ------------------------------------------------------------------ the draft form

/// The draft form as posted (item rows are parallel lists).
#[derive(Debug, Default, Deserialize)]
pub struct TenderWebForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    clarification_deadline: String,
    #[serde(default)]
    bid_deadline: String,
    #[serde(default)]
    justification: String,
    #[serde(default)]
    exception_category: String,
    #[serde(default)]
    item_lot: Vec<String>,
    #[serde(default)]
    item_catalogue: Vec<String>,
    #[serde(default)]
    item_quantity: Vec<String>,
    #[serde(default)]
    item_price: Vec<String>,
    #[serde(default)]
    item_plan: Vec<String>,
    #[serde(default)]
    lot_titles: String,
    #[serde(default)]
    requirements: String,
    #[serde(default)]
    committee: Vec<String>,
    #[serde(default)]
    threshold: String,
}

impl TenderWebForm {
    fn to_form(&self) -> TenderForm {
        let n = self.item_catalogue.len().max(self.item_quantity.len());
        let get = |v: &Vec<String>, i: usize| v.get(i).cloned().unwrap_or_default();
        // Every row, empty ones too: the service skips those and names a refused row by its
        // place, which is then the row's place on the page (`items[2]` is row 3, `qty-3`).
        let items = (0..n)
            .map(|i| ItemForm {
                lot: get(&self.item_lot, i).trim().parse().unwrap_or(1),
                catalogue_item_id: get(&self.item_catalogue, i).trim().parse().ok(),
                plan_line_id: get(&self.item_plan, i).trim().parse().ok(),
                description: String::new(),
                quantity: get(&self.item_quantity, i),
                unit: String::new(),
                unit_price: get(&self.item_price, i),
            })
            .collect();
        let lot_titles = self
            .lot_titles
            .lines()
            .enumerate()
            .filter(|(_, t)| !t.trim().is_empty())
            .map(|(i, t)| (i as i64 + 1, t.trim().to_string()))
            .collect();
        TenderForm {
            title: self.title.clone(),
            description: self.description.clone(),
            reference: self.reference.clone(),
            method: self.method.clone(),
            clarification_deadline: self.clarification_deadline.clone(),
            bid_deadline: self.bid_deadline.clone(),
            justification: self.justification.clone(),
            exception_category: self.exception_category.clone(),
            items,
            lot_titles,
            requirements: vec![self.requirements.clone()],
            committee: self
                .committee
                .iter()
                .filter_map(|c| c.parse().ok())
                .collect(),
            threshold: self.threshold.trim().parse().ok(),
        }
    }
}

/// One editable item row of the form.
struct ItemRowView {
    lot: String,
    catalogue: String,
    quantity: String,
    price: String,
    plan: String,
}

#[derive(Template)]
#[template(path = "tender_form.html")]
struct FormPage {
    ctx: PageCtx,
    tender_id: Option<i64>,
    f: TenderWebForm,
    rows: Vec<ItemRowView>,
    methods: Vec<(String, String, String)>,
    exceptions: Vec<(String, String)>,
    catalogue: Vec<(i64, String)>,
    evaluators: Vec<(i64, String, bool)>,
    errors: Vec<(String, String)>,
}

impl FormPage {
    fn method_selected(&self, code: &str) -> bool {
        self.f.method == code
    }
    fn exception_selected(&self, code: &str) -> bool {
        self.f.exception_category == code
    }
    fn member_checked(&self, id: &i64) -> bool {
        self.f.committee.iter().any(|c| c == &id.to_string())
    }
}

async fn form_page(
    state: &AppState,
    ctx: &RequestContext,
    tender_id: Option<i64>,
    f: TenderWebForm,
    errors: Vec<(String, String)>,
) -> AppResult<Response> {
    let page = PageCtx::new(state, ctx);
    let es = page.lang_code() == "es";
    let methods = state
        .rulebook
        .methods()
        .iter()
        .map(|m| {
            let r = m.value_range().value;
            let range = format!(
                "{} – {}",
                page.money_d(&r.min, state.rulebook.currency()),
                r.max
                    .map(|x| page.money_d(&x, state.rulebook.currency()))
                    .unwrap_or_else(|| "∞".into())
            );
            (
                m.code().to_string(),
                if es { m.name_es() } else { m.name_en() }.to_string(),
                range,
            )
        })
        .collect();
    let exceptions = state
        .rulebook
        .exception_categories()
        .iter()
        .map(|e| {
            (
                e.code.clone(),
                format!(
                    "{} — {}",
                    e.article,
                    if es { &e.name_es } else { &e.name_en }
                ),
            )
        })
        .collect();
    let catalogue = {
        let mut conn = state.db.read().await?;
        crate::repository::catalogue::all_active(&mut conn)
            .await?
            .into_iter()
            .map(|i| {
                (
                    i.id,
                    format!("{} — {} {}", i.code, i.name, i.strength.unwrap_or_default()),
                )
            })
            .collect()
    };
    let evaluators = {
        let mut conn = state.db.read().await?;
        let page = user_repo::list(
            &mut conn,
            &user_repo::UserFilter {
                role: Some(Role::Evaluator),
                active: Some(true),
                ..Default::default()
            },
            0,
            200,
        )
        .await?;
        let keys = committee::opening_keys(
            &mut conn,
            &page.items.iter().map(|u| u.id).collect::<Vec<_>>(),
        )
        .await?;
        page.items
            .into_iter()
            .map(|u| (u.id, u.display_name, keys.iter().any(|k| k.user_id == u.id)))
            .collect()
    };
    let n = f.item_catalogue.len().max(8);
    let get = |v: &Vec<String>, i: usize| v.get(i).cloned().unwrap_or_default();
    let rows = (0..n)
        .map(|i| ItemRowView {
            lot: {
                let l = get(&f.item_lot, i);
                if l.is_empty() { "1".into() } else { l }
            },
            catalogue: get(&f.item_catalogue, i),
            quantity: get(&f.item_quantity, i),
            price: get(&f.item_price, i),
            plan: get(&f.item_plan, i),
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut response = render(&FormPage {
        // The rulebook's lot rules concern the item rows.
        ctx: page.with_anchor("lots", "items"),
        tender_id,
        f,
        rows,
        methods,
        exceptions,
        catalogue,
        evaluators,
        errors,
    });
    *response.status_mut() = status;
    Ok(response)
}

/// `GET /tenders/new`.
pub async fn new_page(State(state): State<AppState>, ctx: RequestContext) -> AppResult<Response> {
    form_page(
        &state,
        &ctx,
        None,
        TenderWebForm {
            threshold: "2".into(),
            ..Default::default()
        },
        Vec::new(),
    )
    .await
}

/// `POST /tenders`.
pub async fn create(
    State(state): State<AppState>,
    ctx: RequestContext,
    WebForm(f): WebForm<TenderWebForm>,
) -> AppResult<Response> {
    match tenders::create(
        &state.db,
        &state.rulebook,
        state.config.timezone,
        &ctx.actor()?,
        &f.to_form(),
        state.now(),
    )
    .await
    {
        Ok(t) => Ok(redirect_with_flash(
            &state,
            &format!("/tenders/{}", t.id),
            "flash-draft-saved",
            None,
        )),
        Err(e) if is_form_error(&e) => {
            let errors = field_errors(&state, &ctx, &e);
            form_page(&state, &ctx, None, f, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /tenders/{id}/edit`.
pub async fn edit_page(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    let tz = state.config.timezone;
    let mut conn = state.db.read().await?;
    let t = tender_repo::find(&mut conn, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let lots = tender_repo::lots(&mut conn, id).await?;
    let items = tender_repo::items(&mut conn, id).await?;
    let requirements = tender_repo::requirements(&mut conn, id).await?;
    let members = committee::members(&mut conn, id).await?;
    drop(conn);
    let lot_number = |lot_id: i64| {
        lots.iter()
            .find(|l| l.id == lot_id)
            .map(|l| l.number)
            .unwrap_or(1)
    };
    // Each item keeps its estimated unit price (issue 13: plan → tender kept none); items
    // stored before migration 8 have none, and a single-item lot's estimate gives it back.
    let f = TenderWebForm {
        title: t.title.clone(),
        description: t.description.clone(),
        reference: t.reference.clone(),
        method: t.method_code.clone(),
        clarification_deadline: t
            .clarification_deadline
            .map(|c| Timestamp::from_micros(c).to_local_input(tz))
            .unwrap_or_default(),
        bid_deadline: t
            .bid_deadline
            .map(|c| Timestamp::from_micros(c).to_local_input(tz))
            .unwrap_or_default(),
        justification: t.justification.clone().unwrap_or_default(),
        exception_category: t.exception_category.clone().unwrap_or_default(),
        item_lot: items
            .iter()
            .map(|i| lot_number(i.lot_id).to_string())
            .collect(),
        item_catalogue: items
            .iter()
            .map(|i| {
                i.catalogue_item_id
                    .map(|c| c.to_string())
                    .unwrap_or_default()
            })
            .collect(),
        item_quantity: items.iter().map(|i| i.quantity.clone()).collect(),
        item_price: items
            .iter()
            .map(|i| {
                if let Some(price) = &i.unit_price {
                    return price.clone();
                }
                let lot = lots.iter().find(|l| l.id == i.lot_id);
                let lot_items: Vec<_> = items.iter().filter(|x| x.lot_id == i.lot_id).collect();
                match (lot, lot_items.len()) {
                    (Some(l), 1) => (crate::domain::money::stored(&l.estimated_value)
                        / crate::domain::money::stored(&i.quantity)
                            .max(rust_decimal::Decimal::ONE))
                    .round_dp(4)
                    .normalize()
                    .to_string(),
                    _ => String::new(),
                }
            })
            .collect(),
        item_plan: items
            .iter()
            .map(|i| i.plan_line_id.map(|c| c.to_string()).unwrap_or_default())
            .collect(),
        lot_titles: lots
            .iter()
            .map(|l| l.title.clone())
            .collect::<Vec<_>>()
            .join("\n"),
        requirements: requirements
            .iter()
            .map(|r| r.description.clone())
            .collect::<Vec<_>>()
            .join("\n"),
        committee: members.iter().map(|m| m.user_id.to_string()).collect(),
        threshold: t.opening_threshold.to_string(),
    };
    form_page(&state, &ctx, Some(id), f, Vec::new()).await
}

/// `POST /tenders/{id}`.
pub async fn update(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    WebForm(f): WebForm<TenderWebForm>,
) -> AppResult<Response> {
    match tenders::update(
        &state.db,
        &state.rulebook,
        state.config.timezone,
        &ctx.actor()?,
        id,
        &f.to_form(),
        state.now(),
    )
    .await
    {
        Ok(_) => Ok(redirect_with_flash(
            &state,
            &format!("/tenders/{id}"),
            "flash-draft-saved",
            None,
        )),
        Err(e) if is_form_error(&e) => {
            let errors = field_errors(&state, &ctx, &e);
            form_page(&state, &ctx, Some(id), f, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The plan-to-tender form.
#[derive(Debug, Deserialize)]
pub struct FromPlanForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    lines: Vec<String>,
    /// The plan year shown (to show the same page again when refused).
    #[serde(default)]
    year: Option<i64>,
}

/// `POST /plan/tender`: a draft from plan lines, then its edit form. A refusal shows the plan
/// page again with the form as it was and each error at its field, with its translated label
/// (issue 13: a method the value cannot use was refused only on save, under a raw key).
pub async fn from_plan(
    State(state): State<AppState>,
    ctx: RequestContext,
    WebForm(f): WebForm<FromPlanForm>,
) -> AppResult<Response> {
    let lines: Vec<i64> = f.lines.iter().filter_map(|l| l.parse().ok()).collect();
    let result = tenders::from_plan(
        &state.db,
        &state.rulebook,
        state.config.timezone,
        &ctx.actor()?,
        &f.title,
        &f.method,
        &lines,
        state.now(),
    )
    .await;
    match result {
        Ok(t) => Ok(redirect_with_flash(
            &state,
            &format!("/tenders/{}/edit", t.id),
            "flash-draft-saved",
            None,
        )),
        Err(e) if is_form_error(&e) => {
            // The rulebook's refusals (value outside the method's band) concern the method.
            let errors = field_errors(&state, &ctx, &e)
                .into_iter()
                .map(|(field, message)| match &e {
                    ServiceError::Rules(_) if !field.is_empty() => ("method".to_string(), message),
                    _ => (field, message),
                })
                .collect();
            super::plan::render_page(
                &state,
                &ctx,
                &super::plan::YearQuery { year: f.year },
                super::plan::FromPlanState {
                    title: f.title,
                    method: f.method,
                    lines,
                    errors,
                },
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------------ bids

#[derive(Template)]
#[template(path = "bid_form.html")]
struct BidPage {
    ctx: PageCtx,
    d: TenderDetail,
    lot_id: i64,
    prices: BTreeMap<i64, String>,
    declarations: Vec<(&'static str, bool)>,
    notes: String,
    /// Chosen option per non-price feature (feature code → option code).
    features: BTreeMap<String, String>,
    errors: Vec<(String, String)>,
    /// "Check your bid" (issue 13): the lines with their totals and the bid's total, computed
    /// by the same rule that seals it, shown before the supplier seals.
    review: Option<BidReview>,
    /// Documents were chosen for the review, and a browser cannot keep a chosen file.
    documents_dropped: bool,
}

/// A valid bid before it is sealed: each line's total and the bid's.
struct BidReview {
    /// Item id → line total (unit price × quantity).
    lines: BTreeMap<i64, rust_decimal::Decimal>,
    total: rust_decimal::Decimal,
}

impl BidPage {
    /// How many lines carry a price, in words for the check step.
    fn lines_priced(&self) -> String {
        let n = self.review.as_ref().map_or(0, |r| r.lines.len());
        self.ctx.count(i64::try_from(n).unwrap_or(i64::MAX))
    }

    fn line_total(&self, item: &i64) -> Option<rust_decimal::Decimal> {
        self.review
            .as_ref()
            .and_then(|r| r.lines.get(item).copied())
    }

    /// The documents field's hint: files are not kept when a bid is refused.
    fn documents_hint(&self) -> String {
        if self.documents_dropped {
            self.ctx.t("bid-documents-again")
        } else {
            String::new()
        }
    }
    fn price(&self, item: &i64) -> String {
        self.prices.get(item).cloned().unwrap_or_default()
    }

    fn chosen(&self, feature: &str, option: &str) -> bool {
        self.features.get(feature).is_some_and(|o| o == option)
    }
}

/// Which lot to bid on.
#[derive(Debug, Deserialize, Default)]
pub struct LotQuery {
    lot: Option<i64>,
}

async fn bid_page(
    state: &AppState,
    ctx: &RequestContext,
    id: i64,
    lot: Option<i64>,
    prices: BTreeMap<i64, String>,
    declared: Vec<String>,
    notes: String,
    features: BTreeMap<String, String>,
    errors: Vec<(String, String)>,
    review: Option<(BidInput, bool)>,
) -> AppResult<Response> {
    let d = tender_view::detail(&state.db, &state.rulebook, id, ctx.user(), state.now()).await?;
    let lot_id = lot
        .filter(|l| d.lots.iter().any(|x| x.lot.id == *l))
        .or_else(|| d.lots.first().map(|l| l.lot.id))
        .ok_or(ServiceError::NotFound)?;
    let mut errors = errors;
    let mut checked = None;
    let documents_dropped = review.as_ref().is_some_and(|(_, dropped)| *dropped);
    if let Some((input, _)) = review {
        match review_bid(state, &d, lot_id, &input) {
            Ok(r) => checked = Some(r),
            Err(e) => errors = field_errors(state, ctx, &e),
        }
    }
    let declarations = DECLARATIONS
        .iter()
        .map(|d| (*d, declared.iter().any(|x| x == d)))
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut r = render(&BidPage {
        ctx: PageCtx::new(state, ctx),
        d,
        lot_id,
        prices,
        declarations,
        notes,
        features,
        errors,
        review: checked,
        documents_dropped,
    });
    *r.status_mut() = status;
    Ok(r)
}

/// Checks a bid by the rule that seals it ([`crate::domain::bid::validate_bid`]) without storing
/// anything, and computes its line totals for the "check your bid" step.
fn review_bid(
    state: &AppState,
    d: &TenderDetail,
    lot_id: i64,
    input: &BidInput,
) -> Result<BidReview, ServiceError> {
    let lot = d
        .lots
        .iter()
        .find(|l| l.lot.id == lot_id)
        .ok_or(ServiceError::NotFound)?;
    let items: Vec<crate::domain::bid::LotItem> = lot
        .items
        .iter()
        .map(|i| crate::domain::bid::LotItem {
            id: i.item.id,
            quantity: crate::domain::money::stored(&i.item.quantity),
        })
        .collect();
    let features = bids::feature_rules(&state.rulebook, &d.tender.method_code);
    let (content, total) = crate::domain::bid::validate_bid(lot_id, &items, &features, input)
        .map_err(ServiceError::Validation)?;
    let lines = content
        .lines
        .iter()
        .filter_map(|l| {
            items.iter().find(|i| i.id == l.item_id).map(|i| {
                (
                    l.item_id,
                    crate::domain::money::round_minor(l.unit_price * i.quantity),
                )
            })
        })
        .collect();
    Ok(BidReview { lines, total })
}

/// `GET /tenders/{id}/bid`.
pub async fn bid_form(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<LotQuery>,
) -> AppResult<Response> {
    bid_page(
        &state,
        &ctx,
        id,
        q.lot,
        BTreeMap::new(),
        Vec::new(),
        String::new(),
        BTreeMap::new(),
        Vec::new(),
        None,
    )
    .await
}

#[derive(Template)]
#[template(path = "receipt.html")]
struct ReceiptPage {
    ctx: PageCtx,
    title: String,
    receipt: crate::service::bids::Receipt,
    submitted_at: Timestamp,
}

/// `GET /bids/{id}/receipt`: a supplier's receipt again (from the portal).
pub async fn receipt_page(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    let receipt = bids::receipt(&state.db, &ctx.actor()?, id).await?;
    let title = {
        let mut conn = state.db.read().await?;
        tender_repo::find(&mut conn, receipt.tender_id)
            .await?
            .map(|t| t.title)
            .unwrap_or_default()
    };
    let submitted_at = Timestamp::parse(&receipt.submitted_at).unwrap_or_else(|| state.now());
    Ok(render(&ReceiptPage {
        ctx: PageCtx::new(&state, &ctx),
        title,
        receipt,
        submitted_at,
    }))
}

/// `POST /tenders/{id}/bid` (multipart: prices, declarations, notes, documents).
pub async fn submit_bid(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let mut lot = None;
    let mut prices = BTreeMap::new();
    let mut declarations = Vec::new();
    let mut notes = String::new();
    let mut features = BTreeMap::new();
    let mut files = Vec::new();
    let mut review = false;
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
            if !filename.is_empty() && !bytes.is_empty() {
                files.push(crate::service::bids::BidFile {
                    filename,
                    content_type,
                    bytes: bytes.to_vec(),
                });
            }
            continue;
        }
        let value = field
            .text()
            .await
            .map_err(|_| AppError::new(ErrorCode::RequestInvalidForm))?;
        if name == "lot_id" {
            lot = value.trim().parse::<i64>().ok();
        } else if let Some(item) = name
            .strip_prefix("price_")
            .and_then(|i| i.parse::<i64>().ok())
        {
            if !value.trim().is_empty() {
                prices.insert(item, value);
            }
        } else if name == "declarations" {
            declarations.push(value);
        } else if name == "notes" {
            notes = value;
        } else if name == "intent" {
            review = value == "review";
        } else if let Some(feature) = name.strip_prefix("feature_")
            && !value.is_empty()
        {
            features.insert(feature.to_string(), value);
        }
    }
    let lot_id =
        lot.ok_or_else(|| AppError::from(ServiceError::field("lot_id", FieldCode::Required)))?;
    let input = BidInput {
        prices: prices.clone(),
        brands: BTreeMap::new(),
        declarations: declarations.clone(),
        notes: notes.clone(),
        features: features.clone(),
    };
    if review {
        // "Check your bid": nothing is stored; the page shows the totals and the seal button.
        let dropped = !files.is_empty();
        return bid_page(
            &state,
            &ctx,
            id,
            Some(lot_id),
            prices,
            declarations,
            notes,
            features,
            Vec::new(),
            Some((input, dropped)),
        )
        .await;
    }
    let user = ctx.require_user()?;
    let submitted =
        super::bids::submit_within_limit(&state, user, id, lot_id, &input, &files).await;
    match submitted {
        // Post-redirect-get: the receipt is its own page, so a reload shows it again instead of
        // sealing the bid a second time (issue 13).
        Ok(receipt) => Ok(redirect_with_flash(
            &state,
            &format!("/bids/{}/receipt", receipt.bid_id),
            "flash-bid-sealed",
            None,
        )),
        Err(e) if is_form_error(&e) => {
            let errors = field_errors(&state, &ctx, &e);
            bid_page(
                &state,
                &ctx,
                id,
                Some(lot_id),
                prices,
                declarations,
                notes,
                features,
                errors,
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------------ opening

#[derive(Template)]
#[template(path = "opening.html")]
struct OpeningPage {
    ctx: PageCtx,
    d: TenderDetail,
    error: Option<String>,
}

/// `GET /tenders/{id}/opening`.
pub async fn opening_page(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    let d = tender_view::detail(&state.db, &state.rulebook, id, ctx.user(), state.now()).await?;
    // Only the tender's own committee opens its bids (the service refuses anyone else), so
    // only they see the form (issue 13).
    let user = ctx.require_user()?;
    if !d.committee.iter().any(|m| m.user_id == user.id) {
        return Err(AppError::new(ErrorCode::AuthForbidden));
    }
    Ok(render(&OpeningPage {
        ctx: PageCtx::new(&state, &ctx),
        d,
        error: None,
    }))
}

/// `POST /tenders/{id}/opening`: fields `passphrase_{user_id}`.
pub async fn open(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    WebForm(f): WebForm<BTreeMap<String, String>>,
) -> AppResult<Response> {
    let passphrases: Vec<crate::service::bids::MemberPassphrase> = f
        .iter()
        .filter_map(|(k, v)| {
            let user_id = k.strip_prefix("passphrase_")?.parse().ok()?;
            (!v.is_empty()).then(|| crate::service::bids::MemberPassphrase {
                user_id,
                passphrase: v.clone(),
            })
        })
        .collect();
    match bids::open(&state.db, &ctx.actor()?, id, &passphrases, state.now()).await {
        Ok(_) => Ok(redirect_with_flash(
            &state,
            &format!("/tenders/{id}#opening"),
            "flash-bids-opened",
            None,
        )),
        Err(ServiceError::Opening { code, member }) => {
            let d = tender_view::detail(&state.db, &state.rulebook, id, ctx.user(), state.now())
                .await?;
            let who = member
                .and_then(|m| d.committee.iter().find(|c| c.user_id == m))
                .map(|c| c.name.clone())
                .unwrap_or_default();
            let message = state.i18n.t_args(
                ctx.lang,
                &format!(
                    "opening-{}",
                    code.trim_start_matches("sealed.").replace('_', "-")
                ),
                &[("member", who)],
            );
            let mut r = render(&OpeningPage {
                ctx: PageCtx::new(&state, &ctx),
                d,
                error: Some(message),
            });
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------------ evaluation

/// One cell of the member's evaluation grid.
struct GridBid {
    bid_id: i64,
    supplier: String,
    total: String,
    lot_number: i64,
}

#[derive(Template)]
#[template(path = "evaluation.html")]
struct EvaluationPage {
    ctx: PageCtx,
    d: TenderDetail,
    declared: Option<bool>,
    submitted: bool,
    bids: Vec<GridBid>,
    verdicts: BTreeMap<(i64, i64), (bool, String)>,
    scores: BTreeMap<(i64, i64), String>,
    weighted: bool,
    errors: Vec<(String, String)>,
}

/// What a member typed into the grid, shown again when it was refused.
type TypedGrid = (
    BTreeMap<(i64, i64), (bool, String)>,
    BTreeMap<(i64, i64), String>,
);

impl EvaluationPage {
    /// The member's verdict so far: none until they choose one, so nobody submits a grid
    /// without having checked every requirement (the grid used to start at "complies").
    fn verdict(&self, bid: &i64, req: &i64) -> Option<bool> {
        self.verdicts.get(&(*bid, *req)).map(|v| v.0)
    }

    /// Each bidder once, for the conflict-of-interest declaration (a firm bidding on several
    /// lots was listed once per bid).
    fn bidders(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.bids.iter().map(|b| b.supplier.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        names
    }
    fn reason(&self, bid: &i64, req: &i64) -> String {
        self.verdicts
            .get(&(*bid, *req))
            .map(|v| v.1.clone())
            .unwrap_or_default()
    }
    fn score(&self, bid: &i64, criterion: &i64) -> String {
        self.scores
            .get(&(*bid, *criterion))
            .cloned()
            .unwrap_or_default()
    }
    fn money(&self, value: &str) -> String {
        self.ctx.money(value, &self.d.tender.currency)
    }
}

async fn evaluation_page_for(
    state: &AppState,
    ctx: &RequestContext,
    id: i64,
    typed: Option<TypedGrid>,
    errors: Vec<(String, String)>,
) -> AppResult<Response> {
    let user = ctx.require_user()?;
    let d = tender_view::detail(&state.db, &state.rulebook, id, ctx.user(), state.now()).await?;
    if !d.committee.iter().any(|m| m.user_id == user.id) {
        return Err(ServiceError::Forbidden.into());
    }
    let mut conn = state.db.read().await?;
    let declared = committee::declarations(&mut conn, id)
        .await?
        .into_iter()
        .find(|x| x.user_id == user.id)
        .map(|x| x.has_conflict);
    let submitted = eval_repo::submissions(&mut conn, id)
        .await?
        .iter()
        .any(|(e, _)| *e == user.id);
    let ids: Vec<i64> = d.opened_bids.iter().map(|b| b.bid_id).collect();
    let verdicts = eval_repo::verdicts(&mut conn, &ids, Some(user.id))
        .await?
        .into_iter()
        .map(|v| ((v.bid_id, v.requirement_id), (v.passed, v.reason)))
        .collect();
    let scores = eval_repo::scores(&mut conn, &ids, Some(user.id))
        .await?
        .into_iter()
        .map(|s| ((s.bid_id, s.criterion_id), s.value))
        .collect();
    drop(conn);
    let bids = d
        .opened_bids
        .iter()
        .map(|b| GridBid {
            bid_id: b.bid_id,
            supplier: b.supplier.clone(),
            total: b.opened.total.clone(),
            lot_number: d
                .lots
                .iter()
                .find(|l| l.lot.id == b.lot_id)
                .map(|l| l.lot.number)
                .unwrap_or(0),
        })
        .collect::<Vec<_>>();
    // Lot by lot, bidders in name order: the grid reads like the opening record, not in the
    // order bids happened to be stored (issue 13).
    let mut bids = bids;
    bids.sort_by(|a, b| (a.lot_number, &a.supplier).cmp(&(b.lot_number, &b.supplier)));
    let weighted = d.tender.evaluation_method == "weighted";
    let (verdicts, scores) = typed.unwrap_or((verdicts, scores));
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = grid_names(
        PageCtx::new(state, ctx),
        &d,
        &bids,
        &verdicts,
        &scores,
        &errors,
    );
    let mut response = render(&EvaluationPage {
        ctx: page,
        d,
        declared,
        submitted,
        bids,
        verdicts,
        scores,
        weighted,
        errors,
    });
    *response.status_mut() = status;
    Ok(response)
}

/// Where each of the grid's errors is shown and what the error summary calls it. The service
/// names a cell `reason_{bid}_{requirement}` or `score_{bid}_{criterion}` (the controls' ids);
/// the summary reads "Motivo: R-01 — Farmacia Central, Lote 1". A grid of one cell is refused
/// as `reason` or `value`, and a submission with cells left unanswered as `verdicts` or
/// `scores`: those link to the cell (the first unanswered one).
fn grid_names(
    mut page: PageCtx,
    d: &TenderDetail,
    bids: &[GridBid],
    verdicts: &BTreeMap<(i64, i64), (bool, String)>,
    scores: &BTreeMap<(i64, i64), String>,
    errors: &[(String, String)],
) -> PageCtx {
    let bidder = |bid: i64| {
        bids.iter()
            .find(|b| b.bid_id == bid)
            .map(|b| format!("{}, {} {}", b.supplier, page.t("tender-lot"), b.lot_number))
            .unwrap_or_else(|| format!("{} {bid}", page.t("receipt-bid")))
    };
    let cell_label = |kind: &str, bid: i64, other: i64| -> Option<String> {
        let what = match kind {
            "reason" | "verdict" => {
                let r = d.requirements.iter().find(|r| r.id == other)?;
                format!("{}: {}", page.t(&format!("field-{kind}")), r.code)
            }
            _ => {
                let c = d.criteria.iter().find(|c| c.id == other)?;
                page.criterion(&c.code, &c.name)
            }
        };
        Some(format!("{what} — {}", bidder(bid)))
    };
    let mut names: Vec<(String, Option<String>, String)> = Vec::new();
    for (field, _) in errors {
        let cell = match field.as_str() {
            "reason" if verdicts.len() == 1 && scores.is_empty() => verdicts
                .keys()
                .next()
                .map(|(b, r)| format!("reason_{b}_{r}")),
            "value" if scores.len() == 1 && verdicts.is_empty() => {
                scores.keys().next().map(|(b, c)| format!("score_{b}_{c}"))
            }
            "verdicts" => bids.iter().find_map(|b| {
                d.requirements
                    .iter()
                    .find(|r| !verdicts.contains_key(&(b.bid_id, r.id)))
                    .map(|r| format!("verdict_{}_{}", b.bid_id, r.id))
            }),
            "scores" => bids.iter().find_map(|b| {
                d.criteria
                    .iter()
                    .filter(|c| !c.is_price)
                    .find(|c| !scores.contains_key(&(b.bid_id, c.id)))
                    .map(|c| format!("score_{}_{}", b.bid_id, c.id))
            }),
            _ => None,
        };
        let label_of = |name: &str| {
            super::page::grid_cell(name).and_then(|(kind, bid, other)| cell_label(kind, bid, other))
        };
        // A one-cell grid's error reads as its cell; a grid-wide one keeps its own label
        // ("Verificación de requisitos") and links to the first cell left unanswered.
        let label = match (field.as_str(), &cell) {
            ("reason" | "value", Some(id)) => label_of(id),
            _ => label_of(field),
        };
        let anchor = cell;
        names.push((field.clone(), anchor, label.unwrap_or_default()));
    }
    for (field, anchor, label) in names {
        if let Some(id) = anchor {
            page = page.with_anchor(field.clone(), id);
        }
        if !label.is_empty() {
            page = page.with_label(field, label);
        }
    }
    page
}

/// `GET /tenders/{id}/evaluation`: the member's own workspace (others' views stay hidden).
pub async fn evaluation_page(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    evaluation_page_for(&state, &ctx, id, None, Vec::new()).await
}

/// The declaration form.
#[derive(Debug, Deserialize)]
pub struct DeclarationForm {
    #[serde(default)]
    has_conflict: String,
    #[serde(default)]
    statement: String,
}

/// `POST /tenders/{id}/conflicts`.
pub async fn declare(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    WebForm(f): WebForm<DeclarationForm>,
) -> AppResult<Response> {
    evaluation::declare(
        &state.db,
        &ctx.actor()?,
        id,
        f.has_conflict == "true",
        &f.statement,
        state.now(),
    )
    .await?;
    Ok(redirect_with_flash(
        &state,
        &format!("/tenders/{id}/evaluation"),
        "flash-declared",
        None,
    ))
}

/// `POST /tenders/{id}/evaluation`: the whole grid (`verdict_{bid}_{req}` = pass/fail,
/// `reason_{bid}_{req}`, `score_{bid}_{criterion}`), saved as the member's draft; with
/// `submit=1` also locked.
pub async fn save_evaluation(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    WebForm(f): WebForm<BTreeMap<String, String>>,
) -> AppResult<Response> {
    let actor = ctx.actor()?;
    let now = state.now();
    let pair = |k: &str, prefix: &str| -> Option<(i64, i64)> {
        let rest = k.strip_prefix(prefix)?;
        let (a, b) = rest.split_once('_')?;
        Some((a.parse().ok()?, b.parse().ok()?))
    };
    let mut verdicts = Vec::new();
    let mut scores = Vec::new();
    for (k, v) in &f {
        if let Some((bid, req)) = pair(k, "verdict_") {
            verdicts.push(evaluation::VerdictInput {
                bid_id: bid,
                requirement_id: req,
                passed: v == "pass",
                reason: f
                    .get(&format!("reason_{bid}_{req}"))
                    .cloned()
                    .unwrap_or_default(),
            });
        } else if let Some((bid, criterion)) = pair(k, "score_")
            && !v.trim().is_empty()
        {
            scores.push(evaluation::ScoreInput {
                bid_id: bid,
                criterion_id: criterion,
                value: v.clone(),
                comment: String::new(),
            });
        }
    }
    let lock = f.get("submit").is_some_and(|s| s == "1");
    if let Err(e) =
        evaluation::save_grid(&state.db, &actor, id, &verdicts, &scores, lock, now).await
    {
        if !is_form_error(&e) {
            return Err(e.into());
        }
        let typed = (
            verdicts
                .iter()
                .map(|v| ((v.bid_id, v.requirement_id), (v.passed, v.reason.clone())))
                .collect(),
            scores
                .iter()
                .map(|s| ((s.bid_id, s.criterion_id), s.value.clone()))
                .collect(),
        );
        let errors = field_errors(&state, &ctx, &e);
        return evaluation_page_for(&state, &ctx, id, Some(typed), errors).await;
    }
    if lock {
        return Ok(redirect_with_flash(
            &state,
            &format!("/tenders/{id}"),
            "flash-evaluation-submitted",
            None,
        ));
    }
    Ok(redirect_with_flash(
        &state,
        &format!("/tenders/{id}/evaluation"),
        "flash-evaluation-saved",
        None,
    ))
}

/// `POST /tenders/{id}/evaluation/complete`.
pub async fn complete(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    evaluation::complete(
        &state.db,
        &state.rulebook,
        &ctx.actor()?,
        id,
        state.config.auction_notice_seconds,
        state.now(),
    )
    .await?;
    Ok(redirect_with_flash(
        &state,
        &format!("/tenders/{id}#evaluation"),
        "flash-evaluation-completed",
        None,
    ))
}

#[derive(Template)]
#[template(path = "evaluation_report.html")]
struct ReportPage {
    ctx: PageCtx,
    d: TenderDetail,
    lots: Vec<LotResultView>,
    generated: Timestamp,
}

impl ReportPage {
    fn money(&self, value: &str) -> String {
        self.ctx.money(value, &self.d.tender.currency)
    }
    fn member_name(&self, id: &i64) -> String {
        self.d
            .committee
            .iter()
            .find(|m| m.user_id == *id)
            .map(|m| m.name.clone())
            .unwrap_or_default()
    }
}

async fn report_data(
    state: &AppState,
    ctx: &RequestContext,
    id: i64,
) -> AppResult<(TenderDetail, Vec<LotResultView>)> {
    let d = tender_view::detail(&state.db, &state.rulebook, id, ctx.user(), state.now()).await?;
    if d.evaluation.is_empty() {
        return Err(ServiceError::NotFound.into());
    }
    let page = TenderPage {
        ctx: PageCtx::new(state, ctx),
        d,
        a: Actions::default(),
        item_names: BTreeMap::new(),
        member_names: BTreeMap::new(),
        red_flags: Vec::new(),
    };
    let lots = page.results();
    Ok((page.d, lots))
}

/// `GET /tenders/{id}/evaluation-report`: printable HTML.
pub async fn report(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    let (d, lots) = report_data(&state, &ctx, id).await?;
    Ok(render(&ReportPage {
        ctx: PageCtx::new(&state, &ctx),
        d,
        lots,
        generated: state.now(),
    }))
}

/// `GET /tenders/{id}/evaluation-report.pdf`.
pub async fn report_pdf(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    let (d, lots) = report_data(&state, &ctx, id).await?;
    let i18n = &state.i18n;
    let lang = ctx.lang;
    let tz = state.config.timezone;
    let mut doc = crate::report::pdf::Document::new(&format!(
        "{} — {}",
        i18n.t(lang, "evaluation-report"),
        d.tender.ocid
    ));
    doc.heading(&i18n.t(lang, "evaluation-report"));
    doc.line(&d.tender.title);
    doc.line(&format!("{} · {}", d.tender.ocid, d.tender.reference));
    doc.line(&format!(
        "{}: {}",
        i18n.t(lang, "field-method"),
        if lang == crate::domain::lang::Lang::Es {
            &d.method.name_es
        } else {
            &d.method.name_en
        }
    ));
    if let Some(at) = d.opened_at {
        doc.line(&format!(
            "{}: {}",
            i18n.t(lang, "tender-opened-at"),
            crate::format::date_time(Timestamp::from_micros(at), tz, lang)
        ));
    }
    doc.gap();
    doc.subheading(&i18n.t(lang, "tender-committee"));
    for m in &d.committee {
        let declared = d.declarations.iter().find(|x| x.user_id == m.user_id);
        let status = match declared {
            Some(x) if x.has_conflict => i18n.t(lang, "evaluation-conflict"),
            Some(_) => i18n.t(lang, "evaluation-no-conflict"),
            None => i18n.t(lang, "evaluation-not-declared"),
        };
        doc.line(&format!("• {} — {status}", m.name));
    }
    for lr in &lots {
        doc.gap();
        doc.subheading(&format!("{} {}", i18n.t(lang, "tender-lot"), lr.lot_number));
        let rows: Vec<Vec<String>> = lr
            .rows
            .iter()
            .map(|r| {
                vec![
                    r.rank.map(|x| x.to_string()).unwrap_or_else(|| "—".into()),
                    r.supplier.clone(),
                    crate::format::money_text(&r.total, &d.tender.currency, lang),
                    r.score.clone().unwrap_or_default(),
                    if r.compliant {
                        i18n.t(lang, "evaluation-compliant")
                    } else {
                        format!(
                            "{}: {}",
                            i18n.t(lang, "evaluation-not-compliant"),
                            r.reasons
                        )
                    },
                ]
            })
            .collect();
        doc.table(
            &[
                i18n.t(lang, "evaluation-rank"),
                i18n.t(lang, "tender-bidder"),
                i18n.t(lang, "tender-total"),
                i18n.t(lang, "evaluation-score"),
                i18n.t(lang, "evaluation-compliance"),
            ],
            &[8, 34, 18, 10, 30],
            &rows,
        );
    }
    doc.gap();
    doc.line(&format!(
        "{}: {}",
        i18n.t(lang, "evaluation-generated"),
        crate::format::date_time(state.now(), tz, lang)
    ));
    let bytes = doc.finish();
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"evaluacion-{}.pdf\"", d.tender.id),
            ),
        ],
        bytes,
    )
        .into_response())
}

// ------------------------------------------------------------------ contract

#[derive(Template)]
#[template(path = "contract_form.html")]
struct ContractPage {
    ctx: PageCtx,
    award: award_repo::AwardRow,
    tender: tender_repo::TenderRow,
    supplier: String,
    items: Vec<tender_repo::ItemRow>,
    f: ContractWebForm,
    errors: Vec<(String, String)>,
}

impl ContractPage {
    fn money(&self, value: &str) -> String {
        self.ctx.money(value, &self.award.currency)
    }
    /// The row of an item in the form as posted.
    fn posted_row(&self, item: i64) -> Option<usize> {
        self.f
            .milestone_item
            .iter()
            .position(|i| i.trim() == item.to_string())
    }
    /// A milestone's quantity as typed, else the item's whole quantity.
    fn milestone_quantity(&self, item: &tender_repo::ItemRow) -> String {
        self.posted_row(item.id)
            .and_then(|row| self.f.milestone_quantity.get(row).cloned())
            .unwrap_or_else(|| item.quantity.clone())
    }
    /// A milestone's due date as typed.
    fn milestone_due(&self, item: &i64) -> String {
        self.posted_row(*item)
            .and_then(|row| self.f.milestone_due.get(row).cloned())
            .unwrap_or_default()
    }
}

impl ContractWebForm {
    /// The rows sent to the service (a row without a quantity is left out), by their place in
    /// the form: the service's `milestones[k]` is the form's row `sent()[k]`.
    fn sent(&self) -> Vec<usize> {
        (0..self.milestone_item.len())
            .filter(|i| {
                !self
                    .milestone_quantity
                    .get(*i)
                    .map(|q| q.trim().is_empty())
                    .unwrap_or(true)
            })
            .collect()
    }
}

/// The contract form as posted.
#[derive(Debug, Default, Deserialize)]
pub struct ContractWebForm {
    #[serde(default)]
    number: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    end: String,
    #[serde(default)]
    payment_terms: String,
    #[serde(default)]
    milestone_item: Vec<String>,
    #[serde(default)]
    milestone_quantity: Vec<String>,
    #[serde(default)]
    milestone_due: Vec<String>,
}

async fn contract_page(
    state: &AppState,
    ctx: &RequestContext,
    award_id: i64,
    f: ContractWebForm,
    errors: Vec<(String, String)>,
) -> AppResult<Response> {
    let mut conn = state.db.read().await?;
    let award = award_repo::find(&mut conn, award_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let tender = tender_repo::find(&mut conn, award.tender_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let supplier = crate::repository::suppliers::find(&mut conn, award.supplier_id)
        .await?
        .map(|s| s.legal_name)
        .unwrap_or_default();
    let items: Vec<tender_repo::ItemRow> = tender_repo::items(&mut conn, award.tender_id)
        .await?
        .into_iter()
        .filter(|i| i.lot_id == award.lot_id)
        .collect();
    drop(conn);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    // The service names a milestone by its place among those sent (`milestones[0].due`): the
    // summary links it to its item's row and names the item.
    let mut page = PageCtx::new(state, ctx);
    for (k, row) in f.sent().into_iter().enumerate() {
        let Some(item) = f
            .milestone_item
            .get(row)
            .and_then(|i| i.trim().parse::<i64>().ok())
            .and_then(|id| items.iter().find(|i| i.id == id))
        else {
            continue;
        };
        for (part, id, label) in [
            ("quantity", format!("mq-{}", item.id), "plan-quantity"),
            ("tender_item_id", format!("mq-{}", item.id), "plan-quantity"),
            ("due", format!("md-{}", item.id), "contract-due"),
        ] {
            let field = format!("milestones[{k}].{part}");
            let label = format!("{} — {}", item.description, page.t(label));
            page = page.with_anchor(field.clone(), id).with_label(field, label);
        }
    }
    let mut r = render(&ContractPage {
        ctx: page,
        award,
        tender,
        supplier,
        items,
        f,
        errors,
    });
    *r.status_mut() = status;
    Ok(r)
}

/// `GET /awards/{id}/contract`.
pub async fn contract_form(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(award_id): ApiPath<i64>,
) -> AppResult<Response> {
    contract_page(
        &state,
        &ctx,
        award_id,
        ContractWebForm::default(),
        Vec::new(),
    )
    .await
}

/// `POST /awards/{id}/contract`.
pub async fn sign_contract(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(award_id): ApiPath<i64>,
    WebForm(f): WebForm<ContractWebForm>,
) -> AppResult<Response> {
    let milestones = f
        .sent()
        .into_iter()
        .map(|i| crate::service::awards::MilestoneForm {
            tender_item_id: f.milestone_item[i].parse().unwrap_or(0),
            quantity: f.milestone_quantity.get(i).cloned().unwrap_or_default(),
            due: f.milestone_due.get(i).cloned().unwrap_or_default(),
            description: String::new(),
        })
        .collect();
    let form = crate::service::awards::ContractForm {
        number: f.number.clone(),
        start: f.start.clone(),
        end: f.end.clone(),
        payment_terms: f.payment_terms.clone(),
        milestones,
    };
    match awards::sign_contract(
        &state.db,
        state.config.timezone,
        &ctx.actor()?,
        award_id,
        &form,
        state.now(),
    )
    .await
    {
        Ok(c) => Ok(redirect_with_flash(
            &state,
            &format!("/tenders/{}#contracts", c.tender_id),
            "flash-contract-signed",
            None,
        )),
        Err(e) if is_form_error(&e) => {
            let errors = field_errors(&state, &ctx, &e);
            contract_page(&state, &ctx, award_id, f, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /documents/{id}`: a document's bytes (public ones, or any for staff).
pub async fn document(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(doc_id): ApiPath<i64>,
) -> AppResult<Response> {
    let (doc, bytes) = tenders::document(&state.db, ctx.user(), doc_id).await?;
    let disposition = format!(
        "attachment; filename=\"{}\"",
        doc.filename.replace(['"', '\r', '\n'], "")
    );
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    // Served as a download with its type pinned, so an uploaded HTML file cannot run here.
    h.insert(
        header::CONTENT_TYPE,
        "application/octet-stream"
            .parse()
            .map_err(|_| AppError::new(ErrorCode::InternalError))?,
    );
    if let Ok(v) = disposition.parse() {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = format!("\"{}\"", doc.sha256).parse() {
        h.insert(header::ETAG, v);
    }
    Ok(response)
}
