//! `keysweep rules list|show|check`: the rule pack as users see it.

use crate::cli::{RulesCmd, RulesFormat};
use crate::engine::{check_examples_together, check_rule_examples, RuleSet};
use crate::exit;
use crate::rules::{builtin_rules, Rule};
use anyhow::{bail, Result};
use serde::Serialize;
use std::io::Write;

pub fn run(cmd: RulesCmd) -> Result<i32> {
    match cmd {
        RulesCmd::List { format, config } => list(format, config.as_deref()),
        RulesCmd::Show { id, config } => show(&id, config.as_deref()),
        RulesCmd::Check { file } => check(&file),
    }
}

fn all_rules(config: Option<&std::path::Path>) -> Result<Vec<Rule>> {
    let mut rules = builtin_rules()?;
    if let Some(path) = config {
        rules.extend(crate::config::custom_rules(path)?);
    }
    Ok(rules)
}

fn list(format: RulesFormat, config: Option<&std::path::Path>) -> Result<i32> {
    let rules = all_rules(config)?;
    let mut out = std::io::stdout().lock();
    match format {
        RulesFormat::Json => {
            let list: Vec<Listed> = rules.iter().map(Listed::new).collect();
            serde_json::to_writer_pretty(&mut out, &list)?;
            writeln!(out)?;
        }
        RulesFormat::Text => {
            let width = rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
            for r in &rules {
                let kw = if r.keywords.is_empty() {
                    "(no keywords: runs on every file)".to_string()
                } else {
                    r.keywords.join(", ")
                };
                writeln!(
                    out,
                    "{:width$}  {:8}  {:21}  {}  [{}]",
                    r.id,
                    r.severity.as_str(),
                    r.kind().as_str(),
                    r.name,
                    kw
                )?;
            }
            let keywordless = rules.iter().filter(|r| r.keywords.is_empty()).count();
            writeln!(
                out,
                "{} rules, {} without keywords",
                rules.len(),
                keywordless
            )?;
        }
    }
    Ok(exit::CLEAN)
}

/// A rule as `rules list --format json` shows it: the metadata a rule file may leave to its
/// default spelled out (the kind, whether it is generic, the key `migrate` stores its secret
/// under, the confidence reports carry, the references, empty when none), after the rule's
/// other fields.
#[derive(Serialize)]
struct Listed {
    #[serde(flatten)]
    rule: Rule,
    confidence: &'static str,
    references: Vec<String>,
    kind: &'static str,
    generic: bool,
    store_key: String,
}

impl Listed {
    fn new(rule: &Rule) -> Listed {
        // The rule's own copies of these fields are cleared so each appears once.
        let mut rest = rule.without_references();
        rest.confidence = None;
        rest.kind = None;
        rest.generic = false;
        rest.store_key = None;
        Listed {
            confidence: rule.confidence().as_str(),
            references: rule.references().to_vec(),
            kind: rule.kind().as_str(),
            generic: rule.generic,
            store_key: rule.store_key().to_string(),
            rule: rest,
        }
    }
}

fn show(id: &str, config: Option<&std::path::Path>) -> Result<i32> {
    let rules = all_rules(config)?;
    let Some(rule) = rules.iter().find(|r| r.id == id) else {
        bail!("no rule with id {id:?} (see `keysweep rules list`)");
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "id:          {}", rule.id)?;
    writeln!(out, "name:        {}", rule.name)?;
    writeln!(out, "severity:    {}", rule.severity.as_str())?;
    writeln!(out, "confidence:  {}", rule.confidence().as_str())?;
    writeln!(out, "kind:        {}", rule.kind().as_str())?;
    writeln!(
        out,
        "generic:     {}",
        if rule.generic { "yes" } else { "no" }
    )?;
    writeln!(out, "store_key:   {}", rule.store_key())?;
    writeln!(out, "description: {}", rule.description())?;
    match rule.references() {
        [] => writeln!(out, "references:  (none)")?,
        refs => {
            writeln!(out, "references:")?;
            for r in refs {
                writeln!(out, "  {r}")?;
            }
        }
    }
    writeln!(out, "keywords:    {}", rule.keywords.join(", "))?;
    writeln!(out, "regex:       {}", rule.regex)?;
    if let Some(e) = rule.entropy {
        writeln!(out, "entropy:     >= {e}")?;
    }
    if !rule.validators.is_empty() {
        let v: Vec<String> = rule
            .validators
            .iter()
            .map(|v| {
                serde_json::to_value(v)
                    .map(|j| j.as_str().unwrap_or("").to_string())
                    .unwrap_or_default()
            })
            .collect();
        writeln!(out, "validators:  {}", v.join(", "))?;
    }
    // Numbered as the example checks name them.
    writeln!(out, "examples:")?;
    for (n, e) in rule.examples.iter().enumerate() {
        writeln!(out, "  {:>2} + {}", n + 1, e.text)?;
        if let Some(secret) = &e.secret {
            writeln!(out, "       captures: {secret}")?;
        }
    }
    writeln!(out, "negative examples:")?;
    for (n, e) in rule.negative_examples.iter().enumerate() {
        writeln!(out, "  {:>2} - {e}", n + 1)?;
    }
    Ok(exit::CLEAN)
}

/// Checks every rule of a user's rule file against its own examples, alone and then with
/// the file's other rules loaded, and prints each failure as `file: rule ID: …`.
fn check(file: &std::path::Path) -> Result<i32> {
    let rules = crate::config::rules_in_file(file)?;
    let mut failures = Vec::new();
    for rule in &rules {
        if rule.examples.is_empty() {
            failures.push(format!("rule {}: has no examples", rule.id));
        }
        failures.extend(check_rule_examples(rule));
    }
    // Only rules that compile and pass alone: a failure is reported once, where it starts.
    if failures.is_empty() && rules.len() > 1 {
        failures.extend(check_examples_together(&RuleSet::new(rules.clone())));
    }
    let mut out = std::io::stdout().lock();
    for f in &failures {
        writeln!(out, "{}: {f}", file.display())?;
    }
    writeln!(
        out,
        "{}: {} rules, {} failures",
        file.display(),
        rules.len(),
        failures.len()
    )?;
    Ok(if failures.is_empty() {
        exit::CLEAN
    } else {
        exit::FINDINGS
    })
}
