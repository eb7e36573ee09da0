//! Anonymous bidder labels ("Oferente 1…N").
//!
//! Issue 4 ("Visibility"): identities are anonymous to everyone until the award. Numbering by
//! sealed-bid order or by rank would leak information (who submitted first, who was cheapest at
//! the opening, which the public opening act may have read aloud), so labels are a uniformly
//! random permutation drawn from a seed the service takes from a CSPRNG and records in the
//! `Started` event. The permutation is computed here with SplitMix64 and unbiased rejection
//! sampling, so replay on any machine yields the same labels. Labels never change during an
//! auction.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A bidder's anonymous label, shown as "Oferente N" (Spanish first; the English interface may
/// render the number as "Bidder N").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Label(pub u32);

impl Label {
    /// The number N in "Oferente N".
    pub fn number(self) -> u32 {
        self.0
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Oferente {}", self.0)
    }
}

impl Serialize for Label {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Label {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.strip_prefix("Oferente ")
            .and_then(|n| n.parse::<u32>().ok())
            .filter(|n| *n > 0)
            .map(Label)
            .ok_or_else(|| serde::de::Error::custom(format!("not an anonymous label: {text}")))
    }
}

struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..bound` (bound > 0) without modulo bias.
    fn below(&mut self, bound: u64) -> u64 {
        let zone = u64::MAX - (u64::MAX % bound);
        loop {
            let x = self.next();
            if x < zone {
                return x % bound;
            }
        }
    }
}

/// Labels for `count` participants (index = position in the `Started` list), a permutation of
/// 1..=count determined by `seed`.
pub(crate) fn assign(count: usize, seed: u64) -> Vec<Label> {
    let mut numbers: Vec<u32> = (1..=count as u32).collect();
    let mut rng = SplitMix64(seed);
    for i in (1..numbers.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        numbers.swap(i, j);
    }
    numbers.into_iter().map(Label).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_a_deterministic_permutation() {
        let a = assign(7, 42);
        assert_eq!(a, assign(7, 42));
        let mut numbers: Vec<u32> = a.iter().map(|l| l.0).collect();
        numbers.sort();
        assert_eq!(numbers, (1..=7).collect::<Vec<_>>());
        assert!(assign(0, 1).is_empty());
        assert_eq!(assign(1, 9), vec![Label(1)]);
    }

    #[test]
    fn does_not_follow_submission_order_for_every_seed() {
        let identity: Vec<Label> = (1..=5).map(Label).collect();
        let differing = (0..50u64).filter(|s| assign(5, *s) != identity).count();
        assert!(
            differing > 40,
            "labels should rarely equal submission order"
        );
    }

    #[test]
    fn serialises_as_oferente_n() {
        assert_eq!(serde_json::to_string(&Label(3)).unwrap(), "\"Oferente 3\"");
        assert_eq!(
            serde_json::from_str::<Label>("\"Oferente 12\"").unwrap(),
            Label(12)
        );
        assert!(serde_json::from_str::<Label>("\"Bidder 1\"").is_err());
    }
}
