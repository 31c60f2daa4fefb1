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

use super::parity_windows::{cheapest_by_parity, trigram_rank};
use super::trigram_slot::{trigram_key, trigram_slot};

include!(concat!(env!("OUT_DIR"), "/trigrams.rs"));
include!(concat!(env!("OUT_DIR"), "/keyword_windows.rs"));

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

/// Offsets in `keyword` (lower-case, at least five bytes) of the even and the odd window
/// the keyword prefilter looks for (`parity_windows.rs`). The built-in pack's keywords have
/// theirs ranked at build time by how often code holds each window. Other keywords' are
/// ranked here by their trigrams (`trigram_rank`).
pub fn rarest_windows(keyword: &[u8]) -> [usize; 2] {
    if let Ok(i) = BUILTIN_WINDOWS.binary_search_by(|(k, _)| k.as_bytes().cmp(keyword)) {
        return BUILTIN_WINDOWS[i].1.map(usize::from);
    }
    // Each trigram is looked up once: the windows overlap.
    let trigrams: Vec<u32> = keyword.windows(3).map(frequency).collect();
    cheapest_by_parity(keyword.len(), |i| {
        trigram_rank(trigrams[i], trigrams[i + 1])
    })
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
        let [even, odd] = rarest_windows(k);
        assert!(even > 0, "the even window should skip the common 'int'");
        assert_eq!((even % 2, odd % 2), (0, 1));
        for w in [even, odd] {
            assert!(frequency(&k[w..w + 3]).min(frequency(&k[w + 1..w + 4])) < frequency(b"int"));
        }
        assert_eq!(rarest_windows(b"ghp_x"), [0, 1]);
    }

    #[test]
    fn the_packs_windows_are_one_of_each_parity_and_avoid_common_code() {
        assert!(BUILTIN_WINDOWS.len() > 500);
        assert!(BUILTIN_WINDOWS.windows(2).all(|w| w[0].0 < w[1].0));
        for (k, [even, odd]) in BUILTIN_WINDOWS {
            let len = k.len() as u16;
            assert!(len >= 5 && even % 2 == 0 && odd % 2 == 1, "{k}");
            assert!(even + 4 <= len && odd + 4 <= len, "{k}");
            assert_eq!(
                rarest_windows(k.as_bytes()),
                [*even as usize, *odd as usize]
            );
        }
        // Ranked by real 4-gram counts, not by trigrams: `cust` and `stom` (in `custom`)
        // are common in code although `cus` and `sto` are rarer trigrams than `mer`.
        let windows = |k: &str| rarest_windows(k.as_bytes()).map(|o| k[o..o + 4].to_string());
        let trigram_choice = {
            let k = b"customerio";
            let t: Vec<u32> = k.windows(3).map(frequency).collect();
            cheapest_by_parity(k.len(), |i| (t[i].min(t[i + 1]), t[i].max(t[i + 1])))
        };
        assert_eq!(trigram_choice[0], 0, "the trigrams alone pick `cust`");
        for w in windows("customerio") {
            assert!(w != "cust" && w != "stom", "{w}");
        }
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
