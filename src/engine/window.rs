//! Windows of the haystack on which one rule's regex is confirmed.

/// A byte range of the haystack to run one rule's regex on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub rule: usize,
    pub start: usize,
    pub end: usize,
}

/// How far past the requested edge a window may grow to reach a line boundary. Starting and
/// ending on line boundaries keeps `\b` and `^`/`$` in rule regexes from matching at an
/// arbitrary cut in the middle of a token. On a longer line (minified JSON or JS, a base64
/// blob) the window still takes `SNAP` bytes on each side: stopping at the keyword would
/// hide the value after it, and let a leading `\b` match inside a longer token.
const SNAP: usize = 256;

impl Window {
    pub fn around(
        haystack: &[u8],
        rule: usize,
        hit_start: usize,
        hit_end: usize,
        before: usize,
        after: usize,
    ) -> Window {
        let mut start = hit_start.saturating_sub(before);
        if start > 0 {
            let floor = start.saturating_sub(SNAP);
            start = match memchr::memrchr(b'\n', &haystack[floor..start]) {
                Some(i) => floor + i + 1,
                None => floor,
            };
        }
        let mut end = (hit_end + after).min(haystack.len());
        if end < haystack.len() {
            let ceil = (end + SNAP).min(haystack.len());
            end = match memchr::memchr(b'\n', &haystack[end..ceil]) {
                Some(i) => end + i,
                None => ceil,
            };
        }
        Window { rule, start, end }
    }
}

/// The end of the line holding `from` (its `\n`, or the haystack's end), at most `limit`
/// bytes on.
pub fn line_end(haystack: &[u8], from: usize, limit: usize) -> usize {
    let ceil = from.saturating_add(limit).min(haystack.len());
    memchr::memchr(b'\n', &haystack[from..ceil]).map_or(ceil, |i| from + i)
}

/// Collects windows as keyword hits arrive, merging each into the last window of its rule
/// (or keyword) when they overlap. A hit inside that window costs nothing: a run of one
/// character that a keyword matches at every position (`AAAA…`) makes one window per few
/// hundred bytes, not one per byte, so time and memory stay linear in the input.
pub struct Collector {
    windows: Vec<Window>,
    /// Index in `windows` of each rule's last window (`u32::MAX`: none yet). Borrowed from
    /// [`SPARE_LAST`] and handed back with only the entries of this collector's windows
    /// reset: filling a table of the whole pack afresh for every file was a measurable part
    /// of a scan of many small files.
    last: Vec<u32>,
    rules: usize,
}

thread_local! {
    /// Tables of [`Collector::last`] not in use on this thread, every entry `u32::MAX`.
    static SPARE_LAST: std::cell::RefCell<Vec<Vec<u32>>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl Collector {
    pub fn new(rules: usize) -> Collector {
        Collector {
            windows: Vec::new(),
            last: Vec::new(),
            rules,
        }
    }

    /// The window `Window::around` would give, merged into the rule's last one.
    pub fn add(
        &mut self,
        haystack: &[u8],
        rule: usize,
        hit_start: usize,
        hit_end: usize,
        before: usize,
        after: usize,
    ) {
        if self.last.is_empty() {
            let mut last = SPARE_LAST
                .with(|spare| spare.borrow_mut().pop())
                .unwrap_or_default();
            last.resize(self.rules.max(last.len()), u32::MAX);
            self.last = last;
        }
        let last = self.last[rule];
        if let Some(w) = self.windows.get_mut(last as usize) {
            // Inside the last window, far enough from both of its edges that snapping to a
            // line boundary cannot reach past them: nothing new to search.
            let from = hit_start.saturating_sub(before).saturating_sub(SNAP);
            let reach = hit_end.saturating_add(after).saturating_add(SNAP);
            if from >= w.start && reach <= w.end {
                return;
            }
            let next = Window::around(haystack, rule, hit_start, hit_end, before, after);
            if next.start <= w.end && next.start >= w.start {
                w.end = w.end.max(next.end);
                return;
            }
            self.push(next);
            return;
        }
        self.push(Window::around(
            haystack, rule, hit_start, hit_end, before, after,
        ));
    }

    fn push(&mut self, w: Window) {
        self.last[w.rule] = self.windows.len() as u32;
        self.windows.push(w);
    }

    pub fn into_windows(mut self) -> Vec<Window> {
        self.hand_back_last();
        std::mem::take(&mut self.windows)
    }

    /// Resets the entries of `last` this collector set (each is a window's rule) and hands
    /// the table back to [`SPARE_LAST`].
    fn hand_back_last(&mut self) {
        if self.last.is_empty() {
            return;
        }
        for w in &self.windows {
            self.last[w.rule] = u32::MAX;
        }
        let last = std::mem::take(&mut self.last);
        SPARE_LAST.with(|spare| spare.borrow_mut().push(last));
    }
}

impl Drop for Collector {
    fn drop(&mut self) {
        self.hand_back_last();
    }
}

/// Merges overlapping windows of the same rule so each byte is searched once per rule.
pub fn merge(mut windows: Vec<Window>) -> Vec<Window> {
    windows.sort_unstable_by_key(|w| (w.rule, w.start));
    let mut out: Vec<Window> = Vec::with_capacity(windows.len());
    for w in windows {
        match out.last_mut() {
            Some(last) if last.rule == w.rule && w.start <= last.end => {
                last.end = last.end.max(w.end);
            }
            _ => out.push(w),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_snap_to_lines_and_merge() {
        let hay = b"aaaa\nbbbb password cccc\ndddd";
        let w = Window::around(hay, 0, 10, 18, 2, 2);
        assert_eq!(&hay[w.start..w.end], b"bbbb password cccc");
        let merged = merge(vec![
            w,
            Window {
                rule: 0,
                start: 12,
                end: 28,
            },
        ]);
        assert_eq!(merged.len(), 1);
        assert_eq!(merged[0].end, 28);
    }

    #[test]
    fn a_keyword_at_every_position_makes_few_windows() {
        let hay = vec![b'a'; 1 << 20];
        let mut c = Collector::new(2);
        for p in 0..hay.len() - 21 {
            c.add(&hay, 1, p, p + 21, 32, 256);
        }
        let w = merge(c.into_windows());
        assert_eq!(w.len(), 1);
        assert_eq!((w[0].start, w[0].end), (0, hay.len()));

        // The same windows as one per hit, merged.
        let hay = b"x password y\nz\npassword and password\n".repeat(3);
        let hits: Vec<usize> = (0..hay.len() - 8)
            .filter(|&p| &hay[p..p + 8] == b"password")
            .collect();
        let mut c = Collector::new(1);
        let mut each = Vec::new();
        for &p in &hits {
            c.add(&hay, 0, p, p + 8, 0, 0);
            each.push(Window::around(&hay, 0, p, p + 8, 0, 0));
        }
        assert_eq!(merge(c.into_windows()), merge(each));
    }

    #[test]
    fn a_collector_starts_clean_after_another_on_the_same_thread() {
        let hay = b"password one\npassword two\n";
        let mut first = Collector::new(3);
        first.add(hay, 2, 0, 8, 0, 0);
        first.add(hay, 0, 13, 21, 0, 0);
        assert_eq!(first.into_windows().len(), 2);
        // Dropped without being read: its entries are reset all the same.
        let mut dropped = Collector::new(3);
        dropped.add(hay, 1, 13, 21, 0, 0);
        drop(dropped);
        // A collector of more rules than the spare table holds.
        let mut next = Collector::new(5);
        next.add(hay, 4, 13, 21, 0, 0);
        next.add(hay, 1, 13, 21, 0, 0);
        next.add(hay, 2, 13, 21, 0, 0);
        let windows = next.into_windows();
        assert_eq!(
            windows
                .iter()
                .map(|w| (w.rule, w.start))
                .collect::<Vec<_>>(),
            [(4, 13), (1, 13), (2, 13)]
        );
    }

    #[test]
    fn on_a_long_line_the_window_still_reaches_past_the_keyword() {
        let mut hay = vec![b'x'; 1000];
        hay[500..508].copy_from_slice(b"password");
        let w = Window::around(&hay, 0, 500, 508, 0, 0);
        assert_eq!((w.start, w.end), (500 - SNAP, 508 + SNAP));
        let w = Window::around(&hay, 0, 100, 108, 0, 0);
        assert_eq!((w.start, w.end), (0, 108 + SNAP));
    }
}
