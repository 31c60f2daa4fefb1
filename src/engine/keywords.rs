//! The keyword prefilter: finds every occurrence of every keyword, case-insensitively, in
//! lower-cased text.
//!
//! Each keyword is searched by its anchor (see `anchor.rs`), and a hit counts only once the
//! whole keyword is verified around it. Anchors go to aho-corasick's SIMD searcher (Teddy) in
//! groups of at most 12, searched one after the other: Teddy is fastest with few patterns
//! (slim, one or two per bucket); past 64 the automaton builder drops it for a DFA with no
//! prefilter. Measured with `cargo bench --bench engine` on the whole pack (126 keywords),
//! in one run: groups of 8 or 12 ~700 MiB/s, of 16 ~650, of 32 ~320, of 64 ~350, the DFA
//! ~310. Very large keyword sets (user configs) fall back to one automaton.
//!
//! Non-overlapping search reports one anchor per position, so an anchor can hide another:
//! one inside it, or one that starts inside it and runs past its end. Both are recovered at
//! the hit: contained anchors' keywords are verified with the hit (`entries`), and anchors
//! that may start in its tail are checked explicitly (`tails`). So every keyword occurrence
//! is reported, whatever the keyword set.

use super::anchor;
use aho_corasick::{packed, AhoCorasick, AhoCorasickBuilder, MatchKind};
use anyhow::{Context, Result};

const GROUP_SIZE: usize = 12;
const MAX_GROUPS: usize = 32;

enum Searcher {
    /// Teddy searchers, each with the anchor ids of its patterns.
    Packed(Vec<(packed::Searcher, Vec<usize>)>),
    Automaton(AhoCorasick),
}

pub struct KeywordSearch {
    searcher: Searcher,
    keywords: Vec<Vec<u8>>,
    anchors: Vec<Vec<u8>>,
    /// For each anchor: (keyword, offset) pairs; the keyword would start at
    /// `anchor_start - offset`. Includes the keywords of anchors contained in this one.
    entries: Vec<Vec<(usize, isize)>>,
    /// For each anchor: (overlap, other anchor) where `other` may start `overlap` bytes
    /// before this anchor's end.
    tails: Vec<Vec<(usize, usize)>>,
    longest_anchor: usize,
}

impl KeywordSearch {
    /// `keywords` must be lower-case and distinct.
    pub fn build(keywords: Vec<Vec<u8>>) -> Result<KeywordSearch> {
        let mut anchors: Vec<Vec<u8>> = Vec::new();
        let mut own: Vec<Vec<(usize, isize)>> = Vec::new();
        for (k, kw) in keywords.iter().enumerate() {
            let off = anchor::choose(kw);
            let a = kw[off..].to_vec();
            let id = match anchors.iter().position(|x| *x == a) {
                Some(i) => i,
                None => {
                    anchors.push(a);
                    own.push(Vec::new());
                    anchors.len() - 1
                }
            };
            own[id].push((k, off as isize));
        }
        let mut entries = own.clone();
        let mut tails = vec![Vec::new(); anchors.len()];
        for (y, ay) in anchors.iter().enumerate() {
            for (x, ax) in anchors.iter().enumerate() {
                if x == y {
                    continue;
                }
                // X inside Y at p: X's keywords start at Y's start + p - off.
                for p in memchr::memmem::find_iter(ay, ax) {
                    for &(k, off) in &own[x] {
                        entries[y].push((k, off - p as isize));
                    }
                }
                // X starting in Y's tail and running past its end.
                for l in 1..ay.len().min(ax.len()) {
                    if ay[ay.len() - l..] == ax[..l] {
                        tails[y].push((l, x));
                    }
                }
            }
        }
        let longest_anchor = anchors.iter().map(Vec::len).max().unwrap_or(0);
        Ok(KeywordSearch {
            searcher: build_searcher(&anchors)?,
            keywords,
            anchors,
            entries,
            tails,
            longest_anchor,
        })
    }

    pub fn is_simd(&self) -> bool {
        matches!(self.searcher, Searcher::Packed(_))
    }

    /// Bytes by which consecutive chunks must overlap so no anchor is cut in two.
    pub fn overlap(&self) -> usize {
        self.longest_anchor.saturating_sub(1)
    }

    /// Calls `f(keyword, start, end)` for keyword occurrences. `lower` is the lower-cased
    /// chunk of `haystack` starting at `base`; anchors starting at or after `stop` (relative
    /// to the chunk) are left to the next chunk. Keywords are verified on `haystack`, so one
    /// starting before the chunk or running past it is still seen whole.
    pub fn for_each(
        &self,
        haystack: &[u8],
        lower: &[u8],
        base: usize,
        stop: usize,
        f: &mut dyn FnMut(usize, usize, usize),
    ) {
        let mut on_anchor = |a: usize, start: usize, end: usize| {
            let (start, end) = (base + start, base + end);
            self.verify(haystack, a, start, f);
            for &(overlap, other) in &self.tails[a] {
                let s2 = end - overlap;
                let ax = &self.anchors[other];
                if haystack
                    .get(s2..s2 + ax.len())
                    .is_some_and(|h| h.eq_ignore_ascii_case(ax))
                {
                    self.verify(haystack, other, s2, f);
                }
            }
        };
        match &self.searcher {
            Searcher::Packed(groups) => {
                for (searcher, ids) in groups {
                    for m in searcher.find_iter(lower) {
                        if m.start() >= stop {
                            break;
                        }
                        on_anchor(ids[m.pattern().as_usize()], m.start(), m.end());
                    }
                }
            }
            Searcher::Automaton(ac) => {
                for m in ac.find_iter(lower) {
                    if m.start() >= stop {
                        break;
                    }
                    on_anchor(m.pattern().as_usize(), m.start(), m.end());
                }
            }
        }
    }

    /// Reports the keywords of anchor `a` (found at `start`) that really occur there.
    fn verify(
        &self,
        haystack: &[u8],
        a: usize,
        start: usize,
        f: &mut dyn FnMut(usize, usize, usize),
    ) {
        for &(k, off) in &self.entries[a] {
            let Some(ks) = start.checked_add_signed(-off) else {
                continue;
            };
            let kw = &self.keywords[k];
            if haystack
                .get(ks..ks + kw.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(kw))
            {
                f(k, ks, ks + kw.len());
            }
        }
    }
}

fn build_searcher(anchors: &[Vec<u8>]) -> Result<Searcher> {
    let mut ids: Vec<usize> = (0..anchors.len()).collect();
    ids.sort_by(|&a, &b| anchors[a].cmp(&anchors[b]));
    // 1-2 byte anchors would shorten every fingerprint of their group: keep them apart.
    let (short, long): (Vec<usize>, Vec<usize>) =
        ids.into_iter().partition(|&i| anchors[i].len() < 3);
    let mut groups: Vec<Vec<usize>> = long.chunks(GROUP_SIZE).map(<[usize]>::to_vec).collect();
    groups.extend(short.chunks(GROUP_SIZE).map(<[usize]>::to_vec));
    if groups.len() <= MAX_GROUPS {
        let searchers: Option<Vec<_>> = groups
            .into_iter()
            .map(|g| {
                packed::Config::new()
                    .match_kind(packed::MatchKind::LeftmostLongest)
                    .builder()
                    .extend(g.iter().map(|&i| &anchors[i]))
                    .build()
                    .map(|s| (s, g))
            })
            .collect();
        if let Some(s) = searchers {
            return Ok(Searcher::Packed(s));
        }
    }
    let ac = AhoCorasickBuilder::new()
        .match_kind(MatchKind::LeftmostLongest)
        .build(anchors)
        .context("building the keyword automaton")?;
    Ok(Searcher::Automaton(ac))
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

    fn found(search: &KeywordSearch, hay: &[u8], chunk: usize) -> BTreeSet<(usize, usize)> {
        let mut out = BTreeSet::new();
        let mut start = 0;
        while start < hay.len() {
            let end = (start + chunk + search.overlap()).min(hay.len());
            let lower = hay[start..end].to_ascii_lowercase();
            let stop = if end < hay.len() { chunk } else { usize::MAX };
            search.for_each(hay, &lower, start, stop, &mut |k, s, _| {
                out.insert((k, s));
            });
            if end == hay.len() {
                break;
            }
            start += chunk;
        }
        out
    }

    #[test]
    fn every_occurrence_of_every_keyword_is_reported() {
        // Keywords that contain, prefix and overlap each other, as a real pack's do.
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
            "://",
            "-----begin",
            "heroku",
            "sk_live_",
        ];
        let keywords: Vec<Vec<u8>> = words.iter().map(|w| w.as_bytes().to_vec()).collect();
        let search = KeywordSearch::build(keywords.clone()).unwrap();
        // Deterministic pseudo-random text made of keyword fragments and filler.
        let mut state: u64 = 42;
        let mut hay = Vec::new();
        while hay.len() < 20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let w = words[(state % words.len() as u64) as usize].as_bytes();
            let cut = (state >> 8) as usize % (w.len() + 1);
            match (state >> 16) % 4 {
                0 => hay.extend_from_slice(w),
                1 => hay.extend_from_slice(&w[..cut]),
                2 => hay.extend_from_slice(&w[cut..]),
                _ => hay.extend(w.iter().map(u8::to_ascii_uppercase)),
            }
            if (state >> 24).is_multiple_of(3) {
                hay.push(b' ');
            }
        }
        let want = naive(&keywords, &hay);
        assert!(want.len() > 500);
        for chunk in [64, 1000, 1 << 20] {
            assert_eq!(found(&search, &hay, chunk), want, "chunk {chunk}");
        }
    }
}
