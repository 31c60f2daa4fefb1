//! Hooks.
//!
//! `keysweep install-hook` writes the repository's pre-commit hook, a small shell script that
//! runs `keysweep scan --staged` (found on PATH). `core.hooksPath` is honoured (read with gix;
//! nothing is executed). A hook keysweep did not write is replaced only with `--force`, and
//! then kept next to it as `pre-commit.keysweep-backup`.
//!
//! `keysweep hook pre-commit FILE...` is the entry point of `.pre-commit-hooks.yaml`. The
//! pre-commit framework passes the files its `files`/`exclude`/`types` settings select, and
//! the same hook runs in two situations that want different checks:
//! - during `git commit`, only what the commit adds matters: the staged added lines of those
//!   files (a secret committed long ago is the baseline's business, not this commit's);
//! - under `pre-commit run --all-files` / `--files` (typically CI), the files whole.
//!
//! pre-commit sets the same variables (`PRE_COMMIT=1`) in both, so it cannot tell them apart;
//! git can: it sets `GIT_INDEX_FILE` in the environment of every commit hook it runs, and a
//! `pre-commit run` typed in a shell or a CI step has no commit in progress.

use crate::cli::{HookCmd, InstallHookCmd, PreCommitHookCmd, PreCommitMode};
use crate::commands::scan::{report_context, report_options, run_info, summary};
use crate::exit;
use crate::pipeline::{self, Mode, Outcome, ScanOptions};
use crate::report;
use anyhow::{bail, Context, Result};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// The line that marks a hook as ours.
pub const MARKER: &str = "# installed by keysweep";

pub const SCRIPT: &str = r#"#!/bin/sh
# installed by keysweep
# Blocks commits that add hardcoded secrets. Skip once with `git commit --no-verify`;
# allow one line with a `keysweep:allow` comment.
if ! command -v keysweep >/dev/null 2>&1; then
  echo "keysweep: not found on PATH; install it, or remove this hook ($0)" >&2
  exit 1
fi
exec keysweep scan --staged
"#;

pub fn run(cmd: InstallHookCmd) -> Result<i32> {
    let dir = hooks_dir(&cmd.repo)?;
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create hooks directory {}", dir.display()))?;
    let hook = dir.join("pre-commit");
    let mut backup = None;
    if let Ok(existing) = std::fs::read(&hook) {
        let ours = String::from_utf8_lossy(&existing).contains(MARKER);
        if !ours {
            if !cmd.force {
                bail!(
                    "{}: a pre-commit hook keysweep did not write is already there; \
                     use --force to replace it (it is kept as pre-commit.keysweep-backup)",
                    hook.display()
                );
            }
            let b = dir.join("pre-commit.keysweep-backup");
            std::fs::rename(&hook, &b)
                .with_context(|| format!("cannot move {} aside", hook.display()))?;
            backup = Some(b);
        }
    }
    write_executable(&hook, SCRIPT)?;
    eprintln!("keysweep: installed pre-commit hook {}", hook.display());
    if let Some(b) = backup {
        eprintln!("keysweep: the previous hook was kept as {}", b.display());
    }
    Ok(exit::CLEAN)
}

/// The directory git runs hooks from: `core.hooksPath` (relative to the worktree root, or
/// the git dir of a bare repository) or `hooks` in the common git dir.
pub fn hooks_dir(repo_path: &Path) -> Result<PathBuf> {
    let repo = gix::discover(repo_path)
        .with_context(|| format!("{}: not in a git repository", repo_path.display()))?;
    let configured = repo
        .config_snapshot()
        .trusted_path("core.hooksPath")
        .context("core.hooksPath")?;
    Ok(match configured {
        Some(p) if !p.as_os_str().is_empty() => {
            if p.is_absolute() {
                p
            } else {
                repo.workdir().unwrap_or_else(|| repo.git_dir()).join(p)
            }
        }
        _ => repo.common_dir().join("hooks"),
    })
}

fn write_executable(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
            .with_context(|| format!("cannot make {} executable", path.display()))?;
    }
    Ok(())
}

pub fn run_framework(cmd: HookCmd) -> Result<i32> {
    match cmd {
        HookCmd::PreCommit(cmd) => pre_commit(cmd),
    }
}

/// `keysweep hook pre-commit`: run from the repository's top, as pre-commit does.
fn pre_commit(cmd: PreCommitHookCmd) -> Result<i32> {
    let staged = match cmd.mode {
        PreCommitMode::Staged => true,
        PreCommitMode::Files => false,
        PreCommitMode::Auto => commit_in_progress(),
    };
    let names: Vec<String> = cmd.files.iter().map(|p| repo_relative(p)).collect();
    let started = std::time::SystemTime::now();
    let mut opts = ScanOptions::tree(Vec::new());
    opts.exclude = cmd.exclude.clone();
    opts.config = cmd.config.clone();
    opts.baseline = cmd.baseline.clone();
    opts.quiet = cmd.quiet;
    let outcome = if staged {
        opts.mode = Mode::Staged { repo: None };
        let mut outcome = pipeline::run(&opts)?;
        // The staged source reads every staged change; report only the files pre-commit
        // passed, so the user's `files`/`exclude` settings hold.
        let passed: HashSet<&str> = names.iter().map(String::as_str).collect();
        outcome
            .findings
            .retain(|f| passed.contains(f.repo_path.as_deref().unwrap_or(f.path.as_str())));
        outcome
    } else {
        let paths = whole_file_targets(&cmd.files);
        if paths.is_empty() {
            if !cmd.quiet {
                eprintln!(
                    "keysweep: no regular files among the {} passed",
                    names.len()
                );
            }
            return Ok(exit::CLEAN);
        }
        // A tree scan of named files reads no config by itself: use the repository's.
        if opts.config.is_none() && Path::new(CONFIG_NAME).is_file() {
            opts.config = Some(PathBuf::from(CONFIG_NAME));
        }
        opts.mode = Mode::Tree { paths };
        pipeline::run(&opts)?
    };
    let run = run_info(&opts.mode, &outcome, started);
    let ctx = report_context(&outcome, cmd.output.show_secrets, &run);
    report::emit(&report_options(&cmd.output), &outcome.findings, &ctx)?;
    if !cmd.quiet {
        eprintln!(
            "{}",
            if staged {
                staged_summary(&outcome, names.len())
            } else {
                summary(&outcome)
            }
        );
    }
    Ok(if outcome.findings.is_empty() {
        exit::CLEAN
    } else {
        exit::FINDINGS
    })
}

const CONFIG_NAME: &str = ".keysweep.toml";

/// Whether git is running us as a commit hook: it exports `GIT_INDEX_FILE` to them
/// (`git commit`, `commit -a`, `commit PATH` alike), and nothing else that runs pre-commit does.
fn commit_in_progress() -> bool {
    std::env::var_os("GIT_INDEX_FILE").is_some_and(|v| !v.is_empty())
}

/// A passed name as the staged source reports paths: relative to the top, `/`-separated.
fn repo_relative(p: &Path) -> String {
    let s = p.to_string_lossy().replace('\\', "/");
    s.trim_start_matches("./").to_string()
}

/// The passed names worth reading whole: regular files. A symbolic link is skipped: git
/// records the link itself, not the file it points at (which may lie outside the
/// repository); a name that no longer exists has nothing to scan.
fn whole_file_targets(files: &[PathBuf]) -> Vec<PathBuf> {
    files
        .iter()
        .filter(|p| std::fs::symlink_metadata(p).is_ok_and(|m| m.is_file()))
        .cloned()
        .collect()
}

/// The summary of a commit check: the files pre-commit passed, not every staged file read.
fn staged_summary(o: &Outcome, files: usize) -> String {
    let n = o.findings.len();
    format!(
        "keysweep: checked the staged changes of {files} file{} in {:.2}s; {n} finding{}",
        if files == 1 { "" } else { "s" },
        o.elapsed.as_secs_f64(),
        if n == 1 { "" } else { "s" }
    )
}
