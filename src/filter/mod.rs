//! The filter stage: drops the findings the user said to drop, whatever the source. Inline
//! allow marks (`inline`), the config file's allowlists, and the baseline (`baseline`); and
//! generic findings that the text itself presents as examples (`docs_example`).
//!
//! Checks that depend only on content (marks, secret and line regexes, stopwords) are also
//! offered on hits, so a history scan can drop a blob's allowed hits before it spends time
//! finding where the blob was introduced. Path allowlists are not here: they join the
//! excludes in the one [`crate::pathfilter::PathFilter`] the sources skip paths by.

pub mod baseline;
pub mod docs_example;
pub mod inline;

use crate::finding::{Finding, Hit};
use baseline::Baseline;

/// User allowlists from the config file. Empty by default: drops nothing.
#[derive(Default)]
pub struct Allowlist {
    pub secret_regexes: Vec<regex::Regex>,
    pub line_regexes: Vec<regex::Regex>,
    /// Lower-case words; a secret containing one is dropped.
    pub stopwords: Vec<String>,
}

impl Allowlist {
    /// True when the hit is allowed (and so dropped).
    fn allows(&self, h: &Hit) -> bool {
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
}

/// Everything that can drop a finding, applied in one place.
#[derive(Default)]
pub struct Filters {
    pub allowlist: Allowlist,
    pub baseline: Option<Baseline>,
}

impl Filters {
    /// True when a hit survives the content-only checks (inline marks, allowlists).
    pub fn keeps_hit(&self, h: &Hit) -> bool {
        !inline::is_allowed(
            &h.line_text,
            h.last_line_text.as_deref(),
            h.prev_line_text.as_deref(),
        ) && !self.allowlist.allows(h)
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
            && !self
                .baseline
                .as_ref()
                .is_some_and(|b| b.contains(&f.fingerprint))
    }

    /// Drops the findings that do not survive; returns how many were dropped.
    pub fn apply(&self, findings: &mut Vec<Finding>) -> usize {
        let before = findings.len();
        findings.retain(|f| self.keeps(f));
        before - findings.len()
    }
}
