//! Building an OCDS 1.1 release from a process's state. Pure: no I/O, so the mapping from our
//! records to the standard can be read, reviewed and tested in one place.
//!
//! Every release is a full snapshot of what is public about the process at that moment (OCDS
//! allows releases to repeat information; it keeps each release self-sufficient for a reader of
//! the feed, and makes the compiled release simply the newest state). The `tag` says which event
//! caused it. Extensions used (declared in every package): **bid** (`bids.statistics`,
//! `bids.details`, `award.relatedBid`), **lots** (`tender.lots`, `relatedLot(s)`) and
//! **medicines** (`activeIngredients`, `dosageForm`, `immediateContainer` on medicine items).

use crate::domain::catalogue::{CatalogueItem, ItemKind};
use crate::domain::supplier::Supplier;
use crate::domain::tender::TenderStatus;
use crate::domain::time::Timestamp;
use crate::repository::auctions::AuctionRow;
use crate::repository::awards::{AwardRow, status as award_status};
use crate::repository::bids::{BidRow, OpenedBidRow};
use crate::repository::buyers::BuyerRow;
use crate::repository::clarifications::ClarificationRow;
use crate::repository::contracts::{ContractAmendmentRow, ContractRow, MilestoneRow};
use crate::repository::documents::DocumentRow;
use crate::repository::plan::PlanLineRow;
use crate::repository::tenders::{AmendmentRow, ItemRow, LotRow, TenderRow};
use serde_json::{Map, Value, json};

/// The official extensions every package declares (their `extension.json` URLs, as the OCDS
/// extension registry publishes them for version 1.1).
pub const EXTENSIONS: [&str; 3] = [
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_medicine_extension/master/extension.json",
];

/// The public event a release reports (issue 5, point 1), and the OCDS tags it carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReleaseEvent {
    /// A plan line of the annual procurement plan.
    Planning,
    /// The call for bids is published.
    Tender,
    /// The tender's terms or deadlines changed.
    TenderAmendment,
    /// Something else about the tender changed (a clarification answered, a document added,
    /// the bids opened, an auction's result).
    TenderUpdate,
    /// The tender was cancelled.
    TenderCancellation,
    /// An award was decided (or the tender declared unsuccessful).
    Award,
    /// An award changed status (final after the standstill, annulled after a complaint).
    AwardUpdate,
    /// A contract was signed.
    Contract,
    /// A contract was amended.
    ContractAmendment,
    /// A delivery milestone or other implementation information changed.
    Implementation,
}

impl ReleaseEvent {
    /// The `releaseTag` codelist value.
    pub fn tag(self) -> &'static str {
        match self {
            ReleaseEvent::Planning => "planning",
            ReleaseEvent::Tender => "tender",
            ReleaseEvent::TenderAmendment => "tenderAmendment",
            ReleaseEvent::TenderUpdate => "tenderUpdate",
            ReleaseEvent::TenderCancellation => "tenderCancellation",
            ReleaseEvent::Award => "award",
            ReleaseEvent::AwardUpdate => "awardUpdate",
            ReleaseEvent::Contract => "contract",
            ReleaseEvent::ContractAmendment => "contractAmendment",
            ReleaseEvent::Implementation => "implementation",
        }
    }
}

/// An opened bid with its bidder.
#[derive(Debug, Clone)]
pub struct OpenedBid {
    /// The bid.
    pub bid: BidRow,
    /// Its opened content and outcome.
    pub opened: OpenedBidRow,
    /// The bidder.
    pub supplier: Supplier,
}

/// A contract with what hangs off it.
#[derive(Debug, Clone)]
pub struct ContractSnapshot {
    /// The contract.
    pub contract: ContractRow,
    /// Delivery milestones.
    pub milestones: Vec<MilestoneRow>,
    /// Amendments.
    pub amendments: Vec<ContractAmendmentRow>,
    /// Public documents.
    pub documents: Vec<DocumentRow>,
}

/// Everything public about a process, read in the publishing transaction.
#[derive(Debug, Clone)]
pub struct ProcessSnapshot {
    /// The tender.
    pub tender: TenderRow,
    /// Its buyer.
    pub buyer: BuyerRow,
    /// OCDS `procurementMethod` of its method.
    pub procurement_method: &'static str,
    /// The method's name as the rulebook states it (`procurementMethodDetails`).
    pub method_details: String,
    /// The direct-award exception's name and article, when it is one.
    pub exception: Option<(String, String)>,
    /// Lots.
    pub lots: Vec<LotRow>,
    /// Items with their catalogue entries.
    pub items: Vec<(ItemRow, Option<CatalogueItem>)>,
    /// The plan lines the items come from.
    pub plan_lines: Vec<PlanLineRow>,
    /// Public documents of the tender.
    pub documents: Vec<DocumentRow>,
    /// Amendments.
    pub amendments: Vec<AmendmentRow>,
    /// Answered clarifications.
    pub clarifications: Vec<ClarificationRow>,
    /// Bids received (counted once the bids are opened; never their content before).
    pub bids_received: i64,
    /// Opened bids, after the opening.
    pub opened: Vec<OpenedBid>,
    /// Auctions of its lots.
    pub auctions: Vec<AuctionRow>,
    /// Awards with the winning supplier.
    pub awards: Vec<(AwardRow, Supplier)>,
    /// Contracts.
    pub contracts: Vec<ContractSnapshot>,
}

/// Where links in a release point.
#[derive(Debug, Clone)]
pub struct Links<'a> {
    /// The platform's public base URL, without a trailing slash.
    pub base_url: &'a str,
    /// The ocid prefix (for the planning processes the tender names).
    pub ocid_prefix: &'a str,
}

/// A JSON number with the exact digits of a stored decimal (`"1234.50"` → `1234.5`). Amounts
/// are stored as exact decimal text; JSON has one number type, which OCDS uses for `amount`.
/// Trailing zeros are dropped first (`95000.00` → `95000`), so whole amounts print as integers.
fn amount(text: &str) -> Value {
    let normalized = text
        .trim()
        .parse::<rust_decimal::Decimal>()
        .map(|d| d.normalize().to_string())
        .unwrap_or_default();
    serde_json::from_str::<serde_json::Number>(&normalized)
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

fn value(amount_text: &str, currency: &str) -> Value {
    json!({"amount": amount(amount_text), "currency": currency})
}

/// An OCDS date: RFC 3339 in UTC; seconds precision keeps it identical whatever database
/// stored the instant.
pub fn date(us: i64) -> String {
    Timestamp::from_micros(us)
        .to_datetime()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The organisation id of the buyer (`{scheme}-{identifier}`, the org-id convention).
pub fn buyer_party_id(buyer: &BuyerRow) -> String {
    format!("{}-{}", buyer.identifier_scheme, buyer.identifier)
}

/// The organisation id of a supplier: its Guatemalan tax number (NIT) under `GT-NIT`.
pub fn supplier_party_id(supplier: &Supplier) -> String {
    format!("GT-NIT-{}", supplier.nit)
}

fn supplier_ref(s: &Supplier) -> Value {
    json!({"id": supplier_party_id(s), "name": s.legal_name})
}

fn tender_status(status: TenderStatus) -> &'static str {
    match status {
        TenderStatus::Draft => "planning",
        TenderStatus::Published | TenderStatus::Evaluation | TenderStatus::Auction => "active",
        TenderStatus::Awarded | TenderStatus::Contracted => "complete",
        TenderStatus::Cancelled => "cancelled",
        TenderStatus::Unsuccessful => "unsuccessful",
    }
}

fn award_status_code(status: &str) -> &'static str {
    match status {
        // During the standstill the award may still fall to a complaint: OCDS `pending`.
        award_status::STANDSTILL => "pending",
        award_status::FINAL => "active",
        award_status::ANNULLED => "cancelled",
        _ => "pending",
    }
}

fn contract_status_code(status: &str) -> &'static str {
    match status {
        "completed" => "terminated",
        "terminated" => "terminated",
        _ => "active",
    }
}

fn lot_status_code(status: &str) -> &'static str {
    match status {
        "awarded" => "complete",
        "unsuccessful" => "unsuccessful",
        "cancelled" => "cancelled",
        _ => "active",
    }
}

fn lot_id(lot: &LotRow) -> String {
    lot.number.to_string()
}

fn document(d: &DocumentRow, links: &Links, document_type: &str) -> Value {
    json!({
        "id": d.id.to_string(),
        "documentType": document_type,
        "title": d.filename,
        "url": format!("{}/documents/{}", links.base_url, d.id),
        "datePublished": date(d.uploaded_at),
        "format": d.content_type,
    })
}

/// The medicine extension's fields from a catalogue entry: the INN as the active ingredient
/// with its strength in the name (the strength as written, e.g. "500 mg", is not the
/// extension's interval notation), and the dosage form only when it is a codelist code.
fn medicine_fields(item: &mut Map<String, Value>, cat: &CatalogueItem) {
    if cat.kind != ItemKind::Medicine {
        return;
    }
    let mut ingredient = Map::new();
    let name = match &cat.strength {
        Some(s) if !s.trim().is_empty() => format!("{} {}", cat.name, s.trim()),
        _ => cat.name.clone(),
    };
    ingredient.insert("name".into(), Value::String(name));
    item.insert("activeIngredients".into(), json!([ingredient]));
    if let Some(p) = cat.presentation.as_deref().filter(|p| !p.trim().is_empty()) {
        item.insert("immediateContainer".into(), json!({"name": p.trim()}));
    }
}

/// A catalogue entry's classification: ATC for medicines, else UNSPSC.
fn classification(cat: &CatalogueItem) -> Option<Value> {
    match (&cat.atc_code, &cat.unspsc_code) {
        (Some(atc), _) => Some(json!({"scheme": "ATC", "id": atc, "description": cat.name})),
        (None, Some(u)) => Some(json!({"scheme": "UNSPSC", "id": u, "description": cat.name})),
        _ => None,
    }
}

fn items_json(s: &ProcessSnapshot) -> Vec<Value> {
    let lot_number = |lot: i64| {
        s.lots
            .iter()
            .find(|l| l.id == lot)
            .map(lot_id)
            .unwrap_or_default()
    };
    s.items
        .iter()
        .map(|(item, cat)| {
            let mut m = Map::new();
            m.insert("id".into(), json!(item.id.to_string()));
            m.insert("description".into(), json!(item.description));
            if let Some(cat) = cat {
                if let Some(c) = classification(cat) {
                    m.insert("classification".into(), c);
                }
                m.insert(
                    "additionalClassifications".into(),
                    json!([{"scheme": "IGSS-CATALOGUE", "id": cat.code, "description": cat.name}]),
                );
                medicine_fields(&mut m, cat);
            }
            m.insert("quantity".into(), amount(&item.quantity));
            m.insert("unit".into(), json!({"name": item.unit}));
            m.insert("relatedLot".into(), json!(lot_number(item.lot_id)));
            Value::Object(m)
        })
        .collect()
}

/// Builds the release of `event` for the process. `release_id` is unique across the platform;
/// `at` is the event's instant.
pub fn build(
    s: &ProcessSnapshot,
    event: ReleaseEvent,
    release_id: &str,
    at: i64,
    links: &Links,
) -> Value {
    let t = &s.tender;
    let status = t.status();
    let buyer_id = buyer_party_id(&s.buyer);
    let mut parties: Vec<Value> = vec![json!({
        "id": buyer_id,
        "name": s.buyer.name,
        "identifier": {"scheme": s.buyer.identifier_scheme, "id": s.buyer.identifier, "legalName": s.buyer.name},
        "address": {"region": s.buyer.department.clone().unwrap_or_default(), "countryName": "Guatemala"},
        "roles": ["buyer", "procuringEntity"],
    })];
    let mut add_party = |supplier: &Supplier, role: &str| {
        let id = supplier_party_id(supplier);
        if let Some(p) = parties.iter_mut().find(|p| p["id"] == id.as_str()) {
            if let Some(roles) = p["roles"].as_array_mut()
                && !roles.iter().any(|r| r == role)
            {
                roles.push(json!(role));
            }
            return;
        }
        let mut party = json!({
            "id": id,
            "name": supplier.legal_name,
            "identifier": {"scheme": "GT-NIT", "id": supplier.nit, "legalName": supplier.legal_name},
            "roles": [role],
        });
        if let Some(d) = &supplier.department {
            party["address"] = json!({"region": d, "countryName": "Guatemala"});
        }
        parties.push(party);
    };

    let mut tender = Map::new();
    tender.insert("id".into(), json!(t.reference));
    tender.insert("title".into(), json!(t.title));
    tender.insert("description".into(), json!(t.description));
    tender.insert("status".into(), json!(tender_status(status)));
    tender.insert(
        "procuringEntity".into(),
        json!({"id": buyer_id, "name": s.buyer.name}),
    );
    tender.insert("items".into(), Value::Array(items_json(s)));
    tender.insert("value".into(), value(&t.estimated_value, &t.currency));
    tender.insert("procurementMethod".into(), json!(s.procurement_method));
    tender.insert("procurementMethodDetails".into(), json!(s.method_details));
    if t.is_direct {
        // Direct purchases publish their justification (issue 5, point 1).
        let mut rationale = t.justification.clone().unwrap_or_default();
        if let Some((name, article)) = &s.exception {
            rationale = format!("{name} ({article}). {rationale}");
        }
        tender.insert("procurementMethodRationale".into(), json!(rationale.trim()));
    }
    tender.insert("mainProcurementCategory".into(), json!("goods"));
    tender.insert(
        "awardCriteria".into(),
        json!(if t.evaluation_method == "weighted" {
            "ratedCriteria"
        } else {
            "priceOnly"
        }),
    );
    if !t.is_direct {
        tender.insert("submissionMethod".into(), json!(["electronicSubmission"]));
        if t.has_auction {
            tender.insert(
                "submissionMethodDetails".into(),
                json!("Ofertas selladas electrónicas seguidas de subasta electrónica inversa / Sealed electronic bids followed by an electronic reverse auction"),
            );
        }
    }
    if let (Some(p), Some(d)) = (t.published_at, t.bid_deadline) {
        tender.insert(
            "tenderPeriod".into(),
            json!({"startDate": date(p), "endDate": date(d)}),
        );
    }
    if let (Some(p), Some(d)) = (t.published_at, t.clarification_deadline) {
        tender.insert(
            "enquiryPeriod".into(),
            json!({"startDate": date(p), "endDate": date(d)}),
        );
        tender.insert("hasEnquiries".into(), json!(!s.clarifications.is_empty()));
    }
    if let Some(reason) = &t.status_reason
        && matches!(status, TenderStatus::Cancelled | TenderStatus::Unsuccessful)
    {
        tender.insert("statusDetails".into(), json!(reason));
    }
    let mut documents: Vec<Value> = s
        .documents
        .iter()
        .map(|d| document(d, links, "tenderNotice"))
        .collect();
    // Answered questions are published as clarification documents on the tender page.
    for c in &s.clarifications {
        if let (Some(answer), Some(at)) = (&c.answer, c.answered_at) {
            documents.push(json!({
                "id": format!("clarification-{}", c.id),
                "documentType": "clarifications",
                "title": c.question,
                "description": answer,
                "url": format!("{}/tenders/{}#clarification-{}", links.base_url, t.id, c.id),
                "datePublished": date(at),
                "format": "text/html",
            }));
        }
    }
    if !documents.is_empty() {
        tender.insert("documents".into(), Value::Array(documents));
    }
    if !s.amendments.is_empty() {
        tender.insert(
            "amendments".into(),
            Value::Array(
                s.amendments
                    .iter()
                    .map(|a| {
                        json!({
                            "id": a.number.to_string(),
                            "date": date(a.created_at),
                            "rationale": a.description,
                        })
                    })
                    .collect(),
            ),
        );
    }
    tender.insert(
        "lots".into(),
        Value::Array(
            s.lots
                .iter()
                .map(|l| {
                    json!({
                        "id": lot_id(l),
                        "title": l.title,
                        "description": l.description,
                        "status": lot_status_code(&l.status),
                        "value": value(&l.estimated_value, &t.currency),
                    })
                })
                .collect(),
        ),
    );
    if !s.opened.is_empty() || t.opened_at.is_some() {
        let mut tenderers: Vec<Value> = Vec::new();
        for b in &s.opened {
            add_party(&b.supplier, "tenderer");
            let r = supplier_ref(&b.supplier);
            if !tenderers.contains(&r) {
                tenderers.push(r);
            }
        }
        tender.insert("numberOfTenderers".into(), json!(tenderers.len()));
        tender.insert("tenderers".into(), Value::Array(tenderers));
    }

    let mut release = Map::new();
    release.insert("ocid".into(), json!(t.ocid));
    release.insert("id".into(), json!(release_id));
    release.insert("date".into(), json!(date(at)));
    release.insert("tag".into(), json!([event.tag()]));
    release.insert("initiationType".into(), json!("tender"));
    release.insert("language".into(), json!("es"));

    // Planning: the budget lines of the annual plan the items come from, each published as its
    // own planning process (see `planning_release`) and linked here.
    if !s.plan_lines.is_empty() {
        release.insert(
            "relatedProcesses".into(),
            Value::Array(
                s.plan_lines
                    .iter()
                    .map(|p| {
                        let ocid = super::plan_ocid(links.ocid_prefix, p);
                        json!({
                            "id": ocid,
                            "relationship": ["planning"],
                            "title": format!("Plan anual de compras {}, línea {}", p.year, p.id),
                            "scheme": "ocid",
                            "identifier": ocid,
                        })
                    })
                    .collect(),
            ),
        );
        let mut sources: Vec<&str> = s
            .plan_lines
            .iter()
            .map(|p| p.funding_source.as_str())
            .collect();
        sources.sort_unstable();
        sources.dedup();
        release.insert(
            "planning".into(),
            json!({
                "budget": {
                    "description": sources.join("; "),
                    "amount": value(&t.estimated_value, &t.currency),
                },
                "rationale": format!("Plan anual de compras {}", t.year),
            }),
        );
    }

    // Bids: only after the opening, never the sealed content before (issue 3).
    // Direct purchases receive no bids: they have no bids section at all.
    if t.opened_at.is_some() && !t.is_direct {
        let valid = s
            .opened
            .iter()
            .filter(|b| b.opened.compliant == Some(true))
            .count();
        let disqualified = s
            .opened
            .iter()
            .filter(|b| b.opened.compliant == Some(false))
            .count();
        let opened_at = t.opened_at.unwrap_or(at);
        let mut statistics = vec![
            json!({"id": "bids", "measure": "bids", "value": s.bids_received, "date": date(opened_at)}),
            json!({"id": "electronicBids", "measure": "electronicBids", "value": s.bids_received, "date": date(opened_at)}),
        ];
        if s.opened.iter().any(|b| b.opened.compliant.is_some()) {
            statistics.push(json!({"id": "validBids", "measure": "validBids", "value": valid}));
            statistics.push(json!({"id": "disqualifiedBids", "measure": "disqualifiedBids", "value": disqualified}));
        }
        let details: Vec<Value> = s
            .opened
            .iter()
            .map(|b| {
                let lot = s.lots.iter().find(|l| l.id == b.bid.lot_id);
                let status = match b.opened.compliant {
                    Some(true) => "valid",
                    Some(false) => "disqualified",
                    None => "pending",
                };
                // After a reverse auction the bid stands at its final price; the sealed price
                // stays beside it (`initialValue`, our field) for savings and audits. Final
                // prices are tied to names only once the auction revealed them (issue 4:
                // bidders stay anonymous until the award).
                let revealed = s
                    .auctions
                    .iter()
                    .any(|a| a.lot_id == b.bid.lot_id && a.revealed);
                let final_price = b.opened.auction_total.as_deref().filter(|_| revealed);
                let mut bid = json!({
                    "id": b.bid.id.to_string(),
                    "date": date(b.bid.submitted_at),
                    "status": status,
                    "tenderers": [supplier_ref(&b.supplier)],
                    "value": value(final_price.unwrap_or(&b.opened.total), &t.currency),
                    "relatedLots": lot.map(|l| vec![lot_id(l)]).unwrap_or_default(),
                });
                if final_price.is_some() {
                    bid["initialValue"] = value(&b.opened.total, &t.currency);
                }
                bid
            })
            .collect();
        release.insert(
            "bids".into(),
            json!({"statistics": statistics, "details": details}),
        );
    }

    let awards: Vec<Value> = s
        .awards
        .iter()
        .map(|(a, supplier)| {
            add_party(supplier, "supplier");
            let lot = s.lots.iter().find(|l| l.id == a.lot_id);
            json!({
                "id": a.id.to_string(),
                "title": lot.map(|l| l.title.clone()).unwrap_or_default(),
                "status": award_status_code(&a.status),
                "date": date(a.decided_at),
                "value": value(&a.amount, &a.currency),
                "suppliers": [supplier_ref(supplier)],
                "relatedLots": lot.map(|l| vec![lot_id(l)]).unwrap_or_default(),
                "relatedBid": a.bid_id.to_string(),
            })
        })
        .collect();
    if !awards.is_empty() {
        release.insert("awards".into(), Value::Array(awards));
    }

    let contracts: Vec<Value> = s
        .contracts
        .iter()
        .map(|c| {
            let k = &c.contract;
            let mut contract = json!({
                "id": k.number,
                "awardID": k.award_id.to_string(),
                "title": format!("Contrato {}", k.number),
                "status": contract_status_code(&k.status),
                "period": {"startDate": date(k.start_date), "endDate": date(k.end_date)},
                "value": value(&k.amount, &k.currency),
                "dateSigned": date(k.signed_at),
                "description": k.payment_terms,
            });
            if !c.amendments.is_empty() {
                contract["amendments"] = Value::Array(
                    c.amendments
                        .iter()
                        .map(|a| {
                            json!({
                                "id": a.number.to_string(),
                                "date": date(a.created_at),
                                "rationale": a.reason,
                                "description": format!("Cambio de valor / value change: {}", a.value_change),
                            })
                        })
                        .collect(),
                );
            }
            if !c.documents.is_empty() {
                contract["documents"] = Value::Array(
                    c.documents
                        .iter()
                        .map(|d| document(d, links, "contractSigned"))
                        .collect(),
                );
            }
            if !c.milestones.is_empty() {
                contract["implementation"] = json!({
                    "milestones": c.milestones.iter().map(|m| json!({
                        "id": m.number.to_string(),
                        "title": format!("Entrega {}", m.number),
                        "type": "delivery",
                        "description": m.description,
                        "dueDate": date(m.due_at),
                        "status": "scheduled",
                    })).collect::<Vec<_>>(),
                });
            }
            contract
        })
        .collect();
    if !contracts.is_empty() {
        release.insert("contracts".into(), Value::Array(contracts));
    }

    release.insert("parties".into(), Value::Array(parties));
    release.insert(
        "buyer".into(),
        json!({"id": buyer_id, "name": s.buyer.name}),
    );
    release.insert("tender".into(), Value::Object(tender));
    Value::Object(release)
}

/// The release of one plan line: its own planning process (ocid `{prefix}-P{year}-{id}`), which
/// the tenders that buy it name in `relatedProcesses`.
pub fn planning_release(
    line: &PlanLineRow,
    item: Option<&CatalogueItem>,
    buyer: &BuyerRow,
    ocid: &str,
    release_id: &str,
) -> Value {
    let quantity = line
        .quantity
        .parse::<rust_decimal::Decimal>()
        .unwrap_or_default();
    let unit_price = line
        .unit_price
        .parse::<rust_decimal::Decimal>()
        .unwrap_or_default();
    let total = (quantity * unit_price).round_dp(2).normalize().to_string();
    let buyer_id = buyer_party_id(buyer);
    let mut entry = Map::new();
    entry.insert("id".into(), json!(line.id.to_string()));
    entry.insert(
        "description".into(),
        json!(item.map(|i| i.name.clone()).unwrap_or_default()),
    );
    if let Some(cat) = item {
        if let Some(c) = classification(cat) {
            entry.insert("classification".into(), c);
        }
        medicine_fields(&mut entry, cat);
        entry.insert(
            "unit".into(),
            json!({"name": cat.unit, "value": value(&line.unit_price, &line.currency)}),
        );
    }
    entry.insert("quantity".into(), amount(&line.quantity));
    json!({
        "ocid": ocid,
        "id": release_id,
        "date": date(line.created_at),
        "tag": ["planning"],
        "initiationType": "tender",
        "language": "es",
        "parties": [{
            "id": buyer_id,
            "name": buyer.name,
            "identifier": {"scheme": buyer.identifier_scheme, "id": buyer.identifier, "legalName": buyer.name},
            "roles": ["buyer", "procuringEntity"],
        }],
        "buyer": {"id": buyer_id, "name": buyer.name},
        "planning": {
            "budget": {"description": line.funding_source, "amount": value(&total, &line.currency)},
            "rationale": format!("Plan anual de compras {}, trimestre {}", line.year, line.quarter),
        },
        "tender": {
            "id": format!("P{}-{}", line.year, line.id),
            "status": "planned",
            "items": [Value::Object(entry)],
            "value": value(&total, &line.currency),
            "mainProcurementCategory": "goods",
        },
    })
}
