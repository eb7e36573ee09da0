//! Committee members' long-term opening keys, stored only wrapped under an opening passphrase.
//!
//! Why a separate *opening passphrase* and not the login password: an administrator can reset a
//! login password (issue 2's account recovery), and if that also unlocked the member's key the
//! administrator could collect shares. The opening passphrase is known only to the member; the
//! platform stores the X25519 private key encrypted under a key derived from it with Argon2id
//! (RFC 9106), with a random salt and the cost parameters next to the ciphertext so they can be
//! raised later without breaking existing keys. Losing the passphrase loses the member's share
//! (the committee's threshold `k < n` is what tolerates that).

use argon2::{Algorithm, Argon2, Params, Version};
use unicode_normalization::UnicodeNormalization;
use x25519_dalek::StaticSecret;
use zeroize::Zeroizing;

use crate::encoding::{self, Kind, Reader, Writer};
use crate::error::{Result, SealedError};
use crate::keys::{self, KEY_BYTES, NONCE_BYTES, PublicKey, TAG_BYTES};

/// Minimum length of an opening passphrase, in characters (Unicode scalar values after NFC
/// normalisation). Length is the rule that matters (NIST SP 800-63B §5.1.1.2); 12 characters is
/// the platform's policy for a secret that guards every tender a member sits on.
pub const MIN_PASSPHRASE_CHARS: usize = 12;

/// Length of the Argon2 salt: 128 bits, as RFC 9106 §3.1 recommends.
pub const SALT_BYTES: usize = 16;

/// Argon2id cost parameters, stored with each wrapped key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KdfParams {
    memory_kib: u32,
    iterations: u32,
    parallelism: u32,
}

impl KdfParams {
    /// RFC 9106 §4, second recommended option (64 MiB, 3 passes, 4 lanes): the default for new
    /// keys. Unwrapping happens once per member per opening, so a fraction of a second is
    /// affordable (measured in the README, *Costs*).
    pub const RECOMMENDED: KdfParams = KdfParams {
        memory_kib: 64 * 1024,
        iterations: 3,
        parallelism: 4,
    };

    /// The weakest parameters accepted (OWASP Password Storage Cheat Sheet's Argon2id minimum:
    /// 19 MiB, 2 passes, 1 lane). Meant for tests and small machines; never below this.
    pub const MINIMUM: KdfParams = KdfParams {
        memory_kib: 19 * 1024,
        iterations: 2,
        parallelism: 1,
    };

    /// Largest memory cost accepted: 2 GiB, RFC 9106's first recommended option. Also protects
    /// the server from a stored record that asks for absurd memory.
    pub const MAX_MEMORY_KIB: u32 = 2 * 1024 * 1024;
    /// Largest number of passes accepted.
    pub const MAX_ITERATIONS: u32 = 16;
    /// Largest number of lanes accepted.
    pub const MAX_PARALLELISM: u32 = 16;

    /// Checked constructor: memory between 19 MiB and 2 GiB, 1–16 passes, 1–16 lanes, and at
    /// least the work of [`KdfParams::MINIMUM`] (memory × passes), so one pass over 2 GiB
    /// (RFC 9106's first option) is accepted but one pass over 19 MiB is not.
    pub fn new(memory_kib: u32, iterations: u32, parallelism: u32) -> Result<KdfParams> {
        let invalid = |reason: String| SealedError::InvalidKdfParams { reason };
        if !(KdfParams::MINIMUM.memory_kib..=KdfParams::MAX_MEMORY_KIB).contains(&memory_kib) {
            return Err(invalid(format!(
                "memory {memory_kib} KiB outside {}..={} KiB",
                KdfParams::MINIMUM.memory_kib,
                KdfParams::MAX_MEMORY_KIB
            )));
        }
        if !(1..=KdfParams::MAX_ITERATIONS).contains(&iterations) {
            return Err(invalid(format!("{iterations} passes outside 1..=16")));
        }
        if !(1..=KdfParams::MAX_PARALLELISM).contains(&parallelism) {
            return Err(invalid(format!("{parallelism} lanes outside 1..=16")));
        }
        let minimum_work =
            u64::from(KdfParams::MINIMUM.memory_kib) * u64::from(KdfParams::MINIMUM.iterations);
        if u64::from(memory_kib) * u64::from(iterations) < minimum_work {
            return Err(invalid(format!(
                "{memory_kib} KiB × {iterations} passes is below the minimum work of {minimum_work}"
            )));
        }
        Ok(KdfParams {
            memory_kib,
            iterations,
            parallelism,
        })
    }

    /// Memory cost in KiB.
    pub fn memory_kib(&self) -> u32 {
        self.memory_kib
    }

    /// Number of passes.
    pub fn iterations(&self) -> u32 {
        self.iterations
    }

    /// Number of lanes.
    pub fn parallelism(&self) -> u32 {
        self.parallelism
    }

    /// Argon2id v1.3 with these parameters, deriving a 32-byte key.
    fn derive(&self, passphrase: &str, salt: &[u8; SALT_BYTES]) -> Result<Zeroizing<[u8; 32]>> {
        let params = Params::new(
            self.memory_kib,
            self.iterations,
            self.parallelism,
            Some(KEY_BYTES),
        )
        .map_err(|e| SealedError::InvalidKdfParams {
            reason: e.to_string(),
        })?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let mut key = Zeroizing::new([0u8; KEY_BYTES]);
        argon
            .hash_password_into(passphrase.as_bytes(), salt, &mut key[..])
            .map_err(|e| SealedError::InvalidKdfParams {
                reason: e.to_string(),
            })?;
        Ok(key)
    }
}

impl Default for KdfParams {
    fn default() -> Self {
        KdfParams::RECOMMENDED
    }
}

/// NFC-normalises a passphrase, so that "contraseña" typed with a precomposed "ñ" on one device
/// and with "n" + combining tilde on another unlock the same key. Nothing else is changed
/// (no trimming, no case folding): the passphrase is the member's exact phrase.
fn normalise(passphrase: &str) -> Zeroizing<String> {
    // NFC expands a string at most threefold (Unicode Standard Annex #15, §9): reserve that so
    // the buffer never reallocates and leaves copies behind.
    let mut out = Zeroizing::new(String::with_capacity(passphrase.len() * 3));
    out.extend(passphrase.nfc());
    out
}

/// Checks the opening-passphrase policy (`sealed.weak_passphrase`), e.g. for a form that wants
/// to answer before the key is generated.
pub fn check_passphrase_policy(passphrase: &str) -> Result<()> {
    if normalise(passphrase).chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(SealedError::WeakPassphrase {
            min_chars: MIN_PASSPHRASE_CHARS,
        });
    }
    Ok(())
}

/// Generation of a committee member's opening key pair.
pub struct MemberKey;

impl MemberKey {
    /// Generates a member's X25519 key pair and returns the public key (to store and show as a
    /// fingerprint) and the private key wrapped under `passphrase` with
    /// [`KdfParams::RECOMMENDED`]. The plain private key never leaves this function.
    pub fn generate(passphrase: &str) -> Result<(PublicKey, WrappedPrivateKey)> {
        MemberKey::generate_with_params(passphrase, KdfParams::RECOMMENDED)
    }

    /// [`MemberKey::generate`] with explicit Argon2id parameters (already range-checked by
    /// [`KdfParams::new`]).
    pub fn generate_with_params(
        passphrase: &str,
        params: KdfParams,
    ) -> Result<(PublicKey, WrappedPrivateKey)> {
        check_passphrase_policy(passphrase)?;
        let bytes = crate::random::secret_array::<KEY_BYTES>()?;
        let secret = MemberSecret::from_private(StaticSecret::from(*bytes));
        let wrapped = secret.wrap_with_params(passphrase, params)?;
        Ok((secret.public_key, wrapped))
    }
}

/// A member's unwrapped private opening key, in memory for the time of an opening only.
///
/// Wiped when dropped (x25519-dalek zeroizes `StaticSecret`); not `Clone`, not serialisable, and
/// its `Debug` shows only the public fingerprint.
pub struct MemberSecret {
    public_key: PublicKey,
    private: StaticSecret,
}

impl std::fmt::Debug for MemberSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemberSecret")
            .field("public_key", &self.public_key)
            .field("private", &"<redacted>")
            .finish()
    }
}

impl MemberSecret {
    fn from_private(private: StaticSecret) -> MemberSecret {
        MemberSecret {
            public_key: PublicKey::from_secret(&private),
            private,
        }
    }

    /// The public half.
    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    pub(crate) fn private(&self) -> &StaticSecret {
        &self.private
    }

    /// Wraps this key under a (new) passphrase with [`KdfParams::RECOMMENDED`]: how a member
    /// changes the opening passphrase without changing the key, so the shares of tenders already
    /// published stay valid.
    pub fn wrap(&self, passphrase: &str) -> Result<WrappedPrivateKey> {
        self.wrap_with_params(passphrase, KdfParams::RECOMMENDED)
    }

    /// [`MemberSecret::wrap`] with explicit Argon2id parameters.
    pub fn wrap_with_params(
        &self,
        passphrase: &str,
        params: KdfParams,
    ) -> Result<WrappedPrivateKey> {
        check_passphrase_policy(passphrase)?;
        let salt = crate::random::array::<SALT_BYTES>()?;
        let nonce = crate::random::array::<NONCE_BYTES>()?;
        let mut wrapped = WrappedPrivateKey {
            params,
            salt,
            public_key: self.public_key,
            nonce,
            ciphertext: [0u8; WRAPPED_BYTES],
        };
        let key = params.derive(&normalise(passphrase), &salt)?;
        let ciphertext = keys::encrypt(
            &key,
            &nonce,
            &wrapped.associated_data(),
            self.private.as_bytes(),
        )?;
        wrapped.ciphertext.copy_from_slice(&ciphertext);
        Ok(wrapped)
    }
}

const WRAPPED_BYTES: usize = KEY_BYTES + TAG_BYTES;

/// A member's private key encrypted under the opening passphrase: what the database stores.
///
/// Encoding (format 1, kind 2): version, kind, Argon2id memory KiB (u32), passes (u32), lanes
/// (u32), salt (16), public key (32), nonce (12), ChaCha20-Poly1305 ciphertext + tag (48). Every
/// byte before the nonce is associated data, so changing the parameters, the salt or the public
/// key makes unwrapping fail.
#[derive(Clone, PartialEq, Eq)]
pub struct WrappedPrivateKey {
    params: KdfParams,
    salt: [u8; SALT_BYTES],
    public_key: PublicKey,
    nonce: [u8; NONCE_BYTES],
    ciphertext: [u8; WRAPPED_BYTES],
}

impl std::fmt::Debug for WrappedPrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WrappedPrivateKey")
            .field("params", &self.params)
            .field("public_key", &self.public_key)
            .finish_non_exhaustive()
    }
}

impl WrappedPrivateKey {
    /// Unlocks the private key. A wrong passphrase (or an altered record) is
    /// `sealed.wrong_passphrase`; stored parameters outside [`KdfParams::new`]'s range are refused
    /// before any memory is allocated for them.
    pub fn unwrap(&self, passphrase: &str) -> Result<MemberSecret> {
        let key = self.params.derive(&normalise(passphrase), &self.salt)?;
        let plain = keys::decrypt(&key, &self.nonce, &self.associated_data(), &self.ciphertext)
            .ok_or(SealedError::WrongPassphrase)?;
        let bytes: Zeroizing<[u8; KEY_BYTES]> = Zeroizing::new(
            plain[..]
                .try_into()
                .map_err(|_| SealedError::WrongPassphrase)?,
        );
        let secret = MemberSecret::from_private(StaticSecret::from(*bytes));
        if secret.public_key != self.public_key {
            // Cannot happen without the wrapping key: the public key is associated data.
            return Err(SealedError::Tampered);
        }
        Ok(secret)
    }

    /// The public half (also stored in the clear next to the member).
    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    /// The Argon2id parameters this key was wrapped with (to decide when to re-wrap).
    pub fn kdf_params(&self) -> &KdfParams {
        &self.params
    }

    fn associated_data(&self) -> Vec<u8> {
        let mut w = Writer::new(Kind::WrappedPrivateKey);
        w.u32(self.params.memory_kib)
            .u32(self.params.iterations)
            .u32(self.params.parallelism)
            .fixed(&self.salt)
            .fixed(self.public_key.as_bytes());
        w.finish()
    }

    /// Canonical encoding (see the type's documentation): 122 bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = self.associated_data();
        bytes.extend_from_slice(&self.nonce);
        bytes.extend_from_slice(&self.ciphertext);
        bytes
    }

    /// Reads [`WrappedPrivateKey::to_bytes`] output.
    pub fn from_bytes(bytes: &[u8]) -> Result<WrappedPrivateKey> {
        let mut r = Reader::new(bytes);
        r.header(Kind::WrappedPrivateKey)?;
        let (m, t, p) = (r.u32()?, r.u32()?, r.u32()?);
        let params = KdfParams::new(m, t, p)?;
        let salt = r.array::<SALT_BYTES>()?;
        let public_key = PublicKey::from_raw(r.array::<KEY_BYTES>()?)?;
        let nonce = r.array::<NONCE_BYTES>()?;
        let ciphertext = r.array::<WRAPPED_BYTES>()?;
        r.finish()?;
        Ok(WrappedPrivateKey {
            params,
            salt,
            public_key,
            nonce,
            ciphertext,
        })
    }

    /// Base64url text of [`WrappedPrivateKey::to_bytes`].
    pub fn to_base64(&self) -> String {
        encoding::to_base64(&self.to_bytes())
    }

    /// Reads [`WrappedPrivateKey::to_base64`] output.
    pub fn from_base64(text: &str) -> Result<WrappedPrivateKey> {
        WrappedPrivateKey::from_bytes(&encoding::from_base64(text)?)
    }
}

encoding::serde_as_base64!(WrappedPrivateKey);

#[cfg(test)]
mod tests {
    use super::*;

    const PASSPHRASE: &str = "mesa técnica de apertura";

    fn fast() -> KdfParams {
        KdfParams::MINIMUM
    }

    #[test]
    fn generate_then_unwrap_gives_the_same_key() {
        let (public, wrapped) = MemberKey::generate_with_params(PASSPHRASE, fast()).unwrap();
        assert_eq!(wrapped.public_key(), &public);
        let secret = wrapped.unwrap(PASSPHRASE).unwrap();
        assert_eq!(secret.public_key(), &public);
        assert_eq!(wrapped.kdf_params(), &KdfParams::MINIMUM);
    }

    #[test]
    fn the_default_uses_the_rfc_9106_recommended_parameters() {
        let (public, wrapped) = MemberKey::generate(PASSPHRASE).unwrap();
        assert_eq!(wrapped.kdf_params(), &KdfParams::RECOMMENDED);
        assert_eq!(wrapped.unwrap(PASSPHRASE).unwrap().public_key(), &public);
    }

    #[test]
    fn a_wrong_passphrase_is_refused_with_a_clear_code() {
        let (_, wrapped) = MemberKey::generate_with_params(PASSPHRASE, fast()).unwrap();
        for wrong in [
            "",
            "mesa técnica de apertura ",
            "Mesa técnica de apertura",
            "x",
        ] {
            let error = wrapped.unwrap(wrong).unwrap_err();
            assert_eq!(error, SealedError::WrongPassphrase, "{wrong:?}");
            assert_eq!(error.code(), "sealed.wrong_passphrase");
        }
    }

    #[test]
    fn passphrases_are_compared_after_nfc_normalisation() {
        let composed = "contraseña de la junta";
        let decomposed = "contrasen\u{0303}a de la junta";
        assert_ne!(composed.as_bytes(), decomposed.as_bytes());
        let (public, wrapped) = MemberKey::generate_with_params(composed, fast()).unwrap();
        assert_eq!(wrapped.unwrap(decomposed).unwrap().public_key(), &public);
    }

    #[test]
    fn short_passphrases_are_refused_before_any_work() {
        for weak in ["", "short", "elevenchars", "ñññññññññññ"] {
            let error = MemberKey::generate_with_params(weak, fast()).unwrap_err();
            assert_eq!(error.code(), "sealed.weak_passphrase", "{weak:?}");
        }
        // Twelve characters (not bytes): "ñ" is two bytes but one character.
        check_passphrase_policy("ñññññññññññ!").unwrap();
        check_passphrase_policy("twelve chars").unwrap();
        // Decomposed "n" + combining tilde counts as one character after NFC.
        assert_eq!(
            check_passphrase_policy(&"n\u{0303}".repeat(11))
                .unwrap_err()
                .code(),
            "sealed.weak_passphrase"
        );
    }

    #[test]
    fn changing_the_passphrase_keeps_the_key() {
        let (public, wrapped) = MemberKey::generate_with_params(PASSPHRASE, fast()).unwrap();
        let secret = wrapped.unwrap(PASSPHRASE).unwrap();
        let rewrapped = secret
            .wrap_with_params("una frase nueva y larga", fast())
            .unwrap();
        assert_eq!(
            rewrapped
                .unwrap("una frase nueva y larga")
                .unwrap()
                .public_key(),
            &public
        );
        assert_eq!(
            rewrapped.unwrap(PASSPHRASE).unwrap_err().code(),
            "sealed.wrong_passphrase"
        );
        assert_eq!(
            secret.wrap("corta").unwrap_err().code(),
            "sealed.weak_passphrase"
        );
    }

    #[test]
    fn kdf_parameters_are_range_checked() {
        KdfParams::new(19 * 1024, 2, 1).unwrap();
        KdfParams::new(2 * 1024 * 1024, 1, 4).unwrap();
        for (m, t, p) in [
            (19 * 1024 - 1, 2, 1),
            (19 * 1024, 1, 1),
            (2 * 1024 * 1024 + 1, 1, 1),
            (64 * 1024, 0, 1),
            (64 * 1024, 17, 1),
            (64 * 1024, 3, 0),
            (64 * 1024, 3, 17),
            (u32::MAX, u32::MAX, u32::MAX),
        ] {
            assert_eq!(
                KdfParams::new(m, t, p).unwrap_err().code(),
                "sealed.invalid_kdf_params",
                "{m} {t} {p}"
            );
        }
    }

    #[test]
    fn encoding_round_trips_and_every_altered_field_fails() {
        let (public, wrapped) = MemberKey::generate_with_params(PASSPHRASE, fast()).unwrap();
        let bytes = wrapped.to_bytes();
        assert_eq!(bytes.len(), 122);
        assert_eq!(bytes[0], encoding::FORMAT_VERSION);
        assert_eq!(WrappedPrivateKey::from_bytes(&bytes).unwrap(), wrapped);
        assert_eq!(
            WrappedPrivateKey::from_base64(&wrapped.to_base64()).unwrap(),
            wrapped
        );
        let json = serde_json::to_string(&wrapped).unwrap();
        assert_eq!(
            serde_json::from_str::<WrappedPrivateKey>(&json).unwrap(),
            wrapped
        );
        assert!(format!("{wrapped:?}").contains(&public.fingerprint()));

        // Flip one bit in each region: parameters (within range), salt, public key, nonce,
        // ciphertext. Every one must fail, never return a key.
        for position in [5usize, 9, 13, 14, 29, 30, 61, 62, 73, 74, 121] {
            let mut altered = bytes.clone();
            altered[position] ^= 0x01;
            match WrappedPrivateKey::from_bytes(&altered) {
                Ok(w) => {
                    let error = w.unwrap(PASSPHRASE).unwrap_err();
                    assert!(
                        matches!(
                            error.code(),
                            "sealed.wrong_passphrase" | "sealed.invalid_kdf_params"
                        ),
                        "byte {position}: {error:?}"
                    );
                }
                Err(error) => assert!(
                    matches!(
                        error.code(),
                        "sealed.invalid_kdf_params" | "sealed.invalid_public_key"
                    ),
                    "byte {position}: {error:?}"
                ),
            }
        }
    }

    #[test]
    fn absurd_stored_parameters_are_refused_before_allocating() {
        let (_, wrapped) = MemberKey::generate_with_params(PASSPHRASE, fast()).unwrap();
        let mut bytes = wrapped.to_bytes();
        bytes[2..6].copy_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(
            WrappedPrivateKey::from_bytes(&bytes).unwrap_err().code(),
            "sealed.invalid_kdf_params"
        );
    }

    #[test]
    fn debug_never_shows_the_private_key() {
        let (_, wrapped) = MemberKey::generate_with_params(PASSPHRASE, fast()).unwrap();
        let secret = wrapped.unwrap(PASSPHRASE).unwrap();
        let shown = format!("{secret:?}");
        assert!(shown.contains("redacted"));
        assert!(!shown.contains(&encoding::to_hex(secret.private().as_bytes())));
    }
}
