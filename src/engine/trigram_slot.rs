//! Where a trigram sits in the open-addressed table build.rs makes of `trigrams.tsv`
//! (`TRIGRAM_SLOTS`, read by `anchor.rs`). Shared with build.rs (`#[path]`), so the table is
//! filled and probed with the same hash.

/// log2 of the number of slots: about three times the table's 3,000 trigrams, so a probe
/// rarely goes past its first slot.
pub const SLOT_BITS: u32 = 13;

/// A folded trigram as a table key: never 0 (folded bytes have bit 5 set), which marks an
/// empty slot.
pub fn trigram_key(t: [u8; 3]) -> u32 {
    u32::from_le_bytes([t[0], t[1], t[2], 0])
}

/// The first slot to probe for `key`; the next ones follow it, wrapping around.
pub fn trigram_slot(key: u32) -> usize {
    (key.wrapping_mul(0x9E37_79B1) >> (32 - SLOT_BITS)) as usize
}
