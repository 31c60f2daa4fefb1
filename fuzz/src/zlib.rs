//! A zlib stream of stored (uncompressed) deflate blocks: what git objects are wrapped in.
//! The git target writes objects whose content the fuzzer chose; stored blocks need no
//! compressor, are the same bytes every time, and any inflater reads them.

/// `data` as a zlib stream (RFC 1950) of stored deflate blocks (RFC 1951, block type 0).
pub fn stored(data: &[u8]) -> Vec<u8> {
    // CMF 0x78 (deflate, 32 KiB window), FLG 0x01: no dictionary, and 0x7801 % 31 == 0.
    let mut out = Vec::with_capacity(data.len() + data.len() / 65535 * 5 + 11);
    out.extend_from_slice(&[0x78, 0x01]);
    let mut chunks = data.chunks(u16::MAX as usize).peekable();
    if chunks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(chunk) = chunks.next() {
        let last = chunks.peek().is_none();
        let len = chunk.len() as u16;
        out.push(last as u8);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    out.extend_from_slice(&adler32(data).to_be_bytes());
    out
}

fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65521;
    let (mut a, mut b) = (1u32, 0u32);
    // 5552 bytes is the most that can be summed before b may overflow a u32.
    for chunk in data.chunks(5552) {
        for &x in chunk {
            a += x as u32;
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_streams() {
        // As `python3 -c "import zlib; print(zlib.compress(b'', 0).hex())"` writes them.
        assert_eq!(stored(b""), [0x78, 0x01, 1, 0, 0, 0xff, 0xff, 0, 0, 0, 1]);
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
        let s = stored(b"abc");
        assert_eq!(&s[2..7], &[1, 3, 0, 0xfc, 0xff]);
        assert_eq!(&s[7..10], b"abc");
    }
}
