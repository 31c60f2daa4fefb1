//! The `keysweep` binary: parse arguments, run, turn errors into one line and exit code 2.

use clap::Parser;
use keysweep::cli::Cli;
use keysweep::exit;

fn main() {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are not errors.
            let code = if e.use_stderr() {
                exit::ERROR
            } else {
                exit::CLEAN
            };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    let code = match keysweep::commands::run(cli) {
        Ok(code) => code,
        // `keysweep rules list | head -1`: the reader has gone, which is no error.
        Err(e) if keysweep::commands::is_broken_pipe(&e) => exit::CLEAN,
        Err(e) => {
            eprintln!("keysweep: error: {}", one_line(&format!("{e:#}")));
            exit::ERROR
        }
    };
    std::process::exit(code);
}

fn one_line(s: &str) -> String {
    s.lines().map(str::trim).collect::<Vec<_>>().join(" ")
}
