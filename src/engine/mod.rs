//! The detection engine: bytes in, rule matches with byte spans out. It knows nothing about
//! where the bytes came from.
//!
//! Every rule's keywords, lower-cased, go into one keyword search (`keywords.rs`: a hashed
//! 4-gram filter, one pass over the raw bytes, case-insensitive). A keyword hit selects the
//! rules to confirm; each rule's regex is compiled on first use and run only on a window
//! around the hit (by default the hit's line).

mod anchor;
mod confirm;
mod engine_choice;
mod examples;
mod keywords;
mod parity_windows;
mod screen;
mod state_growth;
mod trigram_slot;
mod window;

use crate::rules::{entropy, placeholder, Rule};
use confirm::ConfirmRegex;
use keywords::KeywordSearch;
use screen::Screen;

/// How far past a window's cut a match that runs into it is followed to its line's end.
const LONG_LINE: usize = 16 << 10;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

pub use examples::{check_examples_together, check_rule_examples};
pub use window::Window;

/// A confirmed match of one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// Index of the rule in the `RuleSet`.
    pub rule: usize,
    /// Byte span of the whole regex match.
    pub start: usize,
    pub end: usize,
    /// Byte span of the secret (the capture group).
    pub secret_start: usize,
    pub secret_end: usize,
}

/// A rule's regex, compiled on first keyword hit: a pre-commit hook touching a few files pays
/// only for the rules those files trigger. The secret's group comes with it.
type LazyRegex = OnceLock<Option<(ConfirmRegex, usize)>>;

/// A regex that does not compile (user rules are checked when the config is loaded, built-in
/// ones by the rule-pack tests, so this is a last resort) is recorded in `errors` and the rule
/// finds nothing.
fn compile_rule(rule: &Rule, errors: &Mutex<Vec<String>>) -> Option<(ConfirmRegex, usize)> {
    let re = match ConfirmRegex::build(&rule.regex, rule.parsed_regex()) {
        Ok(re) => re,
        Err(e) => {
            record(
                errors,
                format!("rule {}: regex does not compile: {e}", rule.id),
            );
            return None;
        }
    };
    let group = rule.secret_group.unwrap_or_else(|| re.secret_group());
    Some((re, group))
}

/// The screen of one keyword's line-only rules, or None when it does not build (recorded in
/// `errors`; its rules are then searched one by one: correct, only slower).
fn build_screen(
    rules: &[Rule],
    line_rules: &[usize],
    errors: &Mutex<Vec<String>>,
) -> Option<Screen> {
    let patterns = line_rules
        .iter()
        .map(|&r| screen::Pattern {
            text: &rules[r].regex,
            parsed: rules[r].parsed_regex(),
        })
        .collect();
    match Screen::build(patterns) {
        Ok(screen) => Some(screen),
        Err(e) => {
            let ids: Vec<&str> = line_rules.iter().map(|&r| rules[r].id.as_str()).collect();
            record(
                errors,
                format!(
                    "the line screen of rules {} does not build ({e}); they run one by one",
                    ids.join(", ")
                ),
            );
            None
        }
    }
}

/// Records an error once.
fn record(errors: &Mutex<Vec<String>>, msg: String) {
    if let Ok(mut e) = errors.lock() {
        if !e.contains(&msg) {
            e.push(msg);
        }
    }
}

/// What a rule set knows before it scans anything: the rules, the keyword search, and which
/// rules each keyword selects. It never changes, so the rule sets of a sweep share one.
struct RuleIndex {
    rules: Vec<Rule>,
    keywords: Option<KeywordSearch>,
    /// For each keyword, the rules it selects.
    pattern_rules: Vec<Vec<usize>>,
    /// For each keyword, its rules that look at the hit's line only, pre-screened together.
    line_rules: Vec<Vec<usize>>,
    /// Per rule, whether its matches all begin with one of its keywords: what a screen lets
    /// through is then searched only where its keywords are, with anchored searches (see
    /// [`crate::rules::literal_start`]).
    at_keywords: Vec<bool>,
    /// Rules with no keywords: run on every blob. Kept few on purpose.
    keywordless: Vec<usize>,
}

impl RuleIndex {
    fn build(rules: Vec<Rule>) -> RuleIndex {
        // Each distinct keyword (lower-cased) once, with the rules that name it: one pass over
        // the rules, so building the set stays linear in the pack's size. The keyword search
        // reports every occurrence of every keyword, including ones inside or overlapping
        // another, so a keyword selects exactly the rules that name it.
        let mut keywords: Vec<Vec<u8>> = Vec::new();
        let mut pattern_rules: Vec<Vec<usize>> = Vec::new();
        // foldhash, not SipHash: a start-up hashes every keyword of the pack here.
        let mut index: HashMap<Vec<u8>, usize, foldhash::fast::RandomState> = HashMap::default();
        for (i, r) in rules.iter().enumerate() {
            for k in &r.keywords {
                let k = k.to_ascii_lowercase().into_bytes();
                let pattern = *index.entry(k).or_insert_with_key(|k| {
                    keywords.push(k.clone());
                    pattern_rules.push(Vec::new());
                    keywords.len() - 1
                });
                if pattern_rules[pattern].last() != Some(&i) {
                    pattern_rules[pattern].push(i);
                }
            }
        }
        let at_keywords: Vec<bool> = rules.iter().map(Rule::starts_with_a_keyword).collect();
        let line_rules = pattern_rules
            .iter()
            .map(|rs| {
                rs.iter()
                    .copied()
                    .filter(|&r| rules[r].window() == [0, 0])
                    .collect()
            })
            .collect();
        let keywordless = rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.keywords.is_empty())
            .map(|(i, _)| i)
            .collect();
        let keywords = (!keywords.is_empty()).then(|| KeywordSearch::build(keywords));
        RuleIndex {
            rules,
            keywords,
            pattern_rules,
            line_rules,
            at_keywords,
            keywordless,
        }
    }
}

/// The rules, ready to scan: a shared [`RuleIndex`] and what this set compiled from it so far.
/// Compiled regexes and screens keep a cache per thread that used them, so a set is best kept
/// to one scan (see [`RuleSet::fresh`]).
pub struct RuleSet {
    index: Arc<RuleIndex>,
    /// Per rule, its regex (see [`LazyRegex`]).
    regexes: Vec<LazyRegex>,
    /// Per keyword, the screen of its line rules (when it has more than one), built on first
    /// use. Boxed: a built screen is hundreds of bytes, and a start-up that fills a slot per
    /// keyword of the pack would touch (fault in) that much memory for screens it never builds.
    screens: Vec<OnceLock<Option<Box<Screen>>>>,
    /// Per rule, a screen of its pattern alone, built on first use: what a keyword's lines
    /// are screened with once its union screen no longer pays off (see
    /// [`Screen::pays_off`]).
    rule_screens: Vec<OnceLock<Option<Box<Screen>>>>,
    /// What could not be compiled at scan time (see [`RuleSet::errors`]).
    errors: Mutex<Vec<String>>,
}

impl RuleSet {
    /// Builds the keyword search. Regexes are not compiled here (see [`LazyRegex`]).
    pub fn new(rules: Vec<Rule>) -> RuleSet {
        RuleSet::over(Arc::new(RuleIndex::build(rules)))
    }

    fn over(index: Arc<RuleIndex>) -> RuleSet {
        RuleSet {
            regexes: index.rules.iter().map(|_| OnceLock::new()).collect(),
            screens: index.line_rules.iter().map(|_| OnceLock::new()).collect(),
            rule_screens: index.rules.iter().map(|_| OnceLock::new()).collect(),
            errors: Mutex::new(Vec::new()),
            index,
        }
    }

    /// A rule set of the same rules, in the same order, that has compiled nothing yet: a
    /// sweep gives each repository's scan its own, so that the regex caches of one scan's
    /// threads go when the scan does, while the rules and the keyword search are not built
    /// again nor held twice.
    pub fn fresh(&self) -> RuleSet {
        RuleSet::over(Arc::clone(&self.index))
    }

    /// The regex of rule `r`, compiled on first use.
    fn regex(&self, r: usize) -> Option<&(ConfirmRegex, usize)> {
        self.regexes[r]
            .get_or_init(|| compile_rule(&self.index.rules[r], &self.errors))
            .as_ref()
    }

    /// The screen of keyword `pattern`'s line rules, built on first use.
    fn screen(&self, pattern: usize) -> Option<&Screen> {
        self.screens[pattern]
            .get_or_init(|| {
                build_screen(
                    &self.index.rules,
                    &self.index.line_rules[pattern],
                    &self.errors,
                )
                .map(Box::new)
            })
            .as_deref()
    }

    /// The screen of rule `r` alone, built on first use.
    fn rule_screen(&self, r: usize) -> Option<&Screen> {
        self.rule_screens[r]
            .get_or_init(|| build_screen(&self.index.rules, &[r], &self.errors).map(Box::new))
            .as_deref()
    }

    /// Regexes and line screens that failed to compile during the scans so far, one line
    /// each: the caller warns about them, so nothing fails in silence.
    pub fn errors(&self) -> Vec<String> {
        self.errors.lock().map(|e| e.clone()).unwrap_or_default()
    }

    pub fn len(&self) -> usize {
        self.index.rules.len()
    }

    /// Keywords whose line-only rules could not be compiled into one screen (their rules
    /// are then searched one by one: correct, only slower). Builds every screen.
    pub fn unscreened_keywords(&self) -> usize {
        (0..self.index.line_rules.len())
            .filter(|&p| self.index.line_rules[p].len() > 1 && self.screen(p).is_none())
            .count()
    }

    pub fn is_empty(&self) -> bool {
        self.index.rules.is_empty()
    }

    pub fn rule(&self, idx: usize) -> &Rule {
        &self.index.rules[idx]
    }

    pub fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.index.rules.iter()
    }

    /// Rules that run on every blob because they have no keyword.
    pub fn keywordless_rules(&self) -> impl Iterator<Item = &Rule> {
        self.index.keywordless.iter().map(|&i| &self.index.rules[i])
    }

    /// Whether `haystack` contains any keyword at all: the prefilter alone.
    pub fn prefilter_hits(&self, haystack: &[u8]) -> usize {
        let mut n = 0;
        self.for_each_keyword_hit(haystack, |_, _, _| n += 1);
        n
    }

    /// Finds every match in `haystack`, sorted by position.
    pub fn scan(&self, haystack: &[u8]) -> Vec<Match> {
        let index = &*self.index;
        let mut windows = window::Collector::new(index.rules.len());
        // Per keyword, the lines of its hits whose line-only rules are still to screen.
        let mut lines = window::Collector::new(index.line_rules.len());
        self.for_each_keyword_hit(haystack, |pattern, start, end| {
            let screened = index.line_rules[pattern].len() > 1;
            for &rule in &index.pattern_rules[pattern] {
                let [before, after] = index.rules[rule].window();
                if before == 0 && after == 0 && screened {
                    continue;
                }
                windows.add(haystack, rule, start, end, before, after);
            }
            if screened {
                lines.add(haystack, pattern, start, end, 0, 0);
            }
        });
        let mut windows = windows.into_windows();
        let mut lines: Vec<(usize, usize, usize)> = lines
            .into_windows()
            .into_iter()
            .map(|w| (w.rule, w.start, w.end))
            .collect();
        // Screen each hit line once with all of its keyword's line rules at once: on
        // secret-free code most lines match none, and one screen pass is far cheaper than a
        // search per rule. Only the rules the set reports are confirmed.
        lines.sort_unstable();
        lines.dedup();
        for (pattern, start, end) in lines {
            let line_rules = &index.line_rules[pattern];
            let text = &haystack[start..end];
            let mut push = |rule| windows.push(Window { rule, start, end });
            match self.screen(pattern) {
                Some(screen) if screen.pays_off() => match screen.matches(text) {
                    Some(matched) => matched.into_iter().for_each(|i| push(line_rules[i])),
                    None => line_rules.iter().for_each(|&r| push(r)),
                },
                // The keyword's lines keep the union screen building states: each rule's own
                // screen, shared by every keyword naming the rule, decides instead.
                Some(_) => {
                    for &rule in line_rules {
                        if self
                            .rule_screen(rule)
                            .is_none_or(|s| s.is_match(text) != Some(false))
                        {
                            push(rule);
                        }
                    }
                }
                None => line_rules.iter().for_each(|&r| push(r)),
            }
        }
        for &rule in &index.keywordless {
            windows.push(Window {
                rule,
                start: 0,
                end: haystack.len(),
            });
        }
        let mut matches = Vec::new();
        for w in window::merge(windows) {
            self.confirm(haystack, w, &mut matches);
        }
        matches.sort_by_key(|m| (m.secret_start, m.rule));
        matches.dedup_by_key(|m| (m.rule, m.secret_start, m.secret_end));
        self.prefer_specific(matches)
    }

    /// One secret, one finding: where secret spans overlap, rules tagged `generic` (password
    /// assignments, generic tokens, URL credentials) yield to a specific rule (a provider
    /// format, a connection string); among generic rules only the first is kept.
    fn prefer_specific(&self, matches: Vec<Match>) -> Vec<Match> {
        if matches.len() < 2 {
            return matches;
        }
        let generic = |m: &Match| self.index.rules[m.rule].generic;
        let mut keep = vec![true; matches.len()];
        for i in 0..matches.len() {
            for j in i + 1..matches.len() {
                let (a, b) = (&matches[i], &matches[j]);
                if b.secret_start >= a.secret_end {
                    break;
                }
                match (generic(a), generic(b)) {
                    (true, false) => keep[i] = false,
                    (false, true) | (true, true) => keep[j] = false,
                    (false, false) => {}
                }
            }
        }
        matches
            .into_iter()
            .zip(keep)
            .filter_map(|(m, k)| k.then_some(m))
            .collect()
    }

    /// Calls `f(pattern, start, end)` for each keyword occurrence in `haystack`.
    fn for_each_keyword_hit(&self, haystack: &[u8], mut f: impl FnMut(usize, usize, usize)) {
        if let Some(search) = &self.index.keywords {
            search.for_each(haystack, &mut f);
        }
    }

    /// Where in `text` the keywords of rule `r` start, in order.
    fn keyword_starts(&self, text: &[u8], r: usize) -> Vec<usize> {
        let mut starts = Vec::new();
        self.for_each_keyword_hit(text, |pattern, start, _| {
            if self.index.pattern_rules[pattern].contains(&r) {
                starts.push(start);
            }
        });
        starts.sort_unstable();
        starts.dedup();
        starts
    }

    /// Runs one rule's regex over a window and keeps the matches that pass its checks. A
    /// rule whose matches all begin with one of its keywords is searched only where they
    /// start in the window, each time with an anchored search: the same matches, found
    /// without the unanchored search's lazy DFA building states for every new line.
    fn confirm(&self, haystack: &[u8], w: Window, out: &mut Vec<Match>) {
        let rule = &self.index.rules[w.rule];
        let Some((re, group)) = self.regex(w.rule) else {
            return;
        };
        let text = &haystack[w.start..w.end];
        // A window of a long line ends at a cut, not at the line's end, and `$` matches there:
        // a match that runs into the cut is confirmed again on the line up to its real end
        // (bounded), so a long value is judged whole (a SealedSecret ciphertext is long).
        let cut = w.end < haystack.len() && haystack[w.end] != b'\n';
        let mut longer = None;
        let starts = self.index.at_keywords[w.rule].then(|| self.keyword_starts(text, w.rule));
        re.for_each_match(text, starts.map(Vec::into_iter), |caps| {
            let whole = caps.get_match().expect("a match").span();
            let caps = if cut && whole.end == text.len() {
                let end = window::line_end(haystack, w.end, LONG_LINE);
                let longer = longer.get_or_insert_with(|| re.create_captures());
                if !re.captures_at(&haystack[w.start..end], whole.start, longer) {
                    return;
                }
                &*longer
            } else {
                caps
            };
            let (Some(whole), Some(secret)) = (caps.get_group(0), caps.get_group(*group)) else {
                return;
            };
            if self.accepts(
                rule,
                &haystack[w.start + secret.start..w.start + secret.end],
            ) {
                out.push(Match {
                    rule: w.rule,
                    start: w.start + whole.start,
                    end: w.start + whole.end,
                    secret_start: w.start + secret.start,
                    secret_end: w.start + secret.end,
                });
            }
        });
    }

    fn accepts(&self, rule: &Rule, secret: &[u8]) -> bool {
        if secret.len() < rule.min_len.unwrap_or(1) {
            return false;
        }
        if let Some(floor) = rule.entropy {
            if entropy::shannon(secret) < floor {
                return false;
            }
        }
        if rule.placeholder_check && placeholder::is_placeholder(secret) {
            return false;
        }
        if rule.generic && placeholder::is_publishable(secret) {
            return false;
        }
        rule.validators.iter().all(|v| v.check(secret))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(id: &str, keywords: &[&str], regex: &str) -> Rule {
        toml::from_str(&format!(
            "id = {id:?}\nname = \"n\"\ndescription = \"d\"\nkeywords = {keywords:?}\nregex = '''{regex}'''\nplaceholder_check = false\n"
        ))
        .unwrap()
    }

    #[test]
    fn rules_searched_at_their_keywords_find_what_the_regex_finds_on_each_line() {
        let rules = vec![
            rule("ghp", &["ghp_"], r"\b(ghp_[A-Za-z0-9]{8})\b"),
            rule(
                "sk",
                &["sk_live_", "rk_live_"],
                r"(?:sk|rk)_live_([0-9a-z]{6,10})",
            ),
            rule("tok", &["token"], r"token\s*=\s*'([a-z0-9]{8,})'"),
            // Its keyword is in the middle of the match: searched as before.
            rule("mid", &["secret"], r"[a-z_]*secret\s*=\s*([A-Z0-9]{8})"),
        ];
        let set = RuleSet::new(rules.clone());
        let anchored: Vec<bool> = set.index.at_keywords.clone();
        assert_eq!(anchored, [true, true, true, false]);
        let mut text = String::new();
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let alnum = b"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH";
        for _ in 0..2000 {
            let shape = next() % 7;
            let mut word = |n: usize| -> String {
                (0..n)
                    .map(|_| alnum[(next() % alnum.len() as u64) as usize] as char)
                    .collect()
            };
            let line = match shape {
                0 => format!("x ghp_{} ghp_{} xghp_{}", word(8), word(7), word(8)),
                1 => format!("SK_LIVE_{} rk_live_{}sk_live_{}", word(8), word(4), word(9)),
                2 => format!("token = '{}' token='{}'", word(10), word(3)),
                3 => format!("my_secret = {} tokens ghp_{}", word(8), word(12)),
                4 => format!("ghp_ghp_{}", word(8)),
                5 => format!("rk_live_sk_live_{}", word(6)),
                _ => format!("nothing {} here", word(20)),
            };
            text.push_str(&line);
            text.push('\n');
        }
        let mut found: Vec<(usize, usize, usize)> = set
            .scan(text.as_bytes())
            .iter()
            .map(|m| (m.rule, m.secret_start, m.secret_end))
            .collect();
        let mut want = Vec::new();
        let mut at = 0;
        for line in text.split_inclusive('\n') {
            let line = line.trim_end_matches('\n');
            for (i, r) in rules.iter().enumerate() {
                let re = crate::rules::compile::regex(&r.regex).unwrap();
                for c in re.captures_iter(line.as_bytes()) {
                    let g = c.get(1).unwrap();
                    want.push((i, at + g.start(), at + g.end()));
                }
            }
            at += line.len() + 1;
        }
        found.sort_unstable();
        want.sort_unstable();
        assert!(want.len() > 500, "{}", want.len());
        assert_eq!(found, want);
    }

    #[test]
    fn a_keyword_whose_screen_gave_up_finds_what_it_found_before() {
        let set = RuleSet::new(vec![
            rule(
                "pass-eq",
                &["password"],
                r"password\s*=\s*'([a-z0-9]{12,40})'",
            ),
            rule(
                "pass-colon",
                &["password"],
                r"password:\s*([A-Z][a-z0-9]{12,40})\b",
            ),
            rule(
                "pass-k",
                &["password"],
                r"password_hint [a-z]*(k[a-z0-9]{20})",
            ),
        ]);
        // Lines naming the keyword in ever new shapes (a `k` at varied places after it):
        // the union screen of the three rules keeps building states and gives up.
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut text = String::new();
        let mut wanted = Vec::new();
        for i in 0..3000 {
            let mut tail = String::new();
            for _ in 0..60 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                tail.push(if state.is_multiple_of(4) {
                    'k'
                } else {
                    (b'a' + (state % 9) as u8) as char
                });
            }
            let line = match i % 3 {
                0 => format!("password = '{}'", &tail[..20]),
                1 => format!("password: Q{}", &tail[..16]),
                _ => format!("password_hint {tail}"),
            };
            text.push_str(&line);
            text.push('\n');
            wanted.push(line);
        }
        let ids = |set: &RuleSet, text: &str| -> Vec<(String, usize, usize)> {
            set.scan(text.as_bytes())
                .iter()
                .map(|m| (set.rule(m.rule).id.clone(), m.secret_start, m.secret_end))
                .collect()
        };
        let found = ids(&set, &text);
        let pattern = set
            .index
            .pattern_rules
            .iter()
            .position(|r| r.len() == 3)
            .unwrap();
        let screen = set.screens[pattern].get().unwrap().as_ref().unwrap();
        assert!(!screen.pays_off(), "the union screen should have given up");
        // Each line on its own, through a set whose screen has seen one line only.
        let mut one_by_one = Vec::new();
        let mut at = 0;
        for line in &wanted {
            let fresh = set.fresh();
            for (id, start, end) in ids(&fresh, line) {
                one_by_one.push((id, at + start, at + end));
            }
            at += line.len() + 1;
        }
        assert_eq!(found, one_by_one);
        assert!(found.iter().any(|f| f.0 == "pass-eq"));
        assert!(found.iter().any(|f| f.0 == "pass-colon"));
        assert!(found.iter().any(|f| f.0 == "pass-k"));
    }

    #[test]
    fn keywords_match_case_insensitively_and_hidden_keywords_still_fire() {
        let set = RuleSet::new(vec![
            rule("npm", &["npm_"], r"npm_([a-z]{8})\b"),
            rule("auth", &["_authtoken"], r"(?i)_authtoken=(\w+)"),
            rule("secret", &["secret"], r"(?i)secret=(\w+)"),
            rule("client", &["client_secret"], r"(?i)client_secret:(\w+)"),
        ]);
        let ids = |text: &str| -> Vec<String> {
            set.scan(text.as_bytes())
                .iter()
                .map(|m| set.rule(m.rule).id.clone())
                .collect()
        };
        assert_eq!(ids("NPM_AUTHTOKEN=abc123"), vec!["auth"]);
        assert_eq!(ids("CLIENT_SECRET=abc123"), vec!["secret"]);
        assert_eq!(ids("Client_Secret:abc123"), vec!["client"]);
        assert_eq!(ids("x npm_abcdefgh"), vec!["npm"]);
    }

    #[test]
    fn a_specific_rule_wins_over_a_generic_one_on_the_same_secret() {
        let mut generic = rule("pw", &["password"], r#"(?i)password\s*=\s*"([^"]+)""#);
        generic.generic = true;
        let mut generic2 = rule("pw2", &["password"], r#"(?i)password\s*=\s*"([^"]+)""#);
        generic2.generic = true;
        let specific = rule("tok", &["tok_"], r"(tok_[a-z0-9]{8})");
        let set = RuleSet::new(vec![generic, generic2, specific]);
        let ids = |text: &str| -> Vec<String> {
            set.scan(text.as_bytes())
                .iter()
                .map(|m| set.rule(m.rule).id.clone())
                .collect()
        };
        assert_eq!(ids(r#"password = "tok_ab12cd34""#), vec!["tok"]);
        assert_eq!(ids(r#"password = "hX9kq2Lm7zR4""#), vec!["pw"]);
    }

    #[test]
    fn a_fresh_set_shares_the_rules_and_compiles_again_on_its_own() {
        let set = RuleSet::new(vec![
            rule("a", &["alpha"], r"alpha=(\w{6})"),
            rule("b", &["beta"], r"beta=(\w{6})"),
        ]);
        let text = b"alpha=abc123\nbeta=def456\n";
        let found = set.scan(text);
        assert_eq!(found.len(), 2);
        assert!(set.regexes.iter().all(|r| r.get().is_some()));
        let fresh = set.fresh();
        assert!(Arc::ptr_eq(&set.index, &fresh.index));
        assert!(fresh.regexes.iter().all(|r| r.get().is_none()));
        assert!(fresh.screens.iter().all(|s| s.get().is_none()));
        assert_eq!(fresh.scan(text), found);
        assert_eq!(
            fresh.rules().map(|r| &r.id).collect::<Vec<_>>(),
            set.rules().map(|r| &r.id).collect::<Vec<_>>()
        );
    }

    #[test]
    fn hits_at_every_offset_are_found_once() {
        let set = RuleSet::new(vec![rule("s", &["secret"], r"(?i)secret=(\w+)")]);
        for pad in 0..20 {
            let mut text = vec![b' '; pad];
            text.extend_from_slice(b"SeCrEt=abc123");
            let found = set.scan(&text);
            assert_eq!(found.len(), 1, "pad {pad}");
            assert_eq!(found[0].secret_start, pad + 7);
        }
    }

    #[test]
    fn a_secret_on_a_minified_line_is_found() {
        let set = RuleSet::new(vec![rule(
            "pw",
            &["password"],
            r#"(?i)"password":\s*"([^"]{8,})""#,
        )]);
        let filler = r#""k":"v","#.repeat(200);
        let text = format!(r#"{{{filler}"password": "hX9kq2Lm7zR4",{filler}"end":1}}"#);
        let found = set.scan(text.as_bytes());
        assert_eq!(found.len(), 1);
        assert_eq!(
            &text.as_bytes()[found[0].secret_start..found[0].secret_end],
            b"hX9kq2Lm7zR4"
        );
    }
}
