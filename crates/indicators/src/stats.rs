//! Quartiles and outlier fences, exactly as the reference calculator computes them.
//!
//! Cardinal uses `statrs` 0.16 `Data::quantile`, which is Hyndman & Fan's type 8 ("median
//! unbiased"): with `n` sorted values `x[1..n]` and `h = (n + 1/3)·p + 1/3`, the quantile is
//! `x[⌊h⌋] + (h − ⌊h⌋)(x[⌊h⌋+1] − x[⌊h⌋])`, clamped to the minimum and maximum. The same
//! floating-point operations are done in the same order, so results are bit-identical. Fences
//! are `Q1 − 1.5·IQR` and `Q3 + 1.5·IQR`, computed with a fused multiply-add as the reference
//! does (`(q3 - q1).mul_add(±1.5, q)`), and compared inclusively by the callers.

/// The `p` quantile (0 ≤ p ≤ 1) of `values`, type 8. `NaN` when empty or `p` is out of range,
/// or when a value is `NaN` and the minimum or maximum is asked for (as `statrs`).
///
/// The slice is reordered (selection, not a full sort), which is why it is taken mutably.
pub fn quantile(values: &mut [f64], p: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) || values.is_empty() {
        return f64::NAN;
    }
    let n = values.len();
    let h = (n as f64 + 1.0 / 3.0) * p + 1.0 / 3.0;
    let hf = h as i64;
    if hf <= 0 || p == 0.0 {
        return min(values);
    }
    // statrs compares `tau` with 1.0 within 4 ulps; only p = 1.0 itself is that close for the
    // probabilities used (quartiles and whole percentiles).
    if hf >= n as i64 || (1.0 - p).abs() <= 4.0 * f64::EPSILON {
        return max(values);
    }
    let hf = hf as usize;
    let a = order_statistic(values, hf - 1);
    let b = order_statistic(values, hf);
    a + (h - hf as f64) * (b - a)
}

/// The `p`-th percentile (whole number), as `statrs`' `percentile(p)`.
pub fn percentile(values: &mut [f64], p: usize) -> f64 {
    quantile(values, p as f64 / 100.0)
}

/// First and third quartiles.
pub fn quartiles(values: &mut [f64]) -> (f64, f64) {
    (quantile(values, 0.25), quantile(values, 0.75))
}

/// `Q1 − 1.5·IQR`.
pub fn lower_fence(q1: f64, q3: f64) -> f64 {
    (q3 - q1).mul_add(-1.5, q1)
}

/// `Q3 + 1.5·IQR`.
pub fn upper_fence(q1: f64, q3: f64) -> f64 {
    (q3 - q1).mul_add(1.5, q3)
}

fn order_statistic(values: &mut [f64], rank: usize) -> f64 {
    if rank == 0 {
        return min(values);
    }
    if rank >= values.len() - 1 {
        return max(values);
    }
    let (_, nth, _) = values.select_nth_unstable_by(rank, f64::total_cmp);
    *nth
}

fn min(values: &[f64]) -> f64 {
    let mut acc = values[0];
    for &x in &values[1..] {
        if x < acc || x.is_nan() {
            acc = x;
        }
    }
    acc
}

fn max(values: &[f64]) -> f64 {
    let mut acc = values[0];
    for &x in &values[1..] {
        if x > acc || x.is_nan() {
            acc = x;
        }
    }
    acc
}

/// Median (type 8, like the quartiles) for price benchmarks.
pub fn median(values: &mut [f64]) -> f64 {
    quantile(values, 0.5)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_8_quartiles_match_known_values() {
        // R: quantile(c(1, 2, 3, 4), type = 8) → 25%: 1.416667, 75%: 3.583333
        let mut v = [4.0, 1.0, 3.0, 2.0];
        let (q1, q3) = quartiles(&mut v);
        assert!((q1 - 1.416_666_666_666_666_7).abs() < 1e-12, "{q1}");
        assert!((q3 - 3.583_333_333_333_333_5).abs() < 1e-12, "{q3}");
        // R: quantile(1:10, type = 8) → 25%: 2.916667, 50%: 5.5, 75%: 8.083333
        let mut v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert!((quantile(&mut v, 0.25) - 2.916_666_666_666_667).abs() < 1e-12);
        assert_eq!(median(&mut v), 5.5);
        assert!((quantile(&mut v, 0.75) - 8.083_333_333_333_334).abs() < 1e-12);
    }

    #[test]
    fn small_samples_clamp_to_extremes() {
        let mut one = [7.0];
        assert_eq!(quartiles(&mut one), (7.0, 7.0));
        let mut two = [1.0, 3.0];
        // h(0.25) = 0.9167 → min; h(0.75) = 2.083 → max
        assert_eq!(quartiles(&mut two), (1.0, 3.0));
        let mut empty: [f64; 0] = [];
        assert!(quantile(&mut empty, 0.5).is_nan());
        let mut v = [1.0, 2.0, 3.0];
        assert_eq!(percentile(&mut v, 100), 3.0);
        assert_eq!(percentile(&mut v, 0), 1.0);
        assert!(percentile(&mut v, 101).is_nan());
    }

    #[test]
    fn fences_use_one_and_a_half_iqr() {
        let q1 = 200.0 / 3.0;
        assert_eq!(lower_fence(q1, 100.0), (100.0 - q1).mul_add(-1.5, q1));
        assert!((lower_fence(q1, 100.0) - 16.666_666_666_666_7).abs() < 1e-9);
        assert_eq!(upper_fence(1.0, 3.0), 6.0);
    }

    proptest::proptest! {
        #[test]
        fn quantile_lies_between_neighbouring_order_statistics(
            mut values in proptest::collection::vec(-1e9f64..1e9, 1..60),
            p in 0.0f64..=1.0,
        ) {
            let q = quantile(&mut values.clone(), p);
            values.sort_by(f64::total_cmp);
            proptest::prop_assert!(q >= values[0] && q <= values[values.len() - 1]);
        }
    }
}
