//! The demo suppliers' product cards (issue 14, point 7): what the four demo firms with
//! accounts (`proveedor1`–`4`) deliver for the high-volume medicines the institution buys —
//! paracetamol, ibuprofen, amoxicillin, ceftriaxone, metformin, insulin, enalapril, losartan,
//! omeprazole — from Guatemalan and Central American laboratories and Indian and European
//! generics makers.
//!
//! Brands, manufacturers, company prefixes and registration numbers are invented (any
//! resemblance to real products is coincidental) but shaped like the real ones: GTIN-13s under
//! the GS1 prefix of the maker's country (740 Guatemala, 741 El Salvador, 742 Honduras, 890
//! India, 80–83 Italy, 40–44 Germany, 84 Spain) completed with their check digit by
//! `tianguis-gs1`, and registrations numbered `PF-<number>-<year issued>` (producto
//! farmacéutico), in force five years. Expiry dates are counted from the day the seed runs, so
//! two registrations always expire soon (in 40 and 75 days) and show the warning.

use super::audit::{Publication, record};
use super::events::product_cards::ProductCardCreated;
use super::{Actor, ServiceError};
use crate::domain::product_card::CardFields;
use crate::domain::time::Timestamp;
use crate::repository::{Queryable, catalogue, product_cards, users};
use chrono::Datelike;
use tianguis_gs1::Gtin;

/// (account of the firm, catalogue code, brand, manufacturer, registration number, days the
/// registration is still in force, GTIN without its check digit, pack size in the item's unit).
type DemoCard = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    u32,
    i64,
    &'static str,
    &'static str,
);

const PACIFICO: &str = "Laboratorios del Pacífico, S.A. (Guatemala)";
const QUETZALFARMA: &str = "Laboratorios Quetzalfarma, S.A. (Guatemala)";
const LANCETILLA: &str = "Laboratorios Lancetilla, S.A. (Honduras)";
const VOLCAN: &str = "Laboratorios Volcán, S.A. de C.V. (El Salvador)";
const SURYODAYA: &str = "Suryodaya Pharmaceuticals Ltd. (India)";
const NARMADA: &str = "Narmada Lifesciences Pvt. Ltd. (India)";
const VALTELLINA: &str = "Farmaceutici Valtellina S.p.A. (Italia)";
const DONAUTAL: &str = "Pharmawerk Donautal GmbH (Alemania)";
const ALCARRIA: &str = "Laboratorios Alcarria, S.L. (España)";

#[rustfmt::skip]
pub const DEMO_CARDS: &[DemoCard] = &[
    ("proveedor2", "MED-0001", "Pacifen 500", PACIFICO, 31877, 1420, "740123400101", "100"),
    ("proveedor1", "MED-0001", "Dolomax 500", SURYODAYA, 28410, 40, "890441200347", "100"),
    ("proveedor3", "MED-0001", "Termidol 500", LANCETILLA, 35102, 1650, "742186300052", "500"),
    ("proveedor2", "MED-0003", "Ibupac 400", PACIFICO, 32015, 1180, "740123400118", "100"),
    ("proveedor4", "MED-0003", "Ibuvaltel 400", VALTELLINA, 29963, 760, "805632100214", "30"),
    ("proveedor1", "MED-0005", "Amoxidar 500", NARMADA, 30544, 990, "890179500613", "100"),
    ("proveedor3", "MED-0005", "Amoxivol 500", VOLCAN, 33790, 1540, "741045700087", "50"),
    ("proveedor4", "MED-0008", "Triaxel 1 g", DONAUTAL, 27318, 530, "403987100425", "1"),
    ("proveedor1", "MED-0008", "Cefrina 1 g", SURYODAYA, 29501, 75, "890441200521", "10"),
    ("proveedor2", "MED-0018", "Glucopac 850", PACIFICO, 34466, 1710, "740123400231", "100"),
    ("proveedor3", "MED-0018", "Metfonar 850", NARMADA, 31202, 880, "890179500729", "500"),
    ("proveedor4", "MED-0020", "Insulex N", ALCARRIA, 30019, 640, "843701200936", "1"),
    ("proveedor2", "MED-0022", "Enapac 20", PACIFICO, 32871, 1260, "740123400248", "30"),
    ("proveedor1", "MED-0022", "Enalcor 20", SURYODAYA, 33514, 1390, "890441200644", "100"),
    ("proveedor3", "MED-0023", "Losarvol 50", VOLCAN, 34102, 1105, "741045700155", "30"),
    ("proveedor4", "MED-0023", "Losartik 50", QUETZALFARMA, 35577, 1800, "740552100071", "30"),
    ("proveedor1", "MED-0038", "Omedar 20", NARMADA, 31938, 720, "890179500842", "100"),
    ("proveedor2", "MED-0038", "Omepac 20", PACIFICO, 33025, 1330, "740123400255", "28"),
];

/// How long a registration is in force (Guatemala's MSPAS: five years).
const REGISTRATION_YEARS: i32 = 5;

/// Creates the missing demo product cards (keyed by firm and GTIN), each with its event;
/// returns how many it created. Idempotent, like the rest of the seed. The zone is the demo
/// institution's (Guatemala), in which expiry days are stored.
pub async fn seed(
    tx: &mut impl Queryable,
    actor: &Actor,
    now: Timestamp,
) -> Result<usize, ServiceError> {
    let tz = chrono_tz::America::Guatemala;
    let today = now.to_datetime().with_timezone(&tz).date_naive();
    let mut created = 0;
    for &(username, code, brand, manufacturer, number, days, body, pack) in DEMO_CARDS {
        let Some((user, _)) = users::find_for_login(tx, username).await? else {
            continue;
        };
        let (Some(supplier_id), Some(item)) =
            (user.supplier_id, catalogue::find_by_code(tx, code).await?)
        else {
            continue;
        };
        let gtin = Gtin::complete(body)
            .map_err(|e| ServiceError::Internal(format!("demo GTIN {body}: {e}")))?;
        if product_cards::active_gtin_exists(tx, supplier_id, gtin.as_str()).await? {
            continue;
        }
        let expires = today + chrono::Days::new(days.unsigned_abs());
        let fields = CardFields {
            catalogue_item_id: item.id,
            brand: brand.to_string(),
            manufacturer: manufacturer.to_string(),
            health_registration: format!("PF-{number}-{}", expires.year() - REGISTRATION_YEARS),
            health_registration_expires: super::product_cards::day_start(expires, tz)
                .ok_or_else(|| ServiceError::Internal(format!("demo expiry {expires}")))?
                .as_micros(),
            gtin: gtin.to_string(),
            pack_size: pack.to_string(),
        };
        let id = product_cards::insert(tx, supplier_id, &fields, user.id, now).await?;
        let card = product_cards::find(tx, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        record(
            tx,
            actor,
            &ProductCardCreated { card: &card },
            Publication::None,
        )
        .await?;
        created += 1;
    }
    Ok(created)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::product_card::{EXPIRY_WARNING_DAYS, is_registration_number};

    #[test]
    fn demo_cards_are_valid_and_unique() {
        let codes: Vec<String> = super::super::demo::catalogue_seed()
            .into_iter()
            .map(|i| i.code)
            .collect();
        let mut seen = std::collections::HashSet::new();
        for &(username, code, brand, _, number, days, body, pack) in DEMO_CARDS {
            assert!(username.starts_with("proveedor"), "{brand}");
            assert!(codes.iter().any(|c| c == code), "{code}");
            let gtin = Gtin::complete(body).unwrap();
            assert!(seen.insert((username, gtin)), "{brand}: GTIN twice");
            assert!(is_registration_number(&format!("PF-{number}-2024")));
            assert!(days > 0, "{brand}: no demo registration has expired yet");
            assert!(crate::domain::money::parse_positive(pack, 3).is_ok());
        }
        let soon = DEMO_CARDS
            .iter()
            .filter(|c| c.5 <= EXPIRY_WARNING_DAYS)
            .count();
        assert_eq!(soon, 2, "two registrations expire soon");
        // The makers' GS1 prefixes: 740–742 Central America, 890 India, 80–84 Europe, 40 Germany.
        for c in DEMO_CARDS {
            assert!(
                ["740", "741", "742", "890", "805", "843", "403"]
                    .iter()
                    .any(|p| c.6.starts_with(p)),
                "{}",
                c.2
            );
        }
    }
}
