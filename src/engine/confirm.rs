//! A rule's regex as the confirm step runs it: on a window of a few lines, asking for the
//! rule's matches and their secret group.
//!
//! Built from one forward Thompson NFA: a forward lazy DFA finds where each match ends (and
//! says "no match" for most windows, which is what clean code gives), and a bounded
//! backtracker over the same NFA, on the stretch up to that end, gives its groups. On a long
//! stretch (the merged windows of a keyword-dense file) a second forward DFA skips ahead to
//! the literals the pattern opens with, if any; it is built only by a rule that meets such a
//! stretch, because extracting the literals and building their searcher costs more than a
//! few hundred bytes of DFA search save. A full regex
//! (`regex::bytes::Regex`) also compiles a reverse NFA and searches for inner and suffix
//! literals, for every rule, which a window of a few hundred bytes never pays back:
//! compiling the regexes of the rules a scan touches was a large part of a scan of a tree
//! full of test credentials, the reverse NFA most of that. Only a match that ends far from
//! where its search began (a rule over a whole file) needs a reverse DFA to find its start,
//! and only such a rule builds one. Built-in rules come parsed already (see
//! [`crate::rules::Rule::parsed_regex`]), so nothing is parsed here either.

use super::engine_choice::{Engine, EngineChoice};
use super::state_growth::StateGrowth;
use crate::rules::compile;
use regex_automata::hybrid::dfa::{self, DFA};
use regex_automata::nfa::thompson::backtrack::{self, BoundedBacktracker};
use regex_automata::nfa::thompson::pikevm::{self, PikeVM};
use regex_automata::nfa::thompson::{self, NFA};
use regex_automata::util::captures::Captures;
use regex_automata::util::pool::Pool;
use regex_automata::util::prefilter::Prefilter;
use regex_automata::{Anchored, Input, MatchKind, PatternID};
use regex_syntax::hir::Hir;
use std::panic::{RefUnwindSafe, UnwindSafe};
use std::sync::OnceLock;
use std::time::Instant;

/// The NFA size a pattern may compile to: the `regex` crate's default.
const NFA_SIZE_LIMIT: usize = 10 << 20;

/// How much memory the backtracker may use to remember what it tried (bits, one per NFA
/// state and haystack byte): enough for a large generic rule over a window of some kilobytes.
/// A longer stretch is searched with the PikeVM.
const VISITED_BYTES: usize = 1 << 20;

/// Up to how many bytes an unanchored search may be given to the backtracker alone (see
/// [`EngineChoice`]): a window of a line or a few.
const DIRECT_UP_TO: usize = 512;

/// Unanchored searches per round of judging whether the forward DFA keeps building states:
/// a generic rule confirms a few hundred windows in a large tree, so a round of the screens'
/// length would judge it only when most of them are done.
const GROWTH_ROUND: u32 = 32;

/// From how many bytes on a search is worth skipping ahead to a pattern's opening literals.
const SKIP_FROM: usize = 256;

/// How both NFAs of a pattern are compiled: over bytes, and no larger than the `regex`
/// crate allows.
fn nfa_config() -> thompson::Config {
    thompson::Config::new()
        .utf8(false)
        .nfa_size_limit(Some(NFA_SIZE_LIMIT))
}

type Make<T> = Box<dyn Fn() -> T + Send + Sync + UnwindSafe + RefUnwindSafe>;

/// A lazy DFA and a cache of it per thread.
struct Lazy {
    dfa: DFA,
    caches: Pool<dfa::Cache, Make<dfa::Cache>>,
}

impl Lazy {
    fn build(nfa: NFA, kind: MatchKind, prefilter: Option<Prefilter>) -> Result<Lazy, String> {
        let dfa = DFA::builder()
            .configure(
                DFA::config()
                    .match_kind(kind)
                    .prefilter(prefilter)
                    .cache_capacity(compile::DFA_CACHE_BYTES)
                    .unicode_word_boundary(true),
            )
            .build_from_nfa(nfa)
            .map_err(|e| e.to_string())?;
        let d = dfa.clone();
        Ok(Lazy {
            dfa,
            caches: Pool::new(Box::new(move || d.create_cache())),
        })
    }
}

pub struct ConfirmRegex {
    forward: Lazy,
    /// The forward DFA with a prefilter on the pattern's opening literals, for stretches of
    /// [`SKIP_FROM`] bytes or more; built on first need (None: the pattern opens with no
    /// literals, or the DFA does not build; the plain forward DFA searches).
    skipping: OnceLock<Option<Lazy>>,
    /// The forward NFA, for the skipping DFA.
    nfa: NFA,
    /// The pattern, for the reverse DFA and the opening literals.
    hir: Hir,
    /// Built the first time a match ends too far from its search's start for the
    /// backtracker (None: it does not build; the PikeVM searches the whole stretch).
    reverse: OnceLock<Option<Lazy>>,
    backtrack: BoundedBacktracker,
    pikevm: PikeVM,
    /// Whether the unanchored searches keep the forward DFAs building states, and which
    /// engine answers the short ones.
    growth: StateGrowth,
    choice: EngineChoice,
    /// One cache per thread that uses the regex, for each engine.
    backtrack_caches: Pool<backtrack::Cache, Make<backtrack::Cache>>,
    pikevm_caches: Pool<pikevm::Cache, Make<pikevm::Cache>>,
}

impl ConfirmRegex {
    /// Compiles `pattern`, or its already parsed form, in the modes rule patterns are read
    /// in (see [`compile::unicode_modes`]). The error is the last mode's.
    pub fn build(pattern: &str, parsed: Option<Hir>) -> Result<ConfirmRegex, String> {
        if let Some(hir) = parsed {
            return ConfirmRegex::from_hir(hir);
        }
        let mut last_error = String::new();
        for unicode in compile::unicode_modes() {
            match regex_automata::util::syntax::parse_with(pattern, &compile::syntax(unicode)) {
                Ok(hir) => return ConfirmRegex::from_hir(hir),
                Err(e) => last_error = e.to_string(),
            }
        }
        Err(last_error)
    }

    fn from_hir(hir: Hir) -> Result<ConfirmRegex, String> {
        let nfa: NFA = thompson::Compiler::new()
            .configure(nfa_config())
            .build_from_hir(&hir)
            .map_err(|e| e.to_string())?;
        let forward = Lazy::build(nfa.clone(), MatchKind::LeftmostFirst, None)?;
        let backtrack = BoundedBacktracker::builder()
            .configure(BoundedBacktracker::config().visited_capacity(VISITED_BYTES))
            .build_from_nfa(nfa.clone())
            .map_err(|e| e.to_string())?;
        let pikevm = PikeVM::new_from_nfa(nfa.clone()).map_err(|e| e.to_string())?;
        let (b, p) = (backtrack.clone(), pikevm.clone());
        Ok(ConfirmRegex {
            hir,
            nfa,
            skipping: OnceLock::new(),
            reverse: OnceLock::new(),
            backtrack_caches: Pool::new(Box::new(move || b.create_cache())),
            pikevm_caches: Pool::new(Box::new(move || p.create_cache())),
            forward,
            growth: StateGrowth::judged_every(GROWTH_ROUND),
            choice: EngineChoice::default(),
            backtrack,
            pikevm,
        })
    }

    /// The index of the group holding the secret: the one named `secret`, else the first
    /// group, else the whole match.
    pub fn secret_group(&self) -> usize {
        let info = self.pikevm.get_nfa().group_info();
        info.to_index(PatternID::ZERO, "secret")
            .unwrap_or(if info.group_len(PatternID::ZERO) > 1 {
                1
            } else {
                0
            })
    }

    /// The groups of each successive non-overlapping match (leftmost-first, as the `regex`
    /// crate finds them) in `haystack`, given to `found`. With `starts` (ascending), only
    /// matches that begin at one of them, each found with an anchored search: the same
    /// matches when every match of the regex begins at one of them.
    pub fn for_each_match(
        &self,
        haystack: &[u8],
        starts: Option<impl Iterator<Item = usize>>,
        mut found: impl FnMut(&Captures),
    ) {
        let mut caps = self.pikevm.create_captures();
        if let Some(starts) = starts {
            let mut end = 0;
            for at in starts {
                if at < end || at > haystack.len() {
                    continue;
                }
                if self.search(haystack, at, Anchored::Yes, &mut caps) {
                    let whole = caps.get_match().expect("a match").span();
                    end = whole.end.max(at + 1);
                    found(&caps);
                }
            }
            return;
        }
        let (mut at, mut last_end) = (0, None);
        while at <= haystack.len() && self.captures_at(haystack, at, &mut caps) {
            let whole = caps.get_match().expect("a match").span();
            // An empty match is searched past; one right where the last match ended is not
            // a match of its own (as in the `regex` crate).
            at = if whole.is_empty() {
                whole.end + 1
            } else {
                whole.end
            };
            if !(whole.is_empty() && last_end == Some(whole.end)) {
                found(&caps);
            }
            last_end = Some(whole.end);
        }
    }

    /// The leftmost-first match in `haystack` that starts at or after `at`, in `caps`
    /// (the bytes before `at` still count for `^` and `\b`). Whether there is one.
    pub fn captures_at(&self, haystack: &[u8], at: usize, caps: &mut Captures) -> bool {
        self.search(haystack, at, Anchored::No, caps)
    }

    /// [`ConfirmRegex::captures_at`], or with `Anchored::Yes` the match that starts at `at`.
    fn search(&self, haystack: &[u8], at: usize, anchored: Anchored, caps: &mut Captures) -> bool {
        let len = haystack.len() - at;
        if anchored == Anchored::No && len <= DIRECT_UP_TO {
            let engine = self.choice.engine(self.growth.keeps_growing());
            if !self.choice.measuring() {
                return self.search_with(engine, haystack, at, anchored, caps);
            }
            let started = Instant::now();
            let found = self.search_with(engine, haystack, at, anchored, caps);
            self.choice.record(engine, len, started.elapsed());
            return found;
        }
        self.search_with(Engine::Dfa, haystack, at, anchored, caps)
    }

    /// [`ConfirmRegex::search`] by the engine given: the backtracker alone, or a forward DFA
    /// to find where the match ends and then the backtracker (or the PikeVM) for its groups.
    fn search_with(
        &self,
        engine: Engine,
        haystack: &[u8],
        at: usize,
        anchored: Anchored,
        caps: &mut Captures,
    ) -> bool {
        let input = Input::new(haystack).range(at..).anchored(anchored);
        let unanchored = anchored == Anchored::No;
        let len = haystack.len() - at;
        if engine == Engine::Backtracker {
            if let Some(found) = self.backtrack(&input, caps) {
                return found;
            }
        }
        let end = {
            // An anchored search has no use for the prefilter of the skipping DFA.
            let forward = match anchored {
                Anchored::No => self.forward_for(len),
                _ => &self.forward,
            };
            let mut cache = forward.caches.get();
            let before = StateGrowth::size(&cache);
            let end = forward.dfa.try_search_fwd(&mut cache, &input);
            if unanchored {
                self.growth.record(before, &cache);
            }
            end
        };
        let input = match end {
            Ok(None) => return false,
            // The match starts where the backtracker's leftmost-first search from `at`
            // starts it, and ends here.
            Ok(Some(end)) => {
                let long = end.offset() - at > self.backtrack.max_haystack_len();
                let start = if long && unanchored {
                    self.match_start(haystack, at, end.offset()).unwrap_or(at)
                } else {
                    at
                };
                input.range(start..end.offset())
            }
            // The DFA stopped (a Unicode word boundary next to a non-ASCII byte, or its
            // cache filled too often): search the whole rest with the NFA engines.
            Err(_) => input,
        };
        if let Some(found) = self.backtrack(&input, caps) {
            return found;
        }
        let mut cache = self.pikevm_caches.get();
        self.pikevm.search(&mut cache, &input, caps);
        caps.is_match()
    }

    /// The backtracker's search of `input`, if the stretch is short enough for it.
    fn backtrack(&self, input: &Input, caps: &mut Captures) -> Option<bool> {
        if input.get_span().len() > self.backtrack.max_haystack_len() {
            return None;
        }
        let mut cache = self.backtrack_caches.get();
        self.backtrack.try_search(&mut cache, input, caps).ok()?;
        Some(caps.is_match())
    }

    /// The forward DFA for a search over `len` bytes.
    fn forward_for(&self, len: usize) -> &Lazy {
        if len < SKIP_FROM {
            return &self.forward;
        }
        self.skipping
            .get_or_init(|| {
                // A pattern that opens with literals (`AKIA`, `ghp_`) skips to them: most of
                // the merged windows of a keyword-dense file hold none.
                let prefix = Prefilter::from_hir_prefix(MatchKind::LeftmostFirst, &self.hir)?;
                Lazy::build(self.nfa.clone(), MatchKind::LeftmostFirst, Some(prefix)).ok()
            })
            .as_ref()
            .unwrap_or(&self.forward)
    }

    /// Where the leftmost-first match that ends at `end` starts (it starts at or after
    /// `at`): the longest match of the reversed pattern that ends there, going back.
    fn match_start(&self, haystack: &[u8], at: usize, end: usize) -> Option<usize> {
        let reverse = self
            .reverse
            .get_or_init(|| {
                let nfa = thompson::Compiler::new()
                    .configure(
                        nfa_config()
                            .reverse(true)
                            .which_captures(thompson::WhichCaptures::None),
                    )
                    .build_from_hir(&self.hir)
                    .ok()?;
                Lazy::build(nfa, MatchKind::All, None).ok()
            })
            .as_ref()?;
        let input = Input::new(haystack).range(at..end).anchored(Anchored::Yes);
        let mut cache = reverse.caches.get();
        let start = reverse.dfa.try_search_rev(&mut cache, &input).ok()??;
        Some(start.offset())
    }

    pub fn create_captures(&self) -> Captures {
        self.pikevm.create_captures()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No start positions given: every match, wherever it starts.
    const EVERYWHERE: Option<std::iter::Empty<usize>> = None;

    #[test]
    fn anchored_searches_at_given_starts_find_what_the_unanchored_search_finds_there() {
        let re = ConfirmRegex::build(r"\bghp_([A-Za-z0-9]{6})\b", None).unwrap();
        let text = b"xghp_aaaaaa ghp_bbbbbb ghp_cc ghp_dddddd";
        let all = |starts: Option<Vec<usize>>| {
            let mut found = Vec::new();
            re.for_each_match(text, starts.map(Vec::into_iter), |c| {
                found.push(c.get_group(1).unwrap().range())
            });
            found
        };
        let everywhere = all(None);
        assert_eq!(everywhere, [16..22, 34..40]);
        // Every occurrence of the literal start, including those that fail (`\b`, length).
        assert_eq!(all(Some(vec![1, 12, 23, 30])), everywhere);
        // Only the starts given: a match elsewhere is not searched for, and a start inside
        // a match already found is skipped.
        assert_eq!(all(Some(vec![30])), everywhere[1..]);
        assert_eq!(all(Some(vec![12, 14, 30])), everywhere);
        assert!(all(Some(vec![13, 31, 40])).is_empty());
    }

    /// Every (whole, secret) span `ConfirmRegex` reports equals the `regex` crate's.
    /// With either engine answering the short unanchored searches.
    fn same_as_regex(pattern: &str, haystack: &[u8]) {
        let theirs = compile::regex(pattern).unwrap();
        for engine in [Engine::Dfa, Engine::Backtracker] {
            let mut ours = ConfirmRegex::build(pattern, None).unwrap();
            ours.choice = EngineChoice::decided(engine);
            let group = ours.secret_group();
            let mut got = Vec::new();
            ours.for_each_match(haystack, EVERYWHERE, |c| {
                got.push((
                    c.get_group(0).unwrap().range(),
                    c.get_group(group).map(|s| s.range()),
                ))
            });
            let want: Vec<_> = theirs
                .captures_iter(haystack)
                .map(|c| (c.get(0).unwrap().range(), c.get(group).map(|m| m.range())))
                .collect();
            assert_eq!(
                got,
                want,
                "{pattern} ({engine:?}) on {:?}",
                String::from_utf8_lossy(haystack)
            );
        }
    }

    #[test]
    fn matches_and_groups_are_those_of_the_regex_crate() {
        let text =
            b"x password = 'hunter22' y password='abcdefgh'\npassword: \"zz\" AKIAABCDEFGHIJKLMNOP";
        same_as_regex(
            r"(?i)password\s*[=:]\s*['\x22](?P<secret>[^'\x22]{2,})['\x22]",
            text,
        );
        same_as_regex(r"\bAKIA[A-Z0-9]{16}\b", text);
        same_as_regex(r"(a|ab)(c|bcd)?", b"abcd abc ab a");
        same_as_regex(r"(?m)^pass(\w*)$", b"password\npass\nxpass\npassport");
        // A group that is not taken, and an empty match.
        same_as_regex(r"k(\d)?", b"k1 k kk9");
        same_as_regex(r"x*", b"axxb");
        // The DFA stops at a Unicode word boundary next to non-ASCII text: the NFA decides.
        same_as_regex(r"(?u)\btok(\w+)\b", "é tokAbc tokÄb".as_bytes());
    }

    #[test]
    fn a_dfa_that_keeps_building_states_has_the_backtracker_tried_and_the_matches_stay() {
        let pattern = r"(?:[A-Za-z0-9_][A-Za-z0-9_.\-]{0,40}?)?(?i:secret|token)[0-9]{0,2}[ \t]*[:=][ \t]*['\x22](?P<secret>[!#-&(-~]{6,254})['\x22]";
        let re = ConfirmRegex::build(pattern, None).unwrap();
        let theirs = compile::regex(pattern).unwrap();
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        let chars = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789_.-!#$%&()*+";
        let mut word = |len: u64, from: usize| -> String {
            (0..len)
                .map(|_| chars[next(from as u64) as usize] as char)
                .collect()
        };
        let mut searched = 0;
        for i in 0..600 {
            let name = word(i % 45, 38);
            let value = word(3 + i % 20, chars.len());
            let line = format!("  {name}Secret{} = \"{value}\" # {}", i % 120, word(9, 36));
            let mut got = Vec::new();
            re.for_each_match(line.as_bytes(), EVERYWHERE, |c| {
                got.push(c.get_group(1).unwrap().range())
            });
            let want: Vec<_> = theirs
                .captures_iter(line.as_bytes())
                .map(|c| c.get(1).unwrap().range())
                .collect();
            assert_eq!(got, want, "{line}");
            searched += usize::from(!want.is_empty());
        }
        assert!(searched > 300, "{searched}");
        assert!(
            re.growth.keeps_growing(),
            "the lines kept the DFA building states"
        );
        assert!(!re.choice.measuring(), "the trial was held and decided");
    }

    #[test]
    fn a_search_from_an_offset_sees_the_bytes_before_it() {
        let re = ConfirmRegex::build(r"\bkey(\d+)", None).unwrap();
        let mut caps = re.create_captures();
        // `xkey1` has no boundary before `key`, even when the search starts there.
        assert!(!re.captures_at(b"xkey1", 1, &mut caps));
        assert!(re.captures_at(b"x key1", 1, &mut caps));
        assert_eq!(caps.get_group(1).unwrap().range(), 5..6);
    }

    #[test]
    fn a_stretch_too_long_for_the_backtracker_is_searched_with_the_pikevm() {
        let pattern = r"(?s)begin(.*?)end|x[a-z]{300}y";
        let re = ConfirmRegex::build(pattern, None).unwrap();
        let long = format!("begin{}end", "z".repeat(200_000));
        assert!(long.len() > re.backtrack.max_haystack_len());
        same_as_regex(pattern, long.as_bytes());
    }

    #[test]
    fn a_match_far_from_where_its_search_began_is_found_from_its_start() {
        let pattern = r"key(\d+)\b|x[a-z]{300}y";
        let re = ConfirmRegex::build(pattern, None).unwrap();
        let text = format!(
            "{} key123 {} key45",
            " ".repeat(100_000),
            "-".repeat(100_000)
        );
        assert!(100_000 > re.backtrack.max_haystack_len());
        same_as_regex(pattern, text.as_bytes());
        let mut secrets = Vec::new();
        re.for_each_match(text.as_bytes(), EVERYWHERE, |c| {
            secrets.push(c.get_group(1).unwrap().range())
        });
        assert_eq!(secrets, [100_004..100_007, 200_012..200_014]);
        assert!(
            re.reverse.get().is_some_and(|r| r.is_some()),
            "the reverse DFA built"
        );
        let short = ConfirmRegex::build(pattern, None).unwrap();
        same_as_regex(pattern, b"a key1 b key22");
        short.for_each_match(b"a key1 b key22", EVERYWHERE, |_| {});
        assert!(
            short.reverse.get().is_none(),
            "no reverse DFA for short stretches"
        );
    }
}
