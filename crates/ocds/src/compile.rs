//! `ocds compile`: releases in, one merged release per ocid out, as JSON lines.
//!
//! Why this design (issue 5: "Everything streams: memory stays flat whatever the input size",
//! and `ocds compile` ≥ 30× the throughput of `ocdskit compile`):
//!
//! 1. **Read** every input; 1.0 data is upgraded as `ocdskit upgrade 1.0:1.1` would. A plain
//!    (uncompressed) JSON-lines file is *indexed*: the workers read it in blocks, in parallel,
//!    and each line's top-level keys are scanned (ocid, id, shape, whether upgrading could change
//!    it: [`crate::read::scan_release`]) without parsing or validating it; a release is kept as
//!    (file, offset, length, line) — the input is never copied into memory and is re-read when
//!    its ocid is merged. Everything else (documents, gzip, standard input, lines that are
//!    packages or need upgrading) goes through the shared reader and is kept as compact JSON
//!    text. Records contribute their embedded releases, or their `compiledRelease` when they
//!    only link to releases.
//! 2. **Group** by ocid with an external sort bounded by [`CompileOptions::memory_budget`]:
//!    entries (ocid + text or file offset) are buffered; when the buffer exceeds the budget it is
//!    sorted by ocid (stably, so input order is kept within an ocid) and written to a temporary
//!    *run* file. At the end the runs are merged k-way (ties broken by run order, so input order
//!    is still kept). Memory is the budget plus one read buffer per run, whatever the input size;
//!    with no spill, nothing touches the disk. The output is in ocid order, like ocdskit's (its
//!    SQLite backend `ORDER BY ocid`).
//! 3. **Merge** batches of ocids in parallel (rayon) while the previous batch is written out.
//!    Each release is parsed once, strictly (an indexed line that is not valid JSON is reported
//!    at its line by the general reader, and the rest of its ocid still merges), into a
//!    per-worker arena that also holds the merge tree, so a group costs no allocator calls and
//!    is freed at once.
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
    /// Bytes of a JSON-lines file that one indexing task reads (8 MiB; tests use a few bytes
    /// so that lines cross many block boundaries).
    pub index_block: usize,
}

impl Default for CompileOptions {
    fn default() -> Self {
        CompileOptions {
            mode: Mode::Compiled,
            memory_budget: 512 << 20,
            read: ReadOptions::default(),
            spill_dir: None,
            index_block: 8 << 20,
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
    Units::new(inputs, options, true).flat_map(unit_releases)
}

/// The releases to merge from one unit of the reader, or its problem.
fn unit_releases(unit: Result<Unit, ReadError>) -> Vec<Result<RawRelease, Problem>> {
    match unit {
        Ok(Unit::Raw(raw)) => vec![Ok(raw)],
        Ok(Unit::Item(item)) => match releases_of(item) {
            Ok(list) => list.into_iter().map(Ok).collect(),
            Err(problem) => vec![Err(problem)],
        },
        Err(e) => vec![Err(Problem::Read(e))],
    }
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
    let mut files: Vec<IndexedFile> = Vec::new();
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
            let file = IndexedFile {
                file: File::open(&path)?,
                name: std::sync::Arc::from(path.display().to_string()),
            };
            let block = options.index_block.max(1);
            index_file(&file, files.len() as u32, block, &mut grouper, &mut accept)?;
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
    let merge_batch = move |batch: Vec<Group>| -> Vec<Merged> {
        batch
            .par_iter()
            .map(|group| merge_group(&merger, options.mode, group, files))
            .collect()
    };
    let mut out = BufWriter::with_capacity(1 << 20, out);
    let mut write = |results: Vec<Merged>, summary: &mut Summary| {
        for merged in results {
            for problem in &merged.unreadable {
                // Counted as a release when indexed; it turned out unreadable.
                summary.releases -= 1;
                summary.read_errors += 1;
                problems(problem);
            }
            match merged.output {
                Some(Ok(bytes)) => {
                    summary.written += 1;
                    out.write_all(&bytes)?;
                }
                Some(Err(problem)) => {
                    summary.merge_errors += 1;
                    problems(&problem);
                }
                None => {}
            }
        }
        io::Result::Ok(())
    };
    // Batches are merged in parallel on a helper thread while this one writes the previous
    // batch's output, in order.
    std::thread::scope(|scope| -> io::Result<()> {
        let mut batch: Vec<Group> = Vec::new();
        let mut batch_bytes = 0usize;
        let mut running: Option<std::thread::ScopedJoinHandle<'_, _>> = None;
        let mut groups = grouper.finish()?.peekable();
        while let Some(group) = groups.next() {
            let group = group?;
            batch_bytes += group.releases.iter().map(Payload::len).sum::<usize>();
            batch.push(group);
            if batch_bytes >= 8 << 20 || batch.len() >= 4096 || groups.peek().is_none() {
                let next = std::mem::take(&mut batch);
                batch_bytes = 0;
                let previous = running.replace(scope.spawn(move || merge_batch(next)));
                if let Some(previous) = previous {
                    write(join(previous), &mut summary)?;
                }
            }
        }
        if let Some(last) = running {
            write(join(last), &mut summary)?;
        }
        Ok(())
    })?;
    out.flush()?;
    summary.total_seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// The result of a helper thread (a panic there is carried on here).
fn join<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// An indexed input file, open until its releases are merged.
struct IndexedFile {
    file: File,
    /// The name problems are reported under.
    name: std::sync::Arc<str>,
}

/// What merging one group gave.
struct Merged {
    /// The merged release, or why the group could not be merged; `None` when no release of the
    /// group could be read.
    output: Option<Result<Vec<u8>, Problem>>,
    /// Indexed lines that turned out not to be valid JSON, diagnosed by the general reader.
    /// The group is merged without them, as the general reader would have skipped them.
    unreadable: Vec<Problem>,
}

fn merge_group(merger: &Merger, mode: Mode, group: &Group, files: &[IndexedFile]) -> Merged {
    let failed = |problem: Problem| Merged {
        output: Some(Err(problem)),
        unreadable: Vec::new(),
    };
    let corrupt = |message: String| group.corrupt(message);
    // One arena and one text buffer per worker thread, reused from group to group: the
    // trees of a group are freed at once and nothing is allocated per release.
    thread_local! {
        static ARENA: std::cell::RefCell<bumpalo::Bump> = std::cell::RefCell::new(bumpalo::Bump::new());
        static TEXTS: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    TEXTS.with(|texts| {
        let mut texts = texts.borrow_mut();
        // `texts` only grows (its bytes are zeroed once, not before every read).
        let mut used = 0;
        for payload in &group.releases {
            if let Payload::File {
                file, offset, len, ..
            } = payload
            {
                let Some(source) = files.get(*file as usize) else {
                    return failed(corrupt("unknown file".into()));
                };
                let len = *len as usize;
                match read_at(&source.file, &mut texts, used, *offset, len) {
                    Ok(got) if got == len => used += len,
                    Ok(_) => return failed(corrupt("the input file shrank".into())),
                    Err(e) => return failed(corrupt(format!("cannot re-read the input: {e}"))),
                }
            }
        }
        ARENA.with(|arena| {
            let mut arena = arena.borrow_mut();
            arena.reset();
            merge_texts(merger, mode, group, files, &texts[..used], &arena)
        })
    })
}

/// Parse and merge the releases of a group whose indexed texts were read, in order, into
/// `texts`.
fn merge_texts(
    merger: &Merger,
    mode: Mode,
    group: &Group,
    files: &[IndexedFile],
    texts: &[u8],
    arena: &bumpalo::Bump,
) -> Merged {
    let corrupt = |message: String| group.corrupt(message);
    let mut scratch = crate::json::Scratch::default();
    let mut trees = Vec::with_capacity(group.releases.len());
    let mut unreadable = Vec::new();
    let mut size = 0;
    let mut at = 0;
    for payload in &group.releases {
        let text: &[u8] = match payload {
            Payload::Bytes(text) => text,
            Payload::File { len, .. } => {
                at += *len as usize;
                &texts[at - *len as usize..at]
            }
        };
        size += text.len();
        match Json::parse_with(text, arena, &mut scratch) {
            Ok(tree) => trees.push(tree),
            Err(e) => match payload {
                Payload::File { file, line, .. } => {
                    let name = files.get(*file as usize).map(|f| &f.name);
                    unreadable.push(diagnose(text, name, *line, e));
                }
                Payload::Bytes(_) => {
                    return Merged {
                        output: Some(Err(corrupt(e.to_string()))),
                        unreadable,
                    };
                }
            },
        }
    }
    if trees.is_empty() {
        return Merged {
            output: None,
            unreadable,
        };
    }
    let mut out = Vec::with_capacity(size / 2 + 64);
    let output = match merger.write(&trees, mode, arena, &mut out) {
        Ok(()) => Ok(out),
        Err(error) => Err(Problem::Merge {
            ocid: group.ocid.clone(),
            error,
        }),
    };
    Merged {
        output: Some(output),
        unreadable,
    }
}

/// The problem of an indexed line that the index scan let through and the strict parse refused:
/// what the general reader says about the line (so the report is the same whichever path read
/// it), or the parse error if the reader would have accepted it.
fn diagnose(
    text: &[u8],
    name: Option<&std::sync::Arc<str>>,
    line: u64,
    parse_error: crate::json::ParseError,
) -> Problem {
    let name = name.cloned().unwrap_or_else(|| std::sync::Arc::from("?"));
    crate::read::line_units_owned(text.to_vec(), &name, line, false)
        .into_iter()
        .find_map(Result::err)
        .map_or_else(
            || {
                Problem::Read(ReadError {
                    location: Location {
                        file: name.clone(),
                        line,
                        pointer: String::new(),
                    },
                    kind: crate::read::ReadErrorKind::InvalidJson(parse_error.to_string()),
                })
            },
            Problem::Read,
        )
}

/// Index a plain JSON-lines file: lines that the index scan ([`crate::read::scan_release`])
/// finds to be releases ready to merge are kept as (file, offset, length, line) and re-read
/// when their ocid is merged, so the input is never copied into memory; other lines (packages,
/// 1.0 releases to upgrade, broken lines) go through the reader's general path.
///
/// The file is cut into blocks that the worker threads read and scan in parallel, a few at a
/// time (reading the file from one thread was the slowest part of the pass). A line belongs to
/// the block it starts in and is read whole, past the block's end if need be; line numbers are
/// put together from each block's count of newlines.
fn index_file(
    file: &IndexedFile,
    file_index: u32,
    block_size: usize,
    grouper: &mut Grouper,
    accept: &mut Accept<'_>,
) -> io::Result<()> {
    let size = file.file.metadata()?.len();
    let block_size = block_size as u64;
    let blocks = size.div_ceil(block_size);
    let window = (rayon::current_num_threads() as u64 * 2).max(2);
    let mut newlines_before = 0u64;
    let mut first = 0u64;
    while first < blocks {
        let last = (first + window).min(blocks);
        let indexed: Vec<io::Result<IndexedBlock>> = (first..last)
            .into_par_iter()
            .map(|b| index_block(&file.file, b * block_size, ((b + 1) * block_size).min(size)))
            .collect();
        for block in indexed {
            let block = block?;
            for line in block.lines {
                let number = newlines_before + line.newlines_before + 1;
                match line.kind {
                    LineKind::Release { ocid, offset, len } => accept(
                        Ok((
                            ocid,
                            Payload::File {
                                file: file_index,
                                offset,
                                len,
                                line: number,
                            },
                        )),
                        grouper,
                    )?,
                    LineKind::General { text, probe } => {
                        let units = crate::read::line_units_owned(text, &file.name, number, probe);
                        for release in units.into_iter().flat_map(unit_releases) {
                            accept(release.map(RawRelease::into_payload), grouper)?;
                        }
                    }
                }
            }
            newlines_before += block.newlines;
        }
        first = last;
    }
    Ok(())
}

/// The lines that start in one block of a file.
struct IndexedBlock {
    lines: Vec<BlockLine>,
    /// Newlines in the block (to number the lines of the blocks after it).
    newlines: u64,
}

struct BlockLine {
    /// Newlines between the block's start and the line's start.
    newlines_before: u64,
    kind: LineKind,
}

enum LineKind {
    /// A release ready to merge: its ocid, and where its text is (without BOM or trailing
    /// whitespace).
    Release { ocid: String, offset: u64, len: u32 },
    /// Anything else, for the general reader (with the strict probe first when `probe`).
    General { text: Vec<u8>, probe: bool },
}

/// Read and scan the lines that start in `start..end` of `file`.
fn index_block(file: &File, start: u64, end: u64) -> io::Result<IndexedBlock> {
    use crate::read::{Scan, is_blank, scan_release, strip_bom};
    // One buffer per worker, reused from block to block (fresh 8 MiB buffers would cost a
    // page fault per 4 KiB).
    thread_local! {
        static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BUFFER.with(|buffer| {
        let mut storage = buffer.borrow_mut();
        // From one byte before the block, to see whether a line starts right at `start`.
        let from = start.saturating_sub(1);
        let mut valid = read_at(file, &mut storage, 0, from, (end - from) as usize)?;
        let block_end = valid; // `end` in buffer coordinates (or the end of the file)
        // The last line starting in the block may run past its end: read until its newline.
        if storage[..valid].last() != Some(&b'\n') {
            loop {
                let got = read_at(file, &mut storage, valid, from + valid as u64, 1 << 16)?;
                valid += got;
                if got == 0 || memchr::memchr(b'\n', &storage[valid - got..valid]).is_some() {
                    break;
                }
            }
        }
        let buf = &storage[..valid];
        let base = (start - from) as usize; // `start` in buffer coordinates
        let newlines = memchr::memchr_iter(b'\n', &buf[base..block_end]).count() as u64;
        let mut lines = Vec::new();
        let mut at = if start == 0 {
            0
        } else {
            match memchr::memchr(b'\n', buf) {
                Some(p) => p + 1,
                None => buf.len(),
            }
        };
        let mut newlines_before = u64::from(at > base);
        while at < block_end {
            let stop = memchr::memchr(b'\n', &buf[at..]).map_or(buf.len(), |i| at + i + 1);
            let text = &buf[at..stop];
            if !is_blank(text) {
                let trimmed_len = text
                    .iter()
                    .rposition(|b| !b.is_ascii_whitespace())
                    .map_or(0, |i| i + 1);
                let bom = text.len() - strip_bom(text).len();
                let kind = match scan_release(strip_bom(&text[..trimmed_len])) {
                    Scan::Release(ocid) if u32::try_from(trimmed_len - bom).is_ok() => {
                        LineKind::Release {
                            ocid,
                            offset: from + (at + bom) as u64,
                            len: (trimmed_len - bom) as u32,
                        }
                    }
                    Scan::Release(_) | Scan::Doubtful => LineKind::General {
                        text: text.to_vec(),
                        probe: true,
                    },
                    Scan::General => LineKind::General {
                        text: text.to_vec(),
                        probe: false,
                    },
                };
                lines.push(BlockLine {
                    newlines_before,
                    kind,
                });
            }
            newlines_before += 1;
            at = stop;
        }
        Ok(IndexedBlock { lines, newlines })
    })
}

/// Read up to `len` bytes of `file` from `offset` into `buf[at..]`; how many were read (fewer
/// at the end of the file). `buf` only grows, so that its bytes are zeroed once, not per read.
fn read_at(
    file: &File,
    buf: &mut Vec<u8>,
    at: usize,
    offset: u64,
    len: usize,
) -> io::Result<usize> {
    if buf.len() < at + len {
        buf.resize(at + len, 0);
    }
    let mut got = 0;
    while got < len {
        match file.read_at(&mut buf[at + got..at + len], offset + got as u64) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// Takes one release to merge (its ocid and text) or one problem, on the reading side.
type Accept<'x> =
    dyn FnMut(Result<(String, Payload), Problem>, &mut Grouper) -> io::Result<()> + 'x;

/// Where the text of a release to merge is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Payload {
    /// In memory.
    Bytes(Vec<u8>),
    /// In an input file that stays open until the merge: index, byte offset, length, and line
    /// number (to report the line if it turns out not to be valid JSON when parsed).
    File {
        /// Index of the file among the indexed inputs.
        file: u32,
        /// Byte offset of the release text.
        offset: u64,
        /// Length of the release text.
        len: u32,
        /// Line number in the file (from 1).
        line: u64,
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

impl Group {
    /// The problem of a release of this group whose text cannot be read any more.
    fn corrupt(&self, message: String) -> Problem {
        Problem::Corrupt {
            ocid: self.ocid.clone(),
            message,
        }
    }
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
        Payload::File {
            file,
            offset,
            len,
            line,
        } => {
            writer.write_all(&[1])?;
            writer.write_all(&file.to_le_bytes())?;
            writer.write_all(&offset.to_le_bytes())?;
            writer.write_all(&len.to_le_bytes())?;
            writer.write_all(&line.to_le_bytes())
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
        let len = u32::from_le_bytes(u32_bytes);
        reader.read_exact(&mut u64_bytes)?;
        Payload::File {
            file,
            offset,
            len,
            line: u64::from_le_bytes(u64_bytes),
        }
    };
    Ok(Some((ocid, payload)))
}
