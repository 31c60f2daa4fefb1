//! Which part of each keyword the prefilter looks for.
//!
//! The prefilter (`keywords.rs`) tests one 4-byte window of each keyword, and every place in
//! the text where that window occurs is a candidate it must verify. Keywords containing a
//! common trigram of code ("int" in `intercom`, "ser" in `service_account`, "cre" in
//! `credential`) would make it verify at most lines if that part were chosen. So each
//! keyword is represented by its window whose trigrams are rarest in real code.
//!
//! Rarity comes from `trigrams.tsv`: the 3,000 trigrams most frequent in a mix of the
//! languages and formats the rules target (Rust, Python, JS/TS, Go, Java, YAML, JSON, TOML,
//! XML, shell, INI-style config, Markdown; each family weighted equally), folded the way the
//! filter folds text. `scripts/gen-trigrams` makes it; build.rs embeds it as a sorted static.

use super::trigram_slot::{trigram_key, trigram_slot};

include!(concat!(env!("OUT_DIR"), "/trigrams.rs"));

/// How often `t`, folded as the filter folds text (`byte | 0x20`), occurs per MB of code
/// and config (0 when rarer than the table knows). Every start-up asks this for each
/// trigram of the pack's keywords.
pub fn frequency(t: &[u8]) -> u32 {
    let key = trigram_key([t[0] | 0x20, t[1] | 0x20, t[2] | 0x20]);
    let mut at = trigram_slot(key);
    loop {
        match TRIGRAM_SLOTS[at] {
            (0, _) => return 0,
            (k, n) if k == key => return n,
            _ => at = (at + 1) % TRIGRAM_SLOTS.len(),
        }
    }
}

/// Offset in `keyword` (lower-case, at least five bytes) of the two overlapping 4-byte
/// windows the keyword prefilter looks for (it tests every other position, so it needs two):
/// the pair whose commoner window is rarest in real code, a window being at most as frequent
/// as the rarer of its two trigrams. On a tie (typically several pairs holding a trigram the
/// table does not list), the pair whose commonest trigram is rarest: a 4-gram made of common
/// trigrams tends to be common itself (measured: 1.5% fewer set bits met on the bench's
/// mixed file than without this step, 6% fewer on Rust crates). Then the pair whose windows
/// are rarer together, then the first.
pub fn rarest_gram_pair(keyword: &[u8]) -> usize {
    // Each trigram is looked up once: the pairs overlap, and every start pays for this.
    let trigrams: Vec<u32> = keyword.windows(3).map(frequency).collect();
    (0..=keyword.len() - 5)
        .min_by_key(|&i| {
            let [a, b, c] = [trigrams[i], trigrams[i + 1], trigrams[i + 2]];
            let (g0, g1) = (a.min(b), b.min(c));
            (g0.max(g1), a.max(b).max(c), g0 + g1, i)
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_common_trigrams_are_avoided() {
        assert!(COMMON_TRIGRAMS.windows(2).all(|w| w[0].0 < w[1].0));
        // The hashed table holds every row, and nothing else.
        for (t, n) in COMMON_TRIGRAMS {
            assert_eq!(frequency(&t), n, "{t:?}");
        }
        let held = TRIGRAM_SLOTS.iter().filter(|(k, _)| *k != 0).count();
        assert_eq!(held, COMMON_TRIGRAMS.len());
        assert_eq!(frequency(b"\xff\xfe\xfd"), 0);
        assert!(frequency(b"int") > 100);
        let k = b"intercom";
        let g = rarest_gram_pair(k);
        assert!(g > 0, "the grams should skip the common 'int'");
        assert!(frequency(&k[g + 1..g + 4]) < frequency(b"int"));
        assert_eq!(rarest_gram_pair(b"ghp_x"), 0);
    }

    #[test]
    fn lookups_fold_as_the_filter_folds_text() {
        // Only folded trigrams can be met: the filter ORs every text byte with 0x20.
        assert!(COMMON_TRIGRAMS
            .iter()
            .all(|(t, _)| t.iter().all(|b| b & 0x20 != 0)));
        assert_eq!(frequency(b"INT"), frequency(b"int"));
        // `_` folds to DEL (0x7f): a keyword's `_` is counted together with the text's.
        assert!(frequency(b"_id") > 0);
        assert_eq!(frequency(b"_id"), frequency(b"\x7fid"));
    }

    #[test]
    fn the_table_knows_config_formats_not_only_code() {
        // `": ` separates JSON keys from values and `</c` closes many an XML element: both
        // are common in the formats secrets live in, and rare in Rust and Python.
        assert!(frequency(b"\": ") > 200, "{}", frequency(b"\": "));
        assert!(frequency(b"</c") > 200, "{}", frequency(b"</c"));
    }
}
