//! Text report for people: rule, `path:line:col`, commit when known, the masked line.

use super::ReportContext;
use crate::finding::Finding;
use anyhow::Result;
use std::io::Write;

pub fn write(
    findings: &[Finding],
    ctx: &ReportContext<'_>,
    w: &mut dyn Write,
    color: bool,
) -> Result<()> {
    let (bold, red, dim, reset) = if color {
        ("\x1b[1m", "\x1b[31m", "\x1b[2m", "\x1b[0m")
    } else {
        ("", "", "", "")
    };
    for f in findings {
        writeln!(
            w,
            "{bold}{red}{}{reset} {bold}{}{reset} ({})",
            f.hit.severity.as_str().to_uppercase(),
            f.hit.rule_name,
            f.hit.rule_id
        )?;
        writeln!(w, "  {}:{}:{}", f.path, f.hit.line, f.hit.column)?;
        if let Some(c) = &f.commit {
            writeln!(
                w,
                "  commit {} by {} <{}> on {}: {}",
                short(&c.id),
                c.author_name,
                c.author_email,
                c.date,
                c.summary
            )?;
        }
        let line = f.shown_line(ctx.show_secrets);
        writeln!(w, "  {dim}|{reset} {}", truncate(line.trim(), 200))?;
        writeln!(
            w,
            "  secret: {}  fingerprint: {}",
            f.shown_secret(ctx.show_secrets),
            f.fingerprint
        )?;
        if f.other_locations > 0 {
            writeln!(w, "  also in {} other place(s)", f.other_locations)?;
            for l in &f.locations {
                let at = l
                    .commit
                    .as_ref()
                    .map(|c| format!(" (commit {})", short(&c.id)))
                    .unwrap_or_default();
                writeln!(w, "    {}:{}{at}", l.path, l.line)?;
            }
        }
        writeln!(w)?;
    }
    Ok(())
}

fn short(id: &str) -> &str {
    &id[..id.len().min(12)]
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}…")
    }
}
