//! Reads every pack once, in pack order, resolving each delta from its already-decoded base
//! (gix's delta-tree traversal): no object is decompressed twice, which random access by id
//! cannot promise. Trees are recorded into the tree index, blobs are scanned on the spot;
//! reachability is decided afterwards from the recorded trees.
//!
//! The traversal threads share the tree index and the result map. Taking their locks once
//! per object made the threads queue on each other (perf: a fifth of the time in futex
//! wake-ups and task switches), so each thread batches its trees and results and hands
//! them over a batch at a time.

use super::attribution::TreeIndex;
use super::packmap::{PackMap, Releaser};
use super::{classify, BlobResult, Shared};
use crate::progress::Progress;
use gix::odb::pack;
use gix::ObjectId;
use std::sync::atomic::AtomicBool;
use std::sync::Mutex;

/// Packs with more objects than this in total are read by id instead (the delta tree costs
/// memory per object).
const MAX_PACKED_OBJECTS: u64 = 20_000_000;

/// Returns the scan result of every blob met in the packs, or None when the packs were not
/// traversed (too big, or none).
pub(crate) fn traverse<P: Send>(
    repo: &gix::Repository,
    shared: &Shared<'_, P>,
    index: &Mutex<TreeIndex>,
    threads: usize,
    progress: &Progress,
) -> Option<gix::hashtable::HashMap<ObjectId, BlobResult<P>>> {
    let dir = repo.objects.store_ref().path().join("pack");
    let hash = repo.object_hash();
    let mut packs = Vec::new();
    let mut total = 0u64;
    for e in std::fs::read_dir(&dir).ok()? {
        let Ok(e) = e else { continue };
        let path = e.path();
        if path.extension().is_some_and(|x| x == "idx") {
            match pack::index::File::at(&path, hash) {
                Ok(idx) => {
                    total += idx.num_objects() as u64;
                    packs.push((path, idx));
                }
                Err(err) => shared.stats.warn(
                    shared.warn.quiet,
                    format!(
                        "pack index {} unreadable ({err}); its objects are read by id",
                        path.display()
                    ),
                ),
            }
        }
    }
    if packs.is_empty() || total > MAX_PACKED_OBJECTS {
        return None;
    }
    // Every object of the packs is visited once (commits and trees too), so their count is
    // this pass's known total; bytes are those of the blobs scanned.
    progress.phase("pack objects", Some(total));
    let results: Mutex<gix::hashtable::HashMap<ObjectId, BlobResult<P>>> =
        Mutex::new(gix::hashtable::HashMap::default());
    let interrupt = AtomicBool::new(false);
    for (path, idx) in &packs {
        let pack_path = path.with_extension("pack");
        let opened = PackMap::open(&pack_path)
            .map_err(|e| e.to_string())
            .and_then(|map| {
                pack::data::File::from_data(map.clone(), pack_path.clone(), hash)
                    .map(|data| (data, map))
                    .map_err(|e| e.to_string())
            });
        let (data, map) = match opened {
            Ok(opened) => opened,
            Err(err) => {
                shared.stats.warn(
                    shared.warn.quiet,
                    format!(
                        "pack {} unreadable ({err}); its objects are read by id",
                        path.display()
                    ),
                );
                continue;
            }
        };
        // Where each entry ends, to check it against the CRC32 the index keeps: gix does not
        // notice an entry header whose size is wrong when object checksums are skipped (as
        // they are here, for speed), and would hand over zero-padded or truncated content.
        let mut ends = idx.sorted_offsets();
        ends.push(data.data_len().saturating_sub(hash.len_in_bytes()) as u64);
        let check = EntryCheck {
            data: &data,
            ends: &ends,
        };
        let releaser = Releaser::new(map);
        let releaser = &releaser;
        let warn = shared.warn;
        // gix clones the processor for each thread and drops the clones when done: each
        // clone has its own batch, flushed when full and when dropped.
        let mut batch = Batch {
            index,
            results: &results,
            hash,
            trees: Vec::new(),
            tree_data: Vec::new(),
            blobs: Vec::new(),
        };
        let processor = move |kind: gix::object::Kind,
                              bytes: &[u8],
                              entry: &pack::index::Entry,
                              _: &dyn gix::progress::Progress| {
            let intact = || {
                let ok = check.intact(entry);
                if !ok {
                    warn.object(&entry.oid, "object", "its pack entry fails its CRC32 check");
                }
                ok
            };
            releaser.read();
            let blob = kind == gix::object::Kind::Blob;
            progress.advance(1, if blob { bytes.len() as u64 } else { 0 });
            match kind {
                gix::object::Kind::Tree if intact() => batch.tree(entry.oid, bytes),
                gix::object::Kind::Blob if shared.known.is_some_and(|k| k.contains(&entry.oid)) => {
                    batch.blob(entry.oid, BlobResult::known(bytes.len() as u64));
                }
                gix::object::Kind::Blob => {
                    let r = if intact() {
                        classify(shared, bytes)
                    } else {
                        BlobResult::corrupt(bytes.len() as u64)
                    };
                    batch.blob(entry.oid, r);
                }
                _ => {}
            }
            Ok(())
        };
        let outcome = idx.traverse(
            &data,
            &mut gix::progress::Discard,
            &interrupt,
            processor,
            pack::index::traverse::Options {
                traversal: pack::index::traverse::Algorithm::DeltaTreeLookup,
                thread_limit: Some(threads.max(1)),
                check: pack::index::traverse::SafetyCheck::SkipFileAndObjectChecksumVerificationAndNoAbortOnDecodeError,
                alloc_limit_bytes: Some(
                    usize::try_from(super::alloc_limit(shared.max_file_size)).unwrap_or(usize::MAX),
                ),
                make_pack_lookup_cache: || pack::cache::Never,
            },
        );
        if let Err(err) = outcome {
            shared.stats.warn(
                shared.warn.quiet,
                format!(
                    "pack {} could not be fully read ({err}); missing objects are read by id",
                    path.display()
                ),
            );
        }
    }
    Some(results.into_inner().expect("results lock"))
}

/// Checks a pack entry's bytes against the CRC32 recorded in the index (version 2).
#[derive(Clone, Copy)]
struct EntryCheck<'a> {
    data: &'a pack::data::File<PackMap>,
    /// Sorted entry offsets, then the end of the last entry.
    ends: &'a [u64],
}

impl EntryCheck<'_> {
    fn intact(&self, entry: &pack::index::Entry) -> bool {
        let Some(want) = entry.crc32 else {
            return true; // version 1 indexes carry no CRC32
        };
        let next = self.ends.partition_point(|&o| o <= entry.pack_offset);
        let Some(&end) = self.ends.get(next) else {
            return false;
        };
        let len = end.saturating_sub(entry.pack_offset) as usize;
        if len == 0 || end as usize > self.data.data_len() {
            return false;
        }
        self.data.entry_crc32(entry.pack_offset, len) == want
    }
}

/// Trees and blob results one traversal thread has not handed over yet.
struct Batch<'a, P> {
    index: &'a Mutex<TreeIndex>,
    results: &'a Mutex<gix::hashtable::HashMap<ObjectId, BlobResult<P>>>,
    hash: gix::hash::Kind,
    /// (tree id, end of its data in `tree_data`)
    trees: Vec<(ObjectId, usize)>,
    tree_data: Vec<u8>,
    blobs: Vec<(ObjectId, BlobResult<P>)>,
}

/// Hand over after this many bytes of trees or this many blob results.
const BATCH_TREE_BYTES: usize = 1 << 20;
const BATCH_BLOBS: usize = 512;

impl<P> Batch<'_, P> {
    fn tree(&mut self, id: ObjectId, data: &[u8]) {
        self.tree_data.extend_from_slice(data);
        self.trees.push((id, self.tree_data.len()));
        if self.tree_data.len() >= BATCH_TREE_BYTES {
            self.flush_trees();
        }
    }

    fn blob(&mut self, id: ObjectId, r: BlobResult<P>) {
        self.blobs.push((id, r));
        if self.blobs.len() >= BATCH_BLOBS {
            self.flush_blobs();
        }
    }

    fn flush_trees(&mut self) {
        if self.trees.is_empty() {
            return;
        }
        let mut index = self.index.lock().expect("tree index lock");
        let mut start = 0;
        for &(id, end) in &self.trees {
            index.record(id, &self.tree_data[start..end], self.hash);
            start = end;
        }
        drop(index);
        self.trees.clear();
        self.tree_data.clear();
    }

    fn flush_blobs(&mut self) {
        if self.blobs.is_empty() {
            return;
        }
        self.results
            .lock()
            .expect("results lock")
            .extend(self.blobs.drain(..));
    }
}

impl<P> Clone for Batch<'_, P> {
    /// A new thread's processor: same destinations, empty batch.
    fn clone(&self) -> Self {
        Batch {
            index: self.index,
            results: self.results,
            hash: self.hash,
            trees: Vec::new(),
            tree_data: Vec::new(),
            blobs: Vec::new(),
        }
    }
}

impl<P> Drop for Batch<'_, P> {
    fn drop(&mut self) {
        self.flush_trees();
        self.flush_blobs();
    }
}
