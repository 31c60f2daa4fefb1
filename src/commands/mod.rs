//! One module per subcommand; each returns the process exit code.

pub mod baseline;
pub mod completions;
pub mod config;
pub mod hook;
pub mod man;
pub mod merge;
#[cfg(feature = "migrate")]
pub mod migrate;
#[cfg(not(feature = "migrate"))]
#[path = "migrate_unavailable.rs"]
pub mod migrate;
pub mod rules;
pub mod scan;
pub mod sweep;

use crate::cli::{Cli, ColorWhen, Command};
use anyhow::Result;
use std::ffi::OsStr;
use std::io::IsTerminal;

pub fn run(cli: Cli) -> Result<i32> {
    let color = use_color(
        cli.color,
        std::io::stdout().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
    );
    match cli.command {
        Command::Scan(cmd) => scan::run(cmd, color),
        Command::Rules(cmd) => rules::run(cmd),
        Command::Baseline(cmd) => baseline::run(cmd),
        Command::InstallHook(cmd) => hook::run(cmd),
        Command::Hook(cmd) => hook::run_framework(cmd),
        Command::Migrate(cmd) => migrate::run(cmd),
        Command::Config(cmd) => config::run(cmd),
        Command::Completions { shell } => completions::run(shell),
        Command::Man => man::run(),
        Command::Sweep(cmd) => sweep::run(*cmd, color),
        Command::Merge(cmd) => merge::run(cmd),
    }
}

/// Whether what goes to stdout is coloured: `--color always|never` decide; `auto` colours a
/// terminal unless `NO_COLOR` is set to something (no-color.org: an empty value does not count).
pub fn use_color(when: ColorWhen, stdout_is_terminal: bool, no_color: Option<&OsStr>) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => stdout_is_terminal && no_color.is_none_or(OsStr::is_empty),
    }
}

/// True when `e` comes from writing to a pipe whose reader has gone (`keysweep … | head`):
/// the reader has what it wanted, so this is no error to report.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        let kind = cause
            .downcast_ref::<std::io::Error>()
            .map(std::io::Error::kind)
            .or_else(|| {
                cause
                    .downcast_ref::<serde_json::Error>()
                    .and_then(serde_json::Error::io_error_kind)
            });
        kind == Some(std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Error, ErrorKind};

    #[test]
    fn color_follows_the_flag_then_the_terminal_and_no_color() {
        let set = Some(OsStr::new("1"));
        let empty = Some(OsStr::new(""));
        assert!(use_color(ColorWhen::Always, false, set));
        assert!(!use_color(ColorWhen::Never, true, None));
        assert!(use_color(ColorWhen::Auto, true, None));
        assert!(use_color(ColorWhen::Auto, true, empty));
        assert!(!use_color(ColorWhen::Auto, true, set));
        assert!(!use_color(ColorWhen::Auto, false, None));
    }

    #[test]
    fn a_closed_pipe_is_recognised_through_context_and_json() {
        let e = anyhow::Error::from(Error::from(ErrorKind::BrokenPipe)).context("writing report");
        assert!(is_broken_pipe(&e));
        let json = serde_json::Error::io(Error::from(ErrorKind::BrokenPipe));
        assert!(is_broken_pipe(&anyhow::Error::from(json)));
        let other = anyhow::Error::from(Error::from(ErrorKind::PermissionDenied));
        assert!(!is_broken_pipe(&other));
    }
}
