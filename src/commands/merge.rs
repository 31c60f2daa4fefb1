//! `keysweep merge`: shard reports into one (see `report::merge`), with a sweep's summary.

use crate::cli::MergeCmd;
use crate::exit;
use anyhow::Result;
use std::io::Write;

pub fn run(cmd: MergeCmd) -> Result<i32> {
    let merged = crate::report::merge::merge(&cmd.files)?;
    match &cmd.output {
        Some(path) if path.as_os_str() != "-" => {
            crate::safefs::write_private(path, &merged.text)?;
        }
        _ => {
            let mut out = std::io::stdout().lock();
            match out.write_all(&merged.text).and_then(|_| out.flush()) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                r => r?,
            }
        }
    }
    if !cmd.quiet {
        eprintln!(
            "keysweep: merged {} report{}",
            cmd.files.len(),
            if cmd.files.len() == 1 { "" } else { "s" }
        );
        for line in &merged.summary {
            eprintln!("{line}");
        }
    }
    Ok(if merged.findings == 0 || cmd.exit_zero {
        exit::CLEAN
    } else {
        exit::FINDINGS
    })
}
