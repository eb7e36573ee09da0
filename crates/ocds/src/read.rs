//! Reading OCDS data of any shape, as a stream of releases and records.
//!
//! Why: `ocds compile`, `ocds validate` and the platform's `ocds import` must accept whatever
//! publishers put online (issue 5, "auto-detects release packages, record packages, single
//! records, compiled releases and JSON lines (gzip too)") without loading a large package into
//! memory, and a malformed file or package must be "reported with its location and skipped whole —
//! never half-imported". Detection follows ocdskit's `detect_format` / `is_*` helpers so that
//! the same file means the same thing to both tools:
//!
//! | top-level object has       | it is                                   |
//! |----------------------------|-----------------------------------------|
//! | `records`                  | record package                          |
//! | `releases` and `ocid`      | record                                  |
//! | `releases`                 | release package                         |
//! | `ocid`, `tag` has compiled | compiled release                        |
//! | `ocid`, `date` is an array | versioned release (refused: cannot be merged) |
//! | `ocid`                     | release                                 |
//!
//! A source may be one JSON document, several concatenated documents, JSON lines, or a
//! top-level array of any of these, optionally gzip-compressed (detected by its magic bytes,
//! not its name). Each top-level value — each line, each array entry — is a *unit* that is
//! yielded whole or not at all.
//!
//! Memory: JSON lines are read one line at a time. A document (anything not on one line) is
//! read in two passes: the first checks its syntax and structure (one release at a time, keeping
//! only ids), the second yields its releases one by one from a producer thread through a bounded
//! channel. Documents up to [`ReadOptions::memory_budget`] bytes are kept in memory between the
//! passes; larger ones are re-read from their file (standard input is spooled to a temporary
//! file first). So memory stays proportional to the largest single release, not to the package.

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use flate2::read::MultiGzDecoder;
use rayon::prelude::*;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// Where an item or an error is: file, 1-based line of its top-level value, JSON pointer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file name as given (`-` for standard input).
    pub file: Arc<str>,
    /// 1-based line where the top-level value (line of JSON lines, document) starts; for syntax
    /// errors, the line of the error.
    pub line: u64,
    /// RFC 6901 pointer inside that top-level value (`""` for the value itself).
    pub pointer: String,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)?;
        if !self.pointer.is_empty() {
            write!(f, ":{}", self.pointer)?;
        }
        Ok(())
    }
}

/// Why a file, a line or a package was skipped. Each variant has a stable code (see
/// [`ReadError::code`]) that reports and the importer's summary use.
#[derive(Debug, thiserror::Error)]
pub enum ReadErrorKind {
    /// The file cannot be opened or read.
    #[error("cannot read: {0}")]
    Io(String),
    /// The file is empty (or only whitespace).
    #[error("the file is empty")]
    Empty,
    /// Not JSON, or truncated JSON.
    #[error("invalid JSON: {0}")]
    InvalidJson(String),
    /// Valid JSON that is not any OCDS container or release.
    #[error("not OCDS data: {0}")]
    UnknownFormat(String),
    /// A value has the wrong JSON type where the schema needs an object or an array.
    #[error("{what} must be {expected}, found {found}")]
    WrongType {
        /// The field or element.
        what: String,
        /// Expected JSON type.
        expected: &'static str,
        /// Found JSON type.
        found: &'static str,
    },
    /// A release or record has no `ocid` (or an empty one).
    #[error("missing or empty `ocid`")]
    MissingOcid,
    /// A release has no `id`.
    #[error("missing `id`")]
    MissingId,
    /// Two releases of one package share ocid and id.
    #[error("duplicate release id {id:?} for ocid {ocid:?} (first at {first})")]
    DuplicateReleaseId {
        /// The ocid.
        ocid: String,
        /// The repeated id.
        id: String,
        /// Pointer of the first occurrence.
        first: String,
    },
    /// Two records of one record package share an ocid.
    #[error("duplicate record for ocid {ocid:?} (first at {first})")]
    DuplicateOcid {
        /// The repeated ocid.
        ocid: String,
        /// Pointer of the first occurrence.
        first: String,
    },
    /// A versioned release was given where releases are expected.
    #[error(
        "a versioned release cannot be read as a release (give the releases or the record instead)"
    )]
    VersionedRelease,
}

/// An error with its location. The unit it describes (file, line or package) yields nothing.
#[derive(Debug, thiserror::Error)]
#[error("{location}: {kind} [{}]", kind_code(.kind))]
pub struct ReadError {
    /// Where.
    pub location: Location,
    /// What.
    pub kind: ReadErrorKind,
}

fn kind_code(kind: &ReadErrorKind) -> &'static str {
    match kind {
        ReadErrorKind::Io(_) => "ocds.read.io",
        ReadErrorKind::Empty => "ocds.read.empty",
        ReadErrorKind::InvalidJson(_) => "ocds.invalid_json",
        ReadErrorKind::UnknownFormat(_) => "ocds.read.unknown_format",
        ReadErrorKind::WrongType { .. } => "ocds.read.wrong_type",
        ReadErrorKind::MissingOcid => "ocds.read.missing_ocid",
        ReadErrorKind::MissingId => "ocds.read.missing_id",
        ReadErrorKind::DuplicateReleaseId { .. } => "ocds.read.duplicate_release_id",
        ReadErrorKind::DuplicateOcid { .. } => "ocds.read.duplicate_ocid",
        ReadErrorKind::VersionedRelease => "ocds.read.versioned_release",
    }
}

impl ReadError {
    /// Stable machine code, e.g. `ocds.invalid_json`.
    pub fn code(&self) -> &'static str {
        kind_code(&self.kind)
    }
}

/// What a unit or an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A release (individual, or inside a release package or record).
    Release,
    /// A compiled release (its `tag` contains `compiled`).
    CompiledRelease,
    /// A record (standalone or inside a record package).
    Record,
    /// A release package (container only; never an item).
    ReleasePackage,
    /// A record package (container only; never an item).
    RecordPackage,
}

/// The metadata of the package an item came from (every field but `releases`/`records`).
#[derive(Debug, Clone, PartialEq)]
pub struct Package {
    /// Release package or record package.
    pub kind: Kind,
    /// The package's fields other than its releases or records, in document order.
    pub metadata: Map<String, Value>,
}

impl Package {
    /// `uri`, if a string.
    pub fn uri(&self) -> Option<&str> {
        self.metadata.get("uri").and_then(Value::as_str)
    }
    /// `version`, if a string. OCDS says a package without `version` is 1.0.
    pub fn version(&self) -> Option<&str> {
        self.metadata.get("version").and_then(Value::as_str)
    }
    /// `publisher`, if present.
    pub fn publisher(&self) -> Option<&Value> {
        self.metadata.get("publisher")
    }
    /// `extensions` URLs, if any.
    pub fn extensions(&self) -> Vec<&str> {
        self.metadata
            .get("extensions")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }
}

/// One release or record read, with where it came from.
#[derive(Debug, Clone)]
pub struct Item {
    /// Release, compiled release or record.
    pub kind: Kind,
    /// The JSON object.
    pub value: Value,
    /// Where it is.
    pub location: Location,
    /// Its package, if it was inside one. The items of one package share this `Arc` (compare
    /// with `Arc::ptr_eq`) and are yielded consecutively, only after the whole package was
    /// checked — so an importer can commit a package as one transaction.
    pub package: Option<Arc<Package>>,
}

impl Item {
    /// The `ocid` (always present: items without one are refused).
    pub fn ocid(&self) -> &str {
        self.value
            .get("ocid")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }
}

/// Tuning of the reader.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Largest document (bytes, after decompression) kept in memory between the checking pass
    /// and the yielding pass; larger ones are re-read from disk.
    pub memory_budget: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            memory_budget: 64 << 20,
        }
    }
}

/// A source of OCDS data.
#[derive(Debug, Clone)]
pub enum Input {
    /// A file (gzip or not).
    Path(PathBuf),
    /// Standard input (gzip or not).
    Stdin,
    /// Bytes already in memory (tests, HTTP uploads), with a display name.
    Bytes {
        /// Name shown in locations.
        name: String,
        /// The content (gzip or not).
        data: Arc<Vec<u8>>,
    },
}

impl Input {
    /// `-` means standard input, as in every Unix tool.
    pub fn from_arg(arg: &str) -> Input {
        if arg == "-" {
            Input::Stdin
        } else {
            Input::Path(PathBuf::from(arg))
        }
    }

    fn name(&self) -> Arc<str> {
        match self {
            Input::Path(p) => Arc::from(p.display().to_string()),
            Input::Stdin => Arc::from("-"),
            Input::Bytes { name, .. } => Arc::from(name.as_str()),
        }
    }
}

/// Streams items from inputs, one input after another. Errors are yielded in place of the
/// units they spoil, and reading goes on with the next unit or input.
pub struct Reader {
    inner: Units,
}

/// Inputs read one after another, as units.
pub(crate) struct Units {
    inputs: VecDeque<Input>,
    current: Option<ItemIter>,
    options: ReadOptions,
    raw: bool,
}

impl Units {
    /// `raw`: yield [`Unit::Raw`] for JSON lines holding OCDS 1.1 releases (no `Value` built).
    pub(crate) fn new(
        inputs: impl IntoIterator<Item = Input>,
        options: ReadOptions,
        raw: bool,
    ) -> Self {
        Units {
            inputs: inputs.into_iter().collect(),
            current: None,
            options,
            raw,
        }
    }
}

impl Iterator for Units {
    type Item = Result<Unit, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(current) = &mut self.current {
                if let Some(next) = current.next() {
                    return Some(next);
                }
                self.current = None;
            }
            let input = self.inputs.pop_front()?;
            match open_input(&input, &self.options, self.raw) {
                Ok(iter) => self.current = Some(iter),
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

impl Reader {
    /// A reader over `inputs`, in order.
    pub fn new(inputs: impl IntoIterator<Item = Input>, options: ReadOptions) -> Self {
        Reader {
            inner: Units::new(inputs, options, false),
        }
    }
}

impl Iterator for Reader {
    type Item = Result<Item, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.inner.next()? {
                Ok(Unit::Item(item)) => return Some(Ok(item)),
                Ok(Unit::Raw(_)) => continue,
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

type ItemIter = Box<dyn Iterator<Item = Result<Unit, ReadError>> + Send>;

/// A release kept as JSON text, for merging (see [`crate::compile`]): the reader checked it
/// like any item, it is OCDS 1.1 (upgraded if needed), and only its ocid was extracted.
#[derive(Debug, Clone)]
pub struct RawRelease {
    /// The release's ocid.
    pub ocid: String,
    /// The release as compact (or original) JSON text, valid UTF-8.
    pub json: Vec<u8>,
    /// Where it is.
    pub location: Location,
}

/// What the internal iterators yield: a parsed item, or (in raw mode, for JSON lines of 1.1
/// releases) a release that was only probed, never built as a `Value`.
pub(crate) enum Unit {
    Item(Item),
    Raw(RawRelease),
}
type Source = Box<dyn BufRead + Send>;

fn io_error(file: &Arc<str>, line: u64, e: impl fmt::Display) -> ReadError {
    ReadError {
        location: Location {
            file: file.clone(),
            line,
            pointer: String::new(),
        },
        kind: ReadErrorKind::Io(e.to_string()),
    }
}

/// Whether a stream starts with the gzip magic bytes.
fn is_gzip(head: &[u8]) -> bool {
    head.starts_with(&[0x1f, 0x8b])
}

/// The first non-blank line (at most `budget + 1` bytes) and its 1-based number, or `None` when
/// the stream has only blank lines.
fn first_line(source: &mut dyn BufRead, budget: usize) -> io::Result<Option<(u64, Vec<u8>)>> {
    let mut line_no = 0u64;
    let mut line = Vec::new();
    loop {
        line.clear();
        if source
            .take(budget as u64 + 1)
            .read_until(b'\n', &mut line)?
            == 0
        {
            return Ok(None);
        }
        line_no += 1;
        if !is_blank(&line) {
            return Ok(Some((line_no, line)));
        }
    }
}

/// Wrap a byte stream, decompressing it when it starts with the gzip magic bytes.
fn decompress(inner: Box<dyn Read + Send>) -> io::Result<Source> {
    let mut buffered = BufReader::with_capacity(1 << 16, inner);
    let head = buffered.fill_buf()?;
    if is_gzip(head) {
        Ok(Box::new(BufReader::with_capacity(
            1 << 16,
            MultiGzDecoder::new(buffered),
        )))
    } else {
        Ok(Box::new(buffered))
    }
}

/// Whether `path` is an uncompressed file of JSON lines (its first non-blank line is a complete
/// JSON value), which `ocds compile` can index by offset instead of copying.
pub(crate) fn is_plain_json_lines(path: &Path, options: &ReadOptions) -> bool {
    let Ok(file) = File::open(path) else {
        return false;
    };
    let mut reader = BufReader::with_capacity(1 << 16, file);
    if reader.fill_buf().map_or(true, is_gzip) {
        return false;
    }
    match first_line(&mut reader, options.memory_budget) {
        Ok(Some((_, line))) => {
            line.len() <= options.memory_budget
                && serde_json::from_slice::<IgnoredAny>(strip_bom(&line)).is_ok()
        }
        _ => false,
    }
}

/// Open an input as a byte stream, decompressing gzip (detected by its magic bytes).
pub fn open_decompressed(input: &Input) -> io::Result<Box<dyn BufRead + Send>> {
    open_raw(input)
}

fn open_raw(input: &Input) -> io::Result<Source> {
    match input {
        Input::Path(path) => decompress(Box::new(File::open(path)?)),
        Input::Stdin => decompress(Box::new(io::stdin())),
        Input::Bytes { data, .. } => {
            decompress(Box::new(io::Cursor::new(SharedBytes(data.clone()))))
        }
    }
}

struct SharedBytes(Arc<Vec<u8>>);
impl AsRef<[u8]> for SharedBytes {
    fn as_ref(&self) -> &[u8] {
        self.0.as_slice()
    }
}

pub(crate) fn is_blank(line: &[u8]) -> bool {
    line.iter().all(|b| b.is_ascii_whitespace())
}

pub(crate) fn strip_bom(line: &[u8]) -> &[u8] {
    line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line)
}

fn open_input(input: &Input, options: &ReadOptions, raw: bool) -> Result<ItemIter, ReadError> {
    let file = input.name();
    let mut source = open_raw(input).map_err(|e| io_error(&file, 0, e))?;
    // Skip leading blank lines, then look at the first line: if it is a complete JSON value on
    // its own, the source is JSON lines; otherwise it is a document.
    let (line_no, first) = match first_line(&mut source, options.memory_budget) {
        Ok(Some(found)) => found,
        Ok(None) => {
            return Err(ReadError {
                location: Location {
                    file,
                    line: 1,
                    pointer: String::new(),
                },
                kind: ReadErrorKind::Empty,
            });
        }
        Err(e) => return Err(io_error(&file, 1, e)),
    };
    if first.len() <= options.memory_budget
        && let Some(pending) = line_units(&first, &file, line_no, raw)
    {
        return Ok(Box::new(Lines {
            file,
            source,
            line: line_no,
            pending,
            last_len: first.len(),
            raw,
        }));
    }
    // A document: gather it in memory up to the budget, else arrange to read it twice.
    let start_line = line_no;
    let mut data = first;
    let budget = options.memory_budget;
    (&mut source)
        .take((budget.saturating_sub(data.len()) + 1) as u64)
        .read_to_end(&mut data)
        .map_err(|e| io_error(&file, start_line, e))?;
    let replay: Replay = if data.len() <= budget {
        drop(source);
        Replay::Memory(Arc::new(data))
    } else {
        match input {
            Input::Path(path) => Replay::File(path.clone()),
            _ => {
                // Spool the rest of standard input (or bytes) to a temporary file.
                let mut spool = tempfile::tempfile().map_err(|e| io_error(&file, start_line, e))?;
                spool
                    .write_all(&data)
                    .map_err(|e| io_error(&file, start_line, e))?;
                drop(data);
                io::copy(&mut source, &mut spool).map_err(|e| io_error(&file, start_line, e))?;
                spool.rewind().map_err(|e| io_error(&file, start_line, e))?;
                Replay::Spool(Arc::new(spool))
            }
        }
    };
    Ok(document(file, replay, start_line))
}

fn file_placeholder() -> Arc<str> {
    static EMPTY: std::sync::OnceLock<Arc<str>> = std::sync::OnceLock::new();
    EMPTY.get_or_init(|| Arc::from("")).clone()
}

// ---------------------------------------------------------------------------------------------
// Units: classification and structural checks, shared by both reading modes.

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The kind of a top-level object, from its keys (ocdskit's rules).
fn classify(object: &Map<String, Value>) -> Result<Kind, ReadErrorKind> {
    if object.contains_key("records") {
        Ok(Kind::RecordPackage)
    } else if object.contains_key("releases") {
        if object.contains_key("ocid") {
            Ok(Kind::Record)
        } else {
            Ok(Kind::ReleasePackage)
        }
    } else if object.contains_key("ocid") {
        release_kind(object)
    } else if [
        "id",
        "date",
        "tag",
        "tender",
        "awards",
        "buyer",
        "planning",
        "contracts",
    ]
    .iter()
    .any(|k| object.contains_key(*k))
    {
        Err(ReadErrorKind::MissingOcid)
    } else {
        Err(ReadErrorKind::UnknownFormat(
            "an object with none of `records`, `releases` or `ocid`".into(),
        ))
    }
}

fn release_kind(object: &Map<String, Value>) -> Result<Kind, ReadErrorKind> {
    if object.get("date").is_some_and(Value::is_array) {
        return Err(ReadErrorKind::VersionedRelease);
    }
    let compiled = object
        .get("tag")
        .and_then(Value::as_array)
        .is_some_and(|tags| tags.iter().any(|t| t.as_str() == Some("compiled")));
    Ok(if compiled {
        Kind::CompiledRelease
    } else {
        Kind::Release
    })
}

fn id_string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn check_ocid(
    object: &Map<String, Value>,
    pointer: &str,
) -> Result<String, (String, ReadErrorKind)> {
    match object.get("ocid") {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        None | Some(Value::Null) => Err((pointer.to_owned(), ReadErrorKind::MissingOcid)),
        Some(Value::String(_)) => Err((pointer.to_owned(), ReadErrorKind::MissingOcid)),
        Some(other) => Err((
            format!("{pointer}/ocid"),
            ReadErrorKind::WrongType {
                what: "`ocid`".into(),
                expected: "a string",
                found: json_kind(other),
            },
        )),
    }
}

/// Check a standalone or packaged release; returns (ocid, id).
fn check_release(
    value: &Value,
    pointer: &str,
) -> Result<(String, String), (String, ReadErrorKind)> {
    let Value::Object(object) = value else {
        return Err((
            pointer.to_owned(),
            ReadErrorKind::WrongType {
                what: "a release".into(),
                expected: "an object",
                found: json_kind(value),
            },
        ));
    };
    release_kind(object).map_err(|k| (pointer.to_owned(), k))?;
    let ocid = check_ocid(object, pointer)?;
    let id = match object.get("id") {
        None | Some(Value::Null) => return Err((pointer.to_owned(), ReadErrorKind::MissingId)),
        Some(id) => id_string(id).ok_or_else(|| {
            (
                format!("{pointer}/id"),
                ReadErrorKind::WrongType {
                    what: "`id`".into(),
                    expected: "a string",
                    found: json_kind(id),
                },
            )
        })?,
    };
    Ok((ocid, id))
}

/// A linked release (ocdskit `is_linked_release`): `url` and at most 3 fields.
fn is_linked_release(value: &Value) -> bool {
    value
        .as_object()
        .is_some_and(|o| o.contains_key("url") && o.len() <= 3 && !o.contains_key("ocid"))
}

fn check_record(value: &Value, pointer: &str) -> Result<String, (String, ReadErrorKind)> {
    let Value::Object(object) = value else {
        return Err((
            pointer.to_owned(),
            ReadErrorKind::WrongType {
                what: "a record".into(),
                expected: "an object",
                found: json_kind(value),
            },
        ));
    };
    let ocid = check_ocid(object, pointer)?;
    match object.get("releases") {
        Some(Value::Array(releases)) => {
            let mut seen = HashSet::new();
            for (i, release) in releases.iter().enumerate() {
                let p = format!("{pointer}/releases/{i}");
                if is_linked_release(release) {
                    continue;
                }
                let (_, id) = check_release(release, &p)?;
                if !seen.insert(id.clone()) {
                    return Err((
                        p,
                        ReadErrorKind::DuplicateReleaseId {
                            ocid: ocid.clone(),
                            id,
                            first: format!("{pointer}/releases"),
                        },
                    ));
                }
            }
        }
        Some(other) => {
            return Err((
                format!("{pointer}/releases"),
                ReadErrorKind::WrongType {
                    what: "`releases`".into(),
                    expected: "an array",
                    found: json_kind(other),
                },
            ));
        }
        None => {
            return Err((
                pointer.to_owned(),
                ReadErrorKind::UnknownFormat("a record without `releases`".into()),
            ));
        }
    }
    if let Some(compiled) = object.get("compiledRelease")
        && !compiled.is_object()
    {
        return Err((
            format!("{pointer}/compiledRelease"),
            ReadErrorKind::WrongType {
                what: "`compiledRelease`".into(),
                expected: "an object",
                found: json_kind(compiled),
            },
        ));
    }
    Ok(ocid)
}

/// Facts the checking pass keeps about one element of `releases`/`records` (never the element).
#[derive(Default)]
struct Elements {
    /// `(ocid, id)` → pointer of the first release with it.
    release_ids: std::collections::HashMap<(String, String), String>,
    record_ocids: std::collections::HashMap<String, String>,
    /// Pointer of the first linked release seen (allowed in records only).
    first_linked: Option<String>,
    error: Option<(String, ReadErrorKind)>,
}

impl Elements {
    fn release(&mut self, value: &Value, pointer: String, in_record: bool) {
        if self.error.is_some() || value.is_null() {
            return;
        }
        if in_record && is_linked_release(value) {
            return;
        }
        match check_release(value, &pointer) {
            Ok((ocid, id)) => {
                let key = (ocid, id);
                if let Some(first) = self.release_ids.get(&key) {
                    self.error = Some((
                        pointer,
                        ReadErrorKind::DuplicateReleaseId {
                            ocid: key.0,
                            id: key.1,
                            first: first.clone(),
                        },
                    ));
                } else {
                    self.release_ids.insert(key, pointer);
                }
            }
            Err(e) => self.error = Some(e),
        }
    }

    fn record(&mut self, value: &Value, pointer: String) {
        if self.error.is_some() {
            return;
        }
        match check_record(value, &pointer) {
            Ok(ocid) => {
                if let Some(first) = self.record_ocids.get(&ocid) {
                    self.error = Some((
                        pointer,
                        ReadErrorKind::DuplicateOcid {
                            ocid,
                            first: first.clone(),
                        },
                    ));
                } else {
                    self.record_ocids.insert(ocid, pointer);
                }
            }
            Err(e) => self.error = Some(e),
        }
    }
}

/// Split a fully parsed top-level value (a line of JSON lines) into items, or one error.
fn units_from_value(value: Value) -> Vec<Result<Item, ReadError>> {
    let mut out = Vec::new();
    match value {
        Value::Array(entries) => {
            for (i, entry) in entries.into_iter().enumerate() {
                unit_from_value(entry, format!("/{i}"), &mut out);
            }
        }
        other => unit_from_value(other, String::new(), &mut out),
    }
    out
}

/// Items are built with an empty file name and line 0; the caller fills both in.
fn unit_from_value(value: Value, pointer: String, out: &mut Vec<Result<Item, ReadError>>) {
    let err = |pointer: String, kind: ReadErrorKind| {
        Err(ReadError {
            location: Location {
                file: file_placeholder(),
                line: 0,
                pointer,
            },
            kind,
        })
    };
    let Value::Object(mut object) = value else {
        out.push(err(
            pointer,
            ReadErrorKind::UnknownFormat(format!("a top-level {}", json_kind(&value))),
        ));
        return;
    };
    let kind = match classify(&object) {
        Ok(kind) => kind,
        Err(kind) => {
            out.push(err(pointer, kind));
            return;
        }
    };
    let item = |kind: Kind, value: Value, pointer: String, package: Option<Arc<Package>>| {
        Ok(Item {
            kind,
            value,
            location: Location {
                file: file_placeholder(),
                line: 0,
                pointer,
            },
            package,
        })
    };
    match kind {
        Kind::Release | Kind::CompiledRelease => {
            let value = Value::Object(object);
            match check_release(&value, &pointer) {
                Ok(_) => out.push(item(kind, value, pointer, None)),
                Err((p, k)) => out.push(err(p, k)),
            }
        }
        Kind::Record => {
            let value = Value::Object(object);
            match check_record(&value, &pointer) {
                Ok(_) => out.push(item(kind, value, pointer, None)),
                Err((p, k)) => out.push(err(p, k)),
            }
        }
        Kind::ReleasePackage | Kind::RecordPackage => {
            let field = if kind == Kind::ReleasePackage {
                "releases"
            } else {
                "records"
            };
            let Some(elements) = object.shift_remove(field) else {
                return;
            };
            let Value::Array(elements) = elements else {
                out.push(err(
                    format!("{pointer}/{field}"),
                    ReadErrorKind::WrongType {
                        what: format!("`{field}`"),
                        expected: "an array",
                        found: json_kind(&elements),
                    },
                ));
                return;
            };
            let mut facts = Elements::default();
            for (i, element) in elements.iter().enumerate() {
                let p = format!("{pointer}/{field}/{i}");
                if kind == Kind::ReleasePackage {
                    facts.release(element, p, false);
                } else {
                    facts.record(element, p);
                }
            }
            if let Some((p, k)) = facts.error {
                out.push(err(p, k));
                return;
            }
            let package = Arc::new(Package {
                kind,
                metadata: object,
            });
            for (i, element) in elements.into_iter().enumerate() {
                if element.is_null() {
                    continue;
                }
                let item_kind = if kind == Kind::RecordPackage {
                    Kind::Record
                } else {
                    element
                        .as_object()
                        .map(release_kind)
                        .and_then(Result::ok)
                        .unwrap_or(Kind::Release)
                };
                out.push(item(
                    item_kind,
                    element,
                    format!("{pointer}/{field}/{i}"),
                    Some(package.clone()),
                ));
            }
        }
    }
}

fn locate(
    mut result: Result<Item, ReadError>,
    file: &Arc<str>,
    line: u64,
) -> Result<Item, ReadError> {
    let location = match &mut result {
        Ok(item) => &mut item.location,
        Err(e) => &mut e.location,
    };
    location.file = file.clone();
    location.line = line;
    result
}

// ---------------------------------------------------------------------------------------------
// JSON lines.

struct Lines {
    file: Arc<str>,
    source: Source,
    line: u64,
    pending: VecDeque<Result<Unit, ReadError>>,
    /// Length of the last line read (to size the next buffer).
    last_len: usize,
    raw: bool,
}

/// The units of one line of JSON lines, or `None` if the line is not a complete JSON value.
fn line_units(
    line: &[u8],
    file: &Arc<str>,
    line_no: u64,
    raw: bool,
) -> Option<VecDeque<Result<Unit, ReadError>>> {
    let text = strip_bom(line);
    if raw && let Some(ocid) = probe_release(text) {
        return Some(VecDeque::from([Ok(Unit::Raw(raw_release(
            line.to_vec(),
            ocid,
            file,
            line_no,
        )))]));
    }
    let value = serde_json::from_slice::<Value>(text).ok()?;
    Some(
        units_from_value(value)
            .into_iter()
            .map(|r| locate(r, file, line_no).map(Unit::Item))
            .collect(),
    )
}

/// The fast path of `ocds compile`: a line that is one release that upgrading would not change
/// (it has `parties`, so ocdskit treats it as 1.1, or it has none of the fields the upgrade
/// rewrites) with a string ocid and an id is checked by skipping through it once, without
/// building it; anything else returns `None` and takes the general path.
pub(crate) fn probe_release(text: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Probe {
        ocid: Option<Value>,
        id: Option<Value>,
        date: Option<Shape>,
        releases: Option<IgnoredAny>,
        records: Option<IgnoredAny>,
        parties: Option<IgnoredAny>,
        buyer: Option<IgnoredAny>,
        tender: Option<IgnoredAny>,
        awards: Option<IgnoredAny>,
        contracts: Option<IgnoredAny>,
    }
    std::str::from_utf8(text).ok()?;
    // Skipped strings are not decoded; with a `\u` escape somewhere (a lone surrogate cannot
    // be decoded), the whole line is decoded once to be sure.
    if memchr::memmem::find(text, b"\\u").is_some()
        && serde_json::from_slice::<IgnoredAny>(text).is_ok()
        && serde_json::from_slice::<Value>(text).is_err()
    {
        return None;
    }
    let probe: Probe = serde_json::from_slice(text).ok()?;
    if probe.releases.is_some() || probe.records.is_some() {
        return None;
    }
    if probe.parties.is_none()
        && upgrade_would_change(
            text,
            [
                probe.buyer.is_some(),
                probe.tender.is_some(),
                probe.awards.is_some(),
                probe.contracts.is_some(),
            ],
        )
    {
        return None;
    }
    if matches!(probe.date, Some(Shape::Array)) {
        return None;
    }
    let Some(Value::String(ocid)) = probe.ocid else {
        return None;
    };
    if ocid.is_empty() || !matches!(probe.id, Some(Value::String(_) | Value::Number(_))) {
        return None;
    }
    Some(ocid)
}

/// What the index scan of `ocds compile` found in a line.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Scan {
    /// A release ready to merge, with its ocid ([`probe_release`] would say the same if the
    /// line is valid JSON; if it is not, the strict parse at merge time finds out).
    Release(String),
    /// Not a release ready to merge (a package, a record, a release to upgrade, invalid JSON):
    /// [`probe_release`] would refuse it too, so it goes straight to the general path.
    General,
    /// Something the scan does not decode (an escaped key, ocid or id; a long or fractional
    /// numeric id): [`probe_release`] decides.
    Doubtful,
}

/// [`probe_release`] for the index pass of `ocds compile`: the same answer on valid JSON, found
/// by a structural scan of the top-level keys ([`crate::scan`]) without validating anything.
pub(crate) fn scan_release(text: &[u8]) -> Scan {
    scan_top_level(text).unwrap_or(Scan::General)
}

fn scan_top_level(text: &[u8]) -> Option<Scan> {
    use crate::scan::{container_end, string_end};
    const FIELDS: [&[u8]; 10] = [
        b"ocid",
        b"id",
        b"date",
        b"releases",
        b"records",
        b"parties",
        b"buyer",
        b"tender",
        b"awards",
        b"contracts",
    ];
    let skip_ws = |mut at: usize| {
        while let Some(b' ' | b'\t' | b'\r' | b'\n') = text.get(at) {
            at += 1;
        }
        at
    };
    // For each field: its value's text, `None` when absent. A `null` counts as absent, as
    // serde's `Option` reads it in the probe.
    let mut values: [Option<&[u8]>; 10] = [None; 10];
    let mut seen = 0u16;
    let mut at = skip_ws(0);
    if text.get(at) != Some(&b'{') {
        return None;
    }
    at = skip_ws(at + 1);
    if text.get(at) == Some(&b'}') {
        at += 1;
    } else {
        loop {
            if text.get(at) != Some(&b'"') {
                return None;
            }
            let key_end = string_end(text, at)?;
            let key = &text[at + 1..key_end - 1];
            if key.contains(&b'\\') {
                return Some(Scan::Doubtful);
            }
            at = skip_ws(key_end);
            if text.get(at) != Some(&b':') {
                return None;
            }
            at = skip_ws(at + 1);
            let value_end = match text.get(at)? {
                b'{' | b'[' => container_end(text, at)?,
                b'"' => string_end(text, at)?,
                _ => {
                    let mut end = at;
                    while !matches!(
                        text.get(end),
                        None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n')
                    ) {
                        end += 1;
                    }
                    end
                }
            };
            if let Some(field) = FIELDS.iter().position(|name| *name == key) {
                if seen & (1 << field) != 0 {
                    return None; // a repeated field: the probe refuses it too
                }
                seen |= 1 << field;
                let value = &text[at..value_end];
                if value != b"null" {
                    values[field] = Some(value);
                }
            }
            at = skip_ws(value_end);
            match text.get(at) {
                Some(b',') => at = skip_ws(at + 1),
                Some(b'}') => {
                    at += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    if skip_ws(at) != text.len() {
        return None;
    }
    let [
        ocid,
        id,
        date,
        releases,
        records,
        parties,
        buyer,
        tender,
        awards,
        contracts,
    ] = values;
    if releases.is_some() || records.is_some() {
        return None;
    }
    if parties.is_none()
        && upgrade_would_change(
            text,
            [
                buyer.is_some(),
                tender.is_some(),
                awards.is_some(),
                contracts.is_some(),
            ],
        )
    {
        return None;
    }
    if date.is_some_and(|d| d.first() == Some(&b'[')) {
        return None;
    }
    let ocid = ocid?;
    if ocid.len() < 3 || ocid[0] != b'"' {
        return None; // not a string, or empty
    }
    if ocid.contains(&b'\\') {
        return Some(Scan::Doubtful);
    }
    let ocid = std::str::from_utf8(&ocid[1..ocid.len() - 1]).ok()?;
    match id? {
        [b'"', inner @ .., b'"'] if inner.contains(&b'\\') => Some(Scan::Doubtful),
        [b'"', ..] => Some(Scan::Release(ocid.to_owned())),
        [b'-' | b'0'..=b'9', ..] => {
            let digits = id?.strip_prefix(b"-").unwrap_or(id?);
            if digits.len() <= 18 && digits.iter().all(u8::is_ascii_digit) {
                Some(Scan::Release(ocid.to_owned()))
            } else {
                Some(Scan::Doubtful)
            }
        }
        _ => None, // not a string or a number
    }
}

/// A probed line as a release to merge (the line's own buffer, trimmed, no copy).
fn raw_release(mut line: Vec<u8>, ocid: String, file: &Arc<str>, line_no: u64) -> RawRelease {
    if line.starts_with(b"\xEF\xBB\xBF") {
        line.drain(..3);
    }
    let end = line
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |i| i + 1);
    line.truncate(end);
    RawRelease {
        ocid,
        json: line,
        location: Location {
            file: file.clone(),
            line: line_no,
            pointer: String::new(),
        },
    }
}

/// Whether `ocdskit upgrade 1.0:1.1` could change a release without `parties`: only if a
/// block it rewrites is present (`buyer`; `tender` with `procuringEntity`, `tenderers` or
/// `amendment`; `awards` with `suppliers` or `amendment`; `contracts` with `amendment` or
/// `transactions`). Presence of the blocks comes from the probe, of the inner fields from a byte
/// search (a `\u` escape could spell a field name, so it counts as a possible change). Most
/// releases are thus ruled out without being built.
///
/// `present` tells which of `[buyer, tender, awards, contracts]` the release has (from the
/// probe or the index scan).
fn upgrade_would_change(text: &[u8], present: [bool; 4]) -> bool {
    const FIELDS: [&[&str]; 4] = [
        &["\"buyer\""],
        &["\"procuringEntity\"", "\"tenderers\"", "\"amendment\""],
        &["\"suppliers\"", "\"amendment\""],
        &["\"amendment\"", "\"transactions\""],
    ];
    let found = |needle: &str| memchr::memmem::find(text, needle.as_bytes()).is_some();
    found("\\u")
        || present
            .iter()
            .zip(FIELDS)
            .any(|(present, fields)| *present && fields.iter().any(|f| found(f)))
}

/// Whether a value is an array (the `date` of a versioned release), without building it.
enum Shape {
    Array,
    Other,
}

impl<'de> de::Deserialize<'de> for Shape {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Shape;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Shape, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Shape::Array)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Shape, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Shape::Other)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Shape, E> {
                Ok(Shape::Other)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Shape, E> {
                Ok(Shape::Other)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Shape, E> {
                Ok(Shape::Other)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Shape, E> {
                Ok(Shape::Other)
            }
            fn visit_str<E>(self, _: &str) -> Result<Shape, E> {
                Ok(Shape::Other)
            }
            fn visit_unit<E>(self) -> Result<Shape, E> {
                Ok(Shape::Other)
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl Lines {
    /// Read the next batch of lines (about 4 MiB) and turn them into units, in parallel.
    /// Returns false at the end of the input.
    fn fill(&mut self) -> bool {
        let mut batch: Vec<(u64, Vec<u8>)> = Vec::new();
        let mut bytes = 0usize;
        let mut error = None;
        while bytes < (4 << 20) && batch.len() < 4096 {
            // Sized like the previous line, so that a line is usually copied once.
            let mut line = Vec::with_capacity(self.last_len + self.last_len / 4 + 64);
            match self.source.read_until(b'\n', &mut line) {
                Ok(0) => break,
                Ok(n) => {
                    self.line += 1;
                    bytes += n;
                    self.last_len = n;
                    if !is_blank(&line) {
                        batch.push((self.line, line));
                    }
                }
                Err(e) => {
                    self.line += 1;
                    // An unreadable stream cannot be resynchronised: stop this input.
                    error = Some(io_error(&self.file, self.line, e));
                    self.source = Box::new(io::empty());
                    break;
                }
            }
        }
        let (file, raw) = (&self.file, self.raw);
        let units: Vec<VecDeque<Result<Unit, ReadError>>> = batch
            .into_par_iter()
            .map(|(line_no, line)| line_units_owned(line, file, line_no, raw))
            .collect();
        let produced = !units.is_empty() || error.is_some();
        self.pending.extend(units.into_iter().flatten());
        self.pending.extend(error.map(Err));
        produced
    }
}

/// The units of a line, or its parse error.
pub(crate) fn line_units_owned(
    line: Vec<u8>,
    file: &Arc<str>,
    line_no: u64,
    raw: bool,
) -> VecDeque<Result<Unit, ReadError>> {
    if raw && let Some(ocid) = probe_release(strip_bom(&line)) {
        return VecDeque::from([Ok(Unit::Raw(raw_release(line, ocid, file, line_no)))]);
    }
    if let Some(units) = line_units(&line, file, line_no, false) {
        return units;
    }
    let message = match serde_json::from_slice::<Value>(strip_bom(&line)) {
        Err(e) => e.to_string(),
        Ok(_) => "unreadable line".to_owned(),
    };
    VecDeque::from([Err(ReadError {
        location: Location {
            file: file.clone(),
            line: line_no,
            pointer: String::new(),
        },
        kind: ReadErrorKind::InvalidJson(message),
    })])
}

impl Iterator for Lines {
    type Item = Result<Unit, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(next) = self.pending.pop_front() {
                return Some(next);
            }
            if !self.fill() {
                return None;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Documents: checked in one pass, yielded in a second.

enum Replay {
    Memory(Arc<Vec<u8>>),
    File(PathBuf),
    Spool(Arc<File>),
}

impl Replay {
    fn open(&self) -> io::Result<Source> {
        match self {
            Replay::Memory(data) => Ok(Box::new(io::Cursor::new(SharedBytes(data.clone())))),
            Replay::File(path) => decompress(Box::new(File::open(path)?)),
            Replay::Spool(file) => {
                let mut clone = file.try_clone()?;
                clone.rewind()?;
                Ok(Box::new(BufReader::with_capacity(1 << 16, clone)))
            }
        }
    }
}

/// Counts bytes and newlines flowing to the JSON parser, to place units on lines.
struct Counting<R> {
    inner: R,
    newlines: Arc<std::sync::atomic::AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let count = buf[..n].iter().filter(|b| **b == b'\n').count() as u64;
        self.newlines
            .fetch_add(count, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

/// What the checking pass decided for one top-level unit (or array entry).
#[derive(Debug)]
enum Plan {
    /// Yield the unit's elements (package) or the unit itself (release, record).
    Yield {
        kind: Kind,
        package: Option<Arc<Package>>,
        line: u64,
    },
    /// Report this error and yield nothing from the unit.
    Skip(ReadError),
}

fn document(file: Arc<str>, replay: Replay, start_line: u64) -> ItemIter {
    // Pass 1: check.
    let plans = match check_document(&file, &replay, start_line) {
        Ok(plans) => plans,
        Err(e) => return Box::new(std::iter::once(Err(e))),
    };
    // Pass 2: yield from a producer thread through a bounded channel.
    let (tx, rx) = sync_channel::<Result<Item, ReadError>>(256);
    let thread_file = file.clone();
    let handle = std::thread::spawn(move || {
        if let Err(e) = emit_document(&thread_file, &replay, plans, &tx) {
            let _ = tx.send(Err(e));
        }
    });
    Box::new(
        Emitted {
            rx,
            handle: Some(handle),
        }
        .map(|r| r.map(Unit::Item)),
    )
}

struct Emitted {
    rx: Receiver<Result<Item, ReadError>>,
    handle: Option<JoinHandle<()>>,
}

impl Iterator for Emitted {
    type Item = Result<Item, ReadError>;
    fn next(&mut self) -> Option<Self::Item> {
        match self.rx.recv() {
            Ok(item) => Some(item),
            Err(_) => {
                if let Some(handle) = self.handle.take() {
                    let _ = handle.join();
                }
                None
            }
        }
    }
}

fn syntax_error(file: &Arc<str>, start_line: u64, e: &serde_json::Error) -> ReadError {
    if e.is_io() {
        return io_error(file, start_line, e);
    }
    ReadError {
        location: Location {
            file: file.clone(),
            line: start_line + e.line().saturating_sub(1) as u64,
            pointer: String::new(),
        },
        kind: ReadErrorKind::InvalidJson(format!("{e} (the whole file is skipped)")),
    }
}

fn check_document(
    file: &Arc<str>,
    replay: &Replay,
    start_line: u64,
) -> Result<Vec<Plan>, ReadError> {
    match replay {
        Replay::Memory(data) => {
            // Lines of units are found from byte offsets in the buffer.
            let stream = serde_json::Deserializer::from_slice(data).into_iter::<CheckUnit>();
            let line_at = |offset: usize| {
                let offset = offset.min(data.len());
                let skipped = data[offset..]
                    .iter()
                    .take_while(|b| b.is_ascii_whitespace());
                let blank = skipped.filter(|b| **b == b'\n').count();
                start_line + (data[..offset].iter().filter(|b| **b == b'\n').count() + blank) as u64
            };
            check_stream(file, start_line, stream, line_at)
        }
        _ => {
            let source = replay.open().map_err(|e| io_error(file, start_line, e))?;
            let newlines = Arc::new(std::sync::atomic::AtomicU64::new(0));
            let counting = Counting {
                inner: source,
                newlines: newlines.clone(),
            };
            let stream = serde_json::Deserializer::from_reader(counting).into_iter::<CheckUnit>();
            // Approximate: the line where the previous unit ended.
            let line_at =
                |_offset: usize| start_line + newlines.load(std::sync::atomic::Ordering::Relaxed);
            check_stream(file, start_line, stream, line_at)
        }
    }
}

fn check_stream<'de, R: serde_json::de::Read<'de>>(
    file: &Arc<str>,
    start_line: u64,
    mut stream: serde_json::StreamDeserializer<'de, R, CheckUnit>,
    line_at: impl Fn(usize) -> u64,
) -> Result<Vec<Plan>, ReadError> {
    let mut plans = Vec::new();
    loop {
        let line = line_at(stream.byte_offset());
        let Some(unit) = stream.next() else { break };
        let unit = unit.map_err(|e| syntax_error(file, start_line, &e))?;
        let located = |pointer: String, kind: ReadErrorKind| ReadError {
            location: Location {
                file: file.clone(),
                line,
                pointer,
            },
            kind,
        };
        match unit {
            CheckUnit::One(summary) => plans.push(summary.plan(String::new(), &located, line)),
            CheckUnit::Array(entries) => {
                for (i, summary) in entries.into_iter().enumerate() {
                    plans.push(summary.plan(format!("/{i}"), &located, line));
                }
            }
            CheckUnit::Scalar(kind) => plans.push(Plan::Skip(located(
                String::new(),
                ReadErrorKind::UnknownFormat(format!("a top-level {kind}")),
            ))),
        }
    }
    Ok(plans)
}

/// Pass 1 result for one top-level value.
enum CheckUnit {
    One(Box<Summary>),
    Array(Vec<Summary>),
    Scalar(&'static str),
}

/// Pass 1 result for one object: its metadata, and facts about its releases/records.
struct Summary {
    /// The object's fields, except the releases/records array.
    fields: Map<String, Value>,
    /// Which field held an array of elements, and the facts about them.
    elements: Option<(&'static str, Elements, Option<ReadErrorKind>)>,
    not_object: Option<&'static str>,
}

impl Summary {
    fn plan(
        self,
        pointer: String,
        located: &dyn Fn(String, ReadErrorKind) -> ReadError,
        line: u64,
    ) -> Plan {
        if let Some(kind) = self.not_object {
            return Plan::Skip(located(
                pointer,
                ReadErrorKind::UnknownFormat(format!("a top-level {kind}")),
            ));
        }
        // Classify with the element field put back as a marker.
        let mut probe = self.fields;
        if let Some((field, _, _)) = &self.elements {
            probe.insert((*field).to_owned(), Value::Null);
        }
        let kind = match classify(&probe) {
            Ok(kind) => kind,
            Err(kind) => return Plan::Skip(located(pointer, kind)),
        };
        if let Some((field, _, _)) = &self.elements {
            probe.shift_remove(*field);
        }
        let fields = probe;
        match kind {
            Kind::Release | Kind::CompiledRelease => {
                let value = Value::Object(fields);
                match check_release(&value, &pointer) {
                    Ok(_) => Plan::Yield {
                        kind,
                        package: None,
                        line,
                    },
                    Err((p, k)) => Plan::Skip(located(p, k)),
                }
            }
            Kind::Record => {
                let Some((field, facts, wrong)) = self.elements else {
                    return Plan::Skip(located(
                        pointer,
                        ReadErrorKind::UnknownFormat("no releases".into()),
                    ));
                };
                if let Some(k) = wrong {
                    return Plan::Skip(located(format!("{pointer}/{field}"), k));
                }
                if let Some((p, k)) = facts.error {
                    return Plan::Skip(located(format!("{pointer}{p}"), k));
                }
                let mut probe = fields;
                probe.insert("releases".into(), Value::Array(Vec::new()));
                match check_record(&Value::Object(probe), &pointer) {
                    Ok(_) => Plan::Yield {
                        kind,
                        package: None,
                        line,
                    },
                    Err((p, k)) => Plan::Skip(located(p, k)),
                }
            }
            Kind::ReleasePackage | Kind::RecordPackage => {
                let Some((field, facts, wrong)) = self.elements else {
                    return Plan::Skip(located(
                        pointer,
                        ReadErrorKind::UnknownFormat("no releases".into()),
                    ));
                };
                if let Some(k) = wrong {
                    return Plan::Skip(located(format!("{pointer}/{field}"), k));
                }
                if let Some((p, k)) = facts.error {
                    return Plan::Skip(located(format!("{pointer}{p}"), k));
                }
                Plan::Yield {
                    kind,
                    package: Some(Arc::new(Package {
                        kind,
                        metadata: fields,
                    })),
                    line,
                }
            }
        }
    }
}

impl<'de> de::Deserialize<'de> for CheckUnit {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = CheckUnit;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("OCDS JSON")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<CheckUnit, A::Error> {
                Ok(CheckUnit::One(Box::new(summarize_map(map)?)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<CheckUnit, A::Error> {
                let mut entries = Vec::new();
                while let Some(summary) = seq.next_element::<SummarySeed>()? {
                    entries.push(summary.0);
                }
                Ok(CheckUnit::Array(entries))
            }
            fn visit_bool<E>(self, _: bool) -> Result<CheckUnit, E> {
                Ok(CheckUnit::Scalar("boolean"))
            }
            fn visit_i64<E>(self, _: i64) -> Result<CheckUnit, E> {
                Ok(CheckUnit::Scalar("number"))
            }
            fn visit_u64<E>(self, _: u64) -> Result<CheckUnit, E> {
                Ok(CheckUnit::Scalar("number"))
            }
            fn visit_f64<E>(self, _: f64) -> Result<CheckUnit, E> {
                Ok(CheckUnit::Scalar("number"))
            }
            fn visit_str<E>(self, _: &str) -> Result<CheckUnit, E> {
                Ok(CheckUnit::Scalar("string"))
            }
            fn visit_unit<E>(self) -> Result<CheckUnit, E> {
                Ok(CheckUnit::Scalar("null"))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// An array entry at top level, summarised (or marked as a non-object).
struct SummarySeed(Summary);

impl<'de> de::Deserialize<'de> for SummarySeed {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = CheckUnit::deserialize(deserializer)?;
        Ok(SummarySeed(match value {
            CheckUnit::One(summary) => *summary,
            CheckUnit::Array(_) => Summary {
                fields: Map::new(),
                elements: None,
                not_object: Some("array inside a top-level array"),
            },
            CheckUnit::Scalar(kind) => Summary {
                fields: Map::new(),
                elements: None,
                not_object: Some(kind),
            },
        }))
    }
}

fn summarize_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<Summary, A::Error> {
    let mut fields = Map::new();
    let mut elements = None;
    let mut has_ocid = false;
    while let Some(key) = map.next_key::<String>()? {
        if key == "ocid" {
            has_ocid = true;
        }
        let field: Option<&'static str> = match key.as_str() {
            "releases" => Some("releases"),
            "records" => Some("records"),
            _ => None,
        };
        match field {
            Some(field) if elements.is_none() => {
                let scan = map.next_value_seed(ScanElements { field })?;
                elements = Some((field, scan.0, scan.1));
            }
            _ => {
                let value: Value = map.next_value()?;
                fields.insert(key, value);
            }
        }
    }
    // Linked releases are fine in a record, but in a release package they are releases
    // without an ocid; only now do we know which this object is.
    if let Some(("releases", facts, _)) = &mut elements
        && !has_ocid
        && facts.error.is_none()
        && let Some(pointer) = facts.first_linked.take()
    {
        facts.error = Some((pointer, ReadErrorKind::MissingOcid));
    }
    Ok(Summary {
        fields,
        elements,
        not_object: None,
    })
}

struct ScanElements {
    field: &'static str,
}

impl<'de> DeserializeSeed<'de> for ScanElements {
    type Value = (Elements, Option<ReadErrorKind>);

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        struct V {
            field: &'static str,
        }
        impl<'de> Visitor<'de> for V {
            type Value = (Elements, Option<ReadErrorKind>);
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut facts = Elements::default();
                let mut i = 0usize;
                while let Some(value) = seq.next_element::<Value>()? {
                    let pointer = format!("/{}/{i}", self.field);
                    if self.field == "records" {
                        facts.record(&value, pointer);
                    } else if is_linked_release(&value) {
                        // Valid in a record, not in a release package: decided once the
                        // object's kind is known (see `summarize_map`).
                        facts.first_linked.get_or_insert(pointer);
                    } else {
                        facts.release(&value, pointer, false);
                    }
                    i += 1;
                }
                Ok((facts, None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok((Elements::default(), Some(wrong(self.field, "an object"))))
            }
            fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
                Ok((Elements::default(), Some(wrong(self.field, "a string"))))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok((Elements::default(), Some(wrong(self.field, "a boolean"))))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                Ok((Elements::default(), Some(wrong(self.field, "a number"))))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
                Ok((Elements::default(), Some(wrong(self.field, "a number"))))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok((Elements::default(), Some(wrong(self.field, "a number"))))
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok((Elements::default(), Some(wrong(self.field, "null"))))
            }
        }
        deserializer.deserialize_any(V { field: self.field })
    }
}

fn wrong(field: &str, found: &'static str) -> ReadErrorKind {
    ReadErrorKind::WrongType {
        what: format!("`{field}`"),
        expected: "an array",
        found,
    }
}

// Pass 2 --------------------------------------------------------------------------------------

fn emit_document(
    file: &Arc<str>,
    replay: &Replay,
    plans: Vec<Plan>,
    tx: &SyncSender<Result<Item, ReadError>>,
) -> Result<(), ReadError> {
    let mut plans: VecDeque<Plan> = plans.into();
    let ctx = EmitCtx {
        file: file.clone(),
        tx: tx.clone(),
    };
    match replay {
        Replay::Memory(data) => emit_stream(
            &ctx,
            &mut plans,
            &mut serde_json::Deserializer::from_slice(data),
        ),
        _ => {
            let source = replay.open().map_err(|e| io_error(file, 0, e))?;
            emit_stream(
                &ctx,
                &mut plans,
                &mut serde_json::Deserializer::from_reader(source),
            )
        }
    }
}

fn emit_stream<'de, R: serde_json::de::Read<'de>>(
    ctx: &EmitCtx,
    plans: &mut VecDeque<Plan>,
    de: &mut serde_json::Deserializer<R>,
) -> Result<(), ReadError> {
    // Each top-level value: walk it with the plans, in order.
    while !plans.is_empty() {
        let unit = EmitUnit { ctx, plans };
        match unit.deserialize(&mut *de) {
            Ok(Flow::Continue) => {}
            Ok(Flow::Stop) => return Ok(()),
            Err(e) => {
                return Err(ReadError {
                    location: Location {
                        file: ctx.file.clone(),
                        line: e.line() as u64,
                        pointer: String::new(),
                    },
                    kind: ReadErrorKind::InvalidJson(format!(
                        "{e} (the file changed while being read)"
                    )),
                });
            }
        }
    }
    Ok(())
}

struct EmitCtx {
    file: Arc<str>,
    tx: SyncSender<Result<Item, ReadError>>,
}

enum Flow {
    Continue,
    /// The consumer hung up.
    Stop,
}

struct EmitUnit<'a> {
    ctx: &'a EmitCtx,
    plans: &'a mut VecDeque<Plan>,
}

impl<'de> DeserializeSeed<'de> for EmitUnit<'_> {
    type Value = Flow;
    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Flow, D::Error> {
        deserializer.deserialize_any(EmitVisitor {
            ctx: self.ctx,
            plans: self.plans,
            pointer: String::new(),
        })
    }
}

struct EmitVisitor<'a> {
    ctx: &'a EmitCtx,
    plans: &'a mut VecDeque<Plan>,
    pointer: String,
}

impl EmitVisitor<'_> {
    fn skip_scalar(self) -> Flow {
        match self.plans.pop_front() {
            Some(Plan::Skip(e)) => send(self.ctx, Err(e)),
            _ => Flow::Continue,
        }
    }
}

fn send(ctx: &EmitCtx, item: Result<Item, ReadError>) -> Flow {
    match ctx.tx.send(item) {
        Ok(()) => Flow::Continue,
        Err(_) => Flow::Stop,
    }
}

impl<'de> Visitor<'de> for EmitVisitor<'_> {
    type Value = Flow;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("OCDS JSON")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Flow, A::Error> {
        // Only at top level: each entry is a unit with its own plan.
        let mut i = 0usize;
        let mut flow = Flow::Continue;
        loop {
            let pointer = format!("/{i}");
            let seed = EntrySeed {
                ctx: self.ctx,
                plans: &mut *self.plans,
                pointer,
            };
            match seq.next_element_seed(seed)? {
                Some(Flow::Stop) => flow = Flow::Stop,
                Some(Flow::Continue) => {}
                None => break,
            }
            if matches!(flow, Flow::Stop) {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                break;
            }
            i += 1;
        }
        Ok(flow)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Flow, A::Error> {
        emit_object(self.ctx, self.plans, self.pointer, map)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Flow, E> {
        Ok(self.skip_scalar())
    }
    fn visit_i64<E>(self, _: i64) -> Result<Flow, E> {
        Ok(self.skip_scalar())
    }
    fn visit_u64<E>(self, _: u64) -> Result<Flow, E> {
        Ok(self.skip_scalar())
    }
    fn visit_f64<E>(self, _: f64) -> Result<Flow, E> {
        Ok(self.skip_scalar())
    }
    fn visit_str<E>(self, _: &str) -> Result<Flow, E> {
        Ok(self.skip_scalar())
    }
    fn visit_unit<E>(self) -> Result<Flow, E> {
        Ok(self.skip_scalar())
    }
}

struct EntrySeed<'a> {
    ctx: &'a EmitCtx,
    plans: &'a mut VecDeque<Plan>,
    pointer: String,
}

impl<'de> DeserializeSeed<'de> for EntrySeed<'_> {
    type Value = Flow;
    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Flow, D::Error> {
        struct Entry<'a> {
            inner: EmitVisitor<'a>,
        }
        impl<'de> Visitor<'de> for Entry<'_> {
            type Value = Flow;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array entry")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Flow, A::Error> {
                self.inner.visit_map(map)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Flow, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(self.inner.skip_scalar())
            }
            fn visit_bool<E>(self, _: bool) -> Result<Flow, E> {
                Ok(self.inner.skip_scalar())
            }
            fn visit_i64<E>(self, _: i64) -> Result<Flow, E> {
                Ok(self.inner.skip_scalar())
            }
            fn visit_u64<E>(self, _: u64) -> Result<Flow, E> {
                Ok(self.inner.skip_scalar())
            }
            fn visit_f64<E>(self, _: f64) -> Result<Flow, E> {
                Ok(self.inner.skip_scalar())
            }
            fn visit_str<E>(self, _: &str) -> Result<Flow, E> {
                Ok(self.inner.skip_scalar())
            }
            fn visit_unit<E>(self) -> Result<Flow, E> {
                Ok(self.inner.skip_scalar())
            }
        }
        deserializer.deserialize_any(Entry {
            inner: EmitVisitor {
                ctx: self.ctx,
                plans: self.plans,
                pointer: self.pointer,
            },
        })
    }
}

fn emit_object<'de, A: MapAccess<'de>>(
    ctx: &EmitCtx,
    plans: &mut VecDeque<Plan>,
    pointer: String,
    mut map: A,
) -> Result<Flow, A::Error> {
    let plan = plans.pop_front();
    match plan {
        None => {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(Flow::Continue)
        }
        Some(Plan::Skip(e)) => {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(send(ctx, Err(e)))
        }
        Some(Plan::Yield {
            kind,
            package,
            line,
        }) => {
            let location = |pointer: String| Location {
                file: ctx.file.clone(),
                line,
                pointer,
            };
            match package {
                None => {
                    // A release or record: the whole object is the item.
                    let value: Value = Value::Object(collect_map(&mut map)?);
                    Ok(send(
                        ctx,
                        Ok(Item {
                            kind,
                            value,
                            location: location(pointer),
                            package: None,
                        }),
                    ))
                }
                Some(package) => {
                    let field = if kind == Kind::ReleasePackage {
                        "releases"
                    } else {
                        "records"
                    };
                    let mut flow = Flow::Continue;
                    while let Some(key) = map.next_key::<String>()? {
                        if key == field && matches!(flow, Flow::Continue) {
                            flow = map.next_value_seed(SendElements {
                                ctx,
                                package: package.clone(),
                                kind,
                                location: location(format!("{pointer}/{field}")),
                            })?;
                        } else {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                    Ok(flow)
                }
            }
        }
    }
}

fn collect_map<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Map<String, Value>, A::Error> {
    let mut out = Map::new();
    while let Some((k, v)) = map.next_entry::<String, Value>()? {
        out.insert(k, v);
    }
    Ok(out)
}

struct SendElements<'a> {
    ctx: &'a EmitCtx,
    package: Arc<Package>,
    kind: Kind,
    location: Location,
}

impl<'de> DeserializeSeed<'de> for SendElements<'_> {
    type Value = Flow;
    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Flow, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for SendElements<'_> {
    type Value = Flow;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Flow, A::Error> {
        let mut i = 0usize;
        while let Some(value) = seq.next_element::<Value>()? {
            if !value.is_null() {
                let kind = if self.kind == Kind::RecordPackage {
                    Kind::Record
                } else {
                    value
                        .as_object()
                        .map(release_kind)
                        .and_then(Result::ok)
                        .unwrap_or(Kind::Release)
                };
                let mut location = self.location.clone();
                location.pointer = format!("{}/{i}", location.pointer);
                let item = Item {
                    kind,
                    value,
                    location,
                    package: Some(self.package.clone()),
                };
                if let Flow::Stop = send(self.ctx, Ok(item)) {
                    while seq.next_element::<IgnoredAny>()?.is_some() {}
                    return Ok(Flow::Stop);
                }
            }
            i += 1;
        }
        Ok(Flow::Continue)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// JSON values with the keys the probe looks at, strings full of structure characters and
    /// escapes, nulls, arrays and nesting.
    fn value() -> impl Strategy<Value = Value> {
        let text = prop::sample::select(vec![
            "",
            "x",
            "}",
            "]{",
            "\"",
            "\\",
            "a\"b",
            "\\u",
            "é",
            "\u{1F600}",
            "2024-01-01",
        ]);
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            (-1e6f64..1e6).prop_map(Value::from),
            text.prop_map(|s| Value::String(s.to_owned())),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec((key(), inner), 0..6)
                    .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
            ]
        })
    }

    fn key() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "ocid",
            "id",
            "date",
            "releases",
            "records",
            "parties",
            "buyer",
            "tender",
            "awards",
            "contracts",
            "title",
            "amendment",
            "suppliers",
            "a\"b",
            "}",
        ])
        .prop_map(str::to_owned)
    }

    proptest! {
        /// On valid JSON the index scan says what the strict probe says (or defers to it).
        #[test]
        fn the_index_scan_agrees_with_the_probe(
            pairs in prop::collection::vec((key(), value()), 0..10),
            ocid in prop::option::of(prop::sample::select(vec!["ocds-1", "", "a\"}", "é"])),
            pretty in any::<bool>(),
        ) {
            let mut object: serde_json::Map<String, Value> = pairs.into_iter().collect();
            if let Some(ocid) = ocid {
                object.insert("ocid".into(), Value::String(ocid.into()));
            }
            let value = Value::Object(object);
            let text = if pretty {
                serde_json::to_vec_pretty(&value).expect("json")
            } else {
                serde_json::to_vec(&value).expect("json")
            };
            let probed = probe_release(&text);
            match scan_release(&text) {
                Scan::Release(ocid) => prop_assert_eq!(Some(ocid), probed),
                Scan::General => prop_assert_eq!(None, probed),
                Scan::Doubtful => {}
            }
        }
    }
}
