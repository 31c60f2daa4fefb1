//! Progress display on stderr for long scans, only when stderr is a terminal.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

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
        }
    }
}
