//! Sources turn a target into blobs of bytes with an origin. A source knows nothing about
//! rules: it hands each blob to a callback and counts what it skipped.

pub mod decode;
pub mod git;
pub mod linediff;
pub mod staged;
pub mod walk;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Bytes to scan and the path they are reported under (relative to the scan root).
pub struct Blob<'a> {
    pub bytes: &'a [u8],
    pub path: &'a str,
}

/// Counters shared by all worker threads of one scan; read once for the summary line.
#[derive(Default)]
pub struct Stats {
    pub files: AtomicU64,
    pub bytes: AtomicU64,
    pub skipped_binary: AtomicU64,
    pub skipped_large: AtomicU64,
    pub skipped_unreadable: AtomicU64,
    pub skipped_other: AtomicU64,
    pub decoded: AtomicU64,
    pub warnings: AtomicU64,
    warn_lines: Mutex<Vec<String>>,
}

impl Stats {
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }

    /// Records a warning; it is printed on stderr as one line (unless quiet) at once.
    pub fn warn(&self, quiet: bool, msg: String) {
        Stats::add(&self.warnings, 1);
        if !quiet {
            eprintln!("keysweep: warning: {msg}");
        }
        if let Ok(mut w) = self.warn_lines.lock() {
            if w.len() < 1000 {
                w.push(msg);
            }
        }
    }

    pub fn warnings(&self) -> Vec<String> {
        self.warn_lines
            .lock()
            .map(|w| w.clone())
            .unwrap_or_default()
    }

    /// Skip counts by kind, for the summary line; kinds with zero are left out.
    pub fn skips(&self) -> Vec<(&'static str, u64)> {
        [
            ("binary", Stats::get(&self.skipped_binary)),
            ("too large", Stats::get(&self.skipped_large)),
            ("unreadable", Stats::get(&self.skipped_unreadable)),
            ("other", Stats::get(&self.skipped_other)),
        ]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .collect()
    }
}
