//! The git index read in place, for `scan --staged`.
//!
//! gix decodes an index into one `Entry` per path (stat data, id, flags, mode) plus a path
//! buffer: in a 50,000-file repository that is 7 MB written at every commit's hook run, most
//! of whose page faults and half of whose instructions the staged scan spent there, when the
//! comparison with `HEAD` reads a few directories. This reader maps the file and keeps only
//! where each entry starts; paths, ids and modes are read from the mapping when asked for.
//!
//! It reads versions 2 and 3, the ones git writes unless told otherwise. It declines (and the
//! caller decodes with gix, which also reports what is wrong with a broken file) a version 4
//! index (its paths are prefix-compressed: reading one needs all before it), a split index
//! (its entries live in a second file), and anything it cannot read whole.

use anyhow::{Context, Result};
use gix::bstr::BStr;
use gix::index::entry::{Flags, Mode};
use gix::index::extension::Tree;
use gix::oid;
use std::path::Path;

/// Fixed part of an entry before its id: ctime, mtime, dev, ino, mode, uid, gid, size.
const STAT_LEN: usize = 40;
/// The flag bits of an entry as stored.
const NAME_MASK: u16 = 0x0fff;
const EXTENDED: u16 = 0x4000;
/// Extended flags as stored, and where gix keeps them in memory.
const INTENT_TO_ADD: u16 = 1 << 13;
const SKIP_WORKTREE: u16 = 1 << 14;

pub struct MappedIndex {
    map: memmap2::Mmap,
    hash_len: usize,
    /// Where each entry starts in `map`, in index order (sorted by path, then stage).
    starts: Vec<u32>,
    tree: Option<Tree>,
}

impl MappedIndex {
    /// Maps the index at `path`. `Ok(None)`: an index this reader leaves to gix (see the
    /// module's comment); `Err`: it cannot be opened or mapped.
    pub fn open(path: &Path, object_hash: gix::hash::Kind) -> Result<Option<MappedIndex>> {
        let file = std::fs::File::open(path)
            .with_context(|| format!("cannot open the index {}", path.display()))?;
        let len = file
            .metadata()
            .with_context(|| format!("cannot read the index {}", path.display()))?
            .len();
        if len == 0 || len > u64::from(u32::MAX) {
            return Ok(None);
        }
        // SAFETY: git never writes an index in place (it writes a lock file and renames it
        // over the old one), so the mapped file does not change under us; a file truncated by
        // some other writer would end the process with SIGBUS, as it would gix's own mapping.
        let map = unsafe { memmap2::Mmap::map(&file) }
            .with_context(|| format!("cannot map the index {}", path.display()))?;
        Ok(read(map, object_hash.len_in_bytes(), object_hash))
    }

    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// The cache-tree extension, if the index has one.
    pub fn tree(&self) -> Option<&Tree> {
        self.tree.as_ref()
    }

    /// Entry `i`'s path.
    pub fn path(&self, i: usize) -> &BStr {
        let (at, name_len) = self.name_at(i);
        let name = &self.map[at..];
        let len = if name_len < usize::from(NAME_MASK) {
            name_len
        } else {
            memchr::memchr(0, name).unwrap_or(name.len())
        };
        BStr::new(&name[..len])
    }

    pub fn id(&self, i: usize) -> &oid {
        let at = self.starts[i] as usize + STAT_LEN;
        oid::from_bytes_unchecked(&self.map[at..at + self.hash_len])
    }

    pub fn mode(&self, i: usize) -> Mode {
        let at = self.starts[i] as usize + 24;
        Mode::from_bits_truncate(be32(&self.map[at..]))
    }

    /// The entry's flags as gix keeps them in memory (stage bits and extended flags).
    pub fn flags(&self, i: usize) -> Flags {
        let at = self.starts[i] as usize + STAT_LEN + self.hash_len;
        let stored = be16(&self.map[at..]);
        let mut flags = Flags::from_bits_retain(u32::from(stored & !NAME_MASK));
        if stored & EXTENDED != 0 {
            let extended = be16(&self.map[at + 2..]);
            flags |= Flags::from_bits_retain(u32::from(extended) << 16);
        }
        flags
    }

    /// Where entry `i`'s name starts, and the length its flags give (`NAME_MASK`: longer,
    /// NUL-terminated).
    fn name_at(&self, i: usize) -> (usize, usize) {
        let at = self.starts[i] as usize + STAT_LEN + self.hash_len;
        let stored = be16(&self.map[at..]);
        let flags_len = if stored & EXTENDED != 0 { 4 } else { 2 };
        (at + flags_len, usize::from(stored & NAME_MASK))
    }
}

/// Checks the whole file and records where its entries start; None if it is not a version
/// 2 or 3 index read whole, or has a shared index.
fn read(map: memmap2::Mmap, hash_len: usize, object_hash: gix::hash::Kind) -> Option<MappedIndex> {
    let data: &[u8] = &map;
    if data.len() < 12 + hash_len || &data[..4] != b"DIRC" {
        return None;
    }
    let version = be32(&data[4..]);
    if version != 2 && version != 3 {
        return None;
    }
    let count = be32(&data[8..]) as usize;
    let end = data.len() - hash_len;
    // Each entry takes at least 62 bytes: no count can claim more than the file holds.
    if count > end / (STAT_LEN + hash_len + 2) {
        return None;
    }
    let mut starts = Vec::with_capacity(count);
    let mut at = 12;
    for _ in 0..count {
        let flags_at = at + STAT_LEN + hash_len;
        let stored = be16(data.get(flags_at..flags_at + 2)?);
        let extended = stored & EXTENDED != 0;
        if extended {
            if version < 3 {
                return None;
            }
            let more = be16(data.get(flags_at + 2..flags_at + 4)?);
            if more & !(INTENT_TO_ADD | SKIP_WORKTREE) != 0 {
                return None;
            }
        }
        let name = flags_at + if extended { 4 } else { 2 };
        let name_len = match usize::from(stored & NAME_MASK) {
            n if n < usize::from(NAME_MASK) => n,
            _ => memchr::memchr(0, data.get(name..end)?)?,
        };
        // The entry ends after 1 to 8 NUL bytes, at a multiple of 8 from its start.
        let entry_len = (name + name_len - at + 8) & !7;
        if at + entry_len > end
            || data[name + name_len..at + entry_len]
                .iter()
                .any(|&b| b != 0)
        {
            return None;
        }
        starts.push(u32::try_from(at).ok()?);
        at += entry_len;
    }
    let tree = read_extensions(&data[at..end], object_hash)?;
    Some(MappedIndex {
        map,
        hash_len,
        starts,
        tree,
    })
}

/// The cache tree among the extensions (`Some(None)`: there is none); None if they do not
/// read whole or include a shared index (`link`).
fn read_extensions(mut ext: &[u8], object_hash: gix::hash::Kind) -> Option<Option<Tree>> {
    let mut tree = None;
    while !ext.is_empty() {
        let signature = ext.get(..4)?;
        let size = be32(ext.get(4..8)?) as usize;
        let body = ext.get(8..8usize.checked_add(size)?)?;
        match signature {
            b"link" => return None,
            b"TREE" => {
                tree = Some(gix::index::extension::tree::decode(
                    body,
                    object_hash,
                    None,
                )?)
            }
            _ => {}
        }
        ext = &ext[8 + size..];
    }
    Some(tree)
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

fn be16(b: &[u8]) -> u16 {
    u16::from_be_bytes([b[0], b[1]])
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    fn git(dir: &Path, args: &[&str]) {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}: {out:?}");
    }

    /// A repository whose index holds nested directories, an empty file, an executable, a
    /// symlink, an intent-to-add entry and a cache tree.
    fn repo() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        git(d, &["init", "-q"]);
        for (name, text) in [
            ("a.txt", "one\n"),
            ("src/lib.rs", "two\n"),
            ("src/deep/er/x.py", "three\n"),
            ("zz", "four\n"),
        ] {
            let p = d.join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        std::fs::write(d.join("empty"), "").unwrap();
        std::fs::write(d.join("run.sh"), "#!/bin/sh\n").unwrap();
        std::os::unix::fs::symlink("a.txt", d.join("link")).unwrap();
        git(d, &["update-index", "--add", "--chmod=+x", "run.sh"]);
        git(d, &["add", "-A"]);
        git(d, &["commit", "-qm", "c"]);
        std::fs::write(d.join("later.txt"), "five\n").unwrap();
        git(d, &["add", "-N", "later.txt"]);
        dir
    }

    #[test]
    fn a_path_longer_than_its_length_field_reads_whole() {
        let dir = repo();
        let d = dir.path();
        let long: Vec<String> = (0..20).map(|i| format!("{i}{}", "n".repeat(240))).collect();
        let long = format!("src/{}/deep.txt", long.join("/"));
        let empty_blob = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391";
        git(
            d,
            &[
                "update-index",
                "--add",
                "--cacheinfo",
                &format!("100644,{empty_blob},{long}"),
            ],
        );
        let mapped = MappedIndex::open(&d.join(".git/index"), gix::hash::Kind::Sha1)
            .unwrap()
            .expect("read in place");
        let i = (0..mapped.len())
            .find(|&i| mapped.path(i).len() > 0xfff)
            .expect("the long path is listed");
        assert_eq!(mapped.path(i), long.as_str());
        assert_eq!(mapped.id(i).to_string(), empty_blob);
        // The entries after it are still found where they start (padding read right).
        assert_eq!(mapped.path(mapped.len() - 1), "zz");
    }

    fn decoded(path: &Path) -> gix::index::State {
        gix::index::File::at(
            path,
            gix::hash::Kind::Sha1,
            true,
            gix::index::decode::Options::default(),
        )
        .unwrap()
        .into()
    }

    #[test]
    fn every_entry_reads_as_gix_decodes_it() {
        let dir = repo();
        let index = dir.path().join(".git/index");
        let mapped = MappedIndex::open(&index, gix::hash::Kind::Sha1)
            .unwrap()
            .expect("a version 3 index is read in place");
        let state = decoded(&index);
        assert_eq!(mapped.len(), state.entries().len());
        assert!(mapped.len() >= 8);
        for (i, e) in state.entries().iter().enumerate() {
            assert_eq!(mapped.path(i), e.path(&state));
            assert_eq!(mapped.id(i), e.id.as_ref());
            assert_eq!(mapped.mode(i), e.mode);
            assert_eq!(mapped.flags(i), e.flags, "{}", e.path(&state));
        }
        let later = (0..mapped.len())
            .find(|&i| mapped.path(i) == "later.txt")
            .unwrap();
        assert!(mapped.flags(later).contains(Flags::INTENT_TO_ADD));
        let tree = state.tree().expect("git add writes a cache tree");
        assert_eq!(mapped.tree().map(|t| t.id), Some(tree.id));
        assert_eq!(
            mapped.tree().map(|t| t.children.len()),
            Some(tree.children.len())
        );
    }

    #[test]
    fn version_4_split_and_broken_indexes_are_left_to_gix() {
        let dir = repo();
        let d = dir.path();
        let index = d.join(".git/index");
        let open = || MappedIndex::open(&index, gix::hash::Kind::Sha1).unwrap();
        // Version 2 has no extended flags: the intent-to-add entry goes first.
        git(d, &["rm", "-q", "--cached", "later.txt"]);
        git(d, &["update-index", "--index-version", "2"]);
        assert!(open().is_some(), "version 2 is read in place");
        git(d, &["update-index", "--index-version", "4"]);
        assert!(open().is_none(), "version 4 is decoded by gix");
        git(d, &["update-index", "--index-version", "2"]);
        git(d, &["update-index", "--split-index"]);
        assert!(open().is_none(), "a split index is decoded by gix");
        git(d, &["update-index", "--no-split-index"]);
        assert!(open().is_some());
        let bytes = std::fs::read(&index).unwrap();
        for cut in [13, 100, bytes.len() - 30] {
            std::fs::write(&index, &bytes[..cut]).unwrap();
            assert!(open().is_none(), "cut at {cut}");
        }
        std::fs::write(&index, b"").unwrap();
        assert!(open().is_none());
    }
}
