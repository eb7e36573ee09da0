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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

use crate::domain::validation::{FieldCode, FieldError, Validator};

/// Whether a text is a WHO ATC code at one of its five levels: `A`, `A10`, `A10B`, `A10BA`,
/// `A10BA02` (WHO Collaborating Centre for Drug Statistics Methodology, ATC structure).
pub fn is_atc_code(code: &str) -> bool {
    let b = code.as_bytes();
    let letter = |i: usize| b.get(i).is_some_and(u8::is_ascii_uppercase);
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    match b.len() {
        1 => letter(0),
        3 => letter(0) && digit(1) && digit(2),
        4 => letter(0) && digit(1) && digit(2) && letter(3),
        5 => letter(0) && digit(1) && digit(2) && letter(3) && letter(4),
        7 => letter(0) && digit(1) && digit(2) && letter(3) && letter(4) && digit(5) && digit(6),
        _ => false,
    }
}

/// Whether a text is an 8-digit UNSPSC code (segment, family, class, commodity; e.g. `42142500`).
pub fn is_unspsc_code(code: &str) -> bool {
    code.len() == 8 && code.bytes().all(|b| b.is_ascii_digit()) && !code.starts_with("00")
}

/// Untrusted fields of a catalogue item (a form, an API body or a spreadsheet row).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemInput {
    /// Institution code.
    #[serde(default)]
    pub code: String,
    /// `medicine`/`medicamento` or `supply`/`insumo`.
    #[serde(default)]
    pub kind: String,
    /// Generic name or description.
    #[serde(default)]
    pub name: String,
    /// Strength.
    #[serde(default)]
    pub strength: String,
    /// Pharmaceutical form.
    #[serde(default)]
    pub form: String,
    /// Presentation.
    #[serde(default)]
    pub presentation: String,
    /// Unit.
    #[serde(default)]
    pub unit: String,
    /// ATC code (medicines).
    #[serde(default)]
    pub atc_code: String,
    /// UNSPSC code (supplies).
    #[serde(default)]
    pub unspsc_code: String,
    /// Level of care, 1–3 (empty = any).
    #[serde(default)]
    pub level_of_care: String,
}

fn optional(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// Checks an item, reporting every failing field. Medicines need a valid ATC code, supplies a
/// valid UNSPSC code, so every item can be classified in OCDS and in the price benchmarks.
pub fn validate_item(input: &ItemInput) -> Result<CatalogueItem, Vec<FieldError>> {
    let mut v = Validator::new();
    let code = v.text("code", &input.code.to_uppercase(), 2, 20);
    if !code.is_empty()
        && !code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
    {
        v.fail("code", FieldCode::InvalidCharacters);
    }
    let kind = match input.kind.trim().to_lowercase().as_str() {
        "medicine" | "medicamento" => Some(ItemKind::Medicine),
        "supply" | "insumo" => Some(ItemKind::Supply),
        "" => {
            v.fail("kind", FieldCode::Required);
            None
        }
        _ => {
            v.fail("kind", FieldCode::UnknownOption);
            None
        }
    };
    let name = v.text("name", &input.name, 2, 200);
    let unit = v.text("unit", &input.unit, 1, 40);
    for (field, value) in [
        ("strength", &input.strength),
        ("form", &input.form),
        ("presentation", &input.presentation),
    ] {
        if value.trim().chars().count() > 120 {
            v.fail(field, FieldCode::TooLong);
        } else if value.chars().any(char::is_control) {
            v.fail(field, FieldCode::InvalidCharacters);
        }
    }
    let atc = optional(&input.atc_code).map(|c| c.to_uppercase());
    let unspsc = optional(&input.unspsc_code);
    match kind {
        Some(ItemKind::Medicine) => match &atc {
            None => v.fail("atc_code", FieldCode::Required),
            Some(c) if !is_atc_code(c) => v.fail("atc_code", FieldCode::InvalidCharacters),
            _ => {}
        },
        Some(ItemKind::Supply) => match &unspsc {
            None => v.fail("unspsc_code", FieldCode::Required),
            Some(c) if !is_unspsc_code(c) => v.fail("unspsc_code", FieldCode::InvalidCharacters),
            _ => {}
        },
        None => {}
    }
    let level = match input.level_of_care.trim() {
        "" => None,
        t => match t.parse::<i64>() {
            Ok(l) if (1..=3).contains(&l) => Some(l),
            _ => {
                v.fail("level_of_care", FieldCode::InvalidNumber);
                None
            }
        },
    };
    v.finish()?;
    let kind = kind.unwrap_or(ItemKind::Medicine);
    Ok(CatalogueItem {
        id: 0,
        code,
        kind,
        name,
        strength: optional(&input.strength),
        form: optional(&input.form),
        presentation: optional(&input.presentation),
        unit,
        atc_code: if kind == ItemKind::Medicine {
            atc
        } else {
            None
        },
        unspsc_code: if kind == ItemKind::Supply {
            unspsc
        } else {
            None
        },
        level_of_care: level,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atc_levels() {
        for ok in ["A", "A10", "A10B", "A10BA", "A10BA02", "J01CA04"] {
            assert!(is_atc_code(ok), "{ok}");
        }
        for bad in ["", "a10", "A1", "A10BA0", "A10BA023", "110BA02", "A10B402"] {
            assert!(!is_atc_code(bad), "{bad}");
        }
    }

    #[test]
    fn unspsc() {
        assert!(is_unspsc_code("42142500"));
        assert!(!is_unspsc_code("4214250"));
        assert!(!is_unspsc_code("42-14250"));
        assert!(!is_unspsc_code("00142500"));
    }

    #[test]
    fn item_validation_reports_every_field() {
        let ok = validate_item(&ItemInput {
            code: "med-0200".into(),
            kind: "medicamento".into(),
            name: "Amoxicilina".into(),
            strength: "500 mg".into(),
            unit: "cápsula".into(),
            atc_code: "j01ca04".into(),
            level_of_care: "1".into(),
            ..ItemInput::default()
        })
        .unwrap();
        assert_eq!(ok.code, "MED-0200");
        assert_eq!(ok.atc_code.as_deref(), Some("J01CA04"));
        let errors = validate_item(&ItemInput {
            code: "x".into(),
            kind: "equipo".into(),
            name: "".into(),
            unit: "".into(),
            level_of_care: "7".into(),
            ..ItemInput::default()
        })
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec!["code", "kind", "name", "unit", "level_of_care"]
        );
        let supply = validate_item(&ItemInput {
            code: "MQ-9".into(),
            kind: "supply".into(),
            name: "Gasa".into(),
            unit: "paquete".into(),
            ..ItemInput::default()
        })
        .unwrap_err();
        assert_eq!(supply[0].field, "unspsc_code");
    }
}
