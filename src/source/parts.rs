//! Large files in bounded parts: memory does not grow with the file beyond one part, so a
//! 2 GB file under `--max-file-size 4G` scans in bounded RSS. Parts start on a line boundary
//! where one is near, and overlap by [`OVERLAP`] bytes, so a secret (private keys included)
//! that starts before a seam is seen whole by the part that owns its first byte.

use super::Part;
use std::io::Read;

/// Files up to this size are read whole.
pub const WHOLE: usize = 64 << 20;
/// The bytes each part owns, about.
const PART: usize = 16 << 20;
/// Bytes past its end a part also holds, as context for matches that start before the seam.
pub const OVERLAP: usize = 64 << 10;

/// Reads `reader` (whose first bytes are already in `buf`) part by part, calling `f` with each
/// part's bytes and place. Returns the number of bytes read in all.
pub fn for_each_part(
    reader: &mut impl Read,
    buf: &mut Vec<u8>,
    mut f: impl FnMut(&[u8], Part),
) -> std::io::Result<u64> {
    let mut total = buf.len() as u64;
    let mut lines_before = 0;
    loop {
        let want = (PART + OVERLAP).saturating_sub(buf.len());
        let got = reader.by_ref().take(want as u64).read_to_end(buf)?;
        total += got as u64;
        if buf.len() < PART + OVERLAP {
            let all = 0..buf.len();
            f(
                buf,
                Part {
                    lines_before,
                    owns: all,
                },
            );
            return Ok(total);
        }
        let cut = buf.len() - OVERLAP;
        let next = memchr::memchr(b'\n', &buf[cut..]).map_or(cut, |i| cut + i + 1);
        f(
            buf,
            Part {
                lines_before,
                owns: 0..next,
            },
        );
        lines_before += memchr::memchr_iter(b'\n', &buf[..next]).count();
        buf.drain(..next);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_cover_every_byte_once_and_count_lines() {
        let line = b"0123456789abcdef0123456789abcdef0123456789abcdef012345678\n";
        let text: Vec<u8> = line.repeat((PART * 2 + OVERLAP) / line.len() + 7);
        let mut reader = &text[..];
        let mut buf = Vec::new();
        let mut owned = Vec::new();
        let mut next_line = 0;
        let total = for_each_part(&mut reader, &mut buf, |bytes, part| {
            assert!(bytes.len() <= PART + OVERLAP);
            assert_eq!(part.lines_before, next_line);
            let own = &bytes[part.owns.clone()];
            next_line += memchr::memchr_iter(b'\n', own).count();
            owned.extend_from_slice(own);
        })
        .unwrap();
        assert_eq!(total as usize, text.len());
        assert_eq!(owned, text, "owned ranges tile the file");
    }
}
