//! `sweep --shard K/N` and `merge`: four shards run as four processes, merged, give exactly
//! the unsharded sweep (JSONL byte for byte; SARIF the same results), with the same summary.

mod common;

use common::repo::Repo;
use common::{run, stderr, stdout};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

/// Our own random AWS key ids; KEYS[0] is committed to several repositories.
const KEYS: [&str; 4] = [
    "AKIAMLP7TLVHGAZ53B62",
    "AKIA7RKW2QZPN4HVBX5D",
    "AKIAT3XWJ6MQ2ZK5NVRB",
    "AKIAVB2YH7KD4QWZN6XT",
];

/// Ten repositories: every third holds the shared key, the others one of their own.
fn repos() -> Vec<Repo> {
    (0..10)
        .map(|i| {
            let r = Repo::new();
            let key = if i % 3 == 0 { KEYS[0] } else { KEYS[1 + i % 3] };
            r.write("config.py", format!("aws_access_key_id = \"{key}\"\n"));
            r.write("README.md", format!("service {i}\n"));
            r.commit("initial");
            r
        })
        .collect()
}

fn summary_lines(err: &str) -> Vec<String> {
    // The findings summary: what `merge` prints too (not the per-repository lines).
    err.lines()
        .filter(|l| {
            l.starts_with("keysweep: ")
                && !l.starts_with("keysweep: [")
                && !l.starts_with("keysweep: swept")
                && !l.starts_with("keysweep: merged")
        })
        .map(str::to_string)
        .collect()
}

fn sarif_fingerprints(v: &Value) -> Vec<String> {
    let mut fps: Vec<String> = v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["partialFingerprints"]["keysweep/v1"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    fps.sort();
    fps
}

fn sweep(dir: &Path, format: &str, shard: Option<&str>, out: &str) -> std::process::Output {
    let mut args = vec![
        "sweep",
        "--repos",
        "repos.txt",
        "--value-key",
        "value.key",
        "--format",
        format,
        "--output",
        out,
    ];
    if let Some(s) = shard {
        args.extend(["--shard", s]);
    }
    run(dir, &args)
}

#[test]
fn four_shards_merged_are_the_unsharded_sweep() {
    let repos = repos();
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    let list: Vec<String> = repos
        .iter()
        .map(|r| r.path().display().to_string())
        .collect();
    std::fs::write(dir.join("repos.txt"), list.join("\n")).unwrap();
    std::fs::write(
        dir.join("value.key"),
        "a shared key of our own, 32+ bytes\n",
    )
    .unwrap();

    for format in ["jsonl", "sarif"] {
        let whole = sweep(dir, format, None, &format!("whole.{format}"));
        assert_eq!(whole.status.code(), Some(1), "{}", stderr(&whole));
        let mut parts = Vec::new();
        let mut swept = 0;
        for k in 1..=4 {
            let name = format!("shard-{k}.{format}");
            let out = sweep(dir, format, Some(&format!("{k}/4")), &name);
            let err = stderr(&out);
            assert!(matches!(out.status.code(), Some(0 | 1)), "{err}");
            swept += err.lines().filter(|l| l.starts_with("keysweep: [")).count();
            parts.push(name);
        }
        // Every repository in exactly one shard.
        assert_eq!(swept, repos.len());
        let mut args = vec!["merge", "--output"];
        let merged_name = format!("merged.{format}");
        args.push(&merged_name);
        args.extend(parts.iter().map(String::as_str));
        let merged = run(dir, &args);
        assert_eq!(merged.status.code(), Some(1), "{}", stderr(&merged));
        assert_eq!(
            summary_lines(&stderr(&merged)),
            summary_lines(&stderr(&whole)),
            "merge summary"
        );
        assert!(
            stderr(&whole).contains("the same value leaked in 4 repositories"),
            "{}",
            stderr(&whole)
        );
        let read = |n: &str| std::fs::read_to_string(dir.join(n)).unwrap();
        if format == "jsonl" {
            assert_eq!(read(&merged_name), read("whole.jsonl"));
            assert_eq!(read("whole.jsonl").lines().count(), repos.len());
        } else {
            let a: Value = serde_json::from_str(&read(&merged_name)).unwrap();
            let b: Value = serde_json::from_str(&read("whole.sarif")).unwrap();
            assert_eq!(sarif_fingerprints(&a), sarif_fingerprints(&b));
            assert_eq!(sarif_fingerprints(&a).len(), repos.len());
            let rules = |v: &Value| -> BTreeSet<String> {
                v["runs"][0]["tool"]["driver"]["rules"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["id"].as_str().unwrap().to_string())
                    .collect()
            };
            assert_eq!(rules(&a), rules(&b));
            for r in a["runs"][0]["results"].as_array().unwrap() {
                let i = r["ruleIndex"].as_u64().unwrap() as usize;
                assert_eq!(
                    a["runs"][0]["tool"]["driver"]["rules"][i]["id"],
                    r["ruleId"]
                );
                // Each result is relative to its repository's base, which the run defines.
                let at = &r["locations"][0]["physicalLocation"]["artifactLocation"];
                let base = at["uriBaseId"].as_str().unwrap();
                let uri = a["runs"][0]["originalUriBaseIds"][base]["uri"]
                    .as_str()
                    .unwrap();
                assert!(uri.starts_with("file:///") && uri.ends_with('/'), "{uri}");
                assert_eq!(at["uri"], "config.py");
            }
            assert_eq!(
                a["runs"][0]["originalUriBaseIds"],
                b["runs"][0]["originalUriBaseIds"]
            );
        }
    }
    // A shard's records merged twice are one finding each (de-duplicated by fingerprint).
    let twice = run(dir, &["merge", "whole.jsonl", "whole.jsonl"]);
    assert_eq!(
        stdout(&twice),
        std::fs::read_to_string(dir.join("whole.jsonl")).unwrap()
    );
    let mixed = run(dir, &["merge", "whole.jsonl", "whole.sarif"]);
    assert_eq!(mixed.status.code(), Some(2));
    assert!(
        stderr(&mixed).contains("all JSONL or all SARIF"),
        "{}",
        stderr(&mixed)
    );
}
