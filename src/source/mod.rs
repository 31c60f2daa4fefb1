//! Sources turn a target into blobs of bytes with an origin: a directory walk (`walk`), the
//! staged index against `HEAD` (`staged`), git history (`git`), or standard input (`stdin`). A source knows nothing
//! about rules, findings or filters, nor about the command line: it is given a plain options
//! struct, hands each blob to a callback and counts what it skipped.

pub mod decode;
pub mod git;
pub mod linediff;
mod mapped_index;
pub mod parts;
pub mod staged;
mod stats;
pub mod stdin;
pub mod walk;

use serde::Serialize;
use std::ops::RangeInclusive;

pub use stats::Stats;

/// Bytes to scan and where they came from.
pub struct Blob<'a> {
    pub bytes: &'a [u8],
    pub origin: Origin,
    /// For a large file read in parts: which part of it these bytes are (None: all of it).
    pub part: Option<Part>,
}

/// One part of a large file. Parts start on a line boundary and overlap their neighbours,
/// so a secret near a seam is seen whole by the part that owns its first byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// Lines of the file before these bytes.
    pub lines_before: usize,
    /// The byte range of these bytes whose matches this part reports.
    pub owns: std::ops::Range<usize>,
}

/// Where a blob was found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Origin {
    /// The path as the user gave it, the way ripgrep prints it (`scan src` reports
    /// `src/config.py`), `/`-separated. History and staged scans: relative to the repository.
    pub path: String,
    /// The path relative to the root of the repository holding the file, when there is one:
    /// the stable part of a fingerprint and the URI code scanning places alerts by.
    pub repo_path: Option<String>,
    /// History scans: the commit that introduced this content at this path.
    pub commit: Option<CommitInfo>,
    /// Staged and range scans: only these lines (1-based, inclusive) are new; a secret on
    /// other lines was there before and is not reported.
    pub changed_lines: Option<Vec<RangeInclusive<usize>>>,
    /// History scans: topological position of the commit (lower is older); 0 elsewhere.
    pub order: usize,
}

impl Origin {
    /// An origin for a file at `path` (`repo_path` when it lies in a repository).
    pub fn file(path: String, repo_path: Option<String>) -> Origin {
        Origin {
            path,
            repo_path,
            ..Origin::default()
        }
    }

    /// The path that identifies the file whatever the working directory.
    pub fn stable_path(&self) -> &str {
        self.repo_path.as_deref().unwrap_or(&self.path)
    }

    /// True when a match spanning lines `first..=last` is on a changed line (always true
    /// when the origin does not restrict lines).
    pub fn is_changed(&self, first: usize, last: usize) -> bool {
        match &self.changed_lines {
            None => true,
            Some(ranges) => linediff::touches(ranges, first, last),
        }
    }
}

/// The commit that introduced a blob at a path (git history scans).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitInfo {
    pub id: String,
    pub author_name: String,
    pub author_email: String,
    /// Author date, RFC 3339.
    pub date: String,
    /// First line of the commit message.
    pub summary: String,
}

/// Hands a whole file's bytes on as one blob: binary is skipped and counted, UTF-16 decoded,
/// the rest counted as scanned. The tree walk and standard input read files the same way.
/// Returns whether the bytes were scanned.
pub(crate) fn emit_whole_file(
    buf: &[u8],
    origin: Origin,
    stats: &Stats,
    on_blob: &mut dyn FnMut(Blob<'_>),
) -> bool {
    let text = decode::prepare(buf);
    if decode::is_decoded(&text) {
        Stats::add(&stats.decoded, 1);
    }
    match text {
        decode::Text::Binary => {
            Stats::add(&stats.skipped_binary, 1);
            false
        }
        decode::Text::Scan(bytes) => {
            Stats::add(&stats.files, 1);
            Stats::add(&stats.bytes, buf.len() as u64);
            on_blob(Blob {
                bytes: &bytes,
                origin,
                part: None,
            });
            true
        }
    }
}
