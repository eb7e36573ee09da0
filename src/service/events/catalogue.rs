//! Events of the medicines and supplies catalogue (`service::catalogue`, and the demo's seed).
//! Public: the catalogue and every proposal to change it are.

use crate::domain::audit::AuditAction;
use crate::domain::audit_event::{AsAuditEvent, NoSnapshot};
use crate::domain::catalogue::CatalogueItem;
use crate::repository::catalogue::ProposalRow;
use serde::Serialize;

/// `catalogue_item.created`: an item entered the catalogue without a proposal (the demo's
/// seed; items normally enter by an approved proposal).
#[derive(Debug, Clone, Copy)]
pub struct CatalogueItemCreated<'a> {
    /// The item as stored.
    pub item: &'a CatalogueItem,
}

impl AsAuditEvent for CatalogueItemCreated<'_> {
    const ACTION: AuditAction = AuditAction::CatalogueItemCreated;
    const ENTITY_TYPE: &'static str = "catalogue_item";
    type Before = NoSnapshot;
    type After = CatalogueItem;
    fn entity_id(&self) -> Option<String> {
        Some(self.item.id.to_string())
    }
    fn public(&self) -> bool {
        true
    }
    fn before(&self) -> Option<&NoSnapshot> {
        None
    }
    fn after(&self) -> Option<&CatalogueItem> {
        Some(self.item)
    }
}

/// What the log shows of a new proposal: the proposal itself, or for an import (which can
/// hold thousands of rows) how many rows it holds.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(untagged)]
pub enum Proposed<'a> {
    /// A proposal to add, change or retire one item.
    Proposal(&'a ProposalRow),
    /// A proposal holding every valid row of an imported file.
    Import {
        /// Always `import`.
        kind: &'static str,
        /// Valid rows proposed.
        items: usize,
        /// Rows left out for their errors.
        rejected_rows: usize,
    },
}

impl Proposed<'_> {
    /// An import of `items` valid rows, `rejected_rows` left out.
    pub fn import(items: usize, rejected_rows: usize) -> Self {
        Proposed::Import {
            kind: "import",
            items,
            rejected_rows,
        }
    }
}

/// `catalogue_proposal.created`: someone proposed a change to the catalogue, with a
/// justification, for the therapeutic committee to review.
#[derive(Debug, Clone, Copy)]
pub struct CatalogueProposalCreated<'a> {
    /// The proposal.
    pub proposal_id: i64,
    /// The item it changes or retires, as it is now.
    pub item: Option<&'a CatalogueItem>,
    /// What was proposed.
    pub proposed: Proposed<'a>,
}

impl<'a> AsAuditEvent for CatalogueProposalCreated<'a> {
    const ACTION: AuditAction = AuditAction::CatalogueProposalCreated;
    const ENTITY_TYPE: &'static str = "catalogue_proposal";
    type Before = CatalogueItem;
    type After = Proposed<'a>;
    fn entity_id(&self) -> Option<String> {
        Some(self.proposal_id.to_string())
    }
    fn public(&self) -> bool {
        true
    }
    fn before(&self) -> Option<&CatalogueItem> {
        self.item
    }
    fn after(&self) -> Option<&Proposed<'a>> {
        Some(&self.proposed)
    }
}

/// A proposal before and after the committee's decision.
#[derive(Debug, Clone, Copy)]
pub struct Review<'a> {
    /// Before (proposed).
    pub before: &'a ProposalRow,
    /// After (decided, with the decision).
    pub after: &'a ProposalRow,
}

/// `catalogue_proposal.approved`: the committee approved a proposal; the catalogue changed.
#[derive(Debug, Clone, Copy)]
pub struct CatalogueProposalApproved<'a>(pub Review<'a>);

/// `catalogue_proposal.rejected`: the committee rejected a proposal.
#[derive(Debug, Clone, Copy)]
pub struct CatalogueProposalRejected<'a>(pub Review<'a>);

macro_rules! review {
    ($event:ident, $action:ident) => {
        impl AsAuditEvent for $event<'_> {
            const ACTION: AuditAction = AuditAction::$action;
            const ENTITY_TYPE: &'static str = "catalogue_proposal";
            type Before = ProposalRow;
            type After = ProposalRow;
            fn entity_id(&self) -> Option<String> {
                Some(self.0.after.id.to_string())
            }
            fn public(&self) -> bool {
                true
            }
            fn before(&self) -> Option<&ProposalRow> {
                Some(self.0.before)
            }
            fn after(&self) -> Option<&ProposalRow> {
                Some(self.0.after)
            }
        }
    };
}
review!(CatalogueProposalApproved, CatalogueProposalApproved);
review!(CatalogueProposalRejected, CatalogueProposalRejected);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit_event::encode;
    use crate::domain::catalogue::ItemKind;
    use crate::service::snapshot;

    /// A catalogue item for tests, accents and quotes included.
    fn item() -> CatalogueItem {
        CatalogueItem {
            id: 9,
            code: "010101".into(),
            kind: ItemKind::Medicine,
            name: "Acetaminofén \"jarabe\"".into(),
            strength: Some("120 mg/5 ml".into()),
            form: Some("jarabe".into()),
            presentation: None,
            unit: "frasco".into(),
            atc_code: Some("N02BE01".into()),
            unspsc_code: None,
            level_of_care: Some(1),
        }
    }

    fn proposal(status: &str) -> ProposalRow {
        ProposalRow {
            id: 4,
            kind: "modify".into(),
            item_id: Some(9),
            payload: "[{\"code\":\"010101\"}]".into(),
            justification: "Cambio de presentación".into(),
            status: status.into(),
            proposed_by: 2,
            proposed_at: 1_767_225_600_000_000,
            reviewed_by: None,
            reviewed_at: None,
            decision: None,
        }
    }

    #[test]
    fn the_json_is_that_of_the_untyped_code() {
        let item = item();
        let e = encode(&CatalogueItemCreated { item: &item }).unwrap();
        assert_eq!(
            (e.entity_type, e.entity_id.as_deref(), e.public),
            ("catalogue_item", Some("9"), true)
        );
        assert_eq!(e.after, snapshot(&item));

        let row = proposal("proposed");
        let existing: Option<CatalogueItem> = Some(item.clone());
        let e = encode(&CatalogueProposalCreated {
            proposal_id: 4,
            item: existing.as_ref(),
            proposed: Proposed::Proposal(&row),
        })
        .unwrap();
        assert_eq!(e.before, existing.as_ref().and_then(snapshot));
        assert_eq!(e.after, snapshot(&row));
        let e = encode(&CatalogueProposalCreated {
            proposal_id: 4,
            item: None,
            proposed: Proposed::Proposal(&row),
        })
        .unwrap();
        assert_eq!(e.before, None);

        let (valid, invalid): (Vec<u8>, usize) = (vec![0; 12], 3);
        let e = encode(&CatalogueProposalCreated {
            proposal_id: 5,
            item: None,
            proposed: Proposed::import(valid.len(), invalid),
        })
        .unwrap();
        assert_eq!(
            e.after,
            Some(
                serde_json::json!({"kind": "import", "items": valid.len(), "rejected_rows": invalid})
                    .to_string()
            )
        );

        let decided = proposal("approved");
        let review = Review {
            before: &row,
            after: &decided,
        };
        let e = encode(&CatalogueProposalApproved(review)).unwrap();
        assert_eq!((e.before, e.after), (snapshot(&row), snapshot(&decided)));
        assert_eq!(
            encode(&CatalogueProposalRejected(review))
                .unwrap()
                .action
                .code(),
            "catalogue_proposal.rejected"
        );
    }
}
