//! The rulebook file exactly as written (serde layer). Every table denies unknown keys so a
//! misspelt key is an error (`rulebook.unknown_key`), never a silent default. Money, weights and
//! dates stay text here; [`crate::build`] turns them into exact values with precise errors.

use serde::Deserialize;
use tianguis_auction::AuctionRules;
use toml::value::Datetime;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRulebook {
    pub id: String,
    pub version: String,
    pub jurisdiction: String,
    pub name_es: String,
    pub name_en: String,
    pub effective_from: Datetime,
    #[serde(default)]
    pub effective_until: Option<Datetime>,
    pub currency: String,
    #[serde(default = "default_decimals")]
    pub currency_decimals: u32,
    pub timezone: String,
    #[serde(default)]
    pub value_partition: Vec<String>,
    /// Whether the number of sealed bids received is public before the opening (issue 13).
    #[serde(default = "default_true")]
    pub public_bid_count_before_opening: bool,
    pub legal_basis: Vec<RawLegalBasis>,
    pub calendar: RawCalendar,
    #[serde(default)]
    pub exception_categories: Vec<RawExceptionCategory>,
    pub methods: Vec<RawMethod>,
}

fn default_decimals() -> u32 {
    2
}

fn default_true() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLegalBasis {
    pub name: String,
    pub url: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCalendar {
    #[serde(default = "default_weekend")]
    pub weekend: Vec<RawWeekday>,
    pub cite: String,
    #[serde(default)]
    pub holidays: Vec<RawHoliday>,
}

fn default_weekend() -> Vec<RawWeekday> {
    vec![RawWeekday::Saturday, RawWeekday::Sunday]
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum RawWeekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawHoliday {
    pub name_es: String,
    pub name_en: String,
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub easter_offset: Option<i64>,
    #[serde(default)]
    pub on: Option<Datetime>,
    #[serde(default)]
    pub shift: Option<crate::calendar::Shift>,
    pub cite: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawExceptionCategory {
    pub code: String,
    pub article: String,
    pub name_es: String,
    pub name_en: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMethod {
    pub code: String,
    pub name_es: String,
    pub name_en: String,
    pub ocds_method: crate::model::OcdsMethod,
    pub ocds_method_details: String,
    pub cite: String,
    #[serde(default)]
    pub sealed_bids: bool,
    #[serde(default)]
    pub public_opening: bool,
    #[serde(default)]
    pub unconfirmed: Vec<String>,
    pub value_range: RawValueRange,
    #[serde(default)]
    pub bidding_period: Option<RawPeriod>,
    #[serde(default)]
    pub clarifications: Option<RawClarifications>,
    #[serde(default)]
    pub minimum_bids: Option<RawMinimumBids>,
    #[serde(default)]
    pub standstill: Option<RawStandstill>,
    pub evaluation: RawEvaluation,
    #[serde(default)]
    pub direct_award: Option<RawDirectAward>,
    #[serde(default)]
    pub framework: Option<RawFramework>,
    #[serde(default)]
    pub auction: Option<RawAuction>,
    #[serde(default)]
    pub required_documents: Vec<RawDocument>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawValueRange {
    pub min: MoneyText,
    #[serde(default)]
    pub min_inclusive: bool,
    #[serde(default)]
    pub max: Option<MoneyText>,
    #[serde(default = "yes")]
    pub max_inclusive: bool,
    pub cite: String,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPeriod {
    pub days: u32,
    pub days_kind: crate::model::DaysKind,
    pub cite: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawClarifications {
    pub days_before_deadline: u32,
    pub days_kind: crate::model::DaysKind,
    pub cite: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMinimumBids {
    pub count: u32,
    pub below_minimum: crate::model::BelowMinimum,
    pub cite: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawStandstill {
    pub days: u32,
    pub days_kind: crate::model::DaysKind,
    pub complaint_name_es: String,
    pub complaint_name_en: String,
    pub complaints_es: String,
    pub complaints_en: String,
    pub cite: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawEvaluation {
    pub kind: crate::model::EvaluationKind,
    pub cite: String,
    #[serde(default)]
    pub criteria: Vec<RawCriterion>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCriterion {
    pub code: String,
    pub name_es: String,
    pub name_en: String,
    pub weight: DecimalText,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDirectAward {
    pub justification_required: bool,
    pub exception_category_required: bool,
    #[serde(default)]
    pub exception_categories: Option<Vec<String>>,
    #[serde(default)]
    pub justification_min_chars: u32,
    pub flagged_publicly: bool,
    pub cite: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFramework {
    pub max_duration_months: u32,
    pub catalogue_required: bool,
    pub confirmation_business_days: u32,
    #[serde(default)]
    pub mini_competition_above: Option<DecimalText>,
    pub price_band_percent: DecimalText,
    pub ceiling_alert_percent: u32,
    pub cite: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAuction {
    pub cite: String,
    #[serde(default)]
    pub rules: AuctionRules,
    #[serde(default)]
    pub features: Vec<RawFeature>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFeature {
    pub code: String,
    pub name_es: String,
    pub name_en: String,
    pub cite: String,
    pub options: Vec<RawFeatureOption>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFeatureOption {
    pub code: String,
    pub name_es: String,
    pub name_en: String,
    /// Written as a string so it is read exactly, like money.
    pub value: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDocument {
    pub code: String,
    pub name_es: String,
    pub name_en: String,
    pub submitted_by: crate::model::Party,
    pub cite: String,
}

/// A money amount as written. Only TOML strings are accepted: a TOML float would already have
/// been rounded to binary by the parser, and "never floats for money" is the project's rule.
#[derive(Debug, Clone)]
pub(crate) struct MoneyText(pub String);

/// A weight (percentage) as written; strings only, for the same reason as money.
#[derive(Debug, Clone)]
pub(crate) struct DecimalText(pub String);

macro_rules! string_only {
    ($ty:ident, $expecting:literal) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl serde::de::Visitor<'_> for V {
                    type Value = $ty;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$ty, E> {
                        Ok($ty(v.to_owned()))
                    }
                }
                d.deserialize_str(V)
            }
        }
    };
}

string_only!(
    MoneyText,
    "a decimal amount written as a string, e.g. \"25000.00\""
);
string_only!(DecimalText, "a decimal written as a string, e.g. \"70\"");
