//! Whether a lazy DFA keeps building states as it searches.
//!
//! A search that only walks states the lazy DFA already has costs a few instructions per
//! byte; one that makes it build a state costs thousands, more the larger the NFA. Text that
//! repeats the same shapes (code naming a keyword the same way again and again) stops
//! building states after a few searches; text that keeps bringing new shapes (a tree of test
//! fixtures full of varied credentials) keeps building them, and then another way of asking
//! the same question, one that builds nothing or builds on a smaller automaton, costs less.
//! The searches are judged in rounds, each on its own: a DFA whose text settles after its
//! first states is not held to a count that keeps its start in it.

use regex_automata::hybrid::dfa::Cache;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering::Relaxed};

/// Searches per round, unless told otherwise.
const ROUND: u32 = 256;
/// A round in which more than one search in this many built states means the DFA keeps
/// growing.
const GROWING_ONE_IN: u32 = 8;

/// Counts, for one lazy DFA shared by threads (each with its own cache), the searches of the
/// current round and those that built states.
pub struct StateGrowth {
    round: u32,
    searches: AtomicU32,
    growing: AtomicU32,
    keeps_growing: AtomicBool,
}

/// How large a cache is, to tell after a search whether it built states: its memory (states
/// and their transitions) and how often it was cleared (a full cache starts over).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Size(usize, usize);

impl Default for StateGrowth {
    fn default() -> StateGrowth {
        StateGrowth::judged_every(ROUND)
    }
}

impl StateGrowth {
    /// Judged in rounds of `round` searches.
    pub fn judged_every(round: u32) -> StateGrowth {
        StateGrowth {
            round,
            searches: AtomicU32::new(0),
            growing: AtomicU32::new(0),
            keeps_growing: AtomicBool::new(false),
        }
    }

    pub fn size(cache: &Cache) -> Size {
        Size(cache.memory_usage(), cache.clear_count())
    }

    /// One search done, `cache` as it is after it, `before` its size before it.
    pub fn record(&self, before: Size, cache: &Cache) {
        let grew = StateGrowth::size(cache) != before;
        let growing = self.growing.fetch_add(u32::from(grew), Relaxed) + u32::from(grew);
        let searches = self.searches.fetch_add(1, Relaxed) + 1;
        if searches >= self.round {
            if growing * GROWING_ONE_IN > searches {
                self.keeps_growing.store(true, Relaxed);
            }
            self.searches.store(0, Relaxed);
            self.growing.store(0, Relaxed);
        }
    }

    /// Whether a round of searches built states more often than one in [`GROWING_ONE_IN`].
    /// Once it has, it stays so: whatever took over does not give the DFA back.
    pub fn keeps_growing(&self) -> bool {
        self.keeps_growing.load(Relaxed)
    }
}
