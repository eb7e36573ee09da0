//! Search terms for the public tender search.
//!
//! Full-text search works identically on SQLite and PostgreSQL by keeping our own inverted
//! index (`tender_terms`): each tender's words, lowercased and stripped of accents, so that
//! "amoxicilina", "Amoxicilina" and "AMOXICILINA" match, and "cateter" finds "catéter". A query
//! word matches every indexed word it is a prefix of ("amox" finds "amoxicilina").
//!
//! Issue 13 ("search finds what users mean"):
//! - Codes (`MED-0020`, `IGSS-2026-0020`) are indexed whole, joined without their separators
//!   (`med0020`), and from each of their segments on (`20260020`), so that a code typed with
//!   its separators matches that code and not every reference that merely contains `0020`.
//! - Singular and plural match: a query word also matches as its singular stem
//!   (`guantes`/`guante`, `jeringas`/`jeringa`, `catéteres`/`catéter`, `syringes`/`syringe`),
//!   and the index also holds the singular of the plurals that change their ending
//!   (`lápices` → `lapiz`, `bodies` → `body`).

use std::collections::BTreeSet;

/// Longest indexed word (longer words are cut; nobody types more).
pub const MAX_TERM_CHARS: usize = 32;

/// Characters that join the segments of a code (`MED-0020`, `2026/05`, `J01.CA`).
const CODE_JOINERS: [char; 4] = ['-', '/', '.', '_'];

/// Accented letters and the plain letter they are searched as. One table for the index
/// (Rust) and for the names searched in SQL (`repository::folded`), which replaces them before
/// lowering: upper case is listed too because PostgreSQL's `LOWER` under the C locale and
/// SQLite's leave non-ASCII letters alone.
#[rustfmt::skip]
pub const SQL_ACCENTS: [(char, char); 44] = [
    ('á', 'a'), ('à', 'a'), ('ä', 'a'), ('â', 'a'), ('Á', 'a'), ('À', 'a'), ('Ä', 'a'), ('Â', 'a'),
    ('é', 'e'), ('è', 'e'), ('ë', 'e'), ('ê', 'e'), ('É', 'e'), ('È', 'e'), ('Ë', 'e'), ('Ê', 'e'),
    ('í', 'i'), ('ì', 'i'), ('ï', 'i'), ('î', 'i'), ('Í', 'i'), ('Ì', 'i'), ('Ï', 'i'), ('Î', 'i'),
    ('ó', 'o'), ('ò', 'o'), ('ö', 'o'), ('ô', 'o'), ('Ó', 'o'), ('Ò', 'o'), ('Ö', 'o'), ('Ô', 'o'),
    ('ú', 'u'), ('ù', 'u'), ('ü', 'u'), ('û', 'u'), ('Ú', 'u'), ('Ù', 'u'), ('Ü', 'u'), ('Û', 'u'),
    ('ñ', 'n'), ('Ñ', 'n'), ('ç', 'c'), ('Ç', 'c'),
];

fn unaccent(c: char) -> char {
    SQL_ACCENTS
        .iter()
        .find(|(accented, _)| *accented == c)
        .map_or(c, |(_, plain)| *plain)
}

/// A text lowered with its accents removed, other characters kept (the Rust side of
/// `repository::folded`).
pub fn fold_text(text: &str) -> String {
    text.chars()
        .map(|c| unaccent(c).to_ascii_lowercase())
        .collect()
}

fn fold(c: char) -> Option<char> {
    let c = unaccent(c).to_ascii_lowercase();
    c.is_ascii_alphanumeric().then_some(c)
}

/// The distinct search terms of a text (words of at least two characters), with the whole
/// codes it contains and the singulars of its plurals that change their ending.
pub fn terms(text: &str) -> BTreeSet<String> {
    let mut out = words(text);
    for w in out.clone() {
        out.extend(singular_index_forms(&w));
    }
    for token in text.split_whitespace() {
        out.extend(code_terms(token));
    }
    out
}

/// The plain words of a text: accents and case folded, split at everything else.
fn words(text: &str) -> BTreeSet<String> {
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

/// The folded segments of a token if it is a code: at least two segments of letters and
/// digits joined by `-`, `/`, `.` or `_`, with a digit somewhere (so "S.A." is not a code).
fn code_segments(token: &str) -> Option<Vec<String>> {
    let token = token.trim_matches(|c: char| !c.is_alphanumeric());
    let segments: Vec<String> = token
        .split(CODE_JOINERS)
        .map(|s| s.chars().filter_map(fold).collect::<String>())
        .collect();
    let well_formed = segments.len() >= 2
        && segments.iter().all(|s| !s.is_empty())
        && token
            .chars()
            .all(|c| c.is_alphanumeric() || CODE_JOINERS.contains(&c))
        && token.chars().any(|c| c.is_ascii_digit());
    well_formed.then_some(segments)
}

/// The index terms of a code: the whole code without separators, and the code from each of
/// its later segments on (`IGSS-2026-0020` → `igss20260020`, `20260020`).
fn code_terms(token: &str) -> Vec<String> {
    let Some(segments) = code_segments(token) else {
        return Vec::new();
    };
    (0..segments.len() - 1)
        .map(|from| {
            segments[from..]
                .concat()
                .chars()
                .take(MAX_TERM_CHARS)
                .collect()
        })
        .collect()
}

/// The singular forms to index besides a plural whose ending changes (Spanish `-ces` → `-z`,
/// English `-ies` → `-y`), so that the singular typed in a query finds them.
fn singular_index_forms(word: &str) -> Vec<String> {
    if word.len() < 5 || !word.chars().all(|c| c.is_ascii_lowercase()) {
        return Vec::new();
    }
    let mut out = Vec::new();
    if let Some(stem) = word.strip_suffix("ces") {
        out.push(format!("{stem}z"));
    }
    if let Some(stem) = word.strip_suffix("ies") {
        out.push(format!("{stem}y"));
    }
    out
}

/// The prefixes a query word matches by: the word and its singular stems (`guantes` →
/// `guante`, `guant`; `jeringas` → `jeringa`; `lapices` → `lapiz`; `bodies` → `body`), minus
/// those another one is a prefix of. Words ending in `ss`, `us`, `is` are not plurals
/// (`dosis`, `virus`, `glass`); short words are kept as typed (`gas`, `mes`).
fn word_prefixes(word: &str) -> Vec<String> {
    let mut forms = vec![word.to_string()];
    let plural = word.len() >= 4
        && word.chars().all(|c| c.is_ascii_lowercase())
        && word.ends_with('s')
        && !["ss", "us", "is"].iter().any(|e| word.ends_with(e));
    if plural {
        forms.push(word[..word.len() - 1].to_string());
        if word.len() >= 5 && word.ends_with("es") {
            forms.push(word[..word.len() - 2].to_string());
        }
        forms.extend(singular_index_forms(word));
    }
    let all = forms.clone();
    forms.retain(|f| !all.iter().any(|g| g != f && f.starts_with(g.as_str())));
    forms.sort();
    forms.dedup();
    forms
}

/// One word of a query.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum QueryTerm {
    /// A word: matches the indexed words that start with any of these prefixes.
    Word(Vec<String>),
    /// A code typed with its separators: matches the indexed codes that start with it.
    Code(String),
}

impl QueryTerm {
    /// The index prefixes this term matches by.
    pub fn prefixes(&self) -> Vec<&str> {
        match self {
            QueryTerm::Word(forms) => forms.iter().map(String::as_str).collect(),
            QueryTerm::Code(code) => vec![code.as_str()],
        }
    }

    /// Whether names (suppliers') are searched for this term too: words are, codes are not.
    pub fn is_word(&self) -> bool {
        matches!(self, QueryTerm::Word(_))
    }
}

/// The terms of a query (at most 8; one-letter words are dropped as they match too much).
pub fn query_terms(query: &str) -> Vec<QueryTerm> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for token in query.split_whitespace() {
        let terms = match code_segments(token) {
            Some(segments) => vec![QueryTerm::Code(
                segments.concat().chars().take(MAX_TERM_CHARS).collect(),
            )],
            None => words(token)
                .into_iter()
                .map(|w| QueryTerm::Word(word_prefixes(&w)))
                .collect(),
        };
        out.extend(terms.into_iter().filter(|t| seen.insert(t.clone())));
    }
    out.truncate(8);
    out
}

/// The query as one exact identifier (a reference or a catalogue code typed whole, with a
/// digit in it), lowered, when it is a single token: exact matches are listed first.
pub fn exact_identifier(query: &str) -> Option<String> {
    let mut tokens = query.split_whitespace();
    let token = tokens.next()?;
    (tokens.next().is_none() && token.chars().any(|c| c.is_ascii_digit()))
        .then(|| token.to_lowercase())
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

    fn word(forms: &[&str]) -> QueryTerm {
        QueryTerm::Word(forms.iter().map(|f| f.to_string()).collect())
    }

    #[test]
    fn queries() {
        assert_eq!(
            query_terms("  Amoxicilina  a  500mg amoxicilina"),
            vec![word(&["amoxicilina"]), word(&["500mg"])]
        );
        assert!(query_terms("<script>").contains(&word(&["script"])));
        assert_eq!(query_terms(""), Vec::<QueryTerm>::new());
    }

    #[test]
    fn codes_are_whole_terms() {
        // Issue 13: `MED-0020` must not find every reference containing `0020`.
        assert_eq!(
            query_terms("MED-0020"),
            vec![QueryTerm::Code("med0020".into())]
        );
        let t = terms("Lote de IGSS-2026-0020 (MED-0020).");
        for expected in ["igss20260020", "20260020", "med0020", "igss", "0020", "med"] {
            assert!(t.contains(expected), "{expected} in {t:?}");
        }
        assert!(
            terms("IGSS-2026-0020")
                .iter()
                .all(|t| !t.starts_with("med0020")),
            "a reference holding 0020 is not found by MED-0020"
        );
        // A legal form or a lone punctuation mark is not a code.
        assert_eq!(
            query_terms("Lab-Max"),
            vec![word(&["lab"]), word(&["max"])],
            "no digit: plain words"
        );
        assert!(
            terms("Droguería S.A. - Q 1,500.00")
                .iter()
                .all(|t| t != "sa150000")
        );
    }

    #[test]
    fn singular_and_plural_match() {
        let matches = |query: &str, text: &str| {
            let index = terms(text);
            query_terms(query).iter().all(|q| {
                q.prefixes()
                    .iter()
                    .any(|p| index.iter().any(|t| t.starts_with(p)))
            })
        };
        for (a, b) in [
            ("guante", "guantes"),
            ("jeringa", "jeringas"),
            ("catéter", "catéteres"),
            ("solución", "soluciones"),
            ("lápiz", "lápices"),
            ("glove", "gloves"),
            ("syringe", "syringes"),
            ("box", "boxes"),
            ("body", "bodies"),
        ] {
            assert!(matches(a, b), "{a} finds {b}");
            assert!(matches(b, a), "{b} finds {a}");
        }
        // Words that only look plural keep their meaning.
        assert_eq!(query_terms("dosis"), vec![word(&["dosis"])]);
        assert_eq!(query_terms("gas"), vec![word(&["gas"])]);
        assert!(!matches("guantes", "gasas"));
    }

    #[test]
    fn exact_identifiers() {
        assert_eq!(exact_identifier(" MED-0020 ").as_deref(), Some("med-0020"));
        assert_eq!(exact_identifier("amoxicilina"), None);
        assert_eq!(exact_identifier("MED 0020"), None);
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
