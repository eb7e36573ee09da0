//! Open-data publication (issue 5): every public event of a process writes an OCDS release, in
//! the same transaction as the event itself, and rewrites the process's compiled release.
//!
//! Workflows name the release their event calls for (`service::audit::Publication`) and the
//! audit helper writes it right after their audit record, in the platform's lock order; the
//! release is a full snapshot of what is public about the process at that moment (see
//! [`release`]). Records (compiled
//! and versioned releases) are built with the toolkit's merge (`tianguis_ocds`), the same code
//! `tianguis ocds compile` runs, so what the platform serves and what anyone recompiles from
//! the feed are identical.

pub mod release;
pub mod webhooks;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Value, json};

use self::release::{ContractSnapshot, Links, OpenedBid, ProcessSnapshot, ReleaseEvent};
use super::ServiceError;
use super::audit::FeedTurn;
use crate::domain::time::Timestamp;
use crate::repository::ocds::{self as repo, RecordRow, ReleaseRow};
use crate::repository::{
    Database, Queryable, RepoError, auctions, awards, bids, buyers, catalogue, clarifications,
    contracts, documents, plan, suppliers, tenders,
};

/// The ocid prefix used when none is configured: the one registered for Tianguis's
/// demonstration data. A real publisher registers its own with the Open Contracting
/// Partnership and sets `--ocid-prefix`.
pub const DEFAULT_OCID_PREFIX: &str = "ocds-tgs001";

/// The public base URL used in links when none is configured.
pub const DEFAULT_PUBLIC_URL: &str = "http://localhost:8080";

const SETTING_PREFIX: &str = "ocds.ocid_prefix";
const SETTING_URL: &str = "ocds.public_url";

/// Publication settings shared by every node (kept in the database so that all nodes write the
/// same ocids and links).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Prefix of new ocids.
    pub ocid_prefix: String,
    /// Base URL of links in releases and packages.
    pub public_url: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            ocid_prefix: DEFAULT_OCID_PREFIX.into(),
            public_url: DEFAULT_PUBLIC_URL.into(),
        }
    }
}

/// Stores the configured settings (at start-up). Processes created before keep their ocid.
pub async fn configure(db: &Database, settings: &Settings) -> Result<(), ServiceError> {
    let mut tx = db.begin().await?;
    crate::repository::auctions::put_setting(&mut tx, SETTING_PREFIX, &settings.ocid_prefix)
        .await?;
    crate::repository::auctions::put_setting(
        &mut tx,
        SETTING_URL,
        settings.public_url.trim_end_matches('/'),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Whether a public URL was ever stored (given with `--public-url` or derived at a first start).
pub async fn public_url_is_stored(db: &mut impl Queryable) -> Result<bool, RepoError> {
    Ok(crate::repository::auctions::get_setting(db, SETTING_URL)
        .await?
        .is_some())
}

/// The base URL of a node reached at its bind address: `http://10.0.0.5:9000`; a node bound to
/// every interface (`0.0.0.0`, `::`) is named `localhost`, the one name that surely reaches it.
pub fn url_of_bind(bind: std::net::SocketAddr) -> String {
    if bind.ip().is_unspecified() {
        format!("http://localhost:{}", bind.port())
    } else {
        format!("http://{bind}")
    }
}

/// The settings in force.
pub async fn settings(db: &mut impl Queryable) -> Result<Settings, RepoError> {
    let d = Settings::default();
    Ok(Settings {
        ocid_prefix: crate::repository::auctions::get_setting(db, SETTING_PREFIX)
            .await?
            .unwrap_or(d.ocid_prefix),
        public_url: crate::repository::auctions::get_setting(db, SETTING_URL)
            .await?
            .unwrap_or(d.public_url),
    })
}

/// A method's `procurementMethodDetails`: its name and citation. The red flags recognise the
/// platform's own methods by it (`dashboards::RuleInputs`).
pub fn method_details(method: &tianguis_rulebook::Method) -> String {
    format!("{} ({})", method.name_es(), method.cite())
}

/// The OCDS method and the method's name from the tender's rulebook. Embedded rulebooks are
/// parsed once per process; a rulebook loaded from a file that is not embedded falls back to
/// `direct`/`open` and the method code.
fn method_of(tender: &tenders::TenderRow) -> (&'static str, String, Option<(String, String)>) {
    static CACHE: OnceLock<Mutex<HashMap<String, Option<Arc<tianguis_rulebook::Rulebook>>>>> =
        OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let book = {
        let mut map = cache.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(tender.rulebook_id.clone())
            .or_insert_with(|| {
                tianguis_rulebook::Rulebook::load_embedded(&tender.rulebook_id)
                    .ok()
                    .map(Arc::new)
            })
            .clone()
    };
    let fallback = if tender.is_direct { "direct" } else { "open" };
    let Some(book) = book else {
        return (fallback, tender.method_code.clone(), None);
    };
    let exception = tender
        .exception_category
        .as_deref()
        .and_then(|c| book.exception_category(c))
        .map(|e| (e.name_es.clone(), e.article.clone()));
    match book.method(&tender.method_code) {
        Some(m) => (m.ocds_method().as_str(), method_details(m), exception),
        None => (fallback, tender.method_code.clone(), exception),
    }
}

/// Reads everything public about a tender, inside the caller's transaction.
pub async fn snapshot(
    db: &mut impl Queryable,
    tender_id: i64,
) -> Result<Option<ProcessSnapshot>, RepoError> {
    let Some(tender) = tenders::find(db, tender_id).await? else {
        return Ok(None);
    };
    let Some(buyer) = buyers::list(db)
        .await?
        .into_iter()
        .find(|b| b.id == tender.buyer_id)
    else {
        return Ok(None);
    };
    let (procurement_method, method_details, exception) = method_of(&tender);
    let lots = tenders::lots(db, tender_id).await?;
    let mut items = Vec::new();
    let mut plan_lines = Vec::new();
    for item in tenders::items(db, tender_id).await? {
        let cat = match item.catalogue_item_id {
            Some(c) => catalogue::find(db, c).await?,
            None => None,
        };
        if let Some(p) = item.plan_line_id
            && !plan_lines.iter().any(|l: &plan::PlanLineRow| l.id == p)
            && let Some(line) = plan::find(db, p).await?
        {
            plan_lines.push(line);
        }
        items.push((item, cat));
    }
    let documents = documents::of_owner(db, "tender", tender_id)
        .await?
        .into_iter()
        .filter(|d| d.public)
        .collect();
    let amendments = tenders::amendments(db, tender_id).await?;
    let clarifications = clarifications::of_tender(db, tender_id)
        .await?
        .into_iter()
        .filter(|c| c.answer.is_some())
        .collect();
    let mut opened = Vec::new();
    let mut bids_received = 0;
    if tender.opened_at.is_some() {
        let all = bids::of_tender(db, tender_id, Some(bids::status::OPENED)).await?;
        bids_received = all.len() as i64;
        let contents = bids::opened(db, &all.iter().map(|b| b.id).collect::<Vec<_>>()).await?;
        for bid in all {
            let Some(content) = contents.iter().find(|c| c.bid_id == bid.id).cloned() else {
                continue;
            };
            let Some(supplier) = suppliers::find(db, bid.supplier_id).await? else {
                continue;
            };
            opened.push(OpenedBid {
                bid,
                opened: content,
                supplier,
            });
        }
    }
    let mut award_list = Vec::new();
    for a in awards::of_tender(db, tender_id).await? {
        if let Some(s) = suppliers::find(db, a.supplier_id).await? {
            award_list.push((a, s));
        }
    }
    let mut contract_list = Vec::new();
    for c in contracts::of_tender(db, tender_id).await? {
        contract_list.push(ContractSnapshot {
            milestones: contracts::milestones(db, c.id).await?,
            amendments: contracts::amendments(db, c.id).await?,
            documents: documents::of_owner(db, "contract", c.id)
                .await?
                .into_iter()
                .filter(|d| d.public)
                .collect(),
            contract: c,
        });
    }
    let auctions = auctions::of_tender(db, tender_id).await?;
    Ok(Some(ProcessSnapshot {
        tender,
        buyer,
        procurement_method,
        method_details,
        exception,
        lots,
        items,
        plan_lines,
        documents,
        amendments,
        clarifications,
        bids_received,
        opened,
        auctions,
        awards: award_list,
        contracts: contract_list,
    }))
}

fn release_id(ocid: &str, seq: i64) -> String {
    format!("{ocid}-{seq:08}")
}

/// Writes the release of `event` for a tender, in the caller's transaction, and rewrites its
/// compiled release. Drafts publish nothing (a draft is not public). Only after the
/// transaction's audit records: the [`FeedTurn`] says so (lock order, `service::audit::record`).
pub async fn publish(
    tx: &mut impl Queryable,
    _turn: FeedTurn,
    tender_id: i64,
    event: ReleaseEvent,
    at: Timestamp,
) -> Result<(), RepoError> {
    let Some(snapshot) = snapshot(tx, tender_id).await? else {
        return Ok(());
    };
    // A process enters the feed when its call is published; a draft cancelled before that
    // was never public.
    if !snapshot.tender.status().is_public() || snapshot.tender.published_at.is_none() {
        return Ok(());
    }
    let settings = settings(tx).await?;
    let ocid = snapshot.tender.ocid.clone();
    let links = Links {
        base_url: &settings.public_url,
        ocid_prefix: &settings.ocid_prefix,
    };
    // Last: the feed position locks the head row until commit (see `schema_ocds`).
    let seq = repo::next_seq(tx).await?;
    let release = release::build(
        &snapshot,
        event,
        &release_id(&ocid, seq),
        at.as_micros(),
        &links,
    );
    store(tx, seq, &ocid, event, at, release).await
}

/// The ocid of a plan line's planning process.
pub fn plan_ocid(prefix: &str, line: &plan::PlanLineRow) -> String {
    format!("{prefix}-P{}-{:06}", line.year, line.id)
}

/// Writes the planning release of a new plan line, in the caller's transaction, after its
/// audit record ([`FeedTurn`]).
pub async fn publish_plan_line(
    tx: &mut impl Queryable,
    _turn: FeedTurn,
    line: &plan::PlanLineRow,
    at: Timestamp,
) -> Result<(), RepoError> {
    let Some(buyer) = buyers::list(tx)
        .await?
        .into_iter()
        .find(|b| b.id == line.buyer_id)
    else {
        return Ok(());
    };
    let item = catalogue::find(tx, line.catalogue_item_id).await?;
    let settings = settings(tx).await?;
    let ocid = plan_ocid(&settings.ocid_prefix, line);
    let seq = repo::next_seq(tx).await?;
    let release =
        release::planning_release(line, item.as_ref(), &buyer, &ocid, &release_id(&ocid, seq));
    store(tx, seq, &ocid, ReleaseEvent::Planning, at, release).await
}

async fn store(
    tx: &mut impl Queryable,
    seq: i64,
    ocid: &str,
    event: ReleaseEvent,
    at: Timestamp,
    release: Value,
) -> Result<(), RepoError> {
    let json = serde_json::to_string(&release).map_err(|e| RepoError::Corrupt(e.to_string()))?;
    repo::insert_release(
        tx,
        &ReleaseRow {
            seq,
            release_id: release["id"].as_str().unwrap_or_default().to_owned(),
            ocid: ocid.to_owned(),
            tags: event.tag().to_owned(),
            release_date: at.as_micros(),
            json,
        },
    )
    .await?;
    let releases = parse_releases(&repo::releases_of(tx, ocid).await?)?;
    let compiled = tianguis_ocds::merge::compile(&releases)
        .map_err(|e| RepoError::Corrupt(format!("compiling {ocid}: {e}")))?;
    repo::upsert_record(
        tx,
        &RecordRow {
            ocid: ocid.to_owned(),
            compiled: serde_json::to_string(&compiled)
                .map_err(|e| RepoError::Corrupt(e.to_string()))?,
            release_count: releases.len() as i64,
            last_seq: seq,
            updated_at: at.as_micros(),
        },
    )
    .await
}

fn parse_releases(rows: &[ReleaseRow]) -> Result<Vec<Value>, RepoError> {
    rows.iter()
        .map(|r| serde_json::from_str(&r.json).map_err(|e| RepoError::Corrupt(e.to_string())))
        .collect()
}

/// A package as text: the metadata, then `key` (`releases`/`records`) holding the given JSON
/// texts spliced in unchanged — stored releases are served byte for byte as published — then
/// `links.next` when there is a next page.
pub fn package_text(
    mut metadata: serde_json::Map<String, Value>,
    key: &str,
    items: impl Iterator<Item = String>,
    next: Option<String>,
) -> String {
    if let Some(next) = next {
        metadata.insert("links".into(), json!({"next": next}));
    }
    let mut body = serde_json::to_string(&metadata).unwrap_or_else(|_| "{}".into());
    body.pop();
    body.push_str(if metadata.is_empty() { "\"" } else { ",\"" });
    body.push_str(key);
    body.push_str("\":[");
    for (i, item) in items.enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&item);
    }
    body.push_str("]}");
    body
}

/// The package metadata every response carries (OCDS 1.1 release/record package schema).
pub fn package_metadata(
    settings: &Settings,
    uri: &str,
    published: Timestamp,
) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    m.insert("uri".into(), json!(uri));
    m.insert("version".into(), json!("1.1"));
    m.insert("extensions".into(), json!(release::EXTENSIONS));
    m.insert(
        "publishedDate".into(),
        json!(release::date(published.as_micros())),
    );
    m.insert(
        "publisher".into(),
        json!({"name": "Tianguis", "uri": settings.public_url}),
    );
    m.insert(
        "license".into(),
        json!("https://creativecommons.org/licenses/by/4.0/"),
    );
    m.insert(
        "publicationPolicy".into(),
        json!(format!("{}/open-data", settings.public_url)),
    );
    m
}

/// A page of the release feed.
#[derive(Debug, Clone)]
pub struct FeedPage {
    /// Releases, oldest first.
    pub releases: Vec<ReleaseRow>,
    /// The position to continue after (the last release's, or the cursor given when empty).
    pub next_after: i64,
}

/// Releases after a feed position (and dated at or after `since`).
pub async fn feed(
    db: &Database,
    after: i64,
    since: Option<Timestamp>,
    limit: u64,
) -> Result<FeedPage, ServiceError> {
    let mut conn = db.read().await?;
    let releases =
        repo::releases_after(&mut conn, after, since.map(|t| t.as_micros()), limit).await?;
    let next_after = releases.last().map(|r| r.seq).unwrap_or(after);
    Ok(FeedPage {
        releases,
        next_after,
    })
}

/// One release.
pub async fn release(db: &Database, release_id: &str) -> Result<ReleaseRow, ServiceError> {
    let mut conn = db.read().await?;
    repo::release(&mut conn, release_id)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// A process's record: its releases, compiled release and versioned release.
pub async fn record(db: &Database, ocid: &str) -> Result<Value, ServiceError> {
    let mut conn = db.read().await?;
    let releases = parse_releases(&repo::releases_of(&mut conn, ocid).await?)?;
    if releases.is_empty() {
        return Err(ServiceError::NotFound);
    }
    let compiled = tianguis_ocds::merge::compile(&releases)
        .map_err(|e| RepoError::Corrupt(format!("compiling {ocid}: {e}")))?;
    let versioned = tianguis_ocds::merge::versioned(&releases)
        .map_err(|e| RepoError::Corrupt(format!("versioning {ocid}: {e}")))?;
    Ok(json!({
        "ocid": ocid,
        "releases": releases,
        "compiledRelease": compiled,
        "versionedRelease": versioned,
    }))
}

/// A page of records (compiled releases with links to their releases), in ocid order.
pub async fn records_page(
    db: &Database,
    after_ocid: &str,
    limit: u64,
) -> Result<Vec<RecordRow>, ServiceError> {
    let mut conn = db.read().await?;
    Ok(repo::records_after(&mut conn, after_ocid, limit).await?)
}

#[cfg(test)]
mod tests {
    use super::url_of_bind;

    #[test]
    fn the_default_url_is_the_bind_address() {
        let at = |s: &str| url_of_bind(s.parse().unwrap());
        assert_eq!(at("10.0.0.5:9000"), "http://10.0.0.5:9000");
        assert_eq!(at("0.0.0.0:8081"), "http://localhost:8081");
        assert_eq!(at("[::1]:8082"), "http://[::1]:8082");
        assert_eq!(at("[::]:80"), "http://localhost:80");
    }
}
