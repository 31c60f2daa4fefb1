//! `keysweep baseline create|prune` and `scan --baseline`, through the real binary.

mod common;

use common::repo::Repo;
use std::process::Output;

const KEY1: &str = "AKIAQYLPMN5HHHFPZAM2";
const KEY2: &str = "AKIAZ7XKQ4RWT3MNBV6C";
const KEY3: &str = "AKIAR5TW2LQPX7JMZK3D";

trait KeysweepRepo {
    fn keysweep(&self, args: &[&str]) -> Output;
    fn scan(&self, args: &[&str]) -> (i32, Vec<(String, u64)>);
}

impl KeysweepRepo for Repo {
    fn keysweep(&self, args: &[&str]) -> Output {
        self.cmd(env!("CARGO_BIN_EXE_keysweep"))
            .args(args)
            .output()
            .unwrap()
    }

    /// Exit code and (path, line) of the findings of `scan ARGS --format json`.
    fn scan(&self, args: &[&str]) -> (i32, Vec<(String, u64)>) {
        let mut all = vec!["scan", "--format", "json"];
        all.extend_from_slice(args);
        let out = self.keysweep(&all);
        let code = out.status.code().unwrap();
        assert!(
            code == 0 || code == 1,
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
        let places = v
            .iter()
            .map(|f| {
                (
                    f["path"].as_str().unwrap().to_string(),
                    f["line"].as_u64().unwrap(),
                )
            })
            .collect();
        (code, places)
    }
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap()
}

#[test]
fn create_writes_a_small_sorted_file_without_secrets_or_lines() {
    let r = Repo::new();
    r.write("z.py", format!("a = \"{KEY1}\"\n"));
    r.write("a/b.py", format!("x = 1\nb = \"{KEY2}\"\nc = \"{KEY3}\"\n"));
    let out = r.keysweep(&["baseline", "create", "-o", "base.json", "."]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let text = r.read("base.json");
    for k in [KEY1, KEY2, KEY3] {
        assert!(!text.contains(k), "secret in baseline: {text}");
        assert!(!text.contains(&k[..12]));
    }
    assert!(!text.contains("\"line\""), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 8, "{text}");
    assert!(lines[3].contains("\"path\": \"a/b.py\""), "{text}");
    assert!(lines[5].contains("\"path\": \"z.py\""), "{text}");
    for l in &lines[3..6] {
        assert!(l.contains("\"fingerprint\"") && l.contains("\"rule\": \"aws-access-key-id\""));
    }
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["findings"].as_array().unwrap().len(), 3);

    // Same findings, same bytes: no churn.
    let out = r.keysweep(&["baseline", "create", "-o", "base2.json", "."]);
    assert_eq!(code(&out), 0);
    assert_eq!(text, r.read("base2.json"));
}

#[test]
fn scan_with_baseline_reports_only_new_findings() {
    let r = Repo::new();
    r.write("app.py", format!("a = \"{KEY1}\"\n"));
    assert_eq!(
        code(&r.keysweep(&[
            "baseline",
            "create",
            "-o",
            ".keysweep-baseline.json",
            "app.py"
        ])),
        0
    );
    assert_eq!(
        r.scan(&["--baseline", ".keysweep-baseline.json", "app.py"]),
        (0, vec![])
    );
    r.write("app.py", format!("a = \"{KEY1}\"\nb = \"{KEY2}\"\n"));
    assert_eq!(
        r.scan(&["--baseline", ".keysweep-baseline.json", "app.py"]),
        (1, vec![("app.py".to_string(), 2)])
    );
    // A missing or broken baseline is an error, not a silent pass.
    assert_eq!(
        code(&r.keysweep(&["scan", "--baseline", "nope.json", "."])),
        2
    );
    r.write("bad.json", "{\"version\": 1, \"findings\": [");
    let out = r.keysweep(&["scan", "--baseline", "bad.json", "."]);
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.json"));
}

#[test]
fn baseline_survives_a_rebase_that_moves_the_secret() {
    let r = Repo::new();
    let tail = "\ndef a():\n    pass\n\ndef b():\n    pass\n";
    r.write(
        "svc/config.py",
        format!("import os\nkey = \"{KEY1}\"\n{tail}"),
    );
    r.commit("init");
    let out_dir = tempfile::tempdir().unwrap();
    let base = out_dir.path().join("base.json");
    let base = base.to_str().unwrap();
    assert_eq!(
        code(&r.keysweep(&["baseline", "create", "-o", base, "."])),
        0
    );
    let git_base = out_dir.path().join("git-base.json");
    let git_base = git_base.to_str().unwrap();
    let out = r.keysweep(&["baseline", "create", "--git", "-o", git_base]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::read_to_string(git_base)
        .unwrap()
        .contains("svc/config.py"));
    r.git(&["checkout", "-q", "-b", "feature"]);
    r.write(
        "svc/config.py",
        format!("import os\nkey = \"{KEY1}\"\n{tail}extra = 1\n"),
    );
    r.commit("feature");
    r.git(&["checkout", "-q", "main"]);
    r.write(
        "svc/config.py",
        format!("\"\"\"Config.\"\"\"\nimport os\nimport sys\n\nkey = \"{KEY1}\"\n{tail}"),
    );
    r.commit("main moves the line");
    r.git(&["checkout", "-q", "feature"]);
    r.git(&["rebase", "-q", "main"]);
    let text = r.read("svc/config.py");
    assert_eq!(
        text.lines().position(|l| l.contains(KEY1)),
        Some(4),
        "{text}"
    );
    assert!(text.contains("extra = 1"));
    assert_eq!(
        r.scan(&["."]),
        (1, vec![("./svc/config.py".to_string(), 5)]),
        "a path given as . is reported as ripgrep does"
    );
    assert_eq!(r.scan(&["--baseline", base, "."]), (0, vec![]));
    // History scans: the rebased commits hold the secret in new blobs, same fingerprint.
    assert_eq!(r.scan(&["--git"]).0, 1);
    assert_eq!(r.scan(&["--git", "--baseline", git_base]), (0, vec![]));
    assert_eq!(
        r.scan(&["--git", "--range", "main..feature", "--baseline", git_base]),
        (0, vec![])
    );
}

#[test]
fn staged_scans_honour_the_baseline() {
    let r = Repo::new();
    r.write("keep.txt", "x\n");
    r.commit("init");
    r.write("legacy.py", format!("a = \"{KEY1}\"\n"));
    r.git(&["add", "legacy.py"]);
    let out = r.keysweep(&["baseline", "create", "--staged", "-o", "b.json"]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    assert!(r.read("b.json").contains("legacy.py"));
    assert_eq!(r.scan(&["--staged", "--baseline", "b.json"]), (0, vec![]));
    r.write("new.py", format!("b = \"{KEY2}\"\n"));
    r.git(&["add", "new.py"]);
    assert_eq!(
        r.scan(&["--staged", "--baseline", "b.json"]),
        (1, vec![("new.py".to_string(), 1)])
    );
}

#[test]
fn prune_drops_entries_no_longer_found() {
    let r = Repo::new();
    r.write("a.py", format!("a = \"{KEY1}\"\n"));
    r.write("b.py", format!("b = \"{KEY2}\"\n"));
    assert_eq!(
        code(&r.keysweep(&["baseline", "create", "-o", "base.json", "a.py", "b.py"])),
        0
    );
    let before = r.read("base.json");
    assert!(before.contains("a.py") && before.contains("b.py"));
    r.write("b.py", "b = os.environ['B']\n");
    let out = r.keysweep(&["baseline", "prune", "--file", "base.json", "a.py", "b.py"]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let after = r.read("base.json");
    assert!(
        after.contains("\"a.py\"") && !after.contains("\"b.py\""),
        "{after}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("dropped 1"));
}
