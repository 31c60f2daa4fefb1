//! Files as they are at the base of a range. In CI the commits under review are untrusted: a
//! pull request that adds `allowlist.paths = ["**"]` to `.keysweep.toml` must not silence its
//! own scan, so a range scan reads its configuration from the range's base commit.

use super::{alloc_limit, open, parse_range};
use anyhow::{Context, Result};
use gix::ObjectId;
use std::path::Path;

/// A file at the base of a range.
pub struct AtBase {
    /// Its content in the base commit's tree (None: no such file there).
    pub content: Option<Vec<u8>>,
    /// The range's tip holds a different version (or none, or a new one).
    pub changed: bool,
}

/// `path` (relative to the repository's top) at the base of `range` (`A..B`).
pub fn file_at_range_base(repo: &Path, range: &str, path: &str) -> Result<AtBase> {
    let repo = open(repo, alloc_limit(0))?;
    let (hide, tip) = parse_range(&repo, range)?;
    let base = hide.first().copied().unwrap_or(tip);
    let at_base = blob_at(&repo, base, path)?;
    let at_tip = blob_at(&repo, tip, path)?;
    let content = match at_base {
        Some(id) => Some(
            repo.find_object(id)
                .with_context(|| format!("cannot read {path} at {base}"))?
                .detach()
                .data,
        ),
        None => None,
    };
    Ok(AtBase {
        content,
        changed: at_base != at_tip,
    })
}

/// The blob at `path` in `commit`'s tree.
fn blob_at(repo: &gix::Repository, commit: ObjectId, path: &str) -> Result<Option<ObjectId>> {
    let tree = repo
        .find_commit(commit)
        .with_context(|| format!("cannot read commit {commit}"))?
        .tree()
        .with_context(|| format!("cannot read the tree of {commit}"))?;
    let entry = tree
        .lookup_entry_by_path(path)
        .with_context(|| format!("cannot look up {path} in {commit}"))?;
    Ok(entry.filter(|e| e.mode().is_blob()).map(|e| e.object_id()))
}
