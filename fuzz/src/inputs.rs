//! How the engine target turns fuzz bytes into a haystack. Arbitrary bytes alone rarely
//! contain a keyword, let alone a secret its rule confirms; these shapes make keyword-dense
//! text, rule examples with mutations spliced in, and long runs and long lines cheap for the
//! fuzzer to reach.
//!
//! Layout: byte 0 picks the shape (low two bits) and whether the result is repeated (bit 2);
//! a repeated input takes its repeat count from the next two bytes (little-endian, plus one).

use std::borrow::Cow;

/// Generated haystacks stop here: long enough for runs and lines far beyond a window (256
/// bytes each way) and the engine's internal batches, short enough for thousands of
/// executions a second.
pub const MAX_GENERATED: usize = 256 << 10;

/// The shape of a haystack, from byte 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// The bytes as they are.
    Raw,
    /// A byte below 0x80 is itself; a byte at or above it and the byte after it name a
    /// keyword (upper-cased when the first byte is odd).
    Keywords,
    /// A rule example (two bytes pick which) with the rest spliced in at a position (one byte,
    /// a fraction of the example's length).
    Example,
}

/// The haystack `data` describes. `keywords` are the rule set's keywords; `examples` its
/// rules' examples. An empty `data` is the empty haystack.
pub fn haystack<'a>(data: &'a [u8], keywords: &[Vec<u8>], examples: &[&[u8]]) -> Cow<'a, [u8]> {
    let Some((&head, rest)) = data.split_first() else {
        return Cow::Borrowed(data);
    };
    let shape = match head & 3 {
        1 => Shape::Keywords,
        2 => Shape::Example,
        _ => Shape::Raw,
    };
    let (reps, rest) = if head & 4 != 0 && rest.len() >= 2 {
        (
            u16::from_le_bytes([rest[0], rest[1]]) as usize + 1,
            &rest[2..],
        )
    } else {
        (1, rest)
    };
    let unit: Cow<'a, [u8]> = match shape {
        Shape::Raw => Cow::Borrowed(rest),
        Shape::Keywords => Cow::Owned(keyword_text(rest, keywords)),
        Shape::Example => Cow::Owned(spliced_example(rest, examples)),
    };
    if reps == 1 || unit.is_empty() {
        return unit;
    }
    let reps = reps.min(MAX_GENERATED / unit.len()).max(1);
    Cow::Owned(unit.repeat(reps))
}

fn keyword_text(rest: &[u8], keywords: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(rest.len() * 4);
    let mut bytes = rest.iter().copied();
    while let Some(b) = bytes.next() {
        if b < 0x80 || keywords.is_empty() {
            out.push(b);
            continue;
        }
        let low = bytes.next().unwrap_or(0) as usize;
        let k = &keywords[((((b as usize) >> 1) & 0x3f) << 8 | low) % keywords.len()];
        if b & 1 == 1 {
            out.extend(k.iter().map(u8::to_ascii_uppercase));
        } else {
            out.extend_from_slice(k);
        }
        if out.len() >= MAX_GENERATED {
            break;
        }
    }
    out
}

fn spliced_example(rest: &[u8], examples: &[&[u8]]) -> Vec<u8> {
    if examples.is_empty() || rest.len() < 3 {
        return rest.to_vec();
    }
    let example = examples[u16::from_le_bytes([rest[0], rest[1]]) as usize % examples.len()];
    let at = example.len() * rest[2] as usize / 256;
    let mut out = Vec::with_capacity(example.len() + rest.len());
    out.extend_from_slice(&example[..at]);
    out.extend_from_slice(&rest[3..]);
    out.extend_from_slice(&example[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let kw = vec![b"akia".to_vec(), b"token".to_vec()];
        let ex: Vec<&[u8]> = vec![b"abcd"];
        assert_eq!(&*haystack(b"\x00xyz", &kw, &ex), b"xyz");
        // 0x81 0x01: keyword 1, upper-cased; 0x80 0x00: keyword 0 as it is.
        assert_eq!(
            &*haystack(b"\x01=\x81\x01 \x80\x00", &kw, &ex),
            b"=TOKEN akia"
        );
        assert_eq!(&*haystack(b"\x02\x00\x00\x80XY", &kw, &ex), b"abXYcd");
        assert_eq!(&*haystack(b"\x04\x02\x00ab", &kw, &ex), b"ababab");
        let long = haystack(b"\x04\xff\xffa", &kw, &ex);
        assert_eq!(long.len(), 65536);
    }
}
