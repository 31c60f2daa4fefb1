//! The one path model: excludes mean the same for every source, paths are reported as the
//! user gave them, SARIF locations are relative to the repository, and two files never share
//! a fingerprint.

mod common;

use common::repo::Repo;
use common::{paths, run, scan_json, stdout, write, AWS_KEY_ID, GITHUB_TOKEN};
use std::collections::HashSet;

fn secret_line() -> String {
    format!("aws_key = \"{AWS_KEY_ID}\"\n")
}

/// A repository with the same kind of secret in app code, vendored code and a fixture.
fn repo_with_vendor() -> Repo {
    let r = Repo::new();
    r.write("src/config.py", secret_line());
    r.write("vendor/lib/client.py", secret_line());
    r.write("src/vendor/keep.py", secret_line());
    r.write(
        "tests/fixtures/creds.env",
        format!("TOKEN={GITHUB_TOKEN}\n"),
    );
    r.commit("init");
    r
}

#[test]
fn exclude_flag_applies_to_history_scans() {
    let r = repo_with_vendor();
    let (f, _) = scan_json(r.path(), &["--git", "--exclude", "vendor/**"]);
    assert_eq!(
        paths(&f),
        vec![
            "src/config.py",
            "src/vendor/keep.py",
            "tests/fixtures/creds.env"
        ],
        "vendor/** is anchored at the repository root"
    );
    let (f, _) = scan_json(r.path(), &["--git", "--exclude", "fixtures/"]);
    assert!(!paths(&f).iter().any(|p| p.contains("fixtures")), "{f:?}");
}

#[test]
fn exclude_flag_applies_to_staged_scans_with_gitignore_globs() {
    let r = Repo::new();
    r.write("README", "x\n");
    r.commit("init");
    r.write("deploy/prod.env", secret_line());
    r.write("app.py", secret_line());
    r.git(&["add", "-A"]);
    // A pattern without a slash matches the name at any depth, as in a .gitignore, and a
    // trailing slash matches a directory and everything below it.
    let (f, _) = scan_json(r.path(), &["--staged", "--exclude", "*.env"]);
    assert_eq!(paths(&f), vec!["app.py"]);
    let (f, _) = scan_json(r.path(), &["--staged", "--exclude", "deploy/"]);
    assert_eq!(paths(&f), vec!["app.py"]);
}

#[test]
fn config_globs_mean_the_same_in_every_source() {
    let r = repo_with_vendor();
    r.write(
        ".keysweep.toml",
        "exclude = [\"vendor/**\"]\n[allowlist]\npaths = [\"fixtures/\"]\n",
    );
    r.commit("config");
    let want = vec!["src/config.py", "src/vendor/keep.py"];
    let (tree, _) = scan_json(r.path(), &[]);
    assert_eq!(paths(&tree), want);
    let (history, _) = scan_json(r.path(), &["--git"]);
    assert_eq!(paths(&history), want);
    r.write("vendor/lib/more.py", secret_line());
    r.write("tests/fixtures/more.env", secret_line());
    r.write("src/more.py", secret_line());
    r.git(&["add", "-A"]);
    let (staged, _) = scan_json(r.path(), &["--staged"]);
    assert_eq!(paths(&staged), vec!["src/more.py"]);
}

#[test]
fn paths_are_reported_as_given() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "src/config.py", secret_line());
    let (f, _) = scan_json(d.path(), &["src"]);
    assert_eq!(paths(&f), vec!["src/config.py"]);
    let (f, _) = scan_json(d.path(), &["./src"]);
    assert_eq!(paths(&f), vec!["./src/config.py"]);
    let (f, _) = scan_json(d.path(), &[]);
    assert_eq!(paths(&f), vec!["src/config.py"]);
    let (f, _) = scan_json(&d.path().join("src"), &[]);
    assert_eq!(paths(&f), vec!["config.py"]);
}

#[test]
fn sarif_locations_are_relative_to_the_repository() {
    let r = Repo::new();
    r.write("src/config.py", secret_line());
    r.commit("init");
    for (dir, arg) in [(r.path().to_path_buf(), "src"), (r.path().join("src"), ".")] {
        let out = run(&dir, &["scan", "-f", "sarif", arg]);
        let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let run0 = &sarif["runs"][0];
        let loc = &run0["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(loc["uri"], "src/config.py", "scanned {arg} from {dir:?}");
        assert_eq!(loc["uriBaseId"], "%SRCROOT%");
        let base = run0["originalUriBaseIds"]["%SRCROOT%"]["uri"]
            .as_str()
            .unwrap();
        let top = std::fs::canonicalize(r.path()).unwrap();
        assert_eq!(base, format!("file://{}/", top.display()));
    }
}

#[test]
fn the_same_secret_in_two_files_has_two_fingerprints() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "a/x.py", secret_line());
    write(d.path(), "b/x.py", secret_line());
    let (f, _) = scan_json(d.path(), &["a", "b"]);
    assert_eq!(paths(&f), vec!["a/x.py", "b/x.py"]);
    let fps: HashSet<&str> = f
        .iter()
        .map(|x| x["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(fps.len(), 2, "{f:?}");
    assert!(f.iter().all(|x| x["other_locations"] == 1), "{f:?}");

    // A baseline entry for one file silences that file only.
    let out = run(d.path(), &["baseline", "create", "-o", "base.json", "a"]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let (f, _) = scan_json(d.path(), &["--baseline", "base.json", "a", "b"]);
    assert_eq!(paths(&f), vec!["b/x.py"]);
}

#[test]
fn fingerprints_do_not_depend_on_where_keysweep_runs() {
    let r = Repo::new();
    r.write("src/config.py", secret_line());
    r.commit("init");
    let fp = |dir: &std::path::Path, args: &[&str]| -> String {
        let (f, _) = scan_json(dir, args);
        assert_eq!(f.len(), 1, "{f:?}");
        f[0]["fingerprint"].as_str().unwrap().to_string()
    };
    let top = fp(r.path(), &[]);
    assert_eq!(fp(r.path(), &["src"]), top);
    assert_eq!(fp(&r.path().join("src"), &[]), top);
    assert_eq!(fp(r.path(), &["--git"]), top, "history and tree agree");
    let text = stdout(&run(r.path(), &["scan", "src"]));
    assert!(text.contains(&top), "{text}");
}
