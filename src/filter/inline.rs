//! Inline allow comments: a finding on a line that carries one of these marks is dropped.
//! Besides our own, the marks users bring from other tools are honoured, so switching to
//! keysweep does not resurface findings a team already reviewed.

/// Marks that allow findings on their own line.
const SAME_LINE: &[&[u8]] = &[
    b"keysweep:allow",
    b"gitleaks:allow",
    b"pragma: allowlist secret",
    b"trufflehog:ignore",
];

/// detect-secrets' mark for the line below.
const NEXT_LINE: &[u8] = b"pragma: allowlist nextline secret";

/// True when the match is allowed by a mark on its first or last line (`line`, `last_line`),
/// or by a next-line mark on the line before (`prev_line`).
pub fn is_allowed(line: &str, last_line: Option<&str>, prev_line: Option<&str>) -> bool {
    has_any(line.as_bytes(), SAME_LINE)
        || last_line.is_some_and(|l| has_any(l.as_bytes(), SAME_LINE))
        || prev_line.is_some_and(|l| memchr::memmem::find(l.as_bytes(), NEXT_LINE).is_some())
}

fn has_any(line: &[u8], marks: &[&[u8]]) -> bool {
    // The marks are rare, so a plain search per mark is cheap: this runs only for matches.
    marks
        .iter()
        .any(|m| memchr::memmem::find(line, m).is_some())
}

#[cfg(test)]
mod tests {
    use super::is_allowed;

    #[test]
    fn marks_on_line_and_line_before() {
        assert!(is_allowed("pw = 'x' # keysweep:allow", None, Some("a = 1")));
        let next = "# pragma: allowlist nextline secret";
        assert!(is_allowed("pw = 'y'", None, Some(next)));
        assert!(!is_allowed("pw = 'z'", None, Some("pw = 'y'")));
        assert!(is_allowed(
            "k = \"-----BEGIN",
            Some("END----- # gitleaks:allow"),
            None
        ));
        assert!(!is_allowed("pw = 'z'", None, None));
    }
}
