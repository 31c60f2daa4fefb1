//! Working-tree source: a parallel, gitignore-aware walk (`ignore`) that reads each file once
//! and hands its text to the caller on the walker's own thread (no channel, no copy).
//!
//! Paths are reported the way ripgrep prints them: joined to the root as the user gave it
//! (`scan src` → `src/config.py`; no root given → `config.py`). Excludes match the path
//! relative to its root; the path relative to the enclosing repository, when there is one, is
//! recorded for fingerprints and SARIF.

use super::decode;
use super::{parts, Blob, Origin, Stats};
use crate::pathfilter::PathFilter;
use crate::safefs;
use anyhow::{Context, Result};
use ignore::{WalkBuilder, WalkState};
use std::cell::RefCell;
use std::io::Read as _;
use std::path::{Path, PathBuf};

pub struct WalkOptions {
    /// Files or directories as the user named them; empty means the current directory,
    /// reported without a `./` prefix.
    pub roots: Vec<PathBuf>,
    /// Paths skipped (matched relative to their root); directories are pruned whole.
    pub exclude: PathFilter,
    pub no_ignore: bool,
    /// Honour `.gitignore` (and git's global and per-repository excludes) outside a git
    /// repository too. Off by default, as in ripgrep: a stray `.gitignore` in an unpacked
    /// tarball or a build context must not hide its `.env.production` from a sweep.
    pub no_require_git: bool,
    /// Follow symbolic links (ripgrep's `--follow`); even then the walk never leaves its
    /// roots and never opens anything but regular files.
    pub follow: bool,
    pub max_file_size: u64,
    pub threads: usize,
    pub quiet: bool,
}

/// Per-directory ignore file of keysweep, gitignore syntax; honoured in and outside git
/// repositories, above `.ignore` and `.gitignore` in precedence.
pub const KEYSWEEP_IGNORE: &str = ".keysweepignore";

thread_local! {
    /// Per-thread read buffer: files are read into it so the walk allocates once per thread.
    static READ_BUF: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Walks every root and calls `on_blob` for each text file, from several threads.
pub fn walk(
    opts: &WalkOptions,
    stats: &Stats,
    on_blob: &(dyn Fn(Blob<'_>) + Sync),
    on_file_done: &(dyn Fn(u64) + Sync),
) -> Result<()> {
    let implicit = [PathBuf::from(".")];
    let (roots, strip_dot) = if opts.roots.is_empty() {
        (&implicit[..], true)
    } else {
        (&opts.roots[..], false)
    };
    for root in roots {
        let meta =
            std::fs::metadata(root).with_context(|| format!("cannot scan {}", root.display()))?;
        if !meta.is_file() && !meta.is_dir() {
            Stats::add(&stats.skipped_special, 1);
            stats.warn(
                opts.quiet,
                format!(
                    "{}: skipped: it is {}, not a regular file",
                    root.display(),
                    safefs::kind(&meta.file_type())
                ),
            );
            continue;
        }
        let root = Root::new(root, meta.is_file(), strip_dot);
        if meta.is_file() {
            // A file named on the command line is scanned even if a .gitignore lists it, but
            // not if an exclude matches it: relative to its repository when it is in one (as
            // pre-commit passes names), else as named.
            let name = root
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned());
            let origin = root.origin(&root.path, &name.unwrap_or_default(), stats, opts.quiet);
            let rel = origin.repo_path.as_deref().unwrap_or(&origin.path);
            if !opts.exclude.matches_file(rel) {
                // Named by the user: a symlink given as a PATH is followed, as ripgrep does.
                scan_file(&root.path, origin, true, opts, stats, on_blob, on_file_done);
            }
            continue;
        }
        walk_dir(&root, opts, stats, on_blob, on_file_done)?;
    }
    Ok(())
}

/// A root of the walk: how its paths are displayed and where it sits in its repository.
struct Root {
    path: PathBuf,
    /// No root was given: paths are printed without the leading `./`.
    strip_dot: bool,
    /// The root's directory relative to the enclosing repository's top (`""` at the top), or
    /// None outside a repository.
    repo_prefix: Option<String>,
}

impl Root {
    fn new(path: &Path, is_file: bool, strip_dot: bool) -> Root {
        let dir = if is_file {
            path.parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
        } else {
            path
        };
        Root {
            path: path.to_path_buf(),
            strip_dot,
            repo_prefix: repo_prefix(dir),
        }
    }

    /// The origin of `path`, found `rel` below this root (`rel` is the file name for a file
    /// root).
    fn origin(&self, path: &Path, rel: &str, stats: &Stats, quiet: bool) -> Origin {
        let lossy = path.to_str().is_none();
        let shown = path.to_string_lossy().replace('\\', "/");
        let shown = if self.strip_dot {
            shown
                .strip_prefix("./")
                .map(str::to_string)
                .unwrap_or(shown)
        } else {
            shown
        };
        if lossy {
            stats.warn(
                quiet,
                format!("{shown}: path is not valid UTF-8; reported lossily"),
            );
        }
        let repo_path = self.repo_prefix.as_ref().map(|p| {
            if p.is_empty() {
                rel.to_string()
            } else {
                format!("{p}/{rel}")
            }
        });
        Origin::file(shown, repo_path)
    }
}

/// Where `dir` lies below the top of the git work tree holding it (`.git` found above it).
fn repo_prefix(dir: &Path) -> Option<String> {
    let abs = std::fs::canonicalize(dir).ok()?;
    let top = abs.ancestors().find(|d| d.join(".git").exists())?;
    let rel = abs.strip_prefix(top).ok()?;
    Some(rel.to_string_lossy().replace('\\', "/"))
}

fn walk_dir(
    root: &Root,
    opts: &WalkOptions,
    stats: &Stats,
    on_blob: &(dyn Fn(Blob<'_>) + Sync),
    on_file_done: &(dyn Fn(u64) + Sync),
) -> Result<()> {
    let base = root.path.as_path();
    // The entry filter must own what it uses (the walker keeps it beyond this call).
    let (exclude, prune_base) = (opts.exclude.clone(), root.path.clone());
    let mut builder = WalkBuilder::new(base);
    builder
        // Dotfiles such as .env are where secrets live.
        .hidden(false)
        .follow_links(opts.follow)
        .threads(opts.threads)
        .git_ignore(!opts.no_ignore)
        .git_global(!opts.no_ignore)
        .git_exclude(!opts.no_ignore)
        .ignore(!opts.no_ignore)
        .parents(!opts.no_ignore)
        // Git's ignore rules describe what git leaves out of a repository, so they count only
        // inside one; `.ignore` and `.keysweepignore` are ours and count everywhere.
        .require_git(!opts.no_require_git)
        .filter_entry(move |e| {
            if e.file_name() == ".git" {
                return false;
            }
            if exclude.is_empty() || e.depth() == 0 {
                return true;
            }
            let rel = e.path().strip_prefix(&prune_base).unwrap_or(e.path());
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            !exclude.matches(&rel.to_string_lossy(), is_dir)
        });
    if !opts.no_ignore {
        builder.add_custom_ignore_filename(KEYSWEEP_IGNORE);
    }
    let inside = opts
        .follow
        .then(|| std::fs::canonicalize(base).ok())
        .flatten();
    builder.build_parallel().run(|| {
        Box::new(|entry| {
            let entry = match entry {
                Ok(e) => e,
                Err(err) => {
                    Stats::add(&stats.skipped_unreadable, 1);
                    stats.warn(opts.quiet, one_line(&err.to_string()));
                    return WalkState::Continue;
                }
            };
            let Some(file_type) = entry.file_type() else {
                return WalkState::Continue;
            };
            if file_type.is_symlink() {
                // Not followed (the default): counted in the summary.
                Stats::add(&stats.skipped_symlinks, 1);
                return WalkState::Continue;
            }
            if entry.path_is_symlink() {
                // --follow: only targets inside the root, which keeps the walk bounded.
                let target = std::fs::canonicalize(entry.path()).ok();
                let within = matches!((&target, &inside), (Some(t), Some(r)) if t.starts_with(r));
                if !within {
                    Stats::add(&stats.skipped_symlinks, 1);
                    return if file_type.is_dir() {
                        WalkState::Skip
                    } else {
                        WalkState::Continue
                    };
                }
            }
            if file_type.is_dir() {
                return WalkState::Continue;
            }
            if !file_type.is_file() {
                Stats::add(&stats.skipped_special, 1);
                return WalkState::Continue;
            }
            let path = entry.path();
            let rel = path.strip_prefix(base).unwrap_or(path);
            let rel = rel.to_string_lossy().replace('\\', "/");
            let origin = root.origin(path, &rel, stats, opts.quiet);
            scan_file(
                path,
                origin,
                opts.follow,
                opts,
                stats,
                on_blob,
                on_file_done,
            );
            WalkState::Continue
        })
    });
    Ok(())
}

fn scan_file(
    path: &Path,
    origin: Origin,
    follow: bool,
    opts: &WalkOptions,
    stats: &Stats,
    on_blob: &(dyn Fn(Blob<'_>) + Sync),
    on_file_done: &(dyn Fn(u64) + Sync),
) {
    READ_BUF.with(|buf| {
        let mut buf = buf.borrow_mut();
        buf.clear();
        let (mut file, len) = match read_limited(path, follow, opts.max_file_size, &mut buf) {
            Ok(Read::Opened(file, len)) => (file, len),
            Ok(Read::TooLarge) => {
                Stats::add(&stats.skipped_large, 1);
                return;
            }
            Ok(Read::Binary) => {
                Stats::add(&stats.skipped_binary, 1);
                return;
            }
            Err(e) => return unreadable(stats, opts.quiet, &origin.path, &e),
        };
        // Large files that are not UTF-16 (which is decoded whole) are scanned in parts.
        if len > parts::WHOLE as u64 && !decode::is_utf16_prefix(&buf) {
            let done = parts::for_each_part(&mut file, &mut buf, |bytes, part| {
                on_blob(Blob {
                    bytes,
                    origin: origin.clone(),
                    part: Some(part),
                });
            });
            match done {
                Ok(n) => {
                    Stats::add(&stats.files, 1);
                    Stats::add(&stats.bytes, n);
                    on_file_done(n);
                }
                Err(e) => unreadable(stats, opts.quiet, &origin.path, &e),
            }
            return;
        }
        if let Err(e) = file.read_to_end(&mut buf) {
            return unreadable(stats, opts.quiet, &origin.path, &e);
        }
        if buf.len() as u64 > opts.max_file_size {
            Stats::add(&stats.skipped_large, 1);
            return;
        }
        if super::emit_whole_file(&buf, origin, stats, &mut |b| on_blob(b)) {
            on_file_done(buf.len() as u64);
        }
    });
}

/// A file that could not be read: counted and named in a warning.
fn unreadable(stats: &Stats, quiet: bool, path: &str, e: &std::io::Error) {
    Stats::add(&stats.skipped_unreadable, 1);
    stats.warn(quiet, format!("{path}: {}", one_line(&e.to_string())));
}

/// How opening a file ended.
enum Read {
    /// Open, its first bytes (up to 8 KiB) in the buffer; the rest (at most up to the size
    /// limit, plus one byte to notice growth) to be read from the handle; its size.
    Opened(std::io::Take<std::fs::File>, u64),
    TooLarge,
    /// The first bytes say binary: the rest was not read.
    Binary,
}

/// Opens a regular file and reads its first 8 KiB into `buf`, unless it is larger than `max`
/// or those bytes say it is binary. The size is checked on the open handle and the rest of
/// the read is capped, so a file growing meanwhile never lands in memory beyond `max`.
fn read_limited(path: &Path, follow: bool, max: u64, buf: &mut Vec<u8>) -> std::io::Result<Read> {
    let file = safefs::open_regular(path, follow)?;
    let len = file.metadata()?.len();
    if len > max {
        return Ok(Read::TooLarge);
    }
    let mut file = file.take(max.saturating_add(1));
    (&mut file).take(decode::SNIFF as u64).read_to_end(buf)?;
    if decode::is_binary_prefix(buf) {
        return Ok(Read::Binary);
    }
    if len <= parts::WHOLE as u64 {
        buf.reserve(len.saturating_sub(buf.len() as u64) as usize);
    }
    Ok(Read::Opened(file, len))
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
