//! Events of a tender's life from draft to publication and of its public life: amendments,
//! documents, clarifications, following and cancellation (`service::tenders`). A draft's
//! events are private; a public tender's are public, except who follows it or asks about it.

use crate::domain::audit::AuditAction;
use crate::domain::audit_event::{AsAuditEvent, NoSnapshot};
use crate::repository::documents::DocumentRow;
use crate::repository::tenders::{AmendmentRow, TenderRow};
use serde::Serialize;

/// `tender.created`: a buyer created a draft.
#[derive(Debug, Clone, Copy)]
pub struct TenderCreated<'a> {
    /// The draft as stored.
    pub tender: &'a TenderRow,
}

impl AsAuditEvent for TenderCreated<'_> {
    const ACTION: AuditAction = AuditAction::TenderCreated;
    const ENTITY_TYPE: &'static str = "tender";
    type Before = NoSnapshot;
    type After = TenderRow;
    fn entity_id(&self) -> Option<String> {
        Some(self.tender.id.to_string())
    }
    fn public(&self) -> bool {
        false
    }
    fn before(&self) -> Option<&NoSnapshot> {
        None
    }
    fn after(&self) -> Option<&TenderRow> {
        Some(self.tender)
    }
}

/// `tender.updated`: a buyer replaced a draft's content.
#[derive(Debug, Clone, Copy)]
pub struct TenderUpdated<'a> {
    /// The draft before.
    pub before: &'a TenderRow,
    /// The draft after.
    pub after: &'a TenderRow,
}

impl AsAuditEvent for TenderUpdated<'_> {
    const ACTION: AuditAction = AuditAction::TenderUpdated;
    const ENTITY_TYPE: &'static str = "tender";
    type Before = TenderRow;
    type After = TenderRow;
    fn entity_id(&self) -> Option<String> {
        Some(self.after.id.to_string())
    }
    fn public(&self) -> bool {
        false
    }
    fn before(&self) -> Option<&TenderRow> {
        Some(self.before)
    }
    fn after(&self) -> Option<&TenderRow> {
        Some(self.after)
    }
}

/// What the log shows of a publication: the tender, with the sealing-key ceremony of a
/// method with sealed bids, or marked as a direct award without a bidding period.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(untagged)]
pub enum Published<'a> {
    /// A call for sealed bids.
    Sealed {
        /// The tender as published.
        tender: &'a TenderRow,
        /// Fingerprint of the tender's sealing key, which suppliers check their receipts by.
        sealing_key_fingerprint: &'a str,
        /// How many committee members open the bids.
        opening_threshold: i64,
        /// The committee's members.
        committee: &'a [i64],
    },
    /// A direct award, which goes straight to evaluation.
    Direct {
        /// The tender as published.
        tender: &'a TenderRow,
        /// Always `true`.
        direct_award: bool,
    },
}

/// `tender.published`: a buyer made a draft public.
#[derive(Debug, Clone, Copy)]
pub struct TenderPublished<'a> {
    /// What was published.
    pub publication: Published<'a>,
}

impl<'a> TenderPublished<'a> {
    /// The publication of a direct award.
    pub fn direct(tender: &'a TenderRow) -> Self {
        TenderPublished {
            publication: Published::Direct {
                tender,
                direct_award: true,
            },
        }
    }
}

impl<'a> AsAuditEvent for TenderPublished<'a> {
    const ACTION: AuditAction = AuditAction::TenderPublished;
    const ENTITY_TYPE: &'static str = "tender";
    type Before = NoSnapshot;
    type After = Published<'a>;
    fn entity_id(&self) -> Option<String> {
        let (Published::Sealed { tender, .. } | Published::Direct { tender, .. }) =
            self.publication;
        Some(tender.id.to_string())
    }
    fn public(&self) -> bool {
        true
    }
    fn before(&self) -> Option<&NoSnapshot> {
        None
    }
    fn after(&self) -> Option<&Published<'a>> {
        Some(&self.publication)
    }
}

/// `tender.amended`: a buyer amended a published tender (suppliers were notified).
#[derive(Debug, Clone, Copy)]
pub struct TenderAmended<'a> {
    /// The tender before.
    pub before: &'a TenderRow,
    /// The amendment as stored.
    pub amendment: &'a AmendmentRow,
}

impl AsAuditEvent for TenderAmended<'_> {
    const ACTION: AuditAction = AuditAction::TenderAmended;
    const ENTITY_TYPE: &'static str = "tender";
    type Before = TenderRow;
    type After = AmendmentRow;
    fn entity_id(&self) -> Option<String> {
        Some(self.before.id.to_string())
    }
    fn public(&self) -> bool {
        true
    }
    fn before(&self) -> Option<&TenderRow> {
        Some(self.before)
    }
    fn after(&self) -> Option<&AmendmentRow> {
        Some(self.amendment)
    }
}

/// A cancelled tender and why, as the log shows it.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Cancellation<'a> {
    /// The tender after.
    pub tender: &'a TenderRow,
    /// The buyer's reason.
    pub reason: &'a str,
}

/// `tender.cancelled`: a buyer cancelled a tender. Public when the tender was (a cancelled
/// draft was never public).
#[derive(Debug, Clone, Copy)]
pub struct TenderCancelled<'a> {
    /// The tender before.
    pub before: &'a TenderRow,
    /// The tender after, and why.
    pub after: Cancellation<'a>,
}

impl<'a> AsAuditEvent for TenderCancelled<'a> {
    const ACTION: AuditAction = AuditAction::TenderCancelled;
    const ENTITY_TYPE: &'static str = "tender";
    type Before = TenderRow;
    type After = Cancellation<'a>;
    fn entity_id(&self) -> Option<String> {
        Some(self.before.id.to_string())
    }
    fn public(&self) -> bool {
        self.before.status().is_public()
    }
    fn before(&self) -> Option<&TenderRow> {
        Some(self.before)
    }
    fn after(&self) -> Option<&Cancellation<'a>> {
        Some(&self.after)
    }
}

/// `tender.document_added`: a buyer attached a document (its SHA-256 is shown publicly).
/// Public when the tender is.
#[derive(Debug, Clone, Copy)]
pub struct TenderDocumentAdded<'a> {
    /// The tender.
    pub tender: &'a TenderRow,
    /// The document as stored.
    pub document: &'a DocumentRow,
}

impl AsAuditEvent for TenderDocumentAdded<'_> {
    const ACTION: AuditAction = AuditAction::TenderDocumentAdded;
    const ENTITY_TYPE: &'static str = "tender";
    type Before = NoSnapshot;
    type After = DocumentRow;
    fn entity_id(&self) -> Option<String> {
        Some(self.tender.id.to_string())
    }
    fn public(&self) -> bool {
        self.tender.status().is_public()
    }
    fn before(&self) -> Option<&NoSnapshot> {
        None
    }
    fn after(&self) -> Option<&DocumentRow> {
        Some(self.document)
    }
}

/// `clarification.asked`: a supplier asked a question. Private: the asker stays anonymous,
/// and the question is published with its answer.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ClarificationAsked<'a> {
    /// The question's id.
    #[serde(skip)]
    pub clarification_id: i64,
    /// The tender.
    pub tender_id: i64,
    /// The question.
    pub question: &'a str,
}

impl AsAuditEvent for ClarificationAsked<'_> {
    const ACTION: AuditAction = AuditAction::ClarificationAsked;
    const ENTITY_TYPE: &'static str = "clarification";
    type Before = NoSnapshot;
    type After = Self;
    fn entity_id(&self) -> Option<String> {
        Some(self.clarification_id.to_string())
    }
    fn public(&self) -> bool {
        false
    }
    fn before(&self) -> Option<&NoSnapshot> {
        None
    }
    fn after(&self) -> Option<&Self> {
        Some(self)
    }
}

/// `clarification.answered`: a buyer answered a question; both are public (the asker not).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ClarificationAnswered<'a> {
    /// The tender.
    #[serde(skip)]
    pub tender_id: i64,
    /// The question's id.
    pub clarification_id: i64,
    /// The question.
    pub question: &'a str,
    /// The answer.
    pub answer: &'a str,
}

impl AsAuditEvent for ClarificationAnswered<'_> {
    const ACTION: AuditAction = AuditAction::ClarificationAnswered;
    const ENTITY_TYPE: &'static str = "tender";
    type Before = NoSnapshot;
    type After = Self;
    fn entity_id(&self) -> Option<String> {
        Some(self.tender_id.to_string())
    }
    fn public(&self) -> bool {
        true
    }
    fn before(&self) -> Option<&NoSnapshot> {
        None
    }
    fn after(&self) -> Option<&Self> {
        Some(self)
    }
}

/// Who follows a tender, as the log shows it.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Follower {
    /// The supplier.
    pub supplier_id: i64,
}

/// `tender.followed`: a supplier follows a tender (it is notified of amendments and
/// answers). Private.
#[derive(Debug, Clone, Copy)]
pub struct TenderFollowed {
    /// The tender.
    pub tender_id: i64,
    /// Who follows it now.
    pub follower: Follower,
}

impl AsAuditEvent for TenderFollowed {
    const ACTION: AuditAction = AuditAction::TenderFollowed;
    const ENTITY_TYPE: &'static str = "tender";
    type Before = NoSnapshot;
    type After = Follower;
    fn entity_id(&self) -> Option<String> {
        Some(self.tender_id.to_string())
    }
    fn public(&self) -> bool {
        false
    }
    fn before(&self) -> Option<&NoSnapshot> {
        None
    }
    fn after(&self) -> Option<&Follower> {
        Some(&self.follower)
    }
}

/// `tender.unfollowed`: a supplier stopped following a tender. Private.
#[derive(Debug, Clone, Copy)]
pub struct TenderUnfollowed {
    /// The tender.
    pub tender_id: i64,
    /// Who followed it until now.
    pub follower: Follower,
}

impl AsAuditEvent for TenderUnfollowed {
    const ACTION: AuditAction = AuditAction::TenderUnfollowed;
    const ENTITY_TYPE: &'static str = "tender";
    type Before = Follower;
    type After = NoSnapshot;
    fn entity_id(&self) -> Option<String> {
        Some(self.tender_id.to_string())
    }
    fn public(&self) -> bool {
        false
    }
    fn before(&self) -> Option<&Follower> {
        Some(&self.follower)
    }
    fn after(&self) -> Option<&NoSnapshot> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit_event::encode;
    use crate::service::snapshot;
    use serde_json::json;

    /// A tender with every field set, in the given state.
    fn tender(status: &str) -> TenderRow {
        TenderRow {
            id: 3,
            ocid: "ocds-tgs001-2026-000003".into(),
            reference: "ISSG-2026-00003".into(),
            buyer_id: 1,
            title: "Adquisición de \"aciclovir\" y otros".into(),
            description: "Abastecimiento según el plan anual.\nSegunda línea.".into(),
            method_code: "cotizacion".into(),
            rulebook_id: "gt-lce".into(),
            rulebook_version: "2025.1".into(),
            status: status.into(),
            currency: "GTQ".into(),
            estimated_value: "398810.40".into(),
            estimated_value_minor: 39_881_040,
            year: 2026,
            is_direct: false,
            justification: None,
            exception_category: Some("urgencia".into()),
            evaluation_method: "lowest_price".into(),
            has_auction: true,
            standstill_days: 5,
            minimum_bids: 3,
            opening_threshold: 2,
            published_at: Some(1_767_225_600_000_000),
            clarification_deadline: Some(1_768_000_000_000_000),
            bid_deadline: Some(1_769_000_000_000_000),
            opened_at: None,
            status_reason: None,
            created_by: 7,
            created_at: 1_767_000_000_000_000,
            updated_at: 1_767_100_000_000_000,
        }
    }

    #[test]
    fn a_tender_logs_as_the_untyped_code_wrote_it() {
        let draft = tender("draft");
        let published = tender("published");
        let e = encode(&TenderCreated { tender: &draft }).unwrap();
        assert_eq!((e.after, e.public), (snapshot(&draft), false));
        let e = encode(&TenderUpdated {
            before: &draft,
            after: &draft,
        })
        .unwrap();
        assert_eq!((e.before, e.after), (snapshot(&draft), snapshot(&draft)));

        let committee: Vec<i64> = vec![4, 5, 6];
        let e = encode(&TenderPublished {
            publication: Published::Sealed {
                tender: &published,
                sealing_key_fingerprint: "6e3a 24d1",
                opening_threshold: draft.opening_threshold,
                committee: &committee,
            },
        })
        .unwrap();
        let untyped = json!({
            "tender": published,
            "sealing_key_fingerprint": "6e3a 24d1".to_string(),
            "opening_threshold": draft.opening_threshold,
            "committee": committee,
        });
        assert_eq!(e.after, Some(untyped.to_string()));
        assert_eq!((e.entity_id.as_deref(), e.public), (Some("3"), true));
        let e = encode(&TenderPublished::direct(&published)).unwrap();
        assert_eq!(
            e.after,
            Some(json!({"tender": published, "direct_award": true}).to_string())
        );

        let amendment = AmendmentRow {
            id: 2,
            tender_id: 3,
            number: 1,
            description: "Se amplía el plazo".into(),
            old_clarification_deadline: Some(1_768_000_000_000_000),
            new_clarification_deadline: None,
            old_bid_deadline: Some(1_769_000_000_000_000),
            new_bid_deadline: Some(1_769_500_000_000_000),
            created_by: 7,
            created_at: 1_768_500_000_000_000,
        };
        let e = encode(&TenderAmended {
            before: &published,
            amendment: &amendment,
        })
        .unwrap();
        assert_eq!(
            (e.before, e.after),
            (snapshot(&published), snapshot(&amendment))
        );

        // A cancelled draft was never public; a cancelled call was.
        let cancelled = tender("cancelled");
        for (before, public) in [(&draft, false), (&published, true)] {
            let e = encode(&TenderCancelled {
                before,
                after: Cancellation {
                    tender: &cancelled,
                    reason: "Ya no se necesita",
                },
            })
            .unwrap();
            assert_eq!(e.before, snapshot(before));
            assert_eq!(
                e.after,
                Some(json!({"tender": cancelled, "reason": "Ya no se necesita"}).to_string())
            );
            assert_eq!(e.public, public);
        }

        let document = DocumentRow {
            id: 8,
            owner_type: "tender".into(),
            owner_id: 3,
            filename: "bases.pdf".into(),
            content_type: "application/pdf".into(),
            size: 1024,
            sha256: "ab".repeat(32),
            public: true,
            uploaded_by: 7,
            uploaded_at: 1_767_000_000_000_000,
        };
        for (t, public) in [(&draft, false), (&published, true)] {
            let e = encode(&TenderDocumentAdded {
                tender: t,
                document: &document,
            })
            .unwrap();
            assert_eq!((e.after, e.public), (snapshot(&document), public));
        }
    }

    #[test]
    fn the_json_is_that_of_the_untyped_code() {
        let e = encode(&ClarificationAsked {
            clarification_id: 14,
            tender_id: 3,
            question: "¿Se acepta \"genérico\"?",
        })
        .unwrap();
        assert_eq!(
            e.after,
            Some(json!({"tender_id": 3i64, "question": "¿Se acepta \"genérico\"?"}).to_string())
        );
        assert_eq!(
            (e.entity_type, e.entity_id.as_deref(), e.public),
            ("clarification", Some("14"), false)
        );

        let e = encode(&ClarificationAnswered {
            tender_id: 3,
            clarification_id: 14,
            question: "¿Se acepta?",
            answer: "Sí.",
        })
        .unwrap();
        assert_eq!(
            e.after,
            Some(
                json!({"clarification_id": 14i64, "question": "¿Se acepta?", "answer": "Sí."})
                    .to_string()
            )
        );
        assert_eq!(
            (e.entity_type, e.entity_id.as_deref(), e.public),
            ("tender", Some("3"), true)
        );

        // Following: the state is on the `after` side, unfollowing on the `before` side.
        let state = Some(json!({"supplier_id": 9i64}).to_string());
        let follower = Follower { supplier_id: 9 };
        let e = encode(&TenderFollowed {
            tender_id: 3,
            follower,
        })
        .unwrap();
        assert_eq!((e.before, e.after.clone()), (None, state.clone()));
        let e = encode(&TenderUnfollowed {
            tender_id: 3,
            follower,
        })
        .unwrap();
        assert_eq!((e.before, e.after), (state, None));
    }
}
