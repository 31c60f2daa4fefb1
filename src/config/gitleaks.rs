//! A gitleaks config (`.gitleaks.toml`) translated into the equivalent `.keysweep.toml` text:
//! what `keysweep config import-gitleaks` writes and what a scan reads when a directory has
//! a `.gitleaks.toml` but no `.keysweep.toml`.
//!
//! Translated: custom `[[rules]]` (`id`, `description`, `regex`, `secretGroup`, `keywords`,
//! `entropy`, `path`, `tags`), allowlists — global `[allowlist]` and `[[allowlists]]`, and
//! those for some rules (`[[rules.allowlists]]`, `targetRules`) as `[[rule_allowlists]]` —
//! with `paths`, `regexes` (`regexTarget` secret|match|line), `stopwords` and `commits`, and
//! `[extend]` (`useDefault`: keysweep's own built-in rules stand in for gitleaks' defaults;
//! `disabledRules`: those that are keysweep ids too). Everything else — `condition = "AND"`
//! across criteria, `[extend] path`, path-only and composite rules, a regex keysweep's engine
//! rejects — is listed in [`Translation::untranslated`], one line each, naming where it is and
//! never the values it holds (an allowlist regex is often the very key it allows).

use anyhow::{anyhow, Result};
use std::collections::HashSet;
use toml::{Table, Value};

/// The file looked up beside `.keysweep.toml` when that is missing.
pub const FILE_NAME: &str = ".gitleaks.toml";

/// The translated config and what could not be translated.
pub struct Translation {
    pub toml: String,
    pub untranslated: Vec<String>,
}

/// What one allowlist allows, in keysweep's keys.
#[derive(Default)]
struct Criteria {
    secret_regexes: Vec<String>,
    line_regexes: Vec<String>,
    match_regexes: Vec<String>,
    path_regexes: Vec<String>,
    stopwords: Vec<String>,
    commits: Vec<String>,
}

#[derive(Default)]
struct Out {
    comments: Vec<String>,
    builtin_rules: Option<bool>,
    disable_rules: Vec<String>,
    global: Criteria,
    /// Allowlists for some rules: keysweep rule ids and what they allow.
    scoped: Vec<(Vec<String>, Criteria)>,
    rule_paths: Vec<(String, String)>,
    rules: Vec<String>,
    /// gitleaks rule id -> the keysweep id it was translated to.
    renamed: std::collections::HashMap<String, String>,
    untranslated: Vec<String>,
}

/// Translates the text of a gitleaks config (named `name` in errors). `builtin_ids` are the
/// ids of keysweep's built-in rules, for `disabledRules`.
pub fn translate(name: &str, text: &str, builtin_ids: &HashSet<String>) -> Result<Translation> {
    let table: Table =
        toml::from_str(text).map_err(|e| anyhow!(crate::rules::toml_error(name, text, &e)))?;
    let mut out = Out::default();
    let mut use_default = false;
    // Rules first: `targetRules` of an allowlist names them by their gitleaks ids.
    let order = ["extend", "rules", "allowlist", "allowlists"];
    let keys = order
        .iter()
        .filter_map(|k| table.get_key_value(*k))
        .chain(table.iter().filter(|(k, _)| !order.contains(&k.as_str())));
    for (key, value) in keys {
        match (key.as_str(), value) {
            ("title" | "description" | "minVersion", Value::String(s)) => {
                out.comments.push(format!("{key}: {}", one_line(s)));
            }
            ("extend", Value::Table(t)) => use_default = extend(t, builtin_ids, &mut out),
            ("rules", Value::Array(rules)) => {
                let mut ids = HashSet::new();
                for (i, r) in rules.iter().enumerate() {
                    match r {
                        Value::Table(t) => rule(i, t, &mut ids, &mut out),
                        _ => out.untranslated.push(format!("rules[{i}]: not a table")),
                    }
                }
            }
            ("allowlist", Value::Table(t)) => {
                global_allowlist("[allowlist]", t, builtin_ids, &mut out)
            }
            ("allowlists", Value::Array(lists)) => {
                for (i, a) in lists.iter().enumerate() {
                    let at = format!("[[allowlists]] #{}", i + 1);
                    match a {
                        Value::Table(t) => global_allowlist(&at, t, builtin_ids, &mut out),
                        _ => out.untranslated.push(format!("{at}: not a table")),
                    }
                }
            }
            _ => out.untranslated.push(format!(
                "top-level key {key:?}: not a gitleaks setting keysweep knows"
            )),
        }
    }
    if !use_default {
        if out.rules.is_empty() {
            out.untranslated.push(
                "no [extend] useDefault and no rules: gitleaks would run no rules; keysweep \
                 keeps its built-in rules"
                    .to_string(),
            );
        } else {
            // Without `useDefault` gitleaks runs the file's rules only.
            out.builtin_rules = Some(false);
        }
    }
    Ok(Translation {
        toml: render(&out),
        untranslated: out.untranslated,
    })
}

/// `[extend]`; returns whether the defaults are used.
fn extend(t: &Table, builtin_ids: &HashSet<String>, out: &mut Out) -> bool {
    let mut use_default = false;
    for (key, value) in t {
        match (key.as_str(), value) {
            ("useDefault", Value::Boolean(b)) => use_default = *b,
            ("disabledRules", Value::Array(ids)) => {
                for id in ids {
                    match id.as_str() {
                        Some(id) if builtin_ids.contains(id) => {
                            out.disable_rules.push(id.to_string())
                        }
                        Some(id) => out.untranslated.push(format!(
                            "[extend] disabledRules {id:?}: no keysweep rule has this id"
                        )),
                        None => out
                            .untranslated
                            .push("[extend] disabledRules: an entry is not a string".into()),
                    }
                }
            }
            ("path", _) => out.untranslated.push(
                "[extend] path: extending another config file is not translated (import that \
                 file and merge it by hand)"
                    .into(),
            ),
            _ => out
                .untranslated
                .push(format!("[extend] {key}: not translated")),
        }
    }
    use_default
}

/// One `[[rules]]` table.
fn rule(i: usize, t: &Table, ids: &mut HashSet<String>, out: &mut Out) {
    let given = t.get("id").and_then(Value::as_str).unwrap_or("");
    let at = if given.is_empty() {
        format!("rules[{i}]")
    } else {
        format!("rules[{i}] ({given})")
    };
    let regex = t.get("regex").and_then(Value::as_str);
    let Some(regex) = regex else {
        out.untranslated.push(if t.contains_key("path") {
            format!("{at}: a rule with only `path` (reporting files by name) is not translated")
        } else {
            format!(
                "{at}: no regex (a rule that extends a gitleaks default rule) is not translated"
            )
        });
        return;
    };
    if let Err(e) = regex::bytes::Regex::new(regex) {
        out.untranslated.push(format!(
            "{at}: regex rejected by keysweep's engine ({}); rule not translated",
            super::regex_problem(&e)
        ));
        return;
    }
    let mut id = kebab(given);
    if id.is_empty() {
        id = format!("gitleaks-rule-{}", i + 1);
    }
    while !ids.insert(id.clone()) {
        id.push_str("-dup");
    }
    if id != given {
        out.untranslated.push(format!(
            "{at}: id renamed to {id:?} (keysweep ids are kebab-case)"
        ));
    }
    out.renamed.insert(given.to_string(), id.clone());
    let description = t.get("description").and_then(Value::as_str);
    let mut lines = vec![
        "[[rules]]".to_string(),
        format!("id = {}", toml_str(&id)),
        format!("name = {}", toml_str(&one_line(description.unwrap_or(&id)))),
        format!(
            "description = {}",
            toml_str(description.unwrap_or("Imported from a gitleaks config."))
        ),
        format!("regex = {}", toml_str(regex)),
    ];
    for (key, value) in t {
        match (key.as_str(), value) {
            ("id" | "description" | "regex", _) => {}
            ("secretGroup", Value::Integer(n)) if *n > 0 => {
                lines.push(format!("secret_group = {n}"))
            }
            ("secretGroup", Value::Integer(0)) => {}
            ("entropy", Value::Float(x)) if *x > 0.0 => lines.push(format!("entropy = {x:?}")),
            ("entropy", Value::Integer(n)) if *n > 0 => lines.push(format!("entropy = {n}.0")),
            ("entropy", Value::Float(_) | Value::Integer(_)) => {}
            ("keywords", Value::Array(k)) => {
                let words: Vec<&str> = k.iter().filter_map(Value::as_str).collect();
                if words.len() != k.len() || words.iter().any(|w| w.len() < 2) {
                    // Dropping one keyword would hide matches near it; dropping all only
                    // makes the rule run on every file.
                    out.untranslated.push(format!(
                        "{at}: keywords not translated (keysweep keywords are strings of at \
                         least 2 bytes); the rule runs on every file"
                    ));
                } else if !words.is_empty() {
                    lines.push(format!("keywords = {}", toml_list(&words)));
                }
            }
            ("tags", Value::Array(k)) => {
                let tags: Vec<&str> = k.iter().filter_map(Value::as_str).collect();
                lines.push(format!("tags = {}", toml_list(&tags)));
            }
            ("path", Value::String(p)) => match regex::Regex::new(p) {
                Ok(_) => out.rule_paths.push((id.clone(), p.clone())),
                Err(e) => out.untranslated.push(format!(
                    "{at}: path regex rejected ({}); the rule applies to every path",
                    super::regex_problem(&e)
                )),
            },
            ("allowlist", Value::Table(a)) => {
                let at = format!("{at} allowlist");
                if let Some(c) = allowlist(&at, a, &mut out.untranslated) {
                    out.scoped.push((vec![id.clone()], c));
                }
            }
            ("allowlists", Value::Array(lists)) => {
                for (n, a) in lists.iter().enumerate() {
                    let at = format!("{at} allowlists #{}", n + 1);
                    match a {
                        Value::Table(a) => {
                            if let Some(c) = allowlist(&at, a, &mut out.untranslated) {
                                out.scoped.push((vec![id.clone()], c));
                            }
                        }
                        _ => out.untranslated.push(format!("{at}: not a table")),
                    }
                }
            }
            ("required", _) => out.untranslated.push(format!(
                "{at}: composite rules (`required`) are not translated; the primary rule is"
            )),
            _ => out.untranslated.push(format!("{at}: {key} not translated")),
        }
    }
    out.rules.push(lines.join("\n"));
}

/// A top-level allowlist (`[allowlist]` or an `[[allowlists]]` entry): for every rule, or
/// for its `targetRules` (by gitleaks id: a rule of the file, or a keysweep built-in id).
fn global_allowlist(at: &str, t: &Table, builtin_ids: &HashSet<String>, out: &mut Out) {
    let Some(criteria) = allowlist(at, t, &mut out.untranslated) else {
        return;
    };
    let Some(targets) = t.get("targetRules").and_then(Value::as_array) else {
        out.global.extend(criteria);
        return;
    };
    let mut ids = Vec::new();
    for target in targets {
        match target.as_str() {
            Some(g) if out.renamed.contains_key(g) => ids.push(out.renamed[g].clone()),
            Some(g) if builtin_ids.contains(g) => ids.push(g.to_string()),
            Some(g) => out.untranslated.push(format!(
                "{at}: targetRules {g:?}: no such rule here or in keysweep's built-ins; left out"
            )),
            None => out
                .untranslated
                .push(format!("{at}: targetRules: an entry is not a string")),
        }
    }
    if ids.is_empty() {
        // An allowlist meant for some rules must not become one for all.
        out.untranslated.push(format!(
            "{at}: none of its targetRules exist; not translated"
        ));
    } else {
        out.scoped.push((ids, criteria));
    }
}

impl Criteria {
    fn extend(&mut self, other: Criteria) {
        self.secret_regexes.extend(other.secret_regexes);
        self.line_regexes.extend(other.line_regexes);
        self.match_regexes.extend(other.match_regexes);
        self.path_regexes.extend(other.path_regexes);
        self.stopwords.extend(other.stopwords);
        self.commits.extend(other.commits);
    }

    /// `key = [...]` lines of the criteria that are set.
    fn render(&self, s: &mut String) {
        let keys = [
            ("regexes", &self.secret_regexes),
            ("lines", &self.line_regexes),
            ("matches", &self.match_regexes),
            ("path_regexes", &self.path_regexes),
            ("stopwords", &self.stopwords),
            ("commits", &self.commits),
        ];
        for (key, list) in keys {
            if !list.is_empty() {
                s.push_str(&format!("{key} = {}\n", toml_list(list)));
            }
        }
    }

    fn is_empty(&self) -> bool {
        let mut s = String::new();
        self.render(&mut s);
        s.is_empty()
    }
}

/// What one allowlist allows; None when it cannot be translated (said in `untranslated`).
fn allowlist(at: &str, t: &Table, untranslated: &mut Vec<String>) -> Option<Criteria> {
    let mut out = Criteria::default();
    let list = |key: &str| -> Vec<&str> {
        t.get(key)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    };
    let criteria = ["regexes", "paths", "stopwords", "commits"]
        .iter()
        .filter(|k| !list(k).is_empty())
        .count();
    let condition = t.get("condition").and_then(Value::as_str).unwrap_or("OR");
    if condition.eq_ignore_ascii_case("AND") && criteria > 1 {
        untranslated.push(format!(
            "{at}: condition = \"AND\" across several criteria is not translated (keysweep \
             drops a finding when any one allowlist criterion matches)"
        ));
        return None;
    }
    let target = t
        .get("regexTarget")
        .and_then(Value::as_str)
        .unwrap_or("secret");
    for (key, value) in t {
        let strings = value.as_array().map(|a| {
            if a.iter().any(|v| !v.is_str()) {
                untranslated.push(format!("{at}: {key}: an entry is not a string"));
            }
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect::<Vec<_>>()
        });
        match (key.as_str(), strings) {
            ("description", _) => {}
            ("condition" | "regexTarget" | "targetRules", _) => {}
            ("regexes", Some(list)) => {
                let dest = match target {
                    "secret" => &mut out.secret_regexes,
                    "line" => &mut out.line_regexes,
                    "match" => &mut out.match_regexes,
                    _ => {
                        untranslated.push(format!(
                            "{at}: regexes with an unknown regexTarget are not translated"
                        ));
                        continue;
                    }
                };
                checked_regexes(at, key, list, dest, untranslated);
            }
            ("paths", Some(list)) => {
                checked_regexes(at, key, list, &mut out.path_regexes, untranslated)
            }
            ("stopwords", Some(list)) => out.stopwords.extend(list),
            ("commits", Some(list)) => {
                for (n, c) in list.iter().enumerate() {
                    let hex =
                        c.len() >= 7 && c.len() <= 64 && c.bytes().all(|b| b.is_ascii_hexdigit());
                    if hex {
                        out.commits.push(c.to_ascii_lowercase());
                    } else {
                        untranslated.push(format!(
                            "{at}: commits entry {}: not a commit id (7 to 64 hex digits)",
                            n + 1
                        ));
                    }
                }
            }
            _ => untranslated.push(format!("{at}: {key} not translated")),
        }
    }
    Some(out)
}

fn checked_regexes(
    at: &str,
    key: &str,
    list: Vec<String>,
    dest: &mut Vec<String>,
    untranslated: &mut Vec<String>,
) {
    for (n, r) in list.into_iter().enumerate() {
        match regex::Regex::new(&r) {
            Ok(_) => dest.push(r),
            Err(e) => untranslated.push(format!(
                "{at}: {key} entry {}: regex rejected ({})",
                n + 1,
                super::regex_problem(&e)
            )),
        }
    }
}

/// The `.keysweep.toml` text.
fn render(out: &Out) -> String {
    let mut s = String::from(
        "# Translated from a gitleaks config by `keysweep config import-gitleaks`.\n\
         # Rules imported from gitleaks have no examples: `keysweep rules check` asks for them.\n",
    );
    for c in &out.comments {
        s.push_str(&format!("# {c}\n"));
    }
    s.push('\n');
    if let Some(b) = out.builtin_rules {
        s.push_str("# gitleaks ran only this file's rules (no [extend] useDefault).\n");
        s.push_str(&format!("builtin_rules = {b}\n"));
    }
    if !out.disable_rules.is_empty() {
        s.push_str(&format!(
            "disable_rules = {}\n",
            toml_list(&out.disable_rules)
        ));
    }
    if !out.global.is_empty() {
        s.push_str("\n[allowlist]\n");
        out.global.render(&mut s);
    }
    if !out.rule_paths.is_empty() {
        s.push_str("\n# Findings of these rules count only in paths matching the regex.\n");
        s.push_str("[rule_paths]\n");
        for (id, p) in &out.rule_paths {
            s.push_str(&format!("{} = {}\n", toml_str(id), toml_str(p)));
        }
    }
    for (ids, criteria) in &out.scoped {
        if criteria.is_empty() {
            continue;
        }
        s.push_str("\n[[rule_allowlists]]\n");
        s.push_str(&format!("rules = {}\n", toml_list(ids)));
        criteria.render(&mut s);
    }
    for r in &out.rules {
        s.push('\n');
        s.push_str(r);
        s.push('\n');
    }
    s
}

fn toml_str(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

fn toml_list<S: AsRef<str>>(items: &[S]) -> String {
    let parts: Vec<String> = items.iter().map(|i| toml_str(i.as_ref())).collect();
    format!("[{}]", parts.join(", "))
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A keysweep rule id from a gitleaks one: lower case, runs of other characters as one `-`.
fn kebab(id: &str) -> String {
    let mut out = String::new();
    for c in id.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translates_rules_and_allowlists_and_lists_the_rest() {
        let text = r#"
title = "team config"
[extend]
useDefault = true
disabledRules = ["aws-access-key-id", "generic-api-key"]

[[rules]]
id = "Acme_Token"
description = "ACME token"
regex = '''acme_([a-z0-9]{32})'''
secretGroup = 1
entropy = 3
keywords = ["acme_"]
path = '''\.env$'''
[[rules.allowlists]]
regexes = ['''x''']

[allowlist]
regexTarget = "line"
regexes = ['''example\.org''', '''(''']
paths = ['''^fixtures/''']
commits = ["0123456789abcdef0123456789abcdef01234567", "nope"]

[[allowlists]]
targetRules = ["Acme_Token", "missing"]
paths = ['''x''']

[[allowlists]]
condition = "AND"
paths = ['''a''']
stopwords = ["b"]
"#;
        let ids: HashSet<String> = ["aws-access-key-id".to_string()].into();
        let t = translate("g.toml", text, &ids).unwrap();
        let lines = [
            "disable_rules = [\"aws-access-key-id\"]",
            "id = \"acme-token\"",
            "secret_group = 1",
            "entropy = 3.0",
            "lines = ['example\\.org']",
            "path_regexes = [\"^fixtures/\"]",
        ];
        for l in lines {
            assert!(t.toml.contains(l), "{l} missing from:\n{}", t.toml);
        }
        assert!(!t.toml.contains("builtin_rules"), "{}", t.toml);
        let u = t.untranslated.join("\n");
        for part in [
            "generic-api-key",
            "regexes entry 2",
            "commits entry 2",
            "targetRules \"missing\"",
            "condition = \"AND\"",
            "renamed",
        ] {
            assert!(u.contains(part), "{part} not in:\n{u}");
        }
        let parsed: Table = toml::from_str(&t.toml).expect("valid TOML");
        assert_eq!(parsed["rule_paths"]["acme-token"].as_str(), Some("\\.env$"));
        // The rule's own allowlist and the one naming it in targetRules: for that rule only.
        let scoped = parsed["rule_allowlists"].as_array().unwrap();
        assert_eq!(scoped.len(), 2, "{}", t.toml);
        assert!(scoped
            .iter()
            .all(|s| s["rules"][0].as_str() == Some("acme-token")));
    }
}
