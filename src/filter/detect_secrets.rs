//! A detect-secrets `.secrets.baseline`, read as a baseline: a team moving from detect-secrets
//! keeps the secrets it has already reviewed.
//!
//! The file is JSON with `results: {filename: [{type, hashed_secret, line_number,
//! is_secret?}]}`; `hashed_secret` is the SHA-1 hex of the secret. A finding is suppressed when
//! its path equals a filename and its secret hashes to one of that file's entries — whatever
//! the line (entries survive moved lines) and whatever rule found it (the detectors' `type`
//! names are not keysweep rule ids). An entry audited `is_secret: true` is a confirmed secret
//! and suppresses nothing; `is_secret: false` and unaudited entries suppress.
//!
//! The `hashed_secret` values themselves look like secrets to generic rules (40 hex digits
//! after a key named "secret"); a finding whose secret is one of them is the baseline file (or
//! a copy) being scanned, and is suppressed too.

use crate::finding::Finding;
use anyhow::{bail, Result};
use serde::Deserialize;
use sha1::{Digest, Sha1};
use std::collections::{HashMap, HashSet};

#[derive(Deserialize)]
struct FileFormat {
    results: HashMap<String, Vec<Entry>>,
}

#[derive(Deserialize)]
struct Entry {
    hashed_secret: String,
    #[serde(default)]
    is_secret: Option<bool>,
}

/// The suppressing entries of a detect-secrets baseline.
#[derive(Debug, Default)]
pub struct DetectSecretsBaseline {
    /// Path -> SHA-1 hex of the secrets it may hold.
    by_path: HashMap<String, HashSet<String>>,
    /// Entries audited as real secrets (kept out of `by_path`).
    pub confirmed: usize,
    /// Every `hashed_secret` of the file, lower-case: hashes, not secrets.
    hashes: HashSet<String>,
}

/// True when `value` (a parsed JSON document) has detect-secrets' shape: a `results` object.
pub fn is_detect_secrets(value: &serde_json::Value) -> bool {
    value.get("results").is_some_and(|r| r.is_object())
}

impl DetectSecretsBaseline {
    pub fn from_value(value: serde_json::Value) -> Result<DetectSecretsBaseline> {
        let file: FileFormat = serde_json::from_value(value).map_err(|e| {
            anyhow::anyhow!(
                "not a valid detect-secrets baseline: {}",
                crate::rules::without_values(&e.to_string())
            )
        })?;
        let mut out = DetectSecretsBaseline::default();
        for (path, entries) in file.results {
            for e in entries {
                if !is_sha1_hex(&e.hashed_secret) {
                    bail!("not a valid detect-secrets baseline: an entry of {path} has a hashed_secret that is not SHA-1 hex");
                }
                out.hashes.insert(e.hashed_secret.to_ascii_lowercase());
                if e.is_secret == Some(true) {
                    out.confirmed += 1;
                    continue;
                }
                out.by_path
                    .entry(super::normalize_path(&path))
                    .or_default()
                    .insert(e.hashed_secret.to_ascii_lowercase());
            }
        }
        Ok(out)
    }

    /// How many entries suppress findings.
    pub fn len(&self) -> usize {
        self.by_path.values().map(HashSet::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True when the finding's path and secret are listed (and not audited as a real secret).
    pub fn suppresses(&self, f: &Finding) -> bool {
        if self.hashes.contains(&f.hit.secret.to_ascii_lowercase()) {
            return true;
        }
        let hashes = [f.stable_path(), f.path.as_str()]
            .iter()
            .find_map(|p| self.by_path.get(&super::normalize_path(p)));
        let Some(hashes) = hashes else {
            return false;
        };
        hashes.contains(&hex::encode(Sha1::digest(f.hit.secret.as_bytes())))
    }
}

fn is_sha1_hex(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audited_real_secrets_do_not_suppress() {
        let h = |s: &str| hex::encode(Sha1::digest(s.as_bytes()));
        let v = serde_json::json!({
            "version": "1.5.0",
            "results": {
                "./a.py": [
                    {"type": "AWS Access Key", "hashed_secret": h("one"), "line_number": 1},
                    {"type": "AWS Access Key", "hashed_secret": h("two"), "line_number": 2, "is_secret": true},
                    {"type": "AWS Access Key", "hashed_secret": h("three"), "line_number": 3, "is_secret": false}
                ]
            }
        });
        assert!(is_detect_secrets(&v));
        let b = DetectSecretsBaseline::from_value(v).unwrap();
        assert_eq!((b.len(), b.confirmed), (2, 1));
        assert!(b.by_path["a.py"].contains(&h("one")));
        assert!(!b.by_path["a.py"].contains(&h("two")));
        let bad =
            serde_json::json!({"results": {"a.py": [{"hashed_secret": "AKIAQYLPMN5HHHFPZAM2"}]}});
        let e = DetectSecretsBaseline::from_value(bad)
            .unwrap_err()
            .to_string();
        assert!(!e.contains("AKIA"), "{e}");
    }
}
