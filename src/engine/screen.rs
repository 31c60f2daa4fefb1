//! The line screen: which of one keyword's line-only rules can match a line at all.
//!
//! It only has to say *which* patterns match, never where or with what captures, so it is a
//! forward lazy DFA over one Thompson NFA of all the patterns, without capture states. A full
//! `RegexSet` also compiles captures and a reverse NFA it never needs for this question, and
//! start-up pays for the compilation whenever a file holds the keyword: the screen costs
//! less than half as much to build. The rules it reports are then confirmed one by one with
//! their full regexes.

use crate::rules::compile;
use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::nfa::thompson;
use regex_automata::util::pool::Pool;
use regex_automata::{Input, MatchKind, PatternSet};
use std::panic::{RefUnwindSafe, UnwindSafe};

type CacheFn = Box<dyn Fn() -> Cache + Send + Sync + UnwindSafe + RefUnwindSafe>;

pub struct Screen {
    dfa: DFA,
    /// One lazy-DFA cache per thread that uses the screen.
    caches: Pool<Cache, CacheFn>,
}

impl Screen {
    /// Builds the screen of `patterns` (the rules' regexes, in order), read in the mode rule
    /// patterns are compiled in (see [`compile::unicode_modes`]).
    pub fn build<'a>(patterns: impl Iterator<Item = &'a str> + Clone) -> Result<Screen, String> {
        let mut last_error = String::new();
        for unicode in compile::unicode_modes() {
            let nfa = thompson::Compiler::new()
                .syntax(compile::syntax(unicode))
                .configure(thompson::Config::new().which_captures(thompson::WhichCaptures::None))
                .build_many(&patterns.clone().collect::<Vec<_>>());
            let nfa = match nfa {
                Ok(nfa) => nfa,
                Err(e) => {
                    last_error = e.to_string();
                    continue;
                }
            };
            let dfa = DFA::builder()
                .configure(
                    DFA::config()
                        .match_kind(MatchKind::All)
                        .cache_capacity(compile::DFA_CACHE_BYTES),
                )
                .build_from_nfa(nfa)
                .map_err(|e| e.to_string())?;
            let for_pool = dfa.clone();
            let create: CacheFn = Box::new(move || for_pool.create_cache());
            return Ok(Screen {
                dfa,
                caches: Pool::new(create),
            });
        }
        Err(last_error)
    }

    /// Indices of the patterns that match somewhere in `line`; None when the DFA could not
    /// decide (a Unicode word boundary before a non-ASCII byte): then every rule must be
    /// confirmed.
    pub fn matches(&self, line: &[u8]) -> Option<Vec<usize>> {
        let mut found = PatternSet::new(self.dfa.pattern_len());
        let mut cache = self.caches.get();
        self.dfa
            .try_which_overlapping_matches(&mut cache, &Input::new(line), &mut found)
            .ok()?;
        Some(found.iter().map(|p| p.as_usize()).collect())
    }
}
