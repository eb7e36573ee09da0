//! A validating JSON reader specialised for pulling a few fields out of each line.
//!
//! Why not serde_json: the indicators read about a fifth of each release, and the generic
//! visitor machinery, not the scanning, dominated the run time (issue 6, "Speed and memory":
//! at least 5× the reference). This reader walks the bytes once, hands the wanted fields to the
//! [`crate::release`] types and skips everything else, while accepting exactly the lines the
//! reference accepts (it parses every line with serde_json into a `Value`):
//!
//! * RFC 8259 grammar: literals, numbers without leading zeros, strings without raw control
//!   characters, the escapes `\" \\ \/ \b \f \n \r \t \uXXXX` with surrogates in pairs;
//! * whitespace is space, tab, line feed and carriage return; nothing but whitespace may follow
//!   the value;
//! * nesting deeper than 127 arrays/objects is refused (serde_json's recursion limit);
//! * numbers of any magnitude are accepted (the reference's `arbitrary_precision`) and kept as
//!   text, parsed later with Rust's correctly rounded `str::parse`.
//!
//! The input must already be valid UTF-8 (checked once per line by the caller), so string
//! slices are borrowed without re-validation.

use std::borrow::Cow;

/// Where and why a line is not JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonError {
    /// Byte offset in the line.
    pub offset: usize,
    /// What was wrong.
    pub message: &'static str,
}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at column {}", self.message, self.offset + 1)
    }
}

/// Result of a reading step.
pub type Result<T> = std::result::Result<T, JsonError>;

const MAX_DEPTH: u32 = 127;

/// The reader.
pub struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: u32,
    lean: bool,
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

#[inline]
fn has_byte(word: u64, byte: u8) -> bool {
    let x = word ^ (ONES * u64::from(byte));
    (x.wrapping_sub(ONES) & !x & HIGHS) != 0
}

#[inline]
fn has_control(word: u64) -> bool {
    (word.wrapping_sub(ONES * 0x20) & !word & HIGHS) != 0
}

impl<'a> Reader<'a> {
    /// A reader over one line.
    pub fn new(text: &'a str) -> Reader<'a> {
        Reader {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            depth: 0,
            lean: false,
        }
    }

    /// Lean readers skip the fields only Tianguis's additions use (see [`crate::release`]).
    pub fn set_lean(&mut self, lean: bool) {
        self.lean = lean;
    }

    /// Whether this reader is lean.
    #[inline]
    pub fn is_lean(&self) -> bool {
        self.lean
    }

    fn error<T>(&self, message: &'static str) -> Result<T> {
        Err(JsonError {
            offset: self.pos,
            message,
        })
    }

    /// Skips whitespace and returns the next byte, if any.
    #[inline]
    pub fn peek(&mut self) -> Option<u8> {
        while let Some(&b) = self.bytes.get(self.pos) {
            match b {
                b' ' | b'\n' | b'\r' | b'\t' => self.pos += 1,
                _ => return Some(b),
            }
        }
        None
    }

    /// Checks that only whitespace remains.
    ///
    /// # Errors
    /// On trailing characters.
    pub fn end(&mut self) -> Result<()> {
        match self.peek() {
            None => Ok(()),
            Some(_) => self.error("trailing characters"),
        }
    }

    /// Moves to the end of a string's contents (the closing quote or a backslash), checking for
    /// raw control characters, 8 bytes at a time.
    #[inline]
    fn scan_string(&mut self) -> Result<()> {
        let bytes = self.bytes;
        let mut i = self.pos;
        while i + 8 <= bytes.len() {
            let mut chunk = [0u8; 8];
            chunk.copy_from_slice(&bytes[i..i + 8]);
            let word = u64::from_le_bytes(chunk);
            if has_byte(word, b'"') || has_byte(word, b'\\') || has_control(word) {
                break;
            }
            i += 8;
        }
        while let Some(&b) = bytes.get(i) {
            match b {
                b'"' | b'\\' => {
                    self.pos = i;
                    return Ok(());
                }
                0..=0x1f => {
                    self.pos = i;
                    return self.error("control character in a string");
                }
                _ => i += 1,
            }
        }
        self.pos = i;
        self.error("end of line in a string")
    }

    fn hex4(&mut self) -> Result<u16> {
        let Some(digits) = self.bytes.get(self.pos..self.pos + 4) else {
            self.pos = self.bytes.len();
            return self.error("end of line in a \\u escape");
        };
        let mut value = 0u16;
        for &d in digits {
            let v = match d {
                b'0'..=b'9' => d - b'0',
                b'a'..=b'f' => d - b'a' + 10,
                b'A'..=b'F' => d - b'A' + 10,
                _ => return self.error("invalid \\u escape"),
            };
            value = value * 16 + u16::from(v);
        }
        self.pos += 4;
        Ok(value)
    }

    /// Reads one escape (after the backslash), appending it to `out` if given.
    fn escape(&mut self, out: Option<&mut String>) -> Result<()> {
        let Some(&c) = self.bytes.get(self.pos) else {
            return self.error("end of line in an escape");
        };
        self.pos += 1;
        let ch = match c {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let first = self.hex4()?;
                match first {
                    0xD800..=0xDBFF => {
                        if self.bytes.get(self.pos..self.pos + 2) != Some(b"\\u") {
                            return self.error("lone leading surrogate in a \\u escape");
                        }
                        self.pos += 2;
                        let second = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&second) {
                            return self.error("lone leading surrogate in a \\u escape");
                        }
                        let code = 0x10000
                            + ((u32::from(first) - 0xD800) << 10)
                            + (u32::from(second) - 0xDC00);
                        char::from_u32(code).unwrap_or('\u{fffd}')
                    }
                    0xDC00..=0xDFFF => {
                        return self.error("lone trailing surrogate in a \\u escape");
                    }
                    _ => char::from_u32(u32::from(first)).unwrap_or('\u{fffd}'),
                }
            }
            _ => {
                self.pos -= 1;
                return self.error("invalid escape");
            }
        };
        if let Some(out) = out {
            out.push(ch);
        }
        Ok(())
    }

    /// Reads a string (at its opening quote): borrowed unless it has escapes.
    ///
    /// # Errors
    /// On malformed strings.
    pub fn string(&mut self) -> Result<Cow<'a, str>> {
        self.pos += 1; // opening quote
        let start = self.pos;
        self.scan_string()?;
        if self.bytes[self.pos] == b'"' {
            let s = &self.text[start..self.pos];
            self.pos += 1;
            return Ok(Cow::Borrowed(s));
        }
        let mut out = String::with_capacity(self.pos - start + 16);
        out.push_str(&self.text[start..self.pos]);
        loop {
            // At a backslash.
            self.pos += 1;
            self.escape(Some(&mut out))?;
            let from = self.pos;
            self.scan_string()?;
            out.push_str(&self.text[from..self.pos]);
            if self.bytes[self.pos] == b'"' {
                self.pos += 1;
                return Ok(Cow::Owned(out));
            }
        }
    }

    fn skip_string(&mut self) -> Result<()> {
        self.pos += 1;
        loop {
            self.scan_string()?;
            if self.bytes[self.pos] == b'"' {
                self.pos += 1;
                return Ok(());
            }
            self.pos += 1;
            self.escape(None)?;
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while self.bytes.get(self.pos).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
        }
        self.pos - start
    }

    /// Reads a number (at `-` or a digit) and returns its text.
    ///
    /// # Errors
    /// On malformed numbers.
    pub fn number(&mut self) -> Result<&'a str> {
        let start = self.pos;
        if self.bytes[self.pos] == b'-' {
            self.pos += 1;
        }
        match self.bytes.get(self.pos) {
            Some(b'0') => {
                self.pos += 1;
                if self.bytes.get(self.pos).is_some_and(u8::is_ascii_digit) {
                    return self.error("invalid number (leading zero)");
                }
            }
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return self.error("invalid number"),
        }
        if self.bytes.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return self.error("invalid number (no digit after the point)");
            }
        }
        if matches!(self.bytes.get(self.pos), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.bytes.get(self.pos), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return self.error("invalid number (no digit in the exponent)");
            }
        }
        Ok(&self.text[start..self.pos])
    }

    fn literal(&mut self, word: &'static [u8]) -> Result<()> {
        if self.bytes.get(self.pos..self.pos + word.len()) == Some(word) {
            self.pos += word.len();
            Ok(())
        } else {
            self.error("expected a value")
        }
    }

    fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.error("recursion limit exceeded");
        }
        Ok(())
    }

    /// Skips any value, validating it.
    ///
    /// # Errors
    /// On malformed JSON.
    pub fn skip_value(&mut self) -> Result<()> {
        match self.peek() {
            Some(b'"') => self.skip_string(),
            Some(b'{') => self.object(|r, _| r.skip_value()),
            Some(b'[') => self.array(|r| r.skip_value()),
            Some(b'-' | b'0'..=b'9') => self.number().map(|_| ()),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            Some(_) => self.error("expected a value"),
            None => self.error("end of line while reading a value"),
        }
    }

    /// Reads an object (at `{`), calling `field` for each key with the reader at its value.
    /// `field` must consume the value.
    ///
    /// # Errors
    /// On malformed JSON, or an error of `field`.
    pub fn object(
        &mut self,
        mut field: impl FnMut(&mut Self, Cow<'a, str>) -> Result<()>,
    ) -> Result<()> {
        self.enter()?;
        self.pos += 1;
        match self.peek() {
            Some(b'}') => {
                self.pos += 1;
                self.depth -= 1;
                return Ok(());
            }
            Some(b'"') => {}
            Some(_) => return self.error("expected a key"),
            None => return self.error("end of line in an object"),
        }
        loop {
            if self.peek() != Some(b'"') {
                return self.error("expected a key");
            }
            let key = self.string()?;
            if self.peek() != Some(b':') {
                return self.error("expected `:`");
            }
            self.pos += 1;
            field(self, key)?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(());
                }
                Some(_) => return self.error("expected `,` or `}`"),
                None => return self.error("end of line in an object"),
            }
        }
    }

    /// Reads an array (at `[`), calling `element` with the reader at each element. `element`
    /// must consume the value.
    ///
    /// # Errors
    /// On malformed JSON, or an error of `element`.
    pub fn array(&mut self, mut element: impl FnMut(&mut Self) -> Result<()>) -> Result<()> {
        self.enter()?;
        self.pos += 1;
        if self.peek() == Some(b']') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(());
        }
        loop {
            element(self)?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(());
                }
                Some(_) => return self.error("expected `,` or `]`"),
                None => return self.error("end of line in an array"),
            }
        }
    }
}

/// Validates a whole text as one JSON value (used by tests and by callers that only need to
/// know).
///
/// # Errors
/// Where the text stops being JSON.
pub fn validate(text: &str) -> Result<()> {
    let mut reader = Reader::new(text);
    reader.skip_value()?;
    reader.end()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same_as_serde(text: &str) {
        let ours = validate(text).is_ok();
        // The reference parses into a `Value` with arbitrary precision: numbers of any
        // magnitude are fine, which plain serde_json reports as out of range.
        let theirs = match serde_json::from_str::<serde_json::Value>(text) {
            Ok(_) => true,
            Err(e) => {
                e.to_string().contains("number out of range")
                    && serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok()
            }
        };
        assert_eq!(ours, theirs, "acceptance differs for {text:?}");
    }

    #[test]
    fn accepts_and_rejects_like_serde_json() {
        for text in [
            "{}",
            "[]",
            " {\"a\" : [1, -0, 0.5, 1e5, 1E-5, -12.5e+3, true, false, null, \"x\"]} ",
            "{\"a\":1,}",
            "[1,]",
            "[01]",
            "[1.]",
            "[.5]",
            "[-]",
            "[1e]",
            "\"\\u00e9\\n\\/\"",
            "\"\\x\"",
            "\"\\ud83d\\ude00\"",
            "\"\\ud83d\"",
            "\"\\ude00\"",
            "\"a\tb\"",
            "{\"a\" 1}",
            "{1:2}",
            "tru",
            "nul",
            "[1] [2]",
            "",
            "   ",
            "[1e400]",
            "{\"a\":{\"b\":[{\"c\":\"d\"}]}}",
            "\u{c}{}",
        ] {
            same_as_serde(text);
        }
    }

    #[test]
    fn nesting_limit_matches_serde_json() {
        for depth in [126, 127, 128, 129] {
            let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            assert_eq!(
                validate(&text).is_ok(),
                serde_json::from_str::<serde_json::Value>(&text).is_ok(),
                "depth {depth}"
            );
        }
    }

    #[test]
    fn strings_are_borrowed_or_unescaped() {
        let mut r = Reader::new("\"plain\"");
        assert!(matches!(r.string().unwrap(), Cow::Borrowed("plain")));
        let mut r = Reader::new("\"a\\\"b\\u00e9\\ud83d\\ude00c\"");
        assert_eq!(r.string().unwrap(), "a\"bé😀c");
        let mut r = Reader::new("\"0123456789abcdef\\u0041\"");
        assert_eq!(r.string().unwrap(), "0123456789abcdefA");
    }

    proptest::proptest! {
        #[test]
        fn random_texts_are_judged_like_serde_json(text in "[\\[\\]{}\":,0-9.eE+\\- a-z\\\\]{0,24}") {
            same_as_serde(&text);
        }

        #[test]
        fn mutated_releases_are_judged_like_serde_json(cut in 0usize..120, byte in 0u8..128) {
            let base = r#"{"ocid":"o-1","tender":{"status":"active","value":{"amount":1.5e3,"currency":"GTQ"}},"bids":{"details":[{"id":"\u00e9","tenderers":[{"id":"T1"}]}]}}"#;
            let mut bytes = base.as_bytes().to_vec();
            let at = cut.min(bytes.len() - 1);
            bytes[at] = byte;
            if let Ok(text) = std::str::from_utf8(&bytes) {
                same_as_serde(text);
            }
        }
    }
}
