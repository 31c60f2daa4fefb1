//! One module per subcommand; each returns the process exit code.

pub mod rules;
pub mod scan;

use crate::cli::{Cli, Command};
use anyhow::Result;

pub fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Scan(cmd) => scan::run(cmd),
        Command::Rules(cmd) => rules::run(cmd),
        Command::Baseline(_) => anyhow::bail!("baseline: not available in this build"),
        Command::InstallHook(_) => anyhow::bail!("install-hook: not available in this build"),
        Command::Migrate(_) => anyhow::bail!("migrate: not available in this build"),
    }
}
