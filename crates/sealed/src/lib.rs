//! Sealed bids that nobody can read before the opening — issue 3, items 7 (sealed bids) and 8
//! (opening).
//!
//! The requirement: bids are stored encrypted so that no single person — administrator or anyone
//! reading the database included — can read them before the opening; the tender's decryption key
//! is split `k` of `n` among the opening committee, and the opening needs `k` members.
//!
//! A pure library: no I/O, no clock, no database. The service layer stores what it returns
//! (every stored structure has one canonical, versioned encoding, as bytes or base64 text, and
//! serde support on top of it) and enforces deadlines and roles. The whole life of a tender:
//!
//! ```
//! use tianguis_sealed::{CommitteeMember, KdfParams, MemberKey, TenderSealingKey, seal, unseal};
//!
//! # fn main() -> Result<(), tianguis_sealed::SealedError> {
//! // 1. Each committee member registers an opening key (once, not per tender). The database
//! //    keeps `public` and `wrapped`; the passphrase stays in the member's head.
//! let params = KdfParams::MINIMUM; // production: MemberKey::generate (RFC 9106 parameters)
//! let mut committee = Vec::new();
//! let mut wrapped_keys = Vec::new();
//! for (id, passphrase) in [("ana", "ana abre las ofertas"), ("beto", "beto también abre"),
//!                          ("carla", "carla es la tercera")] {
//!     let (public_key, wrapped) = MemberKey::generate_with_params(passphrase, params)?;
//!     committee.push(CommitteeMember { member_id: id.into(), public_key });
//!     wrapped_keys.push((passphrase, wrapped));
//! }
//!
//! // 2. Publication: the key ceremony, 2 of 3.
//! let tender_key = TenderSealingKey::generate("IGSS-2025-001", 2, &committee)?;
//!
//! // 3. A supplier submits: the bid is sealed, the receipt shows a hash of the ciphertext.
//! let bid = br#"{"lot":1,"unit_price":"12.50"}"#;
//! let sealed = seal(tender_key.public_key(), "IGSS-2025-001", "bid-7", bid)?;
//! let receipt = sealed.receipt_hash(tender_key.public_key(), "IGSS-2025-001", "bid-7");
//!
//! // 4. Opening: two members unlock their keys and present their shares.
//! let ana = wrapped_keys[0].1.unwrap(wrapped_keys[0].0)?;
//! let carla = wrapped_keys[2].1.unwrap(wrapped_keys[2].0)?;
//! let shares = [tender_key.open_share("ana", &ana)?, tender_key.open_share("carla", &carla)?];
//! let tender_secret = tender_key.combine(&shares)?;
//! let opened = unseal(&tender_secret, &sealed, "IGSS-2025-001", "bid-7")?;
//! assert_eq!(opened.plaintext, bid);
//! assert_eq!(opened.receipt_hash, receipt);
//!
//! // One share is not enough.
//! assert_eq!(tender_key.combine(&shares[..1]).unwrap_err().code(), "sealed.not_enough_shares");
//! # Ok(())
//! # }
//! ```
//!
//! Module layout: [`member`] (opening keys and passphrases), [`ceremony`] (tender key, shares,
//! opening), [`bid`] (sealing, receipt, unsealing), [`shamir`] (secret sharing over GF(256)),
//! [`keys`] (X25519 public keys and the hybrid encryption), [`encoding`] (stored formats),
//! [`hash`], [`error`]. The threat model is in the crate's README.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod bid;
pub mod ceremony;
pub mod encoding;
pub mod error;
pub mod hash;
pub mod keys;
pub mod member;
pub mod shamir;

mod gf256;
mod random;

pub use bid::{OpenedBid, SealedBid, seal, unseal};
pub use ceremony::{CommitteeMember, EncryptedShare, TenderSealingKey, TenderSecret};
pub use error::{Result, SealedError};
pub use hash::Sha256Hash;
pub use keys::PublicKey;
pub use member::{KdfParams, MemberKey, MemberSecret, WrappedPrivateKey};
pub use shamir::Share;
