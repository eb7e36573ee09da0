//! Red flags and market indicators over OCDS compiled releases (issue 6).
//!
//! * **Red flags** with the same definitions and numbers as the OCP red-flag calculator
//!   (Cardinal 0.0.8: R003, R018, R024, R025, R028, R030, R035, R036, R038, R048, R058), its
//!   INI settings file read as is, and its JSON shape (`--format cardinal`); plus R044, R055
//!   and the auction's abnormally-low-price flag, evaluations per lot, counts of where each
//!   indicator was not applicable and why, and explanations in Spanish and English.
//! * **Framework-agreement red flags** (issue 14, [`framework`]): split call-offs, cascade ranks
//!   skipped without a valid reason, concentration on one party, use above the estimate or near
//!   the maximum, agreements longer than the rulebook allows — over plain facts the platform
//!   fills from its database, not OCDS.
//! * **Market indicators** per buyer, category and year (suppliers, new entrants, top-4/10
//!   shares, HHI, single-bid rate, direct purchases, bidders, savings) and unit price
//!   benchmarks against the analyst's reference prices.
//!
//! Entry points: [`analyze`] for a JSON-lines stream (the CLI, [`cli`]), [`analyze_releases`]
//! for releases already in memory (the platform), then [`Analysis::report`] or
//! [`Analysis::cardinal`]. Module layout: [`settings`] (INI), [`input`] (blocks of lines, gzip),
//! [`json`] (validating reader), [`release`] (the fields read), [`flags`] (fold and finalize), [`market`] and [`prices`],
//! [`run`] (threads), [`report`], [`cardinal`] and [`explain`] (outputs), [`stats`]; [`framework`]
//! stands apart (its own input, [`framework::evaluate`]).

pub mod cardinal;
pub mod cli;
pub mod explain;
pub mod flags;
pub mod framework;
pub mod input;
pub mod json;
pub mod market;
pub mod prices;
pub mod release;
pub mod report;
pub mod run;
pub mod settings;
pub mod stats;

pub use explain::Lang;
pub use flags::finalize::Outcome;
pub use flags::{Detail, Group, Indicator};
pub use input::{BlockReader, InputError};
pub use market::MarketReport;
pub use prices::{ReferencePriceError, ReferencePrices};
pub use report::Report;
pub use settings::{FrameworkSettings, Settings, SettingsError};

use flags::engine::Engine;

/// Any error of this crate, with a stable code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Settings file.
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// Input stream.
    #[error(transparent)]
    Input(#[from] InputError),
    /// Reference price list.
    #[error(transparent)]
    ReferencePrices(#[from] ReferencePriceError),
}

impl Error {
    /// Stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Settings(e) => e.code(),
            Error::Input(e) => e.code(),
            Error::ReferencePrices(e) => e.code(),
        }
    }
}

/// What to compute.
#[derive(Debug, Clone)]
pub struct Options {
    /// The full report (explanations, lots, R044/R055/ALP, market) or only the reference's
    /// indicators with its exact numbers (`--format cardinal`, and faster).
    pub full_report: bool,
    /// Build the reference's `Maps`.
    pub map: bool,
    /// Worker threads (0 = one per core).
    pub threads: usize,
    /// The analyst's reference prices for the price benchmarks.
    pub reference_prices: Option<ReferencePrices>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            full_report: true,
            map: false,
            threads: 0,
            reference_prices: None,
        }
    }
}

/// The computed results.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// The settings used.
    pub settings: Settings,
    /// Red flags.
    pub outcome: Outcome,
    /// Market indicators (full report with `[market]` enabled).
    pub market: Option<MarketReport>,
}

impl Analysis {
    /// The JSON report in a language.
    pub fn report(&self, lang: Lang) -> Report {
        report::build(&self.settings, &self.outcome, self.market.clone(), lang)
    }

    /// The reference's JSON.
    pub fn cardinal(&self, no_meta: bool, map: bool) -> serde_json::Value {
        cardinal::to_value(&self.outcome, no_meta, map)
    }
}

fn threads(requested: usize) -> usize {
    if requested > 0 {
        requested
    } else {
        std::thread::available_parallelism().map_or(1, usize::from)
    }
}

/// Analyses a stream of JSON lines.
///
/// # Errors
/// [`Error::Input`] if the stream cannot be read (malformed lines are reported in the results).
pub fn analyze(
    reader: BlockReader,
    settings: &Settings,
    options: &Options,
    progress: Option<run::Progress<'_>>,
) -> Result<Analysis, Error> {
    let engine = Engine::new(
        settings,
        options.full_report,
        options.full_report,
        options.map,
    );
    let mut acc = run::run(&engine, reader, threads(options.threads), progress)?;
    let market_acc = std::mem::take(&mut acc.market);
    let outcome = flags::finalize::finalize(&engine, acc);
    let market = engine
        .market
        .is_some()
        .then(|| market::finalize(market_acc, options.reference_prices.as_ref()));
    Ok(Analysis {
        settings: settings.clone(),
        outcome,
        market,
    })
}

/// Analyses compiled releases already in memory (the platform's own processes plus imported
/// ones). Each value is one compiled release; line numbers in the results are 1-based indexes.
///
/// # Errors
/// Only if serialising a value fails, which `serde_json::Value` does not do.
pub fn analyze_releases<'a>(
    releases: impl IntoIterator<Item = &'a serde_json::Value>,
    settings: &Settings,
    options: &Options,
) -> Result<Analysis, Error> {
    let mut text = Vec::new();
    for release in releases {
        serde_json::to_writer(&mut text, release).map_err(|e| InputError::Io {
            path: "<memory>".into(),
            source: std::io::Error::other(e),
        })?;
        text.push(b'\n');
    }
    let reader = BlockReader::new(Box::new(std::io::Cursor::new(text)), "<memory>")?;
    analyze(reader, settings, options, None)
}
