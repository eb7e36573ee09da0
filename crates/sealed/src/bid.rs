//! Sealing a bid to the tender's public key, its receipt hash, and opening it.
//!
//! A supplier's bid (issue 3, item 7: unit prices per item, declarations; the service decides the
//! plaintext format) is encrypted to the tender public key made by the ceremony, with the scheme
//! described in [`crate::keys`]. The tender and bid identifiers are bound twice — in the key
//! derivation and as associated data — so a ciphertext moved to another bid row, or to another
//! tender, does not open (`sealed.tampered`).
//!
//! **What the receipt hash covers (our choice).** A receipt must prove later which bid was opened,
//! but a hash of the plaintext would betray the bid before the opening: a bid is a few prices, so
//! anyone reading the database or a receipt could hash candidate prices until one matches. So:
//!
//! * a **commitment** `SHA-256(label ‖ tender ‖ bid ‖ salt ‖ plaintext)` with a fresh 256-bit
//!   salt that is stored *inside* the ciphertext. It hides the plaintext (the salt cannot be
//!   guessed) and binds it (SHA-256 is collision resistant). It is stored in the clear and is
//!   also associated data, so it cannot be swapped;
//! * the **receipt hash** `SHA-256(label ‖ tender ‖ bid ‖ tender public key ‖ encoded sealed
//!   bid)`, over the ciphertext and the commitment: what the supplier's receipt shows. It reveals
//!   nothing (it is a hash of ciphertext), and it pins the exact stored bytes and the tender key
//!   they were sealed to.
//!
//! At the opening, [`OpenedBid`] returns the plaintext, the salt, the commitment and the receipt
//! hash. Publishing the encoded sealed bid, the plaintext and the salt in the opening record lets
//! *anyone*, without any key, check that the price read out is the one behind the supplier's
//! receipt: the receipt hash matches the encoding, and [`commitment`] of the salt and plaintext
//! matches the commitment inside it. It also makes the scheme binding even though
//! ChaCha20-Poly1305 alone is not key-committing.
//!
//! **Padding (our choice).** A ciphertext is as long as its plaintext, and a bid's length can
//! betray its content (one more digit in a price is one more byte). Before encryption the
//! plaintext is length-prefixed and padded with zeros to at least [`MIN_PADDED_BYTES`] and beyond
//! that to the next Padmé size (K. Nikitin et al., "Reducing metadata leakage from encrypted files
//! and communication with PURBs", PoPETs 2019(4), Algorithm 1), which leaks at most
//! O(log log L) bits of the length L for at most 12 % overhead. Every bid of up to 508 bytes has
//! the same ciphertext length.

use x25519_dalek::StaticSecret;
use zeroize::Zeroizing;

use crate::ceremony::TenderSecret;
use crate::encoding::{self, Kind, Reader, Writer, check_id};
use crate::error::{Result, SealedError};
use crate::hash::Sha256Hash;
use crate::keys::{self, NONCE_BYTES, PublicKey, TAG_BYTES};

const BID_LABEL: &str = "tianguis-sealed/v1/bid";
const COMMITMENT_LABEL: &str = "tianguis-sealed/v1/bid-commitment";
const RECEIPT_LABEL: &str = "tianguis-sealed/v1/bid-receipt";

/// Length of the commitment salt: 256 bits, so the commitment cannot be brute-forced even for a
/// bid with very few possible values.
pub const COMMITMENT_SALT_BYTES: usize = 32;

/// Smallest padded size of the sealed body (4-byte length + plaintext + zero padding): every
/// bid of up to 508 bytes looks the same size in the database.
pub const MIN_PADDED_BYTES: usize = 512;

/// Length of the plaintext-length field inside the padded body.
const LENGTH_BYTES: usize = 4;

/// Padmé (Nikitin et al. 2019, Algorithm 1): round `length` up so that only the top
/// ⌊log₂ ⌊log₂ L⌋⌋ + 1 bits of its mantissa remain.
fn padme(length: usize) -> Option<usize> {
    if length < 2 {
        return Some(length);
    }
    let exponent = usize::BITS - 1 - length.leading_zeros(); // ⌊log₂ L⌋
    let mantissa_bits = u32::BITS - exponent.leading_zeros(); // ⌊log₂ E⌋ + 1
    let mask = (1usize << (exponent - mantissa_bits)) - 1;
    length.checked_add(mask).map(|l| l & !mask)
}

/// Size of the padded body for a plaintext of `plaintext_len` bytes.
fn padded_len(plaintext_len: usize) -> Option<usize> {
    padme(
        plaintext_len
            .checked_add(LENGTH_BYTES)?
            .max(MIN_PADDED_BYTES),
    )
}

/// An encrypted bid: what the database stores until the opening.
///
/// Encoding (format 1, kind 5): version, kind, ephemeral public key (32), nonce (12), commitment
/// (32), ciphertext (u32 length, then the ChaCha20-Poly1305 output of salt ‖ u32 plaintext
/// length ‖ plaintext ‖ zero padding, + 16 tag). The ciphertext length reveals only the padded
/// size (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedBid {
    ephemeral_public: PublicKey,
    nonce: [u8; NONCE_BYTES],
    commitment: Sha256Hash,
    ciphertext: Vec<u8>,
}

/// Seals a bid's plaintext to the tender's public key.
///
/// Called when the supplier submits (before the deadline; the service enforces the clock). The
/// plaintext is not kept: only the returned [`SealedBid`] is stored, and
/// [`SealedBid::receipt_hash`] goes on the supplier's receipt. Errors: `sealed.invalid_id`,
/// `sealed.plaintext_too_large` (padded, over 4 GiB), `sealed.randomness_unavailable`.
pub fn seal(
    tender_public_key: &PublicKey,
    tender_id: &str,
    bid_id: &str,
    plaintext: &[u8],
) -> Result<SealedBid> {
    check_id("tender_id", tender_id)?;
    check_id("bid_id", bid_id)?;
    let overhead = COMMITMENT_SALT_BYTES + TAG_BYTES;
    let padded = padded_len(plaintext.len())
        .filter(|&p| p <= u32::MAX as usize - overhead)
        .ok_or(SealedError::PlaintextTooLarge)?;
    // Fits: padded ≥ plaintext length + 4 and padded < 2^32.
    let length_field = (plaintext.len() as u32).to_be_bytes();
    let (ephemeral, ephemeral_public) = keys::ephemeral()?;
    let shared = keys::agree(&ephemeral, tender_public_key.as_bytes())
        .ok_or(SealedError::InvalidPublicKey { member: None })?;
    let key = keys::derive_key(
        &shared,
        &ephemeral_public,
        tender_public_key,
        &bid_info(tender_id, bid_id),
    );
    let salt = crate::random::secret_array::<COMMITMENT_SALT_BYTES>()?;
    let commitment = commitment(tender_id, bid_id, &salt, plaintext);
    let nonce = crate::random::array::<NONCE_BYTES>()?;
    let mut inner = Zeroizing::new(Vec::with_capacity(COMMITMENT_SALT_BYTES + padded));
    inner.extend_from_slice(&salt[..]);
    inner.extend_from_slice(&length_field);
    inner.extend_from_slice(plaintext);
    inner.resize(COMMITMENT_SALT_BYTES + padded, 0);
    let mut sealed = SealedBid {
        ephemeral_public,
        nonce,
        commitment,
        ciphertext: Vec::new(),
    };
    let aad = sealed.associated_data(tender_public_key, tender_id, bid_id);
    sealed.ciphertext = keys::encrypt(&key, &nonce, &aad, &inner)?;
    Ok(sealed)
}

/// Opens a sealed bid with the tender key rebuilt at the opening.
///
/// Errors: `sealed.wrong_tender` (the key is another tender's), `sealed.tampered` (any stored
/// byte altered, or the ciphertext belongs to another bid or tender).
pub fn unseal(
    tender_secret: &TenderSecret,
    sealed: &SealedBid,
    tender_id: &str,
    bid_id: &str,
) -> Result<OpenedBid> {
    if tender_secret.tender_id() != tender_id {
        return Err(SealedError::WrongTender);
    }
    tender_secret.unseal(sealed, bid_id)
}

pub(crate) fn open(
    private: &StaticSecret,
    tender_public_key: &PublicKey,
    tender_id: &str,
    sealed: &SealedBid,
    bid_id: &str,
) -> Result<OpenedBid> {
    check_id("bid_id", bid_id)?;
    let shared =
        keys::agree(private, sealed.ephemeral_public.as_bytes()).ok_or(SealedError::Tampered)?;
    let key = keys::derive_key(
        &shared,
        &sealed.ephemeral_public,
        tender_public_key,
        &bid_info(tender_id, bid_id),
    );
    let aad = sealed.associated_data(tender_public_key, tender_id, bid_id);
    let inner = keys::decrypt(&key, &sealed.nonce, &aad, &sealed.ciphertext)
        .ok_or(SealedError::Tampered)?;
    // Authentic from here on; a malformed body can only come from a dishonest sealer.
    if inner.len() < COMMITMENT_SALT_BYTES + LENGTH_BYTES {
        return Err(SealedError::Tampered);
    }
    let (salt, body) = inner.split_at(COMMITMENT_SALT_BYTES);
    let (length_field, padded) = body.split_at(LENGTH_BYTES);
    let length = u32::from_be_bytes([
        length_field[0],
        length_field[1],
        length_field[2],
        length_field[3],
    ]) as usize;
    if length > padded.len() || padded[length..].iter().any(|&b| b != 0) {
        return Err(SealedError::Tampered);
    }
    let plaintext = &padded[..length];
    let mut commitment_salt = [0u8; COMMITMENT_SALT_BYTES];
    commitment_salt.copy_from_slice(salt);
    // Only a dishonest sealer could produce a valid ciphertext whose commitment does not match.
    if commitment(tender_id, bid_id, &commitment_salt, plaintext) != sealed.commitment {
        return Err(SealedError::Tampered);
    }
    Ok(OpenedBid {
        plaintext: plaintext.to_vec(),
        commitment_salt,
        commitment: sealed.commitment,
        receipt_hash: sealed.receipt_hash(tender_public_key, tender_id, bid_id),
    })
}

fn bid_info(tender_id: &str, bid_id: &str) -> Vec<u8> {
    keys::context(BID_LABEL, &[tender_id.as_bytes(), bid_id.as_bytes()])
}

/// The bid commitment: `SHA-256(label ‖ tender id ‖ bid id ‖ salt ‖ plaintext)` (label and
/// identifiers length-prefixed). Anyone holding an opened bid's salt and plaintext can recompute
/// it and compare with the commitment inside the published sealed bid.
pub fn commitment(
    tender_id: &str,
    bid_id: &str,
    salt: &[u8; COMMITMENT_SALT_BYTES],
    plaintext: &[u8],
) -> Sha256Hash {
    let prefix = keys::context(
        COMMITMENT_LABEL,
        &[tender_id.as_bytes(), bid_id.as_bytes(), salt],
    );
    Sha256Hash::of(&[&prefix, plaintext])
}

impl SealedBid {
    /// The hash printed on the supplier's receipt and listed in the opening record:
    /// `SHA-256(label ‖ tender id ‖ bid id ‖ tender public key ‖ canonical encoding)`. It covers
    /// the ciphertext, never the plaintext, so it can be shown before the opening.
    pub fn receipt_hash(
        &self,
        tender_public_key: &PublicKey,
        tender_id: &str,
        bid_id: &str,
    ) -> Sha256Hash {
        let prefix = keys::context(
            RECEIPT_LABEL,
            &[
                tender_id.as_bytes(),
                bid_id.as_bytes(),
                tender_public_key.as_bytes(),
            ],
        );
        Sha256Hash::of(&[&prefix, &self.to_bytes()])
    }

    /// The hiding commitment to the plaintext (see the module documentation).
    pub fn commitment(&self) -> &Sha256Hash {
        &self.commitment
    }

    /// Length of the ciphertext in bytes: 48 + the padded body size (at least 512).
    pub fn ciphertext_len(&self) -> usize {
        self.ciphertext.len()
    }

    fn associated_data(
        &self,
        tender_public_key: &PublicKey,
        tender_id: &str,
        bid_id: &str,
    ) -> Vec<u8> {
        let mut w = Writer::new(Kind::SealedBid);
        w.id(tender_id)
            .id(bid_id)
            .fixed(tender_public_key.as_bytes())
            .fixed(self.ephemeral_public.as_bytes())
            .fixed(self.commitment.as_bytes());
        w.finish()
    }

    /// Canonical encoding (see the type's documentation).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(Kind::SealedBid);
        w.fixed(self.ephemeral_public.as_bytes())
            .fixed(&self.nonce)
            .fixed(self.commitment.as_bytes())
            .bytes(&self.ciphertext);
        w.finish()
    }

    /// Reads [`SealedBid::to_bytes`] output.
    pub fn from_bytes(bytes: &[u8]) -> Result<SealedBid> {
        let mut r = Reader::new(bytes);
        r.header(Kind::SealedBid)?;
        let ephemeral_public = PublicKey::from_raw(r.array()?)?;
        let nonce = r.array()?;
        let commitment = Sha256Hash::from_bytes(r.array()?);
        let ciphertext = r.bytes()?.to_vec();
        r.finish()?;
        if ciphertext.len() < COMMITMENT_SALT_BYTES + LENGTH_BYTES + TAG_BYTES {
            return Err(SealedError::encoding(
                "ciphertext shorter than salt, length and tag",
            ));
        }
        Ok(SealedBid {
            ephemeral_public,
            nonce,
            commitment,
            ciphertext,
        })
    }

    /// Base64url text of [`SealedBid::to_bytes`].
    pub fn to_base64(&self) -> String {
        encoding::to_base64(&self.to_bytes())
    }

    /// Reads [`SealedBid::to_base64`] output.
    pub fn from_base64(text: &str) -> Result<SealedBid> {
        SealedBid::from_bytes(&encoding::from_base64(text)?)
    }
}

encoding::serde_as_base64!(SealedBid);

/// A bid after the opening: public from now on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedBid {
    /// The bid as the supplier submitted it.
    pub plaintext: Vec<u8>,
    /// The salt of the commitment; publish it with the plaintext so anyone can verify.
    pub commitment_salt: [u8; COMMITMENT_SALT_BYTES],
    /// The commitment stored with the sealed bid.
    pub commitment: Sha256Hash,
    /// The receipt hash the supplier was given at submission.
    pub receipt_hash: Sha256Hash,
}

impl OpenedBid {
    /// Recomputes the commitment from the salt and plaintext, as an observer would from the
    /// opening record.
    pub fn verify_commitment(&self, tender_id: &str, bid_id: &str) -> bool {
        commitment(tender_id, bid_id, &self.commitment_salt, &self.plaintext) == self.commitment
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padme_rounds_as_the_paper_defines() {
        assert_eq!(padme(0), Some(0));
        assert_eq!(padme(1), Some(1));
        assert_eq!(padme(7), Some(7));
        assert_eq!(padme(512), Some(512));
        assert_eq!(padme(513), Some(544));
        assert_eq!(padme(1000), Some(1024));
        assert_eq!(padme(1_000_000), Some(1_015_808));
        for length in 2..100_000usize {
            let padded = padme(length).unwrap();
            assert!(padded >= length);
            // Overhead bounded by 12 % (the paper's bound); from 256 bytes on, at most 1/8.
            if length >= 256 {
                assert!(padded - length <= length / 8, "{length} -> {padded}");
            }
            assert_eq!(
                padme(padded),
                Some(padded),
                "{length}: padding is idempotent"
            );
        }
    }

    /// Encrypts an arbitrary body the way `seal` does, as a dishonest sealer could.
    fn seal_raw(public: &PublicKey, body: &[u8], commitment: Sha256Hash) -> SealedBid {
        let (ephemeral, ephemeral_public) = keys::ephemeral().unwrap();
        let shared = keys::agree(&ephemeral, public.as_bytes()).unwrap();
        let key = keys::derive_key(&shared, &ephemeral_public, public, &bid_info("T", "b"));
        let mut sealed = SealedBid {
            ephemeral_public,
            nonce: [7u8; NONCE_BYTES],
            commitment,
            ciphertext: Vec::new(),
        };
        let aad = sealed.associated_data(public, "T", "b");
        sealed.ciphertext = keys::encrypt(&key, &sealed.nonce, &aad, body).unwrap();
        sealed
    }

    #[test]
    fn a_dishonest_sealers_malformed_body_is_refused() {
        let private = StaticSecret::from([3u8; 32]);
        let public = PublicKey::from_secret(&private);
        let salt = [5u8; COMMITMENT_SALT_BYTES];
        let honest_commitment = commitment("T", "b", &salt, b"10.00");
        let body = |length: u32, plaintext: &[u8], pad: u8| {
            let mut body = salt.to_vec();
            body.extend_from_slice(&length.to_be_bytes());
            body.extend_from_slice(plaintext);
            body.resize(COMMITMENT_SALT_BYTES + MIN_PADDED_BYTES, pad);
            body
        };
        // The honest layout opens.
        let good = seal_raw(&public, &body(5, b"10.00", 0), honest_commitment);
        assert_eq!(
            open(&private, &public, "T", &good, "b").unwrap().plaintext,
            b"10.00"
        );
        for (name, sealed) in [
            (
                "non-zero padding",
                seal_raw(&public, &body(5, b"10.00", 1), honest_commitment),
            ),
            (
                "length past the end",
                seal_raw(&public, &body(4000, b"10.00", 0), honest_commitment),
            ),
            (
                "length too short",
                seal_raw(&public, &body(4, b"10.00", 0), honest_commitment),
            ),
            (
                "no length field",
                seal_raw(&public, &body(5, b"10.00", 0)[..34], honest_commitment),
            ),
            (
                "commitment to another price",
                seal_raw(
                    &public,
                    &body(5, b"10.00", 0),
                    commitment("T", "b", &salt, b"99.00"),
                ),
            ),
        ] {
            assert_eq!(
                open(&private, &public, "T", &sealed, "b").unwrap_err(),
                SealedError::Tampered,
                "{name}"
            );
        }
    }

    #[test]
    fn small_bids_all_have_the_same_ciphertext_length() {
        let (_, public) = keys::ephemeral().unwrap();
        let lengths: Vec<usize> = [0usize, 1, 5, 6, 100, 508]
            .iter()
            .map(|&n| {
                seal(&public, "T", "b", &vec![b'9'; n])
                    .unwrap()
                    .ciphertext_len()
            })
            .collect();
        assert!(lengths.iter().all(|&l| l == 32 + 512 + 16), "{lengths:?}");
        let larger = seal(&public, "T", "b", &[b'9'; 509]).unwrap();
        assert_eq!(larger.ciphertext_len(), 32 + 544 + 16);
    }
}
