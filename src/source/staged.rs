//! Staged-changes source (issue: scan --staged). Being written.

use crate::cli::ScanTarget;
use crate::finding::Finding;
use crate::scanner::Scanner;
use crate::source::Stats;
use anyhow::Result;

/// Scans the index against HEAD, reporting only secrets on added or changed lines.
pub fn scan(
    _target: &ScanTarget,
    _scanner: &Scanner,
    _stats: &Stats,
    _max_file_size: u64,
) -> Result<Vec<Finding>> {
    anyhow::bail!("--staged is not implemented yet")
}
