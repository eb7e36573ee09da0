//! Sealed bids, their sealed documents, suppliers' interest in tenders, the opening record and
//! the opened contents.
//!
//! Before the opening only ciphertext is stored here (`sealed`, `bid_documents.sealed`); no
//! column holds a price or any other bid content in the clear (issue 3, item 7).

use super::db::{Queryable, RepoError};
use super::schema_esourcing::{BidDocuments, Bids, OpenedBids, Openings, TenderInterests};
use crate::domain::time::Timestamp;
use sea_query::{Asterisk, Expr, ExprTrait, OnConflict, Order, Query};
use serde::Serialize;

/// Bid statuses.
pub mod status {
    /// Sealed and standing.
    pub const SUBMITTED: &str = "submitted";
    /// Withdrawn by the supplier before the deadline.
    pub const WITHDRAWN: &str = "withdrawn";
    /// Replaced by a newer bid of the same supplier and lot.
    pub const REPLACED: &str = "replaced";
    /// Opened (content readable in `opened_bids`).
    pub const OPENED: &str = "opened";
}

/// A stored bid (ciphertext only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct BidRow {
    /// Id.
    pub id: i64,
    /// Tender.
    pub tender_id: i64,
    /// Lot.
    pub lot_id: i64,
    /// Bidding supplier.
    pub supplier_id: i64,
    /// `submitted`, `withdrawn`, `replaced` or `opened`.
    pub status: String,
    /// The sealed content (encoded ciphertext).
    #[serde(skip)]
    pub sealed: String,
    /// Receipt hash shown to the supplier.
    pub receipt_hash: String,
    /// Submitting user.
    pub submitted_by: i64,
    /// Server time of submission (µs).
    pub submitted_at: i64,
    /// Withdrawal time (µs).
    pub withdrawn_at: Option<i64>,
    /// The bid that replaced this one.
    pub replaced_by: Option<i64>,
}

const COLUMNS: [Bids; 11] = [
    Bids::Id,
    Bids::TenderId,
    Bids::LotId,
    Bids::SupplierId,
    Bids::Status,
    Bids::Sealed,
    Bids::ReceiptHash,
    Bids::SubmittedBy,
    Bids::SubmittedAt,
    Bids::WithdrawnAt,
    Bids::ReplacedBy,
];

/// Creates a bid row and returns its id. The ciphertext is bound to the id, so the service
/// seals the content after this and stores it with [`set_sealed`] in the same transaction
/// (no other transaction ever sees the row without its ciphertext).
pub async fn insert(
    db: &mut impl Queryable,
    tender_id: i64,
    lot_id: i64,
    supplier_id: i64,
    by: i64,
    now: Timestamp,
) -> Result<i64, RepoError> {
    let (id,): (i64,) = db
        .handle()
        .one(
            &Query::insert()
                .into_table(Bids::Table)
                .columns([
                    Bids::TenderId,
                    Bids::LotId,
                    Bids::SupplierId,
                    Bids::Status,
                    Bids::Sealed,
                    Bids::ReceiptHash,
                    Bids::SubmittedBy,
                    Bids::SubmittedAt,
                ])
                .values_panic([
                    tender_id.into(),
                    lot_id.into(),
                    supplier_id.into(),
                    status::SUBMITTED.into(),
                    "".into(),
                    "".into(),
                    by.into(),
                    now.as_micros().into(),
                ])
                .returning_col(Bids::Id)
                .to_owned(),
        )
        .await?;
    Ok(id)
}

/// Stores the ciphertext and receipt hash of a bid created with [`insert`].
pub async fn set_sealed(
    db: &mut impl Queryable,
    id: i64,
    sealed: &str,
    receipt_hash: &str,
) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::update()
                .table(Bids::Table)
                .values([
                    (Bids::Sealed, sealed.into()),
                    (Bids::ReceiptHash, receipt_hash.into()),
                ])
                .and_where(Expr::col(Bids::Id).eq(id))
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// Erases a withdrawn or replaced bid's ciphertext and its sealed documents (the receipt hash
/// stays, so the supplier's receipt still identifies it).
pub async fn erase_sealed(db: &mut impl Queryable, id: i64) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::update()
                .table(Bids::Table)
                .value(Bids::Sealed, "")
                .and_where(Expr::col(Bids::Id).eq(id))
                .to_owned(),
        )
        .await?;
    db.handle()
        .execute(
            &Query::delete()
                .from_table(BidDocuments::Table)
                .and_where(Expr::col(BidDocuments::BidId).eq(id))
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// One bid.
pub async fn find(db: &mut impl Queryable, id: i64) -> Result<Option<BidRow>, RepoError> {
    db.handle()
        .optional(
            &Query::select()
                .columns(COLUMNS)
                .from(Bids::Table)
                .and_where(Expr::col(Bids::Id).eq(id))
                .to_owned(),
        )
        .await
}

/// The standing bid of a supplier on a lot.
pub async fn standing(
    db: &mut impl Queryable,
    lot_id: i64,
    supplier_id: i64,
) -> Result<Option<BidRow>, RepoError> {
    db.handle()
        .optional(
            &Query::select()
                .columns(COLUMNS)
                .from(Bids::Table)
                .and_where(Expr::col(Bids::LotId).eq(lot_id))
                .and_where(Expr::col(Bids::SupplierId).eq(supplier_id))
                .and_where(Expr::col(Bids::Status).eq(status::SUBMITTED))
                .to_owned(),
        )
        .await
}

/// Bids of a tender in a status (None = all), oldest first.
pub async fn of_tender(
    db: &mut impl Queryable,
    tender_id: i64,
    in_status: Option<&str>,
) -> Result<Vec<BidRow>, RepoError> {
    let mut q = Query::select()
        .columns(COLUMNS)
        .from(Bids::Table)
        .and_where(Expr::col(Bids::TenderId).eq(tender_id))
        .order_by(Bids::SubmittedAt, Order::Asc)
        .order_by(Bids::Id, Order::Asc)
        .to_owned();
    if let Some(s) = in_status {
        q.and_where(Expr::col(Bids::Status).eq(s));
    }
    db.handle().all(&q).await
}

/// A supplier's bids, newest first.
pub async fn of_supplier(
    db: &mut impl Queryable,
    supplier_id: i64,
) -> Result<Vec<BidRow>, RepoError> {
    db.handle()
        .all(
            &Query::select()
                .columns(COLUMNS)
                .from(Bids::Table)
                .and_where(Expr::col(Bids::SupplierId).eq(supplier_id))
                .order_by(Bids::Id, Order::Desc)
                .to_owned(),
        )
        .await
}

/// Number of standing bids on a tender: sealed ones before the opening, opened ones after it
/// (an opened bid still stands; counting only sealed ones showed 0 on every opened tender,
/// issue 13). Public before opening: how many, never who or what.
pub async fn count_standing(db: &mut impl Queryable, tender_id: i64) -> Result<i64, RepoError> {
    let (n,): (i64,) = db
        .handle()
        .one(
            &Query::select()
                .expr(Expr::col(Asterisk).count())
                .from(Bids::Table)
                .and_where(Expr::col(Bids::TenderId).eq(tender_id))
                .and_where(Expr::col(Bids::Status).is_in([status::SUBMITTED, status::OPENED]))
                .to_owned(),
        )
        .await?;
    Ok(n)
}

/// Moves a bid from `from` to `to` (returns whether it was in `from`).
pub async fn set_status(
    db: &mut impl Queryable,
    id: i64,
    from: &str,
    to: &str,
    now: Timestamp,
    replaced_by: Option<i64>,
) -> Result<bool, RepoError> {
    let mut q = Query::update()
        .table(Bids::Table)
        .value(Bids::Status, to)
        .and_where(Expr::col(Bids::Id).eq(id))
        .and_where(Expr::col(Bids::Status).eq(from))
        .to_owned();
    if to == status::WITHDRAWN {
        q.value(Bids::WithdrawnAt, now.as_micros());
    }
    if let Some(r) = replaced_by {
        q.value(Bids::ReplacedBy, r);
    }
    Ok(db.handle().execute(&q).await? == 1)
}

/// Links a replaced bid to the bid that replaced it.
pub async fn set_replaced_by(
    db: &mut impl Queryable,
    id: i64,
    replacement: i64,
) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::update()
                .table(Bids::Table)
                .value(Bids::ReplacedBy, replacement)
                .and_where(Expr::col(Bids::Id).eq(id))
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// A sealed bid document.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SealedDocumentRow {
    /// Id.
    pub id: i64,
    /// Bid.
    pub bid_id: i64,
    /// File name.
    pub filename: String,
    /// MIME type.
    pub content_type: String,
    /// Plaintext size.
    pub size: i64,
    /// Encoded ciphertext.
    pub sealed: String,
    /// SHA-256 of the ciphertext (in the receipt).
    pub ciphertext_sha256: String,
}

/// Stores a sealed document of a bid.
pub async fn insert_document(
    db: &mut impl Queryable,
    d: &SealedDocumentRow,
) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::insert()
                .into_table(BidDocuments::Table)
                .columns([
                    BidDocuments::BidId,
                    BidDocuments::Filename,
                    BidDocuments::ContentType,
                    BidDocuments::Size,
                    BidDocuments::Sealed,
                    BidDocuments::CiphertextSha256,
                ])
                .values_panic([
                    d.bid_id.into(),
                    d.filename.as_str().into(),
                    d.content_type.as_str().into(),
                    d.size.into(),
                    d.sealed.as_str().into(),
                    d.ciphertext_sha256.as_str().into(),
                ])
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// Sealed documents of a bid.
pub async fn documents(
    db: &mut impl Queryable,
    bid_id: i64,
) -> Result<Vec<SealedDocumentRow>, RepoError> {
    db.handle()
        .all(
            &Query::select()
                .columns([
                    BidDocuments::Id,
                    BidDocuments::BidId,
                    BidDocuments::Filename,
                    BidDocuments::ContentType,
                    BidDocuments::Size,
                    BidDocuments::Sealed,
                    BidDocuments::CiphertextSha256,
                ])
                .from(BidDocuments::Table)
                .and_where(Expr::col(BidDocuments::BidId).eq(bid_id))
                .order_by(BidDocuments::Id, Order::Asc)
                .to_owned(),
        )
        .await
}

/// Records a supplier's interest in a tender (idempotent).
pub async fn register_interest(
    db: &mut impl Queryable,
    tender_id: i64,
    supplier_id: i64,
    now: Timestamp,
) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::insert()
                .into_table(TenderInterests::Table)
                .columns([
                    TenderInterests::TenderId,
                    TenderInterests::SupplierId,
                    TenderInterests::CreatedAt,
                ])
                .values_panic([tender_id.into(), supplier_id.into(), now.as_micros().into()])
                .on_conflict(
                    OnConflict::columns([TenderInterests::TenderId, TenderInterests::SupplierId])
                        .do_nothing()
                        .to_owned(),
                )
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// Whether a supplier follows a tender.
pub async fn is_interested(
    db: &mut impl Queryable,
    tender_id: i64,
    supplier_id: i64,
) -> Result<bool, RepoError> {
    let row: Option<(i64,)> = db
        .handle()
        .optional(
            &Query::select()
                .column(TenderInterests::SupplierId)
                .from(TenderInterests::Table)
                .and_where(Expr::col(TenderInterests::TenderId).eq(tender_id))
                .and_where(Expr::col(TenderInterests::SupplierId).eq(supplier_id))
                .to_owned(),
        )
        .await?;
    Ok(row.is_some())
}

/// Removes a supplier's interest in a tender; whether it was there.
pub async fn remove_interest(
    db: &mut impl Queryable,
    tender_id: i64,
    supplier_id: i64,
) -> Result<bool, RepoError> {
    let removed = db
        .handle()
        .execute(
            &Query::delete()
                .from_table(TenderInterests::Table)
                .and_where(Expr::col(TenderInterests::TenderId).eq(tender_id))
                .and_where(Expr::col(TenderInterests::SupplierId).eq(supplier_id))
                .to_owned(),
        )
        .await?;
    Ok(removed > 0)
}

/// Suppliers interested in a tender.
pub async fn interested(db: &mut impl Queryable, tender_id: i64) -> Result<Vec<i64>, RepoError> {
    let rows: Vec<(i64,)> = db
        .handle()
        .all(
            &Query::select()
                .column(TenderInterests::SupplierId)
                .from(TenderInterests::Table)
                .and_where(Expr::col(TenderInterests::TenderId).eq(tender_id))
                .to_owned(),
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Tenders a supplier follows, most recent interest first.
pub async fn interests_of_supplier(
    db: &mut impl Queryable,
    supplier_id: i64,
) -> Result<Vec<i64>, RepoError> {
    let rows: Vec<(i64,)> = db
        .handle()
        .all(
            &Query::select()
                .column(TenderInterests::TenderId)
                .from(TenderInterests::Table)
                .and_where(Expr::col(TenderInterests::SupplierId).eq(supplier_id))
                .order_by(TenderInterests::CreatedAt, Order::Desc)
                .limit(200)
                .to_owned(),
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// The public opening record.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OpeningRow {
    /// Tender.
    pub tender_id: i64,
    /// When (µs).
    pub opened_at: i64,
    /// JSON list of the members whose shares opened it.
    pub opened_by: String,
    /// JSON record: every bidder and price.
    pub record: String,
}

/// Stores the opening record.
pub async fn insert_opening(db: &mut impl Queryable, o: &OpeningRow) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::insert()
                .into_table(Openings::Table)
                .columns([
                    Openings::TenderId,
                    Openings::OpenedAt,
                    Openings::OpenedBy,
                    Openings::Record,
                ])
                .values_panic([
                    o.tender_id.into(),
                    o.opened_at.into(),
                    o.opened_by.as_str().into(),
                    o.record.as_str().into(),
                ])
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// The opening record of a tender.
pub async fn opening(
    db: &mut impl Queryable,
    tender_id: i64,
) -> Result<Option<OpeningRow>, RepoError> {
    db.handle()
        .optional(
            &Query::select()
                .columns([
                    Openings::TenderId,
                    Openings::OpenedAt,
                    Openings::OpenedBy,
                    Openings::Record,
                ])
                .from(Openings::Table)
                .and_where(Expr::col(Openings::TenderId).eq(tender_id))
                .to_owned(),
        )
        .await
}

/// An opened bid's content and evaluation outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct OpenedBidRow {
    /// Bid.
    pub bid_id: i64,
    /// The decrypted content (JSON).
    pub content: String,
    /// Total price (exact text).
    pub total: String,
    /// Total in minor units.
    pub total_minor: i64,
    /// Consolidated compliance, once evaluated.
    pub compliant: Option<bool>,
    /// Rank among compliant bids, once evaluated.
    pub rank: Option<i64>,
    /// Weighted score, once evaluated.
    pub score: Option<String>,
    /// The final price of the reverse auction, when one was held (issue 4): the award's amount.
    pub auction_total: Option<String>,
}

/// Stores an opened bid's content.
pub async fn insert_opened(
    db: &mut impl Queryable,
    bid_id: i64,
    content: &str,
    total: &str,
    total_minor: i64,
) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::insert()
                .into_table(OpenedBids::Table)
                .columns([
                    OpenedBids::BidId,
                    OpenedBids::Content,
                    OpenedBids::Total,
                    OpenedBids::TotalMinor,
                ])
                .values_panic([
                    bid_id.into(),
                    content.into(),
                    total.into(),
                    total_minor.into(),
                ])
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// Stores a bid's evaluation outcome.
pub async fn set_outcome(
    db: &mut impl Queryable,
    bid_id: i64,
    compliant: bool,
    rank: Option<i64>,
    score: Option<&str>,
) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::update()
                .table(OpenedBids::Table)
                .values([
                    (OpenedBids::Compliant, compliant.into()),
                    (OpenedBids::Rank, rank.into()),
                    (OpenedBids::Score, score.map(str::to_string).into()),
                ])
                .and_where(Expr::col(OpenedBids::BidId).eq(bid_id))
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// Opened contents of some bids.
pub async fn opened(
    db: &mut impl Queryable,
    bid_ids: &[i64],
) -> Result<Vec<OpenedBidRow>, RepoError> {
    if bid_ids.is_empty() {
        return Ok(Vec::new());
    }
    db.handle()
        .all(
            &Query::select()
                .columns([
                    OpenedBids::BidId,
                    OpenedBids::Content,
                    OpenedBids::Total,
                    OpenedBids::TotalMinor,
                    OpenedBids::Compliant,
                    OpenedBids::Rank,
                    OpenedBids::Score,
                    OpenedBids::AuctionTotal,
                ])
                .from(OpenedBids::Table)
                .and_where(Expr::col(OpenedBids::BidId).is_in(bid_ids.to_vec()))
                .order_by(OpenedBids::BidId, Order::Asc)
                .to_owned(),
        )
        .await
}
