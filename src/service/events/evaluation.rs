//! Events of the committee's evaluation (`service::evaluation`).

use crate::domain::audit::AuditAction;
use crate::domain::audit_event::{AsAuditEvent, NoSnapshot};
use crate::repository::committee::DeclarationRow;
use crate::service::evaluation::{LotResult, ScoreInput, VerdictInput};
use serde::Serialize;

/// `evaluation.conflict_declared`: a member declared whether they have a conflict of
/// interest. Public, statement included: the declaration is part of the process's record.
#[derive(Debug, Clone, Copy)]
pub struct EvaluationConflictDeclared<'a> {
    /// The declaration as stored.
    pub declaration: &'a DeclarationRow,
}

impl AsAuditEvent for EvaluationConflictDeclared<'_> {
    const ACTION: AuditAction = AuditAction::EvaluationConflictDeclared;
    const ENTITY_TYPE: &'static str = "tender";
    type Before = NoSnapshot;
    type After = DeclarationRow;
    fn entity_id(&self) -> Option<String> {
        Some(self.declaration.tender_id.to_string())
    }
    fn public(&self) -> bool {
        true
    }
    fn before(&self) -> Option<&NoSnapshot> {
        None
    }
    fn after(&self) -> Option<&DeclarationRow> {
        Some(self.declaration)
    }
}

/// A verdict as the log shows it while the evaluation is open: which cell, and whether it
/// passed; the reason stays in the grid.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct VerdictCell {
    /// Bid.
    pub bid_id: i64,
    /// Requirement.
    pub requirement_id: i64,
    /// Whether the bid meets it.
    pub passed: bool,
}

/// A score as the log shows it while the evaluation is open: which cell, not the value.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ScoreCell {
    /// Bid.
    pub bid_id: i64,
    /// Criterion.
    pub criterion_id: i64,
}

/// `evaluation.assessed`: a member saved part of their grid. Private until the evaluation
/// closes: members assess independently.
#[derive(Debug, Clone, Serialize)]
pub struct EvaluationAssessed {
    /// The tender.
    #[serde(skip)]
    pub tender_id: i64,
    /// The verdicts saved.
    pub verdicts: Vec<VerdictCell>,
    /// The scores saved.
    pub scores: Vec<ScoreCell>,
}

impl EvaluationAssessed {
    /// The event of saving these cells of a grid.
    pub fn of(tender_id: i64, verdicts: &[VerdictInput], scores: &[ScoreInput]) -> Self {
        EvaluationAssessed {
            tender_id,
            verdicts: verdicts
                .iter()
                .map(|v| VerdictCell {
                    bid_id: v.bid_id,
                    requirement_id: v.requirement_id,
                    passed: v.passed,
                })
                .collect(),
            scores: scores
                .iter()
                .map(|s| ScoreCell {
                    bid_id: s.bid_id,
                    criterion_id: s.criterion_id,
                })
                .collect(),
        }
    }
}

impl AsAuditEvent for EvaluationAssessed {
    const ACTION: AuditAction = AuditAction::EvaluationAssessed;
    const ENTITY_TYPE: &'static str = "tender";
    type Before = NoSnapshot;
    type After = Self;
    fn entity_id(&self) -> Option<String> {
        Some(self.tender_id.to_string())
    }
    fn public(&self) -> bool {
        false
    }
    fn before(&self) -> Option<&NoSnapshot> {
        None
    }
    fn after(&self) -> Option<&Self> {
        Some(self)
    }
}

/// `evaluation.submitted`: a member locked their grid. Public: the committee's progress is.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct EvaluationSubmitted {
    /// The tender.
    #[serde(skip)]
    pub tender_id: i64,
    /// The member.
    pub evaluator_id: i64,
}

impl AsAuditEvent for EvaluationSubmitted {
    const ACTION: AuditAction = AuditAction::EvaluationSubmitted;
    const ENTITY_TYPE: &'static str = "tender";
    type Before = NoSnapshot;
    type After = Self;
    fn entity_id(&self) -> Option<String> {
        Some(self.tender_id.to_string())
    }
    fn public(&self) -> bool {
        true
    }
    fn before(&self) -> Option<&NoSnapshot> {
        None
    }
    fn after(&self) -> Option<&Self> {
        Some(self)
    }
}

/// `evaluation.completed`: the evaluation closed with a ranking and report per lot. Public.
#[derive(Debug, Clone, Copy)]
pub struct EvaluationCompleted<'a> {
    /// The tender.
    pub tender_id: i64,
    /// The consolidated result of each lot.
    pub results: &'a [LotResult],
}

impl AsAuditEvent for EvaluationCompleted<'_> {
    const ACTION: AuditAction = AuditAction::EvaluationCompleted;
    const ENTITY_TYPE: &'static str = "tender";
    type Before = NoSnapshot;
    type After = [LotResult];
    fn entity_id(&self) -> Option<String> {
        Some(self.tender_id.to_string())
    }
    fn public(&self) -> bool {
        true
    }
    fn before(&self) -> Option<&NoSnapshot> {
        None
    }
    fn after(&self) -> Option<&[LotResult]> {
        Some(self.results)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit_event::encode;

    #[test]
    fn the_json_is_that_of_the_untyped_code() {
        let row = DeclarationRow {
            tender_id: 3,
            user_id: 5,
            has_conflict: true,
            statement: "Fui socio del \"proveedor\" hasta 2024.".into(),
            declared_at: 1_767_225_600_000_000,
        };
        let e = encode(&EvaluationConflictDeclared { declaration: &row }).unwrap();
        assert_eq!(
            e.after,
            Some(serde_json::to_string(&row).unwrap_or_default())
        );
        assert_eq!(
            (e.entity_type, e.entity_id.as_deref(), e.public),
            ("tender", Some("3"), true)
        );

        let verdicts = vec![VerdictInput {
            bid_id: 1,
            requirement_id: 2,
            passed: false,
            reason: "Sin registro sanitario".into(),
        }];
        let scores = vec![ScoreInput {
            bid_id: 1,
            criterion_id: 4,
            value: "87.5".into(),
            comment: "bien".into(),
        }];
        let e = encode(&EvaluationAssessed::of(3, &verdicts, &scores)).unwrap();
        let untyped = serde_json::json!({
            "verdicts": verdicts.iter().map(|v| serde_json::json!({"bid_id": v.bid_id, "requirement_id": v.requirement_id, "passed": v.passed})).collect::<Vec<_>>(),
            "scores": scores.iter().map(|s| serde_json::json!({"bid_id": s.bid_id, "criterion_id": s.criterion_id})).collect::<Vec<_>>(),
        })
        .to_string();
        assert_eq!(e.after, Some(untyped));
        assert!(!e.public);
        let e = encode(&EvaluationAssessed::of(3, &[], &[])).unwrap();
        assert_eq!(e.after.as_deref(), Some(r#"{"verdicts":[],"scores":[]}"#));

        let e = encode(&EvaluationSubmitted {
            tender_id: 3,
            evaluator_id: 5,
        })
        .unwrap();
        assert_eq!(
            e.after,
            Some(serde_json::json!({"evaluator_id": 5i64}).to_string())
        );

        let results = vec![LotResult {
            lot_id: 7,
            bids: vec![serde_json::json!({"bid_id": 1, "rank": 1, "total": "10.50"})],
            compliant: 1,
            bid_count: serde_json::json!({"outcome": "sufficient"}),
        }];
        let e = encode(&EvaluationCompleted {
            tender_id: 3,
            results: &results,
        })
        .unwrap();
        assert_eq!(
            e.after,
            Some(serde_json::to_string(&results).unwrap_or_default())
        );
    }
}
