//! The scan pipeline, the one place where the stages meet:
//!
//! ```text
//! source ──► blob ──► engine ──► hit ──► finding ──► filters ──► aggregate
//! ```
//!
//! A source (`source::walk`, `source::staged`, `source::git`, `source::stdin`) hands over
//! blobs with their
//! origin; the engine finds matches in the bytes; `finding` places them and gives them an
//! origin and a fingerprint; the filter stage drops what the user allowed; `aggregate` merges
//! what several places say about one secret. Commands describe a scan with [`ScanOptions`]
//! (plain data, no command-line types) and report the [`Outcome`].

mod background;
mod history;
mod memory;
mod staged;
mod stdin;
pub mod sweep;
mod tree;
mod trust;

use crate::config::{self, ConfigRequest};
use crate::engine::RuleSet;
use crate::filter::baseline::AnyBaseline;
use crate::filter::gitleaksignore::{self, GitleaksIgnore};
use crate::filter::Filters;
use crate::finding::{self, place_matches, Aggregation, Finding, Hit};
use crate::pathfilter::{PathFilter, PathFilterBuilder};
use crate::progress::Progress;
use crate::source::{Blob, Origin, Stats};
use anyhow::Result;
use background::Background;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use crate::source::git::Selection;

/// What to scan.
#[derive(Debug, Clone)]
pub enum Mode {
    /// Files and directories (none: the current directory).
    Tree { paths: Vec<PathBuf> },
    /// The history of the repository at or above `repo`.
    History { repo: PathBuf, selection: Selection },
    /// What `git commit` is about to record (`repo` None: the current directory, or
    /// `$GIT_DIR` when git runs us as a hook).
    Staged { repo: Option<PathBuf> },
    /// Standard input as one blob, reported as `name` (path rules apply to it) or `<stdin>`.
    Stdin { name: Option<String> },
}

/// Everything a scan needs to know, as plain data.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub mode: Mode,
    /// Gitignore-style globs of paths to skip (`--exclude`).
    pub exclude: Vec<String>,
    /// Do not honour `.gitignore` / `.ignore` files (tree scans).
    pub no_ignore: bool,
    /// Honour `.gitignore` outside a git repository too (`--no-require-git`).
    pub no_require_git: bool,
    /// Follow symbolic links in tree scans (never outside the roots).
    pub follow: bool,
    pub max_file_size: Option<u64>,
    /// `--config`; None: `.keysweep.toml` at the scanned root.
    pub config: Option<PathBuf>,
    pub baseline: Option<PathBuf>,
    pub threads: Option<usize>,
    pub quiet: bool,
    /// List every place that holds each secret.
    pub all_locations: bool,
    /// Print how long each phase took.
    pub timings: bool,
    /// Drop findings of rules less confident than this (None: report every level).
    pub min_confidence: Option<crate::rules::Confidence>,
}

impl ScanOptions {
    /// A tree scan of `paths` with every other option at its default.
    pub fn tree(paths: Vec<PathBuf>) -> ScanOptions {
        ScanOptions {
            mode: Mode::Tree { paths },
            exclude: Vec::new(),
            no_ignore: false,
            no_require_git: false,
            follow: false,
            max_file_size: None,
            config: None,
            baseline: None,
            threads: None,
            quiet: false,
            all_locations: false,
            timings: false,
            min_confidence: None,
        }
    }
}

/// What a scan produced, before reporting.
pub struct Outcome {
    /// Filtered, aggregated, sorted for reports.
    pub findings: Vec<Finding>,
    pub stats: Stats,
    pub elapsed: Duration,
    pub rules: RuleSet,
    /// What was scanned, for the summary line ("files", "blobs").
    pub unit: &'static str,
    /// The top of the repository the scan was in, if any: SARIF's `%SRCROOT%`.
    pub repo_root: Option<PathBuf>,
    /// What the report must say besides findings (e.g. a range that changes its own config).
    pub notices: Vec<String>,
}

/// What every stage of one scan shares.
struct Stages {
    /// Built in the background while the source gets ready; see [`Stages::rules`].
    rules: Background<RuleSet>,
    /// Shared by the repositories of a sweep.
    filters: Arc<Filters>,
    exclude: PathFilter,
    max_file_size: u64,
    threads: usize,
    quiet: bool,
    /// The scan's one progress display; the sources report into it.
    progress: Progress,
}

impl Stages {
    /// The rule set (waits for its build the first time).
    fn rules(&self) -> &RuleSet {
        self.rules.get()
    }

    /// The engine's matches in `bytes`, placed, minus those the content-only filters drop.
    /// Depends on content only, so a git blob seen at many paths is scanned once.
    fn hits(&self, bytes: &[u8]) -> Vec<Hit> {
        let rules = self.rules();
        let all = rules.scan(bytes);
        let kept: Vec<_> = all
            .iter()
            .filter(|m| self.filters.keeps_match(bytes, m, &rules.rule(m.rule).id))
            .cloned()
            .collect();
        if kept.is_empty() {
            return Vec::new();
        }
        let mut hits = place_matches(rules, bytes, &kept, &all);
        hits.retain(|h| self.filters.keeps_hit_in(h, bytes));
        hits
    }

    /// [`Stages::hits`] of a file's blob; for one part of a large file, only those that start
    /// in its own range, at file lines.
    fn blob_hits(&self, blob: &Blob<'_>) -> Vec<Hit> {
        let mut hits = self.hits(blob.bytes);
        if let Some(part) = &blob.part {
            hits.retain(|h| part.owns.contains(&h.start));
            for h in &mut hits {
                h.line += part.lines_before;
                h.end_line += part.lines_before;
            }
        }
        hits
    }

    /// The findings `hits` make at `origin`: on its changed lines only, and filtered.
    fn findings(&self, hits: &[Hit], origin: &Origin) -> Vec<Finding> {
        hits.iter()
            .filter(|h| origin.is_changed(h.line, h.end_line))
            .map(|h| Finding::new(h.clone(), origin))
            .filter(|f| self.filters.keeps(f))
            .collect()
    }
}

/// Runs the scan `opts` asks for and returns the filtered, sorted findings.
pub fn run(opts: &ScanOptions) -> Result<Outcome> {
    let started = Instant::now();
    let repo_root = match &opts.mode {
        Mode::Tree { paths } => repo_top(paths.first().map_or(Path::new("."), PathBuf::as_path)),
        Mode::History { repo, .. } => repo_top(repo),
        Mode::Staged { repo } => repo_top(repo.as_deref().unwrap_or(Path::new("."))),
        Mode::Stdin { .. } => repo_top(Path::new(".")),
    };
    let config_root = match &opts.mode {
        Mode::Tree { paths } => match paths.first() {
            None => Some(PathBuf::from(".")),
            Some(p) if p.is_dir() => Some(p.clone()),
            Some(_) => None,
        },
        Mode::History { repo, .. } => repo_root.clone().or_else(|| Some(repo.clone())),
        // Named input is placed relative to its repository, where the config is.
        Mode::Staged { .. } | Mode::Stdin { .. } => {
            repo_root.clone().or_else(|| Some(PathBuf::from(".")))
        }
    };
    let stats = Stats::default();
    let trust = match &opts.mode {
        Mode::History {
            repo,
            selection: Selection::Range(range),
        } => trust::check(
            repo,
            repo_root.as_deref(),
            range,
            opts.config.is_some(),
            opts.baseline.as_deref(),
            &stats,
            opts.quiet,
        )?,
        _ => trust::RangeTrust::default(),
    };
    let cfg = config::load(&ConfigRequest {
        explicit: opts.config.as_deref(),
        text: trust.config,
        root: config_root.as_deref(),
        max_file_size: opts.max_file_size,
        quiet: opts.quiet,
    })?;
    let exclude = exclude_filter(&opts.exclude, &cfg.exclude)?;
    let baseline = load_baseline(opts.baseline.as_deref())?;
    let gitleaks_ignore = match trust.gitleaks_ignore {
        Some(at_base) => at_base.map_or_else(GitleaksIgnore::default, |(name, text)| {
            parse_gitleaks_ignore(&name, &text, &stats, opts.quiet)
        }),
        None => load_gitleaks_ignore(config_root.as_deref(), &stats, opts.quiet)?,
    };
    let stages = Stages {
        rules: Background::spawn("rule set", move || RuleSet::new(cfg.rules))?,
        filters: Arc::new(Filters {
            allowlist: cfg.allowlist,
            gitleaks_ignore,
            baseline,
            min_confidence: opts.min_confidence,
        }),
        exclude,
        max_file_size: cfg.max_file_size,
        threads: threads(opts.threads, opts.quiet),
        quiet: opts.quiet,
        progress: Progress::new(opts.quiet),
    };
    let (findings, unit, one_per_fingerprint) = match &opts.mode {
        Mode::Tree { paths } => (
            tree::scan(
                &stages,
                paths,
                opts.no_ignore,
                opts.no_require_git,
                opts.follow,
                &stats,
            )?,
            "files",
            false,
        ),
        Mode::History { repo, selection } => (
            history::scan(&stages, repo, selection, opts.timings, &stats)?,
            "blobs",
            true,
        ),
        Mode::Staged { repo } => (
            staged::scan(&stages, repo.clone(), &stats)?,
            "staged files",
            false,
        ),
        Mode::Stdin { name } => (stdin::scan(&stages, name.clone(), &stats)?, "files", false),
    };
    stages.progress.finish();
    for e in stages.rules().errors() {
        stats.warn(opts.quiet, e);
    }
    let mut findings = findings;
    crate::filter::docs_example::drop_repeated_in_docs(&mut findings);
    let mut findings = finding::aggregate(
        findings,
        Aggregation {
            one_per_fingerprint,
            all_locations: opts.all_locations,
        },
    );
    finding::sort_for_report(&mut findings);
    Ok(Outcome {
        findings,
        stats,
        elapsed: started.elapsed(),
        rules: stages.rules.into_inner(),
        unit,
        repo_root,
        notices: trust.notices,
    })
}

/// The path filter of a scan: `--exclude` globs, then the config's `exclude`.
fn exclude_filter(flags: &[String], config: &[(String, String)]) -> Result<PathFilter> {
    let mut exclude = PathFilterBuilder::default();
    for g in flags {
        exclude.add(g, "--exclude")?;
    }
    for (g, origin) in config {
        exclude.add(g, origin)?;
    }
    exclude.build()
}

fn load_baseline(path: Option<&Path>) -> Result<Option<AnyBaseline>> {
    path.map(AnyBaseline::load).transpose()
}

/// `.gitleaksignore` at the scanned root (the repository top for `--git`/`--staged`), read
/// only as a regular file there, like `.keysweep.toml`.
fn load_gitleaks_ignore(root: Option<&Path>, stats: &Stats, quiet: bool) -> Result<GitleaksIgnore> {
    let Some(path) = root.map(|r| r.join(gitleaksignore::FILE_NAME)) else {
        return Ok(GitleaksIgnore::default());
    };
    match std::fs::symlink_metadata(&path) {
        Ok(meta) if meta.is_file() => {}
        Ok(meta) => {
            stats.warn(
                quiet,
                format!(
                    "{} ignored: it is {}, not a regular file",
                    path.display(),
                    crate::safefs::kind(&meta.file_type())
                ),
            );
            return Ok(GitleaksIgnore::default());
        }
        Err(_) => return Ok(GitleaksIgnore::default()),
    }
    let text = crate::safefs::read_text(&path, false, gitleaksignore::MAX_FILE_BYTES)?;
    Ok(parse_gitleaks_ignore(
        &path.display().to_string(),
        &text,
        stats,
        quiet,
    ))
}

fn parse_gitleaks_ignore(name: &str, text: &str, stats: &Stats, quiet: bool) -> GitleaksIgnore {
    let (ignore, warnings) = GitleaksIgnore::parse(name, text);
    for w in warnings {
        stats.warn(quiet, w);
    }
    ignore
}

/// More threads than this only cost memory and start-up (each has its buffers and, for
/// history scans, a repository handle).
pub const MAX_THREADS: usize = 256;

/// Worker threads: the request (at most [`MAX_THREADS`], with a warning) or every core.
fn threads(requested: Option<usize>, quiet: bool) -> usize {
    match requested {
        Some(n) if n > MAX_THREADS => {
            if !quiet {
                crate::progress::eprintln_above(&format!(
                    "keysweep: warning: --threads {n} capped at {MAX_THREADS}"
                ));
            }
            MAX_THREADS
        }
        Some(n) => n.max(1),
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    }
}

/// The top of the git work tree (or bare repository) at or above `start`, cheaply: the
/// nearest directory holding `.git`, else one that is itself a git directory.
fn repo_top(start: &Path) -> Option<PathBuf> {
    let abs = std::fs::canonicalize(start).ok()?;
    let dir = if abs.is_file() { abs.parent()? } else { &abs };
    dir.ancestors()
        .find(|d| {
            d.join(".git").exists() || (d.join("HEAD").is_file() && d.join("objects").is_dir())
        })
        .map(Path::to_path_buf)
}
