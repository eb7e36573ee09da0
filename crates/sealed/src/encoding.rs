//! The stored formats: one canonical, versioned byte encoding per structure, and its base64 text.
//!
//! Why one canonical encoding (and serde on top of it, not a second JSON shape): the supplier's
//! receipt hash is computed over the encoded sealed bid, so the bytes must be the same whoever
//! writes them and whenever they are re-read; and a database column or a JSON field holding an
//! opaque base64 string cannot be half-understood by a later version. Every encoding starts with
//! a format version byte ([`FORMAT_VERSION`]) and a kind byte ([`Kind`]); integers are big-endian;
//! variable-length fields carry a length prefix; trailing bytes are an error, so each value has
//! exactly one encoding. The text form is base64url without padding (RFC 4648 §5), strict.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::{Result, SealedError};

/// Version 1 of every format in this crate. A reader refuses other versions with
/// `sealed.unsupported_version` rather than guessing.
pub const FORMAT_VERSION: u8 = 1;

/// Longest tender, bid or member identifier, in bytes of UTF-8.
pub const MAX_ID_BYTES: usize = 256;

/// What a byte string encodes (second byte of every encoding), so that a wrapped key cannot be
/// read as a sealed bid by mistake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    /// [`crate::PublicKey`].
    PublicKey = 1,
    /// [`crate::WrappedPrivateKey`].
    WrappedPrivateKey = 2,
    /// [`crate::EncryptedShare`].
    EncryptedShare = 3,
    /// [`crate::TenderSealingKey`].
    TenderSealingKey = 4,
    /// [`crate::SealedBid`].
    SealedBid = 5,
    /// [`crate::Share`] (secret, never stored at rest).
    Share = 6,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::PublicKey => "public key",
            Kind::WrappedPrivateKey => "wrapped private key",
            Kind::EncryptedShare => "encrypted share",
            Kind::TenderSealingKey => "tender sealing key",
            Kind::SealedBid => "sealed bid",
            Kind::Share => "share",
        }
    }
}

/// Checks a tender, bid or member identifier: non-empty, at most [`MAX_ID_BYTES`].
pub(crate) fn check_id(field: &'static str, id: &str) -> Result<()> {
    if id.is_empty() {
        return Err(SealedError::InvalidId {
            field,
            reason: "must not be empty",
        });
    }
    if id.len() > MAX_ID_BYTES {
        return Err(SealedError::InvalidId {
            field,
            reason: "longer than 256 bytes",
        });
    }
    Ok(())
}

/// Builds an encoding.
pub(crate) struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    pub(crate) fn new(kind: Kind) -> Writer {
        Writer {
            buf: vec![FORMAT_VERSION, kind as u8],
        }
    }

    pub(crate) fn u8(&mut self, v: u8) -> &mut Self {
        self.buf.push(v);
        self
    }

    pub(crate) fn u32(&mut self, v: u32) -> &mut Self {
        self.buf.extend_from_slice(&v.to_be_bytes());
        self
    }

    /// Fixed-length bytes (the length is implied by the format).
    pub(crate) fn fixed(&mut self, v: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(v);
        self
    }

    /// An identifier: u16 length, UTF-8 bytes. Callers validated it with [`check_id`].
    pub(crate) fn id(&mut self, v: &str) -> &mut Self {
        let len = u16::try_from(v.len()).unwrap_or(u16::MAX);
        self.buf.extend_from_slice(&len.to_be_bytes());
        self.buf
            .extend_from_slice(&v.as_bytes()[..usize::from(len)]);
        self
    }

    /// Variable-length bytes: u32 length, bytes. Callers checked the length fits.
    pub(crate) fn bytes(&mut self, v: &[u8]) -> &mut Self {
        let len = u32::try_from(v.len()).unwrap_or(u32::MAX);
        self.u32(len);
        self.buf.extend_from_slice(&v[..len as usize]);
        self
    }

    pub(crate) fn finish(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.buf)
    }
}

/// Reads an encoding, refusing anything truncated, oversized or trailing.
pub(crate) struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Reader<'a> {
        Reader { data }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.data.len() < n {
            return Err(SealedError::encoding("truncated"));
        }
        let (head, tail) = self.data.split_at(n);
        self.data = tail;
        Ok(head)
    }

    /// Version and kind bytes.
    pub(crate) fn header(&mut self, kind: Kind) -> Result<()> {
        let version = *self
            .data
            .first()
            .ok_or_else(|| SealedError::encoding("empty"))?;
        if version != FORMAT_VERSION {
            return Err(SealedError::UnsupportedVersion { found: version });
        }
        self.take(1)?;
        let found = self.u8()?;
        if found != kind as u8 {
            return Err(SealedError::encoding(format!(
                "expected a {} (kind {}), found kind {found}",
                kind.name(),
                kind as u8
            )));
        }
        Ok(())
    }

    pub(crate) fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    pub(crate) fn u32(&mut self) -> Result<u32> {
        let b = self.array::<4>()?;
        Ok(u32::from_be_bytes(b))
    }

    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    pub(crate) fn id(&mut self, field: &'static str) -> Result<String> {
        let len = u16::from_be_bytes(self.array::<2>()?);
        let raw = self.take(usize::from(len))?;
        let id = std::str::from_utf8(raw)
            .map_err(|_| SealedError::encoding(format!("{field} is not UTF-8")))?;
        check_id(field, id)?;
        Ok(id.to_owned())
    }

    pub(crate) fn bytes(&mut self) -> Result<&'a [u8]> {
        let len = self.u32()? as usize;
        self.take(len)
    }

    /// Everything left (for a last field whose length is implied).
    pub(crate) fn rest(&mut self) -> &'a [u8] {
        std::mem::take(&mut self.data)
    }

    pub(crate) fn finish(self) -> Result<()> {
        if self.data.is_empty() {
            Ok(())
        } else {
            Err(SealedError::encoding(format!(
                "{} trailing bytes",
                self.data.len()
            )))
        }
    }
}

/// Base64url without padding.
pub(crate) fn to_base64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Strict base64url without padding (no padding, no whitespace, no non-zero trailing bits).
pub(crate) fn from_base64(text: &str) -> Result<Vec<u8>> {
    URL_SAFE_NO_PAD
        .decode(text.as_bytes())
        .map_err(|e| SealedError::encoding(format!("base64: {e}")))
}

/// Lower-case hexadecimal, for hashes shown to people (receipts, fingerprints).
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xF)]));
    }
    out
}

/// Parses hexadecimal (either case) of exactly `N` bytes.
pub(crate) fn from_hex<const N: usize>(text: &str) -> Result<[u8; N]> {
    let digits = text.as_bytes();
    if digits.len() != 2 * N {
        return Err(SealedError::encoding(format!(
            "expected {} hexadecimal digits, found {}",
            2 * N,
            digits.len()
        )));
    }
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Ok(c - b'0'),
        b'a'..=b'f' => Ok(c - b'a' + 10),
        b'A'..=b'F' => Ok(c - b'A' + 10),
        _ => Err(SealedError::encoding("not a hexadecimal digit")),
    };
    let mut out = [0u8; N];
    for (i, pair) in digits.chunks_exact(2).enumerate() {
        out[i] = nibble(pair[0])? << 4 | nibble(pair[1])?;
    }
    Ok(out)
}

/// Serde as the base64 text of the canonical encoding, for types with `to_bytes`/`from_bytes`.
macro_rules! serde_as_base64 {
    ($type:ty) => {
        impl serde::Serialize for $type {
            fn serialize<S: serde::Serializer>(
                &self,
                serializer: S,
            ) -> std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.to_base64())
            }
        }

        impl<'de> serde::Deserialize<'de> for $type {
            fn deserialize<D: serde::Deserializer<'de>>(
                deserializer: D,
            ) -> std::result::Result<Self, D::Error> {
                let text = <String as serde::Deserialize>::deserialize(deserializer)?;
                <$type>::from_base64(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use serde_as_base64;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_refuses_bad_digits() {
        let bytes = [0x00u8, 0x0F, 0xA5, 0xFF];
        assert_eq!(to_hex(&bytes), "000fa5ff");
        assert_eq!(from_hex::<4>("000FA5ff").unwrap(), bytes);
        assert_eq!(
            from_hex::<4>("000fa5f").unwrap_err().code(),
            "sealed.invalid_encoding"
        );
        assert_eq!(
            from_hex::<2>("0g00").unwrap_err().code(),
            "sealed.invalid_encoding"
        );
    }

    #[test]
    fn base64_is_strict() {
        assert_eq!(from_base64(&to_base64(b"abcd")).unwrap(), b"abcd");
        for bad in ["YWJjZA==", "YWJj ZA", "YWJjZB", "+/8"] {
            assert_eq!(
                from_base64(bad).unwrap_err().code(),
                "sealed.invalid_encoding",
                "{bad}"
            );
        }
    }

    #[test]
    fn reader_refuses_wrong_version_kind_truncation_and_trailing_bytes() {
        let mut w = Writer::new(Kind::SealedBid);
        let bytes = w.u8(7).finish();
        let mut r = Reader::new(&bytes);
        r.header(Kind::SealedBid).unwrap();
        assert_eq!(r.u8().unwrap(), 7);
        r.finish().unwrap();

        assert_eq!(
            Reader::new(&[2, 5]).header(Kind::SealedBid).unwrap_err(),
            SealedError::UnsupportedVersion { found: 2 }
        );
        assert_eq!(
            Reader::new(&[1, 4])
                .header(Kind::SealedBid)
                .unwrap_err()
                .code(),
            "sealed.invalid_encoding"
        );
        assert_eq!(
            Reader::new(&[]).header(Kind::SealedBid).unwrap_err().code(),
            "sealed.invalid_encoding"
        );
        assert_eq!(
            Reader::new(&[1])
                .header(Kind::SealedBid)
                .unwrap_err()
                .code(),
            "sealed.invalid_encoding"
        );
        let mut r = Reader::new(&[0, 0, 0, 9, 1]);
        assert_eq!(r.bytes().unwrap_err().code(), "sealed.invalid_encoding");
        let mut r = Reader::new(&[1, 5, 0]);
        r.header(Kind::SealedBid).unwrap();
        assert_eq!(r.finish().unwrap_err().code(), "sealed.invalid_encoding");
    }

    #[test]
    fn identifiers_are_checked_on_read() {
        let mut w = Writer::new(Kind::SealedBid);
        let bytes = w.id("").finish();
        let mut r = Reader::new(&bytes);
        r.header(Kind::SealedBid).unwrap();
        assert_eq!(r.id("bid_id").unwrap_err().code(), "sealed.invalid_id");
        let mut r = Reader::new(&[0, 2, 0xFF, 0xFE]);
        assert_eq!(
            r.id("bid_id").unwrap_err().code(),
            "sealed.invalid_encoding"
        );
        assert_eq!(
            check_id("bid_id", &"x".repeat(257)).unwrap_err().code(),
            "sealed.invalid_id"
        );
        check_id("bid_id", &"x".repeat(256)).unwrap();
    }
}
