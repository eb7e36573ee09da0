//! Exact money arithmetic.
//!
//! Rankings and required prices decide who wins public money, so they must never depend on a
//! rounding inside the arithmetic. Every product here is checked to be exact (the `rust_decimal`
//! scale of a product is the sum of the operands' scales unless it had to round), every score
//! comparison is done by cross-multiplication instead of division, and the one place a division
//! is unavoidable — the largest acceptable price — is floored exactly and verified by
//! multiplication.

use std::cmp::Ordering;

use rust_decimal::{Decimal, RoundingStrategy};

/// The exact result does not fit in `rust_decimal`'s 28 digits. The rulebook bounds
/// ([`crate::rules::MAX_PRICE`], [`crate::rules::MAX_FEATURE_SUM`]) keep real auctions far from
/// it; if it ever happens the engine reports it instead of guessing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Inexact;

/// `a × b`, or `Inexact` if the product had to be rounded or overflowed.
pub(crate) fn mul(a: Decimal, b: Decimal) -> Result<Decimal, Inexact> {
    let (a, b) = (a.normalize(), b.normalize());
    let scale = a.scale() + b.scale();
    if scale > 28 {
        return Err(Inexact);
    }
    let product = a.checked_mul(b).ok_or(Inexact)?;
    if product.is_zero() || product.scale() == scale {
        Ok(product)
    } else {
        Err(Inexact)
    }
}

/// Compare `a_num / a_den` with `b_num / b_den` (both denominators positive) exactly.
pub(crate) fn cmp_ratio(
    a_num: Decimal,
    a_den: Decimal,
    b_num: Decimal,
    b_den: Decimal,
) -> Result<Ordering, Inexact> {
    if a_den == b_den {
        return Ok(a_num.cmp(&b_num));
    }
    Ok(mul(a_num, b_den)?.cmp(&mul(b_num, a_den)?))
}

/// The smallest step of a price with `scale` decimals (0.01 for centavos).
pub(crate) fn unit(scale: u32) -> Decimal {
    Decimal::new(1, scale)
}

/// The largest multiple of `unit(scale)` that is ≤ `num / den` (`den` > 0): rounding *down*
/// means an accepted bid always improves by at least the configured decrement, never by a
/// centavo less.
pub(crate) fn floor_div(num: Decimal, den: Decimal, scale: u32) -> Result<Decimal, Inexact> {
    debug_assert!(den > Decimal::ZERO);
    let approx = num.checked_div(den).ok_or(Inexact)?;
    let mut q = approx.round_dp_with_strategy(scale, RoundingStrategy::ToNegativeInfinity);
    let step = unit(scale);
    // The division may be off in its last of 28 digits; correct with exact products.
    for _ in 0..4 {
        if mul(q, den)? > num {
            q -= step;
        } else if mul(q + step, den)? <= num {
            q += step;
        } else {
            return Ok(q);
        }
    }
    Err(Inexact)
}

/// `price` (already a multiple of the currency unit) written with exactly `scale` decimals, so
/// every published price reads the same way ("99.50", not "99.5" or "99.500").
pub(crate) fn on_scale(price: Decimal, scale: u32) -> Decimal {
    let mut p = price;
    p.rescale(scale);
    p
}

/// `value` rounded half away from zero to `dp` places, for display only (percentages, scores).
/// Always written with `dp` decimals ("0.00", not "0").
pub(crate) fn display_round(value: Decimal, dp: u32) -> Decimal {
    let mut rounded = value.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(dp);
    rounded
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn mul_is_exact_or_refuses() {
        assert_eq!(mul(d("100.00"), d("0.995")).unwrap(), d("99.5"));
        assert_eq!(
            mul(d("1000000000000.00"), d("101.000000")).unwrap(),
            d("101000000000000")
        );
        // 28 significant digits cannot hold this exactly.
        assert_eq!(
            mul(d("1234567890123456.7890"), d("1234567890123.4567891")),
            Err(Inexact)
        );
    }

    #[test]
    fn floor_div_rounds_down_to_the_currency_unit() {
        // 99.99 × 0.995 = 99.49005 → 99.49
        assert_eq!(floor_div(d("9949.005"), d("100"), 2).unwrap(), d("99.49"));
        // Exactly on the grid stays.
        assert_eq!(floor_div(d("9950"), d("100"), 2).unwrap(), d("99.50"));
        // 100 / 3 = 33.333… → 33.33; negatives go towards −∞.
        assert_eq!(floor_div(d("100"), d("3"), 2).unwrap(), d("33.33"));
        assert_eq!(floor_div(d("-1"), d("3"), 2).unwrap(), d("-0.34"));
        // A ratio whose decimal expansion is 28 digits long and just below the grid point.
        let num = d("200");
        let den = d("3");
        assert_eq!(floor_div(num, den, 0).unwrap(), d("66"));
        // 1/7 × 7 exactly on the grid: 7.00 / 1 after multiplication.
        assert_eq!(floor_div(d("700"), d("7"), 2).unwrap(), d("100"));
    }

    #[test]
    fn cmp_ratio_compares_without_dividing() {
        // 100/1.1 ≈ 90.909 vs 91/1 = 91
        assert_eq!(
            cmp_ratio(d("100"), d("1.1"), d("91"), d("1")).unwrap(),
            Ordering::Less
        );
        // 110/1.1 = 100 = 100/1 exactly, even though 110/1.1 is not exact in binary.
        assert_eq!(
            cmp_ratio(d("110"), d("1.1"), d("100"), d("1")).unwrap(),
            Ordering::Equal
        );
    }
}
