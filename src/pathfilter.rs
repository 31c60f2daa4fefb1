//! The one path model: which paths a scan skips. `--exclude`, the config file's `exclude` and
//! `allowlist.paths`, and `migrate --path` are all gitignore-style globs (the `ignore` crate's
//! matcher, so they mean what they mean in a `.gitignore`), matched against a path relative
//! to the root it was found under: the scanned directory, or the repository for `--git` and
//! `--staged`.
//!
//! - `*.min.js`, `secrets.txt`: a pattern without a slash matches the name at any depth;
//! - `vendor/**`, `/build`, `docs/*.md`: a pattern with a slash is anchored at the root;
//! - `fixtures/`: a trailing slash matches directories (and so everything below them);
//! - `!keep.py`: a later negation re-includes what an earlier pattern excluded.

use anyhow::{anyhow, Result};
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use std::path::Path;

/// A set of gitignore-style globs. Empty by default: matches nothing.
#[derive(Clone)]
pub struct PathFilter {
    matcher: Gitignore,
}

impl Default for PathFilter {
    fn default() -> Self {
        PathFilter {
            matcher: Gitignore::empty(),
        }
    }
}

impl std::fmt::Debug for PathFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PathFilter")
            .field("globs", &self.matcher.num_ignores())
            .finish()
    }
}

/// Builds a [`PathFilter`] from globs of several origins; each error names its glob's origin.
#[derive(Default)]
pub struct PathFilterBuilder {
    globs: Vec<String>,
}

impl PathFilterBuilder {
    /// Adds one glob; `origin` says where it came from in the error (`--exclude`,
    /// `file.toml:3:5`).
    pub fn add(&mut self, glob: &str, origin: &str) -> Result<&mut Self> {
        let trimmed = glob.trim();
        if trimmed.is_empty() {
            return Err(anyhow!("{origin}: empty glob"));
        }
        // Each glob is checked alone so that the error names the culprit.
        let mut one = GitignoreBuilder::new(".");
        one.add_line(None, trimmed)
            .map_err(|e| anyhow!("{origin}: invalid glob: {}", glob_error(&e, trimmed)))?;
        self.globs.push(trimmed.to_string());
        Ok(self)
    }

    pub fn build(&self) -> Result<PathFilter> {
        let mut b = GitignoreBuilder::new(".");
        for g in &self.globs {
            b.add_line(None, g)
                .map_err(|e| anyhow!("invalid glob: {}", glob_error(&e, g)))?;
        }
        let matcher = b
            .build()
            .map_err(|e| anyhow!("building path globs: {}", one_line(&e)))?;
        Ok(PathFilter { matcher })
    }
}

impl PathFilter {
    /// A filter of `globs` from one origin (e.g. `--path`).
    pub fn from_globs<S: AsRef<str>>(globs: &[S], origin: &str) -> Result<PathFilter> {
        let mut b = PathFilterBuilder::default();
        for g in globs {
            b.add(g.as_ref(), origin)?;
        }
        b.build()
    }

    pub fn is_empty(&self) -> bool {
        self.matcher.is_empty()
    }

    /// True when `rel` (a `/`-separated path relative to its root), or a directory above
    /// it, is matched. `is_dir` tells a directory from a file for patterns ending in `/`.
    pub fn matches(&self, rel: &str, is_dir: bool) -> bool {
        if self.matcher.is_empty() {
            return false;
        }
        let rel = rel.trim_start_matches("./").trim_start_matches('/');
        if rel.is_empty() {
            return false;
        }
        self.matcher
            .matched_path_or_any_parents(Path::new(rel), is_dir)
            .is_ignore()
    }

    /// True when the file at `rel` is matched.
    pub fn matches_file(&self, rel: &str) -> bool {
        self.matches(rel, false)
    }
}

/// The parser's reason without the pattern itself: a glob comes from a config file as often as
/// from the command line, and a value pasted into the wrong key must not reach stderr.
fn glob_error(e: &dyn std::fmt::Display, glob: &str) -> String {
    let msg = one_line(e);
    let reason = msg.replace(glob, "").replace("error parsing glob '': ", "");
    format!("{reason} (pattern of {} bytes not shown)", glob.len())
}

fn one_line(e: &dyn std::fmt::Display) -> String {
    e.to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(globs: &[&str]) -> PathFilter {
        PathFilter::from_globs(globs, "test").unwrap()
    }

    #[test]
    fn globs_mean_what_they_mean_in_a_gitignore() {
        let f = filter(&[
            "*.min.js",
            "vendor/**",
            "fixtures/",
            "/top.txt",
            "docs/*.md",
        ]);
        assert!(f.matches_file("a.min.js"));
        assert!(f.matches_file("web/static/a.min.js"));
        assert!(f.matches_file("vendor/x/y.go"));
        assert!(!f.matches_file("src/vendor/y.go"), "anchored at the root");
        assert!(
            f.matches_file("tests/fixtures/key.pem"),
            "below a matched directory"
        );
        assert!(f.matches("tests/fixtures", true));
        assert!(f.matches_file("top.txt"));
        assert!(!f.matches_file("sub/top.txt"));
        assert!(f.matches_file("docs/a.md"));
        assert!(!f.matches_file("docs/deep/a.md"));
        assert!(!f.matches_file("src/app.py"));
    }

    #[test]
    fn a_negation_re_includes() {
        let f = filter(&["*.env", "!keep.env"]);
        assert!(f.matches_file("a/prod.env"));
        assert!(!f.matches_file("a/keep.env"));
    }

    #[test]
    fn leading_dot_slash_is_ignored_and_empty_matches_nothing() {
        let f = filter(&["vendor/**"]);
        assert!(f.matches_file("./vendor/a"));
        assert!(!PathFilter::default().matches_file("vendor/a"));
    }

    #[test]
    fn errors_name_the_origin() {
        let mut b = PathFilterBuilder::default();
        let e = b.add("x[z-a]", "--exclude").err().unwrap().to_string();
        assert!(
            e.starts_with("--exclude: invalid glob: invalid range"),
            "{e}"
        );
        // The pattern may be a value pasted into the wrong key: it is never echoed.
        let pasted = "k3yV4lue0123456789[z-a]";
        let e = b.add(pasted, "k.toml:1:1").err().unwrap().to_string();
        assert!(!e.contains("k3yV4lue"), "{e}");
        let e = b.add("  ", "k.toml:2:3").err().unwrap().to_string();
        assert!(e.starts_with("k.toml:2:3: empty glob"), "{e}");
    }
}
