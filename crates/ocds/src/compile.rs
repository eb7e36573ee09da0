//! `ocds compile`: releases in, one merged release per ocid out, as JSON lines.
//!
//! Why this design (issue 5: "Everything streams: memory stays flat whatever the input size",
//! and `ocds compile` ≥ 30× the throughput of `ocdskit compile`):
//!
//! 1. **Read** every input; 1.0 data is upgraded as `ocdskit upgrade 1.0:1.1` would. A plain
//!    (uncompressed) JSON-lines file is *indexed*: each line is only probed (ocid, id, shape,
//!    whether upgrading could change it), in parallel, and kept as (file, offset, length) — the
//!    input is never copied into memory and is re-read when its ocid is merged. Everything else
//!    (documents, gzip, standard input, lines that are packages or need upgrading) goes through
//!    the shared reader and is kept as compact JSON text. Records contribute their embedded
//!    releases, or their `compiledRelease` when they only link to releases.
//! 2. **Group** by ocid with an external sort bounded by [`CompileOptions::memory_budget`]:
//!    entries (ocid + text or file offset) are buffered; when the buffer exceeds the budget it is
//!    sorted by ocid (stably, so input order is kept within an ocid) and written to a temporary
//!    *run* file. At the end the runs are merged k-way (ties broken by run order, so input order
//!    is still kept). Memory is the budget plus one read buffer per run, whatever the input size;
//!    with no spill, nothing touches the disk. The output is in ocid order, like ocdskit's (its
//!    SQLite backend `ORDER BY ocid`).
//! 3. **Merge** batches of ocids in parallel (rayon), each release parsed once into a borrowed
//!    tree, and write the merged releases in order.
//!
//! A read error spoils its unit only (reported, reading continues); a merge error spoils its
//! ocid only (reported, other ocids are written).

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, Write};
use std::os::unix::fs::FileExt;
use std::path::PathBuf;

use rayon::prelude::*;
use serde_json::Value;

use crate::json::Json;
use crate::merge::{MergeError, Merger, Mode};
use crate::read::{Input, Item, Kind, Location, RawRelease, ReadError, ReadOptions, Unit, Units};
use crate::upgrade::upgrade_item;

/// Settings of a compile run.
#[derive(Debug, Clone)]
pub struct CompileOptions {
    /// Compiled or versioned releases.
    pub mode: Mode,
    /// Bytes of release text buffered before spilling a sorted run to disk.
    pub memory_budget: usize,
    /// Reader settings.
    pub read: ReadOptions,
    /// Where run files go (default: the system temporary directory).
    pub spill_dir: Option<PathBuf>,
}

impl Default for CompileOptions {
    fn default() -> Self {
        CompileOptions {
            mode: Mode::Compiled,
            memory_budget: 512 << 20,
            read: ReadOptions::default(),
            spill_dir: None,
        }
    }
}

/// Something that went wrong with part of the input; the rest was compiled.
#[derive(Debug, thiserror::Error)]
pub enum Problem {
    /// A unit (file, line, package) could not be read; it contributed nothing.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The releases of one ocid could not be merged; that ocid was not written.
    #[error("ocid {ocid}: {error} [{}]", error.code())]
    Merge {
        /// The ocid.
        ocid: String,
        /// Why.
        error: MergeError,
    },
    /// A release kept for merging is not valid JSON any more (e.g. a run file was altered).
    #[error("ocid {ocid}: unreadable release text: {message} [ocds.compile.corrupt]")]
    Corrupt {
        /// The ocid.
        ocid: String,
        /// Parser message.
        message: String,
    },
    /// A record with only linked releases and no compiled release has nothing to merge.
    #[error(
        "{location}: record has only linked releases and no compiledRelease; nothing to compile [ocds.compile.linked_only]"
    )]
    LinkedOnly {
        /// Where the record is.
        location: Location,
    },
}

impl Problem {
    /// Stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            Problem::Read(e) => e.code(),
            Problem::Merge { error, .. } => error.code(),
            Problem::Corrupt { .. } => "ocds.compile.corrupt",
            Problem::LinkedOnly { .. } => "ocds.compile.linked_only",
        }
    }
}

/// What a compile run did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Summary {
    /// Seconds spent reading and grouping (before the first merge).
    pub read_seconds: f64,
    /// Seconds in total.
    pub total_seconds: f64,
    /// Releases accepted for merging.
    pub releases: u64,
    /// Merged releases written (one per ocid).
    pub written: u64,
    /// Units skipped by the reader.
    pub read_errors: u64,
    /// Ocids not written because their releases could not be merged.
    pub merge_errors: u64,
    /// Sorted runs spilled to disk (0 when everything fitted in the budget).
    pub spilled_runs: u64,
}

/// The releases to merge from a reader item (after upgrading it): a release itself; a record's
/// embedded releases, or its `compiledRelease` if it only links to releases.
fn releases_of(mut item: Item) -> Result<Vec<RawRelease>, Problem> {
    upgrade_item(&mut item);
    let location = item.location.clone();
    let to_raw = |value: &Value, pointer: String| -> Option<RawRelease> {
        let ocid = value.get("ocid")?.as_str()?.to_owned();
        let json = serde_json::to_vec(value).ok()?;
        Some(RawRelease {
            ocid,
            json,
            location: Location {
                pointer,
                ..location.clone()
            },
        })
    };
    match item.kind {
        Kind::Record => {
            let releases = item.value.get("releases").and_then(Value::as_array);
            let embedded: Vec<RawRelease> = releases
                .into_iter()
                .flatten()
                .enumerate()
                .filter(|(_, r)| r.get("ocid").is_some())
                .filter_map(|(i, r)| to_raw(r, format!("{}/releases/{i}", location.pointer)))
                .collect();
            if !embedded.is_empty() {
                return Ok(embedded);
            }
            match item.value.get("compiledRelease") {
                Some(compiled) if compiled.get("ocid").is_some() => Ok(to_raw(
                    compiled,
                    format!("{}/compiledRelease", location.pointer),
                )
                .into_iter()
                .collect()),
                _ => Err(Problem::LinkedOnly { location }),
            }
        }
        _ => Ok(to_raw(&item.value, location.pointer.clone())
            .into_iter()
            .collect()),
    }
}

/// Every release of `inputs`, ready to merge, with the problems met on the way.
pub fn releases(
    inputs: Vec<Input>,
    options: ReadOptions,
) -> impl Iterator<Item = Result<RawRelease, Problem>> {
    Units::new(inputs, options, true).flat_map(|unit| -> Vec<Result<RawRelease, Problem>> {
        match unit {
            Ok(Unit::Raw(raw)) => vec![Ok(raw)],
            Ok(Unit::Item(item)) => match releases_of(item) {
                Ok(list) => list.into_iter().map(Ok).collect(),
                Err(problem) => vec![Err(problem)],
            },
            Err(e) => vec![Err(Problem::Read(e))],
        }
    })
}

/// Compile `inputs` to `out` as JSON lines. `problems` receives each problem as it happens;
/// `progress` is called with the number of releases read so far, now and then.
pub fn compile_to(
    inputs: Vec<Input>,
    options: &CompileOptions,
    out: &mut dyn Write,
    problems: &mut dyn FnMut(&Problem),
    progress: &mut dyn FnMut(u64),
) -> io::Result<Summary> {
    let started = std::time::Instant::now();
    let mut summary = Summary::default();
    let mut grouper = Grouper::new(options.memory_budget, options.spill_dir.clone());
    let mut files: Vec<File> = Vec::new();
    {
        let mut accept =
            |result: Result<(String, Payload), Problem>, grouper: &mut Grouper| -> io::Result<()> {
                match result {
                    Ok((ocid, payload)) => {
                        summary.releases += 1;
                        if summary.releases.is_multiple_of(4096) {
                            progress(summary.releases);
                        }
                        grouper.push(ocid, payload)
                    }
                    Err(problem) => {
                        summary.read_errors += 1;
                        problems(&problem);
                        Ok(())
                    }
                }
            };
        // Plain JSON-lines files are indexed by offset (see `index_file`); everything else goes
        // through the general reader. Inputs keep their order, so releases keep input order.
        let mut pending: Vec<Input> = Vec::new();
        for input in inputs {
            let path = match &input {
                Input::Path(path) if crate::read::is_plain_json_lines(path, &options.read) => {
                    path.clone()
                }
                _ => {
                    pending.push(input);
                    continue;
                }
            };
            for release in releases(std::mem::take(&mut pending), options.read.clone()) {
                accept(release.map(RawRelease::into_payload), &mut grouper)?;
            }
            let file = File::open(&path)?;
            index_file(&file, &path, files.len() as u32, &mut grouper, &mut accept)?;
            files.push(file);
        }
        for release in releases(pending, options.read.clone()) {
            accept(release.map(RawRelease::into_payload), &mut grouper)?;
        }
    }
    progress(summary.releases);
    summary.read_seconds = started.elapsed().as_secs_f64();
    summary.spilled_runs = grouper.runs.len() as u64;
    let merger = Merger::default();
    let files = &files;
    let mut out = BufWriter::with_capacity(1 << 20, out);
    let mut batch: Vec<Group> = Vec::new();
    let mut batch_bytes = 0usize;
    let mut flush =
        |batch: &mut Vec<Group>, summary: &mut Summary, out: &mut BufWriter<&mut dyn Write>| {
            let results: Vec<Result<Vec<u8>, Problem>> = batch
                .par_iter()
                .map(|group| merge_group(&merger, options.mode, group, files))
                .collect();
            batch.clear();
            for result in results {
                match result {
                    Ok(bytes) => {
                        summary.written += 1;
                        out.write_all(&bytes)?;
                    }
                    Err(problem) => {
                        summary.merge_errors += 1;
                        problems(&problem);
                    }
                }
            }
            io::Result::Ok(())
        };
    for group in grouper.finish()? {
        let group = group?;
        batch_bytes += group.releases.iter().map(Payload::len).sum::<usize>();
        batch.push(group);
        if batch_bytes >= 8 << 20 || batch.len() >= 4096 {
            flush(&mut batch, &mut summary, &mut out)?;
            batch_bytes = 0;
        }
    }
    flush(&mut batch, &mut summary, &mut out)?;
    out.flush()?;
    summary.total_seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

fn merge_group(
    merger: &Merger,
    mode: Mode,
    group: &Group,
    files: &[File],
) -> Result<Vec<u8>, Problem> {
    let corrupt = |message: String| Problem::Corrupt {
        ocid: group.ocid.clone(),
        message,
    };
    let mut loaded: Vec<Vec<u8>> = Vec::new();
    for payload in &group.releases {
        if let Payload::File { file, offset, len } = payload {
            let mut text = vec![0u8; *len as usize];
            let source = files
                .get(*file as usize)
                .ok_or_else(|| corrupt("unknown file".into()))?;
            source
                .read_exact_at(&mut text, *offset)
                .map_err(|e| corrupt(format!("cannot re-read the input: {e}")))?;
            loaded.push(text);
        }
    }
    // One arena per worker thread, reset per group: the trees of a group are freed at once.
    thread_local! {
        static ARENA: std::cell::RefCell<bumpalo::Bump> = std::cell::RefCell::new(bumpalo::Bump::new());
    }
    ARENA.with(|cell| {
        let mut arena = cell.borrow_mut();
        arena.reset();
        let arena = &*arena;
        let mut loaded = loaded.iter();
        let mut trees = Vec::with_capacity(group.releases.len());
        let mut size = 0;
        for payload in &group.releases {
            let text: &[u8] = match payload {
                Payload::Bytes(text) => text,
                Payload::File { .. } => loaded.next().map_or(&[][..], Vec::as_slice),
            };
            size += text.len();
            trees.push(Json::parse(text, arena).map_err(|e| corrupt(e.to_string()))?);
        }
        let mut out = Vec::with_capacity(size / 2 + 64);
        merger
            .write(&trees, mode, &mut out)
            .map_err(|error| Problem::Merge {
                ocid: group.ocid.clone(),
                error,
            })?;
        Ok(out)
    })
}

/// Index a plain JSON-lines file: lines that are releases ready to merge (the reader's probe)
/// are kept as (file, offset, length) and re-read when their ocid is merged, so the input is
/// never copied into memory; other lines (packages, 1.0 releases to upgrade, broken lines) go
/// through the reader's general path. Lines are probed in parallel, 8 MiB at a time.
fn index_file(
    file: &File,
    path: &std::path::Path,
    file_index: u32,
    grouper: &mut Grouper,
    accept: &mut Accept<'_>,
) -> io::Result<()> {
    use crate::read::{is_blank, line_units_owned, probe_release, strip_bom};
    let name: std::sync::Arc<str> = std::sync::Arc::from(path.display().to_string());
    let mut reader = BufReader::with_capacity(1 << 16, file);
    const BLOCK: usize = 8 << 20;
    let mut block: Vec<u8> = Vec::with_capacity(BLOCK);
    let mut block_start = 0u64; // file offset of block[0]
    let mut line_no = 0u64;
    let mut eof = false;
    while !eof {
        // Fill the block with whole lines (a line longer than the block grows it).
        // A partial line as long as a whole block means a very long line: grow the block.
        let keep = block.len();
        block.resize(if keep >= BLOCK { keep * 2 } else { BLOCK }, 0);
        let mut filled = keep;
        while filled < block.len() {
            let n = reader.read(&mut block[filled..])?;
            if n == 0 {
                eof = true;
                break;
            }
            filled += n;
        }
        block.truncate(filled);
        let end = if eof {
            block.len()
        } else {
            match memchr::memrchr(b'\n', &block) {
                Some(i) => i + 1,
                None => continue,
            }
        };
        let mut lines = Vec::new();
        let mut at = 0usize;
        while at < end {
            let stop = memchr::memchr(b'\n', &block[at..end]).map_or(end, |i| at + i + 1);
            line_no += 1;
            if !is_blank(&block[at..stop]) {
                lines.push((line_no, at, stop));
            }
            at = stop;
        }
        let block_ref = &block;
        type Probed =
            Result<(String, u64, u32), std::collections::VecDeque<Result<Unit, ReadError>>>;
        let probed: Vec<Probed> = lines
            .par_iter()
            .map(|&(number, from, to)| {
                let text = &block_ref[from..to];
                let trimmed_len = text
                    .iter()
                    .rposition(|b| !b.is_ascii_whitespace())
                    .map_or(0, |i| i + 1);
                let bom = text.len() - strip_bom(text).len();
                match probe_release(strip_bom(&text[..trimmed_len])) {
                    Some(ocid) if u32::try_from(trimmed_len - bom).is_ok() => Ok((
                        ocid,
                        block_start + (from + bom) as u64,
                        (trimmed_len - bom) as u32,
                    )),
                    _ => Err(line_units_owned(text.to_vec(), &name, number, false)),
                }
            })
            .collect();
        for result in probed {
            match result {
                Ok((ocid, offset, len)) => accept(
                    Ok((
                        ocid,
                        Payload::File {
                            file: file_index,
                            offset,
                            len,
                        },
                    )),
                    grouper,
                )?,
                Err(units) => {
                    for unit in units {
                        let releases = match unit {
                            Ok(Unit::Raw(raw)) => Ok(vec![raw]),
                            Ok(Unit::Item(item)) => releases_of(item),
                            Err(e) => Err(Problem::Read(e)),
                        };
                        match releases {
                            Ok(list) => {
                                for raw in list {
                                    accept(Ok(raw.into_payload()), grouper)?;
                                }
                            }
                            Err(problem) => accept(Err(problem), grouper)?,
                        }
                    }
                }
            }
        }
        block_start += end as u64;
        block.drain(..end);
    }
    Ok(())
}
/// Takes one release to merge (its ocid and text) or one problem, on the reading side.
type Accept<'x> =
    dyn FnMut(Result<(String, Payload), Problem>, &mut Grouper) -> io::Result<()> + 'x;

/// Where the text of a release to merge is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Payload {
    /// In memory.
    Bytes(Vec<u8>),
    /// In an input file that stays open until the merge: index, byte offset and length.
    File {
        /// Index of the file among the indexed inputs.
        file: u32,
        /// Byte offset of the release text.
        offset: u64,
        /// Length of the release text.
        len: u32,
    },
}

impl Payload {
    /// Bytes of release text it stands for.
    pub fn len(&self) -> usize {
        match self {
            Payload::Bytes(text) => text.len(),
            Payload::File { len, .. } => *len as usize,
        }
    }

    /// Whether it stands for no text.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes of memory it holds.
    fn held(&self) -> usize {
        match self {
            Payload::Bytes(text) => text.len(),
            Payload::File { .. } => 0,
        }
    }
}

impl RawRelease {
    fn into_payload(self) -> (String, Payload) {
        (self.ocid, Payload::Bytes(self.json))
    }
}

/// The releases of one ocid, in input order.
#[derive(Debug)]
pub struct Group {
    /// The ocid.
    pub ocid: String,
    /// Release texts (or where to find them).
    pub releases: Vec<Payload>,
}

/// Groups release texts by ocid within a memory budget (external merge sort; see module docs).
pub struct Grouper {
    budget: usize,
    dir: Option<PathBuf>,
    buffer: Vec<(String, Payload)>,
    buffered: usize,
    runs: Vec<File>,
}

/// Per-entry bookkeeping counted against the budget besides the texts themselves.
const ENTRY_OVERHEAD: usize = 64;

impl Grouper {
    /// A grouper that spills to `dir` (or the temporary directory) past `budget` bytes.
    pub fn new(budget: usize, dir: Option<PathBuf>) -> Self {
        Grouper {
            budget,
            dir,
            buffer: Vec::new(),
            buffered: 0,
            runs: Vec::new(),
        }
    }

    /// Add one release.
    pub fn push(&mut self, ocid: String, payload: Payload) -> io::Result<()> {
        self.buffered += ocid.len() + payload.held() + ENTRY_OVERHEAD;
        self.buffer.push((ocid, payload));
        if self.buffered > self.budget {
            self.spill()?;
        }
        Ok(())
    }

    /// How many runs were spilled so far.
    pub fn runs(&self) -> usize {
        self.runs.len()
    }

    fn spill(&mut self) -> io::Result<()> {
        self.buffer.sort_by(|a, b| a.0.cmp(&b.0));
        let file = match &self.dir {
            Some(dir) => tempfile::tempfile_in(dir)?,
            None => tempfile::tempfile()?,
        };
        let mut writer = BufWriter::with_capacity(1 << 20, file);
        for (ocid, payload) in self.buffer.drain(..) {
            write_entry(&mut writer, &ocid, &payload)?;
        }
        let mut file = writer.into_inner().map_err(|e| e.into_error())?;
        file.rewind()?;
        self.runs.push(file);
        self.buffered = 0;
        Ok(())
    }

    /// The groups, in ocid order.
    pub fn finish(mut self) -> io::Result<Box<dyn Iterator<Item = io::Result<Group>>>> {
        if self.runs.is_empty() {
            self.buffer.sort_by(|a, b| a.0.cmp(&b.0));
            let mut entries = self.buffer.into_iter().peekable();
            return Ok(Box::new(std::iter::from_fn(move || {
                let (ocid, first) = entries.next()?;
                let mut releases = vec![first];
                while let Some((_, json)) = entries.next_if(|(next, _)| *next == ocid) {
                    releases.push(json);
                }
                Some(Ok(Group { ocid, releases }))
            })));
        }
        if !self.buffer.is_empty() {
            self.spill()?;
        }
        let mut readers: Vec<BufReader<File>> = self
            .runs
            .drain(..)
            .map(|f| BufReader::with_capacity(1 << 16, f))
            .collect();
        let mut heap = BinaryHeap::new();
        for (run, reader) in readers.iter_mut().enumerate() {
            if let Some((ocid, json)) = read_entry(reader)? {
                heap.push(Reverse((ocid, run, json)));
            }
        }
        let mut merge = KWayMerge { readers, heap };
        let mut pending: Option<(String, Payload)> = None;
        Ok(Box::new(std::iter::from_fn(move || {
            let (ocid, first) = match pending.take() {
                Some(entry) => entry,
                None => match merge.next_entry() {
                    Ok(Some(entry)) => entry,
                    Ok(None) => return None,
                    Err(e) => return Some(Err(e)),
                },
            };
            let mut releases = vec![first];
            loop {
                match merge.next_entry() {
                    Ok(Some((next, json))) if next == ocid => releases.push(json),
                    Ok(Some(other)) => {
                        pending = Some(other);
                        break;
                    }
                    Ok(None) => break,
                    Err(e) => return Some(Err(e)),
                }
            }
            Some(Ok(Group { ocid, releases }))
        })))
    }
}

struct KWayMerge {
    readers: Vec<BufReader<File>>,
    heap: BinaryHeap<Reverse<(String, usize, Payload)>>,
}

impl KWayMerge {
    fn next_entry(&mut self) -> io::Result<Option<(String, Payload)>> {
        let Some(Reverse((ocid, run, json))) = self.heap.pop() else {
            return Ok(None);
        };
        if let Some(reader) = self.readers.get_mut(run)
            && let Some((next_ocid, next_json)) = read_entry(reader)?
        {
            self.heap.push(Reverse((next_ocid, run, next_json)));
        }
        Ok(Some((ocid, json)))
    }
}

fn write_entry(writer: &mut impl Write, ocid: &str, payload: &Payload) -> io::Result<()> {
    writer.write_all(&(ocid.len() as u64).to_le_bytes())?;
    writer.write_all(ocid.as_bytes())?;
    match payload {
        Payload::Bytes(text) => {
            writer.write_all(&[0])?;
            writer.write_all(&(text.len() as u64).to_le_bytes())?;
            writer.write_all(text)
        }
        Payload::File { file, offset, len } => {
            writer.write_all(&[1])?;
            writer.write_all(&file.to_le_bytes())?;
            writer.write_all(&offset.to_le_bytes())?;
            writer.write_all(&len.to_le_bytes())
        }
    }
}

fn read_entry(reader: &mut impl Read) -> io::Result<Option<(String, Payload)>> {
    let mut u64_bytes = [0u8; 8];
    match reader.read_exact(&mut u64_bytes) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let mut ocid = vec![0u8; u64::from_le_bytes(u64_bytes) as usize];
    reader.read_exact(&mut ocid)?;
    let ocid =
        String::from_utf8(ocid).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    let mut tag = [0u8; 1];
    reader.read_exact(&mut tag)?;
    let payload = if tag[0] == 0 {
        reader.read_exact(&mut u64_bytes)?;
        let mut text = vec![0u8; u64::from_le_bytes(u64_bytes) as usize];
        reader.read_exact(&mut text)?;
        Payload::Bytes(text)
    } else {
        let mut u32_bytes = [0u8; 4];
        reader.read_exact(&mut u32_bytes)?;
        let file = u32::from_le_bytes(u32_bytes);
        reader.read_exact(&mut u64_bytes)?;
        let offset = u64::from_le_bytes(u64_bytes);
        reader.read_exact(&mut u32_bytes)?;
        Payload::File {
            file,
            offset,
            len: u32::from_le_bytes(u32_bytes),
        }
    };
    Ok(Some((ocid, payload)))
}
