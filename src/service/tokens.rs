//! Personal API tokens: each user creates tokens for their scripts and revokes them.

use super::audit::{Publication, commit_with};
use super::auth::{API_TOKEN_PREFIX, random_token, token_hash};
use super::events::tokens::{ApiTokenCreated, ApiTokenRevoked};
use super::{Actor, ServiceError};
use crate::domain::time::Timestamp;
use crate::domain::user::User;
use crate::domain::validation::Validator;
use crate::repository::Database;
use crate::repository::api_tokens::{self, ApiTokenRow};

/// A freshly created token: the secret is returned this once and never stored.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CreatedToken {
    /// The secret to put in `Authorization: Bearer …`.
    pub token: String,
    /// The stored record.
    pub record: ApiTokenRow,
}

/// Creates a token for `user`, valid for `days` (None = until revoked).
pub async fn create(
    db: &Database,
    user: &User,
    name: &str,
    days: Option<i64>,
) -> Result<CreatedToken, ServiceError> {
    let mut v = Validator::new();
    let name = v.text("name", name, 1, 80);
    if let Some(d) = days
        && !(1..=3650).contains(&d)
    {
        v.fail("days", crate::domain::validation::FieldCode::InvalidNumber);
    }
    v.finish().map_err(ServiceError::Validation)?;
    let secret = format!("{API_TOKEN_PREFIX}{}", random_token());
    let prefix: String = secret.chars().take(API_TOKEN_PREFIX.len() + 6).collect();
    let now = Timestamp::now();
    let expires = days.map(|d| now.plus_seconds(d * 86_400));
    let mut tx = db.begin().await?;
    let id = api_tokens::insert(
        &mut tx,
        user.id,
        &name,
        &token_hash(&secret),
        &prefix,
        now,
        expires,
    )
    .await?;
    let row = api_tokens::find(&mut tx, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    commit_with(
        tx,
        &Actor::User(user.clone()),
        &ApiTokenCreated { token: &row },
        Publication::None,
    )
    .await?;
    Ok(CreatedToken {
        token: secret,
        record: row,
    })
}

/// The user's tokens, newest first.
pub async fn list(db: &Database, user: &User) -> Result<Vec<ApiTokenRow>, ServiceError> {
    let mut conn = db.read().await?;
    Ok(api_tokens::list_for_user(&mut conn, user.id).await?)
}

/// Revokes one of the user's tokens; someone else's token is "not found" (its existence is
/// not revealed). Revoking twice is an illegal transition.
pub async fn revoke(db: &Database, user: &User, id: i64) -> Result<ApiTokenRow, ServiceError> {
    let mut tx = db.begin().await?;
    let before = api_tokens::find(&mut tx, id)
        .await?
        .filter(|t| t.user_id == user.id)
        .ok_or(ServiceError::NotFound)?;
    if !api_tokens::revoke(&mut tx, id, Timestamp::now()).await? {
        return Err(ServiceError::IllegalTransition {
            from: "revoked".into(),
            action: "revoke".into(),
        });
    }
    let after = api_tokens::find(&mut tx, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    commit_with(
        tx,
        &Actor::User(user.clone()),
        &ApiTokenRevoked {
            before: &before,
            after: &after,
        },
        Publication::None,
    )
    .await?;
    Ok(after)
}
