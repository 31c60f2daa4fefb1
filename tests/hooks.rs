//! Pre-commit integration: `keysweep install-hook` with plain `git commit`, and the real
//! `pre-commit` tool (from $KEYSWEEP_TEST_VENV, set by scripts/test) with a local hook.

mod common;

use common::prerequisite;
use common::repo::Repo;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const KEY1: &str = "AKIAQYLPMN5HHHFPZAM2";
const KEY2: &str = "AKIAZ7XKQ4RWT3MNBV6C";

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_keysweep")
}

/// A repository whose commands also get a private HOME / PRE_COMMIT_HOME and keysweep on PATH.
fn hook_repo() -> Repo {
    let home = tempfile::tempdir().unwrap();
    let home_path = home.path().to_path_buf();
    Repo::with_setup(vec![home], move |c| {
        let bin_dir = Path::new(bin()).parent().unwrap();
        let path = std::env::join_paths(std::iter::once(bin_dir.to_path_buf()).chain(
            std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
        ))
        .unwrap();
        c.env("PATH", path)
            .env("HOME", &home_path)
            .env("PRE_COMMIT_HOME", home_path.join("pre-commit"))
            .env_remove("GIT_WORK_TREE");
    })
}

trait HookRepo {
    fn try_git(&self, args: &[&str]) -> Result<Output, Output>;
    fn must(&self, args: &[&str]);
    fn install_hook(&self, extra: &[&str]) -> Output;
    fn try_commit(&self, file: &str, msg: &str) -> (bool, String);
    fn head(&self) -> String;
    fn assert_blocked(&self, commit: Commit<'_>, found: Finding<'_>) -> String;
}

/// A `git [GLOBAL] commit -q [ARGS]` the hook must stop.
struct Commit<'a> {
    global: &'a [&'a str],
    args: &'a [&'a str],
}

/// What keysweep must report when it stops a commit.
#[derive(Clone, Copy)]
struct Finding<'a> {
    rule: &'a str,
    /// `path:line` as the text report prints it.
    at: &'a str,
    /// Must not appear in the output: the report masks secrets.
    secret: &'a str,
}

impl HookRepo for Repo {
    /// Runs git; Ok(output) on success, Err(output) on failure.
    fn try_git(&self, args: &[&str]) -> Result<Output, Output> {
        let out = self.git_output(args);
        if out.status.success() {
            Ok(out)
        } else {
            Err(out)
        }
    }

    fn must(&self, args: &[&str]) {
        if let Err(out) = self.try_git(args) {
            panic!("git {args:?}: {}", text(&out));
        }
    }

    fn install_hook(&self, extra: &[&str]) -> Output {
        self.cmd(bin())
            .arg("install-hook")
            .args(extra)
            .output()
            .unwrap()
    }

    /// `git add FILE; git commit` (hooks run): true when the commit was made.
    fn try_commit(&self, file: &str, msg: &str) -> (bool, String) {
        self.must(&["add", file]);
        match self.try_git(&["commit", "-q", "-m", msg]) {
            Ok(out) => (true, text(&out)),
            Err(out) => (false, text(&out)),
        }
    }

    /// The commit HEAD names, or "" before the first commit.
    fn head(&self) -> String {
        let out = self.git_output(&["rev-parse", "-q", "--verify", "HEAD"]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Runs `commit` and checks that the hook, not git, stopped it: git itself would make
    /// the commit (`--dry-run` runs no hook), the real one fails and leaves HEAD where it
    /// was, and keysweep's report names the rule and the place, with the secret masked.
    /// Returns the output.
    fn assert_blocked(&self, commit: Commit<'_>, found: Finding<'_>) -> String {
        let with = |mode: &'static str| [commit.global, &["commit", mode], commit.args].concat();
        let dry = self.try_git(&with("--dry-run"));
        assert!(
            dry.is_ok(),
            "git would not commit this at all: {:?}",
            dry.map_err(|o| text(&o))
        );
        let before = self.head();
        let log = match self.try_git(&with("-q")) {
            Ok(out) => panic!("commit with a secret went through: {}", text(&out)),
            Err(out) => text(&out),
        };
        assert_eq!(self.head(), before, "a commit was made: {log}");
        assert!(!log.contains("fatal:"), "git failed, not the hook: {log}");
        assert!(
            log.contains(&format!("({})", found.rule)),
            "keysweep did not report {}: {log}",
            found.rule
        );
        assert!(
            log.contains(&format!("{}:", found.at)),
            "not reported at {}: {log}",
            found.at
        );
        assert!(
            !log.contains(found.secret),
            "the secret was printed in clear: {log}"
        );
        log
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[cfg(unix)]
fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o111 != 0
}

#[test]
fn install_hook_blocks_a_commit_with_a_secret() {
    let r = hook_repo();
    r.write("README", "hello\n");
    r.must(&["add", "README"]);
    r.must(&["commit", "-q", "-m", "init"]);
    let out = r.install_hook(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let hook = r.path().join(".git/hooks/pre-commit");
    let script = std::fs::read_to_string(&hook).unwrap();
    assert!(script.contains("# installed by keysweep"));
    assert!(script.contains("keysweep scan --staged"));
    #[cfg(unix)]
    assert!(is_executable(&hook));

    r.write("app.py", format!("key = \"{KEY1}\"\n"));
    r.must(&["add", "app.py"]);
    r.assert_blocked(
        Commit {
            global: &[],
            args: &["-m", "leak"],
        },
        Finding {
            rule: "aws-access-key-id",
            at: "app.py:1",
            secret: KEY1,
        },
    );

    r.write("app.py", format!("key = \"{KEY1}\"  # keysweep:allow\n"));
    let (made, log) = r.try_commit("app.py", "allowed");
    assert!(made, "{log}");
    assert!(log.contains("scanned 1 staged files"), "{log}");

    // `git commit -a` commits from a temporary index (GIT_INDEX_FILE): still scanned.
    r.write(
        "app.py",
        format!("key = \"{KEY1}\"  # keysweep:allow\nk2 = \"{KEY2}\"\n"),
    );
    let second_key = Finding {
        rule: "aws-access-key-id",
        at: "app.py:2",
        secret: KEY2,
    };
    r.assert_blocked(
        Commit {
            global: &[],
            args: &["-a", "-m", "leak via -a"],
        },
        second_key,
    );

    // With an explicit --git-dir, git hands the hook GIT_DIR.
    r.must(&["add", "app.py"]);
    let git_dir = r.path().join(".git");
    r.assert_blocked(
        Commit {
            global: &[
                "--git-dir",
                git_dir.to_str().unwrap(),
                "--work-tree",
                r.path().to_str().unwrap(),
            ],
            args: &["-m", "leak via --git-dir"],
        },
        second_key,
    );

    // Installing again over our own hook is fine.
    assert_eq!(r.install_hook(&[]).status.code(), Some(0));
}

#[test]
fn install_hook_refuses_a_foreign_hook_without_force() {
    let r = hook_repo();
    let hook = r.path().join(".git/hooks/pre-commit");
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    let foreign = "#!/bin/sh\necho someone else's hook\nexit 0\n";
    std::fs::write(&hook, foreign).unwrap();
    let out = r.install_hook(&[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--force"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), foreign);

    let out = r.install_hook(&["--force"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(std::fs::read_to_string(&hook)
        .unwrap()
        .contains("# installed by keysweep"));
    let backup = r.path().join(".git/hooks/pre-commit.keysweep-backup");
    assert_eq!(std::fs::read_to_string(backup).unwrap(), foreign);
}

#[test]
fn install_hook_honours_core_hooks_path() {
    let r = hook_repo();
    r.must(&["config", "core.hooksPath", ".githooks"]);
    let out = r.install_hook(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(r.path().join(".githooks/pre-commit").is_file());
    assert!(!r.path().join(".git/hooks/pre-commit").exists());
    r.write("app.py", format!("key = \"{KEY1}\"\n"));
    r.must(&["add", "app.py"]);
    r.assert_blocked(
        Commit {
            global: &[],
            args: &["-m", "leak"],
        },
        Finding {
            rule: "aws-access-key-id",
            at: "app.py:1",
            secret: KEY1,
        },
    );

    // A REPO argument from elsewhere, absolute hooksPath.
    let r2 = hook_repo();
    let hooks = tempfile::tempdir().unwrap();
    r2.must(&["config", "core.hooksPath", hooks.path().to_str().unwrap()]);
    let out = Command::new(bin())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/nonexistent/keysweep-test-gitconfig")
        .arg("install-hook")
        .arg(r2.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(hooks.path().join("pre-commit").is_file());
}

/// The venv with the `pre-commit` tool that scripts/test makes. Without it these tests fail
/// rather than pass untested.
fn venv() -> PathBuf {
    PathBuf::from(prerequisite(
        "KEYSWEEP_TEST_VENV",
        "the Python venv with pre-commit",
    ))
}

#[test]
fn pre_commit_tool_blocks_then_allows() {
    let pre_commit = venv().join("bin/pre-commit");
    assert!(pre_commit.is_file(), "{} missing", pre_commit.display());
    let r = hook_repo();
    r.write(
        ".pre-commit-config.yaml",
        format!(
            "repos:\n- repo: local\n  hooks:\n  - id: keysweep\n    name: keysweep\n    \
             entry: {} scan --staged\n    language: system\n    pass_filenames: false\n",
            bin()
        ),
    );
    r.must(&["add", ".pre-commit-config.yaml"]);
    r.must(&["commit", "-q", "--no-verify", "-m", "pre-commit config"]);
    let out = r.cmd(&pre_commit).arg("install").output().unwrap();
    assert!(out.status.success(), "{}", text(&out));

    r.write("deploy.sh", format!("export AWS_ACCESS_KEY_ID={KEY1}\n"));
    r.must(&["add", "deploy.sh"]);
    let log = r.assert_blocked(
        Commit {
            global: &[],
            args: &["-m", "leak"],
        },
        Finding {
            rule: "aws-access-key-id",
            at: "deploy.sh:1",
            secret: KEY1,
        },
    );
    assert!(
        log.contains("Failed"),
        "pre-commit did not mark the hook failed: {log}"
    );

    r.write(
        "deploy.sh",
        format!("export AWS_ACCESS_KEY_ID={KEY1} # keysweep:allow\n"),
    );
    let (made, log) = r.try_commit("deploy.sh", "allowed");
    assert!(made, "{log}");
    assert!(log.contains("Passed"), "{log}");
}

#[test]
fn hooks_manifest_is_valid_for_pre_commit() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml");
    let yaml = std::fs::read_to_string(&manifest).unwrap();
    assert!(yaml.contains("id: keysweep"));
    assert!(yaml.contains("entry: keysweep scan --staged"));
    assert!(yaml.contains("pass_filenames: false"));
    let out = Command::new(venv().join("bin/pre-commit"))
        .arg("validate-manifest")
        .arg(&manifest)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
}
