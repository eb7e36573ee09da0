//! The one source of randomness: the operating system's generator (`getrandom`).
//!
//! Why not a user-space generator: keys, nonces, salts and Shamir coefficients are made rarely
//! and in small amounts, and the OS generator is the one every audit starts from. A failure is
//! reported (`sealed.randomness_unavailable`) instead of falling back to anything weaker.

use zeroize::Zeroizing;

use crate::error::{Result, SealedError};

/// Fills `buffer` with random bytes from the operating system.
pub(crate) fn fill(buffer: &mut [u8]) -> Result<()> {
    getrandom::fill(buffer).map_err(|_| SealedError::RandomnessUnavailable)
}

/// A fresh random array (public values: nonces, salts).
pub(crate) fn array<const N: usize>() -> Result<[u8; N]> {
    let mut out = [0u8; N];
    fill(&mut out)?;
    Ok(out)
}

/// A fresh random array that is wiped when dropped (secret values: private keys).
pub(crate) fn secret_array<const N: usize>() -> Result<Zeroizing<[u8; N]>> {
    let mut out = Zeroizing::new([0u8; N]);
    fill(&mut out[..])?;
    Ok(out)
}
