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

/// True when the finding whose secret starts at byte `start` and ends at `end` is allowed by
/// a mark on its first or last line, or by a next-line mark on the line before.
pub fn is_allowed(bytes: &[u8], start: usize, end: usize) -> bool {
    let (line_start, line_end) = line_bounds(bytes, start);
    if has_any(&bytes[line_start..line_end], SAME_LINE) {
        return true;
    }
    if end > line_end {
        let (ls, le) = line_bounds(bytes, end.saturating_sub(1));
        if has_any(&bytes[ls..le], SAME_LINE) {
            return true;
        }
    }
    if line_start > 0 {
        let (ps, pe) = line_bounds(bytes, line_start - 1);
        if memchr::memmem::find(&bytes[ps..pe], NEXT_LINE).is_some() {
            return true;
        }
    }
    false
}

fn line_bounds(bytes: &[u8], at: usize) -> (usize, usize) {
    let at = at.min(bytes.len());
    let start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i);
    (start, end)
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
        let text = b"a = 1\npw = 'x' # keysweep:allow\n# pragma: allowlist nextline secret\npw = 'y'\npw = 'z'\n";
        let s = |needle: &[u8]| {
            text.windows(needle.len())
                .position(|w| w == needle)
                .unwrap()
        };
        assert!(is_allowed(text, s(b"'x'"), s(b"'x'") + 3));
        assert!(is_allowed(text, s(b"'y'"), s(b"'y'") + 3));
        assert!(!is_allowed(text, s(b"'z'"), s(b"'z'") + 3));
    }
}
