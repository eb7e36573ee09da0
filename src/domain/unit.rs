//! The institution's units: where medicines are bought for, received, stored and used.
//!
//! A public health institution buys centrally and receives and consumes in many places
//! (issue 14, point 0): a central warehouse, regional warehouses, hospitals, clinics
//! (consultorios) and pharmacies. Units form a supply tree — each unit names the unit that
//! supplies it (its parent) — which later issues walk: call-offs are placed for a unit (issue
//! 14), stock is kept per unit (issue 15), consumption and forecasts are summed up the tree
//! (issue 17).

use serde::{Deserialize, Serialize};

/// What a unit is, which decides what it may do (only warehouses hold buffer stock for other
/// units; only care units have a level of care).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// The institution's central warehouse (almacén central): receives national contracts.
    CentralWarehouse,
    /// A regional warehouse that supplies the units of its region.
    RegionalWarehouse,
    /// A hospital (second or third level of care).
    Hospital,
    /// A clinic or consultorio (first level of care).
    Clinic,
    /// A pharmacy that dispenses to patients.
    Pharmacy,
}

impl UnitKind {
    /// Every kind, in the order lists show them (the supply chain's direction).
    pub const ALL: [UnitKind; 5] = [
        UnitKind::CentralWarehouse,
        UnitKind::RegionalWarehouse,
        UnitKind::Hospital,
        UnitKind::Clinic,
        UnitKind::Pharmacy,
    ];

    /// Stable code stored in the database and used in the API.
    pub const fn code(self) -> &'static str {
        match self {
            UnitKind::CentralWarehouse => "central_warehouse",
            UnitKind::RegionalWarehouse => "regional_warehouse",
            UnitKind::Hospital => "hospital",
            UnitKind::Clinic => "clinic",
            UnitKind::Pharmacy => "pharmacy",
        }
    }

    /// Parses a stored or submitted code.
    pub fn from_code(code: &str) -> Option<UnitKind> {
        UnitKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// Translation key of the kind's name.
    pub fn label_key(self) -> String {
        format!("unit-kind-{}", self.code().replace('_', "-"))
    }

    /// Whether the unit stores stock for other units (and so may be another unit's parent).
    pub const fn is_warehouse(self) -> bool {
        matches!(
            self,
            UnitKind::CentralWarehouse | UnitKind::RegionalWarehouse
        )
    }

    /// Whether the unit treats patients, and so has a level of care.
    pub const fn gives_care(self) -> bool {
        !self.is_warehouse()
    }
}

/// Levels of care (niveles de atención) of the Guatemalan health system: 1 primary care
/// (clinics, consultorios), 2 general and departmental hospitals, 3 specialised referral
/// hospitals. The catalogue's items carry the same level (issue 2).
pub const LEVELS_OF_CARE: std::ops::RangeInclusive<i64> = 1..=3;

/// A unit as the rules see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitFields {
    /// Short stable code, e.g. `HGE` (upper-case letters, digits and hyphens).
    pub code: String,
    /// Official name.
    pub name: String,
    /// What the unit is.
    pub kind: UnitKind,
    /// Department (departamento).
    pub department: String,
    /// Municipality (municipio).
    pub municipality: String,
    /// Level of care, for units that treat patients.
    pub level_of_care: Option<i64>,
    /// The unit that supplies this one (none for the central warehouse).
    pub parent_id: Option<i64>,
}

/// What is wrong with a unit's fields, by field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitProblem {
    /// The code is empty.
    CodeMissing,
    /// The code has characters other than A–Z, 0–9 and `-`, or is longer than 20.
    CodeShape,
    /// The name is empty.
    NameMissing,
    /// The name is longer than 200 characters.
    NameTooLong,
    /// The department is not one of Guatemala's 22.
    UnknownDepartment,
    /// The municipality is empty or longer than 100 characters.
    MunicipalityShape,
    /// A care unit without a level of care, or a level outside 1–3.
    LevelOfCare,
    /// A warehouse with a level of care.
    LevelOnWarehouse,
    /// The central warehouse has a parent, or another unit has none.
    Parent,
}

impl UnitProblem {
    /// The form field the problem belongs to.
    pub const fn field(self) -> &'static str {
        match self {
            UnitProblem::CodeMissing | UnitProblem::CodeShape => "code",
            UnitProblem::NameMissing | UnitProblem::NameTooLong => "name",
            UnitProblem::UnknownDepartment => "department",
            UnitProblem::MunicipalityShape => "municipality",
            UnitProblem::LevelOfCare | UnitProblem::LevelOnWarehouse => "level_of_care",
            UnitProblem::Parent => "parent_id",
        }
    }
}

/// Whether a code is well formed: what scanners, reports and URLs can carry unchanged.
pub fn valid_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 20
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
}

/// Checks a unit's own fields (the parent's existence and kind are checked against the
/// database by the service, with [`parent_allowed`]).
pub fn validate(unit: &UnitFields, departments: &[&str]) -> Vec<UnitProblem> {
    let mut problems = Vec::new();
    if unit.code.is_empty() {
        problems.push(UnitProblem::CodeMissing);
    } else if !valid_code(&unit.code) {
        problems.push(UnitProblem::CodeShape);
    }
    if unit.name.trim().is_empty() {
        problems.push(UnitProblem::NameMissing);
    } else if unit.name.chars().count() > 200 {
        problems.push(UnitProblem::NameTooLong);
    }
    if !departments.contains(&unit.department.as_str()) {
        problems.push(UnitProblem::UnknownDepartment);
    }
    let municipality = unit.municipality.trim();
    if municipality.is_empty() || municipality.chars().count() > 100 {
        problems.push(UnitProblem::MunicipalityShape);
    }
    match (unit.kind.gives_care(), unit.level_of_care) {
        (true, Some(level)) if LEVELS_OF_CARE.contains(&level) => {}
        (true, _) => problems.push(UnitProblem::LevelOfCare),
        (false, Some(_)) => problems.push(UnitProblem::LevelOnWarehouse),
        (false, None) => {}
    }
    let is_root = unit.kind == UnitKind::CentralWarehouse;
    if is_root == unit.parent_id.is_some() {
        problems.push(UnitProblem::Parent);
    }
    problems
}

/// Whether a unit of kind `child` may be supplied by a unit of kind `parent`: only warehouses
/// supply, and a regional warehouse is supplied by the central one, never by another region.
pub fn parent_allowed(child: UnitKind, parent: UnitKind) -> bool {
    match child {
        UnitKind::CentralWarehouse => false,
        UnitKind::RegionalWarehouse => parent == UnitKind::CentralWarehouse,
        _ => parent.is_warehouse(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEPARTMENTS: &[&str] = &["Guatemala", "Quetzaltenango"];

    fn hospital() -> UnitFields {
        UnitFields {
            code: "HGE".into(),
            name: "Hospital General de Enfermedades".into(),
            kind: UnitKind::Hospital,
            department: "Guatemala".into(),
            municipality: "Guatemala".into(),
            level_of_care: Some(3),
            parent_id: Some(1),
        }
    }

    #[test]
    fn a_well_formed_hospital_passes() {
        assert!(validate(&hospital(), DEPARTMENTS).is_empty());
    }

    #[test]
    fn codes_are_upper_case_letters_digits_and_hyphens() {
        assert!(valid_code("HGE"));
        assert!(valid_code("CONS-VN-01"));
        assert!(!valid_code("hge"));
        assert!(!valid_code("H G E"));
        assert!(!valid_code("HGE/1"));
        assert!(!valid_code(""));
        assert!(!valid_code(&"A".repeat(21)));
        let u = UnitFields {
            code: "<script>".into(),
            ..hospital()
        };
        assert_eq!(validate(&u, DEPARTMENTS), vec![UnitProblem::CodeShape]);
    }

    #[test]
    fn care_units_need_a_level_and_warehouses_have_none() {
        let no_level = UnitFields {
            level_of_care: None,
            ..hospital()
        };
        assert_eq!(
            validate(&no_level, DEPARTMENTS),
            vec![UnitProblem::LevelOfCare]
        );
        let level_4 = UnitFields {
            level_of_care: Some(4),
            ..hospital()
        };
        assert_eq!(
            validate(&level_4, DEPARTMENTS),
            vec![UnitProblem::LevelOfCare]
        );
        let warehouse = UnitFields {
            kind: UnitKind::RegionalWarehouse,
            ..hospital()
        };
        assert_eq!(
            validate(&warehouse, DEPARTMENTS),
            vec![UnitProblem::LevelOnWarehouse]
        );
    }

    #[test]
    fn only_the_central_warehouse_has_no_parent() {
        let orphan = UnitFields {
            parent_id: None,
            ..hospital()
        };
        assert_eq!(validate(&orphan, DEPARTMENTS), vec![UnitProblem::Parent]);
        let central = UnitFields {
            kind: UnitKind::CentralWarehouse,
            level_of_care: None,
            parent_id: None,
            ..hospital()
        };
        assert!(validate(&central, DEPARTMENTS).is_empty());
        let central_with_parent = UnitFields {
            parent_id: Some(2),
            ..central
        };
        assert_eq!(
            validate(&central_with_parent, DEPARTMENTS),
            vec![UnitProblem::Parent]
        );
    }

    #[test]
    fn unknown_departments_and_blank_fields_are_named() {
        let u = UnitFields {
            name: " ".into(),
            department: "Atlantis".into(),
            municipality: String::new(),
            ..hospital()
        };
        assert_eq!(
            validate(&u, DEPARTMENTS),
            vec![
                UnitProblem::NameMissing,
                UnitProblem::UnknownDepartment,
                UnitProblem::MunicipalityShape
            ]
        );
    }

    #[test]
    fn only_warehouses_supply_and_regions_hang_from_the_centre() {
        use UnitKind::*;
        for child in UnitKind::ALL {
            for parent in UnitKind::ALL {
                let expected = match child {
                    CentralWarehouse => false,
                    RegionalWarehouse => parent == CentralWarehouse,
                    _ => parent == CentralWarehouse || parent == RegionalWarehouse,
                };
                assert_eq!(
                    parent_allowed(child, parent),
                    expected,
                    "{child:?} ← {parent:?}"
                );
            }
        }
    }

    #[test]
    fn kinds_round_trip_through_their_codes() {
        for k in UnitKind::ALL {
            assert_eq!(UnitKind::from_code(k.code()), Some(k));
        }
        assert_eq!(UnitKind::from_code("castle"), None);
    }
}
