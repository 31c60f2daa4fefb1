//! The line screen: which of one keyword's line-only rules can match a line at all.
//!
//! It only has to say *which* patterns match, never where or with what captures, so it is a
//! forward lazy DFA over one Thompson NFA of all the patterns, without capture states. A full
//! `RegexSet` also compiles captures and a reverse NFA it never needs for this question, and
//! start-up pays for the compilation whenever a file holds the keyword: the screen costs
//! less than half as much to build. The rules it reports are then confirmed one by one with
//! their full regexes.
//!
//! The screen reads each pattern *widened*: a counted range loses its upper bound
//! (`[a-z0-9]{8,64}` becomes `[a-z0-9]{8,}`, `.{0,40}` becomes `.*`). Ranges are most of the
//! states of a many-rule NFA and of its lazy DFA (every count is a state, multiplied across
//! the patterns active at once), so the widened screen builds in a fraction of the time, its
//! DFA caches stay small and fill less often. A widened pattern matches a superset of what the rule matches, so
//! the screen never drops a line the rule would match; the confirm step, which runs the
//! rule's own regex, rejects the rest.

use super::state_growth::StateGrowth;
use crate::rules::compile;
use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::nfa::thompson;
use regex_automata::util::pool::Pool;
use regex_automata::{Input, MatchKind, PatternSet};
use regex_syntax::hir::{Capture, Hir, HirKind, Repetition};
use std::panic::{RefUnwindSafe, UnwindSafe};

type CacheFn = Box<dyn Fn() -> Cache + Send + Sync + UnwindSafe + RefUnwindSafe>;

pub struct Screen {
    dfa: DFA,
    /// One lazy-DFA cache per thread that uses the screen.
    caches: Pool<Cache, CacheFn>,
    /// Whether screening still pays off (see [`Screen::pays_off`]).
    growth: StateGrowth,
}

/// One rule's pattern for a screen.
pub struct Pattern<'a> {
    pub text: &'a str,
    /// The pattern already parsed in ASCII mode (a built-in rule's, parsed at build time:
    /// see [`crate::rules::Rule::parsed_regex`]).
    pub parsed: Option<Hir>,
}

impl Screen {
    /// Builds the screen of `patterns` (the rules' regexes, in order), read in the mode rule
    /// patterns are compiled in (see [`compile::unicode_modes`]). Patterns all parsed
    /// already are used as they are; otherwise every one is parsed here.
    pub fn build(mut patterns: Vec<Pattern<'_>>) -> Result<Screen, String> {
        let parsed: Option<Vec<Hir>> = patterns.iter_mut().map(|p| p.parsed.take()).collect();
        if let Some(hirs) = parsed {
            return Screen::from_parsed(hirs.into_iter().map(widen).collect());
        }
        let texts: Vec<&str> = patterns.iter().map(|p| p.text).collect();
        let mut last_error = String::new();
        for unicode in compile::unicode_modes() {
            match regex_automata::util::syntax::parse_many_with(&texts, &compile::syntax(unicode)) {
                Ok(hirs) => return Screen::from_parsed(hirs.into_iter().map(widen).collect()),
                Err(e) => last_error = e.to_string(),
            }
        }
        Err(last_error)
    }

    fn from_parsed(hirs: Vec<Hir>) -> Result<Screen, String> {
        let nfa = thompson::Compiler::new()
            .configure(thompson::Config::new().which_captures(thompson::WhichCaptures::None))
            .build_many_from_hir(&hirs)
            .map_err(|e| e.to_string())?;
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
        Ok(Screen {
            dfa,
            caches: Pool::new(create),
            growth: StateGrowth::default(),
        })
    }

    /// Whether screening this keyword's lines with the union of its rules still costs less
    /// than screening each rule on its own: not once the union's lazy DFA keeps building
    /// states (see [`StateGrowth`]), as each of its states is the union of every pattern's
    /// NFA states active at once, and each rule's own automaton is much smaller. Once it does
    /// not pay off, it never will again for this scan; the other way finds the same matches.
    pub fn pays_off(&self) -> bool {
        !self.growth.keeps_growing()
    }

    /// Whether any pattern matches somewhere in `line`, stopping at the first match; None
    /// when the DFA could not decide (see [`Screen::matches`]).
    pub fn is_match(&self, line: &[u8]) -> Option<bool> {
        let mut cache = self.caches.get();
        self.dfa
            .try_search_fwd(&mut cache, &Input::new(line).earliest(true))
            .ok()
            .map(|m| m.is_some())
    }

    /// Indices of the patterns that match somewhere in `line`; None when the DFA could not
    /// decide (a Unicode word boundary before a non-ASCII byte): then every rule must be
    /// confirmed.
    pub fn matches(&self, line: &[u8]) -> Option<Vec<usize>> {
        let mut found = PatternSet::new(self.dfa.pattern_len());
        let mut cache = self.caches.get();
        let size = StateGrowth::size(&cache);
        let searched =
            self.dfa
                .try_which_overlapping_matches(&mut cache, &Input::new(line), &mut found);
        self.growth.record(size, &cache);
        searched.ok()?;
        Some(found.iter().map(|p| p.as_usize()).collect())
    }
}

/// The pattern with the upper bound of each counted range dropped (`{8,64}` becomes `{8,}`,
/// `.{0,40}` becomes `.*`); exact counts and `?` stay. Subpatterns without a range are moved
/// over untouched: rebuilding a parsed pattern node by node costs as much as parsing it.
fn widen(hir: Hir) -> Hir {
    if !has_range(&hir) {
        return hir;
    }
    match hir.into_kind() {
        HirKind::Repetition(rep) => {
            let max = match rep.max {
                Some(max) if max > rep.min && max > 1 => None,
                max => max,
            };
            Hir::repetition(Repetition {
                max,
                sub: Box::new(widen(*rep.sub)),
                ..rep
            })
        }
        HirKind::Capture(capture) => Hir::capture(Capture {
            sub: Box::new(widen(*capture.sub)),
            ..capture
        }),
        HirKind::Concat(subs) => Hir::concat(subs.into_iter().map(widen).collect()),
        HirKind::Alternation(subs) => Hir::alternation(subs.into_iter().map(widen).collect()),
        // Leaves hold no range (has_range is false for them); rebuilt as they were.
        HirKind::Empty => Hir::empty(),
        HirKind::Literal(literal) => Hir::literal(literal.0),
        HirKind::Class(class) => Hir::class(class),
        HirKind::Look(look) => Hir::look(look),
    }
}

/// Whether `hir` holds a counted range that [`widen`] opens.
fn has_range(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Repetition(rep) => {
            rep.max.is_some_and(|max| max > rep.min && max > 1) || has_range(&rep.sub)
        }
        HirKind::Capture(capture) => has_range(&capture.sub),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => subs.iter().any(has_range),
        HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) | HirKind::Look(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn widened(pattern: &str) -> String {
        let hir = regex_automata::util::syntax::parse_with(pattern, &compile::syntax(false))
            .expect("pattern parses");
        widen(hir).to_string()
    }

    #[test]
    fn ranges_lose_their_upper_bound_and_exact_counts_stay() {
        let same = |a: &str, b: &str| assert_eq!(widened(a), widened(b), "{a} widened");
        same("a[0-9]{8,64}", "a[0-9]{8,}");
        same("x.{0,40}y", "x.*y");
        same("(?:ab{1,3}){2,5}", "(?:ab+){2,}");
        same("k[A-Z]{16}", "k[A-Z]{16}");
        same("k[A-Z]{16}?", "k[A-Z]{16}?");
        same("colou?r", "colou?r");
    }

    /// Lines of letters in which `k` stands at pseudo-random places: for `k[a-z]{30}`, each
    /// `k` of the last 30 letters is a match under way, so nearly every line brings the lazy
    /// DFA sets of them it has not met.
    fn varied_lines(n: usize) -> Vec<Vec<u8>> {
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        (0..n)
            .map(|_| {
                (0..80)
                    .map(|_| {
                        state ^= state << 13;
                        state ^= state >> 7;
                        state ^= state << 17;
                        if state.is_multiple_of(5) {
                            b'k'
                        } else {
                            b'a' + (state % 7) as u8
                        }
                    })
                    .collect()
            })
            .collect()
    }

    fn screen_of(patterns: &[&str]) -> Screen {
        Screen::build(
            patterns
                .iter()
                .map(|&text| Pattern { text, parsed: None })
                .collect(),
        )
        .unwrap()
    }

    #[test]
    fn a_screen_gives_up_on_lines_that_keep_it_building_states_and_not_on_repeated_ones() {
        let patterns = [r"k[a-z]{30}x", r"q[a-z]{30}y"];
        let lines = varied_lines(1000);
        let repeated = screen_of(&patterns);
        for _ in 0..1000 {
            repeated.matches(&lines[0]).unwrap();
        }
        assert!(
            repeated.pays_off(),
            "one line met again and again builds no states"
        );
        let varied = screen_of(&patterns);
        for line in &lines {
            varied.matches(line).unwrap();
        }
        assert!(!varied.pays_off(), "varied lines kept building states");
        // What takes over answers the same: a screen of each pattern on its own.
        let alone: Vec<Screen> = patterns.iter().map(|&p| screen_of(&[p])).collect();
        for line in lines
            .iter()
            .chain([&b"kaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaax".to_vec()])
        {
            let union = varied.matches(line).unwrap();
            for (i, screen) in alone.iter().enumerate() {
                assert_eq!(
                    screen.is_match(line),
                    Some(union.contains(&i)),
                    "{i} on {line:?}"
                );
            }
        }
    }

    #[test]
    fn the_screen_reports_every_rule_that_matches_a_line_and_no_rule_that_cannot() {
        let patterns = [
            r"(?i)password\s*=\s*'(?P<secret>[^']{8,64})'",
            r"token.{0,10}(?P<secret>[a-f0-9]{32})\b",
            r"\bAKIA[A-Z0-9]{16}\b",
        ];
        let screen = Screen::build(
            patterns
                .iter()
                .map(|&text| Pattern { text, parsed: None })
                .collect(),
        )
        .unwrap();
        let lines: [&[u8]; 4] = [
            b"Password = 'c0rrect-h0rse-battery'",
            b"token: 0123456789abcdef0123456789abcdef",
            b"aws AKIAABCDEFGHIJKLMNOP end",
            b"nothing to see here",
        ];
        for line in lines {
            let reported = screen.matches(line).expect("ASCII line decides");
            for (i, p) in patterns.iter().enumerate() {
                if compile::regex(p).unwrap().is_match(line) {
                    assert!(reported.contains(&i), "rule {i} dropped on {line:?}");
                }
            }
        }
        assert!(screen.matches(b"nothing to see here").unwrap().is_empty());
        // A widened screen may report a line that the rule itself rejects (a value too long
        // for its range); the confirm step turns it down.
        let long = format!("password = '{}'", "v".repeat(100));
        assert_eq!(screen.matches(long.as_bytes()).unwrap(), vec![0]);
        assert!(!compile::regex(patterns[0])
            .unwrap()
            .is_match(long.as_bytes()));
    }
}
