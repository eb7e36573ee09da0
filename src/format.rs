//! The one formatting module: money, quantities, percentages, dates and times for people, in
//! the page's language, and the one reader of decimals that people type (issue 13).
//!
//! Why a library: digits, separators and grouping come from the Unicode CLDR through ICU4X
//! (`icu_decimal`), and month names from the locale data chrono carries (`unstable-locales`),
//! instead of hand-rolled rules. Guatemala writes numbers like the United States (decimal point,
//! comma grouping: `Q 1,086,426.24`), and CLDR's `es-GT` says so; the interface's two languages
//! map to the locales `es-GT` and `en-US`. Currency symbols come from the data's ISO 4217 code
//! (`GTQ` → `Q`, `USD` → `US$`), not from the language.
//!
//! Reading is stricter than writing: a person may type `1,250.50` or `1250.5`, but `12,50` (a
//! comma outside a thousands position, the European decimal comma) is refused instead of being
//! silently read as 1250.

use crate::domain::lang::Lang;
use crate::domain::time::Timestamp;
use chrono_tz::Tz;
use icu_decimal::input::Decimal as IcuDecimal;
use icu_decimal::options::{DecimalFormatterOptions, GroupingStrategy};
use icu_decimal::{DecimalFormatter, DecimalFormatterPreferences};
use icu_locale_core::locale;
use rust_decimal::Decimal;
use std::str::FromStr;
use std::sync::OnceLock;

/// The CLDR locale that formats numbers and dates for an interface language.
fn formatter(lang: Lang) -> &'static DecimalFormatter {
    static ES: OnceLock<DecimalFormatter> = OnceLock::new();
    static EN: OnceLock<DecimalFormatter> = OnceLock::new();
    let (cell, prefs): (_, DecimalFormatterPreferences) = match lang {
        Lang::Es => (&ES, locale!("es-GT").into()),
        Lang::En => (&EN, locale!("en-US").into()),
    };
    cell.get_or_init(|| {
        // Always group: an officer compares amounts of four and seven digits in one column.
        let options = DecimalFormatterOptions::from(GroupingStrategy::Always);
        DecimalFormatter::try_new(prefs, options)
            .expect("the compiled CLDR data includes es-GT and en-US")
    })
}

/// A decimal with the language's separators, exactly as many decimals as `value` carries.
fn digits(value: Decimal, lang: Lang) -> String {
    // rust_decimal's text form is exact (no exponent), which ICU4X's decimal reads losslessly.
    let icu = IcuDecimal::from_str(&value.to_string()).unwrap_or_else(|_| IcuDecimal::from(0));
    formatter(lang).format(&icu).to_string()
}

/// `value` with at least `min` and at most `max` decimals (trailing zeros beyond `min` dropped).
fn with_scale(value: Decimal, min: u32, max: u32) -> Decimal {
    let mut v =
        value.round_dp_with_strategy(max, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    v = v.normalize();
    if v.scale() < min {
        v.rescale(min);
    }
    v
}

/// The symbol shown before an amount in this ISO 4217 currency.
pub fn currency_symbol(currency: &str) -> &str {
    match currency {
        "GTQ" => "Q",
        "USD" => "US$",
        "EUR" => "€",
        other => other,
    }
}

/// An amount of money: `Q 1,086,426.24`; unit prices keep up to four decimals (`Q 0.0345`).
pub fn money(value: Decimal, currency: &str, lang: Lang) -> String {
    let text = digits(with_scale(value.abs(), 2, 4), lang);
    let sign = if value.is_sign_negative() && !value.is_zero() {
        "-"
    } else {
        ""
    };
    // A plain space, as people type it (and search for it); number cells do not wrap (CSS).
    format!("{sign}{} {text}", currency_symbol(currency))
}

/// Money stored as exact text (`"1086426.24"`); text that is not a number is shown as it is.
pub fn money_text(value: &str, currency: &str, lang: Lang) -> String {
    match Decimal::from_str(value.trim()) {
        Ok(v) => money(v, currency, lang),
        Err(_) => value.to_string(),
    }
}

/// A quantity: `215,268`, `1,250.5` (up to three decimals, no trailing zeros).
pub fn quantity(value: Decimal, lang: Lang) -> String {
    digits(with_scale(value, 0, 3), lang)
}

/// A quantity stored as exact text; text that is not a number is shown as it is.
pub fn quantity_text(value: &str, lang: Lang) -> String {
    match Decimal::from_str(value.trim()) {
        Ok(v) => quantity(v, lang),
        Err(_) => value.to_string(),
    }
}

/// A number with exactly the decimals it needs (`1,234,567.5`, `25`): chart ticks, scores.
pub fn number(value: Decimal, lang: Lang) -> String {
    digits(value.normalize(), lang)
}

/// A round amount of money for an axis tick: `Q 1,000,010` (no `.00`: ticks are round, and
/// narrow charts need the room).
pub fn money_tick(value: Decimal, currency: &str, lang: Lang) -> String {
    let sign = if value.is_sign_negative() && !value.is_zero() {
        "-"
    } else {
        ""
    };
    format!(
        "{sign}{} {}",
        currency_symbol(currency),
        number(value.abs(), lang)
    )
}

/// A count: `1,234`.
pub fn count(value: i64, lang: Lang) -> String {
    digits(Decimal::from(value), lang)
}

/// A percentage of a share given as a fraction (`0.1234` → `12.3 %`), with `decimals` places.
/// CLDR writes `12.3 %` in Spanish and `12.3%` in English.
pub fn percent(fraction: Decimal, decimals: u32, lang: Lang) -> String {
    let mut v = (fraction * Decimal::from(100)).round_dp_with_strategy(
        decimals,
        rust_decimal::RoundingStrategy::MidpointAwayFromZero,
    );
    v.rescale(decimals);
    let text = digits(v, lang);
    match lang {
        Lang::Es => format!("{text}\u{a0}%"),
        Lang::En => format!("{text}%"),
    }
}

fn chrono_locale(lang: Lang) -> chrono::Locale {
    match lang {
        Lang::Es => chrono::Locale::es_GT,
        Lang::En => chrono::Locale::en_US,
    }
}

/// A day in the zone: `7 dic 2026` / `Dec 7, 2026`.
pub fn date(t: Timestamp, tz: Tz, lang: Lang) -> String {
    day(t.to_datetime().with_timezone(&tz).date_naive(), lang)
}

/// A calendar day (a date without a time, as rulebooks count them): `7 dic 2026` / `Dec 7, 2026`.
pub fn day(d: chrono::NaiveDate, lang: Lang) -> String {
    let pattern = match lang {
        Lang::Es => "%-d %b %Y",
        Lang::En => "%b %-d, %Y",
    };
    d.format_localized(pattern, chrono_locale(lang)).to_string()
}

/// An instant in the zone, to the minute, with the zone's abbreviation:
/// `7 dic 2026, 14:23 CST` / `Dec 7, 2026, 14:23 CST` (24-hour clock in both: deadlines are
/// compared at a glance, and a.m./p.m. is a classic cause of missed deadlines).
pub fn date_time(t: Timestamp, tz: Tz, lang: Lang) -> String {
    let local = t.to_datetime().with_timezone(&tz);
    let pattern = match lang {
        Lang::Es => "%-d %b %Y, %H:%M %Z",
        Lang::En => "%b %-d, %Y, %H:%M %Z",
    };
    local
        .format_localized(pattern, chrono_locale(lang))
        .to_string()
}

/// The unit a relative time is told in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelativeUnit {
    /// Less than a minute.
    Moments,
    /// Whole minutes (under an hour).
    Minutes,
    /// Whole hours (under a day).
    Hours,
    /// Whole days.
    Days,
}

/// How far `then` is from `now`: in the future or past, in the largest whole unit, rounded
/// down (a deadline in 1 day and 20 hours reads "in 1 day": never later than it is).
pub fn relative_span(now: Timestamp, then: Timestamp) -> (bool, RelativeUnit, i64) {
    let delta = then.as_micros() - now.as_micros();
    let future = delta >= 0;
    let seconds = delta.abs() / 1_000_000;
    let (unit, count) = if seconds < 60 {
        (RelativeUnit::Moments, 0)
    } else if seconds < 3_600 {
        (RelativeUnit::Minutes, seconds / 60)
    } else if seconds < 86_400 {
        (RelativeUnit::Hours, seconds / 3_600)
    } else {
        (RelativeUnit::Days, seconds / 86_400)
    };
    (future, unit, count)
}

/// The one wording of relative times (issue 13: countdowns on the home and tender pages):
/// "in 3 days" / "en 3 días", "2 hours ago" / "hace 2 horas", from Fluent keys with plurals
/// (`time-in-days`, `time-ago-hours`, …). Computed on the server: pages work without scripts.
pub fn relative(i18n: &crate::i18n::I18n, lang: Lang, now: Timestamp, then: Timestamp) -> String {
    let (future, unit, count) = relative_span(now, then);
    let unit = match unit {
        RelativeUnit::Moments => "moments",
        RelativeUnit::Minutes => "minutes",
        RelativeUnit::Hours => "hours",
        RelativeUnit::Days => "days",
    };
    let key = format!("time-{}-{unit}", if future { "in" } else { "ago" });
    i18n.t_args(lang, &key, &[("count", count.to_string())])
}

/// An instant for a `<time datetime>` attribute: UTC to the second (`2026-12-07T14:23:09Z`).
pub fn machine_time(t: Timestamp) -> String {
    t.to_datetime()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Why typed text is not a decimal number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DecimalInputError {
    /// Empty, or not made of digits, one point and thousands commas.
    #[error("not a number")]
    NotANumber,
    /// A comma that is not a thousands separator (`12,50`): the decimal mark is the point.
    #[error("a comma outside a thousands position")]
    MisplacedComma,
}

/// Reads a decimal typed by a person: `1250.5`, `1,250.50`, `Q 1,250.50`, ` -3 `.
///
/// Commas are accepted only as thousands separators in their places (`1,250`, `12,345,678.9`);
/// anything else with a comma (`12,50`, `1,2,3`, `1234,567`) is [`DecimalInputError::MisplacedComma`],
/// so a European decimal comma is never read as a thousands separator (issue 13).
pub fn parse_decimal(text: &str) -> Result<Decimal, DecimalInputError> {
    let trimmed = text.trim();
    let unsigned = trimmed
        .strip_prefix("US$")
        .or_else(|| trimmed.strip_prefix('Q'))
        .or_else(|| trimmed.strip_prefix('$'))
        .unwrap_or(trimmed)
        .trim_start();
    let (negative, body) = match unsigned.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, unsigned),
    };
    if body.is_empty()
        || !body
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return Err(DecimalInputError::NotANumber);
    }
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    if frac.is_some_and(|f| f.is_empty() || !f.chars().all(|c| c.is_ascii_digit())) {
        return Err(if frac.is_some_and(|f| f.contains(',')) {
            DecimalInputError::MisplacedComma
        } else {
            DecimalInputError::NotANumber
        });
    }
    if int.is_empty() {
        return Err(DecimalInputError::NotANumber);
    }
    if int.contains(',') {
        let mut groups = int.split(',');
        let first = groups.next().unwrap_or_default();
        let well_placed = (1..=3).contains(&first.len()) && groups.all(|g| g.len() == 3);
        if !well_placed {
            return Err(DecimalInputError::MisplacedComma);
        }
    }
    let digits: String = int.chars().filter(|c| *c != ',').collect();
    let text = match frac {
        Some(f) => format!("{}{digits}.{f}", if negative { "-" } else { "" }),
        None => format!("{}{digits}", if negative { "-" } else { "" }),
    };
    Decimal::from_str(&text).map_err(|_| DecimalInputError::NotANumber)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn money_in_both_languages_follows_guatemalan_usage() {
        for lang in [Lang::Es, Lang::En] {
            assert_eq!(money(d("1086426.24"), "GTQ", lang), "Q 1,086,426.24");
            assert_eq!(money(d("1234"), "GTQ", lang), "Q 1,234.00");
            assert_eq!(money(d("0.0345"), "GTQ", lang), "Q 0.0345");
            assert_eq!(money(d("12.5"), "USD", lang), "US$ 12.50");
            assert_eq!(money(d("-75.5"), "GTQ", lang), "-Q 75.50");
        }
        assert_eq!(money_text("175000.00", "GTQ", Lang::Es), "Q 175,000.00");
        assert_eq!(money_text("n/a", "GTQ", Lang::Es), "n/a");
    }

    #[test]
    fn quantities_counts_and_percentages() {
        assert_eq!(quantity(d("215268"), Lang::Es), "215,268");
        assert_eq!(quantity(d("1250.500"), Lang::En), "1,250.5");
        assert_eq!(quantity_text("10000", Lang::Es), "10,000");
        assert_eq!(count(1234, Lang::En), "1,234");
        assert_eq!(number(d("1234567.50"), Lang::Es), "1,234,567.5");
        assert_eq!(number(d("-2500"), Lang::En), "-2,500");
        assert_eq!(number(d("0.25"), Lang::Es), "0.25");
        assert_eq!(money_tick(d("1000010.00"), "GTQ", Lang::En), "Q 1,000,010");
        assert_eq!(percent(d("0.1234"), 1, Lang::Es), "12.3\u{a0}%");
        assert_eq!(percent(d("0.5"), 0, Lang::En), "50%");
    }

    #[test]
    fn dates_in_the_zone_and_language() {
        let tz: Tz = "America/Guatemala".parse().unwrap();
        // 2026-12-07T14:23:09Z is 08:23 in Guatemala (UTC−6).
        let t = Timestamp::parse("2026-12-07T14:23:09.379889Z").unwrap();
        assert_eq!(date_time(t, tz, Lang::Es), "7 dic 2026, 08:23 CST");
        assert_eq!(date_time(t, tz, Lang::En), "Dec 7, 2026, 08:23 CST");
        // Just after midnight UTC on 1 January is still 2026 in Guatemala.
        let t = Timestamp::parse("2027-01-01T03:00:00Z").unwrap();
        assert_eq!(date(t, tz, Lang::Es), "31 dic 2026");
        assert_eq!(date(t, tz, Lang::En), "Dec 31, 2026");
    }

    #[test]
    fn relative_times_in_both_languages() {
        let i18n = crate::i18n::I18n::load().unwrap();
        let now = Timestamp::parse("2026-12-07T14:00:00Z").unwrap();
        let at = |s: i64| now.plus_seconds(s);
        let rel = |lang, s: i64| relative(&i18n, lang, now, at(s));
        assert_eq!(rel(Lang::En, 3 * 86_400 + 5 * 3_600), "in 3 days");
        assert_eq!(rel(Lang::Es, 3 * 86_400 + 5 * 3_600), "en 3 días");
        assert_eq!(rel(Lang::En, 86_400 + 20 * 3_600), "in 1 day");
        assert_eq!(rel(Lang::Es, 86_400), "en 1 día");
        assert_eq!(rel(Lang::En, 2 * 3_600 + 59), "in 2 hours");
        assert_eq!(rel(Lang::Es, 3_600), "en 1 hora");
        assert_eq!(rel(Lang::En, 60), "in 1 minute");
        assert_eq!(rel(Lang::Es, 125), "en 2 minutos");
        assert_eq!(rel(Lang::En, 20), "in less than a minute");
        assert_eq!(rel(Lang::En, -2 * 3_600), "2 hours ago");
        assert_eq!(rel(Lang::Es, -2 * 86_400), "hace 2 días");
        assert_eq!(rel(Lang::Es, -1), "hace un momento");
        assert_eq!(machine_time(now), "2026-12-07T14:00:00Z");
    }

    #[test]
    fn typed_decimals() {
        assert_eq!(parse_decimal("1,250.50"), Ok(d("1250.50")));
        assert_eq!(parse_decimal("1250.5"), Ok(d("1250.5")));
        assert_eq!(parse_decimal(" Q 12,345,678.9 "), Ok(d("12345678.9")));
        assert_eq!(parse_decimal("-3"), Ok(d("-3")));
        assert_eq!(parse_decimal("0.0345"), Ok(d("0.0345")));
        for comma in [
            "12,50", "1,2", "1234,567", "1,23,456", ",5", "1.5,0", "12,5000",
        ] {
            assert_eq!(
                parse_decimal(comma),
                Err(DecimalInputError::MisplacedComma),
                "{comma}"
            );
        }
        for bad in ["", "abc", "1e5", "1.2.3", ".5", "5.", "+5", "--1", "1 000"] {
            assert_eq!(
                parse_decimal(bad),
                Err(DecimalInputError::NotANumber),
                "{bad}"
            );
        }
    }

    proptest::proptest! {
        /// Whatever the platform writes (without its symbol), it reads back to the same value.
        #[test]
        fn what_is_written_reads_back(minor in -10_000_000_000i64..10_000_000_000i64) {
            let value = Decimal::new(minor, 2);
            let shown = money(value, "GTQ", Lang::Es);
            let typed = shown.replace(['Q', ' '], "");
            proptest::prop_assert_eq!(parse_decimal(&typed), Ok(value));
        }
    }
}
