//! Business days: weekends and holidays from the rulebook, and the period arithmetic built on
//! them. Guatemalan procurement periods are stated either in *días hábiles* (business days) or
//! in calendar days, always counted in the local calendar (America/Guatemala).
//!
//! Holidays are of three kinds, so a file can express the Guatemalan list exactly:
//! - **fixed** (`date = "MM-DD"`) every year, optionally moved by a [`Shift`] rule;
//! - **Easter-relative** (`easter_offset = -2` is Good Friday), from the Gregorian Easter date
//!   (anonymous Gregorian / Meeus–Jones–Butcher algorithm);
//! - **one-off** (`on = 2026-07-02`), for holidays decreed for a single year.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::model::DaysKind;

/// A rule moving a fixed holiday to make a long weekend. Guatemala, Decreto 42-2010 (Ley que
/// Promueve el Turismo Interno) art. 2: a holiday falling on a Tuesday is enjoyed on the
/// Monday before; on a Wednesday or Thursday, on the Friday after; on a weekend it is not moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shift {
    /// Tuesday → Monday before; Wednesday/Thursday → Friday after; otherwise unchanged.
    TueToMonWedThuToFri,
}

impl Shift {
    fn apply(self, date: NaiveDate) -> NaiveDate {
        match self {
            Shift::TueToMonWedThuToFri => match date.weekday() {
                Weekday::Tue => date - Duration::days(1),
                Weekday::Wed => date + Duration::days(2),
                Weekday::Thu => date + Duration::days(1),
                _ => date,
            },
        }
    }
}

/// When a holiday falls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum HolidayRule {
    /// The same month and day every year, possibly moved by a shift rule.
    Fixed {
        /// Month 1–12.
        month: u32,
        /// Day of month.
        day: u32,
        /// Optional long-weekend rule.
        shift: Option<Shift>,
    },
    /// Days relative to Easter Sunday (negative: before).
    EasterOffset {
        /// Offset in days.
        offset: i64,
    },
    /// A single date.
    On {
        /// The date.
        date: NaiveDate,
    },
}

/// A named holiday with its legal source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Holiday {
    /// When it falls.
    pub rule: HolidayRule,
    /// Spanish name.
    pub name_es: String,
    /// English name.
    pub name_en: String,
    /// Legal source.
    pub cite: String,
}

impl Holiday {
    /// The day the holiday is enjoyed in `year`, if it falls in that year.
    pub fn date_in(&self, year: i32) -> Option<NaiveDate> {
        match self.rule {
            HolidayRule::Fixed { month, day, shift } => {
                let date = NaiveDate::from_ymd_opt(year, month, day)?;
                Some(shift.map_or(date, |s| s.apply(date)))
            }
            HolidayRule::EasterOffset { offset } => {
                let date = easter_sunday(year)?.checked_add_signed(Duration::days(offset))?;
                (date.year() == year).then_some(date)
            }
            HolidayRule::On { date } => (date.year() == year).then_some(date),
        }
    }
}

/// Weekend days and holidays of a jurisdiction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HolidayCalendar {
    pub(crate) weekend: Vec<Weekday>,
    pub(crate) holidays: Vec<Holiday>,
    pub(crate) cite: String,
}

impl HolidayCalendar {
    /// Builds a calendar (the rulebook loader does this from the file).
    pub fn new(weekend: Vec<Weekday>, holidays: Vec<Holiday>, cite: String) -> Self {
        HolidayCalendar {
            weekend,
            holidays,
            cite,
        }
    }

    /// Days of the week that are never business days.
    pub fn weekend(&self) -> &[Weekday] {
        &self.weekend
    }

    /// The holiday rules.
    pub fn holidays(&self) -> &[Holiday] {
        &self.holidays
    }

    /// Legal source of the weekend and holiday list.
    pub fn cite(&self) -> &str {
        &self.cite
    }

    /// The holiday enjoyed on `date`, if any.
    pub fn holiday_on(&self, date: NaiveDate) -> Option<&Holiday> {
        let years = [date.year() - 1, date.year(), date.year() + 1];
        self.holidays
            .iter()
            .find(|h| years.iter().any(|&y| h.date_in(y) == Some(date)))
    }

    /// Every holiday date of `year`, sorted (for the calendar page).
    pub fn holidays_in(&self, year: i32) -> Vec<(NaiveDate, &Holiday)> {
        let mut days: Vec<_> = self
            .holidays
            .iter()
            .filter_map(|h| h.date_in(year).map(|d| (d, h)))
            .collect();
        days.sort_by_key(|(d, _)| *d);
        days
    }

    /// Whether `date` is a business day (*día hábil*): not a weekend day and not a holiday.
    pub fn is_business_day(&self, date: NaiveDate) -> bool {
        !self.weekend.contains(&date.weekday()) && self.holiday_on(date).is_none()
    }

    /// The date `days` days after `from`, counted the given way. Day 0 is `from` itself; the
    /// count starts the day after (the Guatemalan rule for periods: the day of publication
    /// does not count). For business days the result is the `days`-th business day after
    /// `from`. `None` only past the end of the representable calendar.
    pub fn add_days(&self, from: NaiveDate, days: u32, kind: DaysKind) -> Option<NaiveDate> {
        match kind {
            DaysKind::Calendar => from.checked_add_signed(Duration::days(i64::from(days))),
            DaysKind::Business => {
                let mut date = from;
                let mut left = days;
                while left > 0 {
                    date = date.succ_opt()?;
                    if self.is_business_day(date) {
                        left -= 1;
                    }
                }
                Some(date)
            }
        }
    }

    /// The date `days` days before `from` (the mirror of [`Self::add_days`]): for business days,
    /// the `days`-th business day before `from`.
    pub fn sub_days(&self, from: NaiveDate, days: u32, kind: DaysKind) -> Option<NaiveDate> {
        match kind {
            DaysKind::Calendar => from.checked_sub_signed(Duration::days(i64::from(days))),
            DaysKind::Business => {
                let mut date = from;
                let mut left = days;
                while left > 0 {
                    date = date.pred_opt()?;
                    if self.is_business_day(date) {
                        left -= 1;
                    }
                }
                Some(date)
            }
        }
    }

    /// How many days of the given kind lie in `(from, to]` — the length of a period that starts
    /// the day after `from` and ends on `to`. Zero when `to <= from`.
    pub fn days_between(&self, from: NaiveDate, to: NaiveDate, kind: DaysKind) -> u32 {
        if to <= from {
            return 0;
        }
        match kind {
            DaysKind::Calendar => u32::try_from((to - from).num_days()).unwrap_or(u32::MAX),
            DaysKind::Business => from
                .iter_days()
                .skip(1)
                .take_while(|d| *d <= to)
                .filter(|d| self.is_business_day(*d))
                .fold(0u32, |n, _| n.saturating_add(1)),
        }
    }
}

/// Easter Sunday of a Gregorian year (anonymous Gregorian algorithm, Meeus/Jones/Butcher), the
/// anchor of Holy Week (*Semana Santa*): Holy Thursday is Easter − 3, Good Friday − 2, Holy
/// Saturday − 1. Valid for every Gregorian year; `None` only outside chrono's date range.
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c.div_euclid(4);
    let k = c.rem_euclid(4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l).div_euclid(451);
    let month = (h + l - 7 * m + 114).div_euclid(31);
    let day = (h + l - 7 * m + 114).rem_euclid(31) + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn easter_matches_published_dates() {
        // Dates from the Gregorian tables (including the extreme 2285-03-22 and 2038-04-25).
        for (y, m, day) in [
            (2008, 3, 23),
            (2016, 3, 27),
            (2019, 4, 21),
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2038, 4, 25),
            (2285, 3, 22),
        ] {
            assert_eq!(easter_sunday(y), Some(d(y, m, day)), "{y}");
        }
    }

    #[test]
    fn shift_moves_tuesday_back_and_midweek_forward() {
        let s = Shift::TueToMonWedThuToFri;
        assert_eq!(s.apply(d(2026, 6, 30)), d(2026, 6, 29)); // Tue → Mon
        assert_eq!(s.apply(d(2027, 6, 30)), d(2027, 7, 2)); // Wed → Fri
        assert_eq!(s.apply(d(2022, 6, 30)), d(2022, 7, 1)); // Thu → Fri
        assert_eq!(s.apply(d(2025, 6, 30)), d(2025, 6, 30)); // Mon stays
        assert_eq!(s.apply(d(2024, 6, 30)), d(2024, 6, 30)); // Sun stays
    }
}
