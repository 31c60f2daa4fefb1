//! Rule definitions: the TOML format of `patterns/*.toml` and of user rule files, loading
//! and validation. A rule knows how to recognise a secret; it knows nothing about files.

pub mod compile;
pub mod entropy;
pub mod example;
pub mod kind;
pub mod literal_start;
pub mod parsed;
pub mod placeholder;
pub mod validators;

use anyhow::{anyhow, bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

pub use example::Example;
pub use kind::CredentialKind;
pub use validators::Validator;

/// The built-in pack, parsed from `patterns/*.toml` at build time (see build.rs), without
/// the rules' examples.
/// The pack in two halves of about the same size (build.rs), parsed on two threads.
static EMBEDDED_PACK: [&str; 2] = [
    include_str!(concat!(env!("OUT_DIR"), "/patterns-0.json")),
    include_str!(concat!(env!("OUT_DIR"), "/patterns-1.json")),
];
/// The rules' examples and negative examples, file by file and rule by rule in pack order.
static EMBEDDED_EXAMPLES: &str = include_str!(concat!(env!("OUT_DIR"), "/pattern-examples.json"));
/// The rules' descriptions, references and tags, rule by rule in pack order.
static EMBEDDED_DOCS: &str = include_str!(concat!(env!("OUT_DIR"), "/pattern-docs.json"));
/// The rules' regexes, parsed at build time (see build.rs and [`parsed`]).
static EMBEDDED_PARSED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/pattern-parsed.bin"));
/// Per rule, whether every match of its regex begins with one of its keywords (build.rs).
static EMBEDDED_KEYWORD_STARTS: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/pattern-keyword-starts.bin"));

#[derive(Deserialize)]
struct EmbeddedFile {
    file: String,
    rules: Vec<Rule>,
}

#[derive(Deserialize)]
struct EmbeddedExampleFile {
    file: String,
    rules: Vec<EmbeddedExamples>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EmbeddedExamples {
    id: String,
    #[serde(default)]
    examples: Vec<Example>,
    #[serde(default)]
    negative_examples: Vec<String>,
}

/// One built-in rule's documentation, which only reports and the rules commands read.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RuleDocs {
    id: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    references: Vec<String>,
    #[serde(default)]
    tags: Vec<String>,
}

/// The built-in rules' docs, in pack order, parsed the first time something needs them. The
/// document is made by build.rs and checked by the rule-pack tests; should it not parse, the
/// rules go without descriptions and references (said once on stderr), not the scan.
fn builtin_docs() -> &'static [RuleDocs] {
    static DOCS: std::sync::OnceLock<Vec<RuleDocs>> = std::sync::OnceLock::new();
    DOCS.get_or_init(|| {
        serde_json::from_str(EMBEDDED_DOCS).unwrap_or_else(|e| {
            eprintln!("keysweep: warning: the built-in rule descriptions are malformed: {e}");
            Vec::new()
        })
    })
}

/// The docs of built-in rule `i`, or empty ones.
fn docs_of(i: u32) -> &'static RuleDocs {
    static NONE: RuleDocs = RuleDocs {
        id: String::new(),
        description: String::new(),
        references: Vec::new(),
        tags: Vec::new(),
    };
    builtin_docs().get(i as usize).unwrap_or(&NONE)
}

/// How bad a leak of this kind is; mapped to SARIF `security-severity` and levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    #[default]
    High,
    Critical,
}

impl Severity {
    /// The CVSS-like score GitHub code scanning reads from `security-severity`.
    pub fn score(self) -> &'static str {
        match self {
            Severity::Low => "3.0",
            Severity::Medium => "5.5",
            Severity::High => "8.0",
            Severity::Critical => "9.5",
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// How sure a match of this rule is a real credential: `high` for a unique prefix or a
/// checksum, `medium` for provider context plus shape, `low` for generic rules. Reports carry
/// it (SARIF `precision`) and `--min-confidence` filters on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    #[default]
    Medium,
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

/// One rule as written in TOML.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Stable kebab-case identifier, e.g. `github-pat-classic`.
    pub id: String,
    pub name: String,
    /// What the rule finds. Read through [`Rule::description`]: a built-in rule loaded for
    /// scanning leaves its description, references and tags in the embedded docs.
    description: String,
    /// Literal strings of which at least one must occur near a match. Matched ASCII
    /// case-insensitively by the prefilter; the regex decides case.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// `regex` crate syntax, applied to bytes. The secret is capture group `secret_group`
    /// (default: the group named `secret`, else group 1, else the whole match).
    pub regex: String,
    #[serde(default)]
    pub secret_group: Option<usize>,
    /// Minimum Shannon entropy (bits per byte) of the secret.
    #[serde(default)]
    pub entropy: Option<f64>,
    /// Names of extra checks (see `validators.rs`).
    #[serde(default)]
    pub validators: Vec<Validator>,
    /// Reject secrets that look like placeholders (`changeme`, `xxxx`, `${VAR}`...).
    /// On by default; provider formats with checksums may turn it off.
    #[serde(default = "default_true")]
    pub placeholder_check: bool,
    /// Minimum secret length in bytes.
    #[serde(default)]
    pub min_len: Option<usize>,
    #[serde(default)]
    pub severity: Severity,
    /// How likely a match is a real credential. Every built-in rule declares it (rule-pack
    /// test); a user rule that does not is `medium`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<Confidence>,
    /// Provider documentation for this credential: what it is and how to revoke or rotate
    /// it. The first one is the rule's help link (SARIF `helpUri`, `rules show`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    references: Vec<String>,
    /// Bytes examined before and after a keyword hit. Multi-line secrets (private keys)
    /// need a large `after`.
    #[serde(default)]
    pub window: Option<[usize; 2]>,
    /// What kind of credential the rule finds: where it belongs (migrate routes by it) and the
    /// JSON key it is stored under. Every built-in rule declares it (rule-pack test).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<CredentialKind>,
    /// The JSON key `migrate` stores a lone secret of this rule under; default: the kind's
    /// ([`CredentialKind::default_store_key`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_key: Option<String>,
    /// A generic rule (password assignments, generic tokens, URL credentials) yields to a
    /// specific rule that finds the same secret.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub generic: bool,
    #[serde(default)]
    tags: Vec<String>,
    /// Texts that must produce a finding of this rule, each with the secret it must capture.
    #[serde(default)]
    pub examples: Vec<Example>,
    /// Texts that must not produce a finding of this rule.
    #[serde(default)]
    pub negative_examples: Vec<String>,
    /// Set on a built-in rule loaded for scanning: its number in the pack, under which the
    /// embedded docs hold its description, references and tags (see [`builtin_docs`]) and
    /// build.rs keeps its parsed regex (see [`Rule::parsed_regex`]).
    #[serde(skip)]
    builtin: Option<u32>,
}

fn default_true() -> bool {
    true
}

/// Default look-around for a keyword hit: none beyond the line it is on (windows snap to line
/// boundaries, up to 256 bytes each way). Most secrets sit on the line that names them; rules
/// that need more (multi-line keys, context on a nearby line) set `window`.
pub const DEFAULT_WINDOW: [usize; 2] = [0, 0];

impl Rule {
    /// What the rule finds, in a sentence or two.
    pub fn description(&self) -> &str {
        match self.builtin {
            Some(i) => &docs_of(i).description,
            None => &self.description,
        }
    }

    /// Provider documentation for this credential: what it is and how to revoke or rotate
    /// it. The first one is the rule's help link (SARIF `helpUri`, `rules show`).
    pub fn references(&self) -> &[String] {
        match self.builtin {
            Some(i) => &docs_of(i).references,
            None => &self.references,
        }
    }

    pub fn tags(&self) -> &[String] {
        match self.builtin {
            Some(i) => &docs_of(i).tags,
            None => &self.tags,
        }
    }

    /// The regex as parsed in ASCII mode at build time, for a built-in rule loaded for
    /// scanning whose regex parses in that mode; None otherwise (then parse it).
    pub fn parsed_regex(&self) -> Option<regex_syntax::hir::Hir> {
        parsed::decode(parsed::entry(EMBEDDED_PARSED, self.builtin? as usize)?)
    }

    /// Whether every match of the regex begins with one of the rule's keywords
    /// ([`literal_start`]): decided at build time for a built-in rule, by parsing the regex
    /// in ASCII mode for any other (no, when it needs Unicode mode).
    pub fn starts_with_a_keyword(&self) -> bool {
        if let Some(i) = self.builtin {
            return EMBEDDED_KEYWORD_STARTS.get(i as usize) == Some(&1);
        }
        let keywords: Vec<Vec<u8>> = self
            .keywords
            .iter()
            .map(|k| k.to_ascii_lowercase().into_bytes())
            .collect();
        regex_syntax::ParserBuilder::new()
            .unicode(false)
            .utf8(false)
            .build()
            .parse(&self.regex)
            .is_ok_and(|hir| literal_start::starts_with_a_keyword(&hir, &keywords))
    }

    /// The rule without its references (a listing that shows them apart).
    pub fn without_references(&self) -> Rule {
        let mut rule = self.with_docs();
        rule.references = Vec::new();
        rule
    }

    /// The rule with its docs in its own fields, as a rule file would spell it.
    fn with_docs(&self) -> Rule {
        let mut rule = self.clone();
        if rule.builtin.take().is_some() {
            rule.description = self.description().to_string();
            rule.references = self.references().to_vec();
            rule.tags = self.tags().to_vec();
        }
        rule
    }

    /// The declared kind, or [`CredentialKind::Secret`] for a user rule that declares none.
    pub fn kind(&self) -> CredentialKind {
        self.kind.unwrap_or_default()
    }

    /// The JSON key a lone secret of this rule is stored under.
    pub fn store_key(&self) -> &str {
        self.store_key
            .as_deref()
            .unwrap_or_else(|| self.kind().default_store_key())
    }

    /// The declared confidence, or `medium` for a user rule that declares none.
    pub fn confidence(&self) -> Confidence {
        self.confidence.unwrap_or_default()
    }

    pub fn window(&self) -> [usize; 2] {
        self.window.unwrap_or(DEFAULT_WINDOW)
    }

    /// Checks that do not need the regex to run: id shape, examples present, keywords sane.
    pub fn lint(&self) -> Result<()> {
        let id_ok = !self.id.is_empty()
            && self
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !self.id.starts_with('-')
            && !self.id.ends_with('-');
        if !id_ok {
            bail!("rule id {:?} is not kebab-case (a-z, 0-9, -)", self.id);
        }
        if self.keywords.iter().any(|k| k.len() < 2) {
            bail!("rule {}: keywords must be at least 2 bytes long", self.id);
        }
        if let Some(key) = &self.store_key {
            if !is_store_key(key) {
                bail!(
                    "rule {}: store_key {key:?} must be a letter or _ followed by letters, digits or _",
                    self.id
                );
            }
        }
        Ok(())
    }

    /// Compiles the regex once to report syntax errors. The engine compiles lazily, so this
    /// is for user rule files, `rules check` and the pack's own tests, not for start-up.
    pub fn check_regex(&self) -> Result<()> {
        compile::regex(&self.regex)
            .map(|_| ())
            .with_context(|| format!("rule {}: invalid regex", self.id))
    }
}

/// A JSON key every reader `migrate` prints can address as written: `jq -r .key`,
/// CloudFormation's `SecretString:key`, a CSI driver's JMESPath.
pub(crate) fn is_store_key(key: &str) -> bool {
    let mut bytes = key.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The top level of a rule file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    rules: Vec<Rule>,
}

/// Parses one rule file's text. Errors name the file, line and column.
pub fn parse_rule_file(name: &str, text: &str) -> Result<Vec<Rule>> {
    let file: RuleFile = toml::from_str(text).map_err(|e| anyhow!(toml_error(name, text, &e)))?;
    for r in &file.rules {
        r.lint().with_context(|| name.to_string())?;
    }
    Ok(file.rules)
}

/// Formats a TOML error as `file:line:col: message` on one line.
pub fn toml_error(name: &str, text: &str, e: &toml::de::Error) -> String {
    let msg = without_values(&e.message().replace('\n', " "));
    match e.span() {
        Some(span) => {
            let (line, col) = line_col(text, span.start);
            format!("{name}:{line}:{col}: {msg}")
        }
        None => format!("{name}: {msg}"),
    }
}

/// A parser message with the values it quotes taken out: a key pasted into the wrong field
/// must not reach stderr. Quoted strings go; backticked names stay when they look like field
/// or variant names (lower-case words), which is what makes such a message useful, except
/// the one after "unknown variant": that is the value given (a lower-case hex key pasted
/// into `severity` passed for a name; found by the config fuzz target).
pub fn without_values(msg: &str) -> String {
    static QUOTED: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = QUOTED.get_or_init(|| {
        regex::Regex::new(r#""(?:[^"\\]|\\.)*"|'[^']*'|`([^`]*)`"#).expect("valid regex")
    });
    re.replace_all(msg, |c: &regex::Captures<'_>| match c.get(1) {
        Some(name)
            if !msg[..c.get(0).map_or(0, |m| m.start())].ends_with("unknown variant ")
                && !name.as_str().is_empty()
                && name.as_str().len() <= 40
                && name.as_str().bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-'
                }) =>
        {
            c[0].to_string()
        }
        _ => "(value not shown)".to_string(),
    })
    .into_owned()
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Loads a rule file from disk.
pub fn load_rule_file(path: &Path) -> Result<Vec<Rule>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read rule file {}", path.display()))?;
    parse_rule_file(&path.display().to_string(), &text)
}

/// The built-in rule pack, in file order, with every rule's examples, negative examples and
/// docs in its own fields (`rules show`, `rules check`, the rule-pack tests).
pub fn builtin_rules() -> Result<Vec<Rule>> {
    let mut rules: Vec<Rule> = builtin_rules_for_scanning()?
        .iter()
        .map(Rule::with_docs)
        .collect();
    let docs = builtin_docs();
    if docs.len() != rules.len() || docs.iter().zip(&rules).any(|(d, r)| d.id != r.id) {
        bail!("the built-in rule docs do not list the pack's rules in its order");
    }
    let files: Vec<EmbeddedExampleFile> = serde_json::from_str(EMBEDDED_EXAMPLES)
        .context("the built-in rule examples are malformed")?;
    let mut own = files.into_iter().flat_map(|f| {
        let file = f.file;
        f.rules.into_iter().map(move |r| (file.clone(), r))
    });
    for rule in &mut rules {
        match own.next() {
            Some((_, ex)) if ex.id == rule.id => {
                rule.examples = ex.examples;
                rule.negative_examples = ex.negative_examples;
            }
            Some((file, ex)) => bail!(
                "patterns/{file}: the examples of rule {} are filed under {}",
                rule.id,
                ex.id
            ),
            None => bail!("the built-in examples end before rule {}", rule.id),
        }
    }
    Ok(rules)
}

/// The built-in rule pack, in file order, without examples and without docs (read from the
/// embedded docs when a report asks, see [`Rule::description`]): what a scan needs, and all
/// that start-up parses. Duplicated ids are a build mistake and fail here.
pub fn builtin_rules_for_scanning() -> Result<Vec<Rule>> {
    let parse = |text: &str| -> Result<Vec<EmbeddedFile>> {
        serde_json::from_str(text).context("the built-in rule pack is malformed")
    };
    // Start-up waits for this parse: the second half is parsed beside the first.
    let [first, second] = EMBEDDED_PACK;
    let (first, second) = std::thread::scope(|s| {
        let beside = std::thread::Builder::new().spawn_scoped(s, || parse(second));
        let first = parse(first);
        let second = match beside {
            Ok(thread) => thread
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            // No thread to be had: parse it here.
            Err(_) => parse(second),
        };
        (first, second)
    });
    let (first, second) = (first?, second?);
    let count = first.iter().chain(&second).map(|f| f.rules.len()).sum();
    let mut all = Vec::with_capacity(count);
    for f in first.into_iter().chain(second) {
        for r in &f.rules {
            r.lint().with_context(|| format!("patterns/{}", f.file))?;
        }
        all.extend(f.rules);
    }
    for (i, r) in all.iter_mut().enumerate() {
        r.builtin = Some(i as u32);
    }
    let mut ids = std::collections::HashSet::new();
    for r in &all {
        if !ids.insert(r.id.as_str()) {
            bail!("duplicate rule id {} in the built-in pack", r.id);
        }
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::{builtin_rules, builtin_rules_for_scanning, parse_rule_file, without_values};

    #[test]
    fn scans_load_the_pack_without_examples_and_docs_and_rules_commands_with_them() {
        let lean = builtin_rules_for_scanning().unwrap();
        let full = builtin_rules().unwrap();
        assert!(lean
            .iter()
            .all(|r| r.examples.is_empty() && r.negative_examples.is_empty()));
        // The docs are not parsed for a scan, yet read the same through the accessors.
        assert!(lean.iter().all(|r| r.description.is_empty()
            && r.references.is_empty()
            && r.tags.is_empty()
            && r.builtin.is_some()));
        assert!(full
            .iter()
            .all(|r| !r.description.is_empty() && r.builtin.is_none()));
        for (l, f) in lean.iter().zip(&full) {
            assert_eq!(l.description(), f.description());
            assert_eq!(l.references(), f.references());
            assert_eq!(l.tags(), f.tags());
        }
        assert_eq!(
            lean.iter().map(|r| &r.id).collect::<Vec<_>>(),
            full.iter().map(|r| &r.id).collect::<Vec<_>>()
        );
        assert!(full.iter().all(|r| !r.examples.is_empty()));
        // Everything but the examples is the same rule.
        for (l, f) in lean.iter().zip(&full) {
            let mut f = f.clone();
            f.examples.clear();
            f.negative_examples.clear();
            assert_eq!(
                serde_json::to_value(l.with_docs()).unwrap(),
                serde_json::to_value(&f).unwrap()
            );
        }
    }

    #[test]
    fn every_builtin_regex_parsed_at_build_time_is_what_parsing_gives() {
        let syntax = super::compile::syntax(false);
        let mut parsed = 0;
        for r in builtin_rules_for_scanning().unwrap() {
            let now = regex_automata::util::syntax::parse_with(&r.regex, &syntax).ok();
            assert_eq!(r.parsed_regex(), now, "rule {}", r.id);
            parsed += usize::from(now.is_some());
        }
        // Nearly every rule reads in ASCII mode, so nearly every screen skips parsing.
        assert!(parsed > 700, "{parsed}");
        // A rule file's rules (and the rules commands' full rules) are parsed as before.
        assert!(builtin_rules()
            .unwrap()
            .iter()
            .all(|r| r.parsed_regex().is_none()));
    }

    #[test]
    fn the_pack_says_at_build_time_which_rules_begin_with_a_keyword() {
        let lean = builtin_rules_for_scanning().unwrap();
        let full = builtin_rules().unwrap();
        let mut starting = 0;
        for (embedded, parsed) in lean.iter().zip(&full) {
            // The full rules carry no build-time data: they answer by parsing.
            assert_eq!(
                embedded.starts_with_a_keyword(),
                parsed.starts_with_a_keyword(),
                "rule {}",
                embedded.id
            );
            starting += usize::from(embedded.starts_with_a_keyword());
        }
        // Provider formats with a prefix of their own mostly do.
        assert!(starting > 250, "{starting}");
    }

    fn rule(extra: &str) -> anyhow::Result<Vec<super::Rule>> {
        parse_rule_file(
            "r.toml",
            &format!(
                "[[rules]]\nid = \"r\"\nname = \"n\"\ndescription = \"d\"\nregex = 'x'\n{extra}"
            ),
        )
    }

    #[test]
    fn store_key_defaults_from_the_kind_and_must_be_a_plain_json_key() {
        assert_eq!(
            rule("kind = \"api-key\"").unwrap()[0].store_key(),
            "api_key"
        );
        assert_eq!(rule("").unwrap()[0].store_key(), "secret");
        let own = rule("kind = \"api-key\"\nstore_key = \"acme_key\"").unwrap();
        assert_eq!(own[0].store_key(), "acme_key");
        let e = rule("store_key = \"a.b\"").unwrap_err();
        assert!(format!("{e:#}").contains("store_key \"a.b\""), "{e:#}");
        let e = rule("kind = \"api_key\"").unwrap_err();
        assert!(e.to_string().starts_with("r.toml:6:"), "{e}");
        assert!(
            e.to_string().contains("unknown variant (value not shown)"),
            "{e}"
        );
    }

    #[test]
    fn unknown_variants_are_values_unknown_fields_are_names() {
        assert_eq!(
            without_values("unknown variant `0a1b2c3d4e5f`, expected one of `low`, `high`"),
            "unknown variant (value not shown), expected one of `low`, `high`"
        );
        assert_eq!(
            without_values("unknown field `pathz`, expected `paths`"),
            "unknown field `pathz`, expected `paths`"
        );
        assert_eq!(
            without_values("invalid type: string \"k3y\", expected u64"),
            "invalid type: string (value not shown), expected u64"
        );
    }
}
