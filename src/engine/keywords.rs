//! The keyword prefilter: finds every occurrence of every keyword, ASCII-case-insensitively,
//! in one pass over the raw bytes, whatever the number of keywords.
//!
//! The filter looks at 4-byte windows of the text at every even position: each window,
//! case-folded, is hashed into a 2 Mbit table (256 KiB) in which the bit of every keyword
//! window is set. A clear bit — nearly every window — proves that no keyword lies there. A
//! set bit is looked up in a small map of what keyword windows hold (`Probes`), and a match
//! there is compared with its whole keyword. Because only every other position is tested, a
//! keyword of five bytes or more enters two windows of itself, one at an even offset in it
//! and one at an odd offset (each the rarest of its parity in real code, see `anchor.rs`),
//! so that one of them falls on an even position.
//!
//! The cost per byte is a load, an OR, a multiply, a shift and a bit test for every other
//! byte, independent of the number of keywords, which is what a many-keyword pack needs;
//! with AVX2, eight windows are hashed and their table words gathered at once. The figures
//! against aho-corasick's searchers on the same keywords are in the README (`cargo bench
//! --bench engine`).
//!
//! Case folding is `byte | 0x20`, which lower-cases ASCII letters and maps a few other
//! bytes onto each other (`_` and DEL, `[` and `{`, control bytes and punctuation). Folding
//! only ever merges bytes, so a real occurrence always passes the filter; the full,
//! case-insensitive comparison afterwards rejects the merged look-alikes.
//!
//! Keywords of three or four bytes are entered in the bit table with every folded value
//! (128) of the unknown byte next to them, so a window at an even position still holds
//! them; the map holds them once, by the three bytes of the window that are theirs.
//! Keywords of one or two bytes would fill the table: they are searched separately with
//! `memchr` on their least common byte.

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
const FOLD: u32 = 0x2020_2020;
/// A window whose first three bytes are a keyword's: its fourth byte is unknown.
const FRONT3: u32 = 0x00FF_FFFF;
/// A window whose last three bytes are a keyword's: its first byte is unknown.
const BACK3: u32 = 0xFFFF_FF00;

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

/// A keyword that may start near a window whose bit is set: `offset` bytes before the
/// window (after it, when negative: the window begins with a byte in front of the keyword).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Candidate {
    keyword: u32,
    offset: i32,
}

/// What keyword windows hold, mapped to the keywords that may start around them: keys are
/// whole folded windows, or three of their bytes (`gram & FRONT3`, `gram & BACK3`) for the
/// keywords of three or four bytes. A few thousand entries in an open-addressed table of
/// tens of KiB, so that the check after a set bit stays in cache: the set bits met in real
/// code are mostly collisions and windows of keywords that then fail, and a check that
/// missed the cache on each of them cost more than the bit tests.
struct Probes {
    /// A power of two in length, at most half full. Key 0 marks a free slot: no key is 0,
    /// as every byte a key keeps is folded (bit 5 set).
    slots: Box<[Slot]>,
    shift: u32,
    candidates: Box<[Candidate]>,
}

#[derive(Clone, Copy, Default)]
struct Slot {
    key: u32,
    /// The key's candidates: `candidates[start..end]`.
    start: u32,
    end: u32,
}

impl Probes {
    fn build(mut entries: Vec<(u32, Candidate)>) -> Probes {
        entries.sort_unstable_by_key(|&(key, c)| (key, c.keyword, c.offset));
        let keys = entries.chunk_by(|a, b| a.0 == b.0).count();
        let bits = (2 * keys).next_power_of_two().max(16).trailing_zeros();
        let mut probes = Probes {
            slots: vec![Slot::default(); 1 << bits].into_boxed_slice(),
            shift: 32 - bits,
            candidates: entries.iter().map(|&(_, c)| c).collect(),
        };
        let mut start = 0;
        for run in entries.chunk_by(|a, b| a.0 == b.0) {
            let key = run[0].0;
            let mut at = probes.home(key);
            while probes.slots[at].key != 0 {
                at = (at + 1) & (probes.slots.len() - 1);
            }
            let end = start + run.len() as u32;
            probes.slots[at] = Slot { key, start, end };
            start = end;
        }
        probes
    }

    #[inline(always)]
    fn home(&self, key: u32) -> usize {
        (key.wrapping_mul(0x85EB_CA6B) >> self.shift) as usize
    }

    /// The candidates of `key` (none for a key that no keyword window holds).
    #[inline(always)]
    fn get(&self, key: u32) -> &[Candidate] {
        let mut at = self.home(key);
        loop {
            let s = self.slots[at];
            if s.key == key {
                return &self.candidates[s.start as usize..s.end as usize];
            }
            if s.key == 0 {
                return &[];
            }
            at = (at + 1) & (self.slots.len() - 1);
        }
    }
}

/// What `KeywordSearch::build` enters for each keyword: bits in the table, candidates in
/// the map.
struct Entered {
    table: Box<[u32; WORDS]>,
    candidates: Vec<(u32, Candidate)>,
}

impl Entered {
    fn set(&mut self, gram: u32) {
        let h = slot(gram);
        self.table[(h >> 5) as usize] |= 1 << (h & 31);
    }

    /// A window of four bytes of keyword `k`, which starts `offset` bytes before it.
    fn whole(&mut self, window: &[u8], k: u32, offset: i32) {
        let gram = gram_of(window);
        self.set(gram);
        let candidate = Candidate { keyword: k, offset };
        self.candidates.push((gram, candidate));
    }

    /// A window holding three bytes of keyword `k` and, first or last, a byte that is not
    /// the keyword's: the table gets every folded value of that byte, the map the three.
    fn partial(&mut self, three: &[u8], unknown_first: bool, k: u32, offset: i32) {
        let window = |b: u8| match unknown_first {
            true => [b, three[0], three[1], three[2]],
            false => [three[0], three[1], three[2], b],
        };
        for b in folded_bytes() {
            self.set(gram_of(&window(b as u8)));
        }
        let known = if unknown_first { BACK3 } else { FRONT3 };
        let candidate = Candidate { keyword: k, offset };
        self.candidates
            .push((gram_of(&window(0)) & known, candidate));
    }
}

pub struct KeywordSearch {
    /// Every keyword's bytes, one after the other (keyword k is `bytes[ends[k]..ends[k +
    /// 1]]`), so that comparing candidates reads one small buffer.
    bytes: Vec<u8>,
    ends: Vec<u32>,
    /// One bit per hash slot: set when some keyword window hashes there.
    table: Box<[u32; WORDS]>,
    probes: Probes,
    /// Keywords of one or two bytes: (keyword, offset of its rarest byte).
    short: Vec<(usize, usize)>,
}

impl KeywordSearch {
    /// `keywords` must be lower-case, distinct and non-empty.
    pub fn build(keywords: Vec<Vec<u8>>) -> KeywordSearch {
        let mut entered = Entered {
            table: Box::new([0u32; WORDS]),
            candidates: Vec::with_capacity(2 * keywords.len()),
        };
        let mut short = Vec::new();
        // No keyword start is reported twice: the candidates of one keyword differ in
        // offset, and only one of them lies at an even position for a given start.
        for (k, kw) in keywords.iter().enumerate() {
            let k = k as u32;
            // Windows are tested at even positions only. Whatever the parity of a keyword's
            // start, one of the windows entered here lies at an even position.
            match kw.len() {
                0 => {}
                1 | 2 => short.push((k as usize, rarest_byte(kw))),
                3 => {
                    // At an even start: the keyword and any byte after it; at an odd one:
                    // any byte before it and the keyword.
                    entered.partial(kw, false, k, 0);
                    entered.partial(kw, true, k, -1);
                }
                4 => {
                    // Even start: the keyword itself. Odd start: the window one byte before
                    // or one byte after holds three of its bytes; enter the rarer three.
                    entered.whole(kw, k, 0);
                    if anchor::frequency(&kw[..3]) <= anchor::frequency(&kw[1..]) {
                        entered.partial(&kw[..3], true, k, -1);
                    } else {
                        entered.partial(&kw[1..], false, k, 1);
                    }
                }
                _ => {
                    // A window at an even offset in the keyword and one at an odd offset:
                    // whatever the keyword's start, one of them lies at an even position.
                    for o in anchor::rarest_windows(kw) {
                        entered.whole(&kw[o..], k, o as i32);
                    }
                }
            }
        }
        let mut bytes = Vec::with_capacity(keywords.iter().map(Vec::len).sum());
        let mut ends = Vec::with_capacity(keywords.len() + 1);
        ends.push(0);
        for kw in &keywords {
            bytes.extend_from_slice(kw);
            ends.push(bytes.len() as u32);
        }
        KeywordSearch {
            bytes,
            ends,
            table: entered.table,
            probes: Probes::build(entered.candidates),
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
        let on_set_bit = |pos: usize, gram: u32| self.check(hay, pos, gram, f);
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            let mut on_set_bit = on_set_bit;
            // SAFETY: the CPU supports AVX2 (checked just above).
            let done = unsafe { avx2::scan(&self.table, hay, &mut on_set_bit) };
            scan_scalar(&self.table, hay, done, on_set_bit);
            return;
        }
        scan_scalar(&self.table, hay, 0, on_set_bit);
    }

    /// A set bit for the window `gram` at `pos`: which keywords really start around it.
    #[inline(never)]
    fn check(&self, hay: &[u8], pos: usize, gram: u32, f: &mut dyn FnMut(usize, usize, usize)) {
        for key in [gram, gram & FRONT3, gram & BACK3] {
            for c in self.probes.get(key) {
                let Some(start) = pos.checked_add_signed(-(c.offset as isize)) else {
                    continue;
                };
                let k = c.keyword as usize;
                let kw = self.keyword(k);
                if hay
                    .get(start..start + kw.len())
                    .is_some_and(|t| t.eq_ignore_ascii_case(kw))
                {
                    f(k, start, start + kw.len());
                }
            }
        }
    }

    fn keyword(&self, k: usize) -> &[u8] {
        &self.bytes[self.ends[k] as usize..self.ends[k + 1] as usize]
    }

    fn scan_short(&self, hay: &[u8], k: usize, at: usize, f: &mut dyn FnMut(usize, usize, usize)) {
        let kw = self.keyword(k);
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
fn is_set(table: &[u32; WORDS], gram: u32) -> bool {
    let h = slot(gram);
    table[(h >> 5) as usize & (WORDS - 1)] >> (h & 31) & 1 != 0
}

/// Tests the windows at the even positions from `from` (even) on, calling
/// `on_set_bit(position, gram)` where the table has the window's bit set.
fn scan_scalar(
    table: &[u32; WORDS],
    hay: &[u8],
    from: usize,
    mut on_set_bit: impl FnMut(usize, u32),
) {
    let mut i = from;
    // The windows at i, i + 2 and i + 4 from one 8-byte load.
    while i + 8 <= hay.len() {
        let x =
            u64::from_le_bytes(hay[i..i + 8].try_into().expect("8 bytes")) | 0x2020_2020_2020_2020;
        for j in [0, 2, 4] {
            let gram = (x >> (8 * j)) as u32;
            if is_set(table, gram) {
                on_set_bit(i + j, gram);
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
        if is_set(table, gram) {
            on_set_bit(i, gram);
        }
        i += 2;
    }
}

/// The same test, eight windows at a time: AVX2 builds, folds and hashes the windows of 16
/// bytes in a few instructions and gathers their eight table words at once; the gather's
/// latency is what bounds it.
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{TABLE_BITS, WORDS};
    use std::arch::x86_64::*;

    /// 16-byte steps per block: a block's bit tests run without a branch, their masks kept,
    /// and the set bits are handled after it. A branch per step on whether a bit is set
    /// (one step in ten or so in real code) is mispredicted often enough to stall the
    /// gathers of the steps after it.
    const BLOCK: usize = 32;

    /// Tests the windows at even positions, 16 bytes at a time, and returns where it
    /// stopped (even): the scalar loop takes the rest.
    #[target_feature(enable = "avx2")]
    pub unsafe fn scan(
        table: &[u32; WORDS],
        hay: &[u8],
        on_set_bit: &mut impl FnMut(usize, u32),
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
        // The set-bit mask of the eight windows of the 16 bytes at `i`.
        let step = |i: usize| {
            // SAFETY: the callers keep i + 24 <= len, so both 16-byte loads are in bounds.
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
            _mm256_movemask_ps(_mm256_castsi256_ps(_mm256_slli_epi32::<31>(bits))) as u8
        };
        let mut report = |i: usize, mask: u8| {
            let mut m = mask as u32;
            while m != 0 {
                let pos = i + 2 * (m.trailing_zeros() as usize);
                let gram = u32::from_le_bytes(hay[pos..pos + 4].try_into().expect("4 bytes"));
                on_set_bit(pos, gram | super::FOLD);
                m &= m - 1;
            }
        };
        let mut i = 0;
        let mut masks = [0u8; BLOCK];
        while i + 16 * BLOCK + 8 <= hay.len() {
            for (j, mask) in masks.iter_mut().enumerate() {
                *mask = step(i + 16 * j);
            }
            for (j, chunk) in masks.chunks_exact(8).enumerate() {
                if u64::from_ne_bytes(chunk.try_into().expect("8 masks")) != 0 {
                    for (k, &mask) in chunk.iter().enumerate() {
                        report(i + 16 * (8 * j + k), mask);
                    }
                }
            }
            i += 16 * BLOCK;
        }
        while i + 24 <= hay.len() {
            report(i, step(i));
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
            assert_eq!(e - s, search.keyword(k).len());
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
        scan_scalar(&search.table, &hay, 0, |p, g| scalar.push((p, g)));
        assert!(scalar.len() > 10_000);
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            let mut simd = Vec::new();
            // SAFETY: AVX2 is supported (checked above).
            let done = unsafe { avx2::scan(&search.table, &hay, &mut |p, g| simd.push((p, g))) };
            scan_scalar(&search.table, &hay, done, |p, g| simd.push((p, g)));
            assert_eq!(simd, scalar);
        }
    }
}
