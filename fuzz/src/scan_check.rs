//! The invariants of one engine scan and of placing its matches, checked on every input.
//!
//! Panic messages name rules, offsets and counts, never matched bytes: the house rule is that
//! no secret is printed, and a fuzz input may hold a real-format one.

use aho_corasick::AhoCorasick;
use keysweep::engine::{Match, RuleSet};
use keysweep::finding::{decode_text, place_matches, Hit};

/// The rule set's keywords as the engine uses them: lower-cased, each once, in rule order.
pub fn keywords(rules: &RuleSet) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    for r in rules.rules() {
        for k in &r.keywords {
            let k = k.to_ascii_lowercase().into_bytes();
            if !out.contains(&k) {
                out.push(k);
            }
        }
    }
    out
}

/// An independent count of keyword occurrences: every (keyword, position), overlapping,
/// ASCII case-insensitive. The engine's hashed 4-gram filter (with its AVX2 path) must
/// report exactly these.
pub struct KeywordOracle {
    search: Option<AhoCorasick>,
}

impl KeywordOracle {
    pub fn new(keywords: &[Vec<u8>]) -> KeywordOracle {
        let search = (!keywords.is_empty()).then(|| {
            AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(keywords)
                .expect("keywords build an automaton")
        });
        KeywordOracle { search }
    }

    pub fn count(&self, haystack: &[u8]) -> usize {
        self.search
            .as_ref()
            .map_or(0, |s| s.find_overlapping_iter(haystack).count())
    }
}

/// Scans `haystack`, checks the matches and their placement; returns the matches.
pub fn scan_and_check(rules: &RuleSet, haystack: &[u8]) -> Vec<Match> {
    let matches = rules.scan(haystack);
    check_matches(rules, haystack, &matches);
    let hits = place_matches(rules, haystack, &matches, &matches);
    check_hits(rules, haystack, &matches, &hits);
    matches
}

/// Spans inside the haystack, the secret inside its match, sorted by (secret start, rule),
/// no duplicates, each secret at least its rule's minimum length.
pub fn check_matches(rules: &RuleSet, haystack: &[u8], matches: &[Match]) {
    for (i, m) in matches.iter().enumerate() {
        assert!(
            m.rule < rules.len(),
            "match {i}: rule index {} out of range",
            m.rule
        );
        let id = &rules.rule(m.rule).id;
        assert!(
            m.start <= m.secret_start
                && m.secret_start <= m.secret_end
                && m.secret_end <= m.end
                && m.end <= haystack.len(),
            "match {i} ({id}): spans {}..{} / secret {}..{} not nested in a haystack of {} bytes",
            m.start,
            m.end,
            m.secret_start,
            m.secret_end,
            haystack.len()
        );
        let min = rules.rule(m.rule).min_len.unwrap_or(1);
        assert!(
            m.secret_end - m.secret_start >= min,
            "match {i} ({id}): secret of {} bytes is below its rule's minimum {min}",
            m.secret_end - m.secret_start
        );
    }
    for (i, w) in matches.windows(2).enumerate() {
        let (a, b) = (&w[0], &w[1]);
        assert!(
            (a.secret_start, a.rule) <= (b.secret_start, b.rule),
            "matches {i} and {} out of order",
            i + 1
        );
        assert!(
            (a.rule, a.secret_start, a.secret_end) != (b.rule, b.secret_start, b.secret_end),
            "matches {i} and {} are the same secret of the same rule",
            i + 1
        );
    }
}

/// One hit per match, at the same span, with the line and column the newlines give, the
/// secret's text decoded from its span, and line texts that hold no newline.
pub fn check_hits(rules: &RuleSet, haystack: &[u8], matches: &[Match], hits: &[Hit]) {
    assert_eq!(hits.len(), matches.len(), "one hit per match");
    let mut want: Vec<(usize, usize, usize)> = matches
        .iter()
        .map(|m| (m.rule, m.secret_start, m.secret_end))
        .collect();
    let mut got: Vec<(usize, usize, usize)> = hits
        .iter()
        .map(|h| (h.rule_index, h.start, h.end))
        .collect();
    want.sort_unstable();
    got.sort_unstable();
    assert!(
        want == got,
        "the hits' spans are not the matches' secret spans"
    );
    let newlines: Vec<usize> = memchr::memchr_iter(b'\n', haystack).collect();
    let line_of = |offset: usize| newlines.partition_point(|&n| n < offset) + 1;
    for (i, h) in hits.iter().enumerate() {
        assert_eq!(h.rule_id, rules.rule(h.rule_index).id, "hit {i}: rule id");
        assert_eq!(h.line, line_of(h.start), "hit {i} ({}): line", h.rule_id);
        assert_eq!(
            h.end_line,
            line_of(h.end),
            "hit {i} ({}): end line",
            h.rule_id
        );
        assert!(
            h.column >= 1 && h.end_column >= 1,
            "hit {i} ({}): columns are 1-based",
            h.rule_id
        );
        assert!(
            h.secret == decode_text(&haystack[h.start..h.end]),
            "hit {i} ({}): the secret is not the text of its span",
            h.rule_id
        );
        assert!(
            h.line_secrets.iter().all(|s| h.line_text.contains(s.trim_end_matches('\r'))),
            "hit {i} ({}): a secret of its line is not in the line's text as it reads there",
            h.rule_id
        );
        assert!(
            !h.line_text.contains('\n'),
            "hit {i} ({}): line text spans lines",
            h.rule_id
        );
        // Lines are kept around the secret only (`LINE_CONTEXT`), whatever their length:
        // a long line with many secrets must not cost a copy of itself per hit.
        let (secret_len, context) = (h.end - h.start, keysweep::finding::LINE_CONTEXT);
        let bounded = |t: &str, most: usize| t.chars().count() <= most + 6;
        assert!(
            bounded(&h.line_text, 2 * context + secret_len)
                && h.prev_line_text
                    .as_deref()
                    .is_none_or(|t| bounded(t, context))
                && h.last_line_text
                    .as_deref()
                    .is_none_or(|t| bounded(t, 2 * context)),
            "hit {i} ({}): a line text is longer than the context kept around a secret \
             (secret {secret_len} bytes; line, previous, last line texts {:?}, {:?}, {:?} chars)",
            h.rule_id,
            h.line_text.chars().count(),
            h.prev_line_text.as_deref().map(|t| t.chars().count()),
            h.last_line_text.as_deref().map(|t| t.chars().count()),
        );
        assert_eq!(
            h.prev_line_text.is_some(),
            h.line > 1,
            "hit {i} ({}): a previous line exactly when not on line 1",
            h.rule_id
        );
    }
}
