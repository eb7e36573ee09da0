//! The tender key ceremony (at publication) and its inverse, the opening (issue 3, items 7–8).
//!
//! At publication the service calls [`TenderSealingKey::generate`]: a fresh X25519 key pair is
//! made for the tender, its private half is split with Shamir's scheme into one share per
//! committee member (threshold `k`), each share is encrypted to that member's opening key, and
//! the private key and the plain shares are wiped. What remains — the tender public key, the
//! threshold and the encrypted shares — is safe to store: reading it, alone or with every other
//! column of the database, opens nothing.
//!
//! At the opening each member present unlocks their [`MemberSecret`] with the opening passphrase
//! and calls [`TenderSealingKey::open_share`]; with `k` shares [`TenderSealingKey::combine`]
//! rebuilds the tender key, checked against the public key stored at publication (so a corrupted
//! or foreign share is caught, `sealed.invalid_share`), and [`TenderSecret::unseal`] opens every
//! bid.
//!
//! **Policy (our choice): `k ≥ 2` always.** Issue 3 says "no single person … can read them before
//! the opening"; a threshold of 1 — or a one-member committee — would let one person do exactly
//! that, so the ceremony refuses it (`sealed.invalid_threshold`). A method with a single opening
//! official needs a second keyholder (e.g. the official's supervisor). `k < n` is recommended so
//! that a member who forgets the passphrase or is absent does not block the opening.

use x25519_dalek::StaticSecret;
use zeroize::Zeroizing;

use crate::bid::{OpenedBid, SealedBid};
use crate::encoding::{self, Kind, Reader, Writer, check_id};
use crate::error::{Result, SealedError};
use crate::keys::{self, KEY_BYTES, NONCE_BYTES, PublicKey};
use crate::member::MemberSecret;
use crate::shamir::{self, Share};

/// Purpose label for the key that encrypts a committee share (HKDF `info`).
const SHARE_LABEL: &str = "tianguis-sealed/v1/committee-share";

/// Smallest threshold the ceremony accepts (see the module documentation).
pub const MIN_THRESHOLD: usize = 2;

/// One seat on a tender's opening committee: who, and the opening key their share is encrypted to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CommitteeMember {
    /// The service's identifier of the member (user id); stored in the clear.
    pub member_id: String,
    /// The member's opening public key, as registered (see [`PublicKey::fingerprint`]).
    pub public_key: PublicKey,
}

/// One member's share of a tender key, encrypted to that member's opening key.
///
/// Encoding (format 1, kind 3): version, kind, member id (u16 length + UTF-8), recipient public key
/// (32), ephemeral public key (32), nonce (12), ciphertext (u32 length + 1 index byte + 32 share
/// bytes + 16 tag). The associated data binds the tender id, the tender public key, the member id
/// and the recipient key, so a share cannot be moved to another tender or member unnoticed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptedShare {
    member_id: String,
    recipient: PublicKey,
    ephemeral_public: PublicKey,
    nonce: [u8; NONCE_BYTES],
    ciphertext: Vec<u8>,
}

impl EncryptedShare {
    fn seal(
        tender_id: &str,
        tender_public_key: &PublicKey,
        member: &CommitteeMember,
        share: &Share,
    ) -> Result<EncryptedShare> {
        let (ephemeral, ephemeral_public) = keys::ephemeral()?;
        let shared = keys::agree(&ephemeral, member.public_key.as_bytes()).ok_or_else(|| {
            SealedError::InvalidPublicKey {
                member: Some(member.member_id.clone()),
            }
        })?;
        let info = share_info(tender_id, tender_public_key, &member.member_id);
        let key = keys::derive_key(&shared, &ephemeral_public, &member.public_key, &info);
        let nonce = crate::random::array::<NONCE_BYTES>()?;
        let mut plain = Zeroizing::new(Vec::with_capacity(1 + share.value().len()));
        plain.push(share.index());
        plain.extend_from_slice(share.value());
        let mut sealed = EncryptedShare {
            member_id: member.member_id.clone(),
            recipient: member.public_key,
            ephemeral_public,
            nonce,
            ciphertext: Vec::new(),
        };
        let aad = sealed.associated_data(tender_id, tender_public_key);
        sealed.ciphertext = keys::encrypt(&key, &nonce, &aad, &plain)?;
        Ok(sealed)
    }

    /// Decrypts this share with the member's unlocked opening key.
    ///
    /// Errors: `sealed.wrong_member_key` if the key is not the one the share was encrypted to
    /// (another member's key, or a key the member generated after publication);
    /// `sealed.tampered` if anything stored was altered or the share belongs to another tender.
    pub fn open(
        &self,
        tender_id: &str,
        tender_public_key: &PublicKey,
        member: &MemberSecret,
    ) -> Result<Share> {
        if member.public_key() != &self.recipient {
            return Err(SealedError::WrongMemberKey);
        }
        let shared = keys::agree(member.private(), self.ephemeral_public.as_bytes())
            .ok_or(SealedError::Tampered)?;
        let info = share_info(tender_id, tender_public_key, &self.member_id);
        let key = keys::derive_key(&shared, &self.ephemeral_public, &self.recipient, &info);
        let aad = self.associated_data(tender_id, tender_public_key);
        let plain = keys::decrypt(&key, &self.nonce, &aad, &self.ciphertext)
            .ok_or(SealedError::Tampered)?;
        match plain.split_first() {
            Some((&index, value)) if value.len() == KEY_BYTES => Share::new(index, value.to_vec()),
            _ => Err(SealedError::InvalidShare {
                reason: "a decrypted share has the wrong length",
            }),
        }
    }

    /// The member this share belongs to.
    pub fn member_id(&self) -> &str {
        &self.member_id
    }

    /// The opening key the share was encrypted to (compare with the member's current key).
    pub fn recipient(&self) -> &PublicKey {
        &self.recipient
    }

    fn associated_data(&self, tender_id: &str, tender_public_key: &PublicKey) -> Vec<u8> {
        let mut w = Writer::new(Kind::EncryptedShare);
        w.id(tender_id)
            .fixed(tender_public_key.as_bytes())
            .id(&self.member_id)
            .fixed(self.recipient.as_bytes())
            .fixed(self.ephemeral_public.as_bytes());
        w.finish()
    }

    /// Canonical encoding (see the type's documentation).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(Kind::EncryptedShare);
        w.id(&self.member_id)
            .fixed(self.recipient.as_bytes())
            .fixed(self.ephemeral_public.as_bytes())
            .fixed(&self.nonce)
            .bytes(&self.ciphertext);
        w.finish()
    }

    /// Reads [`EncryptedShare::to_bytes`] output.
    pub fn from_bytes(bytes: &[u8]) -> Result<EncryptedShare> {
        let mut r = Reader::new(bytes);
        r.header(Kind::EncryptedShare)?;
        let member_id = r.id("member_id")?;
        let recipient = PublicKey::from_raw(r.array()?)?;
        let ephemeral_public = PublicKey::from_raw(r.array()?)?;
        let nonce = r.array()?;
        let ciphertext = r.bytes()?.to_vec();
        r.finish()?;
        Ok(EncryptedShare {
            member_id,
            recipient,
            ephemeral_public,
            nonce,
            ciphertext,
        })
    }

    /// Base64url text of [`EncryptedShare::to_bytes`].
    pub fn to_base64(&self) -> String {
        encoding::to_base64(&self.to_bytes())
    }

    /// Reads [`EncryptedShare::to_base64`] output.
    pub fn from_base64(text: &str) -> Result<EncryptedShare> {
        EncryptedShare::from_bytes(&encoding::from_base64(text)?)
    }
}

encoding::serde_as_base64!(EncryptedShare);

fn share_info(tender_id: &str, tender_public_key: &PublicKey, member_id: &str) -> Vec<u8> {
    keys::context(
        SHARE_LABEL,
        &[
            tender_id.as_bytes(),
            tender_public_key.as_bytes(),
            member_id.as_bytes(),
        ],
    )
}

/// What the ceremony leaves behind for one tender: its public key (to seal bids), the threshold,
/// and one encrypted share per committee member. All of it may be stored and even published.
///
/// Encoding (format 1, kind 4): version, kind, tender id (u16 length + UTF-8), tender public key
/// (32), threshold (u8), number of shares (u8), then each [`EncryptedShare`] encoding with a u32
/// length prefix, in committee order (member `i` holds Shamir index `i + 1`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenderSealingKey {
    tender_id: String,
    public_key: PublicKey,
    threshold: u8,
    shares: Vec<EncryptedShare>,
}

impl TenderSealingKey {
    /// Runs the key ceremony for a tender being published.
    ///
    /// `threshold` is `k`, the number of members needed to open; `committee` lists the `n`
    /// members in a fixed order. Refused: `k < 2`, `k > n`, `n > 255`
    /// (`sealed.invalid_threshold` / `sealed.invalid_committee`); a member listed twice, or two
    /// members with the same opening key — one person would hold two shares
    /// (`sealed.invalid_committee`); a low-order public key (`sealed.invalid_public_key`).
    pub fn generate(
        tender_id: &str,
        threshold: usize,
        committee: &[CommitteeMember],
    ) -> Result<TenderSealingKey> {
        check_id("tender_id", tender_id)?;
        let (k, n) = check_committee(threshold, committee)?;

        let private_bytes = crate::random::secret_array::<KEY_BYTES>()?;
        let public_key = PublicKey::from_secret(&StaticSecret::from(*private_bytes));
        // The plain shares are wiped when `shares` is dropped (Share is ZeroizeOnDrop), the
        // private key when `private_bytes` is.
        let shares = shamir::split(&private_bytes[..], k, n)?;
        let encrypted = committee
            .iter()
            .zip(&shares)
            .map(|(member, share)| EncryptedShare::seal(tender_id, &public_key, member, share))
            .collect::<Result<Vec<_>>>()?;
        Ok(TenderSealingKey {
            tender_id: tender_id.to_owned(),
            public_key,
            threshold: k,
            shares: encrypted,
        })
    }

    /// Reassembles a sealing key from stored parts (e.g. the encrypted shares kept one row per
    /// member), re-checking the committee rules.
    pub fn from_parts(
        tender_id: String,
        public_key: PublicKey,
        threshold: usize,
        shares: Vec<EncryptedShare>,
    ) -> Result<TenderSealingKey> {
        check_id("tender_id", &tender_id)?;
        let committee: Vec<CommitteeMember> = shares
            .iter()
            .map(|s| CommitteeMember {
                member_id: s.member_id.clone(),
                public_key: s.recipient,
            })
            .collect();
        let (k, _) = check_committee(threshold, &committee)?;
        Ok(TenderSealingKey {
            tender_id,
            public_key,
            threshold: k,
            shares,
        })
    }

    /// The tender this key belongs to.
    pub fn tender_id(&self) -> &str {
        &self.tender_id
    }

    /// The public key suppliers' bids are sealed to. Publish its fingerprint in the tender notice.
    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    /// `k`: how many members must present their shares to open.
    pub fn threshold(&self) -> usize {
        usize::from(self.threshold)
    }

    /// The encrypted shares, in committee order.
    pub fn shares(&self) -> &[EncryptedShare] {
        &self.shares
    }

    /// The encrypted share of one member (`sealed.not_a_member` if they are not on the committee).
    pub fn share_of(&self, member_id: &str) -> Result<&EncryptedShare> {
        self.shares
            .iter()
            .find(|s| s.member_id == member_id)
            .ok_or_else(|| SealedError::NotAMember {
                member_id: member_id.to_owned(),
            })
    }

    /// A member's step of the opening: decrypt their share with their unlocked opening key.
    pub fn open_share(&self, member_id: &str, member: &MemberSecret) -> Result<Share> {
        self.share_of(member_id)?
            .open(&self.tender_id, &self.public_key, member)
    }

    /// Rebuilds the tender's private key from at least `k` shares and checks it against the
    /// public key stored at publication.
    ///
    /// Errors: `sealed.not_enough_shares` (fewer than `k`), `sealed.duplicate_share` (the same
    /// member twice), `sealed.invalid_share` (a share that is corrupted, belongs to another
    /// tender, or is forged — the rebuilt key does not match).
    pub fn combine(&self, shares: &[Share]) -> Result<TenderSecret> {
        if shares
            .iter()
            .any(|s| usize::from(s.index()) > self.shares.len())
        {
            return Err(SealedError::InvalidShare {
                reason: "share index beyond the committee size",
            });
        }
        let secret = shamir::combine(shares, self.threshold)?;
        let bytes: Zeroizing<[u8; KEY_BYTES]> = Zeroizing::new(secret[..].try_into().map_err(
            |_| SealedError::InvalidShare {
                reason: "shares of the wrong length for a tender key",
            },
        )?);
        let private = StaticSecret::from(*bytes);
        if PublicKey::from_secret(&private) != self.public_key {
            return Err(SealedError::InvalidShare {
                reason: "the shares do not rebuild this tender's key",
            });
        }
        Ok(TenderSecret {
            tender_id: self.tender_id.clone(),
            public_key: self.public_key,
            private,
        })
    }

    /// Canonical encoding (see the type's documentation).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(Kind::TenderSealingKey);
        w.id(&self.tender_id)
            .fixed(self.public_key.as_bytes())
            .u8(self.threshold)
            .u8(u8::try_from(self.shares.len()).unwrap_or(u8::MAX));
        for share in &self.shares {
            w.bytes(&share.to_bytes());
        }
        w.finish()
    }

    /// Reads [`TenderSealingKey::to_bytes`] output, re-checking the committee rules.
    pub fn from_bytes(bytes: &[u8]) -> Result<TenderSealingKey> {
        let mut r = Reader::new(bytes);
        r.header(Kind::TenderSealingKey)?;
        let tender_id = r.id("tender_id")?;
        let public_key = PublicKey::from_raw(r.array()?)?;
        let threshold = r.u8()?;
        let count = r.u8()?;
        let shares = (0..count)
            .map(|_| EncryptedShare::from_bytes(r.bytes()?))
            .collect::<Result<Vec<_>>>()?;
        r.finish()?;
        TenderSealingKey::from_parts(tender_id, public_key, usize::from(threshold), shares)
    }

    /// Base64url text of [`TenderSealingKey::to_bytes`].
    pub fn to_base64(&self) -> String {
        encoding::to_base64(&self.to_bytes())
    }

    /// Reads [`TenderSealingKey::to_base64`] output.
    pub fn from_base64(text: &str) -> Result<TenderSealingKey> {
        TenderSealingKey::from_bytes(&encoding::from_base64(text)?)
    }
}

encoding::serde_as_base64!(TenderSealingKey);

/// Checks `k` and the committee; returns `(k, n)` as Shamir parameters.
fn check_committee(threshold: usize, committee: &[CommitteeMember]) -> Result<(u8, u8)> {
    let members = committee.len();
    if members == 0 {
        return Err(SealedError::InvalidCommittee {
            reason: "the committee is empty".into(),
        });
    }
    let n = u8::try_from(members).map_err(|_| SealedError::InvalidCommittee {
        reason: format!(
            "{members} members; at most {} can hold shares",
            shamir::MAX_SHARES
        ),
    })?;
    let invalid = |reason| SealedError::InvalidThreshold {
        threshold,
        members,
        reason,
    };
    if threshold < MIN_THRESHOLD {
        return Err(invalid(
            "at least 2 members must be needed to open, so no single person can open early (issue 3, item 7)",
        ));
    }
    if threshold > members {
        return Err(invalid(
            "the threshold cannot exceed the committee size, or nobody could ever open",
        ));
    }
    for (i, member) in committee.iter().enumerate() {
        check_id("member_id", &member.member_id)?;
        for earlier in &committee[..i] {
            if earlier.member_id == member.member_id {
                return Err(SealedError::InvalidCommittee {
                    reason: format!("member {} is listed twice", member.member_id),
                });
            }
            if earlier.public_key == member.public_key {
                return Err(SealedError::InvalidCommittee {
                    reason: format!(
                        "members {} and {} have the same opening key, so one person would hold two shares",
                        earlier.member_id, member.member_id
                    ),
                });
            }
        }
    }
    // `threshold ≤ members ≤ 255` here.
    Ok((threshold as u8, n))
}

/// A tender's rebuilt private key, in memory for the time of the opening only.
///
/// Wiped when dropped; not `Clone`, not serialisable; `Debug` shows only the tender and the
/// public fingerprint.
pub struct TenderSecret {
    tender_id: String,
    public_key: PublicKey,
    private: StaticSecret,
}

impl std::fmt::Debug for TenderSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TenderSecret")
            .field("tender_id", &self.tender_id)
            .field("public_key", &self.public_key)
            .field("private", &"<redacted>")
            .finish()
    }
}

impl TenderSecret {
    /// The tender this key opens.
    pub fn tender_id(&self) -> &str {
        &self.tender_id
    }

    /// The tender's public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    /// Opens one sealed bid of this tender (see [`crate::unseal`]).
    pub fn unseal(&self, sealed: &SealedBid, bid_id: &str) -> Result<OpenedBid> {
        crate::bid::open(
            &self.private,
            &self.public_key,
            &self.tender_id,
            sealed,
            bid_id,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::member::{KdfParams, MemberKey};

    pub(crate) fn member(id: &str) -> (CommitteeMember, MemberSecret) {
        let passphrase = format!("frase de apertura de {id}");
        let (public_key, wrapped) =
            MemberKey::generate_with_params(&passphrase, KdfParams::MINIMUM).unwrap();
        let secret = wrapped.unwrap(&passphrase).unwrap();
        (
            CommitteeMember {
                member_id: id.to_owned(),
                public_key,
            },
            secret,
        )
    }

    #[test]
    fn threshold_policy() {
        let (a, _) = member("a");
        let (b, _) = member("b");
        let one = [a.clone()];
        let two = [a.clone(), b.clone()];
        let code =
            |k, c: &[CommitteeMember]| TenderSealingKey::generate("T-1", k, c).unwrap_err().code();
        assert_eq!(code(1, &one), "sealed.invalid_threshold");
        assert_eq!(code(2, &one), "sealed.invalid_threshold");
        assert_eq!(code(1, &two), "sealed.invalid_threshold");
        assert_eq!(code(0, &two), "sealed.invalid_threshold");
        assert_eq!(code(3, &two), "sealed.invalid_threshold");
        assert_eq!(code(2, &[]), "sealed.invalid_committee");
        assert_eq!(code(2, &[a.clone(), a.clone()]), "sealed.invalid_committee");
        let same_key = CommitteeMember {
            member_id: "c".into(),
            public_key: a.public_key,
        };
        assert_eq!(code(2, &[a.clone(), same_key]), "sealed.invalid_committee");
        let nameless = CommitteeMember {
            member_id: String::new(),
            public_key: b.public_key,
        };
        assert_eq!(code(2, &[a.clone(), nameless]), "sealed.invalid_id");
        assert_eq!(
            TenderSealingKey::generate("", 2, &two).unwrap_err().code(),
            "sealed.invalid_id"
        );
        let key = TenderSealingKey::generate("T-1", 2, &two).unwrap();
        assert_eq!((key.threshold(), key.shares().len()), (2, 2));
    }

    #[test]
    fn more_than_255_members_are_refused() {
        let (a, _) = member("a");
        let committee: Vec<CommitteeMember> = (0..256)
            .map(|i| CommitteeMember {
                member_id: format!("m{i}"),
                public_key: a.public_key,
            })
            .collect();
        assert_eq!(
            TenderSealingKey::generate("T-1", 2, &committee)
                .unwrap_err()
                .code(),
            "sealed.invalid_committee"
        );
    }

    #[test]
    fn debug_of_the_tender_secret_is_redacted() {
        let (a, sa) = member("a");
        let (b, sb) = member("b");
        let key = TenderSealingKey::generate("T-9", 2, &[a, b]).unwrap();
        let shares = [
            key.open_share("a", &sa).unwrap(),
            key.open_share("b", &sb).unwrap(),
        ];
        let secret = key.combine(&shares).unwrap();
        let shown = format!("{secret:?}");
        assert!(shown.contains("T-9") && shown.contains("redacted"));
        assert!(!shown.contains(&encoding::to_hex(secret.private.as_bytes())));
    }
}
