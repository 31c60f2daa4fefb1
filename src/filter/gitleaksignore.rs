//! `.gitleaksignore`: the findings a gitleaks user has already reviewed, one gitleaks
//! fingerprint per line — `file:rule:line` (directory scans) or `commit:file:rule:line`
//! (history scans). `#` starts a comment line; blank lines are allowed.
//!
//! Rule ids differ between the tools (gitleaks' `generic-api-key` is no keysweep id, and one
//! secret can be found by differently named rules), so an entry is matched on its place — the
//! file and the line, and the commit when it names one — and the rule part is only kept for
//! messages: whatever keysweep rule fires at that place, it is the secret a person reviewed
//! there. An entry with a commit suppresses only findings attributed to that commit (history
//! scans), as in gitleaks.

use crate::finding::Finding;
use std::collections::HashSet;

/// The file's name, looked up at the scanned root (the repository top for `--git`/`--staged`).
pub const FILE_NAME: &str = ".gitleaksignore";

/// A `.gitleaksignore` larger than this is refused rather than read into memory.
pub const MAX_FILE_BYTES: u64 = 64 << 20;

/// One place an entry suppresses.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Place {
    commit: Option<String>,
    file: String,
    line: usize,
}

/// The parsed file.
#[derive(Debug, Default)]
pub struct GitleaksIgnore {
    places: HashSet<Place>,
}

impl GitleaksIgnore {
    /// Parses the file's text (named `name` in warnings). Malformed lines are skipped, each with
    /// a warning naming its line number — never its content, which may be a secret pasted in
    /// the wrong file.
    pub fn parse(name: &str, text: &str) -> (GitleaksIgnore, Vec<String>) {
        let mut out = GitleaksIgnore::default();
        let mut warnings = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match parse_entry(line) {
                Some(place) => {
                    out.places.insert(place);
                }
                None => warnings.push(format!(
                    "{name}:{}: not a gitleaks fingerprint (file:rule:line or \
                     commit:file:rule:line); line ignored",
                    i + 1
                )),
            }
        }
        (out, warnings)
    }

    pub fn len(&self) -> usize {
        self.places.len()
    }

    pub fn is_empty(&self) -> bool {
        self.places.is_empty()
    }

    /// True when an entry names the finding's place: its path (relative to the repository, or
    /// as reported), its first line and, for entries with a commit, its commit.
    pub fn suppresses(&self, f: &Finding) -> bool {
        if self.places.is_empty() {
            return false;
        }
        let commit = f.commit.as_ref().map(|c| c.id.to_ascii_lowercase());
        let paths = [f.stable_path(), f.path.as_str()];
        paths.iter().any(|p| {
            let file = super::normalize_path(p);
            let mut place = Place {
                commit: None,
                file,
                line: f.hit.line,
            };
            if self.places.contains(&place) {
                return true;
            }
            place.commit = commit.clone();
            place.commit.is_some() && self.places.contains(&place)
        })
    }
}

/// `[commit:]file:rule:line`, read from the right: paths may hold colons, rule ids and line
/// numbers do not, and a commit is a full hexadecimal object id (what gitleaks writes).
fn parse_entry(line: &str) -> Option<Place> {
    let (rest, line_no) = line.rsplit_once(':')?;
    let line_no: usize = line_no.trim().parse().ok().filter(|&n| n > 0)?;
    let (rest, rule) = rest.rsplit_once(':')?;
    if rule.is_empty() {
        return None;
    }
    let (commit, file) = match rest.split_once(':') {
        Some((c, f)) if is_object_id(c) => (Some(c.to_ascii_lowercase()), f),
        _ => (None, rest),
    };
    let file = super::normalize_path(file);
    (!file.is_empty()).then_some(Place {
        commit,
        file,
        line: line_no,
    })
}

fn is_object_id(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_fingerprint_forms_and_reports_bad_lines_by_number() {
        let commit = "0123456789abcdef0123456789abcdef01234567";
        let text = format!(
            "# reviewed\n\nsrc/a.py:generic-api-key:3\n{commit}:dir/with:colon.env:aws:7\n\
             AKIAQYLPMN5HHHFPZAM2\nx.py:rule:zero\n./b.py:r:0\n"
        );
        let (ig, warnings) = GitleaksIgnore::parse(".gitleaksignore", &text);
        assert_eq!(ig.len(), 2);
        assert!(ig.places.contains(&Place {
            commit: None,
            file: "src/a.py".into(),
            line: 3
        }));
        assert!(ig.places.contains(&Place {
            commit: Some(commit.into()),
            file: "dir/with:colon.env".into(),
            line: 7
        }));
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert!(warnings[0].starts_with(".gitleaksignore:5: "));
        assert!(warnings.iter().all(|w| !w.contains("AKIA")));
    }
}
