//! Property tests over random committees, thresholds, subsets and plaintexts, and decoding of
//! arbitrary or mutated bytes (which must fail cleanly, never panic).

mod common;

use common::{committee, pool};
use proptest::prelude::*;
use tianguis_sealed::{
    EncryptedShare, PublicKey, SealedBid, Share, TenderSealingKey, WrappedPrivateKey, seal,
};

/// A subset of `0..n` chosen by `seed` with exactly `size` elements, in a seed-dependent order.
fn choose(n: usize, size: usize, seed: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut s = seed;
    for i in (1..n).rev() {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        order.swap(i, (s >> 33) as usize % (i + 1));
    }
    order.truncate(size);
    order
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn any_k_members_open_any_bid_and_k_minus_1_cannot(
        n in 2usize..=8,
        k_seed in any::<usize>(),
        extra in any::<usize>(),
        seed in any::<u64>(),
        plaintext in proptest::collection::vec(any::<u8>(), 0..512),
        bid_id in "[a-z0-9-]{1,40}",
    ) {
        let k = 2 + k_seed % (n - 1);
        let key = TenderSealingKey::generate("T-prop", k, &committee(n)).unwrap();
        // The stored key survives a round trip through its encoding.
        let key = TenderSealingKey::from_bytes(&key.to_bytes()).unwrap();
        let sealed = seal(key.public_key(), "T-prop", &bid_id, &plaintext).unwrap();
        let sealed = SealedBid::from_base64(&sealed.to_base64()).unwrap();

        let present = k + extra % (n - k + 1);
        let seats = choose(n, present, seed);
        let shares: Vec<Share> = seats
            .iter()
            .map(|&i| key.open_share(&pool()[i].0.id, &pool()[i].1).unwrap())
            .collect();
        let secret = key.combine(&shares).unwrap();
        let opened = secret.unseal(&sealed, &bid_id).unwrap();
        prop_assert_eq!(&opened.plaintext, &plaintext);
        prop_assert_eq!(opened.receipt_hash, sealed.receipt_hash(key.public_key(), "T-prop", &bid_id));
        prop_assert!(opened.verify_commitment("T-prop", &bid_id));

        let short = key.combine(&shares[..k - 1]).unwrap_err();
        prop_assert_eq!(short.code(), "sealed.not_enough_shares");
        let other_bid = format!("{bid_id}x");
        prop_assert_eq!(secret.unseal(&sealed, &other_bid).unwrap_err().code(), "sealed.tampered");
    }

    #[test]
    fn mutated_sealed_bids_never_open_and_never_panic(
        plaintext in proptest::collection::vec(any::<u8>(), 0..64),
        mutations in proptest::collection::vec((any::<usize>(), 1u8..=255), 1..4),
    ) {
        let key = TenderSealingKey::generate("T-mut", 2, &committee(2)).unwrap();
        let sealed = seal(key.public_key(), "T-mut", "b", &plaintext).unwrap();
        let shares: Vec<Share> = (0..2)
            .map(|i| key.open_share(&pool()[i].0.id, &pool()[i].1).unwrap())
            .collect();
        let secret = key.combine(&shares).unwrap();
        let mut bytes = sealed.to_bytes();
        let len = bytes.len();
        for (position, xor) in mutations {
            bytes[position % len] ^= xor;
        }
        if bytes != sealed.to_bytes() {
            let outcome = SealedBid::from_bytes(&bytes).and_then(|s| secret.unseal(&s, "b"));
            prop_assert!(outcome.is_err());
        }
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = PublicKey::from_bytes(&bytes);
        let _ = WrappedPrivateKey::from_bytes(&bytes);
        let _ = EncryptedShare::from_bytes(&bytes);
        let _ = TenderSealingKey::from_bytes(&bytes);
        let _ = SealedBid::from_bytes(&bytes);
        let _ = Share::from_secret_bytes(&bytes);
        // The same bytes behind a valid header for each kind, to get past the first check.
        for kind in 1u8..=6 {
            let mut framed = vec![1, kind];
            framed.extend_from_slice(&bytes);
            let _ = PublicKey::from_bytes(&framed);
            let _ = WrappedPrivateKey::from_bytes(&framed);
            let _ = EncryptedShare::from_bytes(&framed);
            let _ = TenderSealingKey::from_bytes(&framed);
            let _ = SealedBid::from_bytes(&framed);
            let _ = Share::from_secret_bytes(&framed);
        }
    }

    #[test]
    fn decoding_arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let _ = PublicKey::from_base64(&text);
        let _ = WrappedPrivateKey::from_base64(&text);
        let _ = EncryptedShare::from_base64(&text);
        let _ = TenderSealingKey::from_base64(&text);
        let _ = SealedBid::from_base64(&text);
        let _ = serde_json::from_str::<SealedBid>(&format!("{text:?}"));
    }

    #[test]
    fn mutated_tender_keys_decode_or_fail_cleanly(
        mutations in proptest::collection::vec((any::<usize>(), 1u8..=255), 1..4),
    ) {
        let key = TenderSealingKey::generate("T-mut", 2, &committee(3)).unwrap();
        let mut bytes = key.to_bytes();
        let len = bytes.len();
        for (position, xor) in mutations {
            bytes[position % len] ^= xor;
        }
        if let Ok(decoded) = TenderSealingKey::from_bytes(&bytes) {
            // Whatever decodes still obeys the committee rules.
            prop_assert!(decoded.threshold() >= 2);
            prop_assert!(decoded.threshold() <= decoded.shares().len());
        }
    }
}
