//! The languages of the interface and how a request's language is chosen.
//!
//! Spanish first, English too (PRODUCT.md principle 5). The order of preference is: the
//! language a signed-in user chose (remembered in their account), then the language chosen
//! with the switcher (a cookie, for visitors), then the browser's `Accept-Language`, then
//! Spanish.

use serde::{Deserialize, Serialize};

/// An interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Spanish, the default.
    #[default]
    Es,
    /// English.
    En,
}

impl Lang {
    /// Every supported language, default first.
    pub const ALL: [Lang; 2] = [Lang::Es, Lang::En];

    /// ISO 639-1 code (also the `lang` attribute of pages).
    pub const fn code(self) -> &'static str {
        match self {
            Lang::Es => "es",
            Lang::En => "en",
        }
    }

    /// Parses a code, accepting regional variants (`es-GT`, `en_US`).
    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match primary.as_str() {
            "es" => Some(Lang::Es),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The best supported language of an `Accept-Language` header (RFC 9110 §12.5.4), if any.
    /// Malformed entries are ignored rather than rejected: a browser's header is not user input
    /// worth an error page.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(u32, usize, Lang)> = None;
        for (position, entry) in header.split(',').enumerate().take(32) {
            let mut parts = entry.split(';');
            let tag = parts.next().unwrap_or("").trim();
            let quality = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map(parse_quality)
                .unwrap_or(Some(1000));
            let (Some(lang), Some(q)) = (Lang::from_code(tag), quality) else {
                continue;
            };
            if q == 0 {
                continue;
            }
            // Higher quality wins; on equal quality the earlier entry wins.
            let better = match best {
                None => true,
                Some((bq, bp, _)) => q > bq || (q == bq && position < bp),
            };
            if better {
                best = Some((q, position, lang));
            }
        }
        best.map(|(_, _, lang)| lang)
    }

    /// Chooses the request language from the sources in order of precedence.
    pub fn negotiate(
        user_choice: Option<Lang>,
        cookie: Option<&str>,
        accept_language: Option<&str>,
    ) -> Lang {
        user_choice
            .or_else(|| cookie.and_then(Lang::from_code))
            .or_else(|| accept_language.and_then(Lang::from_accept_language))
            .unwrap_or_default()
    }
}

/// Quality value in thousandths, exact (no floating point): `0.8` → 800.
fn parse_quality(text: &str) -> Option<u32> {
    let text = text.trim();
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let int: u32 = match int {
        "0" => 0,
        "1" => 1,
        _ => return None,
    };
    let mut frac_value: u32 = 0;
    for (i, b) in frac.bytes().enumerate() {
        frac_value += u32::from(b - b'0') * 10u32.pow(2 - i as u32);
    }
    let q = int * 1000 + frac_value;
    (q <= 1000).then_some(q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_preferences() {
        assert_eq!(
            Lang::from_accept_language("en-US,en;q=0.9,es;q=0.8"),
            Some(Lang::En)
        );
        assert_eq!(
            Lang::from_accept_language("fr-FR, es;q=0.5, en;q=0.4"),
            Some(Lang::Es)
        );
        assert_eq!(Lang::from_accept_language("fr, de"), None);
        assert_eq!(
            Lang::from_accept_language("en;q=0, es;q=0.1"),
            Some(Lang::Es)
        );
        assert_eq!(Lang::from_accept_language("en;q=abc, es"), Some(Lang::Es));
        assert_eq!(Lang::from_accept_language(""), None);
        assert_eq!(
            Lang::from_accept_language("es;q=0.5,en;q=0.5"),
            Some(Lang::Es)
        );
    }

    #[test]
    fn negotiation_order() {
        assert_eq!(
            Lang::negotiate(Some(Lang::En), Some("es"), Some("es")),
            Lang::En
        );
        assert_eq!(Lang::negotiate(None, Some("en"), Some("es")), Lang::En);
        assert_eq!(Lang::negotiate(None, Some("xx"), Some("en-GB")), Lang::En);
        assert_eq!(Lang::negotiate(None, None, None), Lang::Es);
    }

    #[test]
    fn quality_parsing() {
        assert_eq!(parse_quality("1"), Some(1000));
        assert_eq!(parse_quality("0.8"), Some(800));
        assert_eq!(parse_quality("0.125"), Some(125));
        assert_eq!(parse_quality("1.5"), None);
        assert_eq!(parse_quality("0.1234"), None);
    }
}
