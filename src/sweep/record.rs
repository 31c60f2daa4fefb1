//! Findings to and from the state's redacted records.

use super::state::{StoredCommit, StoredFinding};
use crate::finding::{CommitInfo, Finding, Hit, Repository};
use crate::rules::Rule;
use std::sync::Arc;

/// The record of a finding the redactor has already masked (see `report::redact::view`).
pub fn stored(f: &Finding, blobs: Vec<String>) -> StoredFinding {
    StoredFinding {
        fingerprint: f.fingerprint.clone(),
        rule_id: f.hit.rule_id.clone(),
        path: f.path.clone(),
        line: f.hit.line,
        column: f.hit.column,
        end_line: f.hit.end_line,
        end_column: f.hit.end_column,
        secret: f.hit.secret.clone(),
        snippet: f.hit.line_text.clone(),
        commit: f.commit.as_ref().map(|c| StoredCommit {
            id: c.id.clone(),
            author_name: c.author_name.clone(),
            author_email: c.author_email.clone(),
            date: c.date.clone(),
            summary: c.summary.clone(),
        }),
        value_group: f.value_group.clone(),
        blobs,
    }
}

/// A finding for the report from its record; `rule` (at `rule_index` of the sweep's rule
/// set) supplies name, severity and confidence. Marked restored: it is redacted already.
pub fn restored(
    r: &StoredFinding,
    rule: &Rule,
    rule_index: usize,
    repo: Arc<Repository>,
) -> Finding {
    let hit = Hit {
        rule_index,
        rule_id: r.rule_id.clone(),
        rule_name: rule.name.clone(),
        severity: rule.severity,
        confidence: rule.confidence(),
        kind: rule.kind(),
        generic: rule.generic,
        line: r.line,
        column: r.column,
        end_line: r.end_line,
        end_column: r.end_column,
        start: 0,
        end: 0,
        secret: r.secret.clone(),
        line_text: r.snippet.clone(),
        line_secrets: Vec::new(),
        prev_line_text: None,
        last_line_text: None,
    };
    let commit = r.commit.as_ref().map(|c| CommitInfo {
        id: c.id.clone(),
        author_name: c.author_name.clone(),
        author_email: c.author_email.clone(),
        date: c.date.clone(),
        summary: c.summary.clone(),
    });
    let origin = crate::source::Origin {
        path: r.path.clone(),
        repo_path: Some(r.path.clone()),
        commit,
        changed_lines: None,
        order: 0,
    };
    let mut f = Finding::new(hit, &origin);
    f.fingerprint = r.fingerprint.clone();
    f.repository = Some(repo);
    f.blob = r.blobs.first().cloned();
    f.value_group = r.value_group.clone();
    f.restored = true;
    f
}
