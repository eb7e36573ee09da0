//! Events of the suppliers' product cards (`service::product_cards`, issue 14). A card is a
//! public fact about what a supplier offers (catalogue item pages and agreements show it), so
//! its events are public.

use crate::domain::audit::AuditAction;
use crate::domain::audit_event::{AsAuditEvent, NoSnapshot};
use crate::repository::product_cards::ProductCardRow;

/// `product_card.created`: a supplier's user (or the demo) registered a product card.
#[derive(Debug, Clone, Copy)]
pub struct ProductCardCreated<'a> {
    /// The card as stored.
    pub card: &'a ProductCardRow,
}

impl AsAuditEvent for ProductCardCreated<'_> {
    const ACTION: AuditAction = AuditAction::ProductCardCreated;
    const ENTITY_TYPE: &'static str = "product_card";
    type Before = NoSnapshot;
    type After = ProductCardRow;
    fn entity_id(&self) -> Option<String> {
        Some(self.card.id.to_string())
    }
    fn public(&self) -> bool {
        true
    }
    fn before(&self) -> Option<&NoSnapshot> {
        None
    }
    fn after(&self) -> Option<&ProductCardRow> {
        Some(self.card)
    }
}

/// `product_card.updated`: a supplier's user changed a card.
#[derive(Debug, Clone, Copy)]
pub struct ProductCardUpdated<'a> {
    /// Before.
    pub before: &'a ProductCardRow,
    /// After.
    pub after: &'a ProductCardRow,
}

impl AsAuditEvent for ProductCardUpdated<'_> {
    const ACTION: AuditAction = AuditAction::ProductCardUpdated;
    const ENTITY_TYPE: &'static str = "product_card";
    type Before = ProductCardRow;
    type After = ProductCardRow;
    fn entity_id(&self) -> Option<String> {
        Some(self.after.id.to_string())
    }
    fn public(&self) -> bool {
        true
    }
    fn before(&self) -> Option<&ProductCardRow> {
        Some(self.before)
    }
    fn after(&self) -> Option<&ProductCardRow> {
        Some(self.after)
    }
}

/// `product_card.withdrawn`: a supplier's user withdrew a card; it stays for the record.
#[derive(Debug, Clone, Copy)]
pub struct ProductCardWithdrawn<'a> {
    /// Before.
    pub before: &'a ProductCardRow,
    /// After.
    pub after: &'a ProductCardRow,
}

impl AsAuditEvent for ProductCardWithdrawn<'_> {
    const ACTION: AuditAction = AuditAction::ProductCardWithdrawn;
    const ENTITY_TYPE: &'static str = "product_card";
    type Before = ProductCardRow;
    type After = ProductCardRow;
    fn entity_id(&self) -> Option<String> {
        Some(self.after.id.to_string())
    }
    fn public(&self) -> bool {
        true
    }
    fn before(&self) -> Option<&ProductCardRow> {
        Some(self.before)
    }
    fn after(&self) -> Option<&ProductCardRow> {
        Some(self.after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit_event::encode;
    use crate::domain::product_card::CardStatus;
    use crate::service::snapshot;

    fn card(status: CardStatus) -> ProductCardRow {
        ProductCardRow {
            id: 7,
            supplier_id: 3,
            catalogue_item_id: 1,
            brand: "Acetamol".into(),
            manufacturer: "Laboratorios Quetzal, S.A.".into(),
            health_registration: "PF-23418-2021".into(),
            health_registration_expires: 1_800_000_000_000_000,
            gtin: "07401234567895".into(),
            pack_size: "100".into(),
            status,
            created_at: 1,
            updated_at: None,
            created_by: 9,
        }
    }

    #[test]
    fn cards_are_logged_whole_and_in_public() {
        let active = card(CardStatus::Active);
        let withdrawn = card(CardStatus::Withdrawn);
        let e = encode(&ProductCardCreated { card: &active }).unwrap();
        assert_eq!(e.action.code(), "product_card.created");
        assert_eq!(e.entity_type, "product_card");
        assert_eq!(e.entity_id.as_deref(), Some("7"));
        assert_eq!(e.before, None);
        assert_eq!(e.after, snapshot(&active));
        assert!(e.public);
        let e = encode(&ProductCardWithdrawn {
            before: &active,
            after: &withdrawn,
        })
        .unwrap();
        assert_eq!(e.before, snapshot(&active));
        assert!(e.after.unwrap().contains("\"status\":\"withdrawn\""));
        let e = encode(&ProductCardUpdated {
            before: &active,
            after: &active,
        })
        .unwrap();
        assert_eq!(e.action.code(), "product_card.updated");
    }
}
