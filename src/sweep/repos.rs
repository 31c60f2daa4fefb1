//! The repositories of a sweep: read from a list file (`--repos`) or found under a directory
//! (`--discover`), each with a location fit to print (a URL loses its credentials) and a
//! stable id derived from it.

use crate::finding::Repository;
use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Where a repository's objects come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A repository on this machine, scanned in place.
    Local(PathBuf),
    /// A git URL, cloned (then fetched) as a mirror into the cache. The URL as given,
    /// credentials included: never printed.
    Remote(String),
}

/// One repository of the sweep.
#[derive(Debug, Clone)]
pub struct RepoSpec {
    pub source: Source,
    pub identity: std::sync::Arc<Repository>,
}

/// The most bytes a list file may have.
const MAX_LIST_BYTES: u64 = 64 << 20;

/// Parses a list file (`-`: standard input): one local path or git URL per line; blank lines
/// and `#` comments are skipped. Relative paths are relative to the list file's directory
/// (standard input: to the current directory). A repository listed twice is swept once.
pub fn from_list(file: &Path) -> Result<Vec<RepoSpec>> {
    let stdin = file.as_os_str() == "-";
    let text = if stdin {
        let mut text = String::new();
        std::io::Read::read_to_string(
            &mut std::io::Read::take(std::io::stdin().lock(), MAX_LIST_BYTES),
            &mut text,
        )
        .context("cannot read the repository list from standard input")?;
        text
    } else {
        crate::safefs::read_text(file, true, MAX_LIST_BYTES)?
    };
    let base = if stdin {
        Path::new(".")
    } else {
        file.parent().unwrap_or(Path::new("."))
    };
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let spec = if is_url(line) {
            remote(line).with_context(|| format!("{}:{}", file.display(), n + 1))?
        } else {
            local(&base.join(line))
        };
        out.push(spec);
    }
    Ok(dedup(out))
}

/// Every git repository under `dir` (bare or with a work tree), in name order. The walk
/// does not follow symbolic links nor descend into a repository it found.
pub fn discover(dir: &Path) -> Result<Vec<RepoSpec>> {
    let meta = std::fs::metadata(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    if !meta.is_dir() {
        bail!("--discover wants a directory; {} is not one", dir.display());
    }
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        if is_repository(&d) {
            found.push(d);
            continue;
        }
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(e.path());
            }
        }
    }
    found.sort();
    Ok(dedup(found.iter().map(|p| local(p)).collect()))
}

/// A work tree (`.git` inside) or a bare repository (`HEAD`, `objects/`, `refs/`).
fn is_repository(d: &Path) -> bool {
    d.join(".git").exists()
        || (d.join("HEAD").is_file() && d.join("objects").is_dir() && d.join("refs").is_dir())
}

fn dedup(specs: Vec<RepoSpec>) -> Vec<RepoSpec> {
    let mut seen = std::collections::HashSet::new();
    specs
        .into_iter()
        .filter(|s| seen.insert(s.identity.id.clone()))
        .collect()
}

/// `scheme://…` or scp-like `user@host:path`.
fn is_url(s: &str) -> bool {
    if s.contains("://") {
        return true;
    }
    match s.split_once(':') {
        Some((host, _)) => host.contains('@') && !host.contains('/'),
        None => false,
    }
}

fn local(path: &Path) -> RepoSpec {
    // The canonical path identifies it whatever the list said (`./a`, `a/`).
    let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let location = abs.display().to_string();
    RepoSpec {
        source: Source::Local(abs),
        identity: std::sync::Arc::new(Repository {
            id: id_of(&location),
            location,
        }),
    }
}

fn remote(url: &str) -> Result<RepoSpec> {
    if url.starts_with("ext::") || url.contains("::") {
        // `ext::` runs a command; no transport helper is needed for a sweep.
        bail!("only plain git URLs are swept (no transport helpers such as ext::)");
    }
    if url.starts_with('-') {
        bail!("a repository URL cannot start with '-'");
    }
    let location = printable(url);
    Ok(RepoSpec {
        source: Source::Remote(url.to_string()),
        identity: std::sync::Arc::new(Repository {
            id: id_of(&normalized(&location)),
            location,
        }),
    })
}

/// The URL without credentials (`https://user:token@host/x` → `https://host/x`).
pub fn printable(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    format!("{scheme}://{host}{path}")
}

/// The same repository whichever way its URL was written: lower-case scheme and host, no
/// trailing slash or `.git`.
fn normalized(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = path.trim_end_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    format!(
        "{}://{}{}",
        scheme.to_ascii_lowercase(),
        host.to_ascii_lowercase(),
        path
    )
}

/// 16 hex digits of SHA-256 over the location: stable across runs and machines (for a URL),
/// short enough to read.
fn id_of(location: &str) -> String {
    hex::encode(&Sha256::digest(location.as_bytes())[..8])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_credentials_and_keep_one_id_however_written() {
        let a = remote("https://user:tok3n@Example.org/org/app.git").unwrap();
        assert_eq!(a.identity.location, "https://Example.org/org/app.git");
        let b = remote("https://example.org/org/app/").unwrap();
        assert_eq!(a.identity.id, b.identity.id);
        let c = remote("https://example.org/org/other").unwrap();
        assert_ne!(a.identity.id, c.identity.id);
        assert!(remote("ext::sh -c touch% /tmp/x").is_err());
    }

    #[test]
    fn scp_like_and_scheme_urls_are_urls_paths_are_not() {
        assert!(is_url("git@example.org:org/app.git"));
        assert!(is_url("file:///srv/git/app.git"));
        assert!(!is_url("../repos/app"));
        assert!(!is_url("/srv/dir:with/colon"));
    }
}
