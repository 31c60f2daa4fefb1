//! Rules checked against their own examples (`rules check`, the rule-pack tests).
//!
//! Failures are one line each, `rule ID: …`, and name examples by number (1-based, in file
//! order, as `rules show` lists them) and spans by byte offsets: they quote no example text
//! and no captured value, so a failing check in CI prints nothing that looks like a secret.

use super::{Match, RuleSet};
use crate::rules::{Example, Rule};
use std::ops::Range;

/// Checks one rule, alone, against its examples: each positive example is matched, and one
/// that declares its secret yields exactly one capture, equal to it; no negative matches.
pub fn check_rule_examples(rule: &Rule) -> Vec<String> {
    let fail = |msg: String| format!("rule {}: {msg}", rule.id);
    if let Err(e) = rule.check_regex() {
        // The regex crate's message spans lines (pattern, caret, reason): one line here.
        let msg = format!("{e:#}");
        return vec![msg.split_whitespace().collect::<Vec<_>>().join(" ")];
    }
    let set = RuleSet::new(vec![rule.clone()]);
    let mut failures = Vec::new();
    for (n, ex) in numbered(&rule.examples) {
        let captured = spans(&set.scan(ex.text.as_bytes()));
        let Some(secret) = &ex.secret else {
            if captured.is_empty() {
                failures.push(fail(format!("example {n} matches nothing")));
            }
            continue;
        };
        let Some(declared) = declared_span(ex) else {
            failures.push(fail(format!(
                "example {n}: its declared secret is empty or not in its text"
            )));
            continue;
        };
        let exact = |s: &Range<usize>| &ex.text.as_bytes()[s.clone()] == secret.as_bytes();
        match captured.as_slice() {
            [only] if exact(only) => {}
            [] => failures.push(fail(format!(
                "example {n} matches nothing (declared secret at bytes {})",
                show(&declared)
            ))),
            [only] => failures.push(fail(format!(
                "example {n}: captured bytes {}, the declared secret is bytes {}",
                show(only),
                show(&declared)
            ))),
            many => failures.push(fail(format!(
                "example {n}: {} captures (bytes {}), the example declares one (bytes {})",
                many.len(),
                many.iter().map(show).collect::<Vec<_>>().join(", "),
                show(&declared)
            ))),
        }
    }
    for (n, neg) in numbered(&rule.negative_examples) {
        if let Some(m) = set.scan(neg.as_bytes()).first() {
            failures.push(fail(format!(
                "negative example {n} matches (captured bytes {})",
                show(&(m.secret_start..m.secret_end))
            )));
        }
    }
    failures
}

/// Checks the rules of `set` together, as a scan runs them: every positive example is found
/// by its own rule with its declared secret (a generic rule does not swallow a specific
/// rule's example, nor the other way round), and no negative example is found by any rule,
/// unless that rule lists the same text as one of its own examples (a negative of one rule
/// may hold another rule's secret).
pub fn check_examples_together(set: &RuleSet) -> Vec<String> {
    let mut failures = Vec::new();
    for (index, rule) in set.rules().enumerate() {
        let fail = |msg: String| format!("rule {}: {msg}", rule.id);
        for (n, ex) in numbered(&rule.examples) {
            let found = set.scan(ex.text.as_bytes());
            let own = |m: &&Match| {
                m.rule == index
                    && ex.secret.as_ref().is_none_or(|s| {
                        &ex.text.as_bytes()[m.secret_start..m.secret_end] == s.as_bytes()
                    })
            };
            if found.iter().any(|m| own(&m)) {
                continue;
            }
            // Who has the declared secret instead (or, for a plain example, anything).
            let target = declared_span(ex);
            let others: Vec<String> = found
                .iter()
                .filter(|m| {
                    target
                        .as_ref()
                        .is_none_or(|t| m.secret_start < t.end && t.start < m.secret_end)
                })
                .map(|m| {
                    format!(
                        "{} (bytes {})",
                        set.rule(m.rule).id,
                        show(&(m.secret_start..m.secret_end))
                    )
                })
                .collect();
            failures.push(fail(if others.is_empty() {
                format!("example {n} is not found with the other rules loaded")
            } else {
                format!(
                    "example {n} is found by {} instead, with the other rules loaded",
                    others.join(", ")
                )
            }));
        }
        for (n, neg) in numbered(&rule.negative_examples) {
            for m in set.scan(neg.as_bytes()) {
                let other = set.rule(m.rule);
                if !other.examples.iter().any(|e| &e.text == neg) {
                    failures.push(fail(format!(
                        "negative example {n} is found by rule {} (bytes {})",
                        other.id,
                        show(&(m.secret_start..m.secret_end))
                    )));
                }
            }
        }
    }
    failures
}

fn numbered<T>(items: &[T]) -> impl Iterator<Item = (usize, &T)> {
    items.iter().enumerate().map(|(i, x)| (i + 1, x))
}

fn spans(matches: &[Match]) -> Vec<Range<usize>> {
    matches
        .iter()
        .map(|m| m.secret_start..m.secret_end)
        .collect()
}

/// Where the declared secret first occurs in the example's text.
fn declared_span(ex: &Example) -> Option<Range<usize>> {
    let secret = ex.secret.as_deref().filter(|s| !s.is_empty())?;
    let start = ex.text.find(secret)?;
    Some(start..start + secret.len())
}

fn show(r: &Range<usize>) -> String {
    format!("{}..{}", r.start, r.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(regex: &str, examples: &str, negatives: &str) -> Rule {
        toml::from_str(&format!(
            "id = \"t\"\nname = \"n\"\ndescription = \"d\"\nkeywords = [\"tok_\"]\nregex = '''{regex}'''\nexamples = {examples}\nnegative_examples = {negatives}\n"
        ))
        .unwrap()
    }

    #[test]
    fn a_capture_must_equal_the_declared_secret() {
        let ok = rule(
            r"\b(tok_[a-z0-9]{8})\b",
            "[{ text = 'k = tok_ab12cd34', secret = 'tok_ab12cd34' }, 'x tok_zz99yy88']",
            "['tok_short']",
        );
        assert_eq!(check_rule_examples(&ok), Vec::<String>::new());

        // The capture group takes the quote and the name: the example says so.
        let greedy = rule(
            r#"(k = "tok_[a-z0-9]{8}")"#,
            r#"[{ text = 'k = "tok_ab12cd34"', secret = 'tok_ab12cd34' }]"#,
            "[]",
        );
        assert_eq!(
            check_rule_examples(&greedy),
            vec!["rule t: example 1: captured bytes 0..18, the declared secret is bytes 5..17"]
        );

        let two = rule(
            r"\b(tok_[a-z0-9]{8})\b",
            "[{ text = 'tok_ab12cd34 tok_ef56gh78', secret = 'tok_ab12cd34' }]",
            "['tok_zz99yy88']",
        );
        let failures = check_rule_examples(&two);
        assert_eq!(failures.len(), 2, "{failures:?}");
        assert!(failures[0].contains("2 captures"), "{failures:?}");
        assert!(failures[1].starts_with("rule t: negative example 1 matches"));
        // No value reaches the message.
        assert!(!failures.join(" ").contains("tok_"), "{failures:?}");

        let absent = rule(
            r"\b(tok_[a-z0-9]{8})\b",
            "[{ text = 'k = tok_ab12cd34', secret = 'tok_other' }]",
            "[]",
        );
        assert!(check_rule_examples(&absent)[0].contains("not in its text"));

        let broken = rule(r"(tok_", "[]", "[]");
        let failures = check_rule_examples(&broken);
        assert_eq!(failures.len(), 1);
        assert!(
            failures[0].starts_with("rule t: invalid regex"),
            "{failures:?}"
        );
        assert!(!failures[0].contains('\n'), "{failures:?}");
    }

    #[test]
    fn together_a_generic_rule_must_not_take_a_specific_example() {
        let mut generic = rule(
            r#"k = "([^"]+)""#,
            r#"[{ text = 'k = "hX9kq2Lm7zR4"', secret = 'hX9kq2Lm7zR4' }]"#,
            "[]",
        );
        generic.id = "generic-k".into();
        generic.keywords = vec!["k =".into()];
        generic.generic = true;
        // A specific rule whose example the generic one also matches: the specific one wins.
        let specific = rule(
            r"\b(tok_[a-z0-9]{8})\b",
            r#"[{ text = 'k = "tok_ab12cd34"', secret = 'tok_ab12cd34' }]"#,
            "[]",
        );
        let set = RuleSet::new(vec![generic.clone(), specific.clone()]);
        assert_eq!(check_examples_together(&set), Vec::<String>::new());

        // Given the specific rule's text as its own example, the generic rule loses it.
        let mut swallowed = generic.clone();
        swallowed.examples = vec![Example::capturing(r#"k = "tok_ab12cd34""#, "tok_ab12cd34")];
        let set = RuleSet::new(vec![swallowed, specific]);
        assert_eq!(
            check_examples_together(&set),
            vec!["rule generic-k: example 1 is found by t (bytes 5..17) instead, with the other rules loaded"]
        );
    }
}
