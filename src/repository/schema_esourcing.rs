//! Tables of e-sourcing (issue 3): supplier registry details, catalogue change proposals,
//! procurement plan, tenders with lots and items, documents, amendments, clarifications,
//! committees and sealing keys, sealed bids, opening, evaluation, awards, complaints, contracts.
//!
//! Conventions as in `schema.rs`: 64-bit integers, instants in UTC microseconds, exact decimals
//! as text (plus integer minor units where SQL must filter or sort by value), JSON as text.

use super::schema::{CatalogueItems, Step, Suppliers, Users};
use sea_query::{ColumnDef, ForeignKey, ForeignKeyAction, Iden, Index, Table};

macro_rules! iden {
    ($(#[$doc:meta])* $name:ident { $($col:ident),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Iden, Clone, Copy, Debug)]
        pub enum $name { Table, $($col),* }
    };
}

iden!(
    /// Contacts of a supplier.
    SupplierContacts { Id, SupplierId, Name, Position, Email, Phone });
iden!(
    /// Beneficial owners of a supplier.
    SupplierOwners { Id, SupplierId, Name, Nationality, DocumentId, SharePercent, PoliticallyExposed });
iden!(
    /// Proposed changes to the catalogue and the therapeutic committee's decisions.
    CatalogueProposals { Id, Kind, ItemId, Payload, Justification, Status, ProposedBy, ProposedAt, ReviewedBy, ReviewedAt, Decision });
iden!(
    /// Lines of the annual procurement plan.
    PlanLines { Id, BuyerId, Year, Quarter, CatalogueItemId, Quantity, UnitPrice, Currency, FundingSource, Notes, CreatedBy, CreatedAt });
iden!(
    /// Tenders (procurement processes).
    Tenders { Id, Ocid, Reference, BuyerId, Title, Description, MethodCode, RulebookId, RulebookVersion, Status, Currency,
        EstimatedValue, EstimatedValueMinor, Year, IsDirect, Justification, ExceptionCategory, EvaluationMethod, HasAuction,
        StandstillDays, MinimumBids, OpeningThreshold, PublishedAt, ClarificationDeadline, BidDeadline, OpenedAt,
        StatusReason, CreatedBy, CreatedAt, UpdatedAt });
iden!(
    /// Search terms of tenders (a portable inverted index).
    TenderTerms { Term, TenderId });
iden!(
    /// Lots of a tender.
    Lots { Id, TenderId, Number, Title, Description, EstimatedValue, Status });
iden!(
    /// Items (lines) of a lot.
    TenderItems { Id, TenderId, LotId, Number, CatalogueItemId, Description, Quantity, Unit, PlanLineId, UnitPrice });
iden!(
    /// Compliance requirements of a tender.
    TenderRequirements { Id, TenderId, Code, Description });
iden!(
    /// Scoring criteria of a tender.
    TenderCriteria { Id, TenderId, Code, Name, Weight, IsPrice });
iden!(
    /// Content-addressed file contents.
    Blobs { Sha256, Size, Bytes });
iden!(
    /// Documents attached to a tender, contract, complaint or (after opening) bid.
    Documents { Id, OwnerType, OwnerId, Filename, ContentType, Size, Sha256, Public, UploadedBy, UploadedAt });
iden!(
    /// Amendments of a published tender.
    Amendments { Id, TenderId, Number, Description, OldClarificationDeadline, NewClarificationDeadline, OldBidDeadline, NewBidDeadline, CreatedBy, CreatedAt });
iden!(
    /// In-platform notifications.
    Notifications { Id, UserId, Kind, Args, Link, CreatedAt, ReadAt });
iden!(
    /// Suppliers following a tender (they are notified of amendments).
    TenderInterests { TenderId, SupplierId, CreatedAt });
iden!(
    /// Questions and answers.
    Clarifications { Id, TenderId, SupplierId, AskedBy, Question, AskedAt, Answer, AnsweredBy, AnsweredAt });
iden!(
    /// Members of a tender's opening and evaluation committee.
    CommitteeMembers { TenderId, UserId, Chair });
iden!(
    /// Committee members' opening keys (private key wrapped with their opening passphrase).
    OpeningKeys { UserId, PublicKey, WrappedKey, CreatedAt });
iden!(
    /// A tender's sealing key (public part) and threshold.
    TenderKeys { TenderId, SealingKey, Threshold, CreatedAt });
iden!(
    /// Sealed bids.
    Bids { Id, TenderId, LotId, SupplierId, Status, Sealed, ReceiptHash, SubmittedBy, SubmittedAt, WithdrawnAt, ReplacedBy });
iden!(
    /// Sealed bid documents.
    BidDocuments { Id, BidId, Filename, ContentType, Size, Sealed, CiphertextSha256 });
iden!(
    /// The opening record of a tender.
    Openings { TenderId, OpenedAt, OpenedBy, Record });
iden!(
    /// A bid's content once opened.
    OpenedBids { BidId, Content, Total, TotalMinor, Compliant, Rank, Score, AuctionTotal });
iden!(
    /// Conflict-of-interest declarations of committee members.
    ConflictDeclarations { TenderId, UserId, HasConflict, Statement, DeclaredAt });
iden!(
    /// Members' compliance verdicts.
    ComplianceVerdicts { BidId, RequirementId, EvaluatorId, Passed, Reason, RecordedAt });
iden!(
    /// Members' scores.
    Scores { BidId, CriterionId, EvaluatorId, Value, Comment, RecordedAt });
iden!(
    /// Members who submitted their evaluation (locked).
    EvaluationSubmissions { TenderId, EvaluatorId, SubmittedAt });
iden!(
    /// Consolidated evaluation of a lot.
    EvaluationReports { Id, TenderId, LotId, Result, CreatedBy, CreatedAt });
iden!(
    /// Awards.
    Awards { Id, TenderId, LotId, BidId, SupplierId, Amount, AmountMinor, Currency, Status, DecidedAt, StandstillEndsAt, FinalAt, DecidedBy });
iden!(
    /// Complaints (inconformidades).
    Complaints { Id, TenderId, AwardId, SupplierId, FiledBy, Text, FiledAt, Status, Resolution, ResolvedBy, ResolvedAt });
iden!(
    /// Signed contracts.
    Contracts { Id, TenderId, AwardId, SupplierId, Number, Amount, AmountMinor, Currency, SignedAt, StartDate, EndDate, PaymentTerms, Status, CreatedBy });
iden!(
    /// Delivery schedule of a contract.
    ContractMilestones { Id, ContractId, Number, TenderItemId, Quantity, DueAt, Description });
iden!(
    /// Contract amendments.
    ContractAmendments { Id, ContractId, Number, Reason, ValueChange, NewEndDate, CreatedBy, CreatedAt });

pub(super) fn id(col: impl Iden + 'static) -> ColumnDef {
    ColumnDef::new(col)
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}
pub(super) fn big(col: impl Iden + 'static) -> ColumnDef {
    ColumnDef::new(col).big_integer().not_null().to_owned()
}
pub(super) fn big_null(col: impl Iden + 'static) -> ColumnDef {
    ColumnDef::new(col).big_integer().to_owned()
}
pub(super) fn text(col: impl Iden + 'static) -> ColumnDef {
    ColumnDef::new(col).text().not_null().to_owned()
}
pub(super) fn text_null(col: impl Iden + 'static) -> ColumnDef {
    ColumnDef::new(col).text().to_owned()
}
pub(super) fn flag(col: impl Iden + 'static) -> ColumnDef {
    ColumnDef::new(col)
        .boolean()
        .not_null()
        .default(false)
        .to_owned()
}
pub(super) fn fk(
    name: &str,
    from: (impl Iden + 'static, impl Iden + 'static),
    to: (impl Iden + 'static, impl Iden + 'static),
) -> sea_query::ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}
pub(super) fn index(name: &str, table: impl Iden + 'static, cols: &[&'static str]) -> Step {
    let mut ix = Index::create().name(name).table(table).to_owned();
    for c in cols {
        ix.col(sea_query::Alias::new(*c));
    }
    Step::Index(ix)
}

/// Migration 2.
pub fn esourcing() -> Vec<Step> {
    let mut steps = Vec::new();
    // Supplier registry details (one ALTER per column: SQLite allows only one per statement).
    for col in [
        text_null(Suppliers::TradeName),
        text_null(Suppliers::Address),
        text_null(Suppliers::Municipality),
        text_null(Suppliers::Website),
        text_null(Suppliers::Categories),
        text_null(Suppliers::SuspensionReason),
        big_null(Suppliers::VerifiedAt),
        big_null(Suppliers::SuspendedAt),
    ] {
        steps.push(Step::Alter(
            Table::alter()
                .table(Suppliers::Table)
                .add_column(col)
                .to_owned(),
        ));
    }
    steps.push(Step::Alter(
        Table::alter()
            .table(CatalogueItems::Table)
            .add_column(big_null(CatalogueItems::UpdatedAt))
            .to_owned(),
    ));
    steps.push(Step::Table(
        Table::create()
            .table(SupplierContacts::Table)
            .col(id(SupplierContacts::Id))
            .col(big(SupplierContacts::SupplierId))
            .col(text(SupplierContacts::Name))
            .col(text_null(SupplierContacts::Position))
            .col(text_null(SupplierContacts::Email))
            .col(text_null(SupplierContacts::Phone))
            .foreign_key(&mut fk(
                "fk_contacts_supplier",
                (SupplierContacts::Table, SupplierContacts::SupplierId),
                (Suppliers::Table, Suppliers::Id),
            ))
            .to_owned(),
    ));
    steps.push(index(
        "ix_contacts_supplier",
        SupplierContacts::Table,
        &["supplier_id"],
    ));
    steps.push(Step::Table(
        Table::create()
            .table(SupplierOwners::Table)
            .col(id(SupplierOwners::Id))
            .col(big(SupplierOwners::SupplierId))
            .col(text(SupplierOwners::Name))
            .col(text_null(SupplierOwners::Nationality))
            .col(text_null(SupplierOwners::DocumentId))
            .col(text(SupplierOwners::SharePercent))
            .col(flag(SupplierOwners::PoliticallyExposed))
            .foreign_key(&mut fk(
                "fk_owners_supplier",
                (SupplierOwners::Table, SupplierOwners::SupplierId),
                (Suppliers::Table, Suppliers::Id),
            ))
            .to_owned(),
    ));
    steps.push(index(
        "ix_owners_supplier",
        SupplierOwners::Table,
        &["supplier_id"],
    ));
    steps.push(Step::Table(
        Table::create()
            .table(CatalogueProposals::Table)
            .col(id(CatalogueProposals::Id))
            .col(text(CatalogueProposals::Kind))
            .col(big_null(CatalogueProposals::ItemId))
            .col(text(CatalogueProposals::Payload))
            .col(text(CatalogueProposals::Justification))
            .col(text(CatalogueProposals::Status))
            .col(big(CatalogueProposals::ProposedBy))
            .col(big(CatalogueProposals::ProposedAt))
            .col(big_null(CatalogueProposals::ReviewedBy))
            .col(big_null(CatalogueProposals::ReviewedAt))
            .col(text_null(CatalogueProposals::Decision))
            .to_owned(),
    ));
    steps.push(index(
        "ix_proposals_status",
        CatalogueProposals::Table,
        &["status", "id"],
    ));
    steps.push(Step::Table(
        Table::create()
            .table(PlanLines::Table)
            .col(id(PlanLines::Id))
            .col(big(PlanLines::BuyerId))
            .col(big(PlanLines::Year))
            .col(big(PlanLines::Quarter))
            .col(big(PlanLines::CatalogueItemId))
            .col(text(PlanLines::Quantity))
            .col(text(PlanLines::UnitPrice))
            .col(text(PlanLines::Currency))
            .col(text(PlanLines::FundingSource))
            .col(text_null(PlanLines::Notes))
            .col(big(PlanLines::CreatedBy))
            .col(big(PlanLines::CreatedAt))
            .foreign_key(&mut fk(
                "fk_plan_item",
                (PlanLines::Table, PlanLines::CatalogueItemId),
                (CatalogueItems::Table, CatalogueItems::Id),
            ))
            .to_owned(),
    ));
    steps.push(index(
        "ix_plan_year",
        PlanLines::Table,
        &["buyer_id", "year", "quarter"],
    ));
    steps.push(Step::Table(
        Table::create()
            .table(Tenders::Table)
            .col(id(Tenders::Id))
            .col(ColumnDef::new(Tenders::Ocid).text().not_null().unique_key())
            .col(text(Tenders::Reference))
            .col(big(Tenders::BuyerId))
            .col(text(Tenders::Title))
            .col(text(Tenders::Description))
            .col(text(Tenders::MethodCode))
            .col(text(Tenders::RulebookId))
            .col(text(Tenders::RulebookVersion))
            .col(text(Tenders::Status))
            .col(text(Tenders::Currency))
            .col(text(Tenders::EstimatedValue))
            .col(big(Tenders::EstimatedValueMinor))
            .col(big(Tenders::Year))
            .col(flag(Tenders::IsDirect))
            .col(text_null(Tenders::Justification))
            .col(text_null(Tenders::ExceptionCategory))
            .col(text(Tenders::EvaluationMethod))
            .col(flag(Tenders::HasAuction))
            .col(big(Tenders::StandstillDays))
            .col(big(Tenders::MinimumBids))
            .col(big(Tenders::OpeningThreshold))
            .col(big_null(Tenders::PublishedAt))
            .col(big_null(Tenders::ClarificationDeadline))
            .col(big_null(Tenders::BidDeadline))
            .col(big_null(Tenders::OpenedAt))
            .col(text_null(Tenders::StatusReason))
            .col(big(Tenders::CreatedBy))
            .col(big(Tenders::CreatedAt))
            .col(big(Tenders::UpdatedAt))
            .to_owned(),
    ));
    steps.push(index(
        "ix_tenders_status",
        Tenders::Table,
        &["status", "published_at"],
    ));
    steps.push(index(
        "ix_tenders_method",
        Tenders::Table,
        &["method_code", "published_at"],
    ));
    steps.push(index(
        "ix_tenders_buyer",
        Tenders::Table,
        &["buyer_id", "published_at"],
    ));
    steps.push(index(
        "ix_tenders_published",
        Tenders::Table,
        &["published_at"],
    ));
    steps.push(index(
        "ix_tenders_value",
        Tenders::Table,
        &["estimated_value_minor"],
    ));
    steps.push(Step::Table(
        Table::create()
            .table(TenderTerms::Table)
            .col(text(TenderTerms::Term))
            .col(big(TenderTerms::TenderId))
            .primary_key(
                Index::create()
                    .col(TenderTerms::Term)
                    .col(TenderTerms::TenderId),
            )
            .to_owned(),
    ));
    steps.push(index("ix_terms_tender", TenderTerms::Table, &["tender_id"]));
    steps.push(Step::Table(
        Table::create()
            .table(Lots::Table)
            .col(id(Lots::Id))
            .col(big(Lots::TenderId))
            .col(big(Lots::Number))
            .col(text(Lots::Title))
            .col(text(Lots::Description))
            .col(text(Lots::EstimatedValue))
            .col(text(Lots::Status))
            .foreign_key(&mut fk(
                "fk_lots_tender",
                (Lots::Table, Lots::TenderId),
                (Tenders::Table, Tenders::Id),
            ))
            .to_owned(),
    ));
    steps.push(index(
        "ix_lots_tender",
        Lots::Table,
        &["tender_id", "number"],
    ));
    steps.push(Step::Table(
        Table::create()
            .table(TenderItems::Table)
            .col(id(TenderItems::Id))
            .col(big(TenderItems::TenderId))
            .col(big(TenderItems::LotId))
            .col(big(TenderItems::Number))
            .col(big_null(TenderItems::CatalogueItemId))
            .col(text(TenderItems::Description))
            .col(text(TenderItems::Quantity))
            .col(text(TenderItems::Unit))
            .col(big_null(TenderItems::PlanLineId))
            .foreign_key(&mut fk(
                "fk_items_lot",
                (TenderItems::Table, TenderItems::LotId),
                (Lots::Table, Lots::Id),
            ))
            .to_owned(),
    ));
    steps.push(index(
        "ix_items_tender",
        TenderItems::Table,
        &["tender_id", "lot_id"],
    ));
    steps.push(index(
        "ix_items_catalogue",
        TenderItems::Table,
        &["catalogue_item_id"],
    ));
    steps.push(index(
        "ix_items_plan",
        TenderItems::Table,
        &["plan_line_id"],
    ));
    steps.push(Step::Table(
        Table::create()
            .table(TenderRequirements::Table)
            .col(id(TenderRequirements::Id))
            .col(big(TenderRequirements::TenderId))
            .col(text(TenderRequirements::Code))
            .col(text(TenderRequirements::Description))
            .to_owned(),
    ));
    steps.push(index(
        "ix_requirements_tender",
        TenderRequirements::Table,
        &["tender_id"],
    ));
    steps.push(Step::Table(
        Table::create()
            .table(TenderCriteria::Table)
            .col(id(TenderCriteria::Id))
            .col(big(TenderCriteria::TenderId))
            .col(text(TenderCriteria::Code))
            .col(text(TenderCriteria::Name))
            .col(big(TenderCriteria::Weight))
            .col(flag(TenderCriteria::IsPrice))
            .to_owned(),
    ));
    steps.push(index(
        "ix_criteria_tender",
        TenderCriteria::Table,
        &["tender_id"],
    ));
    steps.push(Step::Table(
        Table::create()
            .table(Blobs::Table)
            .col(
                ColumnDef::new(Blobs::Sha256)
                    .text()
                    .not_null()
                    .primary_key(),
            )
            .col(big(Blobs::Size))
            .col(ColumnDef::new(Blobs::Bytes).blob().not_null())
            .to_owned(),
    ));
    steps.push(Step::Table(
        Table::create()
            .table(Documents::Table)
            .col(id(Documents::Id))
            .col(text(Documents::OwnerType))
            .col(big(Documents::OwnerId))
            .col(text(Documents::Filename))
            .col(text(Documents::ContentType))
            .col(big(Documents::Size))
            .col(text(Documents::Sha256))
            .col(flag(Documents::Public))
            .col(big(Documents::UploadedBy))
            .col(big(Documents::UploadedAt))
            .foreign_key(&mut fk(
                "fk_documents_blob",
                (Documents::Table, Documents::Sha256),
                (Blobs::Table, Blobs::Sha256),
            ))
            .to_owned(),
    ));
    steps.push(index(
        "ix_documents_owner",
        Documents::Table,
        &["owner_type", "owner_id"],
    ));
    steps.push(Step::Table(
        Table::create()
            .table(Amendments::Table)
            .col(id(Amendments::Id))
            .col(big(Amendments::TenderId))
            .col(big(Amendments::Number))
            .col(text(Amendments::Description))
            .col(big_null(Amendments::OldClarificationDeadline))
            .col(big_null(Amendments::NewClarificationDeadline))
            .col(big_null(Amendments::OldBidDeadline))
            .col(big_null(Amendments::NewBidDeadline))
            .col(big(Amendments::CreatedBy))
            .col(big(Amendments::CreatedAt))
            .to_owned(),
    ));
    steps.push(index(
        "ix_amendments_tender",
        Amendments::Table,
        &["tender_id"],
    ));
    steps.push(Step::Table(
        Table::create()
            .table(Notifications::Table)
            .col(id(Notifications::Id))
            .col(big(Notifications::UserId))
            .col(text(Notifications::Kind))
            .col(text(Notifications::Args))
            .col(text(Notifications::Link))
            .col(big(Notifications::CreatedAt))
            .col(big_null(Notifications::ReadAt))
            .foreign_key(&mut fk(
                "fk_notifications_user",
                (Notifications::Table, Notifications::UserId),
                (Users::Table, Users::Id),
            ))
            .to_owned(),
    ));
    steps.push(index(
        "ix_notifications_user",
        Notifications::Table,
        &["user_id", "id"],
    ));
    steps.push(Step::Table(
        Table::create()
            .table(TenderInterests::Table)
            .col(big(TenderInterests::TenderId))
            .col(big(TenderInterests::SupplierId))
            .col(big(TenderInterests::CreatedAt))
            .primary_key(
                Index::create()
                    .col(TenderInterests::TenderId)
                    .col(TenderInterests::SupplierId),
            )
            .to_owned(),
    ));
    steps.push(Step::Table(
        Table::create()
            .table(Clarifications::Table)
            .col(id(Clarifications::Id))
            .col(big(Clarifications::TenderId))
            .col(big(Clarifications::SupplierId))
            .col(big(Clarifications::AskedBy))
            .col(text(Clarifications::Question))
            .col(big(Clarifications::AskedAt))
            .col(text_null(Clarifications::Answer))
            .col(big_null(Clarifications::AnsweredBy))
            .col(big_null(Clarifications::AnsweredAt))
            .to_owned(),
    ));
    steps.push(index(
        "ix_clarifications_tender",
        Clarifications::Table,
        &["tender_id"],
    ));
    steps.push(Step::Table(
        Table::create()
            .table(CommitteeMembers::Table)
            .col(big(CommitteeMembers::TenderId))
            .col(big(CommitteeMembers::UserId))
            .col(flag(CommitteeMembers::Chair))
            .primary_key(
                Index::create()
                    .col(CommitteeMembers::TenderId)
                    .col(CommitteeMembers::UserId),
            )
            .to_owned(),
    ));
    steps.push(index(
        "ix_committee_user",
        CommitteeMembers::Table,
        &["user_id"],
    ));
    steps.push(Step::Table(
        Table::create()
            .table(OpeningKeys::Table)
            .col(
                ColumnDef::new(OpeningKeys::UserId)
                    .big_integer()
                    .not_null()
                    .primary_key(),
            )
            .col(text(OpeningKeys::PublicKey))
            .col(text(OpeningKeys::WrappedKey))
            .col(big(OpeningKeys::CreatedAt))
            .to_owned(),
    ));
    steps.push(Step::Table(
        Table::create()
            .table(TenderKeys::Table)
            .col(
                ColumnDef::new(TenderKeys::TenderId)
                    .big_integer()
                    .not_null()
                    .primary_key(),
            )
            .col(text(TenderKeys::SealingKey))
            .col(big(TenderKeys::Threshold))
            .col(big(TenderKeys::CreatedAt))
            .to_owned(),
    ));
    steps.push(Step::Table(
        Table::create()
            .table(Bids::Table)
            .col(id(Bids::Id))
            .col(big(Bids::TenderId))
            .col(big(Bids::LotId))
            .col(big(Bids::SupplierId))
            .col(text(Bids::Status))
            .col(text(Bids::Sealed))
            .col(text(Bids::ReceiptHash))
            .col(big(Bids::SubmittedBy))
            .col(big(Bids::SubmittedAt))
            .col(big_null(Bids::WithdrawnAt))
            .col(big_null(Bids::ReplacedBy))
            .foreign_key(&mut fk(
                "fk_bids_lot",
                (Bids::Table, Bids::LotId),
                (Lots::Table, Lots::Id),
            ))
            .foreign_key(&mut fk(
                "fk_bids_supplier",
                (Bids::Table, Bids::SupplierId),
                (Suppliers::Table, Suppliers::Id),
            ))
            .to_owned(),
    ));
    steps.push(index(
        "ix_bids_tender",
        Bids::Table,
        &["tender_id", "lot_id", "status"],
    ));
    steps.push(index(
        "ix_bids_supplier",
        Bids::Table,
        &["supplier_id", "tender_id"],
    ));
    steps.push(Step::Table(
        Table::create()
            .table(BidDocuments::Table)
            .col(id(BidDocuments::Id))
            .col(big(BidDocuments::BidId))
            .col(text(BidDocuments::Filename))
            .col(text(BidDocuments::ContentType))
            .col(big(BidDocuments::Size))
            .col(text(BidDocuments::Sealed))
            .col(text(BidDocuments::CiphertextSha256))
            .to_owned(),
    ));
    steps.push(index(
        "ix_bid_documents_bid",
        BidDocuments::Table,
        &["bid_id"],
    ));
    steps.push(Step::Table(
        Table::create()
            .table(Openings::Table)
            .col(
                ColumnDef::new(Openings::TenderId)
                    .big_integer()
                    .not_null()
                    .primary_key(),
            )
            .col(big(Openings::OpenedAt))
            .col(text(Openings::OpenedBy))
            .col(text(Openings::Record))
            .to_owned(),
    ));
    steps.push(Step::Table(
        Table::create()
            .table(OpenedBids::Table)
            .col(
                ColumnDef::new(OpenedBids::BidId)
                    .big_integer()
                    .not_null()
                    .primary_key(),
            )
            .col(text(OpenedBids::Content))
            .col(text(OpenedBids::Total))
            .col(big(OpenedBids::TotalMinor))
            .col(ColumnDef::new(OpenedBids::Compliant).boolean())
            .col(big_null(OpenedBids::Rank))
            .col(text_null(OpenedBids::Score))
            .to_owned(),
    ));
    steps.push(Step::Table(
        Table::create()
            .table(ConflictDeclarations::Table)
            .col(big(ConflictDeclarations::TenderId))
            .col(big(ConflictDeclarations::UserId))
            .col(flag(ConflictDeclarations::HasConflict))
            .col(text(ConflictDeclarations::Statement))
            .col(big(ConflictDeclarations::DeclaredAt))
            .primary_key(
                Index::create()
                    .col(ConflictDeclarations::TenderId)
                    .col(ConflictDeclarations::UserId),
            )
            .to_owned(),
    ));
    steps.push(Step::Table(
        Table::create()
            .table(ComplianceVerdicts::Table)
            .col(big(ComplianceVerdicts::BidId))
            .col(big(ComplianceVerdicts::RequirementId))
            .col(big(ComplianceVerdicts::EvaluatorId))
            .col(flag(ComplianceVerdicts::Passed))
            .col(text(ComplianceVerdicts::Reason))
            .col(big(ComplianceVerdicts::RecordedAt))
            .primary_key(
                Index::create()
                    .col(ComplianceVerdicts::BidId)
                    .col(ComplianceVerdicts::RequirementId)
                    .col(ComplianceVerdicts::EvaluatorId),
            )
            .to_owned(),
    ));
    steps.push(Step::Table(
        Table::create()
            .table(Scores::Table)
            .col(big(Scores::BidId))
            .col(big(Scores::CriterionId))
            .col(big(Scores::EvaluatorId))
            .col(text(Scores::Value))
            .col(text(Scores::Comment))
            .col(big(Scores::RecordedAt))
            .primary_key(
                Index::create()
                    .col(Scores::BidId)
                    .col(Scores::CriterionId)
                    .col(Scores::EvaluatorId),
            )
            .to_owned(),
    ));
    steps.push(Step::Table(
        Table::create()
            .table(EvaluationSubmissions::Table)
            .col(big(EvaluationSubmissions::TenderId))
            .col(big(EvaluationSubmissions::EvaluatorId))
            .col(big(EvaluationSubmissions::SubmittedAt))
            .primary_key(
                Index::create()
                    .col(EvaluationSubmissions::TenderId)
                    .col(EvaluationSubmissions::EvaluatorId),
            )
            .to_owned(),
    ));
    steps.push(Step::Table(
        Table::create()
            .table(EvaluationReports::Table)
            .col(id(EvaluationReports::Id))
            .col(big(EvaluationReports::TenderId))
            .col(big(EvaluationReports::LotId))
            .col(text(EvaluationReports::Result))
            .col(big(EvaluationReports::CreatedBy))
            .col(big(EvaluationReports::CreatedAt))
            .to_owned(),
    ));
    steps.push(index(
        "ix_reports_tender",
        EvaluationReports::Table,
        &["tender_id", "lot_id"],
    ));
    steps.push(Step::Table(
        Table::create()
            .table(Awards::Table)
            .col(id(Awards::Id))
            .col(big(Awards::TenderId))
            .col(big(Awards::LotId))
            .col(big(Awards::BidId))
            .col(big(Awards::SupplierId))
            .col(text(Awards::Amount))
            .col(big(Awards::AmountMinor))
            .col(text(Awards::Currency))
            .col(text(Awards::Status))
            .col(big(Awards::DecidedAt))
            .col(big(Awards::StandstillEndsAt))
            .col(big_null(Awards::FinalAt))
            .col(big(Awards::DecidedBy))
            .to_owned(),
    ));
    steps.push(index(
        "ix_awards_tender",
        Awards::Table,
        &["tender_id", "lot_id"],
    ));
    steps.push(index("ix_awards_supplier", Awards::Table, &["supplier_id"]));
    steps.push(Step::Table(
        Table::create()
            .table(Complaints::Table)
            .col(id(Complaints::Id))
            .col(big(Complaints::TenderId))
            .col(big(Complaints::AwardId))
            .col(big(Complaints::SupplierId))
            .col(big(Complaints::FiledBy))
            .col(text(Complaints::Text))
            .col(big(Complaints::FiledAt))
            .col(text(Complaints::Status))
            .col(text_null(Complaints::Resolution))
            .col(big_null(Complaints::ResolvedBy))
            .col(big_null(Complaints::ResolvedAt))
            .to_owned(),
    ));
    steps.push(index(
        "ix_complaints_tender",
        Complaints::Table,
        &["tender_id"],
    ));
    steps.push(Step::Table(
        Table::create()
            .table(Contracts::Table)
            .col(id(Contracts::Id))
            .col(big(Contracts::TenderId))
            .col(big(Contracts::AwardId))
            .col(big(Contracts::SupplierId))
            .col(
                ColumnDef::new(Contracts::Number)
                    .text()
                    .not_null()
                    .unique_key(),
            )
            .col(text(Contracts::Amount))
            .col(big(Contracts::AmountMinor))
            .col(text(Contracts::Currency))
            .col(big(Contracts::SignedAt))
            .col(big(Contracts::StartDate))
            .col(big(Contracts::EndDate))
            .col(text(Contracts::PaymentTerms))
            .col(text(Contracts::Status))
            .col(big(Contracts::CreatedBy))
            .to_owned(),
    ));
    steps.push(index(
        "ix_contracts_tender",
        Contracts::Table,
        &["tender_id"],
    ));
    steps.push(index(
        "ix_contracts_supplier",
        Contracts::Table,
        &["supplier_id"],
    ));
    steps.push(Step::Table(
        Table::create()
            .table(ContractMilestones::Table)
            .col(id(ContractMilestones::Id))
            .col(big(ContractMilestones::ContractId))
            .col(big(ContractMilestones::Number))
            .col(big(ContractMilestones::TenderItemId))
            .col(text(ContractMilestones::Quantity))
            .col(big(ContractMilestones::DueAt))
            .col(text(ContractMilestones::Description))
            .to_owned(),
    ));
    steps.push(index(
        "ix_milestones_contract",
        ContractMilestones::Table,
        &["contract_id"],
    ));
    steps.push(Step::Table(
        Table::create()
            .table(ContractAmendments::Table)
            .col(id(ContractAmendments::Id))
            .col(big(ContractAmendments::ContractId))
            .col(big(ContractAmendments::Number))
            .col(text(ContractAmendments::Reason))
            .col(text(ContractAmendments::ValueChange))
            .col(big_null(ContractAmendments::NewEndDate))
            .col(big(ContractAmendments::CreatedBy))
            .col(big(ContractAmendments::CreatedAt))
            .to_owned(),
    ));
    steps.push(index(
        "ix_contract_amendments",
        ContractAmendments::Table,
        &["contract_id"],
    ));
    steps
}

/// Migration 8: each item keeps the buyer's estimated unit price (issue 13: "plan → tender drops
/// the planned unit prices"; before, only the lot's total was stored and the draft's form spread
/// it back over its items). Older rows have none (`NULL`).
pub fn item_unit_prices() -> Vec<Step> {
    vec![Step::Alter(
        Table::alter()
            .table(TenderItems::Table)
            .add_column(ColumnDef::new(TenderItems::UnitPrice).text())
            .to_owned(),
    )]
}
