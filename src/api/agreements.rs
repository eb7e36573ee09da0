//! Framework agreements and call-offs (issue 14): the public list and page of each agreement
//! with its live meter per item, the catalogue a unit user orders from, each call-off's page
//! where the offered supplier confirms or declines, the buyer's terms form on a framework
//! tender, and the JSON API.

use super::AppState;
use super::account::translated_fields;
use super::context::RequestContext;
use super::error::AppResult;
use super::extract::{ApiJson, ApiPath, WebForm};
use super::page::{PageCtx, error_at, redirect_with_flash, render};
use crate::domain::agreement::{CallOffMethod, DeclineReason};
use crate::domain::role::Role;
use crate::domain::time::Timestamp;
use crate::repository::agreements::{AgreementRow, Terms};
use crate::repository::units::{Unit, UnitFilter};
use crate::service::agreements::{self, AgreementDetail, LotTermsInput, TermsInput};
use crate::service::call_offs::{self, CallOffDetail, CartInput, CartLineInput};
use crate::service::{ServiceError, units};
use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

// ---------------------------------------------------------------- pages

#[derive(Template)]
#[template(path = "agreements.html")]
struct ListPage {
    ctx: PageCtx,
    rows: Vec<(AgreementRow, String)>,
}

impl ListPage {
    fn status(&self, a: &AgreementRow) -> String {
        self.ctx.t(&format!("agreement-status-{}", a.status))
    }
    fn method(&self, a: &AgreementRow) -> String {
        CallOffMethod::from_code(&a.call_off_method)
            .map(|m| self.ctx.t(&m.label_key()))
            .unwrap_or_default()
    }
    fn last_day(&self, a: &AgreementRow) -> String {
        // The stored end is exclusive (the start of the next day); pages show the last day.
        self.ctx.date_us(&(a.end_at - 1))
    }
}

/// `GET /agreements`: every framework agreement (public).
pub async fn list_page(State(state): State<AppState>, ctx: RequestContext) -> AppResult<Response> {
    let rows = agreements::list(&state.db).await?;
    Ok(render(&ListPage {
        ctx: PageCtx::new(&state, &ctx),
        rows,
    }))
}

/// What a unit user typed in the catalogue, kept on a refusal.
#[derive(Debug, Clone, Default)]
struct CartTyped {
    unit: String,
    quantity: BTreeMap<i64, String>,
    delivery: BTreeMap<i64, String>,
}

#[derive(Template)]
#[template(path = "agreement.html")]
struct DetailPage {
    ctx: PageCtx,
    d: AgreementDetail,
    /// The user's units that participate (empty: no catalogue form).
    my_units: Vec<Unit>,
    typed: CartTyped,
    errors: Vec<(String, String)>,
}

impl DetailPage {
    fn method_label(&self) -> String {
        CallOffMethod::from_code(&self.d.agreement.call_off_method)
            .map(|m| self.ctx.t(&m.label_key()))
            .unwrap_or_default()
    }
    fn status_label(&self) -> String {
        self.ctx
            .t(&format!("agreement-status-{}", self.d.agreement.status))
    }
    fn call_off_status(&self, code: &str) -> String {
        self.ctx.t(&format!("call-off-status-{code}"))
    }
    fn price(&self, prices: &[(i64, String)], party_id: &i64) -> String {
        prices
            .iter()
            .find(|(p, _)| p == party_id)
            .map(|(_, v)| self.ctx.money(v, &self.d.agreement.currency))
            .unwrap_or_else(|| "—".into())
    }
    fn qty_of(&self, item_id: &i64) -> String {
        self.typed
            .quantity
            .get(item_id)
            .cloned()
            .unwrap_or_default()
    }
    fn delivery_of(&self, item_id: &i64) -> String {
        self.typed
            .delivery
            .get(item_id)
            .cloned()
            .unwrap_or_default()
    }
    fn err(&self, field: &str) -> &str {
        error_at(&self.errors, field).unwrap_or("")
    }
    fn unit_selected(&self, code: &str) -> bool {
        self.typed.unit == code
    }
    fn period_end(&self) -> String {
        // The stored end is exclusive (the start of the next day); pages show the last day.
        self.ctx.date_us(&(self.d.agreement.end_at - 1))
    }
    fn party_status(&self, code: &str) -> String {
        self.ctx.t(&format!("party-status-{code}"))
    }
    fn input_id(&self, prefix: &str, item_id: &i64) -> String {
        format!("{prefix}_{item_id}")
    }
    fn cell_label(&self, key: &str, description: &str) -> String {
        format!("{} — {description}", self.ctx.t(key))
    }
    fn line_err(&self, n: &usize, field: &str) -> &str {
        let path = format!("lines[{n}].{field}");
        self.err(&path)
    }
}

async fn detail_page(
    state: &AppState,
    ctx: &RequestContext,
    id: i64,
    typed: CartTyped,
    errors: Vec<(String, String)>,
) -> AppResult<Response> {
    let d = agreements::detail(&state.db, id).await?;
    let my_units = match ctx.user() {
        Some(u) if u.has_role(Role::UnitUser) && d.agreement.status == "active" => {
            units::of_user(&state.db, u.id)
                .await?
                .into_iter()
                .filter(|unit| d.units.iter().any(|(code, _)| *code == unit.code))
                .collect()
        }
        _ => Vec::new(),
    };
    let mut page_ctx = PageCtx::new(state, ctx);
    // The service names cart lines by position; the page's inputs are per item.
    let lines: Vec<i64> = d
        .items
        .iter()
        .map(|i| i.id)
        .filter(|i| typed.quantity.get(i).is_some_and(|q| !q.trim().is_empty()))
        .collect();
    let quantity_label = page_ctx.t("field-quantity");
    let delivery_label = page_ctx.t("field-delivery-date");
    for (n, item_id) in lines.iter().enumerate() {
        let description = d
            .items
            .iter()
            .find(|i| i.id == *item_id)
            .map(|i| i.description.clone())
            .unwrap_or_default();
        page_ctx = page_ctx
            .with_anchor(format!("lines[{n}].quantity"), format!("qty_{item_id}"))
            .with_label(
                format!("lines[{n}].quantity"),
                format!("{quantity_label} — {description}"),
            )
            .with_anchor(
                format!("lines[{n}].delivery"),
                format!("delivery_{item_id}"),
            )
            .with_label(
                format!("lines[{n}].delivery"),
                format!("{delivery_label} — {description}"),
            );
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut response = render(&DetailPage {
        ctx: page_ctx,
        d,
        my_units,
        typed,
        errors,
    });
    *response.status_mut() = status;
    Ok(response)
}

/// `GET /agreements/{id}`: an agreement, its ranks, prices, live meter and call-offs (public);
/// a unit user of a participating unit also sees the catalogue to call off from.
pub async fn page(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    detail_page(&state, &ctx, id, CartTyped::default(), Vec::new()).await
}

/// `POST /agreements/{id}/call-offs`: the catalogue's cart (unit users).
pub async fn call_off_submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    WebForm(pairs): WebForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let actor = ctx.actor()?;
    let mut typed = CartTyped::default();
    for (k, v) in pairs {
        if k == "unit" {
            typed.unit = v;
        } else if let Some(i) = k.strip_prefix("qty_").and_then(|i| i.parse().ok()) {
            typed.quantity.insert(i, v);
        } else if let Some(i) = k.strip_prefix("delivery_").and_then(|i| i.parse().ok()) {
            typed.delivery.insert(i, v);
        }
    }
    let input = CartInput {
        unit: typed.unit.clone(),
        lines: typed
            .quantity
            .iter()
            .filter(|(_, q)| !q.trim().is_empty())
            .map(|(item_id, q)| CartLineInput {
                item_id: *item_id,
                quantity: q.clone(),
                delivery: typed.delivery.get(item_id).cloned().unwrap_or_default(),
            })
            .collect(),
    };
    match call_offs::place(
        &state.db,
        &state.rulebook,
        state.config.timezone,
        &actor,
        id,
        &input,
        Timestamp::now(),
    )
    .await
    {
        Ok(c) => Ok(redirect_with_flash(
            &state,
            &format!("/call-offs/{}", c.id),
            "flash-call-off-placed",
            Some(&c.number),
        )),
        Err(err @ ServiceError::Validation(_)) => {
            let errors = translated_fields(&state, &ctx, &err);
            detail_page(&state, &ctx, id, typed, errors).await
        }
        Err(err) => Err(err.into()),
    }
}

#[derive(Template)]
#[template(path = "call_off.html")]
struct CallOffPage {
    ctx: PageCtx,
    d: CallOffDetail,
    /// The signed-in supplier is the one the pending offer is for.
    may_answer: bool,
    /// The signed-in user acts for the call-off's unit and it is not yet confirmed.
    may_cancel: bool,
    reasons: [DeclineReason; 6],
    errors: Vec<(String, String)>,
}

impl CallOffPage {
    fn status_label(&self) -> String {
        self.ctx
            .t(&format!("call-off-status-{}", self.d.call_off.status))
    }
    fn outcome_label(&self, code: &str) -> String {
        self.ctx
            .t(&format!("offer-outcome-{}", code.replace('_', "-")))
    }
    fn reason_label(&self, code: &Option<String>) -> String {
        code.as_deref()
            .and_then(DeclineReason::from_code)
            .map(|r| self.ctx.t(&r.label_key()))
            .unwrap_or_default()
    }
    fn err(&self, field: &str) -> &str {
        error_at(&self.errors, field).unwrap_or("")
    }
    fn pending_deadline(&self) -> Option<i64> {
        self.d
            .offers
            .iter()
            .find(|o| o.outcome == "pending")
            .map(|o| o.deadline_at)
    }
}

async fn call_off_view(
    state: &AppState,
    ctx: &RequestContext,
    id: i64,
    errors: Vec<(String, String)>,
) -> AppResult<Response> {
    let d = call_offs::detail(&state.db, id).await?;
    let offered = d.call_off.status == "offered";
    let may_answer = offered
        && ctx.user().is_some_and(|u| {
            u.has_role(Role::Supplier)
                && u.supplier_id.is_some()
                && d.supplier.as_ref().map(|s| s.0) == u.supplier_id
        });
    let may_cancel = match ctx.user() {
        Some(u) if offered => units::of_user(&state.db, u.id)
            .await?
            .iter()
            .any(|unit| unit.code == d.unit.0),
        _ => false,
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut response = render(&CallOffPage {
        ctx: PageCtx::new(state, ctx),
        d,
        may_answer,
        may_cancel,
        reasons: DeclineReason::ALL,
        errors,
    });
    *response.status_mut() = status;
    Ok(response)
}

/// `GET /call-offs/{id}`: a call-off, its schedule and every offer of its cascade (public).
pub async fn call_off_page(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    call_off_view(&state, &ctx, id, Vec::new()).await
}

/// `POST /call-offs/{id}/confirm` (the offered supplier).
pub async fn confirm_submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    let c = call_offs::confirm(&state.db, &ctx.actor()?, id, Timestamp::now()).await?;
    Ok(redirect_with_flash(
        &state,
        &format!("/call-offs/{id}"),
        "flash-call-off-confirmed",
        Some(&c.number),
    ))
}

/// A decline as typed.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct DeclineInput {
    /// A reason code: `out_of_stock`, `production_capacity`, `force_majeure`, `regulatory`, …
    #[serde(default)]
    pub reason: String,
    /// Why, in the supplier's words.
    #[serde(default)]
    pub note: String,
}

/// `POST /call-offs/{id}/decline` (the offered supplier).
pub async fn decline_submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    WebForm(form): WebForm<DeclineInput>,
) -> AppResult<Response> {
    match call_offs::decline(
        &state.db,
        &state.rulebook,
        &ctx.actor()?,
        id,
        &form.reason,
        &form.note,
        Timestamp::now(),
    )
    .await
    {
        Ok(c) => Ok(redirect_with_flash(
            &state,
            &format!("/call-offs/{id}"),
            "flash-call-off-declined",
            Some(&c.number),
        )),
        Err(err @ ServiceError::Validation(_)) => {
            let errors = translated_fields(&state, &ctx, &err);
            call_off_view(&state, &ctx, id, errors).await
        }
        Err(err) => Err(err.into()),
    }
}

/// `POST /call-offs/{id}/cancel` (a user of its unit).
pub async fn cancel_submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    let c = call_offs::cancel(&state.db, &ctx.actor()?, id, Timestamp::now()).await?;
    Ok(redirect_with_flash(
        &state,
        &format!("/call-offs/{id}"),
        "flash-call-off-cancelled",
        Some(&c.number),
    ))
}

// ---------------------------------------------------------------- framework terms

#[derive(Template)]
#[template(path = "framework_terms.html")]
struct TermsPage {
    ctx: PageCtx,
    tender_id: i64,
    title: String,
    editable: bool,
    lots: Vec<crate::repository::tenders::LotRow>,
    items: Vec<crate::repository::tenders::ItemRow>,
    units: Vec<Unit>,
    form: TermsInput,
    methods: [CallOffMethod; 3],
    max_months: u32,
    /// Final awards of lots without an agreement yet: (lot id, number).
    concludable: Vec<(i64, i64)>,
    /// Agreements concluded: (lot id, agreement id, number).
    concluded: Vec<(i64, i64, String)>,
    errors: Vec<(String, String)>,
}

impl TermsPage {
    fn err(&self, field: &str) -> &str {
        error_at(&self.errors, field).unwrap_or("")
    }
    fn unit_checked(&self, code: &str) -> bool {
        self.form.units.iter().any(|u| u == code)
    }
    fn lot(&self, lot_id: &i64) -> LotTermsInput {
        self.form.lots.get(lot_id).cloned().unwrap_or_default()
    }
    fn max_of(&self, item_id: &i64) -> String {
        self.form.items.get(item_id).cloned().unwrap_or_default()
    }
    fn method_checked(&self, lot_id: &i64, m: &CallOffMethod) -> bool {
        self.lot(lot_id).call_off_method == m.code()
    }
    fn lot_anchor(&self, lot_id: &i64) -> String {
        format!("lot-{lot_id}")
    }
    fn lot_field(&self, lot_id: &i64, field: &str) -> String {
        format!("lot-{lot_id}-{field}")
    }
    fn lot_err(&self, lot_id: &i64, field: &str) -> &str {
        self.err(&format!("lots[{lot_id}].{field}"))
    }
    fn max_id(&self, item_id: &i64) -> String {
        format!("max-{item_id}")
    }
    fn max_label(&self, description: &str) -> String {
        format!("{} — {description}", self.ctx.t("field-max-quantity"))
    }
    fn max_err(&self, item_id: &i64) -> &str {
        self.err(&format!("items[{item_id}].max_quantity"))
    }
    fn start_id(&self, lot_id: &i64) -> String {
        format!("start-{lot_id}")
    }
    fn conclude_testid(&self, number: &i64) -> String {
        format!("conclude-lot-{number}")
    }
}

fn form_of(terms: &Terms, units: &[Unit]) -> TermsInput {
    TermsInput {
        duration_months: terms.terms.duration_months.to_string(),
        units: units
            .iter()
            .filter(|u| terms.unit_ids.contains(&u.id))
            .map(|u| u.code.clone())
            .collect(),
        lots: terms
            .lots
            .iter()
            .map(|l| {
                (
                    l.lot_id,
                    LotTermsInput {
                        max_suppliers: l.max_suppliers.to_string(),
                        call_off_method: l.call_off_method.clone(),
                        max_value: l.max_value.clone().unwrap_or_default(),
                    },
                )
            })
            .collect(),
        items: terms
            .items
            .iter()
            .map(|i| (i.item_id, i.max_quantity.to_string()))
            .collect(),
    }
}

async fn terms_page(
    state: &AppState,
    ctx: &RequestContext,
    tender_id: i64,
    typed: Option<TermsInput>,
    errors: Vec<(String, String)>,
) -> AppResult<Response> {
    let (tender, lots, items, stored, awards, concluded) = {
        let mut conn = state.db.read().await?;
        let tender = crate::repository::tenders::find(&mut conn, tender_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        (
            tender,
            crate::repository::tenders::lots(&mut conn, tender_id).await?,
            crate::repository::tenders::items(&mut conn, tender_id).await?,
            crate::repository::agreements::terms(&mut conn, tender_id).await?,
            crate::repository::awards::of_tender(&mut conn, tender_id).await?,
            crate::repository::agreements::of_tender(&mut conn, tender_id).await?,
        )
    };
    let Some(method) = state.rulebook.method(&tender.method_code) else {
        return Err(ServiceError::NotFound.into());
    };
    let Some(framework) = method.framework() else {
        return Err(ServiceError::NotFound.into());
    };
    let all_units: Vec<Unit> = units::list(&state.db, &UnitFilter::default())
        .await?
        .into_iter()
        .filter(|u| !u.inactive)
        .collect();
    let form = typed.unwrap_or_else(|| match &stored {
        Some(t) => form_of(t, &all_units),
        None => TermsInput {
            duration_months: framework.value.max_duration_months.to_string(),
            ..TermsInput::default()
        },
    });
    let concludable = awards
        .iter()
        .filter(|a| a.status == crate::repository::awards::status::FINAL)
        .filter(|a| !concluded.iter().any(|c| c.lot_id == a.lot_id))
        .filter_map(|a| lots.iter().find(|l| l.id == a.lot_id))
        .map(|l| (l.id, l.number))
        .collect();
    let mut page_ctx = PageCtx::new(state, ctx);
    let max_label = page_ctx.t("field-max-quantity");
    for l in &lots {
        let labels = [
            page_ctx.t1("framework-lot-suppliers", "lot", l.number),
            page_ctx.t1("framework-lot-method", "lot", l.number),
            page_ctx.t1("framework-lot-max-value", "lot", l.number),
        ];
        for f in ["max_suppliers", "call_off_method", "max_value"] {
            page_ctx =
                page_ctx.with_anchor(format!("lots[{}].{f}", l.id), format!("lot-{}-{f}", l.id));
        }
        let [suppliers, method, value] = labels;
        page_ctx = page_ctx
            .with_label(format!("lots[{}].max_suppliers", l.id), suppliers)
            .with_label(format!("lots[{}].call_off_method", l.id), method)
            .with_label(format!("lots[{}].max_value", l.id), value);
    }
    for i in &items {
        page_ctx = page_ctx
            .with_anchor(
                format!("items[{}].max_quantity", i.id),
                format!("max-{}", i.id),
            )
            .with_label(
                format!("items[{}].max_quantity", i.id),
                format!("{max_label} — {}", i.description),
            );
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut response = render(&TermsPage {
        ctx: page_ctx,
        tender_id,
        title: tender.title.clone(),
        editable: tender.status() == crate::domain::tender::TenderStatus::Draft,
        lots,
        items,
        units: all_units,
        form,
        methods: CallOffMethod::ALL,
        max_months: framework.value.max_duration_months,
        concludable,
        concluded: concluded
            .into_iter()
            .map(|a| (a.lot_id, a.id, a.number))
            .collect(),
        errors,
    });
    *response.status_mut() = status;
    Ok(response)
}

/// `GET /tenders/{id}/framework`: a framework tender's terms (buyers), and the agreements its
/// final awards conclude.
pub async fn terms_form(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    terms_page(&state, &ctx, id, None, Vec::new()).await
}

/// `POST /tenders/{id}/framework` (buyers).
pub async fn terms_submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    WebForm(pairs): WebForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let mut input = TermsInput::default();
    for (k, v) in pairs {
        if k == "duration_months" {
            input.duration_months = v;
        } else if k == "units" {
            input.units.push(v);
        } else if let Some(rest) = k.strip_prefix("lot-")
            && let Some((lot, field)) = rest.split_once('-')
            && let Ok(lot) = lot.parse::<i64>()
        {
            let entry = input.lots.entry(lot).or_default();
            match field {
                "max_suppliers" => entry.max_suppliers = v,
                "call_off_method" => entry.call_off_method = v,
                "max_value" => entry.max_value = v,
                _ => {}
            }
        } else if let Some(item) = k.strip_prefix("max-").and_then(|i| i.parse::<i64>().ok()) {
            input.items.insert(item, v);
        }
    }
    match agreements::set_terms(
        &state.db,
        &state.rulebook,
        &ctx.actor()?,
        id,
        &input,
        Timestamp::now(),
    )
    .await
    {
        Ok(_) => Ok(redirect_with_flash(
            &state,
            &format!("/tenders/{id}"),
            "flash-framework-terms-saved",
            None,
        )),
        Err(err @ (ServiceError::Validation(_) | ServiceError::Rules(_))) => {
            let errors = match &err {
                ServiceError::Rules(v) => v
                    .iter()
                    .map(|r| {
                        (
                            "duration_months".to_string(),
                            super::context::rule_message(
                                &state.i18n,
                                ctx.lang,
                                &state.rulebook,
                                &serde_json::to_value(r).unwrap_or_default(),
                            ),
                        )
                    })
                    .collect(),
                _ => translated_fields(&state, &ctx, &err),
            };
            terms_page(&state, &ctx, id, Some(input), errors).await
        }
        Err(err) => Err(err.into()),
    }
}

/// The start of an agreement's period, as typed.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ConcludeInput {
    /// First day of the period, `YYYY-MM-DD` (empty: today).
    #[serde(default)]
    pub start: String,
}

/// `POST /tenders/{id}/lots/{lot}/agreement`: concludes a final framework lot (buyers).
pub async fn conclude_submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath((id, lot)): ApiPath<(i64, i64)>,
    WebForm(form): WebForm<ConcludeInput>,
) -> AppResult<Response> {
    let a = agreements::conclude(
        &state.db,
        &state.rulebook,
        state.config.timezone,
        &ctx.actor()?,
        id,
        lot,
        &form.start,
        Timestamp::now(),
    )
    .await?;
    Ok(redirect_with_flash(
        &state,
        &format!("/agreements/{}", a.id),
        "flash-agreement-concluded",
        Some(&a.number),
    ))
}

// ---------------------------------------------------------------- JSON API

/// An agreement in a list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AgreementSummary {
    /// Id.
    pub id: i64,
    /// Number.
    pub number: String,
    /// The framework tender's id.
    pub tender_id: i64,
    /// Its title.
    pub title: String,
    /// Status: `pending`, `active`, `suspended`, `expired`, `terminated`, `exhausted`.
    pub status: String,
    /// `direct`, `cascade` or `mini_competition`.
    pub call_off_method: String,
    /// Period start (RFC 3339).
    pub start: String,
    /// Period end, exclusive (RFC 3339).
    pub end: String,
}

/// Every framework agreement (public).
#[utoipa::path(get, path = "/api/agreements", tag = "agreements", operation_id = "list_agreements",
    responses((status = 200, body = [AgreementSummary])))]
pub async fn list(State(state): State<AppState>) -> AppResult<Json<Vec<AgreementSummary>>> {
    Ok(Json(
        agreements::list(&state.db)
            .await?
            .into_iter()
            .map(|(a, title)| AgreementSummary {
                id: a.id,
                number: a.number,
                tender_id: a.tender_id,
                title,
                status: a.status,
                call_off_method: a.call_off_method,
                start: Timestamp::from_micros(a.start_at).to_rfc3339(),
                end: Timestamp::from_micros(a.end_at).to_rfc3339(),
            })
            .collect(),
    ))
}

/// One agreement: ranks, prices, what is left of each item, call-offs (public).
#[utoipa::path(get, path = "/api/agreements/{id}", tag = "agreements", operation_id = "get_agreement",
    params(("id" = i64, Path, description = "Agreement id")),
    responses((status = 200, body = AgreementDetail), (status = 404, body = super::openapi::ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<AgreementDetail>> {
    Ok(Json(agreements::detail(&state.db, id).await?))
}

/// Places a call-off for one of the caller's units (unit users).
#[utoipa::path(post, path = "/api/agreements/{id}/call-offs", tag = "agreements",
    operation_id = "place_call_off", security(("bearer" = [])), request_body = CartInput,
    params(("id" = i64, Path, description = "Agreement id")),
    responses((status = 201, body = CallOffDetail), (status = 409, body = super::openapi::ErrorBody),
        (status = 422, body = super::openapi::ErrorBody)))]
pub async fn place(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<CartInput>,
) -> AppResult<(StatusCode, Json<CallOffDetail>)> {
    let c = call_offs::place(
        &state.db,
        &state.rulebook,
        state.config.timezone,
        &ctx.actor()?,
        id,
        &input,
        Timestamp::now(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(call_offs::detail(&state.db, c.id).await?),
    ))
}

/// One call-off with its schedule and offers (public).
#[utoipa::path(get, path = "/api/call-offs/{id}", tag = "agreements", operation_id = "get_call_off",
    params(("id" = i64, Path, description = "Call-off id")),
    responses((status = 200, body = CallOffDetail), (status = 404, body = super::openapi::ErrorBody)))]
pub async fn get_call_off(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<CallOffDetail>> {
    Ok(Json(call_offs::detail(&state.db, id).await?))
}

/// Confirms a call-off offered to the caller's firm (suppliers).
#[utoipa::path(post, path = "/api/call-offs/{id}/confirm", tag = "agreements",
    operation_id = "confirm_call_off", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Call-off id")),
    responses((status = 200, body = CallOffDetail), (status = 403, body = super::openapi::ErrorBody),
        (status = 409, body = super::openapi::ErrorBody)))]
pub async fn confirm(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<CallOffDetail>> {
    call_offs::confirm(&state.db, &ctx.actor()?, id, Timestamp::now()).await?;
    Ok(Json(call_offs::detail(&state.db, id).await?))
}

/// Declines a call-off offered to the caller's firm, with a coded reason (suppliers).
#[utoipa::path(post, path = "/api/call-offs/{id}/decline", tag = "agreements",
    operation_id = "decline_call_off", security(("bearer" = [])), request_body = DeclineInput,
    params(("id" = i64, Path, description = "Call-off id")),
    responses((status = 200, body = CallOffDetail), (status = 403, body = super::openapi::ErrorBody),
        (status = 422, body = super::openapi::ErrorBody)))]
pub async fn decline(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<DeclineInput>,
) -> AppResult<Json<CallOffDetail>> {
    call_offs::decline(
        &state.db,
        &state.rulebook,
        &ctx.actor()?,
        id,
        &input.reason,
        &input.note,
        Timestamp::now(),
    )
    .await?;
    Ok(Json(call_offs::detail(&state.db, id).await?))
}

/// Cancels a call-off not yet confirmed (unit users of its unit).
#[utoipa::path(post, path = "/api/call-offs/{id}/cancel", tag = "agreements",
    operation_id = "cancel_call_off", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Call-off id")),
    responses((status = 200, body = CallOffDetail), (status = 403, body = super::openapi::ErrorBody),
        (status = 409, body = super::openapi::ErrorBody)))]
pub async fn cancel(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<CallOffDetail>> {
    call_offs::cancel(&state.db, &ctx.actor()?, id, Timestamp::now()).await?;
    Ok(Json(call_offs::detail(&state.db, id).await?))
}

/// Sets a draft framework tender's terms (buyers).
#[utoipa::path(put, path = "/api/tenders/{id}/framework", tag = "agreements",
    operation_id = "set_framework_terms", security(("bearer" = [])), request_body = TermsInput,
    params(("id" = i64, Path, description = "Tender id")),
    responses((status = 200, body = Object), (status = 409, body = super::openapi::ErrorBody),
        (status = 422, body = super::openapi::ErrorBody)))]
pub async fn set_terms(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<TermsInput>,
) -> AppResult<Json<Terms>> {
    Ok(Json(
        agreements::set_terms(
            &state.db,
            &state.rulebook,
            &ctx.actor()?,
            id,
            &input,
            Timestamp::now(),
        )
        .await?,
    ))
}

/// Concludes the agreement of a framework lot whose award is final (buyers).
#[utoipa::path(post, path = "/api/tenders/{id}/lots/{lot}/agreement", tag = "agreements",
    operation_id = "conclude_agreement", security(("bearer" = [])), request_body = ConcludeInput,
    params(("id" = i64, Path, description = "Tender id"), ("lot" = i64, Path, description = "Lot id")),
    responses((status = 201, body = AgreementDetail), (status = 409, body = super::openapi::ErrorBody)))]
pub async fn conclude(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath((id, lot)): ApiPath<(i64, i64)>,
    ApiJson(input): ApiJson<ConcludeInput>,
) -> AppResult<(StatusCode, Json<AgreementDetail>)> {
    let a = agreements::conclude(
        &state.db,
        &state.rulebook,
        state.config.timezone,
        &ctx.actor()?,
        id,
        lot,
        &input.start,
        Timestamp::now(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(agreements::detail(&state.db, a.id).await?),
    ))
}
