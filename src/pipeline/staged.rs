//! Staged scans: blobs of the index that differ from `HEAD`, findings on changed lines only.

use super::Stages;
use crate::finding::Finding;
use crate::source::staged::{self, StagedOptions};
use crate::source::Stats;
use anyhow::Result;
use std::path::PathBuf;
use std::sync::Mutex;

pub(super) fn scan(stages: &Stages, repo: Option<PathBuf>, stats: &Stats) -> Result<Vec<Finding>> {
    let opts = StagedOptions {
        repo,
        exclude: stages.exclude.clone(),
        max_file_size: stages.max_file_size,
        threads: stages.threads,
        quiet: stages.quiet,
    };
    let found = Mutex::new(Vec::new());
    staged::scan(&opts, stats, &|blob| {
        let hits = stages.hits(blob.bytes);
        let f = stages.findings(&hits, &blob.origin);
        if !f.is_empty() {
            found.lock().expect("findings lock").extend(f);
        }
    })?;
    Ok(found.into_inner().expect("findings lock"))
}
