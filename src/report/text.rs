//! Text report for people: rule, `path:line:col`, commit when known, the masked line.

use crate::finding::Finding;
use anyhow::Result;
use std::io::Write;

pub fn write(
    findings: &[Finding],
    notices: &[String],
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
            "{bold}{red}{}{reset} {bold}{}{reset} ({}), {} confidence",
            f.hit.severity.as_str().to_uppercase(),
            f.hit.rule_name,
            f.hit.rule_id,
            f.hit.confidence.as_str()
        )?;
        if let Some(r) = &f.repository {
            writeln!(w, "  repository {} ({})", escape(&r.location), r.id)?;
        }
        writeln!(w, "  {}:{}:{}", escape(&f.path), f.hit.line, f.hit.column)?;
        if let Some(c) = &f.commit {
            writeln!(
                w,
                "  commit {} by {} <{}> on {}: {}",
                short(&c.id),
                escape(&c.author_name),
                escape(&c.author_email),
                c.date,
                escape(&c.summary)
            )?;
        }
        writeln!(
            w,
            "  {dim}|{reset} {}",
            escape(&truncate(f.hit.line_text.trim(), 200))
        )?;
        writeln!(
            w,
            "  secret: {}  fingerprint: {}",
            escape(&f.hit.secret),
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
                writeln!(w, "    {}:{}{at}", escape(&l.path), l.line)?;
            }
        }
        writeln!(w)?;
    }
    for n in notices {
        writeln!(w, "{bold}note:{reset} {}", escape(n))?;
    }
    Ok(())
}

/// Control characters (escape sequences, carriage returns, …) as `\xNN`, as ripgrep and git
/// print them, so scanned data cannot drive the terminal.
fn escape(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\t' => out.push('\t'),
            c if c.is_control() => out.push_str(&format!("\\x{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
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
