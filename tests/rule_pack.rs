//! Every built-in rule is checked against its own positive and negative examples, and the
//! pack as a whole against the shape the README promises.

use keysweep::engine::{check_rule_examples, RuleSet};
use keysweep::rules::builtin_rules;

#[test]
fn every_rule_matches_its_examples_and_not_its_negatives() {
    let rules = builtin_rules().expect("built-in pack parses");
    let mut failures = Vec::new();
    for rule in &rules {
        if rule.examples.len() < 2 {
            failures.push(format!("{}: needs at least two examples", rule.id));
        }
        if rule.negative_examples.is_empty() {
            failures.push(format!("{}: needs at least one negative example", rule.id));
        }
        failures.extend(check_rule_examples(rule));
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_rule_declares_its_kind() {
    let missing: Vec<String> = builtin_rules()
        .unwrap()
        .into_iter()
        .filter(|r| r.kind.is_none())
        .map(|r| r.id)
        .collect();
    assert!(missing.is_empty(), "rules without `kind`: {missing:?}");
}

#[test]
fn pack_is_large_and_mostly_keyword_driven() {
    let rules = builtin_rules().unwrap();
    assert!(rules.len() >= 120, "only {} rules", rules.len());
    let set = RuleSet::new(rules);
    assert_eq!(
        set.unscreened_keywords(),
        0,
        "a keyword's line rules do not fit one RegexSet"
    );
    let keywordless: Vec<_> = set.keywordless_rules().map(|r| r.id.clone()).collect();
    assert!(
        keywordless.len() <= 3,
        "too many rules without keywords: {keywordless:?}"
    );
}

#[test]
fn negatives_of_one_rule_are_not_findings_of_the_whole_pack() {
    // A hard negative (placeholder, env lookup, example key) must not be caught by some
    // other rule either, or it would still be a false alarm for the user.
    let rules = builtin_rules().unwrap();
    let set = RuleSet::new(rules.clone());
    let mut failures = Vec::new();
    for rule in &rules {
        for neg in &rule.negative_examples {
            for m in set.scan(neg.as_bytes()) {
                let other = set.rule(m.rule);
                // A negative may legitimately hold another rule's secret (e.g. an AWS
                // key id in a too-long string) only when that rule lists it as an example.
                if !other.examples.iter().any(|e| e == neg) {
                    failures.push(format!(
                        "negative of {} is found by {}: {neg:?}",
                        rule.id, other.id
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
