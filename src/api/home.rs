//! The home page: what Tianguis is, the institution's headline figures, and where to find the
//! open data.

use super::AppState;
use super::context::RequestContext;
use super::error::AppResult;
use super::page::{PageCtx, render};
use crate::repository::buyers::BuyerRow;
use crate::service::registry::{self, Overview};
use askama::Template;
use axum::extract::State;
use axum::response::Response;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ctx: PageCtx,
    overview: Overview,
    buyers: Vec<BuyerRow>,
}

/// `GET /`.
pub async fn page(State(state): State<AppState>, ctx: RequestContext) -> AppResult<Response> {
    let overview = registry::overview(&state.db).await?;
    let buyers = registry::buyers(&state.db).await?;
    Ok(render(&HomePage {
        ctx: PageCtx::new(&state, &ctx),
        overview,
        buyers,
    }))
}
