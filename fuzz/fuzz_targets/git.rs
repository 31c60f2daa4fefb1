//! The git history source on damaged repositories: `keysweep::source::git::scan` must return
//! Ok or Err, never panic, hang or grow memory without bound (`scripts/fuzz` runs it with
//! `-rss_limit_mb=2048 -timeout=10`).
//!
//! Input: byte 0 picks the mode (low 7 bits, modulo 3) and the selection (bit 7 set: the
//! range `HEAD~1..HEAD`, else all refs). The repository always has the seed's refs
//! (`git-seed/`); its objects depend on the mode:
//! - 0, raw pack: the rest of the input is the pack file, beside the seed's own index (so
//!   entries whose bytes moved fail their CRC32, and headers and trailers are fuzzed raw);
//! - 1, loose: every seed object as a loose object, one of them (next byte, modulo the count)
//!   replaced: the byte after is flags (bit 0: written without zlib), the rest the object
//!   file's content, header (`blob 12\0`) included;
//! - 2, built pack: the harness writes a consistent pack and index of the seed objects with
//!   edits, each `[object] [op] [len: u16 LE] [payload]`; op modulo 6: 0 new content (and,
//!   when bits 3-5 of op are not 0, a new type code), 1 a header declaring the u64 size in
//!   the payload, 2 an offset delta on the object in payload[0] with the instructions in the
//!   rest, 3 a ref delta likewise (an object index past the count names a missing object),
//!   4 a body that is not zlib, 5 the object left out.
#![no_main]

use keysweep::pathfilter::PathFilter;
use keysweep::source::git::{scan, HistoryOptions, Selection};
use keysweep::source::Stats;
use keysweep_fuzz::gitrepo::{loose_content, loose_file, seed, Body, Entry, Oid, PackWriter, Repo};
use libfuzzer_sys::fuzz_target;
use std::sync::{Mutex, OnceLock};

/// What an edit does to one seed object of a built pack.
enum Change {
    Keep,
    Replace { kind: Option<u8>, data: Vec<u8> },
    SizeLie(u64),
    OfsDelta { base: usize, delta: Vec<u8> },
    RefDelta { base: Option<usize>, delta: Vec<u8> },
    Raw(Vec<u8>),
    Drop,
}

const MAX_EDITS: usize = 32;

fn changes(mut rest: &[u8]) -> Vec<Change> {
    let n = seed().objects.len();
    let mut out: Vec<Change> = (0..n).map(|_| Change::Keep).collect();
    for _ in 0..MAX_EDITS {
        if rest.len() < 4 {
            break;
        }
        let (object, op) = (rest[0] as usize % n, rest[1]);
        let len = (u16::from_le_bytes([rest[2], rest[3]]) as usize).min(rest.len() - 4);
        let payload = &rest[4..4 + len];
        rest = &rest[4 + len..];
        let (head, tail) = match payload.split_first() {
            Some((&h, t)) => (h as usize, t.to_vec()),
            None => (0, Vec::new()),
        };
        out[object] = match op % 6 {
            0 => Change::Replace {
                kind: Some((op >> 3) & 7).filter(|&k| k != 0),
                data: payload.to_vec(),
            },
            1 => {
                let mut size = [0u8; 8];
                let k = payload.len().min(8);
                size[..k].copy_from_slice(&payload[..k]);
                Change::SizeLie(u64::from_le_bytes(size))
            }
            2 => Change::OfsDelta {
                base: head % n,
                delta: tail,
            },
            3 => Change::RefDelta {
                base: (head < n).then_some(head),
                delta: tail,
            },
            4 => Change::Raw(payload.to_vec()),
            _ => Change::Drop,
        };
    }
    out
}

/// A pack of the seed objects with `changes`: whole objects first, in seed order, then the
/// deltas, so that an offset delta's base is usually already written.
fn built_pack(changes: &[Change]) -> (Vec<u8>, Vec<u8>) {
    let objects = &seed().objects;
    let is_delta = |c: &Change| matches!(c, Change::OfsDelta { .. } | Change::RefDelta { .. });
    let count = changes
        .iter()
        .filter(|c| !matches!(c, Change::Drop))
        .count();
    let mut w = PackWriter::new(count as u32);
    for pass_deltas in [false, true] {
        for (o, c) in objects.iter().zip(changes) {
            if is_delta(c) != pass_deltas {
                continue;
            }
            let whole = |data: &[u8]| Body::Plain(data.to_vec());
            let (kind, size, body) = match c {
                Change::Drop => continue,
                Change::Keep => (o.kind, o.data.len() as u64, whole(&o.data)),
                Change::Replace { kind, data } => {
                    (kind.unwrap_or(o.kind), data.len() as u64, whole(data))
                }
                Change::SizeLie(size) => (o.kind, *size, whole(&o.data)),
                Change::Raw(bytes) => (o.kind, bytes.len() as u64, Body::Raw(bytes.clone())),
                Change::OfsDelta { base, delta } => {
                    let here = w.position();
                    // A base not written before this entry: a distance reaching before the
                    // start of the pack.
                    let distance = w
                        .offset(&objects[*base].id)
                        .map_or(here + 1, |at| here - at);
                    let body = Body::OfsDelta {
                        distance,
                        delta: delta.clone(),
                    };
                    (o.kind, delta.len() as u64, body)
                }
                Change::RefDelta { base, delta } => {
                    let base: Oid = base.map_or([0xab; 20], |b| objects[b].id);
                    let body = Body::RefDelta {
                        base,
                        delta: delta.clone(),
                    };
                    (o.kind, delta.len() as u64, body)
                }
            };
            w.add(&Entry {
                id: o.id,
                kind,
                size,
                body,
            });
        }
    }
    let p = w.finish();
    (p.pack, p.idx)
}

/// Every seed object loose; `replaced` is (index, file bytes) of the one the input chose.
fn loose_objects(replaced: Option<(usize, Vec<u8>)>) -> Vec<(Oid, Vec<u8>)> {
    let mut out: Vec<(Oid, Vec<u8>)> = seed()
        .objects
        .iter()
        .map(|o| (o.id, loose_file(&loose_content(o.kind, &o.data))))
        .collect();
    if let Some((i, bytes)) = replaced {
        out[i].1 = bytes;
    }
    out
}

/// Scans the repository; returns (blob places found, warnings), or None on an error.
fn run(repo: &Repo, selection: Selection) -> Option<(usize, u64)> {
    let opts = HistoryOptions {
        repo: repo.path.clone(),
        selection,
        exclude: PathFilter::default(),
        max_file_size: 1 << 20,
        threads: 1,
        quiet: true,
        timings: false,
    };
    let stats = Stats::default();
    let progress = keysweep::progress::Progress::inert();
    let history = scan(&opts, &stats, &progress, &|b: &[u8]| Some(b.len())).ok()?;
    for (i, _) in &history.places {
        assert!(
            *i < history.payloads.len(),
            "a place names a payload that is not there"
        );
    }
    Some((history.places.len(), Stats::get(&stats.warnings)))
}

/// The repository, made once and checked: each mode's undamaged form scans with every blob
/// placed and no warning, so the fuzzer damages repositories that are otherwise valid.
fn repo() -> &'static Mutex<Repo> {
    static REPO: OnceLock<Mutex<Repo>> = OnceLock::new();
    REPO.get_or_init(|| {
        let repo = Repo::new();
        let s = seed();
        let blobs = s.objects.iter().filter(|o| o.kind == 3).count();
        let built = built_pack(&changes(&[]));
        let forms: [(&str, Option<(&[u8], &[u8])>, Vec<(Oid, Vec<u8>)>); 3] = [
            ("the seed pack", Some((s.pack, s.idx)), Vec::new()),
            ("loose objects", None, loose_objects(None)),
            ("a built pack", Some((&built.0, &built.1)), Vec::new()),
        ];
        for (what, pack, loose) in forms {
            repo.write_objects(pack, &loose);
            let got = run(&repo, Selection::All);
            assert!(
                matches!(got, Some((places, 0)) if places >= blobs),
                "{what}: the undamaged seed repository scans as {got:?}, expected at least {blobs} places and no warning"
            );
        }
        Mutex::new(repo)
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&head, rest)) = data.split_first() else {
        return;
    };
    let repo = repo().lock().unwrap_or_else(|e| e.into_inner());
    match (head & 0x7f) % 3 {
        0 => repo.write_objects(Some((rest, seed().idx)), &[]),
        1 => {
            let n = seed().objects.len();
            let (i, flags, content) = match rest {
                [i, flags, content @ ..] => (*i as usize % n, *flags, content),
                _ => return,
            };
            let bytes = if flags & 1 == 1 {
                content.to_vec()
            } else {
                loose_file(content)
            };
            repo.write_objects(None, &loose_objects(Some((i, bytes))));
        }
        _ => {
            let (pack, idx) = built_pack(&changes(rest));
            repo.write_objects(Some((&pack, &idx)), &[]);
        }
    }
    let selection = if head & 0x80 != 0 {
        Selection::Range("HEAD~1..HEAD".to_string())
    } else {
        Selection::All
    };
    run(&repo, selection);
});
