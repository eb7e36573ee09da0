//! Events of the annual procurement plan (`service::plan`). Public: the plan is published
//! in the open-data feed, line by line.

use crate::domain::audit::AuditAction;
use crate::domain::audit_event::{AsAuditEvent, NoSnapshot};
use crate::repository::plan::PlanLineRow;

/// `plan_line.created`: a buyer added a line to the procurement plan.
#[derive(Debug, Clone, Copy)]
pub struct PlanLineCreated<'a> {
    /// The line as stored.
    pub line: &'a PlanLineRow,
}

impl AsAuditEvent for PlanLineCreated<'_> {
    const ACTION: AuditAction = AuditAction::PlanLineCreated;
    const ENTITY_TYPE: &'static str = "plan_line";
    type Before = NoSnapshot;
    type After = PlanLineRow;
    fn entity_id(&self) -> Option<String> {
        Some(self.line.id.to_string())
    }
    fn public(&self) -> bool {
        true
    }
    fn before(&self) -> Option<&NoSnapshot> {
        None
    }
    fn after(&self) -> Option<&PlanLineRow> {
        Some(self.line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit_event::encode;
    use crate::service::snapshot;

    #[test]
    fn the_json_is_that_of_the_untyped_code() {
        let line = PlanLineRow {
            id: 6,
            buyer_id: 1,
            year: 2026,
            quarter: 3,
            catalogue_item_id: 9,
            quantity: "1200".into(),
            unit_price: "2.35".into(),
            currency: "GTQ".into(),
            funding_source: "11-0001-\"A\"".into(),
            notes: Some("Línea de prueba".into()),
            created_by: 4,
            created_at: 1_767_225_600_000_000,
        };
        let e = encode(&PlanLineCreated { line: &line }).unwrap();
        assert_eq!(
            (e.entity_type, e.entity_id.as_deref(), e.public),
            ("plan_line", Some("6"), true)
        );
        assert_eq!((e.before, e.after), (None, snapshot(&line)));
    }
}
