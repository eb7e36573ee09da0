//! Questions and answers. The asking supplier is stored (so the buyer can refuse abuse) but never
//! shown: answers are published to all with the asker anonymous (issue 3, item 6).

use super::db::{Queryable, RepoError};
use super::schema_esourcing::Clarifications;
use crate::domain::time::Timestamp;
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::Serialize;

/// A question and its answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ClarificationRow {
    /// Id.
    pub id: i64,
    /// Tender.
    pub tender_id: i64,
    /// Asking supplier (never published).
    #[serde(skip)]
    pub supplier_id: i64,
    /// Asking user (never published).
    #[serde(skip)]
    pub asked_by: i64,
    /// The question.
    pub question: String,
    /// When asked (µs).
    pub asked_at: i64,
    /// The answer, once given.
    pub answer: Option<String>,
    /// Who answered.
    pub answered_by: Option<i64>,
    /// When answered (µs).
    pub answered_at: Option<i64>,
}

const COLUMNS: [Clarifications; 9] = [
    Clarifications::Id,
    Clarifications::TenderId,
    Clarifications::SupplierId,
    Clarifications::AskedBy,
    Clarifications::Question,
    Clarifications::AskedAt,
    Clarifications::Answer,
    Clarifications::AnsweredBy,
    Clarifications::AnsweredAt,
];

/// Records a question.
pub async fn ask(
    db: &mut impl Queryable,
    tender_id: i64,
    supplier_id: i64,
    user_id: i64,
    question: &str,
    now: Timestamp,
) -> Result<i64, RepoError> {
    let (id,): (i64,) = db
        .handle()
        .one(
            &Query::insert()
                .into_table(Clarifications::Table)
                .columns([
                    Clarifications::TenderId,
                    Clarifications::SupplierId,
                    Clarifications::AskedBy,
                    Clarifications::Question,
                    Clarifications::AskedAt,
                ])
                .values_panic([
                    tender_id.into(),
                    supplier_id.into(),
                    user_id.into(),
                    question.into(),
                    now.as_micros().into(),
                ])
                .returning_col(Clarifications::Id)
                .to_owned(),
        )
        .await?;
    Ok(id)
}

/// Records the answer of an unanswered question; returns whether it was unanswered.
pub async fn answer(
    db: &mut impl Queryable,
    id: i64,
    answer: &str,
    by: i64,
    now: Timestamp,
) -> Result<bool, RepoError> {
    Ok(db
        .handle()
        .execute(
            &Query::update()
                .table(Clarifications::Table)
                .values([
                    (Clarifications::Answer, answer.into()),
                    (Clarifications::AnsweredBy, by.into()),
                    (Clarifications::AnsweredAt, now.as_micros().into()),
                ])
                .and_where(Expr::col(Clarifications::Id).eq(id))
                .and_where(Expr::col(Clarifications::Answer).is_null())
                .to_owned(),
        )
        .await?
        == 1)
}

/// One question.
pub async fn find(db: &mut impl Queryable, id: i64) -> Result<Option<ClarificationRow>, RepoError> {
    db.handle()
        .optional(
            &Query::select()
                .columns(COLUMNS)
                .from(Clarifications::Table)
                .and_where(Expr::col(Clarifications::Id).eq(id))
                .to_owned(),
        )
        .await
}

/// Questions of a tender, oldest first.
pub async fn of_tender(
    db: &mut impl Queryable,
    tender_id: i64,
) -> Result<Vec<ClarificationRow>, RepoError> {
    db.handle()
        .all(
            &Query::select()
                .columns(COLUMNS)
                .from(Clarifications::Table)
                .and_where(Expr::col(Clarifications::TenderId).eq(tender_id))
                .order_by(Clarifications::Id, Order::Asc)
                .to_owned(),
        )
        .await
}
