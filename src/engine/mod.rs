//! The detection engine: bytes in, rule matches with byte spans out. It knows nothing about
//! where the bytes came from.
//!
//! Every rule's keywords, lower-cased, go into one keyword search (`keywords.rs`: a hashed
//! 4-gram filter, one pass over the raw bytes, case-insensitive). A keyword hit selects the
//! rules to confirm; each rule's regex is compiled on first use and run only on a window
//! around the hit (by default the hit's line).

mod anchor;
mod examples;
mod keywords;
mod screen;
mod window;

use crate::rules::{compile, entropy, placeholder, Rule};
use keywords::KeywordSearch;
use regex::bytes::Regex;
use screen::Screen;

/// How far past a window's cut a match that runs into it is followed to its line's end.
const LONG_LINE: usize = 16 << 10;

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

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

struct CompiledRule {
    rule: Rule,
    /// Tagged `generic`: yields to specific rules on the same secret.
    generic: bool,
    /// Compiled on first keyword hit: a pre-commit hook touching a few files pays only for
    /// the rules those files trigger.
    regex: OnceLock<Option<(Regex, usize)>>,
}

impl CompiledRule {
    /// The compiled regex. A regex that does not compile (user rules are checked when the
    /// config is loaded, built-in ones by the rule-pack tests, so this is a last resort) is
    /// recorded in `errors` and the rule finds nothing.
    fn regex(&self, errors: &Mutex<Vec<String>>) -> Option<&(Regex, usize)> {
        self.regex
            .get_or_init(|| {
                let re = match compile::regex(&self.rule.regex) {
                    Ok(re) => re,
                    Err(e) => {
                        record(
                            errors,
                            format!("rule {}: regex does not compile: {e}", self.rule.id),
                        );
                        return None;
                    }
                };
                let group = self.rule.secret_group.unwrap_or_else(|| {
                    re.capture_names()
                        .position(|n| n == Some("secret"))
                        .unwrap_or(if re.captures_len() > 1 { 1 } else { 0 })
                });
                Some((re, group))
            })
            .as_ref()
    }
}

/// The line-only rules one keyword selects, and their screen (built on first use).
struct LineScreen {
    rules: Vec<usize>,
    screen: OnceLock<Option<Screen>>,
}

impl LineScreen {
    /// The screen, or None when it does not build (recorded in `errors`; its rules are then
    /// searched one by one: correct, only slower).
    fn screen(&self, rules: &[CompiledRule], errors: &Mutex<Vec<String>>) -> Option<&Screen> {
        self.screen
            .get_or_init(|| {
                match Screen::build(self.rules.iter().map(|&r| rules[r].rule.regex.as_str())) {
                    Ok(screen) => Some(screen),
                    Err(e) => {
                        let ids: Vec<&str> =
                            self.rules.iter().map(|&r| rules[r].rule.id.as_str()).collect();
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
            })
            .as_ref()
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

pub struct RuleSet {
    rules: Vec<CompiledRule>,
    keywords: Option<KeywordSearch>,
    /// For each keyword, the rules it selects.
    pattern_rules: Vec<Vec<usize>>,
    /// For each keyword, its rules that look at the hit's line only, pre-screened together.
    line_screens: Vec<LineScreen>,
    /// Rules with no keywords: run on every blob. Kept few on purpose.
    keywordless: Vec<usize>,
    /// What could not be compiled at scan time (see [`RuleSet::errors`]).
    errors: Mutex<Vec<String>>,
}

impl RuleSet {
    /// Builds the keyword search. Regexes are not compiled here (see `CompiledRule`).
    pub fn new(rules: Vec<Rule>) -> RuleSet {
        // Each distinct keyword (lower-cased) once, with the rules that name it: one pass over
        // the rules, so building the set stays linear in the pack's size. The keyword search
        // reports every occurrence of every keyword, including ones inside or overlapping
        // another, so a keyword selects exactly the rules that name it.
        let mut keywords: Vec<Vec<u8>> = Vec::new();
        let mut pattern_rules: Vec<Vec<usize>> = Vec::new();
        let mut index: HashMap<Vec<u8>, usize> = HashMap::new();
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
        let line_screens = pattern_rules
            .iter()
            .map(|rs| LineScreen {
                rules: rs
                    .iter()
                    .copied()
                    .filter(|&r| rules[r].window() == [0, 0])
                    .collect(),
                screen: OnceLock::new(),
            })
            .collect();
        let keywordless = rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.keywords.is_empty())
            .map(|(i, _)| i)
            .collect();
        let search = if keywords.is_empty() {
            None
        } else {
            Some(KeywordSearch::build(keywords))
        };
        RuleSet {
            rules: rules
                .into_iter()
                .map(|rule| CompiledRule {
                    generic: rule.generic,
                    rule,
                    regex: OnceLock::new(),
                })
                .collect(),
            keywords: search,
            pattern_rules,
            line_screens,
            keywordless,
            errors: Mutex::new(Vec::new()),
        }
    }

    /// Regexes and line screens that failed to compile during the scans so far, one line
    /// each: the caller warns about them, so nothing fails in silence.
    pub fn errors(&self) -> Vec<String> {
        self.errors.lock().map(|e| e.clone()).unwrap_or_default()
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Keywords whose line-only rules could not be compiled into one screen (their rules
    /// are then searched one by one: correct, only slower). Builds every screen.
    pub fn unscreened_keywords(&self) -> usize {
        self.line_screens
            .iter()
            .filter(|s| s.rules.len() > 1 && s.screen(&self.rules, &self.errors).is_none())
            .count()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    pub fn rule(&self, idx: usize) -> &Rule {
        &self.rules[idx].rule
    }

    pub fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.rules.iter().map(|c| &c.rule)
    }

    /// Rules that run on every blob because they have no keyword.
    pub fn keywordless_rules(&self) -> impl Iterator<Item = &Rule> {
        self.keywordless.iter().map(|&i| &self.rules[i].rule)
    }

    /// Whether `haystack` contains any keyword at all: the prefilter alone.
    pub fn prefilter_hits(&self, haystack: &[u8]) -> usize {
        let mut n = 0;
        self.for_each_keyword_hit(haystack, |_, _, _| n += 1);
        n
    }

    /// Finds every match in `haystack`, sorted by position.
    pub fn scan(&self, haystack: &[u8]) -> Vec<Match> {
        let mut windows = window::Collector::new(self.rules.len());
        // Per keyword, the lines of its hits whose line-only rules are still to screen.
        let mut lines = window::Collector::new(self.line_screens.len());
        self.for_each_keyword_hit(haystack, |pattern, start, end| {
            let screen = &self.line_screens[pattern];
            for &rule in &self.pattern_rules[pattern] {
                let [before, after] = self.rules[rule].rule.window();
                if before == 0 && after == 0 && screen.rules.len() > 1 {
                    continue;
                }
                windows.add(haystack, rule, start, end, before, after);
            }
            if screen.rules.len() > 1 {
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
            let screen = &self.line_screens[pattern];
            let text = &haystack[start..end];
            match screen
                .screen(&self.rules, &self.errors)
                .and_then(|s| s.matches(text))
            {
                Some(matched) => {
                    for i in matched {
                        windows.push(Window {
                            rule: screen.rules[i],
                            start,
                            end,
                        });
                    }
                }
                None => {
                    for &rule in &screen.rules {
                        windows.push(Window { rule, start, end });
                    }
                }
            }
        }
        for &rule in &self.keywordless {
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
        let generic = |m: &Match| self.rules[m.rule].generic;
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
        if let Some(search) = &self.keywords {
            search.for_each(haystack, &mut f);
        }
    }

    /// Runs one rule's regex over a window and keeps the matches that pass its checks.
    fn confirm(&self, haystack: &[u8], w: Window, out: &mut Vec<Match>) {
        let compiled = &self.rules[w.rule];
        let Some((re, group)) = compiled.regex(&self.errors) else {
            return;
        };
        let text = &haystack[w.start..w.end];
        // A window of a long line ends at a cut, not at the line's end, and `$` matches there:
        // a match that runs into the cut is confirmed again on the line up to its real end
        // (bounded), so a long value is judged whole (a SealedSecret ciphertext is long).
        let cut = w.end < haystack.len() && haystack[w.end] != b'\n';
        for caps in re.captures_iter(text) {
            let whole = caps.get(0).expect("group 0");
            let caps = if cut && whole.end() == text.len() {
                let end = window::line_end(haystack, w.end, LONG_LINE);
                match re.captures_at(&haystack[w.start..end], whole.start()) {
                    Some(longer) => longer,
                    None => continue,
                }
            } else {
                caps
            };
            let whole = caps.get(0).expect("group 0");
            let Some(secret) = caps.get(*group) else {
                continue;
            };
            if self.accepts(&compiled.rule, secret.as_bytes()) {
                out.push(Match {
                    rule: w.rule,
                    start: w.start + whole.start(),
                    end: w.start + whole.end(),
                    secret_start: w.start + secret.start(),
                    secret_end: w.start + secret.end(),
                });
            }
        }
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
