//! Which two 4-byte windows of a keyword the prefilter enters. It tests windows at even
//! positions of the text only, so a keyword of five bytes or more needs one window at an
//! even offset in it and one at an odd offset: whatever the parity of the keyword's start,
//! one of them then lies at an even position. Each should be the window of its parity that
//! real code holds least often, since every occurrence of it is a check. Shared by build.rs,
//! which ranks the built-in pack's windows by how often code holds them (`grams4.tsv`), and
//! `anchor.rs`, which ranks other keywords' by their trigrams.

/// The offsets of the cheapest window at an even and at an odd offset of a keyword of `len`
/// (at least 5) bytes, by `cost(offset)`, lowest first; on a tie, the first.
pub fn cheapest_by_parity<C: Ord>(len: usize, cost: impl Fn(usize) -> C) -> [usize; 2] {
    let best = |parity: usize| {
        (parity..=len.saturating_sub(4))
            .step_by(2)
            .min_by_key(|&i| (cost(i), i))
            .unwrap_or(parity)
    };
    [best(0), best(1)]
}

/// How a window ranks by the frequencies of its two trigrams, `a` and `b`: it is at most as
/// frequent as the rarer of them; between windows equal on that (typically both holding a
/// trigram the table does not list), the one whose commoner trigram is rarer, as a 4-gram
/// made of common trigrams tends to be common itself.
pub fn trigram_rank(a: u32, b: u32) -> (u32, u32) {
    (a.min(b), a.max(b))
}
