//! Progress on stderr: a bar when the total is known, a counter otherwise. Hidden when stderr
//! is not a terminal, so logs and pipes stay clean.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// A progress display for one transfer.
#[derive(Clone)]
pub struct Progress(ProgressBar);

impl Progress {
    /// A bar towards `total` items, or a running count when the total is unknown.
    pub fn new(total: Option<u64>, what: &str) -> Self {
        let bar = match total {
            Some(n) => ProgressBar::new(n).with_style(
                ProgressStyle::with_template(
                    "{msg} {wide_bar} {pos}/{len} ({per_sec}, {eta} left)",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            ),
            None => ProgressBar::new_spinner().with_style(
                ProgressStyle::with_template("{spinner} {msg} {pos} ({per_sec})")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            ),
        };
        bar.set_message(what.to_owned());
        bar.enable_steady_tick(Duration::from_millis(200));
        Self(bar)
    }

    /// No display (tests, library use).
    pub fn hidden() -> Self {
        Self(ProgressBar::hidden())
    }

    pub fn advance(&self, n: u64) {
        self.0.inc(n);
    }

    pub fn set_message(&self, what: &str) {
        self.0.set_message(what.to_owned());
    }

    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}
