//! JSON (one array) and JSON Lines (one object per line) reports.

use crate::finding::{CommitInfo, Finding, Location, Repository};
use anyhow::Result;
use serde::Serialize;
use std::io::Write;

/// The serialized shape of a finding, shared by JSON, JSONL and the GitLab report.
#[derive(Serialize)]
pub struct Record<'a> {
    pub rule_id: &'a str,
    pub rule_name: &'a str,
    pub severity: &'a str,
    /// `high`, `medium` or `low`: how sure the rule is that the match is a credential.
    pub confidence: &'a str,
    pub path: &'a str,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    /// Redacted unless `--show-secrets`.
    pub secret: String,
    /// The line with the secret masked unless `--show-secrets`.
    pub snippet: String,
    pub fingerprint: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<&'a CommitInfo>,
    #[serde(skip_serializing_if = "is_zero")]
    pub other_locations: usize,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub locations: &'a [Location],
    /// Sweeps: the repository (location and stable id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository: Option<&'a Repository>,
    /// Sweeps: a keyed hash of the value, shared by every finding of the same value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_group: Option<&'a str>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl<'a> Record<'a> {
    /// The record of a finding as the redactor's view holds it.
    pub fn new(f: &'a Finding) -> Record<'a> {
        Record {
            rule_id: &f.hit.rule_id,
            rule_name: &f.hit.rule_name,
            severity: f.hit.severity.as_str(),
            confidence: f.hit.confidence.as_str(),
            path: &f.path,
            line: f.hit.line,
            column: f.hit.column,
            end_line: f.hit.end_line,
            end_column: f.hit.end_column,
            secret: f.hit.secret.clone(),
            snippet: f.hit.line_text.clone(),
            fingerprint: &f.fingerprint,
            commit: f.commit.as_ref(),
            other_locations: f.other_locations,
            locations: &f.locations,
            repository: f.repository.as_deref(),
            value_group: f.value_group.as_deref(),
        }
    }
}

pub fn write(findings: &[Finding], w: &mut dyn Write) -> Result<()> {
    let records: Vec<Record<'_>> = findings.iter().map(Record::new).collect();
    serde_json::to_writer_pretty(&mut *w, &records)?;
    writeln!(w)?;
    Ok(())
}

pub fn write_lines(findings: &[Finding], w: &mut dyn Write) -> Result<()> {
    for f in findings {
        serde_json::to_writer(&mut *w, &Record::new(f))?;
        writeln!(w)?;
    }
    Ok(())
}
