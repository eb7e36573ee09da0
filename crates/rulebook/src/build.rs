//! From text to a validated [`Rulebook`]: TOML syntax, then the serde layer ([`crate::raw`],
//! unknown keys and wrong types refused with their key path), then every semantic rule
//! (exact money, ranges, the value partition, weights, citations, exception categories, the
//! embedded auction rules). The first problem found is returned.

use std::path::Path;
use std::str::FromStr;

use chrono::{NaiveDate, Weekday};
use chrono_tz::Tz;
use rust_decimal::Decimal;

use crate::calendar::{Holiday, HolidayCalendar, HolidayRule};
use crate::error::RulebookError;
use crate::model::*;
use crate::raw::*;

/// The rulebooks compiled into the binary: (short name, the file's `id`, text) — Guatemala
/// (`gt`, `gt-lce`) and UN-style (`un`, `un-style`). A tender records the file's id, so both
/// names load.
pub const EMBEDDED: &[(&str, &str, &str)] = &[
    ("gt", "gt-lce", include_str!("../rulebooks/gt.toml")),
    ("un", "un-style", include_str!("../rulebooks/un.toml")),
];

impl Rulebook {
    /// Loads an embedded profile: `gt` / `gt-lce` (Ley de Contrataciones del Estado,
    /// Guatemala) or `un` / `un-style` (UN-style solicitation methods). They are validated like
    /// any file, and tested to load.
    pub fn load_embedded(id: &str) -> Result<Rulebook, RulebookError> {
        let text = EMBEDDED
            .iter()
            .find(|(short, full, _)| *short == id || *full == id)
            .map(|(_, _, text)| *text)
            .ok_or_else(|| RulebookError::UnknownEmbedded { id: id.to_owned() })?;
        Rulebook::from_toml(text)
    }

    /// Reads and validates a rulebook file (the platform's `--rulebook FILE`).
    pub fn from_path(path: &Path) -> Result<Rulebook, RulebookError> {
        let text = std::fs::read_to_string(path).map_err(|e| RulebookError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Rulebook::from_toml(&text)
    }

    /// Parses and validates a rulebook written in TOML (format: `crates/rulebook/README.md`).
    pub fn from_toml(text: &str) -> Result<Rulebook, RulebookError> {
        let de = toml::Deserializer::parse(text).map_err(|e| syntax_error(text, &e))?;
        let raw: RawRulebook =
            serde_path_to_error::deserialize(de).map_err(|e| data_error(text, e))?;
        build(raw)
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map_or(1, |l| l.chars().count() + 1);
    (line, column)
}

fn syntax_error(text: &str, e: &toml::de::Error) -> RulebookError {
    let (line, column) = e.span().map_or((1, 1), |s| line_col(text, s.start));
    RulebookError::Syntax {
        line,
        column,
        message: e.message().to_owned(),
    }
}

/// Maps a serde error to a code from serde's standard message forms ("unknown field",
/// "invalid type", "missing field", "unknown variant", "invalid value").
fn data_error(text: &str, e: serde_path_to_error::Error<toml::de::Error>) -> RulebookError {
    let path = match e.path().to_string() {
        p if p == "." => "(top level)".to_owned(),
        p => p,
    };
    let inner = e.into_inner();
    let line = inner.span().map(|s| line_col(text, s.start).0);
    let message = inner.message().to_owned();
    if message.starts_with("unknown field") {
        RulebookError::UnknownKey {
            path,
            line,
            message,
        }
    } else if message.starts_with("invalid type") {
        RulebookError::WrongType {
            path,
            line,
            message,
        }
    } else if message.starts_with("missing field") {
        RulebookError::MissingKey { path, message }
    } else {
        RulebookError::InvalidValue {
            path,
            line,
            message,
        }
    }
}

fn non_empty(path: impl Into<String>, text: &str) -> Result<String, RulebookError> {
    if text.trim().is_empty() {
        Err(RulebookError::EmptyField { path: path.into() })
    } else {
        Ok(text.to_owned())
    }
}

fn cite(path: impl Into<String>, text: &str) -> Result<String, RulebookError> {
    if text.trim().is_empty() {
        Err(RulebookError::MissingCitation { path: path.into() })
    } else {
        Ok(text.to_owned())
    }
}

/// The non-price features of a method's auction. Score ranking needs at least one (without
/// any it is price ranking under another name) and price ranking none (they would be declared
/// by bidders and silently ignored). Values are exact, not negative, with at most the engine's
/// decimals, and the largest possible Σ stays within the engine's bound, so every combination
/// a bidder can declare is accepted by the engine (issue 4: score = price ÷ (1 + Σ)).
fn auction_features(
    method: &str,
    base: &str,
    auction: &crate::raw::RawAuction,
) -> Result<Vec<crate::model::AuctionFeature>, RulebookError> {
    use tianguis_auction::rules::{MAX_FEATURE_SUM, MAX_FRACTION_DIGITS, Ranking};
    let invalid = |reason: String| RulebookError::InvalidAuctionFeatures {
        method: method.to_owned(),
        reason,
    };
    match (auction.rules.ranking, auction.features.is_empty()) {
        (Ranking::Score, true) => {
            return Err(invalid(
                "score ranking needs at least one feature ([[methods.auction.features]])".into(),
            ));
        }
        (Ranking::Price, false) => {
            return Err(invalid(
                "features are only used in score ranking (rules.ranking = \"score\")".into(),
            ));
        }
        _ => {}
    }
    let mut features: Vec<crate::model::AuctionFeature> = Vec::new();
    let mut largest_sum = Decimal::ZERO;
    for (i, f) in auction.features.iter().enumerate() {
        let q = |k: &str| format!("{base}.auction.features[{i}].{k}");
        let code = non_empty(q("code"), &f.code)?;
        if features.iter().any(|g| g.code == code) {
            return Err(invalid(format!("feature {code} is declared twice")));
        }
        if f.options.is_empty() {
            return Err(invalid(format!("feature {code} has no options")));
        }
        let mut options: Vec<crate::model::FeatureOption> = Vec::new();
        for (j, o) in f.options.iter().enumerate() {
            let r = |k: &str| format!("{base}.auction.features[{i}].options[{j}].{k}");
            let option = non_empty(r("code"), &o.code)?;
            if options.iter().any(|p| p.code == option) {
                return Err(invalid(format!(
                    "option {option} of {code} is declared twice"
                )));
            }
            let value = parse_decimal(&r("value"), &o.value)?;
            if value.is_sign_negative() && !value.is_zero() {
                return Err(invalid(format!("option {option} of {code} is negative")));
            }
            if value.normalize().scale() > MAX_FRACTION_DIGITS {
                return Err(invalid(format!(
                    "option {option} of {code} has more than {MAX_FRACTION_DIGITS} decimals"
                )));
            }
            options.push(crate::model::FeatureOption {
                code: option,
                name_es: non_empty(r("name_es"), &o.name_es)?,
                name_en: non_empty(r("name_en"), &o.name_en)?,
                value: value.normalize(),
            });
        }
        largest_sum += options.iter().map(|o| o.value).max().unwrap_or_default();
        features.push(crate::model::AuctionFeature {
            code,
            name_es: non_empty(q("name_es"), &f.name_es)?,
            name_en: non_empty(q("name_en"), &f.name_en)?,
            options,
            cite: cite(q("cite"), &f.cite)?,
        });
    }
    if largest_sum > MAX_FEATURE_SUM {
        return Err(invalid(format!(
            "the largest options sum to {largest_sum}, above the engine's {MAX_FEATURE_SUM}"
        )));
    }
    Ok(features)
}

fn parse_decimal(path: &str, text: &str) -> Result<Decimal, RulebookError> {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-');
    let value = if plain {
        Decimal::from_str(text).ok()
    } else {
        None
    };
    value.ok_or_else(|| RulebookError::InvalidMoney {
        path: path.to_owned(),
        text: text.to_owned(),
    })
}

/// Money: a plain decimal string (digits, one point, optional minus only to be refused), not
/// negative, with at most the currency's decimals (trailing zeros allowed).
pub(crate) fn parse_money(path: &str, text: &str, decimals: u32) -> Result<Decimal, RulebookError> {
    let value = parse_decimal(path, text)?;
    if value.is_sign_negative() && !value.is_zero() {
        return Err(RulebookError::NegativeMoney {
            path: path.to_owned(),
            value,
        });
    }
    if value.normalize().scale() > decimals {
        return Err(RulebookError::MoneyTooManyDecimals {
            path: path.to_owned(),
            value,
            decimals,
        });
    }
    Ok(value)
}

fn date(path: &str, value: &toml::value::Datetime) -> Result<NaiveDate, RulebookError> {
    let invalid = || RulebookError::InvalidDate {
        path: path.to_owned(),
        text: value.to_string(),
    };
    match (value.date, value.time, value.offset) {
        (Some(d), None, None) => {
            NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                .ok_or_else(invalid)
        }
        _ => Err(invalid()),
    }
}

fn build(raw: RawRulebook) -> Result<Rulebook, RulebookError> {
    let id = non_empty("id", &raw.id)?;
    let version = non_empty("version", &raw.version)?;
    let jurisdiction = non_empty("jurisdiction", &raw.jurisdiction)?;
    let name_es = non_empty("name_es", &raw.name_es)?;
    let name_en = non_empty("name_en", &raw.name_en)?;
    let effective_from = date("effective_from", &raw.effective_from)?;
    let effective_until = raw
        .effective_until
        .as_ref()
        .map(|d| date("effective_until", d))
        .transpose()?;
    if let Some(until) = effective_until
        && until < effective_from
    {
        return Err(RulebookError::InvalidEffectivePeriod {
            from: effective_from.to_string(),
            until: until.to_string(),
        });
    }
    let currency_ok =
        raw.currency.len() == 3 && raw.currency.chars().all(|c| c.is_ascii_uppercase());
    if !currency_ok || raw.currency_decimals > 4 {
        return Err(RulebookError::InvalidCurrency {
            currency: raw.currency,
            decimals: raw.currency_decimals,
        });
    }
    let decimals = raw.currency_decimals;
    let timezone: Tz = raw
        .timezone
        .parse()
        .map_err(|_| RulebookError::UnknownTimezone {
            timezone: raw.timezone.clone(),
        })?;
    if raw.legal_basis.is_empty() {
        return Err(RulebookError::MissingCitation {
            path: "legal_basis".into(),
        });
    }
    let legal_basis = raw
        .legal_basis
        .iter()
        .enumerate()
        .map(|(i, b)| {
            Ok(LegalBasis {
                name: non_empty(format!("legal_basis[{i}].name"), &b.name)?,
                url: non_empty(format!("legal_basis[{i}].url"), &b.url)?,
            })
        })
        .collect::<Result<Vec<_>, RulebookError>>()?;
    let calendar = build_calendar(&raw.calendar)?;

    let mut exception_categories: Vec<ExceptionCategory> = Vec::new();
    for (i, c) in raw.exception_categories.iter().enumerate() {
        let p = |k: &str| format!("exception_categories[{i}].{k}");
        let code = non_empty(p("code"), &c.code)?;
        if exception_categories.iter().any(|e| e.code == code) {
            return Err(RulebookError::DuplicateExceptionCategory { code });
        }
        exception_categories.push(ExceptionCategory {
            code,
            article: cite(p("article"), &c.article)?,
            name_es: non_empty(p("name_es"), &c.name_es)?,
            name_en: non_empty(p("name_en"), &c.name_en)?,
        });
    }

    let mut methods: Vec<Method> = Vec::new();
    for (i, m) in raw.methods.iter().enumerate() {
        let method = build_method(i, m, decimals, &exception_categories)?;
        if methods.iter().any(|x| x.code == method.code) {
            return Err(RulebookError::DuplicateMethod { code: method.code });
        }
        methods.push(method);
    }

    let partition = build_partition(&raw.value_partition, &methods)?;

    Ok(Rulebook {
        id,
        version,
        jurisdiction,
        name_es,
        name_en,
        effective_from,
        effective_until,
        currency: raw.currency,
        currency_decimals: decimals,
        timezone,
        legal_basis,
        calendar,
        exception_categories,
        methods,
        partition,
        public_bid_count_before_opening: raw.public_bid_count_before_opening,
    })
}

fn weekday(w: RawWeekday) -> Weekday {
    match w {
        RawWeekday::Monday => Weekday::Mon,
        RawWeekday::Tuesday => Weekday::Tue,
        RawWeekday::Wednesday => Weekday::Wed,
        RawWeekday::Thursday => Weekday::Thu,
        RawWeekday::Friday => Weekday::Fri,
        RawWeekday::Saturday => Weekday::Sat,
        RawWeekday::Sunday => Weekday::Sun,
    }
}

fn build_calendar(raw: &RawCalendar) -> Result<HolidayCalendar, RulebookError> {
    let cite_text = cite("calendar.cite", &raw.cite)?;
    let weekend: Vec<Weekday> = raw.weekend.iter().map(|w| weekday(*w)).collect();
    if weekend.len() >= 7 {
        return Err(RulebookError::InvalidValue {
            path: "calendar.weekend".into(),
            line: None,
            message: "every day of the week is a weekend day: no business day would exist".into(),
        });
    }
    let mut holidays = Vec::new();
    for (i, h) in raw.holidays.iter().enumerate() {
        let path = format!("calendar.holidays[{i}]");
        let invalid = |reason: &str| RulebookError::InvalidHoliday {
            path: path.clone(),
            reason: reason.to_owned(),
        };
        let rule = match (&h.date, h.easter_offset, &h.on) {
            (Some(md), None, None) => {
                let (month, day) = parse_month_day(md)
                    .ok_or_else(|| invalid(&format!("date {md:?} is not MM-DD")))?;
                HolidayRule::Fixed {
                    month,
                    day,
                    shift: h.shift,
                }
            }
            (None, Some(offset), None) => {
                if h.shift.is_some() {
                    return Err(invalid("shift applies to fixed dates only"));
                }
                if !(-60..=60).contains(&offset) {
                    return Err(invalid("easter_offset must be within 60 days of Easter"));
                }
                HolidayRule::EasterOffset { offset }
            }
            (None, None, Some(on)) => {
                if h.shift.is_some() {
                    return Err(invalid("shift applies to fixed dates only"));
                }
                HolidayRule::On {
                    date: date(&format!("{path}.on"), on)?,
                }
            }
            _ => {
                return Err(invalid(
                    "exactly one of date, easter_offset, on is required",
                ));
            }
        };
        holidays.push(Holiday {
            rule,
            name_es: non_empty(format!("{path}.name_es"), &h.name_es)?,
            name_en: non_empty(format!("{path}.name_en"), &h.name_en)?,
            cite: cite(format!("{path}.cite"), &h.cite)?,
        });
    }
    Ok(HolidayCalendar::new(weekend, holidays, cite_text))
}

/// `MM-DD`, checked against a leap year so 02-29 is accepted (it then occurs in leap years).
fn parse_month_day(text: &str) -> Option<(u32, u32)> {
    let (m, d) = text.split_once('-')?;
    if m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (month, day) = (m.parse().ok()?, d.parse().ok()?);
    NaiveDate::from_ymd_opt(2024, month, day).map(|_| (month, day))
}

fn period(
    method: &str,
    path: &str,
    days: u32,
    days_kind: DaysKind,
    cite_text: &str,
) -> Result<Cited<Period>, RulebookError> {
    if days == 0 {
        return Err(RulebookError::InvalidPeriod {
            method: method.to_owned(),
            reason: format!("{path}.days is 0; omit the section when the law sets no period"),
        });
    }
    // Ten years bounds the day-by-day business-day walk (and no procurement period is longer).
    if days > MAX_PERIOD_DAYS {
        return Err(RulebookError::InvalidPeriod {
            method: method.to_owned(),
            reason: format!("{path}.days is above {MAX_PERIOD_DAYS}"),
        });
    }
    Ok(Cited {
        value: Period { days, days_kind },
        cite: cite(format!("{path}.cite"), cite_text)?,
    })
}

/// Longest period a rulebook may state, in days.
const MAX_PERIOD_DAYS: u32 = 3653;

const SECTIONS: &[&str] = &[
    "value_range",
    "bidding_period",
    "clarifications",
    "minimum_bids",
    "standstill",
    "evaluation",
    "direct_award",
    "framework",
    "auction",
    "required_documents",
    "sealed_bids",
    "public_opening",
    "ocds_method",
];

fn build_method(
    i: usize,
    m: &RawMethod,
    decimals: u32,
    categories: &[ExceptionCategory],
) -> Result<Method, RulebookError> {
    let base = format!("methods[{i}]");
    let p = |k: &str| format!("{base}.{k}");
    let code = non_empty(p("code"), &m.code)?;

    let r = &m.value_range;
    let min = parse_money(&p("value_range.min"), &r.min.0, decimals)?;
    let max = r
        .max
        .as_ref()
        .map(|x| parse_money(&p("value_range.max"), &x.0, decimals))
        .transpose()?;
    let range = ValueRange {
        min,
        min_inclusive: r.min_inclusive,
        max,
        max_inclusive: r.max_inclusive,
    };
    if let Some(max) = max
        && (max < min || (max == min && !(range.min_inclusive && range.max_inclusive)))
    {
        return Err(RulebookError::EmptyRange { method: code });
    }

    let bidding_period = m
        .bidding_period
        .as_ref()
        .map(|b| period(&code, &p("bidding_period"), b.days, b.days_kind, &b.cite))
        .transpose()?;
    let clarifications = m
        .clarifications
        .as_ref()
        .map(|c| {
            period(
                &code,
                &p("clarifications"),
                c.days_before_deadline,
                c.days_kind,
                &c.cite,
            )
        })
        .transpose()?;
    if let Some(c) = &clarifications {
        match &bidding_period {
            None => {
                return Err(RulebookError::InvalidPeriod {
                    method: code,
                    reason: "clarifications need a bidding_period".into(),
                });
            }
            Some(b) if b.value.days_kind == c.value.days_kind && c.value.days >= b.value.days => {
                return Err(RulebookError::InvalidPeriod {
                    method: code,
                    reason: "clarifications.days_before_deadline must be shorter than the bidding period"
                        .into(),
                });
            }
            Some(_) => {}
        }
    }

    let minimum_bids = m
        .minimum_bids
        .as_ref()
        .map(|b| {
            if b.count == 0 {
                return Err(RulebookError::InvalidValue {
                    path: p("minimum_bids.count"),
                    line: None,
                    message: "must be at least 1".into(),
                });
            }
            Ok(Cited {
                value: MinimumBids {
                    count: b.count,
                    below_minimum: b.below_minimum,
                },
                cite: cite(p("minimum_bids.cite"), &b.cite)?,
            })
        })
        .transpose()?;

    let standstill = m
        .standstill
        .as_ref()
        .map(|s| {
            let per = period(&code, &p("standstill"), s.days, s.days_kind, &s.cite)?;
            Ok::<_, RulebookError>(Cited {
                value: Standstill {
                    period: per.value,
                    complaint_name_es: non_empty(
                        p("standstill.complaint_name_es"),
                        &s.complaint_name_es,
                    )?,
                    complaint_name_en: non_empty(
                        p("standstill.complaint_name_en"),
                        &s.complaint_name_en,
                    )?,
                    complaints_es: non_empty(p("standstill.complaints_es"), &s.complaints_es)?,
                    complaints_en: non_empty(p("standstill.complaints_en"), &s.complaints_en)?,
                },
                cite: per.cite,
            })
        })
        .transpose()?;

    let evaluation = build_evaluation(&code, &base, &m.evaluation)?;

    let direct_award = m
        .direct_award
        .as_ref()
        .map(|d| {
            let listed = match &d.exception_categories {
                Some(list) => {
                    for c in list {
                        if !categories.iter().any(|x| &x.code == c) {
                            return Err(RulebookError::UnknownExceptionCategory {
                                method: code.clone(),
                                category: c.clone(),
                            });
                        }
                    }
                    list.clone()
                }
                None => categories.iter().map(|c| c.code.clone()).collect(),
            };
            if d.exception_category_required && listed.is_empty() {
                return Err(RulebookError::UnknownExceptionCategory {
                    method: code.clone(),
                    category: "(none defined)".into(),
                });
            }
            Ok(Cited {
                value: DirectAward {
                    justification_required: d.justification_required,
                    exception_category_required: d.exception_category_required,
                    exception_categories: listed,
                    justification_min_chars: d.justification_min_chars,
                    flagged_publicly: d.flagged_publicly,
                },
                cite: cite(p("direct_award.cite"), &d.cite)?,
            })
        })
        .transpose()?;

    let framework = m
        .framework
        .as_ref()
        .map(|f| {
            if f.max_duration_months == 0 {
                return Err(RulebookError::InvalidFramework {
                    method: code.clone(),
                    reason: "max_duration_months is 0".into(),
                });
            }
            let price_band_percent =
                parse_decimal(&p("framework.price_band_percent"), &f.price_band_percent.0)?;
            let mini_competition_above = f
                .mini_competition_above
                .as_ref()
                .map(|t| parse_money(&p("framework.mini_competition_above"), &t.0, 2))
                .transpose()?;
            if f.confirmation_business_days == 0
                || f.ceiling_alert_percent == 0
                || f.ceiling_alert_percent >= 100
                || price_band_percent < Decimal::ZERO
                || mini_competition_above.is_some_and(|v| v <= Decimal::ZERO)
            {
                return Err(RulebookError::InvalidFramework {
                    method: code.clone(),
                    reason: "confirmation days and alert percent must be positive, the alert \
                             below 100 %, the band and threshold not negative"
                        .into(),
                });
            }
            Ok(Cited {
                value: Framework {
                    max_duration_months: f.max_duration_months,
                    catalogue_required: f.catalogue_required,
                    confirmation_business_days: f.confirmation_business_days,
                    mini_competition_above,
                    price_band_percent,
                    ceiling_alert_percent: f.ceiling_alert_percent,
                },
                cite: cite(p("framework.cite"), &f.cite)?,
            })
        })
        .transpose()?;

    let auction = m
        .auction
        .as_ref()
        .map(|a| {
            a.rules
                .validate()
                .map_err(|source| RulebookError::InvalidAuction {
                    method: code.clone(),
                    source,
                })?;
            Ok::<_, RulebookError>(Cited {
                value: a.rules.clone(),
                cite: cite(p("auction.cite"), &a.cite)?,
            })
        })
        .transpose()?;

    let auction_features = match &m.auction {
        Some(a) => auction_features(&code, &base, a)?,
        None => Vec::new(),
    };

    if m.public_opening && !m.sealed_bids {
        return Err(RulebookError::PublicOpeningWithoutSealedBids { method: code });
    }

    let required_documents = m
        .required_documents
        .iter()
        .enumerate()
        .map(|(j, d)| {
            let q = |k: &str| format!("{base}.required_documents[{j}].{k}");
            Ok(RequiredDocument {
                code: non_empty(q("code"), &d.code)?,
                name_es: non_empty(q("name_es"), &d.name_es)?,
                name_en: non_empty(q("name_en"), &d.name_en)?,
                submitted_by: d.submitted_by,
                cite: cite(q("cite"), &d.cite)?,
            })
        })
        .collect::<Result<Vec<_>, RulebookError>>()?;

    let present = |s: &str| match s {
        "bidding_period" => bidding_period.is_some(),
        "clarifications" => clarifications.is_some(),
        "minimum_bids" => minimum_bids.is_some(),
        "standstill" => standstill.is_some(),
        "direct_award" => direct_award.is_some(),
        "framework" => framework.is_some(),
        "auction" => auction.is_some(),
        "required_documents" => !required_documents.is_empty(),
        _ => SECTIONS.contains(&s),
    };
    for s in &m.unconfirmed {
        if !present(s) {
            return Err(RulebookError::UnknownUnconfirmedSection {
                method: code,
                section: s.clone(),
            });
        }
    }

    Ok(Method {
        name_es: non_empty(p("name_es"), &m.name_es)?,
        name_en: non_empty(p("name_en"), &m.name_en)?,
        ocds_method: m.ocds_method,
        ocds_method_details: non_empty(p("ocds_method_details"), &m.ocds_method_details)?,
        cite: cite(p("cite"), &m.cite)?,
        sealed_bids: m.sealed_bids,
        public_opening: m.public_opening,
        unconfirmed: m.unconfirmed.clone(),
        value_range: Cited {
            value: range,
            cite: cite(p("value_range.cite"), &r.cite)?,
        },
        bidding_period,
        clarifications,
        minimum_bids,
        standstill,
        evaluation,
        direct_award,
        framework,
        auction,
        auction_features,
        required_documents,
        code,
    })
}

fn build_evaluation(
    code: &str,
    base: &str,
    e: &RawEvaluation,
) -> Result<Cited<Evaluation>, RulebookError> {
    let invalid = |reason: &str| RulebookError::InvalidCriteria {
        method: code.to_owned(),
        reason: reason.to_owned(),
    };
    let mut criteria: Vec<Criterion> = Vec::new();
    for (j, c) in e.criteria.iter().enumerate() {
        let q = |k: &str| format!("{base}.evaluation.criteria[{j}].{k}");
        let weight = parse_decimal(&q("weight"), &c.weight.0)?;
        let ccode = non_empty(q("code"), &c.code)?;
        if weight <= Decimal::ZERO {
            return Err(RulebookError::WeightNotPositive {
                method: code.to_owned(),
                criterion: ccode,
            });
        }
        if criteria.iter().any(|x| x.code == ccode) {
            return Err(invalid(&format!("criterion {ccode} appears twice")));
        }
        criteria.push(Criterion {
            code: ccode,
            name_es: non_empty(q("name_es"), &c.name_es)?,
            name_en: non_empty(q("name_en"), &c.name_en)?,
            weight,
        });
    }
    match e.kind {
        EvaluationKind::Weighted => {
            if criteria.is_empty() {
                return Err(invalid("a weighted evaluation needs criteria"));
            }
            let sum: Decimal = criteria.iter().map(|c| c.weight).sum();
            if sum != Decimal::ONE_HUNDRED {
                return Err(RulebookError::WeightsNot100 {
                    method: code.to_owned(),
                    sum,
                });
            }
        }
        _ if !criteria.is_empty() => {
            return Err(invalid(
                "criteria are only allowed with kind = \"weighted\"",
            ));
        }
        _ => {}
    }
    Ok(Cited {
        value: Evaluation {
            kind: e.kind,
            criteria,
        },
        cite: cite(format!("{base}.evaluation.cite"), &e.cite)?,
    })
}

/// Checks that the listed methods split `(0, ∞)`: the first starts at 0, each next one starts
/// exactly where the previous ends with exactly one of the two bounds inclusive, the last is
/// unbounded.
fn build_partition(codes: &[String], methods: &[Method]) -> Result<Vec<String>, RulebookError> {
    let mut indices: Vec<usize> = Vec::new();
    for c in codes {
        let index = methods
            .iter()
            .position(|m| &m.code == c)
            .filter(|i| !indices.contains(i))
            .ok_or_else(|| RulebookError::PartitionUnknownMethod { method: c.clone() })?;
        indices.push(index);
    }
    let Some(&first) = indices.first() else {
        return Ok(Vec::new());
    };
    let first_range = methods[first].value_range.value;
    if !first_range.min.is_zero() {
        return Err(RulebookError::PartitionNotFromZero {
            method: methods[first].code.clone(),
            min: first_range.min,
        });
    }
    for pair in indices.windows(2) {
        let (below, above) = (&methods[pair[0]], &methods[pair[1]]);
        let (lo, hi) = (below.value_range.value, above.value_range.value);
        let err_gap = || RulebookError::RangeGap {
            below: below.code.clone(),
            above: above.code.clone(),
        };
        let err_overlap = || RulebookError::RangeOverlap {
            below: below.code.clone(),
            above: above.code.clone(),
        };
        let Some(lo_max) = lo.max else {
            return Err(err_overlap());
        };
        if lo_max < hi.min {
            return Err(err_gap());
        }
        if lo_max > hi.min {
            return Err(err_overlap());
        }
        match (lo.max_inclusive, hi.min_inclusive) {
            (true, true) => return Err(err_overlap()),
            (false, false) => return Err(err_gap()),
            _ => {}
        }
    }
    let last = &methods[indices[indices.len() - 1]];
    if last.value_range.value.max.is_some() {
        return Err(RulebookError::PartitionBounded {
            method: last.code.clone(),
        });
    }
    Ok(codes.to_vec())
}
