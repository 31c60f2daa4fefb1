//! The one redactor every report goes through. Before any format writer sees the findings,
//! [`view`] replaces them with copies in which every text field that could echo a secret —
//! the secret itself, the line around it, paths, commit messages, author names and e-mails,
//! other locations — is masked. It masks every secret of the run wherever it appears (the
//! same secret in another field, a second secret on the same line) and anything the rules
//! recognise in that free text (a key pasted into a commit message). The secrets on a
//! finding's own line come with it from the scan, cut to what the line shows, so a secret
//! that the line's excerpt cuts in two is masked too. Writers only ever see
//! the view, so no format can leak what it was not given.

use crate::engine::RuleSet;
use crate::finding::{redact, Finding, Hit, Location};
use aho_corasick::{AhoCorasick, MatchKind};
use std::collections::{BTreeSet, HashSet};

/// Secrets shorter than this are masked only where they were found, not wherever their
/// text appears (a three-letter password would otherwise mask ordinary words).
const MIN_GLOBAL: usize = 4;

pub struct Redactor {
    matcher: Option<AhoCorasick>,
    masks: Vec<String>,
}

impl Redactor {
    /// A redactor for the secrets of `findings` and whatever `rules` find in their text.
    pub fn for_run(rules: &RuleSet, findings: &[Finding]) -> Redactor {
        let mut secrets = BTreeSet::new();
        let mut add = |s: &str| {
            for line in s.lines() {
                let line = line.trim();
                if line.chars().count() >= MIN_GLOBAL {
                    secrets.insert(line.to_string());
                }
            }
        };
        // The same path, commit message or author is shared by many findings: each text is
        // searched once.
        let mut searched = HashSet::new();
        for f in findings.iter().filter(|f| !f.restored) {
            add(&f.hit.secret);
            for s in &f.hit.line_secrets {
                add(s);
            }
            for text in free_text(f) {
                if !searched.insert(text) {
                    continue;
                }
                let bytes = text.as_bytes();
                for m in rules.scan(bytes) {
                    add(&String::from_utf8_lossy(
                        &bytes[m.secret_start..m.secret_end],
                    ));
                }
            }
        }
        // Longest first, so a secret that contains another is masked whole.
        let mut secrets: Vec<String> = secrets.into_iter().collect();
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        let masks = secrets.iter().map(|s| redact(s)).collect();
        let matcher = (!secrets.is_empty()).then(|| {
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .build(&secrets)
                .expect("literal patterns always build")
        });
        Redactor { matcher, masks }
    }

    /// `text` with every known secret masked.
    pub fn redact(&self, text: &str) -> String {
        match &self.matcher {
            None => text.to_string(),
            Some(ac) => ac.replace_all(text, &self.masks),
        }
    }
}

/// The fields of a finding, other than the secret and its line (whose secrets the scan
/// found: [`crate::finding::Hit::line_secrets`]), that hold text from the scanned data.
fn free_text(f: &Finding) -> Vec<&str> {
    let mut out = vec![f.path.as_str()];
    out.extend(f.repo_path.as_deref());
    if let Some(c) = &f.commit {
        out.extend([
            c.summary.as_str(),
            c.author_name.as_str(),
            c.author_email.as_str(),
        ]);
    }
    for l in &f.locations {
        out.push(l.path.as_str());
        if let Some(c) = &l.commit {
            out.extend([
                c.summary.as_str(),
                c.author_name.as_str(),
                c.author_email.as_str(),
            ]);
        }
    }
    out
}

/// What the writers see: `findings` with every secret masked, unless `show_secrets`.
pub fn view(findings: &[Finding], rules: &RuleSet, show_secrets: bool) -> Vec<Finding> {
    if show_secrets {
        return findings.to_vec();
    }
    let r = Redactor::for_run(rules, findings);
    findings
        .iter()
        .map(|f| {
            let mut v = f.clone();
            if f.restored {
                // Redacted when it was stored; masking it again would only shorten the
                // visible prefix of the secret.
                return v;
            }
            v.hit.line_text = r.redact(&mask_own(&f.hit.line_text, &f.hit));
            v.hit.secret = redact(&f.hit.secret);
            v.hit.prev_line_text = None;
            v.hit.last_line_text = None;
            v.path = r.redact(&f.path);
            v.repo_path = f.repo_path.as_deref().map(|p| r.redact(p));
            if let Some(c) = &mut v.commit {
                redact_commit(&r, c);
            }
            v.locations = f
                .locations
                .iter()
                .map(|l| {
                    let mut l: Location = l.clone();
                    l.path = r.redact(&l.path);
                    if let Some(c) = &mut l.commit {
                        redact_commit(&r, c);
                    }
                    l
                })
                .collect();
            v
        })
        .collect()
}

fn redact_commit(r: &Redactor, c: &mut crate::finding::CommitInfo) {
    c.summary = r.redact(&c.summary);
    c.author_name = r.redact(&c.author_name);
    c.author_email = r.redact(&c.author_email);
}

/// The finding's own secret and the other secrets of its line masked in it, however short
/// they are.
fn mask_own(line: &str, hit: &Hit) -> String {
    let mut secrets: Vec<&String> = std::iter::once(&hit.secret)
        .chain(&hit.line_secrets)
        .collect();
    // Longest first, so a secret that contains another is masked whole.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let mut line = line.to_string();
    for secret in secrets {
        // The line's text has lost its `\r`; so does a secret cut at the line's end.
        let first = secret.lines().next().map(|l| l.trim_end_matches('\r'));
        if let Some(first) = first.filter(|first| !first.is_empty()) {
            line = line.replace(first, &redact(secret));
        }
    }
    line
}
