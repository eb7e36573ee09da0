//! Issue 3's secrecy test for this crate: given everything the platform would store — member
//! public keys, wrapped member keys, the tender sealing key with its encrypted shares, sealed bids
//! and receipts — but no passphrase, no API path recovers a bid, and no bid's plaintext occurs
//! anywhere in the stored encodings.

mod common;

use common::Member;
use serde::{Deserialize, Serialize};
use tianguis_sealed::{
    CommitteeMember, MemberKey, PublicKey, SealedBid, SealedError, Sha256Hash, Share,
    TenderSealingKey, WrappedPrivateKey, seal, shamir,
};

const TENDER: &str = "IGSS-LP-2025-0107";

/// The rows a database would hold, as the service would serialise them (JSON columns).
#[derive(Serialize, Deserialize)]
struct Dump {
    members: Vec<MemberRow>,
    tender_key: TenderSealingKey,
    bids: Vec<BidRow>,
}

#[derive(Serialize, Deserialize)]
struct MemberRow {
    member_id: String,
    public_key: PublicKey,
    wrapped_key: WrappedPrivateKey,
}

#[derive(Serialize, Deserialize)]
struct BidRow {
    bid_id: String,
    sealed: SealedBid,
    receipt: Sha256Hash,
}

/// Bids whose plaintexts are distinctive enough to search for, including a tiny one.
fn plaintexts() -> Vec<(String, Vec<u8>)> {
    vec![
        (
            "bid-1".into(),
            r#"{"supplier":"Farmacéutica Ejemplo S.A.","lot":1,"unit_price":"0.8537"}"#
                .as_bytes()
                .to_vec(),
        ),
        (
            "bid-2".into(),
            b"PRECIO-UNITARIO=1234.56;DECLARACION=SI".to_vec(),
        ),
        ("bid-3".into(), b"99.99".to_vec()),
    ]
}

/// Builds the dump the way the platform would: three members register, the tender is published
/// (2 of 3), three suppliers bid. Returns the JSON and the members (for the passphrase-holding
/// control test).
fn make_dump() -> (String, Vec<Member>) {
    let members: Vec<Member> = ["ana", "beto", "carla"]
        .iter()
        .map(|id| Member::new(id))
        .collect();
    let committee: Vec<CommitteeMember> = members.iter().map(|m| m.seat.clone()).collect();
    let tender_key = TenderSealingKey::generate(TENDER, 2, &committee).unwrap();
    let bids = plaintexts()
        .into_iter()
        .map(|(bid_id, plain)| {
            let sealed = seal(tender_key.public_key(), TENDER, &bid_id, &plain).unwrap();
            let receipt = sealed.receipt_hash(tender_key.public_key(), TENDER, &bid_id);
            BidRow {
                bid_id,
                sealed,
                receipt,
            }
        })
        .collect();
    let dump = Dump {
        members: members
            .iter()
            .map(|m| MemberRow {
                member_id: m.id.clone(),
                public_key: m.seat.public_key,
                wrapped_key: m.wrapped.clone(),
            })
            .collect(),
        tender_key,
        bids,
    };
    (serde_json::to_string_pretty(&dump).unwrap(), members)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.len() <= haystack.len() && haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn no_plaintext_occurs_in_any_stored_encoding() {
    let (json, _) = make_dump();
    let dump: Dump = serde_json::from_str(&json).unwrap();
    // Every stored form: the JSON text, and each structure's raw bytes and base64.
    let mut stored: Vec<Vec<u8>> = vec![json.clone().into_bytes()];
    stored.push(dump.tender_key.to_bytes());
    stored.push(dump.tender_key.to_base64().into_bytes());
    for share in dump.tender_key.shares() {
        stored.push(share.to_bytes());
    }
    for member in &dump.members {
        stored.push(member.wrapped_key.to_bytes());
        stored.push(member.public_key.to_bytes());
    }
    for bid in &dump.bids {
        stored.push(bid.sealed.to_bytes());
        stored.push(bid.sealed.to_base64().into_bytes());
        stored.push(bid.receipt.as_bytes().to_vec());
        stored.push(bid.receipt.to_hex().into_bytes());
    }
    for (bid_id, plain) in plaintexts() {
        // The whole plaintext, and every 5-byte window of it (the prices themselves).
        for needle in std::iter::once(&plain[..]).chain(plain.windows(5)) {
            for blob in &stored {
                assert!(
                    !contains(blob, needle),
                    "{bid_id}: {:?} found in storage",
                    String::from_utf8_lossy(needle)
                );
            }
        }
    }
}

#[test]
fn without_passphrases_every_api_path_fails() {
    let (json, _) = make_dump();
    let dump: Dump = serde_json::from_str(&json).unwrap();
    let key = &dump.tender_key;

    // 1. Unwrapping a member key without the passphrase: guesses, the login-password style
    //    guesses an administrator might try, and the public data itself.
    for member in &dump.members {
        for guess in [
            String::new(),
            "password".to_owned(),
            member.member_id.clone(),
            format!("{}{}", member.member_id, "2025"),
            "frase secreta de apertura".to_owned(),
            member.public_key.to_base64(),
            member.wrapped_key.to_base64(),
        ] {
            assert_eq!(
                member.wrapped_key.unwrap(&guess).unwrap_err(),
                SealedError::WrongPassphrase,
                "{} unlocked with {guess:?}",
                member.member_id
            );
        }
    }

    // 2. Combining without any genuine share: none, and forged shares of every shape.
    assert_eq!(
        key.combine(&[]).unwrap_err().code(),
        "sealed.not_enough_shares"
    );
    for fill in [0u8, 1, 0xFF] {
        let forged: Vec<Share> = (1..=3)
            .map(|i| Share::new(i, vec![fill; 32]).unwrap())
            .collect();
        assert_eq!(
            key.combine(&forged).unwrap_err().code(),
            "sealed.invalid_share"
        );
    }
    // Shares of a key the attacker made: valid Shamir shares, wrong key.
    let own = shamir::split(&[0x42; 32], 2, 3).unwrap();
    assert_eq!(
        key.combine(&own).unwrap_err().code(),
        "sealed.invalid_share"
    );
    // The stored ciphertexts of the encrypted shares presented as if they were shares.
    let as_shares: Vec<Share> = key
        .shares()
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let bytes = s.to_bytes();
            Share::new(i as u8 + 1, bytes[bytes.len() - 32..].to_vec()).unwrap()
        })
        .collect();
    assert_eq!(
        key.combine(&as_shares).unwrap_err().code(),
        "sealed.invalid_share"
    );

    // 3. Opening the encrypted shares with a key the attacker controls: their own fresh key, and
    //    a fresh key registered under a member's name.
    let intruder = Member::new("intruso");
    let intruder_secret = intruder.unlock();
    for share in key.shares() {
        assert_eq!(
            key.open_share(share.member_id(), &intruder_secret)
                .unwrap_err(),
            SealedError::WrongMemberKey
        );
        assert_eq!(
            share
                .open(TENDER, key.public_key(), &intruder_secret)
                .unwrap_err(),
            SealedError::WrongMemberKey
        );
    }
    assert_eq!(
        key.open_share("intruso", &intruder_secret)
            .unwrap_err()
            .code(),
        "sealed.not_a_member"
    );

    // 4. Rewriting the stored recipient of every share to the intruder's key: the shares were
    //    encrypted to the members, so they still do not decrypt.
    for share in key.shares() {
        let mut bytes = share.to_bytes();
        let offset = 2 + 2 + share.member_id().len();
        bytes[offset..offset + 32].copy_from_slice(intruder_secret.public_key().as_bytes());
        let rewritten = tianguis_sealed::EncryptedShare::from_bytes(&bytes).unwrap();
        assert_eq!(
            rewritten
                .open(TENDER, key.public_key(), &intruder_secret)
                .unwrap_err(),
            SealedError::Tampered
        );
    }

    // 5. There is no constructor of a tender secret or member secret from bytes, so the only
    //    way to a `TenderSecret` is `combine`, which failed above. The sealed bids' own
    //    encodings do not parse as anything else either.
    for bid in &dump.bids {
        let bytes = bid.sealed.to_bytes();
        assert!(WrappedPrivateKey::from_bytes(&bytes).is_err());
        assert!(TenderSealingKey::from_bytes(&bytes).is_err());
        assert!(Share::from_secret_bytes(&bytes).is_err());
    }
}

#[test]
fn with_two_passphrases_the_same_dump_opens_every_bid() {
    // Control: the dump is not simply unreadable — k members with their passphrases open it.
    let (json, members) = make_dump();
    let dump: Dump = serde_json::from_str(&json).unwrap();
    let key = &dump.tender_key;
    let unlock = |i: usize| {
        let row = &dump.members[i];
        row.wrapped_key.unwrap(&members[i].passphrase).unwrap()
    };
    let (beto, carla) = (unlock(1), unlock(2));
    let shares = [
        key.open_share("beto", &beto).unwrap(),
        key.open_share("carla", &carla).unwrap(),
    ];
    // One member alone still cannot open.
    assert_eq!(
        key.combine(&shares[..1]).unwrap_err().code(),
        "sealed.not_enough_shares"
    );
    let secret = key.combine(&shares).unwrap();
    for (row, (_, plain)) in dump.bids.iter().zip(plaintexts()) {
        let opened = secret.unseal(&row.sealed, &row.bid_id).unwrap();
        assert_eq!(opened.plaintext, plain);
        assert_eq!(opened.receipt_hash, row.receipt);
    }
}

#[test]
fn the_administrator_resetting_a_login_password_gains_nothing() {
    // The opening passphrase is independent of the login password: a member key generated with
    // one passphrase does not open with any other, including one an administrator sets.
    let (_, wrapped) = MemberKey::generate_with_params(
        "la frase de apertura de ana",
        tianguis_sealed::KdfParams::MINIMUM,
    )
    .unwrap();
    assert_eq!(
        wrapped
            .unwrap("NuevaClave-Temporal-2025")
            .unwrap_err()
            .code(),
        "sealed.wrong_passphrase"
    );
}
