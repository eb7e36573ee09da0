//! X25519 public keys (RFC 7748) as the crate stores and shows them, and the hybrid-encryption
//! building blocks shared by committee shares and sealed bids.
//!
//! Why one construction for both: a committee share and a sealed bid are the same problem — encrypt
//! to someone's long-term X25519 public key so that only the holder of the private key can read it.
//! Both use an ECIES / HPKE-style scheme (in the spirit of RFC 9180's DHKEM + HKDF + AEAD):
//! a fresh ephemeral X25519 key per message; the shared secret goes through HKDF-SHA256
//! (RFC 5869) with salt = ephemeral public ‖ recipient public and an `info` string that starts with
//! a purpose label and carries the tender and bid/member identifiers (so a key derived for one
//! purpose or one bid is useless for any other); the derived key encrypts with ChaCha20-Poly1305
//! (RFC 8439) under a random 96-bit nonce, with the identifiers again as associated data.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use hkdf::Hkdf;
use sha2::Sha256;
use x25519_dalek::{SharedSecret, StaticSecret};
use zeroize::Zeroizing;

use crate::encoding::{self, Kind, Reader, Writer};
use crate::error::{Result, SealedError};
use crate::hash::Sha256Hash;

/// Length of an X25519 key, private or public (RFC 7748 §5).
pub const KEY_BYTES: usize = 32;
/// Length of a ChaCha20-Poly1305 nonce (RFC 8439 §2.8).
pub const NONCE_BYTES: usize = 12;
/// Length of a Poly1305 tag (RFC 8439 §2.8).
pub const TAG_BYTES: usize = 16;

/// A member's or a tender's X25519 public key.
///
/// Public, storable anywhere. Construction refuses the low-order points of Curve25519
/// (RFC 7748 §6.1, "check for the all-zero value"): encrypting to one of them would produce a
/// shared secret anyone can compute.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PublicKey([u8; KEY_BYTES]);

impl PublicKey {
    /// Accepts raw RFC 7748 key bytes, refusing low-order points and non-canonical encodings
    /// (`sealed.invalid_public_key`).
    ///
    /// Why refuse non-canonical encodings (top bit set, or a coordinate ≥ 2^255 − 19) although
    /// X25519 itself would accept them: each point then has exactly one accepted encoding, so
    /// comparing bytes is comparing keys — which is how the ceremony refuses to give one person
    /// two shares through two spellings of the same key. Keys made by this crate are canonical.
    pub fn from_raw(bytes: [u8; KEY_BYTES]) -> Result<PublicKey> {
        let top_bit_set = bytes[31] & 0x80 != 0;
        // 2^255 − 19 is ed ff … ff 7f in little-endian; values from it up to 2^255 − 1 are
        // non-canonical spellings of 0..18.
        let at_least_p =
            bytes[31] == 0x7F && bytes[1..31].iter().all(|&b| b == 0xFF) && bytes[0] >= 0xED;
        if top_bit_set || at_least_p {
            return Err(SealedError::InvalidPublicKey { member: None });
        }
        // Any clamped scalar is a multiple of the cofactor 8, so it maps exactly the points of
        // order dividing 8 to the all-zero output: that is the contributory-behaviour check.
        let probe = StaticSecret::from([0x55u8; KEY_BYTES]);
        let shared = probe.diffie_hellman(&x25519_dalek::PublicKey::from(bytes));
        if shared.was_contributory() {
            Ok(PublicKey(bytes))
        } else {
            Err(SealedError::InvalidPublicKey { member: None })
        }
    }

    pub(crate) fn from_secret(secret: &StaticSecret) -> PublicKey {
        PublicKey(x25519_dalek::PublicKey::from(secret).to_bytes())
    }

    /// The raw RFC 7748 bytes.
    pub fn as_bytes(&self) -> &[u8; KEY_BYTES] {
        &self.0
    }

    /// A short, human-comparable fingerprint (first 16 bytes of a labelled SHA-256, in groups of
    /// four hexadecimal digits).
    ///
    /// Why: whoever can write to the database could replace a member's or a tender's public key
    /// with their own before the ceremony or before bids are sealed. The fingerprint is what the
    /// member confirms on screen, what the audit log records at key registration and what the
    /// tender notice and the supplier's receipt show, so a substitution is visible.
    pub fn fingerprint(&self) -> String {
        let digest = Sha256Hash::of(&[b"tianguis-sealed/v1/fingerprint", &self.0]);
        let hex = encoding::to_hex(&digest.as_bytes()[..16]);
        hex.as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap_or_default())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Canonical encoding: version, kind, 32 key bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        Writer::new(Kind::PublicKey).fixed(&self.0).finish()
    }

    /// Reads [`PublicKey::to_bytes`] output.
    pub fn from_bytes(bytes: &[u8]) -> Result<PublicKey> {
        let mut reader = Reader::new(bytes);
        reader.header(Kind::PublicKey)?;
        let raw = reader.array::<KEY_BYTES>()?;
        reader.finish()?;
        PublicKey::from_raw(raw)
    }

    /// Base64url text of [`PublicKey::to_bytes`].
    pub fn to_base64(&self) -> String {
        encoding::to_base64(&self.to_bytes())
    }

    /// Reads [`PublicKey::to_base64`] output.
    pub fn from_base64(text: &str) -> Result<PublicKey> {
        PublicKey::from_bytes(&encoding::from_base64(text)?)
    }
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({})", self.fingerprint())
    }
}

encoding::serde_as_base64!(PublicKey);

/// A fresh X25519 key pair for one message (wiped when dropped).
pub(crate) fn ephemeral() -> Result<(StaticSecret, PublicKey)> {
    let bytes = crate::random::secret_array::<KEY_BYTES>()?;
    let secret = StaticSecret::from(*bytes);
    let public = PublicKey::from_secret(&secret);
    Ok((secret, public))
}

/// X25519, refusing a non-contributory result (a low-order peer key).
pub(crate) fn agree(secret: &StaticSecret, peer: &[u8; KEY_BYTES]) -> Option<SharedSecret> {
    let shared = secret.diffie_hellman(&x25519_dalek::PublicKey::from(*peer));
    shared.was_contributory().then_some(shared)
}

/// `label ‖ fields`, each with a u16 length prefix, so that no two different inputs give the same
/// bytes (e.g. tender "ab" + bid "c" versus tender "a" + bid "bc").
pub(crate) fn context(label: &str, fields: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for field in std::iter::once(label.as_bytes()).chain(fields.iter().copied()) {
        let len = u16::try_from(field.len()).unwrap_or(u16::MAX);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&field[..usize::from(len)]);
    }
    out
}

/// HKDF-SHA256 (RFC 5869): extract with salt = ephemeral ‖ recipient, expand with `info`.
pub(crate) fn derive_key(
    shared: &SharedSecret,
    ephemeral: &PublicKey,
    recipient: &PublicKey,
    info: &[u8],
) -> Zeroizing<[u8; KEY_BYTES]> {
    let mut salt = [0u8; 2 * KEY_BYTES];
    salt[..KEY_BYTES].copy_from_slice(ephemeral.as_bytes());
    salt[KEY_BYTES..].copy_from_slice(recipient.as_bytes());
    let hkdf = Hkdf::<Sha256>::new(Some(&salt), shared.as_bytes());
    let mut key = Zeroizing::new([0u8; KEY_BYTES]);
    // 32 bytes is far below HKDF-SHA256's 255 × 32 limit: this cannot fail.
    if hkdf.expand(info, &mut key[..]).is_err() {
        unreachable!("HKDF-SHA256 can always expand 32 bytes");
    }
    key
}

/// ChaCha20-Poly1305 encryption; the output is ciphertext ‖ 16-byte tag.
pub(crate) fn encrypt(
    key: &[u8; KEY_BYTES],
    nonce: &[u8; NONCE_BYTES],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>> {
    let cipher = ChaCha20Poly1305::new(&Key::from(*key));
    cipher
        .encrypt(
            &Nonce::from(*nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .map_err(|_| SealedError::PlaintextTooLarge)
}

/// ChaCha20-Poly1305 decryption; `None` if the tag does not verify (nothing is decrypted then).
pub(crate) fn decrypt(
    key: &[u8; KEY_BYTES],
    nonce: &[u8; NONCE_BYTES],
    aad: &[u8],
    ciphertext: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    let cipher = ChaCha20Poly1305::new(&Key::from(*key));
    cipher
        .decrypt(
            &Nonce::from(*nonce),
            Payload {
                msg: ciphertext,
                aad,
            },
        )
        .ok()
        .map(Zeroizing::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The low-order points of Curve25519 listed in the literature (e.g. the "blacklist" of
    /// libsodium and cr.yp.to/ecdh.html#validate), including non-canonical encodings.
    fn low_order_points() -> Vec<[u8; 32]> {
        let hex = [
            "0000000000000000000000000000000000000000000000000000000000000000",
            "0100000000000000000000000000000000000000000000000000000000000000",
            "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
            "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        ];
        hex.iter()
            .map(|h| encoding::from_hex::<32>(h).unwrap())
            .collect()
    }

    #[test]
    fn low_order_points_are_refused() {
        for point in low_order_points() {
            assert_eq!(
                PublicKey::from_raw(point).unwrap_err().code(),
                "sealed.invalid_public_key",
                "{}",
                encoding::to_hex(&point)
            );
        }
    }

    #[test]
    fn non_canonical_encodings_are_refused() {
        let (_, public) = ephemeral().unwrap();
        let mut high = *public.as_bytes();
        high[31] |= 0x80;
        assert_eq!(
            PublicKey::from_raw(high).unwrap_err().code(),
            "sealed.invalid_public_key"
        );
        // 2^255 − 19 + 9 is a non-canonical spelling of the base point 9.
        let mut base_plus_p = [0xFFu8; 32];
        base_plus_p[0] = 0xED + 9;
        base_plus_p[31] = 0x7F;
        assert_eq!(
            PublicKey::from_raw(base_plus_p).unwrap_err().code(),
            "sealed.invalid_public_key"
        );
        let mut base = [0u8; 32];
        base[0] = 9;
        PublicKey::from_raw(base).unwrap();
        // The largest canonical value, 2^255 − 20, passes the encoding check (p − 1 is then
        // refused as a low-order point, which the low-order test covers).
        let mut below_p = [0xFFu8; 32];
        below_p[0] = 0xEB;
        below_p[31] = 0x7F;
        PublicKey::from_raw(below_p).unwrap();
    }

    #[test]
    fn rfc_7748_test_vector_public_key_is_accepted_and_derived() {
        // RFC 7748 §6.1: Alice's private and public keys.
        let private = encoding::from_hex::<32>(
            "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
        )
        .unwrap();
        let public = PublicKey::from_secret(&StaticSecret::from(private));
        assert_eq!(
            encoding::to_hex(public.as_bytes()),
            "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"
        );
        assert_eq!(PublicKey::from_raw(*public.as_bytes()).unwrap(), public);
    }

    #[test]
    fn encoding_round_trips_and_fingerprint_is_stable() {
        let (_, public) = ephemeral().unwrap();
        assert_eq!(PublicKey::from_bytes(&public.to_bytes()).unwrap(), public);
        assert_eq!(PublicKey::from_base64(&public.to_base64()).unwrap(), public);
        let json = serde_json::to_string(&public).unwrap();
        assert_eq!(serde_json::from_str::<PublicKey>(&json).unwrap(), public);
        let fp = public.fingerprint();
        assert_eq!(fp.len(), 39);
        assert_eq!(fp, public.fingerprint());
        assert!(format!("{public:?}").contains(&fp));
        // A low-order point inside a well-formed encoding is still refused.
        let mut bytes = public.to_bytes();
        bytes[2..].copy_from_slice(&[0u8; 32]);
        assert_eq!(
            PublicKey::from_bytes(&bytes).unwrap_err().code(),
            "sealed.invalid_public_key"
        );
    }

    #[test]
    fn context_is_unambiguous() {
        assert_ne!(context("l", &[b"ab", b"c"]), context("l", &[b"a", b"bc"]));
        assert_ne!(context("bid", &[]), context("bi", &[b"d"]));
    }
}
