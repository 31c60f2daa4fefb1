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
use crate::pathfilter::PathFilter;
use crate::progress::Progress;
use crate::source::git::{self, BlobSet, HistoryOptions, Selection};
use crate::source::Stats;
use anyhow::Result;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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

/// The stages of a sweep, built once: the config, the filters and the rule set. Each
/// repository is scanned with a fresh rule set over the same rules ([`RuleSet::fresh`]): one
/// set shared by every scan kept the regex caches of every scanning thread the sweep ever
/// started (the regex crate pools a cache per thread slot, and each repository's scan starts
/// new threads), so a sweep of many repositories one at a time grew to well above the
/// largest single scan. The rules and their keyword search are held once, not once per
/// repository scanned at the same time. The report's rule set (SARIF rule descriptors, the
/// redactor) is the one the fresh sets are made from, so rule indices agree.
pub struct SweepPipeline {
    report_rules: RuleSet,
    filters: Arc<Filters>,
    exclude: PathFilter,
    max_file_size: u64,
    threads: usize,
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

impl SweepPipeline {
    /// Checks the options (config, globs, baseline) once, before any repository.
    pub fn new(opts: &SweepScanOptions) -> Result<SweepPipeline> {
        super::memory::for_history_scans();
        let cfg = config::load(&ConfigRequest {
            explicit: opts.config.as_deref(),
            text: None,
            root: None,
            max_file_size: opts.max_file_size,
            quiet: true,
        })?;
        let exclude = exclude_filter(&opts.exclude, &cfg.exclude)?;
        let baseline = load_baseline(opts.baseline.as_deref())?;
        Ok(SweepPipeline {
            report_rules: RuleSet::new(cfg.rules),
            filters: Arc::new(Filters {
                allowlist: cfg.allowlist,
                gitleaks_ignore: GitleaksIgnore::default(),
                baseline,
                min_confidence: opts.min_confidence,
            }),
            exclude,
            max_file_size: cfg.max_file_size,
            threads: threads(opts.threads, true),
        })
    }

    /// The rules, for reports.
    pub fn rules(&self) -> &RuleSet {
        &self.report_rules
    }

    /// One repository's stages: the shared ones, and rules that have compiled nothing yet.
    fn stages(&self) -> Stages {
        Stages {
            rules: Background::ready(self.report_rules.fresh()),
            filters: Arc::clone(&self.filters),
            exclude: self.exclude.clone(),
            max_file_size: self.max_file_size,
            threads: self.threads,
            // The sweep draws its own progress (repositories done of total); the
            // repositories scanned side by side must not fight over one display.
            quiet: true,
            progress: Progress::inert(),
        }
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
        let stages = &self.stages();
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
