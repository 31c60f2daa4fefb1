//! `keysweep baseline create|prune`: record the findings a team accepts, and forget the ones
//! that are gone. The file format is described in `filter/baseline.rs`.

use crate::cli::{BaselineCmd, ScanTarget};
use crate::commands::scan::scan_options;
use crate::exit;
use crate::filter::baseline::Baseline;
use crate::pipeline::{self, Outcome};
use anyhow::Result;

pub fn run(cmd: BaselineCmd) -> Result<i32> {
    match cmd {
        BaselineCmd::Create { target, output } => {
            let outcome = collect(target)?;
            let baseline = Baseline::from_findings(&outcome.findings);
            baseline.save(&output)?;
            eprintln!(
                "keysweep: wrote {} baseline entr{} to {}",
                baseline.entries.len(),
                if baseline.entries.len() == 1 {
                    "y"
                } else {
                    "ies"
                },
                output.display()
            );
            Ok(exit::CLEAN)
        }
        BaselineCmd::Prune { file, target } => {
            let mut baseline = Baseline::load(&file)?;
            let outcome = collect(target)?;
            let dropped = baseline.prune(&outcome.findings);
            baseline.save(&file)?;
            eprintln!(
                "keysweep: {}: kept {}, dropped {} no longer found",
                file.display(),
                baseline.entries.len(),
                dropped
            );
            Ok(exit::CLEAN)
        }
    }
}

/// The scan behind create/prune must see every finding, including baselined ones.
fn collect(target: ScanTarget) -> Result<Outcome> {
    let mut opts = scan_options(&target)?;
    opts.baseline = None;
    pipeline::run(&opts)
}
