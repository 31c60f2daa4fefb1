//! Pre-commit integration: `keysweep install-hook` with plain `git commit`, and the real
//! `pre-commit` tool (from $KEYSWEEP_TEST_VENV, set by scripts/test) with a local hook.

mod common;

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
    let (made, log) = r.try_commit("app.py", "leak");
    assert!(!made, "commit with a secret went through: {log}");
    assert!(log.contains("aws-access-key-id"), "{log}");

    r.write("app.py", format!("key = \"{KEY1}\"  # keysweep:allow\n"));
    let (made, log) = r.try_commit("app.py", "allowed");
    assert!(made, "{log}");
    assert!(log.contains("scanned 1 staged files"), "{log}");

    // `git commit -a` commits from a temporary index (GIT_INDEX_FILE): still scanned.
    r.write(
        "app.py",
        format!("key = \"{KEY1}\"  # keysweep:allow\nk2 = \"{KEY2}\"\n"),
    );
    let out = r.try_git(&["commit", "-q", "-a", "-m", "leak via -a"]);
    assert!(out.is_err(), "commit -a with a secret went through");

    // With an explicit --git-dir, git hands the hook GIT_DIR.
    r.must(&["add", "app.py"]);
    let git_dir = r.path().join(".git");
    let out = r.try_git(&[
        "--git-dir",
        git_dir.to_str().unwrap(),
        "--work-tree",
        r.path().to_str().unwrap(),
        "commit",
        "-q",
        "-m",
        "leak via --git-dir",
    ]);
    assert!(
        out.is_err(),
        "commit with --git-dir and a secret went through"
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
    let (made, log) = r.try_commit("app.py", "leak");
    assert!(!made, "{log}");

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

fn venv() -> Option<PathBuf> {
    match std::env::var_os("KEYSWEEP_TEST_VENV") {
        Some(v) => Some(PathBuf::from(v)),
        None => {
            println!("NOTICE: KEYSWEEP_TEST_VENV is unset; skipping the pre-commit tool test (run scripts/test)");
            None
        }
    }
}

#[test]
fn pre_commit_tool_blocks_then_allows() {
    let Some(venv) = venv() else { return };
    let pre_commit = venv.join("bin/pre-commit");
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
    let (made, log) = r.try_commit("deploy.sh", "leak");
    assert!(!made, "pre-commit let a secret through: {log}");
    assert!(log.contains("keysweep"), "{log}");
    assert!(log.contains("Failed"), "{log}");

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
    let text = std::fs::read_to_string(&manifest).unwrap();
    assert!(text.contains("id: keysweep"));
    assert!(text.contains("entry: keysweep scan --staged"));
    assert!(text.contains("pass_filenames: false"));
    let Some(venv) = venv() else { return };
    let out = Command::new(venv.join("bin/pre-commit"))
        .arg("validate-manifest")
        .arg(&manifest)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text_of(&out));
}

fn text_of(out: &Output) -> String {
    text(out)
}
