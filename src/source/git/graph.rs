//! The commit graph of the scanned history: which commits, their trees and parents, and a
//! topological order (parents before children, older first among siblings).

use super::Warner;
use gix::hashtable::{HashMap, HashSet};
use gix::prelude::Find;
use gix::ObjectId;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

pub(crate) struct Graph {
    pub ids: Vec<ObjectId>,
    pub trees: Vec<ObjectId>,
    /// Indexes of parents present in the graph (missing and shallow parents are left out).
    pub parents: Vec<Vec<u32>>,
    /// Committer time, seconds since the epoch: orders siblings in the topological sort.
    pub time: Vec<i64>,
    /// False for boundary commits of a range (`A` side): kept for their trees only.
    pub selected: Vec<bool>,
}

/// Tree, parents and committer time of a commit; `Ok(None)` when the object is not a commit.
pub(crate) fn load_commit(
    repo: &gix::Repository,
    id: &ObjectId,
    buf: &mut Vec<u8>,
) -> Result<Option<(ObjectId, Vec<ObjectId>, i64)>, String> {
    let data = match repo.objects.try_find(id, buf) {
        Ok(Some(d)) => d,
        Ok(None) => return Err("object is missing".into()),
        Err(e) => return Err(e.to_string()),
    };
    if data.kind != gix::object::Kind::Commit {
        return Ok(None);
    }
    let c = gix::objs::CommitRef::from_bytes(data.data, repo.object_hash())
        .map_err(|e| e.to_string())?;
    let time = c.committer().map(|s| s.seconds()).unwrap_or(0);
    Ok(Some((c.tree(), c.parents().collect(), time)))
}

/// Every commit reachable from `tips`. Commits in `hidden` become unselected boundary nodes
/// (their trees are loaded, their history is not walked).
pub(crate) fn walk(
    repo: &gix::Repository,
    tips: &[ObjectId],
    hidden: &HashSet<ObjectId>,
    shallow: &HashSet<ObjectId>,
    warn: &Warner,
) -> Graph {
    let mut g = Graph {
        ids: Vec::new(),
        trees: Vec::new(),
        parents: Vec::new(),
        time: Vec::new(),
        selected: Vec::new(),
    };
    let mut index: HashMap<ObjectId, u32> = HashMap::default();
    let mut parent_ids: Vec<Vec<ObjectId>> = Vec::new();
    let mut seen: HashSet<ObjectId> = HashSet::default();
    let mut stack: Vec<ObjectId> = Vec::new();
    for t in tips {
        if seen.insert(*t) {
            stack.push(*t);
        }
    }
    let mut buf = Vec::new();
    while let Some(id) = stack.pop() {
        let (tree, parents, time) = match load_commit(repo, &id, &mut buf) {
            Ok(Some(c)) => c,
            Ok(None) => continue, // a tag pointing at a tree or blob
            Err(e) => {
                warn.object(&id, "commit", &e);
                continue;
            }
        };
        let boundary = hidden.contains(&id);
        let parents = if boundary || shallow.contains(&id) {
            Vec::new()
        } else {
            parents
        };
        for p in &parents {
            if seen.insert(*p) {
                stack.push(*p);
            }
        }
        index.insert(id, g.ids.len() as u32);
        g.ids.push(id);
        g.trees.push(tree);
        g.time.push(time);
        g.selected.push(!boundary);
        parent_ids.push(parents);
    }
    g.parents = parent_ids
        .into_iter()
        .map(|ps| ps.iter().filter_map(|p| index.get(p).copied()).collect())
        .collect();
    g
}

/// Every commit reachable from `tips` (ids only): the hidden side of a range.
pub(crate) fn ancestors(
    repo: &gix::Repository,
    tips: &[ObjectId],
    shallow: &HashSet<ObjectId>,
    warn: &Warner,
) -> HashSet<ObjectId> {
    let mut seen: HashSet<ObjectId> = HashSet::default();
    let mut stack: Vec<ObjectId> = tips.to_vec();
    seen.extend(tips.iter().copied());
    let mut buf = Vec::new();
    while let Some(id) = stack.pop() {
        match load_commit(repo, &id, &mut buf) {
            Ok(Some((_, parents, _))) if !shallow.contains(&id) => {
                for p in parents {
                    if seen.insert(p) {
                        stack.push(p);
                    }
                }
            }
            Ok(_) => {}
            Err(e) => warn.object(&id, "commit", &e),
        }
    }
    seen
}

impl Graph {
    /// Selected commits, parents before children; among commits ready at the same time the
    /// older (committer time) comes first, so "first introduced" means what a person expects.
    pub fn topo_order(&self) -> Vec<u32> {
        let n = self.ids.len();
        let mut children: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut pending = vec![0u32; n];
        for (c, waiting) in pending.iter_mut().enumerate() {
            if !self.selected[c] {
                continue;
            }
            for &p in &self.parents[c] {
                if self.selected[p as usize] {
                    children[p as usize].push(c as u32);
                    *waiting += 1;
                }
            }
        }
        let mut ready: BinaryHeap<Reverse<(i64, u32)>> = (0..n)
            .filter(|&c| self.selected[c] && pending[c] == 0)
            .map(|c| Reverse((self.time[c], c as u32)))
            .collect();
        let mut order = Vec::with_capacity(n);
        while let Some(Reverse((_, c))) = ready.pop() {
            order.push(c);
            for &ch in &children[c as usize] {
                pending[ch as usize] -= 1;
                if pending[ch as usize] == 0 {
                    ready.push(Reverse((self.time[ch as usize], ch)));
                }
            }
        }
        order
    }
}
