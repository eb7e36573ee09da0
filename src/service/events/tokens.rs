//! Events of personal API tokens (`service::tokens`). Private; an [`ApiTokenRow`] holds the
//! token's name and prefix, never its secret or hash.

use crate::domain::audit::AuditAction;
use crate::domain::audit_event::{AsAuditEvent, NoSnapshot};
use crate::repository::api_tokens::ApiTokenRow;

/// `api_token.created`: a user created a token for their scripts.
#[derive(Debug, Clone, Copy)]
pub struct ApiTokenCreated<'a> {
    /// The token as stored.
    pub token: &'a ApiTokenRow,
}

impl AsAuditEvent for ApiTokenCreated<'_> {
    const ACTION: AuditAction = AuditAction::ApiTokenCreated;
    const ENTITY_TYPE: &'static str = "api_token";
    type Before = NoSnapshot;
    type After = ApiTokenRow;
    fn entity_id(&self) -> Option<String> {
        Some(self.token.id.to_string())
    }
    fn public(&self) -> bool {
        false
    }
    fn before(&self) -> Option<&NoSnapshot> {
        None
    }
    fn after(&self) -> Option<&ApiTokenRow> {
        Some(self.token)
    }
}

/// `api_token.revoked`: a user revoked one of their tokens.
#[derive(Debug, Clone, Copy)]
pub struct ApiTokenRevoked<'a> {
    /// Before.
    pub before: &'a ApiTokenRow,
    /// After, with its revocation instant.
    pub after: &'a ApiTokenRow,
}

impl AsAuditEvent for ApiTokenRevoked<'_> {
    const ACTION: AuditAction = AuditAction::ApiTokenRevoked;
    const ENTITY_TYPE: &'static str = "api_token";
    type Before = ApiTokenRow;
    type After = ApiTokenRow;
    fn entity_id(&self) -> Option<String> {
        Some(self.after.id.to_string())
    }
    fn public(&self) -> bool {
        false
    }
    fn before(&self) -> Option<&ApiTokenRow> {
        Some(self.before)
    }
    fn after(&self) -> Option<&ApiTokenRow> {
        Some(self.after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit_event::encode;
    use crate::service::snapshot;

    #[test]
    fn the_json_is_that_of_the_untyped_code() {
        let before = ApiTokenRow {
            id: 4,
            user_id: 2,
            name: "informe \"mensual\"".into(),
            prefix: "tgs_abc123".into(),
            created_at: 1_767_225_600_000_000,
            last_used_at: None,
            expires_at: Some(1_798_761_600_000_000),
            revoked_at: None,
        };
        let after = ApiTokenRow {
            revoked_at: Some(1_767_312_000_000_000),
            ..before.clone()
        };
        let e = encode(&ApiTokenCreated { token: &before }).unwrap();
        assert_eq!(
            (e.entity_type, e.entity_id.as_deref(), e.public),
            ("api_token", Some("4"), false)
        );
        assert_eq!((e.before, e.after), (None, snapshot(&before)));
        let e = encode(&ApiTokenRevoked {
            before: &before,
            after: &after,
        })
        .unwrap();
        assert_eq!((e.before, e.after), (snapshot(&before), snapshot(&after)));
    }
}
