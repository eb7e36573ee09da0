//! Tables of framework agreements and their call-offs (issue 14): the terms a framework tender
//! freezes at publication, the agreement its award concludes (parties, ranks, prices,
//! ceilings), the call-offs units place on it, each offer of a cascade, and typed amendments.
//! Quantities of agreements are whole units of the item's unit of issue (`BIGINT`), so the
//! ceiling can be taken by one conditional `UPDATE` on both engines. Conventions as in
//! `schema.rs`.

use super::schema::{Step, Users};
use super::schema_esourcing::{
    Bids, Lots, TenderItems, Tenders, big, big_null, fk, flag, id, index, text, text_null,
};
use super::schema_units::Units;
use crate::repository::schema::Suppliers;
use sea_query::{ColumnDef, Iden, Index, Table};

/// `framework_terms`: the framework terms of a tender (one row per framework tender).
#[derive(Iden, Clone, Copy, Debug)]
pub enum FrameworkTerms {
    Table,
    TenderId,
    DurationMonths,
    UpdatedAt,
}

/// `framework_units`: the buying units that may call off.
#[derive(Iden, Clone, Copy, Debug)]
pub enum FrameworkUnits {
    Table,
    TenderId,
    UnitId,
}

/// `framework_lots`: per lot, how many suppliers and how call-offs are placed.
#[derive(Iden, Clone, Copy, Debug)]
pub enum FrameworkLots {
    Table,
    LotId,
    TenderId,
    MaxSuppliers,
    CallOffMethod,
    MaxValue,
}

/// `framework_items`: per item, the maximum quantity (the item's quantity is the estimate).
#[derive(Iden, Clone, Copy, Debug)]
pub enum FrameworkItems {
    Table,
    ItemId,
    TenderId,
    MaxQuantity,
}

/// `agreements`: one per awarded framework lot.
#[derive(Iden, Clone, Copy, Debug)]
pub enum Agreements {
    Table,
    Id,
    TenderId,
    LotId,
    Number,
    Status,
    Currency,
    StartAt,
    EndAt,
    OriginalEndAt,
    CallOffMethod,
    MaxSuppliers,
    ConfirmationDays,
    MiniCompetitionAbove,
    PriceBandPercent,
    AlertPercent,
    MaxDurationMonths,
    MaxValueMinor,
    OrderedValueMinor,
    ConcludedAt,
    ConcludedBy,
}

/// `agreement_units`: the participating units, copied from the terms.
#[derive(Iden, Clone, Copy, Debug)]
pub enum AgreementUnits {
    Table,
    AgreementId,
    UnitId,
}

/// `agreement_parties`: the suppliers of an agreement, ranked.
#[derive(Iden, Clone, Copy, Debug)]
pub enum AgreementParties {
    Table,
    Id,
    AgreementId,
    SupplierId,
    Rank,
    BidId,
    Status,
}

/// `agreement_items`: what can be called off, with its estimate, maximum and what is ordered.
#[derive(Iden, Clone, Copy, Debug)]
pub enum AgreementItems {
    Table,
    Id,
    AgreementId,
    TenderItemId,
    CatalogueItemId,
    Description,
    Unit,
    EstimatedQuantity,
    MaxQuantity,
    OrderedQuantity,
    Alerted,
}

/// `agreement_prices`: each party's unit price per item.
#[derive(Iden, Clone, Copy, Debug)]
pub enum AgreementPrices {
    Table,
    AgreementItemId,
    PartyId,
    UnitPrice,
}

/// `call_offs`: orders placed on an agreement, each its own contract.
#[derive(Iden, Clone, Copy, Debug)]
pub enum CallOffs {
    Table,
    Id,
    AgreementId,
    Number,
    UnitId,
    Status,
    PartyId,
    Value,
    ValueMinor,
    PlacedAt,
    PlacedBy,
    DeadlineAt,
    DecidedAt,
}

/// `call_off_lines`: the call-off's items, each with its delivery date (the schedule).
#[derive(Iden, Clone, Copy, Debug)]
pub enum CallOffLines {
    Table,
    Id,
    CallOffId,
    AgreementItemId,
    Quantity,
    DeliveryAt,
}

/// `call_off_offers`: each rank a call-off was offered to, and what came of it.
#[derive(Iden, Clone, Copy, Debug)]
pub enum CallOffOffers {
    Table,
    Id,
    CallOffId,
    PartyId,
    Rank,
    OfferedAt,
    DeadlineAt,
    Outcome,
    Reason,
    Note,
    DecidedAt,
    DecidedBy,
}

/// `agreement_amendments`: typed changes, proposed by one person and approved by another.
#[derive(Iden, Clone, Copy, Debug)]
pub enum AgreementAmendments {
    Table,
    Id,
    AgreementId,
    Kind,
    Payload,
    Evidence,
    Status,
    ProposedBy,
    ProposedAt,
    DecidedBy,
    DecidedAt,
}

fn pair<A: Iden + Copy + 'static, B: Iden + Copy + 'static>(
    a: A,
    b: B,
) -> sea_query::IndexCreateStatement {
    Index::create().col(a).col(b).to_owned()
}

/// Migration 10.
pub fn agreements() -> Vec<Step> {
    vec![
        Step::Table(
            Table::create()
                .table(FrameworkTerms::Table)
                .col(
                    ColumnDef::new(FrameworkTerms::TenderId)
                        .big_integer()
                        .not_null()
                        .primary_key(),
                )
                .col(big(FrameworkTerms::DurationMonths))
                .col(big(FrameworkTerms::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_framework_terms_tender",
                    (FrameworkTerms::Table, FrameworkTerms::TenderId),
                    (Tenders::Table, Tenders::Id),
                ))
                .to_owned(),
        ),
        Step::Table(
            Table::create()
                .table(FrameworkUnits::Table)
                .col(big(FrameworkUnits::TenderId))
                .col(big(FrameworkUnits::UnitId))
                .primary_key(&mut pair(FrameworkUnits::TenderId, FrameworkUnits::UnitId))
                .foreign_key(&mut fk(
                    "fk_framework_units_tender",
                    (FrameworkUnits::Table, FrameworkUnits::TenderId),
                    (Tenders::Table, Tenders::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_framework_units_unit",
                    (FrameworkUnits::Table, FrameworkUnits::UnitId),
                    (Units::Table, Units::Id),
                ))
                .to_owned(),
        ),
        Step::Table(
            Table::create()
                .table(FrameworkLots::Table)
                .col(
                    ColumnDef::new(FrameworkLots::LotId)
                        .big_integer()
                        .not_null()
                        .primary_key(),
                )
                .col(big(FrameworkLots::TenderId))
                .col(big(FrameworkLots::MaxSuppliers))
                .col(text(FrameworkLots::CallOffMethod))
                .col(text_null(FrameworkLots::MaxValue))
                .foreign_key(&mut fk(
                    "fk_framework_lots_lot",
                    (FrameworkLots::Table, FrameworkLots::LotId),
                    (Lots::Table, Lots::Id),
                ))
                .to_owned(),
        ),
        index(
            "ix_framework_lots_tender",
            FrameworkLots::Table,
            &["tender_id"],
        ),
        Step::Table(
            Table::create()
                .table(FrameworkItems::Table)
                .col(
                    ColumnDef::new(FrameworkItems::ItemId)
                        .big_integer()
                        .not_null()
                        .primary_key(),
                )
                .col(big(FrameworkItems::TenderId))
                .col(big(FrameworkItems::MaxQuantity))
                .foreign_key(&mut fk(
                    "fk_framework_items_item",
                    (FrameworkItems::Table, FrameworkItems::ItemId),
                    (TenderItems::Table, TenderItems::Id),
                ))
                .to_owned(),
        ),
        index(
            "ix_framework_items_tender",
            FrameworkItems::Table,
            &["tender_id"],
        ),
        Step::Table(
            Table::create()
                .table(Agreements::Table)
                .col(id(Agreements::Id))
                .col(big(Agreements::TenderId))
                .col(big(Agreements::LotId))
                .col(text(Agreements::Number))
                .col(text(Agreements::Status))
                .col(text(Agreements::Currency))
                .col(big(Agreements::StartAt))
                .col(big(Agreements::EndAt))
                .col(big(Agreements::OriginalEndAt))
                .col(text(Agreements::CallOffMethod))
                .col(big(Agreements::MaxSuppliers))
                .col(big(Agreements::ConfirmationDays))
                .col(text_null(Agreements::MiniCompetitionAbove))
                .col(text(Agreements::PriceBandPercent))
                .col(big(Agreements::AlertPercent))
                .col(big(Agreements::MaxDurationMonths))
                .col(big_null(Agreements::MaxValueMinor))
                .col(big(Agreements::OrderedValueMinor))
                .col(big(Agreements::ConcludedAt))
                .col(big(Agreements::ConcludedBy))
                .foreign_key(&mut fk(
                    "fk_agreements_tender",
                    (Agreements::Table, Agreements::TenderId),
                    (Tenders::Table, Tenders::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_agreements_lot",
                    (Agreements::Table, Agreements::LotId),
                    (Lots::Table, Lots::Id),
                ))
                .to_owned(),
        ),
        Step::Index(
            Index::create()
                .name("ux_agreements_lot")
                .table(Agreements::Table)
                .col(Agreements::LotId)
                .unique()
                .to_owned(),
        ),
        Step::Index(
            Index::create()
                .name("ux_agreements_number")
                .table(Agreements::Table)
                .col(Agreements::Number)
                .unique()
                .to_owned(),
        ),
        Step::Table(
            Table::create()
                .table(AgreementUnits::Table)
                .col(big(AgreementUnits::AgreementId))
                .col(big(AgreementUnits::UnitId))
                .primary_key(&mut pair(
                    AgreementUnits::AgreementId,
                    AgreementUnits::UnitId,
                ))
                .foreign_key(&mut fk(
                    "fk_agreement_units_agreement",
                    (AgreementUnits::Table, AgreementUnits::AgreementId),
                    (Agreements::Table, Agreements::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_agreement_units_unit",
                    (AgreementUnits::Table, AgreementUnits::UnitId),
                    (Units::Table, Units::Id),
                ))
                .to_owned(),
        ),
        index(
            "ix_agreement_units_unit",
            AgreementUnits::Table,
            &["unit_id"],
        ),
        Step::Table(
            Table::create()
                .table(AgreementParties::Table)
                .col(id(AgreementParties::Id))
                .col(big(AgreementParties::AgreementId))
                .col(big(AgreementParties::SupplierId))
                .col(big(AgreementParties::Rank))
                .col(big_null(AgreementParties::BidId))
                .col(text(AgreementParties::Status))
                .foreign_key(&mut fk(
                    "fk_agreement_parties_agreement",
                    (AgreementParties::Table, AgreementParties::AgreementId),
                    (Agreements::Table, Agreements::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_agreement_parties_supplier",
                    (AgreementParties::Table, AgreementParties::SupplierId),
                    (Suppliers::Table, Suppliers::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_agreement_parties_bid",
                    (AgreementParties::Table, AgreementParties::BidId),
                    (Bids::Table, Bids::Id),
                ))
                .to_owned(),
        ),
        index(
            "ix_agreement_parties_agreement",
            AgreementParties::Table,
            &["agreement_id"],
        ),
        index(
            "ix_agreement_parties_supplier",
            AgreementParties::Table,
            &["supplier_id"],
        ),
        Step::Table(
            Table::create()
                .table(AgreementItems::Table)
                .col(id(AgreementItems::Id))
                .col(big(AgreementItems::AgreementId))
                .col(big(AgreementItems::TenderItemId))
                .col(big_null(AgreementItems::CatalogueItemId))
                .col(text(AgreementItems::Description))
                .col(text(AgreementItems::Unit))
                .col(big(AgreementItems::EstimatedQuantity))
                .col(big(AgreementItems::MaxQuantity))
                .col(big(AgreementItems::OrderedQuantity))
                .col(flag(AgreementItems::Alerted))
                .foreign_key(&mut fk(
                    "fk_agreement_items_agreement",
                    (AgreementItems::Table, AgreementItems::AgreementId),
                    (Agreements::Table, Agreements::Id),
                ))
                .to_owned(),
        ),
        index(
            "ix_agreement_items_agreement",
            AgreementItems::Table,
            &["agreement_id"],
        ),
        Step::Table(
            Table::create()
                .table(AgreementPrices::Table)
                .col(big(AgreementPrices::AgreementItemId))
                .col(big(AgreementPrices::PartyId))
                .col(text(AgreementPrices::UnitPrice))
                .primary_key(&mut pair(
                    AgreementPrices::AgreementItemId,
                    AgreementPrices::PartyId,
                ))
                .foreign_key(&mut fk(
                    "fk_agreement_prices_item",
                    (AgreementPrices::Table, AgreementPrices::AgreementItemId),
                    (AgreementItems::Table, AgreementItems::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_agreement_prices_party",
                    (AgreementPrices::Table, AgreementPrices::PartyId),
                    (AgreementParties::Table, AgreementParties::Id),
                ))
                .to_owned(),
        ),
        Step::Table(
            Table::create()
                .table(CallOffs::Table)
                .col(id(CallOffs::Id))
                .col(big(CallOffs::AgreementId))
                .col(text(CallOffs::Number))
                .col(big(CallOffs::UnitId))
                .col(text(CallOffs::Status))
                .col(big_null(CallOffs::PartyId))
                .col(text(CallOffs::Value))
                .col(big(CallOffs::ValueMinor))
                .col(big(CallOffs::PlacedAt))
                .col(big(CallOffs::PlacedBy))
                .col(big_null(CallOffs::DeadlineAt))
                .col(big_null(CallOffs::DecidedAt))
                .foreign_key(&mut fk(
                    "fk_call_offs_agreement",
                    (CallOffs::Table, CallOffs::AgreementId),
                    (Agreements::Table, Agreements::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_call_offs_unit",
                    (CallOffs::Table, CallOffs::UnitId),
                    (Units::Table, Units::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_call_offs_placed_by",
                    (CallOffs::Table, CallOffs::PlacedBy),
                    (Users::Table, Users::Id),
                ))
                .to_owned(),
        ),
        // The number is made from the id once inserted (concurrent call-offs cannot collide).
        index("ix_call_offs_number", CallOffs::Table, &["number"]),
        index("ix_call_offs_agreement", CallOffs::Table, &["agreement_id"]),
        index(
            "ix_call_offs_deadline",
            CallOffs::Table,
            &["status", "deadline_at"],
        ),
        Step::Table(
            Table::create()
                .table(CallOffLines::Table)
                .col(id(CallOffLines::Id))
                .col(big(CallOffLines::CallOffId))
                .col(big(CallOffLines::AgreementItemId))
                .col(big(CallOffLines::Quantity))
                .col(big(CallOffLines::DeliveryAt))
                .foreign_key(&mut fk(
                    "fk_call_off_lines_call_off",
                    (CallOffLines::Table, CallOffLines::CallOffId),
                    (CallOffs::Table, CallOffs::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_call_off_lines_item",
                    (CallOffLines::Table, CallOffLines::AgreementItemId),
                    (AgreementItems::Table, AgreementItems::Id),
                ))
                .to_owned(),
        ),
        index(
            "ix_call_off_lines_call_off",
            CallOffLines::Table,
            &["call_off_id"],
        ),
        Step::Table(
            Table::create()
                .table(CallOffOffers::Table)
                .col(id(CallOffOffers::Id))
                .col(big(CallOffOffers::CallOffId))
                .col(big(CallOffOffers::PartyId))
                .col(big(CallOffOffers::Rank))
                .col(big(CallOffOffers::OfferedAt))
                .col(big(CallOffOffers::DeadlineAt))
                .col(text(CallOffOffers::Outcome))
                .col(text_null(CallOffOffers::Reason))
                .col(text(CallOffOffers::Note))
                .col(big_null(CallOffOffers::DecidedAt))
                .col(big_null(CallOffOffers::DecidedBy))
                .foreign_key(&mut fk(
                    "fk_call_off_offers_call_off",
                    (CallOffOffers::Table, CallOffOffers::CallOffId),
                    (CallOffs::Table, CallOffs::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_call_off_offers_party",
                    (CallOffOffers::Table, CallOffOffers::PartyId),
                    (AgreementParties::Table, AgreementParties::Id),
                ))
                .to_owned(),
        ),
        index(
            "ix_call_off_offers_call_off",
            CallOffOffers::Table,
            &["call_off_id"],
        ),
        index(
            "ix_call_off_offers_party",
            CallOffOffers::Table,
            &["party_id", "outcome"],
        ),
        Step::Table(
            Table::create()
                .table(AgreementAmendments::Table)
                .col(id(AgreementAmendments::Id))
                .col(big(AgreementAmendments::AgreementId))
                .col(text(AgreementAmendments::Kind))
                .col(text(AgreementAmendments::Payload))
                .col(text(AgreementAmendments::Evidence))
                .col(text(AgreementAmendments::Status))
                .col(big(AgreementAmendments::ProposedBy))
                .col(big(AgreementAmendments::ProposedAt))
                .col(big_null(AgreementAmendments::DecidedBy))
                .col(big_null(AgreementAmendments::DecidedAt))
                .foreign_key(&mut fk(
                    "fk_agreement_amendments_agreement",
                    (AgreementAmendments::Table, AgreementAmendments::AgreementId),
                    (Agreements::Table, Agreements::Id),
                ))
                .to_owned(),
        ),
        index(
            "ix_agreement_amendments_agreement",
            AgreementAmendments::Table,
            &["agreement_id"],
        ),
    ]
}
