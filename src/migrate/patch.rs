//! `--patch`: a unified diff (for `git apply`) that replaces each literal with an expression
//! reading the secret at run time, where the language allows it in place: Python, Java,
//! JavaScript/TypeScript, Go, shell (`$(aws secretsmanager ...)`) and CloudFormation
//! (`{{resolve:secretsmanager:...}}`). Fully-qualified expressions are used so no import is needed,
//! except in Go, where aliased imports (`ksctx`, `ksjson`, `ksaws`, `ksconfig`, `kssm`)
//! are added to the import block; those aliases cannot clash with the file's own names.
//!
//! Only the literal changes: the rest of the line is kept, and a literal that is part of a
//! longer string is split (`"postgres://app:" + EXPR + "@db:5432/orders"`).

use super::snippets::{detect, Lang};
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
                .or_insert_with(|| detect(&site.path, Some(text)));
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
            let expr = match lang {
                Lang::Python => python_expr(&s.name, site.key.as_deref()),
                Lang::Java if site.path.ends_with(".java") => {
                    let t = site.line_text.trim_start();
                    if t.starts_with('@') || t.starts_with("case ") {
                        skipped.push(format!("{at}: not patched: a constant is required here"));
                        continue;
                    }
                    java_expr(&s.name, site.key.as_deref())
                }
                Lang::Javascript | Lang::Typescript => {
                    if esm && indented {
                        skipped.push(format!(
                            "{at}: not patched: an ES module needs `await` here; see the snippet"
                        ));
                        continue;
                    }
                    js_expr(&s.name, site.key.as_deref(), esm)
                }
                Lang::Go => {
                    if in_go_const(text, site.line) {
                        skipped.push(format!(
                            "{at}: not patched: Go constants cannot hold a lookup; make it a var"
                        ));
                        continue;
                    }
                    go_expr(&s.name, site.key.as_deref())
                }
                Lang::CloudformationYaml | Lang::CloudformationJson => {
                    super::snippets::resolve(&s.name, site.key.as_deref())
                }
                Lang::Shell => format!("$({})", super::snippets::cli(&s.name, site.key.as_deref())),
                other => {
                    skipped.push(format!(
                        "{at}: not patched: no in-place lookup for {}; see the snippet",
                        other.as_str()
                    ));
                    continue;
                }
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
        if lang == Lang::Go {
            let uses_json = lines.iter().any(|l| l.contains("ksjson."));
            if let Some(e) = go_imports(&orig, uses_json) {
                edits.push(e);
            }
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

fn is_esm(path: &str, text: &str) -> bool {
    let p = path.to_ascii_lowercase();
    if p.ends_with(".mjs") || p.ends_with(".ts") || p.ends_with(".tsx") || p.ends_with(".mts") {
        return true;
    }
    if p.ends_with(".cjs") {
        return false;
    }
    text.lines()
        .any(|l| l.starts_with("import ") || l.starts_with("export "))
}

fn in_go_const(text: &str, line: usize) -> bool {
    let lines: Vec<&str> = text.split('\n').collect();
    let this = lines[line - 1].trim_start();
    if this.starts_with("const ") {
        return true;
    }
    for l in lines[..line - 1].iter().rev() {
        let t = l.trim();
        if t == ")" || t.starts_with("func ") || t.starts_with("var (") || t.starts_with("import (")
        {
            return false;
        }
        if t.starts_with("const (") {
            return true;
        }
    }
    false
}

pub fn python_expr(name: &str, key: Option<&str>) -> String {
    let get = format!(
        "__import__(\"boto3\").client(\"secretsmanager\").get_secret_value(SecretId=\"{name}\")[\"SecretString\"]"
    );
    match key {
        Some(k) => format!("__import__(\"json\").loads({get})[\"{k}\"]"),
        None => get,
    }
}

pub fn java_expr(name: &str, key: Option<&str>) -> String {
    let get = format!(
        "software.amazon.awssdk.services.secretsmanager.SecretsManagerClient.create().getSecretValue(r -> r.secretId(\"{name}\")).secretString()"
    );
    match key {
        Some(k) => format!(
            "software.amazon.awssdk.protocols.jsoncore.JsonNode.parser().parse({get}).asObject().get(\"{k}\").asString()"
        ),
        None => get,
    }
}

/// ES modules: SDK v3 with top-level await. CommonJS has no synchronous SDK call, so it
/// reads the secret through the AWS CLI (execFileSync); the snippet shows the SDK v3 code.
pub fn js_expr(name: &str, key: Option<&str>, esm: bool) -> String {
    let get = if esm {
        format!(
            "(await new (await import(\"@aws-sdk/client-secrets-manager\")).SecretsManagerClient({{}}).send(new (await import(\"@aws-sdk/client-secrets-manager\")).GetSecretValueCommand({{ SecretId: \"{name}\" }}))).SecretString"
        )
    } else {
        format!(
            "require(\"child_process\").execFileSync(\"aws\", [\"secretsmanager\", \"get-secret-value\", \"--secret-id\", \"{name}\", \"--query\", \"SecretString\", \"--output\", \"text\"], {{ encoding: \"utf8\" }}).trim()"
        )
    };
    match key {
        Some(k) => format!("JSON.parse({get})[\"{k}\"]"),
        None => get,
    }
}

pub fn go_expr(name: &str, key: Option<&str>) -> String {
    let pre = format!(
        "func() string {{ c, err := ksconfig.LoadDefaultConfig(ksctx.Background()); if err != nil {{ panic(err) }}; o, err := kssm.NewFromConfig(c).GetSecretValue(ksctx.Background(), &kssm.GetSecretValueInput{{SecretId: ksaws.String(\"{name}\")}}); if err != nil {{ panic(err) }}; "
    );
    match key {
        Some(k) => format!(
            "{pre}var m map[string]any; if err := ksjson.Unmarshal([]byte(ksaws.ToString(o.SecretString)), &m); err != nil {{ panic(err) }}; s, _ := m[\"{k}\"].(string); return s }}()"
        ),
        None => format!("{pre}return ksaws.ToString(o.SecretString) }}()"),
    }
}

const GO_IMPORTS: &[&str] = &[
    "ksctx \"context\"",
    "ksjson \"encoding/json\"",
    "ksaws \"github.com/aws/aws-sdk-go-v2/aws\"",
    "ksconfig \"github.com/aws/aws-sdk-go-v2/config\"",
    "kssm \"github.com/aws/aws-sdk-go-v2/service/secretsmanager\"",
];

/// Adds the aliased imports to the first `import (` block, or a new block after `package`
/// (`ksjson` only when a keyed lookup uses it: Go refuses unused imports).
fn go_imports(lines: &[String], uses_json: bool) -> Option<Edit> {
    let missing: Vec<&&str> = GO_IMPORTS
        .iter()
        .filter(|imp| uses_json || !imp.starts_with("ksjson"))
        .filter(|imp| !lines.iter().any(|l| l.trim() == **imp))
        .collect();
    if missing.is_empty() {
        return None;
    }
    if let Some(i) = lines.iter().position(|l| l.trim_end() == "import (") {
        return Some(Edit {
            at: i + 1,
            remove: 0,
            insert: missing.iter().map(|m| format!("\t{m}\n")).collect(),
        });
    }
    let p = lines.iter().position(|l| l.starts_with("package "))?;
    let mut insert = vec!["\n".to_string(), "import (\n".to_string()];
    insert.extend(missing.iter().map(|m| format!("\t{m}\n")));
    insert.push(")\n".to_string());
    Some(Edit {
        at: p + 1,
        remove: 0,
        insert,
    })
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
    fn go_gets_aliased_imports_and_an_inline_lookup() {
        let lines: Vec<String> = ["package main\n", "\n", "import (\n", "\t\"fmt\"\n", ")\n"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let e = go_imports(&lines, true).unwrap();
        assert_eq!(e.at, 3);
        assert!(e.insert.iter().any(|l| l == "\tksjson \"encoding/json\"\n"));
        let e = go_imports(&lines, false).unwrap();
        assert!(!e.insert.iter().any(|l| l.contains("ksjson")));
        let x = go_expr("a/b", Some("password"));
        assert_eq!(x.matches('{').count(), x.matches('}').count());
        assert!(x.starts_with("func() string {") && x.ends_with("}()"));
        assert!(in_go_const("package x\nconst (\n\tA = \"s\"\n)\n", 3));
        assert!(!in_go_const("package x\nvar A = \"s\"\n", 2));
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
