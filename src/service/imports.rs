//! Importing other publishers' OCDS data (`tianguis ocds import`, issue 5): release packages,
//! record packages, records, releases, compiled releases and JSON lines (gzip too), upgraded from
//! 1.0, become read-only external processes that search and the dashboards count.
//!
//! Rules:
//! - A *unit* — a package, a standalone document, or one line of JSON lines — is imported whole
//!   or not at all. The toolkit's reader refuses a malformed unit before yielding any of its
//!   items; this workflow adds its own checks (a release `date` must be a string, the merge of
//!   the process must succeed) and computes everything for a unit before writing any of it.
//! - Re-importing the same data changes nothing: releases are keyed by `(ocid, id)` and a
//!   process row is rewritten only when its compiled release changed.
//! - Memory stays flat: the reader streams on a blocking thread into a bounded channel, and
//!   units are committed in batches of about [`BATCH_ITEMS`] items, one audit event per batch.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;
use tianguis_ocds::read::{Input, Item, Kind, ReadOptions, Reader};

use super::audit::{Publication, commit_with};
use super::events::imports::OcdsImported;
use super::{Actor, ServiceError};
use crate::domain::time::Timestamp;
use crate::repository::imports::{self as repo, NewRelease, ProcessRow};
use crate::repository::{Database, Queryable, RepoError};

/// Items per transaction.
pub const BATCH_ITEMS: usize = 500;

/// A unit that was not imported, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    /// `file:line:pointer`.
    pub location: String,
    /// Stable code (`ocds.invalid_json`, `ocds.read.duplicate_release_id`,
    /// `ocds.import.wrong_type`, `ocds.import.merge_failed`, …).
    pub code: String,
    /// What is wrong.
    pub message: String,
}

/// A release that differs from the stored release of the same ocid and id.
#[derive(Debug, Clone, Serialize)]
pub struct Conflict {
    /// Where the differing release was read.
    pub location: String,
    /// The process.
    pub ocid: String,
    /// The release id.
    pub release_id: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    /// Items read (releases, records, compiled releases).
    pub items: u64,
    /// Releases stored for the first time.
    pub releases_new: u64,
    /// Releases that were already stored with the same content (re-imports).
    pub releases_present: u64,
    /// Releases whose (ocid, id) was already stored with different content: the stored one is
    /// kept, and each is listed here (issue 13) instead of passing as "already present".
    pub conflicts: Vec<Conflict>,
    /// Processes created or whose compiled release changed.
    pub processes_changed: u64,
    /// Items upgraded from OCDS 1.0.
    pub upgraded: u64,
    /// Units refused, each with its location and reason.
    pub skipped: Vec<Skipped>,
}

enum Message {
    Unit(Vec<Item>),
    Skip(Skipped),
}

/// One release, compiled release or record's content, ready to write.
struct Prepared {
    ocid: String,
    releases: Vec<(String, Option<String>, Value)>,
    compiled: Option<Value>,
}

fn skipped(item: &Item, code: &str, message: String) -> Skipped {
    Skipped {
        location: item.location.to_string(),
        code: code.into(),
        message,
    }
}

/// Splits an item into the releases and compiled release it carries.
fn prepare(item: &Item) -> Result<Prepared, Skipped> {
    let ocid = item.ocid().to_owned();
    let release_of =
        |value: &Value, pointer: &str| -> Result<(String, Option<String>, Value), Skipped> {
            let id = match &value["id"] {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => {
                    return Err(skipped(
                        item,
                        "ocds.import.wrong_type",
                        format!("{pointer}/id must be a string"),
                    ));
                }
            };
            let date = match &value["date"] {
                Value::String(s) => Some(s.clone()),
                Value::Null => None,
                _ => {
                    return Err(skipped(
                        item,
                        "ocds.import.wrong_type",
                        format!("{pointer}/date must be a string"),
                    ));
                }
            };
            Ok((id, date, value.clone()))
        };
    match item.kind {
        Kind::Release => Ok(Prepared {
            ocid,
            releases: vec![release_of(&item.value, "")?],
            compiled: None,
        }),
        Kind::CompiledRelease => Ok(Prepared {
            ocid,
            releases: Vec::new(),
            compiled: Some(item.value.clone()),
        }),
        Kind::Record => {
            let mut releases = Vec::new();
            if let Some(list) = item.value["releases"].as_array() {
                for (i, r) in list.iter().enumerate() {
                    // Linked releases (url, date, tag) carry no content to store.
                    if r.get("ocid").is_some() && r.get("tag").is_some() {
                        releases.push(release_of(r, &format!("/releases/{i}"))?);
                    }
                }
            }
            let compiled = item.value.get("compiledRelease").cloned();
            if releases.is_empty() && compiled.is_none() {
                return Err(skipped(
                    item,
                    "ocds.import.empty_record",
                    "the record has neither embedded releases nor a compiled release".into(),
                ));
            }
            Ok(Prepared {
                ocid,
                releases,
                compiled,
            })
        }
        Kind::ReleasePackage | Kind::RecordPackage => Err(skipped(
            item,
            "ocds.read.unknown_format",
            "a package is not an item".into(),
        )),
    }
}

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The searchable fields of a compiled release.
fn process_row(
    ocid: &str,
    compiled: &Value,
    release_count: i64,
    source: &str,
    now: i64,
) -> ProcessRow {
    let tender = &compiled["tender"];
    let title = text_of(&tender["title"]).or_else(|| {
        compiled["awards"]
            .as_array()
            .and_then(|a| a.first())
            .and_then(|a| text_of(&a["title"]))
    });
    ProcessRow {
        ocid: ocid.to_owned(),
        title,
        buyer: text_of(&compiled["buyer"]["name"]),
        method: text_of(&tender["procurementMethod"]),
        status: text_of(&tender["status"]),
        value: text_of(&tender["value"]["amount"]),
        currency: text_of(&tender["value"]["currency"]),
        release_date: text_of(&compiled["date"]),
        release_count,
        compiled: serde_json::to_string(compiled).unwrap_or_default(),
        source: source.to_owned(),
        imported_at: now,
    }
}

/// A process's state while a batch is computed.
struct ProcessState {
    ids: Vec<String>,
    releases: Vec<Value>,
    stored_compiled: Option<String>,
    row: Option<ProcessRow>,
}

fn sorted_by_date(ids: &[String], releases: &[Value]) -> Vec<Value> {
    // One order whatever the order of arrival, so the result of a re-import is the same: by
    // date, then id (the merge keeps the input order of releases with equal dates).
    let mut order: Vec<usize> = (0..releases.len()).collect();
    order.sort_by(|&a, &b| {
        let key = |i: usize| (releases[i]["date"].as_str().unwrap_or(""), ids[i].as_str());
        key(a).cmp(&key(b))
    });
    order.into_iter().map(|i| releases[i].clone()).collect()
}

/// Imports a batch of units in one transaction with a handful of statements: the stored state
/// of every process the batch touches is read at once, each unit is computed in memory and
/// applied only if all of it succeeds (a unit refused by the merge leaves nothing behind),
/// then the new releases and changed processes are written in multi-row statements.
async fn import_batch(
    tx: &mut impl Queryable,
    units: Vec<Vec<Item>>,
    report: &mut ImportReport,
    now: i64,
) -> Result<(), RepoError> {
    let mut ocids: Vec<String> = units
        .iter()
        .flat_map(|u| u.iter().map(|i| i.ocid().to_owned()))
        .collect();
    ocids.sort();
    ocids.dedup();
    let mut stored = repo::releases_of_many(tx, &ocids).await?;
    let mut compiled = repo::compiled_many(tx, &ocids).await?;
    let mut state: HashMap<String, ProcessState> = HashMap::with_capacity(ocids.len());
    for ocid in &ocids {
        let mut ids = Vec::new();
        let mut releases = Vec::new();
        for (id, json) in stored.remove(ocid).unwrap_or_default() {
            releases
                .push(serde_json::from_str(&json).map_err(|e| RepoError::Corrupt(e.to_string()))?);
            ids.push(id);
        }
        state.insert(
            ocid.clone(),
            ProcessState {
                ids,
                releases,
                stored_compiled: compiled.remove(ocid),
                row: None,
            },
        );
    }
    let mut new_releases: Vec<NewRelease> = Vec::new();
    'units: for unit in units {
        report.items += unit.len() as u64;
        let mut prepared = Vec::with_capacity(unit.len());
        for item in &unit {
            match prepare(item) {
                Ok(p) => prepared.push(p),
                Err(s) => {
                    report.skipped.push(s);
                    continue 'units;
                }
            }
        }
        let source = unit
            .first()
            .map(|i| {
                i.package
                    .as_ref()
                    .and_then(|p| p.uri().map(str::to_owned))
                    .unwrap_or_else(|| i.location.file.to_string())
            })
            .unwrap_or_default();
        let mut unit_ocids: Vec<&str> = prepared.iter().map(|p| p.ocid.as_str()).collect();
        unit_ocids.sort_unstable();
        unit_ocids.dedup();
        // Compute every touched process first; apply only when the whole unit succeeded.
        let mut updates = Vec::with_capacity(unit_ocids.len());
        let mut present = 0;
        let mut conflicts = Vec::new();
        for ocid in unit_ocids {
            let Some(current) = state.get(ocid) else {
                continue;
            };
            let mut ids = current.ids.clone();
            let mut releases = current.releases.clone();
            let mut added = Vec::new();
            let mut given_compiled = None;
            for p in prepared.iter().filter(|p| p.ocid == ocid) {
                for (id, date, value) in &p.releases {
                    if let Some(at) = ids.iter().position(|x| x == id) {
                        // A publisher must not change a release under the same id (OCDS 1.1,
                        // "release handling"): keep the stored one and say so.
                        if releases.get(at) == Some(value) {
                            present += 1;
                        } else {
                            conflicts.push(Conflict {
                                location: unit[0].location.to_string(),
                                ocid: ocid.to_owned(),
                                release_id: id.clone(),
                            });
                        }
                        continue;
                    }
                    ids.push(id.clone());
                    releases.push(value.clone());
                    added.push((
                        id.clone(),
                        date.clone(),
                        serde_json::to_string(value).unwrap_or_default(),
                    ));
                }
                if p.compiled.is_some() {
                    given_compiled = p.compiled.clone();
                }
            }
            // Our own merge when releases are there (the same as `ocds compile`); otherwise
            // the compiled release as published.
            let merged = if releases.is_empty() {
                given_compiled
            } else {
                match tianguis_ocds::merge::compile(&sorted_by_date(&ids, &releases)) {
                    Ok(c) => Some(c),
                    Err(e) => {
                        report.skipped.push(skipped(
                            &unit[0],
                            "ocds.import.merge_failed",
                            format!("{ocid}: {e}"),
                        ));
                        continue 'units;
                    }
                }
            };
            let row = merged.map(|c| process_row(ocid, &c, releases.len() as i64, &source, now));
            updates.push((ocid.to_owned(), ids, releases, added, row));
        }
        report.releases_present += present;
        report.conflicts.append(&mut conflicts);
        for (ocid, ids, releases, added, row) in updates {
            let Some(current) = state.get_mut(&ocid) else {
                continue;
            };
            current.ids = ids;
            current.releases = releases;
            if let Some(row) = row {
                current.row = Some(row);
            }
            for (release_id, date, json) in added {
                new_releases.push(NewRelease {
                    ocid: ocid.clone(),
                    release_id,
                    date,
                    json,
                    source: source.clone(),
                });
            }
        }
    }
    let inserted = repo::insert_releases(tx, &new_releases).await?;
    report.releases_new += inserted;
    report.releases_present += new_releases.len() as u64 - inserted;
    let changed: Vec<ProcessRow> = state
        .into_values()
        .filter_map(|s| {
            let row = s.row?;
            (s.stored_compiled.as_deref() != Some(row.compiled.as_str())).then_some(row)
        })
        .collect();
    repo::upsert_processes(tx, &changed).await?;
    report.processes_changed += changed.len() as u64;
    Ok(())
}

/// Imports `inputs`; `progress` is called with the number of items read so far.
pub async fn import(
    db: &Database,
    inputs: Vec<Input>,
    options: ReadOptions,
    mut progress: impl FnMut(u64) + Send,
) -> Result<ImportReport, ServiceError> {
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Message>(64);
    let reading = tokio::task::spawn_blocking(move || {
        let mut unit: Vec<Item> = Vec::new();
        let mut upgraded = 0u64;
        for next in Reader::new(inputs, options) {
            match next {
                Ok(mut item) => {
                    if tianguis_ocds::upgrade::upgrade_item(&mut item) {
                        upgraded += 1;
                    }
                    // Items of one package come consecutively and share the same `Arc`.
                    let same_package =
                        match (unit.last().and_then(|i| i.package.as_ref()), &item.package) {
                            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                            _ => false,
                        };
                    if !same_package
                        && !unit.is_empty()
                        && sender
                            .blocking_send(Message::Unit(std::mem::take(&mut unit)))
                            .is_err()
                    {
                        return upgraded;
                    }
                    unit.push(item);
                }
                Err(e) => {
                    let skip = Skipped {
                        location: e.location.to_string(),
                        code: e.code().into(),
                        message: e.kind.to_string(),
                    };
                    if sender.blocking_send(Message::Skip(skip)).is_err() {
                        return upgraded;
                    }
                }
            }
        }
        if !unit.is_empty() {
            let _ = sender.blocking_send(Message::Unit(unit));
        }
        upgraded
    });

    let mut report = ImportReport::default();
    let actor = Actor::System("ocds-import");
    let mut batch: Vec<Vec<Item>> = Vec::new();
    let mut batch_items = 0usize;
    let mut finished = false;
    while !finished {
        match receiver.recv().await {
            Some(Message::Unit(unit)) => {
                batch_items += unit.len();
                batch.push(unit);
            }
            Some(Message::Skip(s)) => report.skipped.push(s),
            None => finished = true,
        }
        if batch_items >= BATCH_ITEMS || (finished && !batch.is_empty()) {
            let now = Timestamp::now().as_micros();
            let mut tx = db.begin().await?;
            let before = (report.releases_new, report.processes_changed);
            import_batch(&mut tx, std::mem::take(&mut batch), &mut report, now).await?;
            let (new, changed) = (
                report.releases_new - before.0,
                report.processes_changed - before.1,
            );
            if new > 0 || changed > 0 {
                let event = OcdsImported {
                    releases_new: new,
                    processes_changed: changed,
                };
                commit_with(tx, &actor, &event, Publication::None).await?;
            } else {
                tx.commit().await?;
            }
            batch_items = 0;
            progress(report.items);
        }
    }
    report.upgraded = reading
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    Ok(report)
}

/// Imported processes matching `text`.
pub async fn search(
    db: &Database,
    text: &str,
    offset: i64,
    limit: i64,
) -> Result<crate::repository::Page<ProcessRow>, ServiceError> {
    let mut conn = db.read().await?;
    Ok(repo::search(&mut conn, text, offset, limit).await?)
}

/// One imported process with its compiled release.
pub async fn process(db: &Database, ocid: &str) -> Result<(ProcessRow, Value), ServiceError> {
    let mut conn = db.read().await?;
    let row = repo::find(&mut conn, ocid)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let compiled =
        serde_json::from_str(&row.compiled).map_err(|e| RepoError::Corrupt(e.to_string()))?;
    Ok((row, compiled))
}
