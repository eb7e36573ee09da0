//! `/design`: the living example of the page components (issue 13, "one set of page
//! components … documented with a living example page"). Every component of
//! `templates/components.html` is drawn here with believable data, in the page's language, and
//! the browser sweep checks this page like any other (reflow at 390 px, axe-core), so a change to
//! a component is seen here first.

use super::AppState;
use super::context::RequestContext;
use super::page::{PageCtx, render};
use crate::domain::time::Timestamp;
use crate::domain::validation::FieldCode;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "design.html")]
struct DesignPage {
    ctx: PageCtx,
    /// Sample lines: item, quantity, unit, unit price, line total (computed, not typed).
    rows: Vec<(String, String, String, String, String)>,
    deadline: Timestamp,
    remaining: String,
    events: Vec<(&'static str, Timestamp)>,
    /// The example amount as typed (kept when refused).
    typed: String,
    errors: Vec<(String, String)>,
}

/// The example form's one input: shown with the error a decimal comma earns.
#[derive(Deserialize)]
pub struct DesignQuery {
    estimated_value: Option<String>,
}

/// `GET /design`.
pub async fn page(
    State(state): State<AppState>,
    ctx: RequestContext,
    Query(q): Query<DesignQuery>,
) -> Response {
    let page_ctx = PageCtx::new(&state, &ctx);
    let now = state.now();
    let day = 86_400_000_000;
    let deadline = Timestamp::from_micros(now.as_micros() + 3 * day + 5 * 3_600_000_000);
    let lines = [
        ("design-item-paracetamol", "120000", "0.18"),
        ("design-item-amoxicillin", "45000", "1.35"),
        ("design-item-gloves", "8000", "38.50"),
    ];
    let rows = lines
        .iter()
        .map(|(key, quantity, price)| {
            let q: rust_decimal::Decimal = quantity.parse().unwrap_or_default();
            let p: rust_decimal::Decimal = price.parse().unwrap_or_default();
            (
                page_ctx.t(key),
                quantity.to_string(),
                page_ctx.t(&format!("{key}-unit")),
                price.to_string(),
                (q * p).to_string(),
            )
        })
        .collect();
    let typed = q.estimated_value.unwrap_or_else(|| "12,50".into());
    let errors = match crate::domain::money::parse_positive(&typed, 2) {
        Ok(_) => Vec::new(),
        Err(e) => vec![(
            "estimated_value".to_string(),
            page_ctx.t(&FieldCode::from(e).message_key()),
        )],
    };
    let events = vec![
        (
            "design-event-published",
            Timestamp::from_micros(now.as_micros() - 12 * day),
        ),
        (
            "design-event-amended",
            Timestamp::from_micros(now.as_micros() - 5 * day),
        ),
        ("design-event-closing", deadline),
    ];
    let remaining = page_ctx.t1("design-remaining", "days", 3);
    render(&DesignPage {
        ctx: page_ctx,
        rows,
        deadline,
        remaining,
        events,
        typed,
        errors,
    })
}
