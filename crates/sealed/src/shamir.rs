//! Shamir's secret sharing over GF(2^8), byte by byte.
//!
//! Why: issue 3, item 7 asks that the tender's decryption key be split "k of n" among the
//! opening committee so that no single person can open the bids early. Shamir's scheme (A. Shamir,
//! "How to share a secret", *Communications of the ACM* 22(11), 1979) gives exactly that with
//! information-theoretic secrecy: any `k` shares determine the secret, any `k − 1` shares are
//! consistent with *every* possible secret, so they reveal nothing at all.
//!
//! Construction: for each secret byte `s`, a polynomial `f(x) = s + a₁x + … + a_{k−1}x^{k−1}` over
//! GF(256) with uniformly random coefficients (a zero top coefficient is allowed: forcing it
//! non-zero would bias the distribution); share `i` (for `i = 1..=n`) holds `f(i)`. Reconstruction
//! is Lagrange interpolation at `x = 0`. Index 0 would be the secret itself and is never issued
//! nor accepted.
//!
//! This module knows nothing of keys or tenders; [`crate::ceremony`] uses it for the tender key
//! and checks the reconstruction against the published tender public key, which is how a
//! corrupted share is caught (Shamir alone cannot tell a wrong share from a right one).

use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::error::{Result, SealedError};
use crate::gf256;

/// Largest committee: the non-zero elements of GF(256).
pub const MAX_SHARES: u8 = 255;

/// One share of a secret: the evaluation point (`index`, 1..=255) and one field element per
/// secret byte.
///
/// A share is secret material: it is wiped from memory when dropped, its `Debug` output hides the
/// value, and it has no serde implementation so it cannot end up in a JSON response or a log by
/// accident. [`Share::to_secret_bytes`] exists for the one legitimate use (handing a share from
/// the node where a member unlocked it to the node that combines, during the opening).
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Share {
    index: u8,
    value: Vec<u8>,
}

impl std::fmt::Debug for Share {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Share")
            .field("index", &self.index)
            .field("value", &"<redacted>")
            .finish()
    }
}

impl Share {
    /// Builds a share from its parts, refusing index 0 (which would be the secret itself).
    pub fn new(index: u8, value: Vec<u8>) -> Result<Share> {
        if index == 0 {
            return Err(SealedError::InvalidShare {
                reason: "share index 0 is the secret itself and is never issued",
            });
        }
        Ok(Share { index, value })
    }

    /// The evaluation point, 1..=255; public (it is the member's position in the committee).
    pub fn index(&self) -> u8 {
        self.index
    }

    /// The share value (secret).
    pub fn value(&self) -> &[u8] {
        &self.value
    }

    /// The share as bytes: format version, kind, index, value. Secret: keep it in memory or
    /// hand it between nodes during the opening only; the buffer wipes itself when dropped.
    pub fn to_secret_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::with_capacity(3 + self.value.len()));
        out.push(crate::encoding::FORMAT_VERSION);
        out.push(crate::encoding::Kind::Share as u8);
        out.push(self.index);
        out.extend_from_slice(&self.value);
        out
    }

    /// Reads [`Share::to_secret_bytes`] output.
    pub fn from_secret_bytes(bytes: &[u8]) -> Result<Share> {
        let mut reader = crate::encoding::Reader::new(bytes);
        reader.header(crate::encoding::Kind::Share)?;
        let index = reader.u8()?;
        let value = reader.rest().to_vec();
        Share::new(index, value)
    }
}

/// Splits `secret` into `count` shares, any `threshold` of which reconstruct it.
///
/// Randomness comes from the operating system. `1 ≤ threshold ≤ count ≤ 255`; a threshold of 1
/// is legal here (every share *is* the secret) but refused by the tender ceremony, whose policy
/// is that no single member can open.
pub fn split(secret: &[u8], threshold: u8, count: u8) -> Result<Vec<Share>> {
    split_with(secret, threshold, count, crate::random::fill)
}

/// [`split`] with an injected source of coefficients, so tests can enumerate every polynomial.
pub(crate) fn split_with(
    secret: &[u8],
    threshold: u8,
    count: u8,
    mut fill: impl FnMut(&mut [u8]) -> Result<()>,
) -> Result<Vec<Share>> {
    check_parameters(threshold, count)?;
    let degree = usize::from(threshold) - 1;
    // coefficients[j * degree + d] is a_{d+1} of the polynomial for secret byte j.
    let mut coefficients = Zeroizing::new(vec![0u8; secret.len() * degree]);
    fill(&mut coefficients)?;
    let mut shares = Vec::with_capacity(usize::from(count));
    for x in 1..=count {
        let mut value = Vec::with_capacity(secret.len());
        for (j, &s) in secret.iter().enumerate() {
            let a = &coefficients[j * degree..(j + 1) * degree];
            // Horner: ((a_{k-1} x + a_{k-2}) x + … + a_1) x + s.
            let mut y = 0u8;
            for &c in a.iter().rev() {
                y = gf256::add(gf256::mul(y, x), c);
            }
            y = gf256::add(gf256::mul(y, x), s);
            value.push(y);
        }
        shares.push(Share { index: x, value });
    }
    Ok(shares)
}

fn check_parameters(threshold: u8, count: u8) -> Result<()> {
    let invalid = |reason| SealedError::InvalidThreshold {
        threshold: usize::from(threshold),
        members: usize::from(count),
        reason,
    };
    if count == 0 {
        return Err(invalid("at least one share is needed"));
    }
    if threshold == 0 {
        return Err(invalid("the threshold must be at least 1"));
    }
    if threshold > count {
        return Err(invalid("the threshold cannot exceed the number of shares"));
    }
    Ok(())
}

/// Reconstructs the secret from at least `threshold` shares.
///
/// All shares presented are used (not just the first `threshold`): if they all lie on the same
/// polynomial the result is the secret, and if one is wrong the result is wrong too, which the
/// caller detects by checking it against a public verification value (the ceremony compares the
/// tender public key). Errors: `sealed.not_enough_shares`, `sealed.duplicate_share`,
/// `sealed.invalid_share` (index 0, or shares of different lengths).
pub fn combine(shares: &[Share], threshold: u8) -> Result<Zeroizing<Vec<u8>>> {
    if threshold == 0 {
        return Err(SealedError::InvalidThreshold {
            threshold: 0,
            members: shares.len(),
            reason: "the threshold must be at least 1",
        });
    }
    let mut seen = [false; 256];
    for share in shares {
        if share.index == 0 {
            return Err(SealedError::InvalidShare {
                reason: "share index 0 is the secret itself and is never issued",
            });
        }
        if std::mem::replace(&mut seen[usize::from(share.index)], true) {
            return Err(SealedError::DuplicateShare { index: share.index });
        }
    }
    if shares.len() < usize::from(threshold) {
        return Err(SealedError::NotEnoughShares {
            have: shares.len(),
            need: usize::from(threshold),
        });
    }
    let length = shares[0].value.len();
    if shares.iter().any(|s| s.value.len() != length) {
        return Err(SealedError::InvalidShare {
            reason: "shares of different lengths cannot belong to the same secret",
        });
    }
    // Lagrange basis at 0: l_i = Π_{j≠i} x_j / (x_j − x_i); subtraction is XOR.
    let basis: Zeroizing<Vec<u8>> = Zeroizing::new(
        shares
            .iter()
            .map(|si| {
                shares
                    .iter()
                    .filter(|sj| sj.index != si.index)
                    .fold(1u8, |acc, sj| {
                        let term = gf256::mul(sj.index, gf256::inv(gf256::add(sj.index, si.index)));
                        gf256::mul(acc, term)
                    })
            })
            .collect(),
    );
    let mut secret = Zeroizing::new(vec![0u8; length]);
    for (share, &l) in shares.iter().zip(basis.iter()) {
        for (out, &y) in secret.iter_mut().zip(share.value.iter()) {
            *out = gf256::add(*out, gf256::mul(l, y));
        }
    }
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every subset of `shares` with at least `min` elements, as index lists.
    fn subsets(n: usize, min: usize) -> Vec<Vec<usize>> {
        (0u32..(1 << n))
            .filter(|mask| mask.count_ones() as usize >= min)
            .map(|mask| (0..n).filter(|i| mask & (1 << i) != 0).collect())
            .collect()
    }

    fn pick(shares: &[Share], which: &[usize]) -> Vec<Share> {
        which.iter().map(|&i| shares[i].clone()).collect()
    }

    #[test]
    fn every_subset_of_at_least_k_shares_reconstructs_for_every_k_up_to_n_8() {
        let secret: Vec<u8> = (0..32u8)
            .map(|b| b.wrapping_mul(37).wrapping_add(11))
            .collect();
        for n in 1..=8u8 {
            for k in 1..=n {
                let shares = split(&secret, k, n).unwrap();
                assert_eq!(shares.len(), usize::from(n));
                for subset in subsets(usize::from(n), usize::from(k)) {
                    let got = combine(&pick(&shares, &subset), k).unwrap();
                    assert_eq!(&got[..], &secret[..], "k={k} n={n} subset={subset:?}");
                }
            }
        }
    }

    #[test]
    fn the_largest_committee_works_with_the_first_last_and_scattered_shares() {
        let secret = [0xA5u8; 32];
        let shares = split(&secret, 3, 255).unwrap();
        assert_eq!(shares.last().unwrap().index(), 255);
        for trio in [[0usize, 1, 2], [252, 253, 254], [0, 127, 254]] {
            assert_eq!(&combine(&pick(&shares, &trio), 3).unwrap()[..], &secret[..]);
        }
    }

    #[test]
    fn fewer_than_k_shares_are_refused() {
        let shares = split(b"secret", 3, 5).unwrap();
        for subset in subsets(5, 0).into_iter().filter(|s| s.len() < 3) {
            let error = combine(&pick(&shares, &subset), 3).unwrap_err();
            assert_eq!(error.code(), "sealed.not_enough_shares", "{subset:?}");
        }
    }

    #[test]
    fn duplicate_indices_and_index_zero_are_refused() {
        let shares = split(b"secret", 2, 3).unwrap();
        let twice = vec![shares[0].clone(), shares[0].clone()];
        assert_eq!(
            combine(&twice, 2).unwrap_err(),
            SealedError::DuplicateShare { index: 1 }
        );
        // The same index with a different value is still a duplicate, not a second opinion.
        let mut other = shares[1].clone();
        other.index = 1;
        let clash = vec![shares[0].clone(), other, shares[2].clone()];
        assert_eq!(
            combine(&clash, 2).unwrap_err().code(),
            "sealed.duplicate_share"
        );

        assert_eq!(
            Share::new(0, vec![1]).unwrap_err().code(),
            "sealed.invalid_share"
        );
        let mut zero = shares[0].clone();
        zero.index = 0;
        let with_zero = vec![zero, shares[1].clone()];
        assert_eq!(
            combine(&with_zero, 2).unwrap_err().code(),
            "sealed.invalid_share"
        );
    }

    #[test]
    fn shares_of_different_lengths_are_refused() {
        let a = split(b"abcd", 2, 2).unwrap();
        let b = split(b"abc", 2, 2).unwrap();
        let mixed = vec![a[0].clone(), b[1].clone()];
        assert_eq!(
            combine(&mixed, 2).unwrap_err().code(),
            "sealed.invalid_share"
        );
    }

    #[test]
    fn parameters_are_checked() {
        for (k, n) in [(0u8, 3u8), (4, 3), (1, 0), (0, 0)] {
            assert_eq!(
                split(b"x", k, n).unwrap_err().code(),
                "sealed.invalid_threshold",
                "k={k} n={n}"
            );
        }
        assert_eq!(
            combine(&[], 0).unwrap_err().code(),
            "sealed.invalid_threshold"
        );
    }

    #[test]
    fn a_threshold_of_one_gives_the_secret_in_every_share() {
        let shares = split(b"plain", 1, 4).unwrap();
        for share in &shares {
            assert_eq!(share.value(), b"plain");
        }
    }

    #[test]
    fn a_wrong_share_gives_a_wrong_secret_rather_than_an_error() {
        // Why the ceremony needs the public-key check: interpolation cannot tell.
        let shares = split(&[7u8; 32], 2, 3).unwrap();
        let mut bad = shares[1].clone();
        bad.value[0] ^= 1;
        let got = combine(&[shares[0].clone(), bad], 2).unwrap();
        assert_ne!(&got[..], &[7u8; 32][..]);
    }

    /// Deterministic coefficient source enumerating `counter` as little-endian bytes.
    fn counting_fill(counter: u32) -> impl FnMut(&mut [u8]) -> Result<()> {
        move |buf: &mut [u8]| {
            for (i, b) in buf.iter_mut().enumerate() {
                *b = (counter >> (8 * i)) as u8;
            }
            Ok(())
        }
    }

    #[test]
    fn one_share_of_a_2_of_3_split_is_uniform_whatever_the_secret() {
        // Exhaustive over all 256 secrets × all 256 polynomials: every single share takes each
        // of the 256 values exactly once, so its distribution does not depend on the secret.
        for secret in 0..=255u8 {
            let mut histogram = [[0u32; 256]; 3];
            for a1 in 0..256u32 {
                let shares = split_with(&[secret], 2, 3, counting_fill(a1)).unwrap();
                for (i, share) in shares.iter().enumerate() {
                    histogram[i][usize::from(share.value[0])] += 1;
                }
            }
            for (i, h) in histogram.iter().enumerate() {
                assert!(
                    h.iter().all(|&c| c == 1),
                    "secret {secret}, share {}",
                    i + 1
                );
            }
        }
    }

    #[test]
    fn two_shares_of_a_3_of_4_split_are_uniform_whatever_the_secret() {
        // Exhaustive over all 65,536 polynomials for a sample of secrets: every pair of shares
        // takes each of the 65,536 value pairs exactly once.
        for secret in [0u8, 1, 0x53, 0xFF] {
            for (p, q) in [(0usize, 1usize), (1, 3), (2, 3)] {
                let mut seen = vec![0u8; 65536];
                for coefficients in 0..65536u32 {
                    let shares = split_with(&[secret], 3, 4, counting_fill(coefficients)).unwrap();
                    let key =
                        usize::from(shares[p].value[0]) << 8 | usize::from(shares[q].value[0]);
                    seen[key] += 1;
                }
                assert!(
                    seen.iter().all(|&c| c == 1),
                    "secret {secret}, shares {p},{q}"
                );
            }
        }
    }

    /// Lagrange interpolation of the points at `x` (test helper, byte-wise).
    fn interpolate_at(points: &[(u8, Vec<u8>)], x: u8) -> Vec<u8> {
        let len = points[0].1.len();
        let mut out = vec![0u8; len];
        for (i, (xi, yi)) in points.iter().enumerate() {
            let mut l = 1u8;
            for (j, (xj, _)) in points.iter().enumerate() {
                if i != j {
                    l = gf256::mul(
                        l,
                        gf256::mul(gf256::add(x, *xj), gf256::inv(gf256::add(*xi, *xj))),
                    );
                }
            }
            for b in 0..len {
                out[b] = gf256::add(out[b], gf256::mul(l, yi[b]));
            }
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn random_secrets_reconstruct_from_random_subsets(
            secret in proptest::collection::vec(any::<u8>(), 0..64),
            n in 1u8..=20,
            k_seed in any::<u8>(),
            subset_seed in any::<u64>(),
            extra in any::<u8>(),
        ) {
            let k = 1 + k_seed % n;
            let shares = split(&secret, k, n).unwrap();
            // A pseudo-random subset of size m ∈ [k, n], shuffled by the seed.
            let m = usize::from(k) + usize::from(extra) % (usize::from(n - k) + 1);
            let mut order: Vec<usize> = (0..usize::from(n)).collect();
            let mut s = subset_seed;
            for i in (1..order.len()).rev() {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                order.swap(i, (s >> 33) as usize % (i + 1));
            }
            let chosen = pick(&shares, &order[..m]);
            prop_assert_eq!(&combine(&chosen, k).unwrap()[..], &secret[..]);
            if k > 1 {
                let short = pick(&shares, &order[..usize::from(k) - 1]);
                prop_assert_eq!(combine(&short, k).unwrap_err().code(), "sealed.not_enough_shares");
            }
        }

        #[test]
        fn every_candidate_secret_is_consistent_with_k_minus_1_shares(
            secret in proptest::collection::vec(any::<u8>(), 1..16),
            candidate in proptest::collection::vec(any::<u8>(), 16),
            n in 2u8..=12,
            k_seed in any::<u8>(),
        ) {
            // Given any k−1 real shares, for any candidate secret there is a k-th share value
            // that makes `combine` return the candidate: the k−1 shares cannot rule anything out.
            let k = 2 + k_seed % (n - 1);
            let shares = split(&secret, k, n).unwrap();
            let candidate = &candidate[..secret.len()];
            let known: Vec<(u8, Vec<u8>)> = shares[..usize::from(k) - 1]
                .iter()
                .map(|s| (s.index, s.value.clone()))
                .collect();
            let mut points = known.clone();
            points.push((0, candidate.to_vec()));
            let missing_index = shares[usize::from(k) - 1].index;
            let forged = Share::new(missing_index, interpolate_at(&points, missing_index)).unwrap();
            let mut presented: Vec<Share> = shares[..usize::from(k) - 1].to_vec();
            presented.push(forged);
            prop_assert_eq!(&combine(&presented, k).unwrap()[..], candidate);
        }

        #[test]
        fn share_bytes_round_trip_and_garbage_never_panics(
            index in 1u8..=255,
            value in proptest::collection::vec(any::<u8>(), 0..40),
            garbage in proptest::collection::vec(any::<u8>(), 0..40),
        ) {
            let share = Share::new(index, value).unwrap();
            let bytes = share.to_secret_bytes();
            prop_assert_eq!(Share::from_secret_bytes(&bytes).unwrap(), share);
            let _ = Share::from_secret_bytes(&garbage);
        }
    }

    #[test]
    fn debug_output_hides_the_value() {
        let share = Share::new(3, vec![0xDE, 0xAD]).unwrap();
        let shown = format!("{share:?}");
        assert!(shown.contains("index: 3") && shown.contains("redacted"));
        assert!(!shown.contains("222") && !shown.contains("DE"));
    }
}
