//! Everything public about one tender, assembled once for its page, its JSON and (issue 5) its
//! open data: the notice, lots and items, documents with their hashes, amendments,
//! clarifications (askers anonymous), the committee and its declarations, the number of bids
//! before the opening (never who or what), the opening record, the evaluation, awards,
//! complaints, contracts, and the timeline from the public audit log.

use super::ServiceError;
use super::evaluation::{LotResult, Progress, progress};
use crate::domain::audit::AuditEvent;
use crate::domain::role::Role;
use crate::domain::tender::Phase;
use crate::domain::time::Timestamp;
use crate::domain::user::User;
use crate::repository::audit::{self as audit_repo, AuditFilter};
use crate::repository::awards::{AwardRow, ComplaintRow};
use crate::repository::bids::{self, OpenedBidRow};
use crate::repository::buyers::BuyerRow;
use crate::repository::clarifications::ClarificationRow;
use crate::repository::committee::DeclarationRow;
use crate::repository::contracts::{ContractAmendmentRow, ContractRow, MilestoneRow};
use crate::repository::documents::DocumentRow;
use crate::repository::tenders::{
    AmendmentRow, CriterionRow, ItemRow, LotRow, RequirementRow, TenderRow,
};
use crate::repository::{
    Database, awards, buyers, catalogue, clarifications, committee, contracts, documents,
    evaluation, suppliers, tenders, users,
};
use serde::Serialize;
use tianguis_rulebook::Rulebook;

/// A committee member as shown publicly.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MemberView {
    /// User id.
    pub user_id: i64,
    /// Name.
    pub name: String,
    /// Chair of the committee.
    pub chair: bool,
    /// Whether they registered an opening key.
    pub has_opening_key: bool,
}

/// An item with its catalogue reference.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = TenderItem)]
pub struct ItemView {
    /// The item.
    #[schema(value_type = Object)]
    pub item: ItemRow,
    /// Catalogue code.
    pub catalogue_code: Option<String>,
    /// ATC or UNSPSC classification.
    pub classification: Option<String>,
}

/// A lot with its items.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LotView {
    /// The lot.
    #[schema(value_type = Object)]
    pub lot: LotRow,
    /// Its items.
    pub items: Vec<ItemView>,
}

/// An opened bid with its supplier.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OpenedBidView {
    /// Bid id.
    pub bid_id: i64,
    /// Lot.
    pub lot_id: i64,
    /// Supplier.
    pub supplier_id: i64,
    /// Supplier name.
    pub supplier: String,
    /// Content and outcome.
    #[schema(value_type = Object)]
    pub opened: OpenedBidRow,
    /// Receipt hash.
    pub receipt_hash: String,
    /// Submission time (µs).
    pub submitted_at: i64,
    /// The non-price features it declared (score-ranked auctions).
    #[schema(value_type = Vec<Object>)]
    pub features: Vec<crate::domain::bid::DeclaredFeature>,
    /// Documents (public after opening).
    #[schema(value_type = Vec<Object>)]
    pub documents: Vec<DocumentRow>,
}

/// An award with its supplier.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AwardView {
    /// The award.
    #[schema(value_type = Object)]
    pub award: AwardRow,
    /// Supplier name.
    pub supplier: String,
    /// Lot number.
    pub lot_number: i64,
}

/// A contract with its schedule and amendments.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ContractView {
    /// The contract.
    #[schema(value_type = Object)]
    pub contract: ContractRow,
    /// Supplier name.
    pub supplier: String,
    /// Delivery schedule.
    #[schema(value_type = Vec<Object>)]
    pub milestones: Vec<MilestoneRow>,
    /// Amendments.
    #[schema(value_type = Vec<Object>)]
    pub amendments: Vec<ContractAmendmentRow>,
}

/// A complaint with the complaining supplier.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ComplaintView {
    /// The complaint.
    #[schema(value_type = Object)]
    pub complaint: ComplaintRow,
    /// Supplier name.
    pub supplier: String,
}

/// Facts of the tender's method from the rulebook, for the page.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MethodView {
    /// Code.
    pub code: String,
    /// Spanish name.
    pub name_es: String,
    /// English name.
    pub name_en: String,
    /// Legal citation.
    pub cite: String,
    /// Rulebook reference (`id@version`).
    pub rulebook: String,
    /// Sections not confirmed against the official text.
    pub unconfirmed: Vec<String>,
    /// Exception category name (es) of a direct award.
    pub exception_name_es: Option<String>,
    /// Exception category name (en).
    pub exception_name_en: Option<String>,
    /// Exception article.
    pub exception_article: Option<String>,
    /// The non-price features every bid declares when the method's auction ranks by score
    /// (issue 4); empty otherwise.
    #[schema(value_type = Vec<Object>)]
    pub auction_features: Vec<tianguis_rulebook::AuctionFeature>,
}

/// Everything about a tender.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TenderDetail {
    /// The tender.
    #[schema(value_type = Object)]
    pub tender: TenderRow,
    /// Its phase now.
    pub phase: String,
    /// Buyer.
    #[schema(value_type = Option<Object>)]
    pub buyer: Option<BuyerRow>,
    /// Method facts.
    pub method: MethodView,
    /// Lots and items.
    pub lots: Vec<LotView>,
    /// Compliance requirements.
    #[schema(value_type = Vec<Object>)]
    pub requirements: Vec<RequirementRow>,
    /// Scoring criteria.
    #[schema(value_type = Vec<Object>)]
    pub criteria: Vec<CriterionRow>,
    /// Documents.
    #[schema(value_type = Vec<Object>)]
    pub documents: Vec<DocumentRow>,
    /// Amendments.
    #[schema(value_type = Vec<Object>)]
    pub amendments: Vec<AmendmentRow>,
    /// Answered questions (and, for staff, the unanswered ones).
    #[schema(value_type = Vec<Object>)]
    pub clarifications: Vec<ClarificationRow>,
    /// The committee.
    pub committee: Vec<MemberView>,
    /// Conflict-of-interest declarations.
    #[schema(value_type = Vec<Object>)]
    pub declarations: Vec<DeclarationRow>,
    /// Standing bids (before the opening: only how many); `null` before the opening where the
    /// rulebook keeps the count secret (`public_bid_count_before_opening`, issue 13).
    pub bid_count: Option<i64>,
    /// Fingerprint of the sealing key (published with the notice).
    pub sealing_key_fingerprint: Option<String>,
    /// Opened bids.
    pub opened_bids: Vec<OpenedBidView>,
    /// When opened (µs).
    pub opened_at: Option<i64>,
    /// Evaluation progress (counts only).
    #[schema(value_type = Option<Object>)]
    pub evaluation_progress: Option<Progress>,
    /// Evaluation results per lot.
    pub evaluation: Vec<LotResult>,
    /// Awards.
    pub awards: Vec<AwardView>,
    /// Complaints.
    pub complaints: Vec<ComplaintView>,
    /// Contracts.
    pub contracts: Vec<ContractView>,
    /// Public events about this tender, oldest first.
    #[schema(value_type = Vec<Object>)]
    pub timeline: Vec<AuditEvent>,
}

/// The tender as the viewer may see it (drafts: buyers and administrators only).
pub async fn detail(
    db: &Database,
    rulebook: &Rulebook,
    id: i64,
    viewer: Option<&User>,
    now: Timestamp,
) -> Result<TenderDetail, ServiceError> {
    let mut conn = db.read().await?;
    let tender = tenders::find(&mut conn, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if !super::tenders::visible_to(&tender, viewer) {
        return Err(ServiceError::NotFound);
    }
    let staff = viewer.is_some_and(|u| u.has_role(Role::Buyer) || u.has_role(Role::Administrator));
    let phase = tender.phase(now);
    let buyer = buyers::list(&mut conn)
        .await?
        .into_iter()
        .find(|b| b.id == tender.buyer_id);
    let method = rulebook.method(&tender.method_code);
    let exception = tender
        .exception_category
        .as_deref()
        .and_then(|c| rulebook.exception_category(c));
    let method_view = MethodView {
        code: tender.method_code.clone(),
        name_es: method
            .map(|m| m.name_es().to_string())
            .unwrap_or_else(|| tender.method_code.clone()),
        name_en: method
            .map(|m| m.name_en().to_string())
            .unwrap_or_else(|| tender.method_code.clone()),
        cite: method.map(|m| m.cite().to_string()).unwrap_or_default(),
        rulebook: format!("{}@{}", tender.rulebook_id, tender.rulebook_version),
        unconfirmed: method.map(|m| m.unconfirmed().to_vec()).unwrap_or_default(),
        auction_features: method
            .map(|m| m.auction_features().to_vec())
            .unwrap_or_default(),
        exception_name_es: exception.map(|e| e.name_es.clone()),
        exception_name_en: exception.map(|e| e.name_en.clone()),
        exception_article: exception.map(|e| e.article.clone()),
    };
    let items = tenders::items(&mut conn, id).await?;
    let mut lots = Vec::new();
    for lot in tenders::lots(&mut conn, id).await? {
        let mut views = Vec::new();
        for item in items.iter().filter(|i| i.lot_id == lot.id) {
            let cat = match item.catalogue_item_id {
                Some(c) => catalogue::find(&mut conn, c).await?,
                None => None,
            };
            views.push(ItemView {
                catalogue_code: cat.as_ref().map(|c| c.code.clone()),
                classification: cat.as_ref().and_then(|c| {
                    c.atc_code
                        .as_ref()
                        .map(|a| format!("ATC {a}"))
                        .or_else(|| c.unspsc_code.as_ref().map(|u| format!("UNSPSC {u}")))
                }),
                item: item.clone(),
            });
        }
        lots.push(LotView { lot, items: views });
    }
    let mut clarifications: Vec<ClarificationRow> =
        clarifications::of_tender(&mut conn, id).await?;
    if !staff {
        clarifications.retain(|c| c.answer.is_some());
    }
    let members = committee::members(&mut conn, id).await?;
    let keys = committee::opening_keys(
        &mut conn,
        &members.iter().map(|m| m.user_id).collect::<Vec<_>>(),
    )
    .await?;
    let mut committee_view = Vec::new();
    for m in &members {
        committee_view.push(MemberView {
            user_id: m.user_id,
            name: users::find(&mut conn, m.user_id)
                .await?
                .map(|u| u.display_name)
                .unwrap_or_default(),
            chair: m.chair,
            has_opening_key: keys.iter().any(|k| k.user_id == m.user_id),
        });
    }
    let sealing_key_fingerprint = committee::tender_key(&mut conn, id)
        .await?
        .and_then(|k| tianguis_sealed::TenderSealingKey::from_base64(&k.sealing_key).ok())
        .map(|k| k.public_key().fingerprint());
    let opening = bids::opening(&mut conn, id).await?;
    let mut opened_bids = Vec::new();
    if opening.is_some() {
        let all = bids::of_tender(&mut conn, id, Some(bids::status::OPENED)).await?;
        let contents =
            bids::opened(&mut conn, &all.iter().map(|b| b.id).collect::<Vec<_>>()).await?;
        for b in all {
            let Some(opened) = contents.iter().find(|c| c.bid_id == b.id).cloned() else {
                continue;
            };
            opened_bids.push(OpenedBidView {
                supplier: suppliers::find(&mut conn, b.supplier_id)
                    .await?
                    .map(|s| s.legal_name)
                    .unwrap_or_default(),
                documents: documents::of_owner(&mut conn, "bid", b.id).await?,
                bid_id: b.id,
                lot_id: b.lot_id,
                supplier_id: b.supplier_id,
                features: serde_json::from_str::<crate::domain::bid::BidContent>(&opened.content)
                    .map(|c| c.features)
                    .unwrap_or_default(),
                opened,
                receipt_hash: b.receipt_hash,
                submitted_at: b.submitted_at,
            });
        }
    }
    let evaluation_results: Vec<LotResult> = evaluation::reports(&mut conn, id)
        .await?
        .iter()
        .filter_map(|r| serde_json::from_str(&r.result).ok())
        .collect();
    let evaluation_progress = if matches!(phase, Phase::Evaluation) && !members.is_empty() {
        Some(progress(&mut conn, id).await?)
    } else {
        None
    };
    let lot_numbers: Vec<(i64, i64)> = lots.iter().map(|l| (l.lot.id, l.lot.number)).collect();
    let mut award_views = Vec::new();
    for a in awards::of_tender(&mut conn, id).await? {
        award_views.push(AwardView {
            supplier: suppliers::find(&mut conn, a.supplier_id)
                .await?
                .map(|s| s.legal_name)
                .unwrap_or_default(),
            lot_number: lot_numbers
                .iter()
                .find(|(l, _)| *l == a.lot_id)
                .map(|(_, n)| *n)
                .unwrap_or(0),
            award: a,
        });
    }
    let mut complaint_views = Vec::new();
    for c in awards::complaints(&mut conn, id).await? {
        complaint_views.push(ComplaintView {
            supplier: suppliers::find(&mut conn, c.supplier_id)
                .await?
                .map(|s| s.legal_name)
                .unwrap_or_default(),
            complaint: c,
        });
    }
    let mut contract_views = Vec::new();
    for c in contracts::of_tender(&mut conn, id).await? {
        contract_views.push(ContractView {
            supplier: suppliers::find(&mut conn, c.supplier_id)
                .await?
                .map(|s| s.legal_name)
                .unwrap_or_default(),
            milestones: contracts::milestones(&mut conn, c.id).await?,
            amendments: contracts::amendments(&mut conn, c.id).await?,
            contract: c,
        });
    }
    let timeline = audit_repo::list(
        &mut conn,
        &AuditFilter {
            public_only: true,
            entity_type: Some("tender".into()),
            entity_id: Some(id.to_string()),
            ..AuditFilter::default()
        },
        500,
    )
    .await?;
    Ok(TenderDetail {
        bid_count: if opening.is_some() || rulebook.public_bid_count_before_opening() {
            Some(bids::count_standing(&mut conn, id).await?)
        } else {
            None
        },
        requirements: tenders::requirements(&mut conn, id).await?,
        criteria: tenders::criteria(&mut conn, id).await?,
        documents: documents::of_owner(&mut conn, "tender", id).await?,
        amendments: tenders::amendments(&mut conn, id).await?,
        declarations: committee::declarations(&mut conn, id).await?,
        phase: phase.code().to_string(),
        tender,
        buyer,
        method: method_view,
        lots,
        clarifications,
        committee: committee_view,
        sealing_key_fingerprint,
        opened_at: opening.map(|o| o.opened_at),
        opened_bids,
        evaluation_progress,
        evaluation: evaluation_results,
        awards: award_views,
        complaints: complaint_views,
        contracts: contract_views,
        timeline,
    })
}
