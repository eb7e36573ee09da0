//! What each role sees first when it signs in (issue 3, item 12): the buyer's workspace, the
//! supplier's portal and the committee's workspace, plus everyone's notifications.
//!
//! These are read models assembled from the e-sourcing records; they change nothing, so they
//! read from a read connection and need no audit entry.

use super::ServiceError;
use super::audit::{Publication, commit_with};
use super::events::workspace::NotificationsRead;
use crate::domain::role::Role;
use crate::domain::tender::Phase;
use crate::domain::time::Timestamp;
use crate::domain::user::User;
use crate::repository::awards::ComplaintRow;
use crate::repository::bids::BidRow;
use crate::repository::contracts::ContractRow;
use crate::repository::notifications::NotificationRow;
use crate::repository::tenders::{TenderListRow, TenderRow, TenderSearch};
use crate::repository::{
    Database, Page, awards, bids, committee, contracts, evaluation, notifications, suppliers,
    tenders, users,
};
use serde::Serialize;
use std::collections::HashMap;

/// Phases a buyer acts in, in the order the workspace lists them.
pub const BUYER_PHASES: [Phase; 7] = [
    Phase::Draft,
    Phase::Clarification,
    Phase::BidSubmission,
    Phase::AwaitingOpening,
    Phase::Evaluation,
    Phase::Auction,
    Phase::Awarded,
];

/// A complaint with the tender it contests (the buyer must resolve it).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PendingComplaint {
    /// Complaint id.
    pub id: i64,
    /// Tender id.
    pub tender_id: i64,
    /// Tender title.
    pub tender_title: String,
    /// Complaining supplier.
    pub supplier_name: String,
    /// When filed (µs).
    pub filed_at: i64,
}

/// The buyer's workspace: how many tenders wait in each phase, the chosen phase's tenders, and
/// the complaints to resolve.
#[derive(Debug, Clone)]
pub struct BuyerWorkspace {
    /// Tenders per phase (only the buyer's own when `mine`).
    pub counts: Vec<(Phase, i64)>,
    /// The chosen phase's tenders.
    pub tenders: Page<TenderListRow>,
    /// Complaints awaiting a resolution.
    pub complaints: Vec<PendingComplaint>,
}

/// Assembles the buyer workspace. `mine` limits it to tenders the user created.
pub async fn buyer(
    db: &Database,
    user: &User,
    phase: Phase,
    mine: bool,
    now: Timestamp,
    offset: i64,
    limit: i64,
) -> Result<BuyerWorkspace, ServiceError> {
    if !(user.has_role(Role::Buyer) || user.has_role(Role::Administrator)) {
        return Err(ServiceError::Forbidden);
    }
    let mut conn = db.read().await?;
    let base = TenderSearch {
        include_drafts: true,
        created_by: mine.then_some(user.id),
        ..TenderSearch::default()
    };
    let mut counts = Vec::with_capacity(BUYER_PHASES.len());
    for p in BUYER_PHASES {
        let search = TenderSearch {
            phase: Some(p),
            ..base.clone()
        };
        counts.push((p, tenders::count_matching(&mut conn, &search, now).await?));
    }
    let list = tenders::search(
        &mut conn,
        &TenderSearch {
            phase: Some(phase),
            ..base
        },
        now,
        offset,
        limit,
    )
    .await?;
    let pending = awards::pending_complaints(&mut conn).await?;
    let mut complaints = Vec::with_capacity(pending.len());
    for c in pending {
        complaints.push(PendingComplaint {
            tender_title: tenders::find(&mut conn, c.tender_id)
                .await?
                .map(|t| t.title)
                .unwrap_or_default(),
            supplier_name: suppliers::find(&mut conn, c.supplier_id)
                .await?
                .map(|s| s.legal_name)
                .unwrap_or_default(),
            id: c.id,
            tender_id: c.tender_id,
            filed_at: c.filed_at,
        });
    }
    Ok(BuyerWorkspace {
        counts,
        tenders: list,
        complaints,
    })
}

/// A tender as a portal line: id, title, reference and phase now.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TenderLine {
    /// Tender id.
    pub id: i64,
    /// OCID.
    pub ocid: String,
    /// Buyer's reference.
    pub reference: String,
    /// Title.
    pub title: String,
    /// Phase now (`phase-…` code).
    pub phase: String,
    /// Bid deadline (µs), once published.
    pub bid_deadline: Option<i64>,
}

impl TenderLine {
    fn of(t: &TenderRow, now: Timestamp) -> TenderLine {
        TenderLine {
            id: t.id,
            ocid: t.ocid.clone(),
            reference: t.reference.clone(),
            title: t.title.clone(),
            phase: t.phase(now).code().to_string(),
            bid_deadline: t.bid_deadline,
        }
    }
}

/// A bid in the supplier's portal (never its content: that stays sealed until the opening).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PortalBid {
    /// Bid id.
    pub id: i64,
    /// The tender.
    pub tender: TenderLine,
    /// Lot number.
    pub lot_number: i64,
    /// `submitted`, `withdrawn`, `replaced` or `opened`.
    pub status: String,
    /// Receipt hash.
    pub receipt_hash: String,
    /// Server time of submission (µs).
    pub submitted_at: i64,
}

/// A contract in the supplier's portal.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PortalContract {
    /// Contract id.
    pub id: i64,
    /// Number.
    pub number: String,
    /// The tender.
    pub tender: TenderLine,
    /// Value (exact decimal text).
    pub amount: String,
    /// Currency.
    pub currency: String,
    /// Signed (µs).
    pub signed_at: i64,
    /// `active`, `completed`, `terminated`.
    pub status: String,
}

/// A complaint in the supplier's portal.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PortalComplaint {
    /// Complaint id.
    pub id: i64,
    /// The tender.
    pub tender: TenderLine,
    /// `filed`, `upheld` or `rejected`.
    pub status: String,
    /// When filed (µs).
    pub filed_at: i64,
}

/// A colleague's account (same supplier).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Colleague {
    /// User id.
    pub id: i64,
    /// Username.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Whether active.
    pub active: bool,
}

/// The supplier portal: the firm's standing, bids with receipts, followed tenders, contracts,
/// complaints and colleagues.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SupplierPortal {
    /// Supplier id.
    pub supplier_id: i64,
    /// Legal name.
    pub legal_name: String,
    /// NIT.
    pub nit: String,
    /// `pending`, `verified` or `suspended`.
    pub status: String,
    /// Why it is suspended, when it is.
    pub suspension_reason: Option<String>,
    /// Bids, newest first.
    pub bids: Vec<PortalBid>,
    /// Followed tenders.
    pub followed: Vec<TenderLine>,
    /// Contracts.
    pub contracts: Vec<PortalContract>,
    /// Complaints filed.
    pub complaints: Vec<PortalComplaint>,
    /// Accounts of the firm.
    pub colleagues: Vec<Colleague>,
}

async fn tender_lines(
    conn: &mut impl crate::repository::Queryable,
    ids: Vec<i64>,
    now: Timestamp,
) -> Result<HashMap<i64, TenderLine>, ServiceError> {
    let mut ids = ids;
    ids.sort_unstable();
    ids.dedup();
    Ok(tenders::find_many(conn, &ids)
        .await?
        .iter()
        .map(|t| (t.id, TenderLine::of(t, now)))
        .collect())
}

/// Assembles the portal of the user's supplier.
pub async fn supplier(
    db: &Database,
    user: &User,
    now: Timestamp,
) -> Result<SupplierPortal, ServiceError> {
    let Some(supplier_id) = user.supplier_id.filter(|_| user.has_role(Role::Supplier)) else {
        return Err(ServiceError::Forbidden);
    };
    let mut conn = db.read().await?;
    let firm = suppliers::find(&mut conn, supplier_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let suspension_reason = suppliers::details(&mut conn, supplier_id)
        .await?
        .and_then(|d| d.suspension_reason);
    let bid_rows: Vec<BidRow> = bids::of_supplier(&mut conn, supplier_id).await?;
    let followed_ids = bids::interests_of_supplier(&mut conn, supplier_id).await?;
    let contract_rows: Vec<ContractRow> = contracts::of_supplier(&mut conn, supplier_id).await?;
    let complaint_rows: Vec<ComplaintRow> =
        awards::complaints_of_supplier(&mut conn, supplier_id).await?;
    let mut ids: Vec<i64> = bid_rows.iter().map(|b| b.tender_id).collect();
    ids.extend(&followed_ids);
    ids.extend(contract_rows.iter().map(|c| c.tender_id));
    ids.extend(complaint_rows.iter().map(|c| c.tender_id));
    let lines = tender_lines(&mut conn, ids, now).await?;
    let line = |id: i64| lines.get(&id).cloned();
    let mut lot_numbers: HashMap<i64, i64> = HashMap::new();
    for tender_id in bid_rows.iter().map(|b| b.tender_id) {
        if let std::collections::hash_map::Entry::Vacant(_) = lot_numbers.entry(-tender_id) {
            lot_numbers.insert(-tender_id, 0);
            for lot in tenders::lots(&mut conn, tender_id).await? {
                lot_numbers.insert(lot.id, lot.number);
            }
        }
    }
    let bids = bid_rows
        .iter()
        .filter_map(|b| {
            Some(PortalBid {
                id: b.id,
                tender: line(b.tender_id)?,
                lot_number: lot_numbers.get(&b.lot_id).copied().unwrap_or(1),
                status: b.status.clone(),
                receipt_hash: b.receipt_hash.clone(),
                submitted_at: b.submitted_at,
            })
        })
        .collect();
    let mut colleagues = Vec::new();
    for id in suppliers::user_ids(&mut conn, &[supplier_id]).await? {
        if let Some(u) = users::find(&mut conn, id).await? {
            colleagues.push(Colleague {
                id: u.id,
                username: u.username,
                display_name: u.display_name,
                active: u.active,
            });
        }
    }
    colleagues.sort_by(|a, b| a.username.cmp(&b.username));
    Ok(SupplierPortal {
        supplier_id,
        legal_name: firm.legal_name,
        nit: firm.nit,
        status: firm.status.code().to_string(),
        suspension_reason,
        bids,
        followed: followed_ids.into_iter().filter_map(line).collect(),
        contracts: contract_rows
            .iter()
            .filter_map(|c| {
                Some(PortalContract {
                    id: c.id,
                    number: c.number.clone(),
                    tender: line(c.tender_id)?,
                    amount: c.amount.clone(),
                    currency: c.currency.clone(),
                    signed_at: c.signed_at,
                    status: c.status.clone(),
                })
            })
            .collect(),
        complaints: complaint_rows
            .iter()
            .filter_map(|c| {
                Some(PortalComplaint {
                    id: c.id,
                    tender: line(c.tender_id)?,
                    status: c.status.clone(),
                    filed_at: c.filed_at,
                })
            })
            .collect(),
        colleagues,
    })
}

/// A tender on a committee member's desk and what the member still has to do.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CommitteeTender {
    /// The tender.
    pub tender: TenderLine,
    /// Whether the member chairs the committee.
    pub chair: bool,
    /// Whether the member declared on conflicts of interest.
    pub declared: bool,
    /// Whether the member declared a conflict (and so stands aside).
    pub conflicted: bool,
    /// Whether the member submitted their evaluation.
    pub submitted: bool,
    /// The next step for this member (`open`, `declare`, `evaluate`, `wait`, `none`).
    pub next_step: String,
}

/// The committee workspace: the member's opening-key fingerprint and their tenders.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CommitteeWorkspace {
    /// Fingerprint of the member's opening key, once registered.
    pub key_fingerprint: Option<String>,
    /// Tenders on whose committee the member sits, newest first.
    pub tenders: Vec<CommitteeTender>,
}

/// The next step of a member on a tender, from its phase and what they did (the rule of
/// issue 3 item 9: declare first, then evaluate independently).
fn next_step(phase: Phase, declared: bool, conflicted: bool, submitted: bool) -> &'static str {
    match phase {
        Phase::AwaitingOpening => "open",
        Phase::Evaluation if !declared => "declare",
        Phase::Evaluation if conflicted || submitted => "wait",
        Phase::Evaluation => "evaluate",
        // Still taking bids: nothing to do until the deadline, and nobody to wait for (the
        // desk said "wait for the other members" here, issue 13).
        Phase::Clarification | Phase::BidSubmission => "await_bids",
        _ => "none",
    }
}

/// Assembles the committee workspace of an evaluator.
pub async fn committee(
    db: &Database,
    user: &User,
    now: Timestamp,
) -> Result<CommitteeWorkspace, ServiceError> {
    if !user.has_role(Role::Evaluator) {
        return Err(ServiceError::Forbidden);
    }
    let key_fingerprint = super::bids::opening_key_fingerprint(db, user.id).await?;
    let mut conn = db.read().await?;
    let ids = committee::tenders_of_member(&mut conn, user.id).await?;
    let rows = tenders::find_many(&mut conn, &ids).await?;
    let mut out = Vec::with_capacity(rows.len());
    for t in rows {
        let chair = committee::members(&mut conn, t.id)
            .await?
            .iter()
            .any(|m| m.user_id == user.id && m.chair);
        let declaration = committee::declarations(&mut conn, t.id)
            .await?
            .into_iter()
            .find(|d| d.user_id == user.id);
        let submitted = evaluation::submissions(&mut conn, t.id)
            .await?
            .iter()
            .any(|(id, _)| *id == user.id);
        let phase = t.phase(now);
        let declared = declaration.is_some();
        let conflicted = declaration.is_some_and(|d| d.has_conflict);
        out.push(CommitteeTender {
            next_step: next_step(phase, declared, conflicted, submitted).to_string(),
            tender: TenderLine::of(&t, now),
            chair,
            declared,
            conflicted,
            submitted,
        });
    }
    Ok(CommitteeWorkspace {
        key_fingerprint,
        tenders: out,
    })
}

/// A page of a user's notifications (newest first) and how many are unread.
pub async fn notifications_of(
    db: &Database,
    user: &User,
    offset: i64,
    limit: i64,
) -> Result<(Page<NotificationRow>, i64), ServiceError> {
    let mut conn = db.read().await?;
    let page = notifications::page(&mut conn, user.id, offset, limit).await?;
    let unread = notifications::unread(&mut conn, user.id).await?;
    Ok((page, unread))
}

/// Marks all of a user's notifications read; returns how many were unread. Recorded in the
/// (non-public) audit log like every state change.
pub async fn mark_notifications_read(
    db: &Database,
    user: &User,
    now: Timestamp,
) -> Result<u64, ServiceError> {
    let mut tx = db.begin().await?;
    let n = notifications::mark_read(&mut tx, user.id, now).await?;
    if n > 0 {
        commit_with(
            tx,
            &super::Actor::User(user.clone()),
            &NotificationsRead {
                user_id: user.id,
                read: n,
            },
            Publication::None,
        )
        .await?;
    } else {
        tx.commit().await?;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_declare_before_they_evaluate() {
        assert_eq!(next_step(Phase::Evaluation, false, false, false), "declare");
        assert_eq!(next_step(Phase::Evaluation, true, false, false), "evaluate");
        assert_eq!(next_step(Phase::Evaluation, true, true, false), "wait");
        assert_eq!(next_step(Phase::Evaluation, true, false, true), "wait");
        assert_eq!(
            next_step(Phase::AwaitingOpening, false, false, false),
            "open"
        );
        assert_eq!(next_step(Phase::Contracted, true, false, true), "none");
        assert_eq!(
            next_step(Phase::BidSubmission, false, false, false),
            "await_bids"
        );
    }
}
