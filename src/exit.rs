//! Process exit codes, documented in the README.

/// Nothing found (or `--exit-zero`).
pub const CLEAN: i32 = 0;
/// Findings reported (scan), or some secrets failed (migrate --apply).
pub const FINDINGS: i32 = 1;
/// Usage or fatal error.
pub const ERROR: i32 = 2;
/// With `--fail-on-scan-errors`: some file or object could not be read or decoded (each was
/// named in a warning), so the scan is incomplete. Wins over 1: findings are still reported.
pub const SCAN_ERRORS: i32 = 3;
