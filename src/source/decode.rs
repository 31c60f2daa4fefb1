//! Turns raw file bytes into scannable text: binary sniffing, BOM handling, UTF-16 decoding.
//! Latin-1 and other 8-bit text is scanned as bytes (rule regexes work on bytes).

use std::borrow::Cow;

/// How many leading bytes are sniffed for a NUL, as git and ripgrep do.
pub const SNIFF: usize = 8 * 1024;

pub enum Text<'a> {
    /// Bytes to scan. Owned when decoded from UTF-16.
    Scan(Cow<'a, [u8]>),
    Binary,
}

pub fn prepare(bytes: &[u8]) -> Text<'_> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return sniff(rest);
    }
    if bytes.starts_with(b"\xFF\xFE") && plausible_utf16(&bytes[2..]) {
        return Text::Scan(Cow::Owned(decode_utf16(&bytes[2..], u16::from_le_bytes)));
    }
    if bytes.starts_with(b"\xFE\xFF") && plausible_utf16(&bytes[2..]) {
        return Text::Scan(Cow::Owned(decode_utf16(&bytes[2..], u16::from_be_bytes)));
    }
    sniff(bytes)
}

/// A BOM alone does not make a file UTF-16: an ASCII file may start with the bytes FF FE
/// (`ÿþ` in Latin-1). Real UTF-16 text holds spaces, newlines, digits — code units with a zero
/// byte — so a body whose sniffed part has no zero byte at all is scanned as it is.
fn plausible_utf16(body: &[u8]) -> bool {
    let head = &body[..body.len().min(SNIFF)];
    head.len() < 16 || memchr::memchr(0, head).is_some()
}

/// True when the first bytes of a file already decide that it is binary (no BOM of a text
/// encoding, a NUL within the sniffed prefix), so the rest need not be read.
pub fn is_binary_prefix(prefix: &[u8]) -> bool {
    matches!(prepare(&prefix[..prefix.len().min(SNIFF)]), Text::Binary)
}

/// True when the first bytes are a UTF-16 byte-order mark followed by a UTF-16-looking body
/// (such a file is decoded whole, not in parts).
pub fn is_utf16_prefix(prefix: &[u8]) -> bool {
    (prefix.starts_with(b"\xFF\xFE") || prefix.starts_with(b"\xFE\xFF"))
        && plausible_utf16(&prefix[2..])
}

fn sniff(bytes: &[u8]) -> Text<'_> {
    if memchr::memchr(0, &bytes[..bytes.len().min(SNIFF)]).is_some() {
        Text::Binary
    } else {
        Text::Scan(Cow::Borrowed(bytes))
    }
}

fn decode_utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Vec<u8> {
    let units = bytes.chunks_exact(2).map(|c| unit([c[0], c[1]]));
    char::decode_utf16(units)
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect::<String>()
        .into_bytes()
}

/// True when the text was decoded (UTF-16) rather than scanned as found.
pub fn is_decoded(t: &Text<'_>) -> bool {
    matches!(t, Text::Scan(Cow::Owned(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_with_bom_is_decoded_and_nul_is_binary() {
        let mut le = vec![0xFF, 0xFE];
        for u in "pw=1".encode_utf16() {
            le.extend(u.to_le_bytes());
        }
        match prepare(&le) {
            Text::Scan(b) => assert_eq!(&b[..], b"pw=1"),
            Text::Binary => panic!("decoded text expected"),
        }
        assert!(matches!(prepare(b"ab\0cd"), Text::Binary));
        // FF FE in front of plain ASCII is not UTF-16: scanned as it is.
        let ascii = b"\xFF\xFEpassword = 'hX9kq2Lm7zR4wQ'\n";
        match prepare(ascii) {
            Text::Scan(b) => assert_eq!(&b[..], &ascii[..]),
            Text::Binary => panic!("text expected"),
        }
        match prepare(b"\xEF\xBB\xBFx=1") {
            Text::Scan(b) => assert_eq!(&b[..], b"x=1"),
            Text::Binary => panic!(),
        }
    }
}
