//! Settings: the reference calculator's INI file, read as is, plus Tianguis's own sections.
//!
//! Every section and property Cardinal 0.0.8 accepts is accepted here with the same meaning and
//! the same conversions (`config` 0.13: `true/on/yes` read as 1, numbers parsed from text,
//! unknown properties are errors). The sections of its `prepare` command (`[defaults]`,
//! `[codelists.*]`, `[redactions]`, `[corrections]`, `[modifications]`, `[output]`) are accepted
//! and kept so one settings file serves both tools, but the indicators do not use them, as in
//! the reference.
//!
//! Tianguis adds (issue 6, "Beyond it"): `fixed_price_procurement_methods` (an earlier name of
//! `no_price_comparison_procurement_methods`), `[R044]`, `[R055]`, `[abnormally_low_price]` and
//! `[market]`. Enabling an indicator is, as in the reference, the presence of its section.
//!
//! `[framework]` holds the thresholds of the framework-agreement red flags (issue 14,
//! [`crate::framework`]). Those flags read the platform's own facts, not compiled releases, so
//! the section only sets numbers (it enables nothing, like `[market]`); a file without it gets
//! [`FrameworkSettings::default`]. The reference never sees the section, so parity is unchanged.

pub mod ini;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use rust_decimal::Decimal;

pub use ini::Node;

/// Why a settings file could not be used. Codes are stable: scripts and the web layer match on them.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The file could not be read.
    #[error("cannot read the settings file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The text is not INI.
    #[error("settings line {line}, column {column}: {message}")]
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What was wrong.
        message: String,
    },
    /// A property or section that neither the reference nor Tianguis knows (the reference
    /// rejects these too, so a typo never silently disables an indicator).
    #[error("{path}: unknown property `{field}`, expected one of {expected}")]
    UnknownField {
        /// Where it was found (`` for the top level).
        path: String,
        /// The unknown name.
        field: String,
        /// The accepted names.
        expected: String,
    },
    /// A value of the wrong type.
    #[error("{path}: invalid value {value:?}, expected {expected}")]
    InvalidValue {
        /// The property.
        path: String,
        /// The text found.
        value: String,
        /// What was expected.
        expected: &'static str,
    },
}

impl SettingsError {
    /// Stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            SettingsError::Io { .. } => "settings.io",
            SettingsError::Syntax { .. } => "settings.syntax",
            SettingsError::UnknownField { .. } => "settings.unknown_field",
            SettingsError::InvalidValue { .. } => "settings.invalid_value",
        }
    }
}

/// R003 "Short submission period" (Cardinal docs `cli/indicators/R/003`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct R003Settings {
    /// Minimum whole days (default 15).
    pub threshold: Option<i64>,
    /// Only these `tender.procurementMethod` values (pipe-separated; empty = all).
    pub procurement_methods: Option<String>,
    /// Thresholds per `tender.procurementMethodDetails`, e.g. per national law.
    pub procurement_method_details: Option<BTreeMap<String, i64>>,
}

/// R018 "Single bid received".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct R018Settings {
    /// Competitive methods (default `open|selective`).
    pub procurement_methods: Option<String>,
}

/// R024 and R058: a fixed ratio instead of the outlier fence.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RatioSettings {
    /// The fence to use instead of the computed one.
    pub threshold: Option<f64>,
}

/// R025 "Excessive unsuccessful bids".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct R025Settings {
    /// Percentile of bids submitted above which a tenderer is considered (default 75).
    pub percentile: Option<usize>,
    /// Fixed lower fence of the win ratio.
    pub threshold: Option<f64>,
}

/// R035 "All except winning bid disqualified".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct R035Settings {
    /// Minimum number of disqualified tenderers (default 1).
    pub threshold: Option<usize>,
}

/// R038 "Excessive disqualified bids".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct R038Settings {
    /// Fixed upper fence of the disqualification ratio.
    pub threshold: Option<f64>,
    /// Minimum submitted bids for a tenderer to be considered (default 2).
    pub minimum_submitted_bids: Option<usize>,
    /// Minimum for a buyer or procuring entity (default 2). Note: the reference compares it to
    /// the number of submitted bids, not of processes; Tianguis does the same for parity.
    pub minimum_contracting_processes: Option<usize>,
}

/// R048 "Heterogeneous supplier".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct R048Settings {
    /// Leading digits of the item classification that make a category (default 2).
    pub digits: Option<usize>,
    /// Fixed upper fence of the number of categories.
    pub threshold: Option<usize>,
    /// Minimum processes won (default 20).
    pub minimum_contracting_processes: Option<usize>,
}

/// R044 "Business similarities between bidders" (Tianguis; Cardinal lists it but 0.0.8 lacks it).
#[derive(Debug, Clone, PartialEq)]
pub struct R044Settings {
    /// Compare postal addresses.
    pub address: bool,
    /// Compare contact-point e-mails.
    pub email: bool,
    /// Compare contact-point telephones.
    pub telephone: bool,
}

impl Default for R044Settings {
    fn default() -> Self {
        R044Settings {
            address: true,
            email: true,
            telephone: true,
        }
    }
}

/// R055 "Direct awards split below the competitive threshold" (Tianguis). The values come from
/// the platform's procurement rulebook; here they are plain configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct R055Settings {
    /// `tender.procurementMethod` values that are direct purchases (default `direct`).
    pub procurement_methods: String,
    /// The amount from which competition is required, in the main currency.
    pub threshold: Decimal,
    /// An award counts if its value is at least this share of the threshold (default 0.8):
    /// "just below".
    pub lower_ratio: Decimal,
    /// Window in days in which the awards are grouped (default 30).
    pub window_days: i64,
    /// Minimum number of such awards to the same supplier by the same buyer in a window
    /// (default 2).
    pub minimum_count: usize,
}

impl Default for R055Settings {
    fn default() -> Self {
        R055Settings {
            procurement_methods: "direct".into(),
            threshold: Decimal::from(90_000),
            lower_ratio: Decimal::new(8, 1),
            window_days: 30,
            minimum_count: 2,
        }
    }
}

/// The auction "abnormally low price" flag (issue 4): thresholds in percent.
#[derive(Debug, Clone, PartialEq)]
pub struct AbnormallyLowSettings {
    /// The winner is at least this many percent below the mean of the others' initial bids.
    pub below_mean_of_other_initial_percent: Decimal,
    /// The winner is at least this many percent below the runner-up.
    pub below_runner_up_percent: Decimal,
}

impl Default for AbnormallyLowSettings {
    fn default() -> Self {
        AbnormallyLowSettings {
            below_mean_of_other_initial_percent: Decimal::from(40),
            below_runner_up_percent: Decimal::from(30),
        }
    }
}

/// Market indicators (issue 6, "Market indicators").
#[derive(Debug, Clone, PartialEq)]
pub struct MarketSettings {
    /// Whether to compute them in the JSON report (default true).
    pub enabled: bool,
    /// Methods counted as direct purchases (default `direct`).
    pub direct_procurement_methods: String,
    /// Methods counted as competitive for the single-bid rate (default `open|selective`).
    pub competitive_procurement_methods: String,
    /// Leading characters of the classification id that make a category (default: all).
    pub category_digits: Option<usize>,
}

impl Default for MarketSettings {
    fn default() -> Self {
        MarketSettings {
            enabled: true,
            direct_procurement_methods: "direct".into(),
            competitive_procurement_methods: "open|selective".into(),
            category_digits: None,
        }
    }
}

/// Thresholds of the framework-agreement red flags (issue 14, [`crate::framework`]), section
/// `[framework]`. The defaults are the issue's.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameworkSettings {
    /// FA01: call-offs of one unit on one lot are grouped when placed at most this many days
    /// apart (default 30; inclusive, as R055's `window_days`).
    pub split_window_days: i64,
    /// FA04: a party's share of a lot's call-off value above which the lot is concentrated on
    /// it (default 0.8; strictly above). Between 0 and 1.
    pub concentration_share: Decimal,
    /// FA04: the fewest filled call-offs on a lot for the share to mean anything (default 5).
    pub concentration_minimum_call_offs: usize,
    /// FA06: ordered quantity or value at or above this share of the maximum is "near the
    /// maximum" (default 0.9; inclusive). Between 0 and 1.
    pub near_maximum_share: Decimal,
    /// FA03: the fewest call-offs a party must have received after unjustified skips of better
    /// ranks to make a pattern (default 3; inclusive).
    pub skip_pattern_minimum: usize,
}

impl Default for FrameworkSettings {
    fn default() -> Self {
        FrameworkSettings {
            split_window_days: 30,
            concentration_share: Decimal::new(8, 1),
            concentration_minimum_call_offs: 5,
            near_maximum_share: Decimal::new(9, 1),
            skip_pattern_minimum: 3,
        }
    }
}

/// All settings. Fields named as in the reference's settings file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settings {
    /// The main currency for money comparisons; if unset, the first one observed in file order.
    pub currency: Option<String>,
    /// `procurementMethodDetails` values whose prices must not be compared (pipe-separated).
    pub no_price_comparison_procurement_methods: Option<String>,
    /// If set, only these `procurementMethodDetails` values have prices compared.
    pub price_comparison_procurement_methods: Option<String>,
    /// `[exclusions] procurement_method_details`: processes ignored by every indicator.
    pub exclude_procurement_method_details: Option<String>,
    /// `[output] info_currency_mismatches` (accepted; only affects the reference's logging).
    pub info_currency_mismatches: Option<bool>,
    /// The `prepare` command's sections, kept verbatim.
    pub prepare: BTreeMap<String, Node>,
    /// R003 if enabled.
    pub r003: Option<R003Settings>,
    /// R018 if enabled.
    pub r018: Option<R018Settings>,
    /// R024 if enabled.
    pub r024: Option<RatioSettings>,
    /// R025 if enabled.
    pub r025: Option<R025Settings>,
    /// R028 if enabled.
    pub r028: bool,
    /// R030 if enabled.
    pub r030: bool,
    /// R035 if enabled.
    pub r035: Option<R035Settings>,
    /// R036 if enabled.
    pub r036: bool,
    /// R038 if enabled.
    pub r038: Option<R038Settings>,
    /// R044 if enabled.
    pub r044: Option<R044Settings>,
    /// R048 if enabled.
    pub r048: Option<R048Settings>,
    /// R055 if enabled.
    pub r055: Option<R055Settings>,
    /// R058 if enabled.
    pub r058: Option<RatioSettings>,
    /// The abnormally-low-price flag if enabled.
    pub abnormally_low_price: Option<AbnormallyLowSettings>,
    /// Market indicators.
    pub market: MarketSettings,
    /// Framework-agreement red flags (`[framework]`; always the defaults without the section).
    pub framework: FrameworkSettings,
}

struct Fields<'a> {
    path: String,
    map: &'a BTreeMap<String, Node>,
    allowed: &'static [&'static str],
}

impl<'a> Fields<'a> {
    fn new(
        path: &str,
        node: &'a Node,
        allowed: &'static [&'static str],
    ) -> Result<Self, SettingsError> {
        match node {
            Node::Table(map) => {
                for key in map.keys() {
                    if !allowed.contains(&key.as_str()) {
                        return Err(SettingsError::UnknownField {
                            path: path.to_string(),
                            field: key.clone(),
                            expected: allowed
                                .iter()
                                .map(|a| format!("`{a}`"))
                                .collect::<Vec<_>>()
                                .join(", "),
                        });
                    }
                }
                Ok(Fields {
                    path: path.to_string(),
                    map,
                    allowed,
                })
            }
            Node::Scalar(value) => Err(SettingsError::InvalidValue {
                path: path.to_string(),
                value: value.clone(),
                expected: "a section",
            }),
        }
    }

    fn child(&self, key: &str) -> String {
        debug_assert!(self.allowed.contains(&key));
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    fn node(&self, key: &str) -> Option<&'a Node> {
        self.map.get(key)
    }

    fn scalar(&self, key: &str) -> Result<Option<&'a str>, SettingsError> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Node::Scalar(s)) => Ok(Some(s)),
            Some(Node::Table(_)) => Err(SettingsError::InvalidValue {
                path: self.child(key),
                value: "[section]".into(),
                expected: "a value",
            }),
        }
    }

    fn string(&self, key: &str) -> Result<Option<String>, SettingsError> {
        Ok(self.scalar(key)?.map(str::to_string))
    }

    fn parsed<T: std::str::FromStr>(
        &self,
        key: &str,
        expected: &'static str,
        boolean: fn(bool) -> T,
    ) -> Result<Option<T>, SettingsError> {
        let Some(text) = self.scalar(key)? else {
            return Ok(None);
        };
        parse_scalar(text, expected, boolean)
            .map(Some)
            .ok_or_else(|| SettingsError::InvalidValue {
                path: self.child(key),
                value: text.to_string(),
                expected,
            })
    }

    fn int(&self, key: &str) -> Result<Option<i64>, SettingsError> {
        self.parsed(key, "an integer", i64::from)
    }

    fn uint(&self, key: &str) -> Result<Option<usize>, SettingsError> {
        self.parsed(key, "a natural number", usize::from)
    }

    fn float(&self, key: &str) -> Result<Option<f64>, SettingsError> {
        self.parsed(key, "a number", |b| if b { 1.0 } else { 0.0 })
    }

    fn decimal(&self, key: &str) -> Result<Option<Decimal>, SettingsError> {
        self.parsed(key, "a decimal number", |b| Decimal::from(u8::from(b)))
    }

    /// A decimal in (0, 1]: a share of a total.
    fn share(&self, key: &str) -> Result<Option<Decimal>, SettingsError> {
        let value = self.decimal(key)?;
        match value {
            Some(v) if v <= Decimal::ZERO || v > Decimal::ONE => Err(SettingsError::InvalidValue {
                path: self.child(key),
                value: v.to_string(),
                expected: "a share greater than 0 and at most 1",
            }),
            _ => Ok(value),
        }
    }

    fn boolean(&self, key: &str) -> Result<Option<bool>, SettingsError> {
        let Some(text) = self.scalar(key)? else {
            return Ok(None);
        };
        match text.to_lowercase().as_str() {
            "1" | "true" | "on" | "yes" => Ok(Some(true)),
            "0" | "false" | "off" | "no" => Ok(Some(false)),
            _ => Err(SettingsError::InvalidValue {
                path: self.child(key),
                value: text.to_string(),
                expected: "a boolean",
            }),
        }
    }
}

/// `config` 0.13 reads `true/on/yes` as 1 and `false/off/no` as 0 wherever a number is expected.
fn parse_scalar<T: std::str::FromStr>(
    text: &str,
    _expected: &str,
    boolean: fn(bool) -> T,
) -> Option<T> {
    match text.to_lowercase().as_str() {
        "true" | "on" | "yes" => Some(boolean(true)),
        "false" | "off" | "no" => Some(boolean(false)),
        _ => text.parse().ok(),
    }
}

const TOP: &[&str] = &[
    "output",
    "codelists",
    "defaults",
    "redactions",
    "corrections",
    "modifications",
    "currency",
    "no_price_comparison_procurement_methods",
    "price_comparison_procurement_methods",
    "fixed_price_procurement_methods",
    "exclusions",
    "R003",
    "R018",
    "R024",
    "R025",
    "R028",
    "R030",
    "R035",
    "R036",
    "R038",
    "R044",
    "R048",
    "R055",
    "R058",
    "abnormally_low_price",
    "market",
    "framework",
];

impl Settings {
    /// Reads a settings file.
    ///
    /// # Errors
    /// A [`SettingsError`] naming the file, line or property at fault.
    pub fn from_file(path: &Path) -> Result<Settings, SettingsError> {
        let text = std::fs::read_to_string(path).map_err(|source| SettingsError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Settings::from_ini(&text)
    }

    /// Reads settings from INI text.
    ///
    /// # Errors
    /// A [`SettingsError`] naming the line or property at fault.
    pub fn from_ini(text: &str) -> Result<Settings, SettingsError> {
        let root = ini::parse(text)?;
        Settings::from_tree(&root)
    }

    /// The settings of the parity fixtures and of the benchmark: every Cardinal indicator on,
    /// with its defaults. Useful for the platform when no file is configured.
    pub fn all_cardinal_indicators() -> Settings {
        Settings {
            r003: Some(R003Settings::default()),
            r018: Some(R018Settings::default()),
            r024: Some(RatioSettings::default()),
            r025: Some(R025Settings::default()),
            r028: true,
            r030: true,
            r035: Some(R035Settings::default()),
            r036: true,
            r038: Some(R038Settings::default()),
            r048: Some(R048Settings::default()),
            r058: Some(RatioSettings::default()),
            ..Settings::default()
        }
    }

    /// Every indicator this crate has, with defaults (Cardinal's plus R044, R055 and the
    /// abnormally-low-price flag).
    pub fn all_indicators() -> Settings {
        Settings {
            r044: Some(R044Settings::default()),
            r055: Some(R055Settings::default()),
            abnormally_low_price: Some(AbnormallyLowSettings::default()),
            ..Settings::all_cardinal_indicators()
        }
    }

    fn from_tree(root: &Node) -> Result<Settings, SettingsError> {
        let top = Fields::new("", root, TOP)?;
        let mut settings = Settings {
            currency: top.string("currency")?,
            no_price_comparison_procurement_methods: top
                .string("no_price_comparison_procurement_methods")?
                .or(top.string("fixed_price_procurement_methods")?),
            price_comparison_procurement_methods: top
                .string("price_comparison_procurement_methods")?,
            ..Settings::default()
        };
        for name in [
            "codelists",
            "defaults",
            "redactions",
            "corrections",
            "modifications",
        ] {
            if let Some(node) = top.node(name) {
                check_prepare_section(name, node)?;
                settings.prepare.insert(name.to_string(), node.clone());
            }
        }
        if let Some(node) = top.node("output") {
            let f = Fields::new("output", node, &["info_currency_mismatches"])?;
            settings.info_currency_mismatches = f.boolean("info_currency_mismatches")?;
        }
        if let Some(node) = top.node("exclusions") {
            let f = Fields::new("exclusions", node, &["procurement_method_details"])?;
            settings.exclude_procurement_method_details = f.string("procurement_method_details")?;
        }
        if let Some(node) = top.node("R003") {
            let f = Fields::new(
                "R003",
                node,
                &[
                    "threshold",
                    "procurement_methods",
                    "procurement_method_details",
                ],
            )?;
            let details = match f.node("procurement_method_details") {
                None => None,
                Some(node) => {
                    let Node::Table(map) = node else {
                        return Err(SettingsError::InvalidValue {
                            path: "R003.procurement_method_details".into(),
                            value: format!("{node:?}"),
                            expected: "a section of `details = days` properties",
                        });
                    };
                    let mut out = BTreeMap::new();
                    for (key, value) in map {
                        let path = format!("R003.procurement_method_details.{key}");
                        let Node::Scalar(text) = value else {
                            return Err(SettingsError::InvalidValue {
                                path,
                                value: "[section]".into(),
                                expected: "an integer",
                            });
                        };
                        let days =
                            parse_scalar(text, "an integer", i64::from).ok_or_else(|| {
                                SettingsError::InvalidValue {
                                    path,
                                    value: text.clone(),
                                    expected: "an integer",
                                }
                            })?;
                        out.insert(key.clone(), days);
                    }
                    Some(out)
                }
            };
            settings.r003 = Some(R003Settings {
                threshold: f.int("threshold")?,
                procurement_methods: f.string("procurement_methods")?,
                procurement_method_details: details,
            });
        }
        if let Some(node) = top.node("R018") {
            let f = Fields::new("R018", node, &["procurement_methods"])?;
            settings.r018 = Some(R018Settings {
                procurement_methods: f.string("procurement_methods")?,
            });
        }
        if let Some(node) = top.node("R024") {
            let f = Fields::new("R024", node, &["threshold"])?;
            settings.r024 = Some(RatioSettings {
                threshold: f.float("threshold")?,
            });
        }
        if let Some(node) = top.node("R025") {
            let f = Fields::new("R025", node, &["percentile", "threshold"])?;
            settings.r025 = Some(R025Settings {
                percentile: f.uint("percentile")?,
                threshold: f.float("threshold")?,
            });
        }
        if let Some(node) = top.node("R028") {
            Fields::new("R028", node, &[])?;
            settings.r028 = true;
        }
        if let Some(node) = top.node("R030") {
            Fields::new("R030", node, &[])?;
            settings.r030 = true;
        }
        if let Some(node) = top.node("R035") {
            let f = Fields::new("R035", node, &["threshold"])?;
            settings.r035 = Some(R035Settings {
                threshold: f.uint("threshold")?,
            });
        }
        if let Some(node) = top.node("R036") {
            Fields::new("R036", node, &[])?;
            settings.r036 = true;
        }
        if let Some(node) = top.node("R038") {
            let f = Fields::new(
                "R038",
                node,
                &[
                    "threshold",
                    "minimum_submitted_bids",
                    "minimum_contracting_processes",
                ],
            )?;
            settings.r038 = Some(R038Settings {
                threshold: f.float("threshold")?,
                minimum_submitted_bids: f.uint("minimum_submitted_bids")?,
                minimum_contracting_processes: f.uint("minimum_contracting_processes")?,
            });
        }
        if let Some(node) = top.node("R044") {
            let f = Fields::new("R044", node, &["address", "email", "telephone"])?;
            let d = R044Settings::default();
            settings.r044 = Some(R044Settings {
                address: f.boolean("address")?.unwrap_or(d.address),
                email: f.boolean("email")?.unwrap_or(d.email),
                telephone: f.boolean("telephone")?.unwrap_or(d.telephone),
            });
        }
        if let Some(node) = top.node("R048") {
            let f = Fields::new(
                "R048",
                node,
                &["digits", "threshold", "minimum_contracting_processes"],
            )?;
            settings.r048 = Some(R048Settings {
                digits: f.uint("digits")?,
                threshold: f.uint("threshold")?,
                minimum_contracting_processes: f.uint("minimum_contracting_processes")?,
            });
        }
        if let Some(node) = top.node("R055") {
            let f = Fields::new(
                "R055",
                node,
                &[
                    "procurement_methods",
                    "threshold",
                    "lower_ratio",
                    "window_days",
                    "minimum_count",
                ],
            )?;
            let d = R055Settings::default();
            settings.r055 = Some(R055Settings {
                procurement_methods: f
                    .string("procurement_methods")?
                    .unwrap_or(d.procurement_methods),
                threshold: f.decimal("threshold")?.unwrap_or(d.threshold),
                lower_ratio: f.decimal("lower_ratio")?.unwrap_or(d.lower_ratio),
                window_days: f.int("window_days")?.unwrap_or(d.window_days),
                minimum_count: f.uint("minimum_count")?.unwrap_or(d.minimum_count),
            });
        }
        if let Some(node) = top.node("R058") {
            let f = Fields::new("R058", node, &["threshold"])?;
            settings.r058 = Some(RatioSettings {
                threshold: f.float("threshold")?,
            });
        }
        if let Some(node) = top.node("abnormally_low_price") {
            let f = Fields::new(
                "abnormally_low_price",
                node,
                &[
                    "below_mean_of_other_initial_percent",
                    "below_runner_up_percent",
                ],
            )?;
            let d = AbnormallyLowSettings::default();
            settings.abnormally_low_price = Some(AbnormallyLowSettings {
                below_mean_of_other_initial_percent: f
                    .decimal("below_mean_of_other_initial_percent")?
                    .unwrap_or(d.below_mean_of_other_initial_percent),
                below_runner_up_percent: f
                    .decimal("below_runner_up_percent")?
                    .unwrap_or(d.below_runner_up_percent),
            });
        }
        if let Some(node) = top.node("market") {
            let f = Fields::new(
                "market",
                node,
                &[
                    "enabled",
                    "direct_procurement_methods",
                    "competitive_procurement_methods",
                    "category_digits",
                ],
            )?;
            let d = MarketSettings::default();
            settings.market = MarketSettings {
                enabled: f.boolean("enabled")?.unwrap_or(d.enabled),
                direct_procurement_methods: f
                    .string("direct_procurement_methods")?
                    .unwrap_or(d.direct_procurement_methods),
                competitive_procurement_methods: f
                    .string("competitive_procurement_methods")?
                    .unwrap_or(d.competitive_procurement_methods),
                category_digits: f.uint("category_digits")?,
            };
        }
        if let Some(node) = top.node("framework") {
            let f = Fields::new(
                "framework",
                node,
                &[
                    "split_window_days",
                    "concentration_share",
                    "concentration_minimum_call_offs",
                    "near_maximum_share",
                    "skip_pattern_minimum",
                ],
            )?;
            let d = FrameworkSettings::default();
            settings.framework = FrameworkSettings {
                split_window_days: match f.uint("split_window_days")? {
                    None => d.split_window_days,
                    Some(days) => i64::try_from(days).map_err(|_| SettingsError::InvalidValue {
                        path: "framework.split_window_days".into(),
                        value: days.to_string(),
                        expected: "a number of days",
                    })?,
                },
                concentration_share: f
                    .share("concentration_share")?
                    .unwrap_or(d.concentration_share),
                concentration_minimum_call_offs: f
                    .uint("concentration_minimum_call_offs")?
                    .unwrap_or(d.concentration_minimum_call_offs),
                near_maximum_share: f
                    .share("near_maximum_share")?
                    .unwrap_or(d.near_maximum_share),
                skip_pattern_minimum: f
                    .uint("skip_pattern_minimum")?
                    .unwrap_or(d.skip_pattern_minimum),
            };
        }
        Ok(settings)
    }
}

/// The reference validates its `prepare` sections too; an unknown property there is an error in
/// both tools.
fn check_prepare_section(name: &str, node: &Node) -> Result<(), SettingsError> {
    match name {
        "defaults" => {
            let f = Fields::new(
                name,
                node,
                &[
                    "currency",
                    "item_classification_scheme",
                    "bid_status",
                    "award_status",
                    "party_roles",
                ],
            )?;
            f.boolean("party_roles")?;
        }
        "redactions" => {
            Fields::new(name, node, &["amount", "organization_id"])?;
        }
        "corrections" => {
            let f = Fields::new(name, node, &["award_status_by_contract_status"])?;
            f.boolean("award_status_by_contract_status")?;
        }
        "modifications" => {
            let f = Fields::new(
                name,
                node,
                &[
                    "move_auctions",
                    "prefix_buyer_or_procuring_entity_id",
                    "prefix_tenderer_or_supplier_id",
                    "split_procurement_method_details",
                ],
            )?;
            f.boolean("move_auctions")?;
        }
        "codelists" => {
            let f = Fields::new(name, node, &["bid_status", "award_status"])?;
            for list in ["bid_status", "award_status"] {
                if let Some(node) = f.node(list) {
                    if let Node::Table(map) = node {
                        for (key, value) in map {
                            if matches!(value, Node::Table(_)) {
                                return Err(SettingsError::InvalidValue {
                                    path: format!("codelists.{list}.{key}"),
                                    value: "[section]".into(),
                                    expected: "a code",
                                });
                            }
                        }
                    } else {
                        return Err(SettingsError::InvalidValue {
                            path: format!("codelists.{list}"),
                            value: format!("{node:?}"),
                            expected: "a section",
                        });
                    }
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// Splits a pipe-separated list as the reference does (`split_terminator('|')`: a trailing pipe
/// adds nothing, an empty value is the empty set).
pub fn pipe_set(value: Option<&str>) -> BTreeSet<String> {
    value
        .unwrap_or_default()
        .split_terminator('|')
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn benchmark_settings_enable_every_cardinal_indicator() {
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/bench/all-indicators.ini"),
        )
        .unwrap();
        let settings = Settings::from_ini(&text).unwrap();
        let mut expected = Settings::all_cardinal_indicators();
        expected.prepare = settings.prepare.clone();
        assert_eq!(settings, expected);
        assert!(settings.prepare.contains_key("defaults"));
    }

    #[test]
    fn typed_values_follow_config_conversions() {
        let s = Settings::from_ini(
            "currency = GTQ\nno_price_comparison_procurement_methods = NPC|X\n[exclusions]\nprocurement_method_details = EXC\n[R003]\nthreshold = 10\nprocurement_methods = open|selective\n[R003.procurement_method_details]\nx = 5\ny = yes\n[R025]\npercentile = 60\nthreshold = 0.5\n[R038]\nminimum_submitted_bids = on\n[R048]\ndigits = 3\n",
        )
        .unwrap();
        assert_eq!(s.currency.as_deref(), Some("GTQ"));
        let r003 = s.r003.unwrap();
        assert_eq!(r003.threshold, Some(10));
        assert_eq!(r003.procurement_method_details.unwrap()["y"], 1);
        assert_eq!(s.r025.unwrap().threshold, Some(0.5));
        assert_eq!(s.r038.unwrap().minimum_submitted_bids, Some(1));
        assert_eq!(s.r048.unwrap().digits, Some(3));
        assert_eq!(s.exclude_procurement_method_details.as_deref(), Some("EXC"));
        assert_eq!(
            pipe_set(s.no_price_comparison_procurement_methods.as_deref()).len(),
            2
        );
    }

    #[test]
    fn errors_name_the_property_and_have_codes() {
        let e = Settings::from_ini("[R003]\nthreshold = 15 # default\n").unwrap_err();
        assert_eq!(e.code(), "settings.invalid_value");
        assert!(e.to_string().contains("R003.threshold"), "{e}");
        let e = Settings::from_ini("[R003]\nthreshhold = 15\n").unwrap_err();
        assert_eq!(e.code(), "settings.unknown_field");
        assert!(e.to_string().contains("threshhold"), "{e}");
        let e = Settings::from_ini("[R999]\n").unwrap_err();
        assert_eq!(e.code(), "settings.unknown_field");
        let e = Settings::from_ini("[R024]\nthreshold = abc\n").unwrap_err();
        assert_eq!(e.code(), "settings.invalid_value");
        let e = Settings::from_ini("[R025]\npercentile = -1\n").unwrap_err();
        assert_eq!(e.code(), "settings.invalid_value");
        let e = Settings::from_ini("[defaults]\ncolour = red\n").unwrap_err();
        assert_eq!(e.code(), "settings.unknown_field");
        let e = Settings::from_ini("[R003\n").unwrap_err();
        assert_eq!(e.code(), "settings.syntax");
        let e = Settings::from_file(Path::new("/nonexistent/settings.ini")).unwrap_err();
        assert_eq!(e.code(), "settings.io");
    }

    #[test]
    fn extension_sections_parse() {
        let s = Settings::from_ini(
            "fixed_price_procurement_methods = FP\n[R044]\ntelephone = false\n[R055]\nthreshold = 90000.50\nwindow_days = 10\n[abnormally_low_price]\nbelow_runner_up_percent = 25\n[market]\nenabled = no\n",
        )
        .unwrap();
        assert_eq!(
            s.no_price_comparison_procurement_methods.as_deref(),
            Some("FP")
        );
        assert!(!s.r044.unwrap().telephone);
        let r055 = s.r055.unwrap();
        assert_eq!(r055.threshold, Decimal::new(9_000_050, 2));
        assert_eq!(r055.window_days, 10);
        assert_eq!(
            s.abnormally_low_price.unwrap().below_runner_up_percent,
            Decimal::from(25)
        );
        assert!(!s.market.enabled);
    }

    #[test]
    fn framework_section_has_defaults_and_checks_shares() {
        assert_eq!(
            Settings::from_ini("").unwrap().framework,
            FrameworkSettings::default()
        );
        let d = FrameworkSettings::default();
        assert_eq!(d.split_window_days, 30);
        assert_eq!(d.concentration_share, Decimal::new(8, 1));
        assert_eq!(d.concentration_minimum_call_offs, 5);
        assert_eq!(d.near_maximum_share, Decimal::new(9, 1));
        assert_eq!(d.skip_pattern_minimum, 3);
        let s = Settings::from_ini(
            "[framework]\nsplit_window_days = 15\nconcentration_share = 0.75\nconcentration_minimum_call_offs = 10\nnear_maximum_share = 1\nskip_pattern_minimum = 2\n",
        )
        .unwrap();
        assert_eq!(
            s.framework,
            FrameworkSettings {
                split_window_days: 15,
                concentration_share: Decimal::new(75, 2),
                concentration_minimum_call_offs: 10,
                near_maximum_share: Decimal::ONE,
                skip_pattern_minimum: 2,
            }
        );
        // Nothing else is enabled by the section.
        assert_eq!(
            Settings {
                framework: FrameworkSettings::default(),
                ..s
            },
            Settings::default()
        );
        for bad in [
            "concentration_share = 0",
            "concentration_share = 1.5",
            "near_maximum_share = -0.1",
            "split_window_days = -1",
            "skip_pattern_minimum = x",
        ] {
            let e = Settings::from_ini(&format!("[framework]\n{bad}\n")).unwrap_err();
            assert_eq!(e.code(), "settings.invalid_value", "{bad}");
            assert!(e.to_string().contains("framework."), "{e}");
        }
        let e = Settings::from_ini("[framework]\nwindow_days = 3\n").unwrap_err();
        assert_eq!(e.code(), "settings.unknown_field");
    }

    #[test]
    fn pipe_sets_split_like_the_reference() {
        assert!(pipe_set(None).is_empty());
        assert!(pipe_set(Some("")).is_empty());
        assert_eq!(pipe_set(Some("a|")).len(), 1);
        assert_eq!(pipe_set(Some("a||b")).len(), 3);
    }
}
