//! How a rule's pattern is compiled, the same way for scanning and for checking a rule.
//!
//! Patterns are compiled ASCII-first: `\w`, `\d`, `\s`, `\b`, `.`, negated classes and `(?i)`
//! take their byte meaning, as in the Go regexes other scanners' rules are written in.
//! Credentials are ASCII, and a Unicode class compiles to hundreds of UTF-8 byte ranges:
//! compiling them was most of the cost of a scan that finds a keyword and confirms it (the
//! whole pack compiles many times faster in ASCII mode). A pattern that cannot be read in
//! ASCII mode (`\p{L}`, a non-ASCII character inside a class) is compiled with Unicode;
//! `(?u)` asks for Unicode inside any pattern.

use regex::bytes::{Regex, RegexBuilder};
use regex_automata::util::syntax;

/// Lazy-DFA cache per regex and thread. The default (2 MiB) is too small for the many-rule
/// screens of the generic keywords: real code fills it, the DFA is rebuilt over and over and
/// then gives up for the far slower PikeVM (seen in perf on Rust crates).
pub const DFA_CACHE_BYTES: usize = 16 << 20;

/// The modes a pattern is tried in, in order: ASCII, then Unicode.
pub fn unicode_modes() -> [bool; 2] {
    [false, true]
}

/// The parser settings of one mode, for engines built from regex-automata directly.
pub fn syntax(unicode: bool) -> syntax::Config {
    syntax::Config::new().unicode(unicode).utf8(false)
}

/// The rule's regex. The error, if both modes fail, is the Unicode mode's: the pattern as
/// its author wrote it.
pub fn regex(pattern: &str) -> Result<Regex, regex::Error> {
    let build = |unicode: bool| {
        RegexBuilder::new(pattern)
            .unicode(unicode)
            .dfa_size_limit(DFA_CACHE_BYTES)
            .build()
    };
    build(false).or_else(|_| build(true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_are_ascii_unless_the_pattern_needs_unicode() {
        let word = regex(r"^\w+$").unwrap();
        assert!(word.is_match(b"abc_123"));
        assert!(!word.is_match("caf\u{e9}".as_bytes()));
        // An ASCII-mode `.` matches any byte but newline, so invalid UTF-8 is scanned too.
        assert!(regex(r"^a.b$").unwrap().is_match(b"a\xffb"));
        let letters = regex(r"^\p{L}+$").unwrap();
        assert!(letters.is_match("caf\u{e9}".as_bytes()));
        let asked = regex(r"(?u)^\w+$").unwrap();
        assert!(asked.is_match("caf\u{e9}".as_bytes()));
        assert!(regex(r"(unclosed").is_err());
    }
}
