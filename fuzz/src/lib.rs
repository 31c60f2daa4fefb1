//! What the fuzz targets share: the invariants a scan must keep (`scan_check`), the
//! keyword-dense input builders of the engine target (`inputs`), the config target's test for
//! echoed values (`echo`), and the git target's repository writer (`gitrepo`).
//!
//! Each target is a thin `fuzz_target!` in `fuzz_targets/`; the logic lives here so that it
//! is one crate to read and so that the targets cannot drift apart on what they assert.

pub mod echo;
pub mod gitrepo;
pub mod inputs;
pub mod scan_check;
pub mod zlib;
