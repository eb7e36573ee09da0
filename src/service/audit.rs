//! Recording and verifying the audit log.
//!
//! Every workflow ends the same way: it appends its typed event ([`AsAuditEvent`]), writes the
//! open-data release the event calls for, and commits — [`commit_with`] does the three in that
//! order, and [`record`] does the first two for a transaction that records several events. The
//! order is the platform's lock order, explained once, on [`record`].

use super::publication::{self, release::ReleaseEvent};
use super::{Actor, ServiceError};
use crate::domain::audit::{AuditAction, AuditEvent, ChainBreak, ChainVerifier};
use crate::domain::audit_event::{AsAuditEvent, encode};
use crate::domain::time::Timestamp;
use crate::repository::audit::{self as repo, AuditFilter, NewEvent};
use crate::repository::plan::PlanLineRow;
use crate::repository::{Database, Queryable, Tx};

/// What a workflow publishes to the open-data feed with its event (issue 5).
#[derive(Debug, Clone, Copy)]
pub enum Publication<'a> {
    /// Nothing: the event is not part of an open-contracting process's public history.
    None,
    /// A release of a tender's process, a snapshot of what is public about it at this moment
    /// (a draft publishes nothing; see `publication::publish`).
    Release {
        /// The tender.
        tender_id: i64,
        /// What the release reports.
        event: ReleaseEvent,
        /// Its date.
        at: Timestamp,
    },
    /// The planning release of a new line of the procurement plan.
    PlanLine {
        /// The line, as stored.
        line: &'a PlanLineRow,
        /// Its date.
        at: Timestamp,
    },
}

impl Publication<'_> {
    /// A release of a tender's process.
    pub fn release(tender_id: i64, event: ReleaseEvent, at: Timestamp) -> Publication<'static> {
        Publication::Release {
            tender_id,
            event,
            at,
        }
    }
}

/// The right to write to the release feed in a transaction, given once its audit events are
/// appended: only this module makes one, so the feed cannot be written first (see [`record`]).
#[derive(Debug)]
pub struct FeedTurn(());

async fn write(tx: &mut impl Queryable, publication: Publication<'_>) -> Result<(), ServiceError> {
    match publication {
        Publication::None => {}
        Publication::Release {
            tender_id,
            event,
            at,
        } => publication::publish(tx, FeedTurn(()), tender_id, event, at).await?,
        Publication::PlanLine { line, at } => {
            publication::publish_plan_line(tx, FeedTurn(()), line, at).await?
        }
    }
    Ok(())
}

/// Appends `event` to the log inside the workflow's own transaction, so the change and its
/// record commit together or not at all, then writes the publication it calls for.
///
/// Lock order: appending locks the audit log's head row, publishing locks the release feed's
/// head row (`schema_ocds`), and both stay locked until commit. Every transaction takes them in
/// this order — audit log first, feed second — because two transactions taking them the other
/// way round would each hold one and wait for the other: on PostgreSQL a deadlock, broken by
/// failing one workflow. This function is that order. The feed asks for a [`FeedTurn`], which
/// only this module gives: here after the append, or through [`Publishing`], which allows no
/// append afterwards. A transaction that records several events may publish after any of
/// them: once it holds the audit head, a later append waits for nothing.
pub async fn record<E: AsAuditEvent + ?Sized>(
    tx: &mut impl Queryable,
    actor: &Actor,
    event: &E,
    publication: Publication<'_>,
) -> Result<AuditEvent, ServiceError> {
    record_for(tx, actor.user_id(), actor.label(), event, publication).await
}

/// [`record`] for a decision whose actor is known only by its audit identity: a command that
/// crossed to another node (the auction owner records the authority's reschedule, issue 4).
pub async fn record_for<E: AsAuditEvent + ?Sized>(
    tx: &mut impl Queryable,
    actor_user_id: Option<i64>,
    actor_label: String,
    event: &E,
    publication: Publication<'_>,
) -> Result<AuditEvent, ServiceError> {
    let encoded = encode(event).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let stored = repo::append(
        tx,
        NewEvent {
            actor_user_id,
            actor: actor_label,
            action: encoded.action.code().to_string(),
            entity_type: encoded.entity_type.to_string(),
            entity_id: encoded.entity_id,
            before: encoded.before,
            after: encoded.after,
            public: encoded.public,
        },
    )
    .await?;
    write(tx, publication).await?;
    Ok(stored)
}

/// How a workflow ends: [`record`] its event and publication, then commit, so the change, its
/// event and its release become visible together.
pub async fn commit_with<E: AsAuditEvent + ?Sized>(
    mut tx: Tx,
    actor: &Actor,
    event: &E,
    publication: Publication<'_>,
) -> Result<AuditEvent, ServiceError> {
    let stored = record(&mut tx, actor, event, publication).await?;
    tx.commit().await?;
    Ok(stored)
}

/// A transaction that from now on only writes to the release feed, then commits: for
/// publications no audit event calls for (the auction hub's reveal of bidders' names, whose
/// batch recorded its events before). It gives no way back to the audit log, so the feed's
/// head is never taken before the log's (see [`record`]).
pub struct Publishing(Tx);

impl Publishing {
    /// The rest of `tx` writes to the feed only.
    pub fn new(tx: Tx) -> Publishing {
        Publishing(tx)
    }

    /// Writes a publication.
    pub async fn publish(&mut self, publication: Publication<'_>) -> Result<(), ServiceError> {
        write(&mut self.0, publication).await
    }

    /// Commits the transaction.
    pub async fn commit(self) -> Result<(), ServiceError> {
        self.0.commit().await?;
        Ok(())
    }
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

/// Who acted in an event, as the pages name them (issue 13: the log showed `user:compras`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActorKind {
    /// The platform itself (`system:…`).
    System,
    /// A supplier's user: the firm, by its registered name (public in the registry).
    Supplier(String),
    /// An official or other internal user: named by their role, not as a person.
    Role(crate::domain::role::Role),
    /// An account that no longer resolves.
    Unknown,
}

/// What kind of record an event concerns, for the words of its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    /// A tender, by its reference.
    Tender,
    /// A supplier, by its name.
    Supplier,
    /// A catalogue item, by code and name.
    CatalogueItem,
    /// A buying entity, by its name.
    Buyer,
    /// An auction, by number.
    Auction,
    /// A bid, by number.
    Bid,
    /// A catalogue change proposal, by number.
    Proposal,
    /// A line of the procurement plan, by number.
    PlanLine,
    /// A user account, by number.
    Account,
    /// A unit of the institution (hospital, warehouse…), by name.
    Unit,
    /// A supplier's product card, by brand and GTIN.
    ProductCard,
    /// An API token, webhook or other technical record, by number.
    Other,
}

/// The record an event concerns: how to name it and where to read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordRef {
    /// Its kind.
    pub kind: RecordKind,
    /// Its name or number.
    pub text: String,
    /// Its page, when the reader may open one.
    pub href: Option<String>,
}

/// An event with its actor and record resolved for display.
#[derive(Debug, Clone)]
pub struct DescribedEvent {
    /// The event as stored.
    pub event: AuditEvent,
    /// Its kind, when it is one the platform records (always, except for foreign data).
    pub action: Option<AuditAction>,
    /// Who acted.
    pub actor: ActorKind,
    /// What it concerns.
    pub record: Option<RecordRef>,
}

/// Resolves the actor and record of each event (a few lookups per distinct actor and record).
/// Links point only at pages the public may open: a draft tender is named, not linked.
pub async fn describe(
    db: &Database,
    events: Vec<AuditEvent>,
) -> Result<Vec<DescribedEvent>, ServiceError> {
    use crate::repository::{auctions, buyers, catalogue, suppliers, tenders, users};
    use std::collections::HashMap;
    let mut conn = db.read().await?;
    let mut actors: HashMap<String, ActorKind> = HashMap::new();
    let mut records: HashMap<(String, String), Option<RecordRef>> = HashMap::new();
    let all_buyers = buyers::list(&mut conn).await?;
    let mut out = Vec::with_capacity(events.len());
    for event in events {
        let actor = match actors.get(&event.actor) {
            Some(a) => a.clone(),
            None => {
                let kind = if event.actor.starts_with("system:") {
                    ActorKind::System
                } else if let Some(username) = event.actor.strip_prefix("user:") {
                    match users::find_for_login(&mut conn, username).await? {
                        Some((user, _)) => match user.supplier_id {
                            Some(sid) => match suppliers::find(&mut conn, sid).await? {
                                Some(s) => ActorKind::Supplier(s.legal_name),
                                None => ActorKind::Role(crate::domain::role::Role::Supplier),
                            },
                            None => crate::domain::role::DESK_ORDER
                                .into_iter()
                                .find(|r| user.roles.contains(r))
                                .map_or(ActorKind::Unknown, ActorKind::Role),
                        },
                        None => ActorKind::Unknown,
                    }
                } else {
                    ActorKind::Unknown
                };
                actors.insert(event.actor.clone(), kind.clone());
                kind
            }
        };
        let after: Option<serde_json::Value> = event
            .after
            .as_deref()
            .or(event.before.as_deref())
            .and_then(|t| serde_json::from_str(t).ok());
        // Bids and questions are named through their tender when the tender is what a reader
        // can open.
        let (entity_type, entity_id) = match (event.entity_type.as_str(), &after) {
            ("clarification", Some(a)) if a["tender_id"].is_i64() => {
                ("tender".to_string(), Some(a["tender_id"].to_string()))
            }
            _ => (event.entity_type.clone(), event.entity_id.clone()),
        };
        let record = match entity_id {
            None => None,
            Some(id_text) => {
                let key = (entity_type.clone(), id_text.clone());
                if let Some(r) = records.get(&key) {
                    r.clone()
                } else {
                    let id = id_text.parse::<i64>().unwrap_or(0);
                    let simple = |kind, href: Option<String>| {
                        Some(RecordRef {
                            kind,
                            text: id_text.clone(),
                            href,
                        })
                    };
                    let found = match entity_type.as_str() {
                        "tender" => tenders::find(&mut conn, id).await?.map(|t| RecordRef {
                            kind: RecordKind::Tender,
                            href: t.status().is_public().then(|| format!("/tenders/{}", t.id)),
                            text: t.reference,
                        }),
                        "supplier" => suppliers::find(&mut conn, id).await?.map(|s| RecordRef {
                            kind: RecordKind::Supplier,
                            href: Some(format!("/suppliers/{}", s.id)),
                            text: s.legal_name,
                        }),
                        "catalogue_item" => {
                            catalogue::find(&mut conn, id).await?.map(|i| RecordRef {
                                kind: RecordKind::CatalogueItem,
                                href: Some(format!(
                                    "/catalogue?search={}",
                                    url::form_urlencoded::byte_serialize(i.code.as_bytes())
                                        .collect::<String>()
                                )),
                                text: format!("{} {}", i.code, i.name),
                            })
                        }
                        "buyer" => all_buyers.iter().find(|b| b.id == id).map(|b| RecordRef {
                            kind: RecordKind::Buyer,
                            href: None,
                            text: b.name.clone(),
                        }),
                        "auction" => match auctions::find(&mut conn, id).await? {
                            Some(a) => {
                                simple(RecordKind::Auction, Some(format!("/auctions/{}", a.id)))
                            }
                            None => simple(RecordKind::Auction, None),
                        },
                        "bid" => {
                            let tender = after
                                .as_ref()
                                .and_then(|a| a["tender_id"].as_i64())
                                .map(|t| format!("/tenders/{t}"));
                            simple(RecordKind::Bid, tender)
                        }
                        "catalogue_proposal" => simple(
                            RecordKind::Proposal,
                            Some(format!("/catalogue/proposals/{id}")),
                        ),
                        "plan_line" => simple(RecordKind::PlanLine, Some("/plan".to_string())),
                        "user" => simple(RecordKind::Account, None),
                        "unit" => crate::repository::units::find(&mut conn, id)
                            .await?
                            .map(|u| RecordRef {
                                kind: RecordKind::Unit,
                                href: Some(format!("/units/{}", u.code)),
                                text: u.name,
                            }),
                        "product_card" => crate::repository::product_cards::find(&mut conn, id)
                            .await?
                            .map(|c| RecordRef {
                                kind: RecordKind::ProductCard,
                                href: Some(format!("/catalogue/items/{}", c.catalogue_item_id)),
                                text: format!("{} (GTIN {})", c.brand, c.gtin),
                            }),
                        _ => simple(RecordKind::Other, None),
                    };
                    records.insert(key, found.clone());
                    found
                }
            }
        };
        out.push(DescribedEvent {
            action: AuditAction::from_code(&event.action),
            actor,
            record,
            event,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit_event::NoSnapshot;
    use crate::repository::{DbOptions, buyers, ocds};
    use serde::Serialize;

    async fn database() -> (tempfile::TempDir, Database) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let db = Database::connect(&url, &DbOptions::default())
            .await
            .unwrap();
        crate::repository::schema::migrate(&db).await.unwrap();
        (dir, db)
    }

    /// A plan line was created: the one event whose publication needs no tender.
    #[derive(Serialize)]
    struct LineCreated<'a>(&'a PlanLineRow);

    impl AsAuditEvent for LineCreated<'_> {
        const ACTION: AuditAction = AuditAction::PlanLineCreated;
        const ENTITY_TYPE: &'static str = "plan_line";
        type Before = NoSnapshot;
        type After = PlanLineRow;
        fn entity_id(&self) -> Option<String> {
            Some(self.0.id.to_string())
        }
        fn public(&self) -> bool {
            true
        }
        fn before(&self) -> Option<&NoSnapshot> {
            None
        }
        fn after(&self) -> Option<&PlanLineRow> {
            Some(self.0)
        }
    }

    async fn line(db: &Database) -> PlanLineRow {
        let mut tx = db.begin().await.unwrap();
        let buyer_id = buyers::insert(
            &mut tx,
            &buyers::NewBuyer {
                name: "Hospital de prueba",
                short_name: "HP",
                identifier_scheme: "GT-NIT",
                identifier: "123456-7",
                department: None,
            },
            Timestamp::now(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        PlanLineRow {
            id: 5,
            buyer_id,
            year: 2026,
            quarter: 2,
            catalogue_item_id: 1,
            quantity: "10".into(),
            unit_price: "2.50".into(),
            currency: "GTQ".into(),
            funding_source: "11-0001".into(),
            notes: None,
            created_by: 1,
            created_at: 0,
        }
    }

    async fn counts(db: &Database) -> (i64, i64) {
        let mut conn = db.read().await.unwrap();
        (
            repo::head(&mut conn).await.unwrap().0,
            ocds::last_seq(&mut conn).await.unwrap(),
        )
    }

    #[tokio::test]
    async fn commit_with_records_publishes_and_commits() {
        let (_dir, db) = database().await;
        let line = line(&db).await;
        let at = Timestamp::now();
        let tx = db.begin().await.unwrap();
        let stored = commit_with(
            tx,
            &Actor::System("test"),
            &LineCreated(&line),
            Publication::PlanLine { line: &line, at },
        )
        .await
        .unwrap();
        assert_eq!(stored.seq, 1);
        assert_eq!(stored.actor, "system:test");
        assert_eq!(stored.action, "plan_line.created");
        assert_eq!(stored.entity_type, "plan_line");
        assert_eq!(stored.entity_id.as_deref(), Some("5"));
        assert_eq!(stored.before, None);
        assert_eq!(stored.after, crate::service::snapshot(&line));
        assert!(stored.public);
        assert_eq!(counts(&db).await, (1, 1), "the event and its release");
        let page = page(&db, false, None, None, 10).await.unwrap();
        assert_eq!(page.events, vec![stored]);
        assert!(matches!(
            verify(&db).await.unwrap(),
            Verification::Intact { events: 1, .. }
        ));
    }

    #[tokio::test]
    async fn an_uncommitted_record_leaves_nothing() {
        let (_dir, db) = database().await;
        let line = line(&db).await;
        let mut tx = db.begin().await.unwrap();
        record(
            &mut tx,
            &Actor::System("test"),
            &LineCreated(&line),
            Publication::PlanLine {
                line: &line,
                at: Timestamp::now(),
            },
        )
        .await
        .unwrap();
        drop(tx);
        assert_eq!(counts(&db).await, (0, 0));
    }

    #[tokio::test]
    async fn nothing_to_publish_records_the_event_only() {
        let (_dir, db) = database().await;
        let line = line(&db).await;
        let tx = db.begin().await.unwrap();
        commit_with(
            tx,
            &Actor::System("test"),
            &LineCreated(&line),
            Publication::None,
        )
        .await
        .unwrap();
        // A tender that does not exist (or is a draft) publishes nothing either.
        let mut feed = Publishing::new(db.begin().await.unwrap());
        feed.publish(Publication::release(
            99,
            ReleaseEvent::TenderUpdate,
            Timestamp::now(),
        ))
        .await
        .unwrap();
        feed.commit().await.unwrap();
        assert_eq!(counts(&db).await, (1, 0));
    }
}
