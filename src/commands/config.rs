//! `keysweep config import-gitleaks [FILE] [-o .keysweep.toml]`: writes the `.keysweep.toml`
//! equivalent to a gitleaks config and lists, one line each on stderr, what it could not
//! translate (the translation is `config/gitleaks.rs`).

use crate::cli::ConfigCmd;
use crate::config::gitleaks;
use crate::exit;
use anyhow::{bail, Context, Result};
use std::io::Write;

/// A gitleaks config larger than this is refused.
const MAX_FILE_BYTES: u64 = 16 << 20;

pub fn run(cmd: ConfigCmd) -> Result<i32> {
    match cmd {
        ConfigCmd::ImportGitleaks {
            file,
            output,
            force,
        } => {
            let text = crate::safefs::read_text(&file, true, MAX_FILE_BYTES)
                .with_context(|| format!("cannot read gitleaks config {}", file.display()))?;
            let ids = crate::rules::builtin_rules()?
                .into_iter()
                .map(|r| r.id)
                .collect();
            let t = gitleaks::translate(&file.display().to_string(), &text, &ids)?;
            // Check that what we write loads as a keysweep config, rules and all.
            crate::config::from_text(&output.display().to_string(), &t.toml)
                .context("the translated config does not load (a keysweep bug)")?;
            if output.as_os_str() == "-" {
                std::io::stdout().lock().write_all(t.toml.as_bytes())?;
            } else {
                if !force && std::fs::symlink_metadata(&output).is_ok() {
                    bail!(
                        "{} exists; pass --force to replace it, or -o another file",
                        output.display()
                    );
                }
                crate::safefs::write_private(&output, t.toml.as_bytes())?;
            }
            for u in &t.untranslated {
                eprintln!("keysweep: not translated: {u}");
            }
            if output.as_os_str() != "-" {
                eprintln!(
                    "keysweep: wrote {} from {} ({} item(s) not translated)",
                    output.display(),
                    file.display(),
                    t.untranslated.len()
                );
            }
            Ok(exit::CLEAN)
        }
    }
}
