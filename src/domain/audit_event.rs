//! Typed audit events (issue 14): every event a workflow records is a type of its own.
//!
//! The log stays one hash-chained table whose `before`/`after` columns hold JSON text
//! (`domain::audit`); what changes is how a workflow fills them. Instead of an action code,
//! an entity name and hand-built JSON strings, a workflow hands over a value of the event's
//! type, and [`encode`] turns it into the columns. So a workflow can only record an event that
//! exists ([`AuditAction`]), about the kind of record that event is about, with the fields it
//! must carry.
//!
//! The payloads are written with `serde_json` in the same field order as the untyped code
//! wrote them before, so the same change gives the same bytes, hence the same hash: events
//! stored before the types existed keep verifying, and nothing a reader of the log sees
//! changes.

use super::audit::AuditAction;
use serde::{Serialize, Serializer};

/// An event a workflow can record in the audit log: one type per kind of event (the shape of
/// kiesraad/abacus's `AsAuditEvent`).
///
/// The type carries what the event says; the trait says how it fills a row. Secrets stay out
/// by construction: a payload is a type written for the log, or a record type whose
/// serialisation already leaves its secrets out (a user never carries its password hash, a
/// webhook subscription skips its key), never a raw row read with its secret columns.
pub trait AsAuditEvent {
    /// The kind of event: its stored code and its sentence on the audit pages.
    const ACTION: AuditAction;
    /// The kind of record the event is about, as stored (`tender`, `bid`, `user`, …); the audit
    /// pages name and link the record by it.
    const ENTITY_TYPE: &'static str;
    /// What the record looked like before the change, as the log shows it.
    type Before: Serialize + ?Sized;
    /// What the record looks like after the change, as the log shows it.
    type After: Serialize + ?Sized;

    /// The id of the record the event is about; `None` for an event about many records (a
    /// batch of imported or generated processes).
    fn entity_id(&self) -> Option<String>;

    /// Whether the event belongs to the public part of the log (`GET /api/audit`): most events
    /// are public or private by kind, some by the state of their record (a draft's changes are
    /// not public).
    fn public(&self) -> bool;

    /// The state before the change, when the event shows one.
    fn before(&self) -> Option<&Self::Before>;

    /// The state after the change, when the event shows one.
    fn after(&self) -> Option<&Self::After>;
}

/// The payload of an event side that never has one (the `before` of a creation, the `after`
/// of a sign-in): it has no values, so such a side is always empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoSnapshot {}

impl Serialize for NoSnapshot {
    fn serialize<S: Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        match *self {}
    }
}

/// An event as it fills its row: everything but what the chain adds (sequence number, time,
/// actor and hashes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedEvent {
    /// What happened.
    pub action: AuditAction,
    /// Kind of the record.
    pub entity_type: &'static str,
    /// Id of the record.
    pub entity_id: Option<String>,
    /// JSON text of the state before.
    pub before: Option<String>,
    /// JSON text of the state after.
    pub after: Option<String>,
    /// Whether the public may read the event.
    pub public: bool,
}

/// A payload that `serde_json` cannot write (a map with keys that are not text, a failing
/// custom serialiser): a programming error, refused rather than logged as an empty side.
#[derive(Debug, thiserror::Error)]
#[error("the {side} of audit event {action} cannot be written as JSON: {source}")]
pub struct EncodeError {
    /// The event.
    pub action: AuditAction,
    /// `before` or `after`.
    pub side: &'static str,
    /// Why.
    pub source: serde_json::Error,
}

/// The row columns of an event.
pub fn encode<E: AsAuditEvent + ?Sized>(event: &E) -> Result<EncodedEvent, EncodeError> {
    fn side<T: Serialize + ?Sized>(
        action: AuditAction,
        side: &'static str,
        value: Option<&T>,
    ) -> Result<Option<String>, EncodeError> {
        value
            .map(|v| {
                serde_json::to_string(v).map_err(|source| EncodeError {
                    action,
                    side,
                    source,
                })
            })
            .transpose()
    }
    Ok(EncodedEvent {
        action: E::ACTION,
        entity_type: E::ENTITY_TYPE,
        entity_id: event.entity_id(),
        before: side(E::ACTION, "before", event.before())?,
        after: side(E::ACTION, "after", event.after())?,
        public: event.public(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// A made-up event with a state on both sides.
    #[derive(Serialize)]
    struct Renamed<'a> {
        #[serde(skip)]
        id: i64,
        name: &'a str,
        size: usize,
    }

    impl AsAuditEvent for Renamed<'_> {
        const ACTION: AuditAction = AuditAction::UserUpdated;
        const ENTITY_TYPE: &'static str = "user";
        type Before = str;
        type After = Self;
        fn entity_id(&self) -> Option<String> {
            Some(self.id.to_string())
        }
        fn public(&self) -> bool {
            false
        }
        fn before(&self) -> Option<&str> {
            Some("old")
        }
        fn after(&self) -> Option<&Self> {
            Some(self)
        }
    }

    #[test]
    fn an_event_fills_its_row() {
        let e = encode(&Renamed {
            id: 7,
            name: "Ana \"la\" <b>",
            size: 3,
        })
        .unwrap();
        assert_eq!(
            e,
            EncodedEvent {
                action: AuditAction::UserUpdated,
                entity_type: "user",
                entity_id: Some("7".into()),
                before: Some("\"old\"".into()),
                after: Some(r#"{"name":"Ana \"la\" <b>","size":3}"#.into()),
                public: false,
            }
        );
    }

    #[test]
    fn the_bytes_are_those_of_the_untyped_json() {
        // The untyped code wrote `json!({...}).to_string()`; with `preserve_order` the keys keep
        // their written order, as a struct's fields do.
        let typed = encode(&Renamed {
            id: 1,
            name: "ñandú",
            size: 10,
        })
        .unwrap();
        let untyped = serde_json::json!({"name": "ñandú", "size": 10usize}).to_string();
        assert_eq!(typed.after.as_deref(), Some(untyped.as_str()));
    }

    /// An event with no states, and one whose payload cannot be JSON.
    struct Broken;

    impl AsAuditEvent for Broken {
        const ACTION: AuditAction = AuditAction::SessionSignedIn;
        const ENTITY_TYPE: &'static str = "user";
        type Before = NoSnapshot;
        type After = HashMap<(i64, i64), i64>;
        fn entity_id(&self) -> Option<String> {
            None
        }
        fn public(&self) -> bool {
            false
        }
        fn before(&self) -> Option<&NoSnapshot> {
            None
        }
        fn after(&self) -> Option<&Self::After> {
            static MAP: std::sync::OnceLock<HashMap<(i64, i64), i64>> = std::sync::OnceLock::new();
            Some(MAP.get_or_init(|| HashMap::from([((1, 2), 3)])))
        }
    }

    #[test]
    fn a_payload_that_is_not_json_is_refused() {
        let err = encode(&Broken).unwrap_err();
        assert_eq!(err.action, AuditAction::SessionSignedIn);
        assert_eq!(err.side, "after");
    }
}
