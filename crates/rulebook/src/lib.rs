//! Procurement rulebooks as configuration (issue 3, item 4; product principle 6, "rules are
//! configuration"): procurement methods, value thresholds, minimum bidding periods, standstill
//! days, minimum number of bids, whether an electronic reverse auction follows, the evaluation
//! method and the exception cases for direct awards — all read from a versioned TOML file per
//! jurisdiction, with the legal article of every value.
//!
//! Two profiles are embedded: `gt` (Guatemala, Ley de Contrataciones del Estado, Decreto 57-92
//! and its reforms) and `un` (UN-style solicitation methods). Any other file can be loaded with
//! [`Rulebook::from_path`] (the platform's `--rulebook FILE`).
//!
//! ```
//! use chrono::{DateTime, Utc};
//! use tianguis_rulebook::{Rulebook, TenderPlan};
//!
//! let gt = Rulebook::load_embedded("gt").unwrap();
//! let value = "450000.00".parse().unwrap();
//! assert_eq!(gt.suggest_methods(value)[0].code(), "cotizacion");
//!
//! let published_at: DateTime<Utc> = "2025-03-03T15:00:00Z".parse().unwrap(); // Monday 09:00 GT
//! let plan = TenderPlan {
//!     method: "licitacion".into(), // wrong for Q450,000: cotización applies
//!     estimated_value: value,
//!     currency: "GTQ".into(),
//!     published_at,
//!     bid_deadline: Some("2025-03-06T16:00:00Z".parse().unwrap()),
//!     clarification_deadline: None,
//!     justification: None,
//!     exception_category: None,
//!     lots: vec![],
//!     framework: None,
//! };
//! let refused = gt.check_tender(&plan).unwrap_err();
//! let codes: Vec<_> = refused.iter().map(|v| v.code()).collect();
//! assert!(codes.contains(&"rule.value_below_method_min"));
//! assert!(codes.contains(&"rule.period_too_short"));
//! assert!(refused[0].citation.article.contains("38 LCE"));
//! ```
//!
//! Module layout: [`model`] (the validated rulebook), [`calendar`] (weekends, holidays, Holy
//! Week, business-day arithmetic), [`check`] (tender plans, violations, deadlines), [`error`]
//! (load errors with `rulebook.*` codes); the private `raw` and `build` modules read the file.

#![warn(missing_docs)]

pub mod calendar;
pub mod check;
pub mod error;
pub mod model;

mod build;
mod raw;

pub use build::EMBEDDED;
pub use calendar::{HolidayCalendar, easter_sunday};
pub use check::{
    BidCountOutcome, Citation, FrameworkPlan, LotPlan, PublicFlag, RuleViolation, TenderPlan,
    Violation,
};
pub use error::RulebookError;
pub use model::{
    AuctionFeature, BelowMinimum, DaysKind, EvaluationKind, FeatureOption, Method, OcdsMethod,
    Rulebook, ValueRange,
};
pub use tianguis_auction::AuctionRules;
