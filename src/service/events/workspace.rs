//! Events of the role workspaces (`service::workspace`).

use crate::domain::audit::AuditAction;
use crate::domain::audit_event::{AsAuditEvent, NoSnapshot};
use serde::Serialize;

/// `notifications.read`: a user marked all their notifications read. Private.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct NotificationsRead {
    /// The user.
    #[serde(skip)]
    pub user_id: i64,
    /// How many were unread.
    pub read: u64,
}

impl AsAuditEvent for NotificationsRead {
    const ACTION: AuditAction = AuditAction::NotificationsRead;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit_event::encode;

    #[test]
    fn the_json_is_that_of_the_untyped_code() {
        let n: u64 = 7;
        let e = encode(&NotificationsRead {
            user_id: 5,
            read: n,
        })
        .unwrap();
        assert_eq!(e.after, Some(serde_json::json!({"read": n}).to_string()));
        assert_eq!((e.entity_id.as_deref(), e.public), (Some("5"), false));
    }
}
