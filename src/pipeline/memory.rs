//! How scans of whole histories hand memory back (glibc malloc; elsewhere nothing to do).
//!
//! A history scan allocates large, short-lived buffers: decoded blobs, batches of trees, the
//! delta tree of a pack. glibc raises its mmap threshold each time such a buffer is freed, so
//! later ones come from the arenas, whose freed pages mostly stay resident; a fixed threshold
//! keeps them mapped on their own, and each goes back to the system when it is freed.

/// Buffers at least this large get their own mapping.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: libc::c_int = 128 << 10;

/// Before a history scan or a sweep starts its threads.
pub(super) fn for_history_scans() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes a malloc setting; it takes no pointers.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
    }
}

/// After one repository of a sweep: glibc keeps freed memory in the arena of the thread that
/// used it, and a repository's scan threads exit with it, so without this every repository
/// leaves its peak behind in arenas the next scans, on new threads, may never reuse.
pub(super) fn return_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free heap pages to the system; it takes no pointers.
    unsafe {
        libc::malloc_trim(0);
    }
}
