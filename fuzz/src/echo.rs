//! Does a config error echo a value of the config text? A key pasted into the wrong field of
//! `.keysweep.toml` must not reach stderr (see `keysweep::rules::without_values`).
//!
//! The values looked for are the quoted strings of the text that are not keys, longer than
//! 8 bytes and holding a letter or digit. Some strings are names the error must give to be
//! of use, and are allowed: rule ids and custom rules' regexes (the user's own pattern, shown
//! with the place it fails to parse). Path globs are not: an invalid glob is reported by its
//! place and reason, since a value pasted into `exclude` is as secret as any other.
//!
//! A value that appears in the message may do so by coincidence (a value `"max_file_size"`
//! and a message naming that field). So each candidate is disguised everywhere in the text
//! (letters and digits rotated, twice with different shifts) and the text parsed again: only
//! when every disguise shows up in its message is the value echoed.

use std::collections::HashSet;

/// Values shorter than this may be echoed: too short to be a credential, and messages quote
/// short words (`true`, a size) that a text may hold as strings too.
pub const MIN_ECHO: usize = 9;

/// A quoted string of a TOML text: its raw content (escapes as written) and where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quoted<'a> {
    pub content: &'a str,
    pub offset: usize,
}

/// The quoted strings of `text` that are values, not keys (the next character after the
/// string is `=` or `.`, or the string is in a `[table]` header). A light scanner, not a
/// TOML parser: it must work on text that does not parse, whose errors are the ones to check.
pub fn quoted_values(text: &str) -> Vec<Quoted<'_>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut line_start = 0;
    while i < b.len() {
        match b[i] {
            b'\n' => {
                line_start = i + 1;
                i += 1;
            }
            b'#' => {
                i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |n| i + n);
            }
            q @ (b'"' | b'\'') => {
                let triple = b[i..].starts_with(&[q, q, q]);
                let open = if triple { 3 } else { 1 };
                let start = i + open;
                let end = if triple {
                    find_triple(b, start, q)
                } else {
                    find_single(b, start, q)
                };
                let close = if end < b.len() { open } else { 0 };
                let content = &text[start..end];
                let after = end + close;
                if !is_key(b, line_start, i, after) {
                    out.push(Quoted {
                        content,
                        offset: start,
                    });
                }
                if triple {
                    line_start = text[..after]
                        .rfind('\n')
                        .map_or(line_start, |n| n + 1)
                        .max(line_start);
                }
                i = after.max(i + 1);
            }
            _ => i += 1,
        }
    }
    out
}

/// End of a one-line string opened before `start`: the closing quote, a newline, or the end.
fn find_single(b: &[u8], start: usize, q: u8) -> usize {
    let mut j = start;
    while j < b.len() && b[j] != q && b[j] != b'\n' {
        if q == b'"' && b[j] == b'\\' {
            j += 1;
        }
        j += 1;
    }
    j.min(b.len())
}

fn find_triple(b: &[u8], start: usize, q: u8) -> usize {
    let mut j = start;
    while j < b.len() && !b[j..].starts_with(&[q, q, q]) {
        if q == b'"' && b[j] == b'\\' {
            j += 1;
        }
        j += 1;
    }
    j.min(b.len())
}

fn is_key(b: &[u8], line_start: usize, open: usize, after: usize) -> bool {
    let next = b[after.min(b.len())..]
        .iter()
        .find(|c| !matches!(c, b' ' | b'\t'));
    if matches!(next, Some(b'=' | b'.')) {
        return true;
    }
    // In a table header: the line starts with `[` and has no `=` before the string.
    let before = &b[line_start..open];
    let trimmed = before.iter().skip_while(|c| matches!(c, b' ' | b'\t'));
    let header = trimmed.clone().next() == Some(&b'[') && !before.contains(&b'=');
    header && matches!(next, Some(b']' | b'.'))
}

/// The strings of `text` that name things and may be echoed: rule ids and custom rules'
/// regexes. Empty when the text is not TOML (its errors come from the parser).
pub fn allowed_names(text: &str) -> HashSet<String> {
    let mut out = HashSet::new();
    let Ok(table) = text.parse::<toml::Table>() else {
        return out;
    };
    if let Some(toml::Value::Array(rules)) = table.get("rules") {
        for r in rules {
            for key in ["id", "regex"] {
                if let Some(s) = r.get(key).and_then(toml::Value::as_str) {
                    out.insert(s.to_string());
                }
            }
        }
    }
    out
}

/// `value` with ASCII letters and digits rotated by `shift` (within their class); other
/// characters unchanged.
pub fn disguise(value: &str, shift: u8) -> String {
    value
        .chars()
        .map(|c| {
            let rot = |base: u8, n: u8| (base + (c as u8 - base + shift % n) % n) as char;
            match c {
                'a'..='z' => rot(b'a', 26),
                'A'..='Z' => rot(b'A', 26),
                '0'..='9' => rot(b'0', 10),
                _ => c,
            }
        })
        .collect()
}

/// The first value of `text` that the error `message` of `parse(text)` echoes, as (offset,
/// length) in the text. `parse` maps a text to its error message (None: it parsed).
pub fn echoed_value(
    text: &str,
    message: &str,
    parse: impl Fn(&str) -> Option<String>,
) -> Option<(usize, usize)> {
    let names = allowed_names(text);
    let mut tried = HashSet::new();
    for q in quoted_values(text) {
        let v = q.content;
        if v.len() < MIN_ECHO
            || !v.bytes().any(|c| c.is_ascii_alphanumeric())
            || names.contains(v)
            || !message.contains(v)
            || !tried.insert(v)
        {
            continue;
        }
        let echoed = [13, 7].iter().all(|&shift| {
            let d = disguise(v, shift);
            parse(&text.replace(v, &d)).is_some_and(|m| m.contains(&d))
        });
        if echoed {
            return Some((q.offset, v.len()));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_not_keys() {
        let text = "\"k1\" = 'v1'\n[\"t\".x]\na.\"b\" = [\"v2\", \"\"\"v3\"\"\"] # \"c\"\n";
        let got: Vec<&str> = quoted_values(text).iter().map(|q| q.content).collect();
        assert_eq!(got, vec!["v1", "v2", "v3"]);
    }

    #[test]
    fn disguise_rotates_within_class() {
        assert_eq!(disguise("az-AZ09", 13), "nm-NM32");
    }

    #[test]
    fn echo_is_told_from_coincidence() {
        // An echoing parser is caught; one whose message only happens to hold the value is not.
        let text = "x = \"abcdefghijk\"\n";
        let echo = |t: &str| Some(format!("bad value {t}"));
        assert_eq!(
            echoed_value(text, &echo(text).unwrap(), echo),
            Some((5, 11))
        );
        let fixed = |_: &str| Some("abcdefghijk is a word of the message".to_string());
        assert_eq!(echoed_value(text, &fixed(text).unwrap(), fixed), None);
    }
}
