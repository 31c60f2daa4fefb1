//! Which (path, blob) pairs a commit introduced: present in its tree at a path where no parent
//! had that same blob. Subtrees identical to a parent's are skipped by id, so the cost follows
//! what changed, not the size of the tree.

use super::Warner;
use gix::bstr::{BStr, BString, ByteSlice};
use gix::hashtable::{HashMap, HashSet};
use gix::prelude::Find;
use gix::ObjectId;
use std::sync::Arc;

pub(crate) struct Entry {
    pub name: BString,
    pub oid: ObjectId,
    pub tree: bool,
}

pub(crate) type Entries = Arc<[Entry]>;

/// A tree's entries as one view of the history sees them.
pub(crate) trait TreeSource {
    fn entries(&mut self, tree: ObjectId) -> Entries;
}

/// Raw entries of a tree: blobs and symlinks, and subtrees (submodules are left out).
fn read_tree(
    repo: &gix::Repository,
    id: &ObjectId,
    buf: &mut Vec<u8>,
    warn: &Warner,
) -> Vec<Entry> {
    let data = match repo.objects.try_find(id, buf) {
        Ok(Some(d)) if d.kind == gix::object::Kind::Tree => d,
        Ok(Some(d)) => {
            warn.object(id, "tree", &format!("expected a tree, found a {}", d.kind));
            return Vec::new();
        }
        Ok(None) => {
            warn.object(id, "tree", "object is missing");
            return Vec::new();
        }
        Err(e) => {
            warn.object(id, "tree", &e.to_string());
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for e in gix::objs::TreeRefIter::from_bytes(data.data, repo.object_hash()) {
        match e {
            Ok(e) if e.mode.is_tree() || e.mode.is_blob_or_symlink() => out.push(Entry {
                name: e.filename.to_owned(),
                oid: e.oid.to_owned(),
                tree: e.mode.is_tree(),
            }),
            Ok(_) => {}
            Err(err) => {
                warn.object(id, "tree", &err.to_string());
                break;
            }
        }
    }
    out
}

/// Where objects lie: packs by id and offset (loose objects first). Reading in this order
/// keeps delta bases hot in the pack cache, which is most of the cost of reading history.
pub(crate) struct Locator {
    odb: gix::OdbHandle,
    buf: Vec<u8>,
}

impl Locator {
    pub fn new(repo: &gix::Repository) -> Self {
        let mut odb = repo.objects.clone();
        odb.prevent_pack_unload();
        odb.ignore_replacements = true;
        Locator {
            odb,
            buf: Vec::new(),
        }
    }

    pub fn key(&mut self, id: &ObjectId) -> (u32, u64) {
        match gix::odb::pack::Find::location_by_oid(&*self.odb, id, &mut self.buf) {
            Ok(Some(l)) => (l.pack_id.saturating_add(1), l.pack_offset),
            _ => (0, 0),
        }
    }

    /// Sorts ids into pack order.
    pub fn sort(&mut self, ids: &mut [ObjectId]) {
        let mut keyed: Vec<((u32, u64), ObjectId)> =
            ids.iter().map(|id| (self.key(id), *id)).collect();
        keyed.sort_unstable();
        for (slot, (_, id)) in ids.iter_mut().zip(keyed) {
            *slot = id;
        }
    }
}

const TREE_BIT: u32 = 1 << 31;

/// Every tree reachable from the scanned commits, read once, and (while it fits in memory)
/// its entries in compact form: interned name, child index. Attribution then needs no
/// object reads at all.
///
/// The entries are the index's largest part (one per entry of every unique tree: tens of
/// millions on a long history, alive while the pack traversal's own delta tree is), so
/// each is stored as two LEB128 varints rather than two u32s: interned names and child
/// indices are mostly small numbers, and this takes about 5 bytes an entry instead of 8.
pub(crate) struct TreeIndex {
    tree_idx: HashMap<ObjectId, u32>,
    tree_oids: Vec<ObjectId>,
    /// Per tree: start in `entries` (bytes) and number of entries.
    spans: Vec<(usize, u32)>,
    /// Per entry, two varints: name index, then child index shifted left once with the low
    /// bit set for a tree (see [`encode_child`]).
    entries: Vec<u8>,
    /// How many entries `entries` holds (the budget counts entries, not bytes).
    entry_count: usize,
    names: Vec<BString>,
    /// foldhash (randomly seeded too), not SipHash: every entry of every tree is interned
    /// here, and SipHash alone was about 2% of a history scan in perf.
    name_idx: std::collections::HashMap<BString, u32, foldhash::fast::RandomState>,
    /// Unique blobs, in discovery order.
    pub blobs: Vec<ObjectId>,
    blob_idx: HashMap<ObjectId, u32>,
    /// False once the entries outgrew their budget (then trees are read again on demand).
    pub complete: bool,
    recorded: Vec<bool>,
    max_entries: usize,
}

impl TreeIndex {
    /// Reads every tree reachable from `roots`, level by level, each level in pack order.
    pub fn build(
        repo: &gix::Repository,
        roots: impl Iterator<Item = ObjectId>,
        max_entries: usize,
        warn: &Warner,
    ) -> TreeIndex {
        let mut ix = TreeIndex::new(max_entries);
        let mut locator = Locator::new(repo);
        let mut level: Vec<ObjectId> = Vec::new();
        for r in roots {
            if ix.add_tree(r).1 {
                level.push(r);
            }
        }
        let mut buf = Vec::new();
        while !level.is_empty() {
            locator.sort(&mut level);
            let mut next = Vec::new();
            for t in level {
                let ti = ix.tree_idx[&t] as usize;
                let data = match repo.objects.try_find(&t, &mut buf) {
                    Ok(Some(d)) if d.kind == gix::object::Kind::Tree => d,
                    Ok(Some(d)) => {
                        warn.object(&t, "tree", &format!("expected a tree, found a {}", d.kind));
                        continue;
                    }
                    Ok(None) => {
                        warn.object(&t, "tree", "object is missing");
                        continue;
                    }
                    Err(e) => {
                        warn.object(&t, "tree", &e.to_string());
                        continue;
                    }
                };
                let start = ix.entries.len();
                let count_before = ix.entry_count;
                for e in gix::objs::TreeRefIter::from_bytes(data.data, repo.object_hash()) {
                    let e = match e {
                        Ok(e) => e,
                        Err(err) => {
                            warn.object(&t, "tree", &err.to_string());
                            break;
                        }
                    };
                    let child = if e.mode.is_tree() {
                        let (i, new) = ix.add_tree(e.oid.to_owned());
                        if new {
                            next.push(e.oid.to_owned());
                        }
                        i | TREE_BIT
                    } else if e.mode.is_blob_or_symlink() {
                        let id = e.oid.to_owned();
                        let n = ix.blobs.len() as u32;
                        *ix.blob_idx.entry(id).or_insert_with(|| {
                            ix.blobs.push(id);
                            n
                        })
                    } else {
                        continue;
                    };
                    if ix.complete {
                        let name = match ix.name_idx.get(e.filename.as_bytes()) {
                            Some(&n) => n,
                            None => {
                                let n = ix.names.len() as u32;
                                ix.names.push(e.filename.to_owned());
                                ix.name_idx.insert(e.filename.to_owned(), n);
                                n
                            }
                        };
                        ix.push_entry(name, child);
                    }
                }
                if ix.complete {
                    ix.spans[ti] = (start, (ix.entry_count - count_before) as u32);
                    ix.recorded[ti] = true;
                    if ix.entry_count > max_entries {
                        ix.complete = false;
                        ix.recorded = Vec::new();
                        ix.entries = Vec::new();
                        ix.spans = Vec::new();
                        ix.names = Vec::new();
                        ix.name_idx = std::collections::HashMap::default();
                    }
                }
            }
            level = next;
        }
        ix
    }

    /// An empty index that trees are recorded into as a pack traversal meets them.
    pub fn new(max_entries: usize) -> TreeIndex {
        TreeIndex {
            tree_idx: HashMap::default(),
            tree_oids: Vec::new(),
            spans: Vec::new(),
            entries: Vec::new(),
            entry_count: 0,
            names: Vec::new(),
            name_idx: std::collections::HashMap::default(),
            blobs: Vec::new(),
            blob_idx: HashMap::default(),
            complete: true,
            recorded: Vec::new(),
            max_entries,
        }
    }

    /// Records a decoded tree (once). Returns false when the index outgrew its budget.
    pub fn record(&mut self, id: ObjectId, data: &[u8], hash: gix::hash::Kind) -> bool {
        if !self.complete {
            return false;
        }
        let ti = self.add_tree(id).0 as usize;
        if self.recorded[ti] {
            return true;
        }
        self.recorded[ti] = true;
        let start = self.entries.len();
        let count_before = self.entry_count;
        for e in gix::objs::TreeRefIter::from_bytes(data, hash) {
            let Ok(e) = e else { break };
            let child = if e.mode.is_tree() {
                self.add_tree(e.oid.to_owned()).0 | TREE_BIT
            } else if e.mode.is_blob_or_symlink() {
                self.add_blob(e.oid.to_owned())
            } else {
                continue;
            };
            let name = self.intern(e.filename);
            self.push_entry(name, child);
        }
        self.spans[ti] = (start, (self.entry_count - count_before) as u32);
        if self.entry_count > self.max_entries {
            self.complete = false;
            self.entries = Vec::new();
            self.spans = Vec::new();
            self.names = Vec::new();
            self.recorded = Vec::new();
            self.name_idx = std::collections::HashMap::default();
            return false;
        }
        true
    }

    /// Unique blobs reachable from `roots`, reading (and recording) trees the pack traversal
    /// did not meet, e.g. loose ones. Requires a complete index.
    pub fn reachable_blobs(
        &mut self,
        repo: &gix::Repository,
        roots: impl Iterator<Item = ObjectId>,
        warn: &Warner,
    ) -> Vec<ObjectId> {
        let mut seen_tree = vec![false; self.tree_oids.len()];
        let mut seen_blob = vec![false; self.blobs.len()];
        let mut out = Vec::new();
        let mut stack: Vec<u32> = Vec::new();
        let mut buf = Vec::new();
        for r in roots {
            let ti = self.add_tree(r).0;
            stack.push(ti);
        }
        while let Some(ti) = stack.pop() {
            let ti = ti as usize;
            if seen_tree.len() <= ti {
                seen_tree.resize(self.tree_oids.len(), false);
            }
            if seen_tree[ti] {
                continue;
            }
            seen_tree[ti] = true;
            if !self.recorded[ti] {
                let id = self.tree_oids[ti];
                match repo.objects.try_find(&id, &mut buf) {
                    Ok(Some(d)) if d.kind == gix::object::Kind::Tree => {
                        let data = d.data.to_vec();
                        self.record(id, &data, repo.object_hash());
                    }
                    Ok(Some(d)) => {
                        warn.object(&id, "tree", &format!("expected a tree, found a {}", d.kind))
                    }
                    Ok(None) => warn.object(&id, "tree", "object is missing"),
                    Err(e) => warn.object(&id, "tree", &e.to_string()),
                }
                if !self.complete {
                    return Vec::new();
                }
                self.recorded[ti] = true;
            }
            for (_, child) in self.entries_of(ti) {
                if child & TREE_BIT != 0 {
                    stack.push(child & !TREE_BIT);
                } else {
                    let b = child as usize;
                    if seen_blob.len() <= b {
                        seen_blob.resize(self.blobs.len(), false);
                    }
                    if !seen_blob[b] {
                        seen_blob[b] = true;
                        out.push(self.blobs[b]);
                    }
                }
            }
        }
        out
    }

    fn push_entry(&mut self, name: u32, child: u32) {
        push_varint(&mut self.entries, name);
        push_varint(&mut self.entries, encode_child(child));
        self.entry_count += 1;
    }

    /// The (name index, child index) entries of tree `ti`, decoded.
    fn entries_of(&self, ti: usize) -> impl Iterator<Item = (u32, u32)> + '_ {
        let (start, len) = self.spans[ti];
        let mut at = start;
        (0..len).map(move |_| {
            let name = read_varint(&self.entries, &mut at);
            let child = decode_child(read_varint(&self.entries, &mut at));
            (name, child)
        })
    }

    fn add_blob(&mut self, id: ObjectId) -> u32 {
        let n = self.blobs.len() as u32;
        let mut new = false;
        let i = *self.blob_idx.entry(id).or_insert_with(|| {
            new = true;
            n
        });
        if new {
            self.blobs.push(id);
        }
        i
    }

    fn intern(&mut self, name: &BStr) -> u32 {
        if let Some(&n) = self.name_idx.get(name.as_bytes()) {
            return n;
        }
        let n = self.names.len() as u32;
        self.names.push(name.to_owned());
        self.name_idx.insert(name.to_owned(), n);
        n
    }

    fn add_tree(&mut self, id: ObjectId) -> (u32, bool) {
        let n = self.tree_oids.len() as u32;
        let mut new = false;
        let i = *self.tree_idx.entry(id).or_insert_with(|| {
            new = true;
            n
        });
        if new {
            self.tree_oids.push(id);
            if self.complete {
                self.spans.push((0, 0));
                self.recorded.push(false);
            }
        }
        (i, new)
    }
}

/// A child index (blob index, or tree index | TREE_BIT) as a small number: the tree flag
/// moves to the low bit, so small indices of either kind stay one or two varint bytes.
fn encode_child(child: u32) -> u32 {
    ((child & !TREE_BIT) << 1) | u32::from(child & TREE_BIT != 0)
}

fn decode_child(code: u32) -> u32 {
    (code >> 1) | if code & 1 != 0 { TREE_BIT } else { 0 }
}

/// Appends `v` as LEB128: seven bits a byte, low bits first, high bit set on all but the last.
fn push_varint(out: &mut Vec<u8>, mut v: u32) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Reads the LEB128 value at `*at` (written by [`push_varint`]) and moves past it.
fn read_varint(bytes: &[u8], at: &mut usize) -> u32 {
    let mut v = 0u32;
    let mut shift = 0;
    loop {
        let b = bytes[*at];
        *at += 1;
        v |= u32::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return v;
        }
        shift += 7;
    }
}

/// Trees seen through a set of interesting blobs: an entry is kept only when it is one of
/// those blobs or a subtree holding one. Memoized per tree id, so every tree is read once.
pub(crate) struct HitTrees<'a> {
    repo: &'a gix::Repository,
    index: Option<&'a TreeIndex>,
    hits: &'a HashSet<ObjectId>,
    /// With a complete index: per blob index, whether it is a hit; per tree index, the
    /// memoized kept entries. Plain vectors: this walk visits every entry of every tree,
    /// and hashing an object id per entry was most of its time.
    hit_blobs: Vec<bool>,
    memo_ix: Vec<Option<Entries>>,
    memo: HashMap<ObjectId, Entries>,
    empty: Entries,
    buf: Vec<u8>,
    warn: &'a Warner<'a>,
}

impl<'a> HitTrees<'a> {
    pub fn new(
        repo: &'a gix::Repository,
        index: &'a TreeIndex,
        hits: &'a HashSet<ObjectId>,
        warn: &'a Warner<'a>,
    ) -> Self {
        let (mut hit_blobs, mut memo_ix) = (Vec::new(), Vec::new());
        if index.complete {
            hit_blobs = vec![false; index.blobs.len()];
            for h in hits {
                if let Some(&b) = index.blob_idx.get(h) {
                    hit_blobs[b as usize] = true;
                }
            }
            memo_ix = vec![None; index.tree_oids.len()];
        }
        HitTrees {
            repo,
            index: index.complete.then_some(index),
            hits,
            hit_blobs,
            memo_ix,
            memo: HashMap::default(),
            empty: Arc::from(Vec::new()),
            buf: Vec::new(),
            warn,
        }
    }
}

impl HitTrees<'_> {
    /// `kept` as shared entries; every empty list shares one allocation.
    fn shared(&self, kept: Vec<Entry>) -> Entries {
        if kept.is_empty() {
            self.empty.clone()
        } else {
            Arc::from(kept)
        }
    }

    /// The kept entries of tree `ti` of the complete index.
    fn indexed_entries(&mut self, ix: &TreeIndex, ti: u32) -> Entries {
        if let Some(e) = &self.memo_ix[ti as usize] {
            return e.clone();
        }
        let mut kept = Vec::new();
        for (name, child) in ix.entries_of(ti as usize) {
            let is_tree = child & TREE_BIT != 0;
            let keep = if is_tree {
                !self.indexed_entries(ix, child & !TREE_BIT).is_empty()
            } else {
                self.hit_blobs[child as usize]
            };
            if keep {
                kept.push(Entry {
                    name: ix.names[name as usize].clone(),
                    oid: if is_tree {
                        ix.tree_oids[(child & !TREE_BIT) as usize]
                    } else {
                        ix.blobs[child as usize]
                    },
                    tree: is_tree,
                });
            }
        }
        let v = self.shared(kept);
        self.memo_ix[ti as usize] = Some(v.clone());
        v
    }
}

impl TreeSource for HitTrees<'_> {
    fn entries(&mut self, tree: ObjectId) -> Entries {
        if let Some(ix) = self.index {
            return match ix.tree_idx.get(&tree) {
                Some(&ti) => self.indexed_entries(ix, ti),
                None => self.empty.clone(),
            };
        }
        if let Some(e) = self.memo.get(&tree) {
            return e.clone();
        }
        let mut kept = Vec::new();
        for e in read_tree(self.repo, &tree, &mut self.buf, self.warn) {
            let keep = if e.tree {
                !self.entries(e.oid).is_empty()
            } else {
                self.hits.contains(&e.oid)
            };
            if keep {
                kept.push(e);
            }
        }
        let v = self.shared(kept);
        self.memo.insert(tree, v.clone());
        v
    }
}

/// How many fully read trees a range scan keeps at most.
const FULL_TREES_MEMO: usize = 20_000;

/// Trees with every entry (range scans, where any changed blob is a candidate).
pub(crate) struct FullTrees<'a> {
    repo: &'a gix::Repository,
    memo: HashMap<ObjectId, Entries>,
    buf: Vec<u8>,
    warn: &'a Warner<'a>,
}

impl<'a> FullTrees<'a> {
    pub fn new(repo: &'a gix::Repository, warn: &'a Warner<'a>) -> Self {
        FullTrees {
            repo,
            memo: HashMap::default(),
            buf: Vec::new(),
            warn,
        }
    }
}

impl TreeSource for FullTrees<'_> {
    fn entries(&mut self, tree: ObjectId) -> Entries {
        if let Some(e) = self.memo.get(&tree) {
            return e.clone();
        }
        let v: Entries = Arc::from(read_tree(self.repo, &tree, &mut self.buf, self.warn));
        // Bounded: a long range would otherwise keep every tree of its history in memory.
        if self.memo.len() >= FULL_TREES_MEMO {
            self.memo.clear();
        }
        self.memo.insert(tree, v.clone());
        v
    }
}

/// One (path, blob) a commit introduced, with the blob each parent had at that path.
pub(crate) struct Introduced {
    pub path: BString,
    pub blob: ObjectId,
    pub parent_blobs: Vec<Option<ObjectId>>,
}

/// Looks entries up by name: a map for big trees, a scan for small ones.
enum Lookup<'e> {
    Small(&'e [Entry]),
    Big(std::collections::HashMap<&'e BStr, &'e Entry>),
}

impl<'e> Lookup<'e> {
    fn new(entries: &'e [Entry]) -> Self {
        if entries.len() <= 16 {
            Lookup::Small(entries)
        } else {
            Lookup::Big(entries.iter().map(|e| (e.name.as_bstr(), e)).collect())
        }
    }

    fn get(&self, name: &BStr) -> Option<&'e Entry> {
        match self {
            Lookup::Small(es) => es.iter().find(|e| e.name == name),
            Lookup::Big(m) => m.get(name).copied(),
        }
    }
}

/// Walks `g`'s commits oldest first and calls `f(position, commit, introduced)` for every
/// (path, blob) a commit introduced: the one walk both full and range attribution need.
pub(crate) fn for_each_introduction(
    g: &super::graph::Graph,
    src: &mut impl TreeSource,
    mut f: impl FnMut(usize, u32, Introduced),
) {
    let mut out = Vec::new();
    let mut prefix = BString::default();
    for (pos, &c) in g.topo_order().iter().enumerate() {
        let parents: Vec<Option<ObjectId>> = g.parents[c as usize]
            .iter()
            .map(|&p| Some(g.trees[p as usize]))
            .collect();
        out.clear();
        introduced(src, g.trees[c as usize], &parents, &mut prefix, &mut out);
        for i in out.drain(..) {
            f(pos, c, i);
        }
    }
}

/// Appends to `out` what `tree` holds that none of `parents` holds at the same path.
pub(crate) fn introduced(
    src: &mut impl TreeSource,
    tree: ObjectId,
    parents: &[Option<ObjectId>],
    prefix: &mut BString,
    out: &mut Vec<Introduced>,
) {
    if parents.contains(&Some(tree)) {
        return;
    }
    let entries = src.entries(tree);
    if entries.is_empty() {
        return;
    }
    let parent_entries: Vec<Option<Entries>> =
        parents.iter().map(|p| p.map(|t| src.entries(t))).collect();
    let lookups: Vec<Option<Lookup<'_>>> = parent_entries
        .iter()
        .map(|p| p.as_deref().map(Lookup::new))
        .collect();
    let base = prefix.len();
    for e in entries.iter() {
        let in_parents: Vec<Option<&Entry>> = lookups
            .iter()
            .map(|l| l.as_ref().and_then(|l| l.get(e.name.as_bstr())))
            .collect();
        if !prefix.is_empty() {
            prefix.push(b'/');
        }
        prefix.extend_from_slice(&e.name);
        if e.tree {
            let sub: Vec<Option<ObjectId>> = in_parents
                .iter()
                .map(|p| p.filter(|p| p.tree).map(|p| p.oid))
                .collect();
            introduced(src, e.oid, &sub, prefix, out);
        } else {
            let parent_blobs: Vec<Option<ObjectId>> = in_parents
                .iter()
                .map(|p| p.filter(|p| !p.tree).map(|p| p.oid))
                .collect();
            if !parent_blobs.contains(&Some(e.oid)) {
                out.push(Introduced {
                    path: prefix.clone(),
                    blob: e.oid,
                    parent_blobs,
                });
            }
        }
        prefix.truncate(base);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_through_their_varint_encoding() {
        let children = [
            0,
            1,
            63,
            64,
            127,
            128,
            16_383,
            16_384,
            1 << 30,
            TREE_BIT - 1,
        ];
        let mut bytes = Vec::new();
        let mut want = Vec::new();
        for (i, &c) in children.iter().enumerate() {
            for child in [c, c | TREE_BIT] {
                let name = (i as u32) << (3 * i);
                push_varint(&mut bytes, name);
                push_varint(&mut bytes, encode_child(child));
                want.push((name, child));
            }
        }
        push_varint(&mut bytes, u32::MAX);
        let mut at = 0;
        for &(name, child) in &want {
            assert_eq!(read_varint(&bytes, &mut at), name);
            assert_eq!(decode_child(read_varint(&bytes, &mut at)), child);
        }
        assert_eq!(read_varint(&bytes, &mut at), u32::MAX);
        assert_eq!(at, bytes.len());
        // Small indices of either kind take one byte.
        let mut one = Vec::new();
        push_varint(&mut one, encode_child(5 | TREE_BIT));
        assert_eq!(one.len(), 1);
    }
}
