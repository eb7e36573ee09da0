//! Tables of the institution's units (issue 14, point 0): the units themselves, a supply tree
//! by `parent_id`, and which users act for which units. Conventions as in `schema.rs`.

use super::schema::{Buyers, Step, Users};
use super::schema_esourcing::{big, big_null, fk, flag, id, index, text};
use sea_query::{ColumnDef, Iden, Index, Table};

/// `units`: the institution's warehouses, hospitals, clinics and pharmacies.
#[derive(Iden, Clone, Copy, Debug)]
pub enum Units {
    Table,
    Id,
    BuyerId,
    Code,
    Name,
    Kind,
    Department,
    Municipality,
    LevelOfCare,
    ParentId,
    Inactive,
    CreatedAt,
    UpdatedAt,
}

/// `user_units`: the units a user acts for.
#[derive(Iden, Clone, Copy, Debug)]
pub enum UserUnits {
    Table,
    UserId,
    UnitId,
}

/// Migration 9.
pub fn units() -> Vec<Step> {
    vec![
        Step::Table(
            Table::create()
                .table(Units::Table)
                .col(id(Units::Id))
                .col(big(Units::BuyerId))
                .col(text(Units::Code))
                .col(text(Units::Name))
                .col(text(Units::Kind))
                .col(text(Units::Department))
                .col(text(Units::Municipality))
                .col(big_null(Units::LevelOfCare))
                .col(big_null(Units::ParentId))
                .col(flag(Units::Inactive))
                .col(big(Units::CreatedAt))
                .col(big_null(Units::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_units_buyer",
                    (Units::Table, Units::BuyerId),
                    (Buyers::Table, Buyers::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_units_parent",
                    (Units::Table, Units::ParentId),
                    (Units::Table, Units::Id),
                ))
                .to_owned(),
        ),
        Step::Index(
            Index::create()
                .name("ux_units_code")
                .table(Units::Table)
                .col(Units::Code)
                .unique()
                .to_owned(),
        ),
        index("ix_units_parent", Units::Table, &["parent_id"]),
        Step::Table(
            Table::create()
                .table(UserUnits::Table)
                .col(ColumnDef::new(UserUnits::UserId).big_integer().not_null())
                .col(ColumnDef::new(UserUnits::UnitId).big_integer().not_null())
                .primary_key(
                    Index::create()
                        .col(UserUnits::UserId)
                        .col(UserUnits::UnitId),
                )
                .foreign_key(&mut fk(
                    "fk_user_units_user",
                    (UserUnits::Table, UserUnits::UserId),
                    (Users::Table, Users::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_user_units_unit",
                    (UserUnits::Table, UserUnits::UnitId),
                    (Units::Table, Units::Id),
                ))
                .to_owned(),
        ),
        index("ix_user_units_unit", UserUnits::Table, &["unit_id"]),
    ]
}
