//! Events of importing other publishers' OCDS data (`service::imports`).

use crate::domain::audit::AuditAction;
use crate::domain::audit_event::{AsAuditEvent, NoSnapshot};
use serde::Serialize;

/// `ocds.imported`: a batch of imported releases changed the external processes. Public: the
/// imported data is; about many processes, so about no one record.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct OcdsImported {
    /// Releases stored for the first time.
    pub releases_new: u64,
    /// Processes created or whose compiled release changed.
    pub processes_changed: u64,
}

impl AsAuditEvent for OcdsImported {
    const ACTION: AuditAction = AuditAction::OcdsImported;
    const ENTITY_TYPE: &'static str = "import";
    type Before = NoSnapshot;
    type After = Self;
    fn entity_id(&self) -> Option<String> {
        None
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

    #[test]
    fn the_json_is_that_of_the_untyped_code() {
        let (new, changed): (u64, u64) = (12, 3);
        let e = encode(&OcdsImported {
            releases_new: new,
            processes_changed: changed,
        })
        .unwrap();
        assert_eq!(
            e.after,
            Some(
                serde_json::json!({"releases_new": new, "processes_changed": changed}).to_string()
            )
        );
        assert_eq!(
            (e.entity_type, e.entity_id, e.public),
            ("import", None, true)
        );
    }
}
