//! SQL: one module per stored resource. Each function takes a [`db::Queryable`] (a write
//! transaction or a read connection), so workflows in `service/` decide the transaction
//! boundaries and the audit event of a change always commits with it.

pub mod api_tokens;
pub mod auctions;
pub mod audit;
pub mod awards;
pub mod bids;
pub mod buyers;
pub mod catalogue;
pub mod clarifications;
pub mod committee;
pub mod contracts;
pub mod db;
pub mod documents;
pub mod evaluation;
pub mod imports;
pub mod notifications;
pub mod ocds;
pub mod plan;
pub mod schema;
pub mod schema_auction;
pub mod schema_esourcing;
pub mod schema_ocds;
pub mod sessions;
pub mod suppliers;
pub mod tenders;
pub mod users;
pub mod webhooks;

pub use db::{Backend, Conn, Database, DbOptions, Queryable, RepoError, Tx};

use sea_query::{Expr, ExprTrait, Func, LikeExpr};

/// A case-insensitive "contains" filter that behaves the same on SQLite and PostgreSQL
/// (SQLite's LIKE ignores ASCII case, PostgreSQL's does not, so both sides are lowered).
/// `%`, `_` and `\` typed by a user are escaped, so they match themselves.
pub fn contains_ci(column: impl sea_query::IntoColumnRef, needle: &str) -> Expr {
    let mut escaped = String::with_capacity(needle.len() + 2);
    escaped.push('%');
    for c in needle.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped.push('%');
    Expr::expr(Func::lower(Expr::col(column))).like(LikeExpr::new(escaped).escape('\\'))
}

/// One page of a listing plus the total, for paginated pages and API responses.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Page<T> {
    /// The rows of this page.
    pub items: Vec<T>,
    /// Rows matching the filter in all pages.
    pub total: i64,
    /// Offset of the first row.
    pub offset: i64,
    /// Page size asked for.
    pub limit: i64,
}
