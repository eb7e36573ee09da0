//! Recording and verifying the audit log.

use super::{Actor, ServiceError};
use crate::domain::audit::{AuditEvent, ChainBreak, ChainVerifier};
use crate::domain::time::Timestamp;
use crate::repository::audit::{self as repo, AuditFilter, NewEvent};
use crate::repository::{Database, Queryable, RepoError};

/// What changed, described for the audit log.
#[derive(Debug, Clone)]
pub struct Change {
    /// Action code, e.g. `user.created`.
    pub action: &'static str,
    /// Record kind, e.g. `user`.
    pub entity_type: &'static str,
    /// Record id.
    pub entity_id: Option<String>,
    /// JSON snapshot before (secrets excluded).
    pub before: Option<String>,
    /// JSON snapshot after (secrets excluded).
    pub after: Option<String>,
    /// Whether the public may read this event.
    pub public: bool,
}

/// Appends the event of a change inside the workflow's own transaction, so the change and its
/// record commit together or not at all.
pub async fn record(
    tx: &mut impl Queryable,
    actor: &Actor,
    change: Change,
) -> Result<AuditEvent, RepoError> {
    record_for(tx, actor.user_id(), actor.label(), change).await
}

/// [`record`] for a decision whose actor is known only by its audit identity: a command that
/// crossed to another node (the auction owner records the authority's reschedule, issue 4).
pub async fn record_for(
    tx: &mut impl Queryable,
    actor_user_id: Option<i64>,
    actor_label: String,
    change: Change,
) -> Result<AuditEvent, RepoError> {
    repo::append(
        tx,
        NewEvent {
            actor_user_id,
            actor: actor_label,
            action: change.action.to_string(),
            entity_type: change.entity_type.to_string(),
            entity_id: change.entity_id,
            before: change.before,
            after: change.after,
            public: change.public,
        },
    )
    .await
}

/// Result of verifying the whole chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// Every event verified; the number of events and the head hash.
    Intact {
        /// Events checked.
        events: i64,
        /// Hash of the last event.
        head_hash: String,
    },
    /// The first fault found.
    Broken(ChainBreak),
}

/// Recomputes the whole chain, streaming it in pages so memory stays flat.
pub async fn verify(db: &Database) -> Result<Verification, ServiceError> {
    let mut conn = db.read().await?;
    let (head_seq, head_hash) = repo::head(&mut conn).await?;
    let mut verifier = ChainVerifier::default();
    let mut after = 0;
    loop {
        let page = repo::list(
            &mut conn,
            &AuditFilter {
                after_seq: Some(after),
                ..AuditFilter::default()
            },
            1000,
        )
        .await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for event in &page {
            if let Err(broken) = verifier.check(event) {
                return Ok(Verification::Broken(broken));
            }
        }
    }
    Ok(match verifier.finish(head_seq, &head_hash) {
        Ok(events) => Verification::Intact { events, head_hash },
        Err(broken) => Verification::Broken(broken),
    })
}

/// A page of the log with the cursor for the next page.
#[derive(Debug, Clone)]
pub struct AuditPage {
    /// Events in chain order.
    pub events: Vec<AuditEvent>,
    /// Pass as `after` to get the next page (None when this page is the last one so far).
    pub next_after: Option<i64>,
    /// Current head of the chain, so readers can anchor what they saw.
    pub head_seq: i64,
    /// Hash of the head event.
    pub head_hash: String,
}

/// Pages the log in chain order (`public_only` for anonymous readers).
pub async fn page(
    db: &Database,
    public_only: bool,
    after: Option<i64>,
    since: Option<Timestamp>,
    limit: i64,
) -> Result<AuditPage, ServiceError> {
    let limit = limit.clamp(1, 1000);
    let mut conn = db.read().await?;
    let (head_seq, head_hash) = repo::head(&mut conn).await?;
    let events = repo::list(
        &mut conn,
        &AuditFilter {
            public_only,
            after_seq: after,
            since,
            ..AuditFilter::default()
        },
        limit,
    )
    .await?;
    let next_after = (events.len() as i64 == limit)
        .then(|| events.last().map(|e| e.seq))
        .flatten();
    Ok(AuditPage {
        events,
        next_after,
        head_seq,
        head_hash,
    })
}

/// The chain's current head: last sequence number and hash.
pub async fn head(db: &Database) -> Result<(i64, String), ServiceError> {
    let mut conn = db.read().await?;
    Ok(repo::head(&mut conn).await?)
}

/// Newest events first, for the audit screens.
pub async fn latest(
    db: &Database,
    public_only: bool,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<AuditEvent>, ServiceError> {
    let mut conn = db.read().await?;
    Ok(repo::latest(&mut conn, public_only, before, limit.clamp(1, 500)).await?)
}
