//! Browser sessions. Only the SHA-256 of the session token is stored, so a copy of the
//! database does not let anyone sign in as its users.

use super::db::{Queryable, RepoError};
use super::schema::Sessions;
use crate::domain::time::Timestamp;
use sea_query::{Expr, ExprTrait, Query};

/// A stored session.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    /// SHA-256 (hex) of the cookie's token.
    pub token_hash: String,
    /// The signed-in user.
    pub user_id: i64,
    /// The anti-forgery token forms of this session must carry.
    pub csrf_token: String,
    /// Last request seen (µs), for sliding expiry.
    pub last_seen_at: i64,
    /// When it ends (µs).
    pub expires_at: i64,
}

/// Records a new session.
pub async fn insert(
    db: &mut impl Queryable,
    token_hash: &str,
    user_id: i64,
    csrf_token: &str,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::insert()
                .into_table(Sessions::Table)
                .columns([
                    Sessions::TokenHash,
                    Sessions::UserId,
                    Sessions::CsrfToken,
                    Sessions::CreatedAt,
                    Sessions::LastSeenAt,
                    Sessions::ExpiresAt,
                ])
                .values_panic([
                    token_hash.into(),
                    user_id.into(),
                    csrf_token.into(),
                    now.as_micros().into(),
                    now.as_micros().into(),
                    expires_at.as_micros().into(),
                ])
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// The unexpired session with this token hash.
pub async fn find_valid(
    db: &mut impl Queryable,
    token_hash: &str,
    now: Timestamp,
) -> Result<Option<SessionRow>, RepoError> {
    db.handle()
        .optional(
            &Query::select()
                .columns([
                    Sessions::TokenHash,
                    Sessions::UserId,
                    Sessions::CsrfToken,
                    Sessions::LastSeenAt,
                    Sessions::ExpiresAt,
                ])
                .from(Sessions::Table)
                .and_where(Expr::col(Sessions::TokenHash).eq(token_hash))
                .and_where(Expr::col(Sessions::ExpiresAt).gt(now.as_micros()))
                .to_owned(),
        )
        .await
}

/// Extends a session that is in use (sliding expiry).
pub async fn touch(
    db: &mut impl Queryable,
    token_hash: &str,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::update()
                .table(Sessions::Table)
                .values([
                    (Sessions::LastSeenAt, now.as_micros().into()),
                    (Sessions::ExpiresAt, expires_at.as_micros().into()),
                ])
                .and_where(Expr::col(Sessions::TokenHash).eq(token_hash))
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// Ends one session; returns whether it existed.
pub async fn delete(db: &mut impl Queryable, token_hash: &str) -> Result<bool, RepoError> {
    Ok(db
        .handle()
        .execute(
            &Query::delete()
                .from_table(Sessions::Table)
                .and_where(Expr::col(Sessions::TokenHash).eq(token_hash))
                .to_owned(),
        )
        .await?
        > 0)
}

/// Ends every session of a user (deactivation, password change); returns how many.
pub async fn delete_for_user(db: &mut impl Queryable, user_id: i64) -> Result<u64, RepoError> {
    db.handle()
        .execute(
            &Query::delete()
                .from_table(Sessions::Table)
                .and_where(Expr::col(Sessions::UserId).eq(user_id))
                .to_owned(),
        )
        .await
}

/// Ends every session of a user but one (the one changing its password stays signed in).
pub async fn delete_for_user_except(
    db: &mut impl Queryable,
    user_id: i64,
    keep_token_hash: Option<&str>,
) -> Result<u64, RepoError> {
    let mut delete = Query::delete()
        .from_table(Sessions::Table)
        .and_where(Expr::col(Sessions::UserId).eq(user_id))
        .to_owned();
    if let Some(keep) = keep_token_hash {
        delete.and_where(Expr::col(Sessions::TokenHash).ne(keep));
    }
    db.handle().execute(&delete).await
}

/// Removes expired sessions (housekeeping; they are already unusable).
pub async fn delete_expired(db: &mut impl Queryable, now: Timestamp) -> Result<u64, RepoError> {
    db.handle()
        .execute(
            &Query::delete()
                .from_table(Sessions::Table)
                .and_where(Expr::col(Sessions::ExpiresAt).lte(now.as_micros()))
                .to_owned(),
        )
        .await
}
