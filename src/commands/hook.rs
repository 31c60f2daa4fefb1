//! `keysweep install-hook`: writes the repository's pre-commit hook, a small shell script that
//! runs `keysweep scan --staged` (found on PATH). `core.hooksPath` is honoured (read with gix;
//! nothing is executed). A hook keysweep did not write is replaced only with `--force`, and
//! then kept next to it as `pre-commit.keysweep-backup`.

use crate::cli::InstallHookCmd;
use crate::exit;
use anyhow::{bail, Context, Result};
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
