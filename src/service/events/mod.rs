//! The events each workflow records in the audit log (issue 14): one type per kind of event
//! ([`AuditAction`](crate::domain::audit::AuditAction)), implementing
//! [`AsAuditEvent`](crate::domain::audit_event::AsAuditEvent), in a module named after the
//! service module that records it.
//!
//! An event type holds what the log shows of the change: borrowed records and the few values
//! around them. The JSON it writes is, byte for byte, the JSON the untyped code wrote for the
//! same change (each module's tests compare the two), so the chain of stored events is
//! unaffected. A new workflow adds its kind to `AuditAction` (with its sentences), its type
//! here, and ends with `service::audit::commit_with`.

pub mod agreements;
pub mod auctions;
pub mod auth;
pub mod awards;
pub mod bids;
pub mod catalogue;
pub mod demo;
pub mod evaluation;
pub mod imports;
pub mod load_data;
pub mod plan;
pub mod product_cards;
pub mod suppliers;
pub mod tenders;
pub mod tokens;
pub mod units;
pub mod users;
pub mod webhooks;
pub mod workspace;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit::AuditAction;
    use crate::domain::audit_event::AsAuditEvent;

    /// The kind of each event type, so the list below reads as one line per type.
    fn kind<E: AsAuditEvent>() -> AuditAction {
        E::ACTION
    }

    #[test]
    fn every_kind_of_event_has_exactly_one_type() {
        let mut kinds = vec![
            kind::<auctions::AuctionScheduled>(),
            kind::<auctions::AuctionRescheduled>(),
            kind::<auctions::AuctionStarted>(),
            kind::<auctions::AuctionPaused>(),
            kind::<auctions::AuctionResumed>(),
            kind::<auctions::AuctionResumptionRescheduled>(),
            kind::<auctions::AuctionFinished>(),
            kind::<auth::SessionSignedIn>(),
            kind::<auth::SessionSignedOut>(),
            kind::<awards::AwardDecided<'static>>(),
            kind::<awards::AwardFinal>(),
            kind::<awards::ComplaintFiled<'static>>(),
            kind::<awards::ComplaintUpheld<'static>>(),
            kind::<awards::ComplaintRejected<'static>>(),
            kind::<awards::ContractSigned<'static>>(),
            kind::<awards::ContractAmended<'static>>(),
            kind::<awards::TenderUnsuccessful<'static>>(),
            kind::<bids::OpeningKeyRegistered<'static>>(),
            kind::<bids::BidSubmitted<'static>>(),
            kind::<bids::BidReplaced<'static>>(),
            kind::<bids::BidWithdrawn<'static>>(),
            kind::<bids::TenderBidsOpened<'static>>(),
            kind::<catalogue::CatalogueItemCreated<'static>>(),
            kind::<catalogue::CatalogueProposalCreated<'static>>(),
            kind::<catalogue::CatalogueProposalApproved<'static>>(),
            kind::<catalogue::CatalogueProposalRejected<'static>>(),
            kind::<demo::BuyerCreated<'static>>(),
            kind::<evaluation::EvaluationConflictDeclared<'static>>(),
            kind::<evaluation::EvaluationAssessed>(),
            kind::<evaluation::EvaluationSubmitted>(),
            kind::<evaluation::EvaluationCompleted<'static>>(),
            kind::<imports::OcdsImported>(),
            kind::<load_data::LoadDataGenerated>(),
            kind::<plan::PlanLineCreated<'static>>(),
            kind::<product_cards::ProductCardCreated<'static>>(),
            kind::<product_cards::ProductCardUpdated<'static>>(),
            kind::<product_cards::ProductCardWithdrawn<'static>>(),
            kind::<suppliers::SupplierRegistered<'static>>(),
            kind::<suppliers::SupplierPending<'static>>(),
            kind::<suppliers::SupplierVerified<'static>>(),
            kind::<suppliers::SupplierSuspended<'static>>(),
            kind::<suppliers::SupplierReinstated<'static>>(),
            kind::<tenders::TenderCreated<'static>>(),
            kind::<tenders::TenderUpdated<'static>>(),
            kind::<tenders::TenderPublished<'static>>(),
            kind::<tenders::TenderAmended<'static>>(),
            kind::<tenders::TenderCancelled<'static>>(),
            kind::<tenders::TenderDocumentAdded<'static>>(),
            kind::<tenders::ClarificationAsked<'static>>(),
            kind::<tenders::ClarificationAnswered<'static>>(),
            kind::<tenders::TenderFollowed>(),
            kind::<tenders::TenderUnfollowed>(),
            kind::<tokens::ApiTokenCreated<'static>>(),
            kind::<tokens::ApiTokenRevoked<'static>>(),
            kind::<agreements::FrameworkTermsSet<'static>>(),
            kind::<agreements::AgreementConcluded<'static>>(),
            kind::<agreements::AgreementStatusChanged<'static>>(),
            kind::<agreements::CallOffPlaced<'static>>(),
            kind::<agreements::CallOffConfirmed<'static>>(),
            kind::<agreements::CallOffDeclined<'static>>(),
            kind::<agreements::CallOffOfferExpired<'static>>(),
            kind::<agreements::CallOffCancelled<'static>>(),
            kind::<units::UnitCreated<'static>>(),
            kind::<units::UnitUpdated<'static>>(),
            kind::<units::UserUnitsChanged<'static>>(),
            kind::<users::UserCreated<'static>>(),
            kind::<users::UserUpdated<'static>>(),
            kind::<users::UserActivated<'static>>(),
            kind::<users::UserDeactivated<'static>>(),
            kind::<users::UserPasswordReset>(),
            kind::<users::UserPasswordChanged>(),
            kind::<users::UserLocaleChanged>(),
            kind::<webhooks::WebhookSubscribed<'static>>(),
            kind::<webhooks::WebhookEnabled<'static>>(),
            kind::<webhooks::WebhookDisabled<'static>>(),
            kind::<workspace::NotificationsRead>(),
        ];
        let listed = kinds.len();
        kinds.sort_by_key(|k| k.code());
        kinds.dedup();
        assert_eq!(kinds.len(), listed, "two types for one kind of event");
        let mut all = AuditAction::ALL.to_vec();
        all.sort_by_key(|k| k.code());
        assert_eq!(kinds, all, "a kind of event without a type");
    }
}
