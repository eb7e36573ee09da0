//! The public supplier registry and buyers (pages and JSON).

use super::AppState;
use super::context::RequestContext;
use super::error::AppResult;
use super::extract::{ApiPath, ApiQuery, Paging};
use super::page::{PageCtx, render};
use crate::domain::supplier::{Supplier, SupplierStatus};
use crate::repository::Page;
use crate::repository::buyers::BuyerRow;
use crate::service::registry;
use askama::Template;
use axum::Json;
use axum::extract::State;
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

/// One supplier.
#[utoipa::path(get, path = "/api/suppliers/{id}", tag = "registry", operation_id = "get_supplier",
    params(("id" = i64, Path, description = "Supplier id")),
    responses((status = 200, body = SupplierView), (status = 404, body = super::openapi::ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<SupplierView>> {
    Ok(Json(SupplierView::from(
        &registry::supplier(&state.db, id).await?,
    )))
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
}

/// `GET /suppliers/{id}`.
pub async fn detail_page(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    let supplier = registry::supplier(&state.db, id).await?;
    Ok(render(&DetailPage {
        ctx: PageCtx::new(&state, &ctx),
        supplier,
    }))
}
