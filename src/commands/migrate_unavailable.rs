//! `keysweep migrate` in a build without the `migrate` feature (no AWS SDK): the subcommand
//! stays in the CLI, so its help and this one-line refusal (exit 2) are what a user of a
//! scan-only build sees.

use crate::cli::MigrateCmd;
use anyhow::{bail, Result};

pub fn run(_cmd: Box<MigrateCmd>) -> Result<i32> {
    bail!(
        "keysweep was built without the `migrate` feature; rebuild with `cargo install --locked --path . --features migrate`"
    )
}
