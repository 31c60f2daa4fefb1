//! The baseline reader on arbitrary text: `Baseline::parse` returns Ok or Err and never
//! panics, and what it reads survives a round trip through the file format unchanged
//! (`to_json` then `parse` gives the same baseline, and `to_json` of that the same text).
#![no_main]

use keysweep::filter::baseline::Baseline;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(baseline) = Baseline::parse(&text) else {
        return;
    };
    let json = baseline.to_json();
    let again = match Baseline::parse(&json) {
        Ok(b) => b,
        Err(e) => panic!("a baseline's own file text does not parse: {e:#}"),
    };
    assert!(
        again == baseline,
        "a baseline changed in a round trip through its file text"
    );
    assert!(
        again.to_json() == json,
        "to_json is not stable across a round trip"
    );
});
