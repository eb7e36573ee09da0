//! The validated rulebook: what a procurement method allows, with every value carrying the legal
//! citation it came from (issue 3, item 4: "refused with the rule cited").

use chrono::NaiveDate;
use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use tianguis_auction::AuctionRules;

use crate::calendar::HolidayCalendar;

/// One jurisdiction's procurement rules, in force from `effective_from`. Built only by
/// [`Rulebook::from_toml`], [`Rulebook::from_path`] or [`Rulebook::load_embedded`], so every
/// instance has passed validation (ranges, partition, weights, citations, auction rules).
/// Serialises to JSON for the administrator's rulebook page and the API.
#[derive(Debug, Clone, Serialize)]
pub struct Rulebook {
    pub(crate) id: String,
    pub(crate) version: String,
    pub(crate) jurisdiction: String,
    pub(crate) name_es: String,
    pub(crate) name_en: String,
    pub(crate) effective_from: NaiveDate,
    pub(crate) effective_until: Option<NaiveDate>,
    pub(crate) currency: String,
    pub(crate) currency_decimals: u32,
    #[serde(serialize_with = "tz_name")]
    pub(crate) timezone: Tz,
    pub(crate) legal_basis: Vec<LegalBasis>,
    pub(crate) calendar: HolidayCalendar,
    pub(crate) exception_categories: Vec<ExceptionCategory>,
    /// Codes of the methods that partition the value line, in ascending value order.
    #[serde(rename = "value_partition")]
    pub(crate) partition: Vec<String>,
    pub(crate) methods: Vec<Method>,
    pub(crate) public_bid_count_before_opening: bool,
}

fn tz_name<S: serde::Serializer>(tz: &Tz, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(tz.name())
}

impl Rulebook {
    /// Stable identifier of the rulebook (e.g. `gt-lce`); together with [`Self::version`] it
    /// is what a tender records, so a later rulebook version never re-judges an old tender.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// Version of this file; bump it whenever a value changes.
    pub fn version(&self) -> &str {
        &self.version
    }
    /// Whether anyone may see how many sealed bids a tender has received before they are
    /// opened (`public_bid_count_before_opening`, default `true`). Hiding it keeps firms from
    /// learning how much competition they face while they can still bid.
    pub fn public_bid_count_before_opening(&self) -> bool {
        self.public_bid_count_before_opening
    }
    /// `id@version`, the short form shown next to every citation.
    pub fn reference(&self) -> String {
        format!("{}@{}", self.id, self.version)
    }
    /// Jurisdiction code (ISO 3166 alpha-2 for countries, e.g. `GT`; free text otherwise).
    pub fn jurisdiction(&self) -> &str {
        &self.jurisdiction
    }
    /// Spanish name of the profile, for the administrator's rulebook page.
    pub fn name_es(&self) -> &str {
        &self.name_es
    }
    /// English name of the profile.
    pub fn name_en(&self) -> &str {
        &self.name_en
    }
    /// First day (in the rulebook's time zone) on which tenders may be published under it.
    pub fn effective_from(&self) -> NaiveDate {
        self.effective_from
    }
    /// Last day it applies, when a successor is already known.
    pub fn effective_until(&self) -> Option<NaiveDate> {
        self.effective_until
    }
    /// ISO 4217 currency of every amount in the file (GTQ, USD).
    pub fn currency(&self) -> &str {
        &self.currency
    }
    /// Decimal places of the currency: estimated values with more are refused, never rounded.
    pub fn currency_decimals(&self) -> u32 {
        self.currency_decimals
    }
    /// Time zone in which days are counted (deadlines themselves are UTC instants).
    pub fn timezone(&self) -> Tz {
        self.timezone
    }
    /// The legal instruments the values come from.
    pub fn legal_basis(&self) -> &[LegalBasis] {
        &self.legal_basis
    }
    /// Weekends and holidays used for business-day periods.
    pub fn calendar(&self) -> &HolidayCalendar {
        &self.calendar
    }
    /// The exception categories a direct award may invoke (Guatemala: Art. 44 LCE).
    pub fn exception_categories(&self) -> &[ExceptionCategory] {
        &self.exception_categories
    }
    /// Looks up an exception category by code.
    pub fn exception_category(&self, code: &str) -> Option<&ExceptionCategory> {
        self.exception_categories.iter().find(|c| c.code == code)
    }
    /// Every method, in file order.
    pub fn methods(&self) -> &[Method] {
        &self.methods
    }
    /// Looks up a method by code.
    pub fn method(&self, code: &str) -> Option<&Method> {
        self.methods.iter().find(|m| m.code == code)
    }
    /// The methods that split the value line `(0, ∞)` between them without gaps or overlaps,
    /// lowest first (Guatemala: baja cuantía, compra directa, cotización, licitación). Empty
    /// when the rulebook declares no partition.
    pub fn value_partition(&self) -> impl Iterator<Item = &Method> {
        self.partition.iter().filter_map(|code| self.method(code))
    }
}

/// A legal instrument the rulebook is built from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LegalBasis {
    /// Its official name, e.g. "Ley de Contrataciones del Estado, Decreto 57-92".
    pub name: String,
    /// Where the text can be read.
    pub url: String,
}

/// A legal ground for awarding without competition (Guatemala: the *casos de excepción* of
/// Art. 44 LCE). A direct award must name one, and it is shown publicly with the award.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExceptionCategory {
    /// Stable code stored with the tender (e.g. `44a`).
    pub code: String,
    /// Article and letter, e.g. "Art. 44, inciso a) LCE".
    pub article: String,
    /// Spanish name.
    pub name_es: String,
    /// English name.
    pub name_en: String,
}

/// OCDS `tender.procurementMethod` (OCDS 1.1 closed codelist `method`), so published releases
/// say how competitive the process was without reading the local method name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OcdsMethod {
    /// All interested suppliers may submit a bid.
    Open,
    /// Only qualified suppliers are invited.
    Selective,
    /// The buyer contacts a number of suppliers of its choice.
    Limited,
    /// The contract is awarded to one supplier without competition.
    Direct,
}

impl OcdsMethod {
    /// The codelist value as published.
    pub fn as_str(self) -> &'static str {
        match self {
            OcdsMethod::Open => "open",
            OcdsMethod::Selective => "selective",
            OcdsMethod::Limited => "limited",
            OcdsMethod::Direct => "direct",
        }
    }
}

/// How days of a period are counted. Guatemalan law states some periods in *días hábiles*
/// (business days: weekends and holidays skipped) and others in calendar days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DaysKind {
    /// Every day counts.
    Calendar,
    /// Only days that are neither weekend nor holiday in the rulebook's calendar count.
    Business,
}

impl DaysKind {
    /// `calendar` / `business`, as in the file and in violation parameters.
    pub fn as_str(self) -> &'static str {
        match self {
            DaysKind::Calendar => "calendar",
            DaysKind::Business => "business",
        }
    }
}

/// What happens when fewer valid bids arrive than the method's minimum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BelowMinimum {
    /// The process is declared unsuccessful (*desierto*).
    DeclareUnsuccessful,
    /// Evaluation and award go ahead with the bids received.
    Proceed,
    /// Award may go ahead only with a recorded justification / approval.
    ProceedWithJustification,
    /// A new call for bids is made.
    Retender,
    /// A second call; if it also fails, a direct acquisition is allowed (Guatemala, Art. 32 LCE).
    RetenderThenDirect,
}

/// How bids are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvaluationKind {
    /// Lowest price among the bids that pass compliance.
    LowestPrice,
    /// Weighted score of price and non-price criteria (weights sum to 100).
    Weighted,
    /// Pass/fail compliance only (the ranking comes from a following auction, or there is a
    /// single supplier).
    ComplianceOnly,
}

/// Who provides a required document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    /// The buyer publishes it with the tender.
    Buyer,
    /// Each bidder submits it with its bid.
    Bidder,
}

/// A rule value together with the article it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cited<T> {
    /// The value.
    pub value: T,
    /// The legal reference (article text) from the rulebook file.
    pub cite: String,
}

/// A procurement method (*modalidad*) and everything the law fixes for it.
#[derive(Debug, Clone, Serialize)]
pub struct Method {
    pub(crate) code: String,
    pub(crate) name_es: String,
    pub(crate) name_en: String,
    pub(crate) ocds_method: OcdsMethod,
    pub(crate) ocds_method_details: String,
    pub(crate) cite: String,
    pub(crate) sealed_bids: bool,
    pub(crate) public_opening: bool,
    pub(crate) unconfirmed: Vec<String>,
    pub(crate) value_range: Cited<ValueRange>,
    pub(crate) bidding_period: Option<Cited<Period>>,
    pub(crate) clarifications: Option<Cited<Period>>,
    pub(crate) minimum_bids: Option<Cited<MinimumBids>>,
    pub(crate) standstill: Option<Cited<Standstill>>,
    pub(crate) evaluation: Cited<Evaluation>,
    pub(crate) direct_award: Option<Cited<DirectAward>>,
    pub(crate) framework: Option<Cited<Framework>>,
    pub(crate) auction: Option<Cited<AuctionRules>>,
    pub(crate) auction_features: Vec<AuctionFeature>,
    pub(crate) required_documents: Vec<RequiredDocument>,
}

impl Method {
    /// Stable code stored with the tender (e.g. `licitacion`, `rfq`).
    pub fn code(&self) -> &str {
        &self.code
    }
    /// Spanish name shown on pages.
    pub fn name_es(&self) -> &str {
        &self.name_es
    }
    /// English name shown on pages.
    pub fn name_en(&self) -> &str {
        &self.name_en
    }
    /// OCDS `tender.procurementMethod`.
    pub fn ocds_method(&self) -> OcdsMethod {
        self.ocds_method
    }
    /// OCDS `tender.procurementMethodDetails` (the local name, with its article).
    pub fn ocds_method_details(&self) -> &str {
        &self.ocds_method_details
    }
    /// The article that creates the method.
    pub fn cite(&self) -> &str {
        &self.cite
    }
    /// Whether bids stay sealed (encrypted, unreadable) until the opening.
    pub fn sealed_bids(&self) -> bool {
        self.sealed_bids
    }
    /// Whether the opening is a public act with a public record of bidders and prices.
    pub fn public_opening(&self) -> bool {
        self.public_opening
    }
    /// Sections of this method whose values could not be confirmed against the official text
    /// when the file was written; pages should show them as "pending legal confirmation".
    pub fn unconfirmed(&self) -> &[String] {
        &self.unconfirmed
    }
    /// The estimated values the method may be used for.
    pub fn value_range(&self) -> &Cited<ValueRange> {
        &self.value_range
    }
    /// Minimum time between publication and the bid deadline; `None` when the law sets none
    /// (e.g. a purchase without a call for bids).
    pub fn bidding_period(&self) -> Option<&Cited<Period>> {
        self.bidding_period.as_ref()
    }
    /// How long before the bid deadline questions must close; `None` when there is no
    /// clarification stage.
    pub fn clarifications(&self) -> Option<&Cited<Period>> {
        self.clarifications.as_ref()
    }
    /// Minimum number of valid bids, and what happens below it.
    pub fn minimum_bids(&self) -> Option<&Cited<MinimumBids>> {
        self.minimum_bids.as_ref()
    }
    /// The standstill after the award notice, during which bidders may complain.
    pub fn standstill(&self) -> Option<&Cited<Standstill>> {
        self.standstill.as_ref()
    }
    /// How bids are evaluated.
    pub fn evaluation(&self) -> &Cited<Evaluation> {
        &self.evaluation
    }
    /// Present when the method awards without competition: what must be recorded, and whether
    /// the award is flagged publicly.
    pub fn direct_award(&self) -> Option<&Cited<DirectAward>> {
        self.direct_award.as_ref()
    }
    /// Present for framework agreements (*contrato abierto*, long-term agreements).
    pub fn framework(&self) -> Option<&Cited<Framework>> {
        self.framework.as_ref()
    }
    /// Present when an electronic reverse auction follows the sealed bids (issue 4); the rules
    /// are the auction engine's own type, validated at load.
    pub fn auction(&self) -> Option<&Cited<AuctionRules>> {
        self.auction.as_ref()
    }
    /// The non-price features every bid of a score-ranked auction declares (empty in price
    /// ranking). Fixed by the rulebook, not by each tender, so a buyer cannot tailor them to
    /// one supplier.
    pub fn auction_features(&self) -> &[AuctionFeature] {
        &self.auction_features
    }
    /// Documents the buyer publishes and bidders submit.
    pub fn required_documents(&self) -> &[RequiredDocument] {
        &self.required_documents
    }
    /// Whether tenders under this method must carry a public "direct award" flag.
    pub fn is_flagged_publicly(&self) -> bool {
        self.direct_award
            .as_ref()
            .is_some_and(|d| d.value.flagged_publicly)
    }
    /// Whether the method can only be used by invoking an exception category (so it is never
    /// suggested from a value alone).
    pub fn requires_exception(&self) -> bool {
        self.direct_award
            .as_ref()
            .is_some_and(|d| d.value.exception_category_required)
    }
}

/// An interval of estimated values, in the rulebook's currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ValueRange {
    /// Lower bound (never negative).
    pub min: Decimal,
    /// Whether a value equal to `min` is inside.
    pub min_inclusive: bool,
    /// Upper bound; `None` means unbounded.
    pub max: Option<Decimal>,
    /// Whether a value equal to `max` is inside.
    pub max_inclusive: bool,
}

impl ValueRange {
    /// Whether `value` is at or above the lower bound.
    pub fn above_min(&self, value: Decimal) -> bool {
        value > self.min || (self.min_inclusive && value == self.min)
    }
    /// Whether `value` is at or below the upper bound.
    pub fn below_max(&self, value: Decimal) -> bool {
        match self.max {
            None => true,
            Some(max) => value < max || (self.max_inclusive && value == max),
        }
    }
    /// Whether `value` is inside the range.
    pub fn contains(&self, value: Decimal) -> bool {
        self.above_min(value) && self.below_max(value)
    }
}

/// A number of days counted in a given way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    /// How many days.
    pub days: u32,
    /// Calendar or business days.
    pub days_kind: DaysKind,
}

/// Minimum number of valid bids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MinimumBids {
    /// At least this many valid bids.
    pub count: u32,
    /// What happens with fewer.
    pub below_minimum: BelowMinimum,
}

/// The standstill period after the award notice (Guatemala: the period for *inconformidades*).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Standstill {
    /// Length of the period.
    pub period: Period,
    /// Local name of a complaint (*inconformidad*).
    pub complaint_name_es: String,
    /// English name of a complaint.
    pub complaint_name_en: String,
    /// How complaints are filed and resolved (Spanish).
    pub complaints_es: String,
    /// How complaints are filed and resolved (English).
    pub complaints_en: String,
}

/// The evaluation method.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    /// Lowest price, weighted or compliance only.
    pub kind: EvaluationKind,
    /// Criteria with weights summing to 100 (only for `weighted`).
    pub criteria: Vec<Criterion>,
}

/// One weighted evaluation criterion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Criterion {
    /// Stable code (e.g. `price`).
    pub code: String,
    /// Spanish name.
    pub name_es: String,
    /// English name.
    pub name_en: String,
    /// Weight in percent (exact decimal).
    pub weight: Decimal,
}

/// What a direct award (no competition) must record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DirectAward {
    /// A written justification is mandatory.
    pub justification_required: bool,
    /// An exception category must be named.
    pub exception_category_required: bool,
    /// The categories this method accepts (all the rulebook's when the file lists none).
    pub exception_categories: Vec<String>,
    /// Minimum length of the justification, in characters (0: any non-blank text).
    pub justification_min_chars: u32,
    /// The award is shown with a public "direct award" flag.
    pub flagged_publicly: bool,
}

/// Rules for framework agreements (*contrato abierto*, long-term agreements).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Framework {
    /// Longest allowed duration, in months.
    pub max_duration_months: u32,
    /// Whether a catalogue of items (with ceiling prices) must be attached.
    pub catalogue_required: bool,
    /// Business days a ranked supplier has to accept or decline a call-off before it passes
    /// to the next rank (ProZorro's price quotation: 2 working days).
    pub confirmation_business_days: u32,
    /// Call-off value above which an agreement with several suppliers per lot must reopen
    /// competition (ChileCompra's "Grandes Compras" above 1,000 UTM); none: never required.
    pub mini_competition_above: Option<Decimal>,
    /// Largest index-linked price variation an amendment may make, in percent either way
    /// (ProZorro's `itemPriceVariation`: factor 0.9–1.1).
    pub price_band_percent: Decimal,
    /// Share of an item's maximum at which buyers are alerted, in percent.
    pub ceiling_alert_percent: u32,
}

/// A non-price feature of a score-ranked auction (issue 4: score = price ÷ (1 + Σ feature
/// values)). Each bidder declares one option in its sealed bid; the option's value lowers its
/// score, so a better offer on this feature may win at a higher price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuctionFeature {
    /// Stable code (the key in the bid and in the auction's participant record).
    pub code: String,
    /// Spanish name.
    pub name_es: String,
    /// English name.
    pub name_en: String,
    /// The choices, each with its value.
    pub options: Vec<FeatureOption>,
    /// The rule that provides for the feature.
    pub cite: String,
}

impl AuctionFeature {
    /// The option with this code.
    pub fn option(&self, code: &str) -> Option<&FeatureOption> {
        self.options.iter().find(|o| o.code == code)
    }
}

/// One choice of an [`AuctionFeature`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeatureOption {
    /// Stable code.
    pub code: String,
    /// Spanish name.
    pub name_es: String,
    /// English name.
    pub name_en: String,
    /// What it adds to Σ in the score's divisor (0 for the baseline choice).
    pub value: Decimal,
}

/// A document the method requires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequiredDocument {
    /// Stable code.
    pub code: String,
    /// Spanish name.
    pub name_es: String,
    /// English name.
    pub name_en: String,
    /// Buyer or bidder.
    pub submitted_by: Party,
    /// Article requiring it.
    pub cite: String,
}
