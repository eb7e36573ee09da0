//! Reading JSON lines in blocks: plain or gzip (detected by its magic bytes), from a file or
//! standard input.
//!
//! Why blocks: parsing is spread over threads a block at a time, so memory stays flat however
//! long the file is (issue 6, "flat memory for the per-process part"), and a line's position is
//! `(block, line in block)`, which orders results by file order without counting lines on the
//! reading thread.

use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

/// Why the input could not be read (a malformed *line* is not an error of this kind: it is
/// reported with its line number and processing goes on).
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The file could not be opened or read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file (`-` for standard input).
        path: String,
        /// The cause.
        source: io::Error,
    },
    /// The gzip stream is corrupt.
    #[error("{path}: corrupt gzip stream: {source}")]
    Gzip {
        /// The file.
        path: String,
        /// The cause.
        source: io::Error,
    },
}

impl InputError {
    /// Stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            InputError::Io { .. } => "input.io",
            InputError::Gzip { .. } => "input.gzip",
        }
    }
}

/// A block of whole lines.
#[derive(Debug, Default)]
pub struct Block {
    /// Sequence number, from 0.
    pub index: u32,
    /// The bytes: whole lines, the last one possibly without its line break at the end of input.
    pub data: Vec<u8>,
}

/// Target block size. Big enough to amortise hand-offs between threads, small enough that a
/// few blocks in flight cost little memory.
pub const BLOCK_SIZE: usize = 1 << 20;

/// A source of blocks.
pub struct BlockReader {
    inner: Box<dyn Read + Send>,
    path: String,
    gzip: bool,
    carry: Vec<u8>,
    next_index: u32,
    done: bool,
}

impl BlockReader {
    /// Opens a path, or standard input for `-`.
    ///
    /// # Errors
    /// [`InputError::Io`] if the file cannot be opened.
    pub fn open(path: &Path) -> Result<BlockReader, InputError> {
        let name = path.display().to_string();
        if name == "-" {
            return BlockReader::new(Box::new(io::stdin()), "-");
        }
        let file = std::fs::File::open(path).map_err(|source| InputError::Io {
            path: name.clone(),
            source,
        })?;
        BlockReader::new(Box::new(file), &name)
    }

    /// Wraps any reader; gzip is detected from the first two bytes (`1f 8b`).
    ///
    /// # Errors
    /// [`InputError::Io`] if the first bytes cannot be read.
    pub fn new(reader: Box<dyn Read + Send>, name: &str) -> Result<BlockReader, InputError> {
        let mut buffered = BufReader::with_capacity(1 << 16, reader);
        let head = buffered.fill_buf().map_err(|source| InputError::Io {
            path: name.to_string(),
            source,
        })?;
        let gzip = head.len() >= 2 && head[0] == 0x1f && head[1] == 0x8b;
        let inner: Box<dyn Read + Send> = if gzip {
            Box::new(flate2::read::MultiGzDecoder::new(buffered))
        } else {
            Box::new(buffered)
        };
        Ok(BlockReader {
            inner,
            path: name.to_string(),
            gzip,
            carry: Vec::new(),
            next_index: 0,
            done: false,
        })
    }

    /// Whether the input was gzip-compressed.
    pub fn is_gzip(&self) -> bool {
        self.gzip
    }

    /// The next block of whole lines, or `None` at the end. `recycled` is an emptied buffer to
    /// reuse (avoids allocating a megabyte per block).
    ///
    /// # Errors
    /// [`InputError`] if reading fails.
    pub fn next_block(&mut self, recycled: Option<Vec<u8>>) -> Result<Option<Block>, InputError> {
        if self.done && self.carry.is_empty() {
            return Ok(None);
        }
        let mut data = recycled.unwrap_or_default();
        data.clear();
        data.reserve(BLOCK_SIZE + self.carry.len());
        data.extend_from_slice(&self.carry);
        self.carry.clear();
        let mut scanned = 0;
        let mut target = BLOCK_SIZE;
        loop {
            self.fill(&mut data, target)?;
            // Cut after the last line break; keep the rest for the next block. A line longer
            // than a block makes the block grow until the line ends.
            if let Some(pos) = memchr::memrchr(b'\n', &data[scanned..]) {
                let cut = scanned + pos + 1;
                self.carry.extend_from_slice(&data[cut..]);
                data.truncate(cut);
                break;
            }
            if self.done {
                break;
            }
            scanned = data.len();
            target = data.len() * 2;
        }
        if data.is_empty() {
            return Ok(None);
        }
        let index = self.next_index;
        self.next_index += 1;
        Ok(Some(Block { index, data }))
    }

    /// Reads until `data` holds `target` bytes or the input ends (into spare capacity, without
    /// zero-filling it first).
    fn fill(&mut self, data: &mut Vec<u8>, target: usize) -> Result<(), InputError> {
        if self.done || data.len() >= target {
            return Ok(());
        }
        let want = target - data.len();
        data.reserve(want);
        match (&mut self.inner).take(want as u64).read_to_end(data) {
            Ok(read) => {
                if read < want {
                    self.done = true;
                }
                Ok(())
            }
            Err(source) => {
                let path = self.path.clone();
                Err(if self.gzip {
                    InputError::Gzip { path, source }
                } else {
                    InputError::Io { path, source }
                })
            }
        }
    }
}

/// Iterates the lines of a block: `(line number within the block from 0, bytes without the
/// line break or a trailing carriage return)`, as `BufRead::lines` splits them in the reference.
pub fn lines(data: &[u8]) -> impl Iterator<Item = (u32, &[u8])> {
    let body = data.strip_suffix(b"\n").unwrap_or(data);
    let mut breaks = memchr::memchr_iter(b'\n', body);
    let mut start = 0;
    let mut done = data.is_empty();
    let mut number = 0u32;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let end = match breaks.next() {
            Some(end) => end,
            None => {
                done = true;
                body.len()
            }
        };
        let line = &body[start..end];
        start = end + 1;
        number += 1;
        Some((number - 1, line.strip_suffix(b"\r").unwrap_or(line)))
    })
}

/// The number of lines in a block (for turning positions into line numbers).
pub fn line_count(data: &[u8]) -> u32 {
    if data.is_empty() {
        return 0;
    }
    let breaks = memchr::memchr_iter(b'\n', data).count();
    (breaks + usize::from(data.last() != Some(&b'\n'))) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn all_blocks(reader: &mut BlockReader) -> Vec<u8> {
        let mut out = Vec::new();
        while let Some(block) = reader.next_block(None).unwrap() {
            out.extend_from_slice(&block.data);
        }
        out
    }

    #[test]
    fn blocks_cut_on_line_breaks_and_reassemble() {
        let mut text = Vec::new();
        for i in 0..200_000 {
            writeln!(text, "{{\"ocid\":\"{i}\"}}").unwrap();
        }
        text.extend_from_slice(b"{\"last\":true}");
        let mut reader = BlockReader::new(Box::new(io::Cursor::new(text.clone())), "mem").unwrap();
        let mut count = 0;
        let mut joined = Vec::new();
        while let Some(block) = reader.next_block(None).unwrap() {
            count += line_count(&block.data);
            for (_, line) in lines(&block.data) {
                assert!(!line.contains(&b'\n'));
            }
            joined.extend_from_slice(&block.data);
        }
        assert_eq!(joined, text);
        assert_eq!(count, 200_001);
    }

    #[test]
    fn gzip_is_detected_by_magic_bytes() {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder
            .write_all(b"{\"ocid\":\"a\"}\r\n{\"ocid\":\"b\"}\n")
            .unwrap();
        let gz = encoder.finish().unwrap();
        let mut reader = BlockReader::new(Box::new(io::Cursor::new(gz)), "mem.gz").unwrap();
        assert!(reader.is_gzip());
        let data = all_blocks(&mut reader);
        let got: Vec<&[u8]> = lines(&data).map(|(_, l)| l).collect();
        assert_eq!(
            got,
            vec![&b"{\"ocid\":\"a\"}"[..], &b"{\"ocid\":\"b\"}"[..]]
        );
    }

    #[test]
    fn corrupt_gzip_is_an_error_with_a_code() {
        let mut bytes = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];
        bytes.extend_from_slice(b"not deflate at all");
        let mut reader = BlockReader::new(Box::new(io::Cursor::new(bytes)), "bad.gz").unwrap();
        let error = loop {
            match reader.next_block(None) {
                Ok(Some(_)) => continue,
                Ok(None) => panic!("corrupt gzip accepted"),
                Err(e) => break e,
            }
        };
        assert_eq!(error.code(), "input.gzip");
    }

    #[test]
    fn long_lines_grow_the_block() {
        let long = "x".repeat(BLOCK_SIZE * 3);
        let text = format!("{long}\nshort\n");
        let mut reader =
            BlockReader::new(Box::new(io::Cursor::new(text.clone().into_bytes())), "mem").unwrap();
        let first = reader.next_block(None).unwrap().unwrap();
        assert!(
            first.data.len() > BLOCK_SIZE * 3,
            "the block grew to hold the long line"
        );
        assert!(first.data.ends_with(b"\n"));
        let mut joined = first.data.clone();
        while let Some(block) = reader.next_block(None).unwrap() {
            joined.extend_from_slice(&block.data);
        }
        assert_eq!(joined, text.as_bytes());
    }
}
