//! SQL of processes imported from other OCDS publishers (`tianguis ocds import`, issue 5).

use super::db::{Queryable, RepoError};
use super::schema_ocds::{ImportedProcesses as P, ImportedReleases as R};
use super::{Page, contains_ci};
use sea_query::{Cond, Expr, ExprTrait, Func, OnConflict, Order, Query};
use serde::Serialize;

/// Stores a release unless `(ocid, id)` is already there; returns whether it was new.
pub async fn insert_release(
    db: &mut impl Queryable,
    ocid: &str,
    release_id: &str,
    date: Option<&str>,
    json: &str,
    source: &str,
) -> Result<bool, RepoError> {
    let n = db
        .handle()
        .execute(
            &Query::insert()
                .into_table(R::Table)
                .columns([R::Ocid, R::ReleaseId, R::ReleaseDate, R::Json, R::Source])
                .values_panic([
                    ocid.into(),
                    release_id.into(),
                    date.map(str::to_owned).into(),
                    json.into(),
                    source.into(),
                ])
                .on_conflict(
                    OnConflict::columns([R::Ocid, R::ReleaseId])
                        .do_nothing()
                        .to_owned(),
                )
                .to_owned(),
        )
        .await?;
    Ok(n == 1)
}

/// The stored releases of a process: (id, JSON).
pub async fn releases_of(
    db: &mut impl Queryable,
    ocid: &str,
) -> Result<Vec<(String, String)>, RepoError> {
    db.handle()
        .all(
            &Query::select()
                .columns([R::ReleaseId, R::Json])
                .from(R::Table)
                .and_where(Expr::col(R::Ocid).eq(ocid))
                .order_by(R::ReleaseDate, Order::Asc)
                .order_by(R::ReleaseId, Order::Asc)
                .to_owned(),
        )
        .await
}

/// An imported process.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ProcessRow {
    /// Ocid.
    pub ocid: String,
    /// Title.
    pub title: Option<String>,
    /// Buyer's name.
    pub buyer: Option<String>,
    /// `procurementMethod`.
    pub method: Option<String>,
    /// `tender.status`.
    pub status: Option<String>,
    /// Tender value (exact text).
    pub value: Option<String>,
    /// Currency.
    pub currency: Option<String>,
    /// Newest release date.
    pub release_date: Option<String>,
    /// Releases stored.
    pub release_count: i64,
    /// The compiled release (omitted from listings).
    #[serde(skip)]
    pub compiled: String,
    /// Source.
    pub source: String,
    /// Last import (UTC µs).
    pub imported_at: i64,
}

const COLUMNS: [P; 12] = [
    P::Ocid,
    P::Title,
    P::Buyer,
    P::Method,
    P::Status,
    P::Value,
    P::Currency,
    P::ReleaseDate,
    P::ReleaseCount,
    P::Compiled,
    P::Source,
    P::ImportedAt,
];

/// The stored compiled release of a process, if any.
pub async fn compiled(db: &mut impl Queryable, ocid: &str) -> Result<Option<String>, RepoError> {
    let row: Option<(String,)> = db
        .handle()
        .optional(
            &Query::select()
                .column(P::Compiled)
                .from(P::Table)
                .and_where(Expr::col(P::Ocid).eq(ocid))
                .to_owned(),
        )
        .await?;
    Ok(row.map(|(c,)| c))
}

/// Writes (or replaces) a process.
pub async fn upsert_process(db: &mut impl Queryable, p: &ProcessRow) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::insert()
                .into_table(P::Table)
                .columns(COLUMNS)
                .values_panic([
                    p.ocid.as_str().into(),
                    p.title.clone().into(),
                    p.buyer.clone().into(),
                    p.method.clone().into(),
                    p.status.clone().into(),
                    p.value.clone().into(),
                    p.currency.clone().into(),
                    p.release_date.clone().into(),
                    p.release_count.into(),
                    p.compiled.as_str().into(),
                    p.source.as_str().into(),
                    p.imported_at.into(),
                ])
                .on_conflict(
                    OnConflict::column(P::Ocid)
                        .update_columns(COLUMNS[1..].iter().copied())
                        .to_owned(),
                )
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// One process.
pub async fn find(db: &mut impl Queryable, ocid: &str) -> Result<Option<ProcessRow>, RepoError> {
    db.handle()
        .optional(
            &Query::select()
                .columns(COLUMNS)
                .from(P::Table)
                .and_where(Expr::col(P::Ocid).eq(ocid))
                .to_owned(),
        )
        .await
}

/// Imported processes whose title, buyer or ocid contains `text`, newest first.
pub async fn search(
    db: &mut impl Queryable,
    text: &str,
    offset: i64,
    limit: i64,
) -> Result<Page<ProcessRow>, RepoError> {
    let filter = if text.trim().is_empty() {
        Cond::all()
    } else {
        Cond::any()
            .add(contains_ci(P::Title, text.trim()))
            .add(contains_ci(P::Buyer, text.trim()))
            .add(contains_ci(P::Ocid, text.trim()))
    };
    let (total,): (i64,) = db
        .handle()
        .one(
            &Query::select()
                .expr(Func::count(Expr::col(P::Ocid)))
                .from(P::Table)
                .cond_where(filter.clone())
                .to_owned(),
        )
        .await?;
    let items = db
        .handle()
        .all(
            &Query::select()
                .columns(COLUMNS)
                .from(P::Table)
                .cond_where(filter)
                .order_by(P::ReleaseDate, Order::Desc)
                .order_by(P::Ocid, Order::Asc)
                .offset(offset as u64)
                .limit(limit as u64)
                .to_owned(),
        )
        .await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}
