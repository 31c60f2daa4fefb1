//! Every built-in rule is checked against its own positive and negative examples, alone and
//! with the whole pack loaded, and the pack as a whole against the shape the README promises.

use keysweep::engine::{check_examples_together, check_rule_examples, RuleSet};
use keysweep::rules::builtin_rules;
use std::process::Command;

fn assert_none(failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_rule_captures_its_examples_secrets_and_not_its_negatives() {
    let rules = builtin_rules().expect("built-in pack parses");
    let mut failures = Vec::new();
    for rule in &rules {
        if rule.examples.len() < 2 {
            failures.push(format!("{}: needs at least two examples", rule.id));
        }
        if rule.negative_examples.is_empty() {
            failures.push(format!("{}: needs at least one negative example", rule.id));
        }
        for (n, ex) in rule.examples.iter().enumerate() {
            if ex.secret.is_none() {
                failures.push(format!(
                    "{}: example {} must state its secret ({{ text = \"…\", secret = \"…\" }})",
                    rule.id,
                    n + 1
                ));
            }
        }
        failures.extend(check_rule_examples(rule));
    }
    assert_none(failures);
}

#[test]
fn every_example_is_found_by_its_own_rule_with_the_whole_pack_loaded() {
    // A generic rule must not swallow a specific rule's example, nor a specific rule a
    // generic one's; a hard negative (placeholder, env lookup, example key) must not be
    // caught by some other rule either, or it would still be a false alarm for the user.
    let set = RuleSet::new(builtin_rules().unwrap());
    assert_none(check_examples_together(&set));
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
fn every_rule_declares_confidence_and_provider_references() {
    // Reports carry the confidence (SARIF `precision`, `--min-confidence`) and the first
    // reference is the help link: a rule without them would fall back to a default nobody chose.
    let mut failures = Vec::new();
    for rule in builtin_rules().unwrap() {
        if rule.confidence.is_none() {
            failures.push(format!("{}: no `confidence`", rule.id));
        }
        if !(1..=2).contains(&rule.references().len()) {
            failures.push(format!(
                "{}: needs 1-2 `references`, has {}",
                rule.id,
                rule.references().len()
            ));
        }
        for url in rule.references() {
            let host = url
                .strip_prefix("https://")
                .and_then(|rest| rest.split('/').next());
            match host {
                Some(host) if !host.is_empty() && !url.contains(char::is_whitespace) => {
                    // A reference is the provider's documentation, never another project's code.
                    if host == "github.com" || host.ends_with("githubusercontent.com") {
                        failures.push(format!(
                            "{}: reference points at a code host: {url}",
                            rule.id
                        ));
                    }
                }
                _ => failures.push(format!("{}: reference is not an https URL: {url}", rule.id)),
            }
        }
    }
    assert_none(failures);
}

#[test]
fn pack_is_large_and_mostly_keyword_driven() {
    let rules = builtin_rules().unwrap();
    assert!(rules.len() >= 120, "only {} rules", rules.len());
    let set = RuleSet::new(rules);
    assert_eq!(
        set.unscreened_keywords(),
        0,
        "a keyword's line rules do not fit one screen"
    );
    let keywordless: Vec<_> = set.keywordless_rules().map(|r| r.id.clone()).collect();
    assert!(
        keywordless.len() <= 3,
        "too many rules without keywords: {keywordless:?}"
    );
}

/// `keysweep rules check FILE` on a user rule file: plain-string examples still work, a
/// declared secret the rule does not capture is a `file: rule ID: …` line and exit code 1.
#[test]
fn rules_check_reports_a_wrong_capture_per_rule() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rules.toml");
    let rule = |id: &str, regex: &str, example: &str| {
        format!(
            "[[rules]]\nid = \"{id}\"\nname = \"n\"\ndescription = \"d\"\nkeywords = [\"acme_\"]\n\
             regex = '''{regex}'''\nexamples = [{example}]\nnegative_examples = ['acme_${{T}}']\n"
        )
    };
    let plain = rule(
        "acme-plain",
        r"\b(acme_[a-z0-9]{16})\b",
        "'t = acme_k7q2m9x4v8p3w6z1'",
    );
    let exact = rule(
        "acme-exact",
        r"\b(acme_[a-z0-9]{16})\b",
        "{ text = 't = acme_k7q2m9x4v8p3w6z1', secret = 'acme_k7q2m9x4v8p3w6z1' }",
    );
    // Captures the name and the `=` with the token.
    let greedy = rule(
        "acme-greedy",
        r"(t = acme_[a-z0-9]{16})\b",
        "{ text = 't = acme_r5t8n2c6j9h3d7f4', secret = 'acme_r5t8n2c6j9h3d7f4' }",
    );
    let run = |text: &str| {
        std::fs::write(&file, text).unwrap();
        Command::new(env!("CARGO_BIN_EXE_keysweep"))
            .args(["rules", "check"])
            .arg(&file)
            .output()
            .unwrap()
    };
    let ok = run(&format!("{plain}{exact}"));
    let stdout = String::from_utf8_lossy(&ok.stdout);
    assert_eq!(ok.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("2 rules, 0 failures"), "{stdout}");

    let bad = run(&format!("{plain}{greedy}"));
    let stdout = String::from_utf8_lossy(&bad.stdout);
    assert_eq!(bad.status.code(), Some(1), "{stdout}");
    let name = file.display().to_string();
    assert!(
        stdout.contains(&format!(
            "{name}: rule acme-greedy: example 1: captured bytes 0..25, the declared secret is bytes 4..25"
        )),
        "{stdout}"
    );
    assert!(!stdout.contains("acme-plain:"), "{stdout}");
    assert!(
        !stdout.contains("r5t8n2"),
        "a value reached the output: {stdout}"
    );
    assert!(stdout.contains("2 rules, 1 failures"), "{stdout}");
}
