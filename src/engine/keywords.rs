//! The keyword prefilter: finds every occurrence of every keyword, ASCII-case-insensitively,
//! in one pass over the raw bytes, whatever the number of keywords.
//!
//! The filter looks at 4-byte windows of the text at every even position: each window,
//! case-folded, is hashed into a 2 Mbit table (256 KiB) in which the bit of every keyword
//! window is set. A clear bit — nearly every window — proves that no keyword lies there. A
//! set bit is checked against the windows stored under it, and a matching window against
//! its whole keyword. Because only every other position is tested, a keyword of five bytes
//! or more enters two consecutive windows of itself (the pair whose trigrams are rarest in
//! real code, see `anchor.rs`), so that one of them falls on an even position.
//!
//! The cost per byte is a load, an OR, a multiply, a shift and a bit test for every other
//! byte, independent of the number of keywords, which is what a many-keyword pack needs;
//! with AVX2, eight windows are hashed and their table words gathered at once. Measured with
//! `cargo bench --bench engine` on the same 126 keywords, in one run: this filter 1.71
//! GiB/s, aho-corasick's packed Teddy (fast only with about 12 patterns, so the pack takes
//! ten passes) 620 MiB/s, the aho-corasick automaton (no SIMD prefilter) 272 MiB/s.
//!
//! Case folding is `byte | 0x20`, which lower-cases ASCII letters and maps a few other
//! bytes onto each other (`_` and DEL, `[` and `{`, control bytes and punctuation). Folding
//! only ever merges bytes, so a real occurrence always passes the filter; the full,
//! case-insensitive comparison afterwards rejects the merged look-alikes.
//!
//! Keywords of three or four bytes are entered with every folded value (128) of the unknown
//! byte next to them, so a window at an even position still holds them. Keywords of one or
//! two bytes would fill the table: they are searched separately with `memchr` on their
//! least common byte.

use super::anchor;

/// log2 of the table size in bits: 2^21 bits = 256 KiB, half of a core's L2 on the machines
/// measured. Nearly every set bit met in real code is a collision, not a keyword, so the
/// share of set slots is what the check after the bit test costs. The pack enters about
/// 22,000 windows (mostly the expansions of its 131 keywords of three or four bytes): 2% of
/// 2^20 slots, 1% of 2^21. A table filling the whole L2 (2^22) was slower with the smaller
/// pack; the figures are in the README.
const TABLE_BITS: u32 = 21;
/// The table is read in 32-bit words (the unit of the AVX2 gather).
const WORDS: usize = 1 << (TABLE_BITS - 5);
/// Gram entries are grouped by the top bits of their slot, for the check after a set bit.
const GROUP_SHIFT: u32 = 6;
const GROUPS: usize = 1 << (TABLE_BITS - GROUP_SHIFT);
const FOLD: u32 = 0x2020_2020;

/// Hash of a folded 4-byte window: the top `TABLE_BITS` bits of a multiplicative hash.
#[inline(always)]
fn slot(gram: u32) -> u32 {
    gram.wrapping_mul(0x9E37_79B1) >> (32 - TABLE_BITS)
}

/// The folded byte values (bit 5 set): what an unknown byte next to a keyword can fold to.
fn folded_bytes() -> impl Iterator<Item = u32> {
    (0u32..=255).filter(|b| b & 0x20 != 0)
}

fn gram_of(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]]) | FOLD
}

/// One gram to look for: the keyword would start `offset` bytes before the window (or
/// after it, when negative: the window begins with a byte in front of the keyword).
#[derive(Clone, Copy)]
struct GramEntry {
    gram: u32,
    keyword: u32,
    offset: i32,
}

pub struct KeywordSearch {
    keywords: Vec<Vec<u8>>,
    /// One bit per hash slot: set when some keyword gram hashes there.
    table: Box<[u32; WORDS]>,
    /// Gram entries sorted by group; `group_start[g]..group_start[g + 1]` are group g's.
    entries: Vec<GramEntry>,
    group_start: Vec<u32>,
    /// Keywords of one or two bytes: (keyword, offset of its rarest byte).
    short: Vec<(usize, usize)>,
}

impl KeywordSearch {
    /// `keywords` must be lower-case, distinct and non-empty.
    pub fn build(keywords: Vec<Vec<u8>>) -> KeywordSearch {
        let mut entries = Vec::new();
        let mut short = Vec::new();
        // No entry is entered twice: the entries of one keyword differ in offset or in the
        // unknown byte, and those of two keywords in the keyword.
        for (k, kw) in keywords.iter().enumerate() {
            let mut add = |gram: u32, offset: i32| {
                entries.push(GramEntry {
                    gram,
                    keyword: k as u32,
                    offset,
                })
            };
            // Windows are tested at even positions only. Whatever the parity of a keyword's
            // start, one of the windows entered here lies at an even position.
            match kw.len() {
                0 => {}
                1 | 2 => short.push((k, rarest_byte(kw))),
                3 => {
                    // At an even start: the keyword and any byte after it; at an odd one:
                    // any byte before it and the keyword.
                    for b in folded_bytes() {
                        add(gram_of(&[kw[0], kw[1], kw[2], b as u8]), 0);
                        add(gram_of(&[b as u8, kw[0], kw[1], kw[2]]), -1);
                    }
                }
                4 => {
                    // Even start: the keyword itself. Odd start: the window one byte before
                    // or one byte after holds three of its bytes; enter the rarer three.
                    add(gram_of(kw), 0);
                    let front = anchor::frequency(&kw[..3]);
                    let back = anchor::frequency(&kw[1..]);
                    for b in folded_bytes() {
                        if front <= back {
                            add(gram_of(&[b as u8, kw[0], kw[1], kw[2]]), -1);
                        } else {
                            add(gram_of(&[kw[1], kw[2], kw[3], b as u8]), 1);
                        }
                    }
                }
                _ => {
                    // Two consecutive windows inside the keyword: one is at an even position.
                    let off = anchor::rarest_gram_pair(kw);
                    add(gram_of(&kw[off..]), off as i32);
                    add(gram_of(&kw[off + 1..]), off as i32 + 1);
                }
            }
        }
        // Grouped by a counting sort (the order inside a group does not matter to `check`):
        // linear in the number of entries, which a start-up pays on every run. Each group's
        // count becomes its end, and entries are placed from the end down, so that the ends
        // turn into the starts: one index array, no second copy of it or of the entries.
        let mut table = Box::new([0u32; WORDS]);
        let mut group_start = vec![0u32; GROUPS + 1];
        for e in &entries {
            let h = slot(e.gram);
            table[(h >> 5) as usize] |= 1 << (h & 31);
            group_start[(h >> GROUP_SHIFT) as usize + 1] += 1;
        }
        for g in 0..GROUPS {
            group_start[g + 1] += group_start[g];
        }
        let mut grouped = vec![
            GramEntry {
                gram: 0,
                keyword: 0,
                offset: 0,
            };
            entries.len()
        ];
        for e in entries {
            let end = &mut group_start[(slot(e.gram) >> GROUP_SHIFT) as usize + 1];
            *end -= 1;
            grouped[*end as usize] = e;
        }
        // Slot g + 1 now holds group g's start: move the starts down by one.
        group_start.copy_within(1.., 0);
        group_start[GROUPS] = grouped.len() as u32;
        let entries = grouped;
        KeywordSearch {
            keywords,
            table,
            entries,
            group_start,
            short,
        }
    }

    /// Calls `f(keyword, start, end)` for every occurrence of every keyword in `haystack`,
    /// in no particular order.
    pub fn for_each(&self, haystack: &[u8], f: &mut dyn FnMut(usize, usize, usize)) {
        self.scan_grams(haystack, f);
        for &(k, at) in &self.short {
            self.scan_short(haystack, k, at, f);
        }
    }

    fn scan_grams(&self, hay: &[u8], f: &mut dyn FnMut(usize, usize, usize)) {
        let mut on_set_bit = |pos: usize, gram: u32, h: u32| self.check(hay, pos, gram, h, f);
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked just above).
            let done = unsafe { avx2::scan(&self.table, hay, &mut on_set_bit) };
            scan_scalar(&self.table, hay, done, &mut on_set_bit);
            return;
        }
        scan_scalar(&self.table, hay, 0, &mut on_set_bit);
    }

    /// A set bit at `pos`: which keywords really start around it.
    #[cold]
    #[inline(never)]
    fn check(
        &self,
        hay: &[u8],
        pos: usize,
        gram: u32,
        h: u32,
        f: &mut dyn FnMut(usize, usize, usize),
    ) {
        let g = (h >> GROUP_SHIFT) as usize;
        let range = self.group_start[g] as usize..self.group_start[g + 1] as usize;
        for e in &self.entries[range] {
            if e.gram != gram {
                continue;
            }
            let Some(start) = pos.checked_add_signed(-(e.offset as isize)) else {
                continue;
            };
            let kw = &self.keywords[e.keyword as usize];
            if hay
                .get(start..start + kw.len())
                .is_some_and(|t| t.eq_ignore_ascii_case(kw))
            {
                f(e.keyword as usize, start, start + kw.len());
            }
        }
    }

    fn scan_short(&self, hay: &[u8], k: usize, at: usize, f: &mut dyn FnMut(usize, usize, usize)) {
        let kw = &self.keywords[k];
        let b = kw[at];
        let mut on = |p: usize| {
            if let Some(start) = p.checked_sub(at) {
                if hay
                    .get(start..start + kw.len())
                    .is_some_and(|t| t.eq_ignore_ascii_case(kw))
                {
                    f(k, start, start + kw.len());
                }
            }
        };
        if b.is_ascii_alphabetic() {
            memchr::memchr2_iter(b.to_ascii_lowercase(), b.to_ascii_uppercase(), hay)
                .for_each(&mut on);
        } else {
            memchr::memchr_iter(b, hay).for_each(&mut on);
        }
    }
}

#[inline(always)]
fn is_set(table: &[u32; WORDS], h: u32) -> bool {
    table[(h >> 5) as usize & (WORDS - 1)] >> (h & 31) & 1 != 0
}

/// Tests the windows at the even positions from `from` (even) on, calling
/// `on_set_bit(position, gram, slot)` where the table has the window's bit set.
fn scan_scalar(
    table: &[u32; WORDS],
    hay: &[u8],
    from: usize,
    on_set_bit: &mut dyn FnMut(usize, u32, u32),
) {
    let mut i = from;
    // The windows at i, i + 2 and i + 4 from one 8-byte load.
    while i + 8 <= hay.len() {
        let x =
            u64::from_le_bytes(hay[i..i + 8].try_into().expect("8 bytes")) | 0x2020_2020_2020_2020;
        for j in [0, 2, 4] {
            let gram = (x >> (8 * j)) as u32;
            let h = slot(gram);
            if is_set(table, h) {
                on_set_bit(i + j, gram, h);
            }
        }
        i += 6;
    }
    // The last windows, zero-padded: a short keyword ending the text still has its
    // unknown byte (0 folds to a space, and every folded byte is entered).
    while i < hay.len() {
        let mut w = [0u8; 4];
        let n = (hay.len() - i).min(4);
        w[..n].copy_from_slice(&hay[i..i + n]);
        let gram = gram_of(&w);
        let h = slot(gram);
        if is_set(table, h) {
            on_set_bit(i, gram, h);
        }
        i += 2;
    }
}

/// The same test, eight windows at a time: AVX2 builds, folds and hashes the windows of 16
/// bytes in a few instructions and gathers their eight table words at once. Measured on 56
/// MB of Rust crates (prefilter only, alternating runs): scalar 1.21-1.27 GiB/s, AVX2
/// 1.48-1.54 GiB/s; the gather's latency is what bounds it.
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{TABLE_BITS, WORDS};
    use std::arch::x86_64::*;

    /// Tests the windows at even positions, 16 bytes at a time, and returns where it
    /// stopped (even): the scalar loop takes the rest.
    #[target_feature(enable = "avx2")]
    pub unsafe fn scan(
        table: &[u32; WORDS],
        hay: &[u8],
        on_set_bit: &mut dyn FnMut(usize, u32, u32),
    ) -> usize {
        // Window k of a lane is bytes 2k..2k + 4 of the lane's 16 loaded bytes; the upper
        // lane is loaded 8 bytes further on.
        let ctrl = _mm256_setr_epi8(
            0, 1, 2, 3, 2, 3, 4, 5, 4, 5, 6, 7, 6, 7, 8, 9, //
            0, 1, 2, 3, 2, 3, 4, 5, 4, 5, 6, 7, 6, 7, 8, 9,
        );
        let fold = _mm256_set1_epi32(0x2020_2020);
        let mul = _mm256_set1_epi32(0x9E37_79B1_u32 as i32);
        let low5 = _mm256_set1_epi32(31);
        let base = table.as_ptr() as *const i32;
        let mut i = 0;
        while i + 24 <= hay.len() {
            // SAFETY: i + 24 <= len, so both 16-byte loads are in bounds.
            let (lo, hi) = unsafe {
                let p = hay.as_ptr().add(i);
                (
                    _mm_loadu_si128(p as *const __m128i),
                    _mm_loadu_si128(p.add(8) as *const __m128i),
                )
            };
            let grams = _mm256_or_si256(_mm256_shuffle_epi8(_mm256_set_m128i(hi, lo), ctrl), fold);
            let h = _mm256_srli_epi32::<{ 32 - TABLE_BITS as i32 }>(_mm256_mullo_epi32(grams, mul));
            // SAFETY: every index is h >> 5 < 2^(TABLE_BITS - 5) = WORDS.
            let words = unsafe { _mm256_i32gather_epi32::<4>(base, _mm256_srli_epi32::<5>(h)) };
            let bits = _mm256_srlv_epi32(words, _mm256_and_si256(h, low5));
            let mask = _mm256_movemask_ps(_mm256_castsi256_ps(_mm256_slli_epi32::<31>(bits)));
            if mask != 0 {
                let (mut g, mut s) = ([0u32; 8], [0u32; 8]);
                // SAFETY: both arrays are 32 bytes.
                unsafe {
                    _mm256_storeu_si256(g.as_mut_ptr() as *mut __m256i, grams);
                    _mm256_storeu_si256(s.as_mut_ptr() as *mut __m256i, h);
                }
                let mut m = mask as u32;
                while m != 0 {
                    let k = m.trailing_zeros() as usize;
                    on_set_bit(i + 2 * k, g[k], s[k]);
                    m &= m - 1;
                }
            }
            i += 16;
        }
        i
    }
}

/// Offset of the byte of a short keyword to search for: a non-letter if it has one (rarer
/// in text, and one `memchr` instead of two), else its last byte.
fn rarest_byte(kw: &[u8]) -> usize {
    kw.iter()
        .rposition(|b| !b.is_ascii_alphabetic())
        .unwrap_or(kw.len() - 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn naive(keywords: &[Vec<u8>], hay: &[u8]) -> BTreeSet<(usize, usize)> {
        let lower = hay.to_ascii_lowercase();
        let mut out = BTreeSet::new();
        for (k, kw) in keywords.iter().enumerate() {
            for p in memchr::memmem::find_iter(&lower, kw) {
                out.insert((k, p));
            }
        }
        out
    }

    fn found(search: &KeywordSearch, hay: &[u8]) -> BTreeSet<(usize, usize)> {
        let mut out = BTreeSet::new();
        search.for_each(hay, &mut |k, s, e| {
            assert_eq!(e - s, search.keywords[k].len());
            assert!(out.insert((k, s)), "reported twice");
        });
        out
    }

    #[test]
    fn every_occurrence_of_every_keyword_is_reported() {
        // Keywords that contain, prefix and overlap each other, as a real pack's do, of
        // every length the filter treats differently, and with the bytes folding merges.
        let words = [
            "secret",
            "client_secret",
            "secret_access_key",
            "aws_secret",
            "npm_",
            "_authtoken",
            "token",
            "access_token",
            "password",
            "passwd",
            "pass=",
            "api_key",
            "apikey",
            "dapi",
            "intercom",
            "ghp_",
            "q~",
            "~",
            "://",
            "eyj",
            "xox",
            "-----begin",
            "heroku",
            "sk_live_",
            "[{",
        ];
        let keywords: Vec<Vec<u8>> = words.iter().map(|w| w.as_bytes().to_vec()).collect();
        let search = KeywordSearch::build(keywords.clone());
        // Deterministic pseudo-random text made of keyword fragments and filler, including
        // the look-alikes case folding merges (DEL for `_`, `{` for `[`, control bytes).
        let mut state: u64 = 42;
        let mut hay = Vec::new();
        while hay.len() < 40_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let w = words[(state % words.len() as u64) as usize].as_bytes();
            let cut = (state >> 8) as usize % (w.len() + 1);
            match (state >> 16) % 5 {
                0 => hay.extend_from_slice(w),
                1 => hay.extend_from_slice(&w[..cut]),
                2 => hay.extend_from_slice(&w[cut..]),
                3 => hay.extend(w.iter().map(|b| b | 0x20)),
                _ => hay.extend(w.iter().map(u8::to_ascii_uppercase)),
            }
            match (state >> 24) % 6 {
                0 => hay.push(b' '),
                1 => hay.push(0x7f),
                2 => hay.push(0x0a),
                _ => {}
            }
        }
        let want = naive(&keywords, &hay);
        assert!(want.len() > 1000);
        assert_eq!(found(&search, &hay), want);
        // Every suffix: keywords ending the text, and texts shorter than a load.
        for cut in (0..64).chain([hay.len() - 9, hay.len() - 3]) {
            let tail = &hay[cut..cut + 40.min(hay.len() - cut)];
            assert_eq!(found(&search, tail), naive(&keywords, tail), "at {cut}");
        }
        assert!(found(&search, b"").is_empty());
        assert_eq!(found(&search, b"XOX").len(), 1);
    }

    #[test]
    fn the_simd_and_scalar_window_tests_agree() {
        let keywords: Vec<Vec<u8>> = ["pwd", "ghp_", "secret", "password", "://"]
            .iter()
            .map(|w| w.as_bytes().to_vec())
            .collect();
        let search = KeywordSearch::build(keywords);
        let mut hay = Vec::new();
        for i in 0..5000u32 {
            hay.extend_from_slice(b"x = Password('://ghp_' + PWD) # ");
            hay.push((i % 251) as u8);
        }
        let mut scalar = Vec::new();
        scan_scalar(&search.table, &hay, 0, &mut |p, g, h| {
            scalar.push((p, g, h))
        });
        assert!(scalar.len() > 10_000);
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            let mut simd = Vec::new();
            // SAFETY: AVX2 is supported (checked above).
            let done =
                unsafe { avx2::scan(&search.table, &hay, &mut |p, g, h| simd.push((p, g, h))) };
            scan_scalar(&search.table, &hay, done, &mut |p, g, h| {
                simd.push((p, g, h))
            });
            assert_eq!(simd, scalar);
        }
    }
}
