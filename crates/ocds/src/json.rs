//! A zero-copy JSON tree for merging.
//!
//! Why not `serde_json::Value`: merging only looks at the *structure* of releases (objects,
//! arrays of objects, `id`s); every other value is copied through untouched. Building a `Value`
//! allocates a `String` per string and a map per object and costs most of the run time, and
//! issue 5 asks `ocds compile` for at least 30× the throughput of `ocdskit compile`. So this tree
//! keeps scalars as slices of the input text, arrays and objects as exact-size slices in an
//! arena (objects as pairs in document order), and the writer copies those slices back out. The
//! parse is as strict as serde_json's (the index pass of `ocds compile` skips validation and
//! relies on it). Output stays identical to ocdskit's on canonical
//! input: escaped strings are re-encoded (ocdskit prints UTF-8, not `\u` escapes) and numbers
//! with a fraction or exponent go through `f64` (ocdskit reads them as `Decimal` and prints
//! `float()`), while integers are copied exactly (Python integers are exact too).

use std::borrow::Cow;

use bumpalo::Bump;
use serde_json::Value;

/// A JSON value borrowing from its source text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Json<'a> {
    /// `null`, `true`, `false`, a number, or a string without escapes — as its JSON text
    /// (strings with their quotes).
    Scalar(&'a str),
    /// A string containing escapes, as its JSON text with quotes.
    Escaped(&'a str),
    /// An array (in the arena of the parse).
    Array(&'a [Json<'a>]),
    /// An object in document order (a repeated key keeps its first place and last value, as a
    /// Python dict does), in the arena of the parse.
    Object(&'a [(&'a str, Json<'a>)]),
}

/// Why text could not be read as JSON.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid JSON at byte {offset}: {what}")]
pub struct ParseError {
    /// Byte offset.
    pub offset: usize,
    /// What was expected.
    pub what: &'static str,
}

const MAX_DEPTH: usize = 512;

impl<'a> Json<'a> {
    /// Parse one JSON value (surrounding whitespace allowed). Arrays and objects are allocated
    /// in `arena`, so that a whole group of releases is freed at once.
    pub fn parse(text: &'a [u8], arena: &'a Bump) -> Result<Json<'a>, ParseError> {
        Self::parse_with(text, arena, &mut Scratch::default())
    }

    /// [`Json::parse`] with working space kept from one parse to the next, for callers that
    /// parse many values into one arena.
    pub fn parse_with(
        text: &'a [u8],
        arena: &'a Bump,
        scratch: &mut Scratch<'a>,
    ) -> Result<Json<'a>, ParseError> {
        // Validated with SIMD (the standard library's check was 3 % of `ocds compile`); the
        // standard one runs only to locate an error.
        let text = match simdutf8::basic::from_utf8(text) {
            Ok(text) => text,
            Err(_) => {
                let offset = std::str::from_utf8(text)
                    .err()
                    .map_or(0, |e| e.valid_up_to());
                return Err(ParseError {
                    offset,
                    what: "UTF-8",
                });
            }
        };
        scratch.items.clear();
        scratch.pairs.clear();
        let mut parser = Parser {
            text,
            bytes: text.as_bytes(),
            at: 0,
            arena,
            items: &mut scratch.items,
            pairs: &mut scratch.pairs,
            escaped: false,
            failure: None,
        };
        let parsed = parser.value(0, None).and_then(|()| {
            parser.skip_ws();
            if parser.at == parser.bytes.len() {
                Ok(())
            } else {
                Err(parser.fail("end of input"))
            }
        });
        match (parsed, parser.items.pop()) {
            (Ok(()), Some(value)) => Ok(value),
            _ => Err(parser.failure.take().unwrap_or(ParseError {
                offset: parser.at,
                what: "a value",
            })),
        }
    }

    /// The value of `key` in an object (the last one, if repeated).
    pub fn get(&self, key: &str) -> Option<&Json<'a>> {
        match self {
            Json::Object(pairs) => pairs.iter().rev().find(|(k, _)| *k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string, decoded, if this is a string.
    pub fn as_str(&self) -> Option<Cow<'a, str>> {
        match self {
            Json::Scalar(text) if text.starts_with('"') => {
                Some(Cow::Borrowed(&text[1..text.len() - 1]))
            }
            Json::Escaped(text) => serde_json::from_str::<String>(text).ok().map(Cow::Owned),
            _ => None,
        }
    }

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Json::Scalar("null"))
    }

    /// JSON type name, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Json::Scalar("null") => "null",
            Json::Scalar("true" | "false") => "boolean",
            Json::Scalar(text) if text.starts_with('"') => "string",
            Json::Scalar(_) => "number",
            Json::Escaped(_) => "string",
            Json::Array(_) => "array",
            Json::Object(_) => "object",
        }
    }

    /// Append compact JSON to `out` (see module docs for the canonical forms).
    pub fn write(&self, out: &mut Vec<u8>) {
        match self {
            Json::Scalar(text) => write_scalar(text, out),
            Json::Escaped(text) => match serde_json::from_str::<String>(text) {
                Ok(s) => write_string(&s, out),
                Err(_) => out.extend_from_slice(text.as_bytes()),
            },
            Json::Array(items) => {
                out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    item.write(out);
                }
                out.push(b']');
            }
            Json::Object(pairs) => {
                out.push(b'{');
                for (i, (key, value)) in pairs.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    write_key(key, out);
                    value.write(out);
                }
                out.push(b'}');
            }
        }
    }

    /// An owned `serde_json::Value`.
    pub fn to_value(&self) -> Value {
        let mut text = Vec::new();
        self.write(&mut text);
        serde_json::from_slice(&text).unwrap_or(Value::Null)
    }
}

/// Write a scalar's text: integers, literals and plain strings as they are; numbers with a
/// fraction or exponent through `f64`, as ocdskit does.
fn write_scalar(text: &str, out: &mut Vec<u8>) {
    let bytes = text.as_bytes();
    let is_number = matches!(bytes.first(), Some(b'-' | b'0'..=b'9'));
    if is_number
        && bytes.iter().any(|b| matches!(b, b'.' | b'e' | b'E'))
        && let Ok(n) = text.parse::<f64>()
        && serde_json::to_writer(&mut *out, &n).is_ok()
    {
        return;
    }
    out.extend_from_slice(bytes);
}

/// Write an object key and its colon.
pub(crate) fn write_key(key: &str, out: &mut Vec<u8>) {
    if key.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
        write_string(key, out);
    } else {
        out.push(b'"');
        out.extend_from_slice(key.as_bytes());
        out.push(b'"');
    }
    out.push(b':');
}

/// Write a string with JSON escaping.
pub(crate) fn write_string(s: &str, out: &mut Vec<u8>) {
    if serde_json::to_writer(&mut *out, s).is_err() {
        out.extend_from_slice(b"null");
    }
}

/// The parser's working space: the elements of the arrays and the members of the objects being
/// parsed, innermost last. Each array or object is copied into the arena at its exact size when
/// it closes, so no half-filled vectors are left in the arena; keeping this space from one parse
/// to the next means parsing allocates nothing else.
#[derive(Debug, Default)]
pub struct Scratch<'a> {
    items: Vec<Json<'a>>,
    pairs: Vec<(&'a str, Json<'a>)>,
}

struct Parser<'a, 's> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    arena: &'a Bump,
    items: &'s mut Vec<Json<'a>>,
    pairs: &'s mut Vec<(&'a str, Json<'a>)>,
    /// Whether the last string parsed has escapes.
    escaped: bool,
    /// Why the parse failed.
    failure: Option<ParseError>,
}

/// A failed parse step; what failed is kept in [`Parser::failure`]. Zero-sized, so a step's
/// result fits in registers.
struct Failed;

/// The result of a parse step.
type Step<T = ()> = Result<T, Failed>;

impl<'a> Parser<'a, '_> {
    fn fail(&mut self, what: &'static str) -> Failed {
        self.failure = Some(ParseError {
            offset: self.at,
            what,
        });
        Failed
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    /// Put a parsed value where it belongs: on the element stack, or with its key on the member
    /// stack.
    #[inline]
    fn push(&mut self, key: Option<&'a str>, value: Json<'a>) {
        match key {
            None => self.items.push(value),
            Some(key) => self.pairs.push((key, value)),
        }
    }

    /// Parse one value and push it (see [`Parser::push`]). Why values are pushed by the callee
    /// rather than returned: a returned `Json` goes through memory and is read back at once
    /// with wider loads than it was written with, which defeats store forwarding and stalls the
    /// processor — it was the hottest spot of `ocds compile`'s parse.
    fn value(&mut self, depth: usize, key: Option<&'a str>) -> Step {
        if depth > MAX_DEPTH {
            return Err(self.fail("less nesting"));
        }
        self.skip_ws();
        let value = match self.bytes.get(self.at) {
            Some(b'{') => return self.object(depth, key),
            Some(b'[') => return self.array(depth, key),
            Some(b'"') => {
                let text = self.string()?;
                if self.escaped {
                    Json::Escaped(text)
                } else {
                    Json::Scalar(text)
                }
            }
            Some(b't') => Json::Scalar(self.literal("true")?),
            Some(b'f') => Json::Scalar(self.literal("false")?),
            Some(b'n') => Json::Scalar(self.literal("null")?),
            Some(b'-' | b'0'..=b'9') => Json::Scalar(self.number()?),
            _ => return Err(self.fail("a value")),
        };
        self.push(key, value);
        Ok(())
    }

    fn literal(&mut self, word: &'static str) -> Step<&'a str> {
        if self.bytes[self.at..].starts_with(word.as_bytes()) {
            let start = self.at;
            self.at += word.len();
            Ok(&self.text[start..self.at])
        } else {
            Err(self.fail("true, false or null"))
        }
    }

    /// A number, checked against the JSON grammar
    /// (`-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`), as serde_json checks it.
    fn number(&mut self) -> Step<&'a str> {
        let start = self.at;
        let digits = |parser: &mut Self| {
            let from = parser.at;
            while let Some(b'0'..=b'9') = parser.bytes.get(parser.at) {
                parser.at += 1;
            }
            parser.at - from
        };
        if self.bytes.get(self.at) == Some(&b'-') {
            self.at += 1;
        }
        let leading_zero = self.bytes.get(self.at) == Some(&b'0');
        match digits(self) {
            0 => return Err(self.fail("a digit")),
            1 => {}
            _ if leading_zero => return Err(self.fail("no leading zero")),
            _ => {}
        }
        if self.bytes.get(self.at) == Some(&b'.') {
            self.at += 1;
            if digits(self) == 0 {
                return Err(self.fail("a digit after the decimal point"));
            }
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.at) {
            self.at += 1;
            if let Some(b'+' | b'-') = self.bytes.get(self.at) {
                self.at += 1;
            }
            if digits(self) == 0 {
                return Err(self.fail("a digit in the exponent"));
            }
        }
        Ok(&self.text[start..self.at])
    }

    /// The code unit of the four hex digits at `at`, if they are hex digits.
    fn hex_escape(&self, at: usize) -> Option<u16> {
        let digits = std::str::from_utf8(self.bytes.get(at..at + 4)?).ok()?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u16::from_str_radix(digits, 16).ok()
    }

    /// A string's text with its quotes; [`Parser::escaped`] tells whether it has escapes.
    /// Checked as serde_json checks a string it reads: no control characters, only the escapes
    /// JSON defines, four hex digits after `\u`, and surrogates only in pairs (a lone one
    /// cannot become UTF-8).
    fn string(&mut self) -> Step<&'a str> {
        let start = self.at;
        self.at += 1;
        self.escaped = false;
        loop {
            self.at += special_byte(&self.bytes[self.at..]);
            match self.bytes.get(self.at) {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(&self.text[start..self.at]);
                }
                Some(b'\\') => {
                    self.escaped = true;
                    self.at += 1;
                    match self.bytes.get(self.at) {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                            self.at += 1
                        }
                        Some(b'u') => match self.hex_escape(self.at + 1) {
                            Some(0xD800..=0xDBFF)
                                if self.bytes.get(self.at + 5) == Some(&b'\\')
                                    && self.bytes.get(self.at + 6) == Some(&b'u')
                                    && matches!(
                                        self.hex_escape(self.at + 7),
                                        Some(0xDC00..=0xDFFF)
                                    ) =>
                            {
                                self.at += 11
                            }
                            Some(0xD800..=0xDFFF) => {
                                return Err(self.fail("a valid surrogate pair"));
                            }
                            Some(_) => self.at += 5,
                            None => return Err(self.fail("four hex digits")),
                        },
                        _ => return Err(self.fail("a valid escape")),
                    }
                }
                Some(_) => return Err(self.fail("no control character in a string")),
                None => return Err(self.fail("a closing quote")),
            }
        }
    }

    fn array(&mut self, depth: usize, key: Option<&'a str>) -> Step {
        self.at += 1;
        let base = self.items.len();
        self.skip_ws();
        if self.bytes.get(self.at) == Some(&b']') {
            self.at += 1;
            self.push(key, Json::Array(&[]));
            return Ok(());
        }
        loop {
            self.value(depth + 1, None)?;
            self.skip_ws();
            match self.bytes.get(self.at) {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    let items = self.arena.alloc_slice_copy(&self.items[base..]);
                    self.items.truncate(base);
                    self.push(key, Json::Array(items));
                    return Ok(());
                }
                _ => return Err(self.fail("`,` or `]`")),
            }
        }
    }

    fn object(&mut self, depth: usize, key: Option<&'a str>) -> Step {
        self.at += 1;
        let base = self.pairs.len();
        // Index of keys, built only for large objects so that small ones stay cheap and huge
        // ones stay linear.
        let mut index: Option<
            std::collections::HashMap<&'a str, usize, rustc_hash::FxBuildHasher>,
        > = None;
        let mut seen = 0u64;
        self.skip_ws();
        if self.bytes.get(self.at) == Some(&b'}') {
            self.at += 1;
            self.push(key, Json::Object(&[]));
            return Ok(());
        }
        loop {
            self.skip_ws();
            if self.bytes.get(self.at) != Some(&b'"') {
                return Err(self.fail("a key"));
            }
            let text = self.string()?;
            // Keys live in the arena like everything else, so a tree needs no drop.
            let member: &'a str = if self.escaped {
                match serde_json::from_str::<String>(text) {
                    Ok(decoded) => self.arena.alloc_str(&decoded),
                    Err(_) => return Err(self.fail("a valid key")),
                }
            } else {
                &text[1..text.len() - 1]
            };
            self.skip_ws();
            if self.bytes.get(self.at) != Some(&b':') {
                return Err(self.fail("`:`"));
            }
            self.at += 1;
            self.value(depth + 1, Some(member))?;
            // The new member is on top of the stack; look for an earlier one with its key.
            let pairs = &mut *self.pairs;
            let count = pairs.len() - 1 - base;
            if count == 32 && index.is_none() {
                index = Some(
                    pairs[base..base + count]
                        .iter()
                        .enumerate()
                        .map(|(i, (k, _))| (*k, i))
                        .collect(),
                );
            }
            // A 64-bit signature of the keys seen (length and last byte) rules out almost every
            // key without comparing strings; only a possible repeat is looked up.
            let bit = 1u64
                << ((member.len() * 7 + member.as_bytes().last().map_or(0, |b| *b as usize)) % 64);
            let existing = match &index {
                Some(index) => index.get(&member).copied(),
                None if seen & bit == 0 => None,
                None => pairs[base..base + count]
                    .iter()
                    .position(|(k, _)| *k == member),
            };
            seen |= bit;
            match existing {
                // A repeated key keeps its first place and takes the last value.
                Some(i) => {
                    if let Some((_, value)) = pairs.pop() {
                        pairs[base + i].1 = value;
                    }
                }
                None => {
                    if let Some(index) = &mut index {
                        index.insert(member, count);
                    }
                }
            }
            self.skip_ws();
            match self.bytes.get(self.at) {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    let pairs = self.arena.alloc_slice_copy(&self.pairs[base..]);
                    self.pairs.truncate(base);
                    self.push(key, Json::Object(pairs));
                    return Ok(());
                }
                _ => return Err(self.fail("`,` or `}`")),
            }
        }
    }
}

/// The index of the first byte of `bytes` that ends a run of plain string content — a quote, a
/// backslash or a control character — or `bytes.len()`. Eight bytes at a time: strings in OCDS
/// data are mostly short, where a call to a vectorised search costs more than it saves (an SSE2
/// version measured no faster on the benchmark input).
fn special_byte(bytes: &[u8]) -> usize {
    let mut at = 0;
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // High bit of each byte that is zero (exact for the lowest such byte, which is all we use).
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    while let Some(word) = bytes.get(at..at + 8) {
        let mut chunk = [0u8; 8];
        chunk.copy_from_slice(word);
        let x = u64::from_le_bytes(chunk);
        let found = zero(x ^ (ONES * u64::from(b'"')))
            | zero(x ^ (ONES * u64::from(b'\\')))
            | (x.wrapping_sub(ONES * 0x20) & !x & HIGH);
        if found != 0 {
            return at + (found.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    at + bytes[at..]
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .unwrap_or(bytes.len() - at)
}

/// The numeric value Python would compare (`True == 1`), if the scalar is a number or boolean.
fn numeric(text: &str) -> Option<f64> {
    match text {
        "true" => Some(1.0),
        "false" => Some(0.0),
        _ if matches!(text.as_bytes().first(), Some(b'-' | b'0'..=b'9')) => text.parse().ok(),
        _ => None,
    }
}

/// Python `==` on parsed JSON (ocdsmerge compares versioned values with it): numbers compare by
/// value (`1 == 1.0`), booleans equal 1 and 0, strings by content, objects ignore key order.
pub(crate) fn py_eq(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Scalar(x), Json::Scalar(y)) => {
            x == y
                || match (numeric(x), numeric(y)) {
                    (Some(i), Some(j)) => {
                        // Exact for integers beyond f64 precision.
                        match (x.parse::<i128>(), y.parse::<i128>()) {
                            (Ok(p), Ok(q)) => p == q,
                            _ => i == j,
                        }
                    }
                    _ => false,
                }
        }
        (Json::Escaped(_), Json::Scalar(_) | Json::Escaped(_))
        | (Json::Scalar(_), Json::Escaped(_)) => match (a.as_str(), b.as_str()) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        },
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(i, j)| py_eq(i, j))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter().all(|(k, v)| {
                    y.iter()
                        .find(|(l, _)| l == k)
                        .is_some_and(|(_, w)| py_eq(v, w))
                })
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The word-at-a-time search finds what a byte-by-byte search finds, at every length and
        /// alignment, with bytes above 0x7F (UTF-8) never taken for control characters.
        #[test]
        fn special_byte_finds_the_first_quote_backslash_or_control(
            bytes in proptest::collection::vec(
                proptest::sample::select(vec![b'a', b'"', b'\\', 0x00, 0x1F, 0x20, 0x7F, 0x80, 0xC3, 0xFF]),
                0..80,
            ),
            skip in 0usize..20,
        ) {
            let bytes = &bytes[skip.min(bytes.len())..];
            let expected = bytes
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                .unwrap_or(bytes.len());
            proptest::prop_assert_eq!(special_byte(bytes), expected);
        }
    }

    proptest::proptest! {
        /// The parser accepts exactly the texts serde_json accepts as a value (the index pass
        /// of `ocds compile` relies on it to refuse what the general reader refuses).
        #[test]
        fn accepts_exactly_what_serde_json_accepts(
            tokens in proptest::collection::vec(
                proptest::sample::select(vec![
                    "{", "}", "[", "]", "\"", "\\", ":", ",", " ", "\n", "\t", "a", "u", "0",
                    "1", "-", ".", "e", "+", "null", "true", "fals", "\u{1}", "\u{1f}", "é",
                    "\\u00e9", "\\ud800", "\\udc00", "\\\"", "\"a\":", "\"b\"", "\u{7f}",
                ]),
                0..40,
            ),
        ) {
            let text = tokens.concat();
            let ours = Json::parse(text.as_bytes(), &Bump::new()).is_ok();
            match serde_json::from_str::<Value>(&text) {
                Err(e) if e.to_string().contains("out of range") => {}
                theirs => proptest::prop_assert_eq!(ours, theirs.is_ok(), "{:?}", text),
            }
        }
    }

    #[test]
    fn strings_with_escapes_and_structure_round_trip() {
        for text in [
            r#"{"a\"b": "c\\", "d": ["}", "\"", "\\\""], "e": "\ud83d\ude00é"}"#,
            r#"["x", "", "\u0000", "\/"]"#,
        ] {
            let arena = Bump::new();
            let tree = Json::parse(text.as_bytes(), &arena).expect("parse");
            let expected: Value = serde_json::from_str(text).expect("serde");
            assert_eq!(tree.to_value(), expected, "{text}");
        }
    }
}
