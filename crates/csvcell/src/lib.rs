//! The cells of every CSV file Tianguis writes (catalogue export, auction transcripts,
//! dashboards and red-flag CSVs): one place for the two rules a cell follows.
//!
//! * **Text** may come from anyone (a self-registered firm's legal name, a catalogue proposal,
//!   an imported OCDS buyer). A spreadsheet runs a cell beginning with `=`, `+`, `-`, `@`, tab or
//!   carriage return as a formula (`=HYPERLINK("http://x","y")`), so such text is prefixed with
//!   `'`, as the OWASP "CSV Injection" guidance advises (issue 13). [`text`] does it.
//! * **Numbers the platform formats itself** (prices, counts, rates, `-12.5`) are written as they
//!   are, so they stay numbers in the spreadsheet: they never pass through [`text`].
//!
//! [`field`] quotes any cell per RFC 4180 (a comma, quote or line break inside it).

use std::borrow::Cow;

/// A text cell neutralised against formula injection (OWASP): `'` before a leading `=`, `+`,
/// `-`, `@`, tab or carriage return; other text unchanged.
pub fn text(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// A cell as written in the file (RFC 4180): quoted, with inner quotes doubled, when it holds a
/// comma, a quote or a line break; as it is otherwise.
pub fn field(cell: &str) -> Cow<'_, str> {
    if cell.contains([',', '"', '\n', '\r']) {
        Cow::Owned(format!("\"{}\"", cell.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised() {
        for cell in [
            "=HYPERLINK(\"http://x\",\"y\")",
            "+1",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ] {
            assert_eq!(text(cell), format!("'{cell}"));
        }
    }

    #[test]
    fn ordinary_text_is_unchanged() {
        for cell in [
            "Droguería Centroamericana, S.A.",
            "",
            "'ya citado",
            "MED-0020",
            " =1",
        ] {
            assert_eq!(text(cell), cell);
        }
    }

    #[test]
    fn quoting_follows_rfc_4180() {
        assert_eq!(
            field("Farmacéutica \"La Paz\", S.A."),
            "\"Farmacéutica \"\"La Paz\"\", S.A.\""
        );
        assert_eq!(field("línea\nnueva"), "\"línea\nnueva\"");
        assert_eq!(field("-12.50"), "-12.50");
    }

    #[test]
    fn a_neutralised_formula_with_commas_is_quoted_too() {
        assert_eq!(
            field(&text("=HYPERLINK(\"http://x\",\"y\")")),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""
        );
    }
}
