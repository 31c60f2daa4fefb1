//! The filter stage: drops the findings the user said to drop, whatever the source. Inline
//! allow marks (`inline`), the config file's allowlists, `.gitleaksignore`
//! (`gitleaksignore`), and the baseline (`baseline`: ours, or detect-secrets' in
//! `detect_secrets`); and generic findings that the text itself presents as examples
//! (`docs_example`).
//!
//! The confidence floor (`--min-confidence`) is here too: it drops what the user chose not
//! to see, like an allowlist, only by the rule's declared confidence.
//!
//! Checks that depend only on content (marks, secret and line regexes, stopwords) are also
//! offered on hits, so a history scan can drop a blob's allowed hits before it spends time
//! finding where the blob was introduced. Path allowlists are not here: they join the
//! excludes in the one [`crate::pathfilter::PathFilter`] the sources skip paths by; path
//! *regexes* (what a gitleaks config has) are checked here, on findings.

pub mod baseline;
pub mod detect_secrets;
pub mod docs_example;
pub mod gitleaksignore;
pub mod inline;

use crate::engine::Match;
use crate::finding::{Finding, Hit};
use crate::rules::Confidence;
use baseline::AnyBaseline;
use gitleaksignore::GitleaksIgnore;

/// User allowlists from the config file. Empty by default: drops nothing.
#[derive(Default)]
pub struct Allowlist {
    pub secret_regexes: Vec<regex::Regex>,
    pub line_regexes: Vec<regex::Regex>,
    /// Lower-case words; a secret containing one is dropped.
    pub stopwords: Vec<String>,
    /// Regexes on the whole rule match (gitleaks' `regexTarget = "match"`).
    pub match_regexes: Vec<regex::Regex>,
    /// Regexes on the finding's path (relative to the repository, or as reported).
    pub path_regexes: Vec<regex::Regex>,
    /// Commit ids (full, or abbreviated to at least 7 hex digits, lower-case): history
    /// findings introduced by one of them are dropped.
    pub commits: Vec<String>,
    /// Rule id -> a regex its findings' paths must match (gitleaks' rule `path`).
    pub rule_paths: Vec<(String, regex::Regex)>,
    /// Allowlists that apply to some rules only (their own `rule_paths` and `scoped` unused).
    pub scoped: Vec<ScopedAllowlist>,
}

/// An allowlist for the findings of some rules.
pub struct ScopedAllowlist {
    pub rules: Vec<String>,
    pub allowlist: Allowlist,
}

impl ScopedAllowlist {
    fn covers(&self, rule_id: &str) -> bool {
        self.rules.iter().any(|r| r == rule_id)
    }
}

impl Allowlist {
    /// True when the hit is allowed (and so dropped), by this allowlist or one for its rule.
    fn allows(&self, h: &Hit) -> bool {
        self.allows_content(h)
            || self
                .scoped
                .iter()
                .any(|s| s.covers(&h.rule_id) && s.allowlist.allows_content(h))
    }

    fn allows_content(&self, h: &Hit) -> bool {
        if self.secret_regexes.iter().any(|r| r.is_match(&h.secret)) {
            return true;
        }
        if self.line_regexes.iter().any(|r| r.is_match(&h.line_text)) {
            return true;
        }
        if self.stopwords.is_empty() {
            return false;
        }
        let lower = h.secret.to_lowercase();
        self.stopwords.iter().any(|w| lower.contains(w.as_str()))
    }

    /// True when the finding's place (path, commit) is allowed, or its rule is restricted
    /// to paths it is not at.
    fn allows_place(&self, f: &Finding) -> bool {
        self.allows_place_here(f)
            || self
                .scoped
                .iter()
                .any(|s| s.covers(&f.hit.rule_id) && s.allowlist.allows_place_here(f))
    }

    fn allows_place_here(&self, f: &Finding) -> bool {
        let path = f.stable_path();
        if self.path_regexes.iter().any(|r| r.is_match(path)) {
            return true;
        }
        let outside = self
            .rule_paths
            .iter()
            .any(|(id, r)| *id == f.hit.rule_id && !r.is_match(path));
        if outside {
            return true;
        }
        let Some(commit) = &f.commit else {
            return false;
        };
        let id = commit.id.to_ascii_lowercase();
        self.commits.iter().any(|c| id.starts_with(c.as_str()))
    }
}

/// Everything that can drop a finding, applied in one place.
#[derive(Default)]
pub struct Filters {
    pub allowlist: Allowlist,
    pub gitleaks_ignore: GitleaksIgnore,
    pub baseline: Option<AnyBaseline>,
    /// Findings of rules less confident than this are dropped; None keeps every level.
    pub min_confidence: Option<Confidence>,
}

impl Filters {
    /// True when a hit survives the content-only checks (inline marks, allowlists).
    pub fn keeps_hit(&self, h: &Hit) -> bool {
        self.min_confidence.is_none_or(|min| h.confidence >= min)
            && !inline::is_allowed(
                &h.line_text,
                h.last_line_text.as_deref(),
                h.prev_line_text.as_deref(),
            )
            && !self.allowlist.allows(h)
    }

    /// True when an engine match in `bytes` survives the allowlist's match regexes: checked
    /// before the match is placed, while its whole text is at hand.
    pub fn keeps_match(&self, bytes: &[u8], m: &Match, rule_id: &str) -> bool {
        let a = &self.allowlist;
        let scoped = a
            .scoped
            .iter()
            .filter(|s| !s.allowlist.match_regexes.is_empty() && s.covers(rule_id));
        let mut regexes = a
            .match_regexes
            .iter()
            .chain(scoped.flat_map(|s| &s.allowlist.match_regexes))
            .peekable();
        if regexes.peek().is_none() {
            return true;
        }
        let text = crate::finding::decode_text(&bytes[m.start..m.end]);
        !regexes.any(|r| r.is_match(&text))
    }

    /// True when a hit survives the checks that read the text around it: a generic hit that
    /// the text introduces as an example (see [`docs_example`]) is dropped.
    pub fn keeps_hit_in(&self, h: &Hit, text: &[u8]) -> bool {
        self.keeps_hit(h)
            && !(h.generic && docs_example::introduced_as_example(text, h.start, h.end - h.start))
    }

    /// True when a finding survives every filter.
    pub fn keeps(&self, f: &Finding) -> bool {
        self.keeps_hit(&f.hit)
            && !self.allowlist.allows_place(f)
            && !self.gitleaks_ignore.suppresses(f)
            && !self.baseline.as_ref().is_some_and(|b| b.suppresses(f))
    }

    /// Drops the findings that do not survive; returns how many were dropped.
    pub fn apply(&self, findings: &mut Vec<Finding>) -> usize {
        let before = findings.len();
        findings.retain(|f| self.keeps(f));
        before - findings.len()
    }
}

/// A path as a `.gitleaksignore` or a detect-secrets baseline writes it, relative to a root:
/// forward slashes, no leading `./` (how both tools and keysweep's stable paths compare).
pub(crate) fn normalize_path(p: &str) -> String {
    let p = p.replace('\\', "/");
    let mut s = p.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    s.to_string()
}
