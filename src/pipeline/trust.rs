//! CI trust: a range scan (`--range A..B`, `--since-commit`) reviews commits that may come
//! from anyone, so its configuration is read from the base side `A`, never from the commits
//! under review, unless `--config` names a file. A range that changes the configuration or the
//! baseline it is scanned with is said so: in a warning and in the report. The same holds
//! for what users bring from gitleaks: `.gitleaksignore`, and `.gitleaks.toml` when the base
//! has no `.keysweep.toml`.

use crate::config::{gitleaks, FILE_NAME};
use crate::filter::gitleaksignore;
use crate::source::git::file_at_range_base;
use crate::source::Stats;
use anyhow::Result;
use std::path::Path;

/// What the trust rule decided for one range scan.
#[derive(Default)]
pub(super) struct RangeTrust {
    /// The config text to use instead of the working tree's (`Some(None)`: none at the base).
    pub config: Option<Option<(String, String)>>,
    /// `.gitleaksignore` at the base (`Some(None)`: none there); None: not a range scan.
    pub gitleaks_ignore: Option<Option<(String, String)>>,
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
    let at_base = |file: &str| -> Result<(Option<(String, String)>, bool)> {
        let found = file_at_range_base(repo, range, file)?;
        let text = found.content.map(|bytes| {
            (
                format!("{base}:{file}"),
                String::from_utf8_lossy(&bytes).into_owned(),
            )
        });
        Ok((text, found.changed))
    };
    let changed = |file: &str| {
        format!(
            "the range {range} changes {file}; the scan used its version at {base} \
             (the commits under review cannot change how they are scanned)"
        )
    };
    if !explicit_config {
        let (mut config, config_changed) = at_base(FILE_NAME)?;
        if config_changed {
            out.notices.push(changed(FILE_NAME));
        }
        if config.is_none() {
            // No `.keysweep.toml` at the base: its `.gitleaks.toml` is the config (config.rs
            // tells the two apart by name).
            let (gitleaks, gitleaks_changed) = at_base(gitleaks::FILE_NAME)?;
            if gitleaks_changed {
                out.notices.push(changed(gitleaks::FILE_NAME));
            }
            config = gitleaks;
        }
        out.config = Some(config);
    }
    let (ignore, ignore_changed) = at_base(gitleaksignore::FILE_NAME)?;
    if ignore_changed {
        out.notices.push(changed(gitleaksignore::FILE_NAME));
    }
    out.gitleaks_ignore = Some(ignore);
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
