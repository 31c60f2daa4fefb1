//! Org-wide sweeps (`keysweep sweep`): the history of many repositories, listed in a file or
//! found under a directory, URLs mirrored into a cache, scanned a few at a time with one
//! rule set. With a state directory each repository's next sweep scans only the blobs it
//! has not seen (see `state`), and `--shard K/N` picks a deterministic share of the list so
//! that workers of a Kubernetes Indexed Job or a CI matrix split the work and `keysweep
//! merge` puts their reports together.
//!
//! A repository that cannot be swept (clone failed, not a repository, a corrupt state file)
//! is a warning naming it and the sweep goes on; the command then exits with
//! [`crate::exit::SWEEP_INCOMPLETE`].

pub mod mirror;
pub mod record;
pub mod repos;
pub mod shard;
pub mod state;
pub mod valuekey;

use crate::finding::{Finding, Repository};
use crate::pipeline::sweep::{SweepPipeline, SweepScanOptions};
use crate::progress::Progress;
use crate::source::{git, Stats};
use anyhow::{bail, Context, Result};
use repos::{RepoSpec, Source};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Which findings a sweep with a state reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportScope {
    /// Only findings the state did not know (introduced since the last sweep).
    New,
    /// The whole inventory: what the state knew (still reachable) and what is new.
    All,
}

/// A sweep, as plain data.
#[derive(Debug, Clone)]
pub struct SweepOptions {
    /// List files (`--repos`).
    pub lists: Vec<PathBuf>,
    /// Directories to find repositories under (`--discover`).
    pub discover: Vec<PathBuf>,
    /// Where URLs are mirrored (`--cache`).
    pub cache: Option<PathBuf>,
    /// Repositories scanned at the same time.
    pub max_parallel: usize,
    pub state: Option<PathBuf>,
    pub report: ReportScope,
    pub shard: Option<shard::Shard>,
    /// The key of the value groups (`--value-key`); default: the state directory's, else a
    /// random one for this run.
    pub value_key: Option<PathBuf>,
    pub scan: SweepScanOptions,
    pub quiet: bool,
}

/// How one repository's sweep went.
#[derive(Debug, Clone)]
pub struct RepoReport {
    pub repository: Arc<Repository>,
    /// Why it could not be swept.
    pub failure: Option<String>,
    pub blobs_scanned: u64,
    pub bytes_scanned: u64,
    /// Blobs not scanned because the state said they had been.
    pub blobs_known: u64,
    pub findings: usize,
    pub new_findings: usize,
    /// Objects that could not be read or decoded.
    pub errors: u64,
    pub warnings: Vec<String>,
    pub elapsed: Duration,
}

/// What a sweep produced.
pub struct SweepOutcome {
    /// The findings to report (new or all), sorted by repository, path, line.
    pub findings: Vec<Finding>,
    /// One per repository swept, in list order.
    pub repositories: Vec<RepoReport>,
    /// Repositories listed in all (before `--shard`).
    pub listed: usize,
    pub pipeline: SweepPipeline,
    pub elapsed: Duration,
}

impl SweepOutcome {
    pub fn failed(&self) -> usize {
        self.repositories
            .iter()
            .filter(|r| r.failure.is_some())
            .count()
    }
}

/// Everything the workers share.
struct Ctx<'a> {
    opts: &'a SweepOptions,
    pipeline: &'a SweepPipeline,
    store: Option<state::Store>,
    key: valuekey::ValueKey,
    /// Digest of what decides a blob's findings (rules, settings): a state made with other
    /// settings has its blobs scanned again (its inventory still says what is new).
    settings: String,
    rule_index: BTreeMap<String, usize>,
}

pub fn run(opts: &SweepOptions) -> Result<SweepOutcome> {
    let started = Instant::now();
    let mut specs = Vec::new();
    for list in &opts.lists {
        specs.extend(repos::from_list(list)?);
    }
    for dir in &opts.discover {
        specs.extend(repos::discover(dir)?);
    }
    let mut seen = BTreeSet::new();
    specs.retain(|s| seen.insert(s.identity.id.clone()));
    let listed = specs.len();
    if let Some(sh) = opts.shard {
        specs.retain(|s| sh.selects(&s.identity.id));
    }
    if opts.cache.is_none() && specs.iter().any(|s| matches!(s.source, Source::Remote(_))) {
        bail!("the repository list has URLs: give --cache DIR to mirror them into");
    }
    let pipeline = SweepPipeline::new(&opts.scan)?;
    let store = opts.state.as_deref().map(state::Store::open).transpose()?;
    let key = match (&opts.value_key, &store) {
        (Some(file), _) => valuekey::ValueKey::from_file(file)?,
        (None, Some(store)) => valuekey::ValueKey::in_state_dir(store.dir())?,
        (None, None) => valuekey::ValueKey::random()?,
    };
    let ctx = Ctx {
        opts,
        settings: settings_digest(opts, &pipeline)?,
        rule_index: pipeline
            .rules()
            .rules()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect(),
        pipeline: &pipeline,
        store,
        key,
    };
    let (reports, findings) = sweep_all(&ctx, &specs);
    let mut findings = findings;
    sort_for_report(&mut findings);
    Ok(SweepOutcome {
        findings,
        repositories: reports,
        listed,
        pipeline,
        elapsed: started.elapsed(),
    })
}

/// One repository's report and the findings it contributes.
type Swept = (RepoReport, Vec<Finding>);

/// Scans the repositories, `max_parallel` at a time, each with its share of the threads.
fn sweep_all(ctx: &Ctx, specs: &[RepoSpec]) -> (Vec<RepoReport>, Vec<Finding>) {
    let progress = Progress::new(ctx.opts.quiet);
    progress.phase("repositories", Some(specs.len() as u64));
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Swept>>> = Mutex::new(specs.iter().map(|_| None).collect());
    let workers = ctx.opts.max_parallel.clamp(1, specs.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(spec) = specs.get(i) else { break };
                let (report, found) = sweep_one(ctx, spec);
                progress.advance(1, report.bytes_scanned);
                let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                if !ctx.opts.quiet {
                    for w in &report.warnings {
                        crate::progress::eprintln_above(&format!(
                            "keysweep: warning: {}: {w}",
                            report.repository.location
                        ));
                    }
                    crate::progress::eprintln_above(&repo_line(&report, n, specs.len()));
                }
                results.lock().expect("results lock")[i] = Some((report, found));
            });
        }
    });
    progress.finish();
    let mut reports = Vec::new();
    let mut findings = Vec::new();
    for (report, found) in results
        .into_inner()
        .expect("results lock")
        .into_iter()
        .flatten()
    {
        reports.push(report);
        findings.extend(found);
    }
    (reports, findings)
}

/// The progress and summary line of one repository.
pub fn repo_line(r: &RepoReport, n: usize, total: usize) -> String {
    let head = format!("keysweep: [{n}/{total}] {}", r.repository.location);
    if let Some(why) = &r.failure {
        return format!("{head}: not swept: {why}");
    }
    format!(
        "{head}: {} blobs scanned ({:.1} MB), {} skipped as already scanned, {} finding{} ({} new), {} error{} in {:.2}s",
        r.blobs_scanned,
        r.bytes_scanned as f64 / 1e6,
        r.blobs_known,
        r.findings,
        if r.findings == 1 { "" } else { "s" },
        r.new_findings,
        r.errors,
        if r.errors == 1 { "" } else { "s" },
        r.elapsed.as_secs_f64()
    )
}

fn sweep_one(ctx: &Ctx, spec: &RepoSpec) -> (RepoReport, Vec<Finding>) {
    let started = Instant::now();
    let stats = Stats::default();
    let mut report = RepoReport {
        repository: spec.identity.clone(),
        failure: None,
        blobs_scanned: 0,
        bytes_scanned: 0,
        blobs_known: 0,
        findings: 0,
        new_findings: 0,
        errors: 0,
        warnings: Vec::new(),
        elapsed: Duration::ZERO,
    };
    let found = match sweep_repo(ctx, spec, &stats, &mut report) {
        Ok(found) => found,
        Err(e) => {
            report.failure = Some(one_line(&format!("{e:#}")));
            Vec::new()
        }
    };
    report.blobs_scanned = Stats::get(&stats.files);
    report.bytes_scanned = Stats::get(&stats.bytes);
    report.errors = stats.errors();
    report.warnings = stats.warning_messages();
    report.elapsed = started.elapsed();
    (report, found)
}

/// One repository: mirror it if it is a URL, compare its refs with the state, scan what is
/// new, update the state. Returns the findings to report.
fn sweep_repo(
    ctx: &Ctx,
    spec: &RepoSpec,
    stats: &Stats,
    report: &mut RepoReport,
) -> Result<Vec<Finding>> {
    let repo = &spec.identity;
    let path = match &spec.source {
        Source::Local(p) => p.clone(),
        Source::Remote(url) => {
            let cache = ctx.opts.cache.as_deref().expect("checked before the sweep");
            mirror::update(cache, &repo.id, url, &repo.location)?
        }
    };
    let prev = match &ctx.store {
        Some(store) => store.load(repo)?,
        None => None,
    };
    let tips: Vec<(String, String)> = git::ref_tips(&path)
        .with_context(|| format!("{} cannot be read", path.display()))?
        .into_iter()
        .map(|(name, id)| (name, id.to_string()))
        .collect();
    let mut state = prev.clone().unwrap_or_default();
    let same_settings = state.settings == ctx.settings;
    if prev.is_some() && same_settings && state.tips == tips {
        // Nothing moved: every blob is known, the inventory is the answer.
        report.blobs_known = state.blobs.len() as u64;
        let all = restore(ctx, repo, &state.inventory, stats);
        report.findings = all.len();
        return Ok(match ctx.opts.report {
            ReportScope::All => with_other_locations(all),
            ReportScope::New => Vec::new(),
        });
    }
    // Without a state nothing is known and nothing need be listed.
    let empty = git::BlobSet::default();
    let known = match (&ctx.store, same_settings) {
        (None, _) => None,
        (Some(_), true) => Some(&state.blobs),
        (Some(_), false) => Some(&empty),
    };
    let mut scan = ctx.pipeline.scan(&path, known, stats)?;
    report.blobs_known = scan.skipped_known as u64;
    // One finding per fingerprint (the earliest introduction), with every blob holding it.
    let mut by_fp: BTreeMap<String, (Finding, BTreeSet<String>)> = BTreeMap::new();
    for f in scan.findings {
        let mut f = f.in_repository(repo.clone());
        f.value_group = Some(ctx.key.group(&f.hit.secret));
        let blob = f.blob.clone().unwrap_or_default();
        match by_fp.get_mut(&f.fingerprint) {
            Some((kept, blobs)) => {
                blobs.insert(blob);
                if earlier(&f, kept) {
                    *kept = f;
                }
            }
            None => {
                by_fp.insert(f.fingerprint.clone(), (f, BTreeSet::from([blob])));
            }
        }
    }
    // What the last sweep knew decides what is new. Scanned with other settings, the
    // inventory is rebuilt from this scan (what those settings found may be gone).
    let known_fps: BTreeSet<String> = state
        .inventory
        .iter()
        .map(|r| r.fingerprint.clone())
        .collect();
    if !same_settings {
        state.inventory.clear();
        state.blobs.clear();
    }
    // What is no longer reachable (a force-push, a deleted branch) leaves the inventory.
    scan.reachable.sort_unstable();
    let reachable = |hex: &String| {
        gix::ObjectId::from_hex(hex.as_bytes())
            .is_ok_and(|id| scan.reachable.binary_search(&id).is_ok())
    };
    state.inventory.retain_mut(|r| {
        r.blobs.retain(reachable);
        !r.blobs.is_empty()
    });
    let mut fresh = Vec::new();
    let mut fresh_blobs = Vec::new();
    for (fp, (f, blobs)) in by_fp {
        match state.inventory.iter_mut().find(|r| r.fingerprint == fp) {
            Some(r) => {
                r.blobs.extend(blobs);
                r.blobs.sort();
                r.blobs.dedup();
            }
            None => {
                fresh.push(f);
                fresh_blobs.push(blobs);
            }
        }
    }
    let old = restore(ctx, repo, &state.inventory, stats);
    let redacted = crate::report::redact::view(&fresh, ctx.pipeline.rules(), false);
    for (f, blobs) in redacted.iter().zip(fresh_blobs) {
        state
            .inventory
            .push(record::stored(f, blobs.into_iter().collect()));
    }
    state
        .inventory
        .sort_by(|a, b| a.fingerprint.cmp(&b.fingerprint));
    let new_fps: BTreeSet<String> = fresh
        .iter()
        .map(|f| f.fingerprint.clone())
        .filter(|fp| !known_fps.contains(fp))
        .collect();
    report.new_findings = new_fps.len();
    report.findings = old.len() + fresh.len();
    if let Some(store) = &ctx.store {
        if stats.errors() == 0 {
            state.tips = tips;
            state.blobs = scan.reachable.into_iter().collect();
        } else {
            // Some object could not be read: its blob must not count as scanned. The blobs
            // known before stay known (if still reachable) and no tip is recorded, so the
            // next sweep scans every other blob again; what it finds again is not new.
            state
                .blobs
                .retain(|b| scan.reachable.binary_search(b).is_ok());
            state.tips.clear();
        }
        state.settings = ctx.settings.clone();
        store.save(repo, &state)?;
    }
    let mut all = old;
    all.extend(fresh);
    let all = with_other_locations(all);
    Ok(match ctx.opts.report {
        ReportScope::All => all,
        ReportScope::New => all
            .into_iter()
            .filter(|f| new_fps.contains(&f.fingerprint))
            .collect(),
    })
}

/// The inventory as findings for the report (already redacted: see `Finding::restored`).
fn restore(
    ctx: &Ctx,
    repo: &Arc<Repository>,
    inventory: &[state::StoredFinding],
    stats: &Stats,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut missing = BTreeSet::new();
    for r in inventory {
        match ctx.rule_index.get(&r.rule_id) {
            Some(&i) => out.push(record::restored(
                r,
                ctx.pipeline.rules().rule(i),
                i,
                repo.clone(),
            )),
            None => {
                missing.insert(r.rule_id.as_str());
            }
        }
    }
    for id in missing {
        stats.warn(
            true,
            format!("the state holds findings of rule {id}, which this sweep does not run; they are not reported"),
        );
    }
    out
}

/// Earliest introduction first, as a history scan keeps it.
fn earlier(a: &Finding, b: &Finding) -> bool {
    (a.order, &a.path, a.hit.line, a.hit.column) < (b.order, &b.path, b.hit.line, b.hit.column)
}

/// Tells each finding of one repository how many others hold the same value for the same
/// rule (by value group, so findings read back from the state count too).
fn with_other_locations(mut findings: Vec<Finding>) -> Vec<Finding> {
    let mut count: BTreeMap<(String, Option<String>), usize> = BTreeMap::new();
    for f in &findings {
        *count
            .entry((f.hit.rule_id.clone(), f.value_group.clone()))
            .or_default() += 1;
    }
    for f in &mut findings {
        let n = count[&(f.hit.rule_id.clone(), f.value_group.clone())];
        f.other_locations = n - 1;
    }
    findings
}

/// The order of a sweep's report, which `merge` reproduces from records.
pub fn sort_for_report(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        let key = |f: &Finding| {
            (
                f.repository.as_ref().map(|r| r.location.clone()),
                f.path.clone(),
                f.hit.line,
                f.hit.column,
                f.hit.rule_id.clone(),
                f.fingerprint.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
}

/// Digest of the rule pack and of the settings that decide what a blob's findings are.
fn settings_digest(opts: &SweepOptions, pipeline: &SweepPipeline) -> Result<String> {
    let mut h = Sha256::new();
    h.update(env!("CARGO_PKG_VERSION"));
    for r in pipeline.rules().rules() {
        h.update(format!("{r:?}"));
    }
    let s = &opts.scan;
    h.update(format!(
        "{:?} {:?} {:?}",
        s.exclude, s.max_file_size, s.min_confidence
    ));
    for file in [&s.config, &s.baseline].into_iter().flatten() {
        let bytes =
            std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
        h.update(Sha256::digest(bytes));
    }
    Ok(hex::encode(&h.finalize()[..16]))
}

/// An error chain on one line, as the binary prints errors.
fn one_line(s: &str) -> String {
    s.lines().map(str::trim).collect::<Vec<_>>().join(" ")
}
