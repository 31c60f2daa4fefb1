//! Working-tree source: a parallel, gitignore-aware walk (`ignore`) that reads each file once
//! and hands its text to the caller on the walker's own thread (no channel, no copy).

use super::decode::{self, Text};
use super::{Blob, Stats};
use anyhow::{Context, Result};
use ignore::overrides::OverrideBuilder;
use ignore::{WalkBuilder, WalkState};
use std::cell::RefCell;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

pub struct WalkOptions {
    pub roots: Vec<PathBuf>,
    pub excludes: Vec<String>,
    pub no_ignore: bool,
    pub max_file_size: u64,
    pub threads: usize,
    pub quiet: bool,
}

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
    for root in &opts.roots {
        let meta =
            std::fs::metadata(root).with_context(|| format!("cannot scan {}", root.display()))?;
        if meta.is_file() {
            // A file named on the command line is scanned even if it is ignored.
            let display = root.to_string_lossy().replace('\\', "/");
            scan_file(root, display, opts, stats, on_blob, on_file_done);
            continue;
        }
        walk_dir(root, opts, stats, on_blob, on_file_done)?;
    }
    Ok(())
}

fn walk_dir(
    root: &Path,
    opts: &WalkOptions,
    stats: &Stats,
    on_blob: &(dyn Fn(Blob<'_>) + Sync),
    on_file_done: &(dyn Fn(u64) + Sync),
) -> Result<()> {
    let mut overrides = OverrideBuilder::new(root);
    for glob in &opts.excludes {
        overrides
            .add(&format!("!{glob}"))
            .with_context(|| format!("invalid --exclude glob {glob:?}"))?;
    }
    let overrides = overrides.build().context("building --exclude globs")?;
    let mut builder = WalkBuilder::new(root);
    builder
        // Dotfiles such as .env are where secrets live.
        .hidden(false)
        .follow_links(true)
        .overrides(overrides)
        .threads(opts.threads)
        .git_ignore(!opts.no_ignore)
        .git_global(!opts.no_ignore)
        .git_exclude(!opts.no_ignore)
        .ignore(!opts.no_ignore)
        .parents(!opts.no_ignore)
        // .gitignore files apply even when the tree is not (yet) a git repository.
        .require_git(false)
        .filter_entry(|e| e.file_name() != ".git");
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
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                return WalkState::Continue;
            }
            let path = entry.path();
            let rel = path.strip_prefix(root).unwrap_or(path);
            let display = match rel.to_str() {
                Some(s) => s.replace('\\', "/"),
                None => {
                    stats.warn(
                        opts.quiet,
                        format!(
                            "{}: path is not valid UTF-8; reported lossily",
                            rel.display()
                        ),
                    );
                    rel.to_string_lossy().replace('\\', "/")
                }
            };
            scan_file(path, display, opts, stats, on_blob, on_file_done);
            WalkState::Continue
        })
    });
    Ok(())
}

fn scan_file(
    path: &Path,
    display: String,
    opts: &WalkOptions,
    stats: &Stats,
    on_blob: &(dyn Fn(Blob<'_>) + Sync),
    on_file_done: &(dyn Fn(u64) + Sync),
) {
    READ_BUF.with(|buf| {
        let mut buf = buf.borrow_mut();
        buf.clear();
        match read_limited(path, opts.max_file_size, &mut buf) {
            Ok(true) => {}
            Ok(false) => {
                Stats::add(&stats.skipped_large, 1);
                return;
            }
            Err(e) => {
                Stats::add(&stats.skipped_unreadable, 1);
                stats.warn(
                    opts.quiet,
                    format!("{display}: {}", one_line(&e.to_string())),
                );
                return;
            }
        }
        let text = decode::prepare(&buf);
        if decode::is_decoded(&text) {
            Stats::add(&stats.decoded, 1);
        }
        match text {
            Text::Binary => Stats::add(&stats.skipped_binary, 1),
            Text::Scan(bytes) => {
                Stats::add(&stats.files, 1);
                Stats::add(&stats.bytes, buf.len() as u64);
                on_blob(Blob {
                    bytes: &bytes,
                    path: &display,
                });
                on_file_done(buf.len() as u64);
            }
        }
    });
}

/// Reads the file into `buf` unless it is larger than `max` (then returns false). The size
/// is checked on the open handle and the read is capped, so a file growing meanwhile or a
/// 2 GB file never lands in memory.
fn read_limited(path: &Path, max: u64, buf: &mut Vec<u8>) -> std::io::Result<bool> {
    let file = File::open(path)?;
    let len = file.metadata()?.len();
    if len > max {
        return Ok(false);
    }
    buf.reserve(len as usize);
    file.take(max + 1).read_to_end(buf)?;
    Ok(buf.len() as u64 <= max)
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
