//! Filters drop findings the user said to drop: inline allow comments (here), config
//! allowlists and the baseline.

pub mod baseline;
pub mod inline;

use crate::finding::Finding;

/// User allowlists from the config file. Empty by default: drops nothing.
#[derive(Default)]
pub struct Allowlist {
    pub paths: Option<globset::GlobSet>,
    pub secret_regexes: Vec<regex::Regex>,
    pub line_regexes: Vec<regex::Regex>,
    /// Lower-case words; a secret containing one is dropped.
    pub stopwords: Vec<String>,
}

impl Allowlist {
    /// True when the finding is allowed (and so dropped).
    pub fn allows(&self, f: &Finding) -> bool {
        if self.paths.as_ref().is_some_and(|g| g.is_match(&f.path)) {
            return true;
        }
        if self
            .secret_regexes
            .iter()
            .any(|r| r.is_match(&f.hit.secret))
        {
            return true;
        }
        if self
            .line_regexes
            .iter()
            .any(|r| r.is_match(&f.hit.line_text))
        {
            return true;
        }
        let lower = f.hit.secret.to_lowercase();
        self.stopwords.iter().any(|w| lower.contains(w.as_str()))
    }

    /// True when no path of `path` can produce a finding that survives (skip reading it).
    pub fn allows_path(&self, path: &str) -> bool {
        self.paths.as_ref().is_some_and(|g| g.is_match(path))
    }
}
