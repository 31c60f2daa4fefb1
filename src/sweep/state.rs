//! The state of incremental sweeps (`--state DIR`): one file per repository,
//! `DIR/<repository id>.state`, holding the ref tips seen, the ids of every blob already
//! scanned and the inventory of findings as redacted records. JSON with a format name and
//! a version; the blob ids, the bulk of it, as one base64 string of sorted 20-byte ids.
//! Written through a private file (mode 0600) renamed into place. No secret value is ever
//! stored: the records are what a redacted report shows.
//!
//! A file that is not valid JSON, names another format or version, or belongs to another
//! repository is an error naming it: a silent fresh start would report the whole inventory
//! as new.

use crate::finding::Repository;
use anyhow::{anyhow, bail, Context, Result};
use base64::Engine as _;
use gix::ObjectId;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub const FORMAT: &str = "keysweep-sweep-state";
pub const VERSION: u32 = 1;

/// The most bytes a state file may have.
const MAX_STATE_BYTES: u64 = 1 << 30;

/// One repository's state.
#[derive(Debug, Clone, Default)]
pub struct RepoState {
    /// `(ref name, object id)`, sorted.
    pub tips: Vec<(String, String)>,
    /// Every blob scanned and still reachable at the last sweep.
    pub blobs: gix::hashtable::HashSet<ObjectId>,
    /// Findings known, by fingerprint order.
    pub inventory: Vec<StoredFinding>,
    /// Digest of the rules and settings the blobs were scanned with.
    pub settings: String,
}

/// A finding as the state keeps it: redacted, with the blobs that hold it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct StoredFinding {
    pub fingerprint: String,
    pub rule_id: String,
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    /// Redacted.
    pub secret: String,
    /// The line, the secret masked.
    pub snippet: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<StoredCommit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_group: Option<String>,
    /// The blobs holding this finding; when none is reachable any more it is dropped.
    pub blobs: Vec<String>,
}

/// The introducing commit, as a redacted report shows it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct StoredCommit {
    pub id: String,
    pub author_name: String,
    pub author_email: String,
    pub date: String,
    pub summary: String,
}

#[derive(Serialize, Deserialize)]
struct File {
    format: String,
    version: u32,
    repository: Repository,
    settings: String,
    tips: Vec<(String, String)>,
    /// Sorted 20-byte SHA-1 ids, concatenated, in standard base64.
    blobs: String,
    inventory: Vec<StoredFinding>,
}

/// The state directory.
pub struct Store {
    dir: PathBuf,
}

impl Store {
    /// Opens (creating, mode 0700) the state directory.
    pub fn open(dir: &Path) -> Result<Store> {
        let mut b = std::fs::DirBuilder::new();
        b.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
        b.create(dir)
            .with_context(|| format!("cannot create the state directory {}", dir.display()))?;
        Ok(Store {
            dir: dir.to_path_buf(),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, repo: &Repository) -> PathBuf {
        self.dir.join(format!("{}.state", repo.id))
    }

    /// The state of `repo`, or None when it has never been swept into this directory.
    pub fn load(&self, repo: &Repository) -> Result<Option<RepoState>> {
        let path = self.path(repo);
        if std::fs::symlink_metadata(&path).is_err() {
            return Ok(None);
        }
        let text = crate::safefs::read_text(&path, false, MAX_STATE_BYTES)?;
        let bad = |why: String| anyhow!("state file {} {why}", path.display());
        let file: File = serde_json::from_str(&text)
            .map_err(|e| bad(format!("is corrupt or not a keysweep sweep state ({e})")))?;
        if file.format != FORMAT {
            return Err(bad(format!(
                "is not a keysweep sweep state (format {:?})",
                file.format
            )));
        }
        if file.version != VERSION {
            return Err(bad(format!(
                "has version {}; this keysweep reads version {VERSION}",
                file.version
            )));
        }
        if file.repository.id != repo.id {
            return Err(bad(format!(
                "belongs to another repository ({})",
                file.repository.id
            )));
        }
        let raw = base64::engine::general_purpose::STANDARD
            .decode(file.blobs.as_bytes())
            .map_err(|e| bad(format!("is corrupt (blob ids: {e})")))?;
        if raw.len() % 20 != 0 {
            return Err(bad("is corrupt (blob ids are cut short)".into()));
        }
        let blobs = raw
            .chunks_exact(20)
            .map(|c| ObjectId::try_from(c).expect("20 bytes"))
            .collect();
        Ok(Some(RepoState {
            tips: file.tips,
            blobs,
            inventory: file.inventory,
            settings: file.settings,
        }))
    }

    /// Writes `state` for `repo` (private file, renamed into place).
    pub fn save(&self, repo: &Repository, state: &RepoState) -> Result<()> {
        let mut ids: Vec<&ObjectId> = state.blobs.iter().collect();
        ids.sort();
        let mut raw = Vec::with_capacity(ids.len() * 20);
        for id in ids {
            if id.as_bytes().len() != 20 {
                bail!("only SHA-1 repositories can be swept incrementally");
            }
            raw.extend_from_slice(id.as_bytes());
        }
        let file = File {
            format: FORMAT.into(),
            version: VERSION,
            repository: repo.clone(),
            settings: state.settings.clone(),
            tips: state.tips.clone(),
            blobs: base64::engine::general_purpose::STANDARD.encode(raw),
            inventory: state.inventory.clone(),
        };
        let text = serde_json::to_vec(&file)?;
        crate::safefs::write_private(&self.path(repo), &text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo(id: &str) -> Repository {
        Repository {
            location: "/srv/git/app".into(),
            id: id.into(),
        }
    }

    #[test]
    fn a_state_round_trips_and_a_foreign_or_corrupt_one_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("state")).unwrap();
        let mut st = RepoState::default();
        st.tips.push(("HEAD".into(), "ab".repeat(20)));
        st.blobs.insert(ObjectId::from_hex(&[b'c'; 40]).unwrap());
        store.save(&repo("0011"), &st).unwrap();
        let back = store.load(&repo("0011")).unwrap().unwrap();
        assert_eq!(back.tips, st.tips);
        assert_eq!(back.blobs, st.blobs);
        assert!(store.load(&repo("2233")).unwrap().is_none());
        // Another repository's file under this one's name.
        std::fs::copy(store.path(&repo("0011")), store.path(&repo("4455"))).unwrap();
        let e = store.load(&repo("4455")).unwrap_err().to_string();
        assert!(
            e.contains("4455.state") && e.contains("another repository"),
            "{e}"
        );
        std::fs::write(store.path(&repo("0011")), b"{\"format\":1").unwrap();
        let e = store.load(&repo("0011")).unwrap_err().to_string();
        assert!(e.contains("0011.state") && e.contains("corrupt"), "{e}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let saved = dir.path().join("state").join("0011.state");
            store.save(&repo("0011"), &st).unwrap();
            let own = std::fs::metadata(saved).unwrap().permissions().mode();
            assert_eq!(own & 0o777, 0o600);
        }
    }
}
