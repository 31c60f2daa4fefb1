//! A throwaway git repository driven through the git CLI, isolated from the user's and the
//! system's git configuration, with a fixed author and committer.

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Output};

type Setup = Box<dyn Fn(&mut Command)>;

pub struct Repo {
    dir: tempfile::TempDir,
    /// Extra per-test-file environment applied to every command after the shared one.
    setup: Setup,
    /// Temporary directories that must live as long as the repository (e.g. a fake HOME).
    _keep: Vec<tempfile::TempDir>,
}

impl Repo {
    /// `git init` in a fresh temporary directory.
    pub fn new() -> Repo {
        Repo::with_setup(Vec::new(), |_| {})
    }

    /// Like `new`, with `setup` applied to every command (including `git init`) and `keep`
    /// kept alive until the repository is dropped.
    pub fn with_setup(
        keep: Vec<tempfile::TempDir>,
        setup: impl Fn(&mut Command) + 'static,
    ) -> Repo {
        let r = Repo {
            dir: tempfile::tempdir().unwrap(),
            setup: Box::new(setup),
            _keep: keep,
        };
        r.git(&["init", "-q", "."]);
        r
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `program` in the repository with a clean, fixed git environment.
    pub fn cmd(&self, program: impl AsRef<OsStr>) -> Command {
        let mut c = isolated(program, self.path());
        (self.setup)(&mut c);
        c
    }

    /// Runs git (`main` default branch, no signing) and returns its output, success or not.
    pub fn git_output(&self, args: &[&str]) -> Output {
        self.cmd("git")
            .args([
                "-c",
                "init.defaultBranch=main",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .output()
            .unwrap()
    }

    /// Runs git, asserting success; returns its stdout.
    pub fn git(&self, args: &[&str]) -> String {
        let out = self.git_output(args);
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    pub fn write(&self, rel: &str, text: impl AsRef<[u8]>) {
        let p = self.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path().join(rel)).unwrap()
    }

    /// `git add -A` and a commit that skips hooks.
    pub fn commit(&self, msg: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--no-verify", "-m", msg]);
    }
}

/// `program` in `dir` with a clean, fixed git environment: no system or user config, a fixed
/// identity, and none of the caller's index or git-dir overrides (a test run from a git hook).
pub fn isolated(program: impl AsRef<OsStr>, dir: &Path) -> Command {
    let mut c = Command::new(program);
    c.current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.org")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.org")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/nonexistent/keysweep-test-gitconfig")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_DIR");
    c
}
