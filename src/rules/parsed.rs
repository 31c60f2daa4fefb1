//! Parsed patterns as bytes. build.rs parses every built-in rule's regex (in ASCII mode, as
//! [`super::compile`] reads it) and embeds the parsed form encoded here, so that a scan
//! building a line screen decodes the patterns instead of parsing them: parsing the long
//! generic patterns (password assignments, tokens in config) was most of what a file holding
//! `password` cost at start-up. Decoding rebuilds the pattern with regex-syntax's own
//! constructors, which leave an already parsed pattern as it is; a test checks that every
//! rule of the pack decodes to exactly what parsing gives.
//!
//! This file is also compiled into build.rs (`#[path]`), so it uses nothing but regex-syntax.

use regex_syntax::hir::{
    Capture, Class, ClassBytes, ClassBytesRange, ClassUnicode, ClassUnicodeRange, Hir, HirKind,
    Look, Repetition,
};

const EMPTY: u8 = 0;
const LITERAL: u8 = 1;
const CLASS_BYTES: u8 = 2;
const CLASS_UNICODE: u8 = 3;
const LOOK: u8 = 4;
const REPETITION: u8 = 5;
const CAPTURE: u8 = 6;
const CONCAT: u8 = 7;
const ALTERNATION: u8 = 8;

/// The document of many patterns' encodings, in order: the number of patterns, then per
/// pattern the offset and length of its encoding after this table (length 0: none), all u32
/// little-endian, then the encodings.
pub fn table(encodings: &[Option<Vec<u8>>]) -> Vec<u8> {
    let mut table = (encodings.len() as u32).to_le_bytes().to_vec();
    let mut data = Vec::new();
    for encoding in encodings {
        let start = data.len();
        data.extend_from_slice(encoding.as_deref().unwrap_or_default());
        table.extend_from_slice(&(start as u32).to_le_bytes());
        table.extend_from_slice(&((data.len() - start) as u32).to_le_bytes());
    }
    table.extend_from_slice(&data);
    table
}

/// Pattern `i`'s encoding in a [`table`], if it has one.
pub fn entry(table: &[u8], i: usize) -> Option<&[u8]> {
    let word = |at: usize| -> Option<usize> {
        let b = table.get(at..at.checked_add(4)?)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    };
    let count = word(0)?;
    if i >= count {
        return None;
    }
    let (start, len) = (word(4 + 8 * i)?, word(8 + 8 * i)?);
    let at = 4 + 8 * count + start;
    table
        .get(at..at.checked_add(len)?)
        .filter(|b| !b.is_empty())
}

/// Appends the encoding of `hir` to `out`.
pub fn encode(hir: &Hir, out: &mut Vec<u8>) {
    match hir.kind() {
        HirKind::Empty => out.push(EMPTY),
        HirKind::Literal(literal) => {
            out.push(LITERAL);
            put(out, literal.0.len() as u32);
            out.extend_from_slice(&literal.0);
        }
        HirKind::Class(Class::Bytes(class)) => {
            out.push(CLASS_BYTES);
            put(out, class.ranges().len() as u32);
            for r in class.ranges() {
                out.extend_from_slice(&[r.start(), r.end()]);
            }
        }
        HirKind::Class(Class::Unicode(class)) => {
            out.push(CLASS_UNICODE);
            put(out, class.ranges().len() as u32);
            for r in class.ranges() {
                put(out, u32::from(r.start()));
                put(out, u32::from(r.end()));
            }
        }
        HirKind::Look(look) => {
            out.push(LOOK);
            put(out, look.as_repr());
        }
        HirKind::Repetition(rep) => {
            out.push(REPETITION);
            put(out, rep.min);
            // 0 for no upper bound, else the bound plus one.
            put(out, rep.max.map_or(0, |max| max + 1));
            out.push(u8::from(rep.greedy));
            encode(&rep.sub, out);
        }
        HirKind::Capture(capture) => {
            out.push(CAPTURE);
            put(out, capture.index);
            // 0 for an unnamed group, else the name's length plus one.
            match &capture.name {
                None => put(out, 0),
                Some(name) => {
                    put(out, name.len() as u32 + 1);
                    out.extend_from_slice(name.as_bytes());
                }
            }
            encode(&capture.sub, out);
        }
        HirKind::Concat(subs) | HirKind::Alternation(subs) => {
            out.push(if matches!(hir.kind(), HirKind::Concat(_)) {
                CONCAT
            } else {
                ALTERNATION
            });
            put(out, subs.len() as u32);
            for sub in subs {
                encode(sub, out);
            }
        }
    }
}

/// The pattern encoded in `bytes`, or None if they are not one whole encoding.
pub fn decode(bytes: &[u8]) -> Option<Hir> {
    let mut at = 0;
    let hir = read(bytes, &mut at, 0)?;
    (at == bytes.len()).then_some(hir)
}

/// Deeper than any rule's pattern; bounds the recursion on bytes that are not an encoding.
const MAX_DEPTH: u32 = 256;

fn read(b: &[u8], at: &mut usize, depth: u32) -> Option<Hir> {
    if depth > MAX_DEPTH {
        return None;
    }
    let tag = *b.get(*at)?;
    *at += 1;
    Some(match tag {
        EMPTY => Hir::empty(),
        LITERAL => {
            let n = get(b, at)? as usize;
            let bytes = b.get(*at..at.checked_add(n)?)?;
            *at += n;
            Hir::literal(bytes)
        }
        CLASS_BYTES => {
            let n = get(b, at)? as usize;
            let pairs = b.get(*at..at.checked_add(n.checked_mul(2)?)?)?;
            *at += pairs.len();
            let ranges = pairs
                .chunks_exact(2)
                .map(|p| ClassBytesRange::new(p[0], p[1]));
            Hir::class(Class::Bytes(ClassBytes::new(ranges)))
        }
        CLASS_UNICODE => {
            let n = get(b, at)? as usize;
            let mut ranges = Vec::with_capacity(n.min(b.len()));
            for _ in 0..n {
                let start = char::from_u32(get(b, at)?)?;
                let end = char::from_u32(get(b, at)?)?;
                ranges.push(ClassUnicodeRange::new(start, end));
            }
            Hir::class(Class::Unicode(ClassUnicode::new(ranges)))
        }
        LOOK => Hir::look(Look::from_repr(get(b, at)?)?),
        REPETITION => {
            let min = get(b, at)?;
            let max = match get(b, at)? {
                0 => None,
                n => Some(n - 1),
            };
            let greedy = *b.get(*at)? != 0;
            *at += 1;
            let sub = Box::new(read(b, at, depth + 1)?);
            Hir::repetition(Repetition {
                min,
                max,
                greedy,
                sub,
            })
        }
        CAPTURE => {
            let index = get(b, at)?;
            let name = match get(b, at)? as usize {
                0 => None,
                n => {
                    let name = b.get(*at..at.checked_add(n - 1)?)?;
                    *at += n - 1;
                    Some(std::str::from_utf8(name).ok()?.into())
                }
            };
            let sub = Box::new(read(b, at, depth + 1)?);
            Hir::capture(Capture { index, name, sub })
        }
        CONCAT | ALTERNATION => {
            let n = get(b, at)? as usize;
            let mut subs = Vec::with_capacity(n.min(b.len()));
            for _ in 0..n {
                subs.push(read(b, at, depth + 1)?);
            }
            if tag == CONCAT {
                Hir::concat(subs)
            } else {
                Hir::alternation(subs)
            }
        }
        _ => return None,
    })
}

/// A LEB128 varint.
fn put(out: &mut Vec<u8>, mut n: u32) {
    while n >= 0x80 {
        out.push(n as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn get(b: &[u8], at: &mut usize) -> Option<u32> {
    let mut n: u32 = 0;
    for shift in (0..35).step_by(7) {
        let byte = *b.get(*at)?;
        *at += 1;
        n |= u32::from(byte & 0x7f).checked_shl(shift)?;
        if byte & 0x80 == 0 {
            return Some(n);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(pattern: &str) -> Hir {
        regex_syntax::ParserBuilder::new()
            .unicode(false)
            .utf8(false)
            .build()
            .parse(pattern)
            .unwrap()
    }

    #[test]
    fn every_kind_of_node_round_trips() {
        for pattern in [
            "",
            "abc",
            r"(?i)Pass(?:word|wd)?",
            r"\bAKIA[A-Z0-9]{16}\b",
            r"(?m:^)[ \t]*(?P<secret>[^\r\n]{8,}?)$",
            r"x{3}y{2,}z{0,1}?|(a)(b)",
            r"(?s:.)\x00\xff",
        ] {
            let hir = parse(pattern);
            let mut bytes = Vec::new();
            encode(&hir, &mut bytes);
            assert_eq!(decode(&bytes), Some(hir), "{pattern}");
        }
        let unicode = regex_syntax::Parser::new().parse(r"\w+é").unwrap();
        let mut bytes = Vec::new();
        encode(&unicode, &mut bytes);
        assert_eq!(decode(&bytes), Some(unicode));
    }

    #[test]
    fn a_table_finds_each_encoding_and_none_past_its_end() {
        let t = table(&[Some(vec![1, 2]), None, Some(vec![3])]);
        assert_eq!(entry(&t, 0), Some(&[1, 2][..]));
        assert_eq!(entry(&t, 1), None);
        assert_eq!(entry(&t, 2), Some(&[3][..]));
        assert_eq!(entry(&t, 3), None);
        assert_eq!(entry(&t[..t.len() - 1], 2), None);
        assert_eq!(entry(&[], 0), None);
    }

    #[test]
    fn bytes_that_are_not_an_encoding_decode_to_nothing() {
        let mut bytes = Vec::new();
        encode(&parse("ab(c|d){2,5}"), &mut bytes);
        for cut in 0..bytes.len() {
            assert_eq!(decode(&bytes[..cut]), None, "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(decode(&longer), None);
        assert_eq!(decode(&[99]), None);
        // A nesting deeper than any pattern is refused, not followed.
        assert_eq!(decode(&[REPETITION, 0, 0, 1].repeat(1000)), None);
    }
}
