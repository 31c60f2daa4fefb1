//! A finding: an engine match placed in its blob (line, column, the line's text) and given
//! an origin (path, and for history scans the commit) and a content-based fingerprint. Made
//! here and only here; `aggregate` then merges what several places say about one secret.

use crate::engine::Match;
use crate::source::Origin;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::ops::Range;

pub use crate::source::CommitInfo;

/// Another place (path, commit) that holds the same secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    pub path: String,
    pub line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<CommitInfo>,
}

/// A match positioned inside its blob, before it is tied to a path. Content-only, so one
/// git blob seen at several paths is scanned once and placed many times.
#[derive(Debug, Clone)]
pub struct Hit {
    pub rule_index: usize,
    pub rule_id: String,
    pub rule_name: String,
    pub severity: crate::rules::Severity,
    /// How sure the rule is that a match is a real credential: reports show it and
    /// `--min-confidence` filters on it.
    pub confidence: crate::rules::Confidence,
    /// The rule's credential kind and whether it is generic (see `rules::Rule`).
    pub kind: crate::rules::CredentialKind,
    pub generic: bool,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    /// Byte span of the secret in the blob.
    pub start: usize,
    pub end: usize,
    /// The secret in clear. Never serialized; reports redact it unless asked not to.
    pub secret: String,
    /// The first line of the match, in clear (reports mask the secret in it).
    pub line_text: String,
    /// The other secrets the engine found in the blob that reach into `line_text` (a second
    /// secret on the line, one the filters dropped), each cut to the part inside it and in
    /// clear: reports mask them there. The scan already knows them, so the report does not
    /// search the line again. Never serialized.
    pub line_secrets: Vec<String>,
    /// The line before the match and, for a multi-line secret, its last line: what inline
    /// allow marks are looked for in. Never reported.
    pub prev_line_text: Option<String>,
    pub last_line_text: Option<String>,
}

/// A reportable finding.
#[derive(Debug, Clone)]
pub struct Finding {
    pub hit: Hit,
    /// The path as reported (see [`Origin::path`]).
    pub path: String,
    /// The path relative to its repository, when it is in one (see [`Origin::repo_path`]).
    pub repo_path: Option<String>,
    pub fingerprint: String,
    pub commit: Option<CommitInfo>,
    /// History: topological position of the introducing commit (lower is older).
    pub order: usize,
    /// Other places holding the same secret; how many, and which when the user asked for
    /// all locations.
    pub other_locations: usize,
    pub locations: Vec<Location>,
    /// Sweeps: the repository it was found in (its fingerprint is namespaced by it).
    pub repository: Option<std::sync::Arc<Repository>>,
    /// History scans: the blob holding the secret (sweeps drop a finding whose blob is no
    /// longer reachable).
    pub blob: Option<String>,
    /// Sweeps: a keyed hash of the secret's value, the same for the same value wherever it
    /// is, so that reports can say in how many repositories one value leaked without
    /// holding the value or a plain hash of it.
    pub value_group: Option<String>,
    /// Read back from a sweep's state: every text field is already redacted (the state
    /// never holds a secret), so the report's redactor leaves it as it is.
    pub restored: bool,
}

/// The repository a sweep found a finding in: where it is (a path, or a URL without its
/// credentials) and a stable id derived from that, which namespaces fingerprints and picks
/// the shard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Repository {
    pub location: String,
    pub id: String,
}

impl Finding {
    pub fn new(hit: Hit, origin: &Origin) -> Finding {
        let fingerprint = fingerprint(&hit.rule_id, origin.stable_path(), &hit.secret);
        Finding {
            hit,
            path: origin.path.clone(),
            repo_path: origin.repo_path.clone(),
            fingerprint,
            commit: origin.commit.clone(),
            order: origin.order,
            other_locations: 0,
            locations: Vec::new(),
            repository: None,
            blob: None,
            value_group: None,
            restored: false,
        }
    }

    /// The finding as found in `repo` by a sweep: its fingerprint namespaced by the
    /// repository, so the same secret at the same path in two repositories is two findings
    /// (a single-repository `scan` keeps the plain fingerprint, so its baselines stay valid).
    pub fn in_repository(mut self, repo: std::sync::Arc<Repository>) -> Finding {
        self.fingerprint = fingerprint_in_repository(
            &repo.id,
            &self.hit.rule_id,
            self.stable_path(),
            &self.hit.secret,
        );
        self.repository = Some(repo);
        self
    }

    /// The path that identifies the file whatever the working directory: relative to its
    /// repository when it is in one, else as reported.
    pub fn stable_path(&self) -> &str {
        self.repo_path.as_deref().unwrap_or(&self.path)
    }
}

/// Content-based fingerprint: rule + path + hash of the secret. It does not depend on the
/// line, so it survives moved lines, rebases and squash merges; the path is the stable one
/// (relative to the repository), so it does not depend on where keysweep was run from, and
/// two different files never share one.
pub fn fingerprint(rule_id: &str, path: &str, secret: &str) -> String {
    let secret_hash = Sha256::digest(secret.as_bytes());
    let mut h = Sha256::new();
    h.update(rule_id.as_bytes());
    h.update([0]);
    h.update(path.as_bytes());
    h.update([0]);
    h.update(secret_hash);
    hex::encode(&h.finalize()[..16])
}

/// [`fingerprint`] of a finding in the repository with id `repo_id` (sweeps).
pub fn fingerprint_in_repository(repo_id: &str, rule_id: &str, path: &str, secret: &str) -> String {
    let plain = fingerprint(rule_id, path, secret);
    let mut h = Sha256::new();
    h.update(b"repository\0");
    h.update(repo_id.as_bytes());
    h.update([0]);
    h.update(plain.as_bytes());
    hex::encode(&h.finalize()[..16])
}

/// Keeps a short, non-identifying prefix so a person can tell findings apart:
/// at most 4 characters and never more than a quarter of the secret.
pub fn redact(secret: &str) -> String {
    let n = secret.chars().count();
    let keep = (n / 4).min(4);
    let prefix: String = secret.chars().take(keep).collect();
    format!("{prefix}*****")
}

/// Decodes bytes for display: UTF-8 when valid, else Windows-1252 (a Latin-1 superset), so
/// no byte is lost as U+FFFD in a report.
pub fn decode_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(),
    }
}

/// The most of a line a hit keeps on each side of its secret (and of the line before it).
/// A hit carries its line for reports, inline allow marks and line allowlists; a minified
/// file can hold thousands of secrets on one line of megabytes, and a copy of the whole line
/// per hit made time and memory grow with the square of the line (the engine fuzz target:
/// 256 KiB of tokens on one line took 10 s and 5 GB). Real code lines are far shorter.
pub const LINE_CONTEXT: usize = 1024;

/// Places engine matches in their blob: line/column computed only for matches, in one pass
/// over the newlines up to the last match.
/// `all` holds every match the engine found in `bytes` (sorted by secret start, as
/// [`crate::engine::RuleSet::scan`] returns them), `matches` those to place: the others
/// only give each hit its [`Hit::line_secrets`].
pub fn place_matches(
    rules: &crate::engine::RuleSet,
    bytes: &[u8],
    matches: &[Match],
    all: &[Match],
) -> Vec<Hit> {
    let longest = all
        .iter()
        .map(|m| m.secret_end - m.secret_start)
        .max()
        .unwrap_or(0);
    let mut order: Vec<usize> = (0..matches.len()).collect();
    order.sort_by_key(|&i| matches[i].secret_start);
    let mut locator = LineLocator::new(bytes);
    let mut hits = Vec::with_capacity(matches.len());
    // The current line's end and the line before it, found once for all its matches.
    let mut lines: Option<(usize, usize, Option<String>)> = None;
    for i in order {
        let m = &matches[i];
        let rule = rules.rule(m.rule);
        let (line, column, line_start) = locator.locate(m.secret_start);
        let (end_line, end_column, _) = locator.peek(m.secret_end);
        let (_, line_end, prev_line_text) = match lines.take() {
            Some(known) if known.0 == line_start => lines.insert(known),
            _ => {
                let line_end = memchr::memchr(b'\n', &bytes[line_start..])
                    .map_or(bytes.len(), |e| line_start + e);
                let prev = (line_start > 0).then(|| {
                    let end = line_start - 1;
                    let start = memchr::memrchr(b'\n', &bytes[..end]).map_or(0, |i| i + 1);
                    excerpt(bytes, start..end, end, end)
                });
                lines.insert((line_start, line_end, prev))
            }
        };
        let (line_end, prev_line_text) = (*line_end, prev_line_text.clone());
        let shown = excerpt_range(bytes, line_start..line_end, m.secret_start, m.secret_end);
        let line_text = decode_text(&bytes[shown.clone()]);
        let line_secrets = secrets_within(all, longest, &shown, m)
            .map(|inside| decode_part(bytes, &shown, inside))
            .collect();
        let last_line_text = (m.secret_end > line_end).then(|| {
            let at = m.secret_end.saturating_sub(1);
            let start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
            // Only as far as the excerpt reaches: the line may be long.
            let limit = (m.secret_end + LINE_CONTEXT).min(bytes.len());
            let end = memchr::memchr(b'\n', &bytes[at..limit]).map_or(limit, |e| at + e);
            excerpt(bytes, start..end, m.secret_end, m.secret_end)
        });
        hits.push(Hit {
            rule_index: m.rule,
            rule_id: rule.id.clone(),
            rule_name: rule.name.clone(),
            severity: rule.severity,
            confidence: rule.confidence(),
            kind: rule.kind(),
            generic: rule.generic,
            line,
            column,
            end_line,
            end_column,
            start: m.secret_start,
            end: m.secret_end,
            secret: decode_text(&bytes[m.secret_start..m.secret_end]),
            line_text: line_text.trim_end_matches('\r').to_string(),
            line_secrets,
            prev_line_text,
            last_line_text,
        });
    }
    hits
}

/// The text of `line` narrowed to at most [`LINE_CONTEXT`] bytes before `from` and after
/// `to`, widened to whole UTF-8 characters (by three bytes at most: text that is not UTF-8
/// may hold any run of continuation bytes).
fn excerpt(bytes: &[u8], line: Range<usize>, from: usize, to: usize) -> String {
    decode_text(&bytes[excerpt_range(bytes, line, from, to)])
}

/// The byte range [`excerpt`] shows.
fn excerpt_range(bytes: &[u8], line: Range<usize>, from: usize, to: usize) -> Range<usize> {
    let mut start = line.start.max(from.saturating_sub(LINE_CONTEXT));
    for _ in 0..3 {
        if start > line.start && continuation(bytes[start]) {
            start -= 1;
        }
    }
    let mut end = line.end.min(to.saturating_add(LINE_CONTEXT)).max(start);
    for _ in 0..3 {
        if end < line.end && continuation(bytes[end]) {
            end += 1;
        }
    }
    start..end
}

fn continuation(b: u8) -> bool {
    b & 0xc0 == 0x80
}

/// The secret spans of `all` (sorted by start; none longer than `longest`) other than
/// `own`'s that reach into `shown`, each cut to the part inside it.
fn secrets_within<'a>(
    all: &'a [Match],
    longest: usize,
    shown: &'a Range<usize>,
    own: &'a Match,
) -> impl Iterator<Item = Range<usize>> + 'a {
    let before_end = all.partition_point(|o| o.secret_start < shown.end);
    // A secret that starts further back than the longest one is long ends before `shown`.
    let lowest = shown.start.saturating_sub(longest);
    let mut seen: Vec<Range<usize>> = Vec::new();
    all[..before_end]
        .iter()
        .rev()
        .take_while(move |o| o.secret_start >= lowest)
        .filter(move |o| {
            o.secret_end > shown.start
                && (o.secret_start, o.secret_end) != (own.secret_start, own.secret_end)
        })
        .map(move |o| o.secret_start.max(shown.start)..o.secret_end.min(shown.end))
        .filter(move |r| {
            let new = !seen.contains(r);
            seen.push(r.clone());
            new
        })
}

/// The text of `part` of the excerpt `shown` exactly as it reads inside the excerpt's own
/// text ([`decode_text`] of all of `shown`): widened to whole characters when the excerpt
/// is UTF-8, byte for byte otherwise.
fn decode_part(bytes: &[u8], shown: &Range<usize>, part: Range<usize>) -> String {
    let whole = &bytes[shown.clone()];
    if std::str::from_utf8(whole).is_err() {
        return encoding_rs::WINDOWS_1252
            .decode(&bytes[part])
            .0
            .into_owned();
    }
    let (mut start, mut end) = (part.start, part.end);
    while start > shown.start && continuation(bytes[start]) {
        start -= 1;
    }
    while end < shown.end && continuation(bytes[end]) {
        end += 1;
    }
    decode_text(&bytes[start..end])
}

/// How [`aggregate`] treats findings of the same fingerprint.
#[derive(Debug, Clone, Copy, Default)]
pub struct Aggregation {
    /// Keep one finding per fingerprint, the earliest introduction (history scans: the same
    /// secret in many versions of a file is one finding).
    pub one_per_fingerprint: bool,
    /// List every other place that holds each secret, not only how many.
    pub all_locations: bool,
}

/// Orders findings (earliest introduction first, then by place), keeps one per fingerprint
/// when asked, and tells each finding how many other places hold the same secret.
pub fn aggregate(mut findings: Vec<Finding>, how: Aggregation) -> Vec<Finding> {
    findings.sort_by(|a, b| {
        (a.order, &a.path, a.hit.line, a.hit.column, &a.hit.rule_id).cmp(&(
            b.order,
            &b.path,
            b.hit.line,
            b.hit.column,
            &b.hit.rule_id,
        ))
    });
    if how.one_per_fingerprint {
        let mut seen = std::collections::HashSet::new();
        findings.retain(|f| seen.insert(f.fingerprint.clone()));
    }
    let mut groups: std::collections::HashMap<(&str, &str), Vec<usize>> =
        std::collections::HashMap::new();
    for (i, f) in findings.iter().enumerate() {
        groups
            .entry((f.hit.rule_id.as_str(), f.hit.secret.as_str()))
            .or_default()
            .push(i);
    }
    let groups: Vec<Vec<usize>> = groups.into_values().filter(|m| m.len() > 1).collect();
    for members in groups {
        let locs: Vec<Location> = members
            .iter()
            .map(|&i| Location {
                path: findings[i].path.clone(),
                line: findings[i].hit.line,
                commit: findings[i].commit.clone(),
            })
            .collect();
        for (k, &i) in members.iter().enumerate() {
            findings[i].other_locations = members.len() - 1;
            if how.all_locations {
                findings[i].locations = locs
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != k)
                    .map(|(_, l)| l.clone())
                    .collect();
            }
        }
    }
    findings
}

/// Sorts findings the way every report lists them: by path, line, column, rule.
pub fn sort_for_report(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (&a.path, a.hit.line, a.hit.column, &a.hit.rule_id).cmp(&(
            &b.path,
            b.hit.line,
            b.hit.column,
            &b.hit.rule_id,
        ))
    });
}

/// Walks forward through a blob counting newlines and, on the current line, characters;
/// positions must be asked in order (`peek` looks ahead without moving). Each byte is
/// looked at about once however many matches a line holds.
#[derive(Clone, Copy)]
struct LineLocator<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: usize,
    line_start: usize,
    /// `line_start..valid_to` is valid UTF-8 of `chars` characters, ending on a character
    /// boundary; once the line holds an invalid sequence (`invalid`), columns are bytes.
    valid_to: usize,
    chars: usize,
    invalid: bool,
}

impl<'a> LineLocator<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        LineLocator {
            bytes,
            pos: 0,
            line: 1,
            line_start: 0,
            valid_to: 0,
            chars: 0,
            invalid: false,
        }
    }

    /// (1-based line, 1-based column in characters, byte offset of the line start).
    fn locate(&mut self, offset: usize) -> (usize, usize, usize) {
        let offset = offset.min(self.bytes.len());
        if offset < self.pos {
            // Out of order: restart (rare: overlapping matches of different rules).
            *self = LineLocator::new(self.bytes);
        }
        if let Some(nl) = memchr::memrchr(b'\n', &self.bytes[self.pos..offset]) {
            self.line += memchr::memchr_iter(b'\n', &self.bytes[self.pos..offset]).count();
            self.line_start = self.pos + nl + 1;
            self.valid_to = self.line_start;
            self.chars = 0;
            self.invalid = false;
        }
        self.pos = offset;
        (self.line, self.column(offset), self.line_start)
    }

    /// The column of `offset` on the current line: characters when the line up to it is
    /// UTF-8, else bytes (as a report decodes such a line, as Windows-1252).
    fn column(&mut self, offset: usize) -> usize {
        if !self.invalid {
            match std::str::from_utf8(&self.bytes[self.valid_to..offset]) {
                Ok(s) => {
                    self.chars += s.chars().count();
                    self.valid_to = offset;
                    return self.chars + 1;
                }
                Err(e) => {
                    let good = &self.bytes[self.valid_to..self.valid_to + e.valid_up_to()];
                    self.chars += char_count(good);
                    self.valid_to += e.valid_up_to();
                    // A sequence cut off at `offset` may still complete after it; a broken
                    // one stays broken for every later column of the line.
                    self.invalid = e.error_len().is_some();
                }
            }
        }
        offset - self.line_start + 1
    }

    fn peek(&self, offset: usize) -> (usize, usize, usize) {
        let mut copy = *self;
        copy.locate(offset)
    }
}

/// Columns count characters, not bytes, so an editor lands on the right spot in UTF-8 text.
fn char_count(bytes: &[u8]) -> usize {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.chars().count(),
        Err(_) => bytes.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_hides_most_of_the_secret() {
        assert_eq!(redact("ghp_abcdefghijklmnop"), "ghp_*****");
        assert_eq!(redact("hunter2"), "h*****");
        assert_eq!(redact("ab"), "*****");
    }

    #[test]
    fn fingerprint_depends_on_rule_path_and_secret_only() {
        let a = fingerprint("r", "a.py", "s3cr3t-value");
        assert_eq!(a, fingerprint("r", "a.py", "s3cr3t-value"));
        assert_ne!(a, fingerprint("r", "b.py", "s3cr3t-value"));
        assert_ne!(a, fingerprint("q", "a.py", "s3cr3t-value"));
        assert_eq!(a.len(), 32);
    }

    #[test]
    fn sweep_fingerprints_are_namespaced_by_repository() {
        let plain = fingerprint("r", "a.py", "s3cr3t-value");
        let one = fingerprint_in_repository("one", "r", "a.py", "s3cr3t-value");
        let two = fingerprint_in_repository("two", "r", "a.py", "s3cr3t-value");
        assert_ne!(one, two);
        assert_ne!(one, plain);
        assert_eq!(
            one,
            fingerprint_in_repository("one", "r", "a.py", "s3cr3t-value")
        );
        assert_eq!(one.len(), 32);
    }

    #[test]
    fn line_locator_counts_lines_and_chars() {
        let text = "a\nbé c\nxyz".as_bytes();
        let mut l = LineLocator::new(text);
        assert_eq!(l.locate(0), (1, 1, 0));
        let c = text.iter().position(|&b| b == b'c').unwrap();
        assert_eq!(l.locate(c), (2, 4, 2));
        let z = text.len() - 1;
        assert_eq!(l.peek(z).0, 3);
    }

    #[test]
    fn line_locator_columns_match_counting_each_prefix() {
        // Valid UTF-8, a character cut by an offset, and a broken sequence mid-line: every
        // column is what counting the line's prefix alone gives (characters, else bytes).
        let mut bytes = "ab\u{e9}c\u{20ac}d\nx\u{e9}".as_bytes().to_vec();
        bytes.push(0xff);
        bytes.extend_from_slice("\u{e9}yz\n\u{1f600}q".as_bytes());
        let mut l = LineLocator::new(&bytes);
        for offset in 0..=bytes.len() {
            let line_start = bytes[..offset]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            let want = char_count(&bytes[line_start..offset]) + 1;
            assert_eq!(l.peek(offset).1, want, "peek at {offset}");
            assert_eq!(l.locate(offset).1, want, "locate at {offset}");
        }
    }

    #[test]
    fn hit_lines_are_bounded_around_the_secret() {
        // Runs of a two-byte character on both sides, so that both cuts fall inside one.
        let long = "x".repeat(5 * LINE_CONTEXT);
        let run = "\u{e9}".repeat(600);
        let text = format!("{long}\n{long} {run} SECRET {run} {long}\n");
        let bytes = text.as_bytes();
        let at = text.find("SECRET").unwrap();
        let line_start = long.len() + 1;
        let line_end = text.len() - 1;
        let e = excerpt(bytes, line_start..line_end, at, at + 6);
        assert!(e.contains("SECRET"));
        assert!(e.len() <= 2 * LINE_CONTEXT + 6 + 2, "{} bytes", e.len());
        // Cut on character boundaries: still UTF-8, not decoded as Windows-1252 ("Ã©").
        assert!(!e.contains('\u{c3}'));
        let prev = excerpt(bytes, 0..long.len(), long.len(), long.len());
        assert_eq!(prev.len(), LINE_CONTEXT);
        // Not UTF-8: a run of continuation bytes does not widen the excerpt past three.
        let mut odd = vec![0x80u8; 4 * LINE_CONTEXT];
        odd.extend_from_slice(b"SECRET");
        odd.extend(vec![0x80u8; 4 * LINE_CONTEXT]);
        let at = 4 * LINE_CONTEXT;
        let e = excerpt(&odd, 0..odd.len(), at, at + 6);
        assert!(e.chars().count() <= 2 * LINE_CONTEXT + 6 + 6);
        // A short line is kept whole.
        assert_eq!(excerpt(b"a = b\n", 0..5, 4, 5), "a = b");
    }
}
