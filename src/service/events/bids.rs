//! Events of sealed bids and of their opening (`service::bids`). Who bid is private until the
//! opening, and what they bid is never logged before it: a [`BidRow`] skips its ciphertext, a
//! [`Receipt`] holds hashes only.

use crate::domain::audit::AuditAction;
use crate::domain::audit_event::{AsAuditEvent, NoSnapshot};
use crate::repository::bids::BidRow;
use crate::service::bids::{OpeningLine, Receipt};
use serde::Serialize;

/// `opening_key.registered`: a committee member registered the key that opens bids with
/// their passphrase. Private; the log shows the public key's fingerprint only.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct OpeningKeyRegistered<'a> {
    /// The member.
    #[serde(skip)]
    pub user_id: i64,
    /// Fingerprint of the public key.
    pub fingerprint: &'a str,
}

impl AsAuditEvent for OpeningKeyRegistered<'_> {
    const ACTION: AuditAction = AuditAction::OpeningKeyRegistered;
    const ENTITY_TYPE: &'static str = "user";
    type Before = NoSnapshot;
    type After = Self;
    fn entity_id(&self) -> Option<String> {
        Some(self.user_id.to_string())
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

/// `bid.submitted`: a supplier sealed a bid on a lot. Private until the opening.
#[derive(Debug, Clone, Copy)]
pub struct BidSubmitted<'a> {
    /// The receipt the supplier got.
    pub receipt: &'a Receipt,
}

impl AsAuditEvent for BidSubmitted<'_> {
    const ACTION: AuditAction = AuditAction::BidSubmitted;
    const ENTITY_TYPE: &'static str = "bid";
    type Before = NoSnapshot;
    type After = Receipt;
    fn entity_id(&self) -> Option<String> {
        Some(self.receipt.bid_id.to_string())
    }
    fn public(&self) -> bool {
        false
    }
    fn before(&self) -> Option<&NoSnapshot> {
        None
    }
    fn after(&self) -> Option<&Receipt> {
        Some(self.receipt)
    }
}

/// `bid.replaced`: a supplier sealed a new bid in place of its standing one (whose
/// ciphertext was erased). Private until the opening.
#[derive(Debug, Clone, Copy)]
pub struct BidReplaced<'a> {
    /// The new bid's receipt, naming the bid it replaces.
    pub receipt: &'a Receipt,
}

impl AsAuditEvent for BidReplaced<'_> {
    const ACTION: AuditAction = AuditAction::BidReplaced;
    const ENTITY_TYPE: &'static str = "bid";
    type Before = NoSnapshot;
    type After = Receipt;
    fn entity_id(&self) -> Option<String> {
        Some(self.receipt.bid_id.to_string())
    }
    fn public(&self) -> bool {
        false
    }
    fn before(&self) -> Option<&NoSnapshot> {
        None
    }
    fn after(&self) -> Option<&Receipt> {
        Some(self.receipt)
    }
}

/// `bid.withdrawn`: a supplier withdrew its standing bid before the deadline (its ciphertext
/// erased). Private.
#[derive(Debug, Clone, Copy)]
pub struct BidWithdrawn<'a> {
    /// The bid after the withdrawal.
    pub bid: &'a BidRow,
}

impl AsAuditEvent for BidWithdrawn<'_> {
    const ACTION: AuditAction = AuditAction::BidWithdrawn;
    const ENTITY_TYPE: &'static str = "bid";
    type Before = NoSnapshot;
    type After = BidRow;
    fn entity_id(&self) -> Option<String> {
        Some(self.bid.id.to_string())
    }
    fn public(&self) -> bool {
        false
    }
    fn before(&self) -> Option<&NoSnapshot> {
        None
    }
    fn after(&self) -> Option<&BidRow> {
        Some(self.bid)
    }
}

/// `tender.bids_opened`: the committee opened every bid of a tender at once. Public: the
/// opening record is, with each bid's total and the commitment anyone can re-check.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct TenderBidsOpened<'a> {
    /// The tender.
    #[serde(skip)]
    pub tender_id: i64,
    /// The members whose passphrases opened the bids.
    pub opened_by: &'a [i64],
    /// The opening record.
    pub bids: &'a [OpeningLine],
}

impl AsAuditEvent for TenderBidsOpened<'_> {
    const ACTION: AuditAction = AuditAction::TenderBidsOpened;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit_event::encode;
    use crate::service::snapshot;

    fn receipt(replaces: Option<i64>) -> Receipt {
        Receipt {
            bid_id: 31,
            tender_id: 4,
            lot_id: 9,
            receipt_hash: "ab".repeat(32),
            submitted_at: "2026-03-02T15:04:05.123456Z".into(),
            sealing_key_fingerprint: "6e3a 24d1 3a63 287b".into(),
            documents: vec!["cd".repeat(32)],
            replaces,
        }
    }

    #[test]
    fn the_json_is_that_of_the_untyped_code() {
        let e = encode(&OpeningKeyRegistered {
            user_id: 6,
            fingerprint: "6e3a 24d1",
        })
        .unwrap();
        assert_eq!(
            e.after,
            Some(serde_json::json!({"fingerprint": "6e3a 24d1"}).to_string())
        );
        assert_eq!((e.entity_type, e.entity_id.as_deref()), ("user", Some("6")));

        let r = receipt(None);
        let e = encode(&BidSubmitted { receipt: &r }).unwrap();
        assert_eq!((e.entity_type, e.entity_id.as_deref()), ("bid", Some("31")));
        assert_eq!((e.after, e.public), (snapshot(&r), false));
        let r = receipt(Some(30));
        let e = encode(&BidReplaced { receipt: &r }).unwrap();
        assert_eq!((e.action.code(), e.after), ("bid.replaced", snapshot(&r)));

        let bid = BidRow {
            id: 30,
            tender_id: 4,
            lot_id: 9,
            supplier_id: 2,
            status: "withdrawn".into(),
            sealed: "SECRET-CIPHERTEXT".into(),
            receipt_hash: "ef".repeat(32),
            submitted_by: 8,
            submitted_at: 1_767_225_600_000_000,
            withdrawn_at: Some(1_767_312_000_000_000),
            replaced_by: None,
        };
        let e = encode(&BidWithdrawn { bid: &bid }).unwrap();
        assert_eq!(e.after, snapshot(&bid));
        assert!(!e.after.unwrap().contains("SECRET"));

        let lines = vec![OpeningLine {
            bid_id: 31,
            lot_id: 9,
            supplier_id: 2,
            supplier: "Droguería \"San Rafael\", S.A.".into(),
            total: "1234.50".into(),
            receipt_hash: "ab".repeat(32),
            submitted_at: "2026-03-02T15:04:05Z".into(),
            commitment_verified: true,
            commitment_salt: "00ff".into(),
        }];
        let opened_by: Vec<i64> = vec![4, 5];
        let e = encode(&TenderBidsOpened {
            tender_id: 4,
            opened_by: &opened_by,
            bids: &lines,
        })
        .unwrap();
        assert_eq!(
            e.after,
            Some(serde_json::json!({"opened_by": opened_by, "bids": lines}).to_string())
        );
        assert_eq!(
            (e.entity_type, e.entity_id.as_deref(), e.public),
            ("tender", Some("4"), true)
        );
    }
}
