//! A zero-copy JSON tree for merging.
//!
//! Why not `serde_json::Value`: merging only looks at the *structure* of releases (objects,
//! arrays of objects, `id`s); every other value is copied through untouched. Building a `Value`
//! allocates a `String` per string and a map per object and costs most of the run time, and
//! issue 5 asks `ocds compile` for at least 30× the throughput of `ocdskit compile`. So this tree
//! keeps scalars as slices of the input text, objects as vectors of pairs in document order, and
//! the writer copies those slices back out. Output stays identical to ocdskit's on canonical
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
        let text = std::str::from_utf8(text).map_err(|e| ParseError {
            offset: e.valid_up_to(),
            what: "UTF-8",
        })?;
        let mut parser = Parser {
            text,
            bytes: text.as_bytes(),
            at: 0,
            arena,
            items: Vec::new(),
            pairs: Vec::new(),
        };
        let value = parser.value(0)?;
        parser.skip_ws();
        if parser.at != parser.bytes.len() {
            return Err(parser.error("end of input"));
        }
        Ok(value)
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

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    arena: &'a Bump,
    /// The elements of the arrays being parsed, innermost last; each array is copied into the
    /// arena at its exact size when it closes (no growing vectors left behind in the arena).
    items: Vec<Json<'a>>,
    /// The same for the members of objects.
    pairs: Vec<(&'a str, Json<'a>)>,
}

impl<'a> Parser<'a> {
    fn error(&self, what: &'static str) -> ParseError {
        ParseError {
            offset: self.at,
            what,
        }
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json<'a>, ParseError> {
        if depth > MAX_DEPTH {
            return Err(self.error("less nesting"));
        }
        self.skip_ws();
        match self.bytes.get(self.at) {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => {
                let (text, escaped) = self.string()?;
                Ok(if escaped {
                    Json::Escaped(text)
                } else {
                    Json::Scalar(text)
                })
            }
            Some(b't') => self.literal("true"),
            Some(b'f') => self.literal("false"),
            Some(b'n') => self.literal("null"),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.error("a value")),
        }
    }

    fn literal(&mut self, word: &'static str) -> Result<Json<'a>, ParseError> {
        if self.bytes[self.at..].starts_with(word.as_bytes()) {
            let start = self.at;
            self.at += word.len();
            Ok(Json::Scalar(&self.text[start..self.at]))
        } else {
            Err(self.error("true, false or null"))
        }
    }

    /// A number, checked against the JSON grammar
    /// (`-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`), as serde_json checks it.
    fn number(&mut self) -> Result<Json<'a>, ParseError> {
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
            0 => return Err(self.error("a digit")),
            1 => {}
            _ if leading_zero => return Err(self.error("no leading zero")),
            _ => {}
        }
        if self.bytes.get(self.at) == Some(&b'.') {
            self.at += 1;
            if digits(self) == 0 {
                return Err(self.error("a digit after the decimal point"));
            }
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.at) {
            self.at += 1;
            if let Some(b'+' | b'-') = self.bytes.get(self.at) {
                self.at += 1;
            }
            if digits(self) == 0 {
                return Err(self.error("a digit in the exponent"));
            }
        }
        Ok(Json::Scalar(&self.text[start..self.at]))
    }

    /// The code unit of the four hex digits at `at`, if they are hex digits.
    fn hex_escape(&self, at: usize) -> Option<u16> {
        let digits = std::str::from_utf8(self.bytes.get(at..at + 4)?).ok()?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u16::from_str_radix(digits, 16).ok()
    }

    /// A string's text with its quotes, and whether it contains escapes. Checked as serde_json
    /// checks a string it reads: no control characters, only the escapes JSON defines, four hex
    /// digits after `\u`, and surrogates only in pairs (a lone one cannot become UTF-8).
    fn string(&mut self) -> Result<(&'a str, bool), ParseError> {
        let start = self.at;
        self.at += 1;
        let mut escaped = false;
        loop {
            self.at += special_byte(&self.bytes[self.at..]);
            match self.bytes.get(self.at) {
                Some(b'"') => {
                    self.at += 1;
                    return Ok((&self.text[start..self.at], escaped));
                }
                Some(b'\\') => {
                    escaped = true;
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
                                return Err(self.error("a valid surrogate pair"));
                            }
                            Some(_) => self.at += 5,
                            None => return Err(self.error("four hex digits")),
                        },
                        _ => return Err(self.error("a valid escape")),
                    }
                }
                Some(_) => return Err(self.error("no control character in a string")),
                None => return Err(self.error("a closing quote")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Json<'a>, ParseError> {
        self.at += 1;
        let base = self.items.len();
        self.skip_ws();
        if self.bytes.get(self.at) == Some(&b']') {
            self.at += 1;
            return Ok(Json::Array(&[]));
        }
        loop {
            let item = self.value(depth + 1)?;
            self.items.push(item);
            self.skip_ws();
            match self.bytes.get(self.at) {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    let items = self.arena.alloc_slice_copy(&self.items[base..]);
                    self.items.truncate(base);
                    return Ok(Json::Array(items));
                }
                _ => return Err(self.error("`,` or `]`")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json<'a>, ParseError> {
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
            return Ok(Json::Object(&[]));
        }
        loop {
            self.skip_ws();
            if self.bytes.get(self.at) != Some(&b'"') {
                return Err(self.error("a key"));
            }
            let (text, escaped) = self.string()?;
            // Keys live in the arena like everything else, so a tree needs no drop.
            let key: &'a str = if escaped {
                let decoded =
                    serde_json::from_str::<String>(text).map_err(|_| self.error("a valid key"))?;
                self.arena.alloc_str(&decoded)
            } else {
                &text[1..text.len() - 1]
            };
            self.skip_ws();
            if self.bytes.get(self.at) != Some(&b':') {
                return Err(self.error("`:`"));
            }
            self.at += 1;
            let value = self.value(depth + 1)?;
            let pairs = &mut self.pairs;
            let count = pairs.len() - base;
            if count == 32 && index.is_none() {
                index = Some(
                    pairs[base..]
                        .iter()
                        .enumerate()
                        .map(|(i, (k, _))| (*k, i))
                        .collect(),
                );
            }
            // A 64-bit signature of the keys seen (length and last byte) rules out almost every
            // key without comparing strings; only a possible repeat is looked up.
            let bit =
                1u64 << ((key.len() * 7 + key.as_bytes().last().map_or(0, |b| *b as usize)) % 64);
            let existing = match &index {
                Some(index) => index.get(&key).copied(),
                None if seen & bit == 0 => None,
                None => pairs[base..].iter().position(|(k, _)| *k == key),
            };
            seen |= bit;
            match existing {
                Some(i) => pairs[base + i].1 = value,
                None => {
                    if let Some(index) = &mut index {
                        index.insert(key, count);
                    }
                    pairs.push((key, value));
                }
            }
            self.skip_ws();
            match self.bytes.get(self.at) {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    let pairs = self.arena.alloc_slice_copy(&self.pairs[base..]);
                    self.pairs.truncate(base);
                    return Ok(Json::Object(pairs));
                }
                _ => return Err(self.error("`,` or `}`")),
            }
        }
    }
}

/// The index of the first byte of `bytes` that ends a run of plain string content — a quote, a
/// backslash or a control character — or `bytes.len()`. Eight bytes at a time (strings in OCDS
/// data are mostly short, where a call to a vectorised search costs more than it saves).
fn special_byte(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // High bit of each byte that is zero (exact for the lowest such byte, which is all we use).
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let mut at = 0;
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
