//! keysweep: finds hardcoded secrets in working trees and git history, and helps move them
//! into AWS Secrets Manager. The pipeline: source → engine → finding → filters → report /
//! migrate (see the README's architecture section). Only `cli` and `commands` know the
//! command line; everything below them takes plain option structs.

pub mod cli;
pub mod commands;
pub mod config;
pub mod engine;
pub mod exit;
pub mod filter;
pub mod finding;
#[cfg(feature = "migrate")]
pub mod migrate;
pub mod pathfilter;
pub mod pipeline;
pub mod progress;
pub mod report;
pub mod rules;
pub mod safefs;
pub mod source;
pub mod sweep;
pub mod timefmt;
