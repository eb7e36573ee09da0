//! Events only the demo records (`service::demo`): the demo institution's buying entity.
//! The demo's suppliers, accounts and catalogue items are recorded with the registry's,
//! accounts' and catalogue's own events.

use crate::domain::audit::AuditAction;
use crate::domain::audit_event::{AsAuditEvent, NoSnapshot};
use crate::repository::buyers::BuyerRow;

/// `buyer.created`: a buying entity was created. Public: who buys is.
#[derive(Debug, Clone, Copy)]
pub struct BuyerCreated<'a> {
    /// The buyer as stored.
    pub buyer: &'a BuyerRow,
}

impl AsAuditEvent for BuyerCreated<'_> {
    const ACTION: AuditAction = AuditAction::BuyerCreated;
    const ENTITY_TYPE: &'static str = "buyer";
    type Before = NoSnapshot;
    type After = BuyerRow;
    fn entity_id(&self) -> Option<String> {
        Some(self.buyer.id.to_string())
    }
    fn public(&self) -> bool {
        true
    }
    fn before(&self) -> Option<&NoSnapshot> {
        None
    }
    fn after(&self) -> Option<&BuyerRow> {
        Some(self.buyer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit_event::encode;
    use crate::service::snapshot;

    #[test]
    fn the_json_is_that_of_the_untyped_code() {
        let buyer = BuyerRow {
            id: 1,
            name: "Instituto de Seguridad Social de Guatemala (demostración)".into(),
            short_name: "ISSG".into(),
            identifier_scheme: "GT-NIT".into(),
            identifier: "3352021-6".into(),
            department: Some("Guatemala".into()),
        };
        let e = encode(&BuyerCreated { buyer: &buyer }).unwrap();
        assert_eq!(
            (e.entity_type, e.entity_id.as_deref(), e.public),
            ("buyer", Some("1"), true)
        );
        assert_eq!(e.after, snapshot(&buyer));
        // The first event of the log stored by 874ada6 (tests/fixtures).
        assert_eq!(
            e.after.as_deref(),
            Some(
                r#"{"id":1,"name":"Instituto de Seguridad Social de Guatemala (demostración)","short_name":"ISSG","identifier_scheme":"GT-NIT","identifier":"3352021-6","department":"Guatemala"}"#
            )
        );
    }
}
