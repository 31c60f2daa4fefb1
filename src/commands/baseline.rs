//! `keysweep baseline create|prune`: record the findings a team accepts, and forget the ones
//! that are gone. The file format is described in `filter/baseline.rs`.

use crate::cli::{BaselineCmd, ScanTarget};
use crate::commands::scan::collect;
use crate::exit;
use crate::filter::baseline::Baseline;
use anyhow::Result;

pub fn run(cmd: BaselineCmd) -> Result<i32> {
    match cmd {
        BaselineCmd::Create { target, output } => {
            let outcome = collect(&without_baseline(target))?;
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
            let outcome = collect(&without_baseline(target))?;
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
fn without_baseline(mut target: ScanTarget) -> ScanTarget {
    target.baseline = None;
    target
}
