//! Unit price benchmarks per catalogue item (issue 6, "price benchmarks"): median, quartiles,
//! minimum and maximum by item classification, buyer and year, the ratio to a reference price
//! list the analyst provides, and outliers.
//!
//! Statistics use the same type-8 quartiles and inclusive 1.5·IQR fences as the red flags, so
//! an analyst reads "outlier" the same way everywhere. Groups with fewer than 4 observations
//! get no fences (quartiles of 3 numbers say nothing about outliers).
//!
//! Reference price list (`--reference-prices FILE.csv`): UTF-8 CSV with a header row naming at
//! least `classification_id` and `unit_price` (a decimal with `.`), optionally `currency`
//! (rows in another currency than the report's are ignored) and `description`. Columns may be
//! in any order; extra columns are ignored. Fields may be double-quoted (`""` inside quotes is
//! a quote).

use std::collections::BTreeMap;
use std::path::Path;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::flags::Pos;
use crate::stats;

/// One unit price seen in an award item.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceObservation {
    /// Position of the process.
    pub pos: Pos,
    /// `/ocid`.
    pub ocid: Box<str>,
    /// `awards[]/items[]/unit/value/amount`.
    pub unit_price: f64,
}

/// `(classification id, buyer or all, year)`.
pub type PriceKey = (Box<str>, Option<Box<str>>, i32);

/// Unit prices grouped for benchmarks.
pub type PriceGroups = FxHashMap<PriceKey, Vec<PriceObservation>>;

/// Why the reference price list could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReferencePriceError {
    /// The file could not be read.
    #[error("cannot read the reference prices {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A required column is missing from the header.
    #[error("reference prices: the header has no `{0}` column")]
    MissingColumn(&'static str),
    /// A row is malformed.
    #[error("reference prices line {line}: {message}")]
    Row {
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

impl ReferencePriceError {
    /// Stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            ReferencePriceError::Io { .. } => "reference_prices.io",
            ReferencePriceError::MissingColumn(_) => "reference_prices.missing_column",
            ReferencePriceError::Row { .. } => "reference_prices.invalid_row",
        }
    }
}

/// A reference price.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReferencePrice {
    /// Unit price.
    pub unit_price: Decimal,
    /// Currency, if given.
    pub currency: Option<String>,
    /// Description, if given.
    pub description: Option<String>,
}

/// The analyst's reference price list, by classification id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReferencePrices {
    /// Prices.
    pub prices: BTreeMap<String, ReferencePrice>,
}

fn split_csv_line(line: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut at_start = true;
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
        } else if c == '"' && at_start {
            quoted = true;
            at_start = false;
        } else if c == ',' {
            fields.push(std::mem::take(&mut field));
            at_start = true;
        } else {
            field.push(c);
            at_start = false;
        }
    }
    if quoted {
        return Err("unterminated quoted field".into());
    }
    fields.push(field);
    Ok(fields)
}

impl ReferencePrices {
    /// Reads a CSV file.
    ///
    /// # Errors
    /// [`ReferencePriceError`] with the line at fault.
    pub fn from_file(path: &Path) -> Result<ReferencePrices, ReferencePriceError> {
        let text = std::fs::read_to_string(path).map_err(|source| ReferencePriceError::Io {
            path: path.display().to_string(),
            source,
        })?;
        ReferencePrices::from_csv(&text)
    }

    /// Parses CSV text.
    ///
    /// # Errors
    /// [`ReferencePriceError`] with the line at fault.
    pub fn from_csv(text: &str) -> Result<ReferencePrices, ReferencePriceError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty());
        let Some((_, header)) = lines.next() else {
            return Err(ReferencePriceError::MissingColumn("classification_id"));
        };
        let header = split_csv_line(header)
            .map_err(|message| ReferencePriceError::Row { line: 1, message })?;
        let column = |name: &str| {
            header
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name))
        };
        let id_col = column("classification_id")
            .ok_or(ReferencePriceError::MissingColumn("classification_id"))?;
        let price_col =
            column("unit_price").ok_or(ReferencePriceError::MissingColumn("unit_price"))?;
        let currency_col = column("currency");
        let description_col = column("description");
        let mut prices = BTreeMap::new();
        for (i, line) in lines {
            let line_no = i + 1;
            let fields = split_csv_line(line).map_err(|message| ReferencePriceError::Row {
                line: line_no,
                message,
            })?;
            let get = |col: usize| fields.get(col).map(|f| f.trim().to_string());
            let id =
                get(id_col)
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| ReferencePriceError::Row {
                        line: line_no,
                        message: "empty classification_id".into(),
                    })?;
            let price_text = get(price_col).unwrap_or_default();
            let unit_price: Decimal = price_text.parse().map_err(|_| ReferencePriceError::Row {
                line: line_no,
                message: format!("unit_price {price_text:?} is not a decimal number"),
            })?;
            if unit_price <= Decimal::ZERO {
                return Err(ReferencePriceError::Row {
                    line: line_no,
                    message: "unit_price must be positive".into(),
                });
            }
            prices.insert(
                id,
                ReferencePrice {
                    unit_price,
                    currency: currency_col.and_then(get).filter(|s| !s.is_empty()),
                    description: description_col.and_then(get).filter(|s| !s.is_empty()),
                },
            );
        }
        Ok(ReferencePrices { prices })
    }
}

/// An observation outside the fences.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriceOutlier {
    /// The process.
    pub ocid: String,
    /// The unit price.
    pub unit_price: f64,
    /// `low` or `high`.
    pub side: &'static str,
}

/// Benchmarks of one classification for one buyer (or all) and year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriceRow {
    /// Item classification id.
    pub classification: String,
    /// Buyer (absent = all buyers).
    pub buyer: Option<String>,
    /// Year.
    pub year: i32,
    /// Observations.
    pub count: usize,
    /// Minimum.
    pub min: f64,
    /// First quartile (type 8).
    pub q1: f64,
    /// Median (type 8).
    pub median: f64,
    /// Third quartile (type 8).
    pub q3: f64,
    /// Maximum.
    pub max: f64,
    /// `Q1 − 1.5·IQR` (with at least 4 observations).
    pub lower_fence: Option<f64>,
    /// `Q3 + 1.5·IQR` (with at least 4 observations).
    pub upper_fence: Option<f64>,
    /// The analyst's reference price.
    pub reference_price: Option<Decimal>,
    /// `median / reference_price`.
    pub median_to_reference: Option<f64>,
    /// Observations at or beyond a fence, in file order.
    pub outliers: Vec<PriceOutlier>,
}

/// All price benchmarks.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PriceReport {
    /// Rows by classification, year, buyer (all buyers first).
    pub rows: Vec<PriceRow>,
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// Computes the rows.
pub fn finalize(
    groups: PriceGroups,
    reference: Option<&ReferencePrices>,
    currency: Option<&str>,
) -> PriceReport {
    let mut groups: Vec<_> = groups.into_iter().collect();
    groups.sort_by(|a, b| (&a.0.0, a.0.2, &a.0.1).cmp(&(&b.0.0, b.0.2, &b.0.1)));
    let rows = groups
        .into_iter()
        .map(|((classification, buyer, year), mut obs)| {
            obs.sort_by_key(|o| o.pos);
            let mut values: Vec<f64> = obs.iter().map(|o| o.unit_price).collect();
            let (q1, q3) = stats::quartiles(&mut values);
            let median = stats::median(&mut values);
            let min = values.iter().copied().fold(f64::INFINITY, f64::min);
            let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let fences =
                (obs.len() >= 4).then(|| (stats::lower_fence(q1, q3), stats::upper_fence(q1, q3)));
            let outliers = match fences {
                Some((low, high)) if high > low => obs
                    .iter()
                    .filter_map(|o| {
                        let side = if o.unit_price <= low {
                            "low"
                        } else if o.unit_price >= high {
                            "high"
                        } else {
                            return None;
                        };
                        Some(PriceOutlier {
                            ocid: o.ocid.to_string(),
                            unit_price: o.unit_price,
                            side,
                        })
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let reference_price = reference
                .and_then(|r| r.prices.get(&*classification))
                .filter(|p| p.currency.is_none() || p.currency.as_deref() == currency)
                .map(|p| p.unit_price);
            let median_to_reference = reference_price
                .and_then(|p| p.to_f64())
                .filter(|p| *p > 0.0)
                .map(|p| round6(median / p));
            PriceRow {
                classification: classification.into(),
                buyer: buyer.map(String::from),
                year,
                count: obs.len(),
                min,
                q1,
                median,
                q3,
                max,
                lower_fence: fences.map(|f| f.0),
                upper_fence: fences.map(|f| f.1),
                reference_price,
                median_to_reference,
                outliers,
            }
        })
        .collect();
    PriceReport { rows }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_csv_reads_any_column_order_and_quotes() {
        let r = ReferencePrices::from_csv(
            "description,unit_price,classification_id,currency\n\"Paracetamol, 500 mg\",0.25,N02BE01,GTQ\n\"Amoxicilina \"\"500\"\"\",1.10,J01CA04,\n",
        )
        .unwrap();
        assert_eq!(r.prices["N02BE01"].unit_price, Decimal::new(25, 2));
        assert_eq!(
            r.prices["N02BE01"].description.as_deref(),
            Some("Paracetamol, 500 mg")
        );
        assert_eq!(r.prices["J01CA04"].currency, None);
        assert_eq!(
            r.prices["J01CA04"].description.as_deref(),
            Some("Amoxicilina \"500\"")
        );
    }

    #[test]
    fn reference_csv_errors_have_codes_and_lines() {
        assert_eq!(
            ReferencePrices::from_csv("id,price\n").unwrap_err().code(),
            "reference_prices.missing_column"
        );
        let e = ReferencePrices::from_csv("classification_id,unit_price\nA,abc\n").unwrap_err();
        assert_eq!(e.code(), "reference_prices.invalid_row");
        assert!(e.to_string().contains("line 2"), "{e}");
        assert!(ReferencePrices::from_csv("classification_id,unit_price\nA,-1\n").is_err());
        assert!(ReferencePrices::from_csv("classification_id,unit_price\n\"A,1\n").is_err());
    }

    #[test]
    fn benchmarks_match_hand_computed_values() {
        let mut groups = FxHashMap::default();
        let obs: Vec<PriceObservation> = [10.0, 11.0, 12.0, 13.0, 100.0]
            .iter()
            .enumerate()
            .map(|(i, p)| PriceObservation {
                pos: Pos {
                    block: 0,
                    line: i as u32,
                },
                ocid: format!("o{i}").into(),
                unit_price: *p,
            })
            .collect();
        groups.insert((Box::from("X"), None, 2024), obs);
        let reference = ReferencePrices::from_csv("classification_id,unit_price\nX,10\n").unwrap();
        let report = finalize(groups, Some(&reference), Some("GTQ"));
        let row = &report.rows[0];
        // type 8, n = 5: h(0.25) = 1.666…, h(0.5) = 3, h(0.75) = 4.333…
        assert_eq!(row.median, 12.0);
        assert!((row.q1 - 10.666_666_666_666_666).abs() < 1e-9, "{}", row.q1);
        assert!((row.q3 - 42.0).abs() < 1e-9, "{}", row.q3);
        assert_eq!((row.min, row.max), (10.0, 100.0));
        assert_eq!(row.median_to_reference, Some(1.2));
        // IQR = 31.333…; upper fence = 89 → 100 is a high outlier.
        assert_eq!(row.outliers.len(), 1);
        assert_eq!(row.outliers[0].ocid, "o4");
        assert_eq!(row.outliers[0].side, "high");
    }
}
