//! Checking a tender against the rulebook before it is created (issue 3, item 4: "Creating a
//! tender whose value does not fit the chosen method, or a period shorter than the minimum, is
//! refused with the rule cited"). Pure: the caller passes the instants; days are counted in the
//! rulebook's time zone, deadlines stay UTC instants.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::model::*;

/// What the buyer is about to create: the fields of a tender the rulebook constrains.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenderPlan {
    /// Method code from the rulebook.
    pub method: String,
    /// Estimated total value, in the rulebook's currency.
    #[serde(with = "rust_decimal::serde::str")]
    pub estimated_value: Decimal,
    /// ISO 4217 code of `estimated_value`.
    pub currency: String,
    /// When the call for bids is (to be) published.
    pub published_at: DateTime<Utc>,
    /// Bid submission deadline; required when the method has a bidding period.
    #[serde(default)]
    pub bid_deadline: Option<DateTime<Utc>>,
    /// Last instant for questions; required when the method has a clarification stage.
    #[serde(default)]
    pub clarification_deadline: Option<DateTime<Utc>>,
    /// Why a direct award is used (mandatory for direct awards).
    #[serde(default)]
    pub justification: Option<String>,
    /// Code of the legal exception invoked (mandatory where the method requires one).
    #[serde(default)]
    pub exception_category: Option<String>,
    /// Lots; when present their values must add up to the estimated value.
    #[serde(default)]
    pub lots: Vec<LotPlan>,
    /// Framework terms (*contrato abierto*); required exactly when the method is a framework.
    #[serde(default)]
    pub framework: Option<FrameworkPlan>,
}

/// A lot of the planned tender.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LotPlan {
    /// Lot identifier, unique within the tender.
    pub id: String,
    /// Estimated value of the lot.
    #[serde(with = "rust_decimal::serde::str")]
    pub estimated_value: Decimal,
}

/// Planned terms of a framework agreement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameworkPlan {
    /// Duration of the agreement, in months.
    pub duration_months: u32,
    /// Number of catalogue items with ceiling prices attached.
    pub catalogue_items: u32,
}

/// The legal source of a refusal, ready to show next to the translated message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Citation {
    /// `id@version` of the rulebook.
    pub rulebook: String,
    /// The article text from the rulebook file (e.g. "Art. 38 LCE …").
    pub article: String,
}

/// One broken rule, with the numbers involved. Serialised as
/// `{"code": "rule.period_too_short", ...parameters, "citation": {...}}`, so pages translate
/// the code (Fluent message id) with the parameters as arguments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleViolation {
    /// What is wrong, with its parameters.
    #[serde(flatten)]
    pub violation: Violation,
    /// Where the rule comes from.
    pub citation: Citation,
}

impl RuleViolation {
    /// The stable code, e.g. `rule.value_above_method_max`.
    pub fn code(&self) -> &'static str {
        self.violation.code()
    }
}

/// The rules a tender plan can break. Codes are stable (`rule.*`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code")]
pub enum Violation {
    /// The method code is not in the rulebook.
    #[serde(rename = "rule.unknown_method")]
    UnknownMethod {
        /// The code given.
        method: String,
    },
    /// The publication date is outside the rulebook's effective period.
    #[serde(rename = "rule.rulebook_not_in_force")]
    RulebookNotInForce {
        /// Local publication date.
        published_on: NaiveDate,
        /// First day in force.
        effective_from: NaiveDate,
        /// Last day in force, if any.
        effective_until: Option<NaiveDate>,
    },
    /// The plan's currency is not the rulebook's.
    #[serde(rename = "rule.currency_mismatch")]
    CurrencyMismatch {
        /// The rulebook's currency.
        expected: String,
        /// The plan's.
        actual: String,
    },
    /// Zero or negative estimated value.
    #[serde(rename = "rule.value_not_positive")]
    ValueNotPositive {
        /// The value.
        #[serde(with = "rust_decimal::serde::str")]
        value: Decimal,
    },
    /// More decimals than the currency has (never rounded silently).
    #[serde(rename = "rule.value_too_many_decimals")]
    ValueTooManyDecimals {
        /// The value.
        #[serde(with = "rust_decimal::serde::str")]
        value: Decimal,
        /// Allowed decimals.
        decimals: u32,
    },
    /// The value is below the method's range.
    #[serde(rename = "rule.value_below_method_min")]
    ValueBelowMethodMin {
        /// The value.
        #[serde(with = "rust_decimal::serde::str")]
        value: Decimal,
        /// The method's minimum.
        #[serde(with = "rust_decimal::serde::str")]
        min: Decimal,
        /// Whether the minimum itself is allowed.
        min_inclusive: bool,
        /// Methods whose range contains the value (codes), to help the buyer.
        suggested: Vec<String>,
    },
    /// The value is above the method's range.
    #[serde(rename = "rule.value_above_method_max")]
    ValueAboveMethodMax {
        /// The value.
        #[serde(with = "rust_decimal::serde::str")]
        value: Decimal,
        /// The method's maximum.
        #[serde(with = "rust_decimal::serde::str")]
        max: Decimal,
        /// Whether the maximum itself is allowed.
        max_inclusive: bool,
        /// Methods whose range contains the value (codes).
        suggested: Vec<String>,
    },
    /// The method has a bidding period but the plan has no bid deadline.
    #[serde(rename = "rule.bid_deadline_required")]
    BidDeadlineRequired,
    /// The bid deadline is not after publication.
    #[serde(rename = "rule.deadline_not_after_publication")]
    DeadlineNotAfterPublication {
        /// Publication instant.
        published_at: DateTime<Utc>,
        /// Deadline given.
        bid_deadline: DateTime<Utc>,
    },
    /// The bidding period is shorter than the minimum.
    #[serde(rename = "rule.period_too_short")]
    PeriodTooShort {
        /// Minimum days.
        required_days: u32,
        /// Calendar or business.
        days_kind: DaysKind,
        /// Days the plan gives (counted the same way, from the day after publication).
        actual_days: u32,
        /// Earliest acceptable deadline (start of that local day, as UTC).
        minimum_deadline: DateTime<Utc>,
        /// Earliest acceptable local date.
        minimum_deadline_date: NaiveDate,
    },
    /// The method has a clarification stage but no clarification deadline was given.
    #[serde(rename = "rule.clarification_deadline_required")]
    ClarificationDeadlineRequired,
    /// The clarification deadline is not between publication and the bid deadline.
    #[serde(rename = "rule.clarification_deadline_out_of_period")]
    ClarificationDeadlineOutOfPeriod {
        /// Deadline given.
        clarification_deadline: DateTime<Utc>,
    },
    /// Questions close too close to the bid deadline.
    #[serde(rename = "rule.clarification_deadline_too_late")]
    ClarificationDeadlineTooLate {
        /// Days required between the clarification and bid deadlines.
        required_days_before: u32,
        /// Calendar or business.
        days_kind: DaysKind,
        /// Latest acceptable local date for the clarification deadline.
        latest_date: NaiveDate,
        /// Local date given.
        actual_date: NaiveDate,
    },
    /// A direct award without a justification.
    #[serde(rename = "rule.justification_required")]
    JustificationRequired,
    /// A justification shorter than the rulebook's minimum.
    #[serde(rename = "rule.justification_too_short")]
    JustificationTooShort {
        /// Minimum characters.
        min_chars: u32,
        /// Characters given (trimmed).
        actual_chars: u32,
    },
    /// A direct award without an exception category.
    #[serde(rename = "rule.exception_category_required")]
    ExceptionCategoryRequired {
        /// The categories the method accepts.
        allowed: Vec<String>,
    },
    /// An exception category the method does not accept (or the rulebook does not define).
    #[serde(rename = "rule.exception_category_not_allowed")]
    ExceptionCategoryNotAllowed {
        /// The code given.
        category: String,
        /// The categories the method accepts.
        allowed: Vec<String>,
    },
    /// An exception category on a method that does not invoke exceptions.
    #[serde(rename = "rule.exception_category_not_applicable")]
    ExceptionCategoryNotApplicable {
        /// The code given.
        category: String,
    },
    /// A lot with a zero or negative value.
    #[serde(rename = "rule.lot_value_not_positive")]
    LotValueNotPositive {
        /// Lot id.
        lot: String,
    },
    /// Two lots with the same id.
    #[serde(rename = "rule.duplicate_lot")]
    DuplicateLot {
        /// Lot id.
        lot: String,
    },
    /// Lot values do not add up to the estimated value.
    #[serde(rename = "rule.lots_do_not_sum")]
    LotsDoNotSum {
        /// Sum of lots.
        #[serde(with = "rust_decimal::serde::str")]
        sum: Decimal,
        /// Estimated value.
        #[serde(with = "rust_decimal::serde::str")]
        estimated_value: Decimal,
    },
    /// A framework method without framework terms.
    #[serde(rename = "rule.framework_terms_required")]
    FrameworkTermsRequired,
    /// Framework terms on a method that is not a framework.
    #[serde(rename = "rule.framework_not_applicable")]
    FrameworkNotApplicable,
    /// Framework longer than allowed.
    #[serde(rename = "rule.framework_too_long")]
    FrameworkTooLong {
        /// Maximum months.
        max_months: u32,
        /// Months given.
        months: u32,
    },
    /// A framework without its catalogue of items.
    #[serde(rename = "rule.framework_catalogue_required")]
    FrameworkCatalogueRequired,
}

impl Violation {
    /// The stable code, e.g. `rule.period_too_short`.
    pub fn code(&self) -> &'static str {
        match self {
            Violation::UnknownMethod { .. } => "rule.unknown_method",
            Violation::RulebookNotInForce { .. } => "rule.rulebook_not_in_force",
            Violation::CurrencyMismatch { .. } => "rule.currency_mismatch",
            Violation::ValueNotPositive { .. } => "rule.value_not_positive",
            Violation::ValueTooManyDecimals { .. } => "rule.value_too_many_decimals",
            Violation::ValueBelowMethodMin { .. } => "rule.value_below_method_min",
            Violation::ValueAboveMethodMax { .. } => "rule.value_above_method_max",
            Violation::BidDeadlineRequired => "rule.bid_deadline_required",
            Violation::DeadlineNotAfterPublication { .. } => "rule.deadline_not_after_publication",
            Violation::PeriodTooShort { .. } => "rule.period_too_short",
            Violation::ClarificationDeadlineRequired => "rule.clarification_deadline_required",
            Violation::ClarificationDeadlineOutOfPeriod { .. } => {
                "rule.clarification_deadline_out_of_period"
            }
            Violation::ClarificationDeadlineTooLate { .. } => {
                "rule.clarification_deadline_too_late"
            }
            Violation::JustificationRequired => "rule.justification_required",
            Violation::JustificationTooShort { .. } => "rule.justification_too_short",
            Violation::ExceptionCategoryRequired { .. } => "rule.exception_category_required",
            Violation::ExceptionCategoryNotAllowed { .. } => "rule.exception_category_not_allowed",
            Violation::ExceptionCategoryNotApplicable { .. } => {
                "rule.exception_category_not_applicable"
            }
            Violation::LotValueNotPositive { .. } => "rule.lot_value_not_positive",
            Violation::DuplicateLot { .. } => "rule.duplicate_lot",
            Violation::LotsDoNotSum { .. } => "rule.lots_do_not_sum",
            Violation::FrameworkTermsRequired => "rule.framework_terms_required",
            Violation::FrameworkNotApplicable => "rule.framework_not_applicable",
            Violation::FrameworkTooLong { .. } => "rule.framework_too_long",
            Violation::FrameworkCatalogueRequired => "rule.framework_catalogue_required",
        }
    }
}

/// What the rulebook says about a number of valid bids received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum BidCountOutcome {
    /// At or above the minimum (or the method sets none): evaluation proceeds.
    Sufficient,
    /// Below the minimum: do what `action` says.
    BelowMinimum {
        /// The minimum.
        minimum: u32,
        /// Valid bids received.
        received: u32,
        /// What happens now.
        action: BelowMinimum,
        /// Where the rule comes from.
        citation: Citation,
    },
}

/// The public "direct award" flag shown on a tender page and in open data (issue 3: direct
/// purchases "are flagged publicly").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicFlag {
    /// Always `flag.direct_award`.
    pub code: &'static str,
    /// Method code.
    pub method: String,
    /// The exception category invoked, with its article, when there is one.
    pub exception_category: Option<ExceptionCategory>,
    /// The justification as recorded.
    pub justification: Option<String>,
    /// Where the rule comes from.
    pub citation: Citation,
}

/// The local calendar date of an instant in `tz`.
pub fn local_date(tz: Tz, at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// The first instant of a local day, as UTC (skips forward over a DST gap at midnight).
pub fn start_of_day(tz: Tz, date: NaiveDate) -> DateTime<Utc> {
    let midnight = date.and_time(chrono::NaiveTime::MIN);
    (0..=24)
        .find_map(|h| {
            tz.from_local_datetime(&(midnight + Duration::hours(h)))
                .earliest()
        })
        .map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc))
}

impl crate::Rulebook {
    fn citation(&self, article: &str) -> Citation {
        Citation {
            rulebook: self.reference(),
            article: article.to_owned(),
        }
    }

    /// The local date of an instant in the rulebook's time zone.
    pub fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        local_date(self.timezone, at)
    }

    /// Methods that can be chosen for `value` without invoking an exception: the value fits
    /// their range. The partition method comes first, then the others in file order. Methods
    /// that require an exception category are never suggested from a value alone; an empty list
    /// means the value itself is invalid (zero, negative, too many decimals).
    pub fn suggest_methods(&self, value: Decimal) -> Vec<&Method> {
        if value <= Decimal::ZERO || value.normalize().scale() > self.currency_decimals {
            return Vec::new();
        }
        let fits = |m: &&Method| !m.requires_exception() && m.value_range.value.contains(value);
        let mut out: Vec<&Method> = self.value_partition().filter(fits).collect();
        for m in self.methods.iter().filter(fits) {
            if !out.iter().any(|x| x.code == m.code) {
                out.push(m);
            }
        }
        out
    }

    /// The earliest local date on which bids may be due under `method`, for a call published
    /// at `published_at`; `None` when the method sets no bidding period (or the method is
    /// unknown). Days are counted from the day after publication, in the rulebook's time zone.
    pub fn minimum_deadline_date(
        &self,
        method: &Method,
        published_at: DateTime<Utc>,
    ) -> Option<NaiveDate> {
        let period = method.bidding_period.as_ref()?.value;
        self.calendar
            .add_days(self.local_date(published_at), period.days, period.days_kind)
    }

    /// The earliest acceptable bid deadline, as a UTC instant: the start of
    /// [`Self::minimum_deadline_date`] in the rulebook's time zone (a deadline at any time on
    /// that local day or later satisfies the period).
    pub fn minimum_deadline(
        &self,
        method: &Method,
        published_at: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        self.minimum_deadline_date(method, published_at)
            .map(|d| start_of_day(self.timezone, d))
    }

    /// The latest local date on which questions may close for a bid deadline, or `None` when
    /// the method has no clarification stage.
    pub fn latest_clarification_date(
        &self,
        method: &Method,
        bid_deadline: DateTime<Utc>,
    ) -> Option<NaiveDate> {
        let c = method.clarifications.as_ref()?.value;
        self.calendar
            .sub_days(self.local_date(bid_deadline), c.days, c.days_kind)
    }

    /// When the standstill after an award notice ends (the start of the local day after its
    /// last day), or `None` when the method has no standstill. Complaints are accepted before
    /// this instant; the award becomes final at it.
    pub fn standstill_end(
        &self,
        method: &Method,
        award_notified_at: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let p = method.standstill.as_ref()?.value.period;
        let last =
            self.calendar
                .add_days(self.local_date(award_notified_at), p.days, p.days_kind)?;
        Some(start_of_day(self.timezone, last.succ_opt()?))
    }

    /// When a window of `days` business days opened at `at` closes: the start of the local day
    /// after its last business day (a call-off offered to a ranked supplier, issue 14), or
    /// `None` if the calendar cannot say.
    pub fn business_window_end(&self, at: DateTime<Utc>, days: u32) -> Option<DateTime<Utc>> {
        let last = self
            .calendar
            .add_days(self.local_date(at), days, DaysKind::Business)?;
        Some(start_of_day(self.timezone, last.succ_opt()?))
    }

    /// The refusal of a framework agreement lasting `months` beyond its method's maximum, with
    /// the article cited (terms set before publication, extensions amended later: issue 14).
    pub fn framework_too_long(&self, framework: &Cited<Framework>, months: u32) -> RuleViolation {
        RuleViolation {
            violation: Violation::FrameworkTooLong {
                max_months: framework.value.max_duration_months,
                months,
            },
            citation: self.citation(&framework.cite),
        }
    }

    /// What the rulebook says about receiving `valid_bids` valid bids under `method`.
    pub fn assess_bid_count(&self, method: &Method, valid_bids: u32) -> BidCountOutcome {
        match &method.minimum_bids {
            Some(m) if valid_bids < m.value.count => BidCountOutcome::BelowMinimum {
                minimum: m.value.count,
                received: valid_bids,
                action: m.value.below_minimum,
                citation: self.citation(&m.cite),
            },
            _ => BidCountOutcome::Sufficient,
        }
    }

    /// The public flag a tender under this plan carries, if its method is flagged publicly.
    pub fn public_flag(&self, plan: &TenderPlan) -> Option<PublicFlag> {
        let method = self.method(&plan.method)?;
        let direct = method.direct_award.as_ref()?;
        direct.value.flagged_publicly.then(|| PublicFlag {
            code: "flag.direct_award",
            method: method.code.clone(),
            exception_category: plan
                .exception_category
                .as_deref()
                .and_then(|c| self.exception_category(c))
                .cloned(),
            justification: plan.justification.clone(),
            citation: self.citation(&direct.cite),
        })
    }

    /// Checks a tender plan against every rule of its method. `Ok(())` means the tender may be
    /// created; otherwise every broken rule is returned (not only the first), each with its
    /// code, numbers and citation.
    pub fn check_tender(&self, plan: &TenderPlan) -> Result<(), Vec<RuleViolation>> {
        let mut out = Vec::new();
        let Some(method) = self.method(&plan.method) else {
            let basis = self.legal_basis.first().map_or("", |b| b.name.as_str());
            return Err(vec![RuleViolation {
                violation: Violation::UnknownMethod {
                    method: plan.method.clone(),
                },
                citation: self.citation(basis),
            }]);
        };
        let mut push = |violation: Violation, article: &str| {
            out.push(RuleViolation {
                violation,
                citation: self.citation(article),
            });
        };

        let published_on = self.local_date(plan.published_at);
        if published_on < self.effective_from
            || self.effective_until.is_some_and(|u| published_on > u)
        {
            let basis = self.legal_basis.first().map_or("", |b| b.name.as_str());
            push(
                Violation::RulebookNotInForce {
                    published_on,
                    effective_from: self.effective_from,
                    effective_until: self.effective_until,
                },
                basis,
            );
        }
        if plan.currency != self.currency {
            push(
                Violation::CurrencyMismatch {
                    expected: self.currency.clone(),
                    actual: plan.currency.clone(),
                },
                &method.value_range.cite,
            );
        }

        self.check_value(method, plan.estimated_value, &mut push);
        self.check_periods(method, plan, &mut push);
        check_direct(self, method, plan, &mut push);
        check_lots(method, plan, &mut push);
        check_framework(method, plan, &mut push);

        if out.is_empty() { Ok(()) } else { Err(out) }
    }

    fn check_value(&self, method: &Method, value: Decimal, push: &mut impl FnMut(Violation, &str)) {
        let range = &method.value_range;
        if value <= Decimal::ZERO {
            push(Violation::ValueNotPositive { value }, &range.cite);
            return;
        }
        if value.normalize().scale() > self.currency_decimals {
            push(
                Violation::ValueTooManyDecimals {
                    value,
                    decimals: self.currency_decimals,
                },
                &range.cite,
            );
            return;
        }
        let suggested = || {
            self.suggest_methods(value)
                .iter()
                .map(|m| m.code.clone())
                .collect()
        };
        let r = range.value;
        if !r.above_min(value) {
            push(
                Violation::ValueBelowMethodMin {
                    value,
                    min: r.min,
                    min_inclusive: r.min_inclusive,
                    suggested: suggested(),
                },
                &range.cite,
            );
        } else if let (false, Some(max)) = (r.below_max(value), r.max) {
            push(
                Violation::ValueAboveMethodMax {
                    value,
                    max,
                    max_inclusive: r.max_inclusive,
                    suggested: suggested(),
                },
                &range.cite,
            );
        }
    }

    fn check_periods(
        &self,
        method: &Method,
        plan: &TenderPlan,
        push: &mut impl FnMut(Violation, &str),
    ) {
        let Some(period) = &method.bidding_period else {
            return;
        };
        let Some(deadline) = plan.bid_deadline else {
            push(Violation::BidDeadlineRequired, &period.cite);
            return;
        };
        if deadline <= plan.published_at {
            push(
                Violation::DeadlineNotAfterPublication {
                    published_at: plan.published_at,
                    bid_deadline: deadline,
                },
                &period.cite,
            );
            return;
        }
        let p = period.value;
        let published_on = self.local_date(plan.published_at);
        let due_on = self.local_date(deadline);
        if let Some(min_date) = self.calendar.add_days(published_on, p.days, p.days_kind)
            && due_on < min_date
        {
            push(
                Violation::PeriodTooShort {
                    required_days: p.days,
                    days_kind: p.days_kind,
                    actual_days: self
                        .calendar
                        .days_between(published_on, due_on, p.days_kind),
                    minimum_deadline: start_of_day(self.timezone, min_date),
                    minimum_deadline_date: min_date,
                },
                &period.cite,
            );
        }

        let Some(clar) = &method.clarifications else {
            return;
        };
        let Some(clar_at) = plan.clarification_deadline else {
            push(Violation::ClarificationDeadlineRequired, &clar.cite);
            return;
        };
        if clar_at <= plan.published_at || clar_at >= deadline {
            push(
                Violation::ClarificationDeadlineOutOfPeriod {
                    clarification_deadline: clar_at,
                },
                &clar.cite,
            );
            return;
        }
        if let Some(latest) = self.latest_clarification_date(method, deadline) {
            let actual = self.local_date(clar_at);
            if actual > latest {
                push(
                    Violation::ClarificationDeadlineTooLate {
                        required_days_before: clar.value.days,
                        days_kind: clar.value.days_kind,
                        latest_date: latest,
                        actual_date: actual,
                    },
                    &clar.cite,
                );
            }
        }
    }
}

fn check_direct(
    book: &crate::Rulebook,
    method: &Method,
    plan: &TenderPlan,
    push: &mut impl FnMut(Violation, &str),
) {
    let Some(direct) = &method.direct_award else {
        if let Some(category) = &plan.exception_category {
            push(
                Violation::ExceptionCategoryNotApplicable {
                    category: category.clone(),
                },
                &method.cite,
            );
        }
        return;
    };
    let d = &direct.value;
    let text = plan.justification.as_deref().map(str::trim).unwrap_or("");
    if d.justification_required {
        let chars = u32::try_from(text.chars().count()).unwrap_or(u32::MAX);
        if text.is_empty() {
            push(Violation::JustificationRequired, &direct.cite);
        } else if chars < d.justification_min_chars {
            push(
                Violation::JustificationTooShort {
                    min_chars: d.justification_min_chars,
                    actual_chars: chars,
                },
                &direct.cite,
            );
        }
    }
    match plan.exception_category.as_deref() {
        None | Some("") if d.exception_category_required => push(
            Violation::ExceptionCategoryRequired {
                allowed: d.exception_categories.clone(),
            },
            &direct.cite,
        ),
        None | Some("") => {}
        Some(c) => {
            let known = book.exception_category(c).is_some();
            if !known || !d.exception_categories.iter().any(|x| x == c) {
                let article = book
                    .exception_category(c)
                    .map_or(direct.cite.as_str(), |e| e.article.as_str());
                push(
                    Violation::ExceptionCategoryNotAllowed {
                        category: c.to_owned(),
                        allowed: d.exception_categories.clone(),
                    },
                    article,
                );
            }
        }
    }
}

fn check_lots(method: &Method, plan: &TenderPlan, push: &mut impl FnMut(Violation, &str)) {
    if plan.lots.is_empty() {
        return;
    }
    let cite = &method.value_range.cite;
    let mut seen = BTreeSet::new();
    for lot in &plan.lots {
        if !seen.insert(lot.id.as_str()) {
            push(
                Violation::DuplicateLot {
                    lot: lot.id.clone(),
                },
                cite,
            );
        }
        if lot.estimated_value <= Decimal::ZERO {
            push(
                Violation::LotValueNotPositive {
                    lot: lot.id.clone(),
                },
                cite,
            );
        }
    }
    let sum = plan
        .lots
        .iter()
        .try_fold(Decimal::ZERO, |acc, l| acc.checked_add(l.estimated_value));
    if sum != Some(plan.estimated_value) {
        push(
            Violation::LotsDoNotSum {
                sum: sum.unwrap_or(Decimal::MAX),
                estimated_value: plan.estimated_value,
            },
            cite,
        );
    }
}

fn check_framework(method: &Method, plan: &TenderPlan, push: &mut impl FnMut(Violation, &str)) {
    match (&method.framework, &plan.framework) {
        (None, None) => {}
        (None, Some(_)) => push(Violation::FrameworkNotApplicable, &method.cite),
        (Some(f), None) => push(Violation::FrameworkTermsRequired, &f.cite),
        (Some(f), Some(p)) => {
            if p.duration_months > f.value.max_duration_months {
                push(
                    Violation::FrameworkTooLong {
                        max_months: f.value.max_duration_months,
                        months: p.duration_months,
                    },
                    &f.cite,
                );
            }
            if f.value.catalogue_required && p.catalogue_items == 0 {
                push(Violation::FrameworkCatalogueRequired, &f.cite);
            }
        }
    }
}
