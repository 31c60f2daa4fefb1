//! Standard-input scans: one blob, placed and filtered as a file at its `--stdin-name` would be.

use super::Stages;
use crate::finding::Finding;
use crate::source::stdin::{self, StdinOptions};
use crate::source::Stats;
use anyhow::Result;

pub(super) fn scan(stages: &Stages, name: Option<String>, stats: &Stats) -> Result<Vec<Finding>> {
    let opts = StdinOptions {
        name,
        exclude: stages.exclude.clone(),
        max_file_size: stages.max_file_size,
        quiet: stages.quiet,
    };
    let mut found = Vec::new();
    stdin::scan(&opts, stats, &mut |blob| {
        let hits = stages.blob_hits(&blob);
        found.extend(stages.findings(&hits, &blob.origin));
    })?;
    Ok(found)
}
