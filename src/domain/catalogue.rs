//! The catalogue: the basic medicines list (listado básico de medicamentos) and hospital
//! supplies. Medicines are identified by generic name (INN), strength and form, and classified
//! with the WHO ATC code; supplies use UNSPSC (PRODUCT.md, seed 000 "Review of the Basic
//! Medicines List"). Issue 3 adds the reviewed change process and import/export.

use serde::{Deserialize, Serialize};

/// Whether an item is a medicine or a hospital supply (they are classified differently).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// A medicine, classified by ATC.
    Medicine,
    /// A hospital supply (material médico-quirúrgico), classified by UNSPSC.
    Supply,
}

impl ItemKind {
    /// Stored code.
    pub const fn code(self) -> &'static str {
        match self {
            ItemKind::Medicine => "medicine",
            ItemKind::Supply => "supply",
        }
    }

    /// Parses a stored code.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "medicine" => Some(ItemKind::Medicine),
            "supply" => Some(ItemKind::Supply),
            _ => None,
        }
    }
}

/// One catalogue item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CatalogueItem {
    /// Internal id.
    pub id: i64,
    /// The institution's item code, unique (e.g. `MED-0001`).
    pub code: String,
    /// Medicine or supply.
    pub kind: ItemKind,
    /// Generic name (INN) for medicines, description for supplies.
    pub name: String,
    /// Strength, e.g. `500 mg` (medicines).
    pub strength: Option<String>,
    /// Pharmaceutical form, e.g. `tableta` (medicines).
    pub form: Option<String>,
    /// Presentation, e.g. `blíster x 10`.
    pub presentation: Option<String>,
    /// Unit of purchase and dispensing, e.g. `tableta`, `unidad`, `frasco`.
    pub unit: String,
    /// WHO ATC code (medicines).
    pub atc_code: Option<String>,
    /// UNSPSC code (supplies).
    pub unspsc_code: Option<String>,
    /// Highest level of care that may prescribe it (1 = primary … 3 = specialised).
    pub level_of_care: Option<i64>,
}
