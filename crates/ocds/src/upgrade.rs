//! Upgrading OCDS 1.0 data to 1.1.
//!
//! Why: OCDS 1.1 moved organizations into `parties` with `id`s referenced from `buyer`,
//! `procuringEntity`, `tenderers`, `suppliers`, `payer` and `payee`, renamed `amendment` to
//! `amendments` and transaction `amount`/`providerOrganization`/`receiverOrganization` to
//! `value`/`payer`/`payee` (OCDS 1.1 changelog). Merging 1.0 and 1.1 releases together gives wrong
//! records, so the toolkit upgrades first (issue 5: "`ocds upgrade` — OCDS 1.0 → 1.1" and the
//! importer "upgrades 1.0"). The transformation is the reference one, ocdskit's
//! `upgrade_10_11` with its default `reorder=True`, reproduced field by field — including the
//! moving of identifying fields to the top of objects, the md5 party ids built from name,
//! identifier, address and contact point, the sorting of existing `roles`, and the fact that
//! `payer`/`payee` parties are referenced but not added to `parties` — so that
//! `ocds compile` equals `ocdskit upgrade 1.0:1.1 | ocdskit compile`.

use indexmap::IndexMap;
use md5::{Digest, Md5};
use serde_json::{Map, Value};

use crate::read::{Item, Kind};

/// The OCDS minor version of a package, record or release, by ocdskit's
/// `get_ocds_minor_version`: a package says it in `version` (absent means 1.0); a record or
/// release is 1.1 when it (or one of the record's releases) has `parties`.
pub fn minor_version(data: &Map<String, Value>) -> &str {
    let is_package = data.contains_key("records")
        || (data.contains_key("releases") && !data.contains_key("ocid"));
    if is_package {
        return data.get("version").and_then(Value::as_str).unwrap_or("1.0");
    }
    if let Some(releases) = data.get("releases").filter(|_| data.contains_key("ocid")) {
        let any = releases
            .as_array()
            .is_some_and(|r| r.iter().any(|r| r.get("parties").is_some()));
        return if any { "1.1" } else { "1.0" };
    }
    if data.contains_key("parties") {
        "1.1"
    } else {
        "1.0"
    }
}

/// Upgrade a whole top-level value (package, record or release) from 1.0 to 1.1, as
/// `ocdskit upgrade 1.0:1.1` does. Data that is not 1.0 is returned unchanged.
pub fn upgrade_10_11(data: &mut Value) {
    let Value::Object(object) = data else { return };
    if minor_version(object) != "1.0" {
        return;
    }
    let is_record_package = object.contains_key("records");
    let is_release_package = object.contains_key("releases") && !object.contains_key("ocid");
    if is_record_package || is_release_package {
        object.insert("version".into(), Value::String("1.1".into()));
        move_to_top(object, &["uri", "version"]);
    }
    if is_record_package {
        if let Some(Value::Array(records)) = object.get_mut("records") {
            for record in records {
                if let Value::Object(record) = record {
                    upgrade_record(record);
                }
            }
        }
    } else if is_release_package {
        if let Some(Value::Array(releases)) = object.get_mut("releases") {
            for release in releases {
                if let Value::Object(release) = release {
                    upgrade_release(release);
                }
            }
        }
    } else if object.contains_key("releases") {
        upgrade_record(object);
    } else {
        upgrade_release(object);
    }
}

/// Upgrade one item from the reader when the unit it came from is OCDS 1.0 (its package's
/// `version`, or its own content when standalone), exactly as upgrading the unit would.
/// Returns whether anything was upgraded.
pub fn upgrade_item(item: &mut Item) -> bool {
    let is_10 = match &item.package {
        Some(package) => package.version().unwrap_or("1.0") == "1.0",
        None => item
            .value
            .as_object()
            .is_some_and(|o| minor_version(o) == "1.0"),
    };
    if !is_10 {
        return false;
    }
    let Value::Object(object) = &mut item.value else {
        return false;
    };
    match item.kind {
        Kind::Record => upgrade_record(object),
        _ => upgrade_release(object),
    }
    true
}

/// Upgrade a record's releases and compiled release.
pub fn upgrade_record(record: &mut Map<String, Value>) {
    if let Some(Value::Array(releases)) = record.get_mut("releases") {
        for release in releases {
            if let Value::Object(release) = release {
                upgrade_release(release);
            }
        }
    }
    if let Some(Value::Object(compiled)) = record.get_mut("compiledRelease") {
        upgrade_release(compiled);
    }
}

/// Upgrade one release: organizations to parties, amendments, transactions.
pub fn upgrade_release(release: &mut Map<String, Value>) {
    upgrade_parties(release);
    upgrade_amendments(release);
    upgrade_transactions(release);
}

/// ocdskit's `_move_to_top`: the listed fields that exist go first, in the listed order.
fn move_to_top(object: &mut Map<String, Value>, fields: &[&str]) {
    if !fields.iter().any(|f| object.contains_key(*f)) {
        return;
    }
    let mut old = std::mem::take(object);
    for field in fields {
        if let Some(value) = old.shift_remove(*field) {
            object.insert((*field).to_owned(), value);
        }
    }
    for (k, v) in old {
        object.insert(k, v);
    }
}

fn present<'a>(object: &'a Map<String, Value>, field: &str) -> Option<&'a Value> {
    object.get(field).filter(|v| !v.is_null())
}

/// The key a Python dict would use for a party `id` (so `1` and `"1"` stay distinct).
fn party_key(id: &Value) -> String {
    id.to_string()
}

/// The parties of one release being upgraded: existing ones (mutated in place) and new ones.
struct Parties {
    list: Vec<Value>,
    existing: usize,
    by_id: IndexMap<String, usize>,
}

impl Parties {
    fn of(release: &Map<String, Value>) -> Parties {
        let list = match release.get("parties") {
            Some(Value::Array(parties)) => parties.clone(),
            _ => Vec::new(),
        };
        let mut by_id = IndexMap::new();
        for (i, party) in list.iter().enumerate() {
            let Value::Object(object) = party else {
                continue;
            };
            let id = match object.get("id") {
                Some(id) => party_key(id),
                None => party_key(&Value::String(create_party_id(object))),
            };
            by_id.insert(id, i);
        }
        Parties {
            existing: list.len(),
            list,
            by_id,
        }
    }

    /// ocdskit's `_add_party`: register the organization, give it the role, return the
    /// OrganizationReference.
    fn add(&mut self, party: &Value, role: &str) -> Value {
        let mut party = match party {
            Value::Object(o) => o.clone(),
            _ => Map::new(),
        };
        if !party.contains_key("id") {
            let id = create_party_id(&party);
            party.insert("id".into(), Value::String(id));
            move_to_top(&mut party, &["id"]);
        }
        let id = party.get("id").cloned().unwrap_or(Value::Null);
        let key = party_key(&id);
        let name = party.get("name").cloned();
        let index = match self.by_id.get(&key) {
            Some(index) => *index,
            None => {
                self.list.push(Value::Object(party));
                self.by_id.insert(key, self.list.len() - 1);
                self.list.len() - 1
            }
        };
        if let Some(Value::Object(survivor)) = self.list.get_mut(index) {
            if !survivor.contains_key("roles") {
                survivor.insert("roles".into(), Value::Array(Vec::new()));
                move_to_top(survivor, &["id", "roles"]);
            }
            let roles = cast_as_list(survivor.get("roles").cloned().unwrap_or(Value::Null));
            let mut roles = roles;
            if !roles.iter().any(|r| r.as_str() == Some(role)) {
                roles.push(Value::String(role.to_owned()));
            }
            survivor.insert("roles".into(), Value::Array(roles));
        }
        let mut reference = Map::new();
        reference.insert("id".into(), id);
        if let Some(name) = name {
            reference.insert("name".into(), name);
        }
        Value::Object(reference)
    }
}

/// ocdskit's `_cast_as_list`: a string becomes a one-element list, a list is sorted.
fn cast_as_list(value: Value) -> Vec<Value> {
    match value {
        Value::String(s) => vec![Value::String(s)],
        Value::Array(mut items) => {
            items.sort_by(|a, b| match (a, b) {
                (Value::String(x), Value::String(y)) => x.cmp(y),
                _ => a.to_string().cmp(&b.to_string()),
            });
            items
        }
        _ => Vec::new(),
    }
}

/// ocdskit's `_create_party_id`: md5 of name, identifier, address and contact point fields.
fn create_party_id(party: &Map<String, Value>) -> String {
    const GROUPS: &[(Option<&str>, &[&str])] = &[
        (None, &["name"]),
        (Some("identifier"), &["scheme", "id", "legalName", "uri"]),
        (
            Some("address"),
            &[
                "streetAddress",
                "locality",
                "region",
                "postalCode",
                "countryName",
            ],
        ),
        (
            Some("contactPoint"),
            &["name", "email", "telephone", "faxNumber", "url"],
        ),
    ];
    let mut parts: Vec<String> = Vec::new();
    for (parent, fields) in GROUPS {
        let object = match parent {
            None => Some(party),
            Some(parent) => match party.get(*parent) {
                Some(Value::Object(o)) => Some(o),
                Some(_) => Some(&*EMPTY),
                None => None,
            },
        };
        if let Some(object) = object {
            parts.extend(fields.iter().map(|f| py_text(object.get(*f))));
        }
    }
    let digest = Md5::digest(parts.join("-").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

static EMPTY: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);

/// Python `str(value or "")` for JSON values.
fn py_text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) | Some(Value::Bool(false)) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(true)) => "True".into(),
        Some(Value::Number(n)) => {
            if n.as_f64() == Some(0.0) {
                String::new()
            } else {
                n.to_string()
            }
        }
        Some(Value::Array(a)) if a.is_empty() => String::new(),
        Some(Value::Object(o)) if o.is_empty() => String::new(),
        Some(other) => other.to_string(),
    }
}

fn upgrade_parties(release: &mut Map<String, Value>) {
    let mut parties = Parties::of(release);

    if let Some(buyer) = present(release, "buyer").cloned() {
        let reference = parties.add(&buyer, "buyer");
        release.insert("buyer".into(), reference);
    }
    if let Some(Value::Object(tender)) = release.get_mut("tender") {
        if let Some(entity) = present(tender, "procuringEntity").cloned() {
            let reference = parties.add(&entity, "procuringEntity");
            tender.insert("procuringEntity".into(), reference);
        }
        if let Some(Value::Array(tenderers)) = tender.get_mut("tenderers") {
            for tenderer in tenderers.iter_mut() {
                *tenderer = parties.add(tenderer, "tenderer");
            }
        }
    }
    if let Some(Value::Array(awards)) = release.get_mut("awards") {
        for award in awards.iter_mut() {
            if let Some(Value::Array(suppliers)) = award.get_mut("suppliers") {
                for supplier in suppliers.iter_mut() {
                    *supplier = parties.add(supplier, "supplier");
                }
            }
        }
    }

    let Parties {
        mut list, existing, ..
    } = parties;
    if list.is_empty() {
        return;
    }
    let new = list.split_off(existing);
    for party in new {
        if !list.contains(&party) {
            list.push(party);
        }
    }
    match release.get_mut("parties") {
        Some(Value::Array(slot)) => *slot = list,
        Some(_) => {}
        None => {
            release.insert("parties".into(), Value::Array(list));
            move_to_top(
                release,
                &["ocid", "id", "date", "tag", "initiationType", "parties"],
            );
        }
    }
}

fn upgrade_amendments(release: &mut Map<String, Value>) {
    if let Some(Value::Object(tender)) = release.get_mut("tender") {
        upgrade_amendment(tender);
    }
    for field in ["awards", "contracts"] {
        if let Some(Value::Array(blocks)) = release.get_mut(field) {
            for block in blocks {
                if let Value::Object(block) = block {
                    upgrade_amendment(block);
                }
            }
        }
    }
}

fn upgrade_amendment(block: &mut Map<String, Value>) {
    let Some(amendment) = block.shift_remove("amendment") else {
        return;
    };
    let amendments = block
        .entry("amendments")
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(list) = amendments
        && !list.contains(&amendment)
    {
        list.push(amendment);
    }
}

fn upgrade_transactions(release: &mut Map<String, Value>) {
    let mut parties = Parties::of(release);
    let Some(Value::Array(contracts)) = release.get_mut("contracts") else {
        return;
    };
    for contract in contracts {
        let Some(Value::Object(implementation)) = contract.get_mut("implementation") else {
            continue;
        };
        let Some(Value::Array(transactions)) = implementation.get_mut("transactions") else {
            continue;
        };
        for transaction in transactions {
            let Value::Object(transaction) = transaction else {
                continue;
            };
            if !transaction.contains_key("value")
                && let Some(amount) = transaction.shift_remove("amount")
            {
                transaction.insert("value".into(), amount);
            }
            for (old, new) in [
                ("providerOrganization", "payer"),
                ("receiverOrganization", "payee"),
            ] {
                if transaction.contains_key(old) && !transaction.contains_key(new) {
                    let identifier = transaction.get(old).cloned().unwrap_or(Value::Null);
                    let mut party = Map::new();
                    party.insert("identifier".into(), identifier.clone());
                    if let Some(legal_name) = identifier.get("legalName") {
                        party.insert("name".into(), legal_name.clone());
                    }
                    let reference = parties.add(&Value::Object(party), new);
                    transaction.insert(new.into(), reference);
                    transaction.shift_remove(old);
                }
            }
        }
    }
    // ocdskit updates the roles of existing parties in place but never appends the new
    // payer/payee parties to `parties`; we do the same (see module docs).
    let Parties { list, existing, .. } = parties;
    if let Some(Value::Array(slot)) = release.get_mut("parties") {
        let mut list = list;
        list.truncate(existing);
        *slot = list;
    }
}
