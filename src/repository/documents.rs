//! Documents: content-addressed blobs (stored once per SHA-256) and their attachments.

use super::db::{Queryable, RepoError};
use super::schema_esourcing::{Blobs, Documents};
use crate::domain::time::Timestamp;
use sea_query::{Expr, ExprTrait, OnConflict, Order, Query};
use serde::Serialize;

/// An attached document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct DocumentRow {
    /// Id.
    pub id: i64,
    /// `tender`, `bid`, `contract`, `complaint`, `amendment`.
    pub owner_type: String,
    /// Owner's id.
    pub owner_id: i64,
    /// File name as uploaded.
    pub filename: String,
    /// MIME type.
    pub content_type: String,
    /// Size in bytes.
    pub size: i64,
    /// SHA-256 of the content (hex): shown publicly so anyone can check a copy.
    pub sha256: String,
    /// Whether the public may download it.
    pub public: bool,
    /// Uploader.
    pub uploaded_by: i64,
    /// Upload instant (µs).
    pub uploaded_at: i64,
}

/// Stores content once (idempotent by hash).
pub async fn put_blob(
    db: &mut impl Queryable,
    sha256: &str,
    bytes: &[u8],
) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::insert()
                .into_table(Blobs::Table)
                .columns([Blobs::Sha256, Blobs::Size, Blobs::Bytes])
                .values_panic([
                    sha256.into(),
                    (bytes.len() as i64).into(),
                    bytes.to_vec().into(),
                ])
                .on_conflict(OnConflict::column(Blobs::Sha256).do_nothing().to_owned())
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// Content by hash.
pub async fn blob(db: &mut impl Queryable, sha256: &str) -> Result<Option<Vec<u8>>, RepoError> {
    let row: Option<(Vec<u8>,)> = db
        .handle()
        .optional(
            &Query::select()
                .column(Blobs::Bytes)
                .from(Blobs::Table)
                .and_where(Expr::col(Blobs::Sha256).eq(sha256))
                .to_owned(),
        )
        .await?;
    Ok(row.map(|r| r.0))
}

/// Attaches stored content to an owner.
pub async fn attach(
    db: &mut impl Queryable,
    owner_type: &str,
    owner_id: i64,
    filename: &str,
    content_type: &str,
    size: i64,
    sha256: &str,
    public: bool,
    by: i64,
    now: Timestamp,
) -> Result<i64, RepoError> {
    let (id,): (i64,) = db
        .handle()
        .one(
            &Query::insert()
                .into_table(Documents::Table)
                .columns([
                    Documents::OwnerType,
                    Documents::OwnerId,
                    Documents::Filename,
                    Documents::ContentType,
                    Documents::Size,
                    Documents::Sha256,
                    Documents::Public,
                    Documents::UploadedBy,
                    Documents::UploadedAt,
                ])
                .values_panic([
                    owner_type.into(),
                    owner_id.into(),
                    filename.into(),
                    content_type.into(),
                    size.into(),
                    sha256.into(),
                    public.into(),
                    by.into(),
                    now.as_micros().into(),
                ])
                .returning_col(Documents::Id)
                .to_owned(),
        )
        .await?;
    Ok(id)
}

const COLUMNS: [Documents; 10] = [
    Documents::Id,
    Documents::OwnerType,
    Documents::OwnerId,
    Documents::Filename,
    Documents::ContentType,
    Documents::Size,
    Documents::Sha256,
    Documents::Public,
    Documents::UploadedBy,
    Documents::UploadedAt,
];

/// Documents of an owner, oldest first.
pub async fn of_owner(
    db: &mut impl Queryable,
    owner_type: &str,
    owner_id: i64,
) -> Result<Vec<DocumentRow>, RepoError> {
    db.handle()
        .all(
            &Query::select()
                .columns(COLUMNS)
                .from(Documents::Table)
                .and_where(Expr::col(Documents::OwnerType).eq(owner_type))
                .and_where(Expr::col(Documents::OwnerId).eq(owner_id))
                .order_by(Documents::Id, Order::Asc)
                .to_owned(),
        )
        .await
}

/// One document.
pub async fn find(db: &mut impl Queryable, id: i64) -> Result<Option<DocumentRow>, RepoError> {
    db.handle()
        .optional(
            &Query::select()
                .columns(COLUMNS)
                .from(Documents::Table)
                .and_where(Expr::col(Documents::Id).eq(id))
                .to_owned(),
        )
        .await
}
