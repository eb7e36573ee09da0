//! Events of the institution's units (`service::units`, issue 14). Units are public facts;
//! who acts for them is not.

use crate::domain::audit::AuditAction;
use crate::domain::audit_event::{AsAuditEvent, NoSnapshot};
use crate::repository::units::Unit;
use serde::Serialize;

/// `unit.created`: an administrator (or the demo) registered a unit.
#[derive(Debug, Clone, Copy)]
pub struct UnitCreated<'a> {
    /// The unit as stored.
    pub unit: &'a Unit,
}

impl AsAuditEvent for UnitCreated<'_> {
    const ACTION: AuditAction = AuditAction::UnitCreated;
    const ENTITY_TYPE: &'static str = "unit";
    type Before = NoSnapshot;
    type After = Unit;
    fn entity_id(&self) -> Option<String> {
        Some(self.unit.id.to_string())
    }
    fn public(&self) -> bool {
        true
    }
    fn before(&self) -> Option<&NoSnapshot> {
        None
    }
    fn after(&self) -> Option<&Unit> {
        Some(self.unit)
    }
}

/// `unit.updated`: an administrator changed a unit.
#[derive(Debug, Clone, Copy)]
pub struct UnitUpdated<'a> {
    /// Before.
    pub before: &'a Unit,
    /// After.
    pub after: &'a Unit,
}

impl AsAuditEvent for UnitUpdated<'_> {
    const ACTION: AuditAction = AuditAction::UnitUpdated;
    const ENTITY_TYPE: &'static str = "unit";
    type Before = Unit;
    type After = Unit;
    fn entity_id(&self) -> Option<String> {
        Some(self.after.id.to_string())
    }
    fn public(&self) -> bool {
        true
    }
    fn before(&self) -> Option<&Unit> {
        Some(self.before)
    }
    fn after(&self) -> Option<&Unit> {
        Some(self.after)
    }
}

/// The units a user acts for, by code, as the log shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitCodes {
    /// Unit codes.
    pub units: Vec<String>,
}

/// `user.units_changed`: an administrator (or the demo) set the units a user acts for.
#[derive(Debug, Clone, Copy)]
pub struct UserUnitsChanged<'a> {
    /// The account.
    pub user_id: i64,
    /// Its units before.
    pub before: &'a UnitCodes,
    /// Its units after.
    pub after: &'a UnitCodes,
}

impl AsAuditEvent for UserUnitsChanged<'_> {
    const ACTION: AuditAction = AuditAction::UserUnitsChanged;
    const ENTITY_TYPE: &'static str = "user";
    type Before = UnitCodes;
    type After = UnitCodes;
    fn entity_id(&self) -> Option<String> {
        Some(self.user_id.to_string())
    }
    fn public(&self) -> bool {
        false
    }
    fn before(&self) -> Option<&UnitCodes> {
        Some(self.before)
    }
    fn after(&self) -> Option<&UnitCodes> {
        Some(self.after)
    }
}
