//! The platform's public figures, each counted in one place, so that every page showing one
//! shows the same number and says what it counts (issue 13: 291 processes on `/tenders`, 286
//! on `/dashboards` and 468 on `/open-data`, with no word on why).
//!
//! - A **process published** is a tender once published, whatever became of it later
//!   (cancelled and unsuccessful ones included); drafts are not published. `/tenders` lists
//!   them, the dashboards analyse them (with the processes imported from other publishers,
//!   counted apart), and open data holds one record for each.
//! - Open data also holds one **planning process** per line of the procurement plan, and one
//!   **release** per change of any process: releases are not processes.

use super::ServiceError;
use crate::domain::money::stored;
use crate::domain::time::Timestamp;
use crate::repository::tenders::TenderListRow;
use crate::repository::{Database, awards, imports, ocds, suppliers, tenders};
use rust_decimal::Decimal;

/// Savings of the awarded lots against their estimates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Savings {
    /// Sum of the estimates of the awarded lots that had one.
    pub estimated: Decimal,
    /// Sum of what those lots were awarded for.
    pub awarded: Decimal,
    /// `estimated − awarded`.
    pub amount: Decimal,
    /// The same as a fraction of the estimates (`0.123` = 12.3 %).
    pub fraction: Decimal,
}

/// What the public pages count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figures {
    /// Processes published on this platform (drafts excluded; cancelled included).
    pub processes: i64,
    /// Awards standing (in standstill or final; annulled ones excluded).
    pub awards: i64,
    /// Their value, in the main currency.
    pub awarded_value: Decimal,
    /// The main currency (the rulebook's).
    pub currency: String,
    /// Savings against the estimates, when any awarded lot had an estimate.
    pub savings: Option<Savings>,
    /// Registered suppliers (every status), as `/suppliers` lists them.
    pub suppliers: i64,
    /// OCDS releases published: one per change of a process.
    pub releases: i64,
    /// OCDS records: one per process, tenders and planning processes.
    pub records: i64,
    /// Of the records, the planning processes of plan lines.
    pub planning_records: i64,
    /// Processes imported from other OCDS publishers.
    pub imported: i64,
}

/// Counts every public figure (a handful of aggregate queries).
pub async fn figures(db: &Database, currency: &str) -> Result<Figures, ServiceError> {
    let mut conn = db.read().await?;
    let processes = tenders::count(&mut conn, true).await?;
    let standing = awards::standing_amounts(&mut conn).await?;
    let mut awarded_value = Decimal::ZERO;
    let (mut estimated, mut awarded_with_estimate) = (Decimal::ZERO, Decimal::ZERO);
    let mut count = 0;
    for (amount, award_currency, estimate) in &standing {
        count += 1;
        if award_currency != currency {
            continue;
        }
        let amount = stored(amount);
        awarded_value += amount;
        // A lot without an estimate stores an empty text: nothing to compare with.
        let estimate = estimate.trim().parse::<Decimal>().unwrap_or(Decimal::ZERO);
        if estimate > Decimal::ZERO {
            estimated += estimate;
            awarded_with_estimate += amount;
        }
    }
    let savings = (estimated > Decimal::ZERO).then(|| {
        let amount = estimated - awarded_with_estimate;
        Savings {
            estimated,
            awarded: awarded_with_estimate,
            amount,
            fraction: amount / estimated,
        }
    });
    let suppliers = suppliers::list(&mut conn, None, None, 0, 1).await?.total;
    let releases = ocds::last_seq(&mut conn).await?;
    let (records, _) = ocds::records_summary(&mut conn).await?;
    let tender_records = ocds::tender_records(&mut conn).await?;
    let imported = imports::search(&mut conn, "", 0, 1).await?.total;
    Ok(Figures {
        processes,
        awards: count,
        awarded_value,
        currency: currency.to_string(),
        savings,
        suppliers,
        releases,
        records,
        planning_records: records - tender_records,
        imported,
    })
}

/// Up to `limit` public tenders still taking bids, the nearest deadline first.
pub async fn closing_soon(
    db: &Database,
    now: Timestamp,
    limit: u64,
) -> Result<Vec<TenderListRow>, ServiceError> {
    let mut conn = db.read().await?;
    Ok(tenders::closing_soon(&mut conn, now, limit).await?)
}
