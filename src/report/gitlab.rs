//! GitLab secret-detection report (`gl-secret-detection-report.json`, schema 15.x). Only the
//! fields that schema defines: version 15 removed `confidence`, `scanner` and `category`
//! from each vulnerability, so they are not written. Start and end are the scan's own times;
//! a finding's commit is the one that introduced it (history scans); a tree or staged scan
//! inside a repository gives the commit it is based on (`HEAD`, sha only), and one outside
//! any repository gives none rather than an invented one.
//!
//! `testdata/schemas/gitlab-secret-detection-15.json` states the constraints and where each
//! comes from; the report tests validate every report against it.

use super::ReportContext;
use crate::finding::Finding;
use anyhow::Result;
use serde_json::{json, Value};
use std::io::Write;

/// The schema version the report declares.
pub const SCHEMA_VERSION: &str = "15.0.7";

pub fn write(findings: &[Finding], ctx: &ReportContext<'_>, w: &mut dyn Write) -> Result<()> {
    let vulns: Vec<Value> = findings.iter().map(|f| vulnerability(f, ctx)).collect();
    let tool = json!({
        "id": "keysweep",
        "name": "keysweep",
        "version": env!("CARGO_PKG_VERSION"),
        "vendor": { "name": "keysweep" },
    });
    let report = json!({
        "version": SCHEMA_VERSION,
        "vulnerabilities": vulns,
        "scan": {
            "analyzer": tool,
            "scanner": tool,
            "type": "secret_detection",
            "start_time": super::utc(ctx.run.started),
            "end_time": super::utc(ctx.run.ended),
            // An incomplete scan (inputs it could not read) is not a success.
            "status": if ctx.run.errors == 0 { "success" } else { "failure" },
            "messages": messages(ctx),
        },
    });
    serde_json::to_writer_pretty(&mut *w, &report)?;
    writeln!(w)?;
    Ok(())
}

fn vulnerability(f: &Finding, ctx: &ReportContext<'_>) -> Value {
    let mut location = json!({
        "file": f.stable_path(),
        "start_line": f.hit.line,
        "end_line": f.hit.end_line,
    });
    if let Some(c) = &f.commit {
        location["commit"] = json!({
            "sha": c.id,
            "author": format!("{} <{}>", c.author_name, c.author_email),
            "date": c.date,
            "message": c.summary,
        });
    } else if let Some(sha) = ctx
        .run
        .provenance
        .as_ref()
        .and_then(|p| p.revision_id.as_ref())
    {
        location["commit"] = json!({ "sha": sha });
    }
    let mut v = json!({
        "id": uuid_shaped(&f.fingerprint),
        "name": f.hit.rule_name,
        "description": format!(
            "{} detected by keysweep rule {} ({} confidence).",
            f.hit.rule_name, f.hit.rule_id, f.hit.confidence.as_str()
        ),
        "severity": gitlab_severity(f.hit.severity),
        "location": location,
        "identifiers": [{
            "type": "keysweep_rule_id",
            "name": format!("keysweep rule {}", f.hit.rule_id),
            "value": f.hit.rule_id,
        }],
    });
    if let Some(r) = &f.repository {
        // The schema's place for data of our own: the repository a sweep found it in.
        v["details"] = json!({
            "repository": {
                "type": "text",
                "name": "Repository",
                "value": format!("{} ({})", r.location, r.id),
            }
        });
    }
    if let Some(url) = ctx.rules.rule(f.hit.rule_index).references().first() {
        v["links"] = json!([{ "url": url }]);
    }
    if ctx.show_secrets {
        v["raw_source_code_extract"] = json!(f.hit.secret);
    }
    v
}

/// The scan's notices and warnings, and a fatal message when inputs could not be read.
fn messages(ctx: &ReportContext<'_>) -> Vec<Value> {
    let mut out: Vec<Value> = ctx
        .notices
        .iter()
        .chain(&ctx.run.warnings)
        .map(|m| json!({ "level": "warn", "value": m }))
        .collect();
    if ctx.run.errors > 0 {
        out.push(json!({
            "level": "fatal",
            "value": format!("{} input(s) could not be read or decoded: the scan is incomplete", ctx.run.errors),
        }));
    }
    out
}

/// The 32-hex-digit fingerprint written as a UUID (8-4-4-4-12), the shape GitLab recommends
/// for ids; the same finding keeps the same id from run to run.
fn uuid_shaped(fp: &str) -> String {
    if fp.len() != 32 || !fp.bytes().all(|b| b.is_ascii_hexdigit()) {
        return fp.to_string();
    }
    format!(
        "{}-{}-{}-{}-{}",
        &fp[..8],
        &fp[8..12],
        &fp[12..16],
        &fp[16..20],
        &fp[20..]
    )
}

fn gitlab_severity(s: crate::rules::Severity) -> &'static str {
    match s {
        crate::rules::Severity::Low => "Low",
        crate::rules::Severity::Medium => "Medium",
        crate::rules::Severity::High => "High",
        crate::rules::Severity::Critical => "Critical",
    }
}
