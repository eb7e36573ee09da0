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

/// Categories a supplier may declare it supplies: the WHO ATC anatomical main groups for
/// medicines and UNSPSC segments for supplies, so tenders can be announced to the right firms.
pub const CATEGORIES: &[&str] = &[
    "atc:A",
    "atc:B",
    "atc:C",
    "atc:D",
    "atc:G",
    "atc:H",
    "atc:J",
    "atc:L",
    "atc:M",
    "atc:N",
    "atc:P",
    "atc:R",
    "atc:S",
    "atc:V",
    "unspsc:41",
    "unspsc:42",
    "unspsc:51",
];

/// Whether a category code is known.
pub fn is_category(code: &str) -> bool {
    CATEGORIES.contains(&code)
}

/// Whether a phone number looks plausible: 6–30 of digits, spaces, `+`, `-`, `(`, `)`.
pub fn looks_like_phone(text: &str) -> bool {
    let t = text.trim();
    (6..=30).contains(&t.chars().count())
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')'))
        && t.chars().filter(char::is_ascii_digit).count() >= 6
}
