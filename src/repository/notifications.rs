//! In-platform notifications (amendments, answers, awards, complaints).

use super::Page;
use super::db::{Queryable, RepoError};
use super::schema_esourcing::Notifications;
use crate::domain::time::Timestamp;
use sea_query::{Asterisk, Expr, ExprTrait, Order, Query};
use serde::Serialize;

/// Every kind of notification the services send (each translated as `notification-{kind}`).
pub const KINDS: [&str; 8] = [
    "tender-amended",
    "tender-cancelled",
    "tender-document",
    "clarification-answered",
    "bids-opened",
    "award-decided",
    "complaint-filed",
    "complaint-resolved",
];

/// A notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct NotificationRow {
    /// Id.
    pub id: i64,
    /// Recipient.
    pub user_id: i64,
    /// Message kind (translation key suffix).
    pub kind: String,
    /// Message arguments (JSON object).
    pub args: String,
    /// Where to go.
    pub link: String,
    /// When (µs).
    pub created_at: i64,
    /// When read (µs).
    pub read_at: Option<i64>,
}

/// Notifies several users at once.
pub async fn notify(
    db: &mut impl Queryable,
    user_ids: &[i64],
    kind: &str,
    args: &serde_json::Value,
    link: &str,
    now: Timestamp,
) -> Result<(), RepoError> {
    if user_ids.is_empty() {
        return Ok(());
    }
    let mut insert = Query::insert()
        .into_table(Notifications::Table)
        .columns([
            Notifications::UserId,
            Notifications::Kind,
            Notifications::Args,
            Notifications::Link,
            Notifications::CreatedAt,
        ])
        .to_owned();
    let args = args.to_string();
    for id in user_ids {
        insert.values_panic([
            (*id).into(),
            kind.into(),
            args.as_str().into(),
            link.into(),
            now.as_micros().into(),
        ]);
    }
    db.handle().execute(&insert).await?;
    Ok(())
}

/// A page of a user's notifications, newest first. Ordered by when they happened, not by id:
/// the demo year (and any import) stores them out of date order (issue 13).
pub async fn page(
    db: &mut impl Queryable,
    user_id: i64,
    offset: i64,
    limit: i64,
) -> Result<Page<NotificationRow>, RepoError> {
    let (total,): (i64,) = db
        .handle()
        .one(
            &Query::select()
                .expr(Expr::col(Asterisk).count())
                .from(Notifications::Table)
                .and_where(Expr::col(Notifications::UserId).eq(user_id))
                .to_owned(),
        )
        .await?;
    let items = db
        .handle()
        .all(
            &Query::select()
                .columns([
                    Notifications::Id,
                    Notifications::UserId,
                    Notifications::Kind,
                    Notifications::Args,
                    Notifications::Link,
                    Notifications::CreatedAt,
                    Notifications::ReadAt,
                ])
                .from(Notifications::Table)
                .and_where(Expr::col(Notifications::UserId).eq(user_id))
                .order_by(Notifications::CreatedAt, Order::Desc)
                .order_by(Notifications::Id, Order::Desc)
                .limit(u64::try_from(limit).unwrap_or(1))
                .offset(u64::try_from(offset).unwrap_or(0))
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

/// Unread count.
pub async fn unread(db: &mut impl Queryable, user_id: i64) -> Result<i64, RepoError> {
    let (n,): (i64,) = db
        .handle()
        .one(
            &Query::select()
                .expr(Expr::col(Asterisk).count())
                .from(Notifications::Table)
                .and_where(Expr::col(Notifications::UserId).eq(user_id))
                .and_where(Expr::col(Notifications::ReadAt).is_null())
                .to_owned(),
        )
        .await?;
    Ok(n)
}

/// Marks all of a user's notifications read.
pub async fn mark_read(
    db: &mut impl Queryable,
    user_id: i64,
    now: Timestamp,
) -> Result<u64, RepoError> {
    db.handle()
        .execute(
            &Query::update()
                .table(Notifications::Table)
                .value(Notifications::ReadAt, now.as_micros())
                .and_where(Expr::col(Notifications::UserId).eq(user_id))
                .and_where(Expr::col(Notifications::ReadAt).is_null())
                .to_owned(),
        )
        .await
}
