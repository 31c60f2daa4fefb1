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
/// `sweep`: some repository could not be swept (clone or fetch failed, not a repository, a
/// corrupt state file); each was named in a warning and the others were swept. Wins over 1
/// and 3.
pub const SWEEP_INCOMPLETE: i32 = 4;
