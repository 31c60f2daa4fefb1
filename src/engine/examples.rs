//! A rule checked against its own examples (`rules check`, the rule-pack tests).

use super::RuleSet;
use crate::rules::Rule;

/// Checks one rule against its own examples: every positive must match, no negative may.
/// Returns a description of each failure.
pub fn check_rule_examples(rule: &Rule) -> Vec<String> {
    let mut failures = Vec::new();
    if let Err(e) = rule.check_regex() {
        failures.push(format!("{e:#}"));
        return failures;
    }
    let set = RuleSet::new(vec![rule.clone()]);
    for ex in &rule.examples {
        if set.scan(ex.as_bytes()).is_empty() {
            failures.push(format!("{}: example not matched: {ex:?}", rule.id));
        }
    }
    for ex in &rule.negative_examples {
        let found = set.scan(ex.as_bytes());
        if let Some(m) = found.first() {
            let secret = String::from_utf8_lossy(&ex.as_bytes()[m.secret_start..m.secret_end]);
            failures.push(format!(
                "{}: negative example matched (secret {secret:?}): {ex:?}",
                rule.id
            ));
        }
    }
    failures
}
