//! SQL of processes imported from other OCDS publishers (`tianguis ocds import`, issue 5).

use super::db::{Queryable, RepoError};
use super::schema_ocds::{ImportedProcesses as P, ImportedReleases as R};
use super::{Page, contains_ci};
use sea_query::{Cond, Expr, ExprTrait, Func, OnConflict, Order, Query};
use serde::Serialize;

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

/// The stored releases of several processes: ocid → [(id, JSON)].
pub async fn releases_of_many(
    db: &mut impl Queryable,
    ocids: &[String],
) -> Result<std::collections::HashMap<String, Vec<(String, String)>>, RepoError> {
    let mut out: std::collections::HashMap<String, Vec<(String, String)>> = Default::default();
    for chunk in ocids.chunks(500) {
        let rows: Vec<(String, String, String)> = db
            .handle()
            .all(
                &Query::select()
                    .columns([R::Ocid, R::ReleaseId, R::Json])
                    .from(R::Table)
                    .and_where(Expr::col(R::Ocid).is_in(chunk.iter().map(String::as_str)))
                    .to_owned(),
            )
            .await?;
        for (ocid, id, json) in rows {
            out.entry(ocid).or_default().push((id, json));
        }
    }
    Ok(out)
}

/// The stored compiled releases of several processes: ocid → JSON.
pub async fn compiled_many(
    db: &mut impl Queryable,
    ocids: &[String],
) -> Result<std::collections::HashMap<String, String>, RepoError> {
    let mut out = std::collections::HashMap::new();
    for chunk in ocids.chunks(500) {
        let rows: Vec<(String, String)> = db
            .handle()
            .all(
                &Query::select()
                    .columns([P::Ocid, P::Compiled])
                    .from(P::Table)
                    .and_where(Expr::col(P::Ocid).is_in(chunk.iter().map(String::as_str)))
                    .to_owned(),
            )
            .await?;
        out.extend(rows);
    }
    Ok(out)
}

/// A release to store.
pub struct NewRelease {
    /// Process.
    pub ocid: String,
    /// Release id.
    pub release_id: String,
    /// Date as given.
    pub date: Option<String>,
    /// JSON.
    pub json: String,
    /// Source.
    pub source: String,
}

/// Stores releases (those already there are left alone); returns how many were new.
pub async fn insert_releases(
    db: &mut impl Queryable,
    rows: &[NewRelease],
) -> Result<u64, RepoError> {
    let mut inserted = 0;
    for chunk in rows.chunks(200) {
        let mut q = Query::insert();
        q.into_table(R::Table)
            .columns([R::Ocid, R::ReleaseId, R::ReleaseDate, R::Json, R::Source]);
        for r in chunk {
            q.values_panic([
                r.ocid.as_str().into(),
                r.release_id.as_str().into(),
                r.date.clone().into(),
                r.json.as_str().into(),
                r.source.as_str().into(),
            ]);
        }
        q.on_conflict(
            OnConflict::columns([R::Ocid, R::ReleaseId])
                .do_nothing()
                .to_owned(),
        );
        inserted += db.handle().execute(&q).await?;
    }
    Ok(inserted)
}

/// Writes (or replaces) several processes.
pub async fn upsert_processes(
    db: &mut impl Queryable,
    rows: &[ProcessRow],
) -> Result<(), RepoError> {
    for chunk in rows.chunks(100) {
        let mut q = Query::insert();
        q.into_table(P::Table).columns(COLUMNS);
        for p in chunk {
            q.values_panic([
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
            ]);
        }
        q.on_conflict(
            OnConflict::column(P::Ocid)
                .update_columns(COLUMNS[1..].iter().copied())
                .to_owned(),
        );
        db.handle().execute(&q).await?;
    }
    Ok(())
}

/// Compiled releases of imported processes after `after_ocid`, in ocid order (for analytics).
pub async fn compiled_after(
    db: &mut impl Queryable,
    after_ocid: &str,
    limit: u64,
) -> Result<Vec<(String, String)>, RepoError> {
    db.handle()
        .all(
            &Query::select()
                .columns([P::Ocid, P::Compiled])
                .from(P::Table)
                .and_where(Expr::col(P::Ocid).gt(after_ocid))
                .order_by(P::Ocid, Order::Asc)
                .limit(limit)
                .to_owned(),
        )
        .await
}

/// Number of imported processes and the newest import instant (the analytics' data version).
pub async fn version(db: &mut impl Queryable) -> Result<(i64, i64), RepoError> {
    db.handle()
        .one(
            &Query::select()
                .expr(Func::count(Expr::col(P::Ocid)))
                .expr(Func::coalesce([
                    Func::max(Expr::col(P::ImportedAt)).into(),
                    Expr::val(0i64),
                ]))
                .from(P::Table)
                .to_owned(),
        )
        .await
}
