//! Tables of the suppliers' product cards (issue 14, point 7): what a supplier delivers for a
//! catalogue item — brand, manufacturer, health registration, GTIN and pack size. Conventions
//! as in `schema.rs`: the registration's expiry is a day stored as the UTC microseconds of its
//! start in the configured zone, as contracts store their dates; the pack size is exact
//! decimal text.

use super::schema::{CatalogueItems, Step, Suppliers, Users};
use super::schema_esourcing::{big, big_null, fk, id, index, text};
use sea_query::{Iden, Table};

/// `product_cards`: one product a supplier offers for one catalogue item.
#[derive(Iden, Clone, Copy, Debug)]
pub enum ProductCards {
    Table,
    Id,
    SupplierId,
    CatalogueItemId,
    Brand,
    Manufacturer,
    HealthRegistration,
    HealthRegistrationExpires,
    Gtin,
    PackSize,
    Status,
    CreatedAt,
    UpdatedAt,
    CreatedBy,
}

/// Migration 11 (10 is the framework agreements').
pub fn product_cards() -> Vec<Step> {
    vec![
        Step::Table(
            Table::create()
                .table(ProductCards::Table)
                .col(id(ProductCards::Id))
                .col(big(ProductCards::SupplierId))
                .col(big(ProductCards::CatalogueItemId))
                .col(text(ProductCards::Brand))
                .col(text(ProductCards::Manufacturer))
                .col(text(ProductCards::HealthRegistration))
                .col(big(ProductCards::HealthRegistrationExpires))
                .col(text(ProductCards::Gtin))
                .col(text(ProductCards::PackSize))
                .col(text(ProductCards::Status))
                .col(big(ProductCards::CreatedAt))
                .col(big_null(ProductCards::UpdatedAt))
                .col(big(ProductCards::CreatedBy))
                .foreign_key(&mut fk(
                    "fk_product_cards_supplier",
                    (ProductCards::Table, ProductCards::SupplierId),
                    (Suppliers::Table, Suppliers::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_product_cards_item",
                    (ProductCards::Table, ProductCards::CatalogueItemId),
                    (CatalogueItems::Table, CatalogueItems::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_product_cards_created_by",
                    (ProductCards::Table, ProductCards::CreatedBy),
                    (Users::Table, Users::Id),
                ))
                .to_owned(),
        ),
        // A supplier names a GTIN on one active card at a time; a withdrawn card keeps its
        // GTIN for the record and frees it for a new card (a partial index, which the schema
        // builder cannot express; both engines accept it as written).
        Step::Sql(
            "CREATE UNIQUE INDEX ux_product_cards_gtin ON product_cards (supplier_id, gtin) WHERE status = 'active'",
        ),
        index(
            "ix_product_cards_item",
            ProductCards::Table,
            &["catalogue_item_id", "status"],
        ),
    ]
}
