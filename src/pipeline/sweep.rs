//! The pipeline of a sweep (`keysweep sweep`): one rule set and one set of filters for every
//! repository, built once, then each repository's history scanned with it. A scanned
//! repository's own `.keysweep.toml` and `.gitleaksignore` are not read: in an org-wide
//! sweep the repositories are what is being audited, and one of them must not be able to
//! allowlist its own secrets. `--config` applies to all of them.

use super::background::Background;
use super::{exclude_filter, load_baseline, threads, Stages};
use crate::config::{self, ConfigRequest};
use crate::engine::RuleSet;
use crate::filter::gitleaksignore::GitleaksIgnore;
use crate::filter::Filters;
use crate::finding::Finding;
use crate::progress::Progress;
use crate::source::git::{self, BlobSet, HistoryOptions, Selection};
use crate::source::Stats;
use anyhow::Result;
use std::path::{Path, PathBuf};

/// What every repository of a sweep is scanned with, as plain data.
#[derive(Debug, Clone, Default)]
pub struct SweepScanOptions {
    pub config: Option<PathBuf>,
    pub baseline: Option<PathBuf>,
    pub exclude: Vec<String>,
    pub max_file_size: Option<u64>,
    /// Worker threads of one repository's scan.
    pub threads: Option<usize>,
    pub min_confidence: Option<crate::rules::Confidence>,
}

/// The stages of a sweep. Each repository is scanned with stages of its own, built from the
/// same options: a rule set shared by every scan kept the regex caches of every scanning
/// thread the sweep ever started (the regex crate pools a cache per thread slot, and each
/// repository's scan starts new threads), so a sweep of many repositories one at a time
/// grew to well above the largest single scan. The report's rule set (SARIF rule
/// descriptors, the redactor) is built once; every rule set holds the same rules in the
/// same order, so rule indices agree.
pub struct SweepPipeline {
    opts: SweepScanOptions,
    report_rules: RuleSet,
}

/// One repository's scan.
pub struct RepoScan {
    /// Every finding at every place it was introduced (not aggregated: the caller keeps
    /// each blob that holds a fingerprint, then aggregates).
    pub findings: Vec<Finding>,
    /// Incremental scans: every reachable blob (see [`git::scan_incremental`]); empty
    /// otherwise.
    pub reachable: Vec<gix::ObjectId>,
    /// Blobs not scanned because an earlier sweep had.
    pub skipped_known: usize,
}

fn stages(opts: &SweepScanOptions) -> Result<Stages> {
    let cfg = config::load(&ConfigRequest {
        explicit: opts.config.as_deref(),
        text: None,
        root: None,
        max_file_size: opts.max_file_size,
        quiet: true,
    })?;
    let exclude = exclude_filter(&opts.exclude, &cfg.exclude)?;
    let baseline = load_baseline(opts.baseline.as_deref())?;
    Ok(Stages {
        rules: Background::spawn("rule set", move || RuleSet::new(cfg.rules))?,
        filters: Filters {
            allowlist: cfg.allowlist,
            gitleaks_ignore: GitleaksIgnore::default(),
            baseline,
            min_confidence: opts.min_confidence,
        },
        exclude,
        max_file_size: cfg.max_file_size,
        threads: threads(opts.threads, true),
        // The sweep draws its own progress (repositories done of total); the repositories
        // scanned side by side must not fight over one display.
        quiet: true,
        progress: Progress::inert(),
    })
}

impl SweepPipeline {
    /// Checks the options (config, globs, baseline) once, before any repository.
    pub fn new(opts: &SweepScanOptions) -> Result<SweepPipeline> {
        super::memory::for_history_scans();
        let report_rules = stages(opts)?.rules.into_inner();
        Ok(SweepPipeline {
            opts: opts.clone(),
            report_rules,
        })
    }

    /// The rules, for reports.
    pub fn rules(&self) -> &RuleSet {
        &self.report_rules
    }

    /// Scans the history of every ref of `repo`, skipping the blobs in `known` and then
    /// listing every reachable blob (incremental sweeps; None: a plain history scan).
    /// Warnings are counted and kept in `stats`, not printed: the caller names the
    /// repository.
    pub fn scan(&self, repo: &Path, known: Option<&BlobSet>, stats: &Stats) -> Result<RepoScan> {
        let scanned = self.scan_with_own_stages(repo, known, stats);
        super::memory::return_freed();
        scanned
    }

    fn scan_with_own_stages(
        &self,
        repo: &Path,
        known: Option<&BlobSet>,
        stats: &Stats,
    ) -> Result<RepoScan> {
        let stages = &stages(&self.opts)?;
        let opts = HistoryOptions {
            repo: repo.to_path_buf(),
            selection: Selection::All,
            exclude: stages.exclude.clone(),
            max_file_size: stages.max_file_size,
            threads: stages.threads,
            quiet: true,
            timings: false,
        };
        let inspect = |bytes: &[u8]| {
            let hits = stages.hits(bytes);
            (!hits.is_empty()).then_some(hits)
        };
        let history = match known {
            Some(known) => git::scan_incremental(&opts, known, stats, &stages.progress, &inspect)?,
            None => git::scan(&opts, stats, &stages.progress, &inspect)?,
        };
        let mut findings = Vec::new();
        for (blob, origin) in &history.places {
            let id = history.payload_blobs[*blob].to_string();
            for mut f in stages.findings(&history.payloads[*blob], origin) {
                f.blob = Some(id.clone());
                findings.push(f);
            }
        }
        for e in stages.rules().errors() {
            stats.warn(true, e);
        }
        crate::filter::docs_example::drop_repeated_in_docs(&mut findings);
        Ok(RepoScan {
            findings,
            reachable: history.reachable,
            skipped_known: history.skipped_known,
        })
    }
}
