//! `keysweep scan --staged`: the real binary on real git repositories built with the git CLI.

mod common;

use common::repo::Repo;
use std::path::PathBuf;
use std::process::{Command, Output};

const KEY1: &str = "AKIAQYLPMN5HHHFPZAM2";
const KEY2: &str = "AKIAZ7XKQ4RWT3MNBV6C";

trait StagedScan {
    fn staged(&self, extra: &[&str]) -> Scan;
}

impl StagedScan for Repo {
    /// `keysweep scan --staged --format json EXTRA` in the repository.
    fn staged(&self, extra: &[&str]) -> Scan {
        let out = self
            .cmd(env!("CARGO_BIN_EXE_keysweep"))
            .args(["scan", "--staged", "--format", "json"])
            .args(extra)
            .output()
            .unwrap();
        Scan::from(out)
    }
}

struct Scan {
    code: i32,
    findings: Vec<serde_json::Value>,
    stderr: String,
}

impl From<Output> for Scan {
    fn from(out: Output) -> Scan {
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        let code = out.status.code().unwrap_or(-1);
        assert!(code == 0 || code == 1, "exit {code}: {stderr}");
        let v: serde_json::Value = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("json: {e}: {stdout} / {stderr}"));
        let findings = match v {
            serde_json::Value::Array(a) => a,
            serde_json::Value::Object(mut o) => o
                .remove("findings")
                .and_then(|f| f.as_array().cloned())
                .unwrap_or_default(),
            _ => panic!("unexpected json {stdout}"),
        };
        Scan {
            code,
            findings,
            stderr,
        }
    }
}

impl Scan {
    /// (path, line) of every finding.
    fn places(&self) -> Vec<(String, u64)> {
        self.findings
            .iter()
            .map(|f| {
                let path = f["path"].as_str().unwrap_or_default().to_string();
                let line = f["line"]
                    .as_u64()
                    .or_else(|| f["location"]["line"].as_u64())
                    .or_else(|| f["start_line"].as_u64())
                    .unwrap_or(0);
                (path, line)
            })
            .collect()
    }

    fn scanned(&self) -> u64 {
        let s = &self.stderr;
        let i = s
            .find("scanned ")
            .unwrap_or_else(|| panic!("no summary: {s}"));
        s[i + 8..]
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap()
    }
}

#[test]
fn reports_added_lines_with_staged_line_numbers_and_counts_files() {
    let r = Repo::new();
    r.write("app.py", "a = 1\nb = 2\n");
    r.write("other.txt", "nothing\n");
    r.commit("init");
    r.write("app.py", format!("a = 1\n# new\nkey = \"{KEY1}\"\nb = 2\n"));
    r.git(&["add", "app.py"]);
    let s = r.staged(&[]);
    assert_eq!(s.code, 1, "{}", s.stderr);
    assert_eq!(s.places(), vec![("app.py".to_string(), 3)]);
    assert_eq!(s.scanned(), 1, "{}", s.stderr);
    assert!(s.stderr.contains("scanned 1 staged files"), "{}", s.stderr);
}

#[test]
fn only_lines_the_change_touches_are_reported() {
    let r = Repo::new();
    r.write("old.py", format!("key = \"{KEY1}\"\nx = 1\n"));
    r.commit("an old secret, already committed");
    r.write("old.py", format!("key = \"{KEY1}\"\nx = 2\n"));
    r.git(&["add", "old.py"]);
    let s = r.staged(&[]);
    assert_eq!(s.code, 0, "{}", s.stderr);
    assert!(s.findings.is_empty());
    assert_eq!(s.scanned(), 1);
}

#[test]
fn partial_staging_scans_the_staged_blob_not_the_working_file() {
    let r = Repo::new();
    r.write("cfg.py", "debug = True\n");
    r.commit("init");
    // Staged: the secret on line 2. Working file: the secret removed again.
    r.write("cfg.py", format!("debug = True\nkey = \"{KEY1}\"\n"));
    r.git(&["add", "cfg.py"]);
    r.write("cfg.py", "debug = True\nkey = os.environ['KEY']\n");
    let s = r.staged(&[]);
    assert_eq!(s.places(), vec![("cfg.py".to_string(), 2)], "{}", s.stderr);

    // The other way round: a blob staged with --cacheinfo (as `git add -p` would), clean,
    // while the working file holds a secret.
    let r = Repo::new();
    r.write("cfg.py", "debug = True\n");
    r.commit("init");
    r.write("staged-version", "debug = False\n");
    let id = r.git(&["hash-object", "-w", "staged-version"]);
    std::fs::remove_file(r.path().join("staged-version")).unwrap();
    r.git(&[
        "update-index",
        "--cacheinfo",
        &format!("100644,{},cfg.py", id.trim()),
    ]);
    r.write("cfg.py", format!("debug = False\nkey = \"{KEY1}\"\n"));
    let s = r.staged(&[]);
    assert_eq!(s.code, 0, "{}", s.stderr);
    assert!(s.findings.is_empty());
    assert_eq!(s.scanned(), 1);
}

#[test]
fn renames_report_only_what_changed() {
    let r = Repo::new();
    r.write(
        "src/settings.py",
        format!("x = 1\nkey = \"{KEY1}\"\ny = 2\n"),
    );
    r.commit("init");
    std::fs::create_dir(r.path().join("conf")).unwrap();
    r.git(&["mv", "src/settings.py", "conf/settings.py"]);
    let s = r.staged(&[]);
    assert_eq!(s.code, 0, "pure rename: {:?} {}", s.places(), s.stderr);

    // Renamed and edited: only the new line.
    r.write(
        "conf/settings.py",
        format!("x = 1\nkey = \"{KEY1}\"\ny = 2\nother = \"{KEY2}\"\n"),
    );
    r.git(&["add", "conf/settings.py"]);
    let s = r.staged(&[]);
    assert_eq!(s.places(), vec![("conf/settings.py".to_string(), 4)]);
}

#[test]
fn deleted_files_have_nothing_to_scan() {
    let r = Repo::new();
    r.write("secret.py", format!("key = \"{KEY1}\"\n"));
    r.write("keep.py", "x = 1\n");
    r.commit("init");
    r.git(&["rm", "-q", "secret.py"]);
    let s = r.staged(&[]);
    assert_eq!(s.code, 0, "{}", s.stderr);
    assert_eq!(s.scanned(), 0);
}

#[test]
fn empty_repository_without_head() {
    let r = Repo::new();
    let s = r.staged(&[]);
    assert_eq!(s.code, 0, "{}", s.stderr);
    assert_eq!(s.scanned(), 0);
    r.write("a/b/first.py", format!("key = \"{KEY1}\"\n"));
    r.write("z.txt", "hello\n");
    r.git(&["add", "-A"]);
    let s = r.staged(&[]);
    assert_eq!(s.code, 1);
    assert_eq!(s.places(), vec![("a/b/first.py".to_string(), 1)]);
    assert_eq!(s.scanned(), 2);
}

#[test]
fn binary_files_and_submodules_are_skipped_and_said() {
    let r = Repo::new();
    r.write("readme", "hi\n");
    r.commit("init");
    let head = r.git(&["rev-parse", "HEAD"]);
    let mut bin = b"\x00\x01binary ".to_vec();
    bin.extend_from_slice(KEY1.as_bytes());
    r.write("blob.bin", bin);
    r.git(&["add", "blob.bin"]);
    r.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("160000,{},vendor/sub", head.trim()),
    ]);
    let s = r.staged(&[]);
    assert_eq!(s.code, 0, "{}", s.stderr);
    assert!(s.stderr.contains("1 binary"), "{}", s.stderr);
    assert!(s.stderr.contains("vendor/sub"), "{}", s.stderr);
    assert!(s.stderr.contains("submodule"), "{}", s.stderr);
}

#[test]
fn many_files_and_nested_directories() {
    let r = Repo::new();
    for i in 0..40 {
        r.write(
            &format!("d{}/e{}/f{i}.txt", i % 4, i % 7),
            format!("v = {i}\n"),
        );
    }
    r.commit("init");
    r.write("d1/e1/f1.txt", format!("v = 1\nk = \"{KEY1}\"\n"));
    r.write("d1/e1/new.txt", format!("k = \"{KEY2}\"\n"));
    r.write("d3.txt", "a file sorting next to a directory\n");
    r.write("d0/e0/f0.txt", "changed\n");
    r.git(&["rm", "-q", "d2/e2/f2.txt"]);
    r.git(&["add", "-A"]);
    let s = r.staged(&[]);
    let mut places = s.places();
    places.sort();
    assert_eq!(
        places,
        vec![
            ("d1/e1/f1.txt".to_string(), 2),
            ("d1/e1/new.txt".to_string(), 1)
        ],
        "{}",
        s.stderr
    );
    assert_eq!(s.scanned(), 4, "{}", s.stderr);
}

#[test]
fn repo_argument_and_subdirectory() {
    let r = Repo::new();
    r.write("sub/dir/a.py", "x = 1\n");
    r.commit("init");
    r.write("sub/dir/a.py", format!("x = 1\nk = \"{KEY1}\"\n"));
    r.git(&["add", "-A"]);
    let out = Command::new(env!("CARGO_BIN_EXE_keysweep"))
        .current_dir(std::env::temp_dir())
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_DIR")
        .args(["scan", "--staged", "--format", "json"])
        .arg(PathBuf::from(r.path()).join("sub/dir"))
        .output()
        .unwrap();
    let s = Scan::from(out);
    assert_eq!(s.places(), vec![("sub/dir/a.py".to_string(), 2)]);
}

#[test]
fn not_a_repository_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_keysweep"))
        .env("GIT_CEILING_DIRECTORIES", dir.path().parent().unwrap())
        .args(["scan", "--staged"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn index_without_a_valid_cache_tree_is_compared_in_full() {
    // `git rm --cached -r . && git add -A` leaves every cache-tree node invalid, so every
    // tree is read (in parallel with several threads): same answer either way.
    let r = Repo::new();
    for i in 0..1200 {
        r.write(
            &format!("big/{}/d{:02}/f{i:04}.txt", ["a", "b"][i % 2], (i / 2) % 40),
            format!("v = {i}\n"),
        );
    }
    r.write("top.txt", "top\n");
    r.commit("init");
    r.write("big/b/d03/f0007.txt", format!("v = 7\nk = \"{KEY1}\"\n"));
    r.write("big/a/d39/new.txt", format!("k = \"{KEY2}\"\n"));
    r.git(&["rm", "-r", "-q", "--cached", "."]);
    r.git(&["add", "-A"]);
    for threads in ["1", "2", "4"] {
        let s = r.staged(&["--threads", threads]);
        let mut places = s.places();
        places.sort();
        assert_eq!(
            places,
            vec![
                ("big/a/d39/new.txt".to_string(), 1),
                ("big/b/d03/f0007.txt".to_string(), 2)
            ],
            "threads {threads}: {}",
            s.stderr
        );
        assert_eq!(s.scanned(), 2, "{}", s.stderr);
    }
}

#[test]
fn every_index_format_git_writes_gives_the_same_answer() {
    // Versions 2 and 3 are read in place; version 4 (prefix-compressed paths) and a split
    // index (entries in a shared file) are decoded by gix. The answer must not depend on it.
    let r = Repo::new();
    for i in 0..60 {
        r.write(&format!("pkg/m{}/f{i:02}.py", i % 6), format!("v = {i}\n"));
    }
    r.commit("init");
    r.write("pkg/m3/f09.py", format!("v = 9\nk = \"{KEY1}\"\n"));
    r.write("pkg/m5/new.py", format!("k = \"{KEY2}\"\n"));
    r.git(&["add", "-A"]);
    let expected = vec![
        ("pkg/m3/f09.py".to_string(), 2),
        ("pkg/m5/new.py".to_string(), 1),
    ];
    for (step, args) in [
        ("version 2", &["update-index", "--index-version", "2"][..]),
        ("version 3", &["update-index", "--index-version", "3"][..]),
        ("version 4", &["update-index", "--index-version", "4"][..]),
        (
            "version 2 again",
            &["update-index", "--index-version", "2"][..],
        ),
        ("split index", &["update-index", "--split-index"][..]),
    ] {
        r.git(args);
        let s = r.staged(&[]);
        let mut places = s.places();
        places.sort();
        assert_eq!(places, expected, "{step}: {}", s.stderr);
        assert_eq!(s.scanned(), 2, "{step}: {}", s.stderr);
    }
}
