//! `keysweep merge`: the reports of sweep shards (all JSONL or all SARIF) as one report,
//! de-duplicated by fingerprint and in the order one unsharded sweep writes (repository,
//! path, line, column, rule, fingerprint). JSONL records are copied as they were written,
//! so merged shards are byte for byte what the unsharded sweep writes. The records are
//! already redacted (or not, if the shards ran with `--show-secrets`): merging adds nothing.

use super::sarif::FINGERPRINT_KEY;
use super::sweep_summary;
use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

/// The most bytes one shard report may have.
const MAX_REPORT_BYTES: u64 = 4 << 30;

/// What a merge produced.
pub struct Merged {
    /// The merged report.
    pub text: Vec<u8>,
    /// A sweep's findings summary of the merged findings.
    pub summary: Vec<String>,
    pub findings: usize,
}

enum Input {
    Jsonl(Vec<(String, Value)>),
    Sarif(Value),
}

pub fn merge(files: &[PathBuf]) -> Result<Merged> {
    let mut inputs = Vec::new();
    for f in files {
        inputs.push(read(f)?);
    }
    let sarif = inputs
        .iter()
        .filter(|i| matches!(i, Input::Sarif(_)))
        .count();
    match sarif {
        0 => merge_jsonl(inputs),
        n if n == inputs.len() => merge_sarif(inputs),
        _ => bail!("merge wants reports of one format: all JSONL or all SARIF"),
    }
}

fn read(file: &Path) -> Result<Input> {
    let text = crate::safefs::read_text(file, true, MAX_REPORT_BYTES)?;
    let bad = |why: String| {
        anyhow!(
            "{} is not a sweep's JSONL or SARIF report: {why}",
            file.display()
        )
    };
    if let Ok(v) = serde_json::from_str::<Value>(&text) {
        if v.get("runs").is_some() {
            return Ok(Input::Sarif(v));
        }
    }
    let mut records = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: Value =
            serde_json::from_str(line).map_err(|e| bad(format!("line {}: {e}", n + 1)))?;
        if !v.get("fingerprint").is_some_and(Value::is_string) {
            return Err(bad(format!("line {} has no fingerprint", n + 1)));
        }
        records.push((line.to_string(), v));
    }
    Ok(Input::Jsonl(records))
}

fn text<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

fn number(v: &Value, pointer: &str) -> u64 {
    v.pointer(pointer).and_then(Value::as_u64).unwrap_or(0)
}

type SortKey = (String, String, u64, u64, String, String);

fn merge_jsonl(inputs: Vec<Input>) -> Result<Merged> {
    let mut by_key: BTreeMap<SortKey, (String, Value)> = BTreeMap::new();
    let mut seen = HashSet::new();
    for input in inputs {
        let Input::Jsonl(records) = input else {
            unreachable!("checked by merge")
        };
        for (line, v) in records {
            let fp = text(&v, "/fingerprint").to_string();
            if !seen.insert(fp.clone()) {
                continue;
            }
            let key = (
                text(&v, "/repository/location").to_string(),
                text(&v, "/path").to_string(),
                number(&v, "/line"),
                number(&v, "/column"),
                text(&v, "/rule_id").to_string(),
                fp,
            );
            by_key.insert(key, (line, v));
        }
    }
    let items: Vec<sweep_summary::Item<'_>> = by_key
        .values()
        .map(|(_, v)| sweep_summary::Item {
            repository: text(v, "/repository/location"),
            value_group: v.get("value_group").and_then(Value::as_str),
            rule_id: text(v, "/rule_id"),
        })
        .collect();
    let summary = sweep_summary::lines(&items);
    let mut out = Vec::new();
    for (line, _) in by_key.values() {
        out.extend_from_slice(line.as_bytes());
        out.push(b'\n');
    }
    Ok(Merged {
        text: out,
        summary,
        findings: by_key.len(),
    })
}

fn merge_sarif(inputs: Vec<Input>) -> Result<Merged> {
    let mut docs: Vec<Value> = inputs
        .into_iter()
        .map(|i| match i {
            Input::Sarif(v) => v,
            Input::Jsonl(_) => unreachable!("checked by merge"),
        })
        .collect();
    let mut rules: Vec<Value> = Vec::new();
    let mut rule_at: BTreeMap<String, usize> = BTreeMap::new();
    let mut results: BTreeMap<SortKey, Value> = BTreeMap::new();
    let mut seen = HashSet::new();
    let mut invocations = Vec::new();
    let mut bases = serde_json::Map::new();
    for doc in &docs {
        let runs = doc["runs"]
            .as_array()
            .context("a SARIF report without runs")?;
        for run in runs {
            let own: Vec<Value> = run
                .pointer("/tool/driver/rules")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            if let Some(b) = run.get("originalUriBaseIds").and_then(Value::as_object) {
                for (k, v) in b {
                    bases.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
            invocations.extend(
                run.get("invocations")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default(),
            );
            for r in run
                .get("results")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let fp = r
                    .get("partialFingerprints")
                    .and_then(|p| p.get(FINGERPRINT_KEY))
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                if fp.is_empty() {
                    bail!("a SARIF result without a {FINGERPRINT_KEY} fingerprint: not a keysweep report");
                }
                if !seen.insert(fp.clone()) {
                    continue;
                }
                let mut r = r.clone();
                let rule_id = text(&r, "/ruleId").to_string();
                if !rule_at.contains_key(&rule_id) {
                    let own_index = r.get("ruleIndex").and_then(Value::as_u64);
                    let descriptor = own_index
                        .and_then(|i| own.get(i as usize))
                        .cloned()
                        .unwrap_or_else(|| serde_json::json!({ "id": rule_id }));
                    rule_at.insert(rule_id.clone(), rules.len());
                    rules.push(descriptor);
                }
                r["ruleIndex"] = Value::from(rule_at[&rule_id]);
                let loc = "/locations/0/physicalLocation";
                let key = (
                    text(&r, "/properties/repository").to_string(),
                    text(&r, &format!("{loc}/artifactLocation/uri")).to_string(),
                    number(&r, &format!("{loc}/region/startLine")),
                    number(&r, &format!("{loc}/region/startColumn")),
                    rule_id,
                    fp,
                );
                results.insert(key, r);
            }
        }
    }
    let items: Vec<sweep_summary::Item<'_>> = results
        .values()
        .map(|r| sweep_summary::Item {
            repository: text(r, "/properties/repository"),
            value_group: r.pointer("/properties/valueGroup").and_then(Value::as_str),
            rule_id: text(r, "/ruleId"),
        })
        .collect();
    let summary = sweep_summary::lines(&items);
    let findings = results.len();
    // The first report is the frame: tool, automation details; its one run gets every
    // result, every rule they use and every shard's invocation.
    let mut out = docs.swap_remove(0);
    let run = out["runs"]
        .get_mut(0)
        .context("a SARIF report without runs")?;
    run["results"] = Value::Array(results.into_values().collect());
    run["tool"]["driver"]["rules"] = Value::Array(rules);
    run["originalUriBaseIds"] = Value::Object(bases);
    if !invocations.is_empty() {
        run["invocations"] = Value::Array(invocations);
    }
    if let Some(runs) = out["runs"].as_array_mut() {
        runs.truncate(1);
    }
    let mut text = serde_json::to_vec_pretty(&out)?;
    text.push(b'\n');
    Ok(Merged {
        text,
        summary,
        findings,
    })
}
