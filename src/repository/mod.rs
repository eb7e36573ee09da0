//! SQL: one module per stored resource. Each function takes a [`db::Queryable`] (a write
//! transaction or a read connection), so workflows in `service/` decide the transaction
//! boundaries and the audit event of a change always commits with it.

pub mod agreements;
pub mod api_tokens;
pub mod auctions;
pub mod audit;
pub mod awards;
pub mod bids;
pub mod buyers;
pub mod call_offs;
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
pub mod product_cards;
pub mod schema;
pub mod schema_agreements;
pub mod schema_auction;
pub mod schema_esourcing;
pub mod schema_ocds;
pub mod schema_products;
pub mod schema_units;
pub mod sessions;
pub mod supplier_history;
pub mod suppliers;
pub mod tender_search;
pub mod tenders;
pub mod units;
pub mod users;
pub mod webhooks;

pub use db::{Backend, Conn, Database, DbOptions, Queryable, RepoError, Tx};

use sea_query::{Expr, ExprTrait, Func, LikeExpr};

/// A case-insensitive "contains" filter that behaves the same on SQLite and PostgreSQL
/// (SQLite's LIKE ignores ASCII case, PostgreSQL's does not, so both sides are lowered).
/// `%`, `_` and `\` typed by a user are escaped, so they match themselves.
pub fn contains_ci(column: impl sea_query::IntoColumnRef, needle: &str) -> Expr {
    let escaped = format!("%{}%", escape_like(&needle.to_lowercase()));
    Expr::expr(Func::lower(Expr::col(column))).like(LikeExpr::new(escaped).escape('\\'))
}

/// A text column lowered with its accents removed, the same on SQLite and PostgreSQL (whose
/// `LOWER` leaves non-ASCII letters alone under the C locale): the accented letters of
/// `domain::search::SQL_ACCENTS` are replaced before lowering, so "Farmacéutica" is searched
/// as "farmaceutica" (issue 13: accents ignored).
pub fn folded(column: impl sea_query::IntoColumnRef) -> Expr {
    let mut expr = Expr::col(column);
    for (accented, plain) in crate::domain::search::SQL_ACCENTS {
        expr = Func::cust("REPLACE")
            .arg(expr)
            .arg(accented.to_string())
            .arg(plain.to_string())
            .into();
    }
    Func::lower(expr).into()
}

/// A "contains" filter that ignores case and accents (see [`folded`]); `%`, `_` and `\` typed
/// by a user match themselves.
pub fn contains_folded(column: impl sea_query::IntoColumnRef, needle: &str) -> Expr {
    folded(column).like(
        LikeExpr::new(format!(
            "%{}%",
            escape_like(&crate::domain::search::fold_text(needle))
        ))
        .escape('\\'),
    )
}

fn escape_like(needle: &str) -> String {
    let mut escaped = String::with_capacity(needle.len());
    for c in needle.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
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
