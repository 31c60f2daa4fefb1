//! Standard-input source (`keysweep scan -`): the input is one blob, treated as a file would
//! be: at most `--max-file-size` bytes are read, a NUL in the first 8 KiB makes it binary,
//! a UTF-16 BOM with a UTF-16 body is decoded.
//!
//! Without a name it is reported as `<stdin>` and no path rule can apply to it. With
//! `--stdin-name PATH` (an editor's buffer, `git show REV:PATH`) it is reported as PATH, and
//! path globs and fingerprints see it where that file would be: relative to the repository
//! holding PATH when there is one (as for a file named on the command line), so a baseline or
//! an exclude written for the file applies to its content piped in.

use super::{Blob, Origin, Stats};
use crate::pathfilter::PathFilter;
use anyhow::{bail, Context, Result};
use std::io::{IsTerminal, Read};
use std::path::{Component, Path, PathBuf};

/// How standard input is reported when it has no name.
pub const UNNAMED: &str = "<stdin>";

pub struct StdinOptions {
    /// The path to report and to match path globs against (`--stdin-name`).
    pub name: Option<String>,
    /// Paths skipped (matched relative to the repository, or as named outside one).
    pub exclude: PathFilter,
    pub max_file_size: u64,
    pub quiet: bool,
}

/// Reads standard input and hands it to `on_blob` (unless it is binary, too large or
/// excluded). Refuses a terminal: a scan would wait for typing that nobody means to do.
pub fn scan(opts: &StdinOptions, stats: &Stats, on_blob: &mut dyn FnMut(Blob<'_>)) -> Result<()> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        bail!("standard input is a terminal; `keysweep scan -` scans what is piped into it (e.g. `git show HEAD:app.env | keysweep scan - --stdin-name app.env`)");
    }
    scan_reader(opts, stats, &mut stdin.lock(), on_blob)
}

/// [`scan`] of any reader.
pub fn scan_reader(
    opts: &StdinOptions,
    stats: &Stats,
    input: &mut dyn Read,
    on_blob: &mut dyn FnMut(Blob<'_>),
) -> Result<()> {
    let origin = origin(opts.name.as_deref());
    // All of it is read (up to the limit) even when it will not be scanned, so the program
    // writing into the pipe is not cut off with an error.
    let mut buf = Vec::new();
    input
        .take(opts.max_file_size.saturating_add(1))
        .read_to_end(&mut buf)
        .context("cannot read standard input")?;
    if buf.len() as u64 > opts.max_file_size {
        Stats::add(&stats.skipped_large, 1);
        stats.warn(
            opts.quiet,
            format!(
                "{}: standard input is larger than --max-file-size ({} bytes); not scanned",
                origin.path, opts.max_file_size
            ),
        );
        return Ok(());
    }
    if opts.name.is_some() && opts.exclude.matches_file(origin.stable_path()) {
        return Ok(());
    }
    super::emit_whole_file(&buf, origin, stats, on_blob);
    Ok(())
}

/// Where the input is reported: as named (`/`-separated, without a leading `./`), and
/// relative to the repository that would hold a file of that name.
fn origin(name: Option<&str>) -> Origin {
    let Some(name) = name else {
        return Origin::file(UNNAMED.to_string(), None);
    };
    let shown = name.replace('\\', "/");
    let shown = shown.strip_prefix("./").unwrap_or(&shown).to_string();
    Origin::file(shown, repo_path(Path::new(name)))
}

/// `name` relative to the top of the git work tree that would hold it. The file need not
/// exist (`git show` of a deleted file): the nearest existing directory is resolved, the rest
/// is taken as written.
fn repo_path(name: &Path) -> Option<String> {
    let cwd = std::env::current_dir().ok()?;
    let abs = lexical(&cwd.join(name));
    let (existing, rest) = split_existing(&abs);
    let dir = std::fs::canonicalize(existing).ok()?;
    let top = dir.ancestors().find(|d| d.join(".git").exists())?;
    let rel = dir.strip_prefix(top).ok()?.join(rest);
    let rel = rel.to_string_lossy().replace('\\', "/");
    (!rel.is_empty()).then_some(rel)
}

/// The longest existing directory above `path`, and what lies below it.
fn split_existing(path: &Path) -> (PathBuf, PathBuf) {
    let mut dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut rest = PathBuf::from(path.file_name().unwrap_or_default());
    while !dir.is_dir() {
        let Some(parent) = dir.parent().map(Path::to_path_buf) else {
            break;
        };
        rest = PathBuf::from(dir.file_name().unwrap_or_default()).join(rest);
        dir = parent;
    }
    (dir, rest)
}

/// `path` with `.` and `..` resolved as written (no symlinks followed).
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(name: Option<&str>, input: &[u8], max: u64) -> (Vec<(String, Vec<u8>)>, Stats) {
        let stats = Stats::default();
        let opts = StdinOptions {
            name: name.map(str::to_string),
            exclude: PathFilter::from_globs(&["*.lock"], "test").unwrap(),
            max_file_size: max,
            quiet: true,
        };
        let mut seen = Vec::new();
        scan_reader(&opts, &stats, &mut &input[..], &mut |b| {
            seen.push((b.origin.path.clone(), b.bytes.to_vec()))
        })
        .unwrap();
        (seen, stats)
    }

    #[test]
    fn input_is_one_blob_named_as_given() {
        let (seen, stats) = run(None, b"token = abc\n", 100);
        assert_eq!(seen, vec![(UNNAMED.to_string(), b"token = abc\n".to_vec())]);
        assert_eq!(Stats::get(&stats.files), 1);
        let (seen, _) = run(Some("./src\\app.env"), b"x\n", 100);
        assert_eq!(seen[0].0, "src/app.env");
    }

    #[test]
    fn limits_binary_utf16_and_excludes_apply_as_to_files() {
        let (seen, stats) = run(None, &[b'a'; 101], 100);
        assert!(seen.is_empty());
        assert_eq!(Stats::get(&stats.skipped_large), 1);
        let (seen, stats) = run(None, b"ab\0cd", 100);
        assert!(seen.is_empty());
        assert_eq!(Stats::get(&stats.skipped_binary), 1);
        let mut utf16 = vec![0xFF, 0xFE];
        for u in "pw = x1\n".encode_utf16() {
            utf16.extend(u.to_le_bytes());
        }
        let (seen, stats) = run(None, &utf16, 100);
        assert_eq!(seen[0].1, b"pw = x1\n");
        assert_eq!(Stats::get(&stats.decoded), 1);
        let (seen, _) = run(Some("deps/Cargo.lock"), b"x\n", 100);
        assert!(seen.is_empty());
        // Without a name no glob applies, whatever it would match.
        let (seen, _) = run(None, b"x\n", 100);
        assert_eq!(seen.len(), 1);
    }

    #[test]
    fn paths_resolve_as_written() {
        assert_eq!(lexical(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
        let (dir, rest) = split_existing(Path::new("/definitely-not-here/x/y.txt"));
        assert_eq!(dir, PathBuf::from("/"));
        assert_eq!(rest, PathBuf::from("definitely-not-here/x/y.txt"));
    }
}
