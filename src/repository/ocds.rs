//! SQL of the OCDS publication (issue 5): the release feed and the compiled records.

use super::db::{Queryable, RepoError};
use super::schema_esourcing::Tenders;
use super::schema_ocds::{OcdsFeedHead, OcdsRecords, OcdsReleases};
use sea_query::{Expr, ExprTrait, Func, OnConflict, Order, Query};

/// A stored release.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReleaseRow {
    /// Feed position.
    pub seq: i64,
    /// Release id.
    pub release_id: String,
    /// Process.
    pub ocid: String,
    /// Comma-separated tags.
    pub tags: String,
    /// Release date (UTC µs).
    pub release_date: i64,
    /// The release JSON.
    pub json: String,
}

const RELEASE_COLUMNS: [OcdsReleases; 6] = [
    OcdsReleases::Seq,
    OcdsReleases::ReleaseId,
    OcdsReleases::Ocid,
    OcdsReleases::Tags,
    OcdsReleases::ReleaseDate,
    OcdsReleases::Json,
];

/// Takes the next feed position. The head row stays locked until the caller's transaction ends,
/// which is what keeps the feed in commit order (see `schema_ocds`); call it as late in the
/// transaction as possible.
pub async fn next_seq(db: &mut impl Queryable) -> Result<i64, RepoError> {
    let (seq,): (i64,) = db
        .handle()
        .one(
            &Query::update()
                .table(OcdsFeedHead::Table)
                .value(
                    OcdsFeedHead::LastSeq,
                    Expr::col(OcdsFeedHead::LastSeq).add(1),
                )
                .and_where(Expr::col(OcdsFeedHead::Id).eq(1))
                .returning(Query::returning().column(OcdsFeedHead::LastSeq))
                .to_owned(),
        )
        .await?;
    Ok(seq)
}

/// Stores a release.
pub async fn insert_release(db: &mut impl Queryable, r: &ReleaseRow) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::insert()
                .into_table(OcdsReleases::Table)
                .columns(RELEASE_COLUMNS)
                .values_panic([
                    r.seq.into(),
                    r.release_id.as_str().into(),
                    r.ocid.as_str().into(),
                    r.tags.as_str().into(),
                    r.release_date.into(),
                    r.json.as_str().into(),
                ])
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// The releases after `after_seq` (and dated at or after `since`, µs), oldest first.
pub async fn releases_after(
    db: &mut impl Queryable,
    after_seq: i64,
    since: Option<i64>,
    limit: u64,
) -> Result<Vec<ReleaseRow>, RepoError> {
    let mut q = Query::select();
    q.columns(RELEASE_COLUMNS)
        .from(OcdsReleases::Table)
        .and_where(Expr::col(OcdsReleases::Seq).gt(after_seq))
        .order_by(OcdsReleases::Seq, Order::Asc)
        .limit(limit);
    if let Some(since) = since {
        q.and_where(Expr::col(OcdsReleases::ReleaseDate).gte(since));
    }
    db.handle().all(&q).await
}

/// One release by its id.
pub async fn release(
    db: &mut impl Queryable,
    release_id: &str,
) -> Result<Option<ReleaseRow>, RepoError> {
    db.handle()
        .optional(
            &Query::select()
                .columns(RELEASE_COLUMNS)
                .from(OcdsReleases::Table)
                .and_where(Expr::col(OcdsReleases::ReleaseId).eq(release_id))
                .to_owned(),
        )
        .await
}

/// Every release of a process, oldest first.
pub async fn releases_of(
    db: &mut impl Queryable,
    ocid: &str,
) -> Result<Vec<ReleaseRow>, RepoError> {
    db.handle()
        .all(
            &Query::select()
                .columns(RELEASE_COLUMNS)
                .from(OcdsReleases::Table)
                .and_where(Expr::col(OcdsReleases::Ocid).eq(ocid))
                .order_by(OcdsReleases::Seq, Order::Asc)
                .to_owned(),
        )
        .await
}

/// The newest feed position (0 when nothing was published).
pub async fn last_seq(db: &mut impl Queryable) -> Result<i64, RepoError> {
    let (seq,): (i64,) = db
        .handle()
        .one(
            &Query::select()
                .column(OcdsFeedHead::LastSeq)
                .from(OcdsFeedHead::Table)
                .and_where(Expr::col(OcdsFeedHead::Id).eq(1))
                .to_owned(),
        )
        .await?;
    Ok(seq)
}

/// A process's compiled release.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RecordRow {
    /// Process.
    pub ocid: String,
    /// Compiled release JSON.
    pub compiled: String,
    /// Number of releases.
    pub release_count: i64,
    /// Newest release's feed position.
    pub last_seq: i64,
    /// Newest release's date (UTC µs).
    pub updated_at: i64,
}

const RECORD_COLUMNS: [OcdsRecords; 5] = [
    OcdsRecords::Ocid,
    OcdsRecords::Compiled,
    OcdsRecords::ReleaseCount,
    OcdsRecords::LastSeq,
    OcdsRecords::UpdatedAt,
];

/// Writes (or replaces) a process's compiled release.
pub async fn upsert_record(db: &mut impl Queryable, r: &RecordRow) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::insert()
                .into_table(OcdsRecords::Table)
                .columns(RECORD_COLUMNS)
                .values_panic([
                    r.ocid.as_str().into(),
                    r.compiled.as_str().into(),
                    r.release_count.into(),
                    r.last_seq.into(),
                    r.updated_at.into(),
                ])
                .on_conflict(
                    OnConflict::column(OcdsRecords::Ocid)
                        .update_columns([
                            OcdsRecords::Compiled,
                            OcdsRecords::ReleaseCount,
                            OcdsRecords::LastSeq,
                            OcdsRecords::UpdatedAt,
                        ])
                        .to_owned(),
                )
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// One process's compiled release.
pub async fn record(db: &mut impl Queryable, ocid: &str) -> Result<Option<RecordRow>, RepoError> {
    db.handle()
        .optional(
            &Query::select()
                .columns(RECORD_COLUMNS)
                .from(OcdsRecords::Table)
                .and_where(Expr::col(OcdsRecords::Ocid).eq(ocid))
                .to_owned(),
        )
        .await
}

/// Records after `after_ocid` in ocid order (a stable order for paging and the bulk file).
pub async fn records_after(
    db: &mut impl Queryable,
    after_ocid: &str,
    limit: u64,
) -> Result<Vec<RecordRow>, RepoError> {
    db.handle()
        .all(
            &Query::select()
                .columns(RECORD_COLUMNS)
                .from(OcdsRecords::Table)
                .and_where(Expr::col(OcdsRecords::Ocid).gt(after_ocid))
                .order_by(OcdsRecords::Ocid, Order::Asc)
                .limit(limit)
                .to_owned(),
        )
        .await
}

/// Number of records that are tenders' processes (the rest are plan lines' planning
/// processes).
pub async fn tender_records(db: &mut impl Queryable) -> Result<i64, RepoError> {
    let (n,): (i64,) = db
        .handle()
        .one(
            &Query::select()
                .expr(Func::count(Expr::col((
                    OcdsRecords::Table,
                    OcdsRecords::Ocid,
                ))))
                .from(OcdsRecords::Table)
                .inner_join(
                    Tenders::Table,
                    Expr::col((Tenders::Table, Tenders::Ocid))
                        .equals((OcdsRecords::Table, OcdsRecords::Ocid)),
                )
                .to_owned(),
        )
        .await?;
    Ok(n)
}

/// Number of records and the newest feed position among them (the bulk file's version).
pub async fn records_summary(db: &mut impl Queryable) -> Result<(i64, i64), RepoError> {
    db.handle()
        .one(
            &Query::select()
                .expr(Func::count(Expr::col(OcdsRecords::Ocid)))
                .expr(Func::coalesce([
                    Func::max(Expr::col(OcdsRecords::LastSeq)).into(),
                    Expr::val(0i64),
                ]))
                .from(OcdsRecords::Table)
                .to_owned(),
        )
        .await
}
