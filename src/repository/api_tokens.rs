//! Personal API tokens. Only the SHA-256 of a token is stored; the token itself is shown once
//! when created.

use super::db::{Queryable, RepoError};
use super::schema::ApiTokens;
use crate::domain::time::Timestamp;
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::Serialize;

/// A stored token (without its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ApiTokenRow {
    /// Id, used to revoke it.
    pub id: i64,
    /// Owner.
    pub user_id: i64,
    /// What the owner called it ("informe mensual", "script de auditoría").
    pub name: String,
    /// First characters of the token, so the owner can recognise it.
    pub prefix: String,
    /// Creation instant (µs since epoch).
    pub created_at: i64,
    /// Last use (µs), if ever used.
    pub last_used_at: Option<i64>,
    /// Expiry (µs), if any.
    pub expires_at: Option<i64>,
    /// Revocation instant (µs), if revoked.
    pub revoked_at: Option<i64>,
}

const COLUMNS: [ApiTokens; 8] = [
    ApiTokens::Id,
    ApiTokens::UserId,
    ApiTokens::Name,
    ApiTokens::Prefix,
    ApiTokens::CreatedAt,
    ApiTokens::LastUsedAt,
    ApiTokens::ExpiresAt,
    ApiTokens::RevokedAt,
];

/// Stores a new token's hash.
pub async fn insert(
    db: &mut impl Queryable,
    user_id: i64,
    name: &str,
    token_hash: &str,
    prefix: &str,
    now: Timestamp,
    expires_at: Option<Timestamp>,
) -> Result<i64, RepoError> {
    let (id,): (i64,) = db
        .handle()
        .one(
            &Query::insert()
                .into_table(ApiTokens::Table)
                .columns([
                    ApiTokens::UserId,
                    ApiTokens::Name,
                    ApiTokens::TokenHash,
                    ApiTokens::Prefix,
                    ApiTokens::CreatedAt,
                    ApiTokens::ExpiresAt,
                ])
                .values_panic([
                    user_id.into(),
                    name.into(),
                    token_hash.into(),
                    prefix.into(),
                    now.as_micros().into(),
                    expires_at.map(Timestamp::as_micros).into(),
                ])
                .returning_col(ApiTokens::Id)
                .to_owned(),
        )
        .await?;
    Ok(id)
}

/// A user's tokens, newest first, revoked ones included (the owner sees the history).
pub async fn list_for_user(
    db: &mut impl Queryable,
    user_id: i64,
) -> Result<Vec<ApiTokenRow>, RepoError> {
    db.handle()
        .all(
            &Query::select()
                .columns(COLUMNS)
                .from(ApiTokens::Table)
                .and_where(Expr::col(ApiTokens::UserId).eq(user_id))
                .order_by(ApiTokens::Id, Order::Desc)
                .to_owned(),
        )
        .await
}

/// One token by id.
pub async fn find(db: &mut impl Queryable, id: i64) -> Result<Option<ApiTokenRow>, RepoError> {
    db.handle()
        .optional(
            &Query::select()
                .columns(COLUMNS)
                .from(ApiTokens::Table)
                .and_where(Expr::col(ApiTokens::Id).eq(id))
                .to_owned(),
        )
        .await
}

/// The usable (not revoked, not expired) token with this hash.
pub async fn find_usable(
    db: &mut impl Queryable,
    token_hash: &str,
    now: Timestamp,
) -> Result<Option<ApiTokenRow>, RepoError> {
    db.handle()
        .optional(
            &Query::select()
                .columns(COLUMNS)
                .from(ApiTokens::Table)
                .and_where(Expr::col(ApiTokens::TokenHash).eq(token_hash))
                .and_where(Expr::col(ApiTokens::RevokedAt).is_null())
                .and_where(
                    Expr::col(ApiTokens::ExpiresAt)
                        .is_null()
                        .or(Expr::col(ApiTokens::ExpiresAt).gt(now.as_micros())),
                )
                .to_owned(),
        )
        .await
}

/// Marks a token revoked; returns whether it was usable before.
pub async fn revoke(db: &mut impl Queryable, id: i64, now: Timestamp) -> Result<bool, RepoError> {
    Ok(db
        .handle()
        .execute(
            &Query::update()
                .table(ApiTokens::Table)
                .value(ApiTokens::RevokedAt, now.as_micros())
                .and_where(Expr::col(ApiTokens::Id).eq(id))
                .and_where(Expr::col(ApiTokens::RevokedAt).is_null())
                .to_owned(),
        )
        .await?
        > 0)
}

/// Records that a token was used (at most once a minute per token, see the service).
pub async fn touch(db: &mut impl Queryable, id: i64, now: Timestamp) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::update()
                .table(ApiTokens::Table)
                .value(ApiTokens::LastUsedAt, now.as_micros())
                .and_where(Expr::col(ApiTokens::Id).eq(id))
                .to_owned(),
        )
        .await?;
    Ok(())
}
