//! Instants in UTC and their display in the institution's time zone.
//!
//! Deadlines decide who may bid, so every instant is stored as exact UTC microseconds (an
//! integer, identical on SQLite and PostgreSQL, sortable and free of offset ambiguity) and is
//! only converted to local time (America/Guatemala by default, PRODUCT.md principle 5) when
//! shown to a person.

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// An instant in UTC with microsecond precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Timestamp(i64);

impl Timestamp {
    /// The server's clock now. The only place the platform reads the wall clock, so that
    /// deadline logic stays testable with explicit instants everywhere else.
    pub fn now() -> Timestamp {
        Timestamp::from_datetime(Utc::now())
    }

    /// From microseconds since the Unix epoch (the stored form).
    pub const fn from_micros(micros: i64) -> Timestamp {
        Timestamp(micros)
    }

    /// Microseconds since the Unix epoch (the stored form).
    pub const fn as_micros(self) -> i64 {
        self.0
    }

    /// From a chrono UTC date-time (sub-microsecond precision is truncated).
    pub fn from_datetime(dt: DateTime<Utc>) -> Timestamp {
        Timestamp(dt.timestamp_micros())
    }

    /// As a chrono UTC date-time.
    pub fn to_datetime(self) -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp_micros(self.0).unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    /// RFC 3339 in UTC with microseconds, the form used in JSON and OCDS.
    pub fn to_rfc3339(self) -> String {
        self.to_datetime()
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
    }

    /// Parses RFC 3339 with any offset (converted to UTC) or a bare date (midnight UTC).
    pub fn parse(text: &str) -> Option<Timestamp> {
        if let Ok(dt) = DateTime::parse_from_rfc3339(text.trim()) {
            return Some(Timestamp::from_datetime(dt.with_timezone(&Utc)));
        }
        let date = chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()?;
        Some(Timestamp::from_datetime(
            Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0)?),
        ))
    }

    /// Parses what a person types: RFC 3339, or a local `YYYY-MM-DDTHH:MM` (an HTML
    /// `datetime-local` field) or `YYYY-MM-DD HH:MM` read in `zone`. An ambiguous or skipped
    /// local time (daylight-saving changes; Guatemala has none today) is refused.
    pub fn parse_local(text: &str, zone: Tz) -> Option<Timestamp> {
        let text = text.trim();
        if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
            return Some(Timestamp::from_datetime(dt.with_timezone(&Utc)));
        }
        let naive = [
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%d %H:%M",
            "%Y-%m-%d %H:%M:%S",
        ]
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(text, f).ok())?;
        match zone.from_local_datetime(&naive) {
            chrono::LocalResult::Single(dt) => {
                Some(Timestamp::from_datetime(dt.with_timezone(&Utc)))
            }
            _ => None,
        }
    }

    /// The `datetime-local` form value of this instant in `zone` (`YYYY-MM-DDTHH:MM`).
    pub fn to_local_input(self, zone: Tz) -> String {
        self.to_datetime()
            .with_timezone(&zone)
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    }

    /// Shown to a person in the configured zone, e.g. `2026-11-22 09:30:00 CST`.
    pub fn display_in(self, zone: Tz) -> String {
        self.to_datetime()
            .with_timezone(&zone)
            .format("%Y-%m-%d %H:%M:%S %Z")
            .to_string()
    }

    /// This instant plus whole seconds (saturating).
    pub fn plus_seconds(self, seconds: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(seconds.saturating_mul(1_000_000)))
    }
}

impl From<Timestamp> for String {
    fn from(t: Timestamp) -> String {
        t.to_rfc3339()
    }
}

impl TryFrom<String> for Timestamp {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Timestamp::parse(&s).ok_or_else(|| format!("not an RFC 3339 date-time: {s}"))
    }
}

/// Parses a time-zone name from the configuration (IANA database, embedded in the binary).
pub fn parse_zone(name: &str) -> Option<Tz> {
    name.parse::<Tz>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_form_round_trips() {
        let t = Timestamp::parse("2026-11-22T15:30:00.123456Z").unwrap();
        assert_eq!(Timestamp::from_micros(t.as_micros()), t);
        assert_eq!(t.to_rfc3339(), "2026-11-22T15:30:00.123456Z");
    }

    #[test]
    fn offsets_are_normalised_to_utc() {
        let local = Timestamp::parse("2026-11-22T09:30:00-06:00").unwrap();
        let utc = Timestamp::parse("2026-11-22T15:30:00Z").unwrap();
        assert_eq!(local, utc);
    }

    #[test]
    fn shown_in_guatemala_time() {
        let t = Timestamp::parse("2026-11-22T15:30:00Z").unwrap();
        let zone = parse_zone("America/Guatemala").unwrap();
        assert_eq!(t.display_in(zone), "2026-11-22 09:30:00 CST");
    }

    #[test]
    fn local_input_is_read_in_the_zone() {
        let zone = parse_zone("America/Guatemala").unwrap();
        let t = Timestamp::parse_local("2026-12-01T09:30", zone).unwrap();
        assert_eq!(t.to_rfc3339(), "2026-12-01T15:30:00.000000Z");
        assert_eq!(t.to_local_input(zone), "2026-12-01T09:30");
        assert_eq!(
            Timestamp::parse_local("2026-12-01T15:30:00Z", zone),
            Some(t)
        );
        assert_eq!(Timestamp::parse_local("mañana", zone), None);
    }

    #[test]
    fn bare_dates_and_garbage() {
        assert_eq!(
            Timestamp::parse("2026-01-02"),
            Timestamp::parse("2026-01-02T00:00:00Z")
        );
        assert_eq!(Timestamp::parse("yesterday"), None);
        assert_eq!(Timestamp::parse("2026-13-40"), None);
    }
}
