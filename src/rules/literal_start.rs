//! Whether every match of a pattern begins with one of its rule's keywords. The engine then
//! searches for such a rule's matches only where the keyword search found a keyword, with an
//! anchored search, instead of screening and searching the keyword's whole line: an anchored
//! lazy DFA follows one pattern from one start, so its states are the same few for every
//! token of the rule, where an unanchored one keeps building new states for text it has not
//! seen (a tree of test credentials is such text). It finds the same matches: a match starts
//! at a keyword occurrence, and the keyword search reports every occurrence.
//!
//! The answer is read off the parsed pattern and is conservative: a start that is not plainly
//! a sequence of literal bytes (a class of more than one letter's two cases, an optional
//! part, too many alternatives) ends what is known, and "no" is always a correct answer.
//!
//! This file is also compiled into build.rs (`#[path]`), so it uses nothing but regex-syntax.

use regex_syntax::hir::{Class, Hir, HirKind};

/// At most this many alternative starts are followed; beyond, the pattern counts as not
/// starting with a keyword.
const MAX_STARTS: usize = 64;

/// What a pattern's matches begin with, ASCII lower-cased: each match begins with one of
/// `starts`, and when `whole` is set a match of the pattern is exactly one of them, so that
/// what follows it in a concatenation extends them.
struct Starts {
    starts: Vec<Vec<u8>>,
    whole: bool,
}

impl Starts {
    fn nothing_known() -> Starts {
        Starts {
            starts: vec![Vec::new()],
            whole: false,
        }
    }

    fn exactly(bytes: Vec<u8>) -> Starts {
        Starts {
            starts: vec![bytes],
            whole: true,
        }
    }
}

/// Whether every match of `hir` begins, ASCII-case-insensitively, with one of `keywords`
/// (lower-case). A keyword that is empty never counts.
pub fn starts_with_a_keyword(hir: &Hir, keywords: &[Vec<u8>]) -> bool {
    let Some(found) = starts(hir) else {
        return false;
    };
    !found.starts.is_empty()
        && found
            .starts
            .iter()
            .all(|s| keywords.iter().any(|k| !k.is_empty() && s.starts_with(k)))
}

fn starts(hir: &Hir) -> Option<Starts> {
    Some(match hir.kind() {
        // An assertion reads no byte: the anchored search checks it where it starts.
        HirKind::Empty | HirKind::Look(_) => Starts::exactly(Vec::new()),
        HirKind::Literal(lit) => Starts::exactly(lit.0.to_ascii_lowercase()),
        HirKind::Class(class) => match folded_bytes(class) {
            Some(bytes) => Starts {
                starts: bytes.into_iter().map(|b| vec![b]).collect(),
                whole: true,
            },
            None => Starts::nothing_known(),
        },
        HirKind::Capture(cap) => starts(&cap.sub)?,
        HirKind::Repetition(rep) if rep.min == 0 => Starts::nothing_known(),
        HirKind::Repetition(rep) => {
            let inner = starts(&rep.sub)?;
            Starts {
                whole: inner.whole && rep.max == Some(1),
                starts: inner.starts,
            }
        }
        HirKind::Concat(items) => {
            let mut acc = Starts::exactly(Vec::new());
            for item in items {
                let next = starts(item)?;
                if acc.starts.len() * next.starts.len() > MAX_STARTS {
                    acc.whole = false;
                    return Some(acc);
                }
                acc.starts = acc
                    .starts
                    .iter()
                    .flat_map(|a| next.starts.iter().map(move |b| [&a[..], b].concat()))
                    .collect();
                if !next.whole {
                    acc.whole = false;
                    return Some(acc);
                }
            }
            acc
        }
        HirKind::Alternation(branches) => {
            let mut all = Starts::exactly(Vec::new());
            all.starts.clear();
            for branch in branches {
                let found = starts(branch)?;
                all.whole &= found.whole;
                all.starts.extend(found.starts);
                if all.starts.len() > MAX_STARTS {
                    return None;
                }
            }
            all
        }
    })
}

/// The bytes a class stands for, ASCII lower-cased, when they are a few ASCII bytes (such
/// as `[pousr]`, or one letter's two cases); None for a wider class.
fn folded_bytes(class: &Class) -> Option<Vec<u8>> {
    const MAX_BYTES: u32 = 8;
    let mut members: Vec<u8> = Vec::new();
    let mut add = |lo: u32, hi: u32| -> Option<()> {
        if hi > 0x7f || hi - lo >= MAX_BYTES || members.len() as u32 >= 2 * MAX_BYTES {
            return None;
        }
        members.extend((lo..=hi).map(|b| (b as u8).to_ascii_lowercase()));
        Some(())
    };
    match class {
        Class::Bytes(c) => {
            for r in c.ranges() {
                add(r.start().into(), r.end().into())?;
            }
        }
        Class::Unicode(c) => {
            for r in c.ranges() {
                add(r.start().into(), r.end().into())?;
            }
        }
    }
    members.sort_unstable();
    members.dedup();
    (!members.is_empty() && members.len() as u32 <= MAX_BYTES).then_some(members)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(pattern: &str) -> Hir {
        regex_syntax::ParserBuilder::new()
            .unicode(false)
            .utf8(false)
            .build()
            .parse(pattern)
            .unwrap()
    }

    fn starts_with(pattern: &str, keywords: &[&str]) -> bool {
        let keywords: Vec<Vec<u8>> = keywords.iter().map(|k| k.as_bytes().to_vec()).collect();
        starts_with_a_keyword(&parsed(pattern), &keywords)
    }

    #[test]
    fn patterns_that_begin_with_a_keyword_are_recognised() {
        assert!(starts_with(r"\b(ghp_[A-Za-z0-9]{36})\b", &["ghp_"]));
        assert!(starts_with(
            r"(?i)\bmailgun.{0,40}([a-f0-9]{32})",
            &["mailgun"]
        ));
        assert!(starts_with(r"(?i:adafruit[\w.-]{0,20}?key)", &["adafruit"]));
        // Each alternative begins with one of the rule's keywords.
        assert!(starts_with(
            r"\b(gh[pousr]_[A-Za-z0-9]{36})",
            &["ghp_", "gho_", "ghu_", "ghs_", "ghr_"]
        ));
        assert!(starts_with(
            r"(?:sk|rk)_live_[0-9a-z]{24}",
            &["sk_live", "rk_live"]
        ));
        // A keyword shorter than the literal start, in another case.
        assert!(starts_with(r"AKIA[A-Z0-9]{16}", &["akia"]));
        assert!(starts_with(r"(?m)^xoxb-[0-9]+", &["xoxb-"]));
    }

    #[test]
    fn patterns_that_may_begin_elsewhere_are_not() {
        // A byte before the keyword is part of the match.
        assert!(!starts_with(
            r"(?:^|[^A-Za-z0-9])(ghp_[A-Za-z0-9]{36})",
            &["ghp_"]
        ));
        // The keyword is in the middle.
        assert!(!starts_with(r"[\w.-]*password\s*=\s*(\S+)", &["password"]));
        assert!(!starts_with(r"(?:api|access)_?key", &["key"]));
        // An optional start.
        assert!(!starts_with(r"(?:x-)?ghp_[a-z]+", &["ghp_"]));
        // One alternative does not begin with a keyword.
        assert!(!starts_with(r"(?:ghp_|github_pat_)[a-z]+", &["ghp_"]));
        // A class of several letters, one of them not a keyword's start.
        assert!(!starts_with(r"[gh]hp_[a-z]+", &["ghp_"]));
        // A class too wide to follow.
        assert!(!starts_with(r"[a-z]hp_[a-z]+", &["ahp_", "bhp_"]));
        // The literal start is shorter than the keyword.
        assert!(!starts_with(r"gh[a-z]_[a-z]+", &["ghp_"]));
        assert!(!starts_with(r"ghp_", &[""]));
        // A non-ASCII character that folds to a keyword's letter in Unicode mode.
        let unicode = regex_syntax::ParserBuilder::new()
            .build()
            .parse(r"(?i)kube")
            .unwrap();
        assert!(!starts_with_a_keyword(&unicode, &[b"kube".to_vec()]));
    }
}
