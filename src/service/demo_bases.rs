//! The bidding conditions (bases) of each demo tender, as a small PDF the demo attaches before
//! publishing: publication requires at least one tender document (issue 13: "the whole demo has
//! none"), and Guatemala's LCE has the bases published with the call (Arts. 18 y 39 LCE).
//!
//! The text is generated from the stored tender (its method, lots, items with their quantities
//! and estimated unit prices, deadlines and requirements), so the document and the tender page
//! never disagree. It is marked as a demonstration document.

use super::ServiceError;
use crate::domain::time::Timestamp;
use crate::report::pdf::Document;
use crate::repository::{Database, tenders};
use chrono_tz::Tz;
use tianguis_rulebook::Rulebook;

/// File name of the demo's bidding conditions.
pub const FILENAME: &str = "bases-del-proceso.pdf";

/// The bidding conditions of tender `id`, as a PDF.
pub async fn bidding_conditions(
    db: &Database,
    rulebook: &Rulebook,
    tz: Tz,
    id: i64,
) -> Result<Vec<u8>, ServiceError> {
    let mut conn = db.read().await?;
    let tender = tenders::find(&mut conn, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let lots = tenders::lots(&mut conn, id).await?;
    let items = tenders::items(&mut conn, id).await?;
    let requirements = tenders::requirements(&mut conn, id).await?;
    drop(conn);
    let method = rulebook.method(&tender.method_code);
    let when = |t: Option<i64>| {
        t.map(|t| {
            Timestamp::from_micros(t)
                .to_local_input(tz)
                .replace('T', " ")
        })
        .unwrap_or_else(|| "no aplica (sin convocatoria a ofertas)".to_string())
    };
    let mut doc = Document::new(&format!("Bases — {}", tender.title));
    doc.heading(&format!("Bases del proceso {}", tender.reference));
    doc.line("Documento de demostración generado por Tianguis; no es un documento oficial.");
    doc.gap();
    doc.subheading(&tender.title);
    doc.line(&tender.description);
    doc.line(&format!(
        "Modalidad: {}",
        method
            .map(|m| format!("{} ({})", m.name_es(), m.cite()))
            .unwrap_or_else(|| tender.method_code.clone())
    ));
    doc.line(&format!(
        "Valor estimado: {}",
        crate::format::money_text(
            &tender.estimated_value,
            &tender.currency,
            crate::domain::lang::Lang::Es
        )
    ));
    doc.line(&format!(
        "Fecha límite de aclaraciones: {}",
        when(tender.clarification_deadline)
    ));
    doc.line(&format!(
        "Fecha límite de presentación de ofertas: {}",
        when(tender.bid_deadline)
    ));
    doc.gap();
    doc.subheading("Lotes y renglones");
    let currency = tender.currency.as_str();
    let rows: Vec<Vec<String>> = lots
        .iter()
        .flat_map(|lot| {
            items
                .iter()
                .filter(move |i| i.lot_id == lot.id)
                .map(move |i| {
                    vec![
                        format!("{} — {}", lot.number, lot.title),
                        i.description.clone(),
                        format!("{} {}", i.quantity, i.unit),
                        i.unit_price
                            .as_deref()
                            .map(|p| {
                                crate::format::money_text(
                                    p,
                                    currency,
                                    crate::domain::lang::Lang::Es,
                                )
                            })
                            .unwrap_or_default(),
                    ]
                })
        })
        .collect();
    doc.table(
        &[
            "Lote".to_string(),
            "Descripción".to_string(),
            "Cantidad".to_string(),
            "Precio unitario estimado".to_string(),
        ],
        &[25, 35, 20, 20],
        &rows,
    );
    if !requirements.is_empty() {
        doc.gap();
        doc.subheading("Requisitos de las ofertas");
        for r in &requirements {
            doc.line(&format!("{}. {}", r.code, r.description));
        }
    }
    Ok(doc.finish())
}
