//! `keysweep sweep`: real repositories built with the git CLI in temp dirs (URLs as `file://`
//! clones), swept by the real binary: repository identity on records, namespaced
//! fingerprints, the same-value summary, bad repositories, isolation, incremental state,
//! force-pushes and deleted branches, corrupt and foreign state files.

mod common;

use common::repo::Repo;
use common::{run, stderr, stdout};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

const K1: &str = "AKIA5GVDZIMSPHSNQWFB";
const K2: &str = "AKIAYPPQC4YVWYZP7RYH";
const K3: &str = "AKIAQUOQMNPQMZLHFTES";

/// A repository with one commit holding `files`.
fn repo_with(files: &[(&str, String)]) -> Repo {
    let r = Repo::new();
    for (path, text) in files {
        r.write(path, text);
    }
    r.commit("initial");
    r
}

fn key_line(k: &str) -> String {
    format!("aws_access_key_id = \"{k}\"\n")
}

/// Writes a list file into `dir` and returns its path.
fn list(dir: &Path, lines: &[String]) -> String {
    let p = dir.join("repos.txt");
    std::fs::write(&p, format!("# repositories\n{}\n", lines.join("\n"))).unwrap();
    p.display().to_string()
}

/// Runs a sweep with `--format jsonl`; returns the records and the output.
fn sweep_jsonl(dir: &Path, args: &[&str]) -> (Vec<Value>, std::process::Output) {
    let mut all = vec!["sweep", "--format", "jsonl"];
    all.extend_from_slice(args);
    let out = run(dir, &all);
    let records = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    (records, out)
}

fn fingerprints(records: &[Value]) -> BTreeSet<String> {
    records
        .iter()
        .map(|r| r["fingerprint"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn records_know_their_repository_and_one_value_in_several_is_one_summary_line() {
    let a = repo_with(&[("config.py", key_line(K1))]);
    let b = repo_with(&[("config.py", key_line(K1))]);
    let c = repo_with(&[("settings.py", key_line(K2))]);
    let work = tempfile::tempdir().unwrap();
    let url = format!("file://{}", c.path().display());
    let list = list(
        work.path(),
        &[
            a.path().display().to_string(),
            b.path().display().to_string(),
            url.clone(),
        ],
    );
    let (records, out) = sweep_jsonl(work.path(), &["--repos", &list, "--cache", "cache"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(records.len(), 3, "{records:?}");
    let locations: BTreeSet<&str> = records
        .iter()
        .map(|r| r["repository"]["location"].as_str().unwrap())
        .collect();
    let a_loc = std::fs::canonicalize(a.path())
        .unwrap()
        .display()
        .to_string();
    assert!(locations.contains(a_loc.as_str()), "{locations:?}");
    assert!(locations.contains(url.as_str()), "{locations:?}");
    let ids: BTreeSet<&str> = records
        .iter()
        .map(|r| r["repository"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 3);
    // The same secret at the same path in two repositories: two fingerprints, one value group.
    let same: Vec<&Value> = records
        .iter()
        .filter(|r| r["path"] == "config.py")
        .collect();
    assert_eq!(same.len(), 2);
    assert_ne!(same[0]["fingerprint"], same[1]["fingerprint"]);
    assert_eq!(same[0]["value_group"], same[1]["value_group"]);
    let err = stderr(&out);
    assert!(
        err.contains("keysweep: the same value leaked in 2 repositories: aws-access-key-id"),
        "{err}"
    );
    assert!(
        err.contains("keysweep: 3 findings in 3 repositories"),
        "{err}"
    );
    assert!(!err.contains(K1) && !stdout(&out).contains(K1));
    // `scan --git` keeps its plain fingerprint (existing baselines stay valid).
    let scan = run(a.path(), &["scan", "--git", "--format", "json"]);
    let single: Value = serde_json::from_slice(&scan.stdout).unwrap();
    let plain = single[0]["fingerprint"].as_str().unwrap();
    assert!(fingerprints(&records).iter().all(|f| f != plain));
    assert!(single[0].get("repository").is_none());
}

#[test]
fn sweep_records_validate_against_the_report_schema() {
    let a = repo_with(&[("config.py", key_line(K1))]);
    let work = tempfile::tempdir().unwrap();
    let list = list(work.path(), &[a.path().display().to_string()]);
    let out = run(
        work.path(),
        &["sweep", "--repos", &list, "--format", "json"],
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc.as_array().unwrap().len(), 1);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/report.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}\n{doc:#}");
    // The schema does check the sweep's fields.
    let mut bad = doc.clone();
    bad[0]["repository"]["id"] = Value::from("not hex");
    assert!(!validator.is_valid(&bad));
}

#[test]
fn every_format_names_the_repository() {
    let a = repo_with(&[("app.env", key_line(K1))]);
    let work = tempfile::tempdir().unwrap();
    let list = list(work.path(), &[a.path().display().to_string()]);
    let id = {
        let (records, _) = sweep_jsonl(work.path(), &["--repos", &list]);
        records[0]["repository"]["id"].as_str().unwrap().to_string()
    };
    for format in ["text", "json", "sarif", "csv", "github", "gitlab"] {
        let out = run(
            work.path(),
            &["sweep", "--repos", &list, "--format", format],
        );
        assert_eq!(out.status.code(), Some(1), "{format}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(
            text.contains(&id),
            "{format} lacks the repository id:\n{text}"
        );
        assert!(!text.contains(K1), "{format} leaks the secret");
        if format == "sarif" {
            let path =
                Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/sarif-schema-2.1.0.json");
            let schema: Value =
                serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
            let doc: Value = serde_json::from_str(&text).unwrap();
            let validator = jsonschema::validator_for(&schema).expect("schema compiles");
            let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{errors:#?}");
            // Relative to the repository, whose base the run defines.
            let run = &doc["runs"][0];
            let at = &run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
            assert_eq!(at["uri"], "app.env");
            let base = &run["originalUriBaseIds"][at["uriBaseId"].as_str().unwrap()];
            let canonical = std::fs::canonicalize(a.path()).unwrap();
            assert_eq!(base["uri"], format!("file://{}/", canonical.display()));
        }
    }
}

#[test]
fn a_bad_repository_is_a_warning_and_exit_4_and_the_rest_is_swept() {
    let a = repo_with(&[("config.py", key_line(K1))]);
    let work = tempfile::tempdir().unwrap();
    let not_repo = work.path().join("plain-dir");
    std::fs::create_dir(&not_repo).unwrap();
    let list = list(
        work.path(),
        &[
            "missing-repo".to_string(),
            not_repo.display().to_string(),
            a.path().display().to_string(),
            // A token in a URL that cannot be cloned: never printed.
            "https://user:sekrit-t0ken@127.0.0.1:1/org/app.git".to_string(),
        ],
    );
    let (records, out) = sweep_jsonl(work.path(), &["--repos", &list, "--cache", "cache"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert_eq!(records.len(), 1);
    assert!(err.contains("missing-repo: not swept"), "{err}");
    assert!(err.contains("plain-dir: not swept"), "{err}");
    assert!(
        err.contains("https://127.0.0.1:1/org/app.git: not swept"),
        "{err}"
    );
    assert!(err.contains("3 not swept"), "{err}");
    assert!(!err.contains("sekrit-t0ken"), "{err}");
}

#[test]
fn discover_finds_bare_and_work_tree_repositories() {
    let root = tempfile::tempdir().unwrap();
    let a = repo_with(&[("config.py", key_line(K1))]);
    let b = repo_with(&[("config.py", key_line(K2))]);
    let org = root.path().join("org");
    std::fs::create_dir_all(org.join("team")).unwrap();
    let clone = |src: &Path, dst: &Path, bare: bool| {
        let mut c = common::repo::isolated("git", root.path());
        c.args(["clone", "-q"]);
        if bare {
            c.arg("--bare");
        }
        assert!(c.arg(src).arg(dst).status().unwrap().success());
    };
    clone(a.path(), &org.join("a"), false);
    clone(b.path(), &org.join("team").join("b.git"), true);
    let (records, out) = sweep_jsonl(root.path(), &["--discover", "org"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let mut locations: Vec<String> = records
        .iter()
        .map(|r| r["repository"]["location"].as_str().unwrap().to_string())
        .collect();
    locations.sort();
    assert_eq!(locations.len(), 2, "{locations:?}");
    assert!(locations[0].ends_with("org/a"), "{locations:?}");
    assert!(locations[1].ends_with("org/team/b.git"), "{locations:?}");
}

#[test]
fn a_swept_repository_cannot_run_a_program_nor_allowlist_itself() {
    let a = repo_with(&[("config.py", key_line(K1))]);
    // Its own config would allowlist everything; a sweep does not read it.
    a.write(".keysweep.toml", "[allowlist]\npaths = [\"**\"]\n");
    a.write(".gitattributes", "*.py filter=x\n");
    a.commit("config");
    let marker = a.path().join("ran");
    let hook = format!("touch {}", marker.display());
    for (k, v) in [
        ("core.fsmonitor", hook.as_str()),
        ("filter.x.smudge", hook.as_str()),
        ("filter.x.clean", hook.as_str()),
        ("core.sshCommand", hook.as_str()),
    ] {
        a.git(&["config", k, v]);
    }
    let url = format!("file://{}", a.path().display());
    let work = tempfile::tempdir().unwrap();
    let list = list(work.path(), &[a.path().display().to_string(), url]);
    let (records, out) = sweep_jsonl(work.path(), &["--repos", &list, "--cache", "cache"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(records.len(), 2);
    assert!(!marker.exists());
    // The mirror is bare: no work tree, no checkout.
    let mirrors: Vec<_> = std::fs::read_dir(work.path().join("cache"))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(mirrors.len(), 1);
    assert!(!mirrors[0].path().join("config.py").exists());
    // The next sweep fetches into the mirror, as isolated as the clone. (The test's own git
    // commands override the hostile settings.)
    let safe = |args: &[&str]| {
        let mut all = vec![
            "-c",
            "core.fsmonitor=false",
            "-c",
            "filter.x.clean=cat",
            "-c",
            "filter.x.smudge=cat",
        ];
        all.extend_from_slice(args);
        a.git(&all);
    };
    safe(&["rm", "-q", ".gitattributes"]);
    a.write("second.py", key_line(K2));
    safe(&["add", "second.py"]);
    safe(&["commit", "-q", "--no-verify", "-m", "more"]);
    assert!(!marker.exists());
    let (records, out) = sweep_jsonl(work.path(), &["--repos", &list, "--cache", "cache"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(records.len(), 4);
    assert!(!marker.exists());
}

#[test]
fn a_second_sweep_scans_nothing_and_new_commits_are_exactly_the_new_findings() {
    let a = repo_with(&[("config.py", key_line(K1)), ("README", "hello\n".into())]);
    let b = repo_with(&[("deploy.sh", key_line(K2))]);
    let work = tempfile::tempdir().unwrap();
    let list = list(
        work.path(),
        &[
            a.path().display().to_string(),
            b.path().display().to_string(),
        ],
    );
    let args = ["--repos", list.as_str(), "--state", "state"];
    let (first, out) = sweep_jsonl(work.path(), &args);
    assert_eq!(first.len(), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("; 2 new findings"),
        "{}",
        stderr(&out)
    );

    let (again, out) = sweep_jsonl(work.path(), &args);
    let err = stderr(&out);
    assert!(err.contains(": 0 blobs scanned"), "{err}");
    assert!(!err.contains(": 1 blobs scanned") && !err.contains(": 2 blobs scanned"));
    assert_eq!(fingerprints(&again), fingerprints(&first));
    let mut new_args = args.to_vec();
    new_args.extend(["--report", "new"]);
    let (none, out) = sweep_jsonl(work.path(), &new_args);
    assert!(none.is_empty());
    assert_eq!(out.status.code(), Some(0));

    a.write("later.py", key_line(K3));
    a.commit("a new key");
    let (new, out) = sweep_jsonl(work.path(), &new_args);
    let err = stderr(&out);
    assert_eq!(new.len(), 1, "{err}");
    assert_eq!(new[0]["path"], "later.py");
    // One new blob in a; nothing in b.
    assert!(err.contains(": 1 blobs scanned"), "{err}");
    assert!(err.contains("; 1 new findings"), "{err}");
    let (all, _) = sweep_jsonl(work.path(), &args);
    assert_eq!(all.len(), 3);

    // The state holds no secret and is private.
    for e in std::fs::read_dir(work.path().join("state")).unwrap() {
        let path = e.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for k in [K1, K2, K3] {
            assert!(!text.contains(k), "{} holds a secret", path.display());
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{}", path.display());
        }
    }
}

#[test]
fn force_pushed_and_deleted_history_leaves_the_inventory() {
    let a = repo_with(&[("config.py", key_line(K1))]);
    a.git(&["checkout", "-q", "-b", "feature"]);
    a.write("feature.py", key_line(K2));
    a.commit("feature key");
    a.git(&["checkout", "-q", "main"]);
    a.write("mistake.py", key_line(K3));
    a.commit("oops");
    let work = tempfile::tempdir().unwrap();
    let list = list(work.path(), &[a.path().display().to_string()]);
    let args = ["--repos", list.as_str(), "--state", "state"];
    let (first, _) = sweep_jsonl(work.path(), &args);
    let paths = |r: &[Value]| -> BTreeSet<String> {
        r.iter()
            .map(|x| x["path"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        paths(&first),
        BTreeSet::from(["config.py".into(), "feature.py".into(), "mistake.py".into()])
    );
    // The branch is deleted and the bad commit rewritten away (a force-push), and the
    // objects are gone from the repository.
    a.git(&["branch", "-q", "-D", "feature"]);
    a.git(&["reset", "-q", "--hard", "HEAD~1"]);
    a.git(&["reflog", "expire", "--expire=now", "--all"]);
    a.git(&["gc", "-q", "--prune=now"]);
    let (after, out) = sweep_jsonl(work.path(), &args);
    assert_eq!(
        paths(&after),
        BTreeSet::from(["config.py".to_string()]),
        "{}",
        stderr(&out)
    );
    // Were the key committed again, it is new again.
    a.write("mistake.py", key_line(K3));
    a.commit("oops again");
    let (new, _) = sweep_jsonl(
        work.path(),
        &[args[0], args[1], args[2], args[3], "--report", "new"],
    );
    assert_eq!(paths(&new), BTreeSet::from(["mistake.py".to_string()]));
}

#[test]
fn other_settings_rescan_the_blobs_and_rebuild_the_inventory() {
    let a = repo_with(&[("config.py", key_line(K1)), ("vendor/lib.py", key_line(K2))]);
    let work = tempfile::tempdir().unwrap();
    let list = list(work.path(), &[a.path().display().to_string()]);
    let args = ["--repos", list.as_str(), "--state", "state"];
    let (first, _) = sweep_jsonl(work.path(), &args);
    assert_eq!(first.len(), 2);
    // Excluding vendor/ drops its finding from the inventory: the blobs are scanned again
    // with the new settings, and nothing is new.
    let mut narrower = args.to_vec();
    narrower.extend(["--exclude", "vendor/**"]);
    let (all, out) = sweep_jsonl(work.path(), &narrower);
    let err = stderr(&out);
    assert_eq!(all.len(), 1, "{err}");
    assert_eq!(all[0]["path"], "config.py");
    assert!(err.contains(": 2 blobs scanned"), "{err}");
    assert!(err.contains("(0 new)"), "{err}");
    // Back to the first settings: the vendored key is new again (the inventory had dropped
    // it with the settings that excluded it).
    let (again, out) = sweep_jsonl(work.path(), &args);
    assert_eq!(again.len(), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("(1 new)"), "{}", stderr(&out));
}

#[test]
fn a_corrupt_or_foreign_state_file_is_an_error_naming_it() {
    let a = repo_with(&[("config.py", key_line(K1))]);
    let b = repo_with(&[("config.py", key_line(K2))]);
    let work = tempfile::tempdir().unwrap();
    let list = list(
        work.path(),
        &[
            a.path().display().to_string(),
            b.path().display().to_string(),
        ],
    );
    let args = ["--repos", list.as_str(), "--state", "state"];
    let (first, _) = sweep_jsonl(work.path(), &args);
    assert_eq!(first.len(), 2);
    let id = |loc: &str| {
        first
            .iter()
            .find(|r| r["repository"]["location"].as_str().unwrap().ends_with(loc))
            .map(|r| r["repository"]["id"].as_str().unwrap().to_string())
            .unwrap()
    };
    let a_loc = std::fs::canonicalize(a.path())
        .unwrap()
        .display()
        .to_string();
    let b_loc = std::fs::canonicalize(b.path())
        .unwrap()
        .display()
        .to_string();
    let state = work.path().join("state");
    let a_file = state.join(format!("{}.state", id(&a_loc)));
    let b_file = state.join(format!("{}.state", id(&b_loc)));
    std::fs::write(
        &a_file,
        b"{\"format\": \"keysweep-sweep-state\", \"version\"",
    )
    .unwrap();
    std::fs::copy(&a_file, work.path().join("a.corrupt")).unwrap();
    let (records, out) = sweep_jsonl(work.path(), &args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(4), "{err}");
    let named = format!("state file state/{}.state", id(&a_loc));
    assert!(err.contains(&named), "{err}");
    assert!(err.contains("corrupt"), "{err}");
    // Not a silent rescan reporting everything as new, and the file is left as it was.
    assert!(records
        .iter()
        .all(|r| r["repository"]["location"] != a_loc.as_str()));
    assert_eq!(
        std::fs::read(&a_file).unwrap(),
        std::fs::read(work.path().join("a.corrupt")).unwrap()
    );
    // Another repository's state under this one's name.
    std::fs::copy(&b_file, &a_file).unwrap();
    let out = run(
        work.path(),
        &["sweep", "--repos", &list, "--state", "state"],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(err.contains("belongs to another repository"), "{err}");
}

#[test]
fn a_token_in_a_url_is_used_but_never_printed_nor_kept_in_the_cache() {
    let a = repo_with(&[("config.py", key_line(K1))]);
    let token = "s3cr3t-t0ken-value";
    let url = format!("file://deploy:{token}@localhost{}", a.path().display());
    let work = tempfile::tempdir().unwrap();
    let list = list(work.path(), &[url]);
    for round in 0..2 {
        let (records, out) = sweep_jsonl(work.path(), &["--repos", &list, "--cache", "cache"]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "round {round}: {}",
            stderr(&out)
        );
        assert_eq!(records.len(), 1);
        let shown = format!("file://localhost{}", a.path().display());
        assert_eq!(records[0]["repository"]["location"], shown.as_str());
        assert!(!stdout(&out).contains(token) && !stderr(&out).contains(token));
        for e in std::fs::read_dir(work.path().join("cache")).unwrap() {
            let config = e.unwrap().path().join("config");
            let text = std::fs::read_to_string(&config).unwrap();
            assert!(!text.contains(token), "{}: {text}", config.display());
        }
    }
}

#[test]
fn a_list_on_standard_input_and_a_bad_shard_spec() {
    let a = repo_with(&[("config.py", key_line(K1))]);
    let parent = a.path().parent().unwrap();
    let name = a.path().file_name().unwrap().to_str().unwrap();
    let mut child = common::bin()
        .current_dir(parent)
        .args(["sweep", "--repos", "-", "--format", "jsonl"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    writeln!(child.stdin.take().unwrap(), "# one repository\n{name}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 1);
    let bad = run(parent, &["sweep", "--repos", "-", "--shard", "5/4"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("1 <= K <= N"), "{}", stderr(&bad));
}
