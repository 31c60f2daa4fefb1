//! Configuration: the effective rule set and allowlists for a scan. Built-in rules only
//! until a `.keysweep.toml` is read (see the config file format in the README).

use crate::cli::ScanTarget;
use crate::filter::Allowlist;
use crate::rules::{builtin_rules, Rule};
use anyhow::Result;

/// Default `--max-file-size`: 64 MiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 64 << 20;

/// Everything a scan needs from configuration.
pub struct Effective {
    pub rules: Vec<Rule>,
    pub allowlist: Allowlist,
    pub max_file_size: u64,
}

/// Loads the built-in rules and, when present, the config file for this target.
pub fn load(target: &ScanTarget) -> Result<Effective> {
    Ok(Effective {
        rules: builtin_rules()?,
        allowlist: Allowlist::default(),
        max_file_size: target.max_file_size.unwrap_or(DEFAULT_MAX_FILE_SIZE),
    })
}

/// Rules defined in a config or rule file (`[[rules]]` tables), regexes checked.
pub fn custom_rules(path: &std::path::Path) -> Result<Vec<Rule>> {
    let rules = crate::rules::load_rule_file(path)?;
    for r in &rules {
        r.check_regex()?;
    }
    Ok(rules)
}
