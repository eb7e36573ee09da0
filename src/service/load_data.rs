//! Synthetic tenders in bulk for load tests and benchmarks (`tianguis load-data`, issue 3
//! benchmark: the public search with 100,000 tenders).
//!
//! Walking 100,000 tenders through the real workflow would take hours and measure the seed,
//! not the search. This writes what the search and the tender page read — the tender, its
//! lots and items, its search terms and a status with its dates — directly through the
//! repository, in batches of one transaction each, with one audit event per batch. Titles mix
//! catalogue names, hospitals and methods so text filters select realistic fractions. Never run
//! it on a production database: the tenders are fictitious.

use super::audit::{Publication, commit_with};
use super::events::load_data::LoadDataGenerated;
use super::{Actor, ServiceError};
use crate::domain::catalogue::CatalogueItem;
use crate::domain::money;
use crate::domain::search::terms;
use crate::domain::tender::TenderStatus;
use crate::domain::time::Timestamp;
use crate::repository::tenders::{self, NewTender};
use crate::repository::{Database, buyers, catalogue};
use rust_decimal::Decimal;

/// Tenders written per transaction.
pub const BATCH: usize = 500;

const METHODS: [(&str, bool, &str); 6] = [
    ("baja_cuantia", true, "compliance_only"),
    ("compra_directa", false, "lowest_price"),
    ("cotizacion", false, "weighted"),
    ("licitacion", false, "weighted"),
    ("subasta_electronica_inversa", false, "compliance_only"),
    ("caso_excepcion", true, "compliance_only"),
];

const PLACES: [&str; 6] = [
    "Hospital General de Enfermedades",
    "Hospital de Accidentes",
    "Hospital de Gineco-Obstetricia",
    "Unidad de Oncología",
    "Consultorio de Escuintla",
    "Hospital de Quetzaltenango",
];

/// Writes `count` synthetic tenders, calling `progress` with the running total after each
/// batch. Returns how many were written.
pub async fn generate(
    db: &Database,
    count: usize,
    progress: impl Fn(usize),
) -> Result<usize, ServiceError> {
    let (buyer, items) = {
        let mut conn = db.read().await?;
        let buyer = buyers::list(&mut conn)
            .await?
            .into_iter()
            .next()
            .ok_or(ServiceError::NotFound)?;
        (buyer, catalogue::all_active(&mut conn).await?)
    };
    if items.is_empty() {
        return Err(ServiceError::NotFound);
    }
    let start = {
        let mut conn = db.read().await?;
        tenders::count(&mut conn, false).await?
    };
    let now = Timestamp::now();
    let mut written = 0;
    while written < count {
        let n = BATCH.min(count - written);
        let mut tx = db.begin().await?;
        let first = start + written as i64 + 1;
        for k in 0..n {
            let seq = first + k as i64;
            write_one(&mut tx, buyer.id, &buyer.short_name, &items, seq, now).await?;
        }
        commit_with(
            tx,
            &Actor::System("load-data"),
            &LoadDataGenerated {
                from_sequence: first,
                tenders: n,
            },
            Publication::None,
        )
        .await?;
        written += n;
        progress(written);
    }
    // The planner must see the new rows before anyone searches them.
    db.analyze().await?;
    Ok(written)
}

/// A cheap deterministic mix of a sequence number (SplitMix64).
fn mix(seq: i64, salt: u64) -> u64 {
    let mut z = (seq as u64).wrapping_add(salt.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

async fn write_one(
    tx: &mut crate::repository::Tx,
    buyer_id: i64,
    buyer_short: &str,
    items: &[CatalogueItem],
    seq: i64,
    now: Timestamp,
) -> Result<(), ServiceError> {
    let (method, direct, evaluation) = METHODS[(mix(seq, 1) % METHODS.len() as u64) as usize];
    let place = PLACES[(mix(seq, 2) % PLACES.len() as u64) as usize];
    let lots = 1 + (mix(seq, 3) % 2) as i64;
    let picks: Vec<&CatalogueItem> = (0..lots * 2)
        .map(|j| &items[(mix(seq, 10 + j as u64) % items.len() as u64) as usize])
        .collect();
    // Published some time in the last four years.
    let age = (mix(seq, 4) % (4 * 365 * 86_400)) as i64;
    let published = now.plus_seconds(-age);
    let year: i64 = published.to_rfc3339()[..4].parse().unwrap_or(2026);
    let value = Decimal::from(5_000 + (mix(seq, 5) % 5_000_000) as i64);
    let title = format!(
        "Adquisición de {} y {} para {place}",
        picks[0].name.to_lowercase(),
        picks[1].name.to_lowercase()
    );
    let tender = NewTender {
        ocid: format!("ocds-lt0001-{year}-{seq:07}"),
        reference: format!("{buyer_short}-LT-{seq:07}"),
        buyer_id,
        title: title.clone(),
        description: format!("Compra de prueba de carga número {seq}."),
        method_code: method.to_string(),
        rulebook_id: "gt-lce".to_string(),
        rulebook_version: "load-test".to_string(),
        currency: "GTQ".to_string(),
        estimated_value: money::round_minor(value).to_string(),
        estimated_value_minor: money::to_minor(value),
        year,
        is_direct: direct,
        justification: direct.then(|| "Compra de prueba de carga.".to_string()),
        exception_category: (method == "caso_excepcion").then(|| "44b".to_string()),
        evaluation_method: evaluation.to_string(),
        has_auction: method == "subasta_electronica_inversa",
        standstill_days: 5,
        minimum_bids: 1,
        opening_threshold: 2,
        clarification_deadline: (!direct).then(|| published.plus_seconds(10 * 86_400).as_micros()),
        bid_deadline: (!direct).then(|| published.plus_seconds(20 * 86_400).as_micros()),
    };
    let id = tenders::insert(tx, &tender, 0, published).await?;
    let mut text = format!(
        "{title} {} {} {} {}",
        tender.description,
        tender.reference,
        tender.ocid,
        method.replace('_', " ")
    );
    for lot in 1..=lots {
        let per_lot = value / Decimal::from(lots);
        let lot_id = tenders::insert_lot(
            tx,
            id,
            lot,
            &format!("Lote {lot}"),
            "",
            &money::round_minor(per_lot).to_string(),
        )
        .await?;
        for (number, item) in picks
            .iter()
            .skip(((lot - 1) * 2) as usize)
            .take(2)
            .enumerate()
        {
            let description = [Some(item.name.clone()), item.strength.clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            tenders::insert_item(
                tx,
                id,
                lot_id,
                number as i64 + 1,
                Some(item.id),
                &description,
                &(100 + mix(seq, 20 + number as u64) % 100_000).to_string(),
                &item.unit,
                None,
                None,
            )
            .await?;
            text.push_str(&format!(" {description} {}", item.code));
        }
    }
    tenders::index_terms(tx, id, &terms(&text)).await?;
    // Most tenders are long finished; the recent ones are still running.
    let mut status = TenderStatus::Draft;
    let path: &[TenderStatus] = match mix(seq, 6) % 20 {
        0 => &[TenderStatus::Published, TenderStatus::Cancelled],
        1 => &[
            TenderStatus::Published,
            TenderStatus::Evaluation,
            TenderStatus::Unsuccessful,
        ],
        _ if age < 30 * 86_400 => &[TenderStatus::Published],
        _ if age < 60 * 86_400 => &[TenderStatus::Published, TenderStatus::Evaluation],
        _ => &[
            TenderStatus::Published,
            TenderStatus::Evaluation,
            TenderStatus::Awarded,
            TenderStatus::Contracted,
        ],
    };
    for (k, next) in path.iter().enumerate() {
        let at = published.plus_seconds(k as i64 * 21 * 86_400);
        tenders::set_status(tx, id, status, *next, None, at).await?;
        status = *next;
    }
    Ok(())
}
