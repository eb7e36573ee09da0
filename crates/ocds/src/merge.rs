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

use std::borrow::Cow;
use std::collections::HashMap;

use bumpalo::Bump;
use bumpalo::collections::Vec as BumpVec;
use rustc_hash::FxBuildHasher;
use serde_json::Value;

use crate::json::{Json, py_eq, write_key};
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

/// Merges releases of one ocid with a fixed set of rules. Cheap to copy and share across
/// threads. The platform's record publication (issue 5, "Records") calls [`Merger::compile`]
/// and [`Merger::versioned`]; `ocds compile` calls [`Merger::write`].
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
    Merger::default().compile(releases)
}

/// Build the versioned release of one ocid with the rules of the vendored patched schema.
pub fn versioned(releases: &[Value]) -> Result<Value, MergeError> {
    Merger::default().versioned(releases)
}

/// Which merged release to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The latest value of every field (`tag: ["compiled"]`).
    Compiled,
    /// The history of every field.
    Versioned,
}

impl<'r> Merger<'r> {
    /// A merger using the given rules (see [`MergeRules::from_schema`]).
    pub fn new(rules: &'r MergeRules) -> Self {
        Merger { rules }
    }

    /// The compiled release (the latest value of every field) of releases sharing an ocid.
    pub fn compile(&self, releases: &[Value]) -> Result<Value, MergeError> {
        self.merge_to_value(releases, Mode::Compiled)
    }

    /// The versioned release (the history of every field) of releases sharing an ocid.
    pub fn versioned(&self, releases: &[Value]) -> Result<Value, MergeError> {
        self.merge_to_value(releases, Mode::Versioned)
    }

    fn merge_to_value(&self, releases: &[Value], mode: Mode) -> Result<Value, MergeError> {
        let texts: Vec<Vec<u8>> = releases
            .iter()
            .map(|r| serde_json::to_vec(r).unwrap_or_default())
            .collect();
        let arena = bumpalo::Bump::new();
        let mut trees = Vec::with_capacity(texts.len());
        for (index, text) in texts.iter().enumerate() {
            let tree = Json::parse(text, &arena).map_err(|_| MergeError::NonObjectRelease {
                index,
                kind: "invalid",
            })?;
            trees.push(tree);
        }
        let mut out = Vec::new();
        self.write(&trees, mode, &arena, &mut out)?;
        Ok(serde_json::from_slice(&out).unwrap_or(Value::Null))
    }

    /// Merge parsed releases and append the merged release as one line of compact JSON to
    /// `out` (nothing is appended on error). The merge tree is built in `arena` (normally the
    /// one the releases were parsed into) and is freed with it.
    pub fn write<'a>(
        &self,
        releases: &'a [Json<'a>],
        mode: Mode,
        arena: &'a Bump,
        out: &mut Vec<u8>,
    ) -> Result<(), MergeError> {
        let (root, state) = self.merge(releases, mode, arena)?;
        let mark = out.len();
        let mut path = Vec::new();
        let result = root.emit(&state, out, &mut path);
        // Every byte of the tree is in the arena; dropping it would only walk it.
        std::mem::forget(root);
        if let Err(e) = result {
            out.truncate(mark);
            return Err(e);
        }
        out.push(b'\n');
        Ok(())
    }

    fn merge<'a>(
        &self,
        releases: &'a [Json<'a>],
        mode: Mode,
        arena: &'a Bump,
    ) -> Result<(Node<'a>, State<'a>), MergeError> {
        if releases.is_empty() {
            return Err(MergeError::NoReleases);
        }
        type Keyed<'a> = (Cow<'a, str>, &'a Json<'a>, &'a [(&'a str, Json<'a>)]);
        let mut keyed: Vec<Keyed<'a>> = Vec::with_capacity(releases.len());
        for (index, release) in releases.iter().enumerate() {
            let Json::Object(pairs) = release else {
                return Err(MergeError::NonObjectRelease {
                    index,
                    kind: release.kind(),
                });
            };
            let date_json = release
                .get("date")
                .ok_or(MergeError::MissingDate { index })?;
            let date = date_json
                .as_str()
                .ok_or(MergeError::NonStringDate { index })?;
            keyed.push((date, date_json, pairs));
        }
        // Stable: equal dates keep input order, like Python's `sorted`.
        keyed.sort_by(|a, b| a.0.cmp(&b.0));

        let mut state = State {
            mode,
            arena,
            indexes: Vec::new(),
            seq: 0,
            unique: 0,
            release: 0,
            metas: Vec::new(),
        };
        let mut root = Node::new(arena);
        if mode == Mode::Compiled {
            let tag: LeafValue<'a> = arena.alloc(Json::Scalar("[\"compiled\"]"));
            root.child(Key::Prop("tag"), &mut state)
                .set_plain(tag, &mut state);
        }
        for (index, (date, date_json, pairs)) in keyed.into_iter().enumerate() {
            state.release = index as u32;
            let field = |name: &str| pairs.iter().rev().find(|(k, _)| *k == name).map(|(_, v)| v);
            let ocid = field("ocid");
            match mode {
                Mode::Compiled => {
                    let ocid_text = ocid.map_or(Cow::Borrowed("None"), py_str);
                    let mut id = Vec::with_capacity(ocid_text.len() + date.len() + 3);
                    crate::json::write_string(&format!("{ocid_text}-{date}"), &mut id);
                    let id = String::from_utf8_lossy(&id);
                    let id: LeafValue<'a> = arena.alloc(Json::Scalar(arena.alloc_str(&id)));
                    root.child(Key::Prop("id"), &mut state)
                        .set_plain(id, &mut state);
                    root.child(Key::Prop("date"), &mut state)
                        .set_plain(date_json, &mut state);
                    root.child(Key::Prop("ocid"), &mut state)
                        .set_plain(leaf_or_null(ocid), &mut state);
                }
                Mode::Versioned => {
                    state.metas.push(ReleaseMeta {
                        id: field("id"),
                        date: field("date"),
                        tag: field("tag"),
                    });
                    root.child(Key::Prop("ocid"), &mut state)
                        .set_plain(leaf_or_null(ocid), &mut state);
                }
            }
            // `tag` is popped before flattening; the versioned release keeps `ocid` plain.
            let skip: &[&str] = match mode {
                Mode::Compiled => &["tag"],
                Mode::Versioned => &["tag", "ocid"],
            };
            root.insert_object(pairs, Some(&self.rules.root), &mut state, skip);
        }
        Ok((root, state))
    }
}

/// Write a value, or `null` when absent.
fn write_or_null(value: Option<&Json<'_>>, out: &mut Vec<u8>) {
    match value {
        Some(value) => value.write(out),
        None => out.extend_from_slice(b"null"),
    }
}

fn leaf_or_null<'a>(value: Option<&'a Json<'a>>) -> LeafValue<'a> {
    match value {
        Some(v) => v,
        None => &NULL,
    }
}

/// Python's `str()` of a JSON value, as ocdsmerge uses for compiled ids and identifiers
/// (numbers as written: ocdskit reads them as `int` or `Decimal`, whose `str()` keeps the text).
fn py_str<'a>(value: &'a Json<'a>) -> Cow<'a, str> {
    if let Some(s) = value.as_str() {
        return s;
    }
    match value {
        Json::Scalar("null") => Cow::Borrowed("None"),
        Json::Scalar("true") => Cow::Borrowed("True"),
        Json::Scalar("false") => Cow::Borrowed("False"),
        Json::Scalar(number) => Cow::Borrowed(number),
        other => {
            let mut text = Vec::new();
            other.write(&mut text);
            Cow::Owned(String::from_utf8_lossy(&text).into_owned())
        }
    }
}

struct ReleaseMeta<'a> {
    id: Option<&'a Json<'a>>,
    date: Option<&'a Json<'a>>,
    tag: Option<&'a Json<'a>>,
}

struct State<'a> {
    mode: Mode,
    /// Where the merge tree lives (the arena of the parsed releases): freed at once with them.
    arena: &'a Bump,
    /// Hash indexes of the nodes with many children (see [`Children::index`]).
    indexes: Vec<HashMap<Key<'a>, usize, FxBuildHasher>>,
    /// Counter of flat paths in first-insertion order (a group would exhaust memory long
    /// before 2³² paths).
    seq: u32,
    /// Counter standing in for ocdsmerge's per-object UUIDs (objects without `id`).
    unique: u64,
    release: u32,
    metas: Vec<ReleaseMeta<'a>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key<'a> {
    Prop(&'a str),
    /// An array entry: by identifier (`str()` of its `id`), or unique when it has none.
    Item(ItemKey<'a>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum ItemKey<'a> {
    Id(&'a str),
    Unique(u64),
}

const NEVER: u32 = u32::MAX;

/// Children in first-leaf order. Most nodes have a handful of children, found fastest by a
/// linear scan; a hash index is added once a node (typically an array of many items) grows.
/// Entries live in the arena, so building the tree costs no allocator calls and dropping it
/// costs nothing (see [`Merger::write`]).
struct Children<'a> {
    entries: BumpVec<'a, (Key<'a>, Node<'a>)>,
    /// Position of this node's index in [`State::indexes`], or [`NO_INDEX`].
    index: u32,
}

const INDEX_FROM: usize = 12;
const NO_INDEX: u32 = u32::MAX;

impl<'a> Children<'a> {
    fn new(arena: &'a Bump) -> Self {
        Children {
            entries: BumpVec::new_in(arena),
            index: NO_INDEX,
        }
    }

    fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The child under `key`, created if absent, and whether it existed.
    fn entry(
        &mut self,
        key: Key<'a>,
        indexes: &mut Vec<HashMap<Key<'a>, usize, FxBuildHasher>>,
    ) -> (&mut Node<'a>, bool) {
        let found = match indexes.get(self.index as usize) {
            Some(index) => index.get(&key).copied(),
            None => self.entries.iter().position(|(k, _)| *k == key),
        };
        if let Some(i) = found {
            return (&mut self.entries[i].1, true);
        }
        if let Some(index) = indexes.get_mut(self.index as usize) {
            index.insert(key, self.entries.len());
        } else if self.entries.len() + 1 >= INDEX_FROM {
            let mut index: HashMap<Key<'a>, usize, FxBuildHasher> = HashMap::default();
            for (i, (k, _)) in self.entries.iter().enumerate() {
                index.insert(*k, i);
            }
            index.insert(key, self.entries.len());
            self.index = indexes.len() as u32;
            indexes.push(index);
        }
        let node = Node::new(self.entries.bump());
        self.entries.push((key, node));
        let last = self.entries.len() - 1;
        (&mut self.entries[last].1, false)
    }

    /// Remove the last child (created but left without a leaf).
    fn pop(&mut self, indexes: &mut [HashMap<Key<'a>, usize, FxBuildHasher>]) {
        if let Some((key, _)) = self.entries.pop()
            && let Some(index) = indexes.get_mut(self.index as usize)
        {
            index.remove(&key);
        }
    }
}

/// A plain leaf: a value of a release, or one the merge makes up (the compiled release's `tag`
/// and `id`), kept as a JSON scalar in the arena.
type LeafValue<'a> = &'a Json<'a>;

/// The `null` written for a missing `ocid`.
static NULL: Json<'static> = Json::Scalar("null");

/// Small on purpose (a tag and a pointer): nodes are moved into their parent's vector.
enum Leaf<'a> {
    Plain(LeafValue<'a>),
    Versions(&'a mut BumpVec<'a, (u32, &'a Json<'a>)>),
}

struct Node<'a> {
    children: Children<'a>,
    leaf: Option<Leaf<'a>>,
    leaf_seq: u32,
    children_seq: u32,
    /// For array entries: the `id` of the first object that created the entry.
    item_id: Option<&'a Json<'a>>,
    /// Versioned mode: the release that last wrote this leaf, and whether it pushed a version.
    touched: Option<(u32, bool)>,
}

impl<'a> Node<'a> {
    fn new(arena: &'a Bump) -> Self {
        Node {
            children: Children::new(arena),
            leaf: None,
            leaf_seq: NEVER,
            children_seq: NEVER,
            item_id: None,
            touched: None,
        }
    }
}

impl<'a> Node<'a> {
    fn first_seq(&self) -> u32 {
        self.leaf_seq.min(self.children_seq)
    }

    fn child(&mut self, key: Key<'a>, state: &mut State<'a>) -> &mut Node<'a> {
        self.children.entry(key, &mut state.indexes).0
    }

    fn mark_leaf(&mut self, state: &mut State) {
        if self.leaf_seq == NEVER {
            self.leaf_seq = state.seq;
            state.seq += 1;
        }
    }

    /// Set a value that is never versioned (`tag`, `id`, `date`, `ocid` of the merged release).
    fn set_plain(&mut self, value: LeafValue<'a>, state: &mut State) {
        self.mark_leaf(state);
        self.leaf = Some(Leaf::Plain(value));
    }

    fn set_leaf(&mut self, value: &'a Json<'a>, state: &mut State<'a>) {
        self.mark_leaf(state);
        if state.mode == Mode::Compiled {
            self.leaf = Some(Leaf::Plain(value));
            return;
        }
        let release = state.release;
        if !matches!(self.leaf, Some(Leaf::Versions(_))) {
            self.leaf = Some(Leaf::Versions(
                state.arena.alloc(BumpVec::new_in(state.arena)),
            ));
        }
        let Some(Leaf::Versions(versions)) = &mut self.leaf else {
            return;
        };
        // A path written twice by one release (duplicate ids in an array) keeps only the last
        // value, as ocdsmerge's per-release flat map does.
        if self.touched == Some((release, true)) {
            versions.pop();
        }
        let unchanged = versions.last().is_some_and(|(_, last)| py_eq(last, value));
        if !unchanged {
            versions.push((release, value));
        }
        self.touched = Some((release, !unchanged));
    }

    /// Flatten one object of a release into this node (ocdsmerge `flatten` for dicts).
    fn insert_object(
        &mut self,
        pairs: &'a [(&'a str, Json<'a>)],
        rules: Option<&RuleNode>,
        state: &mut State<'a>,
        skip: &[&str],
    ) {
        if self.children.is_empty() {
            self.children.entries.reserve(pairs.len());
        }
        for (key, value) in pairs {
            let key: &'a str = key;
            if skip.contains(&key) {
                continue;
            }
            let child_rules = rules.and_then(|r| r.children.get(key));
            let rule = child_rules.and_then(|r| r.rule);
            if rule == Some(MergeRule::Omit) {
                continue;
            }
            let is_leaf = rule == Some(MergeRule::WholeList)
                || match value {
                    Json::Object(_) => false,
                    Json::Array(items) => items.iter().any(|item| !matches!(item, Json::Object(_))),
                    _ => true,
                };
            if is_leaf {
                let seq_before = state.seq;
                self.child(Key::Prop(key), state).set_leaf(value, state);
                if self.children_seq == NEVER {
                    self.children_seq = seq_before;
                }
                continue;
            }
            match value {
                Json::Object(inner) if !inner.is_empty() => {
                    let (child, existed) = self.children.entry(Key::Prop(key), &mut state.indexes);
                    child.insert_object(inner, child_rules, state, &[]);
                    self.after_child(existed, state);
                }
                Json::Array(items) if !items.is_empty() => {
                    let (child, existed) = self.children.entry(Key::Prop(key), &mut state.indexes);
                    child.insert_array(items, child_rules, state);
                    self.after_child(existed, state);
                }
                _ => {}
            }
        }
    }

    /// Flatten an array of objects (ocdsmerge `_enumerate` + identifier merge).
    fn insert_array(
        &mut self,
        items: &'a [Json<'a>],
        rules: Option<&RuleNode>,
        state: &mut State<'a>,
    ) {
        if self.children.is_empty() {
            self.children.entries.reserve(items.len());
        }
        for item in items {
            let Json::Object(pairs) = item else {
                continue;
            };
            let (key, original) = match item.get("id") {
                Some(id) => {
                    let text = match py_str(id) {
                        Cow::Borrowed(text) => text,
                        Cow::Owned(text) => state.arena.alloc_str(&text),
                    };
                    (ItemKey::Id(text), Some(id).filter(|v| !v.is_null()))
                }
                None => {
                    state.unique += 1;
                    (ItemKey::Unique(state.unique), None)
                }
            };
            let (child, existed) = self.children.entry(Key::Item(key), &mut state.indexes);
            if !existed {
                child.item_id = original;
            }
            child.insert_object(pairs, rules, state, &[]);
            self.after_child(existed, state);
        }
    }

    /// After recursing into the last-touched child: drop it if it was created but got no leaf
    /// (ocdsmerge never sees a path without a leaf), and note when children first appeared.
    fn after_child(&mut self, existed: bool, state: &mut State<'a>) {
        if existed {
            return;
        }
        let first = self
            .children
            .entries
            .last()
            .map_or(NEVER, |(_, c)| c.first_seq());
        if first == NEVER {
            self.children.pop(&mut state.indexes);
        } else if self.children_seq == NEVER {
            self.children_seq = first;
        }
    }

    /// Whether this node produces a value (ocdsmerge's `unflatten` skips only null leaves).
    fn present(&self) -> bool {
        !self.children.is_empty()
            || match &self.leaf {
                Some(Leaf::Plain(value)) => !value.is_null(),
                Some(Leaf::Versions(_)) => true,
                None => false,
            }
    }

    /// Write this node as JSON (ocdsmerge `unflatten`); call only when [`Node::present`].
    fn emit(
        &self,
        state: &State<'a>,
        out: &mut Vec<u8>,
        path: &mut Vec<&'a str>,
    ) -> Result<(), MergeError> {
        if self.children.is_empty() {
            if let Some(leaf) = &self.leaf {
                write_leaf(leaf, state, out);
            }
            return Ok(());
        }
        let items = matches!(self.children.entries.first(), Some((Key::Item(_), _)));
        if self
            .children
            .entries
            .iter()
            .any(|(k, _)| matches!(k, Key::Item(_)) != items)
        {
            return Err(inconsistent(
                path,
                "an object in one release and an array in another",
            ));
        }
        // A leaf written before any child: ocdsmerge puts the value first, then descends into
        // it. Only a null (ignored) or an array followed by array entries survives that.
        let mut prefix: Option<&Leaf<'a>> = None;
        if self.leaf_seq < self.children_seq
            && let Some(leaf) = &self.leaf
        {
            match leaf {
                Leaf::Plain(value) if value.is_null() => {}
                Leaf::Plain(Json::Array(_)) | Leaf::Versions(_) if items => prefix = Some(leaf),
                _ => {
                    return Err(inconsistent(
                        path,
                        "a literal value in one release and an object or array in another",
                    ));
                }
            }
        }
        if items {
            out.push(b'[');
            let mut first = true;
            if let Some(leaf) = prefix {
                let mut text = Vec::new();
                write_leaf(leaf, state, &mut text);
                // `[a,b]` → `a,b`
                if text.len() > 2 {
                    out.extend_from_slice(&text[1..text.len() - 1]);
                    first = false;
                }
            }
            for (key, child) in &self.children.entries {
                if !first {
                    out.push(b',');
                }
                first = false;
                path.push(match key {
                    Key::Item(ItemKey::Id(id)) => id,
                    _ => "*",
                });
                let result = child.emit_item(state, out, path);
                path.pop();
                result?;
            }
            out.push(b']');
        } else {
            out.push(b'{');
            let mut first = true;
            for (key, child) in &self.children.entries {
                let Key::Prop(name) = key else { continue };
                if !child.present() {
                    continue;
                }
                if !first {
                    out.push(b',');
                }
                first = false;
                write_key(name, out);
                path.push(name);
                let result = child.emit(state, out, path);
                path.pop();
                result?;
            }
            out.push(b'}');
        }
        Ok(())
    }

    /// Write an array entry: its `id` first (ocdsmerge sets it when creating the object).
    fn emit_item(
        &self,
        state: &State<'a>,
        out: &mut Vec<u8>,
        path: &mut Vec<&'a str>,
    ) -> Result<(), MergeError> {
        out.push(b'{');
        let mut first = true;
        if let Some(id) = self.item_id {
            out.extend_from_slice(b"\"id\":");
            id.write(out);
            first = false;
        }
        for (key, child) in &self.children.entries {
            let Key::Prop(name) = key else {
                return Err(inconsistent(path, "an array entry that is itself an array"));
            };
            if (self.item_id.is_some() && *name == "id") || !child.present() {
                continue;
            }
            if !first {
                out.push(b',');
            }
            first = false;
            write_key(name, out);
            path.push(name);
            let result = child.emit(state, out, path);
            path.pop();
            result?;
        }
        out.push(b'}');
        Ok(())
    }
}

fn write_leaf(leaf: &Leaf<'_>, state: &State<'_>, out: &mut Vec<u8>) {
    match leaf {
        Leaf::Plain(value) => value.write(out),
        Leaf::Versions(versions) => {
            out.push(b'[');
            for (i, (release, value)) in versions.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                let meta = state.metas.get(*release as usize);
                out.extend_from_slice(b"{\"releaseID\":");
                write_or_null(meta.and_then(|m| m.id), out);
                out.extend_from_slice(b",\"releaseDate\":");
                write_or_null(meta.and_then(|m| m.date), out);
                out.extend_from_slice(b",\"releaseTag\":");
                write_or_null(meta.and_then(|m| m.tag), out);
                out.extend_from_slice(b",\"value\":");
                value.write(out);
                out.push(b'}');
            }
            out.push(b']');
        }
    }
}

fn inconsistent(path: &[&str], detail: &'static str) -> MergeError {
    MergeError::InconsistentType {
        path: path.join("/"),
        detail,
    }
}
