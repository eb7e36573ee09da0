//! The Global Trade Item Number (GTIN): the GS1 key of a trade item, printed under the barcode
//! of every box of medicines.
//!
//! A GTIN comes in four lengths: GTIN-8 (EAN-8), GTIN-12 (UPC-A), GTIN-13 (EAN-13) and GTIN-14
//! (a case or pack of a trade item, with an indicator digit first). The same item may be
//! written in any of them, so the platform stores one form, GTIN-14: the shorter ones are
//! right-justified with leading zeros, as the element string of AI (01) carries them (GS1
//! General Specifications, section 3.3.2). `7401234567895` and `07401234567895` are one item.
//!
//! The last digit is a check digit over the others (section 7.9.1, "Standard check digit
//! calculations for GS1 data structures"): it catches every single mistyped digit and most
//! swaps of neighbouring digits, which is why a GTIN is refused when it does not match rather
//! than stored to be found wrong at the warehouse door.

use std::fmt;
use std::str::FromStr;

/// The lengths a GTIN is written in: GTIN-8, GTIN-12, GTIN-13 and GTIN-14.
pub const LENGTHS: [usize; 4] = [8, 12, 13, 14];

/// Why a text is not a GTIN. Each has a stable code ([`GtinError::code`]) that callers report
/// and translate; the codes never change meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum GtinError {
    /// The text has a number of digits no GTIN has (8, 12, 13 or 14): `gtin.length`.
    #[error("a GTIN has 8, 12, 13 or 14 digits, not {0}")]
    Length(usize),
    /// Something other than the digits 0–9 (a letter, a space, a hyphen): `gtin.not_digits`.
    #[error("a GTIN has digits only")]
    NotDigits,
    /// The last digit is not the check digit of the others: `gtin.check_digit`. Almost always
    /// a digit typed wrong.
    #[error("the check digit is {found}, the digits before it call for {expected}")]
    CheckDigit {
        /// The check digit the other digits call for.
        expected: u8,
        /// The last digit as written.
        found: u8,
    },
}

impl GtinError {
    /// Every code, for callers that translate them.
    pub const CODES: [&'static str; 3] = ["gtin.length", "gtin.not_digits", "gtin.check_digit"];

    /// The stable code of the failure: `gtin.length`, `gtin.not_digits` or
    /// `gtin.check_digit`.
    pub const fn code(&self) -> &'static str {
        match self {
            GtinError::Length(_) => "gtin.length",
            GtinError::NotDigits => "gtin.not_digits",
            GtinError::CheckDigit { .. } => "gtin.check_digit",
        }
    }
}

/// The standard GS1 check digit of a key's digits without its check digit (GS1 General
/// Specifications, section 7.9.1): from the right, the digits are weighted 3, 1, 3, 1…; the
/// check digit is what brings their sum up to a multiple of ten.
///
/// The weights run from the right so that leading zeros change nothing: a GTIN-13 and its
/// GTIN-14 form have the same check digit. Because 1 and 3 are both prime to 10, changing any
/// one digit changes the sum's last digit, so a single mistyped digit is always caught.
/// `digits` are values 0–9; the same rule serves every GS1 key with a check digit (GTIN, GLN,
/// SSCC).
pub fn check_digit(digits: &[u8]) -> u8 {
    debug_assert!(digits.iter().all(|d| *d <= 9), "digit values are 0–9");
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| u32::from(*d) * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// A valid GTIN, held in its GTIN-14 form (14 ASCII digits).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Gtin([u8; 14]);

fn digit_values(text: &str) -> Result<Vec<u8>, GtinError> {
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(GtinError::NotDigits);
    }
    Ok(text.bytes().map(|b| b - b'0').collect())
}

impl Gtin {
    /// Reads a GTIN-8, -12, -13 or -14 written as digits only, checks its check digit and
    /// returns it in GTIN-14 form. Nothing is trimmed or skipped: a space or hyphen is
    /// [`GtinError::NotDigits`], so what is stored is exactly what was checked.
    pub fn parse(text: &str) -> Result<Gtin, GtinError> {
        let digits = digit_values(text)?;
        if !LENGTHS.contains(&digits.len()) {
            return Err(GtinError::Length(digits.len()));
        }
        let (body, last) = digits.split_at(digits.len() - 1);
        let expected = check_digit(body);
        if last[0] != expected {
            return Err(GtinError::CheckDigit {
                expected,
                found: last[0],
            });
        }
        Ok(Gtin::from_digits(&digits))
    }

    /// The GTIN whose digits before the check digit are `body` (7, 11, 12 or 13 digits): the
    /// check digit is computed and appended. How a brand owner numbers a new trade item from
    /// its GS1 company prefix, and how test and demo data get valid GTINs.
    pub fn complete(body: &str) -> Result<Gtin, GtinError> {
        let mut digits = digit_values(body)?;
        if !LENGTHS.contains(&(digits.len() + 1)) {
            return Err(GtinError::Length(digits.len() + 1));
        }
        digits.push(check_digit(&digits));
        Ok(Gtin::from_digits(&digits))
    }

    fn from_digits(digits: &[u8]) -> Gtin {
        let mut out = [b'0'; 14];
        let start = 14 - digits.len();
        for (slot, d) in out[start..].iter_mut().zip(digits) {
            *slot = b'0' + d;
        }
        Gtin(out)
    }

    /// The GTIN-14 form: 14 digits, shorter GTINs with leading zeros.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The check digit (the last digit).
    pub fn check(&self) -> u8 {
        self.0[13] - b'0'
    }
}

impl fmt::Display for Gtin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Gtin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Gtin({})", self.as_str())
    }
}

impl FromStr for Gtin {
    type Err = GtinError;
    fn from_str(text: &str) -> Result<Gtin, GtinError> {
        Gtin::parse(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// GTINs printed on real products and in the standards' own examples.
    const PUBLISHED: [(&str, &str); 5] = [
        // EAN-8 of the Wikipedia article on EAN-8.
        ("96385074", "00000096385074"),
        // UPC-A (GTIN-12) of the Wikipedia article on the Universal Product Code.
        ("036000291452", "00036000291452"),
        // EAN-13 of a STABILO BOSS highlighter, the example of the Wikipedia article on the
        // International Article Number.
        ("4006381333931", "04006381333931"),
        // EAN-13 of the same article's barcode illustration (prefix 590, Poland).
        ("5901234123457", "05901234123457"),
        // GTIN-14 of GS1's Digital Link examples (https://id.gs1.org/01/09506000134352).
        ("09506000134352", "09506000134352"),
    ];

    #[test]
    fn published_gtins_are_valid_and_normalised_to_gtin_14() {
        for (written, gtin14) in PUBLISHED {
            let gtin = Gtin::parse(written).unwrap_or_else(|e| panic!("{written}: {e}"));
            assert_eq!(gtin.as_str(), gtin14);
            assert_eq!(gtin.to_string(), gtin14);
            assert_eq!(
                Gtin::parse(gtin14),
                Ok(gtin),
                "the GTIN-14 form is the same item"
            );
            assert_eq!(written.parse::<Gtin>(), Ok(gtin));
        }
    }

    #[test]
    fn completing_a_body_appends_its_check_digit() {
        assert_eq!(Gtin::complete("400638133393").unwrap().check(), 1);
        assert_eq!(Gtin::complete("03600029145").unwrap().check(), 2);
        assert_eq!(Gtin::complete("9638507").unwrap().check(), 4);
        assert_eq!(
            Gtin::complete("0950600013435").unwrap().as_str(),
            "09506000134352"
        );
        assert_eq!(check_digit(&[]), 0);
    }

    #[test]
    fn refusals_have_stable_codes() {
        let cases: [(&str, GtinError); 9] = [
            ("", GtinError::Length(0)),
            ("1234567", GtinError::Length(7)),
            ("123456789", GtinError::Length(9)),
            ("123456789012345", GtinError::Length(15)),
            ("4006381 333931", GtinError::NotDigits),
            ("400-6381333931", GtinError::NotDigits),
            ("40063813339３1", GtinError::NotDigits),
            ("abcdefgh", GtinError::NotDigits),
            (
                "4006381333932",
                GtinError::CheckDigit {
                    expected: 1,
                    found: 2,
                },
            ),
        ];
        for (text, error) in cases {
            assert_eq!(Gtin::parse(text), Err(error), "{text:?}");
        }
        assert_eq!(GtinError::Length(3).code(), "gtin.length");
        assert_eq!(GtinError::NotDigits.code(), "gtin.not_digits");
        assert_eq!(
            GtinError::CheckDigit {
                expected: 0,
                found: 1
            }
            .code(),
            "gtin.check_digit"
        );
        assert_eq!(Gtin::complete("12345678"), Err(GtinError::Length(9)));
        assert_eq!(Gtin::complete("12a4567"), Err(GtinError::NotDigits));
    }

    #[test]
    fn a_swap_of_neighbours_is_caught_unless_they_differ_by_five() {
        // 4006381333931 with its 6 and 3 swapped: weights 3 and 1 tell them apart.
        assert!(matches!(
            Gtin::parse("4003681333931"),
            Err(GtinError::CheckDigit { .. })
        ));
    }

    fn body() -> impl Strategy<Value = String> {
        prop_oneof!["[0-9]{7}", "[0-9]{11}", "[0-9]{12}", "[0-9]{13}"]
    }

    proptest! {
        /// The check digit of any 7, 11, 12 or 13 digits makes a GTIN that reads back valid.
        #[test]
        fn any_body_with_its_check_digit_is_a_valid_gtin(body in body()) {
            let gtin = Gtin::complete(&body).unwrap();
            let written = format!("{body}{}", gtin.check());
            prop_assert_eq!(Gtin::parse(&written), Ok(gtin));
            prop_assert!(gtin.as_str().ends_with(&written));
            prop_assert_eq!(gtin.as_str().len(), 14);
        }

        /// Changing any one digit of a valid GTIN, the check digit included, makes it invalid.
        #[test]
        fn changing_one_digit_makes_it_invalid(
            body in body(),
            place in any::<prop::sample::Index>(),
            by in 1u8..10,
        ) {
            let gtin = Gtin::complete(&body).unwrap();
            let mut written: Vec<u8> = format!("{body}{}", gtin.check()).into_bytes();
            let i = place.index(written.len());
            written[i] = b'0' + (written[i] - b'0' + by) % 10;
            let changed = String::from_utf8(written).unwrap();
            prop_assert!(
                matches!(Gtin::parse(&changed), Err(GtinError::CheckDigit { .. })),
                "{} accepted", changed
            );
        }
    }
}
