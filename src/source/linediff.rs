//! Which lines of a new version of a file were added or changed relative to an old version.
//! Used by range and staged scans to report only secrets on lines the change touched.

use gix::diff::blob::{sources::byte_lines, Algorithm, Diff, InternedInput};

/// 1-based, inclusive line ranges of `new` that are added or changed relative to `old`.
pub fn added_lines(old: &[u8], new: &[u8]) -> Vec<std::ops::RangeInclusive<usize>> {
    let input = InternedInput::new(byte_lines(old), byte_lines(new));
    let mut diff = Diff::compute(Algorithm::Histogram, &input);
    diff.postprocess_lines(&input);
    diff.hunks()
        .filter(|h| h.after.end > h.after.start)
        .map(|h| (h.after.start as usize + 1)..=(h.after.end as usize))
        .collect()
}

/// True when any line of `first..=last` lies in one of `ranges`.
pub fn touches(ranges: &[std::ops::RangeInclusive<usize>], first: usize, last: usize) -> bool {
    ranges
        .iter()
        .any(|r| *r.start() <= last && first <= *r.end())
}

/// The lines in both `a` and `b` (each sorted and disjoint, as `added_lines` returns them).
pub fn intersect(
    a: &[std::ops::RangeInclusive<usize>],
    b: &[std::ops::RangeInclusive<usize>],
) -> Vec<std::ops::RangeInclusive<usize>> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        let start = *a[i].start().max(b[j].start());
        let end = *a[i].end().min(b[j].end());
        if start <= end {
            out.push(start..=end);
        }
        if a[i].end() < b[j].end() {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_added_and_changed_lines_only() {
        let old = b"a\nb\nc\nd\n";
        let new = b"a\nB\nc\nd\ne\n";
        assert_eq!(added_lines(old, new), vec![2..=2, 5..=5]);
        assert_eq!(added_lines(b"", b"x\ny\n"), vec![1..=2]);
        assert!(added_lines(new, new).is_empty());
        assert!(touches(&[2..=2], 1, 3));
        assert!(!touches(&[2..=2], 3, 4));
        assert_eq!(intersect(&[1..=3, 6..=9], &[2..=7]), vec![2..=3, 6..=7]);
        assert!(intersect(&[1..=2], &[3..=4]).is_empty());
    }
}
