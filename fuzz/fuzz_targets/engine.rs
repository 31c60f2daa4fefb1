//! The detection engine on arbitrary bytes and on keyword-dense, example-spliced and
//! repeated haystacks (see `keysweep_fuzz::inputs`): no panic, match spans nested inside
//! the haystack, hits placed where the newlines say, and the keyword prefilter reporting
//! exactly the occurrences an independent automaton finds.
#![no_main]

use keysweep::engine::RuleSet;
use keysweep_fuzz::inputs::haystack;
use keysweep_fuzz::scan_check::{keywords, scan_and_check, KeywordOracle};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

struct Engine {
    rules: RuleSet,
    keywords: Vec<Vec<u8>>,
    oracle: KeywordOracle,
    /// Leaked once, so the per-input code borrows them without copying.
    examples: Vec<&'static [u8]>,
}

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let rules = RuleSet::new(keysweep::rules::builtin_rules().expect("built-in rule pack"));
        let keywords = keywords(&rules);
        let oracle = KeywordOracle::new(&keywords);
        let examples = rules
            .rules()
            .flat_map(|r| {
                let texts = r.examples.iter().map(|e| e.text.as_str());
                texts.chain(r.negative_examples.iter().map(String::as_str))
            })
            .map(|e| &*e.as_bytes().to_vec().leak())
            .collect();
        Engine {
            rules,
            keywords,
            oracle,
            examples,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let e = engine();
    let text = haystack(data, &e.keywords, &e.examples);
    scan_and_check(&e.rules, &text);
    // Every built-in regex and line screen compiles (the rule-pack tests compile them too,
    // but only here on whatever lines the fuzzer makes them meet).
    let errors = e.rules.errors();
    assert!(
        errors.is_empty(),
        "the built-in rule set recorded errors: {errors:?}"
    );
    let hits = e.rules.prefilter_hits(&text);
    let want = e.oracle.count(&text);
    assert!(
        hits == want,
        "keyword prefilter reported {hits} occurrences, the automaton finds {want} ({} bytes)",
        text.len()
    );
});
