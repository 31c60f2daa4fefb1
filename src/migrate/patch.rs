//! `--patch`: a unified diff (for `git apply`) that replaces each literal with an expression
//! reading the secret at run time, from the same language template as the snippet
//! (`template`): the template's setup (the process's one client and the `secret_value`
//! helper) goes in once per file, where the language wants it (after the imports, first in
//! the class body), and each literal becomes the template's expression. Python, Java,
//! JavaScript/TypeScript ES modules, shell and CloudFormation are patched in place; where an
//! in-place lookup cannot be written correctly (CommonJS has no synchronous read, a Go
//! package-level var cannot return an error), the site is listed as not patched and the
//! snippet says what to write.
//!
//! Only the literal changes: the rest of the line is kept, and a literal that is part of a
//! longer string is split (`"postgres://app:" + EXPR + "@db:5432/orders"`).

use super::snippets::{is_esm, template_for, Lang};
use super::template::{Fill, Insert};
use super::Secret;
use std::collections::BTreeMap;
use std::path::Path;

/// A diff and the sites that could not be patched (one line each, no values).
pub struct Patch {
    pub diff: String,
    pub patched: usize,
    pub skipped: Vec<String>,
}

/// One edit of a file: replace `remove` lines at 0-based `at` with `insert`.
#[derive(Debug, Clone)]
struct Edit {
    at: usize,
    remove: usize,
    insert: Vec<String>,
}

struct Replacement {
    line: usize,
    span: (usize, usize),
    expr: String,
}

/// Builds the patch for every site of these secrets, reading files under `root`.
pub fn build(secrets: &[&Secret], root: &Path) -> Patch {
    let mut by_file: BTreeMap<String, Vec<Replacement>> = BTreeMap::new();
    let mut skipped = Vec::new();
    let mut langs: BTreeMap<String, Lang> = BTreeMap::new();
    let mut contents: BTreeMap<String, String> = BTreeMap::new();
    for s in secrets {
        for site in &s.sites {
            let at = format!("{}:{}", site.path, site.line);
            if !s.route.stored() {
                skipped.push(format!(
                    "{at}: not patched: this credential does not go to Secrets Manager ({}); see the plan",
                    s.route.as_str()
                ));
                continue;
            }
            let Some(span) = site.span else {
                skipped.push(format!(
                    "{at}: not patched: the literal spans several lines"
                ));
                continue;
            };
            if !contents.contains_key(&site.path) {
                let file = file_path(root, &site.path);
                match std::fs::read_to_string(&file) {
                    Ok(t) => {
                        contents.insert(site.path.clone(), t);
                    }
                    Err(_) => {
                        skipped.push(format!(
                            "{at}: not patched: the file is not readable UTF-8 text on disk"
                        ));
                        continue;
                    }
                }
            }
            let text = &contents[&site.path];
            let lang = *langs
                .entry(site.path.clone())
                .or_insert_with(|| super::snippets::detect(&site.path, Some(text)));
            let current = text
                .split('\n')
                .nth(site.line - 1)
                .map(|l| l.trim_end_matches('\r'));
            if current != Some(site.line_text.as_str()) {
                skipped.push(format!(
                    "{at}: not patched: the line on disk differs from the scanned one"
                ));
                continue;
            }
            let esm = is_esm(&site.path, text);
            let indented = site.line_text.starts_with([' ', '\t']);
            let (_, _, t) = template_for(&site.path, Some(text));
            let fill = Fill {
                name: &s.name,
                key: site.key.as_deref(),
                var: "",
                at: &at,
                ecs_from: "",
            };
            let expr = match (t.insert, t.expr(&fill)) {
                (Insert::None, _) | (_, None) => {
                    skipped.push(format!(
                        "{at}: not patched: {}; see the snippet",
                        t.no_patch
                            .clone()
                            .unwrap_or_else(|| format!("no in-place lookup for {}", lang.as_str()))
                    ));
                    continue;
                }
                (Insert::EsmAfterImports, Some(_)) if !esm => {
                    skipped.push(format!(
                        "{at}: not patched: CommonJS cannot read a secret synchronously; use the snippet's async reader"
                    ));
                    continue;
                }
                (Insert::EsmAfterImports, Some(_)) if indented => {
                    skipped.push(format!(
                        "{at}: not patched: inside a function the lookup needs `await` in an async function; see the snippet"
                    ));
                    continue;
                }
                (Insert::ClassBody, Some(_)) if !site.path.ends_with(".java") => {
                    skipped.push(format!(
                        "{at}: not patched: only Java sources are patched; see the snippet"
                    ));
                    continue;
                }
                (Insert::ClassBody, Some(e)) => {
                    let t = site.line_text.trim_start();
                    if t.starts_with('@') || t.starts_with("case ") {
                        skipped.push(format!("{at}: not patched: a constant is required here"));
                        continue;
                    }
                    e
                }
                (_, Some(e)) => e,
            };
            by_file
                .entry(site.path.clone())
                .or_default()
                .push(Replacement {
                    line: site.line,
                    span,
                    expr,
                });
        }
    }

    let mut diff = String::new();
    let mut patched = 0;
    for (path, mut reps) in by_file {
        let text = &contents[&path];
        let lang = langs[&path];
        let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_string).collect();
        let orig = lines.clone();
        reps.sort_by(|a, b| {
            (a.line, std::cmp::Reverse(a.span.0)).cmp(&(b.line, std::cmp::Reverse(b.span.0)))
        });
        let mut edits: Vec<Edit> = Vec::new();
        let mut done_ranges: Vec<(usize, (usize, usize))> = Vec::new();
        for r in &reps {
            let i = r.line - 1;
            let full = &lines[i];
            let ending_len = full.len() - full.trim_end_matches(['\n', '\r']).len();
            let (body, ending) = full.split_at(full.len() - ending_len);
            match replace_literal(body, r.span, &r.expr, lang) {
                Some((new_body, range)) => {
                    if done_ranges
                        .iter()
                        .any(|(l, g)| *l == r.line && range.0 < g.1 && g.0 < range.1)
                    {
                        skipped.push(format!(
                            "{path}:{}: not patched: shares a string literal with another replaced secret",
                            r.line
                        ));
                        continue;
                    }
                    done_ranges.push((r.line, range));
                    lines[i] = format!("{new_body}{ending}");
                    patched += 1;
                }
                None => skipped.push(format!(
                    "{path}:{}: not patched: the secret is not inside a simple one-line string literal",
                    r.line
                )),
            }
        }
        for (i, (o, n)) in orig.iter().zip(&lines).enumerate() {
            if o == n {
                continue;
            }
            // Consecutive changed lines form one block: all "-" lines, then all "+" lines.
            match edits.last_mut() {
                Some(last) if last.at + last.remove == i => {
                    last.remove += 1;
                    last.insert.push(n.clone());
                }
                _ => edits.push(Edit {
                    at: i,
                    remove: 1,
                    insert: vec![n.clone()],
                }),
            }
        }
        if edits.is_empty() {
            continue;
        }
        let (_, _, t) = template_for(&path, Some(text));
        if let Some(e) = setup_edit(&orig, t.insert, t.setup(is_esm(&path, text))) {
            edits.push(e);
        }
        edits.sort_by_key(|e| (e.at, e.remove));
        diff.push_str(&unified(&path, &orig, &edits));
    }
    Patch {
        diff,
        patched,
        skipped,
    }
}

fn file_path(root: &Path, rel: &str) -> std::path::PathBuf {
    if rel.is_empty() {
        root.to_path_buf()
    } else {
        root.join(rel)
    }
}

/// The edit that adds a template's setup to a file, unless the file already has it.
fn setup_edit(lines: &[String], insert: Insert, setup: &str) -> Option<Edit> {
    if setup.trim().is_empty() || matches!(insert, Insert::None | Insert::InPlace) {
        return None;
    }
    let marker = setup
        .lines()
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with(['#', '/']))?;
    if lines.iter().any(|l| l.trim() == marker.trim()) {
        return None;
    }
    let (at, indent) = match insert {
        Insert::ClassBody => (
            lines
                .iter()
                .position(|l| l.contains("class ") && l.trim_end().ends_with('{'))?
                + 1,
            "    ",
        ),
        Insert::AfterImports => (python_header_end(lines), ""),
        _ => (es_imports_end(lines), ""),
    };
    let mut insert: Vec<String> = Vec::new();
    if at > 0 && !lines[at - 1].trim().is_empty() {
        insert.push("\n".into());
    }
    for l in setup.trim_end().split('\n') {
        insert.push(if l.is_empty() {
            "\n".into()
        } else {
            format!("{indent}{l}\n")
        });
    }
    if at >= lines.len() || !lines[at].trim().is_empty() {
        insert.push("\n".into());
    }
    Some(Edit {
        at,
        remove: 0,
        insert,
    })
}

/// After a Python module's shebang, comments, docstring, `__future__` and other imports at
/// the top (multi-line imports included).
fn python_header_end(lines: &[String]) -> usize {
    let mut end = 0;
    let mut depth = 0i32;
    let mut in_doc: Option<&str> = None;
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim();
        if let Some(q) = in_doc {
            if t.contains(q) {
                in_doc = None;
                end = i + 1;
            }
            continue;
        }
        if depth > 0 {
            depth += paren_delta(t);
            if depth <= 0 {
                end = i + 1;
            }
            continue;
        }
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if let Some(q) = ["\"\"\"", "'''"].into_iter().find(|q| t.starts_with(q)) {
            if t.len() >= 6 && t[3..].contains(q) {
                end = i + 1;
            } else {
                in_doc = Some(q);
            }
            continue;
        }
        if t.starts_with("import ") || t.starts_with("from ") {
            depth = paren_delta(t);
            if depth <= 0 {
                end = i + 1;
            }
            continue;
        }
        break;
    }
    end
}

fn paren_delta(t: &str) -> i32 {
    t.matches('(').count() as i32 - t.matches(')').count() as i32
}

/// After an ES module's leading `import` statements (or its shebang and comments).
fn es_imports_end(lines: &[String]) -> usize {
    let mut end = 0;
    let mut in_import = false;
    for (i, l) in lines.iter().enumerate() {
        let t = l.trim();
        if in_import {
            if t.ends_with(';') || t.contains(" from ") {
                in_import = false;
                end = i + 1;
            }
            continue;
        }
        if t.is_empty() || t.starts_with("//") || t.starts_with("#!") {
            continue;
        }
        if t.starts_with("import ") {
            if t.ends_with(';') || t.contains(" from ") || t.starts_with("import \"") {
                end = i + 1;
            } else {
                in_import = true;
            }
            continue;
        }
        break;
    }
    end
}

/// Replaces the literal at `span` (inside a one-line string literal) with `expr`, splitting
/// the string when the literal is only part of it. Returns the new line and the replaced
/// byte range of the old line.
fn replace_literal(
    line: &str,
    span: (usize, usize),
    expr: &str,
    lang: Lang,
) -> Option<(String, (usize, usize))> {
    if matches!(lang, Lang::CloudformationYaml | Lang::CloudformationJson) {
        return replace_cfn_scalar(line, span, expr);
    }
    if lang == Lang::Shell {
        return replace_shell_word(line, span, expr);
    }
    let quotes: &[u8] = match lang {
        Lang::Python => b"\"'",
        Lang::Javascript | Lang::Typescript => b"\"'`",
        Lang::Go => b"\"`",
        _ => b"\"",
    };
    let b = line.as_bytes();
    let (a, e) = span;
    if e > b.len() || a >= e {
        return None;
    }
    // Opening quote: nearest quote before the literal with nothing escaped in between.
    let open = (0..a).rev().find(|&i| quotes.contains(&b[i]))?;
    let q = b[open];
    if b[open + 1..a].iter().any(|&c| c == b'\\' || c == q) {
        return None;
    }
    // It must open a string: an even number of that quote before it.
    if b[..open].iter().filter(|&&c| c == q).count() % 2 != 0 {
        return None;
    }
    let close = e + b[e..].iter().position(|&c| c == q)?;
    if b[a..close].contains(&b'\\') {
        return None;
    }
    if b[e..close].contains(&b'\\') || b[a..e].contains(&q) {
        return None;
    }
    // Triple-quoted or prefixed strings (Python b"", Go raw strings are fine).
    if open >= 1 && b[open - 1] == q || b.get(close + 1) == Some(&q) {
        return None;
    }
    let mut start = open;
    let mut prefix = String::new();
    if lang == Lang::Python {
        while start > 0 && b[start - 1].is_ascii_alphabetic() {
            start -= 1;
        }
        prefix = line[start..open].to_string();
        if prefix.len() > 2 || prefix.to_ascii_lowercase().contains('b') {
            return None;
        }
        if start > 0 && (b[start - 1].is_ascii_alphanumeric() || b[start - 1] == b'_') {
            return None;
        }
    }
    let qs = q as char;
    let before = &line[open + 1..a];
    let after = &line[e..close];
    let mut parts = Vec::new();
    if !before.is_empty() {
        parts.push(format!("{prefix}{qs}{before}{qs}"));
    }
    parts.push(expr.to_string());
    if !after.is_empty() {
        parts.push(format!("{prefix}{qs}{after}{qs}"));
    }
    let joined = if parts.len() == 1 {
        parts.remove(0)
    } else {
        format!("({})", parts.join(" + "))
    };
    let new = format!("{}{}{}", &line[..start], joined, &line[close + 1..]);
    Some((new, (start, close + 1)))
}

/// CloudFormation: a scalar that is exactly the literal (quoted, or unquoted YAML up to the
/// end of the line or a comment) becomes the quoted dynamic reference `expr`.
fn replace_cfn_scalar(
    line: &str,
    span: (usize, usize),
    expr: &str,
) -> Option<(String, (usize, usize))> {
    let (a, e) = span;
    let b = line.as_bytes();
    if e > b.len() || a == 0 {
        return None;
    }
    let (start, end) = match (b[a - 1], b.get(e)) {
        (q @ (b'"' | b'\''), Some(&c)) if c == q => (a - 1, e + 1),
        (b' ', _) if line[..a].trim_end().ends_with(':') || line[..a].trim_end().ends_with('-') => {
            let rest = &line[e..];
            if !(rest.trim().is_empty() || rest.trim_start().starts_with('#')) {
                return None;
            }
            (a, e)
        }
        _ => return None,
    };
    let q = if b[start] == b'\'' { '\'' } else { '"' };
    let q = if start == a { '\'' } else { q };
    let new = format!("{}{q}{expr}{q}{}", &line[..start], &line[end..]);
    Some((new, (start, end)))
}

/// Shell: the literal becomes a command substitution `$(...)`: in place inside double quotes,
/// or as a double-quoted word replacing a whole single-quoted or unquoted value.
fn replace_shell_word(
    line: &str,
    span: (usize, usize),
    expr: &str,
) -> Option<(String, (usize, usize))> {
    let (a, e) = span;
    let b = line.as_bytes();
    if e > b.len() || a == 0 || line.trim_start().starts_with('#') {
        return None;
    }
    let before = &line[..a];
    let dq_open = before.bytes().filter(|&c| c == b'"').count() % 2 == 1;
    if dq_open && line[e..].contains('"') && !line[a..e].contains(['"', '\\', '`', '$']) {
        return Some((format!("{before}{expr}{}", &line[e..]), (a, e)));
    }
    if b[a - 1] == b'\'' && b.get(e) == Some(&b'\'') {
        return Some((
            format!("{}\"{expr}\"{}", &line[..a - 1], &line[e + 1..]),
            (a - 1, e + 1),
        ));
    }
    let ends_word = b
        .get(e)
        .is_none_or(|c| c.is_ascii_whitespace() || *c == b';');
    if b[a - 1] == b'=' && ends_word && !dq_open {
        return Some((format!("{before}\"{expr}\"{}", &line[e..]), (a, e)));
    }
    None
}

/// A unified diff of one file with 3 lines of context.
fn unified(path: &str, old: &[String], edits: &[Edit]) -> String {
    const CTX: usize = 3;
    let n = old.len();
    let mut out = format!("--- a/{path}\n+++ b/{path}\n");
    let mut delta: isize = 0;
    let mut k = 0;
    while k < edits.len() {
        // Merge edits whose context windows touch.
        let mut last = k;
        while last + 1 < edits.len() {
            let end_prev = edits[last].at + edits[last].remove;
            if edits[last + 1].at <= end_prev + 2 * CTX {
                last += 1;
            } else {
                break;
            }
        }
        let group = &edits[k..=last];
        let start = group[0].at.saturating_sub(CTX);
        let end = (group[last - k].at + group[last - k].remove + CTX).min(n);
        let mut body = String::new();
        let (mut old_len, mut new_len) = (0usize, 0usize);
        let mut i = start;
        let mut gi = 0;
        while i < end || (gi < group.len() && group[gi].at == i) {
            if gi < group.len() && group[gi].at == i {
                let ed = &group[gi];
                for l in &old[i..i + ed.remove] {
                    push_line(&mut body, '-', l);
                    old_len += 1;
                }
                for l in &ed.insert {
                    push_line(&mut body, '+', l);
                    new_len += 1;
                }
                i += ed.remove;
                gi += 1;
                continue;
            }
            if i >= n {
                break;
            }
            push_line(&mut body, ' ', &old[i]);
            old_len += 1;
            new_len += 1;
            i += 1;
        }
        let old_start = if old_len == 0 { start } else { start + 1 };
        let new_start_raw = start as isize + delta;
        let new_start = if new_len == 0 {
            new_start_raw
        } else {
            new_start_raw + 1
        };
        out.push_str(&format!(
            "@@ -{old_start},{old_len} +{new_start},{new_len} @@\n{body}"
        ));
        delta += new_len as isize - old_len as isize;
        k = last + 1;
    }
    out
}

fn push_line(out: &mut String, tag: char, line: &str) {
    out.push(tag);
    out.push_str(line);
    if !line.ends_with('\n') {
        out.push_str("\n\\ No newline at end of file\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_and_partial_literals() {
        let (l, _) = replace_literal("KEY = \"abc\"  # x", (7, 10), "EXPR", Lang::Python).unwrap();
        assert_eq!(l, "KEY = EXPR  # x");
        let line = "u = 'postgres://app:pw12@db/x'";
        let a = line.find("pw12").unwrap();
        let (l, _) = replace_literal(line, (a, a + 4), "E", Lang::Python).unwrap();
        assert_eq!(l, "u = ('postgres://app:' + E + '@db/x')");
        assert!(replace_literal("k = b\"abc\"", (6, 9), "E", Lang::Python).is_none());
        assert!(replace_literal("k = abc", (4, 7), "E", Lang::Python).is_none());
    }

    #[test]
    fn cloudformation_scalars_become_dynamic_references() {
        let l = "          AWS_SECRET_ACCESS_KEY: abc123  # x";
        let a = l.find("abc123").unwrap();
        let (n, _) =
            replace_literal(l, (a, a + 6), "{{resolve:x}}", Lang::CloudformationYaml).unwrap();
        assert_eq!(n, "          AWS_SECRET_ACCESS_KEY: '{{resolve:x}}'  # x");
        let l = r#"  "Key": "abc123","#;
        let a = l.find("abc123").unwrap();
        let (n, _) =
            replace_literal(l, (a, a + 6), "{{resolve:x}}", Lang::CloudformationJson).unwrap();
        assert_eq!(n, r#"  "Key": "{{resolve:x}}","#);
        assert!(replace_literal("k: pre-abc123", (7, 13), "E", Lang::CloudformationYaml).is_none());
    }

    #[test]
    fn setup_goes_after_the_python_header_once() {
        let lines: Vec<String> = [
            "\"\"\"Doc\n",
            "more\"\"\"\n",
            "from x import (\n",
            "    a,\n",
            ")\n",
            "import os\n",
            "\n",
            "A = 1\n",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(python_header_end(&lines), 6);
        let e = setup_edit(&lines, Insert::AfterImports, "def f():\n    pass\n").unwrap();
        assert_eq!(e.at, 6);
        assert_eq!(e.insert[0], "\n");
        // Already there: not added twice.
        let mut again = lines.clone();
        again.insert(6, "def f():\n".into());
        assert!(setup_edit(&again, Insert::AfterImports, "def f():\n    pass\n").is_none());
        let js: Vec<String> = [
            "// c\n",
            "import a from \"a\";\n",
            "import {\n",
            "  b,\n",
            "} from \"b\";\n",
            "const x = 1;\n",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(es_imports_end(&js), 5);
    }

    #[test]
    fn shell_values_become_command_substitutions() {
        let l = "export K=\"abc123\"";
        let a = l.find("abc123").unwrap();
        assert_eq!(
            replace_literal(l, (a, a + 6), "$(x)", Lang::Shell)
                .unwrap()
                .0,
            "export K=\"$(x)\""
        );
        let l = "K=abc123 cmd";
        assert_eq!(
            replace_literal(l, (2, 8), "$(x)", Lang::Shell).unwrap().0,
            "K=\"$(x)\" cmd"
        );
        let l = "K='abc123'";
        assert_eq!(
            replace_literal(l, (3, 9), "$(x)", Lang::Shell).unwrap().0,
            "K=\"$(x)\""
        );
        assert!(replace_literal("echo abc123", (5, 11), "$(x)", Lang::Shell).is_none());
    }

    #[test]
    fn unified_hunk_headers() {
        let old: Vec<String> = (1..=10).map(|i| format!("l{i}\n")).collect();
        let edits = vec![
            Edit {
                at: 0,
                remove: 0,
                insert: vec!["new\n".into()],
            },
            Edit {
                at: 7,
                remove: 1,
                insert: vec!["L8\n".into()],
            },
        ];
        let d = unified("f.py", &old, &edits);
        assert!(d.contains("@@ -1,3 +1,4 @@\n+new\n l1\n"), "{d}");
        assert!(
            d.contains("@@ -5,6 +6,6 @@\n l5\n l6\n l7\n-l8\n+L8\n l9\n l10\n"),
            "{d}"
        );
    }
}
