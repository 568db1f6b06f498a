//! Signing a batch of corpus events on every core before a measured phase, so the load tool's
//! own CPU does not compete with the relay while it is being measured.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use indicatif::{ProgressBar, ProgressStyle};
use nips::Event;
use rand::SeedableRng;
use rand::rngs::StdRng;

use crate::corpus::Corpus;

/// A signed event, serialized.
pub struct Signed {
    pub id: String,
    pub json: String,
}

/// A progress bar for `len` steps of `what` (hidden when `quiet`).
pub fn progress(len: u64, what: &str, quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len).with_message(what.to_string());
    if let Ok(style) =
        ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} {per_sec} eta {eta}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// `count` events from `corpus`, dated by `date(rng)`, signed in parallel.
pub fn sign_many(
    corpus: &Arc<Corpus>,
    count: u64,
    seed: u64,
    date: fn(&mut StdRng) -> u64,
    quiet: bool,
) -> Vec<Event> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()) as u64;
    let done = Arc::new(AtomicU64::new(0));
    let bar = progress(count, "signing", quiet);
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let corpus = corpus.clone();
            let done = done.clone();
            let n = count / threads + u64::from(t < count % threads);
            std::thread::spawn(move || {
                let mut rng = StdRng::seed_from_u64(seed.wrapping_mul(31).wrapping_add(t));
                (0..n)
                    .map(|_| {
                        let at = date(&mut rng);
                        let e = corpus.event(&mut rng, at);
                        done.fetch_add(1, Ordering::Relaxed);
                        e
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut out = Vec::with_capacity(count as usize);
    while handles.iter().any(|h| !h.is_finished()) {
        bar.set_position(done.load(Ordering::Relaxed));
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    for h in handles {
        if let Ok(events) = h.join() {
            out.extend(events);
        }
    }
    bar.finish_and_clear();
    out
}

/// Events serialized for the wire.
pub fn serialize(events: Vec<Event>) -> Vec<Signed> {
    events
        .into_iter()
        .map(|e| Signed {
            id: e.id.to_hex(),
            json: e.to_json(),
        })
        .collect()
}

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
