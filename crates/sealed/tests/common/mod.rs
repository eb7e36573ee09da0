//! Shared test fixtures: a committee whose opening keys are wrapped with the cheapest accepted
//! Argon2id parameters (the production default is tested once in the unit tests).

#![allow(dead_code)]

use std::sync::OnceLock;

use tianguis_sealed::{CommitteeMember, KdfParams, MemberKey, MemberSecret, WrappedPrivateKey};

/// A committee member as the service would know them, plus the passphrase (which in production
/// only the member knows).
pub struct Member {
    pub id: String,
    pub passphrase: String,
    pub seat: CommitteeMember,
    pub wrapped: WrappedPrivateKey,
}

impl Member {
    pub fn new(id: &str) -> Member {
        let passphrase = format!("frase secreta de apertura de {id}");
        let (public_key, wrapped) =
            MemberKey::generate_with_params(&passphrase, KdfParams::MINIMUM).unwrap();
        Member {
            id: id.to_owned(),
            passphrase,
            seat: CommitteeMember {
                member_id: id.to_owned(),
                public_key,
            },
            wrapped,
        }
    }

    /// The member types the passphrase at the opening.
    pub fn unlock(&self) -> MemberSecret {
        self.wrapped.unwrap(&self.passphrase).unwrap()
    }
}

/// Eight members made once per test binary (Argon2id is deliberately slow), with their keys
/// already unlocked for tests that exercise the opening many times.
pub fn pool() -> &'static [(Member, MemberSecret)] {
    static POOL: OnceLock<Vec<(Member, MemberSecret)>> = OnceLock::new();
    POOL.get_or_init(|| {
        [
            "ana", "beto", "carla", "diego", "elena", "fausto", "gloria", "hugo",
        ]
        .iter()
        .map(|id| {
            let member = Member::new(id);
            let secret = member.unlock();
            (member, secret)
        })
        .collect()
    })
}

/// The first `n` members' seats.
pub fn committee(n: usize) -> Vec<CommitteeMember> {
    pool()[..n].iter().map(|(m, _)| m.seat.clone()).collect()
}
