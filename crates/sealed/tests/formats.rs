//! Stored formats: round trips in every form, version and kind checks, and a frozen format-1
//! fixture that every later version of this crate must still open byte for byte.

mod common;

use std::path::PathBuf;

use common::{committee, pool};
use serde::{Deserialize, Serialize};
use tianguis_sealed::{
    EncryptedShare, KdfParams, MemberKey, PublicKey, SealedBid, Sha256Hash, TenderSealingKey,
    WrappedPrivateKey, encoding::FORMAT_VERSION, seal,
};

#[test]
fn every_stored_structure_round_trips_as_bytes_base64_and_json() {
    let key = TenderSealingKey::generate("T-fmt", 2, &committee(3)).unwrap();
    let sealed = seal(key.public_key(), "T-fmt", "bid-1", b"12.50").unwrap();
    let wrapped = pool()[0].0.wrapped.clone();
    let public = *key.public_key();
    let share = key.shares()[1].clone();

    assert_eq!(TenderSealingKey::from_bytes(&key.to_bytes()).unwrap(), key);
    assert_eq!(
        TenderSealingKey::from_base64(&key.to_base64()).unwrap(),
        key
    );
    assert_eq!(SealedBid::from_bytes(&sealed.to_bytes()).unwrap(), sealed);
    assert_eq!(SealedBid::from_base64(&sealed.to_base64()).unwrap(), sealed);
    assert_eq!(
        WrappedPrivateKey::from_bytes(&wrapped.to_bytes()).unwrap(),
        wrapped
    );
    assert_eq!(PublicKey::from_bytes(&public.to_bytes()).unwrap(), public);
    assert_eq!(
        EncryptedShare::from_bytes(&share.to_bytes()).unwrap(),
        share
    );
    assert_eq!(
        EncryptedShare::from_base64(&share.to_base64()).unwrap(),
        share
    );
    let rebuilt = TenderSealingKey::from_parts(
        key.tender_id().to_owned(),
        public,
        key.threshold(),
        key.shares().to_vec(),
    )
    .unwrap();
    assert_eq!(rebuilt, key);

    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    struct Row {
        key: TenderSealingKey,
        sealed: SealedBid,
        wrapped: WrappedPrivateKey,
        public: PublicKey,
        share: EncryptedShare,
        receipt: Sha256Hash,
    }
    let row = Row {
        receipt: sealed.receipt_hash(&public, "T-fmt", "bid-1"),
        key,
        sealed,
        wrapped,
        public,
        share,
    };
    let json = serde_json::to_string(&row).unwrap();
    assert_eq!(serde_json::from_str::<Row>(&json).unwrap(), row);
    // JSON fields are plain base64url / hex strings: safe in any text column or URL.
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    for (_, field) in value.as_object().unwrap() {
        let text = field.as_str().unwrap();
        assert!(
            text.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
    }
}

#[test]
fn every_encoding_starts_with_the_format_version_and_its_kind() {
    let key = TenderSealingKey::generate("T-fmt", 2, &committee(2)).unwrap();
    let sealed = seal(key.public_key(), "T-fmt", "bid-1", b"x").unwrap();
    let encodings: [(u8, Vec<u8>); 5] = [
        (1, key.public_key().to_bytes()),
        (2, pool()[0].0.wrapped.to_bytes()),
        (3, key.shares()[0].to_bytes()),
        (4, key.to_bytes()),
        (5, sealed.to_bytes()),
    ];
    for (kind, bytes) in &encodings {
        assert_eq!(bytes[0], FORMAT_VERSION);
        assert_eq!(bytes[1], *kind);
        // A future version is refused, not guessed at.
        let mut future = bytes.clone();
        future[0] = FORMAT_VERSION + 1;
        let error = match kind {
            1 => PublicKey::from_bytes(&future).unwrap_err(),
            2 => WrappedPrivateKey::from_bytes(&future).unwrap_err(),
            3 => EncryptedShare::from_bytes(&future).unwrap_err(),
            4 => TenderSealingKey::from_bytes(&future).unwrap_err(),
            _ => SealedBid::from_bytes(&future).unwrap_err(),
        };
        assert_eq!(error.code(), "sealed.unsupported_version", "kind {kind}");
    }
    // One kind is never read as another.
    for (kind, bytes) in &encodings {
        let misread = [
            PublicKey::from_bytes(bytes).err(),
            WrappedPrivateKey::from_bytes(bytes).err(),
            EncryptedShare::from_bytes(bytes).err(),
            TenderSealingKey::from_bytes(bytes).err(),
            SealedBid::from_bytes(bytes).err(),
        ];
        for (other, error) in misread.iter().enumerate() {
            if other as u8 + 1 != *kind {
                assert_eq!(
                    error.as_ref().map(|e| e.code()),
                    Some("sealed.invalid_encoding"),
                    "kind {kind} read as kind {}",
                    other + 1
                );
            }
        }
    }
}

#[test]
fn a_stored_key_that_breaks_the_committee_rules_is_refused_on_read() {
    let key = TenderSealingKey::generate("T-fmt", 2, &committee(3)).unwrap();
    let mut bytes = key.to_bytes();
    let threshold_at = 2 + 2 + "T-fmt".len() + 32;
    for bad in [0u8, 1, 4] {
        bytes[threshold_at] = bad;
        assert_eq!(
            TenderSealingKey::from_bytes(&bytes).unwrap_err().code(),
            "sealed.invalid_threshold",
            "threshold {bad}"
        );
    }
    // A share listed twice.
    let mut shares = key.shares().to_vec();
    shares[2] = shares[0].clone();
    let error = TenderSealingKey::from_parts("T-fmt".into(), *key.public_key(), 2, shares);
    assert_eq!(error.unwrap_err().code(), "sealed.invalid_committee");
}

/// The frozen fixture: written once by `write_format_v1_fixture` (ignored), read by every build.
#[derive(Serialize, Deserialize)]
struct Fixture {
    note: String,
    tender_id: String,
    members: Vec<FixtureMember>,
    tender_key: String,
    bids: Vec<FixtureBid>,
}

#[derive(Serialize, Deserialize)]
struct FixtureMember {
    member_id: String,
    passphrase: String,
    public_key: String,
    wrapped_key: String,
}

#[derive(Serialize, Deserialize)]
struct FixtureBid {
    bid_id: String,
    plaintext: String,
    sealed: String,
    receipt: String,
}

fn fixture_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/format-v1.json")
}

#[test]
fn the_format_1_fixture_still_opens_byte_for_byte() {
    let text = std::fs::read_to_string(fixture_path()).unwrap();
    let fixture: Fixture = serde_json::from_str(&text).unwrap();
    let key = TenderSealingKey::from_base64(&fixture.tender_key).unwrap();
    assert_eq!(
        key.to_base64(),
        fixture.tender_key,
        "canonical re-encoding changed"
    );
    assert_eq!(key.tender_id(), fixture.tender_id);

    let mut shares = Vec::new();
    for member in fixture.members.iter().take(key.threshold()) {
        let public = PublicKey::from_base64(&member.public_key).unwrap();
        let wrapped = WrappedPrivateKey::from_base64(&member.wrapped_key).unwrap();
        assert_eq!(wrapped.to_base64(), member.wrapped_key);
        assert_eq!(wrapped.public_key(), &public);
        let secret = wrapped.unwrap(&member.passphrase).unwrap();
        shares.push(key.open_share(&member.member_id, &secret).unwrap());
    }
    let secret = key.combine(&shares).unwrap();
    for bid in &fixture.bids {
        let sealed = SealedBid::from_base64(&bid.sealed).unwrap();
        assert_eq!(sealed.to_base64(), bid.sealed);
        let receipt = Sha256Hash::from_hex(&bid.receipt).unwrap();
        assert_eq!(
            sealed.receipt_hash(key.public_key(), &fixture.tender_id, &bid.bid_id),
            receipt
        );
        let opened = secret.unseal(&sealed, &bid.bid_id).unwrap();
        assert_eq!(opened.plaintext, bid.plaintext.as_bytes());
        assert_eq!(opened.receipt_hash, receipt);
    }
}

/// Regenerates the fixture. Run only when the format version is deliberately bumped (and then
/// keep the old fixture too): `cargo test -p tianguis-sealed --test formats -- --ignored`.
#[test]
#[ignore = "writes tests/fixtures/format-v1.json; run only to create a new format's fixture"]
fn write_format_v1_fixture() {
    let tender_id = "IGSS-LP-2025-0001";
    let people = [
        ("ana", "ana abre las ofertas del IGSS"),
        ("beto", "beto también abre las ofertas"),
        ("carla", "carla es la tercera llave"),
    ];
    let mut committee = Vec::new();
    let mut members = Vec::new();
    for (id, passphrase) in people {
        let (public_key, wrapped) =
            MemberKey::generate_with_params(passphrase, KdfParams::MINIMUM).unwrap();
        committee.push(tianguis_sealed::CommitteeMember {
            member_id: id.into(),
            public_key,
        });
        members.push(FixtureMember {
            member_id: id.into(),
            passphrase: passphrase.into(),
            public_key: public_key.to_base64(),
            wrapped_key: wrapped.to_base64(),
        });
    }
    let key = TenderSealingKey::generate(tender_id, 2, &committee).unwrap();
    let bids = [
        ("bid-1", r#"{"lot":1,"unit_price":"0.85"}"#),
        ("bid-2", r#"{"lot":1,"unit_price":"0.79"}"#),
        ("bid-3", ""),
    ]
    .iter()
    .map(|(bid_id, plaintext)| {
        let sealed = seal(key.public_key(), tender_id, bid_id, plaintext.as_bytes()).unwrap();
        FixtureBid {
            bid_id: (*bid_id).into(),
            plaintext: (*plaintext).into(),
            receipt: sealed
                .receipt_hash(key.public_key(), tender_id, bid_id)
                .to_hex(),
            sealed: sealed.to_base64(),
        }
    })
    .collect();
    let fixture = Fixture {
        note: "Format 1 of tianguis-sealed, frozen. Test data only: the passphrases are public."
            .into(),
        tender_id: tender_id.into(),
        members,
        tender_key: key.to_base64(),
        bids,
    };
    let json = serde_json::to_string_pretty(&fixture).unwrap() + "\n";
    std::fs::write(fixture_path(), json).unwrap();
}
