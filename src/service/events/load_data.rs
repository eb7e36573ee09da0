//! Events of the synthetic load data (`service::load_data`).

use crate::domain::audit::AuditAction;
use crate::domain::audit_event::{AsAuditEvent, NoSnapshot};
use serde::Serialize;

/// `load_data.generated`: a batch of fictitious published tenders was written for a load
/// test. Private; about many tenders, so about no one record.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct LoadDataGenerated {
    /// The sequence number of the batch's first tender.
    pub from_sequence: i64,
    /// How many tenders the batch wrote.
    pub tenders: usize,
}

impl AsAuditEvent for LoadDataGenerated {
    const ACTION: AuditAction = AuditAction::LoadDataGenerated;
    const ENTITY_TYPE: &'static str = "tender";
    type Before = NoSnapshot;
    type After = Self;
    fn entity_id(&self) -> Option<String> {
        None
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit_event::encode;

    #[test]
    fn the_json_is_that_of_the_untyped_code() {
        let (first, n): (i64, usize) = (1001, 500);
        let e = encode(&LoadDataGenerated {
            from_sequence: first,
            tenders: n,
        })
        .unwrap();
        assert_eq!(
            e.after,
            Some(serde_json::json!({"from_sequence": first, "tenders": n}).to_string())
        );
        assert_eq!(
            (e.entity_type, e.entity_id, e.public),
            ("tender", None, false)
        );
    }
}
