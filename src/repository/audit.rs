//! Storage of the hash-chained audit log (rules in `domain::audit`).

use super::db::{Queryable, RepoError};
use super::schema::{AuditEvents, AuditHead};
use crate::domain::audit::{AuditEvent, EventContent, event_hash};
use crate::domain::time::Timestamp;
use sea_query::{Cond, Expr, ExprTrait, Order, Query};

/// An event to append; the sequence number, time and hashes are assigned by [`append`].
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// Acting user id.
    pub actor_user_id: Option<i64>,
    /// Acting user or system label.
    pub actor: String,
    /// Action code.
    pub action: String,
    /// Changed record's kind.
    pub entity_type: String,
    /// Changed record's id.
    pub entity_id: Option<String>,
    /// JSON of the record before.
    pub before: Option<String>,
    /// JSON of the record after.
    pub after: Option<String>,
    /// Whether it is part of the public log.
    pub public: bool,
}

#[derive(sqlx::FromRow)]
struct EventRow {
    seq: i64,
    occurred_at: i64,
    actor_user_id: Option<i64>,
    actor: String,
    action: String,
    entity_type: String,
    entity_id: Option<String>,
    before_json: Option<String>,
    after_json: Option<String>,
    public: bool,
    prev_hash: String,
    hash: String,
}

impl From<EventRow> for AuditEvent {
    fn from(r: EventRow) -> Self {
        AuditEvent {
            seq: r.seq,
            occurred_at: Timestamp::from_micros(r.occurred_at),
            actor_user_id: r.actor_user_id,
            actor: r.actor,
            action: r.action,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
            before: r.before_json,
            after: r.after_json,
            public: r.public,
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}

const COLUMNS: [AuditEvents; 12] = [
    AuditEvents::Seq,
    AuditEvents::OccurredAt,
    AuditEvents::ActorUserId,
    AuditEvents::Actor,
    AuditEvents::Action,
    AuditEvents::EntityType,
    AuditEvents::EntityId,
    AuditEvents::BeforeJson,
    AuditEvents::AfterJson,
    AuditEvents::Public,
    AuditEvents::PrevHash,
    AuditEvents::Hash,
];

/// Appends an event to the chain inside the caller's transaction.
///
/// The head row is updated first: on PostgreSQL that row lock makes concurrent appenders wait
/// for each other until commit, so sequence numbers and links never fork; on SQLite the write
/// transaction is already exclusive. The event's time is read after the lock, so times never
/// go backwards along the chain because of lock waits.
pub async fn append(db: &mut impl Queryable, event: NewEvent) -> Result<AuditEvent, RepoError> {
    let (seq, prev_hash): (i64, String) = db
        .handle()
        .one(
            &Query::update()
                .table(AuditHead::Table)
                .value(AuditHead::LastSeq, Expr::col(AuditHead::LastSeq).add(1))
                .and_where(Expr::col(AuditHead::Id).eq(1))
                .returning(Query::returning().columns([AuditHead::LastSeq, AuditHead::LastHash]))
                .to_owned(),
        )
        .await?;
    let occurred_at = Timestamp::now();
    let hash = event_hash(&EventContent {
        seq,
        occurred_at_us: occurred_at.as_micros(),
        actor_user_id: event.actor_user_id,
        actor: &event.actor,
        action: &event.action,
        entity_type: &event.entity_type,
        entity_id: event.entity_id.as_deref(),
        before: event.before.as_deref(),
        after: event.after.as_deref(),
        public: event.public,
        prev_hash: &prev_hash,
    });
    db.handle()
        .execute(
            &Query::insert()
                .into_table(AuditEvents::Table)
                .columns(COLUMNS)
                .values_panic([
                    seq.into(),
                    occurred_at.as_micros().into(),
                    event.actor_user_id.into(),
                    event.actor.as_str().into(),
                    event.action.as_str().into(),
                    event.entity_type.as_str().into(),
                    event.entity_id.clone().into(),
                    event.before.clone().into(),
                    event.after.clone().into(),
                    event.public.into(),
                    prev_hash.as_str().into(),
                    hash.as_str().into(),
                ])
                .to_owned(),
        )
        .await?;
    db.handle()
        .execute(
            &Query::update()
                .table(AuditHead::Table)
                .value(AuditHead::LastHash, hash.as_str())
                .and_where(Expr::col(AuditHead::Id).eq(1))
                .to_owned(),
        )
        .await?;
    Ok(AuditEvent {
        seq,
        occurred_at,
        actor_user_id: event.actor_user_id,
        actor: event.actor,
        action: event.action,
        entity_type: event.entity_type,
        entity_id: event.entity_id,
        before: event.before,
        after: event.after,
        public: event.public,
        prev_hash,
        hash,
    })
}

/// The chain's recorded head: last sequence number and hash.
pub async fn head(db: &mut impl Queryable) -> Result<(i64, String), RepoError> {
    db.handle()
        .one(
            &Query::select()
                .columns([AuditHead::LastSeq, AuditHead::LastHash])
                .from(AuditHead::Table)
                .and_where(Expr::col(AuditHead::Id).eq(1))
                .to_owned(),
        )
        .await
}

/// Which events to page through.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only the public part of the log.
    pub public_only: bool,
    /// Only events after this sequence number (the paging cursor).
    pub after_seq: Option<i64>,
    /// Only events at or after this instant.
    pub since: Option<Timestamp>,
    /// Only events about this record kind.
    pub entity_type: Option<String>,
    /// Only events about this record id (with `entity_type`).
    pub entity_id: Option<String>,
}

/// Events in chain order matching the filter, at most `limit`.
pub async fn list(
    db: &mut impl Queryable,
    filter: &AuditFilter,
    limit: i64,
) -> Result<Vec<AuditEvent>, RepoError> {
    let mut cond = Cond::all();
    if filter.public_only {
        cond = cond.add(Expr::col(AuditEvents::Public).eq(true));
    }
    if let Some(after) = filter.after_seq {
        cond = cond.add(Expr::col(AuditEvents::Seq).gt(after));
    }
    if let Some(since) = filter.since {
        cond = cond.add(Expr::col(AuditEvents::OccurredAt).gte(since.as_micros()));
    }
    if let Some(kind) = &filter.entity_type {
        cond = cond.add(Expr::col(AuditEvents::EntityType).eq(kind.as_str()));
    }
    if let Some(id) = &filter.entity_id {
        cond = cond.add(Expr::col(AuditEvents::EntityId).eq(id.as_str()));
    }
    let rows: Vec<EventRow> = db
        .handle()
        .all(
            &Query::select()
                .columns(COLUMNS)
                .from(AuditEvents::Table)
                .cond_where(cond)
                .order_by(AuditEvents::Seq, Order::Asc)
                .limit(u64::try_from(limit).unwrap_or(0))
                .to_owned(),
        )
        .await?;
    Ok(rows.into_iter().map(AuditEvent::from).collect())
}

/// Newest events first (for the administrator's screen), at most `limit`.
pub async fn latest(
    db: &mut impl Queryable,
    public_only: bool,
    before_seq: Option<i64>,
    limit: i64,
) -> Result<Vec<AuditEvent>, RepoError> {
    let mut cond = Cond::all();
    if public_only {
        cond = cond.add(Expr::col(AuditEvents::Public).eq(true));
    }
    if let Some(before) = before_seq {
        cond = cond.add(Expr::col(AuditEvents::Seq).lt(before));
    }
    let rows: Vec<EventRow> = db
        .handle()
        .all(
            &Query::select()
                .columns(COLUMNS)
                .from(AuditEvents::Table)
                .cond_where(cond)
                .order_by(AuditEvents::Seq, Order::Desc)
                .limit(u64::try_from(limit).unwrap_or(0))
                .to_owned(),
        )
        .await?;
    Ok(rows.into_iter().map(AuditEvent::from).collect())
}
