//! GitLab secret-detection report (`gl-secret-detection-report.json`, schema 15.x).

use super::ReportContext;
use crate::finding::Finding;
use anyhow::Result;
use serde_json::json;
use std::io::Write;

pub fn write(findings: &[Finding], ctx: &ReportContext<'_>, w: &mut dyn Write) -> Result<()> {
    let now = time_now();
    let vulns: Vec<_> = findings
        .iter()
        .map(|f| {
            let mut location = json!({
                "file": f.stable_path(),
                "start_line": f.hit.line,
                "end_line": f.hit.end_line,
            });
            if let Some(c) = &f.commit {
                location["commit"] = json!({
                    "sha": c.id, "author": format!("{} <{}>", c.author_name, c.author_email),
                    "date": c.date, "message": c.summary,
                });
            } else {
                location["commit"] = json!({ "sha": "0000000" });
            }
            let mut v = json!({
                "id": f.fingerprint,
                "category": "secret_detection",
                "name": f.hit.rule_name,
                "description": format!("{} detected by keysweep rule {}", f.hit.rule_name, f.hit.rule_id),
                "severity": gitlab_severity(f.hit.severity),
                "confidence": "High",
                "scanner": { "id": "keysweep", "name": "keysweep" },
                "location": location,
                "identifiers": [{
                    "type": "keysweep_rule_id",
                    "name": format!("keysweep rule {}", f.hit.rule_id),
                    "value": f.hit.rule_id,
                }],
            });
            if ctx.show_secrets {
                v["raw_source_code_extract"] = json!(f.hit.secret);
            }
            v
        })
        .collect();
    let report = json!({
        "version": "15.0.7",
        "vulnerabilities": vulns,
        "scan": {
            "analyzer": { "id": "keysweep", "name": "keysweep", "version": env!("CARGO_PKG_VERSION"),
                          "vendor": { "name": "keysweep" } },
            "scanner": { "id": "keysweep", "name": "keysweep", "version": env!("CARGO_PKG_VERSION"),
                         "vendor": { "name": "keysweep" } },
            "type": "secret_detection",
            "start_time": now,
            "end_time": now,
            "status": "success",
        },
    });
    serde_json::to_writer_pretty(&mut *w, &report)?;
    writeln!(w)?;
    Ok(())
}

fn gitlab_severity(s: crate::rules::Severity) -> &'static str {
    match s {
        crate::rules::Severity::Low => "Low",
        crate::rules::Severity::Medium => "Medium",
        crate::rules::Severity::High => "High",
        crate::rules::Severity::Critical => "Critical",
    }
}

/// `YYYY-MM-DDTHH:MM:SS` in UTC, as GitLab's schema wants (no external time crate needed).
fn time_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    crate::timefmt::utc(secs)
}
