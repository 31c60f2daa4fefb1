//! Shared helpers for integration tests: run the real binary, build file trees.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// An AWS access key id in the real format (not the documented example key).
pub const AWS_KEY_ID: &str = "AKIAQYLPMN5HHHFPZAM2";
/// A GitHub classic token with a valid CRC32 checksum.
pub const GITHUB_TOKEN: &str = "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";

pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_keysweep"));
    c.env("NO_COLOR", "1");
    c
}

/// Runs `keysweep ARGS` in `dir`.
pub fn run(dir: &Path, args: &[&str]) -> Output {
    bin()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run keysweep")
}

/// The value of `var`, which scripts/test sets to `what`. A test that needs it fails
/// without it, under CI or not: a missing prerequisite must never pass as a skipped test.
pub fn prerequisite(var: &str, what: &str) -> String {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => v,
        _ => panic!("{var} is not set ({what}): run the tests with scripts/test, which sets it up"),
    }
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs a JSON scan and returns the findings array.
pub fn scan_json(dir: &Path, extra: &[&str]) -> (Vec<serde_json::Value>, Output) {
    let mut args = vec!["scan", "--format", "json"];
    args.extend_from_slice(extra);
    let out = run(dir, &args);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("bad JSON ({e}): {}\nstderr: {}", stdout(&out), stderr(&out)));
    (v.as_array().expect("array").clone(), out)
}

pub fn write(dir: &Path, rel: &str, content: impl AsRef<[u8]>) {
    let p = dir.join(rel);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(p, content).unwrap();
}

/// Paths of findings, sorted.
pub fn paths(findings: &[serde_json::Value]) -> Vec<String> {
    let mut p: Vec<String> = findings
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    p.sort();
    p
}
pub mod moto;
pub mod repo;
pub mod toolchain;
