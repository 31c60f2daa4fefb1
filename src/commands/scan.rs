//! `keysweep scan`: pick the source, run the scanner over it, filter, report, summarise.

use crate::cli::{ScanCmd, ScanTarget};
use crate::config;
use crate::engine::RuleSet;
use crate::exit;
use crate::finding::Finding;
use crate::progress::Progress;
use crate::report::{self, ReportContext};
use crate::scanner::{sort_findings, Scanner};
use crate::source::walk::{self, WalkOptions};
use crate::source::Stats;
use anyhow::Result;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What a scan produced, before reporting.
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub stats: Stats,
    pub elapsed: Duration,
    pub scanner: Scanner,
    /// What was scanned, for the summary line ("files", "blobs").
    pub unit: &'static str,
}

pub fn run(cmd: ScanCmd) -> Result<i32> {
    let outcome = collect(&cmd.target)?;
    let ctx = ReportContext {
        rules: &outcome.scanner.rules,
        show_secrets: cmd.output.show_secrets,
    };
    report::emit(&cmd.output, &outcome.findings, &ctx)?;
    if !cmd.target.quiet {
        eprintln!("{}", summary(&outcome));
    }
    Ok(if outcome.findings.is_empty() || cmd.exit_zero {
        exit::CLEAN
    } else {
        exit::FINDINGS
    })
}

/// Runs the scan a target asks for and returns the filtered, sorted findings.
pub fn collect(target: &ScanTarget) -> Result<Outcome> {
    let started = Instant::now();
    let cfg = config::load(target)?;
    let scanner = Scanner::new(RuleSet::new(cfg.rules), cfg.allowlist);
    let stats = Stats::default();
    let (mut findings, unit) = if target.git {
        let f = crate::source::git::scan(target, &scanner, &stats, cfg.max_file_size)?;
        (f, "blobs")
    } else if target.staged {
        let f = crate::source::staged::scan(target, &scanner, &stats, cfg.max_file_size)?;
        (f, "staged files")
    } else {
        (
            scan_tree(target, &scanner, &stats, cfg.max_file_size)?,
            "files",
        )
    };
    sort_findings(&mut findings);
    if let Some(path) = &target.baseline {
        crate::filter::baseline::Baseline::load(path)?.suppress(&mut findings);
    }
    Ok(Outcome {
        findings,
        stats,
        elapsed: started.elapsed(),
        scanner,
        unit,
    })
}

fn scan_tree(
    target: &ScanTarget,
    scanner: &Scanner,
    stats: &Stats,
    max_file_size: u64,
) -> Result<Vec<Finding>> {
    let roots = if target.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        target.paths.clone()
    };
    let opts = WalkOptions {
        roots,
        excludes: target.exclude.clone(),
        no_ignore: target.no_ignore,
        max_file_size,
        threads: threads(target),
        quiet: target.quiet,
    };
    let found = Mutex::new(Vec::new());
    let progress = Progress::new(target.quiet, "files");
    walk::walk(
        &opts,
        stats,
        &|blob| {
            let f = scanner.scan_blob(blob.bytes, blob.path);
            if !f.is_empty() {
                found.lock().expect("findings lock").extend(f);
            }
        },
        &|bytes| progress.advance(bytes),
    )?;
    progress.finish();
    Ok(found.into_inner().expect("findings lock"))
}

/// Worker threads: `--threads` or every core.
pub fn threads(target: &ScanTarget) -> usize {
    target
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// The one-line summary printed on stderr.
pub fn summary(o: &Outcome) -> String {
    let files = Stats::get(&o.stats.files);
    let bytes = Stats::get(&o.stats.bytes);
    let secs = o.elapsed.as_secs_f64();
    let mb = bytes as f64 / 1e6;
    let mut s = format!(
        "keysweep: scanned {files} {} ({mb:.1} MB) in {secs:.2}s ({:.0} MB/s)",
        o.unit,
        if secs > 0.0 { mb / secs } else { 0.0 }
    );
    let skips = o.stats.skips();
    if !skips.is_empty() {
        let parts: Vec<String> = skips.iter().map(|(k, n)| format!("{n} {k}")).collect();
        s.push_str(&format!("; skipped {}", parts.join(", ")));
    }
    let warnings = Stats::get(&o.stats.warnings);
    if warnings > 0 {
        s.push_str(&format!("; {warnings} warnings"));
    }
    let n = o.findings.len();
    s.push_str(&format!("; {n} finding{}", if n == 1 { "" } else { "s" }));
    s
}
