//! Staged-changes source (`scan --staged`): what `git commit` is about to record.
//!
//! The index is compared with `HEAD`'s tree (the empty tree before the first commit) without
//! touching the working tree: blobs are read from the object database, so a partially staged
//! file (`git add -p`) is scanned as staged. Only secrets on lines the change adds or modifies
//! are reported, with line numbers in the staged blob.
//!
//! Speed matters (a hook runs on every commit): the index's cache-tree extension records the
//! tree id of every directory that is unchanged since it was last written, so whole directories
//! whose cached id equals `HEAD`'s are skipped without reading a single tree object. Elsewhere
//! the index (sorted by path) and the tree (sorted the same way) are merged directory by
//! directory. A typical commit in a 50,000-file repository reads a handful of trees.

use crate::pathfilter::PathFilter;
use crate::source::decode::{self, Text};
use crate::source::linediff;
use crate::source::mapped_index::MappedIndex;
use crate::source::{Blob, Origin, Stats};
use anyhow::{bail, Context, Result};
use gix::bstr::{BStr, BString, ByteSlice};
use gix::index::entry::{Flags, Mode};
use gix::ObjectId;
use rayon::prelude::*;
use std::borrow::Cow;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// A staged path whose content differs from `HEAD`.
#[derive(Debug, Clone)]
struct Change {
    path: BString,
    /// The blob in `HEAD` at this path (or the source of a detected rename).
    old: Option<ObjectId>,
    new: ObjectId,
}

/// What the index-vs-tree comparison found.
#[derive(Default)]
struct Diff {
    changes: Vec<Change>,
    /// Blobs in `HEAD` that are gone from the index (rename sources).
    deleted: Vec<(BString, ObjectId)>,
    submodules: Vec<BString>,
    unmerged: Vec<BString>,
    sparse_dirs: Vec<BString>,
}

/// Opens the repository holding `start` without running anything: no hooks, filters or
/// fsmonitor are involved and only the repository's own configuration is read.
pub fn open_repo(start: &Path) -> Result<gix::Repository> {
    gix::discover_opts(
        start,
        gix::discover::upwards::Options::default(),
        gix::open::Options::isolated(),
    )
    .with_context(|| format!("{}: not in a git repository", start.display()))
}

/// The index git would commit from: `$GIT_INDEX_FILE` when set (git sets it for hooks run by
/// `git commit -a` or `git commit PATH`), else the repository's index. Missing means empty.
fn load_index(repo: &gix::Repository) -> Result<Index> {
    let path = match std::env::var_os("GIT_INDEX_FILE") {
        Some(p) if !p.is_empty() => {
            let p = PathBuf::from(p);
            if p.is_absolute() {
                p
            } else {
                std::env::current_dir()?.join(p)
            }
        }
        _ => repo.index_path(),
    };
    if !path.exists() {
        return Ok(Index::Decoded(Box::new(gix::index::State::new(
            repo.object_hash(),
        ))));
    }
    if let Some(mapped) = MappedIndex::open(&path, repo.object_hash())? {
        return Ok(Index::Mapped(mapped));
    }
    // Like git, do not hash the whole index to verify its checksum on read.
    let file = gix::index::File::at(
        &path,
        repo.object_hash(),
        true,
        gix::index::decode::Options::default(),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))
    .with_context(|| format!("cannot read the index {}", path.display()))?;
    Ok(Index::Decoded(Box::new(file.into())))
}

/// The index as the comparison reads it: in place (the usual case, see
/// [`MappedIndex`]), or decoded by gix (index formats the in-place reader leaves to it).
enum Index {
    Mapped(MappedIndex),
    /// Boxed: gix's state is several times the size of the mapped reader.
    Decoded(Box<gix::index::State>),
}

impl Index {
    fn len(&self) -> usize {
        match self {
            Index::Mapped(m) => m.len(),
            Index::Decoded(s) => s.entries().len(),
        }
    }

    fn path(&self, i: usize) -> &BStr {
        match self {
            Index::Mapped(m) => m.path(i),
            Index::Decoded(s) => s.entries()[i].path(s),
        }
    }

    fn id(&self, i: usize) -> ObjectId {
        match self {
            Index::Mapped(m) => m.id(i).to_owned(),
            Index::Decoded(s) => s.entries()[i].id,
        }
    }

    fn mode(&self, i: usize) -> Mode {
        match self {
            Index::Mapped(m) => m.mode(i),
            Index::Decoded(s) => s.entries()[i].mode,
        }
    }

    fn flags(&self, i: usize) -> Flags {
        match self {
            Index::Mapped(m) => m.flags(i),
            Index::Decoded(s) => s.entries()[i].flags,
        }
    }

    fn tree(&self) -> Option<&gix::index::extension::Tree> {
        match self {
            Index::Mapped(m) => m.tree(),
            Index::Decoded(s) => s.tree(),
        }
    }

    /// The first index in `range` at which `below` turns false (it must hold for a prefix
    /// of the range only, as for sorted paths).
    fn partition_point(&self, range: Range<usize>, below: impl Fn(&[u8]) -> bool) -> usize {
        let (mut lo, mut hi) = (range.start, range.end);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if below(self.path(mid).as_bytes()) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }
}

/// `HEAD`'s tree, or `None` before the first commit. A HEAD that names no branch is a
/// broken repository, not an empty one: reporting every file as new would be wrong.
fn head_tree(repo: &gix::Repository) -> Result<Option<ObjectId>> {
    let mut head = repo.head().context("cannot read HEAD")?;
    if head.is_unborn() {
        let name = head
            .referent_name()
            .map(|n| n.as_bstr().to_string())
            .unwrap_or_default();
        if !name.starts_with("refs/heads/") || name.len() <= "refs/heads/".len() {
            bail!("HEAD points to {name:?}, which is not a branch: the repository is broken");
        }
        return Ok(None);
    }
    let commit = head.peel_to_commit().context("cannot resolve HEAD")?;
    Ok(Some(commit.tree_id()?.detach()))
}

/// What to compare: the repository (`None`: the current directory, or `$GIT_DIR` when git
/// runs us as a hook) and what to skip.
pub struct StagedOptions {
    pub repo: Option<PathBuf>,
    /// Paths skipped, matched relative to the repository.
    pub exclude: PathFilter,
    pub max_file_size: u64,
    pub threads: usize,
    pub quiet: bool,
}

/// Compares the index with HEAD and hands each staged blob that adds or changes lines to
/// `on_blob`, its origin restricted to those lines.
pub fn scan(
    opts: &StagedOptions,
    stats: &Stats,
    on_blob: &(dyn Fn(Blob<'_>) + Sync),
) -> Result<()> {
    let repo = match (opts.repo.as_ref(), std::env::var_os("GIT_DIR")) {
        // Run by git (a hook) with an explicit repository: use it as is.
        (None, Some(dir)) if !dir.is_empty() => {
            gix::open_opts(&dir, gix::open::Options::isolated()).with_context(|| {
                format!("GIT_DIR={}: not a git repository", dir.to_string_lossy())
            })?
        }
        (first, _) => open_repo(first.map_or(Path::new("."), PathBuf::as_path))?,
    };
    if repo.is_bare() {
        bail!(
            "{}: a bare repository has no index to scan; --staged needs a work tree",
            repo.path().display()
        );
    }
    let state = load_index(&repo)?;
    let head = head_tree(&repo)?;
    let diff = diff_index(&repo, &state, head, opts.threads)?;
    report_skips(opts.quiet, stats, &diff);

    let mut changes: Vec<Change> = diff
        .changes
        .into_iter()
        .filter(|c| !opts.exclude.matches_file(&c.path.to_str_lossy()))
        .collect();
    detect_renames(&repo, &mut changes, &diff.deleted, opts.max_file_size);

    let work = |repo: &gix::Repository, c: &Change| scan_change(repo, c, opts, stats, on_blob);
    if changes.len() <= 16 {
        for c in &changes {
            work(&repo, c);
        }
    } else {
        let sync = repo.clone().into_sync();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(opts.threads)
            .build()?;
        pool.install(|| {
            changes
                .par_iter()
                .for_each_init(|| sync.to_thread_local(), |r, c| work(r, c))
        });
    }
    Ok(())
}

fn report_skips(quiet: bool, stats: &Stats, diff: &Diff) {
    for p in &diff.submodules {
        Stats::add(&stats.skipped_other, 1);
        stats.warn(
            quiet,
            format!("{p}: submodule commit changed; its content is not scanned here"),
        );
    }
    for p in &diff.unmerged {
        Stats::add(&stats.skipped_other, 1);
        stats.warn(quiet, format!("{p}: unmerged path skipped"));
    }
    for p in &diff.sparse_dirs {
        Stats::add(&stats.skipped_other, 1);
        stats.warn(
            quiet,
            format!("{p}: sparse directory outside the checkout cone skipped"),
        );
    }
}

/// Reads one blob, unless it is larger than `max` (`Ok(None)`).
fn read_blob(repo: &gix::Repository, id: ObjectId, max: u64) -> Result<Option<Vec<u8>>> {
    let header = repo.find_header(id)?;
    if header.size() > max {
        return Ok(None);
    }
    Ok(Some(repo.find_object(id)?.detach().data))
}

fn scan_change(
    repo: &gix::Repository,
    c: &Change,
    opts: &StagedOptions,
    stats: &Stats,
    on_blob: &(dyn Fn(Blob<'_>) + Sync),
) {
    let (max, quiet) = (opts.max_file_size, opts.quiet);
    let path = c.path.to_str_lossy();
    let new = match read_blob(repo, c.new, max) {
        Ok(Some(b)) => b,
        Ok(None) => {
            Stats::add(&stats.skipped_large, 1);
            return;
        }
        Err(e) => {
            Stats::add(&stats.skipped_unreadable, 1);
            stats.warn(quiet, format!("{path}: cannot read staged blob: {e}"));
            return;
        }
    };
    let new_text = match decode::prepare(&new) {
        Text::Binary => {
            Stats::add(&stats.skipped_binary, 1);
            return;
        }
        t => {
            if decode::is_decoded(&t) {
                Stats::add(&stats.decoded, 1);
            }
            match t {
                Text::Scan(b) => b,
                Text::Binary => unreachable!(),
            }
        }
    };
    Stats::add(&stats.files, 1);
    Stats::add(&stats.bytes, new.len() as u64);
    let old = c
        .old
        .and_then(|id| read_blob(repo, id, max).ok().flatten())
        .unwrap_or_default();
    let old_text: Cow<'_, [u8]> = match decode::prepare(&old) {
        Text::Scan(b) => b,
        Text::Binary => Cow::Borrowed(&[]),
    };
    let ranges = linediff::added_lines(&old_text, &new_text);
    if ranges.is_empty() {
        return;
    }
    let origin = Origin {
        changed_lines: Some(ranges),
        ..Origin::file(path.to_string(), Some(path.to_string()))
    };
    on_blob(Blob {
        bytes: &new_text,
        origin,
        part: None,
    });
}

/// Pairs added files with deleted ones so a moved file reports only the lines that changed:
/// the same blob, else a deleted file of the same name (or, in small commits, any deleted file)
/// with at least half of the new file's lines in common.
fn detect_renames(
    repo: &gix::Repository,
    changes: &mut [Change],
    deleted: &[(BString, ObjectId)],
    max: u64,
) {
    if deleted.is_empty() {
        return;
    }
    let added: Vec<usize> = (0..changes.len())
        .filter(|&i| changes[i].old.is_none())
        .collect();
    if added.is_empty() {
        return;
    }
    let mut by_id = std::collections::HashMap::new();
    for (_, id) in deleted {
        by_id.insert(*id, ());
    }
    let try_all = deleted.len() * added.len() <= 100;
    let mut cache: std::collections::HashMap<ObjectId, Option<Vec<u8>>> = Default::default();
    let mut load = |id: ObjectId| -> Option<Vec<u8>> {
        cache
            .entry(id)
            .or_insert_with(|| read_blob(repo, id, max).ok().flatten())
            .clone()
    };
    for i in added {
        let new_id = changes[i].new;
        if by_id.contains_key(&new_id) {
            changes[i].old = Some(new_id);
            continue;
        }
        let name = base_name(changes[i].path.as_ref());
        let candidates: Vec<ObjectId> = deleted
            .iter()
            .filter(|(p, _)| try_all || base_name(p.as_ref()) == name)
            .map(|(_, id)| *id)
            .take(20)
            .collect();
        if candidates.is_empty() {
            continue;
        }
        let Some(new) = load(new_id) else { continue };
        let new_lines = new.lines().count().max(1);
        let mut best: Option<(usize, ObjectId)> = None;
        for id in candidates {
            let Some(old) = load(id) else { continue };
            let changed: usize = linediff::added_lines(&old, &new)
                .iter()
                .map(|r| r.end() - r.start() + 1)
                .sum();
            let common = new_lines.saturating_sub(changed);
            if common * 2 >= new_lines && best.is_none_or(|(c, _)| common > c) {
                best = Some((common, id));
            }
        }
        if let Some((_, id)) = best {
            changes[i].old = Some(id);
        }
    }
}

fn base_name(p: &BStr) -> &[u8] {
    p.rsplit_str("/").next().unwrap_or(p)
}

/// A directory still to compare: its tree in `HEAD`, its index entries and cache-tree node.
struct Job<'s> {
    tree: Option<ObjectId>,
    prefix: Vec<u8>,
    range: Range<usize>,
    cache: Option<&'s gix::index::extension::Tree>,
}

/// Compares the whole index with `head`. Directories the cache-tree cannot vouch for and
/// that hold many entries (a fresh index, or one after `git reset`) are compared in
/// parallel, level by level; the common case touches a few directories on one thread.
fn diff_index(
    repo: &gix::Repository,
    state: &Index,
    head: Option<ObjectId>,
    threads: usize,
) -> Result<Diff> {
    let n = state.len();
    let split = if threads > 1 { (n / 64).max(512) } else { 0 };
    let mut diff = Diff::default();
    let mut jobs = vec![Job {
        tree: head,
        prefix: Vec::new(),
        range: 0..n,
        cache: state.tree(),
    }];
    let mut pool = None;
    let mut sync = None;
    while !jobs.is_empty() {
        if jobs.len() == 1 || split == 0 {
            let w = Walker::new(repo, state, split);
            for j in jobs.drain(..) {
                w.dir(j.tree, &j.prefix, j.range, j.cache, &mut diff)?;
            }
            jobs = w.jobs.into_inner();
            continue;
        }
        if pool.is_none() {
            pool = Some(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()?,
            );
        }
        let sync: &gix::ThreadSafeRepository = sync.get_or_insert_with(|| repo.clone().into_sync());
        let pool = pool.as_ref().expect("pool built above");
        let results: Vec<Result<(Diff, Vec<Job<'_>>)>> = pool.install(|| {
            std::mem::take(&mut jobs)
                .into_par_iter()
                .map_init(
                    || sync.to_thread_local(),
                    |r, j| {
                        let w = Walker::new(r, state, split);
                        let mut d = Diff::default();
                        w.dir(j.tree, &j.prefix, j.range, j.cache, &mut d)?;
                        Ok((d, w.jobs.into_inner()))
                    },
                )
                .collect()
        });
        for r in results {
            let (d, more) = r?;
            diff.changes.extend(d.changes);
            diff.deleted.extend(d.deleted);
            diff.submodules.extend(d.submodules);
            diff.unmerged.extend(d.unmerged);
            diff.sparse_dirs.extend(d.sparse_dirs);
            jobs.extend(more);
        }
    }
    Ok(diff)
}

/// Cache-tree nodes below (and including) `t` that are invalid: a bound on the work left.
fn invalid_nodes(t: &gix::index::extension::Tree, limit: usize) -> usize {
    let mut n = usize::from(t.num_entries.is_none());
    for c in &t.children {
        if n > limit {
            break;
        }
        n += invalid_nodes(c, limit);
    }
    n
}

/// Merges index entries with tree entries, one directory at a time.
struct Walker<'r, 's> {
    repo: &'r gix::Repository,
    state: &'s Index,
    /// Subdirectories with at least this many entries become jobs (0: never).
    split: usize,
    jobs: std::cell::RefCell<Vec<Job<'s>>>,
}

impl<'r, 's> Walker<'r, 's> {
    fn new(repo: &'r gix::Repository, state: &'s Index, split: usize) -> Self {
        Walker {
            repo,
            state,
            split,
            jobs: Default::default(),
        }
    }

    fn path(&self, i: usize) -> &BStr {
        self.state.path(i)
    }

    /// First index in `range` whose path is not less than `key`.
    fn lower_bound(&self, range: &Range<usize>, key: &[u8]) -> usize {
        // Both sides are sorted, so the answer is nearly always where the cursor stands.
        if range.is_empty() || self.path(range.start).as_bytes() >= key {
            return range.start;
        }
        self.state.partition_point(range.clone(), |path| path < key)
    }

    /// The entries of `range` under directory `prefix` (which ends in `/`), from `from` on.
    fn dir_range(&self, range: &Range<usize>, from: usize, prefix: &[u8]) -> Range<usize> {
        let start = self.lower_bound(&(from..range.end), prefix);
        start
            ..self
                .state
                .partition_point(start..range.end, |path| path.starts_with(prefix))
    }

    /// Compares the index entries `range` (all under `prefix`) with the tree `tree`.
    fn dir(
        &self,
        tree: Option<ObjectId>,
        prefix: &[u8],
        range: Range<usize>,
        cache: Option<&'s gix::index::extension::Tree>,
        out: &mut Diff,
    ) -> Result<()> {
        if let (Some(t), Some(c)) = (tree, cache) {
            if c.num_entries.is_some() && c.id == t {
                return Ok(()); // Unchanged since the cache-tree was written.
            }
        }
        let Some(tree_id) = tree else {
            for i in range {
                self.added(i, out);
            }
            return Ok(());
        };
        let tree_obj = self
            .repo
            .find_tree(tree_id)
            .with_context(|| format!("cannot read tree {tree_id}"))?;
        let decoded = tree_obj.decode()?;
        let mut cursor = range.start;
        let mut key = Vec::with_capacity(prefix.len() + 64);
        for entry in &decoded.entries {
            key.clear();
            key.extend_from_slice(prefix);
            key.extend_from_slice(entry.filename);
            if entry.mode.is_tree() {
                key.push(b'/');
                let sub = self.dir_range(&range, cursor, &key);
                for i in cursor..sub.start {
                    self.added(i, out);
                }
                // A sparse-index directory entry stands for the whole directory.
                if sub.len() == 1 && self.state.mode(sub.start) == Mode::DIR {
                    if self.state.id(sub.start) != entry.oid {
                        out.sparse_dirs.push(self.path(sub.start).to_owned());
                    }
                } else if sub.is_empty() {
                    self.deleted_tree(entry.oid.to_owned(), &key, out)?;
                } else {
                    let child = cache.and_then(|c| {
                        c.children
                            .iter()
                            .find(|t| t.name.as_slice() == entry.filename.as_bytes())
                    });
                    let expensive = self.split > 0
                        && sub.len() >= self.split
                        && child.is_none_or(|c| invalid_nodes(c, 32) > 32);
                    if expensive {
                        self.jobs.borrow_mut().push(Job {
                            tree: Some(entry.oid.to_owned()),
                            prefix: key.clone(),
                            range: sub.clone(),
                            cache: child,
                        });
                    } else {
                        self.dir(Some(entry.oid.to_owned()), &key, sub.clone(), child, out)?;
                    }
                }
                cursor = cursor.max(sub.end);
                continue;
            }
            let pos = self.lower_bound(&(cursor..range.end), &key);
            for i in cursor..pos {
                self.added(i, out);
            }
            cursor = pos;
            // All stages of this path.
            let mut end = pos;
            while end < range.end && self.path(end).as_bytes() == key.as_slice() {
                end += 1;
            }
            if end == pos {
                if entry.mode.is_blob_or_symlink() {
                    out.deleted.push((key.clone().into(), entry.oid.to_owned()));
                }
                continue;
            }
            if end - pos > 1 || self.state.flags(pos).stage_raw() != 0 {
                out.unmerged.push(key.clone().into());
            } else if self.state.id(pos) != entry.oid {
                let old = entry
                    .mode
                    .is_blob_or_symlink()
                    .then(|| entry.oid.to_owned());
                self.changed(pos, old, out);
            }
            cursor = end;
        }
        for i in cursor..range.end {
            self.added(i, out);
        }
        Ok(())
    }

    /// Every blob of a tree that is gone from the index (only kept as rename sources).
    fn deleted_tree(&self, id: ObjectId, prefix: &[u8], out: &mut Diff) -> Result<()> {
        if out.deleted.len() > 10_000 {
            return Ok(());
        }
        let tree = self.repo.find_tree(id)?;
        for entry in &tree.decode()?.entries {
            let mut path = prefix.to_vec();
            path.extend_from_slice(entry.filename);
            if entry.mode.is_tree() {
                path.push(b'/');
                self.deleted_tree(entry.oid.to_owned(), &path, out)?;
            } else if entry.mode.is_blob() {
                out.deleted.push((path.into(), entry.oid.to_owned()));
            }
        }
        Ok(())
    }

    fn added(&self, i: usize, out: &mut Diff) {
        self.changed(i, None, out);
    }

    fn changed(&self, i: usize, old: Option<ObjectId>, out: &mut Diff) {
        let path = self.path(i).to_owned();
        let (flags, mode) = (self.state.flags(i), self.state.mode(i));
        if flags.stage_raw() != 0 {
            if out.unmerged.last().is_none_or(|p| *p != path) {
                out.unmerged.push(path);
            }
            return;
        }
        if flags.contains(Flags::INTENT_TO_ADD) {
            return; // `git add -N`: nothing staged yet.
        }
        if mode == Mode::COMMIT {
            out.submodules.push(path);
        } else if mode == Mode::DIR {
            out.sparse_dirs.push(path);
        } else {
            out.changes.push(Change {
                path,
                old,
                new: self.state.id(i),
            });
        }
    }
}
