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

/// Every kind of event the platform records: a workflow can only record one of these, and
/// each has a sentence in both languages (`audit-event-…`, issue 13: the public log showed
/// machine codes such as `tender.published`). The stored code never changes once used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum AuditAction {
    /// `api_token.created`.
    ApiTokenCreated,
    /// `api_token.revoked`.
    ApiTokenRevoked,
    /// `auction.scheduled`.
    AuctionScheduled,
    /// `auction.rescheduled`.
    AuctionRescheduled,
    /// `auction.started`.
    AuctionStarted,
    /// `auction.paused`.
    AuctionPaused,
    /// `auction.resumed`.
    AuctionResumed,
    /// `auction.resumption_rescheduled`.
    AuctionResumptionRescheduled,
    /// `auction.finished`.
    AuctionFinished,
    /// `award.decided`.
    AwardDecided,
    /// `award.final`.
    AwardFinal,
    /// `bid.submitted`.
    BidSubmitted,
    /// `bid.replaced`.
    BidReplaced,
    /// `bid.withdrawn`.
    BidWithdrawn,
    /// `buyer.created`.
    BuyerCreated,
    /// `catalogue_item.created`.
    CatalogueItemCreated,
    /// `catalogue_proposal.created`.
    CatalogueProposalCreated,
    /// `catalogue_proposal.approved`.
    CatalogueProposalApproved,
    /// `catalogue_proposal.rejected`.
    CatalogueProposalRejected,
    /// `clarification.asked`.
    ClarificationAsked,
    /// `clarification.answered`.
    ClarificationAnswered,
    /// `complaint.filed`.
    ComplaintFiled,
    /// `complaint.upheld`.
    ComplaintUpheld,
    /// `complaint.rejected`.
    ComplaintRejected,
    /// `contract.signed`.
    ContractSigned,
    /// `contract.amended`.
    ContractAmended,
    /// `evaluation.conflict_declared`.
    EvaluationConflictDeclared,
    /// `evaluation.assessed`.
    EvaluationAssessed,
    /// `evaluation.submitted`.
    EvaluationSubmitted,
    /// `evaluation.completed`.
    EvaluationCompleted,
    /// `load_data.generated`.
    LoadDataGenerated,
    /// `notifications.read`.
    NotificationsRead,
    /// `ocds.imported`.
    OcdsImported,
    /// `opening_key.registered`.
    OpeningKeyRegistered,
    /// `plan_line.created`.
    PlanLineCreated,
    /// `product_card.created`: a supplier's product card (issue 14).
    ProductCardCreated,
    /// `product_card.updated`.
    ProductCardUpdated,
    /// `product_card.withdrawn`.
    ProductCardWithdrawn,
    /// `session.signed_in`.
    SessionSignedIn,
    /// `session.signed_out`.
    SessionSignedOut,
    /// `supplier.registered`.
    SupplierRegistered,
    /// `supplier.pending`.
    SupplierPending,
    /// `supplier.verified`.
    SupplierVerified,
    /// `supplier.suspended`.
    SupplierSuspended,
    /// `supplier.reinstated`.
    SupplierReinstated,
    /// `tender.created`.
    TenderCreated,
    /// `tender.updated`.
    TenderUpdated,
    /// `tender.published`.
    TenderPublished,
    /// `tender.amended`.
    TenderAmended,
    /// `tender.document_added`.
    TenderDocumentAdded,
    /// `tender.followed`.
    TenderFollowed,
    /// `tender.unfollowed`.
    TenderUnfollowed,
    /// `tender.bids_opened`.
    TenderBidsOpened,
    /// `tender.cancelled`.
    TenderCancelled,
    /// `tender.unsuccessful`.
    TenderUnsuccessful,
    /// `agreement.concluded`: a framework lot's award became an agreement (issue 14).
    AgreementConcluded,
    /// `agreement.status_changed`: an agreement started, expired, was exhausted, suspended, resumed or terminated.
    AgreementStatusChanged,
    /// `call_off.placed`: a unit placed a call-off on an agreement (issue 14).
    CallOffPlaced,
    /// `call_off.confirmed`: the supplier confirmed a call-off.
    CallOffConfirmed,
    /// `call_off.declined`: the supplier declined a call-off with a coded reason.
    CallOffDeclined,
    /// `call_off.offer_expired`: a call-off's confirmation window closed in silence.
    CallOffOfferExpired,
    /// `call_off.cancelled`: a unit withdrew its call-off.
    CallOffCancelled,
    /// `framework.terms_set`: a framework tender's terms were set (issue 14).
    FrameworkTermsSet,
    /// `unit.created`: a unit of the institution (issue 14).
    UnitCreated,
    /// `unit.updated`.
    UnitUpdated,
    /// `user.created`.
    UserCreated,
    /// `user.units_changed`: the units a user acts for (issue 14).
    UserUnitsChanged,
    /// `user.updated`.
    UserUpdated,
    /// `user.activated`.
    UserActivated,
    /// `user.deactivated`.
    UserDeactivated,
    /// `user.password_reset`.
    UserPasswordReset,
    /// `user.password_changed`.
    UserPasswordChanged,
    /// `user.locale_changed`.
    UserLocaleChanged,
    /// `webhook.subscribed`.
    WebhookSubscribed,
    /// `webhook.enabled`.
    WebhookEnabled,
    /// `webhook.disabled`.
    WebhookDisabled,
}

impl AuditAction {
    /// Every event kind.
    pub const ALL: [AuditAction; 76] = [
        AuditAction::ApiTokenCreated,
        AuditAction::ApiTokenRevoked,
        AuditAction::AuctionScheduled,
        AuditAction::AuctionRescheduled,
        AuditAction::AuctionStarted,
        AuditAction::AuctionPaused,
        AuditAction::AuctionResumed,
        AuditAction::AuctionResumptionRescheduled,
        AuditAction::AuctionFinished,
        AuditAction::AwardDecided,
        AuditAction::AwardFinal,
        AuditAction::BidSubmitted,
        AuditAction::BidReplaced,
        AuditAction::BidWithdrawn,
        AuditAction::BuyerCreated,
        AuditAction::CatalogueItemCreated,
        AuditAction::CatalogueProposalCreated,
        AuditAction::CatalogueProposalApproved,
        AuditAction::CatalogueProposalRejected,
        AuditAction::ClarificationAsked,
        AuditAction::ClarificationAnswered,
        AuditAction::ComplaintFiled,
        AuditAction::ComplaintUpheld,
        AuditAction::ComplaintRejected,
        AuditAction::ContractSigned,
        AuditAction::ContractAmended,
        AuditAction::EvaluationConflictDeclared,
        AuditAction::EvaluationAssessed,
        AuditAction::EvaluationSubmitted,
        AuditAction::EvaluationCompleted,
        AuditAction::LoadDataGenerated,
        AuditAction::NotificationsRead,
        AuditAction::OcdsImported,
        AuditAction::OpeningKeyRegistered,
        AuditAction::PlanLineCreated,
        AuditAction::ProductCardCreated,
        AuditAction::ProductCardUpdated,
        AuditAction::ProductCardWithdrawn,
        AuditAction::SessionSignedIn,
        AuditAction::SessionSignedOut,
        AuditAction::SupplierRegistered,
        AuditAction::SupplierPending,
        AuditAction::SupplierVerified,
        AuditAction::SupplierSuspended,
        AuditAction::SupplierReinstated,
        AuditAction::TenderCreated,
        AuditAction::TenderUpdated,
        AuditAction::TenderPublished,
        AuditAction::TenderAmended,
        AuditAction::TenderDocumentAdded,
        AuditAction::TenderFollowed,
        AuditAction::TenderUnfollowed,
        AuditAction::TenderBidsOpened,
        AuditAction::TenderCancelled,
        AuditAction::TenderUnsuccessful,
        AuditAction::UserCreated,
        AuditAction::UserUnitsChanged,
        AuditAction::UserUpdated,
        AuditAction::UnitCreated,
        AuditAction::UnitUpdated,
        AuditAction::AgreementConcluded,
        AuditAction::AgreementStatusChanged,
        AuditAction::CallOffPlaced,
        AuditAction::CallOffConfirmed,
        AuditAction::CallOffDeclined,
        AuditAction::CallOffOfferExpired,
        AuditAction::CallOffCancelled,
        AuditAction::FrameworkTermsSet,
        AuditAction::UserActivated,
        AuditAction::UserDeactivated,
        AuditAction::UserPasswordReset,
        AuditAction::UserPasswordChanged,
        AuditAction::UserLocaleChanged,
        AuditAction::WebhookSubscribed,
        AuditAction::WebhookEnabled,
        AuditAction::WebhookDisabled,
    ];

    /// The stable dotted code stored in the log (`tender.published`).
    pub const fn code(self) -> &'static str {
        match self {
            AuditAction::ApiTokenCreated => "api_token.created",
            AuditAction::ApiTokenRevoked => "api_token.revoked",
            AuditAction::AuctionScheduled => "auction.scheduled",
            AuditAction::AuctionRescheduled => "auction.rescheduled",
            AuditAction::AuctionStarted => "auction.started",
            AuditAction::AuctionPaused => "auction.paused",
            AuditAction::AuctionResumed => "auction.resumed",
            AuditAction::AuctionResumptionRescheduled => "auction.resumption_rescheduled",
            AuditAction::AuctionFinished => "auction.finished",
            AuditAction::AwardDecided => "award.decided",
            AuditAction::AwardFinal => "award.final",
            AuditAction::BidSubmitted => "bid.submitted",
            AuditAction::BidReplaced => "bid.replaced",
            AuditAction::BidWithdrawn => "bid.withdrawn",
            AuditAction::BuyerCreated => "buyer.created",
            AuditAction::CatalogueItemCreated => "catalogue_item.created",
            AuditAction::CatalogueProposalCreated => "catalogue_proposal.created",
            AuditAction::CatalogueProposalApproved => "catalogue_proposal.approved",
            AuditAction::CatalogueProposalRejected => "catalogue_proposal.rejected",
            AuditAction::ClarificationAsked => "clarification.asked",
            AuditAction::ClarificationAnswered => "clarification.answered",
            AuditAction::ComplaintFiled => "complaint.filed",
            AuditAction::ComplaintUpheld => "complaint.upheld",
            AuditAction::ComplaintRejected => "complaint.rejected",
            AuditAction::ContractSigned => "contract.signed",
            AuditAction::ContractAmended => "contract.amended",
            AuditAction::EvaluationConflictDeclared => "evaluation.conflict_declared",
            AuditAction::EvaluationAssessed => "evaluation.assessed",
            AuditAction::EvaluationSubmitted => "evaluation.submitted",
            AuditAction::EvaluationCompleted => "evaluation.completed",
            AuditAction::LoadDataGenerated => "load_data.generated",
            AuditAction::NotificationsRead => "notifications.read",
            AuditAction::OcdsImported => "ocds.imported",
            AuditAction::OpeningKeyRegistered => "opening_key.registered",
            AuditAction::PlanLineCreated => "plan_line.created",
            AuditAction::ProductCardCreated => "product_card.created",
            AuditAction::ProductCardUpdated => "product_card.updated",
            AuditAction::ProductCardWithdrawn => "product_card.withdrawn",
            AuditAction::SessionSignedIn => "session.signed_in",
            AuditAction::SessionSignedOut => "session.signed_out",
            AuditAction::SupplierRegistered => "supplier.registered",
            AuditAction::SupplierPending => "supplier.pending",
            AuditAction::SupplierVerified => "supplier.verified",
            AuditAction::SupplierSuspended => "supplier.suspended",
            AuditAction::SupplierReinstated => "supplier.reinstated",
            AuditAction::TenderCreated => "tender.created",
            AuditAction::TenderUpdated => "tender.updated",
            AuditAction::TenderPublished => "tender.published",
            AuditAction::TenderAmended => "tender.amended",
            AuditAction::TenderDocumentAdded => "tender.document_added",
            AuditAction::TenderFollowed => "tender.followed",
            AuditAction::TenderUnfollowed => "tender.unfollowed",
            AuditAction::TenderBidsOpened => "tender.bids_opened",
            AuditAction::TenderCancelled => "tender.cancelled",
            AuditAction::TenderUnsuccessful => "tender.unsuccessful",
            AuditAction::UserCreated => "user.created",
            AuditAction::UserUnitsChanged => "user.units_changed",
            AuditAction::UnitCreated => "unit.created",
            AuditAction::UnitUpdated => "unit.updated",
            AuditAction::AgreementConcluded => "agreement.concluded",
            AuditAction::AgreementStatusChanged => "agreement.status_changed",
            AuditAction::CallOffPlaced => "call_off.placed",
            AuditAction::CallOffConfirmed => "call_off.confirmed",
            AuditAction::CallOffDeclined => "call_off.declined",
            AuditAction::CallOffOfferExpired => "call_off.offer_expired",
            AuditAction::CallOffCancelled => "call_off.cancelled",
            AuditAction::FrameworkTermsSet => "framework.terms_set",
            AuditAction::UserUpdated => "user.updated",
            AuditAction::UserActivated => "user.activated",
            AuditAction::UserDeactivated => "user.deactivated",
            AuditAction::UserPasswordReset => "user.password_reset",
            AuditAction::UserPasswordChanged => "user.password_changed",
            AuditAction::UserLocaleChanged => "user.locale_changed",
            AuditAction::WebhookSubscribed => "webhook.subscribed",
            AuditAction::WebhookEnabled => "webhook.enabled",
            AuditAction::WebhookDisabled => "webhook.disabled",
        }
    }

    /// The kind with this stored code.
    pub fn from_code(code: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.code() == code)
    }

    /// The key of the event's sentence (`tender.bids_opened` → `audit-event-tender-bids-opened`).
    pub fn message_key(self) -> String {
        format!("audit-event-{}", self.code().replace(['.', '_'], "-"))
    }
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

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
    fn action_codes_are_unique_and_round_trip() {
        let mut seen = std::collections::BTreeSet::new();
        for a in AuditAction::ALL {
            assert!(seen.insert(a.code()), "{a} twice");
            assert_eq!(AuditAction::from_code(a.code()), Some(a));
        }
        assert_eq!(
            AuditAction::TenderBidsOpened.message_key(),
            "audit-event-tender-bids-opened"
        );
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
