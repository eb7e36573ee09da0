//! The demo institution's network of units (issue 14, point 0): a central warehouse, two
//! regional warehouses, and the hospitals, clinics (consultorios) and a pharmacy they supply,
//! modelled on the departmental spread of a national social-security health network. Names
//! are generic ("Hospital de Escuintla"); levels of care follow the Guatemalan system (3:
//! specialised referral hospitals in the capital, 2: departmental hospitals, 1: clinics).

use super::audit::{Publication, record};
use super::events::units::{UnitCodes, UnitCreated, UserUnitsChanged};
use super::{Actor, ServiceError};
use crate::domain::time::Timestamp;
use crate::domain::unit::{UnitFields, UnitKind};
use crate::repository::{Queryable, units, users};

/// (code, name, kind, department, municipality, level of care, supplying warehouse).
type DemoUnit = (
    &'static str,
    &'static str,
    UnitKind,
    &'static str,
    &'static str,
    Option<i64>,
    Option<&'static str>,
);

use UnitKind::{CentralWarehouse, Clinic, Hospital, Pharmacy, RegionalWarehouse};

/// Parents come before their children.
#[rustfmt::skip]
pub const DEMO_UNITS: &[DemoUnit] = &[
    ("ALM-CENTRAL", "Almacén Central de Medicamentos", CentralWarehouse, "Guatemala", "Guatemala", None, None),
    ("ALM-OCC", "Almacén Regional de Occidente", RegionalWarehouse, "Quetzaltenango", "Quetzaltenango", None, Some("ALM-CENTRAL")),
    ("ALM-ORI", "Almacén Regional de Oriente", RegionalWarehouse, "Zacapa", "Zacapa", None, Some("ALM-CENTRAL")),
    ("HGE", "Hospital General de Enfermedades", Hospital, "Guatemala", "Guatemala", Some(3), Some("ALM-CENTRAL")),
    ("HGA", "Hospital General de Accidentes", Hospital, "Guatemala", "Guatemala", Some(3), Some("ALM-CENTRAL")),
    ("HGO", "Hospital de Gineco-Obstetricia", Hospital, "Guatemala", "Guatemala", Some(3), Some("ALM-CENTRAL")),
    ("HJJAB", "Hospital General Dr. Juan José Arévalo Bermejo", Hospital, "Guatemala", "Guatemala", Some(3), Some("ALM-CENTRAL")),
    ("UONC", "Unidad de Oncología", Hospital, "Guatemala", "Guatemala", Some(3), Some("ALM-CENTRAL")),
    ("HESC", "Hospital de Escuintla", Hospital, "Escuintla", "Escuintla", Some(2), Some("ALM-CENTRAL")),
    ("HANT", "Hospital de Antigua Guatemala", Hospital, "Sacatepéquez", "Antigua Guatemala", Some(2), Some("ALM-CENTRAL")),
    ("HCHI", "Hospital de Chimaltenango", Hospital, "Chimaltenango", "Chimaltenango", Some(2), Some("ALM-CENTRAL")),
    ("HCOB", "Hospital de Cobán", Hospital, "Alta Verapaz", "Cobán", Some(2), Some("ALM-CENTRAL")),
    ("HPET", "Hospital de Petén", Hospital, "Petén", "San Benito", Some(2), Some("ALM-CENTRAL")),
    ("HQUE", "Hospital de Quetzaltenango", Hospital, "Quetzaltenango", "Quetzaltenango", Some(2), Some("ALM-OCC")),
    ("HCOA", "Hospital de Coatepeque", Hospital, "Quetzaltenango", "Coatepeque", Some(2), Some("ALM-OCC")),
    ("HMAZ", "Hospital de Mazatenango", Hospital, "Suchitepéquez", "Mazatenango", Some(2), Some("ALM-OCC")),
    ("HRET", "Hospital de Retalhuleu", Hospital, "Retalhuleu", "Retalhuleu", Some(2), Some("ALM-OCC")),
    ("HSMA", "Hospital de San Marcos", Hospital, "San Marcos", "San Marcos", Some(2), Some("ALM-OCC")),
    ("HHUE", "Hospital de Huehuetenango", Hospital, "Huehuetenango", "Huehuetenango", Some(2), Some("ALM-OCC")),
    ("HZAC", "Hospital de Zacapa", Hospital, "Zacapa", "Zacapa", Some(2), Some("ALM-ORI")),
    ("HCHQ", "Hospital de Chiquimula", Hospital, "Chiquimula", "Chiquimula", Some(2), Some("ALM-ORI")),
    ("HJUT", "Hospital de Jutiapa", Hospital, "Jutiapa", "Jutiapa", Some(2), Some("ALM-ORI")),
    ("HPBA", "Hospital de Puerto Barrios", Hospital, "Izabal", "Puerto Barrios", Some(2), Some("ALM-ORI")),
    ("POLI", "Policlínica", Clinic, "Guatemala", "Guatemala", Some(1), Some("ALM-CENTRAL")),
    ("CONS-VN", "Consultorio de Villa Nueva", Clinic, "Guatemala", "Villa Nueva", Some(1), Some("ALM-CENTRAL")),
    ("CONS-MIX", "Consultorio de Mixco", Clinic, "Guatemala", "Mixco", Some(1), Some("ALM-CENTRAL")),
    ("CONS-AMA", "Consultorio de Amatitlán", Clinic, "Guatemala", "Amatitlán", Some(1), Some("ALM-CENTRAL")),
    ("CONS-SOL", "Consultorio de Sololá", Clinic, "Sololá", "Sololá", Some(1), Some("ALM-OCC")),
    ("CONS-TOT", "Consultorio de Totonicapán", Clinic, "Totonicapán", "Totonicapán", Some(1), Some("ALM-OCC")),
    ("CONS-JAL", "Consultorio de Jalapa", Clinic, "Jalapa", "Jalapa", Some(1), Some("ALM-ORI")),
    ("FARM-CE", "Farmacia de Consulta Externa", Pharmacy, "Guatemala", "Guatemala", Some(1), Some("ALM-CENTRAL")),
];

/// Which demo accounts act for which units.
pub const DEMO_MEMBERSHIPS: &[(&str, &[&str])] = &[
    ("bodega", &["ALM-CENTRAL"]),
    ("farmacia", &["HGE"]),
    ("farmacia2", &["HQUE", "HCOA"]),
];

/// Creates the missing demo units of `buyer_id` and the demo memberships; returns how many
/// units it created. Idempotent, like the rest of the seed.
pub async fn seed(
    tx: &mut impl Queryable,
    actor: &Actor,
    buyer_id: i64,
    now: Timestamp,
) -> Result<usize, ServiceError> {
    let mut created = 0;
    for &(code, name, kind, department, municipality, level_of_care, parent) in DEMO_UNITS {
        if units::find_by_code(tx, code).await?.is_some() {
            continue;
        }
        let parent_id = match parent {
            Some(p) => Some(
                units::find_by_code(tx, p)
                    .await?
                    .ok_or(ServiceError::NotFound)?
                    .id,
            ),
            None => None,
        };
        let fields = UnitFields {
            code: code.to_string(),
            name: name.to_string(),
            kind,
            department: department.to_string(),
            municipality: municipality.to_string(),
            level_of_care,
            parent_id,
        };
        let id = units::insert(tx, buyer_id, &fields, now).await?;
        let unit = units::find(tx, id).await?.ok_or(ServiceError::NotFound)?;
        record(tx, actor, &UnitCreated { unit: &unit }, Publication::None).await?;
        created += 1;
    }
    for &(username, codes) in DEMO_MEMBERSHIPS {
        let Some((user, _)) = users::find_for_login(tx, username).await? else {
            continue;
        };
        if !units::of_user(tx, user.id).await?.is_empty() {
            continue;
        }
        let mut ids = Vec::new();
        for code in codes {
            if let Some(u) = units::find_by_code(tx, code).await? {
                ids.push(u.id);
            }
        }
        units::set_user_units(tx, user.id, &ids).await?;
        let event = UserUnitsChanged {
            user_id: user.id,
            before: &UnitCodes { units: Vec::new() },
            after: &UnitCodes {
                units: codes.iter().map(|c| c.to_string()).collect(),
            },
        };
        record(tx, actor, &event, Publication::None).await?;
    }
    Ok(created)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::unit::{parent_allowed, validate};

    #[test]
    fn every_demo_unit_is_valid_and_its_parent_comes_first() {
        let mut seen: Vec<(&str, UnitKind)> = Vec::new();
        for &(code, name, kind, department, municipality, level, parent) in DEMO_UNITS {
            let parent_kind = parent.map(|p| {
                seen.iter()
                    .find(|(c, _)| *c == p)
                    .unwrap_or_else(|| panic!("{code}: parent {p} comes later"))
                    .1
            });
            let fields = UnitFields {
                code: code.into(),
                name: name.into(),
                kind,
                department: department.into(),
                municipality: municipality.into(),
                level_of_care: level,
                parent_id: parent.map(|_| 1),
            };
            assert!(
                validate(&fields, &super::super::demo::DEPARTMENTS).is_empty(),
                "{code}"
            );
            if let Some(pk) = parent_kind {
                assert!(parent_allowed(kind, pk), "{code} ← {pk:?}");
            }
            assert!(!seen.iter().any(|(c, _)| *c == code), "{code} twice");
            seen.push((code, kind));
        }
        let care = DEMO_UNITS.iter().filter(|u| u.2.gives_care()).count();
        assert!((25..=30).contains(&care), "{care} hospitals and clinics");
    }

    #[test]
    fn memberships_name_demo_units() {
        for (_, codes) in DEMO_MEMBERSHIPS {
            for code in *codes {
                assert!(DEMO_UNITS.iter().any(|u| u.0 == *code), "{code}");
            }
        }
    }
}
