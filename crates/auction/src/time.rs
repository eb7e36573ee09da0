//! Server time as the auction sees it.
//!
//! The engine never reads a clock (issue 4: "a pure module"): every command and event carries the
//! server timestamp the service assigned when it received it, so replaying the log reproduces every
//! deadline to the microsecond. Microseconds are the unit because they are what PostgreSQL and
//! SQLite (`strftime('%f')`) keep losslessly and what a bidder's click can be ordered by.

use std::fmt;
use std::ops::{Add, Sub};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An instant in UTC, in whole microseconds since the Unix epoch.
///
/// Serialised as an RFC 3339 string with exactly six fractional digits and a `Z` suffix
/// (`2025-03-04T15:00:00.000000Z`) so logs and transcripts are readable by people and by
/// any JSON consumer without guessing the epoch unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

/// Why a timestamp string could not be read: the transcript and event log are exchanged as JSON,
/// so a malformed or sub-microsecond time must be rejected rather than silently truncated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimestampError {
    /// Not an RFC 3339 date-time.
    #[error("not an RFC 3339 timestamp: {0}")]
    Malformed(String),
    /// More precise than a microsecond: the engine would have to round it, which would change
    /// the order of two bids.
    #[error("timestamp has sub-microsecond precision: {0}")]
    SubMicrosecond(String),
    /// Outside the range representable in microseconds since the epoch.
    #[error("timestamp out of range: {0}")]
    OutOfRange(String),
}

impl TimestampError {
    /// Stable machine code for API responses and logs.
    pub fn code(&self) -> &'static str {
        match self {
            TimestampError::Malformed(_) => "auction.timestamp_malformed",
            TimestampError::SubMicrosecond(_) => "auction.timestamp_sub_microsecond",
            TimestampError::OutOfRange(_) => "auction.timestamp_out_of_range",
        }
    }
}

impl Timestamp {
    /// The instant `micros` microseconds after 1970-01-01T00:00:00Z; the service converts its
    /// clock reading with this.
    pub const fn from_micros(micros: i64) -> Self {
        Timestamp(micros)
    }

    /// Microseconds since the Unix epoch, the unit the service stores.
    pub const fn as_micros(self) -> i64 {
        self.0
    }

    /// Parse an RFC 3339 timestamp (any offset; converted to UTC).
    pub fn parse_rfc3339(text: &str) -> Result<Self, TimestampError> {
        let parsed = DateTime::parse_from_rfc3339(text)
            .map_err(|_| TimestampError::Malformed(text.to_owned()))?;
        if parsed.timestamp_subsec_nanos() % 1_000 != 0 {
            return Err(TimestampError::SubMicrosecond(text.to_owned()));
        }
        Ok(Timestamp(parsed.timestamp_micros()))
    }

    /// `self` plus `duration`, saturating instead of overflowing (a deadline in the year
    /// 294,000 is as good as "never" and must not panic).
    pub fn plus(self, duration: Micros) -> Self {
        Timestamp(self.0.saturating_add(duration.0))
    }

    /// How long from `earlier` to `self` (negative if `earlier` is later).
    pub fn since(self, earlier: Timestamp) -> Micros {
        Micros(self.0.saturating_sub(earlier.0))
    }

    fn to_datetime(self) -> Option<DateTime<Utc>> {
        DateTime::from_timestamp_micros(self.0)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_datetime() {
            Some(dt) => f.write_str(&dt.to_rfc3339_opts(SecondsFormat::Micros, true)),
            None => write!(f, "@{}us", self.0),
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.to_datetime() {
            Some(dt) => serializer.serialize_str(&dt.to_rfc3339_opts(SecondsFormat::Micros, true)),
            None => Err(serde::ser::Error::custom(format!(
                "timestamp out of range: {}us",
                self.0
            ))),
        }
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Timestamp::parse_rfc3339(&text).map_err(serde::de::Error::custom)
    }
}

/// A span of time in microseconds. Rulebooks speak in seconds; the engine converts once so
/// that every comparison is between integers of the same unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Micros(pub i64);

impl Micros {
    /// Zero length.
    pub const ZERO: Micros = Micros(0);

    /// Whole seconds as a span (rulebook fields are in seconds).
    pub const fn from_secs(secs: u32) -> Self {
        Micros(secs as i64 * 1_000_000)
    }
}

impl Add for Micros {
    type Output = Micros;
    fn add(self, rhs: Micros) -> Micros {
        Micros(self.0.saturating_add(rhs.0))
    }
}

impl Sub for Micros {
    type Output = Micros;
    fn sub(self, rhs: Micros) -> Micros {
        Micros(self.0.saturating_sub(rhs.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_rfc3339_with_microseconds() {
        let t = Timestamp::parse_rfc3339("2025-03-04T15:00:00.123456Z").unwrap();
        assert_eq!(t.to_string(), "2025-03-04T15:00:00.123456Z");
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, "\"2025-03-04T15:00:00.123456Z\"");
        let back: Timestamp = serde_json::from_str(&json).unwrap();
        assert_eq!(back, t);
    }

    #[test]
    fn converts_offsets_to_utc() {
        // Guatemala is UTC-6 all year.
        let gt = Timestamp::parse_rfc3339("2025-03-04T09:00:00-06:00").unwrap();
        let utc = Timestamp::parse_rfc3339("2025-03-04T15:00:00Z").unwrap();
        assert_eq!(gt, utc);
        assert_eq!(utc.as_micros(), 1_741_100_400_000_000);
    }

    #[test]
    fn rejects_nanoseconds_and_garbage_with_codes() {
        let err = Timestamp::parse_rfc3339("2025-03-04T15:00:00.123456789Z").unwrap_err();
        assert_eq!(err.code(), "auction.timestamp_sub_microsecond");
        let err = Timestamp::parse_rfc3339("yesterday").unwrap_err();
        assert_eq!(err.code(), "auction.timestamp_malformed");
        assert!(serde_json::from_str::<Timestamp>("\"noon\"").is_err());
    }

    #[test]
    fn arithmetic_saturates() {
        let t = Timestamp::from_micros(i64::MAX - 1);
        assert_eq!(
            t.plus(Micros::from_secs(10)),
            Timestamp::from_micros(i64::MAX)
        );
        assert_eq!(
            Timestamp::from_micros(10).since(Timestamp::from_micros(4)),
            Micros(6)
        );
    }
}
