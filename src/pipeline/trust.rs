//! CI trust: a range scan (`--range A..B`, `--since-commit`) reviews commits that may come
//! from anyone, so its configuration is read from the base side `A`, never from the commits
//! under review, unless `--config` names a file. A range that changes the configuration or the
//! baseline it is scanned with is said so: in a warning and in the report.

use crate::config::FILE_NAME;
use crate::source::git::file_at_range_base;
use crate::source::Stats;
use anyhow::Result;
use std::path::Path;

/// What the trust rule decided for one range scan.
#[derive(Default)]
pub(super) struct RangeTrust {
    /// The config text to use instead of the working tree's (`Some(None)`: none at the base).
    pub config: Option<Option<(String, String)>>,
    /// Notices for the report.
    pub notices: Vec<String>,
}

pub(super) fn check(
    repo: &Path,
    repo_top: Option<&Path>,
    range: &str,
    explicit_config: bool,
    baseline: Option<&Path>,
    stats: &Stats,
    quiet: bool,
) -> Result<RangeTrust> {
    let mut out = RangeTrust::default();
    let base = range.split_once("..").map_or(range, |(a, _)| a);
    let base = if base.is_empty() { "HEAD" } else { base };
    let at_base = file_at_range_base(repo, range, FILE_NAME)?;
    if !explicit_config {
        out.config = Some(at_base.content.map(|bytes| {
            (
                format!("{base}:{FILE_NAME}"),
                String::from_utf8_lossy(&bytes).into_owned(),
            )
        }));
        if at_base.changed {
            out.notices.push(format!(
                "the range {range} changes {FILE_NAME}; the scan used its version at {base} \
                 (the commits under review cannot change how they are scanned)"
            ));
        }
    }
    if let (Some(b), Some(top)) = (baseline, repo_top) {
        let abs = std::fs::canonicalize(b).ok();
        let rel = abs.as_deref().and_then(|a| a.strip_prefix(top).ok());
        if let Some(rel) = rel {
            let rel = rel.to_string_lossy().replace('\\', "/");
            if file_at_range_base(repo, range, &rel)?.changed {
                out.notices.push(format!(
                    "the range {range} changes the baseline {rel}: findings it suppresses may \
                     have been added to it by the commits under review"
                ));
            }
        }
    }
    for n in &out.notices {
        stats.warn(quiet, n.clone());
    }
    Ok(out)
}
