//! The progress line of a long git scan, on standard error and only on a terminal: commits
//! walked out of the total, with rate and time left, and blobs scanned so far. It is cleared
//! when the scan ends, so nothing stale is left above the report.
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

pub struct Progress {
    bar: ProgressBar,
    blobs: AtomicU64,
}

impl Progress {
    /// A bar counting `unit`, hidden unless `enabled`.
    pub fn new(enabled: bool, unit: &'static str) -> Progress {
        let bar = if enabled {
            let b = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(8));
            let template =
                format!("{{spinner}} {{pos}}/{{len}} {unit} · {{msg}} · {{elapsed}} (ETA {{eta}})");
            b.set_style(ProgressStyle::with_template(&template).expect("progress template"));
            b.set_message("0 blobs scanned");
            b.enable_steady_tick(Duration::from_millis(125));
            b
        } else {
            ProgressBar::hidden()
        };
        Progress {
            bar,
            blobs: AtomicU64::new(0),
        }
    }

    pub fn set(&self, done: u64, total: u64) {
        let first = self.bar.length() != Some(total);
        self.bar.set_length(total);
        self.bar.set_position(done);
        // Blob counts can use up the redraw budget; the total is shown the moment it is known.
        if first && !self.bar.is_hidden() {
            self.bar.force_draw();
        }
    }

    /// One more blob scanned (the message is redrawn at most every 64 blobs).
    pub fn blob(&self) {
        let n = self.blobs.fetch_add(1, Relaxed) + 1;
        if n.is_multiple_of(64) && !self.bar.is_hidden() {
            self.bar.set_message(format!("{n} blobs scanned"));
        }
    }

    /// Runs `f` (which prints) with the bar out of the way.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        self.bar.suspend(f)
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
