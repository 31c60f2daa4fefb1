//! Users coming from gitleaks and detect-secrets keep their state: `.gitleaksignore`,
//! `.gitleaks.toml` (read directly, and translated by `config import-gitleaks`), and a
//! `.secrets.baseline` written by the real detect-secrets (from $KEYSWEEP_TEST_VENV, set by
//! scripts/test) as `--baseline`.

mod common;

use common::repo::Repo;
use common::{prerequisite, run, scan_json, stderr, write};
use serde_json::Value;
use std::path::{Path, PathBuf};

// Our own random values in the providers' formats.
const K1: &str = "AKIAMUQOVHV6T3EYYB2R";
const K2: &str = "AKIASAETSIWQSBFBGLPZ";
const K3: &str = "AKIABYULLJ7R7E44ZRJJ";
const ACME_FOUND: &str = "acme_2wznswp4pu9ngggnwazh29r8m641z9g3";
const ACME_OUTSIDE_PATH: &str = "acme_zm2tjy1wpn0gz0l4q3zmo5utfv35trma";
const ACME_PATH_ALLOWED: &str = "acme_k1rhh4vtb450chg68wsfgik8ofcttqaj";
const ACME_MATCH_ALLOWED: &str = "acme_urxs993jgetdfyig1qqscobia8zvif8q";
const ACME_LINE_ALLOWED: &str = "acme_yvnvormuy0y3b8kv7dhzjj25usv30ooe";
const ACME_STOPWORD: &str = "acme_samplep3bw4gpupxtqu6rfy0kkzw8r6s";
const ACME_ROTATED: &str = "acme_un56jnt1f31o6ykh4awhcywo2kmspbk6";
const ACME_IN_DOCS: &str = "acme_c1lgnxngqztcbu9igvdvttgag2si0xcw";

fn places(findings: &[Value]) -> Vec<String> {
    let mut p: Vec<String> = findings
        .iter()
        .map(|f| {
            format!(
                "{}:{}:{}",
                f["path"].as_str().unwrap().trim_start_matches("./"),
                f["line"],
                f["rule_id"].as_str().unwrap()
            )
        })
        .collect();
    p.sort();
    p
}

#[test]
fn gitleaksignore_suppresses_by_file_and_line_whatever_the_rule_id() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "a.py", format!("x = 1\naws_key = \"{K1}\"\n"));
    write(d, "sub/b.py", format!("aws_key = \"{K2}\"\n"));
    write(d, "c.py", format!("aws_key = \"{K3}\"\n"));
    let (all, _) = scan_json(d, &[]);
    assert_eq!(all.len(), 3, "{all:?}");
    // gitleaks calls it `aws-access-token`; keysweep `aws-access-key-id`: the place decides.
    write(
        d,
        ".gitleaksignore",
        "# reviewed 2024-05\n\na.py:aws-access-token:2\n./sub/b.py:generic-api-key:1\n\
         c.py:aws-access-token:7\nnot-a-fingerprint-XYZZY\n",
    );
    let (left, out) = scan_json(d, &[]);
    assert_eq!(places(&left), ["c.py:1:aws-access-key-id"], "{left:?}");
    let err = stderr(&out);
    assert!(
        err.contains(".gitleaksignore:6: not a gitleaks fingerprint"),
        "{err}"
    );
    assert!(!err.contains("XYZZY"), "a malformed line is echoed: {err}");
}

#[test]
fn gitleaksignore_commit_entries_match_history_findings_of_that_commit() {
    let r = Repo::new();
    r.write("cfg/app.env", format!("# settings\nAWS_KEY={K1}\n"));
    r.commit("add app settings");
    let first = r.git(&["rev-parse", "HEAD"]).trim().to_string();
    r.write("other.env", format!("AWS_KEY={K2}\n"));
    r.commit("add other");
    let second = r.git(&["rev-parse", "HEAD"]).trim().to_string();
    // The right place with the wrong commit suppresses nothing.
    r.write(
        ".gitleaksignore",
        format!("{first}:cfg/app.env:aws-access-token:2\n{first}:other.env:aws-access-token:1\n"),
    );
    let (left, _) = scan_json(r.path(), &["--git"]);
    assert_eq!(places(&left), ["other.env:1:aws-access-key-id"], "{left:?}");
    assert_eq!(left[0]["commit"]["id"], second.as_str());
    // A commit entry is about history: the tree scan still reports the file.
    let (tree, _) = scan_json(r.path(), &[]);
    assert_eq!(tree.len(), 2, "{tree:?}");
}

/// The venv with detect-secrets that scripts/test makes. Without it these tests fail rather
/// than pass untested.
fn detect_secrets() -> PathBuf {
    let venv = PathBuf::from(prerequisite(
        "KEYSWEEP_TEST_VENV",
        "the Python venv with detect-secrets",
    ));
    let bin = venv.join("bin/detect-secrets");
    assert!(bin.is_file(), "{} missing", bin.display());
    bin
}

/// `detect-secrets scan --all-files` in `dir`, written to `.secrets.baseline` there.
fn detect_secrets_baseline(dir: &Path) -> Value {
    let out = std::process::Command::new(detect_secrets())
        .current_dir(dir)
        .args(["scan", "--all-files"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    std::fs::write(dir.join(".secrets.baseline"), &out.stdout).unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_real_detect_secrets_baseline_suppresses_exactly_its_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "app/settings.py", format!("AWS_KEY = \"{K1}\"\n"));
    let baseline = detect_secrets_baseline(d);
    let listed = &baseline["results"]["app/settings.py"];
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["type"] == "AWS Access Key"),
        "detect-secrets did not find the key: {baseline}"
    );
    // A new secret after the baseline, and the known one moved to another line.
    write(
        d,
        "app/settings.py",
        format!("# moved\n\nAWS_KEY = \"{K1}\"\n"),
    );
    write(d, "app/new.py", format!("AWS_KEY = \"{K2}\"\n"));
    let (all, _) = scan_json(d, &[]);
    assert!(places(&all).contains(&"app/settings.py:3:aws-access-key-id".to_string()));
    let (left, out) = scan_json(d, &["--baseline", ".secrets.baseline"]);
    assert_eq!(
        places(&left),
        ["app/new.py:1:aws-access-key-id"],
        "{left:?} {}",
        stderr(&out)
    );
}

#[test]
fn audited_detect_secrets_entries_false_suppresses_true_does_not_and_prune_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "a.py", format!("AWS_KEY = \"{K1}\"\n"));
    write(d, "b.py", format!("AWS_KEY = \"{K2}\"\n"));
    let mut baseline = detect_secrets_baseline(d);
    // What `detect-secrets audit` records: a.py reviewed as not a secret, b.py as a real one.
    for (file, verdict) in [("a.py", false), ("b.py", true)] {
        for e in baseline["results"][file].as_array_mut().unwrap() {
            e["is_secret"] = Value::Bool(verdict);
        }
    }
    let text = serde_json::to_string_pretty(&baseline).unwrap();
    std::fs::write(d.join(".secrets.baseline"), &text).unwrap();
    let (left, _) = scan_json(d, &["--baseline", ".secrets.baseline"]);
    assert_eq!(places(&left), ["b.py:1:aws-access-key-id"], "{left:?}");

    let out = run(d, &["baseline", "prune", "--file", ".secrets.baseline"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("detect-secrets baseline"),
        "{}",
        stderr(&out)
    );
    let create = run(d, &["baseline", "create", "-o", ".secrets.baseline"]);
    assert_eq!(create.status.code(), Some(2), "{}", stderr(&create));
    let after = std::fs::read_to_string(d.join(".secrets.baseline")).unwrap();
    assert_eq!(
        after, text,
        "prune or create changed the detect-secrets file"
    );
}

const GITLEAKS_CONFIG: &str = r#"
title = "team gitleaks config"

[extend]
useDefault = true
disabledRules = ["generic-api-key"]

[[rules]]
id = "acme-api-token"
description = "ACME API token"
regex = '''(?:legacy_)?acme_key\s*=\s*"(acme_[a-z0-9]{32})"'''
secretGroup = 1
entropy = 3.0
keywords = ["acme_"]
path = '''\.env$'''
tags = ["acme"]

    [[rules.allowlists]]
    description = "rotated tokens, for this rule only"
    regexTarget = "line"
    regexes = ['''# rotated''']

[allowlist]
description = "global allow list"
stopwords = ["sample"]
paths = ['''^fixtures/''']

[[allowlists]]
regexTarget = "match"
regexes = ['''^legacy_acme_key''']

[[allowlists]]
regexTarget = "line"
regexes = ['''# reviewed: test value''']

[[allowlists]]
targetRules = ["acme-api-token"]
paths = ['''^docs/''']

[[allowlists]]
targetRules = ["no-such-rule"]
paths = ['''^build/''']

[[allowlists]]
condition = "AND"
paths = ['''^tmp/''']
stopwords = ["temp"]
"#;

/// A tree with one ACME token that must be found and others each allowed by one part of the
/// gitleaks config, plus AWS keys the built-in rules find (`useDefault`), one of them where
/// only the ACME rule is allowed.
fn gitleaks_tree(d: &Path) {
    write(d, "app.env", format!("acme_key = \"{ACME_FOUND}\"\n"));
    write(
        d,
        "notes.txt",
        format!("acme_key = \"{ACME_OUTSIDE_PATH}\"\n"),
    );
    write(
        d,
        "fixtures/test.env",
        format!("acme_key = \"{ACME_PATH_ALLOWED}\"\n"),
    );
    write(
        d,
        "legacy.env",
        format!("legacy_acme_key = \"{ACME_MATCH_ALLOWED}\"\n"),
    );
    write(
        d,
        "reviewed.env",
        format!("acme_key = \"{ACME_LINE_ALLOWED}\" # reviewed: test value\n"),
    );
    write(d, "sample.env", format!("acme_key = \"{ACME_STOPWORD}\"\n"));
    write(
        d,
        "rotated.env",
        format!("acme_key = \"{ACME_ROTATED}\" # rotated\n"),
    );
    write(
        d,
        "docs/setup.env",
        format!("acme_key = \"{ACME_IN_DOCS}\"\n"),
    );
    write(d, "docs/aws.py", format!("AWS_KEY = \"{K2}\" # rotated\n"));
    write(d, "aws.py", format!("AWS_KEY = \"{K1}\"\n"));
}

const EXPECTED: [&str; 3] = [
    "app.env:1:acme-api-token",
    "aws.py:1:aws-access-key-id",
    "docs/aws.py:1:aws-access-key-id",
];

#[test]
fn import_gitleaks_writes_a_config_that_loads_finds_and_allows() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    gitleaks_tree(d);
    write(d, "gitleaks-config/team.toml", GITLEAKS_CONFIG);
    let out = run(
        d,
        &[
            "config",
            "import-gitleaks",
            "gitleaks-config/team.toml",
            "-o",
            ".keysweep.toml",
        ],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let not_translated: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("keysweep: not translated: "))
        .collect();
    assert_eq!(not_translated.len(), 4, "{err}");
    for part in [
        "generic-api-key",
        "\"no-such-rule\"",
        "none of its targetRules",
        "AND",
    ] {
        assert!(
            not_translated.iter().any(|l| l.contains(part)),
            "{part}: {err}"
        );
    }
    let written = std::fs::read_to_string(d.join(".keysweep.toml")).unwrap();
    for table in ["[[rules]]", "[rule_paths]", "[[rule_allowlists]]"] {
        assert!(written.contains(table), "{table}:\n{written}");
    }
    // The imported rule has no examples, and still loads as a user rule.
    let (found, out) = scan_json(d, &[]);
    assert_eq!(places(&found), EXPECTED, "{}\n{written}", stderr(&out));
    let list = run(d, &["rules", "list", "--config", ".keysweep.toml"]);
    assert!(common::stdout(&list).contains("acme-api-token"));

    // A second import does not overwrite the first without --force.
    let again = run(
        d,
        &["config", "import-gitleaks", "gitleaks-config/team.toml"],
    );
    assert_eq!(again.status.code(), Some(2), "{}", stderr(&again));
    assert!(stderr(&again).contains("--force"));
}

#[test]
fn gitleaks_toml_is_read_when_there_is_no_keysweep_toml() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    gitleaks_tree(d);
    write(d, ".gitleaks.toml", GITLEAKS_CONFIG);
    let (found, out) = scan_json(d, &[]);
    assert_eq!(places(&found), EXPECTED, "{}", stderr(&out));
    let notices: Vec<String> = stderr(&out)
        .lines()
        .filter(|l| l.contains(".gitleaks.toml"))
        .map(str::to_string)
        .collect();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(notices[0].starts_with("keysweep: note: no .keysweep.toml"));
    // A .keysweep.toml wins: the gitleaks file is then not read at all.
    write(d, ".keysweep.toml", "exclude = [\"aws.py\"]\n");
    let (found, out) = scan_json(d, &[]);
    assert!(!stderr(&out).contains(".gitleaks.toml"), "{}", stderr(&out));
    assert!(places(&found).iter().all(|p| !p.starts_with("aws.py")));
    assert!(
        found.iter().all(|f| f["rule_id"] != "acme-api-token"),
        "{found:?}"
    );
}

#[test]
fn a_range_scan_reads_gitleaksignore_from_the_base_not_from_the_commits_under_review() {
    let r = Repo::new();
    r.write("README.md", "base\n");
    r.commit("base");
    let base = r.git(&["rev-parse", "HEAD"]).trim().to_string();
    r.write("app.env", format!("AWS_KEY={K1}\n"));
    r.write(".gitleaksignore", "app.env:aws-access-token:1\n");
    r.commit("add a key and silence it");
    let range = format!("{base}..HEAD");
    let (left, out) = scan_json(r.path(), &["--git", "--range", &range]);
    assert_eq!(places(&left), ["app.env:1:aws-access-key-id"], "{left:?}");
    assert!(
        stderr(&out).contains("changes .gitleaksignore"),
        "{}",
        stderr(&out)
    );
    // The same file in the tree, reviewed, does suppress.
    let (tree, _) = scan_json(r.path(), &[]);
    assert!(tree.is_empty(), "{tree:?}");
}

#[cfg(unix)]
#[test]
fn gitleaks_files_that_are_links_are_ignored_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let elsewhere = tempfile::tempdir().unwrap();
    let e = elsewhere.path();
    write(e, "ignore", "a.py:aws-access-token:1\n");
    write(e, "config.toml", "[[rules]]\nid = \"x\"\nregex = '''x'''\n");
    write(d, "a.py", format!("AWS_KEY = \"{K1}\"\n"));
    std::os::unix::fs::symlink(e.join("ignore"), d.join(".gitleaksignore")).unwrap();
    std::os::unix::fs::symlink(e.join("config.toml"), d.join(".gitleaks.toml")).unwrap();
    let (found, out) = scan_json(d, &[]);
    assert_eq!(places(&found), ["a.py:1:aws-access-key-id"]);
    let err = stderr(&out);
    for name in [".gitleaksignore", ".gitleaks.toml"] {
        assert!(
            err.contains(&format!("{name} ignored: it is a symbolic link")),
            "{err}"
        );
    }
}
