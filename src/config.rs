//! Configuration: the effective rule set and allowlists for a scan.
//!
//! The config file is `.keysweep.toml` at the scanned root (the first PATH, or the root of
//! the repository for `--git` and `--staged`), or the file named by `--config`. Every key is
//! optional; unknown keys are errors, reported as `file:line:col: message`.
//!
//! Path globs (`exclude`, `allowlist.paths`) are gitignore-style, like `--exclude` (see
//! `pathfilter.rs`), matched relative to the root they were found under.
//!
//! ```toml
//! # Skip files larger than this (bytes, or with a K/M/G suffix). --max-file-size wins.
//! max_file_size = "10M"
//! # Paths never scanned nor reported (gitignore-style globs). Added to --exclude.
//! exclude = ["vendor/**", "*.min.js"]
//! # Built-in rules to turn off, by id (`keysweep rules list`).
//! disable_rules = ["generic-password"]
//!
//! [allowlist]
//! paths = ["tests/fixtures/**"]        # like exclude: never scanned nor reported
//! regexes = ['^AKIA[A-Z2-7]{12}TEST']  # regexes on the secret
//! lines = ['example\.org']             # regexes on the line holding the secret
//! stopwords = ["dummy", "sample"]      # a secret containing one (any case) is dropped
//! matches = ['key = AKIA\w+TEST']       # regexes on the whole rule match
//! path_regexes = ['^fixtures/']        # regexes on the path: findings there are dropped
//! commits = ["4f0c2a1"]                # history findings introduced by these commits
//!
//! # Findings of a rule count only in paths matching its regex (gitleaks' rule `path`).
//! [rule_paths]
//! acme-api-token = '(^|/)\.env$'
//!
//! # An allowlist for some rules only: the keys of [allowlist] except `paths`.
//! [[rule_allowlists]]
//! rules = ["generic-secret-assignment"]
//! lines = ['^\s*#']
//!
//! # Custom rules, in the format of the built-in pack (patterns/*.toml). A rule with the id
//! # of a built-in rule replaces it.
//! [[rules]]
//! id = "acme-api-token"
//! name = "ACME API token"
//! description = "Token for the ACME internal API."
//! keywords = ["acme_"]
//! regex = '\b(acme_[a-z0-9]{32})\b'
//! examples = ["token = acme_0123456789abcdef0123456789abcdef"]
//! ```
//!
//! `builtin_rules = false` runs the custom rules only (what a gitleaks config without
//! `[extend] useDefault` means). Without a `.keysweep.toml`, a `.gitleaks.toml` at the same
//! place is read, translated (`config/gitleaks.rs`), with a one-line notice.

pub mod gitleaks;

use crate::filter::{Allowlist, ScopedAllowlist};
use crate::rules::{builtin_rules_for_scanning, toml_error, Rule};
use anyhow::{anyhow, bail, Context, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// Default `--max-file-size`: 64 MiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 64 << 20;

/// A config file larger than this is refused.
const MAX_FILE_BYTES: u64 = 16 << 20;

/// The name of the config file looked up at the scanned root.
pub const FILE_NAME: &str = ".keysweep.toml";

/// Everything a scan needs from configuration.
pub struct Effective {
    pub rules: Vec<Rule>,
    pub allowlist: Allowlist,
    /// `exclude` and `allowlist.paths` globs, each with its `file:line:col` for errors.
    pub exclude: Vec<(String, String)>,
    pub max_file_size: u64,
}

/// Which config file to read and what overrides it.
pub struct ConfigRequest<'a> {
    /// `--config`: this file, and no lookup.
    pub explicit: Option<&'a Path>,
    /// The config file's text from elsewhere (a range's base commit), named for errors; used
    /// instead of looking at `root`. `Some(None)`: there is no config there.
    pub text: Option<Option<(String, String)>>,
    /// The directory whose `.keysweep.toml` is read when there is one (no lookup: None).
    pub root: Option<&'a Path>,
    /// `--max-file-size`: wins over the file's `max_file_size`.
    pub max_file_size: Option<u64>,
    pub quiet: bool,
}

/// A size: a byte count or a string such as "10M".
#[derive(Deserialize)]
#[serde(untagged)]
enum Size {
    Bytes(u64),
    Text(String),
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct AllowlistFile {
    #[serde(default)]
    paths: Vec<Spanned<String>>,
    #[serde(default)]
    regexes: Vec<Spanned<String>>,
    #[serde(default)]
    lines: Vec<Spanned<String>>,
    #[serde(default)]
    stopwords: Vec<String>,
    #[serde(default)]
    matches: Vec<Spanned<String>>,
    #[serde(default)]
    path_regexes: Vec<Spanned<String>>,
    #[serde(default)]
    commits: Vec<Spanned<String>>,
}

/// An allowlist for some rules only (`[[rule_allowlists]]`): the criteria of `[allowlist]`
/// but path regexes instead of globs (path globs skip files for every rule).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleAllowlistFile {
    rules: Vec<Spanned<String>>,
    #[serde(default)]
    regexes: Vec<Spanned<String>>,
    #[serde(default)]
    lines: Vec<Spanned<String>>,
    #[serde(default)]
    matches: Vec<Spanned<String>>,
    #[serde(default)]
    path_regexes: Vec<Spanned<String>>,
    #[serde(default)]
    commits: Vec<Spanned<String>>,
    #[serde(default)]
    stopwords: Vec<String>,
}

/// The whole config file. A plain rule file (only `[[rules]]`) is a valid config file.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    max_file_size: Option<Spanned<Size>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    disable_rules: Vec<Spanned<String>>,
    /// False: only this file's rules run.
    #[serde(default)]
    builtin_rules: Option<bool>,
    #[serde(default)]
    allowlist: AllowlistFile,
    #[serde(default)]
    rule_paths: std::collections::BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    rule_allowlists: Vec<RuleAllowlistFile>,
    #[serde(default)]
    rules: Vec<Spanned<Rule>>,
}

/// A parsed config file with its text, for error positions.
struct Parsed {
    name: String,
    text: String,
    file: ConfigFile,
}

impl Parsed {
    fn read(path: &Path) -> Result<Parsed> {
        Parsed::read_as(path, true)
    }

    /// Reads a config file; `follow` false refuses a symlink (a file found by looking).
    fn read_as(path: &Path, follow: bool) -> Result<Parsed> {
        let text = crate::safefs::read_text(path, follow, MAX_FILE_BYTES)
            .with_context(|| format!("cannot read config file {}", path.display()))?;
        Parsed::parse(path.display().to_string(), text)
    }

    fn parse(name: String, text: String) -> Result<Parsed> {
        let file: ConfigFile =
            toml::from_str(&text).map_err(|e| anyhow!(toml_error(&name, &text, &e)))?;
        Ok(Parsed { name, text, file })
    }

    /// `file:line:col: msg` for a span of the file.
    fn at(&self, span: std::ops::Range<usize>, msg: impl std::fmt::Display) -> anyhow::Error {
        let msg = msg.to_string().replace('\n', " ");
        anyhow!("{}: {msg}", self.place(span))
    }

    /// `file:line:col` of a span of the file.
    fn place(&self, span: std::ops::Range<usize>) -> String {
        let before = &self.text[..span.start.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        format!("{}:{line}:{col}", self.name)
    }

    /// The custom rules, linted; regexes compiled when `check_regex`.
    fn rules(&self, check_regex: bool) -> Result<Vec<Rule>> {
        let mut out = Vec::new();
        for r in &self.file.rules {
            let rule = r.get_ref();
            rule.lint()
                .map_err(|e| self.at(r.span(), format!("{e:#}")))?;
            if check_regex {
                rule.check_regex()
                    .map_err(|e| self.at(r.span(), one_line(&format!("{e:#}"))))?;
            }
            out.push(rule.clone());
        }
        Ok(out)
    }

    fn regexes(&self, list: &[Spanned<String>], what: &str) -> Result<Vec<regex::Regex>> {
        list.iter()
            .map(|s| {
                regex::Regex::new(s.get_ref()).map_err(|e| {
                    self.at(
                        s.span(),
                        format!("invalid {what} regex: {}", regex_problem(&e)),
                    )
                })
            })
            .collect()
    }
}

impl Parsed {
    /// One allowlist's criteria: the regexes on the secret, line, match and path, the
    /// commits, and the stopwords.
    fn criteria(&self, lists: [&[Spanned<String>]; 5], stopwords: &[String]) -> Result<Allowlist> {
        let [secret, line, matched, path, commits] = lists;
        Ok(Allowlist {
            secret_regexes: self.regexes(secret, "allowlist")?,
            line_regexes: self.regexes(line, "allowlist line")?,
            match_regexes: self.regexes(matched, "allowlist match")?,
            path_regexes: self.regexes(path, "allowlist path")?,
            commits: self.commits(commits)?,
            stopwords: stopwords
                .iter()
                .map(|w| w.to_lowercase())
                .filter(|w| !w.is_empty())
                .collect(),
            ..Allowlist::default()
        })
    }

    /// `allowlist.commits`: full or abbreviated (at least 7 hex digits) commit ids.
    fn commits(&self, list: &[Spanned<String>]) -> Result<Vec<String>> {
        list.iter()
            .map(|c| {
                let id = c.get_ref();
                let hex = (7..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_hexdigit());
                if hex {
                    Ok(id.to_ascii_lowercase())
                } else {
                    Err(self.at(
                        c.span(),
                        "allowlist commits: not a commit id (7 to 64 hex digits)",
                    ))
                }
            })
            .collect()
    }
}

/// What is wrong with a regex, without the regex: an allowlist regex often holds the very
/// key it allows, and an error must not print it.
fn regex_problem(e: &regex::Error) -> String {
    let text = e.to_string();
    text.lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("error:"))
        .map(|p| p.trim().to_string())
        .unwrap_or_else(|| "it does not compile".to_string())
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Where the config file is: `--config`, else `.keysweep.toml` at the root if it exists.
pub fn config_path(req: &ConfigRequest<'_>) -> Option<PathBuf> {
    if let Some(p) = req.explicit {
        return Some(p.to_path_buf());
    }
    let p = req.root?.join(FILE_NAME);
    std::fs::symlink_metadata(&p).is_ok().then_some(p)
}

/// Loads the built-in rules and, when present, the config file.
pub fn load(req: &ConfigRequest<'_>) -> Result<Effective> {
    let builtin = builtin_rules_for_scanning()?;
    let explicit = req.explicit.is_some();
    let defaults = |builtin| Effective {
        rules: builtin,
        allowlist: Allowlist::default(),
        exclude: Vec::new(),
        max_file_size: req.max_file_size.unwrap_or(DEFAULT_MAX_FILE_SIZE),
    };
    if let (None, Some(text)) = (req.explicit, &req.text) {
        return match text {
            // A range's base has no `.keysweep.toml` but a `.gitleaks.toml` (see trust.rs).
            Some((name, text)) if name.ends_with(gitleaks::FILE_NAME) => {
                apply(&from_gitleaks(name, text, &builtin, req)?, builtin, req)
            }
            Some((name, text)) => apply(&Parsed::parse(name.clone(), text.clone())?, builtin, req),
            None => Ok(defaults(builtin)),
        };
    }
    let Some(path) = config_path(req) else {
        let gitleaks = req.root.map(|r| r.join(gitleaks::FILE_NAME));
        return match gitleaks.filter(|p| found_regular_file(p, req.quiet)) {
            Some(p) => {
                let text = crate::safefs::read_text(&p, false, MAX_FILE_BYTES)
                    .with_context(|| format!("cannot read {}", p.display()))?;
                let name = p.display().to_string();
                apply(&from_gitleaks(&name, &text, &builtin, req)?, builtin, req)
            }
            None => Ok(defaults(builtin)),
        };
    };
    // A `.keysweep.toml` found in the scanned tree is read only as a regular file there: a
    // symlink could point anywhere (or at a device). Ignoring it only ever reports more.
    if !explicit {
        if let Ok(meta) = std::fs::symlink_metadata(&path) {
            if !meta.is_file() {
                if !req.quiet {
                    crate::progress::eprintln_above(&format!(
                        "keysweep: warning: {} ignored: it is {}, not a regular file",
                        path.display(),
                        crate::safefs::kind(&meta.file_type())
                    ));
                }
                return Ok(defaults(builtin));
            }
        }
    }
    let parsed = Parsed::read_as(&path, explicit)?;
    apply(&parsed, builtin, req)
}

/// True when `path` is a regular file; a link or special file found by looking is ignored
/// with a warning (it could point anywhere).
fn found_regular_file(path: &Path, quiet: bool) -> bool {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_file() => true,
        Ok(meta) => {
            if !quiet {
                crate::progress::eprintln_above(&format!(
                    "keysweep: warning: {} ignored: it is {}, not a regular file",
                    path.display(),
                    crate::safefs::kind(&meta.file_type())
                ));
            }
            false
        }
        Err(_) => false,
    }
}

/// A gitleaks config translated and parsed as ours, with the one-line notice.
fn from_gitleaks(
    name: &str,
    text: &str,
    builtin: &[Rule],
    req: &ConfigRequest<'_>,
) -> Result<Parsed> {
    let ids = builtin.iter().map(|r| r.id.clone()).collect();
    let t = gitleaks::translate(name, text, &ids)?;
    if !req.quiet {
        let skipped = match t.untranslated.len() {
            0 => String::new(),
            n => format!("; {n} item(s) not translated, listed by it"),
        };
        crate::progress::eprintln_above(&format!(
            "keysweep: note: no {FILE_NAME}; using {name}, translated              (`keysweep config import-gitleaks` writes the equivalent {FILE_NAME}{skipped})"
        ));
    }
    Parsed::parse(format!("{name} (translated)"), t.toml)
}

fn apply(parsed: &Parsed, builtin: Vec<Rule>, req: &ConfigRequest<'_>) -> Result<Effective> {
    let file = &parsed.file;
    let custom = parsed.rules(true)?;

    // Rules: built-ins minus the disabled ones; a custom rule replaces a built-in of its id.
    let mut rules = if file.builtin_rules == Some(false) {
        Vec::new()
    } else {
        builtin
    };
    for d in &file.disable_rules {
        let id = d.get_ref();
        let known = rules.iter().any(|r| &r.id == id) || custom.iter().any(|r| &r.id == id);
        if !known && !req.quiet {
            let e = parsed.at(d.span(), format!("disable_rules: no rule with id {id:?}"));
            eprintln!("keysweep: warning: {e}");
        }
    }
    let disabled: std::collections::HashSet<&str> = file
        .disable_rules
        .iter()
        .map(|d| d.get_ref().as_str())
        .collect();
    rules.retain(|r| !disabled.contains(r.id.as_str()));
    let mut seen = std::collections::HashSet::new();
    for r in custom {
        if !seen.insert(r.id.clone()) {
            bail!("{}: rule id {} is defined twice", parsed.name, r.id);
        }
        if disabled.contains(r.id.as_str()) {
            continue;
        }
        match rules.iter_mut().find(|b| b.id == r.id) {
            Some(b) => *b = r,
            None => rules.push(r),
        }
    }

    // Allowlisted paths and excludes are one path filter: never read, never reported.
    let mut exclude = Vec::new();
    for g in file.exclude.iter().chain(&file.allowlist.paths) {
        let origin = parsed.place(g.span());
        crate::pathfilter::PathFilterBuilder::default().add(g.get_ref(), &origin)?;
        exclude.push((g.get_ref().clone(), origin));
    }
    let a = &file.allowlist;
    let mut allowlist = parsed.criteria(
        [
            &a.regexes,
            &a.lines,
            &a.matches,
            &a.path_regexes,
            &a.commits,
        ],
        &a.stopwords,
    )?;
    let check_ids = |ids: &[Spanned<String>], what: &str| {
        for id in ids {
            if !rules.iter().any(|r| &r.id == id.get_ref()) && !req.quiet {
                let msg = format!("{what}: no rule with id {:?}", id.get_ref());
                eprintln!("keysweep: warning: {}", parsed.at(id.span(), msg));
            }
        }
    };
    for s in &file.rule_allowlists {
        check_ids(&s.rules, "rule_allowlists");
        let scoped = parsed.criteria(
            [
                &s.regexes,
                &s.lines,
                &s.matches,
                &s.path_regexes,
                &s.commits,
            ],
            &s.stopwords,
        )?;
        let ids = s.rules.iter().map(|r| r.get_ref().clone()).collect();
        allowlist.scoped.push(ScopedAllowlist {
            rules: ids,
            allowlist: scoped,
        });
    }
    allowlist.rule_paths = file
        .rule_paths
        .iter()
        .map(|(id, re)| {
            let known = rules.iter().any(|r| &r.id == id);
            if !known && !req.quiet {
                let e = parsed.at(re.span(), format!("rule_paths: no rule with id {id:?}"));
                eprintln!("keysweep: warning: {e}");
            }
            let one = std::slice::from_ref(re);
            Ok((id.clone(), parsed.regexes(one, "rule path")?.remove(0)))
        })
        .collect::<Result<_>>()?;

    let max_file_size = match (req.max_file_size, &file.max_file_size) {
        (Some(n), _) => n,
        (None, None) => DEFAULT_MAX_FILE_SIZE,
        (None, Some(s)) => match s.get_ref() {
            Size::Bytes(n) => *n,
            Size::Text(t) => {
                parse_size(t).map_err(|e| parsed.at(s.span(), format!("max_file_size: {e}")))?
            }
        },
    };
    Ok(Effective {
        rules,
        allowlist,
        exclude,
        max_file_size,
    })
}

/// Parses `64M`, `512K`, `1G` or a plain byte count; a value that overflows is an error.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (num, mult) = match s.chars().last().map(|c| c.to_ascii_uppercase()) {
        Some('K') => (&s[..s.len() - 1], 1u64 << 10),
        Some('M') => (&s[..s.len() - 1], 1 << 20),
        Some('G') => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    let bad = || "invalid size (use e.g. 1048576, 512K, 64M, 1G)".to_string();
    let n = num.trim().parse::<u64>().map_err(|_| bad())?;
    n.checked_mul(mult)
        .ok_or_else(|| "size too large".to_string())
}

/// The effective configuration of a config file's `text` (named `name` in errors), as a scan
/// would load it: for tools and the fuzz harness, which have the text but no file.
pub fn from_text(name: &str, text: &str) -> Result<Effective> {
    let parsed = Parsed::parse(name.to_string(), text.to_string())?;
    let req = ConfigRequest {
        explicit: None,
        text: None,
        root: None,
        max_file_size: None,
        quiet: true,
    };
    apply(&parsed, builtin_rules_for_scanning()?, &req)
}

/// Rules defined in a config or rule file (`[[rules]]` tables), regexes checked.
pub fn custom_rules(path: &Path) -> Result<Vec<Rule>> {
    Parsed::read(path)?.rules(true)
}

/// Rules of a config or rule file, linted but with regexes unchecked (`rules check` reports
/// a bad regex per rule itself).
pub fn rules_in_file(path: &Path) -> Result<Vec<Rule>> {
    Parsed::read(path)?.rules(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Parsed> {
        Parsed::parse("k.toml".into(), text.into())
    }

    #[test]
    fn errors_carry_file_line_and_column() {
        let e = parse("max_file_size = \"1M\"\nbogus = 1\n").err().unwrap();
        assert!(e.to_string().starts_with("k.toml:2:1:"), "{e}");
        let p = parse("[allowlist]\nregexes = [\"(\"]\n").unwrap();
        let e = p.regexes(&p.file.allowlist.regexes, "x").err().unwrap();
        assert!(e.to_string().starts_with("k.toml:2:12:"), "{e}");
    }

    #[test]
    fn errors_never_echo_values() {
        let key = "AKIAQYLPMN5HHHFPZAM2";
        for text in [
            format!("exclude = \"{key}\"\n"),
            format!("[allowlist]\nstopwords = [{{ a = \"{key}\" }}]\n"),
            format!("disable_rules = '{key}'\n"),
        ] {
            let e = parse(&text).err().expect("a type error").to_string();
            assert!(!e.contains(key) && !e.contains(&key[..10]), "{e}");
            assert!(
                e.starts_with("k.toml:1:") || e.starts_with("k.toml:2:"),
                "{e}"
            );
        }
        assert!(!parse_size(key).unwrap_err().contains(key));
        assert_eq!(parse_size("99999999999G").unwrap_err(), "size too large");
        assert_eq!(parse_size("18446744073709551615"), Ok(u64::MAX));
        let p = parse(&format!("[allowlist]\nregexes = ['({key}']\n")).unwrap();
        let e = p
            .regexes(&p.file.allowlist.regexes, "allowlist")
            .err()
            .unwrap();
        let e = e.to_string();
        assert!(!e.contains(key) && e.contains("unclosed group"), "{e}");
    }

    #[test]
    fn a_plain_rule_file_is_a_config_file() {
        let p = parse(
            "[[rules]]\nid = \"x-y\"\nname = \"n\"\ndescription = \"d\"\nregex = 'x[0-9]+'\n",
        )
        .unwrap();
        assert_eq!(p.rules(true).unwrap()[0].id, "x-y");
    }
}
