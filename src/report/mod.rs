//! Reports: findings written in the format asked for. Every format redacts secrets unless
//! the user passed `--show-secrets`.

mod csv;
mod github;
mod gitlab;
mod json;
pub mod merge;
pub mod provenance;
pub mod redact;
pub mod sarif;
pub mod sweep_summary;
mod text;

use crate::engine::RuleSet;
use crate::finding::Finding;
use crate::safefs::PrivateFile;
use anyhow::{anyhow, Context, Result};
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

pub use json::Record;

/// A report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Jsonl,
    Sarif,
    Csv,
    Github,
    Gitlab,
}

impl Format {
    pub const ALL: [Format; 7] = [
        Format::Text,
        Format::Json,
        Format::Jsonl,
        Format::Sarif,
        Format::Csv,
        Format::Github,
        Format::Gitlab,
    ];

    /// The name users pass to `--format`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Sarif => "sarif",
            Format::Csv => "csv",
            Format::Github => "github",
            Format::Gitlab => "gitlab",
        }
    }

    /// One line of help for `--format`.
    pub fn help(self) -> &'static str {
        match self {
            Format::Text => "for people (default)",
            Format::Json => "one JSON array",
            Format::Jsonl => "one JSON object per line",
            Format::Sarif => "SARIF 2.1.0, for code scanning",
            Format::Csv => "comma-separated values",
            Format::Github => "GitHub Actions workflow-command annotations",
            Format::Gitlab => "GitLab secret-detection report JSON",
        }
    }
}

impl std::str::FromStr for Format {
    type Err = anyhow::Error;

    fn from_str(s: &str) -> Result<Format> {
        Format::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| anyhow!("unknown report format {s:?}"))
    }
}

/// Where and how to write a report.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    pub format: Format,
    /// None: stdout.
    pub output: Option<PathBuf>,
    /// Print secrets in clear.
    pub show_secrets: bool,
}

pub struct ReportContext<'a> {
    pub rules: &'a RuleSet,
    pub show_secrets: bool,
    /// The top of the repository scanned, if any: SARIF locations are relative to it.
    pub repo_root: Option<&'a Path>,
    /// What the report must say besides findings (see `pipeline::Outcome::notices`).
    pub notices: &'a [String],
    /// How the scan ran: what it scanned, when, and whether it saw everything.
    pub run: &'a RunInfo,
}

/// What was scanned, which SARIF's `automationDetails.id` names (`keysweep/tree/`, …): code
/// scanning keeps one set of alerts per id, so a history upload does not close a tree one's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanKind {
    Tree,
    History,
    Staged,
    /// History limited to a commit range (`--range`, `--since-commit`).
    Range,
    /// Standard input (`scan -`).
    Stdin,
    /// Many repositories' histories (`sweep`).
    Sweep,
}

impl ScanKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ScanKind::Tree => "tree",
            ScanKind::History => "history",
            ScanKind::Staged => "staged",
            ScanKind::Range => "range",
            ScanKind::Stdin => "stdin",
            ScanKind::Sweep => "sweep",
        }
    }
}

/// How one scan ran, for the reports that describe the run and not only its findings.
#[derive(Debug, Clone)]
pub struct RunInfo {
    pub kind: ScanKind,
    pub started: std::time::SystemTime,
    pub ended: std::time::SystemTime,
    /// Inputs that could not be read or decoded: with any, the scan was incomplete.
    pub errors: u64,
    /// The warnings printed during the scan (at most the first hundred).
    pub warnings: Vec<String>,
    /// The repository's state, for history and range scans (SARIF `versionControlProvenance`).
    pub provenance: Option<provenance::Provenance>,
}

/// `YYYY-MM-DDTHH:MM:SS` in UTC, seconds precision.
pub(crate) fn utc(t: std::time::SystemTime) -> String {
    let secs = t
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    crate::timefmt::utc(secs)
}

/// Writes the report to `--output` (mode 0600) or stdout.
pub fn emit(args: &ReportOptions, findings: &[Finding], ctx: &ReportContext<'_>) -> Result<()> {
    match &args.output {
        Some(path) if path.as_os_str() != "-" => {
            let file = PrivateFile::create(path)?;
            let mut w = BufWriter::new(file);
            write(args.format, findings, ctx, &mut w, false)
                .and_then(|_| w.flush().map_err(Into::into))
                .with_context(|| format!("writing report to {}", path.display()))?;
            let file = w
                .into_inner()
                .map_err(|e| anyhow!("writing report to {}: {}", path.display(), e.error()))?;
            file.commit()
        }
        _ => {
            let stdout = std::io::stdout();
            let color = stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none();
            let mut w = BufWriter::new(stdout.lock());
            write(args.format, findings, ctx, &mut w, color)?;
            w.flush()?;
            Ok(())
        }
    }
}

/// Writes `findings` in `format`. The writers see only the redactor's view of them.
pub fn write(
    format: Format,
    findings: &[Finding],
    ctx: &ReportContext<'_>,
    w: &mut dyn Write,
    color: bool,
) -> Result<()> {
    let view = redact::view(findings, ctx.rules, ctx.show_secrets);
    let findings = &view[..];
    match format {
        Format::Text => text::write(findings, ctx.notices, w, color),
        Format::Json => json::write(findings, w),
        Format::Jsonl => json::write_lines(findings, w),
        Format::Sarif => sarif::write(findings, ctx, w),
        Format::Csv => csv::write(findings, w),
        Format::Github => github::write(findings, ctx, w),
        Format::Gitlab => gitlab::write(findings, ctx, w),
    }
}
