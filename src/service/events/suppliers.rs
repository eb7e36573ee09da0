//! Events of the supplier registry (`service::suppliers`, and the demo's seed). Public: the
//! registry is, beneficial owners' names, shares and politically-exposed status included;
//! their identity documents and nationality never reach the log ([`PublicOwner`]).

use crate::domain::audit::AuditAction;
use crate::domain::audit_event::{AsAuditEvent, NoSnapshot};
use crate::domain::supplier::Supplier;
use crate::repository::suppliers::OwnerRow;
use serde::Serialize;

/// A beneficial owner as the public may know them.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct PublicOwner<'a> {
    /// Name.
    pub name: &'a str,
    /// Share held, percent (exact text).
    pub share_percent: &'a str,
    /// Whether a politically exposed person.
    pub politically_exposed: bool,
}

impl<'a> From<&'a OwnerRow> for PublicOwner<'a> {
    fn from(o: &'a OwnerRow) -> Self {
        PublicOwner {
            name: &o.name,
            share_percent: &o.share_percent,
            politically_exposed: o.politically_exposed,
        }
    }
}

/// What the log shows of a new supplier.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Registered<'a> {
    /// A firm's own registration, with what it supplies and who owns it.
    Registration {
        /// The supplier as stored.
        supplier: &'a Supplier,
        /// Categories supplied (comma-separated codes).
        categories: Option<&'a str>,
        /// Its beneficial owners.
        owners: Vec<PublicOwner<'a>>,
    },
    /// A supplier of the demo's seed.
    Seeded(&'a Supplier),
}

/// `supplier.registered`: a firm registered itself (or the demo seeded one).
#[derive(Debug, Clone)]
pub struct SupplierRegistered<'a> {
    /// What was registered.
    pub registered: Registered<'a>,
}

impl<'a> SupplierRegistered<'a> {
    /// A firm's registration.
    pub fn registration(
        supplier: &'a Supplier,
        categories: Option<&'a str>,
        owners: &'a [OwnerRow],
    ) -> Self {
        SupplierRegistered {
            registered: Registered::Registration {
                supplier,
                categories,
                owners: owners.iter().map(PublicOwner::from).collect(),
            },
        }
    }
}

impl<'a> AsAuditEvent for SupplierRegistered<'a> {
    const ACTION: AuditAction = AuditAction::SupplierRegistered;
    const ENTITY_TYPE: &'static str = "supplier";
    type Before = NoSnapshot;
    type After = Registered<'a>;
    fn entity_id(&self) -> Option<String> {
        let (Registered::Registration { supplier, .. } | Registered::Seeded(supplier)) =
            &self.registered;
        Some(supplier.id.to_string())
    }
    fn public(&self) -> bool {
        true
    }
    fn before(&self) -> Option<&NoSnapshot> {
        None
    }
    fn after(&self) -> Option<&Registered<'a>> {
        Some(&self.registered)
    }
}

/// A supplier after a change of its registry status, and why, as the log shows it.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct StatusChanged<'a> {
    /// The supplier after.
    pub supplier: &'a Supplier,
    /// The administrator's reason (required for a suspension, may be empty otherwise).
    pub reason: &'a str,
}

/// A supplier before and after a change of its registry status.
#[derive(Debug, Clone, Copy)]
pub struct StatusChange<'a> {
    /// Before.
    pub before: &'a Supplier,
    /// After, and why.
    pub after: StatusChanged<'a>,
}

/// `supplier.verified`: an administrator verified a pending supplier; it may bid.
#[derive(Debug, Clone, Copy)]
pub struct SupplierVerified<'a>(pub StatusChange<'a>);

/// `supplier.suspended`: an administrator suspended a supplier, with a reason; it may not bid.
#[derive(Debug, Clone, Copy)]
pub struct SupplierSuspended<'a>(pub StatusChange<'a>);

/// `supplier.reinstated`: an administrator lifted a supplier's suspension.
#[derive(Debug, Clone, Copy)]
pub struct SupplierReinstated<'a>(pub StatusChange<'a>);

/// `supplier.pending`: a supplier went back to pending verification (no workflow allows it
/// today; the kind exists in the log's vocabulary).
#[derive(Debug, Clone, Copy)]
pub struct SupplierPending<'a>(pub StatusChange<'a>);

macro_rules! status_change {
    ($event:ident, $action:ident) => {
        impl<'a> AsAuditEvent for $event<'a> {
            const ACTION: AuditAction = AuditAction::$action;
            const ENTITY_TYPE: &'static str = "supplier";
            type Before = Supplier;
            type After = StatusChanged<'a>;
            fn entity_id(&self) -> Option<String> {
                Some(self.0.before.id.to_string())
            }
            fn public(&self) -> bool {
                true
            }
            fn before(&self) -> Option<&Supplier> {
                Some(self.0.before)
            }
            fn after(&self) -> Option<&StatusChanged<'a>> {
                Some(&self.0.after)
            }
        }
    };
}
status_change!(SupplierVerified, SupplierVerified);
status_change!(SupplierSuspended, SupplierSuspended);
status_change!(SupplierReinstated, SupplierReinstated);
status_change!(SupplierPending, SupplierPending);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit_event::encode;
    use crate::domain::supplier::SupplierStatus;
    use crate::domain::time::Timestamp;
    use crate::service::snapshot;
    use serde_json::json;

    fn supplier(status: SupplierStatus) -> Supplier {
        Supplier {
            id: 21,
            legal_name: "Droguería \"San Rafael\", S.A.".into(),
            nit: "4100000-5".into(),
            status,
            email: Some("ventas@sanrafael.com.gt".into()),
            phone: None,
            department: Some("Guatemala".into()),
            created_at: Timestamp::from_micros(1_767_225_600_275_545),
        }
    }

    #[test]
    fn the_json_is_that_of_the_untyped_code() {
        let s = supplier(SupplierStatus::Pending);
        let owners = vec![OwnerRow {
            name: "María López".into(),
            nationality: Some("GT".into()),
            document_id: Some("DPI 1234 56789 0101".into()),
            share_percent: "60.5".into(),
            politically_exposed: true,
        }];
        let categories = Some("N,J".to_string());
        let e = encode(&SupplierRegistered::registration(
            &s,
            categories.as_deref(),
            &owners,
        ))
        .unwrap();
        let public_owners: Vec<serde_json::Value> = owners
            .iter()
            .map(|o| json!({"name": o.name, "share_percent": o.share_percent, "politically_exposed": o.politically_exposed}))
            .collect();
        let untyped =
            json!({"supplier": s, "categories": categories, "owners": public_owners}).to_string();
        assert_eq!(e.after.as_deref(), Some(untyped.as_str()));
        assert!(!untyped.contains("DPI") && !untyped.contains("\"GT\""));
        assert_eq!(
            (e.entity_type, e.entity_id.as_deref(), e.public),
            ("supplier", Some("21"), true)
        );
        let none: Option<String> = None;
        let e = encode(&SupplierRegistered::registration(&s, None, &[])).unwrap();
        assert_eq!(
            e.after,
            Some(json!({"supplier": s, "categories": none, "owners": Vec::<serde_json::Value>::new()}).to_string())
        );
        let e = encode(&SupplierRegistered {
            registered: Registered::Seeded(&s),
        })
        .unwrap();
        assert_eq!(e.after, snapshot(&s));

        let after = supplier(SupplierStatus::Suspended);
        let change = StatusChange {
            before: &s,
            after: StatusChanged {
                supplier: &after,
                reason: "Documentos vencidos",
            },
        };
        let e = encode(&SupplierSuspended(change)).unwrap();
        assert_eq!(e.before, snapshot(&s));
        assert_eq!(
            e.after,
            Some(json!({"supplier": after, "reason": "Documentos vencidos"}).to_string())
        );
        assert_eq!(
            encode(&SupplierVerified(change)).unwrap().action.code(),
            "supplier.verified"
        );
        assert_eq!(
            encode(&SupplierReinstated(change)).unwrap().action.code(),
            "supplier.reinstated"
        );
        assert_eq!(
            encode(&SupplierPending(change)).unwrap().action.code(),
            "supplier.pending"
        );
    }
}
