//! Shared helpers: instants in Guatemala time and plans that satisfy everything but the rule
//! under test.
#![allow(dead_code)]

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::America::Guatemala;
use rust_decimal::Decimal;
use tianguis_rulebook::{FrameworkPlan, Method, Rulebook, TenderPlan};

pub fn gt() -> Rulebook {
    Rulebook::load_embedded("gt").expect("embedded gt rulebook loads")
}

pub fn un() -> Rulebook {
    Rulebook::load_embedded("un").expect("embedded un rulebook loads")
}

pub fn money(text: &str) -> Decimal {
    text.parse().expect("test money")
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("test date")
}

/// A wall-clock time in America/Guatemala, as a UTC instant.
pub fn gt_time(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Guatemala
        .with_ymd_and_hms(y, mo, d, h, mi, s)
        .single()
        .expect("unambiguous local time")
        .with_timezone(&Utc)
}

/// A plan for `method` that satisfies every rule of it, given a value inside its range: the
/// bid deadline at the minimum, questions closing one second after publication, a
/// justification and exception category where required, framework terms where required.
pub fn valid_plan(
    book: &Rulebook,
    method: &Method,
    value: Decimal,
    published_at: DateTime<Utc>,
) -> TenderPlan {
    let bid_deadline = book.minimum_deadline(method, published_at);
    let clarification_deadline = method
        .clarifications()
        .and(Some(published_at + chrono::Duration::seconds(1)));
    let direct = method.direct_award().map(|d| &d.value);
    TenderPlan {
        method: method.code().to_owned(),
        estimated_value: value,
        currency: book.currency().to_owned(),
        published_at,
        bid_deadline,
        clarification_deadline,
        justification: direct.map(|_| {
            "Desabastecimiento de insulina declarado por el comité terapéutico; sin existencias"
                .to_owned()
        }),
        exception_category: direct
            .filter(|d| d.exception_category_required)
            .map(|d| d.exception_categories[0].clone()),
        lots: vec![],
        framework: method.framework().map(|f| FrameworkPlan {
            duration_months: f.value.max_duration_months,
            catalogue_items: 12,
        }),
    }
}

pub fn codes(result: Result<(), Vec<tianguis_rulebook::RuleViolation>>) -> Vec<&'static str> {
    match result {
        Ok(()) => vec![],
        Err(v) => v.iter().map(|v| v.code()).collect(),
    }
}
