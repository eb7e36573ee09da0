//! The institution's units and who acts for them (issue 14, point 0).
//!
//! Units are public facts (where the institution's hospitals and warehouses are, and which
//! warehouse supplies which hospital); their members are not (names of officials are shown
//! only to administrators).

use super::audit::{Publication, commit_with};
use super::events::units::{UnitCodes, UnitCreated, UnitUpdated, UserUnitsChanged};
use super::{Actor, ServiceError};
use crate::domain::role::Role;
use crate::domain::time::Timestamp;
use crate::domain::unit::{self, UnitFields, UnitKind, UnitProblem};
use crate::domain::validation::{FieldCode, FieldError};
use crate::repository::units::{Member, Unit, UnitFilter};
use crate::repository::{Database, Queryable, RepoError, buyers, units, users};
use serde::Deserialize;

/// A unit as submitted by the form or the API. Parents are named by code, the units' public
/// key.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct UnitForm {
    /// Short stable code: upper-case letters, digits and hyphens, at most 20 (e.g. `HGE`).
    #[serde(default)]
    pub code: String,
    /// Official name.
    #[serde(default)]
    pub name: String,
    /// `central_warehouse`, `regional_warehouse`, `hospital`, `clinic` or `pharmacy`.
    #[serde(default)]
    pub kind: String,
    /// One of Guatemala's 22 departments.
    #[serde(default)]
    pub department: String,
    /// Municipality.
    #[serde(default)]
    pub municipality: String,
    /// Level of care 1–3 (units that treat patients only).
    #[serde(default)]
    pub level_of_care: Option<i64>,
    /// Code of the warehouse that supplies this unit (none for the central warehouse).
    #[serde(default)]
    pub parent: Option<String>,
}

fn problem_code(p: UnitProblem) -> FieldCode {
    match p {
        UnitProblem::CodeMissing | UnitProblem::NameMissing => FieldCode::Required,
        UnitProblem::CodeShape => FieldCode::InvalidCharacters,
        UnitProblem::NameTooLong => FieldCode::TooLong,
        UnitProblem::UnknownDepartment | UnitProblem::LevelOfCare => FieldCode::UnknownOption,
        UnitProblem::MunicipalityShape => FieldCode::Required,
        UnitProblem::LevelOnWarehouse | UnitProblem::Parent => FieldCode::RuleViolation,
    }
}

fn require_admin(actor: &Actor) -> Result<(), ServiceError> {
    if actor.has_role(Role::Administrator) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// Checks a submitted unit against the rules and the other units; `editing` is the unit being
/// changed. Returns the fields to store and the institution the unit belongs to.
async fn check(
    db: &mut impl Queryable,
    form: &UnitForm,
    editing: Option<&Unit>,
) -> Result<(UnitFields, i64), ServiceError> {
    let mut errors: Vec<FieldError> = Vec::new();
    let mut fail = |field: &str, code: FieldCode| {
        if !errors.iter().any(|e| e.field == field) {
            errors.push(FieldError {
                field: field.to_string(),
                code,
            });
        }
    };
    let kind = UnitKind::from_code(form.kind.trim());
    if kind.is_none() {
        fail("kind", FieldCode::UnknownOption);
    }
    let parent_code = form
        .parent
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let parent = match parent_code {
        Some(code) => match units::find_by_code(db, code).await? {
            Some(p) => Some(p),
            None => {
                fail("parent", FieldCode::UnknownOption);
                None
            }
        },
        None => None,
    };
    let fields = UnitFields {
        code: form.code.trim().to_string(),
        name: form.name.trim().to_string(),
        kind: kind.unwrap_or(UnitKind::Clinic),
        department: form.department.trim().to_string(),
        municipality: form.municipality.trim().to_string(),
        level_of_care: form.level_of_care,
        parent_id: parent.as_ref().map(|p| p.id),
    };
    for problem in unit::validate(&fields, &crate::service::demo::DEPARTMENTS) {
        let depends_on_kind = matches!(
            problem,
            UnitProblem::Parent | UnitProblem::LevelOfCare | UnitProblem::LevelOnWarehouse
        );
        if kind.is_none() && depends_on_kind {
            continue;
        }
        match problem {
            // An unknown parent is already named (the first error of a field stands).
            UnitProblem::Parent if fields.parent_id.is_none() => {
                fail("parent", FieldCode::Required)
            }
            UnitProblem::Parent => fail("parent", FieldCode::RuleViolation),
            other => fail(other.field(), problem_code(other)),
        }
    }
    if let (Some(kind), Some(parent)) = (kind, &parent)
        && (!unit::parent_allowed(kind, parent.kind) || editing.is_some_and(|e| e.id == parent.id))
    {
        fail("parent", FieldCode::RuleViolation);
    }
    if let (Some(kind), Some(editing)) = (kind, editing)
        && !kind.is_warehouse()
        && !units::list(
            db,
            &UnitFilter {
                parent_id: Some(editing.id),
                ..UnitFilter::default()
            },
        )
        .await?
        .is_empty()
    {
        // A warehouse that supplies units cannot stop being one while they hang from it.
        fail("kind", FieldCode::RuleViolation);
    }
    let buyer_id = match (&parent, editing) {
        (Some(p), _) => p.buyer_id,
        (None, Some(e)) => e.buyer_id,
        (None, None) => match buyers::list(db).await?.as_slice() {
            [only] => only.id,
            [] => {
                fail("kind", FieldCode::RuleViolation);
                0
            }
            // Several institutions on one platform: the central warehouse is created by the
            // command line for its institution, never guessed.
            _ => {
                fail("parent", FieldCode::Required);
                0
            }
        },
    };
    if kind == Some(UnitKind::CentralWarehouse) && buyer_id != 0 {
        let centrals = units::list(
            db,
            &UnitFilter {
                kind: Some(UnitKind::CentralWarehouse),
                ..UnitFilter::default()
            },
        )
        .await?;
        if centrals
            .iter()
            .any(|c| c.buyer_id == buyer_id && editing.is_none_or(|e| e.id != c.id))
        {
            // One central warehouse per institution: it is the root of the supply tree.
            fail("kind", FieldCode::RuleViolation);
        }
    }
    if errors.is_empty() {
        Ok((fields, buyer_id))
    } else {
        Err(ServiceError::Validation(errors))
    }
}

fn code_taken(err: RepoError) -> ServiceError {
    match err {
        RepoError::UniqueViolation(_) => ServiceError::field("code", FieldCode::AlreadyRegistered),
        other => other.into(),
    }
}

/// Creates a unit (administrators).
pub async fn create(db: &Database, actor: &Actor, form: &UnitForm) -> Result<Unit, ServiceError> {
    require_admin(actor)?;
    let mut tx = db.begin().await?;
    let (fields, buyer_id) = check(&mut tx, form, None).await?;
    let id = units::insert(&mut tx, buyer_id, &fields, Timestamp::now())
        .await
        .map_err(code_taken)?;
    let created = units::find(&mut tx, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    commit_with(
        tx,
        actor,
        &UnitCreated { unit: &created },
        Publication::None,
    )
    .await?;
    Ok(created)
}

/// Changes a unit (administrators).
pub async fn update(
    db: &Database,
    actor: &Actor,
    code: &str,
    form: &UnitForm,
) -> Result<Unit, ServiceError> {
    require_admin(actor)?;
    let mut tx = db.begin().await?;
    let before = units::find_by_code(&mut tx, code)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let (fields, _) = check(&mut tx, form, Some(&before)).await?;
    units::update(&mut tx, before.id, &fields, Timestamp::now())
        .await
        .map_err(code_taken)?;
    let after = units::find(&mut tx, before.id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let event = UnitUpdated {
        before: &before,
        after: &after,
    };
    commit_with(tx, actor, &event, Publication::None).await?;
    Ok(after)
}

/// Sets the units a user acts for (administrators). A unit user must act for at least one
/// unit: it places call-offs and requests stock for them (issue 14).
pub async fn set_user_units(
    db: &Database,
    actor: &Actor,
    user_id: i64,
    codes: &[String],
) -> Result<Vec<Unit>, ServiceError> {
    require_admin(actor)?;
    let mut tx = db.begin().await?;
    let user = users::find(&mut tx, user_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let before = units::of_user(&mut tx, user_id).await?;
    let mut ids = Vec::new();
    for code in codes.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        match units::find_by_code(&mut tx, code).await? {
            Some(u) if !ids.contains(&u.id) => ids.push(u.id),
            Some(_) => {}
            None => return Err(ServiceError::field("units", FieldCode::UnknownOption)),
        }
    }
    if ids.is_empty() && user.has_role(Role::UnitUser) {
        return Err(ServiceError::field("units", FieldCode::AtLeastOne));
    }
    if !ids.is_empty() && user.supplier_id.is_some() {
        // A supplier's user never acts for the buyer's units.
        return Err(ServiceError::field("units", FieldCode::RoleCombination));
    }
    units::set_user_units(&mut tx, user_id, &ids).await?;
    let after = units::of_user(&mut tx, user_id).await?;
    let codes_of = |list: &[Unit]| UnitCodes {
        units: list.iter().map(|u| u.code.clone()).collect(),
    };
    let event = UserUnitsChanged {
        user_id,
        before: &codes_of(&before),
        after: &codes_of(&after),
    };
    commit_with(tx, actor, &event, Publication::None).await?;
    Ok(after)
}

/// The units matching a filter (public).
pub async fn list(db: &Database, filter: &UnitFilter) -> Result<Vec<Unit>, ServiceError> {
    let mut conn = db.read().await?;
    Ok(units::list(&mut conn, filter).await?)
}

/// A unit with what its page shows: its parent, the units it supplies and, for
/// administrators, its members.
#[derive(Debug, Clone)]
pub struct UnitDetail {
    /// The unit.
    pub unit: Unit,
    /// The warehouse that supplies it.
    pub parent: Option<Unit>,
    /// The units it supplies.
    pub children: Vec<Unit>,
    /// Who acts for it (administrators only; empty for others).
    pub members: Vec<Member>,
}

/// One unit by code.
pub async fn detail(
    db: &Database,
    actor: Option<&Actor>,
    code: &str,
) -> Result<UnitDetail, ServiceError> {
    let mut conn = db.read().await?;
    let unit = units::find_by_code(&mut conn, code)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let parent = match unit.parent_id {
        Some(id) => units::find(&mut conn, id).await?,
        None => None,
    };
    let children = units::list(
        &mut conn,
        &UnitFilter {
            parent_id: Some(unit.id),
            ..UnitFilter::default()
        },
    )
    .await?;
    let members = if actor.is_some_and(|a| a.has_role(Role::Administrator)) {
        units::members(&mut conn, unit.id).await?
    } else {
        Vec::new()
    };
    Ok(UnitDetail {
        unit,
        parent,
        children,
        members,
    })
}

/// The units a user acts for.
pub async fn of_user(db: &Database, user_id: i64) -> Result<Vec<Unit>, ServiceError> {
    let mut conn = db.read().await?;
    Ok(units::of_user(&mut conn, user_id).await?)
}
