//! SHA-256 values shown to people: receipt hashes and bid commitments.

use sha2::{Digest, Sha256};

use crate::encoding;
use crate::error::Result;

/// A SHA-256 value (FIPS 180-4), shown and serialised as 64 lower-case hexadecimal digits — the
/// form a supplier reads on a receipt and compares with the public opening record.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sha256Hash([u8; 32]);

impl Sha256Hash {
    /// Wraps raw digest bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Sha256Hash {
        Sha256Hash(bytes)
    }

    /// The 32 digest bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// 64 lower-case hexadecimal digits.
    pub fn to_hex(&self) -> String {
        encoding::to_hex(&self.0)
    }

    /// Parses 64 hexadecimal digits (either case); anything else is `sealed.invalid_encoding`.
    pub fn from_hex(text: &str) -> Result<Sha256Hash> {
        encoding::from_hex::<32>(text).map(Sha256Hash)
    }

    /// SHA-256 of the concatenation of `parts`.
    pub(crate) fn of(parts: &[&[u8]]) -> Sha256Hash {
        let mut hasher = Sha256::new();
        for part in parts {
            hasher.update(part);
        }
        Sha256Hash(hasher.finalize().into())
    }
}

impl std::fmt::Display for Sha256Hash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl std::fmt::Debug for Sha256Hash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Sha256Hash({})", self.to_hex())
    }
}

impl serde::Serialize for Sha256Hash {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_hex())
    }
}

impl<'de> serde::Deserialize<'de> for Sha256Hash {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        let text = <String as serde::Deserialize>::deserialize(deserializer)?;
        Sha256Hash::from_hex(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_abc_matches_fips_180_2_example() {
        let h = Sha256Hash::of(&[b"a", b"bc"]);
        assert_eq!(
            h.to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(Sha256Hash::from_hex(&h.to_hex().to_uppercase()).unwrap(), h);
        let json = serde_json::to_string(&h).unwrap();
        assert_eq!(serde_json::from_str::<Sha256Hash>(&json).unwrap(), h);
    }
}
