//! The public catalogue (basic medicines list and supplies), pages and JSON.

use super::AppState;
use super::context::RequestContext;
use super::error::AppResult;
use super::extract::{ApiQuery, Paging};
use super::page::{PageCtx, render};
use crate::domain::catalogue::{CatalogueItem, ItemKind};
use crate::repository::Page;
use crate::service::registry;
use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};

/// A catalogue item as published.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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
