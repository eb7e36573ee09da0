//! What a sealed bid contains and the rules it must meet (issue 3, item 7).
//!
//! A bid is for one lot: a unit price for every item of the lot (no partial bids within a
//! lot), the sworn declarations every bidder makes, optional notes, and the list of attached
//! documents. The whole content is serialised to JSON and sealed; only after the opening is it
//! readable, by anyone.

use crate::domain::money;
use crate::domain::validation::{FieldCode, FieldError};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The sworn declarations (declaraciones juradas) every bid carries. Guatemala's Ley de
/// Contrataciones del Estado asks bidders to declare they are not barred from contracting
/// (Art. 80) and to accept the bidding terms; integrity and tax compliance follow the UN
/// Supplier Code of Conduct and the institution's integrity policy.
pub const DECLARATIONS: [&str; 4] = ["not_barred", "accepts_terms", "integrity", "tax_compliant"];

/// One priced line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BidLine {
    /// The tender item.
    pub item_id: i64,
    /// Unit price (exact, up to 4 decimals).
    #[serde(with = "rust_decimal::serde::str")]
    pub unit_price: Decimal,
    /// Brand or manufacturer offered.
    #[serde(default)]
    pub brand: String,
}

/// A document attached to the bid, as listed inside the sealed content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BidDocumentMeta {
    /// File name.
    pub filename: String,
    /// SHA-256 of the plaintext (hex), checked at opening.
    pub sha256: String,
    /// Size in bytes.
    pub size: i64,
}

/// A non-price feature the bid declares for a score-ranked auction (issue 4): the option
/// chosen and its value, copied from the rulebook at submission so the sealed bid says by
/// itself what it offered and how much it counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclaredFeature {
    /// Feature code.
    pub feature: String,
    /// Option code.
    pub option: String,
    /// The option's value (adds to Σ in score = price ÷ (1 + Σ)).
    #[serde(with = "rust_decimal::serde::str")]
    pub value: Decimal,
}

/// A feature every bid must declare, as the rules need it: its code and each option's code
/// and value (from the method's rulebook; empty unless the auction ranks by score).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureRule {
    /// Feature code.
    pub code: String,
    /// (option code, value).
    pub options: Vec<(String, Decimal)>,
}

/// The sealed content of a bid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BidContent {
    /// The lot bid for.
    pub lot_id: i64,
    /// One line per item of the lot.
    pub lines: Vec<BidLine>,
    /// Accepted declarations (codes of [`DECLARATIONS`]).
    pub declarations: Vec<String>,
    /// Free notes (delivery terms, validity…).
    #[serde(default)]
    pub notes: String,
    /// Attached documents.
    #[serde(default)]
    pub documents: Vec<BidDocumentMeta>,
    /// Declared non-price features (score-ranked auctions only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<DeclaredFeature>,
}

/// An item of the lot as the rules need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LotItem {
    /// Item id.
    pub id: i64,
    /// Quantity requested.
    pub quantity: Decimal,
}

/// Untrusted bid input: unit prices as typed, per item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
pub struct BidInput {
    /// Unit price per item id, as text.
    #[serde(default)]
    pub prices: BTreeMap<i64, String>,
    /// Brand per item id.
    #[serde(default)]
    pub brands: BTreeMap<i64, String>,
    /// Accepted declarations.
    #[serde(default)]
    pub declarations: Vec<String>,
    /// Notes.
    #[serde(default)]
    pub notes: String,
    /// The option chosen for each non-price feature (feature code → option code).
    #[serde(default)]
    pub features: BTreeMap<String, String>,
}

/// Checks a bid against its lot; returns the content (without documents) and its total.
pub fn validate_bid(
    lot_id: i64,
    items: &[LotItem],
    features: &[FeatureRule],
    input: &BidInput,
) -> Result<(BidContent, Decimal), Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut lines = Vec::new();
    let mut total = Decimal::ZERO;
    for item in items {
        let field = format!("prices[{}]", item.id);
        match input
            .prices
            .get(&item.id)
            .map(|p| money::parse_positive(p, 4))
        {
            None => errors.push(FieldError {
                field,
                code: FieldCode::Required,
            }),
            Some(Err(e)) => errors.push(FieldError {
                field,
                code: FieldCode::from(e),
            }),
            Some(Ok(price)) => {
                total += price * item.quantity;
                let brand: String = input
                    .brands
                    .get(&item.id)
                    .map(|b| b.trim().chars().take(120).collect())
                    .unwrap_or_default();
                if brand.chars().any(char::is_control) {
                    errors.push(FieldError {
                        field: format!("brands[{}]", item.id),
                        code: FieldCode::InvalidCharacters,
                    });
                }
                lines.push(BidLine {
                    item_id: item.id,
                    unit_price: price,
                    brand,
                });
            }
        }
    }
    if input
        .prices
        .keys()
        .any(|id| !items.iter().any(|i| i.id == *id))
    {
        errors.push(FieldError {
            field: "prices".into(),
            code: FieldCode::UnknownOption,
        });
    }
    for d in DECLARATIONS {
        if !input.declarations.iter().any(|x| x == d) {
            errors.push(FieldError {
                field: format!("declarations.{d}"),
                code: FieldCode::Required,
            });
        }
    }
    if input
        .declarations
        .iter()
        .any(|d| !DECLARATIONS.contains(&d.as_str()))
    {
        errors.push(FieldError {
            field: "declarations".into(),
            code: FieldCode::UnknownOption,
        });
    }
    let mut declared = Vec::new();
    for feature in features {
        let field = format!("features[{}]", feature.code);
        match input.features.get(&feature.code) {
            None => errors.push(FieldError {
                field,
                code: FieldCode::Required,
            }),
            Some(chosen) => match feature.options.iter().find(|(code, _)| code == chosen) {
                None => errors.push(FieldError {
                    field,
                    code: FieldCode::UnknownOption,
                }),
                Some((option, value)) => declared.push(DeclaredFeature {
                    feature: feature.code.clone(),
                    option: option.clone(),
                    value: *value,
                }),
            },
        }
    }
    if input
        .features
        .keys()
        .any(|code| !features.iter().any(|f| &f.code == code))
    {
        errors.push(FieldError {
            field: "features".into(),
            code: FieldCode::UnknownOption,
        });
    }
    let notes = input.notes.trim();
    if notes.chars().count() > 4000 {
        errors.push(FieldError {
            field: "notes".into(),
            code: FieldCode::TooLong,
        });
    }
    if total > money::max_amount() {
        errors.push(FieldError {
            field: "prices".into(),
            code: FieldCode::InvalidNumber,
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok((
        BidContent {
            lot_id,
            lines,
            declarations: DECLARATIONS.iter().map(|d| d.to_string()).collect(),
            notes: notes.to_string(),
            documents: Vec::new(),
            features: declared,
        },
        money::round_minor(total),
    ))
}

/// The total of an opened bid for these items (rounded to the minor unit).
pub fn total(content: &BidContent, items: &[LotItem]) -> Decimal {
    money::round_minor(
        content
            .lines
            .iter()
            .filter_map(|l| {
                items
                    .iter()
                    .find(|i| i.id == l.item_id)
                    .map(|i| l.unit_price * i.quantity)
            })
            .sum(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn all_declarations() -> Vec<String> {
        DECLARATIONS.iter().map(|s| s.to_string()).collect()
    }

    fn delivery() -> FeatureRule {
        FeatureRule {
            code: "delivery".into(),
            options: vec![("d15".into(), d("0.05")), ("later".into(), d("0"))],
        }
    }

    #[test]
    fn declared_features_are_sealed_with_their_exact_values() {
        let items = [LotItem {
            id: 1,
            quantity: d("10"),
        }];
        let input = BidInput {
            prices: [(1, "2.50".to_string())].into(),
            declarations: all_declarations(),
            features: [("delivery".to_string(), "d15".to_string())].into(),
            ..BidInput::default()
        };
        let (content, _) = validate_bid(1, &items, &[delivery()], &input).unwrap();
        assert_eq!(
            content.features,
            vec![DeclaredFeature {
                feature: "delivery".into(),
                option: "d15".into(),
                value: d("0.05"),
            }]
        );
        let json = serde_json::to_string(&content).unwrap();
        assert!(json.contains("\"value\":\"0.05\""), "{json}");
        let back: BidContent = serde_json::from_str(&json).unwrap();
        assert_eq!(back, content);
        // A bid without features keeps the sealed JSON it always had.
        let (plain, _) = validate_bid(
            1,
            &items,
            &[],
            &BidInput {
                features: Default::default(),
                ..input.clone()
            },
        )
        .unwrap();
        assert!(!serde_json::to_string(&plain).unwrap().contains("features"));
    }

    #[test]
    fn a_missing_unknown_or_unexpected_feature_is_refused() {
        let items = [LotItem {
            id: 1,
            quantity: d("10"),
        }];
        let base = BidInput {
            prices: [(1, "2.50".to_string())].into(),
            declarations: all_declarations(),
            ..BidInput::default()
        };
        let fields = |features: &[FeatureRule], chosen: &[(&str, &str)]| {
            let input = BidInput {
                features: chosen
                    .iter()
                    .map(|(f, o)| (f.to_string(), o.to_string()))
                    .collect(),
                ..base.clone()
            };
            validate_bid(1, &items, features, &input)
                .unwrap_err()
                .into_iter()
                .map(|e| (e.field, e.code))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            fields(&[delivery()], &[]),
            vec![("features[delivery]".into(), FieldCode::Required)]
        );
        assert_eq!(
            fields(&[delivery()], &[("delivery", "d7")]),
            vec![("features[delivery]".into(), FieldCode::UnknownOption)]
        );
        assert_eq!(
            fields(&[delivery()], &[("delivery", "later"), ("warranty", "y2")]),
            vec![("features".into(), FieldCode::UnknownOption)]
        );
        // A method without features refuses declared ones rather than ignoring them.
        assert_eq!(
            fields(&[], &[("delivery", "d15")]),
            vec![("features".into(), FieldCode::UnknownOption)]
        );
    }

    #[test]
    fn a_complete_bid_and_its_exact_total() {
        let items = [
            LotItem {
                id: 1,
                quantity: d("1200000"),
            },
            LotItem {
                id: 2,
                quantity: d("3"),
            },
        ];
        let input = BidInput {
            prices: [(1, "0.0345".to_string()), (2, "1,000.005".to_string())].into(),
            declarations: all_declarations(),
            ..BidInput::default()
        };
        let (content, total) = validate_bid(7, &items, &[], &input).unwrap();
        // 0.0345 × 1,200,000 = 41,400; 1,000.005 × 3 = 3,000.015 → 44,400.015 → 44,400.02
        assert_eq!(total, d("44400.02"));
        assert_eq!(content.lines.len(), 2);
        assert_eq!(super::total(&content, &items), d("44400.02"));
        let json = serde_json::to_string(&content).unwrap();
        assert!(
            json.contains("\"unit_price\":\"0.0345\""),
            "exact decimals in the sealed JSON: {json}"
        );
    }

    #[test]
    fn missing_prices_bad_numbers_and_declarations_are_all_reported() {
        let items = [
            LotItem {
                id: 1,
                quantity: d("10"),
            },
            LotItem {
                id: 2,
                quantity: d("5"),
            },
            LotItem {
                id: 3,
                quantity: d("5"),
            },
        ];
        let input = BidInput {
            prices: [
                (1, "-3".to_string()),
                (2, "0.00001".to_string()),
                (9, "1".to_string()),
            ]
            .into(),
            declarations: vec!["not_barred".into(), "free_lunch".into()],
            ..BidInput::default()
        };
        let fields: Vec<String> = validate_bid(1, &items, &[], &input)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            vec![
                "prices[1]",
                "prices[2]",
                "prices[3]",
                "prices",
                "declarations.accepts_terms",
                "declarations.integrity",
                "declarations.tax_compliant",
                "declarations"
            ]
        );
    }
}
