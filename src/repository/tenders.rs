//! Tenders, their lots, items, requirements, criteria, search index and amendments.

use super::Page;
use super::db::{Queryable, RepoError};
use super::schema::Buyers;
use super::schema_esourcing::{
    Amendments, Lots, TenderCriteria, TenderItems, TenderRequirements, TenderTerms, Tenders,
};
use super::tender_search::{exact_rank, text_condition};
use crate::domain::tender::{Phase, TenderStatus};
use crate::domain::time::Timestamp;
use sea_query::{Asterisk, CaseStatement, Cond, Expr, ExprTrait, Order, Query, SelectStatement};
use serde::Serialize;
use std::collections::BTreeSet;

/// A stored tender.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct TenderRow {
    /// Id.
    pub id: i64,
    /// Open Contracting id (`ocds-prefix-…`).
    pub ocid: String,
    /// The buyer's own reference (NOG-like).
    pub reference: String,
    /// Procuring entity.
    pub buyer_id: i64,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Method code in the rulebook.
    pub method_code: String,
    /// Rulebook id.
    pub rulebook_id: String,
    /// Rulebook version.
    pub rulebook_version: String,
    /// Stored status code.
    pub status: String,
    /// Currency (ISO 4217).
    pub currency: String,
    /// Estimated value (exact decimal text).
    pub estimated_value: String,
    /// Estimated value in minor units (for filters).
    pub estimated_value_minor: i64,
    /// Fiscal year.
    pub year: i64,
    /// Whether it is a direct award (flagged publicly).
    pub is_direct: bool,
    /// Justification of a direct award.
    pub justification: Option<String>,
    /// Exception category of a direct award.
    pub exception_category: Option<String>,
    /// `lowest_price` or `weighted`.
    pub evaluation_method: String,
    /// Whether a reverse auction follows the evaluation.
    pub has_auction: bool,
    /// Standstill days after an award.
    pub standstill_days: i64,
    /// Minimum number of bids for a valid competition.
    pub minimum_bids: i64,
    /// Shares needed to open the bids.
    pub opening_threshold: i64,
    /// Publication instant.
    pub published_at: Option<i64>,
    /// Questions deadline.
    pub clarification_deadline: Option<i64>,
    /// Bids deadline.
    pub bid_deadline: Option<i64>,
    /// Opening instant.
    pub opened_at: Option<i64>,
    /// Reason of a cancellation or unsuccessful declaration.
    pub status_reason: Option<String>,
    /// Author.
    pub created_by: i64,
    /// Creation.
    pub created_at: i64,
    /// Last change.
    pub updated_at: i64,
}

impl TenderRow {
    /// The stored status.
    pub fn status(&self) -> TenderStatus {
        TenderStatus::from_code(&self.status).unwrap_or(TenderStatus::Draft)
    }

    /// The deadlines, once published.
    pub fn deadlines(&self) -> Option<crate::domain::tender::Deadlines> {
        Some(crate::domain::tender::Deadlines {
            clarification: Timestamp::from_micros(self.clarification_deadline?),
            bids: Timestamp::from_micros(self.bid_deadline?),
        })
    }

    /// The phase at `now`.
    pub fn phase(&self, now: Timestamp) -> Phase {
        crate::domain::tender::phase(self.status(), self.deadlines(), now)
    }
}

const COLUMNS: [Tenders; 30] = [
    Tenders::Id,
    Tenders::Ocid,
    Tenders::Reference,
    Tenders::BuyerId,
    Tenders::Title,
    Tenders::Description,
    Tenders::MethodCode,
    Tenders::RulebookId,
    Tenders::RulebookVersion,
    Tenders::Status,
    Tenders::Currency,
    Tenders::EstimatedValue,
    Tenders::EstimatedValueMinor,
    Tenders::Year,
    Tenders::IsDirect,
    Tenders::Justification,
    Tenders::ExceptionCategory,
    Tenders::EvaluationMethod,
    Tenders::HasAuction,
    Tenders::StandstillDays,
    Tenders::MinimumBids,
    Tenders::OpeningThreshold,
    Tenders::PublishedAt,
    Tenders::ClarificationDeadline,
    Tenders::BidDeadline,
    Tenders::OpenedAt,
    Tenders::StatusReason,
    Tenders::CreatedBy,
    Tenders::CreatedAt,
    Tenders::UpdatedAt,
];

fn select() -> SelectStatement {
    let mut q = Query::select();
    for c in COLUMNS {
        q.column((Tenders::Table, c));
    }
    q.from(Tenders::Table).to_owned()
}

/// A new tender's fields (validated by the service).
#[derive(Debug, Clone)]
pub struct NewTender {
    /// See [`TenderRow`].
    pub ocid: String,
    /// See [`TenderRow`].
    pub reference: String,
    /// See [`TenderRow`].
    pub buyer_id: i64,
    /// See [`TenderRow`].
    pub title: String,
    /// See [`TenderRow`].
    pub description: String,
    /// See [`TenderRow`].
    pub method_code: String,
    /// See [`TenderRow`].
    pub rulebook_id: String,
    /// See [`TenderRow`].
    pub rulebook_version: String,
    /// See [`TenderRow`].
    pub currency: String,
    /// See [`TenderRow`].
    pub estimated_value: String,
    /// See [`TenderRow`].
    pub estimated_value_minor: i64,
    /// See [`TenderRow`].
    pub year: i64,
    /// See [`TenderRow`].
    pub is_direct: bool,
    /// See [`TenderRow`].
    pub justification: Option<String>,
    /// See [`TenderRow`].
    pub exception_category: Option<String>,
    /// See [`TenderRow`].
    pub evaluation_method: String,
    /// See [`TenderRow`].
    pub has_auction: bool,
    /// See [`TenderRow`].
    pub standstill_days: i64,
    /// See [`TenderRow`].
    pub minimum_bids: i64,
    /// See [`TenderRow`].
    pub opening_threshold: i64,
    /// See [`TenderRow`].
    pub clarification_deadline: Option<i64>,
    /// See [`TenderRow`].
    pub bid_deadline: Option<i64>,
}

/// Stores a new draft tender.
pub async fn insert(
    db: &mut impl Queryable,
    t: &NewTender,
    by: i64,
    now: Timestamp,
) -> Result<i64, RepoError> {
    let (id,): (i64,) = db
        .handle()
        .one(
            &Query::insert()
                .into_table(Tenders::Table)
                .columns([
                    Tenders::Ocid,
                    Tenders::Reference,
                    Tenders::BuyerId,
                    Tenders::Title,
                    Tenders::Description,
                    Tenders::MethodCode,
                    Tenders::RulebookId,
                    Tenders::RulebookVersion,
                    Tenders::Status,
                    Tenders::Currency,
                    Tenders::EstimatedValue,
                    Tenders::EstimatedValueMinor,
                    Tenders::Year,
                    Tenders::IsDirect,
                    Tenders::Justification,
                    Tenders::ExceptionCategory,
                    Tenders::EvaluationMethod,
                    Tenders::HasAuction,
                    Tenders::StandstillDays,
                    Tenders::MinimumBids,
                    Tenders::OpeningThreshold,
                    Tenders::ClarificationDeadline,
                    Tenders::BidDeadline,
                    Tenders::CreatedBy,
                    Tenders::CreatedAt,
                    Tenders::UpdatedAt,
                ])
                .values_panic([
                    t.ocid.as_str().into(),
                    t.reference.as_str().into(),
                    t.buyer_id.into(),
                    t.title.as_str().into(),
                    t.description.as_str().into(),
                    t.method_code.as_str().into(),
                    t.rulebook_id.as_str().into(),
                    t.rulebook_version.as_str().into(),
                    TenderStatus::Draft.code().into(),
                    t.currency.as_str().into(),
                    t.estimated_value.as_str().into(),
                    t.estimated_value_minor.into(),
                    t.year.into(),
                    t.is_direct.into(),
                    t.justification.clone().into(),
                    t.exception_category.clone().into(),
                    t.evaluation_method.as_str().into(),
                    t.has_auction.into(),
                    t.standstill_days.into(),
                    t.minimum_bids.into(),
                    t.opening_threshold.into(),
                    t.clarification_deadline.into(),
                    t.bid_deadline.into(),
                    by.into(),
                    now.as_micros().into(),
                    now.as_micros().into(),
                ])
                .returning_col(Tenders::Id)
                .to_owned(),
        )
        .await?;
    Ok(id)
}

/// Replaces a draft's editable fields.
pub async fn update_draft(
    db: &mut impl Queryable,
    id: i64,
    t: &NewTender,
    now: Timestamp,
) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::update()
                .table(Tenders::Table)
                .values([
                    (Tenders::Reference, t.reference.as_str().into()),
                    (Tenders::Title, t.title.as_str().into()),
                    (Tenders::Description, t.description.as_str().into()),
                    (Tenders::MethodCode, t.method_code.as_str().into()),
                    (Tenders::Currency, t.currency.as_str().into()),
                    (Tenders::EstimatedValue, t.estimated_value.as_str().into()),
                    (Tenders::EstimatedValueMinor, t.estimated_value_minor.into()),
                    (Tenders::Year, t.year.into()),
                    (Tenders::IsDirect, t.is_direct.into()),
                    (Tenders::Justification, t.justification.clone().into()),
                    (
                        Tenders::ExceptionCategory,
                        t.exception_category.clone().into(),
                    ),
                    (
                        Tenders::EvaluationMethod,
                        t.evaluation_method.as_str().into(),
                    ),
                    (Tenders::HasAuction, t.has_auction.into()),
                    (Tenders::StandstillDays, t.standstill_days.into()),
                    (Tenders::MinimumBids, t.minimum_bids.into()),
                    (Tenders::OpeningThreshold, t.opening_threshold.into()),
                    (
                        Tenders::ClarificationDeadline,
                        t.clarification_deadline.into(),
                    ),
                    (Tenders::BidDeadline, t.bid_deadline.into()),
                    (Tenders::UpdatedAt, now.as_micros().into()),
                ])
                .and_where(Expr::col(Tenders::Id).eq(id))
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// One tender.
pub async fn find(db: &mut impl Queryable, id: i64) -> Result<Option<TenderRow>, RepoError> {
    db.handle()
        .optional(
            &select()
                .and_where(Expr::col((Tenders::Table, Tenders::Id)).eq(id))
                .to_owned(),
        )
        .await
}

/// Several tenders by id (workspace lists), newest first.
pub async fn find_many(db: &mut impl Queryable, ids: &[i64]) -> Result<Vec<TenderRow>, RepoError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    db.handle()
        .all(
            &select()
                .and_where(Expr::col((Tenders::Table, Tenders::Id)).is_in(ids.to_vec()))
                .order_by((Tenders::Table, Tenders::Id), Order::Desc)
                .to_owned(),
        )
        .await
}

/// Number of tenders matching a search (the workspace's phase tabs).
pub async fn count_matching(
    db: &mut impl Queryable,
    s: &TenderSearch,
    now: Timestamp,
) -> Result<i64, RepoError> {
    let (n,): (i64,) = db
        .handle()
        .one(
            &Query::select()
                .expr(Expr::col(Asterisk).count())
                .from(Tenders::Table)
                .cond_where(search_condition(s, now))
                .to_owned(),
        )
        .await?;
    Ok(n)
}

/// One tender by ocid.
pub async fn find_by_ocid(
    db: &mut impl Queryable,
    ocid: &str,
) -> Result<Option<TenderRow>, RepoError> {
    db.handle()
        .optional(
            &select()
                .and_where(Expr::col((Tenders::Table, Tenders::Ocid)).eq(ocid))
                .to_owned(),
        )
        .await
}

/// Changes the stored status (and reason), only if it is still `from` — so two concurrent
/// transitions cannot both succeed. Returns whether it changed.
pub async fn set_status(
    db: &mut impl Queryable,
    id: i64,
    from: TenderStatus,
    to: TenderStatus,
    reason: Option<&str>,
    now: Timestamp,
) -> Result<bool, RepoError> {
    let mut q = Query::update()
        .table(Tenders::Table)
        .values([
            (Tenders::Status, to.code().into()),
            (Tenders::UpdatedAt, now.as_micros().into()),
        ])
        .and_where(Expr::col(Tenders::Id).eq(id))
        .and_where(Expr::col(Tenders::Status).eq(from.code()))
        .to_owned();
    if let Some(reason) = reason {
        q.value(Tenders::StatusReason, reason);
    }
    if to == TenderStatus::Published {
        q.value(Tenders::PublishedAt, now.as_micros());
    }
    if to == TenderStatus::Evaluation {
        q.value(Tenders::OpenedAt, now.as_micros());
    }
    Ok(db.handle().execute(&q).await? == 1)
}

/// Moves the deadlines (amendments).
pub async fn set_deadlines(
    db: &mut impl Queryable,
    id: i64,
    clarification: i64,
    bids: i64,
    now: Timestamp,
) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::update()
                .table(Tenders::Table)
                .values([
                    (Tenders::ClarificationDeadline, clarification.into()),
                    (Tenders::BidDeadline, bids.into()),
                    (Tenders::UpdatedAt, now.as_micros().into()),
                ])
                .and_where(Expr::col(Tenders::Id).eq(id))
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// The ids of the `n` most recently created tenders, oldest first (synthetic load data).
pub async fn newest_ids(db: &mut impl Queryable, n: u64) -> Result<Vec<i64>, RepoError> {
    let rows: Vec<(i64,)> = db
        .handle()
        .all(
            &Query::select()
                .column(Tenders::Id)
                .from(Tenders::Table)
                .order_by(Tenders::Id, Order::Desc)
                .limit(n)
                .to_owned(),
        )
        .await?;
    let mut ids: Vec<i64> = rows.into_iter().map(|(id,)| id).collect();
    ids.reverse();
    Ok(ids)
}

/// Number of tenders (for ocid numbering and the home page).
pub async fn count(db: &mut impl Queryable, public_only: bool) -> Result<i64, RepoError> {
    let mut q = Query::select()
        .expr(Expr::col(Asterisk).count())
        .from(Tenders::Table)
        .to_owned();
    if public_only {
        q.and_where(Expr::col(Tenders::Status).ne(TenderStatus::Draft.code()));
    }
    let (n,): (i64,) = db.handle().one(&q).await?;
    Ok(n)
}

/// Replaces a tender's search terms.
pub async fn index_terms(
    db: &mut impl Queryable,
    id: i64,
    terms: &BTreeSet<String>,
) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::delete()
                .from_table(TenderTerms::Table)
                .and_where(Expr::col(TenderTerms::TenderId).eq(id))
                .to_owned(),
        )
        .await?;
    if terms.is_empty() {
        return Ok(());
    }
    let mut insert = Query::insert()
        .into_table(TenderTerms::Table)
        .columns([TenderTerms::Term, TenderTerms::TenderId])
        .to_owned();
    for term in terms {
        insert.values_panic([term.as_str().into(), id.into()]);
    }
    db.handle().execute(&insert).await?;
    Ok(())
}

/// Filters of the tender search.
#[derive(Debug, Clone, Default)]
pub struct TenderSearch {
    /// Words (prefix match, all must match).
    pub text: Option<String>,
    /// Only this phase (needs `now`).
    pub phase: Option<Phase>,
    /// Only tenders taking bids (clarification or bid submission; needs `now`).
    pub open_for_bids: bool,
    /// Only this method.
    pub method: Option<String>,
    /// Only this buyer.
    pub buyer_id: Option<i64>,
    /// Only tenders buying this catalogue item.
    pub catalogue_item_id: Option<i64>,
    /// Published at or after.
    pub published_from: Option<Timestamp>,
    /// Published before.
    pub published_to: Option<Timestamp>,
    /// Estimated value at least (minor units).
    pub min_value_minor: Option<i64>,
    /// Estimated value at most (minor units).
    pub max_value_minor: Option<i64>,
    /// Only direct awards.
    pub direct_only: bool,
    /// Include drafts (buyers' workspace).
    pub include_drafts: bool,
    /// Only tenders created by or visible to this buyer user (workspace).
    pub created_by: Option<i64>,
    /// The order asked for; `None`: exact matches of a typed code first, then the newest
    /// publication.
    pub order: Option<TenderOrder>,
}

/// A column the tender list sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// Publication instant.
    Published,
    /// Bid deadline (the closing date).
    BidDeadline,
    /// Estimated value.
    Value,
}

impl SortKey {
    /// Every key, in the order the list's columns show them.
    pub const ALL: [SortKey; 3] = [SortKey::Value, SortKey::Published, SortKey::BidDeadline];

    /// Its name in a `sort` code (`deadline_asc`).
    pub fn code(self) -> &'static str {
        match self {
            SortKey::Published => "published",
            SortKey::BidDeadline => "deadline",
            SortKey::Value => "value",
        }
    }

    /// The direction a first click sorts in: the newest publication, the nearest deadline,
    /// the largest value first.
    pub fn first_descending(self) -> bool {
        !matches!(self, SortKey::BidDeadline)
    }

    fn column(self) -> Tenders {
        match self {
            SortKey::Published => Tenders::PublishedAt,
            SortKey::BidDeadline => Tenders::BidDeadline,
            SortKey::Value => Tenders::EstimatedValueMinor,
        }
    }
}

/// An explicit order of the tender search: a column and a direction, written `value_desc`,
/// `deadline_asc`, … in a query string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TenderOrder {
    /// The column.
    pub key: SortKey,
    /// Largest or latest first.
    pub descending: bool,
}

impl TenderOrder {
    /// The default order of the list (newest publication first), as an explicit order.
    pub const DEFAULT: TenderOrder = TenderOrder {
        key: SortKey::Published,
        descending: true,
    };

    /// Every `sort` code, in the order the OpenAPI document lists them.
    pub const CODES: [&'static str; 6] = [
        "published_desc",
        "published_asc",
        "deadline_asc",
        "deadline_desc",
        "value_desc",
        "value_asc",
    ];

    /// The order a `sort` code names; `None` for anything else.
    pub fn parse(code: &str) -> Option<TenderOrder> {
        let (key, direction) = code.rsplit_once('_')?;
        let key = SortKey::ALL.into_iter().find(|k| k.code() == key)?;
        let descending = match direction {
            "asc" => false,
            "desc" => true,
            _ => return None,
        };
        Some(TenderOrder { key, descending })
    }

    /// Its `sort` code.
    pub fn code(self) -> String {
        format!(
            "{}_{}",
            self.key.code(),
            if self.descending { "desc" } else { "asc" }
        )
    }

    /// Adds the order to a query: the column (tenders without a value in it last, whatever
    /// the direction: SQLite and PostgreSQL put NULLs at opposite ends), then the id in the
    /// same direction, so equal values keep one order and an offset page never repeats or
    /// skips a row.
    fn apply(self, query: &mut SelectStatement) {
        let order = if self.descending {
            Order::Desc
        } else {
            Order::Asc
        };
        let column = Expr::col((Tenders::Table, self.key.column()));
        query
            .order_by_expr(
                CaseStatement::new()
                    .case(column.clone().is_null(), 1)
                    .finally(0)
                    .into(),
                Order::Asc,
            )
            .order_by_expr(column, order.clone())
            .order_by((Tenders::Table, Tenders::Id), order);
    }
}

fn phase_condition(phase: Phase, now: Timestamp) -> Cond {
    let now = now.as_micros();
    let status = |s: TenderStatus| Expr::col((Tenders::Table, Tenders::Status)).eq(s.code());
    match phase {
        Phase::Clarification => Cond::all()
            .add(status(TenderStatus::Published))
            .add(Expr::col((Tenders::Table, Tenders::ClarificationDeadline)).gt(now))
            .add(Expr::col((Tenders::Table, Tenders::BidDeadline)).gt(now)),
        Phase::BidSubmission => Cond::all()
            .add(status(TenderStatus::Published))
            .add(Expr::col((Tenders::Table, Tenders::ClarificationDeadline)).lte(now))
            .add(Expr::col((Tenders::Table, Tenders::BidDeadline)).gt(now)),
        Phase::AwaitingOpening => Cond::all()
            .add(status(TenderStatus::Published))
            .add(Expr::col((Tenders::Table, Tenders::BidDeadline)).lte(now)),
        Phase::Draft => Cond::all().add(status(TenderStatus::Draft)),
        Phase::Evaluation => Cond::all().add(status(TenderStatus::Evaluation)),
        Phase::Auction => Cond::all().add(status(TenderStatus::Auction)),
        Phase::Awarded => Cond::all().add(status(TenderStatus::Awarded)),
        Phase::Contracted => Cond::all().add(status(TenderStatus::Contracted)),
        Phase::Cancelled => Cond::all().add(status(TenderStatus::Cancelled)),
        Phase::Unsuccessful => Cond::all().add(status(TenderStatus::Unsuccessful)),
    }
}

fn search_condition(s: &TenderSearch, now: Timestamp) -> Cond {
    let mut cond = Cond::all();
    if !s.include_drafts {
        cond =
            cond.add(Expr::col((Tenders::Table, Tenders::Status)).ne(TenderStatus::Draft.code()));
    }
    if let Some(text) = s.text.as_deref() {
        cond = cond.add(text_condition(text));
    }
    if let Some(phase) = s.phase {
        cond = cond.add(phase_condition(phase, now));
    }
    if s.open_for_bids {
        cond = cond.add(
            Cond::any()
                .add(phase_condition(Phase::Clarification, now))
                .add(phase_condition(Phase::BidSubmission, now)),
        );
    }
    if let Some(method) = &s.method {
        cond = cond.add(Expr::col((Tenders::Table, Tenders::MethodCode)).eq(method.as_str()));
    }
    if let Some(buyer) = s.buyer_id {
        cond = cond.add(Expr::col((Tenders::Table, Tenders::BuyerId)).eq(buyer));
    }
    if let Some(item) = s.catalogue_item_id {
        cond = cond.add(
            Expr::col((Tenders::Table, Tenders::Id)).in_subquery(
                Query::select()
                    .column(TenderItems::TenderId)
                    .from(TenderItems::Table)
                    .and_where(Expr::col(TenderItems::CatalogueItemId).eq(item))
                    .to_owned(),
            ),
        );
    }
    if let Some(from) = s.published_from {
        cond = cond.add(Expr::col((Tenders::Table, Tenders::PublishedAt)).gte(from.as_micros()));
    }
    if let Some(to) = s.published_to {
        cond = cond.add(Expr::col((Tenders::Table, Tenders::PublishedAt)).lt(to.as_micros()));
    }
    if let Some(min) = s.min_value_minor {
        cond = cond.add(Expr::col((Tenders::Table, Tenders::EstimatedValueMinor)).gte(min));
    }
    if let Some(max) = s.max_value_minor {
        cond = cond.add(Expr::col((Tenders::Table, Tenders::EstimatedValueMinor)).lte(max));
    }
    if s.direct_only {
        cond = cond.add(Expr::col((Tenders::Table, Tenders::IsDirect)).eq(true));
    }
    if let Some(by) = s.created_by {
        cond = cond.add(Expr::col((Tenders::Table, Tenders::CreatedBy)).eq(by));
    }
    cond
}

/// A tender in a result list, with its buyer's short name.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TenderListRow {
    /// The tender.
    #[sqlx(flatten)]
    pub tender: TenderRow,
    /// Buyer's short name.
    pub buyer_short_name: String,
}

/// Searches tenders, in `s.order` or newest publication first.
pub async fn search(
    db: &mut impl Queryable,
    s: &TenderSearch,
    now: Timestamp,
    offset: i64,
    limit: i64,
) -> Result<Page<TenderListRow>, RepoError> {
    let cond = search_condition(s, now);
    let (total,): (i64,) = db
        .handle()
        .one(
            &Query::select()
                .expr(Expr::col(Asterisk).count())
                .from(Tenders::Table)
                .cond_where(cond.clone())
                .to_owned(),
        )
        .await?;
    let mut query = select();
    match s.order {
        // An order asked for is the order shown (a column header sorts the whole list).
        Some(order) => order.apply(&mut query),
        None => {
            // Issue 13: a reference or catalogue code typed whole lists its exact matches
            // first.
            if let Some(rank) = s.text.as_deref().and_then(exact_rank) {
                query.order_by_expr(rank, Order::Asc);
            }
            query
                .order_by((Tenders::Table, Tenders::PublishedAt), Order::Desc)
                .order_by((Tenders::Table, Tenders::Id), Order::Desc);
        }
    }
    let items: Vec<TenderListRow> = db
        .handle()
        .all(
            &query
                .expr_as(
                    Expr::col((Buyers::Table, Buyers::ShortName)),
                    sea_query::Alias::new("buyer_short_name"),
                )
                .inner_join(
                    Buyers::Table,
                    Expr::col((Buyers::Table, Buyers::Id))
                        .equals((Tenders::Table, Tenders::BuyerId)),
                )
                .cond_where(cond)
                .limit(u64::try_from(limit).unwrap_or(1))
                .offset(u64::try_from(offset).unwrap_or(0))
                .to_owned(),
        )
        .await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

/// Public tenders still taking bids (in their clarification or bid-submission phase), the
/// nearest bid deadline first: the home page's "closing soon".
pub async fn closing_soon(
    db: &mut impl Queryable,
    now: Timestamp,
    limit: u64,
) -> Result<Vec<TenderListRow>, RepoError> {
    let search = TenderSearch {
        open_for_bids: true,
        ..TenderSearch::default()
    };
    db.handle()
        .all(
            &select()
                .expr_as(
                    Expr::col((Buyers::Table, Buyers::ShortName)),
                    sea_query::Alias::new("buyer_short_name"),
                )
                .inner_join(
                    Buyers::Table,
                    Expr::col((Buyers::Table, Buyers::Id))
                        .equals((Tenders::Table, Tenders::BuyerId)),
                )
                .cond_where(search_condition(&search, now))
                .order_by((Tenders::Table, Tenders::BidDeadline), Order::Asc)
                .order_by((Tenders::Table, Tenders::Id), Order::Asc)
                .limit(limit)
                .to_owned(),
        )
        .await
}

/// A lot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct LotRow {
    /// Id.
    pub id: i64,
    /// Tender.
    pub tender_id: i64,
    /// Number within the tender (1…).
    pub number: i64,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Estimated value (exact text).
    pub estimated_value: String,
    /// `active`, `awarded`, `unsuccessful`, `cancelled`.
    pub status: String,
}

/// Adds a lot.
pub async fn insert_lot(
    db: &mut impl Queryable,
    tender_id: i64,
    number: i64,
    title: &str,
    description: &str,
    estimated_value: &str,
) -> Result<i64, RepoError> {
    let (id,): (i64,) = db
        .handle()
        .one(
            &Query::insert()
                .into_table(Lots::Table)
                .columns([
                    Lots::TenderId,
                    Lots::Number,
                    Lots::Title,
                    Lots::Description,
                    Lots::EstimatedValue,
                    Lots::Status,
                ])
                .values_panic([
                    tender_id.into(),
                    number.into(),
                    title.into(),
                    description.into(),
                    estimated_value.into(),
                    "active".into(),
                ])
                .returning_col(Lots::Id)
                .to_owned(),
        )
        .await?;
    Ok(id)
}

/// Takes the lot's row lock until the transaction ends (PostgreSQL; SQLite's write
/// transactions are exclusive anyway), so concurrent bids on one lot are handled one at a time.
pub async fn lock_lot(db: &mut impl Queryable, lot_id: i64) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::update()
                .table(Lots::Table)
                .value(Lots::Status, Expr::col(Lots::Status))
                .and_where(Expr::col(Lots::Id).eq(lot_id))
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// Sets a lot's status.
pub async fn set_lot_status(
    db: &mut impl Queryable,
    lot_id: i64,
    status: &str,
) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::update()
                .table(Lots::Table)
                .value(Lots::Status, status)
                .and_where(Expr::col(Lots::Id).eq(lot_id))
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// The lots of a tender, by number.
pub async fn lots(db: &mut impl Queryable, tender_id: i64) -> Result<Vec<LotRow>, RepoError> {
    db.handle()
        .all(
            &Query::select()
                .columns([
                    Lots::Id,
                    Lots::TenderId,
                    Lots::Number,
                    Lots::Title,
                    Lots::Description,
                    Lots::EstimatedValue,
                    Lots::Status,
                ])
                .from(Lots::Table)
                .and_where(Expr::col(Lots::TenderId).eq(tender_id))
                .order_by(Lots::Number, Order::Asc)
                .to_owned(),
        )
        .await
}

/// An item line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ItemRow {
    /// Id.
    pub id: i64,
    /// Tender.
    pub tender_id: i64,
    /// Lot.
    pub lot_id: i64,
    /// Number within the lot.
    pub number: i64,
    /// Catalogue item.
    pub catalogue_item_id: Option<i64>,
    /// Description.
    pub description: String,
    /// Quantity (exact text).
    pub quantity: String,
    /// Unit.
    pub unit: String,
    /// Plan line it comes from.
    pub plan_line_id: Option<i64>,
    /// Estimated unit price (exact text; none on items stored before migration 8).
    pub unit_price: Option<String>,
}

/// Adds an item line.
pub async fn insert_item(
    db: &mut impl Queryable,
    tender_id: i64,
    lot_id: i64,
    number: i64,
    catalogue_item_id: Option<i64>,
    description: &str,
    quantity: &str,
    unit: &str,
    plan_line_id: Option<i64>,
    unit_price: Option<&str>,
) -> Result<i64, RepoError> {
    let (id,): (i64,) = db
        .handle()
        .one(
            &Query::insert()
                .into_table(TenderItems::Table)
                .columns([
                    TenderItems::TenderId,
                    TenderItems::LotId,
                    TenderItems::Number,
                    TenderItems::CatalogueItemId,
                    TenderItems::Description,
                    TenderItems::Quantity,
                    TenderItems::Unit,
                    TenderItems::PlanLineId,
                    TenderItems::UnitPrice,
                ])
                .values_panic([
                    tender_id.into(),
                    lot_id.into(),
                    number.into(),
                    catalogue_item_id.into(),
                    description.into(),
                    quantity.into(),
                    unit.into(),
                    plan_line_id.into(),
                    unit_price.into(),
                ])
                .returning_col(TenderItems::Id)
                .to_owned(),
        )
        .await?;
    Ok(id)
}

/// The items of a tender, by lot and number.
pub async fn items(db: &mut impl Queryable, tender_id: i64) -> Result<Vec<ItemRow>, RepoError> {
    db.handle()
        .all(
            &Query::select()
                .columns([
                    TenderItems::Id,
                    TenderItems::TenderId,
                    TenderItems::LotId,
                    TenderItems::Number,
                    TenderItems::CatalogueItemId,
                    TenderItems::Description,
                    TenderItems::Quantity,
                    TenderItems::Unit,
                    TenderItems::PlanLineId,
                    TenderItems::UnitPrice,
                ])
                .from(TenderItems::Table)
                .and_where(Expr::col(TenderItems::TenderId).eq(tender_id))
                .order_by(TenderItems::LotId, Order::Asc)
                .order_by(TenderItems::Number, Order::Asc)
                .to_owned(),
        )
        .await
}

/// Items of plan lines (plan vs actual): (plan line, tender id, tender status, quantity).
pub async fn items_of_plan_lines(
    db: &mut impl Queryable,
    plan_line_ids: &[i64],
) -> Result<Vec<(i64, i64, String, String)>, RepoError> {
    if plan_line_ids.is_empty() {
        return Ok(Vec::new());
    }
    db.handle()
        .all(
            &Query::select()
                .column((TenderItems::Table, TenderItems::PlanLineId))
                .column((TenderItems::Table, TenderItems::TenderId))
                .column((Tenders::Table, Tenders::Status))
                .column((TenderItems::Table, TenderItems::Quantity))
                .from(TenderItems::Table)
                .inner_join(
                    Tenders::Table,
                    Expr::col((Tenders::Table, Tenders::Id))
                        .equals((TenderItems::Table, TenderItems::TenderId)),
                )
                .and_where(
                    Expr::col((TenderItems::Table, TenderItems::PlanLineId))
                        .is_in(plan_line_ids.to_vec()),
                )
                .to_owned(),
        )
        .await
}

/// Removes every lot and item of a draft (before re-saving them).
pub async fn clear_lots(db: &mut impl Queryable, tender_id: i64) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::delete()
                .from_table(TenderItems::Table)
                .and_where(Expr::col(TenderItems::TenderId).eq(tender_id))
                .to_owned(),
        )
        .await?;
    db.handle()
        .execute(
            &Query::delete()
                .from_table(Lots::Table)
                .and_where(Expr::col(Lots::TenderId).eq(tender_id))
                .to_owned(),
        )
        .await?;
    db.handle()
        .execute(
            &Query::delete()
                .from_table(TenderRequirements::Table)
                .and_where(Expr::col(TenderRequirements::TenderId).eq(tender_id))
                .to_owned(),
        )
        .await?;
    db.handle()
        .execute(
            &Query::delete()
                .from_table(TenderCriteria::Table)
                .and_where(Expr::col(TenderCriteria::TenderId).eq(tender_id))
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// A compliance requirement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct RequirementRow {
    /// Id.
    pub id: i64,
    /// Tender.
    pub tender_id: i64,
    /// Short code.
    pub code: String,
    /// What must be met.
    pub description: String,
}

/// Adds a requirement.
pub async fn insert_requirement(
    db: &mut impl Queryable,
    tender_id: i64,
    code: &str,
    description: &str,
) -> Result<i64, RepoError> {
    let (id,): (i64,) = db
        .handle()
        .one(
            &Query::insert()
                .into_table(TenderRequirements::Table)
                .columns([
                    TenderRequirements::TenderId,
                    TenderRequirements::Code,
                    TenderRequirements::Description,
                ])
                .values_panic([tender_id.into(), code.into(), description.into()])
                .returning_col(TenderRequirements::Id)
                .to_owned(),
        )
        .await?;
    Ok(id)
}

/// Requirements of a tender.
pub async fn requirements(
    db: &mut impl Queryable,
    tender_id: i64,
) -> Result<Vec<RequirementRow>, RepoError> {
    db.handle()
        .all(
            &Query::select()
                .columns([
                    TenderRequirements::Id,
                    TenderRequirements::TenderId,
                    TenderRequirements::Code,
                    TenderRequirements::Description,
                ])
                .from(TenderRequirements::Table)
                .and_where(Expr::col(TenderRequirements::TenderId).eq(tender_id))
                .order_by(TenderRequirements::Id, Order::Asc)
                .to_owned(),
        )
        .await
}

/// A scoring criterion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CriterionRow {
    /// Id.
    pub id: i64,
    /// Tender.
    pub tender_id: i64,
    /// Short code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Weight (percent).
    pub weight: i64,
    /// Whether it is the price criterion.
    pub is_price: bool,
}

/// Adds a criterion.
pub async fn insert_criterion(
    db: &mut impl Queryable,
    tender_id: i64,
    code: &str,
    name: &str,
    weight: i64,
    is_price: bool,
) -> Result<i64, RepoError> {
    let (id,): (i64,) = db
        .handle()
        .one(
            &Query::insert()
                .into_table(TenderCriteria::Table)
                .columns([
                    TenderCriteria::TenderId,
                    TenderCriteria::Code,
                    TenderCriteria::Name,
                    TenderCriteria::Weight,
                    TenderCriteria::IsPrice,
                ])
                .values_panic([
                    tender_id.into(),
                    code.into(),
                    name.into(),
                    weight.into(),
                    is_price.into(),
                ])
                .returning_col(TenderCriteria::Id)
                .to_owned(),
        )
        .await?;
    Ok(id)
}

/// Criteria of a tender.
pub async fn criteria(
    db: &mut impl Queryable,
    tender_id: i64,
) -> Result<Vec<CriterionRow>, RepoError> {
    db.handle()
        .all(
            &Query::select()
                .columns([
                    TenderCriteria::Id,
                    TenderCriteria::TenderId,
                    TenderCriteria::Code,
                    TenderCriteria::Name,
                    TenderCriteria::Weight,
                    TenderCriteria::IsPrice,
                ])
                .from(TenderCriteria::Table)
                .and_where(Expr::col(TenderCriteria::TenderId).eq(tender_id))
                .order_by(TenderCriteria::Id, Order::Asc)
                .to_owned(),
        )
        .await
}

/// An amendment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AmendmentRow {
    /// Id.
    pub id: i64,
    /// Tender.
    pub tender_id: i64,
    /// Number (1…).
    pub number: i64,
    /// What changed and why.
    pub description: String,
    /// Previous questions deadline.
    pub old_clarification_deadline: Option<i64>,
    /// New questions deadline.
    pub new_clarification_deadline: Option<i64>,
    /// Previous bids deadline.
    pub old_bid_deadline: Option<i64>,
    /// New bids deadline.
    pub new_bid_deadline: Option<i64>,
    /// Author.
    pub created_by: i64,
    /// When.
    pub created_at: i64,
}

/// Records an amendment.
pub async fn insert_amendment(db: &mut impl Queryable, a: &AmendmentRow) -> Result<i64, RepoError> {
    let (id,): (i64,) = db
        .handle()
        .one(
            &Query::insert()
                .into_table(Amendments::Table)
                .columns([
                    Amendments::TenderId,
                    Amendments::Number,
                    Amendments::Description,
                    Amendments::OldClarificationDeadline,
                    Amendments::NewClarificationDeadline,
                    Amendments::OldBidDeadline,
                    Amendments::NewBidDeadline,
                    Amendments::CreatedBy,
                    Amendments::CreatedAt,
                ])
                .values_panic([
                    a.tender_id.into(),
                    a.number.into(),
                    a.description.as_str().into(),
                    a.old_clarification_deadline.into(),
                    a.new_clarification_deadline.into(),
                    a.old_bid_deadline.into(),
                    a.new_bid_deadline.into(),
                    a.created_by.into(),
                    a.created_at.into(),
                ])
                .returning_col(Amendments::Id)
                .to_owned(),
        )
        .await?;
    Ok(id)
}

/// Amendments of a tender, oldest first.
pub async fn amendments(
    db: &mut impl Queryable,
    tender_id: i64,
) -> Result<Vec<AmendmentRow>, RepoError> {
    db.handle()
        .all(
            &Query::select()
                .columns([
                    Amendments::Id,
                    Amendments::TenderId,
                    Amendments::Number,
                    Amendments::Description,
                    Amendments::OldClarificationDeadline,
                    Amendments::NewClarificationDeadline,
                    Amendments::OldBidDeadline,
                    Amendments::NewBidDeadline,
                    Amendments::CreatedBy,
                    Amendments::CreatedAt,
                ])
                .from(Amendments::Table)
                .and_where(Expr::col(Amendments::TenderId).eq(tender_id))
                .order_by(Amendments::Number, Order::Asc)
                .to_owned(),
        )
        .await
}
