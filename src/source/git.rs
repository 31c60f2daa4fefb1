//! Git history source (issue: scan --git). Being written.

use crate::cli::ScanTarget;
use crate::finding::Finding;
use crate::scanner::Scanner;
use crate::source::Stats;
use anyhow::Result;

/// Scans every unique blob reachable from the target's refs once and attributes findings.
pub fn scan(
    _target: &ScanTarget,
    _scanner: &Scanner,
    _stats: &Stats,
    _max_file_size: u64,
) -> Result<Vec<Finding>> {
    anyhow::bail!("--git is not implemented yet")
}
