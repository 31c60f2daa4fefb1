//! Process exit codes, documented in the README.

/// Nothing found (or `--exit-zero`).
pub const CLEAN: i32 = 0;
/// Findings reported (scan), or some secrets failed (migrate --apply).
pub const FINDINGS: i32 = 1;
/// Usage or fatal error.
pub const ERROR: i32 = 2;
