//! Counters shared by all worker threads of one scan, and its warnings.

use std::sync::atomic::{AtomicU64, Ordering};

/// Counters shared by all worker threads of one scan; read once for the summary line.
#[derive(Default)]
pub struct Stats {
    pub files: AtomicU64,
    pub bytes: AtomicU64,
    pub skipped_binary: AtomicU64,
    pub skipped_large: AtomicU64,
    pub skipped_unreadable: AtomicU64,
    pub skipped_other: AtomicU64,
    /// Symbolic links not followed (or, with `--follow`, leading outside the roots).
    pub skipped_symlinks: AtomicU64,
    /// FIFOs, sockets, devices: never opened.
    pub skipped_special: AtomicU64,
    pub decoded: AtomicU64,
    pub warnings: AtomicU64,
    /// The first [`KEPT_WARNINGS`] warning messages, for reports that list them (SARIF
    /// notifications); the count above has them all.
    kept: std::sync::Mutex<Vec<String>>,
}

/// How many warning messages a scan keeps for its report: enough to see what went wrong,
/// bounded when every file of a huge tree warns.
pub const KEPT_WARNINGS: usize = 100;

impl Stats {
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }

    /// Records a warning and, unless quiet, prints it as one line on stderr at once (above
    /// the progress display, which it would otherwise garble).
    pub fn warn(&self, quiet: bool, msg: String) {
        Stats::add(&self.warnings, 1);
        if !quiet {
            crate::progress::eprintln_above(&format!("keysweep: warning: {msg}"));
        }
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if kept.len() < KEPT_WARNINGS {
            kept.push(msg);
        }
    }

    /// The warning messages kept for the report, in the order they were given.
    pub fn warning_messages(&self) -> Vec<String> {
        self.kept.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Inputs that could not be read or decoded: the scan is incomplete by this many.
    pub fn errors(&self) -> u64 {
        Stats::get(&self.skipped_unreadable)
    }

    /// Skip counts by kind, for the summary line; kinds with zero are left out.
    pub fn skips(&self) -> Vec<(&'static str, u64)> {
        [
            ("binary", Stats::get(&self.skipped_binary)),
            ("too large", Stats::get(&self.skipped_large)),
            ("unreadable", Stats::get(&self.skipped_unreadable)),
            ("symlinks", Stats::get(&self.skipped_symlinks)),
            ("special files", Stats::get(&self.skipped_special)),
            ("other", Stats::get(&self.skipped_other)),
        ]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .collect()
    }
}
