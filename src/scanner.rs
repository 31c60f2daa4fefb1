//! The scanner ties engine, finding placement and filters together for one blob. Sources call
//! it; it does not care where the bytes came from.

use crate::engine::RuleSet;
use crate::filter::{inline, Allowlist};
use crate::finding::{place_matches, CommitInfo, Finding, Hit};

pub struct Scanner {
    pub rules: RuleSet,
    pub allowlist: Allowlist,
}

impl Scanner {
    pub fn new(rules: RuleSet, allowlist: Allowlist) -> Scanner {
        Scanner { rules, allowlist }
    }

    /// Engine matches placed in the blob, minus those allowed by an inline comment.
    /// Depends on content only, so a git blob seen at many paths is scanned once.
    pub fn hits(&self, bytes: &[u8]) -> Vec<Hit> {
        let matches = self.rules.scan(bytes);
        if matches.is_empty() {
            return Vec::new();
        }
        let mut hits = place_matches(&self.rules, bytes, &matches);
        hits.retain(|h| !inline::is_allowed(bytes, h.start, h.end));
        hits
    }

    /// Ties hits to a path (and commit) and applies the user's allowlists.
    pub fn findings(
        &self,
        hits: Vec<Hit>,
        path: &str,
        commit: Option<&CommitInfo>,
    ) -> Vec<Finding> {
        hits.into_iter()
            .map(|h| Finding::new(h, path.to_string(), commit.cloned()))
            .filter(|f| !self.allowlist.allows(f))
            .collect()
    }

    /// Scan one blob at one path: the common case of the working-tree and staged scans.
    pub fn scan_blob(&self, bytes: &[u8], path: &str) -> Vec<Finding> {
        if self.allowlist.allows_path(path) {
            return Vec::new();
        }
        let hits = self.hits(bytes);
        if hits.is_empty() {
            return Vec::new();
        }
        self.findings(hits, path, None)
    }
}

/// Sorts findings the way every report lists them: by path, line, column, rule.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (&a.path, a.hit.line, a.hit.column, &a.hit.rule_id).cmp(&(
            &b.path,
            b.hit.line,
            b.hit.column,
            &b.hit.rule_id,
        ))
    });
}
