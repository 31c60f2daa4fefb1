//! Which engine answers a rule's short unanchored confirm searches: its lazy DFA, or the
//! bounded backtracker.
//!
//! The DFA is the right answer for nearly every rule: once its states are built, a search
//! costs a few instructions per byte. A large pattern (a generic rule with long counted
//! repetitions) over lines that keep bringing new shapes keeps it building states, each
//! costing thousands of instructions, and then the backtracker, which builds nothing, can be
//! cheaper per byte. Or not: a pattern whose backtracking branches a lot costs it far more
//! than a DFA that grows now and then. So when the DFA keeps growing (`StateGrowth`), a round
//! of searches is given to the backtracker, timed like the DFA's searches were, and the
//! cheaper per byte answers from then on. Both engines give the same matches; only the cost
//! differs.

use std::sync::atomic::{AtomicU32, AtomicU64, AtomicU8, Ordering::Relaxed};
use std::time::Duration;

/// Searches the backtracker is given on trial.
const TRIAL: u32 = 32;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Dfa,
    Backtracker,
}

/// What has been decided so far.
const UNDECIDED: u8 = 0;
const ON_TRIAL: u8 = 1;
const BACKTRACKER: u8 = 2;
const DFA: u8 = 3;

#[derive(Default)]
struct Cost {
    nanos: AtomicU64,
    bytes: AtomicU64,
    searches: AtomicU32,
}

impl Cost {
    fn add(&self, bytes: usize, took: Duration) -> u32 {
        self.nanos.fetch_add(took.as_nanos() as u64, Relaxed);
        self.bytes.fetch_add(bytes as u64, Relaxed);
        self.searches.fetch_add(1, Relaxed) + 1
    }

    /// Nanoseconds per byte, scaled by 2^10 (integers, so that ties are exact).
    fn per_byte(&self) -> u64 {
        (self.nanos.load(Relaxed) << 10) / self.bytes.load(Relaxed).max(1)
    }
}

/// The choice for one regex, shared by the threads that search with it.
#[derive(Default)]
pub struct EngineChoice {
    state: AtomicU8,
    dfa: Cost,
    trial: Cost,
}

impl EngineChoice {
    /// A choice already made, for tests that hold every search to one engine.
    #[cfg(test)]
    pub fn decided(engine: Engine) -> EngineChoice {
        let choice = EngineChoice::default();
        let state = match engine {
            Engine::Dfa => DFA,
            Engine::Backtracker => BACKTRACKER,
        };
        choice.state.store(state, Relaxed);
        choice
    }

    /// The engine for the next search, given whether the DFA keeps building states.
    pub fn engine(&self, dfa_keeps_growing: bool) -> Engine {
        match self.state.load(Relaxed) {
            UNDECIDED if dfa_keeps_growing => {
                let _ = self
                    .state
                    .compare_exchange(UNDECIDED, ON_TRIAL, Relaxed, Relaxed);
                Engine::Backtracker
            }
            ON_TRIAL | BACKTRACKER => Engine::Backtracker,
            _ => Engine::Dfa,
        }
    }

    /// Whether searches still need timing: once decided, nothing is measured.
    pub fn measuring(&self) -> bool {
        matches!(self.state.load(Relaxed), UNDECIDED | ON_TRIAL)
    }

    /// A search of `bytes` bytes by `engine` took `took`.
    pub fn record(&self, engine: Engine, bytes: usize, took: Duration) {
        match engine {
            Engine::Dfa => {
                self.dfa.add(bytes, took);
            }
            Engine::Backtracker => {
                if self.trial.add(bytes, took) == TRIAL {
                    let cheaper = if self.trial.per_byte() < self.dfa.per_byte() {
                        BACKTRACKER
                    } else {
                        DFA
                    };
                    self.state.store(cheaper, Relaxed);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(choice: &EngineChoice, growing: bool, dfa_ns: u64, bt_ns: u64, n: u32) -> Vec<Engine> {
        (0..n)
            .map(|_| {
                let e = choice.engine(growing);
                let ns = if e == Engine::Dfa { dfa_ns } else { bt_ns };
                if choice.measuring() {
                    choice.record(e, 100, Duration::from_nanos(ns));
                }
                e
            })
            .collect()
    }

    #[test]
    fn a_dfa_that_settles_is_kept() {
        let choice = EngineChoice::default();
        assert!(run(&choice, false, 500, 1, 1000)
            .iter()
            .all(|&e| e == Engine::Dfa));
    }

    #[test]
    fn a_growing_dfa_gives_way_to_a_cheaper_backtracker_for_good() {
        let choice = EngineChoice::default();
        run(&choice, false, 5000, 1000, 10);
        let trial = run(&choice, true, 5000, 1000, TRIAL);
        assert!(trial.iter().all(|&e| e == Engine::Backtracker));
        assert!(!choice.measuring());
        let after = run(&choice, false, 5000, 1000, 100);
        assert!(after.iter().all(|&e| e == Engine::Backtracker));
    }

    #[test]
    fn a_backtracker_dearer_than_the_growing_dfa_goes_back_to_the_dfa_for_good() {
        let choice = EngineChoice::default();
        run(&choice, false, 1000, 9000, 10);
        run(&choice, true, 1000, 9000, TRIAL);
        assert!(!choice.measuring());
        let after = run(&choice, true, 1000, 9000, 100);
        assert!(after.iter().all(|&e| e == Engine::Dfa));
    }
}
