//! The README's code blocks work as written. Each fenced block's info string says what it is,
//! and every kind is exercised here:
//! - `sh`: every `keysweep` line (or pipeline into keysweep) runs, in order, in a repository
//!   made for them (exit 0 or 1, never a usage or fatal error); other lines are the few listed
//!   in [`NOT_RUN_HERE`];
//! - `toml rule-file` passes `keysweep rules check`; `toml config` loads, and its custom rule
//!   passes `rules check` and finds its own example;
//! - `yaml pre-commit-config` passes `pre-commit validate-config`, and the local hook runs;
//!   `yaml github-workflow` is examples/github-workflow.yml (which tests/action.rs validates)
//!   and `yaml gitlab-ci` validates against GitLab's CI schema (check-jsonschema);
//! - `python` is the inline-allow example: scanned, it reports nothing;
//! - `text` blocks show output, and the untagged one is a diagram.
//!
//! A block of any other kind fails the test, so a new command cannot go in untested.

mod common;

use common::prerequisite;
use common::repo::{isolated, Repo};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `sh` lines that are not run here, and where they are exercised instead.
const NOT_RUN_HERE: &[(&str, &str)] = &[
    (
        "cargo run --release -- scan .",
        "the README's first command: its time from a fresh clone is measured, not tested",
    ),
    (
        "scripts/test",
        "the test command itself: CI (.ci/run) runs it, and with it this test",
    ),
    (
        "cargo install --locked --path .",
        "a release build of the checkout: what `cargo run --release` builds",
    ),
    (
        "cargo install --locked --path . --no-default-features",
        "the GitHub Action's install step (scripts/action-install) runs this build",
    ),
];

/// An AWS access key id in the real format, generated for this test (the built-in pack's own
/// examples are printed by `rules list --format json`, so they cannot stand in for a leak).
const FIXTURE_KEY: &str = "AKIADN4NCU6H6MMU7557";

struct Block {
    info: String,
    body: String,
    /// 1-based line of the opening fence.
    line: usize,
}

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap()
}

/// The README's fenced code blocks, in order.
fn blocks() -> Vec<Block> {
    let text = readme();
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    for (i, line) in text.lines().enumerate() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(info)) => {
                open = Some(Block {
                    info: info.trim().to_string(),
                    body: String::new(),
                    line: i + 1,
                })
            }
            (Some(_), Some("")) => out.push(open.take().unwrap()),
            (Some(b), _) => {
                b.body.push_str(line);
                b.body.push('\n');
            }
            (None, None) => {}
        }
    }
    assert!(open.is_none(), "an unclosed code block in README.md");
    out
}

fn of_kind(kind: &str) -> Vec<Block> {
    let found: Vec<Block> = blocks().into_iter().filter(|b| b.info == kind).collect();
    assert!(!found.is_empty(), "README.md has no ```{kind} block");
    found
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn venv_tool(name: &str) -> PathBuf {
    let venv = PathBuf::from(prerequisite(
        "KEYSWEEP_TEST_VENV",
        "the Python venv with pre-commit and check-jsonschema",
    ));
    let tool = venv.join("bin").join(name);
    assert!(tool.is_file(), "{} missing", tool.display());
    tool
}

#[test]
fn every_block_is_of_a_kind_this_test_exercises() {
    let known = [
        "sh",
        "text",
        "python",
        "toml rule-file",
        "toml config",
        "yaml pre-commit-config",
        "yaml github-workflow",
        "yaml gitlab-ci",
        "",
    ];
    for b in blocks() {
        assert!(
            known.contains(&b.info.as_str()),
            "README.md:{}: a ```{} block that no test exercises",
            b.line,
            b.info
        );
        if b.info.is_empty() {
            assert!(
                b.body.contains("──►"),
                "README.md:{}: untagged code",
                b.line
            );
        }
    }
}

/// The `sh` lines without their comments, with the README line they are on.
fn sh_lines() -> Vec<(usize, String)> {
    let mut lines = Vec::new();
    for b in of_kind("sh") {
        for (i, line) in b.body.lines().enumerate() {
            let command = match line.find(" #") {
                Some(at) => &line[..at],
                None => line,
            }
            .trim();
            if !command.is_empty() && !command.starts_with('#') {
                lines.push((b.line + 1 + i, command.to_string()));
            }
        }
    }
    lines
}

fn git(dir: &Path, args: &[&str]) {
    let out = isolated("git", dir)
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", text(&out));
}

/// A directory for the README's commands: `repo`, a clone (so `origin/main` exists) of a
/// `main` tagged `v1.4.0`, with a later commit adding a secret and `my-rules.toml` (the
/// README's rule file); `other-repo` beside it. Returns the directory and the clone's path.
fn command_fixture() -> (tempfile::TempDir, PathBuf) {
    let upstream = Repo::new();
    upstream.write("README", "hello\n");
    upstream.commit("first");
    upstream.git(&["tag", "v1.4.0"]);
    let parent = tempfile::tempdir().unwrap();
    let repo = parent.path().join("repo");
    git(
        parent.path(),
        &["clone", "-q", upstream.path().to_str().unwrap(), "repo"],
    );
    common::write(
        &repo,
        "app/settings.py",
        format!("AWS = \"{FIXTURE_KEY}\"\n"),
    );
    common::write(&repo, "my-rules.toml", &of_kind("toml rule-file")[0].body);
    // What a gitleaks or detect-secrets user already has, for the migration commands.
    let gitleaks =
        "title = \"fixture\"\n[extend]\nuseDefault = true\n[allowlist]\npaths = ['vendor/']\n";
    common::write(&repo, ".gitleaks.toml", gitleaks);
    common::write(&repo, "ci/gitleaks.toml", gitleaks);
    common::write(
        &repo,
        ".secrets.baseline",
        "{\"version\": \"1.5.0\", \"plugins_used\": [], \"filters_used\": [], \"results\": {}}\n",
    );
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "settings"]);
    git(parent.path(), &["init", "-q", "other-repo"]);
    (parent, repo)
}

fn path_with_keysweep() -> std::ffi::OsString {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_keysweep")).parent().unwrap();
    std::env::join_paths(
        std::iter::once(bin_dir.to_path_buf())
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap()
}

#[test]
fn sh_blocks_run_as_written() {
    let (_parent, repo) = command_fixture();
    let path = path_with_keysweep();
    let (mut ran, mut found) = (0, 0);
    for (line, command) in sh_lines() {
        if !command.starts_with("keysweep ") && !command.contains(" | keysweep ") {
            assert!(
                NOT_RUN_HERE.iter().any(|(c, _)| *c == command),
                "README.md:{line}: `{command}` is neither a keysweep command nor listed in \
                 NOT_RUN_HERE with where it is exercised"
            );
            continue;
        }
        let out = isolated("sh", &repo)
            .args(["-c", &command])
            .env("PATH", &path)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let code = out.status.code();
        assert!(
            code == Some(0) || code == Some(1),
            "README.md:{line}: `{command}` exited {code:?}: {}",
            text(&out)
        );
        assert!(
            !text(&out).contains(FIXTURE_KEY),
            "README.md:{line}: `{command}` printed a secret"
        );
        ran += 1;
        found += usize::from(code == Some(1));
    }
    assert!(
        ran >= 15,
        "only {ran} keysweep commands found in the README"
    );
    // The fixture's secret is there to be found: scans that report it prove they ran.
    assert!(
        found >= 5,
        "only {found} commands reported the fixture's secret"
    );
    // Every NOT_RUN_HERE entry is still in the README (no stale exemptions).
    let lines: Vec<String> = sh_lines().into_iter().map(|(_, c)| c).collect();
    for (c, _) in NOT_RUN_HERE {
        assert!(
            lines.iter().any(|l| l == c),
            "`{c}` is no longer in the README"
        );
    }
}

#[test]
fn rule_file_block_passes_rules_check() {
    let dir = tempfile::tempdir().unwrap();
    for (i, b) in of_kind("toml rule-file").iter().enumerate() {
        let file = dir.path().join(format!("rules-{i}.toml"));
        std::fs::write(&file, &b.body).unwrap();
        let out = common::run(dir.path(), &["rules", "check", file.to_str().unwrap()]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "README.md:{}: {}",
            b.line,
            text(&out)
        );
        assert!(text(&out).contains("0 failures"), "{}", text(&out));
    }
}

#[test]
fn config_block_loads_and_its_rule_works() {
    let b = &of_kind("toml config")[0];
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".keysweep.toml"), &b.body).unwrap();
    let out = common::run(dir.path(), &["rules", "check", ".keysweep.toml"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "README.md:{}: {}",
        b.line,
        text(&out)
    );
    // The custom rule finds its first example's secret in a scanned file.
    let example = b
        .body
        .lines()
        .find_map(|l| l.trim().strip_prefix("{ text = '"))
        .and_then(|l| l.split("', secret").next())
        .expect("a table-form example in the config block");
    common::write(dir.path(), "src/client.py", format!("{example}\n"));
    let (findings, out) = common::scan_json(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let rules: Vec<&str> = findings
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"acme-api-token"), "{rules:?}");
}

#[test]
fn python_block_is_allowed_inline() {
    let b = &of_kind("python")[0];
    let dir = tempfile::tempdir().unwrap();
    common::write(dir.path(), "test_keys.py", &b.body);
    let (findings, out) = common::scan_json(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(findings.is_empty());
    // Without the mark, the same line is found.
    let bare = b.body.replace("keysweep:allow", "");
    common::write(dir.path(), "test_keys.py", bare);
    let (findings, _) = common::scan_json(dir.path(), &[]);
    assert_eq!(findings.len(), 1);
}

#[test]
fn pre_commit_config_blocks_validate_and_the_local_hook_runs() {
    let pre_commit = venv_tool("pre-commit");
    let blocks = of_kind("yaml pre-commit-config");
    let dir = tempfile::tempdir().unwrap();
    for b in &blocks {
        let file = dir.path().join("config.yaml");
        std::fs::write(&file, &b.body).unwrap();
        let out = Command::new(&pre_commit)
            .arg("validate-config")
            .arg(&file)
            .output()
            .unwrap();
        assert!(out.status.success(), "README.md:{}: {}", b.line, text(&out));
    }
    // The local hook, as written, in a repository with a committed secret.
    let local = blocks
        .iter()
        .find(|b| b.body.contains("repo: local"))
        .expect("a local-hook block");
    let home = tempfile::tempdir().unwrap();
    let r = Repo::new();
    r.write(".pre-commit-config.yaml", &local.body);
    r.write("deploy.sh", format!("export KEY={}\n", common::AWS_KEY_ID));
    r.commit("init");
    let path = path_with_keysweep();
    let out = r
        .cmd(&pre_commit)
        .args(["run", "--all-files"])
        .env("PATH", path)
        .env("HOME", home.path())
        .env("PRE_COMMIT_HOME", home.path().join("pre-commit"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("deploy.sh:1"), "{}", text(&out));
    assert!(!text(&out).contains(common::AWS_KEY_ID));
}

#[test]
fn workflow_block_is_the_example_workflow() {
    let b = &of_kind("yaml github-workflow")[0];
    let example = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/github-workflow.yml"),
    )
    .unwrap();
    assert_eq!(b.body, example, "README.md:{}", b.line);
}

#[test]
fn gitlab_block_validates_against_gitlab_ci_schema() {
    let b = &of_kind("yaml gitlab-ci")[0];
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(".gitlab-ci.yml");
    std::fs::write(&file, &b.body).unwrap();
    let out = Command::new(venv_tool("check-jsonschema"))
        .args(["--builtin-schema", "vendor.gitlab-ci"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "README.md:{}: {}", b.line, text(&out));
}
