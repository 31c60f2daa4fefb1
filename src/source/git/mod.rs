//! Git history source (`scan --git`). Every unique blob reachable from the scanned refs is
//! read once and scanned in parallel; only blobs with hits are then attributed to the commit
//! and path that first introduced them (topological order, merges included), which is far
//! cheaper than diffing every commit. Range scans (`--range A..B`, `--since-commit`) instead
//! diff the range's commits and report only secrets on lines those commits added or changed.
//!
//! The repository is opened isolated (no system/user config, no environment) and only its
//! object database and refs are read: no worktree, no filters, no hooks.

mod attribution;
mod graph;
mod packscan;

use crate::cli::ScanTarget;
use crate::finding::{CommitInfo, Finding, Hit, Location};
use crate::progress::Progress;
use crate::scanner::Scanner;
use crate::source::{decode, linediff, Stats};
use anyhow::{anyhow, bail, Context, Result};
use attribution::{for_each_introduction, FullTrees, HitTrees};
use gix::bstr::{BString, ByteSlice};
use gix::hashtable::{HashMap, HashSet};
use gix::prelude::{Find, Header};
use gix::ObjectId;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

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

/// Scans every unique blob reachable from the target's refs once and attributes findings.
pub fn scan(
    target: &ScanTarget,
    scanner: &Scanner,
    stats: &Stats,
    max_file_size: u64,
) -> Result<Vec<Finding>> {
    if target.paths.len() > 1 {
        bail!(
            "--git scans one repository; {} paths given",
            target.paths.len()
        );
    }
    let dir = target
        .paths
        .first()
        .cloned()
        .unwrap_or_else(|| PathBuf::from("."));
    let repo = open(&dir)?;
    let warn = Warner {
        stats,
        quiet: target.quiet,
        seen: Mutex::new(HashSet::default()),
    };
    let shallow: HashSet<ObjectId> = match repo.shallow_commits() {
        Ok(Some(commits)) => {
            let set: HashSet<ObjectId> = commits.iter().copied().collect();
            stats.warn(
                target.quiet,
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
    let range = match (&target.range, &target.since_commit) {
        (Some(r), _) => Some(parse_range(&repo, r)?),
        (None, Some(rev)) => Some(parse_range(&repo, &format!("{rev}..HEAD"))?),
        (None, None) => None,
    };
    let ctx = Ctx {
        repo: &repo,
        scanner,
        stats,
        warn: &warn,
        shallow: &shallow,
        max_file_size,
        threads: crate::commands::scan::threads(target),
        quiet: target.quiet,
    };
    let found = match range {
        Some((hide, tip)) => scan_range(&ctx, &hide, tip)?,
        None => {
            let tips = match &target.branch {
                Some(b) => vec![resolve(&repo, b)?],
                None => all_tips(&repo, &warn)?,
            };
            scan_history(&ctx, &tips)
        }
    };
    Ok(finish(found, target.all_locations))
}

struct Ctx<'a> {
    repo: &'a gix::Repository,
    scanner: &'a Scanner,
    stats: &'a Stats,
    warn: &'a Warner<'a>,
    shallow: &'a HashSet<ObjectId>,
    max_file_size: u64,
    threads: usize,
    quiet: bool,
}

/// Opens the repository at `dir` or above it, ignoring system, user and environment config:
/// nothing in a scanned repository can make us run a program.
fn open(dir: &std::path::Path) -> Result<gix::Repository> {
    let opts = gix::open::Options::isolated().config_overrides(["core.deltaBaseCacheLimit=128m"]);
    let mut repo = gix::discover_opts(dir, Default::default(), opts)
        .with_context(|| format!("{}: not a git repository", dir.display()))?;
    repo.object_cache_size_if_unset(4 * 1024 * 1024);
    Ok(repo)
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

/// Scans `blobs` (unique ids) in parallel; returns the hits of blobs that have any.
fn scan_blobs(ctx: &Ctx, blobs: &[ObjectId]) -> HashMap<ObjectId, Vec<Hit>> {
    let mut sorted = blobs.to_vec();
    attribution::Locator::new(ctx.repo).sort(&mut sorted);
    let blobs = &sorted[..];
    let progress = Progress::new(ctx.quiet, "blobs");
    let sync = ctx.repo.clone().into_sync();
    let next = AtomicUsize::new(0);
    let found: Mutex<HashMap<ObjectId, Vec<Hit>>> = Mutex::new(HashMap::default());
    let shared = Shared {
        scanner: ctx.scanner,
        stats: ctx.stats,
        warn: ctx.warn,
        max_file_size: ctx.max_file_size,
    };
    let shared = &shared;
    let chunk = (blobs.len() / (ctx.threads.max(1) * 16)).clamp(16, 512);
    std::thread::scope(|s| {
        for _ in 0..ctx.threads.max(1) {
            s.spawn(|| {
                let repo = sync.to_thread_local();
                let mut buf = Vec::new();
                let mut local: Vec<(ObjectId, Vec<Hit>)> = Vec::new();
                loop {
                    let start = next.fetch_add(chunk, Ordering::Relaxed);
                    if start >= blobs.len() {
                        break;
                    }
                    for id in &blobs[start..(start + chunk).min(blobs.len())] {
                        if let Some(hits) = scan_one(shared, &repo, id, &mut buf, &progress) {
                            local.push((*id, hits));
                        }
                    }
                }
                if !local.is_empty() {
                    found.lock().expect("hits lock").extend(local);
                }
            });
        }
    });
    progress.finish();
    found.into_inner().expect("hits lock")
}

/// What the scanning threads share (the repository handle is per thread).
pub(crate) struct Shared<'a> {
    pub scanner: &'a Scanner,
    pub stats: &'a Stats,
    pub warn: &'a Warner<'a>,
    pub max_file_size: u64,
}

/// What scanning one blob found: its size, how it was treated, its hits.
pub(crate) struct BlobResult {
    len: u64,
    kind: BlobKind,
    hits: Vec<Hit>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum BlobKind {
    Scanned,
    Decoded,
    Binary,
    Large,
}

/// Scans one blob's bytes (content only; no stats are counted here).
pub(crate) fn classify(ctx: &Shared, bytes: &[u8]) -> BlobResult {
    let len = bytes.len() as u64;
    let mut r = BlobResult {
        len,
        kind: BlobKind::Large,
        hits: Vec::new(),
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
        decode::Text::Scan(b) => r.hits = ctx.scanner.hits(&b),
    }
    r
}

/// Counts a scanned blob in the summary.
fn account(stats: &Stats, r: &BlobResult) {
    match r.kind {
        BlobKind::Large => Stats::add(&stats.skipped_large, 1),
        BlobKind::Binary => Stats::add(&stats.skipped_binary, 1),
        BlobKind::Scanned | BlobKind::Decoded => {
            if r.kind == BlobKind::Decoded {
                Stats::add(&stats.decoded, 1);
            }
            Stats::add(&stats.files, 1);
            Stats::add(&stats.bytes, r.len);
        }
    }
}

fn scan_one(
    ctx: &Shared,
    repo: &gix::Repository,
    id: &ObjectId,
    buf: &mut Vec<u8>,
    progress: &Progress,
) -> Option<Vec<Hit>> {
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
    progress.advance(data.data.len() as u64);
    let r = classify(ctx, data.data);
    account(ctx.stats, &r);
    (!r.hits.is_empty()).then_some(r.hits)
}

/// Tree entries kept in memory for attribution (8 bytes each); beyond this, trees holding
/// hits are read again instead.
const MAX_INDEXED_ENTRIES: usize = 48 << 20;

/// The tree-entry budget; `KEYSWEEP_GIT_MAX_TREE_ENTRIES` overrides it (tests use it to
/// exercise the read-again path). `KEYSWEEP_GIT_NO_PACK_TRAVERSAL` reads every object by id.
fn max_indexed_entries() -> usize {
    std::env::var("KEYSWEEP_GIT_MAX_TREE_ENTRIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(MAX_INDEXED_ENTRIES)
}

/// A finding before dedup: where it was introduced, in topological position `pos`.
struct Placed {
    pos: usize,
    finding: Finding,
}

/// Whole history: scan every unique blob, then attribute only the blobs with hits.
fn scan_history(ctx: &Ctx, tips: &[ObjectId]) -> Vec<Placed> {
    let t0 = std::time::Instant::now();
    let g = graph::walk(ctx.repo, tips, &HashSet::default(), ctx.shallow, ctx.warn);
    let t1 = std::time::Instant::now();
    let (index, hits, blob_count) = blobs_of(ctx, &g);
    let t3 = std::time::Instant::now();
    let mut placed = Vec::new();
    if !hits.is_empty() {
        let hit_ids: HashSet<ObjectId> = hits.keys().copied().collect();
        let mut src = HitTrees::new(ctx.repo, &index, &hit_ids, ctx.warn);
        let mut first: std::collections::HashMap<(BString, ObjectId), (usize, u32)> =
            std::collections::HashMap::new();
        for_each_introduction(&g, &mut src, |pos, c, i| {
            first.entry((i.path, i.blob)).or_insert((pos, c));
        });
        let mut infos = CommitInfos::default();
        for ((path, blob), (pos, c)) in first {
            let path = path.to_str_lossy();
            let commit = infos.get(ctx, g.ids[c as usize]);
            for f in ctx
                .scanner
                .findings(hits[&blob].clone(), &path, commit.as_ref())
            {
                placed.push(Placed { pos, finding: f });
            }
        }
    }
    if std::env::var_os("KEYSWEEP_GIT_TIMINGS").is_some() {
        eprintln!(
            "keysweep: git timings: walk {} commits {:.2}s, read trees and scan {} unique blobs {:.2}s, attribution {:.2}s",
            g.ids.len(),
            (t1 - t0).as_secs_f64(),
            blob_count,
            (t3 - t1).as_secs_f64(),
            t3.elapsed().as_secs_f64()
        );
    }
    placed
}

/// Every unique blob reachable from the graph's trees, scanned: by one pass over each pack
/// when possible, by id otherwise (and for loose objects). Returns the tree index (for
/// attribution), the hits by blob, and how many unique blobs there were.
fn blobs_of(
    ctx: &Ctx,
    g: &graph::Graph,
) -> (attribution::TreeIndex, HashMap<ObjectId, Vec<Hit>>, usize) {
    let shared = Shared {
        scanner: ctx.scanner,
        stats: ctx.stats,
        warn: ctx.warn,
        max_file_size: ctx.max_file_size,
    };
    if g.ids.is_empty() {
        return (attribution::TreeIndex::new(0), HashMap::default(), 0);
    }
    let progress = Progress::new(ctx.quiet, "blobs");
    let max_entries = max_indexed_entries();
    let index = std::sync::Mutex::new(attribution::TreeIndex::new(max_entries));
    let packed = if std::env::var_os("KEYSWEEP_GIT_NO_PACK_TRAVERSAL").is_some() {
        None
    } else {
        packscan::traverse(ctx.repo, &shared, &index, ctx.threads, &progress)
    };
    progress.finish();
    let mut index = index.into_inner().expect("tree index lock");
    if let Some(mut packed) = packed.filter(|_| index.complete) {
        let reachable = index.reachable_blobs(ctx.repo, g.trees.iter().copied(), ctx.warn);
        if index.complete {
            let mut hits = HashMap::default();
            let mut rest = Vec::new();
            for id in &reachable {
                match packed.remove(id) {
                    Some(r) => {
                        account(ctx.stats, &r);
                        if !r.hits.is_empty() {
                            hits.insert(*id, r.hits);
                        }
                    }
                    None => rest.push(*id),
                }
            }
            drop(packed);
            hits.extend(scan_blobs(ctx, &rest));
            return (index, hits, reachable.len());
        }
    }
    // Read by id: trees level by level, then blobs, each in pack order.
    let index =
        attribution::TreeIndex::build(ctx.repo, g.trees.iter().copied(), max_entries, ctx.warn);
    let hits = scan_blobs(ctx, &index.blobs);
    let n = index.blobs.len();
    (index, hits, n)
}

/// Where a range first introduced a (path, blob): topological position, commit index, and
/// the blob each parent had at that path.
type RangeIntro = (usize, u32, Vec<Option<ObjectId>>);

/// A range: content introduced by commits reachable from `tip` but not from `hide`, and
/// only secrets on lines those commits added or changed.
fn scan_range(ctx: &Ctx, hide: &[ObjectId], tip: ObjectId) -> Result<Vec<Placed>> {
    let hidden = graph::ancestors(ctx.repo, hide, ctx.shallow, ctx.warn);
    let g = graph::walk(ctx.repo, &[tip], &hidden, ctx.shallow, ctx.warn);
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
    let hits = scan_blobs(ctx, &blobs);
    let mut placed = Vec::new();
    let mut infos = CommitInfos::default();
    let mut buf = Vec::new();
    for ((path, blob), (pos, c, parent_blobs)) in first {
        let Some(blob_hits) = hits.get(&blob) else {
            continue;
        };
        let Some(new) = read_text(ctx.repo, &blob, &mut buf) else {
            continue;
        };
        // Lines added relative to every parent: for a merge, what the resolution added.
        let mut added = Vec::new();
        for pb in &parent_blobs {
            let old = match pb {
                Some(id) => read_text(ctx.repo, id, &mut buf).unwrap_or_default(),
                None => Vec::new(),
            };
            added.push(linediff::added_lines(&old, &new));
        }
        let kept: Vec<Hit> = blob_hits
            .iter()
            .filter(|h| {
                added
                    .iter()
                    .all(|a| linediff::touches(a, h.line, h.end_line))
            })
            .cloned()
            .collect();
        if kept.is_empty() {
            continue;
        }
        let path = path.to_str_lossy();
        let commit = infos.get(ctx, g.ids[c as usize]);
        for f in ctx.scanner.findings(kept, &path, commit.as_ref()) {
            placed.push(Placed { pos, finding: f });
        }
    }
    Ok(placed)
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
    fn get(&mut self, ctx: &Ctx, id: ObjectId) -> Option<CommitInfo> {
        self.cache
            .entry(id)
            .or_insert_with(|| commit_info(ctx.repo, id))
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

/// One finding per fingerprint (rule, path, secret): the earliest introduction in topological
/// order. Then each finding learns how many other paths hold the same secret (and which,
/// with `--all-locations`).
fn finish(mut placed: Vec<Placed>, all_locations: bool) -> Vec<Finding> {
    placed.sort_by(|a, b| {
        (
            a.pos,
            &a.finding.path,
            a.finding.hit.line,
            a.finding.hit.column,
        )
            .cmp(&(
                b.pos,
                &b.finding.path,
                b.finding.hit.line,
                b.finding.hit.column,
            ))
    });
    let mut seen = std::collections::HashSet::new();
    let mut findings: Vec<Finding> = placed
        .into_iter()
        .map(|p| p.finding)
        .filter(|f| seen.insert(f.fingerprint.clone()))
        .collect();
    let mut groups: std::collections::HashMap<(String, String), Vec<usize>> =
        std::collections::HashMap::new();
    for (i, f) in findings.iter().enumerate() {
        groups
            .entry((f.hit.rule_id.clone(), f.hit.secret.clone()))
            .or_default()
            .push(i);
    }
    for members in groups.values() {
        if members.len() < 2 {
            continue;
        }
        let locs: Vec<Location> = members
            .iter()
            .map(|&i| Location {
                path: findings[i].path.clone(),
                line: findings[i].hit.line,
                commit: findings[i].commit.clone(),
            })
            .collect();
        for (k, &i) in members.iter().enumerate() {
            findings[i].other_locations = members.len() - 1;
            if all_locations {
                findings[i].locations = locs
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != k)
                    .map(|(_, l)| l.clone())
                    .collect();
            }
        }
    }
    findings
}
