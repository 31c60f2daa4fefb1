//! Precision and recall of the built-in pack on a small, realistic corpus: `testdata/eval` holds
//! application code and configuration in many languages with hardcoded credentials (real
//! formats: valid checksums, real private keys) next to hard negatives (placeholders, env
//! lookups, templates, lockfile hashes, UUIDs, git SHAs, public keys and certificates, example
//! keys, encrypted values, i18n strings). `testdata/eval-expected.json` lists every finding the
//! scan must report, by path, line and rule id (or "any"); every other finding is a false alarm.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

#[derive(Debug)]
struct Expected {
    path: String,
    line: u64,
    rule: String,
}

#[test]
fn eval_corpus_has_full_recall_and_no_false_alarms() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let corpus = root.join("eval");
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("eval-expected.json")).expect("eval-expected.json"),
    )
    .expect("expected JSON");
    let expected: Vec<Expected> = expected["expected"]
        .as_array()
        .expect("expected array")
        .iter()
        .map(|e| Expected {
            path: e["path"].as_str().unwrap().to_string(),
            line: e["line"].as_u64().unwrap(),
            rule: e["rule"].as_str().unwrap().to_string(),
        })
        .collect();

    let out = Command::new(env!("CARGO_BIN_EXE_keysweep"))
        .current_dir(&corpus)
        .args(["scan", "--quiet", "--no-ignore", "--format", "json", "."])
        .output()
        .expect("run keysweep");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "keysweep failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let findings: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    // (path, line) -> rule ids found there.
    let mut found: BTreeMap<(String, u64), Vec<String>> = BTreeMap::new();
    for f in findings.as_array().expect("array of findings") {
        let path = f["path"].as_str().unwrap();
        let path = path.strip_prefix("./").unwrap_or(path).replace('\\', "/");
        found
            .entry((path, f["line"].as_u64().unwrap()))
            .or_default()
            .push(f["rule_id"].as_str().unwrap().to_string());
    }

    let mut missed = Vec::new();
    for e in &expected {
        let rules = found.get(&(e.path.clone(), e.line));
        let ok = rules.is_some_and(|r| e.rule == "any" || r.contains(&e.rule));
        if !ok {
            missed.push(format!(
                "  MISSED  {}:{}  expected {}  found {:?}",
                e.path,
                e.line,
                e.rule,
                rules.cloned().unwrap_or_default()
            ));
        }
    }
    let mut false_alarms = Vec::new();
    for ((path, line), rules) in &found {
        if !expected.iter().any(|e| &e.path == path && e.line == *line) {
            false_alarms.push(format!("  FALSE ALARM  {path}:{line}  {rules:?}"));
        }
    }
    let positives = expected.len();
    let true_hits = positives - missed.len();
    let report = format!(
        "eval corpus: {positives} expected findings, {true_hits} found, {} missed, {} false alarms\n{}\n{}",
        missed.len(),
        false_alarms.len(),
        missed.join("\n"),
        false_alarms.join("\n"),
    );
    eprintln!("{report}");
    assert!(missed.is_empty() && false_alarms.is_empty(), "{report}");
}
