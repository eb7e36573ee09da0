//! The institution's units and their members (issue 14, point 0).

use super::db::{Queryable, RepoError};
use super::schema::Users;
use super::schema_units::{Units, UserUnits};
use crate::domain::time::Timestamp;
use crate::domain::unit::{UnitFields, UnitKind};
use sea_query::{Expr, ExprTrait, Order, Query, SelectStatement};
use serde::Serialize;

/// A stored unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Unit {
    /// Internal id.
    pub id: i64,
    /// The institution (buyer) the unit belongs to.
    pub buyer_id: i64,
    /// Short stable code, e.g. `HGE`.
    pub code: String,
    /// Official name.
    pub name: String,
    /// What the unit is.
    #[schema(value_type = String, example = "hospital")]
    pub kind: UnitKind,
    /// Department (departamento).
    pub department: String,
    /// Municipality (municipio).
    pub municipality: String,
    /// Level of care (1–3), for units that treat patients.
    pub level_of_care: Option<i64>,
    /// The unit that supplies this one.
    pub parent_id: Option<i64>,
    /// Whether the unit has been closed (kept for its history).
    pub inactive: bool,
}

#[derive(sqlx::FromRow)]
struct UnitRow {
    id: i64,
    buyer_id: i64,
    code: String,
    name: String,
    kind: String,
    department: String,
    municipality: String,
    level_of_care: Option<i64>,
    parent_id: Option<i64>,
    inactive: bool,
}

impl UnitRow {
    fn into_unit(self) -> Result<Unit, RepoError> {
        let kind = UnitKind::from_code(&self.kind)
            .ok_or_else(|| RepoError::Corrupt(format!("unit {}: kind {}", self.id, self.kind)))?;
        Ok(Unit {
            id: self.id,
            buyer_id: self.buyer_id,
            code: self.code,
            name: self.name,
            kind,
            department: self.department,
            municipality: self.municipality,
            level_of_care: self.level_of_care,
            parent_id: self.parent_id,
            inactive: self.inactive,
        })
    }
}

fn select_units() -> SelectStatement {
    Query::select()
        .columns([
            (Units::Table, Units::Id),
            (Units::Table, Units::BuyerId),
            (Units::Table, Units::Code),
            (Units::Table, Units::Name),
            (Units::Table, Units::Kind),
            (Units::Table, Units::Department),
            (Units::Table, Units::Municipality),
            (Units::Table, Units::LevelOfCare),
            (Units::Table, Units::ParentId),
            (Units::Table, Units::Inactive),
        ])
        .from(Units::Table)
        .to_owned()
}

fn units(rows: Vec<UnitRow>) -> Result<Vec<Unit>, RepoError> {
    rows.into_iter().map(UnitRow::into_unit).collect()
}

/// Creates a unit of `buyer_id`.
pub async fn insert(
    db: &mut impl Queryable,
    buyer_id: i64,
    u: &UnitFields,
    now: Timestamp,
) -> Result<i64, RepoError> {
    let (id,): (i64,) = db
        .handle()
        .one(
            &Query::insert()
                .into_table(Units::Table)
                .columns([
                    Units::BuyerId,
                    Units::Code,
                    Units::Name,
                    Units::Kind,
                    Units::Department,
                    Units::Municipality,
                    Units::LevelOfCare,
                    Units::ParentId,
                    Units::Inactive,
                    Units::CreatedAt,
                ])
                .values_panic([
                    buyer_id.into(),
                    u.code.as_str().into(),
                    u.name.as_str().into(),
                    u.kind.code().into(),
                    u.department.as_str().into(),
                    u.municipality.as_str().into(),
                    u.level_of_care.into(),
                    u.parent_id.into(),
                    false.into(),
                    now.as_micros().into(),
                ])
                .returning_col(Units::Id)
                .to_owned(),
        )
        .await?;
    Ok(id)
}

/// Replaces a unit's fields (its code included: references are by id).
pub async fn update(
    db: &mut impl Queryable,
    id: i64,
    u: &UnitFields,
    now: Timestamp,
) -> Result<(), RepoError> {
    let changed = db
        .handle()
        .execute(
            &Query::update()
                .table(Units::Table)
                .values([
                    (Units::Code, u.code.as_str().into()),
                    (Units::Name, u.name.as_str().into()),
                    (Units::Kind, u.kind.code().into()),
                    (Units::Department, u.department.as_str().into()),
                    (Units::Municipality, u.municipality.as_str().into()),
                    (Units::LevelOfCare, u.level_of_care.into()),
                    (Units::ParentId, u.parent_id.into()),
                    (Units::UpdatedAt, now.as_micros().into()),
                ])
                .and_where(Expr::col(Units::Id).eq(id))
                .to_owned(),
        )
        .await?;
    if changed == 0 {
        return Err(RepoError::NotFound);
    }
    Ok(())
}

/// The unit with this id.
pub async fn find(db: &mut impl Queryable, id: i64) -> Result<Option<Unit>, RepoError> {
    let row: Option<UnitRow> = db
        .handle()
        .optional(
            &select_units()
                .and_where(Expr::col((Units::Table, Units::Id)).eq(id))
                .to_owned(),
        )
        .await?;
    row.map(UnitRow::into_unit).transpose()
}

/// The unit with this code.
pub async fn find_by_code(db: &mut impl Queryable, code: &str) -> Result<Option<Unit>, RepoError> {
    let row: Option<UnitRow> = db
        .handle()
        .optional(
            &select_units()
                .and_where(Expr::col((Units::Table, Units::Code)).eq(code))
                .to_owned(),
        )
        .await?;
    row.map(UnitRow::into_unit).transpose()
}

/// Which units to list.
#[derive(Debug, Clone, Default)]
pub struct UnitFilter {
    /// Only units of this kind.
    pub kind: Option<UnitKind>,
    /// Only units in this department.
    pub department: Option<String>,
    /// Only units this unit supplies directly.
    pub parent_id: Option<i64>,
}

/// Every unit matching the filter, in the supply chain's order (kind, then code). An
/// institution has dozens to a few thousand units, so the list is not paged.
pub async fn list(db: &mut impl Queryable, filter: &UnitFilter) -> Result<Vec<Unit>, RepoError> {
    let mut q = select_units();
    if let Some(kind) = filter.kind {
        q.and_where(Expr::col((Units::Table, Units::Kind)).eq(kind.code()));
    }
    if let Some(department) = &filter.department {
        q.and_where(Expr::col((Units::Table, Units::Department)).eq(department.as_str()));
    }
    if let Some(parent) = filter.parent_id {
        q.and_where(Expr::col((Units::Table, Units::ParentId)).eq(parent));
    }
    q.order_by((Units::Table, Units::Code), Order::Asc);
    let rows: Vec<UnitRow> = db.handle().all(&q).await?;
    let mut list = units(rows)?;
    list.sort_by(|a, b| a.kind.cmp(&b.kind).then_with(|| a.code.cmp(&b.code)));
    Ok(list)
}

/// The units a user acts for, by code.
pub async fn of_user(db: &mut impl Queryable, user_id: i64) -> Result<Vec<Unit>, RepoError> {
    let rows: Vec<UnitRow> = db
        .handle()
        .all(
            &select_units()
                .inner_join(
                    UserUnits::Table,
                    Expr::col((UserUnits::Table, UserUnits::UnitId))
                        .equals((Units::Table, Units::Id)),
                )
                .and_where(Expr::col((UserUnits::Table, UserUnits::UserId)).eq(user_id))
                .order_by((Units::Table, Units::Code), Order::Asc)
                .to_owned(),
        )
        .await?;
    units(rows)
}

/// A member of a unit, as the unit's page lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Member {
    /// The user's id.
    pub user_id: i64,
    /// The user's display name.
    pub display_name: String,
    /// Whether the account is active.
    pub active: bool,
}

/// The users who act for a unit, by name.
pub async fn members(db: &mut impl Queryable, unit_id: i64) -> Result<Vec<Member>, RepoError> {
    db.handle()
        .all(
            &Query::select()
                .expr_as(Expr::col((Users::Table, Users::Id)), "user_id")
                .column((Users::Table, Users::DisplayName))
                .column((Users::Table, Users::Active))
                .from(UserUnits::Table)
                .inner_join(
                    Users::Table,
                    Expr::col((Users::Table, Users::Id))
                        .equals((UserUnits::Table, UserUnits::UserId)),
                )
                .and_where(Expr::col((UserUnits::Table, UserUnits::UnitId)).eq(unit_id))
                .order_by((Users::Table, Users::DisplayName), Order::Asc)
                .to_owned(),
        )
        .await
}

/// Sets the units a user acts for (replacing the previous set).
pub async fn set_user_units(
    db: &mut impl Queryable,
    user_id: i64,
    unit_ids: &[i64],
) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::delete()
                .from_table(UserUnits::Table)
                .and_where(Expr::col(UserUnits::UserId).eq(user_id))
                .to_owned(),
        )
        .await?;
    for unit_id in unit_ids {
        db.handle()
            .execute(
                &Query::insert()
                    .into_table(UserUnits::Table)
                    .columns([UserUnits::UserId, UserUnits::UnitId])
                    .values_panic([user_id.into(), (*unit_id).into()])
                    .to_owned(),
            )
            .await?;
    }
    Ok(())
}

/// The ids of the active users who act for a unit (who to notify of its call-offs).
pub async fn member_ids(db: &mut impl Queryable, unit_id: i64) -> Result<Vec<i64>, RepoError> {
    Ok(members(db, unit_id)
        .await?
        .into_iter()
        .filter(|m| m.active)
        .map(|m| m.user_id)
        .collect())
}
