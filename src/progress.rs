//! Progress display on stderr for long scans, only when stderr is a terminal. Warnings from
//! any thread go through [`eprintln_above`], which suspends the bar while it prints.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// The bar on screen, if any: warnings are printed above it.
static ACTIVE: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// Prints one line on stderr without garbling the progress display.
pub fn eprintln_above(line: &str) {
    let active = ACTIVE.lock().ok().and_then(|a| a.clone());
    match active {
        Some(bar) => bar.suspend(|| eprintln!("{line}")),
        None => eprintln!("{line}"),
    }
}

pub struct Progress {
    bar: Option<ProgressBar>,
    bytes: AtomicU64,
}

impl Progress {
    /// `unit` names what is counted ("files", "blobs").
    pub fn new(quiet: bool, unit: &str) -> Progress {
        if quiet || !std::io::stderr().is_terminal() {
            return Progress {
                bar: None,
                bytes: AtomicU64::new(0),
            };
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(8));
        let template = format!("{{spinner}} {{pos}} {unit}, {{msg}} [{{elapsed}}]");
        bar.set_style(
            ProgressStyle::with_template(&template)
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        // A scan that ends quickly never draws: the first tick is delayed.
        bar.enable_steady_tick(Duration::from_millis(250));
        if let Ok(mut a) = ACTIVE.lock() {
            *a = Some(bar.clone());
        }
        Progress {
            bar: Some(bar),
            bytes: AtomicU64::new(0),
        }
    }

    /// One more file or blob of `bytes` done.
    pub fn advance(&self, bytes: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
            let total = self.bytes.fetch_add(bytes, Ordering::Relaxed) + bytes;
            bar.set_message(format!("{:.1} MB", total as f64 / 1e6));
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
            if let Ok(mut a) = ACTIVE.lock() {
                *a = None;
            }
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}
