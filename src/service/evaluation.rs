//! The committee's evaluation (issue 3, item 9): conflict-of-interest declarations first, then
//! each member's independent compliance verdicts and scores, locked when the member submits;
//! the consolidated ranking and report only once every member without a conflict has
//! submitted (rules in `domain::evaluation`).

use super::audit::{Publication, commit_with, record};
use super::events::evaluation::{
    EvaluationAssessed, EvaluationCompleted, EvaluationConflictDeclared, EvaluationSubmitted,
};
use super::publication::release::ReleaseEvent;
use super::{Actor, ServiceError};
use crate::domain::evaluation::{
    self as rules, BidInput, ComplianceVerdict, Criterion, Method, Score,
};
use crate::domain::money;
use crate::domain::tender::{Action, TenderStatus, check};
use crate::domain::time::Timestamp;
use crate::domain::validation::{FieldCode, Validator};
use crate::repository::bids::{self, status};
use crate::repository::committee::{self, DeclarationRow};
use crate::repository::evaluation::{self as repo, ScoreRow, VerdictRow};
use crate::repository::{Database, Queryable, tenders};
use rust_decimal::Decimal;
use serde::Serialize;
use tianguis_rulebook::{BidCountOutcome, Rulebook};

async fn member_of(
    db: &mut impl Queryable,
    tender_id: i64,
    actor: &Actor,
) -> Result<i64, ServiceError> {
    let user_id = actor.user_id().ok_or(ServiceError::Forbidden)?;
    if committee::members(db, tender_id)
        .await?
        .iter()
        .any(|m| m.user_id == user_id)
    {
        Ok(user_id)
    } else {
        Err(ServiceError::Forbidden)
    }
}

async fn in_evaluation(
    db: &mut impl Queryable,
    tender_id: i64,
    now: Timestamp,
) -> Result<tenders::TenderRow, ServiceError> {
    let t = tenders::find(db, tender_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    check(t.phase(now), Action::Evaluate).map_err(ServiceError::illegal)?;
    Ok(t)
}

/// A member declares whether they have a conflict of interest (once; before anything else).
/// A member with a conflict takes no further part in this tender's evaluation.
pub async fn declare(
    db: &Database,
    actor: &Actor,
    tender_id: i64,
    has_conflict: bool,
    statement: &str,
    now: Timestamp,
) -> Result<(), ServiceError> {
    let mut v = Validator::new();
    let statement = v.text(
        "statement",
        statement,
        if has_conflict { 10 } else { 0 },
        4000,
    );
    v.finish().map_err(ServiceError::Validation)?;
    let mut tx = db.begin().await?;
    let user_id = member_of(&mut tx, tender_id, actor).await?;
    in_evaluation(&mut tx, tender_id, now).await?;
    if committee::declarations(&mut tx, tender_id)
        .await?
        .iter()
        .any(|d| d.user_id == user_id)
    {
        return Err(ServiceError::IllegalTransition {
            from: "declared".into(),
            action: "declare".into(),
        });
    }
    let row = DeclarationRow {
        tender_id,
        user_id,
        has_conflict,
        statement,
        declared_at: now.as_micros(),
    };
    committee::declare(&mut tx, &row).await?;
    commit_with(
        tx,
        actor,
        &EvaluationConflictDeclared { declaration: &row },
        Publication::None,
    )
    .await?;
    Ok(())
}

async fn may_assess(
    db: &mut impl Queryable,
    tender_id: i64,
    actor: &Actor,
    now: Timestamp,
) -> Result<i64, ServiceError> {
    let user_id = member_of(db, tender_id, actor).await?;
    in_evaluation(db, tender_id, now).await?;
    match committee::declarations(db, tender_id)
        .await?
        .into_iter()
        .find(|d| d.user_id == user_id)
    {
        None => Err(ServiceError::IllegalTransition {
            from: "undeclared".into(),
            action: "evaluate".into(),
        }),
        Some(d) if d.has_conflict => Err(ServiceError::Forbidden),
        Some(_) => {
            if repo::submissions(db, tender_id)
                .await?
                .iter()
                .any(|(e, _)| *e == user_id)
            {
                Err(ServiceError::IllegalTransition {
                    from: "submitted".into(),
                    action: "evaluate".into(),
                })
            } else {
                Ok(user_id)
            }
        }
    }
}

/// A member's pass/fail verdict on one requirement of one bid (replaceable until submitted).
pub async fn verdict(
    db: &Database,
    actor: &Actor,
    tender_id: i64,
    bid_id: i64,
    requirement_id: i64,
    passed: bool,
    reason: &str,
    now: Timestamp,
) -> Result<(), ServiceError> {
    save_grid(
        db,
        actor,
        tender_id,
        &[VerdictInput {
            bid_id,
            requirement_id,
            passed,
            reason: reason.to_string(),
        }],
        &[],
        false,
        now,
    )
    .await
}

/// A member's score (0–100) of one quality criterion of one bid (replaceable until submitted).
pub async fn score(
    db: &Database,
    actor: &Actor,
    tender_id: i64,
    bid_id: i64,
    criterion_id: i64,
    value: &str,
    comment: &str,
    now: Timestamp,
) -> Result<(), ServiceError> {
    save_grid(
        db,
        actor,
        tender_id,
        &[],
        &[ScoreInput {
            bid_id,
            criterion_id,
            value: value.to_string(),
            comment: comment.to_string(),
        }],
        false,
        now,
    )
    .await
}

/// One compliance verdict of a member's grid.
#[derive(Debug, Clone)]
pub struct VerdictInput {
    /// Opened bid.
    pub bid_id: i64,
    /// Requirement of the tender.
    pub requirement_id: i64,
    /// Whether the bid meets it.
    pub passed: bool,
    /// Why not (required, at least 5 characters, when it fails).
    pub reason: String,
}

/// One quality score of a member's grid (0–100, two decimals at most).
#[derive(Debug, Clone)]
pub struct ScoreInput {
    /// Opened bid.
    pub bid_id: i64,
    /// Non-price criterion of the tender.
    pub criterion_id: i64,
    /// The score as typed.
    pub value: String,
    /// Optional comment.
    pub comment: String,
}

/// Saves a member's verdicts and scores (any part of their grid) in one transaction, and with
/// `lock` also submits it: either everything is stored or nothing is (a grid is never left
/// half-saved). Every field is checked before anything is written, and each failing cell is
/// reported by its grid name (`reason_{bid}_{requirement}`, `score_{bid}_{criterion}`).
#[allow(clippy::too_many_arguments)]
pub async fn save_grid(
    db: &Database,
    actor: &Actor,
    tender_id: i64,
    verdicts: &[VerdictInput],
    scores: &[ScoreInput],
    lock: bool,
    now: Timestamp,
) -> Result<(), ServiceError> {
    let mut v = Validator::new();
    let mut checked_verdicts = Vec::with_capacity(verdicts.len());
    for input in verdicts {
        let field = if verdicts.len() == 1 && scores.is_empty() {
            "reason".to_string()
        } else {
            format!("reason_{}_{}", input.bid_id, input.requirement_id)
        };
        let reason = v.text(
            &field,
            &input.reason,
            if input.passed { 0 } else { 5 },
            2000,
        );
        checked_verdicts.push((input, reason));
    }
    let mut checked_scores = Vec::with_capacity(scores.len());
    for input in scores {
        let single = scores.len() == 1 && verdicts.is_empty();
        let (value_field, comment_field) = if single {
            ("value".to_string(), "comment".to_string())
        } else {
            (
                format!("score_{}_{}", input.bid_id, input.criterion_id),
                format!("comment_{}_{}", input.bid_id, input.criterion_id),
            )
        };
        let comment = v.text(&comment_field, &input.comment, 0, 2000);
        let value = match input.value.trim().parse::<Decimal>() {
            Ok(x) if x >= Decimal::ZERO && x <= Decimal::from(100) && x.scale() <= 2 => x,
            _ => {
                v.fail(&value_field, FieldCode::InvalidNumber);
                Decimal::ZERO
            }
        };
        checked_scores.push((input, value, comment));
    }
    v.finish().map_err(ServiceError::Validation)?;
    let mut tx = db.begin().await?;
    let user_id = may_assess(&mut tx, tender_id, actor, now).await?;
    let opened = bids::of_tender(&mut tx, tender_id, Some(status::OPENED)).await?;
    let requirements = tenders::requirements(&mut tx, tender_id).await?;
    let criteria = tenders::criteria(&mut tx, tender_id).await?;
    for (input, reason) in checked_verdicts {
        if !opened.iter().any(|b| b.id == input.bid_id)
            || !requirements.iter().any(|r| r.id == input.requirement_id)
        {
            return Err(ServiceError::NotFound);
        }
        repo::put_verdict(
            &mut tx,
            &VerdictRow {
                bid_id: input.bid_id,
                requirement_id: input.requirement_id,
                evaluator_id: user_id,
                passed: input.passed,
                reason,
                recorded_at: now.as_micros(),
            },
        )
        .await?;
    }
    for (input, value, comment) in checked_scores {
        if !opened.iter().any(|b| b.id == input.bid_id) {
            return Err(ServiceError::NotFound);
        }
        let criterion = criteria
            .iter()
            .find(|c| c.id == input.criterion_id)
            .ok_or(ServiceError::NotFound)?;
        if criterion.is_price {
            // The price criterion is scored by formula, never by hand.
            return Err(ServiceError::field(
                "criterion_id",
                FieldCode::UnknownOption,
            ));
        }
        repo::put_score(
            &mut tx,
            &ScoreRow {
                bid_id: input.bid_id,
                criterion_id: input.criterion_id,
                evaluator_id: user_id,
                value: value.to_string(),
                comment,
                recorded_at: now.as_micros(),
            },
        )
        .await?;
    }
    if !verdicts.is_empty() || !scores.is_empty() {
        // Private until the evaluation closes: members assess independently.
        record(
            &mut tx,
            actor,
            &EvaluationAssessed::of(tender_id, verdicts, scores),
            Publication::None,
        )
        .await?;
    }
    if lock {
        submit_in(&mut tx, actor, tender_id, user_id, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A member locks their evaluation; every opened bid needs a verdict on every requirement
/// and (weighted methods) a score on every quality criterion from this member.
pub async fn submit(
    db: &Database,
    actor: &Actor,
    tender_id: i64,
    now: Timestamp,
) -> Result<(), ServiceError> {
    let mut tx = db.begin().await?;
    let user_id = may_assess(&mut tx, tender_id, actor, now).await?;
    submit_in(&mut tx, actor, tender_id, user_id, now).await?;
    tx.commit().await?;
    Ok(())
}

async fn submit_in(
    tx: &mut impl Queryable,
    actor: &Actor,
    tender_id: i64,
    user_id: i64,
    now: Timestamp,
) -> Result<(), ServiceError> {
    let tender = tenders::find(tx, tender_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let opened: Vec<i64> = bids::of_tender(tx, tender_id, Some(status::OPENED))
        .await?
        .iter()
        .map(|b| b.id)
        .collect();
    let requirements = tenders::requirements(tx, tender_id).await?;
    let criteria = tenders::criteria(tx, tender_id).await?;
    let verdicts = repo::verdicts(tx, &opened, Some(user_id)).await?;
    let scores = repo::scores(tx, &opened, Some(user_id)).await?;
    let missing_verdicts = opened.iter().any(|b| {
        requirements.iter().any(|r| {
            !verdicts
                .iter()
                .any(|v| v.bid_id == *b && v.requirement_id == r.id)
        })
    });
    let missing_scores = tender.evaluation_method == "weighted"
        && opened.iter().any(|b| {
            criteria.iter().filter(|c| !c.is_price).any(|c| {
                !scores
                    .iter()
                    .any(|s| s.bid_id == *b && s.criterion_id == c.id)
            })
        });
    if missing_verdicts || missing_scores {
        return Err(ServiceError::field(
            if missing_verdicts {
                "verdicts"
            } else {
                "scores"
            },
            FieldCode::Required,
        ));
    }
    repo::submit(tx, tender_id, user_id, now).await?;
    record(
        tx,
        actor,
        &EvaluationSubmitted {
            tender_id,
            evaluator_id: user_id,
        },
        Publication::None,
    )
    .await?;
    Ok(())
}

/// Where the committee stands.
#[derive(Debug, Clone, Serialize)]
pub struct Progress {
    /// Members and whether each declared (and a conflict), and submitted.
    pub members: Vec<MemberProgress>,
    /// Whether every member without a conflict has submitted.
    pub complete: bool,
}

/// One member's progress.
#[derive(Debug, Clone, Serialize)]
pub struct MemberProgress {
    /// Member.
    pub user_id: i64,
    /// Whether they chair.
    pub chair: bool,
    /// Declared: None = not yet; Some(true) = conflict.
    pub conflict: Option<bool>,
    /// Whether they submitted.
    pub submitted: bool,
}

/// The committee's progress on a tender.
pub async fn progress(db: &mut impl Queryable, tender_id: i64) -> Result<Progress, ServiceError> {
    let members = committee::members(db, tender_id).await?;
    let declarations = committee::declarations(db, tender_id).await?;
    let submissions = repo::submissions(db, tender_id).await?;
    let members: Vec<MemberProgress> = members
        .iter()
        .map(|m| MemberProgress {
            user_id: m.user_id,
            chair: m.chair,
            conflict: declarations
                .iter()
                .find(|d| d.user_id == m.user_id)
                .map(|d| d.has_conflict),
            submitted: submissions.iter().any(|(e, _)| *e == m.user_id),
        })
        .collect();
    let eligible: Vec<&MemberProgress> = members
        .iter()
        .filter(|m| m.conflict != Some(true))
        .collect();
    let complete = !eligible.is_empty()
        && eligible
            .iter()
            .all(|m| m.conflict == Some(false) && m.submitted);
    Ok(Progress { members, complete })
}

/// The consolidated result of one lot, as stored in the report.
#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct LotResult {
    /// Lot.
    pub lot_id: i64,
    /// Bids, best first; non-compliant last.
    #[schema(value_type = Vec<Object>)]
    pub bids: Vec<serde_json::Value>,
    /// Compliant bids.
    pub compliant: usize,
    /// The rulebook's verdict on the number of valid bids (`sufficient` or below minimum).
    #[schema(value_type = Object)]
    pub bid_count: serde_json::Value,
}

/// Closes the evaluation (the chair or a buyer), once every member without a conflict has
/// submitted: consolidates, ranks, stores a report per lot and marks lots without any
/// compliant bid unsuccessful. Where the method says so, the tender moves on to its reverse
/// auction instead of the award.
pub async fn complete(
    db: &Database,
    rulebook: &Rulebook,
    actor: &Actor,
    tender_id: i64,
    auction_notice_seconds: i64,
    now: Timestamp,
) -> Result<Vec<LotResult>, ServiceError> {
    let mut tx = db.begin().await?;
    let tender = tenders::find(&mut tx, tender_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    check(tender.phase(now), Action::CompleteEvaluation).map_err(ServiceError::illegal)?;
    let user_id = actor.user_id().ok_or(ServiceError::Forbidden)?;
    let is_chair = committee::members(&mut tx, tender_id)
        .await?
        .iter()
        .any(|m| m.user_id == user_id && m.chair);
    if !is_chair && !actor.has_role(crate::domain::role::Role::Buyer) {
        return Err(ServiceError::Forbidden);
    }
    if !repo::reports(&mut tx, tender_id).await?.is_empty() {
        return Err(ServiceError::IllegalTransition {
            from: "evaluated".into(),
            action: "complete_evaluation".into(),
        });
    }
    let p = progress(&mut tx, tender_id).await?;
    let opened = bids::of_tender(&mut tx, tender_id, Some(status::OPENED)).await?;
    if !p.complete && !opened.is_empty() {
        return Err(ServiceError::IllegalTransition {
            from: "evaluating".into(),
            action: "complete_evaluation".into(),
        });
    }
    let requirements: Vec<i64> = tenders::requirements(&mut tx, tender_id)
        .await?
        .iter()
        .map(|r| r.id)
        .collect();
    let criteria: Vec<Criterion> = tenders::criteria(&mut tx, tender_id)
        .await?
        .iter()
        .map(|c| Criterion {
            id: c.id,
            weight: c.weight.max(0) as u32,
            is_price: c.is_price,
        })
        .collect();
    let ids: Vec<i64> = opened.iter().map(|b| b.id).collect();
    let contents = bids::opened(&mut tx, &ids).await?;
    let verdicts: Vec<ComplianceVerdict> = repo::verdicts(&mut tx, &ids, None)
        .await?
        .into_iter()
        .map(|v| ComplianceVerdict {
            bid_id: v.bid_id,
            requirement_id: v.requirement_id,
            evaluator_id: v.evaluator_id,
            passed: v.passed,
            reason: v.reason,
        })
        .collect();
    let scores: Vec<Score> = repo::scores(&mut tx, &ids, None)
        .await?
        .into_iter()
        .map(|s| Score {
            bid_id: s.bid_id,
            criterion_id: s.criterion_id,
            evaluator_id: s.evaluator_id,
            value: money::stored(&s.value),
        })
        .collect();
    let method = if tender.evaluation_method == "weighted" {
        Method::Weighted
    } else {
        Method::LowestPrice
    };
    let rule_method = rulebook.method(&tender.method_code);
    let mut results = Vec::new();
    for lot in tenders::lots(&mut tx, tender_id).await? {
        let inputs: Vec<BidInput> = opened
            .iter()
            .filter(|b| b.lot_id == lot.id)
            .map(|b| BidInput {
                bid_id: b.id,
                total: contents
                    .iter()
                    .find(|c| c.bid_id == b.id)
                    .map(|c| money::stored(&c.total))
                    .unwrap_or_default(),
                submitted_at: b.submitted_at,
            })
            .collect();
        let ranked = rules::evaluate(
            method,
            &inputs,
            &requirements,
            &criteria,
            &verdicts,
            &scores,
        );
        for r in &ranked {
            bids::set_outcome(
                &mut tx,
                r.bid_id,
                r.compliant,
                r.rank.map(i64::from),
                r.total_score.map(|s| s.to_string()).as_deref(),
            )
            .await?;
        }
        let compliant = ranked.iter().filter(|r| r.compliant).count();
        let bid_count = match rule_method.map(|m| rulebook.assess_bid_count(m, compliant as u32)) {
            Some(outcome @ BidCountOutcome::BelowMinimum { .. }) => {
                serde_json::to_value(outcome).unwrap_or_default()
            }
            _ => serde_json::json!({"outcome": "sufficient"}),
        };
        if compliant == 0 {
            tenders::set_lot_status(&mut tx, lot.id, "unsuccessful").await?;
        }
        let result = LotResult {
            lot_id: lot.id,
            bids: ranked
                .iter()
                .map(|r| serde_json::to_value(r).unwrap_or_default())
                .collect(),
            compliant,
            bid_count,
        };
        repo::insert_report(
            &mut tx,
            tender_id,
            lot.id,
            &serde_json::to_string(&result).unwrap_or_default(),
            user_id,
            now,
        )
        .await?;
        results.push(result);
    }
    let all_unsuccessful = results.iter().all(|r| r.compliant == 0);
    if all_unsuccessful {
        tenders::set_status(
            &mut tx,
            tender_id,
            TenderStatus::Evaluation,
            TenderStatus::Unsuccessful,
            Some("no compliant bids"),
            now,
        )
        .await?;
    } else if let Some(auction) = rule_method
        .and_then(|m| m.auction())
        .filter(|_| tender.has_auction)
    {
        // Lots with enough compliant bids go to a reverse auction (issue 4); the others keep
        // their sealed ranking and can be awarded at once.
        let scheduled = crate::service::auctions::schedule_for_tender(
            &mut tx,
            &auction.value,
            actor,
            tender_id,
            auction_notice_seconds,
            now,
        )
        .await?;
        if !scheduled.is_empty() {
            tenders::set_status(
                &mut tx,
                tender_id,
                TenderStatus::Evaluation,
                TenderStatus::Auction,
                None,
                now,
            )
            .await?;
        }
    }
    commit_with(
        tx,
        actor,
        &EvaluationCompleted {
            tender_id,
            results: &results,
        },
        Publication::release(tender_id, ReleaseEvent::TenderUpdate, now),
    )
    .await?;
    Ok(results)
}
