//! Guatemalan tax identification numbers (NIT, Número de Identificación Tributaria).
//!
//! A NIT is a body of digits followed by a check digit computed by the Superintendencia de
//! Administración Tributaria (SAT) with a modulus-11 rule: the body digits are weighted from
//! the right starting at 2, the products summed, and the check is `(11 - sum mod 11) mod 11`,
//! written `K` when it is 10. Validating it at registration catches typing errors before a
//! supplier's identity is used in bids, awards and published open data.

use std::fmt;

/// A NIT whose check digit has been verified; stored in the canonical form `BODY-CHECK`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Nit {
    body: String,
    check: char,
}

/// Why a text is not a valid NIT.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NitError {
    /// Nothing but separators was given.
    #[error("the NIT is empty")]
    Empty,
    /// Only digits, a final `K`, spaces and one dash are allowed.
    #[error("the NIT may only contain digits and a final K")]
    InvalidCharacters,
    /// The body must have between 1 and 12 digits.
    #[error("the NIT has the wrong length")]
    WrongLength,
    /// The check digit does not match the body (usually a typing error).
    #[error("the NIT check digit is wrong")]
    WrongCheckDigit,
}

impl NitError {
    /// Stable code reported in validation details.
    pub fn code(&self) -> &'static str {
        match self {
            NitError::Empty => "nit.empty",
            NitError::InvalidCharacters => "nit.invalid_characters",
            NitError::WrongLength => "nit.wrong_length",
            NitError::WrongCheckDigit => "nit.wrong_check_digit",
        }
    }
}

/// Computes the SAT check character for a body of digits (see the module documentation).
pub fn check_digit(body: &str) -> Option<char> {
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u64 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| u64::from(b - b'0') * (i as u64 + 2))
        .sum();
    let check = (11 - sum % 11) % 11;
    Some(if check == 10 {
        'K'
    } else {
        char::from(b'0' + check as u8)
    })
}

impl Nit {
    /// Parses `1234567-8`, `12345678`, `123456-K`, with spaces or lowercase k tolerated.
    pub fn parse(text: &str) -> Result<Nit, NitError> {
        let cleaned: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if cleaned.is_empty() {
            return Err(NitError::Empty);
        }
        if text.matches('-').count() > 1 || !cleaned.is_ascii() {
            return Err(NitError::InvalidCharacters);
        }
        let (body, check) = cleaned.split_at(cleaned.len() - 1);
        let check = check.chars().next().ok_or(NitError::Empty)?;
        if !body.bytes().all(|b| b.is_ascii_digit()) || !(check.is_ascii_digit() || check == 'K') {
            return Err(NitError::InvalidCharacters);
        }
        if body.is_empty() || body.len() > 12 {
            return Err(NitError::WrongLength);
        }
        // Leading zeros do not change the weighted sum's meaning but make two spellings of one
        // NIT; the canonical form drops them.
        let body = body.trim_start_matches('0');
        let body = if body.is_empty() { "0" } else { body };
        if check_digit(body) != Some(check) {
            return Err(NitError::WrongCheckDigit);
        }
        Ok(Nit {
            body: body.to_string(),
            check,
        })
    }

    /// Builds a valid NIT from a body of digits (used by the demo seed).
    pub fn from_body(body: u64) -> Nit {
        let body = body.to_string();
        let check = check_digit(&body).unwrap_or('0');
        Nit { body, check }
    }
}

impl fmt::Display for Nit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.body, self.check)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_valid_nits() {
        // 576937-K: 5*7+7*6+6*5+9*4+3*3+7*2 = 166; 166 mod 11 = 1; 11-1 = 10 -> K.
        assert_eq!(Nit::parse("576937-K").unwrap().to_string(), "576937-K");
        assert_eq!(Nit::parse("576937k").unwrap().to_string(), "576937-K");
        // 1234567: 1*8+2*7+3*6+4*5+5*4+6*3+7*2 = 112; 112 mod 11 = 2; 11-2 = 9.
        assert_eq!(Nit::parse("1234567-9").unwrap().to_string(), "1234567-9");
        assert_eq!(
            Nit::parse(" 1234567 - 9 ").unwrap().to_string(),
            "1234567-9"
        );
    }

    #[test]
    fn wrong_inputs() {
        assert_eq!(Nit::parse(""), Err(NitError::Empty));
        assert_eq!(Nit::parse("--"), Err(NitError::Empty));
        assert_eq!(Nit::parse("1234567-8"), Err(NitError::WrongCheckDigit));
        assert_eq!(Nit::parse("12a4567-9"), Err(NitError::InvalidCharacters));
        assert_eq!(Nit::parse("12-34-5"), Err(NitError::InvalidCharacters));
        assert_eq!(Nit::parse("<script>"), Err(NitError::InvalidCharacters));
        assert_eq!(Nit::parse("1234567890123-4"), Err(NitError::WrongLength));
    }

    proptest! {
        #[test]
        fn generated_nits_validate(body in 1u64..999_999_999_999) {
            let nit = Nit::from_body(body);
            prop_assert_eq!(Nit::parse(&nit.to_string()), Ok(nit));
        }

        #[test]
        fn a_single_changed_digit_is_caught(body in 100_000u64..99_999_999, pos in 0usize..6, delta in 1u8..10) {
            let nit = Nit::from_body(body).to_string();
            let mut bytes = nit.into_bytes();
            let b = bytes[pos];
            bytes[pos] = b'0' + (b - b'0' + delta) % 10;
            let typo = String::from_utf8(bytes).unwrap();
            prop_assert!(Nit::parse(&typo).is_err());
        }

        #[test]
        fn never_panics(text in ".{0,40}") {
            let _ = Nit::parse(&text);
        }
    }
}
