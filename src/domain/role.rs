//! Roles and the access rule every route declares.
//!
//! The roles are those of the product brief (PRODUCT.md, "Who uses it"): each maps to a group
//! of people with a distinct legal responsibility in a procurement, which is why a supplier's
//! user can never also hold an internal role (it would let a bidder act for the buyer).

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A role a signed-in user can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Manages users, roles, rulebooks and catalogues.
    Administrator,
    /// Procurement officer: plans, publishes tenders, runs openings and auctions, awards.
    Buyer,
    /// Evaluation committee member (junta calificadora).
    Evaluator,
    /// A user acting for exactly one registered supplier.
    Supplier,
    /// Warehouse / logistics officer: receives deliveries.
    Warehouse,
    /// A hospital's or clinic's pharmacist or requester, acting for its units: places
    /// call-offs against agreements (issue 14) and requests stock (issue 15).
    UnitUser,
    /// Market-intelligence analyst.
    Analyst,
    /// Civil-society observer, auditor or journalist with a named account.
    Observer,
}

impl Role {
    /// Every role, in the order the administration screens list them.
    pub const ALL: [Role; 8] = [
        Role::Administrator,
        Role::Buyer,
        Role::Evaluator,
        Role::Supplier,
        Role::Warehouse,
        Role::UnitUser,
        Role::Analyst,
        Role::Observer,
    ];

    /// Stable code stored in the database and used in the API.
    pub const fn code(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::Buyer => "buyer",
            Role::Evaluator => "evaluator",
            Role::Supplier => "supplier",
            Role::Warehouse => "warehouse",
            Role::UnitUser => "unit_user",
            Role::Analyst => "analyst",
            Role::Observer => "observer",
        }
    }

    /// Parses a stored or submitted role code.
    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Translation key of the role's name.
    pub fn label_key(self) -> String {
        format!("role-{}", self.code())
    }
}

/// The order in which a user's roles choose the desk they land on after signing in: the first
/// role held wins. Work that others wait for comes first: a supplier's bids and deadlines, the
/// buyer's processes, the committee's openings and scores, then administration, and last the
/// roles that read rather than act.
pub const DESK_ORDER: [Role; 8] = [
    Role::Supplier,
    Role::Buyer,
    Role::Evaluator,
    Role::Administrator,
    Role::Warehouse,
    Role::UnitUser,
    Role::Analyst,
    Role::Observer,
];

impl Role {
    /// The page where this role's work waits (issue 13: every role landed on the home page).
    pub const fn desk(self) -> &'static str {
        match self {
            Role::Supplier => "/portal",
            Role::Buyer => "/workspace",
            Role::Evaluator => "/committee",
            Role::Administrator => "/admin/users",
            // No supply module yet: the contracts whose deliveries the warehouse receives.
            Role::Warehouse => "/tenders?phase=contracted",
            // The units the user acts for, and what waits for them there.
            Role::UnitUser => "/units/mine",
            Role::Analyst => "/dashboards",
            // Civil-society observers and auditors: what happens, as it happens, in words.
            Role::Observer => "/audit",
        }
    }
}

/// The desk a user with these roles lands on: that of the first role in [`DESK_ORDER`] they
/// hold, the home page for none.
pub fn landing(roles: &BTreeSet<Role>) -> &'static str {
    DESK_ORDER
        .into_iter()
        .find(|r| roles.contains(r))
        .map_or("/", Role::desk)
}

/// Who may use a route. Every route in the router declares one of these, and the router
/// refuses to start a route without it (fail closed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (open data, public pages).
    Public,
    /// Any signed-in user or API token, whatever the role.
    Authenticated,
    /// Only users holding at least one of these roles.
    AnyOf(&'static [Role]),
}

impl Access {
    /// Whether a caller with these roles (None = anonymous) may use the route.
    pub fn allows(&self, roles: Option<&BTreeSet<Role>>) -> bool {
        match (self, roles) {
            (Access::Public, _) => true,
            (Access::Authenticated, Some(_)) => true,
            (Access::AnyOf(allowed), Some(held)) => allowed.iter().any(|r| held.contains(r)),
            (_, None) => false,
        }
    }
}

/// Why a set of roles cannot be given to one user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoleSetError {
    /// A user needs at least one role to be of any use; deactivate instead.
    #[error("a user needs at least one role")]
    Empty,
    /// A supplier's user acting for the buyer would be a conflict of interest.
    #[error("the supplier role cannot be combined with internal roles")]
    SupplierWithInternalRole,
    /// A supplier user must be bound to exactly one supplier.
    #[error("a supplier user must be bound to a supplier")]
    SupplierWithoutSupplier,
    /// Only supplier users are bound to a supplier.
    #[error("only supplier users can be bound to a supplier")]
    SupplierBindingWithoutRole,
}

/// Checks the rules on combining roles (see the module documentation for the reasons).
pub fn validate_role_set(
    roles: &BTreeSet<Role>,
    supplier_id: Option<i64>,
) -> Result<(), RoleSetError> {
    if roles.is_empty() {
        return Err(RoleSetError::Empty);
    }
    let is_supplier = roles.contains(&Role::Supplier);
    if is_supplier && roles.len() > 1 {
        return Err(RoleSetError::SupplierWithInternalRole);
    }
    match (is_supplier, supplier_id) {
        (true, None) => Err(RoleSetError::SupplierWithoutSupplier),
        (false, Some(_)) => Err(RoleSetError::SupplierBindingWithoutRole),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(roles: &[Role]) -> BTreeSet<Role> {
        roles.iter().copied().collect()
    }

    #[test]
    fn codes_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::from_code(role.code()), Some(role));
        }
        assert_eq!(Role::from_code("root"), None);
    }

    #[test]
    fn each_role_lands_on_its_desk_and_the_first_in_order_wins() {
        assert_eq!(landing(&set(&[Role::Supplier])), "/portal");
        assert_eq!(landing(&set(&[Role::Buyer])), "/workspace");
        assert_eq!(landing(&set(&[Role::Evaluator])), "/committee");
        assert_eq!(landing(&set(&[Role::Administrator])), "/admin/users");
        assert_eq!(landing(&set(&[Role::Analyst])), "/dashboards");
        assert_eq!(landing(&set(&[Role::UnitUser])), "/units/mine");
        assert_eq!(landing(&set(&[Role::Observer])), "/audit");
        assert_eq!(
            landing(&set(&[Role::Administrator, Role::Buyer])),
            "/workspace"
        );
        assert_eq!(
            landing(&set(&[Role::Observer, Role::Evaluator])),
            "/committee"
        );
        assert_eq!(landing(&set(&[])), "/");
        for role in Role::ALL {
            assert!(
                DESK_ORDER.contains(&role),
                "{role:?} has a place in the order"
            );
        }
    }

    #[test]
    fn access_rules() {
        let buyer = set(&[Role::Buyer]);
        assert!(Access::Public.allows(None));
        assert!(!Access::Authenticated.allows(None));
        assert!(Access::Authenticated.allows(Some(&buyer)));
        assert!(Access::AnyOf(&[Role::Buyer, Role::Administrator]).allows(Some(&buyer)));
        assert!(!Access::AnyOf(&[Role::Administrator]).allows(Some(&buyer)));
        assert!(!Access::AnyOf(&[Role::Administrator]).allows(None));
    }

    #[test]
    fn role_set_rules() {
        assert_eq!(validate_role_set(&set(&[]), None), Err(RoleSetError::Empty));
        assert_eq!(
            validate_role_set(&set(&[Role::Supplier, Role::Buyer]), Some(1)),
            Err(RoleSetError::SupplierWithInternalRole)
        );
        assert_eq!(
            validate_role_set(&set(&[Role::Supplier]), None),
            Err(RoleSetError::SupplierWithoutSupplier)
        );
        assert_eq!(
            validate_role_set(&set(&[Role::Buyer]), Some(3)),
            Err(RoleSetError::SupplierBindingWithoutRole)
        );
        assert_eq!(validate_role_set(&set(&[Role::Supplier]), Some(3)), Ok(()));
        assert_eq!(
            validate_role_set(&set(&[Role::Buyer, Role::Evaluator]), None),
            Ok(())
        );
    }
}
