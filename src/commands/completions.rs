//! `keysweep completions SHELL`: a completion script generated from the clap definitions,
//! so it never lags behind the flags.

use crate::cli::Cli;
use anyhow::Result;
use clap::CommandFactory;
use clap_complete::Shell;
use std::io::Write;

pub fn run(shell: Shell) -> Result<i32> {
    // Generated into memory first: clap_complete panics on a failed write, and a closed pipe
    // (`keysweep completions bash | head`) must end quietly, not with a panic.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "keysweep", &mut script);
    let mut out = std::io::stdout().lock();
    out.write_all(&script)?;
    out.flush()?;
    Ok(crate::exit::CLEAN)
}
