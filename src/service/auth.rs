//! Signing in and out, sessions, and API tokens.
//!
//! Passwords are hashed with Argon2id (OWASP Password Storage Cheat Sheet; RFC 9106), session
//! and API tokens are 256-bit random values of which only the SHA-256 is stored, and sign-in is
//! rate-limited per account and per address. Failures never say whether the username exists.

use super::audit::{Publication, commit_with};
use super::events::auth::{SessionSignedIn, SessionSignedOut};
use super::rate_limit::RateLimiter;
use super::{Actor, ServiceError};
use crate::domain::time::Timestamp;
use crate::domain::user::{User, canonical_username};
use crate::repository::{Database, api_tokens, sessions, users};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// Prefix of every API token, so leaked tokens are recognisable by secret scanners.
pub const API_TOKEN_PREFIX: &str = "tgs_";

/// Session and sign-in policy.
#[derive(Debug, Clone)]
pub struct AuthPolicy {
    /// Idle time after which a session ends (sliding).
    pub session_ttl: Duration,
    /// Failed sign-ins allowed per account per window.
    pub max_failures_per_account: usize,
    /// Sign-in attempts allowed per address per window.
    pub max_attempts_per_address: usize,
    /// The window of both limits.
    pub window: Duration,
}

impl Default for AuthPolicy {
    fn default() -> Self {
        AuthPolicy {
            session_ttl: Duration::from_secs(8 * 3600),
            max_failures_per_account: 5,
            max_attempts_per_address: 30,
            window: Duration::from_secs(15 * 60),
        }
    }
}

/// Sign-in limits kept by a running node.
#[derive(Debug)]
pub struct LoginGuard {
    per_account: RateLimiter,
    per_address: RateLimiter,
}

impl LoginGuard {
    /// Limits per the policy.
    pub fn new(policy: &AuthPolicy) -> LoginGuard {
        LoginGuard {
            per_account: RateLimiter::new(policy.max_failures_per_account, policy.window),
            per_address: RateLimiter::new(policy.max_attempts_per_address, policy.window),
        }
    }
}

/// 32 random bytes, URL-safe base64: the secret part of sessions, CSRF and API tokens.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// SHA-256 (hex) of a token, the only form stored. A fast hash is right here (unlike for
/// passwords): the tokens are long random values, not guessable.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compares two secrets in time independent of where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A random 128-bit salt (RFC 9106 recommends 128 bits).
fn new_salt() -> Result<SaltString, ServiceError> {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    SaltString::encode_b64(&bytes).map_err(|e| ServiceError::Internal(format!("salt: {e}")))
}

/// Hashes a password with Argon2id and a random salt (CPU-heavy: run off the async threads).
pub async fn hash_password(password: String) -> Result<String, ServiceError> {
    tokio::task::spawn_blocking(move || {
        let salt = new_salt()?;
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| ServiceError::Internal(format!("password hashing failed: {e}")))
    })
    .await
    .map_err(|e| ServiceError::Internal(e.to_string()))?
}

/// Checks a password against a stored hash (CPU-heavy: run off the async threads).
pub async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// A hash to verify against when the username does not exist, so that a wrong username takes
/// as long as a wrong password and usernames cannot be discovered by timing.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        new_salt()
            .ok()
            .and_then(|salt| {
                Argon2::default()
                    .hash_password(random_token().as_bytes(), &salt)
                    .ok()
                    .map(|h| h.to_string())
            })
            .unwrap_or_default()
    })
}

/// A new browser session: the cookie value (secret) and the user.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// Secret token for the cookie; never stored.
    pub token: String,
    /// Anti-forgery token for the session's forms.
    pub csrf_token: String,
    /// The signed-in user.
    pub user: User,
}

/// Signs a user in with username and password from `address`.
pub async fn login(
    db: &Database,
    guard: &LoginGuard,
    policy: &AuthPolicy,
    username: &str,
    password: &str,
    address: &str,
) -> Result<NewSession, ServiceError> {
    let username = canonical_username(username);
    let account_key = format!("account:{username}");
    let address_key = format!("address:{address}");
    if let Err(wait) = guard
        .per_address
        .check(&address_key)
        .and(guard.per_account.check(&account_key))
    {
        tracing::warn!(username = %username, address, "sign-in refused: rate limit");
        return Err(ServiceError::RateLimited {
            retry_after_secs: wait,
        });
    }
    guard.per_address.record(&address_key);
    if username.is_empty() || password.is_empty() || password.len() > 1024 {
        guard.per_account.record(&account_key);
        return Err(ServiceError::InvalidCredentials);
    }
    let found = {
        let mut conn = db.read().await?;
        users::find_for_login(&mut conn, &username).await?
    };
    let (user, hash) = match found {
        Some((user, hash)) => (Some(user), hash),
        None => (None, decoy_hash().to_string()),
    };
    let password_ok = verify_password(password.to_string(), hash).await;
    let Some(user) = user.filter(|_| password_ok) else {
        guard.per_account.record(&account_key);
        tracing::info!(username = %username, address, "sign-in failed");
        return Err(ServiceError::InvalidCredentials);
    };
    if !user.active {
        return Err(ServiceError::AccountDisabled);
    }
    guard.per_account.reset(&account_key);
    let token = random_token();
    let csrf_token = random_token();
    let now = Timestamp::now();
    let expires = now.plus_seconds(policy.session_ttl.as_secs() as i64);
    let mut tx = db.begin().await?;
    sessions::insert(
        &mut tx,
        &token_hash(&token),
        user.id,
        &csrf_token,
        now,
        expires,
    )
    .await?;
    commit_with(
        tx,
        &Actor::User(user.clone()),
        &SessionSignedIn { user_id: user.id },
        Publication::None,
    )
    .await?;
    tracing::info!(user_id = user.id, "signed in");
    Ok(NewSession {
        token,
        csrf_token,
        user,
    })
}

/// Ends the session with this cookie token (no error if it already ended).
pub async fn logout(db: &Database, session_token: &str, user: &User) -> Result<(), ServiceError> {
    let mut tx = db.begin().await?;
    if sessions::delete(&mut tx, &token_hash(session_token)).await? {
        commit_with(
            tx,
            &Actor::User(user.clone()),
            &SessionSignedOut { user_id: user.id },
            Publication::None,
        )
        .await?;
    } else {
        tx.commit().await?;
    }
    Ok(())
}

/// A request's authenticated identity.
#[derive(Debug, Clone)]
pub struct Authenticated {
    /// The user.
    pub user: User,
    /// The session's anti-forgery token (None for API tokens, which need none: they are not
    /// sent automatically by browsers).
    pub csrf_token: Option<String>,
}

/// The active user of a session cookie, extending the session while it is used.
pub async fn session_user(
    db: &Database,
    policy: &AuthPolicy,
    session_token: &str,
) -> Result<Option<Authenticated>, ServiceError> {
    let now = Timestamp::now();
    let hash = token_hash(session_token);
    let mut conn = db.read().await?;
    let Some(session) = sessions::find_valid(&mut conn, &hash, now).await? else {
        return Ok(None);
    };
    let Some(user) = users::find(&mut conn, session.user_id).await? else {
        return Ok(None);
    };
    drop(conn);
    if !user.active {
        return Ok(None);
    }
    // Extend at most once a minute: a write per request would serialise every page view on
    // SQLite's single writer.
    if now.as_micros() - session.last_seen_at > 60_000_000 {
        let mut tx = db.begin().await?;
        let expires = now.plus_seconds(policy.session_ttl.as_secs() as i64);
        sessions::touch(&mut tx, &hash, now, expires).await?;
        tx.commit().await?;
    }
    Ok(Some(Authenticated {
        user,
        csrf_token: Some(session.csrf_token),
    }))
}

/// The active user of an API token (`Authorization: Bearer tgs_…`).
pub async fn token_user(db: &Database, token: &str) -> Result<Authenticated, ServiceError> {
    if !token.starts_with(API_TOKEN_PREFIX) || token.len() > 200 {
        return Err(ServiceError::InvalidToken);
    }
    let now = Timestamp::now();
    let mut conn = db.read().await?;
    let row = api_tokens::find_usable(&mut conn, &token_hash(token), now)
        .await?
        .ok_or(ServiceError::InvalidToken)?;
    let user = users::find(&mut conn, row.user_id)
        .await?
        .filter(|u| u.active)
        .ok_or(ServiceError::InvalidToken)?;
    drop(conn);
    if row
        .last_used_at
        .is_none_or(|t| now.as_micros() - t > 60_000_000)
    {
        let mut tx = db.begin().await?;
        api_tokens::touch(&mut tx, row.id, now).await?;
        tx.commit().await?;
    }
    Ok(Authenticated {
        user,
        csrf_token: None,
    })
}

/// Shared state of the authentication workflows.
#[derive(Debug, Clone)]
pub struct AuthState {
    /// Policy in force.
    pub policy: AuthPolicy,
    /// Sign-in limits.
    pub guard: Arc<LoginGuard>,
}

impl AuthState {
    /// State for a policy.
    pub fn new(policy: AuthPolicy) -> AuthState {
        AuthState {
            guard: Arc::new(LoginGuard::new(&policy)),
            policy,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = random_token();
        let b = random_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), token_hash(&b));
    }

    #[test]
    fn constant_time_comparison() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
    }

    #[tokio::test]
    async fn password_hash_round_trip() {
        let hash = hash_password("Quetzal-verde-2026".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("Quetzal-verde-2026".into(), hash.clone()).await);
        assert!(!verify_password("quetzal-verde-2026".into(), hash.clone()).await);
        assert!(!verify_password("x".into(), "not a hash".into()).await);
    }
}
