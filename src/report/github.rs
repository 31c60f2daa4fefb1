//! GitHub Actions workflow commands: one `::error` annotation per finding, shown on the
//! pull request's diff. Carries the secret only with `--show-secrets`.

use super::ReportContext;
use crate::finding::Finding;
use anyhow::Result;
use std::io::Write;

pub fn write(findings: &[Finding], ctx: &ReportContext<'_>, w: &mut dyn Write) -> Result<()> {
    for n in ctx.notices {
        writeln!(w, "::warning title=keysweep::{}", escape_data(n))?;
    }
    for f in findings {
        let title = format!("keysweep: {}", f.hit.rule_name);
        let mut message = format!(
            "{} ({}, {} confidence) found; fingerprint {}. Remove it, rotate it, and read it from a secret store.",
            f.hit.rule_name, f.hit.rule_id, f.hit.confidence.as_str(), f.fingerprint
        );
        if let Some(r) = &f.repository {
            message = format!("In repository {} ({}): {message}", r.location, r.id);
        }
        if ctx.show_secrets {
            message.push_str(&format!(" Secret: {}", f.hit.secret));
        }
        writeln!(
            w,
            "::error file={},line={},endLine={},col={},title={}::{}",
            escape_property(f.stable_path()),
            f.hit.line,
            f.hit.end_line,
            f.hit.column,
            escape_property(&title),
            escape_data(&message)
        )?;
    }
    Ok(())
}

/// Escaping rules of GitHub's workflow commands.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}
