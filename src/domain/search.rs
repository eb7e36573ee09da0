//! Search terms for the public tender search.
//!
//! Full-text search works identically on SQLite and PostgreSQL by keeping our own inverted
//! index (`tender_terms`): each tender's words, lowercased and stripped of accents, so that
//! "amoxicilina", "Amoxicilina" and "AMOXICILINA" match, and "cateter" finds "catéter". A query
//! word matches every indexed word it is a prefix of ("amox" finds "amoxicilina").

use std::collections::BTreeSet;

/// Longest indexed word (longer words are cut; nobody types more).
pub const MAX_TERM_CHARS: usize = 32;

fn fold(c: char) -> Option<char> {
    let c = match c {
        'á' | 'à' | 'ä' | 'â' | 'Á' | 'À' | 'Ä' | 'Â' => 'a',
        'é' | 'è' | 'ë' | 'ê' | 'É' | 'È' | 'Ë' | 'Ê' => 'e',
        'í' | 'ì' | 'ï' | 'î' | 'Í' | 'Ì' | 'Ï' | 'Î' => 'i',
        'ó' | 'ò' | 'ö' | 'ô' | 'Ó' | 'Ò' | 'Ö' | 'Ô' => 'o',
        'ú' | 'ù' | 'ü' | 'û' | 'Ú' | 'Ù' | 'Ü' | 'Û' => 'u',
        'ñ' | 'Ñ' => 'n',
        'ç' | 'Ç' => 'c',
        c => c.to_ascii_lowercase(),
    };
    c.is_ascii_alphanumeric().then_some(c)
}

/// The distinct search terms of a text (words of at least two characters).
pub fn terms(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut word = String::new();
    let mut flush = |word: &mut String| {
        if word.len() >= 2 {
            out.insert(word.chars().take(MAX_TERM_CHARS).collect());
        }
        word.clear();
    };
    for c in text.chars() {
        match fold(c) {
            Some(f) => word.push(f),
            None => flush(&mut word),
        }
    }
    flush(&mut word);
    out
}

/// The words of a query (at most 8; one-letter words are dropped as they match too much).
pub fn query_terms(query: &str) -> Vec<String> {
    let mut seen = BTreeSet::new();
    query
        .split_whitespace()
        .flat_map(|w| terms(w).into_iter())
        .filter(|t| seen.insert(t.clone()))
        .take(8)
        .collect()
}

/// The smallest `[0-9a-z]` string greater than every string starting with `prefix`, for range
/// scans (`term >= prefix AND term < upper`) that use the index on both engines. Staying inside
/// the terms' alphabet keeps the bound correct under byte order and under locale collations
/// (which ignore punctuation). `None` when the prefix is all `z`: then `term >= prefix` alone
/// selects exactly the words starting with it.
pub fn prefix_upper_bound(prefix: &str) -> Option<String> {
    let mut bytes = prefix.as_bytes().to_vec();
    while let Some(last) = bytes.pop() {
        let next = match last {
            b'0'..=b'8' | b'a'..=b'y' => Some(last + 1),
            b'9' => Some(b'a'),
            _ => None,
        };
        if let Some(next) = next {
            bytes.push(next);
            return String::from_utf8(bytes).ok();
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_accents_and_case() {
        let t = terms("Adquisición de CATÉTER intravenoso 20G, jeringas 5 mL (lote 2)");
        let expected: BTreeSet<String> = [
            "adquisicion",
            "de",
            "cateter",
            "intravenoso",
            "20g",
            "jeringas",
            "ml",
            "lote",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        assert_eq!(t, expected);
    }

    #[test]
    fn queries() {
        assert_eq!(
            query_terms("  Amoxicilina  a  500mg amoxicilina"),
            vec!["amoxicilina", "500mg"]
        );
        assert!(query_terms("<script>").contains(&"script".to_string()));
        assert_eq!(query_terms(""), Vec::<String>::new());
    }

    #[test]
    fn prefix_bounds() {
        assert_eq!(prefix_upper_bound("amox").as_deref(), Some("amoy"));
        assert_eq!(prefix_upper_bound("az").as_deref(), Some("b"));
        assert_eq!(prefix_upper_bound("zz"), None);
        assert_eq!(prefix_upper_bound("a9").as_deref(), Some("aa"));
        let upper = prefix_upper_bound("amox").unwrap();
        assert!("amoxicilina" >= "amox" && "amoxicilina" < upper.as_str());
        assert!("a9zz" < "aa" && "a9" >= "a9");
    }
}
