//! OCDS merging: compiled releases and versioned releases.
//!
//! Why this shape: the rules are those of the OCDS 1.1 "Merging" section
//! (<https://standard.open-contracting.org/1.1/en/schema/merging/>), and the output must be
//! identical — values *and* key order — to `ocdskit compile`, whose merge engine is
//! `ocdsmerge` (issue 5: "Output equals the reference OCDS toolkit's"). `ocdsmerge` flattens each
//! release into an insertion-ordered map from JSON paths to leaf values, overwrites the map
//! release after release (sorted by `date`), then rebuilds the tree. We keep the same semantics
//! with a tree whose children are kept in first-leaf order (which is exactly the order the flat
//! map yields when rebuilt), so the quirks users of ocdskit rely on are reproduced:
//!
//! - arrays of objects with `id` are merged by identifier (`1` and `"1"` are the same object;
//!   objects without `id` are always appended); `wholeListMerge` arrays, arrays of non-objects
//!   and paths not described as id-arrays are replaced whole;
//! - `null` removes a *leaf* value, but a `null` cannot remove an object or array previously set
//!   (ocdsmerge ignores it), and an object whose leaves are all `null` still appears, empty;
//! - empty objects and arrays in a release are ignored (they add no leaf), unless the path is
//!   `wholeListMerge`;
//! - `omitWhenMerged` fields (release `id`, `date`, `tag` in 1.1.5) never reach the output; the
//!   compiled release gets `tag: ["compiled"]`, `id: "{ocid}-{date of newest release}"`, `date`
//!   and `ocid`, in that order, first;
//! - the versioned release records a new `{releaseID, releaseDate, releaseTag, value}` only when
//!   a leaf's value changes, and keeps `ocid` and array-object `id`s unversioned.
//!
//! Releases are ordered by `date` with a stable sort (string order, as Python's `sorted`), so
//! releases with equal dates keep their input order.

use indexmap::IndexMap;
use serde_json::{Map, Value};

use crate::rules::{MergeRule, MergeRules, RuleNode};

/// Why a group of releases could not be merged. One error spoils one ocid only.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MergeError {
    /// Nothing to merge.
    #[error("no releases to merge")]
    NoReleases,
    /// A release is not a JSON object.
    #[error("release {index} is a {kind}, not an object")]
    NonObjectRelease {
        /// Position of the release in the group.
        index: usize,
        /// JSON type found.
        kind: &'static str,
    },
    /// A release has no `date`, so releases cannot be ordered (ocdsmerge `MissingDateKeyError`).
    #[error("the `date` field of release {index} is missing")]
    MissingDate {
        /// Position of the release in the group.
        index: usize,
    },
    /// A release's `date` is `null` or not a string (ocdsmerge `NullDateValueError`,
    /// `NonStringDateValueError`).
    #[error("the `date` field of release {index} is not a string")]
    NonStringDate {
        /// Position of the release in the group.
        index: usize,
    },
    /// A path is a literal, an object and/or an array in different releases
    /// (ocdsmerge `InconsistentTypeError`).
    #[error("inconsistent types at /{path}: {detail}")]
    InconsistentType {
        /// JSON path, `/`-separated.
        path: String,
        /// What clashed.
        detail: &'static str,
    },
}

impl MergeError {
    /// Stable machine code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            MergeError::NoReleases => "ocds.merge.no_releases",
            MergeError::NonObjectRelease { .. } => "ocds.merge.non_object_release",
            MergeError::MissingDate { .. } => "ocds.merge.missing_date",
            MergeError::NonStringDate { .. } => "ocds.merge.non_string_date",
            MergeError::InconsistentType { .. } => "ocds.merge.inconsistent_type",
        }
    }
}

/// Merges releases of one ocid with a fixed set of rules. Cheap to share across threads.
#[derive(Debug, Clone, Copy)]
pub struct Merger<'r> {
    rules: &'r MergeRules,
}

impl Default for Merger<'static> {
    fn default() -> Self {
        Merger {
            rules: MergeRules::patched(),
        }
    }
}

/// Compile releases of one ocid with the rules of the vendored patched 1.1.5 schema.
pub fn compile(releases: &[Value]) -> Result<Value, MergeError> {
    Merger::default().compile(releases.to_vec())
}

/// Build the versioned release of one ocid with the rules of the vendored patched schema.
pub fn versioned(releases: &[Value]) -> Result<Value, MergeError> {
    Merger::default().versioned(releases.to_vec())
}

impl<'r> Merger<'r> {
    /// A merger using the given rules (see [`MergeRules::from_schema`]).
    pub fn new(rules: &'r MergeRules) -> Self {
        Merger { rules }
    }

    /// The compiled release (the latest value of every field) of releases that share an ocid.
    pub fn compile(&self, releases: Vec<Value>) -> Result<Value, MergeError> {
        self.merge(releases, Mode::Compiled)
    }

    /// The versioned release (the history of every field) of releases that share an ocid.
    pub fn versioned(&self, releases: Vec<Value>) -> Result<Value, MergeError> {
        self.merge(releases, Mode::Versioned)
    }

    fn merge(&self, releases: Vec<Value>, mode: Mode) -> Result<Value, MergeError> {
        if releases.is_empty() {
            return Err(MergeError::NoReleases);
        }
        let mut keyed = Vec::with_capacity(releases.len());
        for (index, release) in releases.into_iter().enumerate() {
            let Value::Object(object) = release else {
                return Err(MergeError::NonObjectRelease {
                    index,
                    kind: json_kind(&release),
                });
            };
            match object.get("date") {
                Some(Value::String(_)) => {}
                None => return Err(MergeError::MissingDate { index }),
                Some(_) => return Err(MergeError::NonStringDate { index }),
            }
            keyed.push(object);
        }
        // Stable: equal dates keep input order, like Python's `sorted`.
        keyed.sort_by(|a, b| date_of(a).cmp(date_of(b)));

        let mut state = State {
            mode,
            seq: 0,
            unique: 0,
            release: 0,
            metas: Vec::new(),
        };
        let mut root = Node::default();
        if mode == Mode::Compiled {
            let tag = Value::Array(vec![Value::String("compiled".into())]);
            root.child(Key::prop("tag")).set_plain(tag, &mut state);
        }
        for (index, mut release) in keyed.into_iter().enumerate() {
            state.release = index as u32;
            let ocid = release.get("ocid").cloned().unwrap_or(Value::Null);
            let date = release.get("date").cloned().unwrap_or(Value::Null);
            let tag = release.shift_remove("tag").unwrap_or(Value::Null);
            match mode {
                Mode::Compiled => {
                    let id = Value::String(format!("{}-{}", py_str(&ocid), py_str(&date)));
                    root.child(Key::prop("id")).set_plain(id, &mut state);
                    root.child(Key::prop("date")).set_plain(date, &mut state);
                    root.child(Key::prop("ocid")).set_plain(ocid, &mut state);
                }
                Mode::Versioned => {
                    release.shift_remove("ocid");
                    state.metas.push(ReleaseMeta {
                        id: release.get("id").cloned().unwrap_or(Value::Null),
                        date,
                        tag,
                    });
                    root.child(Key::prop("ocid")).set_plain(ocid, &mut state);
                }
            }
            root.insert_object(release, Some(&self.rules.root), &mut state);
        }
        let mut path = Vec::new();
        match root.to_value(&state, &mut path)? {
            Some(value) => Ok(value),
            None => Ok(Value::Object(Map::new())),
        }
    }
}

fn date_of(release: &Map<String, Value>) -> &str {
    release.get("date").and_then(Value::as_str).unwrap_or("")
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Python's `str()` of a JSON scalar, as used by ocdsmerge for compiled ids and identifiers.
fn py_str(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        other => other.to_string(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Compiled,
    Versioned,
}

struct ReleaseMeta {
    id: Value,
    date: Value,
    tag: Value,
}

struct State {
    mode: Mode,
    /// Counter of flat paths in first-insertion order.
    seq: u64,
    /// Counter standing in for ocdsmerge's per-object UUIDs (objects without `id`).
    unique: u64,
    release: u32,
    metas: Vec<ReleaseMeta>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Prop(String),
    /// An array entry: by identifier (`str()` of its `id`), or unique when it has none.
    Item(ItemKey),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum ItemKey {
    Id(String),
    Unique(u64),
}

impl Key {
    fn prop(name: &str) -> Key {
        Key::Prop(name.to_owned())
    }
}

const NEVER: u64 = u64::MAX;

enum Leaf {
    Plain(Value),
    Versions(Vec<(u32, Value)>),
}

struct Node {
    children: IndexMap<Key, Node>,
    leaf: Option<Leaf>,
    leaf_seq: u64,
    children_seq: u64,
    /// For array entries: the `id` of the first object that created the entry.
    item_id: Option<Value>,
    /// Versioned mode: the release that last wrote this leaf, and whether it pushed a version.
    touched: Option<(u32, bool)>,
}

impl Default for Node {
    fn default() -> Self {
        Node {
            children: IndexMap::new(),
            leaf: None,
            leaf_seq: NEVER,
            children_seq: NEVER,
            item_id: None,
            touched: None,
        }
    }
}

impl Node {
    fn first_seq(&self) -> u64 {
        self.leaf_seq.min(self.children_seq)
    }

    fn child(&mut self, key: Key) -> &mut Node {
        self.children.entry(key).or_default()
    }

    /// Set a value that is never versioned (`tag`, `id`, `date`, `ocid` of the merged release).
    fn set_plain(&mut self, value: Value, state: &mut State) {
        if self.leaf_seq == NEVER {
            self.leaf_seq = state.seq;
            state.seq += 1;
        }
        self.leaf = Some(Leaf::Plain(value));
    }

    fn set_leaf(&mut self, value: Value, state: &mut State) {
        if self.leaf_seq == NEVER {
            self.leaf_seq = state.seq;
            state.seq += 1;
        }
        match state.mode {
            Mode::Compiled => self.leaf = Some(Leaf::Plain(value)),
            Mode::Versioned => {
                let release = state.release;
                let versions = match &mut self.leaf {
                    Some(Leaf::Versions(v)) => v,
                    _ => {
                        self.leaf = Some(Leaf::Versions(Vec::new()));
                        match &mut self.leaf {
                            Some(Leaf::Versions(v)) => v,
                            _ => return,
                        }
                    }
                };
                // A path written twice by one release (duplicate ids in an array) keeps only
                // the last value, as ocdsmerge's per-release flat map does.
                if let Some((r, pushed)) = self.touched
                    && r == release
                    && pushed
                {
                    versions.pop();
                }
                let unchanged = versions.last().is_some_and(|(_, last)| py_eq(last, &value));
                if !unchanged {
                    versions.push((release, value));
                }
                self.touched = Some((release, !unchanged));
            }
        }
    }

    /// Flatten one object of a release into this node (ocdsmerge `flatten` for dicts).
    fn insert_object(&mut self, object: Map<String, Value>, rules: Option<&RuleNode>, state: &mut State) {
        for (key, value) in object {
            let child_rules = rules.and_then(|r| r.children.get(&key));
            let rule = child_rules.and_then(|r| r.rule);
            if rule == Some(MergeRule::Omit) {
                continue;
            }
            let is_leaf = rule == Some(MergeRule::WholeList)
                || match &value {
                    Value::Object(_) => false,
                    Value::Array(items) => items.iter().any(|item| !item.is_object()),
                    _ => true,
                };
            if is_leaf {
                let seq_before = state.seq;
                self.child(Key::Prop(key)).set_leaf(value, state);
                if self.children_seq == NEVER {
                    self.children_seq = seq_before;
                }
                continue;
            }
            let empty = match &value {
                Value::Object(o) => o.is_empty(),
                Value::Array(a) => a.is_empty(),
                _ => true,
            };
            if empty {
                continue;
            }
            let existed = self.children.contains_key(&Key::Prop(key.clone()));
            let child = self.child(Key::Prop(key));
            match value {
                Value::Object(inner) => child.insert_object(inner, child_rules, state),
                Value::Array(items) => child.insert_array(items, child_rules, state),
                _ => {}
            }
            self.after_child(existed, state);
        }
    }

    /// Flatten an array of objects (ocdsmerge `_enumerate` + identifier merge).
    fn insert_array(&mut self, items: Vec<Value>, rules: Option<&RuleNode>, state: &mut State) {
        for item in items {
            let Value::Object(object) = item else {
                continue;
            };
            let (key, original) = match object.get("id") {
                Some(id) => (ItemKey::Id(py_str(id)), Some(id.clone()).filter(|v| !v.is_null())),
                None => {
                    state.unique += 1;
                    (ItemKey::Unique(state.unique), None)
                }
            };
            let key = Key::Item(key);
            let existed = self.children.contains_key(&key);
            let child = self.child(key);
            if !existed {
                child.item_id = original;
            }
            child.insert_object(object, rules, state);
            self.after_child(existed, state);
        }
    }

    /// After recursing into the last-touched child: drop it if it was created but got no leaf
    /// (ocdsmerge never sees a path without a leaf), and note when children first appeared.
    fn after_child(&mut self, existed: bool, _state: &mut State) {
        if existed {
            return;
        }
        let first = self.children.last().map(|(_, c)| c.first_seq()).unwrap_or(NEVER);
        if first == NEVER {
            self.children.pop();
        } else if self.children_seq == NEVER {
            self.children_seq = first;
        }
    }

    /// Rebuild JSON (ocdsmerge `unflatten`). `None` means "absent" (a null leaf).
    fn to_value(&self, state: &State, path: &mut Vec<String>) -> Result<Option<Value>, MergeError> {
        let leaf = self.leaf.as_ref().map(|leaf| leaf_value(leaf, state));
        if self.children.is_empty() {
            return Ok(leaf.filter(|v| !v.is_null()));
        }
        let leaf_first = self.leaf_seq < self.children_seq;
        let items = matches!(self.children.first(), Some((Key::Item(_), _)));
        if self.children.keys().any(|k| matches!(k, Key::Item(_)) != items) {
            return Err(inconsistent(path, "an object in one release and an array in another"));
        }
        let mut prefix = Vec::new();
        if leaf_first && let Some(value) = leaf {
            match value {
                Value::Null => {}
                Value::Array(values) if items => prefix = values,
                _ => {
                    return Err(inconsistent(
                        path,
                        "a literal value in one release and an object or array in another",
                    ));
                }
            }
        }
        if items {
            let mut out = prefix;
            for child in self.children.values() {
                out.push(child.item_to_value(state, path)?);
            }
            Ok(Some(Value::Array(out)))
        } else {
            let mut out = Map::new();
            for (key, child) in &self.children {
                let Key::Prop(name) = key else { continue };
                path.push(name.clone());
                let value = child.to_value(state, path)?;
                path.pop();
                if let Some(value) = value {
                    out.insert(name.clone(), value);
                }
            }
            Ok(Some(Value::Object(out)))
        }
    }

    fn item_to_value(&self, state: &State, path: &mut Vec<String>) -> Result<Value, MergeError> {
        let mut out = Map::new();
        if let Some(id) = &self.item_id {
            out.insert("id".into(), id.clone());
        }
        for (key, child) in &self.children {
            let Key::Prop(name) = key else {
                return Err(inconsistent(path, "an array entry that is itself an array"));
            };
            if self.item_id.is_some() && name == "id" {
                continue;
            }
            path.push(name.clone());
            let value = child.to_value(state, path)?;
            path.pop();
            if let Some(value) = value {
                out.insert(name.clone(), value);
            }
        }
        Ok(Value::Object(out))
    }
}

fn inconsistent(path: &[String], detail: &'static str) -> MergeError {
    MergeError::InconsistentType {
        path: path.join("/"),
        detail,
    }
}

fn leaf_value(leaf: &Leaf, state: &State) -> Value {
    match leaf {
        Leaf::Plain(value) => value.clone(),
        Leaf::Versions(versions) => Value::Array(
            versions
                .iter()
                .map(|(release, value)| {
                    let meta = state.metas.get(*release as usize);
                    let mut version = Map::new();
                    let field = |f: fn(&ReleaseMeta) -> &Value| meta.map(f).cloned().unwrap_or(Value::Null);
                    version.insert("releaseID".into(), field(|m| &m.id));
                    version.insert("releaseDate".into(), field(|m| &m.date));
                    version.insert("releaseTag".into(), field(|m| &m.tag));
                    version.insert("value".into(), value.clone());
                    Value::Object(version)
                })
                .collect(),
        ),
    }
}

/// Python `==` on parsed JSON (ocdsmerge compares versioned values with it): numbers compare by
/// value (`1 == 1.0`), booleans equal 1/0, objects ignore key order.
pub(crate) fn py_eq(a: &Value, b: &Value) -> bool {
    fn number(v: &Value) -> Option<f64> {
        match v {
            Value::Number(n) => n.as_f64(),
            Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
            _ => None,
        }
    }
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            if let (Some(i), Some(j)) = (x.as_i64(), y.as_i64()) {
                i == j
            } else if let (Some(i), Some(j)) = (x.as_u64(), y.as_u64()) {
                i == j
            } else {
                x.as_f64() == y.as_f64()
            }
        }
        (Value::Bool(_), Value::Number(_)) | (Value::Number(_), Value::Bool(_)) => number(a) == number(b),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(i, j)| py_eq(i, j)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| py_eq(v, w)))
        }
        _ => a == b,
    }
}
