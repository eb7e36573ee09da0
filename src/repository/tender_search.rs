//! The text part of the tender search (issue 13, "search finds what users mean"): each query
//! term matches the tender's indexed terms (`tender_terms`, see `domain::search`) or, for
//! words, the name of a supplier whose bid on it has been opened or who won it; a reference or
//! catalogue code typed whole puts its exact matches first.

use super::folded;
use super::schema::{CatalogueItems, Suppliers};
use super::schema_esourcing::{Awards, Bids, OpenedBids, TenderItems, TenderTerms, Tenders};
use crate::domain::search::{QueryTerm, exact_identifier, prefix_upper_bound, query_terms};
use sea_query::{CaseStatement, Cond, Expr, ExprTrait, Func, Query, SelectStatement};

/// Tenders matching every term of `text`.
pub fn text_condition(text: &str) -> Cond {
    let mut cond = Cond::all();
    for term in query_terms(text) {
        let mut any = Cond::any().add(tender_id().in_subquery(indexed(&term)));
        if term.is_word() {
            // A supplier's name finds what it bid on (once opened: sealed bids stay secret)
            // and what it won.
            let named = suppliers_named(&term);
            any = any
                .add(
                    tender_id().in_subquery(
                        Query::select()
                            .column((Bids::Table, Bids::TenderId))
                            .from(Bids::Table)
                            .inner_join(
                                OpenedBids::Table,
                                Expr::col((OpenedBids::Table, OpenedBids::BidId))
                                    .equals((Bids::Table, Bids::Id)),
                            )
                            .and_where(
                                Expr::col((Bids::Table, Bids::SupplierId))
                                    .in_subquery(named.clone()),
                            )
                            .to_owned(),
                    ),
                )
                .add(
                    tender_id().in_subquery(
                        Query::select()
                            .column(Awards::TenderId)
                            .from(Awards::Table)
                            .and_where(Expr::col(Awards::SupplierId).in_subquery(named))
                            .to_owned(),
                    ),
                );
        }
        cond = cond.add(any);
    }
    cond
}

/// `0` for a tender whose reference or one of whose items' catalogue codes (or ATC or UNSPSC
/// code) is exactly the query, `1` otherwise: the first sort key, so exact matches come first.
/// `None` when the query is not a single identifier.
pub fn exact_rank(text: &str) -> Option<Expr> {
    let ident = exact_identifier(text)?;
    let lower = |col: Expr| Expr::expr(Func::lower(col)).eq(ident.as_str());
    let by_code = Query::select()
        .column((TenderItems::Table, TenderItems::TenderId))
        .from(TenderItems::Table)
        .inner_join(
            CatalogueItems::Table,
            Expr::col((CatalogueItems::Table, CatalogueItems::Id))
                .equals((TenderItems::Table, TenderItems::CatalogueItemId)),
        )
        .cond_where(
            Cond::any()
                .add(lower(Expr::col((
                    CatalogueItems::Table,
                    CatalogueItems::Code,
                ))))
                .add(lower(Expr::col((
                    CatalogueItems::Table,
                    CatalogueItems::AtcCode,
                ))))
                .add(lower(Expr::col((
                    CatalogueItems::Table,
                    CatalogueItems::UnspscCode,
                )))),
        )
        .to_owned();
    let exact = Cond::any()
        .add(lower(Expr::col((Tenders::Table, Tenders::Reference))))
        .add(tender_id().in_subquery(by_code));
    Some(CaseStatement::new().case(exact, 0).finally(1).into())
}

fn tender_id() -> Expr {
    Expr::col((Tenders::Table, Tenders::Id))
}

/// The tenders with an indexed term starting with one of the term's prefixes (range scans on
/// the index, as in `domain::search::prefix_upper_bound`).
fn indexed(term: &QueryTerm) -> SelectStatement {
    let mut any = Cond::any();
    for prefix in term.prefixes() {
        let mut range = Cond::all().add(Expr::col(TenderTerms::Term).gte(prefix));
        if let Some(upper) = prefix_upper_bound(prefix) {
            range = range.add(Expr::col(TenderTerms::Term).lt(upper));
        }
        any = any.add(range);
    }
    Query::select()
        .column(TenderTerms::TenderId)
        .from(TenderTerms::Table)
        .cond_where(any)
        .to_owned()
}

/// Suppliers with a word of their legal name (accents and case ignored) starting with one of
/// the term's prefixes.
fn suppliers_named(term: &QueryTerm) -> SelectStatement {
    let mut any = Cond::any();
    for prefix in term.prefixes() {
        // Prefixes are folded letters and digits only: nothing to escape in LIKE.
        any = any
            .add(folded(Suppliers::LegalName).like(format!("{prefix}%")))
            .add(folded(Suppliers::LegalName).like(format!("% {prefix}%")));
    }
    Query::select()
        .column(Suppliers::Id)
        .from(Suppliers::Table)
        .cond_where(any)
        .to_owned()
}
