//! The tamper-evident audit log: every state change is an event, and the events form a hash
//! chain (PRODUCT.md principle 2, "Nothing is lost, nothing is rewritten").
//!
//! Each event stores the hash of its predecessor and its own hash over a canonical encoding of
//! all its fields, so editing a row changes its hash, deleting a row breaks the link of its
//! successor (or the head), and reordering rows breaks the sequence and the links. Anyone with
//! a copy of the log can recompute the chain with [`verify_chain`]; publishing the head hash
//! lets outsiders detect a rewrite of the whole log too.

use crate::domain::time::Timestamp;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The hash the first event links to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One recorded event, exactly as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEvent {
    /// Position in the chain, starting at 1, without gaps.
    pub seq: i64,
    /// Server time of the change (UTC).
    pub occurred_at: Timestamp,
    /// The acting user's id, when a user acted.
    pub actor_user_id: Option<i64>,
    /// Who acted, as a label that survives the user's later changes (`user:ana`, `system:demo`).
    pub actor: String,
    /// What happened, a stable dotted code such as `user.created`.
    pub action: String,
    /// Kind of the changed record (`user`, `session`, `tender`, …).
    pub entity_type: String,
    /// Id of the changed record.
    pub entity_id: Option<String>,
    /// The record before the change (JSON text, secrets excluded), if it existed.
    pub before: Option<String>,
    /// The record after the change (JSON text, secrets excluded), if it still exists.
    pub after: Option<String>,
    /// Whether the event belongs to the public part of the log (`GET /api/audit`).
    pub public: bool,
    /// Hash of the previous event ([`GENESIS_HASH`] for the first).
    pub prev_hash: String,
    /// Hash of this event (see [`event_hash`]).
    pub hash: String,
}

/// The fields of an event that its hash covers, before the hash is known.
#[derive(Debug, Clone, Serialize)]
pub struct EventContent<'a> {
    /// See [`AuditEvent::seq`].
    pub seq: i64,
    /// See [`AuditEvent::occurred_at`], as microseconds.
    pub occurred_at_us: i64,
    /// See [`AuditEvent::actor_user_id`].
    pub actor_user_id: Option<i64>,
    /// See [`AuditEvent::actor`].
    pub actor: &'a str,
    /// See [`AuditEvent::action`].
    pub action: &'a str,
    /// See [`AuditEvent::entity_type`].
    pub entity_type: &'a str,
    /// See [`AuditEvent::entity_id`].
    pub entity_id: Option<&'a str>,
    /// See [`AuditEvent::before`].
    pub before: Option<&'a str>,
    /// See [`AuditEvent::after`].
    pub after: Option<&'a str>,
    /// See [`AuditEvent::public`].
    pub public: bool,
    /// See [`AuditEvent::prev_hash`].
    pub prev_hash: &'a str,
}

/// SHA-256 (hex) of the canonical encoding of an event: a JSON array of its fields in a fixed
/// order. An array, not an object, so that no serialiser's key ordering can change the bytes.
pub fn event_hash(content: &EventContent<'_>) -> String {
    let canonical = serde_json::json!([
        "tianguis-audit-v1",
        content.seq,
        content.occurred_at_us,
        content.actor_user_id,
        content.actor,
        content.action,
        content.entity_type,
        content.entity_id,
        content.before,
        content.after,
        content.public,
        content.prev_hash,
    ]);
    let mut hasher = Sha256::new();
    hasher.update(canonical.to_string().as_bytes());
    hex::encode(hasher.finalize())
}

impl AuditEvent {
    /// The hashed content of this stored event.
    pub fn content(&self) -> EventContent<'_> {
        EventContent {
            seq: self.seq,
            occurred_at_us: self.occurred_at.as_micros(),
            actor_user_id: self.actor_user_id,
            actor: &self.actor,
            action: &self.action,
            entity_type: &self.entity_type,
            entity_id: self.entity_id.as_deref(),
            before: self.before.as_deref(),
            after: self.after.as_deref(),
            public: self.public,
            prev_hash: &self.prev_hash,
        }
    }
}

/// The first fault found in a chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    /// A sequence number is missing or out of order (a row deleted or reordered).
    #[error(
        "event {found}: expected sequence number {expected} (an event was deleted or reordered)"
    )]
    SequenceGap {
        /// The sequence number that should have come next.
        expected: i64,
        /// The one found instead.
        found: i64,
    },
    /// An event does not link to the hash of the event before it.
    #[error(
        "event {seq}: does not link to the previous event's hash (an event before it was removed or changed)"
    )]
    BrokenLink {
        /// The event whose link is wrong.
        seq: i64,
    },
    /// An event's content does not match its stored hash (the row was edited).
    #[error("event {seq}: content does not match its hash (the event was edited)")]
    ContentChanged {
        /// The edited event.
        seq: i64,
    },
    /// The recorded head says the chain is longer or ends elsewhere (events at the end were deleted).
    #[error(
        "the log ends at event {last_seq} but its head records event {head_seq} (events at the end were deleted or the head was changed)"
    )]
    HeadMismatch {
        /// Last event present.
        last_seq: i64,
        /// Last event according to the head.
        head_seq: i64,
    },
}

impl ChainBreak {
    /// The sequence number of the first broken event, for the verifier's report.
    pub fn seq(&self) -> i64 {
        match self {
            ChainBreak::SequenceGap { found, .. } => *found,
            ChainBreak::BrokenLink { seq } | ChainBreak::ContentChanged { seq } => *seq,
            ChainBreak::HeadMismatch { last_seq, .. } => *last_seq + 1,
        }
    }
}

/// Incremental verifier, so a log of any length can be checked while it streams from the
/// database with constant memory.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    expected_seq: i64,
    last_hash: String,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            expected_seq: 1,
            last_hash: GENESIS_HASH.to_string(),
        }
    }
}

impl ChainVerifier {
    /// Checks the next event in sequence order.
    pub fn check(&mut self, event: &AuditEvent) -> Result<(), ChainBreak> {
        if event.seq != self.expected_seq {
            return Err(ChainBreak::SequenceGap {
                expected: self.expected_seq,
                found: event.seq,
            });
        }
        if event.prev_hash != self.last_hash {
            return Err(ChainBreak::BrokenLink { seq: event.seq });
        }
        if event_hash(&event.content()) != event.hash {
            return Err(ChainBreak::ContentChanged { seq: event.seq });
        }
        self.expected_seq += 1;
        self.last_hash = event.hash.clone();
        Ok(())
    }

    /// Checks that the chain ends where the recorded head says it ends.
    pub fn finish(&self, head_seq: i64, head_hash: &str) -> Result<i64, ChainBreak> {
        let last_seq = self.expected_seq - 1;
        if head_seq != last_seq || head_hash != self.last_hash {
            return Err(ChainBreak::HeadMismatch { last_seq, head_seq });
        }
        Ok(last_seq)
    }
}

/// Verifies a whole chain in memory (tests and small logs); returns the number of events.
pub fn verify_chain<'a>(
    events: impl IntoIterator<Item = &'a AuditEvent>,
    head: (i64, &str),
) -> Result<i64, ChainBreak> {
    let mut verifier = ChainVerifier::default();
    for event in events {
        verifier.check(event)?;
    }
    verifier.finish(head.0, head.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEvent> {
        let mut prev = GENESIS_HASH.to_string();
        (1..=n)
            .map(|seq| {
                let mut event = AuditEvent {
                    seq,
                    occurred_at: Timestamp::from_micros(1_700_000_000_000_000 + seq),
                    actor_user_id: Some(1),
                    actor: "user:admin".into(),
                    action: "user.created".into(),
                    entity_type: "user".into(),
                    entity_id: Some(seq.to_string()),
                    before: None,
                    after: Some(format!("{{\"id\":{seq}}}")),
                    public: seq % 2 == 0,
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                event.hash = event_hash(&event.content());
                prev = event.hash.clone();
                event
            })
            .collect()
    }

    fn head(events: &[AuditEvent]) -> (i64, String) {
        let last = events.last().unwrap();
        (last.seq, last.hash.clone())
    }

    #[test]
    fn intact_chain_verifies() {
        let events = chain(5);
        let (seq, hash) = head(&events);
        assert_eq!(verify_chain(&events, (seq, &hash)), Ok(5));
        assert_eq!(verify_chain(&[], (0, GENESIS_HASH)), Ok(0));
    }

    #[test]
    fn edit_is_detected() {
        let mut events = chain(5);
        let (seq, hash) = head(&events);
        events[2].after = Some("{\"id\":99}".into());
        assert_eq!(
            verify_chain(&events, (seq, &hash)),
            Err(ChainBreak::ContentChanged { seq: 3 })
        );
    }

    #[test]
    fn edit_with_recomputed_hash_breaks_the_next_link() {
        let mut events = chain(5);
        let (seq, hash) = head(&events);
        events[2].actor = "user:mallory".into();
        events[2].hash = event_hash(&events[2].content());
        assert_eq!(
            verify_chain(&events, (seq, &hash)),
            Err(ChainBreak::BrokenLink { seq: 4 })
        );
    }

    #[test]
    fn deletion_is_detected() {
        let mut events = chain(5);
        let (seq, hash) = head(&events);
        events.remove(1);
        assert_eq!(
            verify_chain(&events, (seq, &hash)),
            Err(ChainBreak::SequenceGap {
                expected: 2,
                found: 3
            })
        );
    }

    #[test]
    fn deletion_of_the_last_event_is_detected_by_the_head() {
        let mut events = chain(5);
        let (seq, hash) = head(&events);
        events.pop();
        let err = verify_chain(&events, (seq, &hash)).unwrap_err();
        assert_eq!(
            err,
            ChainBreak::HeadMismatch {
                last_seq: 4,
                head_seq: 5
            }
        );
        assert_eq!(err.seq(), 5);
    }

    #[test]
    fn reordering_is_detected() {
        let mut events = chain(5);
        let (seq, hash) = head(&events);
        // Swap the contents of two rows but keep the sequence column in order.
        let (a, b) = (events[1].clone(), events[2].clone());
        events[1] = AuditEvent { seq: 2, ..b };
        events[2] = AuditEvent { seq: 3, ..a };
        assert!(verify_chain(&events, (seq, &hash)).is_err());
        // Swap whole rows.
        let mut events = chain(5);
        events.swap(1, 2);
        assert_eq!(
            verify_chain(&events, (seq, &hash)),
            Err(ChainBreak::SequenceGap {
                expected: 2,
                found: 3
            })
        );
    }

    #[test]
    fn every_field_is_covered_by_the_hash() {
        let base = chain(1).remove(0);
        let variants: Vec<AuditEvent> = vec![
            AuditEvent {
                occurred_at: Timestamp::from_micros(1),
                ..base.clone()
            },
            AuditEvent {
                actor_user_id: None,
                ..base.clone()
            },
            AuditEvent {
                actor: "x".into(),
                ..base.clone()
            },
            AuditEvent {
                action: "x".into(),
                ..base.clone()
            },
            AuditEvent {
                entity_type: "x".into(),
                ..base.clone()
            },
            AuditEvent {
                entity_id: None,
                ..base.clone()
            },
            AuditEvent {
                before: Some("{}".into()),
                ..base.clone()
            },
            AuditEvent {
                after: None,
                ..base.clone()
            },
            AuditEvent {
                public: !base.public,
                ..base.clone()
            },
        ];
        for v in variants {
            assert_ne!(event_hash(&v.content()), base.hash, "{v:?}");
        }
    }
}
