//! Tree scans: the directory walk's files, each scanned where it is read.

use super::Stages;
use crate::finding::Finding;
use crate::source::walk::{self, WalkOptions};
use crate::source::Stats;
use anyhow::Result;
use std::path::PathBuf;
use std::sync::Mutex;

pub(super) fn scan(
    stages: &Stages,
    paths: &[PathBuf],
    no_ignore: bool,
    no_require_git: bool,
    follow: bool,
    stats: &Stats,
) -> Result<Vec<Finding>> {
    let opts = WalkOptions {
        roots: paths.to_vec(),
        exclude: stages.exclude.clone(),
        no_ignore,
        no_require_git,
        follow,
        max_file_size: stages.max_file_size,
        threads: stages.threads,
        quiet: stages.quiet,
    };
    let found = Mutex::new(Vec::new());
    let progress = &stages.progress;
    progress.phase("files", None);
    walk::walk(
        &opts,
        stats,
        &|blob| {
            let hits = stages.blob_hits(&blob);
            if hits.is_empty() {
                return;
            }
            let f = stages.findings(&hits, &blob.origin);
            if !f.is_empty() {
                found.lock().expect("findings lock").extend(f);
            }
        },
        &|bytes| progress.advance(1, bytes),
    )?;
    Ok(found.into_inner().expect("findings lock"))
}
