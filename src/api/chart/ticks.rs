//! Where the axes of a chart put their ticks, and what the ticks say (issue 13, "Charts": the
//! old axes labelled only the maximum).
//!
//! - Values: "nice" steps of 1, 2 or 5 × 10ⁿ (Heckbert, "Nice numbers for graph labels",
//!   Graphics Gems, 1990), exact decimals so a money tick is formatted by
//!   `crate::format` without floating-point noise.
//! - Instants: steps from a second to years, aligned in the configured zone (a tick at 14:00
//!   local, at local midnight, on the first of a month); each tick names the coarsest unit that
//!   changes there (the multi-scale convention of d3-time-format): `14:30`, `8 dic`, `dic`,
//!   `2027` — so a series across the year boundary shows the new year where it starts.

use chrono::{Datelike, NaiveDate, TimeZone, Timelike};
use chrono_tz::Tz;
use rust_decimal::Decimal;

use crate::domain::time::Timestamp;

/// Nice ticks that cover `[lo, hi]`: at most `max` (at least three: a span across zero needs
/// `-s, 0, s`) ticks, the first at or below `lo`, the last at or above `hi`. An empty span grows to one unit so a flat series still gets
/// an axis.
pub fn nice_ticks(lo: f64, hi: f64, max: usize) -> Vec<Decimal> {
    let max = max.max(3) as f64;
    let (lo, hi) = match (lo.is_finite(), hi.is_finite()) {
        (true, true) if hi > lo => (lo, hi),
        (true, true) => (lo.min(hi), lo.min(hi) + 1.0),
        _ => (0.0, 1.0),
    };
    let mut exponent = ((hi - lo) / (max - 1.0)).log10().floor() as i32;
    loop {
        for mantissa in [1_i64, 2, 5] {
            let step = power_of_ten(exponent) * Decimal::from(mantissa);
            let size = step_f64(step);
            let first = snap(lo / size).floor();
            let last = snap(hi / size).ceil();
            if last - first < max {
                return (first as i64..=last as i64)
                    .map(|n| Decimal::from(n) * step)
                    .map(|d| d.normalize())
                    .collect();
            }
        }
        exponent += 1;
    }
}

/// A hair of tolerance: 0.3 / 0.1 is 2.9999999999999996 in binary, and means 3.
fn snap(x: f64) -> f64 {
    let r = x.round();
    if (x - r).abs() < 1e-9 { r } else { x }
}

fn power_of_ten(exponent: i32) -> Decimal {
    if exponent >= 0 {
        Decimal::from(10_i64.pow(exponent.min(18) as u32))
    } else {
        Decimal::new(1, exponent.unsigned_abs().min(28))
    }
}

fn step_f64(d: Decimal) -> f64 {
    use rust_decimal::prelude::ToPrimitive;
    d.to_f64().unwrap_or(1.0)
}

/// What a time tick says: the coarsest unit that changes at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeLabel {
    /// Hours, minutes and seconds (`14:30:05`), for steps under a minute.
    Seconds(u32, u32, u32),
    /// Hours and minutes (`14:30`).
    Clock(u32, u32),
    /// Day and month (`8 dic`, `Dec 8`).
    Day(u32, u32),
    /// A month (`dic`, `Dec`).
    Month(u32),
    /// A year (`2027`).
    Year(i32),
}

/// One tick of a time axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeTick {
    /// Where.
    pub at: Timestamp,
    /// What it says.
    pub label: TimeLabel,
}

/// The steps a time axis may take, in seconds (calendar months and years below).
const STEPS: [i64; 20] = [
    1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
    172_800, 604_800,
];
const DAY: i64 = 86_400;

/// Ticks for the instants `[from, to]` shown in `zone`, at most `max` of them.
pub fn time_ticks(from: Timestamp, to: Timestamp, zone: Tz, max: usize) -> Vec<TimeTick> {
    let max = max.max(2) as i64;
    let (from, to) = (from.min(to), from.max(to));
    let span = (to.as_micros() - from.as_micros()) / 1_000_000;
    let local = |t: Timestamp| t.to_datetime().with_timezone(&zone);
    let start = local(from);
    let instant = |date: NaiveDate, seconds: i64| {
        let naive = date.and_hms_opt(0, 0, 0)? + chrono::Duration::seconds(seconds);
        // A local time skipped by a daylight-saving change has no tick.
        zone.from_local_datetime(&naive)
            .earliest()
            .map(|dt| Timestamp::from_datetime(dt.with_timezone(&chrono::Utc)))
    };
    let mut at: Vec<Timestamp> = Vec::new();
    if let Some(step) = STEPS.iter().copied().find(|s| span / s < max) {
        // Aligned on local midnight of the first day: 14:00, 14:15…; whole days; weeks.
        let mut day = start.date_naive();
        let seconds = i64::from(start.num_seconds_from_midnight());
        let mut offset = if step < DAY {
            seconds - seconds % step
        } else {
            0
        };
        while let Some(t) = instant(day, offset) {
            if t > to {
                break;
            }
            if t >= from {
                at.push(t);
            }
            offset += step;
            if step < DAY && offset >= DAY {
                (day, offset) = (day + chrono::Duration::days(1), 0);
            }
        }
    } else {
        // Calendar months (1, 3, 6) then years (1, 2, 5, 10…), on the first of the month.
        // A month counted as 28 days over-estimates the ticks: never more than `max`.
        let months_between = |m: i64| (span / (DAY * 28)) / m + 1;
        let step = [1, 3, 6]
            .into_iter()
            .find(|m| months_between(*m) <= max)
            .unwrap_or_else(|| {
                let years = span / (DAY * 365) + 1;
                (0..18)
                    .flat_map(|e| [1, 2, 5].map(|m| m * 10_i64.pow(e)))
                    .find(|y| years / y < max)
                    .unwrap_or(1)
                    * 12
            });
        let mut month = (start.year() as i64) * 12 + (start.month0() as i64);
        month -= month % step;
        loop {
            let date = NaiveDate::from_ymd_opt((month / 12) as i32, (month % 12) as u32 + 1, 1);
            let Some(t) = date.and_then(|d| instant(d, 0)) else {
                break;
            };
            if t > to {
                break;
            }
            if t >= from {
                at.push(t);
            }
            month += step;
        }
    }
    let fine = STEPS.iter().copied().find(|s| span / s < max);
    at.into_iter()
        .map(|t| {
            let l = local(t);
            let label = if fine.is_some_and(|s| s < 60) && l.second() != 0 {
                TimeLabel::Seconds(l.hour(), l.minute(), l.second())
            } else if l.hour() != 0 || l.minute() != 0 || l.second() != 0 {
                TimeLabel::Clock(l.hour(), l.minute())
            } else if l.day() != 1 {
                TimeLabel::Day(l.day(), l.month())
            } else if l.month() != 1 {
                TimeLabel::Month(l.month())
            } else {
                TimeLabel::Year(l.year())
            };
            TimeTick { at: t, label }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn texts(ticks: &[Decimal]) -> Vec<String> {
        ticks.iter().map(|t| t.to_string()).collect()
    }

    #[test]
    fn nice_ticks_are_round_and_cover_the_data() {
        assert_eq!(
            texts(&nice_ticks(0.0, 37.0, 6)),
            ["0", "10", "20", "30", "40"]
        );
        assert_eq!(
            texts(&nice_ticks(0.0, 100.0, 6)),
            ["0", "20", "40", "60", "80", "100"]
        );
        // Counts below ten: whole steps, never 0.5 of a supplier unless the space asks for it.
        assert_eq!(texts(&nice_ticks(0.0, 3.0, 5)), ["0", "1", "2", "3"]);
        // An HHI near its top.
        assert_eq!(
            texts(&nice_ticks(0.0, 7_340.0, 6)),
            ["0", "2000", "4000", "6000", "8000"]
        );
        // Auction prices: not from zero; decimal steps stay exact.
        assert_eq!(
            texts(&nice_ticks(999_000.0, 1_000_000.0, 6)),
            ["999000", "999200", "999400", "999600", "999800", "1000000"]
        );
        assert_eq!(
            nice_ticks(0.1, 0.3, 3),
            vec![d("0.1"), d("0.2"), d("0.3")],
            "no 0.30000000000000004"
        );
    }

    #[test]
    fn nice_ticks_survive_flat_empty_and_absurd_input() {
        assert_eq!(texts(&nice_ticks(5.0, 5.0, 5)), ["5", "5.5", "6"]);
        assert_eq!(texts(&nice_ticks(0.0, 0.0, 5)), ["0", "0.5", "1"]);
        assert_eq!(texts(&nice_ticks(f64::NAN, 3.0, 5)), ["0", "0.5", "1"]);
        assert_eq!(
            texts(&nice_ticks(0.0, 1e12, 1)),
            ["0", "500000000000", "1000000000000"]
        );
        for max in 3..12 {
            let t = nice_ticks(-3.0, 1234.5, max);
            assert!(t.len() <= max, "{max}: {t:?}");
            assert!(step_f64(t[0]) <= -3.0 && step_f64(*t.last().unwrap()) >= 1234.5);
        }
    }

    fn at(text: &str) -> Timestamp {
        Timestamp::parse(text).unwrap()
    }

    const GT: Tz = chrono_tz::America::Guatemala;

    #[test]
    fn time_ticks_of_an_auction_are_local_clock_times() {
        // 14:03 to 14:41 local (UTC−6): every 10 minutes, on the local clock.
        let ticks = time_ticks(
            at("2026-12-07T20:03:00Z"),
            at("2026-12-07T20:41:00Z"),
            GT,
            6,
        );
        let labels: Vec<TimeLabel> = ticks.iter().map(|t| t.label).collect();
        assert_eq!(
            labels,
            [
                TimeLabel::Clock(14, 10),
                TimeLabel::Clock(14, 20),
                TimeLabel::Clock(14, 30),
                TimeLabel::Clock(14, 40)
            ]
        );
        assert_eq!(ticks[0].at, at("2026-12-07T20:10:00Z"));
        // A short soft close: seconds.
        let ticks = time_ticks(
            at("2026-12-07T20:00:00Z"),
            at("2026-12-07T20:00:40Z"),
            GT,
            6,
        );
        assert_eq!(ticks[1].label, TimeLabel::Seconds(14, 0, 10));
        assert_eq!(ticks[0].label, TimeLabel::Clock(14, 0), "a whole minute");
    }

    #[test]
    fn time_ticks_across_the_year_boundary_name_the_new_year() {
        // Daily ticks from 29 December to 3 January, local time.
        let ticks = time_ticks(
            at("2026-12-29T06:00:00Z"),
            at("2027-01-03T06:00:00Z"),
            GT,
            8,
        );
        let labels: Vec<TimeLabel> = ticks.iter().map(|t| t.label).collect();
        assert_eq!(
            labels,
            [
                TimeLabel::Day(29, 12),
                TimeLabel::Day(30, 12),
                TimeLabel::Day(31, 12),
                TimeLabel::Year(2027),
                TimeLabel::Day(2, 1),
                TimeLabel::Day(3, 1)
            ]
        );
        // Midnight in Guatemala, not in UTC.
        assert_eq!(ticks[3].at, at("2027-01-01T06:00:00Z"));
        // Monthly ticks over half a year.
        let ticks = time_ticks(
            at("2026-10-15T00:00:00Z"),
            at("2027-03-20T00:00:00Z"),
            GT,
            8,
        );
        let labels: Vec<TimeLabel> = ticks.iter().map(|t| t.label).collect();
        assert_eq!(
            labels,
            [
                TimeLabel::Month(11),
                TimeLabel::Month(12),
                TimeLabel::Year(2027),
                TimeLabel::Month(2),
                TimeLabel::Month(3)
            ]
        );
        // Hourly ticks across midnight of 31 December.
        let ticks = time_ticks(
            at("2027-01-01T03:30:00Z"),
            at("2027-01-01T09:10:00Z"),
            GT,
            8,
        );
        let labels: Vec<TimeLabel> = ticks.iter().map(|t| t.label).collect();
        assert!(labels.contains(&TimeLabel::Clock(23, 0)), "{labels:?}");
        assert!(labels.contains(&TimeLabel::Year(2027)), "{labels:?}");
    }

    #[test]
    fn time_ticks_over_years_and_of_an_instant() {
        let ticks = time_ticks(
            at("2015-06-01T00:00:00Z"),
            at("2027-06-01T00:00:00Z"),
            GT,
            6,
        );
        assert!(ticks.len() <= 6 && ticks.len() >= 2, "{ticks:?}");
        assert_eq!(ticks[0].label, TimeLabel::Year(2020), "every five years");
        assert!(ticks.iter().all(|t| matches!(t.label, TimeLabel::Year(_))));
        let one = at("2026-12-07T20:03:00Z");
        assert!(time_ticks(one, one, GT, 6).len() <= 1);
    }
}
