//! The git target's repository: the committed seed (`git-seed/`, built by its `make.sh`) and
//! a writer that lays a bare repository into a directory with the objects the fuzzer chose,
//! as one pack (with its version 2 index) or as loose objects.
//!
//! The pack writer is here, rather than the fuzzer mutating git's pack, so that an edited
//! object still has a consistent entry header, CRC32 and index: the scan then reaches the
//! object's content (commit, tree and delta parsing) instead of stopping at the checksum.

use sha1::{Digest, Sha1};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub type Oid = [u8; 20];

/// Pack entry type codes.
pub const COMMIT: u8 = 1;
pub const TREE: u8 = 2;
pub const BLOB: u8 = 3;
pub const TAG: u8 = 4;
pub const OFS_DELTA: u8 = 6;
pub const REF_DELTA: u8 = 7;

/// One object of the seed.
pub struct Object {
    pub id: Oid,
    pub kind: u8,
    pub data: Vec<u8>,
}

pub struct Seed {
    /// Sorted by id, as `git cat-file --batch-all-objects` lists them.
    pub objects: Vec<Object>,
    /// (ref name, id); HEAD is a symbolic ref to `refs/heads/main`.
    pub refs: Vec<(String, Oid)>,
    pub pack: &'static [u8],
    pub idx: &'static [u8],
}

pub fn seed() -> &'static Seed {
    static SEED: OnceLock<Seed> = OnceLock::new();
    SEED.get_or_init(|| Seed {
        objects: parse_objects(include_bytes!("../git-seed/objects")),
        refs: include_str!("../git-seed/refs")
            .lines()
            .map(|l| {
                let (id, name) = l.split_once(' ').expect("`OID NAME` per line");
                (name.to_string(), parse_oid(id))
            })
            .collect(),
        pack: include_bytes!("../git-seed/seed.pack"),
        idx: include_bytes!("../git-seed/seed.idx"),
    })
}

fn parse_oid(hex: &str) -> Oid {
    let mut id = [0u8; 20];
    for (i, b) in id.iter_mut().enumerate() {
        *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("hex object id");
    }
    id
}

pub fn hex(id: &Oid) -> String {
    id.iter().map(|b| format!("{b:02x}")).collect()
}

/// `OID TYPE SIZE\nCONTENT\n` records.
fn parse_objects(mut data: &[u8]) -> Vec<Object> {
    let mut out = Vec::new();
    while !data.is_empty() {
        let nl = data.iter().position(|&b| b == b'\n').expect("header line");
        let header = std::str::from_utf8(&data[..nl]).expect("ASCII header");
        let mut parts = header.split(' ');
        let (id, kind, size) = (
            parts.next().expect("id"),
            parts.next().expect("type"),
            parts.next().expect("size"),
        );
        let size: usize = size.parse().expect("size");
        let kind = match kind {
            "commit" => COMMIT,
            "tree" => TREE,
            "blob" => BLOB,
            "tag" => TAG,
            other => panic!("unknown object type {other}"),
        };
        let content = &data[nl + 1..nl + 1 + size];
        out.push(Object {
            id: parse_oid(id),
            kind,
            data: content.to_vec(),
        });
        data = &data[nl + 1 + size + 1..];
    }
    out
}

/// The loose-object name of a type code (`blob`), or a made-up one for codes git has none for.
pub fn type_name(kind: u8) -> &'static str {
    match kind {
        COMMIT => "commit",
        TREE => "tree",
        BLOB => "blob",
        TAG => "tag",
        _ => "bogus",
    }
}

/// What follows an entry's header.
pub enum Body {
    /// Content, zlib-wrapped.
    Plain(Vec<u8>),
    /// Delta instructions on the entry this many bytes before this one.
    OfsDelta { distance: u64, delta: Vec<u8> },
    /// Delta instructions on the object with this id.
    RefDelta { base: Oid, delta: Vec<u8> },
    /// Bytes written as they are: not a zlib stream.
    Raw(Vec<u8>),
}

/// One pack entry to write. `size` is the size its header declares.
pub struct Entry {
    pub id: Oid,
    pub kind: u8,
    pub size: u64,
    pub body: Body,
}

/// A pack and its version 2 index.
pub struct Pack {
    pub pack: Vec<u8>,
    pub idx: Vec<u8>,
}

/// Writes entries in the order they are added; a delta's base distance is the caller's to
/// work out (see [`PackWriter::offset`]). Ids must be distinct.
pub struct PackWriter {
    pack: Vec<u8>,
    /// (id, offset, crc32) per entry written.
    written: Vec<(Oid, u64, u32)>,
}

impl PackWriter {
    pub fn new(count: u32) -> PackWriter {
        let mut pack = b"PACK".to_vec();
        pack.extend_from_slice(&2u32.to_be_bytes());
        pack.extend_from_slice(&count.to_be_bytes());
        PackWriter {
            pack,
            written: Vec::new(),
        }
    }

    /// Where the next entry starts.
    pub fn position(&self) -> u64 {
        self.pack.len() as u64
    }

    /// The offset of an entry already written.
    pub fn offset(&self, id: &Oid) -> Option<u64> {
        self.written.iter().find(|w| &w.0 == id).map(|w| w.1)
    }

    pub fn add(&mut self, e: &Entry) {
        let start = self.pack.len();
        let kind = match e.body {
            Body::OfsDelta { .. } => OFS_DELTA,
            Body::RefDelta { .. } => REF_DELTA,
            _ => e.kind,
        };
        // Type in bits 4-6 of the first byte, size in its low 4 bits and then 7 bits a byte.
        let mut size = e.size;
        let mut byte = ((kind & 7) << 4) | (size & 0x0f) as u8;
        size >>= 4;
        while size != 0 {
            self.pack.push(byte | 0x80);
            byte = (size & 0x7f) as u8;
            size >>= 7;
        }
        self.pack.push(byte);
        match &e.body {
            Body::Plain(data) => self.pack.extend(crate::zlib::stored(data)),
            Body::OfsDelta { distance, delta } => {
                self.pack.extend(ofs_encoding(*distance));
                self.pack.extend(crate::zlib::stored(delta));
            }
            Body::RefDelta { base, delta } => {
                self.pack.extend_from_slice(base);
                self.pack.extend(crate::zlib::stored(delta));
            }
            Body::Raw(bytes) => self.pack.extend_from_slice(bytes),
        }
        let crc = crc32fast::hash(&self.pack[start..]);
        self.written.push((e.id, start as u64, crc));
    }

    pub fn finish(mut self) -> Pack {
        let trailer = Sha1::digest(&self.pack);
        self.pack.extend_from_slice(&trailer);
        let mut entries = self.written;
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut idx = vec![0xff, b't', b'O', b'c', 0, 0, 0, 2];
        for first in 0..=255u8 {
            let n = entries.partition_point(|e| e.0[0] <= first) as u32;
            idx.extend_from_slice(&n.to_be_bytes());
        }
        for e in &entries {
            idx.extend_from_slice(&e.0);
        }
        for e in &entries {
            idx.extend_from_slice(&e.2.to_be_bytes());
        }
        for e in &entries {
            // Seed packs are far below 2 GiB: no large-offset table.
            idx.extend_from_slice(&(e.1 as u32).to_be_bytes());
        }
        idx.extend_from_slice(&trailer);
        let own = Sha1::digest(&idx);
        idx.extend_from_slice(&own);
        Pack {
            pack: self.pack,
            idx,
        }
    }
}

/// The offset of an OFS_DELTA base, as git writes it: 7 bits a byte, most significant first,
/// each continuation adding one (so that no two encodings mean the same distance).
fn ofs_encoding(mut n: u64) -> Vec<u8> {
    let mut out = vec![(n & 0x7f) as u8];
    n >>= 7;
    while n != 0 {
        n -= 1;
        out.push(0x80 | (n & 0x7f) as u8);
        n >>= 7;
    }
    out.reverse();
    out
}

/// The bytes of a loose object file for the object file content `raw` (header included).
pub fn loose_file(raw: &[u8]) -> Vec<u8> {
    crate::zlib::stored(raw)
}

/// `TYPE SIZE\0CONTENT`, the content of a loose object file before compression.
pub fn loose_content(kind: u8, data: &[u8]) -> Vec<u8> {
    let mut out = format!("{} {}\0", type_name(kind), data.len()).into_bytes();
    out.extend_from_slice(data);
    out
}

/// A bare repository in a temporary directory, rewritten for each input.
pub struct Repo {
    _dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl Repo {
    /// Prefers /dev/shm: every input rewrites the object database.
    pub fn new() -> Repo {
        let shm = Path::new("/dev/shm");
        let dir = if shm.is_dir() {
            tempfile::Builder::new()
                .prefix("keysweep-fuzz-git")
                .tempdir_in(shm)
        } else {
            tempfile::Builder::new()
                .prefix("keysweep-fuzz-git")
                .tempdir()
        }
        .expect("temporary directory");
        let path = dir.path().join("repo.git");
        std::fs::create_dir_all(path.join("refs/heads")).expect("refs");
        std::fs::write(path.join("HEAD"), "ref: refs/heads/main\n").expect("HEAD");
        std::fs::write(
            path.join("config"),
            "[core]\n\trepositoryformatversion = 0\n\tbare = true\n",
        )
        .expect("config");
        for (name, id) in &seed().refs {
            let p = path.join(name);
            std::fs::create_dir_all(p.parent().expect("ref directory")).expect("ref directory");
            std::fs::write(p, format!("{}\n", hex(id))).expect("ref");
        }
        Repo { _dir: dir, path }
    }

    /// Replaces the object database with `pack` (if any) and `loose` (id, file bytes).
    pub fn write_objects(&self, pack: Option<(&[u8], &[u8])>, loose: &[(Oid, Vec<u8>)]) {
        let objects = self.path.join("objects");
        if objects.exists() {
            std::fs::remove_dir_all(&objects).expect("clear objects");
        }
        std::fs::create_dir_all(objects.join("pack")).expect("objects/pack");
        std::fs::create_dir_all(objects.join("info")).expect("objects/info");
        if let Some((pack, idx)) = pack {
            let name = "pack-0000000000000000000000000000000000000000";
            std::fs::write(objects.join(format!("pack/{name}.pack")), pack).expect("pack");
            std::fs::write(objects.join(format!("pack/{name}.idx")), idx).expect("idx");
        }
        for (id, bytes) in loose {
            let h = hex(id);
            let dir = objects.join(&h[..2]);
            std::fs::create_dir_all(&dir).expect("loose directory");
            std::fs::write(dir.join(&h[2..]), bytes).expect("loose object");
        }
    }
}

impl Default for Repo {
    fn default() -> Self {
        Repo::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ofs_offsets_as_git_encodes_them() {
        assert_eq!(ofs_encoding(0x7f), [0x7f]);
        assert_eq!(ofs_encoding(0x80), [0x80, 0x00]);
        assert_eq!(ofs_encoding(300), [0x81, 0x2c]);
    }

    #[test]
    fn the_seed_is_complete() {
        let s = seed();
        assert_eq!(s.objects.len(), 18);
        assert_eq!(s.refs.len(), 3);
        assert!(s.objects.windows(2).all(|w| w[0].id < w[1].id));
    }
}
