//! The one error type of the crate, with stable machine codes.
//!
//! Why one enum: every failure a committee member, a supplier or the service can meet while keys
//! are made, bids are sealed or the opening runs has a code the web layer maps to a translated
//! message (es/en) and the audit log records verbatim. Codes never change once released; messages
//! may. No variant carries secret material (passphrases, shares, plaintext), so an error can be
//! logged safely.

use thiserror::Error;

/// Result alias used throughout the crate.
pub type Result<T, E = SealedError> = std::result::Result<T, E>;

/// Everything that can go wrong in this crate. See [`SealedError::code`] for the stable codes.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SealedError {
    /// The opening passphrase is shorter than the policy allows. Length is the one rule
    /// (NIST SP 800-63B §5.1.1.2 favours length over composition rules).
    #[error("the opening passphrase must have at least {min_chars} characters")]
    WeakPassphrase {
        /// Minimum number of characters (Unicode scalar values after NFC normalisation).
        min_chars: usize,
    },
    /// The passphrase does not unlock the wrapped member key (or the wrapped key was altered:
    /// authenticated encryption cannot tell the two apart, and neither may an attacker).
    #[error("wrong opening passphrase")]
    WrongPassphrase,
    /// Argon2id parameters outside the accepted range (too weak to generate a key, or absurd
    /// values read from storage that would exhaust memory).
    #[error("invalid key-derivation parameters: {reason}")]
    InvalidKdfParams {
        /// Which bound was violated.
        reason: String,
    },
    /// The committee threshold `k` does not fit the committee size `n`.
    #[error("invalid threshold {threshold} for a committee of {members}: {reason}")]
    InvalidThreshold {
        /// Requested `k`.
        threshold: usize,
        /// Committee size `n`.
        members: usize,
        /// The rule that was broken.
        reason: &'static str,
    },
    /// The committee list cannot be used (empty, too large, a member listed twice).
    #[error("invalid opening committee: {reason}")]
    InvalidCommittee {
        /// What is wrong with it.
        reason: String,
    },
    /// A tender, bid or member identifier is empty or too long to be encoded.
    #[error("invalid {field}: {reason}")]
    InvalidId {
        /// Which identifier (`tender_id`, `bid_id`, `member_id`).
        field: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A public key is one of the low-order X25519 points (RFC 7748 §6.1): encrypting to it
    /// would give an all-zero shared secret that anyone can compute.
    #[error("invalid X25519 public key{}", member.as_deref().map(|m| format!(" of member {m}")).unwrap_or_default())]
    InvalidPublicKey {
        /// The committee member whose key was refused, when known.
        member: Option<String>,
    },
    /// Fewer shares than the threshold were presented at the opening.
    #[error("not enough shares to open: {have} of the {need} required")]
    NotEnoughShares {
        /// Shares presented.
        have: usize,
        /// Threshold `k`.
        need: usize,
    },
    /// Two presented shares have the same index (the same member's share twice).
    #[error("share {index} was presented twice")]
    DuplicateShare {
        /// The repeated share index.
        index: u8,
    },
    /// A share is malformed, or the shares do not reconstruct the tender key whose public half
    /// was stored at publication (a corrupted or foreign share).
    #[error("invalid share: {reason}")]
    InvalidShare {
        /// Why the share was refused.
        reason: &'static str,
    },
    /// The member is not on this tender's opening committee.
    #[error("member {member_id} holds no share of this tender's key")]
    NotAMember {
        /// The member asked for.
        member_id: String,
    },
    /// The member's key is not the one the share was encrypted to (the member generated a new
    /// key after the tender was published, or it is another member's key).
    #[error("this share was encrypted to another key than the one presented")]
    WrongMemberKey,
    /// The tender secret belongs to another tender than the one named.
    #[error("the tender key belongs to another tender")]
    WrongTender,
    /// Authenticated decryption failed: ciphertext, nonce, ephemeral key, commitment, tender or
    /// bid identifier were altered or swapped.
    #[error("the sealed data was altered or does not belong to this tender and bid")]
    Tampered,
    /// Bytes or base64 text that are not a valid encoding of the expected structure.
    #[error("invalid encoding: {reason}")]
    InvalidEncoding {
        /// What the decoder found.
        reason: String,
    },
    /// A stored structure written by a newer (or unknown) format version.
    #[error("unsupported format version {found}")]
    UnsupportedVersion {
        /// The version byte found.
        found: u8,
    },
    /// The plaintext is larger than the cipher or the encoding can carry.
    #[error("plaintext too large to seal")]
    PlaintextTooLarge,
    /// The operating system's random number generator failed; nothing was produced.
    #[error("the system random number generator is unavailable")]
    RandomnessUnavailable,
}

impl SealedError {
    /// The stable machine code (`sealed.*`) the web layer translates and the audit log records.
    pub fn code(&self) -> &'static str {
        match self {
            SealedError::WeakPassphrase { .. } => "sealed.weak_passphrase",
            SealedError::WrongPassphrase => "sealed.wrong_passphrase",
            SealedError::InvalidKdfParams { .. } => "sealed.invalid_kdf_params",
            SealedError::InvalidThreshold { .. } => "sealed.invalid_threshold",
            SealedError::InvalidCommittee { .. } => "sealed.invalid_committee",
            SealedError::InvalidId { .. } => "sealed.invalid_id",
            SealedError::InvalidPublicKey { .. } => "sealed.invalid_public_key",
            SealedError::NotEnoughShares { .. } => "sealed.not_enough_shares",
            SealedError::DuplicateShare { .. } => "sealed.duplicate_share",
            SealedError::InvalidShare { .. } => "sealed.invalid_share",
            SealedError::NotAMember { .. } => "sealed.not_a_member",
            SealedError::WrongMemberKey => "sealed.wrong_member_key",
            SealedError::WrongTender => "sealed.wrong_tender",
            SealedError::Tampered => "sealed.tampered",
            SealedError::InvalidEncoding { .. } => "sealed.invalid_encoding",
            SealedError::UnsupportedVersion { .. } => "sealed.unsupported_version",
            SealedError::PlaintextTooLarge => "sealed.plaintext_too_large",
            SealedError::RandomnessUnavailable => "sealed.randomness_unavailable",
        }
    }

    pub(crate) fn encoding(reason: impl Into<String>) -> Self {
        SealedError::InvalidEncoding {
            reason: reason.into(),
        }
    }
}
