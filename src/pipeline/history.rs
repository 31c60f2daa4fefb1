//! History scans: every unique blob once; the blobs with hits become findings at each place
//! they were introduced.

use super::Stages;
use crate::finding::Finding;
use crate::source::git::{self, HistoryOptions, Selection};
use crate::source::Stats;
use anyhow::Result;
use std::path::Path;

pub(super) fn scan(
    stages: &Stages,
    repo: &Path,
    selection: &Selection,
    timings: bool,
    stats: &Stats,
) -> Result<Vec<Finding>> {
    super::memory::for_history_scans();
    let opts = HistoryOptions {
        repo: repo.to_path_buf(),
        selection: selection.clone(),
        exclude: stages.exclude.clone(),
        max_file_size: stages.max_file_size,
        threads: stages.threads,
        quiet: stages.quiet,
        timings,
    };
    let history = git::scan(&opts, stats, &stages.progress, &|bytes| {
        let hits = stages.hits(bytes);
        (!hits.is_empty()).then_some(hits)
    })?;
    let mut findings = Vec::new();
    for (blob, origin) in &history.places {
        findings.extend(stages.findings(&history.payloads[*blob], origin));
    }
    Ok(findings)
}
