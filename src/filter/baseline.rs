//! The baseline: findings a team has reviewed and accepted, listed by fingerprint so a scan
//! reports only new ones.
//!
//! The file is JSON meant to live in the repository and to diff well: no secrets, no line
//! numbers, no timestamps; one entry per line, sorted by path, rule and fingerprint:
//!
//! ```json
//! {
//!   "version": 1,
//!   "findings": [
//!     {"fingerprint": "3f0c...", "rule": "aws-access-key-id", "path": "config/dev.py"}
//!   ]
//! }
//! ```
//!
//! Fingerprints are content based (rule + path + hash of the secret), so an entry survives
//! moved lines, rebases and squash merges.
//!
//! `--baseline` also reads a detect-secrets `.secrets.baseline` ([`AnyBaseline`] tells them
//! apart by content, see `detect_secrets.rs`). keysweep never rewrites such a file: it
//! belongs to detect-secrets, whose entries keysweep cannot recreate.

use crate::filter::detect_secrets::{is_detect_secrets, DetectSecretsBaseline};
use crate::finding::Finding;
use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::Path;

pub const VERSION: u32 = 1;

/// A baseline larger than this is refused rather than read into memory.
const MAX_FILE_BYTES: u64 = 256 << 20;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    // Field order is the sort order: path, rule, fingerprint.
    pub path: String,
    pub rule: String,
    pub fingerprint: String,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Baseline {
    pub entries: BTreeSet<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileFormat {
    version: u32,
    #[serde(default)]
    findings: Vec<Entry>,
}

impl Baseline {
    /// One entry per distinct fingerprint of `findings`.
    pub fn from_findings(findings: &[Finding]) -> Baseline {
        Baseline {
            entries: findings
                .iter()
                .map(|f| Entry {
                    path: f.stable_path().to_string(),
                    rule: f.hit.rule_id.clone(),
                    fingerprint: f.fingerprint.clone(),
                })
                .collect(),
        }
    }

    pub fn load(path: &Path) -> Result<Baseline> {
        let text = crate::safefs::read_text(path, true, MAX_FILE_BYTES)
            .with_context(|| format!("cannot read baseline {}", path.display()))?;
        Baseline::parse(&text).with_context(|| format!("baseline {}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Baseline> {
        Baseline::from_value(parse_json(text)?)
    }

    fn from_value(value: serde_json::Value) -> Result<Baseline> {
        if is_detect_secrets(&value) {
            bail!(
                "this is a detect-secrets baseline: `scan --baseline` reads it, but keysweep \
                 does not rewrite it (update it with detect-secrets, or create a keysweep \
                 baseline with `keysweep baseline create` in another file)"
            );
        }
        let file: FileFormat = serde_json::from_value(value).map_err(|e| {
            anyhow::anyhow!(
                "not a keysweep baseline: {}",
                crate::rules::without_values(&e.to_string())
            )
        })?;
        if file.version != VERSION {
            bail!(
                "unsupported baseline version {} (expected {VERSION})",
                file.version
            );
        }
        Ok(Baseline {
            entries: file.findings.into_iter().collect(),
        })
    }

    /// The file text: pretty, sorted, one entry per line.
    pub fn to_json(&self) -> String {
        let mut s = format!("{{\n  \"version\": {VERSION},\n  \"findings\": [");
        for (i, e) in self.entries.iter().enumerate() {
            s.push_str(if i == 0 { "\n    " } else { ",\n    " });
            s.push_str(&format!(
                "{{\"fingerprint\": {}, \"rule\": {}, \"path\": {}}}",
                json_str(&e.fingerprint),
                json_str(&e.rule),
                json_str(&e.path)
            ));
        }
        if !self.entries.is_empty() {
            s.push_str("\n  ");
        }
        s.push_str("]\n}\n");
        s
    }

    /// Writes the file privately (temporary file beside it, then rename; never through a
    /// link or onto a special file).
    /// A detect-secrets baseline already there is not replaced: it holds audit results that
    /// keysweep cannot recreate.
    pub fn save(&self, path: &Path) -> Result<()> {
        let existing = std::fs::symlink_metadata(path)
            .ok()
            .filter(|m| m.is_file())
            .and_then(|_| crate::safefs::read_text(path, false, MAX_FILE_BYTES).ok());
        if existing.is_some_and(|t| parse_json(&t).is_ok_and(|v| is_detect_secrets(&v))) {
            bail!(
                "{} is a detect-secrets baseline; keysweep does not overwrite it (write the \
                 keysweep baseline to another file with -o)",
                path.display()
            );
        }
        crate::safefs::write_private(path, self.to_json().as_bytes())
    }

    pub fn fingerprints(&self) -> std::collections::HashSet<&str> {
        self.entries
            .iter()
            .map(|e| e.fingerprint.as_str())
            .collect()
    }

    /// True when the baseline lists this fingerprint.
    pub fn contains(&self, fingerprint: &str) -> bool {
        self.entries.iter().any(|e| e.fingerprint == fingerprint)
    }

    /// Keeps only entries whose fingerprint is among `findings`; returns how many were dropped.
    pub fn prune(&mut self, findings: &[Finding]) -> usize {
        let found: std::collections::HashSet<&str> =
            findings.iter().map(|f| f.fingerprint.as_str()).collect();
        let before = self.entries.len();
        self.entries
            .retain(|e| found.contains(e.fingerprint.as_str()));
        before - self.entries.len()
    }
}

/// A baseline as `--baseline` reads it: keysweep's own file or a detect-secrets one.
pub enum AnyBaseline {
    Own(Baseline),
    DetectSecrets(DetectSecretsBaseline),
}

impl AnyBaseline {
    /// Reads either format, told apart by content (a detect-secrets file has a `results`
    /// object; ours has `version` and `findings`).
    pub fn load(path: &Path) -> Result<AnyBaseline> {
        let text = crate::safefs::read_text(path, true, MAX_FILE_BYTES)
            .with_context(|| format!("cannot read baseline {}", path.display()))?;
        AnyBaseline::parse(&text).with_context(|| format!("baseline {}", path.display()))
    }

    pub fn parse(text: &str) -> Result<AnyBaseline> {
        let value = parse_json(text)?;
        if is_detect_secrets(&value) {
            return DetectSecretsBaseline::from_value(value).map(AnyBaseline::DetectSecrets);
        }
        Baseline::from_value(value).map(AnyBaseline::Own)
    }

    /// True when the baseline lists this finding.
    pub fn suppresses(&self, f: &Finding) -> bool {
        match self {
            AnyBaseline::Own(b) => b.contains(&f.fingerprint),
            AnyBaseline::DetectSecrets(b) => b.suppresses(f),
        }
    }
}

/// JSON, with the error's position and without the values it quotes.
fn parse_json(text: &str) -> Result<serde_json::Value> {
    serde_json::from_str(text).map_err(|e| {
        anyhow::anyhow!(
            "line {} column {}: {}",
            e.line(),
            e.column(),
            crate::rules::without_values(&e.to_string())
        )
    })
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).expect("a string serializes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_sorted_one_entry_per_line() {
        let mut b = Baseline::default();
        for (p, r, f) in [
            ("b.py", "r1", "ff"),
            ("a.py", "r2", "00"),
            ("a.py", "r1", "11"),
        ] {
            b.entries.insert(Entry {
                path: p.into(),
                rule: r.into(),
                fingerprint: f.into(),
            });
        }
        let text = b.to_json();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 8, "{text}");
        assert!(lines[3].contains("\"a.py\"") && lines[3].contains("\"r1\""));
        assert!(lines[5].contains("\"b.py\""));
        assert_eq!(Baseline::parse(&text).unwrap(), b);
        let empty = Baseline::default().to_json();
        assert_eq!(Baseline::parse(&empty).unwrap(), Baseline::default());
    }
}
