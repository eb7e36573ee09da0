//! Events of awards, complaints, contracts and unsuccessful tenders (`service::awards`). All
//! public: they are the process's record, published in the open-data feed as well.

use crate::domain::audit::AuditAction;
use crate::domain::audit_event::{AsAuditEvent, NoSnapshot};
use crate::repository::awards::{AwardRow, ComplaintRow};
use crate::repository::contracts::{ContractAmendmentRow, ContractRow};
use crate::repository::tenders::TenderRow;
use serde::Serialize;

/// `award.decided`: a buyer awarded a lot; its standstill period runs.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct AwardDecided<'a> {
    /// The award as stored.
    pub award: &'a AwardRow,
    /// The winner's registered name.
    pub supplier: &'a str,
}

impl AsAuditEvent for AwardDecided<'_> {
    const ACTION: AuditAction = AuditAction::AwardDecided;
    const ENTITY_TYPE: &'static str = "tender";
    type Before = NoSnapshot;
    type After = Self;
    fn entity_id(&self) -> Option<String> {
        Some(self.award.tender_id.to_string())
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

/// `award.final`: the standstill of an award ended with no complaint pending.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct AwardFinal {
    /// The tender.
    #[serde(skip)]
    pub tender_id: i64,
    /// The award.
    pub award_id: i64,
    /// Its lot.
    pub lot_id: i64,
}

impl AsAuditEvent for AwardFinal {
    const ACTION: AuditAction = AuditAction::AwardFinal;
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

/// `complaint.filed`: a bidder of the lot filed a complaint against its award.
#[derive(Debug, Clone, Copy)]
pub struct ComplaintFiled<'a> {
    /// The complaint as stored.
    pub complaint: &'a ComplaintRow,
}

impl AsAuditEvent for ComplaintFiled<'_> {
    const ACTION: AuditAction = AuditAction::ComplaintFiled;
    const ENTITY_TYPE: &'static str = "tender";
    type Before = NoSnapshot;
    type After = ComplaintRow;
    fn entity_id(&self) -> Option<String> {
        Some(self.complaint.tender_id.to_string())
    }
    fn public(&self) -> bool {
        true
    }
    fn before(&self) -> Option<&NoSnapshot> {
        None
    }
    fn after(&self) -> Option<&ComplaintRow> {
        Some(self.complaint)
    }
}

/// A complaint before and after the buyer's resolution.
#[derive(Debug, Clone, Copy)]
pub struct ComplaintResolution<'a> {
    /// Before (filed).
    pub before: &'a ComplaintRow,
    /// After (resolved, with the resolution).
    pub after: &'a ComplaintRow,
}

/// `complaint.upheld`: the buyer upheld a complaint, which annulled the award.
#[derive(Debug, Clone, Copy)]
pub struct ComplaintUpheld<'a>(pub ComplaintResolution<'a>);

/// `complaint.rejected`: the buyer rejected a complaint; the award stands.
#[derive(Debug, Clone, Copy)]
pub struct ComplaintRejected<'a>(pub ComplaintResolution<'a>);

macro_rules! complaint_resolution {
    ($event:ident, $action:ident) => {
        impl AsAuditEvent for $event<'_> {
            const ACTION: AuditAction = AuditAction::$action;
            const ENTITY_TYPE: &'static str = "tender";
            type Before = ComplaintRow;
            type After = ComplaintRow;
            fn entity_id(&self) -> Option<String> {
                Some(self.0.before.tender_id.to_string())
            }
            fn public(&self) -> bool {
                true
            }
            fn before(&self) -> Option<&ComplaintRow> {
                Some(self.0.before)
            }
            fn after(&self) -> Option<&ComplaintRow> {
                Some(self.0.after)
            }
        }
    };
}
complaint_resolution!(ComplaintUpheld, ComplaintUpheld);
complaint_resolution!(ComplaintRejected, ComplaintRejected);

/// `contract.signed`: a buyer signed the contract of a final award.
#[derive(Debug, Clone, Copy)]
pub struct ContractSigned<'a> {
    /// The contract as stored.
    pub contract: &'a ContractRow,
}

impl AsAuditEvent for ContractSigned<'_> {
    const ACTION: AuditAction = AuditAction::ContractSigned;
    const ENTITY_TYPE: &'static str = "tender";
    type Before = NoSnapshot;
    type After = ContractRow;
    fn entity_id(&self) -> Option<String> {
        Some(self.contract.tender_id.to_string())
    }
    fn public(&self) -> bool {
        true
    }
    fn before(&self) -> Option<&NoSnapshot> {
        None
    }
    fn after(&self) -> Option<&ContractRow> {
        Some(self.contract)
    }
}

/// `contract.amended`: a buyer amended a contract's value or end date, with the reason.
#[derive(Debug, Clone, Copy)]
pub struct ContractAmended<'a> {
    /// The contract before the amendment.
    pub contract: &'a ContractRow,
    /// The amendment as stored.
    pub amendment: &'a ContractAmendmentRow,
}

impl AsAuditEvent for ContractAmended<'_> {
    const ACTION: AuditAction = AuditAction::ContractAmended;
    const ENTITY_TYPE: &'static str = "tender";
    type Before = ContractRow;
    type After = ContractAmendmentRow;
    fn entity_id(&self) -> Option<String> {
        Some(self.contract.tender_id.to_string())
    }
    fn public(&self) -> bool {
        true
    }
    fn before(&self) -> Option<&ContractRow> {
        Some(self.contract)
    }
    fn after(&self) -> Option<&ContractAmendmentRow> {
        Some(self.amendment)
    }
}

/// Why a tender was declared unsuccessful, as the log shows it.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct UnsuccessfulReason<'a> {
    /// The buyer's reason.
    pub reason: &'a str,
}

/// `tender.unsuccessful`: a buyer declared a tender unsuccessful (below the minimum of bids,
/// for instance).
#[derive(Debug, Clone, Copy)]
pub struct TenderUnsuccessful<'a> {
    /// The tender before.
    pub tender: &'a TenderRow,
    /// Why.
    pub reason: UnsuccessfulReason<'a>,
}

impl<'a> AsAuditEvent for TenderUnsuccessful<'a> {
    const ACTION: AuditAction = AuditAction::TenderUnsuccessful;
    const ENTITY_TYPE: &'static str = "tender";
    type Before = TenderRow;
    type After = UnsuccessfulReason<'a>;
    fn entity_id(&self) -> Option<String> {
        Some(self.tender.id.to_string())
    }
    fn public(&self) -> bool {
        true
    }
    fn before(&self) -> Option<&TenderRow> {
        Some(self.tender)
    }
    fn after(&self) -> Option<&UnsuccessfulReason<'a>> {
        Some(&self.reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit_event::encode;
    use crate::service::snapshot;

    fn award() -> AwardRow {
        AwardRow {
            id: 2,
            tender_id: 8,
            lot_id: 11,
            bid_id: 40,
            supplier_id: 3,
            amount: "125000.50".into(),
            amount_minor: 12_500_050,
            currency: "GTQ".into(),
            status: "standstill".into(),
            decided_at: 1_767_225_600_000_000,
            standstill_ends_at: 1_767_830_400_000_000,
            final_at: None,
            decided_by: 4,
        }
    }

    fn complaint(status: &str) -> ComplaintRow {
        ComplaintRow {
            id: 1,
            tender_id: 8,
            award_id: 2,
            supplier_id: 5,
            filed_by: 9,
            text: "La oferta ganadora no cumple el requisito 3 \"registro\".".into(),
            status: status.into(),
            filed_at: 1_767_300_000_000_000,
            resolution: (status != "filed").then(|| "Se revisó el expediente completo.".into()),
            resolved_by: (status != "filed").then_some(4),
            resolved_at: (status != "filed").then_some(1_767_400_000_000_000),
        }
    }

    #[test]
    fn the_json_is_that_of_the_untyped_code() {
        let row = award();
        let winner = "Droguería San Rafael, S.A.".to_string();
        let e = encode(&AwardDecided {
            award: &row,
            supplier: &winner,
        })
        .unwrap();
        assert_eq!(
            e.after,
            Some(serde_json::json!({"award": row, "supplier": winner}).to_string())
        );
        assert_eq!(
            (e.entity_type, e.entity_id.as_deref(), e.public),
            ("tender", Some("8"), true)
        );

        let e = encode(&AwardFinal {
            tender_id: row.tender_id,
            award_id: row.id,
            lot_id: row.lot_id,
        })
        .unwrap();
        assert_eq!(
            e.after,
            Some(serde_json::json!({"award_id": row.id, "lot_id": row.lot_id}).to_string())
        );
        assert_eq!(e.entity_id.as_deref(), Some("8"));

        let filed = complaint("filed");
        let e = encode(&ComplaintFiled { complaint: &filed }).unwrap();
        assert_eq!((e.before, e.after), (None, snapshot(&filed)));
        let resolved = complaint("upheld");
        let resolution = ComplaintResolution {
            before: &filed,
            after: &resolved,
        };
        let e = encode(&ComplaintUpheld(resolution)).unwrap();
        assert_eq!((e.before, e.after), (snapshot(&filed), snapshot(&resolved)));
        assert_eq!(
            encode(&ComplaintRejected(resolution))
                .unwrap()
                .action
                .code(),
            "complaint.rejected"
        );
    }
}
