//! Suppliers (proveedores): the firms that bid. Issue 3 adds self-registration, verification
//! and suspension on top of these fields.

use crate::domain::time::Timestamp;
use serde::{Deserialize, Serialize};

/// Where a supplier stands in the registry; only verified suppliers may be awarded (issue 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SupplierStatus {
    /// Registered, waiting for an administrator's verification.
    Pending,
    /// Verified by an administrator.
    Verified,
    /// Suspended with a recorded reason.
    Suspended,
}

impl SupplierStatus {
    /// Stored code.
    pub const fn code(self) -> &'static str {
        match self {
            SupplierStatus::Pending => "pending",
            SupplierStatus::Verified => "verified",
            SupplierStatus::Suspended => "suspended",
        }
    }

    /// Parses a stored code.
    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Pending, Self::Verified, Self::Suspended]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

/// A registered supplier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Supplier {
    /// Internal id.
    pub id: i64,
    /// Legal name (razón social).
    pub legal_name: String,
    /// Tax id in canonical form (`BODY-CHECK`), unique.
    pub nit: String,
    /// Registry status.
    pub status: SupplierStatus,
    /// Contact e-mail.
    pub email: Option<String>,
    /// Contact phone.
    pub phone: Option<String>,
    /// Department (departamento) of the registered address.
    pub department: Option<String>,
    /// When it registered.
    pub created_at: Timestamp,
}
