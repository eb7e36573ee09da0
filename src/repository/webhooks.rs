//! SQL of webhook subscriptions and their delivery attempts (issue 5, point 4).

use super::db::{Queryable, RepoError};
use super::schema_ocds::{WebhookAttempts, WebhookSubscriptions as W};
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::Serialize;

/// Subscription statuses.
pub mod status {
    /// Receives releases.
    pub const ACTIVE: &str = "active";
    /// Switched off by its owner; keeps its position.
    pub const DISABLED: &str = "disabled";
}

/// A subscription.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct SubscriptionRow {
    /// Id.
    pub id: i64,
    /// Owner.
    pub user_id: i64,
    /// Receiving URL.
    pub url: String,
    /// HMAC key (never serialised: shown once at registration).
    #[serde(skip)]
    pub secret: String,
    /// `active` or `disabled`.
    pub status: String,
    /// Last release `seq` the receiver accepted.
    pub delivered_seq: i64,
    /// Failures in a row.
    pub failed_attempts: i64,
    /// Next attempt not before (UTC µs).
    pub next_attempt_at: i64,
    /// Last failure.
    pub last_error: Option<String>,
    /// Failing since (UTC µs).
    pub failing_since: Option<i64>,
    /// Last success (UTC µs).
    pub last_success_at: Option<i64>,
    /// Registration (UTC µs).
    pub created_at: i64,
}

const COLUMNS: [W; 12] = [
    W::Id,
    W::UserId,
    W::Url,
    W::Secret,
    W::Status,
    W::DeliveredSeq,
    W::FailedAttempts,
    W::NextAttemptAt,
    W::LastError,
    W::FailingSince,
    W::LastSuccessAt,
    W::CreatedAt,
];

/// Registers a subscription starting after feed position `from_seq`.
pub async fn insert(
    db: &mut impl Queryable,
    user_id: i64,
    url: &str,
    secret: &str,
    from_seq: i64,
    now: i64,
) -> Result<i64, RepoError> {
    let (id,): (i64,) = db
        .handle()
        .one(
            &Query::insert()
                .into_table(W::Table)
                .columns([
                    W::UserId,
                    W::Url,
                    W::Secret,
                    W::Status,
                    W::DeliveredSeq,
                    W::FailedAttempts,
                    W::NextAttemptAt,
                    W::CreatedAt,
                ])
                .values_panic([
                    user_id.into(),
                    url.into(),
                    secret.into(),
                    status::ACTIVE.into(),
                    from_seq.into(),
                    0.into(),
                    now.into(),
                    now.into(),
                ])
                .returning(Query::returning().column(W::Id))
                .to_owned(),
        )
        .await?;
    Ok(id)
}

/// One subscription.
pub async fn find(db: &mut impl Queryable, id: i64) -> Result<Option<SubscriptionRow>, RepoError> {
    db.handle()
        .optional(
            &Query::select()
                .columns(COLUMNS)
                .from(W::Table)
                .and_where(Expr::col(W::Id).eq(id))
                .to_owned(),
        )
        .await
}

/// The subscriptions of an account.
pub async fn of_user(
    db: &mut impl Queryable,
    user_id: i64,
) -> Result<Vec<SubscriptionRow>, RepoError> {
    db.handle()
        .all(
            &Query::select()
                .columns(COLUMNS)
                .from(W::Table)
                .and_where(Expr::col(W::UserId).eq(user_id))
                .order_by(W::Id, Order::Asc)
                .to_owned(),
        )
        .await
}

/// Active subscriptions due for an attempt that are behind the feed.
pub async fn due(
    db: &mut impl Queryable,
    now: i64,
    feed_head: i64,
) -> Result<Vec<SubscriptionRow>, RepoError> {
    db.handle()
        .all(
            &Query::select()
                .columns(COLUMNS)
                .from(W::Table)
                .and_where(Expr::col(W::Status).eq(status::ACTIVE))
                .and_where(Expr::col(W::NextAttemptAt).lte(now))
                .and_where(Expr::col(W::DeliveredSeq).lt(feed_head))
                .order_by(W::Id, Order::Asc)
                .limit(100)
                .to_owned(),
        )
        .await
}

/// Claims a due subscription for one attempt: moves its next attempt to `until` only if it is
/// still due at `now`, so of several nodes exactly one wins (the others change no row).
pub async fn claim(
    db: &mut impl Queryable,
    id: i64,
    seen_next_attempt_at: i64,
    until: i64,
) -> Result<bool, RepoError> {
    let n = db
        .handle()
        .execute(
            &Query::update()
                .table(W::Table)
                .value(W::NextAttemptAt, until)
                .and_where(Expr::col(W::Id).eq(id))
                .and_where(Expr::col(W::NextAttemptAt).eq(seen_next_attempt_at))
                .to_owned(),
        )
        .await?;
    Ok(n == 1)
}

/// Records a successful delivery up to `seq`.
pub async fn delivered(
    db: &mut impl Queryable,
    id: i64,
    seq: i64,
    now: i64,
) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::update()
                .table(W::Table)
                .value(W::DeliveredSeq, seq)
                .value(W::FailedAttempts, 0)
                .value(W::NextAttemptAt, now)
                .value(W::LastSuccessAt, now)
                .value(W::FailingSince, Option::<i64>::None)
                .and_where(Expr::col(W::Id).eq(id))
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// Records a failed delivery and when to try again.
pub async fn failed(
    db: &mut impl Queryable,
    id: i64,
    error: &str,
    next_attempt_at: i64,
    now: i64,
) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::update()
                .table(W::Table)
                .value(W::FailedAttempts, Expr::col(W::FailedAttempts).add(1))
                .value(W::NextAttemptAt, next_attempt_at)
                .value(W::LastError, error)
                .value(W::FailingSince, Expr::col(W::FailingSince).if_null(now))
                .and_where(Expr::col(W::Id).eq(id))
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// Switches a subscription on or off.
pub async fn set_status(
    db: &mut impl Queryable,
    id: i64,
    new_status: &str,
    now: i64,
) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::update()
                .table(W::Table)
                .value(W::Status, new_status)
                .value(W::NextAttemptAt, now)
                .and_where(Expr::col(W::Id).eq(id))
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// One delivery attempt.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct AttemptRow {
    /// Id.
    pub id: i64,
    /// Subscription.
    pub subscription_id: i64,
    /// When (UTC µs).
    pub attempted_at: i64,
    /// First release `seq` sent.
    pub first_seq: i64,
    /// Last release `seq` sent.
    pub last_seq: i64,
    /// HTTP status received.
    pub status_code: Option<i64>,
    /// Failure, if any.
    pub error: Option<String>,
    /// Round trip (ms).
    pub duration_ms: i64,
}

/// Logs an attempt.
pub async fn insert_attempt(db: &mut impl Queryable, a: &AttemptRow) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::insert()
                .into_table(WebhookAttempts::Table)
                .columns([
                    WebhookAttempts::SubscriptionId,
                    WebhookAttempts::AttemptedAt,
                    WebhookAttempts::FirstSeq,
                    WebhookAttempts::LastSeq,
                    WebhookAttempts::StatusCode,
                    WebhookAttempts::Error,
                    WebhookAttempts::DurationMs,
                ])
                .values_panic([
                    a.subscription_id.into(),
                    a.attempted_at.into(),
                    a.first_seq.into(),
                    a.last_seq.into(),
                    a.status_code.into(),
                    a.error.clone().into(),
                    a.duration_ms.into(),
                ])
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// The newest attempts of a subscription, newest first.
pub async fn attempts(
    db: &mut impl Queryable,
    subscription_id: i64,
    limit: u64,
) -> Result<Vec<AttemptRow>, RepoError> {
    db.handle()
        .all(
            &Query::select()
                .columns([
                    WebhookAttempts::Id,
                    WebhookAttempts::SubscriptionId,
                    WebhookAttempts::AttemptedAt,
                    WebhookAttempts::FirstSeq,
                    WebhookAttempts::LastSeq,
                    WebhookAttempts::StatusCode,
                    WebhookAttempts::Error,
                    WebhookAttempts::DurationMs,
                ])
                .from(WebhookAttempts::Table)
                .and_where(Expr::col(WebhookAttempts::SubscriptionId).eq(subscription_id))
                .order_by(WebhookAttempts::Id, Order::Desc)
                .limit(limit)
                .to_owned(),
        )
        .await
}
