//! Reads every pack once, in pack order, resolving each delta from its already-decoded base
//! (gix's delta-tree traversal): no object is decompressed twice, which random access by id
//! cannot promise. Trees are recorded into the tree index, blobs are scanned on the spot;
//! reachability is decided afterwards from the recorded trees.

use super::attribution::TreeIndex;
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
pub(crate) fn traverse(
    repo: &gix::Repository,
    shared: &Shared,
    index: &Mutex<TreeIndex>,
    threads: usize,
    progress: &Progress,
) -> Option<gix::hashtable::HashMap<ObjectId, BlobResult>> {
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
    let results: Mutex<gix::hashtable::HashMap<ObjectId, BlobResult>> =
        Mutex::new(gix::hashtable::HashMap::default());
    let interrupt = AtomicBool::new(false);
    for (path, idx) in &packs {
        let data = match pack::data::File::at(path.with_extension("pack"), hash) {
            Ok(d) => d,
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
        let processor = |kind: gix::object::Kind,
                         bytes: &[u8],
                         entry: &pack::index::Entry,
                         _: &dyn gix::progress::Progress| {
            match kind {
                gix::object::Kind::Tree => {
                    index
                        .lock()
                        .expect("tree index lock")
                        .record(entry.oid, bytes, hash);
                }
                gix::object::Kind::Blob => {
                    progress.advance(bytes.len() as u64);
                    let r = classify(shared, bytes);
                    results.lock().expect("results lock").insert(entry.oid, r);
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
                alloc_limit_bytes: None,
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
