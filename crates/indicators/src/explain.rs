//! Plain-language explanations of flags, in Spanish and English (issue 6: "a plain-language
//! explanation per flag (es/en) with the values that triggered it"; product principle 5,
//! "Spanish first, English too").
//!
//! Texts live in Fluent files (`locales/{es,en}/indicators.ftl`), compiled into the crate so
//! the binary needs no data files; translators edit the `.ftl` files only.

use std::borrow::Cow;

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};
use serde::Serialize;

use crate::flags::engine::Reason;
use crate::flags::{
    AbnormallyLowFigures, Detail, Indicator, LateBidFigures, PriceGapFigures, SimilarityFigures,
    SplitPurchaseFigures,
};

/// The Spanish messages.
pub const ES_FTL: &str = include_str!("../locales/es/indicators.ftl");
/// The English messages.
pub const EN_FTL: &str = include_str!("../locales/en/indicators.ftl");

/// A language of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Español (default: the institution's language).
    #[default]
    Es,
    /// English.
    En,
}

impl Lang {
    /// BCP 47 tag.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Es => "es",
            Lang::En => "en",
        }
    }
}

/// Formats messages of one language.
pub struct Explainer {
    bundle: FluentBundle<FluentResource>,
    lang: Lang,
}

impl std::fmt::Debug for Explainer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Explainer")
            .field("lang", &self.lang)
            .finish()
    }
}

/// A number for a sentence: integers without decimals, others with up to 4.
fn num(x: f64) -> String {
    if !x.is_finite() {
        return "∞".into();
    }
    if x.fract() == 0.0 && x.abs() < 1e15 {
        return format!("{x:.0}");
    }
    let s = format!("{x:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A ratio as a percentage.
fn pct(x: f64) -> String {
    if !x.is_finite() {
        return "∞".into();
    }
    format!("{} %", num((x * 1e4).round() / 1e2))
}

impl Explainer {
    /// Builds the bundle. The `.ftl` files are compiled in and checked by tests, so parsing
    /// cannot fail at run time; if a message were broken it would show its id instead.
    pub fn new(lang: Lang) -> Explainer {
        let source = match lang {
            Lang::Es => ES_FTL,
            Lang::En => EN_FTL,
        };
        let resource =
            FluentResource::try_new(source.to_string()).unwrap_or_else(|(resource, _)| resource);
        let tag = match lang {
            Lang::Es => unic_langid::langid!("es"),
            Lang::En => unic_langid::langid!("en"),
        };
        let mut bundle = FluentBundle::new(vec![tag]);
        bundle.set_use_isolating(false);
        // Ids are unique in the compiled-in files (tested), so this cannot report overrides.
        let _ = bundle.add_resource(resource);
        Explainer { bundle, lang }
    }

    /// The language.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// Formats a message; the id itself if missing.
    pub fn message(&self, id: &str, args: Option<&FluentArgs>) -> String {
        let Some(message) = self.bundle.get_message(id) else {
            return id.to_string();
        };
        let Some(pattern) = message.value() else {
            return id.to_string();
        };
        let mut errors = Vec::new();
        let text: Cow<str> = self.bundle.format_pattern(pattern, args, &mut errors);
        text.into_owned()
    }

    /// The indicator's name.
    pub fn name(&self, indicator: Indicator) -> String {
        self.message(&format!("name-{}", indicator.code()), None)
    }

    /// Why an indicator was not applicable.
    pub fn reason(&self, reason: Reason) -> String {
        self.message(&format!("reason-{}", reason.code()), None)
    }

    /// The explanation of a flag from its figures; the indicator's name when no figures were
    /// kept.
    pub fn explain(&self, indicator: Indicator, detail: &Detail) -> String {
        let mut args = FluentArgs::new();
        let mut set = |k: &'static str, v: String| args.set(k, FluentValue::from(v));
        match detail {
            Detail::None => return self.name(indicator),
            Detail::SubmissionPeriod {
                days,
                threshold,
                method_details,
            } => {
                set("days", days.to_string());
                set("threshold", threshold.to_string());
                set(
                    "details",
                    method_details.clone().unwrap_or_else(|| "none".into()),
                );
            }
            Detail::SingleBid { method } => set("method", method.clone().unwrap_or_default()),
            Detail::PriceGap(figures) => {
                let PriceGapFigures {
                    ratio,
                    fence,
                    winner,
                    runner_up,
                    winning_amount,
                    second_amount,
                    currency,
                } = &**figures;
                set("ratio", pct(*ratio));
                set("fence", pct(*fence));
                set("winner", winner.clone());
                set("runnerup", runner_up.clone());
                set("winning", num(*winning_amount));
                set("second", num(*second_amount));
                set("currency", currency.clone());
            }
            Detail::IdenticalPrices {
                amount,
                currency,
                tenderers,
            } => {
                set("amount", num(*amount));
                set("currency", currency.clone());
                set("tenderers", tenderers.join(", "));
            }
            Detail::LateBid(figures) => {
                let LateBidFigures {
                    tenderer,
                    bid_date,
                    end_date,
                } = &**figures;
                set("tenderer", tenderer.clone());
                set("biddate", bid_date.clone());
                set("enddate", end_date.clone());
            }
            Detail::OthersDisqualified {
                winner,
                disqualified,
            } => {
                set("winner", winner.clone());
                set("count", disqualified.to_string());
            }
            Detail::LowestDisqualified { amount, currency } => {
                set("amount", num(*amount));
                set("currency", currency.clone());
            }
            Detail::Ratio {
                value,
                fence,
                numerator,
                denominator,
            } => {
                if indicator == Indicator::R048 {
                    set("categories", numerator.to_string());
                    set("fence", num(*fence));
                } else {
                    set("ratio", pct(*value));
                    set("fence", pct(*fence));
                }
                set("denominator", denominator.to_string());
            }
            Detail::Similarity(figures) => {
                let SimilarityFigures {
                    first,
                    second,
                    basis,
                    shared,
                } = &**figures;
                set("first", first.clone());
                set("second", second.clone());
                set("basis", self.message(&format!("basis-{basis}"), None));
                set("shared", shared.clone());
            }
            Detail::SplitPurchase(figures) => {
                let SplitPurchaseFigures {
                    supplier,
                    count,
                    total,
                    threshold,
                    currency,
                    window_days,
                } = &**figures;
                set("supplier", supplier.clone());
                set("count", count.to_string());
                set("total", total.clone());
                set("threshold", threshold.clone());
                set("currency", currency.clone());
                set("window", window_days.to_string());
            }
            Detail::AbnormallyLow(figures) => {
                let AbnormallyLowFigures {
                    winner,
                    winner_price,
                    mean_of_other_initial,
                    below_mean_percent,
                    runner_up_price,
                    below_runner_up_percent,
                    currency,
                } = &**figures;
                set("winner", winner.clone());
                set("price", winner_price.clone());
                set("mean", mean_of_other_initial.clone().unwrap_or_default());
                set("belowmean", below_mean_percent.clone().unwrap_or_default());
                set("runner", runner_up_price.clone().unwrap_or_default());
                set(
                    "belowrunner",
                    below_runner_up_percent.clone().unwrap_or_default(),
                );
                set("currency", currency.clone());
            }
        }
        self.message(&format!("flag-{}", indicator.code()), Some(&args))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn ids(source: &str) -> BTreeSet<String> {
        let resource = match FluentResource::try_new(source.to_string()) {
            Ok(r) => r,
            Err((_, errors)) => panic!("ftl syntax errors: {errors:?}"),
        };
        resource
            .entries()
            .filter_map(|e| match e {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn both_languages_have_the_same_message_ids_without_syntax_errors() {
        let es = ids(ES_FTL);
        let en = ids(EN_FTL);
        assert_eq!(es, en, "message ids differ between es and en");
        for indicator in Indicator::ALL {
            assert!(es.contains(&format!("name-{}", indicator.code())));
            assert!(es.contains(&format!("flag-{}", indicator.code())));
        }
        for reason in Reason::ALL {
            assert!(
                es.contains(&format!("reason-{}", reason.code())),
                "{reason:?}"
            );
        }
    }

    #[test]
    fn explanations_carry_the_triggering_values() {
        let detail = Detail::SubmissionPeriod {
            days: 7,
            threshold: 15,
            method_details: None,
        };
        let es = Explainer::new(Lang::Es).explain(Indicator::R003, &detail);
        assert_eq!(
            es,
            "El plazo de presentación fue de 7 días completos, menos que el mínimo de 15 días."
        );
        let en = Explainer::new(Lang::En).explain(
            Indicator::R003,
            &Detail::SubmissionPeriod {
                days: 4,
                threshold: 5,
                method_details: Some("x".into()),
            },
        );
        assert_eq!(
            en,
            "The submission period lasted 4 whole days, fewer than the minimum of 5 days set for “x”."
        );
        let gap = Detail::PriceGap(Box::new(PriceGapFigures {
            ratio: 0.005,
            fence: 0.0123,
            winner: "W".into(),
            runner_up: "L".into(),
            winning_amount: 100.0,
            second_amount: 100.5,
            currency: "GTQ".into(),
        }));
        let text = Explainer::new(Lang::En).explain(Indicator::R024, &gap);
        assert!(
            text.contains("0.5 %") && text.contains("1.23 %") && text.contains("100.5 GTQ"),
            "{text}"
        );
        assert_eq!(
            Explainer::new(Lang::Es).name(Indicator::Alp),
            "Precio anormalmente bajo"
        );
    }
}
