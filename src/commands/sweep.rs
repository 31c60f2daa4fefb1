//! `keysweep sweep`: translate the command line into the sweep's options, run it, report,
//! summarise.

use crate::cli::{SweepCmd, SweepReport};
use crate::exit;
use crate::pipeline::sweep::SweepScanOptions;
use crate::report::{self, sweep_summary, ReportContext, RunInfo, ScanKind};
use crate::sweep::{self, ReportScope, SweepOptions, SweepOutcome};
use anyhow::Result;
use std::io::Write;

pub fn run(cmd: SweepCmd, color: bool) -> Result<i32> {
    let started = std::time::SystemTime::now();
    let max_parallel = usize::try_from(cmd.max_parallel).unwrap_or(1);
    let threads = match cmd.threads {
        Some(n) => usize::try_from(n).unwrap_or(1),
        None => {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            (cores / max_parallel).max(1)
        }
    };
    let opts = SweepOptions {
        lists: cmd.repos.clone(),
        discover: cmd.discover.clone(),
        cache: cmd.cache.clone(),
        max_parallel,
        state: cmd.state.clone(),
        report: match cmd.report {
            SweepReport::New => ReportScope::New,
            SweepReport::All => ReportScope::All,
        },
        shard: cmd.shard.as_deref().map(str::parse).transpose()?,
        value_key: cmd.value_key.clone(),
        scan: SweepScanOptions {
            config: cmd.config.clone(),
            baseline: cmd.baseline.clone(),
            exclude: cmd.exclude.clone(),
            max_file_size: cmd.max_file_size,
            threads: Some(threads),
            min_confidence: cmd.min_confidence,
        },
        quiet: cmd.quiet,
    };
    let outcome = sweep::run(&opts)?;
    let errors: u64 = outcome.repositories.iter().map(|r| r.errors).sum();
    let run = RunInfo {
        kind: ScanKind::Sweep,
        started,
        ended: std::time::SystemTime::now(),
        errors,
        warnings: warnings(&outcome),
        provenance: None,
    };
    let ctx = ReportContext {
        rules: outcome.pipeline.rules(),
        show_secrets: cmd.output.show_secrets,
        repo_root: None,
        notices: &[],
        run: &run,
    };
    let o = &cmd.output;
    let written = match &o.output {
        Some(path) if path.as_os_str() != "-" => {
            report::emit(&super::scan::report_options(o), &outcome.findings, &ctx)
        }
        _ => {
            let mut w = std::io::BufWriter::new(std::io::stdout().lock());
            report::write(o.format, &outcome.findings, &ctx, &mut w, color)
                .and_then(|_| w.flush().map_err(Into::into))
        }
    };
    match written {
        Err(e) if super::is_broken_pipe(&e) => {}
        r => r?,
    }
    if !cmd.quiet {
        for line in summary(&outcome) {
            eprintln!("{line}");
        }
    }
    Ok(if outcome.failed() > 0 {
        exit::SWEEP_INCOMPLETE
    } else if cmd.fail_on_scan_errors && errors > 0 {
        exit::SCAN_ERRORS
    } else if outcome.findings.is_empty() || cmd.exit_zero {
        exit::CLEAN
    } else {
        exit::FINDINGS
    })
}

/// Every repository's warnings and failures, named, for the reports that list them.
fn warnings(outcome: &SweepOutcome) -> Vec<String> {
    let mut out = Vec::new();
    for r in &outcome.repositories {
        if let Some(why) = &r.failure {
            out.push(format!("{}: not swept: {why}", r.repository.location));
        }
        for w in &r.warnings {
            out.push(format!("{}: {w}", r.repository.location));
        }
    }
    out
}

/// The totals line, then the findings summary that `merge` prints the same.
fn summary(o: &SweepOutcome) -> Vec<String> {
    let scanned: u64 = o.repositories.iter().map(|r| r.blobs_scanned).sum();
    let bytes: u64 = o.repositories.iter().map(|r| r.bytes_scanned).sum();
    let known: u64 = o.repositories.iter().map(|r| r.blobs_known).sum();
    let new: usize = o.repositories.iter().map(|r| r.new_findings).sum();
    let shard = if o.repositories.len() < o.listed {
        format!(" (this shard's share of {})", o.listed)
    } else {
        String::new()
    };
    let failed = match o.failed() {
        0 => String::new(),
        n => format!(", {n} not swept"),
    };
    let mut lines = vec![format!(
        "keysweep: swept {} repositories{shard}{failed} in {:.2}s: {scanned} blobs scanned ({:.1} MB), {known} skipped as already scanned; {new} new findings",
        o.repositories.len(),
        o.elapsed.as_secs_f64(),
        bytes as f64 / 1e6,
    )];
    let items: Vec<sweep_summary::Item<'_>> = o
        .findings
        .iter()
        .map(|f| sweep_summary::Item {
            repository: f.repository.as_ref().map_or("", |r| r.location.as_str()),
            value_group: f.value_group.as_deref(),
            rule_id: &f.hit.rule_id,
        })
        .collect();
    lines.extend(sweep_summary::lines(&items));
    lines
}
