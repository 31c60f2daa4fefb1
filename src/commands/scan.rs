//! `keysweep scan`: translate the command line into the pipeline's options, run it, report,
//! summarise.

use crate::cli::{OutputArgs, ScanCmd, ScanTarget};
use crate::exit;
use crate::finding::Finding;
use crate::pipeline::{self, Mode, Outcome, ScanOptions, Selection};
use crate::report::{self, ReportContext, ReportOptions, RunInfo, ScanKind};
use crate::source::Stats;
use anyhow::{bail, Result};
use std::io::Write;
use std::path::PathBuf;

/// `color`: whether a report on stdout is coloured (`--color`, `NO_COLOR`).
pub fn run(cmd: ScanCmd, color: bool) -> Result<i32> {
    let started = std::time::SystemTime::now();
    let options = scan_options(&cmd.target)?;
    let outcome = pipeline::run(&options)?;
    let run = run_info(&options.mode, &outcome, started);
    let ctx = report_context(&outcome, cmd.output.show_secrets, &run);
    match write_report(&cmd.output, &outcome.findings, &ctx, color) {
        // `keysweep scan -f json | head`: the reader has gone; the exit code still says
        // what was found.
        Err(e) if super::is_broken_pipe(&e) => {}
        r => r?,
    }
    if !cmd.target.quiet {
        eprintln!("{}", summary(&outcome));
    }
    let code = if cmd.fail_on_scan_errors && outcome.stats.errors() > 0 {
        exit::SCAN_ERRORS
    } else if outcome.findings.is_empty() || cmd.exit_zero {
        exit::CLEAN
    } else {
        exit::FINDINGS
    };
    // The process ends next: freeing hundreds of rules and their compiled automata is work
    // nobody waits for, and a pre-commit hook would pay it on every commit.
    std::mem::forget(outcome);
    Ok(code)
}

/// How the scan ran, for the reports that describe the run (SARIF, GitLab).
/// What every report of a scan knows besides its findings (shared with the pre-commit hook).
pub(crate) fn report_context<'a>(
    outcome: &'a Outcome,
    show_secrets: bool,
    run: &'a RunInfo,
) -> ReportContext<'a> {
    ReportContext {
        rules: &outcome.rules,
        show_secrets,
        repo_root: outcome.repo_root.as_deref(),
        notices: &outcome.notices,
        run,
    }
}

pub(crate) fn run_info(mode: &Mode, outcome: &Outcome, started: std::time::SystemTime) -> RunInfo {
    let kind = match mode {
        Mode::Tree { .. } => ScanKind::Tree,
        Mode::Stdin { .. } => ScanKind::Stdin,
        Mode::Staged { .. } => ScanKind::Staged,
        Mode::History {
            selection: Selection::Range(_),
            ..
        } => ScanKind::Range,
        Mode::History { .. } => ScanKind::History,
    };
    // A tree or staged scan inside a repository records the commit it is based on too
    // (GitLab requires a commit per finding; SARIF consumers place results by it).
    let provenance = match kind {
        ScanKind::Stdin => None,
        _ => outcome
            .repo_root
            .as_deref()
            .and_then(report::provenance::read),
    };
    RunInfo {
        kind,
        started,
        ended: std::time::SystemTime::now(),
        errors: outcome.stats.errors(),
        warnings: outcome.stats.warning_messages(),
        provenance,
    }
}

/// The report, to `--output` or stdout. On stdout the colour is the `--color` choice, which
/// `report::emit` (deciding by the terminal alone) does not know of.
fn write_report(
    o: &OutputArgs,
    findings: &[Finding],
    ctx: &ReportContext<'_>,
    color: bool,
) -> Result<()> {
    match &o.output {
        Some(path) if path.as_os_str() != "-" => report::emit(&report_options(o), findings, ctx),
        _ => {
            let mut w = std::io::BufWriter::new(std::io::stdout().lock());
            report::write(o.format, findings, ctx, &mut w, color)?;
            w.flush()?;
            Ok(())
        }
    }
}

/// The pipeline's options for a scan target given on the command line.
pub fn scan_options(t: &ScanTarget) -> Result<ScanOptions> {
    let stdin = t.paths.iter().any(|p| p.as_os_str() == "-");
    if t.stdin_name.is_some() && !stdin {
        bail!("--stdin-name names standard input: give `-` as the path to scan");
    }
    let mode = if stdin {
        if t.git || t.staged {
            bail!("`-` (standard input) cannot be scanned with --git or --staged");
        }
        if t.paths.len() > 1 {
            bail!("`-` (standard input) is scanned alone; a file named - is ./-");
        }
        Mode::Stdin {
            name: t.stdin_name.clone(),
        }
    } else if t.git {
        if t.paths.len() > 1 {
            bail!("--git scans one repository; {} paths given", t.paths.len());
        }
        let selection = match (&t.range, &t.since_commit, &t.branch) {
            (Some(r), _, _) => Selection::Range(r.clone()),
            (None, Some(rev), _) => Selection::Range(format!("{rev}..HEAD")),
            (None, None, Some(b)) => Selection::Branch(b.clone()),
            (None, None, None) => Selection::All,
        };
        Mode::History {
            repo: t
                .paths
                .first()
                .cloned()
                .unwrap_or_else(|| PathBuf::from(".")),
            selection,
        }
    } else if t.staged {
        if t.paths.len() > 1 {
            bail!(
                "--staged scans one repository; {} paths given",
                t.paths.len()
            );
        }
        Mode::Staged {
            repo: t.paths.first().cloned(),
        }
    } else {
        Mode::Tree {
            paths: t.paths.clone(),
        }
    };
    Ok(ScanOptions {
        mode,
        exclude: t.exclude.clone(),
        no_ignore: t.no_ignore,
        no_require_git: t.no_require_git,
        follow: t.follow,
        max_file_size: t.max_file_size,
        config: t.config.clone(),
        baseline: t.baseline.clone(),
        threads: t.threads.map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
        quiet: t.quiet,
        all_locations: t.all_locations,
        timings: t.timings,
        min_confidence: t.min_confidence,
    })
}

pub fn report_options(o: &OutputArgs) -> ReportOptions {
    ReportOptions {
        format: o.format,
        output: o.output.clone(),
        show_secrets: o.show_secrets,
    }
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
