//! Reports consumers accept: every format carries the rule's confidence, `--min-confidence`
//! filters on it, and the JSON, JSONL, GitLab and SARIF outputs validate against schemas
//! committed in the repository and describe the run they come from (mode, times, errors,
//! repository state) without leaking a credential from the repository's own configuration.

mod common;

use common::repo::Repo;
use common::{run, stderr, stdout, write, GITHUB_TOKEN};
use serde_json::Value;
use std::path::Path;
use tempfile::TempDir;

/// A Datadog API key in its shape (32 hex digits) under a Datadog name: a medium-confidence
/// rule. Random, made for these tests.
const DATADOG_KEY: &str = "f16e6b2ebae29c1b72fd86b3ea18c20a";
/// A password in a password assignment: a low-confidence (generic) rule. Random.
const PASSWORD: &str = "xnRQ2ncBOB9b6mTDJt";

/// One finding per confidence level: github-pat-classic (high, checksum verified),
/// datadog-api-key (medium), password-assignment (low).
fn files(write: impl Fn(&str, String)) {
    write("gh.py", format!("token = \"{GITHUB_TOKEN}\"\n"));
    write("dd.yaml", format!("datadog:\n  api_key: {DATADOG_KEY}\n"));
    write("settings.py", format!("db_password = \"{PASSWORD}\"\n"));
}

fn tree() -> TempDir {
    let d = TempDir::new().unwrap();
    files(|rel, text| write(d.path(), rel, text));
    d
}

fn json_out(dir: &Path, args: &[&str]) -> Value {
    let out = run(dir, args);
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("bad JSON ({e}): {}\nstderr: {}", stdout(&out), stderr(&out)))
}

fn schema(rel: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// Validation errors of `doc` against `schema`, one line each.
fn errors(schema: &Value, doc: &Value) -> Vec<String> {
    let validator = jsonschema::validator_for(schema).expect("schema compiles");
    validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect()
}

fn assert_valid(schema: &Value, doc: &Value, what: &str) {
    let errs = errors(schema, doc);
    assert!(errs.is_empty(), "{what} invalid: {errs:#?}\n{doc:#}");
}

fn by_rule<'a>(findings: &'a [Value], rule: &str) -> &'a Value {
    findings
        .iter()
        .find(|f| f["rule_id"] == rule)
        .unwrap_or_else(|| panic!("no {rule} finding in {findings:#?}"))
}

#[test]
fn every_format_carries_the_rules_confidence() {
    let d = tree();
    let json = json_out(d.path(), &["scan", "--format", "json"]);
    let findings = json.as_array().unwrap();
    assert_eq!(findings.len(), 3, "{json:#}");
    for (rule, level) in [
        ("github-pat-classic", "high"),
        ("datadog-api-key", "medium"),
        ("password-assignment", "low"),
    ] {
        assert_eq!(by_rule(findings, rule)["confidence"], level, "{rule}");
    }

    let text = stdout(&run(d.path(), &["scan"]));
    assert!(
        text.contains("(github-pat-classic), high confidence"),
        "{text}"
    );
    assert!(
        text.contains("(password-assignment), low confidence"),
        "{text}"
    );

    let csv = stdout(&run(d.path(), &["scan", "--format", "csv"]));
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = header
        .iter()
        .position(|h| *h == "confidence")
        .expect("confidence column");
    let levels: Vec<&str> = lines.map(|l| l.split(',').nth(col).unwrap()).collect();
    assert_eq!(levels.len(), 3, "{csv}");
    assert!(levels.contains(&"medium"), "{csv}");

    // SARIF: precision from the confidence (a verified checksum is very-high), help from
    // the rule's references.
    let sarif = json_out(d.path(), &["scan", "--format", "sarif"]);
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let rule = |id: &str| rules.iter().find(|r| r["id"] == id).unwrap().clone();
    assert_eq!(
        rule("github-pat-classic")["properties"]["precision"],
        "very-high"
    );
    assert_eq!(rule("datadog-api-key")["properties"]["precision"], "medium");
    assert_eq!(
        rule("password-assignment")["properties"]["precision"],
        "low"
    );
    let shown = stdout(&run(d.path(), &["rules", "show", "datadog-api-key"]));
    let first_reference = shown
        .lines()
        .skip_while(|l| !l.starts_with("references:"))
        .nth(1)
        .expect("rules show lists the references")
        .trim()
        .to_string();
    assert!(first_reference.starts_with("https://"), "{shown}");
    let dd = rule("datadog-api-key");
    assert_eq!(dd["helpUri"], first_reference.as_str());
    let markdown = dd["help"]["markdown"].as_str().unwrap();
    assert!(markdown.contains(&first_reference), "{markdown}");
}

#[test]
fn min_confidence_keeps_only_the_levels_asked_for() {
    let d = tree();
    let rules_at = |extra: &[&str]| {
        let mut args = vec!["scan", "--format", "json"];
        args.extend_from_slice(extra);
        let mut ids: Vec<String> = json_out(d.path(), &args)
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule_id"].as_str().unwrap().to_string())
            .collect();
        ids.sort();
        ids
    };
    let all = rules_at(&[]);
    assert_eq!(all.len(), 3);
    assert_eq!(rules_at(&["--min-confidence", "low"]), all);
    assert_eq!(
        rules_at(&["--min-confidence", "medium"]),
        ["datadog-api-key", "github-pat-classic"]
    );
    assert_eq!(
        rules_at(&["--min-confidence", "high"]),
        ["github-pat-classic"]
    );

    // The same filter stage serves baselines: only what passes the floor is recorded.
    let out = run(
        d.path(),
        &[
            "baseline",
            "create",
            "--min-confidence",
            "high",
            "-o",
            "b.json",
            "-q",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let b: Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("b.json")).unwrap()).unwrap();
    let entries = b["findings"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{b:#}");
    assert_eq!(entries[0]["rule"], "github-pat-classic");

    let bad = run(d.path(), &["scan", "--min-confidence", "sure"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("possible values: low, medium, high"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn rules_list_and_show_give_confidence_and_references() {
    let d = TempDir::new().unwrap();
    let listed = json_out(d.path(), &["rules", "list", "--format", "json"]);
    for r in listed.as_array().unwrap() {
        assert!(
            ["high", "medium", "low"].contains(&r["confidence"].as_str().unwrap_or("")),
            "{r:#}"
        );
        let refs = r["references"].as_array().expect("references");
        assert!(!refs.is_empty(), "{}", r["id"]);
    }
    let shown = stdout(&run(d.path(), &["rules", "show", "github-pat-classic"]));
    assert!(shown.contains("confidence:  high"), "{shown}");
    assert!(
        shown.contains("\nreferences:\n  https://docs.github.com/"),
        "{shown}"
    );
}

/// A repository with the three secrets committed, and an `origin` remote whose URL carries
/// a credential of its own.
const REMOTE_TOKEN: &str = "glpat-Remote7xKq2WnV9bTz4Lm";

fn history_repo() -> Repo {
    let r = Repo::new();
    files(|rel, text| r.write(rel, text));
    r.commit("add settings");
    r.git(&[
        "remote",
        "add",
        "origin",
        &format!("https://deploy:{REMOTE_TOKEN}@git.example.org/team/app.git"),
    ]);
    r
}

#[test]
fn json_and_jsonl_validate_against_the_committed_schema() {
    let report = schema("schemas/report.schema.json");
    let mut finding = report.clone();
    finding["$ref"] = Value::from("#/$defs/finding");
    for key in ["type", "items"] {
        finding.as_object_mut().unwrap().remove(key);
    }

    let d = tree();
    let r = history_repo();
    // The same secret in a second file, so history findings carry other locations.
    r.write("copy.py", format!("token = \"{GITHUB_TOKEN}\"\n"));
    r.commit("copy");
    let cases: [(&Path, &[&str]); 4] = [
        (d.path(), &[]),
        (d.path(), &["--show-secrets"]),
        (r.path(), &["--git"]),
        (r.path(), &["--git", "--all-locations"]),
    ];
    for (dir, extra) in cases {
        let mut args = vec!["scan", "--format", "json"];
        args.extend_from_slice(extra);
        let doc = json_out(dir, &args);
        assert!(!doc.as_array().unwrap().is_empty());
        assert_valid(&report, &doc, &format!("json {extra:?}"));

        args[2] = "jsonl";
        let lines = stdout(&run(dir, &args));
        for line in lines.lines() {
            let v: Value = serde_json::from_str(line).unwrap();
            assert_valid(&finding, &v, &format!("jsonl {extra:?}"));
        }
    }
    // The history findings carry their commit, and with --all-locations the other places.
    let doc = json_out(
        r.path(),
        &["scan", "--format", "json", "--git", "--all-locations"],
    );
    let gh = by_rule(doc.as_array().unwrap(), "github-pat-classic");
    assert_eq!(gh["commit"]["id"].as_str().unwrap().len(), 40);
    assert!(
        gh["locations"].as_array().is_some_and(|l| !l.is_empty()),
        "{gh:#}"
    );

    // The schema can fail: a record with a field it does not define is rejected.
    let mut drifted = doc.clone();
    drifted[0]["rule"] = Value::from("x");
    assert!(!errors(&report, &drifted).is_empty());
}

#[test]
fn gitlab_report_validates_with_real_times_and_commits() {
    let gitlab = schema("testdata/schemas/gitlab-secret-detection-15.json");

    // Tree scan outside any repository: no commit to name, so none is written.
    let d = tree();
    let doc = json_out(d.path(), &["scan", "--format", "gitlab"]);
    assert_valid(&gitlab, &doc, "gitlab (tree)");
    let vulns = doc["vulnerabilities"].as_array().unwrap();
    assert_eq!(vulns.len(), 3);
    for v in vulns {
        assert!(v["location"].get("commit").is_none(), "{v:#}");
        for removed in ["confidence", "scanner", "category"] {
            assert!(v.get(removed).is_none(), "{removed} in {v:#}");
        }
    }
    let scan = &doc["scan"];
    assert_eq!(scan["status"], "success");
    assert!(scan["start_time"].as_str() <= scan["end_time"].as_str());

    // History scan: each finding names the commit that introduced it.
    let r = history_repo();
    let head = r.git(&["rev-parse", "HEAD"]).trim().to_string();
    let doc = json_out(r.path(), &["scan", "--git", "--format", "gitlab"]);
    assert_valid(&gitlab, &doc, "gitlab (history)");
    for v in doc["vulnerabilities"].as_array().unwrap() {
        assert_eq!(v["location"]["commit"]["sha"], head.as_str(), "{v:#}");
    }

    // Tree scan of a checkout: the commit it is based on, sha only (nothing is invented).
    let doc = json_out(r.path(), &["scan", "--format", "gitlab"]);
    assert_valid(&gitlab, &doc, "gitlab (tree in a repository)");
    for v in doc["vulnerabilities"].as_array().unwrap() {
        assert_eq!(
            v["location"]["commit"],
            serde_json::json!({ "sha": head }),
            "{v:#}"
        );
    }

    // The schema rejects what the report used to write: removed fields, a placeholder sha.
    let mut old = doc.clone();
    old["vulnerabilities"][0]["confidence"] = Value::from("High");
    assert!(!errors(&gitlab, &old).is_empty());
    let mut old = doc.clone();
    old["vulnerabilities"][0]["location"]["commit"]["sha"] = Value::from("0000000");
    assert!(!errors(&gitlab, &old).is_empty());
}

fn sarif_schema() -> Value {
    schema("testdata/sarif-schema-2.1.0.json")
}

#[test]
fn sarif_names_the_mode_and_the_repository_state_without_credentials() {
    let sarif_schema = sarif_schema();
    let d = tree();
    let tree_doc = json_out(d.path(), &["scan", "--format", "sarif"]);
    assert_valid(&sarif_schema, &tree_doc, "sarif (tree)");
    let run0 = &tree_doc["runs"][0];
    assert_eq!(run0["automationDetails"]["id"], "keysweep/tree/");
    assert_eq!(run0["invocations"][0]["executionSuccessful"], true);
    assert!(run0.get("versionControlProvenance").is_none());

    let r = history_repo();
    let head = r.git(&["rev-parse", "HEAD"]).trim().to_string();
    r.write("later.txt", "nothing here\n");
    r.commit("later");
    let head2 = r.git(&["rev-parse", "HEAD"]).trim().to_string();
    for (args, mode) in [
        (vec!["--git"], "history"),
        (
            vec!["--git", "--range", &format!("{head}~0..HEAD")],
            "range",
        ),
    ] {
        let mut all = vec!["scan", "--format", "sarif"];
        all.extend(args.iter().copied());
        let out = run(r.path(), &all);
        let text = stdout(&out);
        assert!(
            !text.contains(REMOTE_TOKEN),
            "the remote's credential leaked: {text}"
        );
        let doc: Value = serde_json::from_str(&text).unwrap();
        assert_valid(&sarif_schema, &doc, mode);
        let run0 = &doc["runs"][0];
        assert_eq!(run0["automationDetails"]["id"], format!("keysweep/{mode}/"));
        let vcs = &run0["versionControlProvenance"][0];
        assert_eq!(vcs["repositoryUri"], "https://git.example.org/team/app.git");
        assert_eq!(vcs["revisionId"], head2.as_str());
        assert_eq!(vcs["branch"], "main");
    }

    r.write("staged.py", format!("token = \"{GITHUB_TOKEN}\"\n"));
    r.git(&["add", "staged.py"]);
    let doc = json_out(r.path(), &["scan", "--staged", "--format", "sarif"]);
    assert_eq!(
        doc["runs"][0]["automationDetails"]["id"],
        "keysweep/staged/"
    );

    // Standard input is a mode of its own.
    let mut child = common::bin()
        .current_dir(d.path())
        .args(["scan", "-", "--format", "sarif"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    std::io::Write::write_all(
        &mut stdin,
        format!("token = \"{GITHUB_TOKEN}\"\n").as_bytes(),
    )
    .unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid(&sarif_schema, &doc, "sarif (stdin)");
    assert_eq!(doc["runs"][0]["automationDetails"]["id"], "keysweep/stdin/");
}

#[test]
fn an_incomplete_scan_is_not_reported_as_a_clean_success() {
    let r = history_repo();
    // Delete a committed blob from the object database: the history scan cannot read it.
    let blob = r.git(&["rev-parse", "HEAD:settings.py"]).trim().to_string();
    let loose = r
        .path()
        .join(".git/objects")
        .join(&blob[..2])
        .join(&blob[2..]);
    std::fs::remove_file(&loose).unwrap();

    let out = run(r.path(), &["scan", "--git", "--format", "sarif"]);
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid(&sarif_schema(), &sarif, "sarif (incomplete)");
    let inv = &sarif["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false, "{inv:#}");
    let notes: Vec<&str> = inv["toolExecutionNotifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["message"]["text"].as_str().unwrap())
        .collect();
    assert!(notes.iter().any(|n| n.contains(&blob)), "{notes:#?}");

    let doc = json_out(r.path(), &["scan", "--git", "--format", "gitlab"]);
    assert_valid(
        &schema("testdata/schemas/gitlab-secret-detection-15.json"),
        &doc,
        "gitlab (incomplete)",
    );
    assert_eq!(doc["scan"]["status"], "failure");
}
