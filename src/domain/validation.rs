//! Field-level validation results shared by every form and JSON body.
//!
//! A rejected submission lists every failing field at once (not only the first), each with a
//! stable code the interface translates, so a person can correct a form in one pass.

use serde::Serialize;

/// Why one field was rejected: a stable code, translated under `verr-` + code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldCode {
    /// A required field is empty.
    Required,
    /// The text is longer than allowed.
    TooLong,
    /// The text is shorter than allowed.
    TooShort,
    /// The text has characters the field does not allow.
    InvalidCharacters,
    /// The value is not one of the allowed options.
    UnknownOption,
    /// The username is already taken.
    UsernameTaken,
    /// The password is too weak (too short or too common).
    WeakPassword,
    /// The two password fields differ.
    PasswordMismatch,
    /// The current password given to change it is wrong.
    WrongPassword,
    /// The role combination is not allowed (see `role::validate_role_set`).
    RoleCombination,
    /// The referenced supplier does not exist.
    UnknownSupplier,
    /// The NIT's check digit or format is wrong.
    InvalidNit,
    /// The e-mail address is malformed.
    InvalidEmail,
    /// A date or time could not be read.
    InvalidDate,
    /// A number could not be read or is out of range.
    InvalidNumber,
    /// A comma where only a thousands separator may stand (`12,50`): the decimal mark is the
    /// point (issue 13).
    DecimalComma,
    /// The value is already registered (a NIT, a code).
    AlreadyRegistered,
    /// The value does not fit the rules of the chosen procurement method or rulebook.
    RuleViolation,
    /// A phone number is malformed.
    InvalidPhone,
    /// A list needs at least one entry.
    AtLeastOne,
    /// Shares or weights add up to more than allowed.
    SumTooLarge,
    /// The value appears twice where it must be unique (a code repeated in an import file).
    Duplicate,
    /// Not an absolute `http`/`https` URL (webhook receivers, issue 5).
    InvalidUrl,
    /// The account already holds the most allowed (e.g. webhook subscriptions).
    LimitReached,
    /// A loopback, private or link-local address, which the platform does not call (webhooks).
    PrivateAddress,
    /// A paging cursor this list did not issue: well-formed, but it marks no position (the
    /// open-data feeds' `cursor`, issue 13).
    UnknownCursor,
    /// A GTIN with a number of digits no GTIN has (8, 12, 13 or 14): `gtin.length` of
    /// `tianguis-gs1`.
    GtinLength,
    /// A GTIN with something other than digits: `gtin.not_digits`.
    GtinNotDigits,
    /// A GTIN whose last digit is not its check digit (a digit typed wrong):
    /// `gtin.check_digit`.
    GtinCheckDigit,
}

impl FieldCode {
    /// Every code, for the translation completeness test.
    pub const ALL: &'static [FieldCode] = &[
        FieldCode::Required,
        FieldCode::TooLong,
        FieldCode::TooShort,
        FieldCode::InvalidCharacters,
        FieldCode::UnknownOption,
        FieldCode::UsernameTaken,
        FieldCode::WeakPassword,
        FieldCode::PasswordMismatch,
        FieldCode::WrongPassword,
        FieldCode::RoleCombination,
        FieldCode::UnknownSupplier,
        FieldCode::InvalidNit,
        FieldCode::InvalidEmail,
        FieldCode::InvalidDate,
        FieldCode::InvalidNumber,
        FieldCode::DecimalComma,
        FieldCode::AlreadyRegistered,
        FieldCode::RuleViolation,
        FieldCode::InvalidPhone,
        FieldCode::AtLeastOne,
        FieldCode::SumTooLarge,
        FieldCode::Duplicate,
        FieldCode::InvalidUrl,
        FieldCode::LimitReached,
        FieldCode::PrivateAddress,
        FieldCode::UnknownCursor,
        FieldCode::GtinLength,
        FieldCode::GtinNotDigits,
        FieldCode::GtinCheckDigit,
    ];

    /// Wire form, e.g. `too_long`.
    pub const fn as_str(self) -> &'static str {
        match self {
            FieldCode::Required => "required",
            FieldCode::TooLong => "too_long",
            FieldCode::TooShort => "too_short",
            FieldCode::InvalidCharacters => "invalid_characters",
            FieldCode::UnknownOption => "unknown_option",
            FieldCode::UsernameTaken => "username_taken",
            FieldCode::WeakPassword => "weak_password",
            FieldCode::PasswordMismatch => "password_mismatch",
            FieldCode::WrongPassword => "wrong_password",
            FieldCode::RoleCombination => "role_combination",
            FieldCode::UnknownSupplier => "unknown_supplier",
            FieldCode::InvalidNit => "invalid_nit",
            FieldCode::InvalidEmail => "invalid_email",
            FieldCode::InvalidDate => "invalid_date",
            FieldCode::InvalidNumber => "invalid_number",
            FieldCode::DecimalComma => "decimal_comma",
            FieldCode::AlreadyRegistered => "already_registered",
            FieldCode::RuleViolation => "rule_violation",
            FieldCode::InvalidPhone => "invalid_phone",
            FieldCode::AtLeastOne => "at_least_one",
            FieldCode::SumTooLarge => "sum_too_large",
            FieldCode::Duplicate => "duplicate",
            FieldCode::InvalidUrl => "invalid_url",
            FieldCode::LimitReached => "limit_reached",
            FieldCode::PrivateAddress => "private_address",
            FieldCode::UnknownCursor => "unknown_cursor",
            FieldCode::GtinLength => "gtin_length",
            FieldCode::GtinNotDigits => "gtin_not_digits",
            FieldCode::GtinCheckDigit => "gtin_check_digit",
        }
    }

    /// Translation key of the message.
    pub fn message_key(self) -> String {
        format!("verr-{}", self.as_str().replace('_', "-"))
    }
}

impl From<crate::domain::money::AmountError> for FieldCode {
    /// A typed amount's problem as the field's error: a misplaced comma says how to write the
    /// number; every other problem is an unreadable or out-of-range number.
    fn from(e: crate::domain::money::AmountError) -> FieldCode {
        match e {
            crate::domain::money::AmountError::MisplacedComma => FieldCode::DecimalComma,
            _ => FieldCode::InvalidNumber,
        }
    }
}

impl From<tianguis_gs1::GtinError> for FieldCode {
    /// A GTIN's problem as the field's error, one code for each of the crate's
    /// (`gtin.length` → `gtin_length`): each says a different thing to fix.
    fn from(e: tianguis_gs1::GtinError) -> FieldCode {
        match e {
            tianguis_gs1::GtinError::Length(_) => FieldCode::GtinLength,
            tianguis_gs1::GtinError::NotDigits => FieldCode::GtinNotDigits,
            tianguis_gs1::GtinError::CheckDigit { .. } => FieldCode::GtinCheckDigit,
        }
    }
}

/// One rejected field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's name as submitted (`username`, `roles`, `lots[2].quantity`).
    pub field: String,
    /// Why it was rejected.
    pub code: FieldCode,
}

/// Collects field errors while a submission is checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    /// Starts an empty report.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a failure of `field`.
    pub fn fail(&mut self, field: &str, code: FieldCode) {
        self.errors.push(FieldError {
            field: field.to_string(),
            code,
        });
    }

    /// Checks a required, single-line text's length in characters and that it has no control
    /// characters (which would corrupt exports and logs); returns the trimmed text.
    pub fn text(&mut self, field: &str, value: &str, min: usize, max: usize) -> String {
        let trimmed = value.trim();
        let chars = trimmed.chars().count();
        if chars == 0 && min > 0 {
            self.fail(field, FieldCode::Required);
        } else if chars < min {
            self.fail(field, FieldCode::TooShort);
        } else if chars > max {
            self.fail(field, FieldCode::TooLong);
        } else if trimmed.chars().any(char::is_control) {
            self.fail(field, FieldCode::InvalidCharacters);
        }
        trimmed.to_string()
    }

    /// Checks a person's or a firm's name (legal, trade, display, contact, owner names) like
    /// [`Validator::text`], and refuses, with `invalid_characters`, a name with nothing visible
    /// in it (only zero-width characters, a BOM…) or one carrying bidirectional overrides or
    /// isolates, which make a name read differently from what is stored (issue 13; Unicode
    /// Technical Report #36, "Unicode Security Considerations", and CVE-2021-42574).
    pub fn name(&mut self, field: &str, value: &str, min: usize, max: usize) -> String {
        let before = self.errors.len();
        let trimmed = self.text(field, value, min, max);
        if self.errors.len() == before && !trimmed.is_empty() && !is_displayable_name(&trimmed) {
            self.fail(field, FieldCode::InvalidCharacters);
        }
        trimmed
    }

    /// Checks an optional web address: empty, or an `http`/`https` URL ([`is_web_url`]; a
    /// `javascript:` address is refused). Returns the trimmed text.
    pub fn web_url(&mut self, field: &str, value: &str, max: usize) -> String {
        let trimmed = value.trim();
        if trimmed.chars().count() > max {
            self.fail(field, FieldCode::TooLong);
        } else if !trimmed.is_empty() && !is_web_url(trimmed) {
            self.fail(field, FieldCode::InvalidUrl);
        }
        trimmed.to_string()
    }

    /// Whether nothing failed.
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// The failures so far.
    pub fn errors(&self) -> &[FieldError] {
        &self.errors
    }

    /// Ends the check: `Ok` when nothing failed.
    pub fn finish(self) -> Result<(), Vec<FieldError>> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self.errors)
        }
    }
}

/// A deliberately small check of e-mail shape: one `@`, something on each side, a dot in the
/// domain, no spaces. Deliverability is proven by use, not by a regular expression.
pub fn looks_like_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
        && value.len() <= 254
}

/// Whether a name shows something and reads as stored: at least one visible character, and no
/// bidirectional embedding, override (U+202A–U+202E) or isolate (U+2066–U+2069).
pub fn is_displayable_name(value: &str) -> bool {
    let bidi_control = |c: char| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    !value.chars().any(bidi_control) && value.chars().any(|c| !is_invisible(c))
}

/// White space and the characters Unicode says to render as nothing when unsupported
/// (`Default_Ignorable_Code_Point`, DerivedCoreProperties.txt, Unicode 16): zero-width space,
/// joiners, directional marks, BOM, variation selectors, Hangul fillers, tags…
fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(c,
            '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}'
            | '\u{17B5}' | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}' | '\u{FFF0}'..='\u{FFF8}'
            | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}')
}

/// Whether a text is an absolute `http` or `https` URL with a host and no credentials: the one
/// rule for addresses people follow (supplier websites) and the platform calls (webhooks).
pub fn is_web_url(value: &str) -> bool {
    url::Url::parse(value).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https") && u.host().is_some() && u.username().is_empty()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_form_is_the_serialised_form() {
        for code in FieldCode::ALL {
            assert_eq!(
                serde_json::to_value(code).unwrap(),
                serde_json::json!(code.as_str())
            );
        }
    }

    #[test]
    fn text_rules() {
        let mut v = Validator::new();
        assert_eq!(v.text("a", "  hola  ", 1, 10), "hola");
        assert!(v.is_ok());
        v.text("b", "", 1, 10);
        v.text("c", "abcdefghijk", 1, 10);
        v.text("d", "x\u{0}y", 1, 10);
        v.text("e", "ab", 3, 10);
        let codes: Vec<_> = v
            .errors()
            .iter()
            .map(|e| (e.field.as_str(), e.code))
            .collect();
        assert_eq!(
            codes,
            vec![
                ("b", FieldCode::Required),
                ("c", FieldCode::TooLong),
                ("d", FieldCode::InvalidCharacters),
                ("e", FieldCode::TooShort)
            ]
        );
    }

    #[test]
    fn names_must_show_something_and_read_as_stored() {
        let mut v = Validator::new();
        assert_eq!(
            v.name("a", " Droguería Ñandú, S.A. ", 2, 200),
            "Droguería Ñandú, S.A."
        );
        assert_eq!(v.name("b", "مؤسسة الدواء", 2, 200), "مؤسسة الدواء");
        assert!(v.is_ok(), "{:?}", v.errors());
        v.name("c", "\u{200B}\u{200C}\u{200D}\u{FEFF}", 2, 200);
        v.name("d", "Farma\u{202E}AS ,aicámraF", 2, 200);
        v.name("e", "Ana \u{2067}López\u{2069}", 2, 200);
        v.name("f", "\u{2060}\u{00AD}\u{3164}", 2, 200);
        v.name("g", "", 2, 200);
        let codes: Vec<_> = v
            .errors()
            .iter()
            .map(|e| (e.field.as_str(), e.code))
            .collect();
        assert_eq!(
            codes,
            vec![
                ("c", FieldCode::InvalidCharacters),
                ("d", FieldCode::InvalidCharacters),
                ("e", FieldCode::InvalidCharacters),
                ("f", FieldCode::InvalidCharacters),
                ("g", FieldCode::Required)
            ]
        );
    }

    #[test]
    fn web_urls() {
        assert!(is_web_url("https://farmaaltiplano.com.gt"));
        assert!(is_web_url("http://ejemplo.gt/ventas?x=1"));
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,x",
            "ftp://x.gt",
            "www.x.gt",
            "https://user@x.gt",
            "https://",
        ] {
            assert!(!is_web_url(bad), "{bad}");
        }
        let mut v = Validator::new();
        assert_eq!(v.web_url("website", "  ", 200), "");
        assert!(v.is_ok());
        v.web_url("website", "javascript:alert(document.cookie)", 200);
        assert_eq!(v.errors()[0].code, FieldCode::InvalidUrl);
    }

    #[test]
    fn emails() {
        assert!(looks_like_email("compras@igss.gob.gt"));
        assert!(!looks_like_email("compras@igss"));
        assert!(!looks_like_email("compras igss@x.gt"));
        assert!(!looks_like_email("@x.gt"));
        assert!(!looks_like_email("a@b@c.gt"));
    }

    #[test]
    fn gtin_problems_keep_the_crate_codes() {
        for (error, code) in [
            (tianguis_gs1::GtinError::Length(9), FieldCode::GtinLength),
            (tianguis_gs1::GtinError::NotDigits, FieldCode::GtinNotDigits),
            (
                tianguis_gs1::GtinError::CheckDigit {
                    expected: 1,
                    found: 2,
                },
                FieldCode::GtinCheckDigit,
            ),
        ] {
            assert_eq!(FieldCode::from(error), code);
            assert_eq!(error.code().replace('.', "_"), code.as_str());
        }
    }

    #[test]
    fn keys_are_unique() {
        let keys: std::collections::HashSet<_> =
            FieldCode::ALL.iter().map(|c| c.message_key()).collect();
        assert_eq!(keys.len(), FieldCode::ALL.len());
    }
}
