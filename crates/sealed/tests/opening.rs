//! The ceremony, sealing and opening end to end, and every way the opening must refuse.

mod common;

use common::{Member, committee, pool};
use tianguis_sealed::{
    EncryptedShare, PublicKey, SealedBid, SealedError, Share, TenderSealingKey, seal, unseal,
};

const TENDER: &str = "IGSS-LP-2025-0042";
const BID: &[u8] = br#"{"lot":1,"items":[{"item":"amoxicilina 500 mg","unit_price":"0.85"}]}"#;

fn shares_of(key: &TenderSealingKey, seats: &[usize]) -> Vec<Share> {
    seats
        .iter()
        .map(|&i| {
            let (member, secret) = &pool()[i];
            key.open_share(&member.id, secret).unwrap()
        })
        .collect()
}

#[test]
fn every_subset_of_at_least_k_members_opens_and_smaller_ones_do_not() {
    let key = TenderSealingKey::generate(TENDER, 3, &committee(5)).unwrap();
    let sealed = seal(key.public_key(), TENDER, "bid-1", BID).unwrap();
    for mask in 0u32..(1 << 5) {
        let seats: Vec<usize> = (0..5).filter(|i| mask & (1 << i) != 0).collect();
        let shares = shares_of(&key, &seats);
        match key.combine(&shares) {
            Ok(secret) => {
                assert!(seats.len() >= 3, "{seats:?} opened");
                let opened = secret.unseal(&sealed, "bid-1").unwrap();
                assert_eq!(opened.plaintext, BID);
            }
            Err(error) => {
                assert!(seats.len() < 3, "{seats:?}: {error:?}");
                assert_eq!(error.code(), "sealed.not_enough_shares");
            }
        }
    }
}

#[test]
fn the_opening_reads_every_bid_and_each_matches_its_receipt() {
    let key = TenderSealingKey::generate(TENDER, 2, &committee(3)).unwrap();
    let bids: Vec<(String, Vec<u8>)> = (0..10)
        .map(|i| {
            (
                format!("bid-{i}"),
                format!("{{\"price\":\"{i}.00\"}}").into_bytes(),
            )
        })
        .collect();
    let stored: Vec<(String, SealedBid, _)> = bids
        .iter()
        .map(|(id, plain)| {
            let sealed = seal(key.public_key(), TENDER, id, plain).unwrap();
            let receipt = sealed.receipt_hash(key.public_key(), TENDER, id);
            (id.clone(), sealed, receipt)
        })
        .collect();
    let secret = key.combine(&shares_of(&key, &[2, 0])).unwrap();
    for ((id, sealed, receipt), (_, plain)) in stored.iter().zip(&bids) {
        let opened = unseal(&secret, sealed, TENDER, id).unwrap();
        assert_eq!(&opened.plaintext, plain);
        assert_eq!(&opened.receipt_hash, receipt);
        assert_eq!(&opened.commitment, sealed.commitment());
        assert!(opened.verify_commitment(TENDER, id));
        assert!(!opened.verify_commitment(TENDER, "bid-other"));
    }
}

#[test]
fn an_empty_and_a_large_plaintext_seal_and_open() {
    let key = TenderSealingKey::generate(TENDER, 2, &committee(2)).unwrap();
    let secret = key.combine(&shares_of(&key, &[0, 1])).unwrap();
    let large: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
    for plain in [&b""[..], &large[..]] {
        let sealed = seal(key.public_key(), TENDER, "b", plain).unwrap();
        // Salt, padded body and tag: the plaintext length shows only through its Padmé bucket.
        assert!(sealed.ciphertext_len() >= plain.len() + 52);
        assert!(sealed.ciphertext_len() <= 48 + 512.max((plain.len() + 4) * 9 / 8));
        assert_eq!(secret.unseal(&sealed, "b").unwrap().plaintext, plain);
    }
}

#[test]
fn a_ciphertext_moved_to_another_bid_or_tender_does_not_open() {
    let key_a = TenderSealingKey::generate("T-A", 2, &committee(3)).unwrap();
    let key_b = TenderSealingKey::generate("T-B", 2, &committee(3)).unwrap();
    let bid_1 = seal(key_a.public_key(), "T-A", "bid-1", b"price 100").unwrap();
    let bid_2 = seal(key_a.public_key(), "T-A", "bid-2", b"price 200").unwrap();
    let secret_a = key_a.combine(&shares_of(&key_a, &[0, 1])).unwrap();
    let secret_b = key_b.combine(&shares_of(&key_b, &[0, 1])).unwrap();

    // Swapping the rows of two bids: each ciphertext is read under the other bid's id.
    assert_eq!(
        secret_a.unseal(&bid_1, "bid-2").unwrap_err(),
        SealedError::Tampered
    );
    assert_eq!(
        secret_a.unseal(&bid_2, "bid-1").unwrap_err(),
        SealedError::Tampered
    );
    // Moving a bid to another tender (same bid id) or using another tender's key.
    assert_eq!(
        secret_b.unseal(&bid_1, "bid-1").unwrap_err(),
        SealedError::Tampered
    );
    assert_eq!(
        unseal(&secret_b, &bid_1, "T-A", "bid-1")
            .unwrap_err()
            .code(),
        "sealed.wrong_tender"
    );
    // A bid sealed for tender B's key but labelled tender A (same committee, different key).
    let mislabelled = seal(key_b.public_key(), "T-A", "bid-1", b"price 100").unwrap();
    assert_eq!(
        secret_a.unseal(&mislabelled, "bid-1").unwrap_err(),
        SealedError::Tampered
    );
    // Swapping only the commitments between two bids.
    let mut mixed = bid_1.to_bytes();
    let other = bid_2.to_bytes();
    mixed[46..78].copy_from_slice(&other[46..78]);
    let mixed = SealedBid::from_bytes(&mixed).unwrap();
    assert_eq!(
        secret_a.unseal(&mixed, "bid-1").unwrap_err(),
        SealedError::Tampered
    );
    // The originals still open.
    assert_eq!(
        secret_a.unseal(&bid_1, "bid-1").unwrap().plaintext,
        b"price 100"
    );
    assert_eq!(
        secret_a.unseal(&bid_2, "bid-2").unwrap().plaintext,
        b"price 200"
    );
}

#[test]
fn every_altered_byte_of_a_sealed_bid_is_detected() {
    let key = TenderSealingKey::generate(TENDER, 2, &committee(2)).unwrap();
    let secret = key.combine(&shares_of(&key, &[0, 1])).unwrap();
    let sealed = seal(key.public_key(), TENDER, "bid-1", b"precio 12.50").unwrap();
    let bytes = sealed.to_bytes();
    // Layout: version, kind, ephemeral (2..34), nonce (34..46), commitment (46..78),
    // length (78..82), ciphertext (82..).
    for position in 0..bytes.len() {
        for flip in [0x01u8, 0x80] {
            let mut altered = bytes.clone();
            altered[position] ^= flip;
            let outcome = SealedBid::from_bytes(&altered).and_then(|s| secret.unseal(&s, "bid-1"));
            let error = outcome.expect_err("an altered sealed bid opened");
            let expected = match position {
                0 => "sealed.unsupported_version",
                1 | 78..=81 => "sealed.invalid_encoding",
                _ => "sealed.tampered",
            };
            // Flipping an ephemeral-key byte may land on a low-order point, refused on read.
            assert!(
                error.code() == expected
                    || (position < 34 && error.code() == "sealed.invalid_public_key"),
                "byte {position} flip {flip:#x}: {error:?}"
            );
        }
    }
    // Truncated and extended encodings.
    for cut in 0..bytes.len() {
        assert!(
            SealedBid::from_bytes(&bytes[..cut]).is_err(),
            "cut at {cut}"
        );
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert_eq!(
        SealedBid::from_bytes(&longer).unwrap_err().code(),
        "sealed.invalid_encoding"
    );
}

#[test]
fn a_member_cannot_open_another_members_share() {
    let key = TenderSealingKey::generate(TENDER, 2, &committee(3)).unwrap();
    let (_, beto) = &pool()[1];
    assert_eq!(
        key.open_share("ana", beto).unwrap_err(),
        SealedError::WrongMemberKey
    );
    // Even if the stored recipient is rewritten to Beto's key, the share does not decrypt:
    // it was encrypted to Ana's key, and the recipient is associated data.
    let mut forged = key.share_of("ana").unwrap().to_bytes();
    let offset = 2 + 2 + "ana".len();
    forged[offset..offset + 32].copy_from_slice(beto.public_key().as_bytes());
    let forged = EncryptedShare::from_bytes(&forged).unwrap();
    assert_eq!(forged.recipient(), beto.public_key());
    assert_eq!(
        forged.open(TENDER, key.public_key(), beto).unwrap_err(),
        SealedError::Tampered
    );
    // Someone outside the committee.
    assert_eq!(
        key.open_share("zoe", beto).unwrap_err().code(),
        "sealed.not_a_member"
    );
}

#[test]
fn a_member_who_made_a_new_key_after_publication_is_told_so() {
    let key = TenderSealingKey::generate(TENDER, 2, &committee(2)).unwrap();
    let renewed = Member::new("ana");
    assert_eq!(
        key.open_share("ana", &renewed.unlock()).unwrap_err().code(),
        "sealed.wrong_member_key"
    );
}

#[test]
fn a_share_opened_for_another_tender_is_refused() {
    let key_a = TenderSealingKey::generate("T-A", 2, &committee(3)).unwrap();
    let key_b = TenderSealingKey::generate("T-B", 2, &committee(3)).unwrap();
    // Ana's share of tender B presented at tender A's opening.
    let mixed = vec![
        shares_of(&key_a, &[1]).remove(0),
        shares_of(&key_b, &[0]).remove(0),
    ];
    assert_eq!(
        key_a.combine(&mixed).unwrap_err().code(),
        "sealed.invalid_share"
    );
    // Tender B's encrypted share decrypted as if it were tender A's.
    let (_, ana) = &pool()[0];
    let share_b = key_b.share_of("ana").unwrap();
    assert_eq!(
        share_b.open("T-A", key_a.public_key(), ana).unwrap_err(),
        SealedError::Tampered
    );
    assert_eq!(
        share_b.open("T-B", key_a.public_key(), ana).unwrap_err(),
        SealedError::Tampered
    );
}

#[test]
fn corrupted_duplicate_and_out_of_range_shares_are_refused() {
    let key = TenderSealingKey::generate(TENDER, 2, &committee(4)).unwrap();
    let good = shares_of(&key, &[0, 1, 2]);

    // Flip one bit of one share (as a buggy or dishonest node handing it over would).
    for byte in [3usize, 20, 34] {
        let mut raw = good[1].to_secret_bytes();
        raw[byte] ^= 0x10;
        let corrupted = Share::from_secret_bytes(&raw).unwrap();
        let presented = vec![good[0].clone(), corrupted.clone()];
        assert_eq!(
            key.combine(&presented).unwrap_err().code(),
            "sealed.invalid_share"
        );
        // More than k shares with one corrupted: still caught, never a wrong key.
        let presented = vec![good[0].clone(), corrupted, good[2].clone()];
        assert_eq!(
            key.combine(&presented).unwrap_err().code(),
            "sealed.invalid_share"
        );
    }
    // Changing a share's index.
    let mut raw = good[1].to_secret_bytes();
    raw[2] = 4;
    let moved = Share::from_secret_bytes(&raw).unwrap();
    assert_eq!(
        key.combine(&[good[0].clone(), moved]).unwrap_err().code(),
        "sealed.invalid_share"
    );
    // An index beyond the committee.
    raw[2] = 9;
    let outside = Share::from_secret_bytes(&raw).unwrap();
    assert_eq!(
        key.combine(&[good[0].clone(), outside]).unwrap_err().code(),
        "sealed.invalid_share"
    );
    // Index 0.
    raw[2] = 0;
    assert_eq!(
        Share::from_secret_bytes(&raw).unwrap_err().code(),
        "sealed.invalid_share"
    );
    // Truncated share.
    let short = Share::from_secret_bytes(&good[1].to_secret_bytes()[..20]).unwrap();
    assert_eq!(
        key.combine(&[good[0].clone(), short]).unwrap_err().code(),
        "sealed.invalid_share"
    );
    // The same member twice.
    assert_eq!(
        key.combine(&[good[0].clone(), good[0].clone()])
            .unwrap_err(),
        SealedError::DuplicateShare { index: 1 }
    );
    // No shares, one share.
    assert_eq!(
        key.combine(&[]).unwrap_err(),
        SealedError::NotEnoughShares { have: 0, need: 2 }
    );
    assert_eq!(
        key.combine(&good[..1]).unwrap_err(),
        SealedError::NotEnoughShares { have: 1, need: 2 }
    );
    // And the genuine shares open.
    key.combine(&good).unwrap();
}

#[test]
fn every_altered_byte_of_an_encrypted_share_is_detected() {
    let key = TenderSealingKey::generate(TENDER, 2, &committee(2)).unwrap();
    let (_, ana) = &pool()[0];
    let bytes = key.share_of("ana").unwrap().to_bytes();
    for position in 0..bytes.len() {
        let mut altered = bytes.clone();
        altered[position] ^= 0x04;
        let outcome = EncryptedShare::from_bytes(&altered)
            .and_then(|share| share.open(TENDER, key.public_key(), ana));
        let error = outcome.expect_err("an altered share opened");
        assert!(
            matches!(
                error.code(),
                "sealed.tampered"
                    | "sealed.wrong_member_key"
                    | "sealed.invalid_encoding"
                    | "sealed.unsupported_version"
                    | "sealed.invalid_public_key"
            ),
            "byte {position}: {error:?}"
        );
    }
}

#[test]
fn a_substituted_tender_public_key_is_caught_at_the_opening() {
    // Someone with write access replaces the stored tender public key with their own before the
    // bids are sealed. The committee's shares do not rebuild that key, so the opening refuses,
    // and bids sealed to the genuine key do not open under the substitute.
    let genuine = TenderSealingKey::generate(TENDER, 2, &committee(3)).unwrap();
    let attacker = TenderSealingKey::generate(TENDER, 2, &committee(3)).unwrap();
    let substituted = TenderSealingKey::from_parts(
        TENDER.into(),
        *attacker.public_key(),
        2,
        genuine.shares().to_vec(),
    )
    .unwrap();
    let shares = shares_of(&genuine, &[0, 1]);
    assert_eq!(
        substituted.combine(&shares).unwrap_err().code(),
        "sealed.invalid_share"
    );
    // Opening the shares under the substituted record already fails: the tender public key is
    // bound into every share.
    let (_, ana) = &pool()[0];
    assert_eq!(
        substituted.open_share("ana", ana).unwrap_err(),
        SealedError::Tampered
    );
    assert_ne!(
        genuine.public_key().fingerprint(),
        attacker.public_key().fingerprint()
    );
}

#[test]
fn the_receipt_hash_reveals_nothing_and_pins_the_stored_bytes() {
    let key = TenderSealingKey::generate(TENDER, 2, &committee(2)).unwrap();
    // The same plaintext sealed twice gives different ciphertexts, commitments and receipts, so
    // a receipt cannot be matched against a guessed price.
    let first = seal(key.public_key(), TENDER, "bid-1", b"100.00").unwrap();
    let second = seal(key.public_key(), TENDER, "bid-1", b"100.00").unwrap();
    assert_ne!(first.to_bytes(), second.to_bytes());
    assert_ne!(first.commitment(), second.commitment());
    let receipt = first.receipt_hash(key.public_key(), TENDER, "bid-1");
    assert_ne!(
        receipt,
        second.receipt_hash(key.public_key(), TENDER, "bid-1")
    );
    // Stable across encodings, and bound to the bid, the tender and the tender key.
    let reread = SealedBid::from_base64(&first.to_base64()).unwrap();
    assert_eq!(
        reread.receipt_hash(key.public_key(), TENDER, "bid-1"),
        receipt
    );
    assert_ne!(
        first.receipt_hash(key.public_key(), TENDER, "bid-2"),
        receipt
    );
    assert_ne!(
        first.receipt_hash(key.public_key(), "T-other", "bid-1"),
        receipt
    );
    let other_key = TenderSealingKey::generate(TENDER, 2, &committee(2)).unwrap();
    assert_ne!(
        first.receipt_hash(other_key.public_key(), TENDER, "bid-1"),
        receipt
    );
    assert_eq!(receipt.to_hex().len(), 64);
}

#[test]
fn identifiers_are_validated() {
    let key = TenderSealingKey::generate(TENDER, 2, &committee(2)).unwrap();
    let long = "x".repeat(257);
    for (tender, bid) in [
        ("", "b"),
        (TENDER, ""),
        (long.as_str(), "b"),
        (TENDER, long.as_str()),
    ] {
        assert_eq!(
            seal(key.public_key(), tender, bid, b"x")
                .unwrap_err()
                .code(),
            "sealed.invalid_id"
        );
    }
}

#[test]
fn errors_have_stable_codes_and_messages_without_secrets() {
    let error = SealedError::NotEnoughShares { have: 1, need: 3 };
    assert_eq!(error.code(), "sealed.not_enough_shares");
    assert_eq!(
        error.to_string(),
        "not enough shares to open: 1 of the 3 required"
    );
    let key = PublicKey::from_raw([9u8; 32]).unwrap();
    assert_eq!(PublicKey::from_base64(&key.to_base64()).unwrap(), key);
}
