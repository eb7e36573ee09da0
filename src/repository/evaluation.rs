//! Committee members' verdicts and scores, their submissions, and consolidated reports.

use super::db::{Queryable, RepoError};
use super::schema_esourcing::{
    ComplianceVerdicts, EvaluationReports, EvaluationSubmissions, Scores,
};
use crate::domain::time::Timestamp;
use sea_query::{Expr, ExprTrait, OnConflict, Order, Query};
use serde::Serialize;

/// One member's compliance verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct VerdictRow {
    /// Bid.
    pub bid_id: i64,
    /// Requirement.
    pub requirement_id: i64,
    /// Member.
    pub evaluator_id: i64,
    /// Pass or fail.
    pub passed: bool,
    /// Reason.
    pub reason: String,
    /// When (µs).
    pub recorded_at: i64,
}

/// Records or replaces a verdict (until the member submits).
pub async fn put_verdict(db: &mut impl Queryable, v: &VerdictRow) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::insert()
                .into_table(ComplianceVerdicts::Table)
                .columns([
                    ComplianceVerdicts::BidId,
                    ComplianceVerdicts::RequirementId,
                    ComplianceVerdicts::EvaluatorId,
                    ComplianceVerdicts::Passed,
                    ComplianceVerdicts::Reason,
                    ComplianceVerdicts::RecordedAt,
                ])
                .values_panic([
                    v.bid_id.into(),
                    v.requirement_id.into(),
                    v.evaluator_id.into(),
                    v.passed.into(),
                    v.reason.as_str().into(),
                    v.recorded_at.into(),
                ])
                .on_conflict(
                    OnConflict::columns([
                        ComplianceVerdicts::BidId,
                        ComplianceVerdicts::RequirementId,
                        ComplianceVerdicts::EvaluatorId,
                    ])
                    .update_columns([
                        ComplianceVerdicts::Passed,
                        ComplianceVerdicts::Reason,
                        ComplianceVerdicts::RecordedAt,
                    ])
                    .to_owned(),
                )
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// Verdicts on some bids (optionally of one member).
pub async fn verdicts(
    db: &mut impl Queryable,
    bid_ids: &[i64],
    evaluator: Option<i64>,
) -> Result<Vec<VerdictRow>, RepoError> {
    if bid_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Query::select()
        .columns([
            ComplianceVerdicts::BidId,
            ComplianceVerdicts::RequirementId,
            ComplianceVerdicts::EvaluatorId,
            ComplianceVerdicts::Passed,
            ComplianceVerdicts::Reason,
            ComplianceVerdicts::RecordedAt,
        ])
        .from(ComplianceVerdicts::Table)
        .and_where(Expr::col(ComplianceVerdicts::BidId).is_in(bid_ids.to_vec()))
        .order_by(ComplianceVerdicts::BidId, Order::Asc)
        .to_owned();
    if let Some(e) = evaluator {
        q.and_where(Expr::col(ComplianceVerdicts::EvaluatorId).eq(e));
    }
    db.handle().all(&q).await
}

/// One member's score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ScoreRow {
    /// Bid.
    pub bid_id: i64,
    /// Criterion.
    pub criterion_id: i64,
    /// Member.
    pub evaluator_id: i64,
    /// 0–100 (exact text).
    pub value: String,
    /// Comment.
    pub comment: String,
    /// When (µs).
    pub recorded_at: i64,
}

/// Records or replaces a score (until the member submits).
pub async fn put_score(db: &mut impl Queryable, s: &ScoreRow) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::insert()
                .into_table(Scores::Table)
                .columns([
                    Scores::BidId,
                    Scores::CriterionId,
                    Scores::EvaluatorId,
                    Scores::Value,
                    Scores::Comment,
                    Scores::RecordedAt,
                ])
                .values_panic([
                    s.bid_id.into(),
                    s.criterion_id.into(),
                    s.evaluator_id.into(),
                    s.value.as_str().into(),
                    s.comment.as_str().into(),
                    s.recorded_at.into(),
                ])
                .on_conflict(
                    OnConflict::columns([Scores::BidId, Scores::CriterionId, Scores::EvaluatorId])
                        .update_columns([Scores::Value, Scores::Comment, Scores::RecordedAt])
                        .to_owned(),
                )
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// Scores of some bids (optionally of one member).
pub async fn scores(
    db: &mut impl Queryable,
    bid_ids: &[i64],
    evaluator: Option<i64>,
) -> Result<Vec<ScoreRow>, RepoError> {
    if bid_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Query::select()
        .columns([
            Scores::BidId,
            Scores::CriterionId,
            Scores::EvaluatorId,
            Scores::Value,
            Scores::Comment,
            Scores::RecordedAt,
        ])
        .from(Scores::Table)
        .and_where(Expr::col(Scores::BidId).is_in(bid_ids.to_vec()))
        .order_by(Scores::BidId, Order::Asc)
        .to_owned();
    if let Some(e) = evaluator {
        q.and_where(Expr::col(Scores::EvaluatorId).eq(e));
    }
    db.handle().all(&q).await
}

/// Locks a member's evaluation.
pub async fn submit(
    db: &mut impl Queryable,
    tender_id: i64,
    evaluator: i64,
    now: Timestamp,
) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::insert()
                .into_table(EvaluationSubmissions::Table)
                .columns([
                    EvaluationSubmissions::TenderId,
                    EvaluationSubmissions::EvaluatorId,
                    EvaluationSubmissions::SubmittedAt,
                ])
                .values_panic([tender_id.into(), evaluator.into(), now.as_micros().into()])
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// Members who submitted, with when.
pub async fn submissions(
    db: &mut impl Queryable,
    tender_id: i64,
) -> Result<Vec<(i64, i64)>, RepoError> {
    db.handle()
        .all(
            &Query::select()
                .columns([
                    EvaluationSubmissions::EvaluatorId,
                    EvaluationSubmissions::SubmittedAt,
                ])
                .from(EvaluationSubmissions::Table)
                .and_where(Expr::col(EvaluationSubmissions::TenderId).eq(tender_id))
                .to_owned(),
        )
        .await
}

/// A consolidated evaluation of a lot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ReportRow {
    /// Id.
    pub id: i64,
    /// Tender.
    pub tender_id: i64,
    /// Lot.
    pub lot_id: i64,
    /// JSON: ranking with scores and reasons.
    pub result: String,
    /// Who closed the evaluation.
    pub created_by: i64,
    /// When (µs).
    pub created_at: i64,
}

/// Stores a report.
pub async fn insert_report(
    db: &mut impl Queryable,
    tender_id: i64,
    lot_id: i64,
    result: &str,
    by: i64,
    now: Timestamp,
) -> Result<i64, RepoError> {
    let (id,): (i64,) = db
        .handle()
        .one(
            &Query::insert()
                .into_table(EvaluationReports::Table)
                .columns([
                    EvaluationReports::TenderId,
                    EvaluationReports::LotId,
                    EvaluationReports::Result,
                    EvaluationReports::CreatedBy,
                    EvaluationReports::CreatedAt,
                ])
                .values_panic([
                    tender_id.into(),
                    lot_id.into(),
                    result.into(),
                    by.into(),
                    now.as_micros().into(),
                ])
                .returning_col(EvaluationReports::Id)
                .to_owned(),
        )
        .await?;
    Ok(id)
}

/// Reports of a tender.
pub async fn reports(db: &mut impl Queryable, tender_id: i64) -> Result<Vec<ReportRow>, RepoError> {
    db.handle()
        .all(
            &Query::select()
                .columns([
                    EvaluationReports::Id,
                    EvaluationReports::TenderId,
                    EvaluationReports::LotId,
                    EvaluationReports::Result,
                    EvaluationReports::CreatedBy,
                    EvaluationReports::CreatedAt,
                ])
                .from(EvaluationReports::Table)
                .and_where(Expr::col(EvaluationReports::TenderId).eq(tender_id))
                .order_by(EvaluationReports::LotId, Order::Asc)
                .to_owned(),
        )
        .await
}
