//! The config loader on arbitrary text: `keysweep::config::from_text` returns Ok or Err and
//! never panics, and an error does not echo a value of the text (see `keysweep_fuzz::echo`).
//! A config that loads builds a rule set, which scans its custom rules' own examples.
#![no_main]

use keysweep::config::from_text;
use keysweep::engine::RuleSet;
use keysweep::rules::Rule;
use keysweep_fuzz::echo::echoed_value;
use keysweep_fuzz::scan_check::scan_and_check;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn builtin() -> &'static [Rule] {
    static BUILTIN: OnceLock<Vec<Rule>> = OnceLock::new();
    BUILTIN.get_or_init(|| keysweep::rules::builtin_rules().expect("built-in rule pack"))
}

/// The error message as the user sees it: the whole chain on one line (`main.rs`).
fn message(text: &str) -> Option<String> {
    from_text("fuzz.toml", text).err().map(|e| format!("{e:#}"))
}

fuzz_target!(|data: &[u8]| {
    // Config files are read as UTF-8; invalid bytes are what a lossy reader would make them.
    let text = String::from_utf8_lossy(data);
    match from_text("fuzz.toml", &text) {
        Err(e) => {
            let msg = format!("{e:#}");
            if let Some((offset, len)) = echoed_value(&text, &msg, message) {
                panic!("a config error echoes the {len}-byte value at offset {offset} of the text");
            }
        }
        Ok(effective) => {
            // Only the custom rules (those that are not built in), so that a config with
            // none costs nothing here: the engine target covers the built-in pack.
            let builtin = builtin();
            let custom: Vec<_> = effective
                .rules
                .into_iter()
                .filter(|r| !builtin.iter().any(|b| b.id == r.id && b.regex == r.regex))
                .collect();
            if custom.is_empty() {
                return;
            }
            let texts: Vec<String> = custom
                .iter()
                .flat_map(|r| {
                    let texts = r.examples.iter().map(|e| e.text.clone());
                    texts.chain(r.negative_examples.iter().cloned())
                })
                .collect();
            let rules = RuleSet::new(custom);
            for t in &texts {
                scan_and_check(&rules, t.as_bytes());
            }
        }
    }
});
