//! Events of signing in and out (`service::auth`). Private; they show no state, only who and
//! when: a session's token never reaches the log.

use crate::domain::audit::AuditAction;
use crate::domain::audit_event::{AsAuditEvent, NoSnapshot};

/// `session.signed_in`: a user signed in with their password.
#[derive(Debug, Clone, Copy)]
pub struct SessionSignedIn {
    /// The account.
    pub user_id: i64,
}

impl AsAuditEvent for SessionSignedIn {
    const ACTION: AuditAction = AuditAction::SessionSignedIn;
    const ENTITY_TYPE: &'static str = "user";
    type Before = NoSnapshot;
    type After = NoSnapshot;
    fn entity_id(&self) -> Option<String> {
        Some(self.user_id.to_string())
    }
    fn public(&self) -> bool {
        false
    }
    fn before(&self) -> Option<&NoSnapshot> {
        None
    }
    fn after(&self) -> Option<&NoSnapshot> {
        None
    }
}

/// `session.signed_out`: a user ended their session.
#[derive(Debug, Clone, Copy)]
pub struct SessionSignedOut {
    /// The account.
    pub user_id: i64,
}

impl AsAuditEvent for SessionSignedOut {
    const ACTION: AuditAction = AuditAction::SessionSignedOut;
    const ENTITY_TYPE: &'static str = "user";
    type Before = NoSnapshot;
    type After = NoSnapshot;
    fn entity_id(&self) -> Option<String> {
        Some(self.user_id.to_string())
    }
    fn public(&self) -> bool {
        false
    }
    fn before(&self) -> Option<&NoSnapshot> {
        None
    }
    fn after(&self) -> Option<&NoSnapshot> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit_event::encode;

    #[test]
    fn sessions_log_no_state() {
        let e = encode(&SessionSignedIn { user_id: 3 }).unwrap();
        assert_eq!(
            (e.action.code(), e.entity_type, e.entity_id.as_deref()),
            ("session.signed_in", "user", Some("3"))
        );
        assert_eq!((e.before, e.after, e.public), (None, None, false));
        let e = encode(&SessionSignedOut { user_id: 3 }).unwrap();
        assert_eq!(
            (e.action.code(), e.before, e.after),
            ("session.signed_out", None, None)
        );
    }
}
