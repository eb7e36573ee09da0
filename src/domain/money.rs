//! Exact money and quantities.
//!
//! Amounts are `rust_decimal::Decimal`, never floating point: a unit price of Q0.0345 per
//! tablet times 1,200,000 tablets must give exactly Q41,400.00. Unit prices keep up to four
//! decimals (common in medicine tenders); totals are rounded to the currency's minor unit with
//! the commercial rule (half away from zero) only when a total is fixed (bid total, award,
//! contract), and stored both as exact text and as integer minor units for filtering.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use std::str::FromStr;

/// Largest amount accepted anywhere (10^13 = ten trillion), far above any real procurement,
/// so sums of many amounts can never overflow `i64` minor units.
pub fn max_amount() -> Decimal {
    Decimal::from(10_000_000_000_000i64)
}

/// Why a text is not an acceptable amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    /// Not a number.
    #[error("not a number")]
    NotANumber,
    /// A comma that is not a thousands separator (`12,50`).
    #[error("a comma outside a thousands position")]
    MisplacedComma,
    /// Negative (or zero where a positive value is needed).
    #[error("must be positive")]
    NotPositive,
    /// More decimals than allowed.
    #[error("too many decimals")]
    TooPrecise,
    /// Above [`max_amount`].
    #[error("too large")]
    TooLarge,
}

/// Parses a positive amount typed by a person: `1234.5`, `1,234.50`, `Q 1,234.50`, `  12 `.
/// Commas are thousands separators in their places only (Guatemalan usage); `12,50` is refused
/// as [`AmountError::MisplacedComma`] rather than read as 1250 (issue 13). The reading rule is
/// [`crate::format::parse_decimal`], shared by every form; at most `max_decimals` decimals.
pub fn parse_positive(text: &str, max_decimals: u32) -> Result<Decimal, AmountError> {
    let value = crate::format::parse_decimal(text).map_err(|e| match e {
        crate::format::DecimalInputError::MisplacedComma => AmountError::MisplacedComma,
        crate::format::DecimalInputError::NotANumber => AmountError::NotANumber,
    })?;
    if value <= Decimal::ZERO {
        return Err(AmountError::NotPositive);
    }
    if value.normalize().scale() > max_decimals {
        return Err(AmountError::TooPrecise);
    }
    if value > max_amount() {
        return Err(AmountError::TooLarge);
    }
    Ok(value.normalize())
}

/// Rounds to the minor unit, half away from zero, always written with two decimals
/// (`175000.00`), so stored and published totals have one canonical form.
pub fn round_minor(value: Decimal) -> Decimal {
    let mut rounded = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(2);
    rounded
}

/// Integer minor units (centavos) of a value rounded with [`round_minor`].
pub fn to_minor(value: Decimal) -> i64 {
    (round_minor(value) * Decimal::from(100))
        .to_i64()
        .unwrap_or(i64::MAX)
}

/// A decimal from integer minor units.
pub fn from_minor(minor: i64) -> Decimal {
    Decimal::new(minor, 2)
}

/// Reads an exact decimal stored as text; corrupt text reads as zero and is logged, never
/// a panic in a page.
pub fn stored(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap_or_else(|_| {
        tracing::error!(text, "stored decimal cannot be read");
        Decimal::ZERO
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn parsing() {
        assert_eq!(parse_positive("1,234.50", 2), Ok(d("1234.5")));
        assert_eq!(parse_positive("Q 12", 2), Ok(d("12")));
        assert_eq!(parse_positive("0.0345", 4), Ok(d("0.0345")));
        assert_eq!(parse_positive("0.0345", 2), Err(AmountError::TooPrecise));
        assert_eq!(parse_positive("0", 2), Err(AmountError::NotPositive));
        assert_eq!(parse_positive("-5", 2), Err(AmountError::NotPositive));
        assert_eq!(parse_positive("1e5", 2), Err(AmountError::NotANumber));
        assert_eq!(parse_positive("abc", 2), Err(AmountError::NotANumber));
        assert_eq!(parse_positive("", 2), Err(AmountError::NotANumber));
        assert_eq!(parse_positive("12,50", 2), Err(AmountError::MisplacedComma));
        assert_eq!(
            parse_positive("99999999999999", 2),
            Err(AmountError::TooLarge)
        );
    }

    #[test]
    fn exact_products_and_rounding() {
        assert_eq!(d("0.0345") * d("1200000"), d("41400.0000"));
        assert_eq!(round_minor(d("10.005")), d("10.01"));
        assert_eq!(round_minor(d("10.004")), d("10.00"));
        assert_eq!(round_minor(d("175000.0")).to_string(), "175000.00");
        assert_eq!(to_minor(d("41400")), 4_140_000);
        assert_eq!(from_minor(4_140_001), d("41400.01"));
    }
}
