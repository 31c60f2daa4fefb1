//! Git history source (`scan --git`). Every unique blob reachable from the scanned refs is
//! read once and scanned in parallel; only blobs with hits are then attributed to the commit
//! and path that first introduced them (topological order, merges included), which is far
//! cheaper than diffing every commit. Range scans (`--range A..B`, `--since-commit`) instead
//! diff the range's commits and report only secrets on lines those commits added or changed.
//!
//! The repository is opened isolated (no system/user config, no environment) and only its
//! object database and refs are read: no worktree, no filters, no hooks.
//!
//! The source knows nothing about rules: it hands each unique blob's text to an `inspect`
//! callback, keeps whatever the callback returns for the blobs it cares about (the payload,
//! e.g. their hits), and then says where each of those blobs was introduced.

mod attribution;
mod base;
mod graph;
mod packmap;
mod packscan;

pub use base::{file_at_range_base, AtBase};

use crate::pathfilter::PathFilter;
use crate::progress::Progress;
use crate::source::{decode, linediff, CommitInfo, Origin, Stats};
use anyhow::{anyhow, bail, Context, Result};
use attribution::{for_each_introduction, FullTrees, HitTrees};
use gix::bstr::{BString, ByteSlice};
use gix::hashtable::{HashMap, HashSet};
use gix::prelude::{Find, Header};
use gix::ObjectId;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Which history to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Every ref (branches, tags, remotes, stash; not notes) and HEAD.
    All,
    /// Only what is reachable from this revision.
    Branch(String),
    /// `A..B`: only content the commits in the range introduced, and only its new lines.
    Range(String),
}

pub struct HistoryOptions {
    /// The repository (or a directory inside it).
    pub repo: PathBuf,
    pub selection: Selection,
    /// Introductions at these (repository-relative) paths are dropped.
    pub exclude: PathFilter,
    pub max_file_size: u64,
    pub threads: usize,
    pub quiet: bool,
    /// Print how long each phase took (`--timings`).
    pub timings: bool,
}

/// What a history scan found: the payload of every blob `inspect` kept, and each place such a
/// blob was introduced (index into `payloads`, origin with path, commit and order).
pub struct History<P> {
    pub payloads: Vec<P>,
    /// The blob each payload was kept for (same order as `payloads`).
    pub payload_blobs: Vec<ObjectId>,
    pub places: Vec<(usize, Origin)>,
    /// Incremental scans ([`scan_incremental`]): every blob reachable from the scanned refs,
    /// and how many of them were known already and so not scanned. Empty otherwise.
    pub reachable: Vec<ObjectId>,
    pub skipped_known: usize,
}

/// Blob ids, e.g. those an earlier sweep has scanned already.
pub type BlobSet = HashSet<ObjectId>;

/// Reports a corrupt or missing object once, by id, and lets the scan go on.
pub(crate) struct Warner<'a> {
    stats: &'a Stats,
    pub quiet: bool,
    seen: Mutex<HashSet<ObjectId>>,
}

impl Warner<'_> {
    pub fn object(&self, id: &ObjectId, what: &str, msg: &str) {
        let first = self.seen.lock().map(|mut s| s.insert(*id)).unwrap_or(true);
        if first {
            self.stats.warn(
                self.quiet,
                format!("{what} {id} could not be read ({msg}); skipped"),
            );
        }
    }
}

/// Scans every unique blob of the selected history once with `inspect`, then attributes the
/// blobs it kept to the commits and paths that introduced them. `progress` is told each
/// phase, with its total once the graph walk has made it known.
pub fn scan<P: Send>(
    opts: &HistoryOptions,
    stats: &Stats,
    progress: &Progress,
    inspect: &(dyn Fn(&[u8]) -> Option<P> + Sync),
) -> Result<History<P>> {
    scan_with(opts, None, stats, progress, inspect)
}

/// Like [`scan`] of every ref, but the blobs in `known` are not scanned (an earlier sweep
/// has), and the result lists every reachable blob, so the caller can tell which of the
/// blobs it knew are gone (a force-push, a deleted branch).
pub fn scan_incremental<P: Send>(
    opts: &HistoryOptions,
    known: &BlobSet,
    stats: &Stats,
    progress: &Progress,
    inspect: &(dyn Fn(&[u8]) -> Option<P> + Sync),
) -> Result<History<P>> {
    if opts.selection != Selection::All {
        bail!("an incremental scan covers every ref");
    }
    scan_with(opts, Some(known), stats, progress, inspect)
}

fn scan_with<P: Send>(
    opts: &HistoryOptions,
    known: Option<&BlobSet>,
    stats: &Stats,
    progress: &Progress,
    inspect: &(dyn Fn(&[u8]) -> Option<P> + Sync),
) -> Result<History<P>> {
    let dir = &opts.repo;
    let repo = open(dir, alloc_limit(opts.max_file_size))?;
    let warn = Warner {
        stats,
        quiet: opts.quiet,
        seen: Mutex::new(HashSet::default()),
    };
    let shallow: HashSet<ObjectId> = match repo.shallow_commits() {
        Ok(Some(commits)) => {
            let set: HashSet<ObjectId> = commits.iter().copied().collect();
            stats.warn(
                opts.quiet,
                format!(
                    "{} is a shallow clone: history beyond {} boundary commit(s) is missing and was not scanned",
                    dir.display(),
                    set.len()
                ),
            );
            set
        }
        _ => HashSet::default(),
    };
    let ctx = Ctx {
        repo: &repo,
        inspect,
        stats,
        warn: &warn,
        shallow: &shallow,
        opts,
        progress,
        known,
    };
    match &opts.selection {
        Selection::Range(r) => {
            let (hide, tip) = parse_range(&repo, r)?;
            scan_range(&ctx, &hide, tip)
        }
        Selection::Branch(_) | Selection::All => {
            // The refs and the commit graph are read through a handle of their own, dropped
            // before the pack traversal: its object database maps the pack and its index a
            // second time (the traversal maps its own), and those pages (the whole index,
            // the commits' part of the pack) would otherwise stay resident through the scan.
            let walker = open(dir, alloc_limit(opts.max_file_size))?;
            let tips = match &opts.selection {
                Selection::Branch(b) => vec![resolve(&walker, b)?],
                _ => all_tips(&walker, &warn)?,
            };
            ctx.progress.activity("walking the commit graph");
            let t0 = std::time::Instant::now();
            let g = graph::walk(&walker, &tips, &HashSet::default(), &shallow, &warn);
            drop(walker);
            Ok(scan_history(&ctx, g, t0.elapsed()))
        }
    }
}

struct Ctx<'a, P> {
    repo: &'a gix::Repository,
    inspect: &'a (dyn Fn(&[u8]) -> Option<P> + Sync),
    stats: &'a Stats,
    warn: &'a Warner<'a>,
    shallow: &'a HashSet<ObjectId>,
    opts: &'a HistoryOptions,
    progress: &'a Progress,
    /// Blobs not to scan (incremental scans).
    known: Option<&'a BlobSet>,
}

impl<P> Ctx<'_, P> {
    fn shared(&self) -> Shared<'_, P> {
        Shared {
            inspect: self.inspect,
            stats: self.stats,
            warn: self.warn,
            max_file_size: self.opts.max_file_size,
            known: self.known,
        }
    }

    fn threads(&self) -> usize {
        self.opts.threads.max(1)
    }
}

/// The least of the most one object read from a repository may allocate (see
/// [`alloc_limit`]).
const MIN_ALLOC_LIMIT: u64 = 256 << 20;

/// The most one object read from a repository may allocate. An object's header (pack entry
/// or loose) can declare any size, and gix allocates and zero-fills what it declares: a
/// corrupt or hostile entry claiming a terabyte aborted the scan, one claiming 20 GB would
/// fill memory, and one claiming just under a 1 GiB limit still cost 2 GiB of RSS while it
/// was filled and inflated (both found by the git fuzz target). Blobs beyond `--max-file-size`
/// are skipped anyway; the floor keeps trees, commits and delta bases of large blobs decoding. An object past it is a warning naming it, like any unreadable object.
pub(crate) fn alloc_limit(max_file_size: u64) -> u64 {
    // gix reads the setting as a signed 64-bit integer.
    max_file_size.clamp(MIN_ALLOC_LIMIT, i64::MAX as u64)
}

/// Opens the repository at `dir` or above it, ignoring system, user and environment config:
/// nothing in a scanned repository can make us run a program. No object may allocate more
/// than `alloc_limit` bytes.
fn open(dir: &std::path::Path, alloc_limit: u64) -> Result<gix::Repository> {
    let opts = gix::open::Options::isolated().config_overrides([
        "core.deltaBaseCacheLimit=128m".to_string(),
        format!("gitoxide.objects.allocLimit={alloc_limit}"),
    ]);
    let mut repo = gix::discover_opts(dir, Default::default(), opts)
        .with_context(|| format!("{}: not a git repository", dir.display()))?;
    repo.object_cache_size_if_unset(4 * 1024 * 1024);
    Ok(repo)
}

/// Every ref (as [`Selection::All`] scans them, and `HEAD`) with the object it points at,
/// sorted by name: what a sweep remembers to notice that nothing changed, or that a ref was
/// moved back or deleted. The repository is opened isolated, as for a scan.
pub fn ref_tips(dir: &std::path::Path) -> Result<Vec<(String, ObjectId)>> {
    let repo = open(dir, MIN_ALLOC_LIMIT)?;
    let mut tips = Vec::new();
    let platform = repo.references()?;
    for r in platform.all()? {
        let Ok(mut r) = r else { continue };
        let name = r.name().as_bstr().to_str_lossy().into_owned();
        if name.starts_with("refs/notes/") {
            continue;
        }
        if let Ok(id) = r.peel_to_id() {
            tips.push((name, id.detach()));
        }
    }
    if let Ok(id) = repo.head_id() {
        tips.push(("HEAD".to_string(), id.detach()));
    }
    tips.sort();
    Ok(tips)
}

/// Peels a revision to a commit id.
fn resolve(repo: &gix::Repository, rev: &str) -> Result<ObjectId> {
    let spec = format!("{rev}^{{commit}}");
    let id = repo
        .rev_parse_single(spec.as_str())
        .map_err(|e| anyhow!("cannot resolve {rev:?} to a commit: {e}"))?;
    Ok(id.detach())
}

/// `A..B` (either side may be empty, meaning HEAD) into (A, B).
fn parse_range(repo: &gix::Repository, range: &str) -> Result<(Vec<ObjectId>, ObjectId)> {
    let (a, b) = range
        .split_once("..")
        .ok_or_else(|| anyhow!("--range wants A..B, got {range:?}"))?;
    if b.starts_with('.') {
        bail!("--range wants A..B (symmetric A...B is not supported), got {range:?}");
    }
    let side = |s: &str| {
        if s.is_empty() {
            "HEAD".to_string()
        } else {
            s.to_string()
        }
    };
    Ok((vec![resolve(repo, &side(a))?], resolve(repo, &side(b))?))
}

/// Tips of every ref (branches, tags, remotes, stash; not notes) and HEAD.
fn all_tips(repo: &gix::Repository, warn: &Warner) -> Result<Vec<ObjectId>> {
    let mut tips = Vec::new();
    let platform = repo.references()?;
    for r in platform.all()? {
        let mut r = match r {
            Ok(r) => r,
            Err(e) => {
                warn.stats
                    .warn(warn.quiet, format!("unreadable reference skipped: {e}"));
                continue;
            }
        };
        if r.name().as_bstr().starts_with(b"refs/notes/") {
            continue;
        }
        match r.peel_to_id() {
            Ok(id) => tips.push(id.detach()),
            Err(e) => warn.stats.warn(
                warn.quiet,
                format!("reference {} skipped: {e}", r.name().as_bstr()),
            ),
        }
    }
    if let Ok(id) = repo.head_id() {
        tips.push(id.detach());
    }
    tips.sort();
    tips.dedup();
    Ok(tips)
}

/// Scans `blobs` (unique ids) in parallel; returns the payloads of the blobs kept.
fn scan_blobs<P: Send>(ctx: &Ctx<P>, blobs: &[ObjectId]) -> HashMap<ObjectId, P> {
    let mut sorted = blobs.to_vec();
    attribution::Locator::new(ctx.repo).sort(&mut sorted);
    let blobs = &sorted[..];
    let progress = ctx.progress;
    progress.phase("blobs", Some(blobs.len() as u64));
    let sync = ctx.repo.clone().into_sync();
    let next = AtomicUsize::new(0);
    let found: Mutex<HashMap<ObjectId, P>> = Mutex::new(HashMap::default());
    let shared = ctx.shared();
    let shared = &shared;
    let chunk = (blobs.len() / (ctx.threads() * 16)).clamp(16, 512);
    std::thread::scope(|s| {
        for _ in 0..ctx.threads() {
            s.spawn(|| {
                let repo = sync.to_thread_local();
                let mut buf = Vec::new();
                let mut local: Vec<(ObjectId, P)> = Vec::new();
                loop {
                    let start = next.fetch_add(chunk, Ordering::Relaxed);
                    if start >= blobs.len() {
                        break;
                    }
                    for id in &blobs[start..(start + chunk).min(blobs.len())] {
                        let found = scan_one(shared, &repo, id, &mut buf, progress);
                        progress.advance(1, 0);
                        if let Some(p) = found {
                            local.push((*id, p));
                        }
                    }
                }
                if !local.is_empty() {
                    found.lock().expect("hits lock").extend(local);
                }
            });
        }
    });
    found.into_inner().expect("hits lock")
}

/// What the scanning threads share (the repository handle is per thread).
pub(crate) struct Shared<'a, P> {
    pub inspect: &'a (dyn Fn(&[u8]) -> Option<P> + Sync),
    pub stats: &'a Stats,
    pub warn: &'a Warner<'a>,
    pub max_file_size: u64,
    /// Blobs an earlier sweep scanned: read (a pack pass must decode them for their
    /// deltas) but not scanned again.
    pub known: Option<&'a BlobSet>,
}

/// What scanning one blob found: its size, how it was treated, the payload kept.
pub(crate) struct BlobResult<P> {
    len: u64,
    kind: BlobKind,
    payload: Option<P>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum BlobKind {
    Scanned,
    Decoded,
    Binary,
    Large,
    /// Its pack entry failed its checksum: not scanned (a warning names it).
    Corrupt,
    /// Scanned by an earlier sweep (see [`Shared::known`]): neither scanned nor counted.
    Known,
}

impl<P> BlobResult<P> {
    fn corrupt(len: u64) -> Self {
        BlobResult {
            len,
            kind: BlobKind::Corrupt,
            payload: None,
        }
    }

    pub(crate) fn known(len: u64) -> Self {
        BlobResult {
            len,
            kind: BlobKind::Known,
            payload: None,
        }
    }
}

/// Scans one blob's bytes (content only; no stats are counted here).
pub(crate) fn classify<P>(ctx: &Shared<P>, bytes: &[u8]) -> BlobResult<P> {
    let len = bytes.len() as u64;
    let mut r = BlobResult {
        len,
        kind: BlobKind::Large,
        payload: None,
    };
    if len > ctx.max_file_size {
        return r;
    }
    let text = decode::prepare(bytes);
    r.kind = if decode::is_decoded(&text) {
        BlobKind::Decoded
    } else {
        BlobKind::Scanned
    };
    match text {
        decode::Text::Binary => r.kind = BlobKind::Binary,
        decode::Text::Scan(b) => r.payload = (ctx.inspect)(&b),
    }
    r
}

/// Counts a scanned blob in the summary.
fn account<P>(stats: &Stats, r: &BlobResult<P>) {
    match r.kind {
        BlobKind::Large => Stats::add(&stats.skipped_large, 1),
        BlobKind::Binary => Stats::add(&stats.skipped_binary, 1),
        BlobKind::Corrupt => Stats::add(&stats.skipped_unreadable, 1),
        BlobKind::Known => {}
        BlobKind::Scanned | BlobKind::Decoded => {
            if r.kind == BlobKind::Decoded {
                Stats::add(&stats.decoded, 1);
            }
            Stats::add(&stats.files, 1);
            Stats::add(&stats.bytes, r.len);
        }
    }
}

fn scan_one<P>(
    ctx: &Shared<P>,
    repo: &gix::Repository,
    id: &ObjectId,
    buf: &mut Vec<u8>,
    progress: &Progress,
) -> Option<P> {
    match repo.objects.try_header(id) {
        Ok(Some(h)) if h.size() > ctx.max_file_size => {
            Stats::add(&ctx.stats.skipped_large, 1);
            return None;
        }
        Ok(Some(_)) => {}
        Ok(None) => {
            ctx.warn.object(id, "blob", "object is missing");
            Stats::add(&ctx.stats.skipped_unreadable, 1);
            return None;
        }
        Err(e) => {
            ctx.warn.object(id, "blob", &e.to_string());
            Stats::add(&ctx.stats.skipped_unreadable, 1);
            return None;
        }
    }
    let data = match repo.objects.try_find(id, buf) {
        Ok(Some(d)) => d,
        Ok(None) => {
            ctx.warn.object(id, "blob", "object is missing");
            Stats::add(&ctx.stats.skipped_unreadable, 1);
            return None;
        }
        Err(e) => {
            ctx.warn.object(id, "blob", &e.to_string());
            Stats::add(&ctx.stats.skipped_unreadable, 1);
            return None;
        }
    };
    progress.advance(0, data.data.len() as u64);
    let r = classify(ctx, data.data);
    account(ctx.stats, &r);
    r.payload
}

/// Tree entries kept in memory for attribution (about 5 bytes each, at most 10); beyond
/// this, trees holding hits are read again instead.
const MAX_INDEXED_ENTRIES: usize = 48 << 20;

/// Payloads in a dense vector and the places that point into it.
struct Collector<P> {
    index: HashMap<ObjectId, usize>,
    history: History<P>,
}

impl<P> Collector<P> {
    fn new(mut kept: HashMap<ObjectId, P>) -> Self {
        let mut index = HashMap::default();
        let mut payloads = Vec::with_capacity(kept.len());
        let mut ids: Vec<ObjectId> = kept.keys().copied().collect();
        ids.sort();
        let mut ids_kept = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(p) = kept.remove(&id) {
                index.insert(id, payloads.len());
                payloads.push(p);
                ids_kept.push(id);
            }
        }
        Collector {
            index,
            history: History {
                payloads,
                payload_blobs: ids_kept,
                places: Vec::new(),
                reachable: Vec::new(),
                skipped_known: 0,
            },
        }
    }

    fn place(&mut self, blob: &ObjectId, origin: Origin) {
        if let Some(&i) = self.index.get(blob) {
            self.history.places.push((i, origin));
        }
    }
}

/// A git path as reported (lossy UTF-8), unless the options exclude it.
fn kept_path<P>(ctx: &Ctx<P>, path: &BString) -> Option<String> {
    let path = path.to_str_lossy().into_owned();
    (!ctx.opts.exclude.matches_file(&path)).then_some(path)
}

fn origin(path: String, commit: Option<CommitInfo>, order: usize) -> Origin {
    Origin {
        repo_path: Some(path.clone()),
        path,
        commit,
        changed_lines: None,
        order,
    }
}

/// Whole history: scan every unique blob, then attribute only the blobs kept.
/// `g` is the graph already walked (in `walk_time`).
fn scan_history<P: Send>(
    ctx: &Ctx<P>,
    g: graph::Graph,
    walk_time: std::time::Duration,
) -> History<P> {
    let t1 = std::time::Instant::now();
    let Blobs {
        index,
        kept,
        count: blob_count,
        reachable,
        skipped_known,
    } = blobs_of(ctx, &g);
    let t3 = std::time::Instant::now();
    let kept_ids: HashSet<ObjectId> = kept.keys().copied().collect();
    let mut out = Collector::new(kept);
    out.history.reachable = reachable;
    out.history.skipped_known = skipped_known;
    if !kept_ids.is_empty() {
        let mut src = HitTrees::new(ctx.repo, &index, &kept_ids, ctx.warn);
        let mut first: std::collections::HashMap<(BString, ObjectId), (usize, u32)> =
            std::collections::HashMap::new();
        for_each_introduction(&g, &mut src, |pos, c, i| {
            first.entry((i.path, i.blob)).or_insert((pos, c));
        });
        let mut infos = CommitInfos::default();
        for ((path, blob), (pos, c)) in first {
            let Some(path) = kept_path(ctx, &path) else {
                continue;
            };
            let commit = infos.get(ctx.repo, g.ids[c as usize]);
            out.place(&blob, origin(path, commit, pos));
        }
    }
    if ctx.opts.timings {
        crate::progress::eprintln_above(&format!(
            "keysweep: git timings: walk {} commits {:.2}s, read trees and scan {} unique blobs {:.2}s, attribution {:.2}s",
            g.ids.len(),
            walk_time.as_secs_f64(),
            blob_count,
            (t3 - t1).as_secs_f64(),
            t3.elapsed().as_secs_f64()
        ));
    }
    out.history
}

/// What [`blobs_of`] found.
struct Blobs<P> {
    /// The tree index, for attribution.
    index: attribution::TreeIndex,
    /// Payloads by blob.
    kept: HashMap<ObjectId, P>,
    /// How many unique blobs are reachable.
    count: usize,
    /// Incremental scans: the reachable blobs, and how many were known (not scanned).
    reachable: Vec<ObjectId>,
    skipped_known: usize,
}

/// Every unique blob reachable from the graph's trees, scanned (except known ones): by one
/// pass over each pack when possible, by id otherwise (and for loose objects).
fn blobs_of<P: Send>(ctx: &Ctx<P>, g: &graph::Graph) -> Blobs<P> {
    let shared = ctx.shared();
    let mut out = Blobs {
        index: attribution::TreeIndex::new(0),
        kept: HashMap::default(),
        count: 0,
        reachable: Vec::new(),
        skipped_known: 0,
    };
    if g.ids.is_empty() {
        return out;
    }
    let is_known = |id: &ObjectId| ctx.known.is_some_and(|k| k.contains(id));
    let max_entries = MAX_INDEXED_ENTRIES;
    let index = std::sync::Mutex::new(attribution::TreeIndex::new(max_entries));
    let packed = packscan::traverse(ctx.repo, &shared, &index, ctx.threads(), ctx.progress);
    let mut index = index.into_inner().expect("tree index lock");
    if let Some(mut packed) = packed.filter(|_| index.complete) {
        let reachable = index.reachable_blobs(ctx.repo, g.trees.iter().copied(), ctx.warn);
        if index.complete {
            let mut rest = Vec::new();
            for id in &reachable {
                match packed.remove(id) {
                    Some(r) => {
                        if r.kind == BlobKind::Known {
                            out.skipped_known += 1;
                        }
                        account(ctx.stats, &r);
                        if let Some(p) = r.payload {
                            out.kept.insert(*id, p);
                        }
                    }
                    None if is_known(id) => out.skipped_known += 1,
                    None => rest.push(*id),
                }
            }
            drop(packed);
            out.kept.extend(scan_blobs(ctx, &rest));
            out.count = reachable.len();
            if ctx.known.is_some() {
                out.reachable = reachable;
            }
            out.index = index;
            return out;
        }
    }
    // Read by id: trees level by level, then blobs, each in pack order.
    let index =
        attribution::TreeIndex::build(ctx.repo, g.trees.iter().copied(), max_entries, ctx.warn);
    let unknown: Vec<ObjectId> = index
        .blobs
        .iter()
        .filter(|id| !is_known(id))
        .copied()
        .collect();
    out.skipped_known = index.blobs.len() - unknown.len();
    out.kept = scan_blobs(ctx, &unknown);
    out.count = index.blobs.len();
    if ctx.known.is_some() {
        out.reachable = index.blobs.clone();
    }
    out.index = index;
    out
}

/// Where a range first introduced a (path, blob): topological position, commit index, and
/// the blob each parent had at that path.
type RangeIntro = (usize, u32, Vec<Option<ObjectId>>);

/// A range: content introduced by commits reachable from `tip` but not from `hide`; each
/// place is restricted to the lines those commits added or changed.
fn scan_range<P: Send>(ctx: &Ctx<P>, hide: &[ObjectId], tip: ObjectId) -> Result<History<P>> {
    ctx.progress.activity("walking the commit graph");
    let hidden = graph::ancestors(ctx.repo, hide, ctx.shallow, ctx.warn);
    let g = graph::walk(ctx.repo, &[tip], &hidden, ctx.shallow, ctx.warn);
    ctx.progress
        .activity("comparing the range's commits with their parents");
    let mut src = FullTrees::new(ctx.repo, ctx.warn);
    let mut first: std::collections::HashMap<(BString, ObjectId), RangeIntro> =
        std::collections::HashMap::new();
    for_each_introduction(&g, &mut src, |pos, c, i| {
        first
            .entry((i.path, i.blob))
            .or_insert((pos, c, i.parent_blobs));
    });
    drop(src);
    let mut blobs: Vec<ObjectId> = first.keys().map(|(_, b)| *b).collect();
    blobs.sort();
    blobs.dedup();
    let mut out = Collector::new(scan_blobs(ctx, &blobs));
    let mut infos = CommitInfos::default();
    let mut buf = Vec::new();
    for ((path, blob), (pos, c, parent_blobs)) in first {
        if !out.index.contains_key(&blob) {
            continue;
        }
        let Some(path) = kept_path(ctx, &path) else {
            continue;
        };
        let Some(new) = read_text(ctx.repo, &blob, &mut buf) else {
            continue;
        };
        // Lines added relative to every parent: for a merge, what the resolution added.
        let mut added: Option<Vec<std::ops::RangeInclusive<usize>>> = None;
        for pb in &parent_blobs {
            let old = match pb {
                Some(id) => read_text(ctx.repo, id, &mut buf).unwrap_or_default(),
                None => Vec::new(),
            };
            let lines = linediff::added_lines(&old, &new);
            added = Some(match added {
                None => lines,
                Some(prev) => linediff::intersect(&prev, &lines),
            });
        }
        let added = added.unwrap_or_else(|| linediff::added_lines(&[], &new));
        if added.is_empty() {
            continue;
        }
        let commit = infos.get(ctx.repo, g.ids[c as usize]);
        let mut o = origin(path, commit, pos);
        o.changed_lines = Some(added);
        out.place(&blob, o);
    }
    Ok(out.history)
}

/// A blob's text as the scanner saw it (UTF-16 decoded), or None when binary or unreadable.
fn read_text(repo: &gix::Repository, id: &ObjectId, buf: &mut Vec<u8>) -> Option<Vec<u8>> {
    let data = repo.objects.try_find(id, buf).ok()??;
    match decode::prepare(data.data) {
        decode::Text::Scan(b) => Some(b.into_owned()),
        decode::Text::Binary => None,
    }
}

/// Commit metadata, read once per attributed commit.
#[derive(Default)]
struct CommitInfos {
    cache: HashMap<ObjectId, Option<CommitInfo>>,
}

impl CommitInfos {
    fn get(&mut self, repo: &gix::Repository, id: ObjectId) -> Option<CommitInfo> {
        self.cache
            .entry(id)
            .or_insert_with(|| commit_info(repo, id))
            .clone()
    }
}

fn commit_info(repo: &gix::Repository, id: ObjectId) -> Option<CommitInfo> {
    let mut buf = Vec::new();
    let data = repo.objects.try_find(&id, &mut buf).ok()??;
    let c = gix::objs::CommitRef::from_bytes(data.data, repo.object_hash()).ok()?;
    let author = c.author().ok()?;
    let time = author.time().unwrap_or_default();
    let summary = c
        .message
        .lines()
        .next()
        .map(|l| l.to_str_lossy().trim().to_string())
        .unwrap_or_default();
    Some(CommitInfo {
        id: id.to_string(),
        author_name: author.name.to_str_lossy().trim().to_string(),
        author_email: author.email.to_str_lossy().trim().to_string(),
        date: crate::timefmt::rfc3339(time.seconds, time.offset),
        summary,
    })
}
