//! A pack file mapped for one read through it, whose pages are handed back as the read goes.
//!
//! A history scan reads every entry of a pack once. Mapped pages stay resident once touched,
//! so by the end of a large pack the whole file counts in the process's resident memory (the
//! largest part of the peak on a big history). Git bounds the same cost with pack windows
//! (`core.packedGitLimit`); here, each time another [`RELEASE_ENTRIES`] entries have been
//! read, the pages of the whole map are dropped from the process (`MADV_DONTNEED`). They stay
//! in the page cache: a page that is read again comes back with a minor fault, never a disk
//! read, and the map's contents never change.
//!
//! The period is counted in entries, not bytes: an entry is a few hundred bytes on average,
//! but the kernel maps the cached pages around each faulting one too (fault-around, 64 KiB
//! by default), so what an entry makes resident is bounded per entry, not by its size.

use memmap2::Mmap;
use std::ops::Deref;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Pack entries read between two releases of the map's pages. Fewer releases cost less
/// system time; more keep fewer pages resident.
const RELEASE_ENTRIES: u64 = 1024;

/// A read-only map of a pack file, shared by gix's pack reader and the [`Releaser`].
#[derive(Clone)]
pub(crate) struct PackMap(Arc<Mmap>);

impl PackMap {
    pub(crate) fn open(path: &Path) -> std::io::Result<PackMap> {
        let file = std::fs::File::open(path)?;
        // SAFETY: as gix maps packs: read-only, and git never rewrites a pack in place (a
        // repack writes new files under new names).
        let map = unsafe { Mmap::map(&file) }?;
        Ok(PackMap(Arc::new(map)))
    }
}

impl Deref for PackMap {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

/// Counts the pack entries read and releases the map's resident pages every
/// [`RELEASE_ENTRIES`].
pub(crate) struct Releaser {
    map: PackMap,
    read: AtomicU64,
}

impl Releaser {
    pub(crate) fn new(map: PackMap) -> Releaser {
        Releaser {
            map,
            read: AtomicU64::new(0),
        }
    }

    /// One more entry has been read (from any traversal thread). The first one also
    /// releases the pages gix touched before it: it reads every entry's header to build its
    /// delta tree, which touches every page of the pack.
    pub(crate) fn read(&self) {
        let before = self.read.fetch_add(1, Ordering::Relaxed);
        if before.is_multiple_of(RELEASE_ENTRIES) {
            self.release();
        }
    }

    #[cfg(unix)]
    fn release(&self) {
        // SAFETY: the map is a shared, read-only file mapping: MADV_DONTNEED only drops its
        // resident pages, and any later access, including through slices other threads hold
        // now, reads the same bytes again from the file. Failure only leaves pages resident.
        let _ = unsafe {
            self.map
                .0
                .unchecked_advise(memmap2::UncheckedAdvice::DontNeed)
        };
    }

    #[cfg(not(unix))]
    fn release(&self) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// Pages of the map resident in this process, from /proc/self/smaps.
    #[cfg(target_os = "linux")]
    fn resident_kib(map: &PackMap) -> u64 {
        let start = format!("{:x}-", map.as_ptr() as usize);
        let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap();
        let mut lines = smaps.lines().skip_while(|l| !l.starts_with(&start));
        lines.next().expect("the map is listed");
        lines
            .find_map(|l| l.strip_prefix("Rss:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap()
    }

    #[test]
    fn released_pages_leave_the_process_and_read_back_the_same() {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        let content: Vec<u8> = (0..(4 << 20)).map(|i| (i % 251) as u8).collect();
        file.write_all(&content).unwrap();
        let map = PackMap::open(file.path()).unwrap();
        let sum = |m: &PackMap| m.iter().map(|&b| b as u64).sum::<u64>();
        let want = sum(&map);
        let releaser = Releaser::new(map.clone());
        #[cfg(target_os = "linux")]
        assert!(resident_kib(&map) > 2048);
        releaser.read();
        #[cfg(target_os = "linux")]
        assert!(
            resident_kib(&map) < 64,
            "pages touched before the first entry are kept"
        );
        assert_eq!(sum(&map), want);
        for _ in 1..RELEASE_ENTRIES {
            releaser.read();
        }
        #[cfg(target_os = "linux")]
        assert!(resident_kib(&map) > 2048, "released too early");
        releaser.read();
        #[cfg(target_os = "linux")]
        assert!(
            resident_kib(&map) < 64,
            "pages still resident after the release"
        );
        assert_eq!(sum(&map), want);
        assert_eq!(&map[..], &content[..]);
    }
}
