//! A fast structural scan of JSON text, for the index pass of `ocds compile`.
//!
//! Why: the index pass only needs a release's top-level keys (its `ocid`, and whether it is a
//! package or needs upgrading); everything nested is skipped. Skipping with a general parser
//! visits every string one call at a time and was a fifth of the run time, while issue 5 asks
//! `ocds compile` for at least 30× the throughput of `ocdskit compile`. This module skips a
//! nested object or array 64 bytes at a time with bit masks, the way simdjson's first stage
//! finds structure: quote, backslash and bracket positions become bits, escaped characters are
//! removed, a prefix XOR of the quote bits marks the bytes inside strings, and the brackets
//! outside strings are counted until the depth returns to zero.
//!
//! Nothing is validated here: a line accepted by the scan is parsed strictly when its ocid is
//! merged, and a line that fails there is diagnosed by the general reader as before.

/// Bit masks of one 64-byte chunk: bit *i* describes byte *i*.
#[derive(Clone, Copy)]
struct Masks {
    quote: u64,
    backslash: u64,
    /// `{` or `[`.
    open: u64,
    /// `}` or `]`.
    close: u64,
}

/// `{` is `[` | 0x20 and `}` is `]` | 0x20, so one comparison after setting bit 5 finds both.
const OPEN: u8 = b'{';
const CLOSE: u8 = b'}';

#[cfg(target_arch = "x86_64")]
fn masks(chunk: &[u8; 64]) -> Masks {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    // SAFETY: SSE2 is part of the x86_64 baseline, so these intrinsics are always available;
    // the four unaligned 16-byte loads stay inside the 64-byte array.
    unsafe {
        let quote = _mm_set1_epi8(b'"' as i8);
        let backslash = _mm_set1_epi8(b'\\' as i8);
        let open = _mm_set1_epi8(OPEN as i8);
        let close = _mm_set1_epi8(CLOSE as i8);
        let bit5 = _mm_set1_epi8(0x20);
        let mut m = Masks {
            quote: 0,
            backslash: 0,
            open: 0,
            close: 0,
        };
        for lane in 0..4 {
            let bytes = _mm_loadu_si128(chunk.as_ptr().add(lane * 16) as *const __m128i);
            let folded = _mm_or_si128(bytes, bit5);
            let shift = lane * 16;
            let bits = |v| (_mm_movemask_epi8(v) as u32 as u64 & 0xFFFF) << shift;
            m.quote |= bits(_mm_cmpeq_epi8(bytes, quote));
            m.backslash |= bits(_mm_cmpeq_epi8(bytes, backslash));
            m.open |= bits(_mm_cmpeq_epi8(folded, open));
            m.close |= bits(_mm_cmpeq_epi8(folded, close));
        }
        m
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn masks(chunk: &[u8; 64]) -> Masks {
    let mut m = Masks {
        quote: 0,
        backslash: 0,
        open: 0,
        close: 0,
    };
    for (i, &b) in chunk.iter().enumerate() {
        let bit = 1u64 << i;
        let folded = b | 0x20;
        m.quote |= if b == b'"' { bit } else { 0 };
        m.backslash |= if b == b'\\' { bit } else { 0 };
        m.open |= if folded == OPEN { bit } else { 0 };
        m.close |= if folded == CLOSE { bit } else { 0 };
    }
    m
}

/// Each bit becomes the XOR of itself and every lower bit: with quote bits in, the bits of the
/// bytes from an opening quote up to (not including) its closing quote.
fn prefix_xor(mut x: u64) -> u64 {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

/// The index just past the object or array that starts at `text[start]` (`{` or `[`), or
/// `None` if the text ends before it closes. Brackets inside strings, escaped quotes and
/// backslashes are handled; `{`/`[` and `}`/`]` are not matched against each other (the strict
/// parse later rejects such text).
pub(crate) fn container_end(text: &[u8], start: usize) -> Option<usize> {
    let mut depth: u64 = 0;
    // Whether the byte before the chunk left us inside a string, and whether the chunk's first
    // byte is escaped by a backslash at the end of the previous chunk.
    let mut in_string = 0u64;
    let mut escape_carry = 0u64;
    let mut at = start;
    let mut padded = [b' '; 64];
    while at < text.len() {
        let rest = &text[at..];
        let chunk: &[u8; 64] = match rest.first_chunk::<64>() {
            Some(chunk) => chunk,
            None => {
                // The last, partial chunk: padded with spaces, which are no structure.
                padded[..rest.len()].copy_from_slice(rest);
                &padded
            }
        };
        let m = masks(chunk);
        // Escaped bytes: a backslash escapes the next byte unless it is itself escaped.
        let mut escaped = escape_carry;
        escape_carry = 0;
        let mut backslashes = m.backslash & !escaped;
        while backslashes != 0 {
            let i = backslashes.trailing_zeros();
            if escaped & (1 << i) == 0 {
                if i == 63 {
                    escape_carry = 1;
                } else {
                    escaped |= 1 << (i + 1);
                }
            }
            backslashes &= backslashes - 1;
            backslashes &= !escaped;
        }
        let quotes = m.quote & !escaped;
        let inside = prefix_xor(quotes) ^ in_string;
        in_string = if inside >> 63 == 1 { u64::MAX } else { 0 };
        let open = m.open & !inside & !escaped;
        let close = m.close & !inside & !escaped;
        let opened = u64::from(open.count_ones());
        let closed = u64::from(close.count_ones());
        if closed < depth {
            // The depth cannot reach zero within this chunk.
            depth = depth + opened - closed;
        } else {
            let mut brackets = open | close;
            while brackets != 0 {
                let i = brackets.trailing_zeros();
                if open & (1 << i) != 0 {
                    depth += 1;
                } else {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Some(at + i as usize + 1);
                    }
                }
                brackets &= brackets - 1;
            }
        }
        at += 64;
    }
    None
}

/// The index just past the string that starts at `text[start]` (`"`), or `None`.
pub(crate) fn string_end(text: &[u8], start: usize) -> Option<usize> {
    let mut at = start + 1;
    loop {
        let i = memchr::memchr2(b'"', b'\\', text.get(at..)?)?;
        if text[at + i] == b'"' {
            return Some(at + i + 1);
        }
        at += i + 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference: a byte-at-a-time walk. A backslash escapes the next byte wherever it is
    /// (outside strings the text is not JSON anyway; the mask scan does the same).
    fn slow_end(text: &[u8], start: usize) -> Option<usize> {
        let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
        for (i, &b) in text.iter().enumerate().skip(start) {
            if escaped {
                escaped = false;
                continue;
            }
            if b == b'\\' {
                escaped = true;
                continue;
            }
            if in_string {
                if b == b'"' {
                    in_string = false;
                }
                continue;
            }
            match b {
                b'"' => in_string = true,
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Some(i + 1);
                    }
                }
                _ => {}
            }
        }
        None
    }

    #[test]
    fn finds_the_end_across_chunks_strings_and_escapes() {
        let long = "y".repeat(70);
        let cases = [
            r#"{}"#.to_owned(),
            r#"{"a": [1, 2, {"b": "}"}], "c": "\"]"} tail"#.to_owned(),
            format!(r#"{{"a": "{long}\\\\", "b": ["{long}\"}}"], "c": {{}}}} x"#),
            format!(r#"["{long}", "\\", "\\\\\"", [[[]]]]"#),
            r#"{"unterminated": "#.to_owned(),
            r#"{"a": "\\"}"#.to_owned(),
        ];
        for case in &cases {
            for pad in [0usize, 1, 31, 62, 63, 64, 65] {
                let text = format!("{}{case}", " ".repeat(pad));
                assert_eq!(
                    container_end(text.as_bytes(), pad),
                    slow_end(text.as_bytes(), pad),
                    "{text:?}"
                );
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_a_byte_walk(
            body in proptest::collection::vec(
                proptest::sample::select(vec![b'{', b'}', b'[', b']', b'"', b'\\', b'a', b' ', b',']),
                0..300,
            ),
        ) {
            let mut text = vec![b'{'];
            text.extend(body);
            proptest::prop_assert_eq!(container_end(&text, 0), slow_end(&text, 0));
        }
    }
}
