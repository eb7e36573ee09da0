//! Suppliers' product cards (issue 14, point 7): what a supplier actually delivers when it is
//! paid for a catalogue item.
//!
//! The catalogue names a medicine by its INN, strength and form (`Paracetamol 500 mg,
//! tableta`); a framework agreement buys it from several suppliers. Those who order from the
//! agreement's call-off catalogue, and those who receive the boxes, need to know more: whose
//! brand, made by whom, under which health registration (registro sanitario) and until when,
//! which GTIN the barcode carries, and how many of the item's units one pack holds. A product
//! card says it, once per supplier and product, and the agreement shows it beside each
//! supplier's unit price.
//!
//! A registration that has expired, or expires soon, is stored and shown with a warning rather
//! than refused: the card records what the firm holds, and renewals are slow; the warning lets
//! the buyer ask for the renewal before ordering.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Whether a card is offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardStatus {
    /// Offered: shown on the catalogue item's page and in agreements' call-off catalogues.
    Active,
    /// No longer offered; kept for the record (an agreement that named it can still show it).
    Withdrawn,
}

impl CardStatus {
    /// Both statuses.
    pub const ALL: [CardStatus; 2] = [CardStatus::Active, CardStatus::Withdrawn];

    /// Stable code stored in the database and used in the API.
    pub const fn code(self) -> &'static str {
        match self {
            CardStatus::Active => "active",
            CardStatus::Withdrawn => "withdrawn",
        }
    }

    /// Parses a stored code.
    pub fn from_code(code: &str) -> Option<CardStatus> {
        CardStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Translation key of the status's name.
    pub fn label_key(self) -> String {
        format!("product-card-status-{}", self.code())
    }
}

/// How many days before its expiry a registration is flagged: about the time a renewal takes,
/// so an agreement's buyer is warned while there is still time to ask for it.
pub const EXPIRY_WARNING_DAYS: i64 = 90;

/// Where a health registration stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationStanding {
    /// In force beyond the warning period.
    Valid,
    /// In force, but it expires within [`EXPIRY_WARNING_DAYS`] days.
    Expiring,
    /// Its expiry day has passed.
    Expired,
}

impl RegistrationStanding {
    /// Stable code used in the API.
    pub const fn code(self) -> &'static str {
        match self {
            RegistrationStanding::Valid => "valid",
            RegistrationStanding::Expiring => "expiring",
            RegistrationStanding::Expired => "expired",
        }
    }

    /// Translation key of its warning.
    pub fn label_key(self) -> String {
        format!("product-card-registration-{}", self.code())
    }
}

/// Where a registration that expires on `expires` stands on `today`. The expiry day itself is
/// still in force (a registration "valid until 31 March" covers 31 March).
pub fn standing(expires: NaiveDate, today: NaiveDate) -> RegistrationStanding {
    let days_left = (expires - today).num_days();
    if days_left < 0 {
        RegistrationStanding::Expired
    } else if days_left <= EXPIRY_WARNING_DAYS {
        RegistrationStanding::Expiring
    } else {
        RegistrationStanding::Valid
    }
}

/// Whether a text can be a health registration number as authorities write them
/// (`PF-23418-2021`, `RS/MSPAS 2019.4471`): letters, digits, spaces and the separators `-`,
/// `/` and `.`, starting with a letter or digit. Formats differ by country and year, so the
/// shape is all the platform checks.
pub fn is_registration_number(text: &str) -> bool {
    text.chars().next().is_some_and(char::is_alphanumeric)
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '/' | '.' | ' '))
}

/// A card's fields as the rules see them, checked and normalised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardFields {
    /// The catalogue item the product is.
    pub catalogue_item_id: i64,
    /// Brand (trade name) of the product.
    pub brand: String,
    /// Who makes it.
    pub manufacturer: String,
    /// Health registration number (registro sanitario).
    pub health_registration: String,
    /// Last day the registration is in force, as the UTC microseconds of that day's start in
    /// the configured zone (as contracts store their dates).
    pub health_registration_expires: i64,
    /// GTIN-14.
    pub gtin: String,
    /// How many of the catalogue item's units one pack holds, exact decimal text.
    pub pack_size: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn standing_by_days_left() {
        let today = day("2026-12-07");
        assert_eq!(
            standing(day("2026-12-06"), today),
            RegistrationStanding::Expired
        );
        assert_eq!(
            standing(day("2026-12-07"), today),
            RegistrationStanding::Expiring,
            "the expiry day is still in force"
        );
        assert_eq!(
            standing(day("2027-03-07"), today),
            RegistrationStanding::Expiring,
            "90 days left"
        );
        assert_eq!(
            standing(day("2027-03-08"), today),
            RegistrationStanding::Valid
        );
    }

    #[test]
    fn registration_numbers() {
        for good in [
            "PF-23418-2021",
            "RS/MSPAS 2019.4471",
            "12345",
            "Reg. 7/2020",
        ] {
            assert!(is_registration_number(good), "{good}");
        }
        for bad in ["-12345", " PF-1", "PF_1", "PF#1", "PF-1\n", ""] {
            assert!(!is_registration_number(bad), "{bad:?}");
        }
    }

    #[test]
    fn status_codes_round_trip() {
        for s in CardStatus::ALL {
            assert_eq!(CardStatus::from_code(s.code()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.code());
        }
        assert_eq!(CardStatus::from_code("deleted"), None);
    }
}
