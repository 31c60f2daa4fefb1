//! One module per subcommand; each returns the process exit code.

pub mod baseline;
pub mod hook;
#[cfg(feature = "migrate")]
pub mod migrate;
#[cfg(not(feature = "migrate"))]
#[path = "migrate_unavailable.rs"]
pub mod migrate;
pub mod rules;
pub mod scan;

use crate::cli::{Cli, Command};
use anyhow::Result;

pub fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Scan(cmd) => scan::run(cmd),
        Command::Rules(cmd) => rules::run(cmd),
        Command::Baseline(cmd) => baseline::run(cmd),
        Command::InstallHook(cmd) => hook::run(cmd),
        Command::Hook(cmd) => hook::run_framework(cmd),
        Command::Migrate(cmd) => migrate::run(cmd),
    }
}
