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
    let manifest = checkout().join(".pre-commit-hooks.yaml");
    let out = Command::new(venv().join("bin/pre-commit"))
        .arg("validate-manifest")
        .arg(&manifest)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    // Both ids, one entry point that takes the file names, and the version `stages:
    // [pre-commit]` needs. The YAML is read by pre-commit's own loader (validate-manifest
    // above); these lines pin what the tests below rely on.
    let yaml = std::fs::read_to_string(&manifest).unwrap();
    for id in ["keysweep", "keysweep-system"] {
        let hook = manifest_hook(&yaml, id);
        assert!(hook.contains("entry: keysweep hook pre-commit\n"), "{hook}");
        assert!(
            hook.contains("minimum_pre_commit_version: \"3.2.0\""),
            "{hook}"
        );
        assert!(hook.contains("stages: [pre-commit"), "{hook}");
        assert!(!hook.contains("pass_filenames: false"), "{hook}");
    }
    assert!(manifest_hook(&yaml, "keysweep").contains("language: rust\n"));
    assert!(manifest_hook(&yaml, "keysweep-system").contains("language: system\n"));
}

/// The lines of the manifest entry `- id: ID`, up to the next entry.
fn manifest_hook<'a>(yaml: &'a str, id: &str) -> &'a str {
    let start = yaml
        .find(&format!("- id: {id}\n"))
        .unwrap_or_else(|| panic!("no hook {id} in the manifest"));
    let rest = &yaml[start + 2..];
    &rest[..rest.find("\n- id: ").map_or(rest.len(), |i| i + 1)]
}

/// This checkout: the repository `pre-commit try-repo` installs the hooks from.
fn checkout() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

impl PreCommitRepo for Repo {
    fn pre_commit(&self, args: &[&str]) -> Output {
        let tool = venv().join("bin/pre-commit");
        assert!(tool.is_file(), "{} missing", tool.display());
        self.cmd(tool).args(args).output().unwrap()
    }

    fn try_repo(&self, args: &[&str]) -> (i32, String) {
        let checkout = checkout();
        let mut all = vec!["try-repo", checkout.to_str().unwrap(), "keysweep-system"];
        all.extend_from_slice(args);
        let out = self.pre_commit(&all);
        (out.status.code().unwrap_or(-1), text(&out))
    }
}

trait PreCommitRepo {
    /// Runs the venv's `pre-commit ARGS` in the repository.
    fn pre_commit(&self, args: &[&str]) -> Output;
    /// `pre-commit try-repo <this checkout> keysweep-system ARGS`: (exit code, output).
    fn try_repo(&self, args: &[&str]) -> (i32, String);
}

/// A repository with one committed secret (`old.py`, KEY1) and clean `a.txt`, `b.txt`.
fn repo_with_committed_secret() -> Repo {
    let r = hook_repo();
    r.write("old.py", format!("key = \"{KEY1}\"\n"));
    r.write("a.txt", "nothing here\n");
    r.write("b.txt", "nothing here either\n");
    r.commit("init");
    r
}

fn assert_reports(log: &str, at: &str) {
    assert!(
        log.contains("(aws-access-key-id)") && log.contains(&format!("{at}:")),
        "not reported at {at}: {log}"
    );
}

fn assert_no_secret_in(log: &str) {
    assert!(
        !log.contains(KEY1) && !log.contains(KEY2),
        "a secret was printed in clear: {log}"
    );
}

#[test]
fn try_repo_all_files_scans_committed_files_whole() {
    let r = repo_with_committed_secret();
    let (code, log) = r.try_repo(&["--all-files"]);
    assert_eq!(code, 1, "{log}");
    assert!(log.contains("Failed"), "{log}");
    assert_reports(&log, "old.py:1");
    // Whole files: all three were read, not a staged diff.
    assert!(log.contains("scanned 3 files"), "{log}");
    assert_no_secret_in(&log);

    // Once the secret is allowed inline, the same run passes.
    r.write("old.py", format!("key = \"{KEY1}\"  # keysweep:allow\n"));
    r.commit("allow");
    let (code, log) = r.try_repo(&["--all-files"]);
    assert_eq!(code, 0, "{log}");
    assert!(log.contains("Passed"), "{log}");
}

#[test]
fn try_repo_files_scans_only_the_named_files() {
    let r = repo_with_committed_secret();
    r.write("a.txt", format!("token = \"{KEY2}\"\n"));
    r.commit("second secret");
    let (code, log) = r.try_repo(&["--files", "a.txt"]);
    assert_eq!(code, 1, "{log}");
    assert_reports(&log, "a.txt:1");
    assert!(
        !log.contains("old.py"),
        "a file not named was scanned: {log}"
    );
    assert!(log.contains("scanned 1 files"), "{log}");
    assert_no_secret_in(&log);

    let (code, log) = r.try_repo(&["--files", "b.txt"]);
    assert_eq!(code, 0, "{log}");
    assert!(log.contains("Passed"), "{log}");
}

/// A hooks repository for `repo:` in a `.pre-commit-config.yaml`: this checkout's
/// `.pre-commit-hooks.yaml` as it is in the working copy, committed alone. (try-repo cannot
/// serve a commit: run from git's commit hook it would run git in the checkout with the
/// commit's GIT_INDEX_FILE.) Returns the repository and its commit.
fn hooks_repo() -> (Repo, String) {
    let hooks = Repo::new();
    let manifest = std::fs::read_to_string(checkout().join(".pre-commit-hooks.yaml")).unwrap();
    hooks.write(".pre-commit-hooks.yaml", manifest);
    hooks.commit("hooks");
    let rev = hooks.git(&["rev-parse", "HEAD"]).trim().to_string();
    (hooks, rev)
}

#[test]
fn commit_through_pre_commit_checks_staged_lines_of_the_files_passed() {
    let r = repo_with_committed_secret();
    let (hooks, rev) = hooks_repo();
    r.write(
        ".pre-commit-config.yaml",
        format!(
            "repos:\n- repo: {}\n  rev: {rev}\n  hooks:\n  - id: keysweep-system\n    \
             exclude: ^fixtures/\n",
            hooks.path().display()
        ),
    );
    r.commit("pre-commit config");
    let out = r.pre_commit(&["install"]);
    assert!(out.status.success(), "{}", text(&out));

    // A staged secret stops the commit.
    r.write("new.py", format!("token = \"{KEY2}\"\n"));
    r.must(&["add", "new.py"]);
    let log = r.assert_blocked(
        Commit {
            global: &[],
            args: &["-m", "leak"],
        },
        Finding {
            rule: "aws-access-key-id",
            at: "new.py:1",
            secret: KEY2,
        },
    );
    assert!(log.contains("Failed"), "{log}");
    // Only what the commit adds: the secret committed earlier in old.py is not reported.
    assert!(!log.contains("old.py"), "{log}");
    assert!(
        log.contains("checked the staged changes of 1 file"),
        "{log}"
    );
    r.must(&["reset", "-q", "new.py"]);
    std::fs::remove_file(r.path().join("new.py")).unwrap();

    // A clean change to a file that already holds a secret goes through.
    r.write("old.py", format!("key = \"{KEY1}\"\nx = 1\n"));
    let (made, log) = r.try_commit("old.py", "clean change");
    assert!(made, "{log}");
    assert!(log.contains("Passed"), "{log}");

    // A file the user's `exclude` leaves out is not scanned, although it is staged.
    r.write("fixtures/key.txt", format!("{KEY2}\n"));
    let (made, log) = r.try_commit("fixtures/key.txt", "excluded fixture");
    assert!(made, "an excluded file was scanned: {log}");
    assert!(!log.contains("fixtures/key.txt:"), "{log}");

    // Staged with a file that is passed, it is still not reported.
    r.write("fixtures/key2.txt", format!("{KEY2}\n"));
    r.write("app.py", format!("token = \"{KEY2}\"\n"));
    r.must(&["add", "fixtures/key2.txt"]);
    let (made, log) = r.try_commit("app.py", "leak beside a fixture");
    assert!(!made, "{log}");
    assert_reports(&log, "app.py:1");
    assert!(
        !log.contains("fixtures/"),
        "an excluded file was reported: {log}"
    );
    assert_no_secret_in(&log);

    // `pre-commit run --all-files` with the same config: whole files, minus the excluded.
    r.must(&["reset", "-q"]);
    std::fs::remove_file(r.path().join("app.py")).unwrap();
    std::fs::remove_file(r.path().join("fixtures/key2.txt")).unwrap();
    let out = r.pre_commit(&["run", "--all-files"]);
    let log = text(&out);
    assert_eq!(out.status.code(), Some(1), "{log}");
    assert_reports(&log, "old.py:1");
    assert!(
        !log.contains("fixtures/"),
        "an excluded file was scanned: {log}"
    );
    assert_no_secret_in(&log);
}
