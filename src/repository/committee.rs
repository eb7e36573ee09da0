//! Opening and evaluation committees, members' opening keys, tenders' sealing keys, and
//! conflict-of-interest declarations.

use super::db::{Queryable, RepoError};
use super::schema_esourcing::{CommitteeMembers, ConflictDeclarations, OpeningKeys, TenderKeys};
use crate::domain::time::Timestamp;
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::Serialize;

/// A committee member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct MemberRow {
    /// Tender.
    pub tender_id: i64,
    /// Member.
    pub user_id: i64,
    /// Whether they chair the committee.
    pub chair: bool,
}

/// Replaces a tender's committee.
pub async fn set_members(
    db: &mut impl Queryable,
    tender_id: i64,
    members: &[(i64, bool)],
) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::delete()
                .from_table(CommitteeMembers::Table)
                .and_where(Expr::col(CommitteeMembers::TenderId).eq(tender_id))
                .to_owned(),
        )
        .await?;
    if members.is_empty() {
        return Ok(());
    }
    let mut insert = Query::insert()
        .into_table(CommitteeMembers::Table)
        .columns([
            CommitteeMembers::TenderId,
            CommitteeMembers::UserId,
            CommitteeMembers::Chair,
        ])
        .to_owned();
    for (user, chair) in members {
        insert.values_panic([tender_id.into(), (*user).into(), (*chair).into()]);
    }
    db.handle().execute(&insert).await?;
    Ok(())
}

/// A tender's committee.
pub async fn members(db: &mut impl Queryable, tender_id: i64) -> Result<Vec<MemberRow>, RepoError> {
    db.handle()
        .all(
            &Query::select()
                .columns([
                    CommitteeMembers::TenderId,
                    CommitteeMembers::UserId,
                    CommitteeMembers::Chair,
                ])
                .from(CommitteeMembers::Table)
                .and_where(Expr::col(CommitteeMembers::TenderId).eq(tender_id))
                .order_by(CommitteeMembers::UserId, Order::Asc)
                .to_owned(),
        )
        .await
}

/// Tenders on whose committee a user sits.
pub async fn tenders_of_member(
    db: &mut impl Queryable,
    user_id: i64,
) -> Result<Vec<i64>, RepoError> {
    let rows: Vec<(i64,)> = db
        .handle()
        .all(
            &Query::select()
                .column(CommitteeMembers::TenderId)
                .from(CommitteeMembers::Table)
                .and_where(Expr::col(CommitteeMembers::UserId).eq(user_id))
                .order_by(CommitteeMembers::TenderId, Order::Desc)
                .to_owned(),
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// A member's opening key: public key and private key wrapped with their opening passphrase.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OpeningKeyRow {
    /// Owner.
    pub user_id: i64,
    /// Public key (encoded).
    pub public_key: String,
    /// Wrapped private key (encoded).
    pub wrapped_key: String,
    /// Creation (µs).
    pub created_at: i64,
}

/// Stores or replaces a member's opening key.
pub async fn put_opening_key(
    db: &mut impl Queryable,
    user_id: i64,
    public_key: &str,
    wrapped: &str,
    now: Timestamp,
) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::delete()
                .from_table(OpeningKeys::Table)
                .and_where(Expr::col(OpeningKeys::UserId).eq(user_id))
                .to_owned(),
        )
        .await?;
    db.handle()
        .execute(
            &Query::insert()
                .into_table(OpeningKeys::Table)
                .columns([
                    OpeningKeys::UserId,
                    OpeningKeys::PublicKey,
                    OpeningKeys::WrappedKey,
                    OpeningKeys::CreatedAt,
                ])
                .values_panic([
                    user_id.into(),
                    public_key.into(),
                    wrapped.into(),
                    now.as_micros().into(),
                ])
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// Opening keys of some users.
pub async fn opening_keys(
    db: &mut impl Queryable,
    user_ids: &[i64],
) -> Result<Vec<OpeningKeyRow>, RepoError> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    db.handle()
        .all(
            &Query::select()
                .columns([
                    OpeningKeys::UserId,
                    OpeningKeys::PublicKey,
                    OpeningKeys::WrappedKey,
                    OpeningKeys::CreatedAt,
                ])
                .from(OpeningKeys::Table)
                .and_where(Expr::col(OpeningKeys::UserId).is_in(user_ids.to_vec()))
                .to_owned(),
        )
        .await
}

/// A tender's sealing key (everything needed to seal bids and, with k members, to open them).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TenderKeyRow {
    /// Tender.
    pub tender_id: i64,
    /// The encoded sealing key (public key, threshold, encrypted shares).
    pub sealing_key: String,
    /// Shares needed.
    pub threshold: i64,
    /// Creation (µs).
    pub created_at: i64,
}

/// Stores a tender's sealing key (once, at publication).
pub async fn put_tender_key(
    db: &mut impl Queryable,
    tender_id: i64,
    sealing_key: &str,
    threshold: i64,
    now: Timestamp,
) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::insert()
                .into_table(TenderKeys::Table)
                .columns([
                    TenderKeys::TenderId,
                    TenderKeys::SealingKey,
                    TenderKeys::Threshold,
                    TenderKeys::CreatedAt,
                ])
                .values_panic([
                    tender_id.into(),
                    sealing_key.into(),
                    threshold.into(),
                    now.as_micros().into(),
                ])
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// A tender's sealing key.
pub async fn tender_key(
    db: &mut impl Queryable,
    tender_id: i64,
) -> Result<Option<TenderKeyRow>, RepoError> {
    db.handle()
        .optional(
            &Query::select()
                .columns([
                    TenderKeys::TenderId,
                    TenderKeys::SealingKey,
                    TenderKeys::Threshold,
                    TenderKeys::CreatedAt,
                ])
                .from(TenderKeys::Table)
                .and_where(Expr::col(TenderKeys::TenderId).eq(tender_id))
                .to_owned(),
        )
        .await
}

/// A conflict-of-interest declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct DeclarationRow {
    /// Tender.
    pub tender_id: i64,
    /// Member.
    pub user_id: i64,
    /// Whether they declared a conflict (they then take no part in the evaluation).
    pub has_conflict: bool,
    /// Their statement.
    pub statement: String,
    /// When (µs).
    pub declared_at: i64,
}

/// Records a declaration (once per member and tender).
pub async fn declare(db: &mut impl Queryable, d: &DeclarationRow) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::insert()
                .into_table(ConflictDeclarations::Table)
                .columns([
                    ConflictDeclarations::TenderId,
                    ConflictDeclarations::UserId,
                    ConflictDeclarations::HasConflict,
                    ConflictDeclarations::Statement,
                    ConflictDeclarations::DeclaredAt,
                ])
                .values_panic([
                    d.tender_id.into(),
                    d.user_id.into(),
                    d.has_conflict.into(),
                    d.statement.as_str().into(),
                    d.declared_at.into(),
                ])
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// Declarations of a tender.
pub async fn declarations(
    db: &mut impl Queryable,
    tender_id: i64,
) -> Result<Vec<DeclarationRow>, RepoError> {
    db.handle()
        .all(
            &Query::select()
                .columns([
                    ConflictDeclarations::TenderId,
                    ConflictDeclarations::UserId,
                    ConflictDeclarations::HasConflict,
                    ConflictDeclarations::Statement,
                    ConflictDeclarations::DeclaredAt,
                ])
                .from(ConflictDeclarations::Table)
                .and_where(Expr::col(ConflictDeclarations::TenderId).eq(tender_id))
                .order_by(ConflictDeclarations::UserId, Order::Asc)
                .to_owned(),
        )
        .await
}
