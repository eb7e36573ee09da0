//! Events of webhook subscriptions to the release feed (`service::publication::webhooks`).
//! Private. A [`SubscriptionRow`] never serialises its signing key, shown once at
//! registration.

use crate::domain::audit::AuditAction;
use crate::domain::audit_event::{AsAuditEvent, NoSnapshot};
use crate::repository::webhooks::SubscriptionRow;

/// `webhook.subscribed`: a user registered a URL to receive new releases.
#[derive(Debug, Clone, Copy)]
pub struct WebhookSubscribed<'a> {
    /// The subscription as stored.
    pub subscription: &'a SubscriptionRow,
}

impl AsAuditEvent for WebhookSubscribed<'_> {
    const ACTION: AuditAction = AuditAction::WebhookSubscribed;
    const ENTITY_TYPE: &'static str = "webhook";
    type Before = NoSnapshot;
    type After = SubscriptionRow;
    fn entity_id(&self) -> Option<String> {
        Some(self.subscription.id.to_string())
    }
    fn public(&self) -> bool {
        false
    }
    fn before(&self) -> Option<&NoSnapshot> {
        None
    }
    fn after(&self) -> Option<&SubscriptionRow> {
        Some(self.subscription)
    }
}

/// A subscription before and after its owner paused or resumed it.
#[derive(Debug, Clone, Copy)]
pub struct SubscriptionChange<'a> {
    /// Before.
    pub before: &'a SubscriptionRow,
    /// After.
    pub after: &'a SubscriptionRow,
}

/// `webhook.enabled`: the owner resumed deliveries (what was missed is delivered).
#[derive(Debug, Clone, Copy)]
pub struct WebhookEnabled<'a>(pub SubscriptionChange<'a>);

/// `webhook.disabled`: the owner paused deliveries.
#[derive(Debug, Clone, Copy)]
pub struct WebhookDisabled<'a>(pub SubscriptionChange<'a>);

macro_rules! subscription_change {
    ($event:ident, $action:ident) => {
        impl AsAuditEvent for $event<'_> {
            const ACTION: AuditAction = AuditAction::$action;
            const ENTITY_TYPE: &'static str = "webhook";
            type Before = SubscriptionRow;
            type After = SubscriptionRow;
            fn entity_id(&self) -> Option<String> {
                Some(self.0.after.id.to_string())
            }
            fn public(&self) -> bool {
                false
            }
            fn before(&self) -> Option<&SubscriptionRow> {
                Some(self.0.before)
            }
            fn after(&self) -> Option<&SubscriptionRow> {
                Some(self.0.after)
            }
        }
    };
}
subscription_change!(WebhookEnabled, WebhookEnabled);
subscription_change!(WebhookDisabled, WebhookDisabled);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit_event::encode;
    use crate::service::snapshot;

    #[test]
    fn the_json_is_that_of_the_untyped_code_and_has_no_key() {
        let before = SubscriptionRow {
            id: 3,
            user_id: 2,
            url: "https://example.org/hook?x=\"1\"".into(),
            secret: "whsec_TOPSECRET".into(),
            status: "active".into(),
            delivered_seq: 10,
            failed_attempts: 0,
            next_attempt_at: 0,
            last_error: None,
            failing_since: None,
            last_success_at: Some(1_767_225_600_000_000),
            created_at: 1_767_225_000_000_000,
        };
        let after = SubscriptionRow {
            status: "disabled".into(),
            ..before.clone()
        };
        let e = encode(&WebhookSubscribed {
            subscription: &before,
        })
        .unwrap();
        assert_eq!(
            (e.entity_type, e.entity_id.as_deref(), e.public),
            ("webhook", Some("3"), false)
        );
        assert_eq!(e.after, snapshot(&before));
        assert!(!e.after.unwrap().contains("TOPSECRET"));
        let change = SubscriptionChange {
            before: &before,
            after: &after,
        };
        let e = encode(&WebhookDisabled(change)).unwrap();
        assert_eq!((e.before, e.after), (snapshot(&before), snapshot(&after)));
        assert_eq!(
            encode(&WebhookEnabled(change)).unwrap().action.code(),
            "webhook.enabled"
        );
    }
}
