//! The home page (issue 13): a search box first, then the tenders closing soon with their
//! countdowns, the live and upcoming auctions, and the institution's key figures — counted by
//! `service::figures`, the same numbers as `/tenders`, `/dashboards` and `/open-data`.

use super::AppState;
use super::context::RequestContext;
use super::error::AppResult;
use super::page::{PageCtx, render};
use crate::repository::buyers::BuyerRow;
use crate::repository::tenders::TenderListRow;
use crate::service::auctions::listing::{self, AuctionListing};
use crate::service::figures::{self, Figures};
use crate::service::registry::{self, Overview};
use askama::Template;
use axum::extract::State;
use axum::response::Response;

/// Tenders listed under "closing soon".
const CLOSING_SOON: u64 = 5;
/// Auctions listed under "live and upcoming".
const AUCTIONS: u64 = 5;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ctx: PageCtx,
    overview: Overview,
    figures: Figures,
    buyers: Vec<BuyerRow>,
    closing: Vec<TenderListRow>,
    auctions: Vec<AuctionListing>,
}

impl HomePage {
    fn money(&self, value: &str, currency: &str) -> String {
        self.ctx.money(value, currency)
    }
    fn money_d(&self, value: &rust_decimal::Decimal) -> String {
        self.ctx.money_d(value, &self.figures.currency)
    }
    fn count(&self, n: &i64) -> String {
        self.ctx.count(*n)
    }
    /// The savings figure as (title, amount, note): below the estimates, or above them when
    /// the awards cost more (a negative saving is not written as one).
    fn savings(&self) -> Option<(String, String, String)> {
        let s = self.figures.savings.as_ref()?;
        let (title, note) = if s.amount.is_sign_negative() {
            ("figure-overrun", "figure-overrun-note")
        } else {
            ("figure-savings", "figure-savings-note")
        };
        let percent = crate::format::percent(s.fraction.abs(), 1, self.ctx.lang);
        Some((
            self.ctx.t(title),
            self.money_d(&s.amount.abs()),
            self.ctx.t1(note, "percent", percent),
        ))
    }
}

/// `GET /`.
pub async fn page(State(state): State<AppState>, ctx: RequestContext) -> AppResult<Response> {
    let overview = registry::overview(&state.db).await?;
    let buyers = registry::buyers(&state.db).await?;
    let figures = figures::figures(&state.db, state.rulebook.currency()).await?;
    let closing = figures::closing_soon(&state.db, state.now(), CLOSING_SOON).await?;
    let auctions = listing::live_and_upcoming(&state.db, AUCTIONS).await?;
    Ok(render(&HomePage {
        ctx: PageCtx::new(&state, &ctx),
        overview,
        figures,
        buyers,
        closing,
        auctions,
    }))
}
