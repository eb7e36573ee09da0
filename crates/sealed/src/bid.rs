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

/// An encrypted bid: what the database stores until the opening.
///
/// Encoding (format 1, kind 5): version, kind, ephemeral public key (32), nonce (12), commitment
/// (32), ciphertext (u32 length, then ChaCha20-Poly1305 output of salt ‖ plaintext, + 16 tag).
/// The ciphertext is 48 bytes longer than the plaintext; its length reveals the plaintext's
/// length (pad the plaintext in the service if that matters).
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
/// `sealed.plaintext_too_large` (over 4 GiB), `sealed.randomness_unavailable`.
pub fn seal(
    tender_public_key: &PublicKey,
    tender_id: &str,
    bid_id: &str,
    plaintext: &[u8],
) -> Result<SealedBid> {
    check_id("tender_id", tender_id)?;
    check_id("bid_id", bid_id)?;
    let overhead = COMMITMENT_SALT_BYTES + TAG_BYTES;
    if plaintext.len() > u32::MAX as usize - overhead {
        return Err(SealedError::PlaintextTooLarge);
    }
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
    let mut inner = Zeroizing::new(Vec::with_capacity(COMMITMENT_SALT_BYTES + plaintext.len()));
    inner.extend_from_slice(&salt[..]);
    inner.extend_from_slice(plaintext);
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
    if inner.len() < COMMITMENT_SALT_BYTES {
        return Err(SealedError::Tampered);
    }
    let (salt, plaintext) = inner.split_at(COMMITMENT_SALT_BYTES);
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

    /// Length of the ciphertext in bytes (plaintext length + 48).
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
        if ciphertext.len() < COMMITMENT_SALT_BYTES + TAG_BYTES {
            return Err(SealedError::encoding(
                "ciphertext shorter than salt and tag",
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
