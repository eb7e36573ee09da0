//! Why a rulebook file was refused. Each variant has a stable code (`rulebook.*`) that pages and
//! the CLI translate; `path` is the key path in the file (e.g. `methods[2].value_range.max`) and
//! `line` the 1-based line where the parser located the problem, when it could.

use rust_decimal::Decimal;

/// A rulebook that cannot be loaded. Nothing is loaded when any of these is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RulebookError {
    /// The text is not valid TOML.
    #[error("rulebook.toml_syntax: line {line}, column {column}: {message}")]
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// Parser message.
        message: String,
    },
    /// A key the format does not define (a typo would otherwise fall back to a default).
    #[error("rulebook.unknown_key at {path} (line {line:?}): {message}")]
    UnknownKey {
        /// Key path of the table holding the key.
        path: String,
        /// Line, when known.
        line: Option<usize>,
        /// Parser message naming the key and the expected ones.
        message: String,
    },
    /// A value of the wrong TOML type (e.g. a number where a money string is required).
    #[error("rulebook.wrong_type at {path} (line {line:?}): {message}")]
    WrongType {
        /// Key path.
        path: String,
        /// Line, when known.
        line: Option<usize>,
        /// Parser message.
        message: String,
    },
    /// A required key is absent.
    #[error("rulebook.missing_key at {path}: {message}")]
    MissingKey {
        /// Path of the table missing the key.
        path: String,
        /// Parser message naming the key.
        message: String,
    },
    /// A value outside the allowed set (unknown enum variant, out-of-range number).
    #[error("rulebook.invalid_value at {path} (line {line:?}): {message}")]
    InvalidValue {
        /// Key path.
        path: String,
        /// Line, when known.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// A money or weight string that is not a decimal number.
    #[error("rulebook.invalid_money at {path}: {text:?} is not a decimal amount")]
    InvalidMoney {
        /// Key path.
        path: String,
        /// The text found.
        text: String,
    },
    /// A negative amount.
    #[error("rulebook.negative_money at {path}: {value}")]
    NegativeMoney {
        /// Key path.
        path: String,
        /// The amount.
        value: Decimal,
    },
    /// An amount with more decimals than the currency has.
    #[error(
        "rulebook.money_too_many_decimals at {path}: {value} has more than {decimals} decimals"
    )]
    MoneyTooManyDecimals {
        /// Key path.
        path: String,
        /// The amount.
        value: Decimal,
        /// The currency's decimals.
        decimals: u32,
    },
    /// A date that is not a plain date (`2016-11-01`) or a malformed `MM-DD`.
    #[error("rulebook.invalid_date at {path}: {text}")]
    InvalidDate {
        /// Key path.
        path: String,
        /// The text found.
        text: String,
    },
    /// A holiday with none or several of `date`, `easter_offset`, `on`.
    #[error("rulebook.invalid_holiday at {path}: {reason}")]
    InvalidHoliday {
        /// Key path.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// `effective_until` before `effective_from`.
    #[error("rulebook.invalid_effective_period: {until} is before {from}")]
    InvalidEffectivePeriod {
        /// effective_from.
        from: String,
        /// effective_until.
        until: String,
    },
    /// A time zone name not in the IANA database.
    #[error("rulebook.unknown_timezone: {timezone:?}")]
    UnknownTimezone {
        /// The name found.
        timezone: String,
    },
    /// A currency that is not three upper-case letters, or decimals above 4.
    #[error("rulebook.invalid_currency: {currency:?} with {decimals} decimals")]
    InvalidCurrency {
        /// The code found.
        currency: String,
        /// The decimals found.
        decimals: u32,
    },
    /// A required text (id, version, name, citation …) is blank.
    #[error("rulebook.empty_field at {path}")]
    EmptyField {
        /// Key path.
        path: String,
    },
    /// A rule section without its legal citation (`cite`).
    #[error("rulebook.missing_citation at {path}")]
    MissingCitation {
        /// Key path of the section.
        path: String,
    },
    /// Two methods with the same code.
    #[error("rulebook.duplicate_method: {code}")]
    DuplicateMethod {
        /// The code.
        code: String,
    },
    /// A value range with no value inside (min above max, or equal with an open end).
    #[error("rulebook.empty_range in method {method}")]
    EmptyRange {
        /// Method code.
        method: String,
    },
    /// `value_partition` names a method that does not exist or names one twice.
    #[error("rulebook.partition_unknown_method: {method}")]
    PartitionUnknownMethod {
        /// The code.
        method: String,
    },
    /// The first method of the partition does not start at zero.
    #[error("rulebook.partition_not_from_zero: {method} starts at {min}")]
    PartitionNotFromZero {
        /// Method code.
        method: String,
        /// Its minimum.
        min: Decimal,
    },
    /// Values between two consecutive partition methods belong to neither.
    #[error("rulebook.range_gap between {below} and {above}")]
    RangeGap {
        /// Lower method.
        below: String,
        /// Upper method.
        above: String,
    },
    /// Values belong to two consecutive partition methods at once.
    #[error("rulebook.range_overlap between {below} and {above}")]
    RangeOverlap {
        /// Lower method.
        below: String,
        /// Upper method.
        above: String,
    },
    /// The last partition method has an upper bound, so large values fit no method.
    #[error("rulebook.partition_bounded: {method} has a maximum")]
    PartitionBounded {
        /// Method code.
        method: String,
    },
    /// A period of zero days, or a clarification window not shorter than the bidding period.
    #[error("rulebook.invalid_period in method {method}: {reason}")]
    InvalidPeriod {
        /// Method code.
        method: String,
        /// What is wrong.
        reason: String,
    },
    /// Weighted criteria whose weights do not add up to exactly 100.
    #[error("rulebook.weights_not_100 in method {method}: they sum to {sum}")]
    WeightsNot100 {
        /// Method code.
        method: String,
        /// The sum found.
        sum: Decimal,
    },
    /// A weight of zero or less.
    #[error("rulebook.weight_not_positive in method {method}: {criterion}")]
    WeightNotPositive {
        /// Method code.
        method: String,
        /// Criterion code.
        criterion: String,
    },
    /// Criteria present on a non-weighted evaluation, absent on a weighted one, or repeated.
    #[error("rulebook.invalid_criteria in method {method}: {reason}")]
    InvalidCriteria {
        /// Method code.
        method: String,
        /// What is wrong.
        reason: String,
    },
    /// Two exception categories with the same code.
    #[error("rulebook.duplicate_exception_category: {code}")]
    DuplicateExceptionCategory {
        /// The code.
        code: String,
    },
    /// A method refers to an exception category the rulebook does not define, or requires one
    /// while the rulebook defines none.
    #[error("rulebook.unknown_exception_category in method {method}: {category}")]
    UnknownExceptionCategory {
        /// Method code.
        method: String,
        /// The category.
        category: String,
    },
    /// A public opening without sealed bids (there would be nothing to open).
    #[error("rulebook.public_opening_without_sealed_bids in method {method}")]
    PublicOpeningWithoutSealedBids {
        /// Method code.
        method: String,
    },
    /// A framework with a zero maximum duration.
    #[error("rulebook.invalid_framework in method {method}: {reason}")]
    InvalidFramework {
        /// Method code.
        method: String,
        /// What is wrong.
        reason: String,
    },
    /// `unconfirmed` names a section the method does not have.
    #[error("rulebook.unknown_unconfirmed_section in method {method}: {section}")]
    UnknownUnconfirmedSection {
        /// Method code.
        method: String,
        /// The section named.
        section: String,
    },
    /// The embedded auction rules fail the auction engine's own validation.
    #[error("rulebook.invalid_auction in method {method}: {source}")]
    InvalidAuction {
        /// Method code.
        method: String,
        /// The auction engine's error (its code is `auction.rules.*`).
        source: tianguis_auction::RulesError,
    },
    /// The non-price features of a method's auction do not fit its ranking or the engine's
    /// bounds (issue 4: score = price ÷ (1 + Σ feature values)).
    #[error("rulebook.invalid_auction_features in method {method}: {reason}")]
    InvalidAuctionFeatures {
        /// Method code.
        method: String,
        /// What is wrong, naming the feature or option.
        reason: String,
    },
    /// `load_embedded` with an id no embedded rulebook has.
    #[error("rulebook.unknown_embedded: {id:?} (available: gt or gt-lce, un or un-style)")]
    UnknownEmbedded {
        /// The id asked for.
        id: String,
    },
    /// The file could not be read.
    #[error("rulebook.io: {path}: {message}")]
    Io {
        /// The path.
        path: String,
        /// The OS message.
        message: String,
    },
}

impl RulebookError {
    /// The stable machine code, e.g. `rulebook.weights_not_100`.
    pub fn code(&self) -> &'static str {
        match self {
            RulebookError::Syntax { .. } => "rulebook.toml_syntax",
            RulebookError::UnknownKey { .. } => "rulebook.unknown_key",
            RulebookError::WrongType { .. } => "rulebook.wrong_type",
            RulebookError::MissingKey { .. } => "rulebook.missing_key",
            RulebookError::InvalidValue { .. } => "rulebook.invalid_value",
            RulebookError::InvalidMoney { .. } => "rulebook.invalid_money",
            RulebookError::NegativeMoney { .. } => "rulebook.negative_money",
            RulebookError::MoneyTooManyDecimals { .. } => "rulebook.money_too_many_decimals",
            RulebookError::InvalidDate { .. } => "rulebook.invalid_date",
            RulebookError::InvalidHoliday { .. } => "rulebook.invalid_holiday",
            RulebookError::InvalidEffectivePeriod { .. } => "rulebook.invalid_effective_period",
            RulebookError::UnknownTimezone { .. } => "rulebook.unknown_timezone",
            RulebookError::InvalidCurrency { .. } => "rulebook.invalid_currency",
            RulebookError::EmptyField { .. } => "rulebook.empty_field",
            RulebookError::MissingCitation { .. } => "rulebook.missing_citation",
            RulebookError::DuplicateMethod { .. } => "rulebook.duplicate_method",
            RulebookError::EmptyRange { .. } => "rulebook.empty_range",
            RulebookError::PartitionUnknownMethod { .. } => "rulebook.partition_unknown_method",
            RulebookError::PartitionNotFromZero { .. } => "rulebook.partition_not_from_zero",
            RulebookError::RangeGap { .. } => "rulebook.range_gap",
            RulebookError::RangeOverlap { .. } => "rulebook.range_overlap",
            RulebookError::PartitionBounded { .. } => "rulebook.partition_bounded",
            RulebookError::InvalidPeriod { .. } => "rulebook.invalid_period",
            RulebookError::WeightsNot100 { .. } => "rulebook.weights_not_100",
            RulebookError::WeightNotPositive { .. } => "rulebook.weight_not_positive",
            RulebookError::InvalidCriteria { .. } => "rulebook.invalid_criteria",
            RulebookError::DuplicateExceptionCategory { .. } => {
                "rulebook.duplicate_exception_category"
            }
            RulebookError::UnknownExceptionCategory { .. } => "rulebook.unknown_exception_category",
            RulebookError::PublicOpeningWithoutSealedBids { .. } => {
                "rulebook.public_opening_without_sealed_bids"
            }
            RulebookError::InvalidFramework { .. } => "rulebook.invalid_framework",
            RulebookError::UnknownUnconfirmedSection { .. } => {
                "rulebook.unknown_unconfirmed_section"
            }
            RulebookError::InvalidAuction { .. } => "rulebook.invalid_auction",
            RulebookError::InvalidAuctionFeatures { .. } => "rulebook.invalid_auction_features",
            RulebookError::UnknownEmbedded { .. } => "rulebook.unknown_embedded",
            RulebookError::Io { .. } => "rulebook.io",
        }
    }
}
