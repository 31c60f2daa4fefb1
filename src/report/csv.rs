//! CSV report (RFC 4180 quoting), one row per finding.

use crate::finding::Finding;
use anyhow::Result;
use std::io::Write;

const HEADER: &[&str] = &[
    "rule_id",
    "rule_name",
    "severity",
    "confidence",
    "path",
    "line",
    "column",
    "end_line",
    "end_column",
    "secret",
    "fingerprint",
    "commit",
    "author",
    "date",
];

pub fn write(findings: &[Finding], w: &mut dyn Write) -> Result<()> {
    // Sweeps add the repository; other scans keep the columns they always had.
    let sweep = findings.iter().any(|f| f.repository.is_some());
    let mut header = HEADER.to_vec();
    if sweep {
        header.extend(["repository", "repository_id"]);
    }
    writeln!(w, "{}", header.join(","))?;
    for f in findings {
        let c = f.commit.as_ref();
        let row = [
            f.hit.rule_id.clone(),
            f.hit.rule_name.clone(),
            f.hit.severity.as_str().to_string(),
            f.hit.confidence.as_str().to_string(),
            f.path.clone(),
            f.hit.line.to_string(),
            f.hit.column.to_string(),
            f.hit.end_line.to_string(),
            f.hit.end_column.to_string(),
            f.hit.secret.clone(),
            f.fingerprint.clone(),
            c.map(|c| c.id.clone()).unwrap_or_default(),
            c.map(|c| format!("{} <{}>", c.author_name, c.author_email))
                .unwrap_or_default(),
            c.map(|c| c.date.clone()).unwrap_or_default(),
        ];
        let mut cells: Vec<String> = row.iter().map(|c| quote(c)).collect();
        if sweep {
            let r = f.repository.as_deref();
            cells.push(quote(r.map_or("", |r| r.location.as_str())));
            cells.push(quote(r.map_or("", |r| r.id.as_str())));
        }
        writeln!(w, "{}", cells.join(","))?;
    }
    Ok(())
}

fn quote(cell: &str) -> String {
    // A leading =, +, - or @ would run as a formula in a spreadsheet: prefix a quote.
    let cell = if cell.starts_with(['=', '+', '-', '@']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    };
    if cell.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell
    }
}
