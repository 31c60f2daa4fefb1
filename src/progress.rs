//! Progress display on stderr for long scans, only when stderr is a terminal.
//!
//! One display per scan, owned by the pipeline and handed to the sources, which announce
//! each phase (`phase`: what is counted and, when known, how many there are) and count what
//! they finish (`advance`). Nothing is drawn during the first [`DRAW_DELAY`]: a scan that ends
//! sooner leaves no trace on the terminal. With a known total the line shows done/total, the
//! bytes read and an ETA. Warnings from any thread go through [`eprintln_above`], which
//! suspends the bar while it prints, so a warning never lands in the middle of the bar.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Nothing is drawn before this: most scans (a pre-commit hook, a small tree) end sooner, and a
/// bar flashing for a moment is noise.
pub const DRAW_DELAY: Duration = Duration::from_secs(1);
/// How often the spinner moves once the bar is shown.
const TICK: Duration = Duration::from_millis(125);
/// An ETA from less than this much of the work or time is mostly noise: not shown.
const ETA_MIN_FRACTION: f64 = 0.01;
const ETA_MIN_ELAPSED: Duration = Duration::from_secs(1);

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

/// True once the first draw is due, `since_start` after the display was created.
pub fn due(since_start: Duration) -> bool {
    since_start >= DRAW_DELAY
}

/// Time left when `done` of `total` took `elapsed`, assuming the rest goes at the same rate.
/// None while too little is done to say (or when there is no total).
pub fn eta(done: u64, total: Option<u64>, elapsed: Duration) -> Option<Duration> {
    let total = total.filter(|&t| t > 0)?;
    if done >= total {
        return Some(Duration::ZERO);
    }
    let fraction = done as f64 / total as f64;
    if fraction < ETA_MIN_FRACTION || elapsed < ETA_MIN_ELAPSED {
        return None;
    }
    Some(elapsed.mul_f64((1.0 - fraction) / fraction))
}

/// `ETA 1:05`, `ETA 1:02:03`, or `ETA …` while it cannot be estimated.
pub fn eta_text(eta: Option<Duration>) -> String {
    let Some(eta) = eta else {
        return "ETA …".to_string();
    };
    let s = eta.as_secs() + u64::from(eta.subsec_nanos() > 0);
    if s >= 3600 {
        format!("ETA {}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("ETA {}:{:02}", s / 60, s % 60)
    }
}

/// Bytes for people: `512 B`, `41.2 MB`, `1.3 GB`.
fn bytes_text(b: u64) -> String {
    let f = b as f64;
    if b < 1_000 {
        format!("{b} B")
    } else if b < 1_000_000 {
        format!("{:.1} kB", f / 1e3)
    } else if b < 1_000_000_000 {
        format!("{:.1} MB", f / 1e6)
    } else {
        format!("{:.1} GB", f / 1e9)
    }
}

/// The progress display of one scan. Inert when quiet or when stderr is not a terminal.
pub struct Progress {
    shown: Option<Shown>,
}

struct Shown {
    bar: ProgressBar,
    /// Bytes done in the current phase (read by the style when it draws).
    bytes: Arc<AtomicU64>,
    /// Set when the scan is over: the ticker thread stops.
    stop: Arc<(Mutex<bool>, Condvar)>,
    ticker: Mutex<Option<JoinHandle<()>>>,
}

impl Progress {
    pub fn new(quiet: bool) -> Progress {
        if quiet || !std::io::stderr().is_terminal() {
            return Progress::inert();
        }
        // Hidden until the ticker decides the first draw is due.
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let ticker = {
            let (bar, stop, started) = (bar.clone(), stop.clone(), Instant::now());
            std::thread::Builder::new()
                .name("keysweep-progress".into())
                .spawn(move || tick_until_stopped(&bar, &stop, started))
                .ok()
        };
        if let Ok(mut a) = ACTIVE.lock() {
            *a = Some(bar.clone());
        }
        let p = Progress {
            shown: Some(Shown {
                bar,
                bytes: Arc::new(AtomicU64::new(0)),
                stop,
                ticker: Mutex::new(ticker),
            }),
        };
        p.activity("starting");
        p
    }

    /// A display that never draws (tests, `--quiet`, no terminal).
    pub fn inert() -> Progress {
        Progress { shown: None }
    }

    /// Something is going on that is not counted (e.g. walking the commit graph).
    pub fn activity(&self, what: &str) {
        if let Some(s) = &self.shown {
            s.bar.reset();
            s.bar.set_length(0);
            let template = format!("{{spinner}} {what} [{{elapsed}}]");
            s.bar.set_style(style(&template, &s.bytes));
        }
    }

    /// A new phase counting `unit` ("files", "blobs"), `total` of them when known.
    pub fn phase(&self, unit: &str, total: Option<u64>) {
        let Some(s) = &self.shown else { return };
        s.bar.reset();
        s.bytes.store(0, Ordering::Relaxed);
        let template = match total {
            Some(n) => {
                s.bar.set_length(n);
                format!(
                    "{{spinner}} {{bar:24}} {{pos}}/{{len}} {unit} · {{bytes_done}} · {{eta_text}}"
                )
            }
            None => {
                s.bar.unset_length();
                format!("{{spinner}} {{pos}} {unit} · {{bytes_done}} [{{elapsed}}]")
            }
        };
        s.bar.set_style(style(&template, &s.bytes));
    }

    /// `items` more done, holding `bytes` of content.
    pub fn advance(&self, items: u64, bytes: u64) {
        if let Some(s) = &self.shown {
            s.bytes.fetch_add(bytes, Ordering::Relaxed);
            if items > 0 {
                s.bar.inc(items);
            }
        }
    }

    /// Clears the display (idempotent); later warnings print as plain lines.
    pub fn finish(&self) {
        let Some(s) = &self.shown else { return };
        if s.bar.is_finished() {
            return;
        }
        {
            let (lock, cv) = &*s.stop;
            if let Ok(mut stopped) = lock.lock() {
                *stopped = true;
            }
            cv.notify_all();
        }
        if let Some(handle) = s.ticker.lock().ok().and_then(|mut t| t.take()) {
            let _ = handle.join();
        }
        s.bar.finish_and_clear();
        // One display per scan: once it is over, warnings print as plain lines.
        if let Ok(mut a) = ACTIVE.lock() {
            *a = None;
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// The ticker: shows the bar once the first draw is due, then keeps the spinner moving (a
/// phase can go a while without an `advance`, e.g. one large blob).
fn tick_until_stopped(bar: &ProgressBar, stop: &(Mutex<bool>, Condvar), started: Instant) {
    let (lock, cv) = stop;
    let mut visible = false;
    let Ok(mut stopped) = lock.lock() else { return };
    loop {
        stopped = match cv.wait_timeout(stopped, TICK) {
            Ok((guard, _)) => guard,
            Err(_) => return,
        };
        if *stopped {
            return;
        }
        // Switched while the stop flag is held: `finish` cannot clear the bar in between.
        if !visible && due(started.elapsed()) {
            bar.set_draw_target(ProgressDrawTarget::stderr_with_hz(8));
            visible = true;
        }
        if visible {
            bar.tick();
        }
    }
}

/// A style for `template`, with the keys `bytes_done` and `eta_text` computed here.
fn style(template: &str, bytes: &Arc<AtomicU64>) -> ProgressStyle {
    let bytes = bytes.clone();
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
        .with_key(
            "bytes_done",
            move |_: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = w.write_str(&bytes_text(bytes.load(Ordering::Relaxed)));
            },
        )
        .with_key(
            "eta_text",
            |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = w.write_str(&eta_text(eta(state.pos(), state.len(), state.elapsed())));
            },
        )
        .progress_chars("=> ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_draw_waits_for_the_delay() {
        assert!(!due(Duration::ZERO));
        assert!(!due(Duration::from_millis(999)));
        assert!(due(DRAW_DELAY));
        assert!(due(Duration::from_secs(30)));
    }

    #[test]
    fn eta_is_linear_in_what_is_left_and_absent_until_it_means_something() {
        let s = Duration::from_secs;
        // A quarter done in 10 s: three quarters left at the same rate.
        assert_eq!(eta(25, Some(100), s(10)), Some(s(30)));
        assert_eq!(eta(50, Some(100), s(10)), Some(s(10)));
        assert_eq!(eta(100, Some(100), s(10)), Some(Duration::ZERO));
        assert_eq!(eta(120, Some(100), s(10)), Some(Duration::ZERO));
        // Nothing or almost nothing done, too early, no total: no estimate.
        assert_eq!(eta(0, Some(100), s(10)), None);
        assert_eq!(eta(5, Some(1000), s(10)), None);
        assert_eq!(eta(50, Some(100), Duration::from_millis(500)), None);
        assert_eq!(eta(50, None, s(10)), None);
        assert_eq!(eta(0, Some(0), s(10)), None);
    }

    #[test]
    fn eta_and_bytes_read_as_people_write_them() {
        assert_eq!(eta_text(None), "ETA …");
        assert_eq!(eta_text(Some(Duration::from_secs(65))), "ETA 1:05");
        assert_eq!(eta_text(Some(Duration::from_millis(4200))), "ETA 0:05");
        assert_eq!(eta_text(Some(Duration::from_secs(3723))), "ETA 1:02:03");
        assert_eq!(bytes_text(512), "512 B");
        assert_eq!(bytes_text(41_230), "41.2 kB");
        assert_eq!(bytes_text(41_230_000), "41.2 MB");
        assert_eq!(bytes_text(1_300_000_000), "1.3 GB");
    }

    #[test]
    fn an_inert_display_takes_every_call() {
        let p = Progress::inert();
        p.phase("blobs", Some(10));
        p.advance(3, 100);
        p.activity("walking");
        p.finish();
        p.finish();
    }
}
