//! The mirror cache: a repository given by URL is cloned once as a bare mirror into
//! `--cache DIR/<id>.git`, and fetched (pruned) on later sweeps. The clone is the system git,
//! run so that nothing from the repository or this machine's git configuration can run a
//! program: no system or global config, no templates (so no hooks), no credential helper, no
//! terminal prompt, no `ext::` transport. A mirror has no work tree, so no filter or
//! checkout hook ever runs; it is then read isolated like any scanned repository. A token
//! in a listed URL is used for the clone and each fetch but never written into the cache.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Clones `url` into the cache (or fetches it when the mirror is there) and returns the
/// mirror's path. `name` is the printable location, for messages.
pub fn update(cache: &Path, id: &str, url: &str, name: &str) -> Result<PathBuf> {
    std::fs::create_dir_all(cache)
        .with_context(|| format!("cannot create the cache directory {}", cache.display()))?;
    let dir = cache.join(format!("{id}.git"));
    if dir.join("HEAD").is_file() {
        // From the URL as listed (a token in it is not kept in the mirror's config).
        let out = git(Some(&dir))
            .args(["fetch", "--prune", "--quiet", "--"])
            .arg(url)
            .arg("+refs/*:refs/*")
            .output()
            .context("cannot run git")?;
        if !out.status.success() {
            bail!(
                "git fetch of {name} failed: {}",
                first_line(&out.stderr, url)
            );
        }
        return Ok(dir);
    }
    // Into a temporary name first, so an interrupted clone is not mistaken for a mirror.
    let partial = cache.join(format!("{id}.git.partial"));
    if partial.exists() {
        std::fs::remove_dir_all(&partial)
            .with_context(|| format!("cannot remove {}", partial.display()))?;
    }
    let out = git(None)
        .args(["clone", "--mirror", "--quiet", "--template="])
        .arg("--")
        .arg(url)
        .arg(&partial)
        .output()
        .context("cannot run git")?;
    if !out.status.success() {
        let _ = std::fs::remove_dir_all(&partial);
        bail!(
            "git clone of {name} failed: {}",
            first_line(&out.stderr, url)
        );
    }
    // The cache may be shared or uploaded (a CI cache): a token in the URL stays out of it.
    let out = git(Some(&partial))
        .args(["remote", "set-url", "--", "origin"])
        .arg(name)
        .output()
        .context("cannot run git")?;
    if !out.status.success() {
        let _ = std::fs::remove_dir_all(&partial);
        bail!(
            "cannot record the URL of {name} in its mirror: {}",
            first_line(&out.stderr, url)
        );
    }
    std::fs::rename(&partial, &dir)
        .with_context(|| format!("cannot move the clone into {}", dir.display()))?;
    Ok(dir)
}

/// git with a clean environment: see the module comment.
fn git(dir: Option<&Path>) -> Command {
    let mut c = Command::new("git");
    if let Some(d) = dir {
        c.arg("--git-dir").arg(d);
    }
    c.args([
        "-c",
        "credential.helper=",
        "-c",
        "core.hooksPath=/dev/null",
        "-c",
        "protocol.ext.allow=never",
        "-c",
        "core.askPass=",
    ])
    .env("GIT_CONFIG_NOSYSTEM", "1")
    .env("GIT_CONFIG_GLOBAL", "/dev/null")
    .env("GIT_TERMINAL_PROMPT", "0")
    .env_remove("GIT_DIR")
    .env_remove("GIT_WORK_TREE")
    .env_remove("GIT_INDEX_FILE")
    .env_remove("GIT_CONFIG")
    .env_remove("GIT_CONFIG_PARAMETERS")
    .env_remove("GIT_CONFIG_COUNT")
    .env_remove("GIT_ASKPASS")
    .env_remove("SSH_ASKPASS")
    .env_remove("GIT_EXEC_PATH")
    .env_remove("GIT_TEMPLATE_DIR")
    .stdin(std::process::Stdio::null());
    c
}

/// git's first error line, with the URL (which may hold a token) replaced by nothing
/// secret: git echoes the URL it was given.
fn first_line(stderr: &[u8], url: &str) -> String {
    let text = String::from_utf8_lossy(stderr);
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("no message");
    line.replace(url, &super::repos::printable(url))
}
