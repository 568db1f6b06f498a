//! Whether the database is reachable. A store that loses its database must answer every client
//! at once (`error: …`), log the outage once rather than once per event, and come back by
//! itself: this module holds that state. Connections made before an outage was noticed are
//! stale (the server they talked to may have restarted), so pools discard them on acquire.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

/// The database's availability, shared by a store's pools and the relay's prober.
#[derive(Debug)]
pub struct Health {
    /// Refuse operations at once while down (PostgreSQL, whose failures are slow to show);
    /// otherwise only report (SQLite, whose failures are immediate).
    gated: bool,
    down: AtomicBool,
    /// When the current or last outage began, in nanoseconds after `base`; 0: never.
    suspected_at: AtomicU64,
    down_since: parking_lot::Mutex<Option<Instant>>,
    base: Instant,
    /// Woken when the database goes down, so the prober starts.
    went_down: Notify,
}

impl Health {
    /// Health of a database whose operations are refused at once while it is down.
    pub fn gated() -> Self {
        Self::new(true)
    }

    /// Health of a database whose failures only get reported.
    pub fn reporting() -> Self {
        Self::new(false)
    }

    fn new(gated: bool) -> Self {
        metrics::gauge!("communitarium_db_up").set(1.0);
        Self {
            gated,
            down: AtomicBool::new(false),
            suspected_at: AtomicU64::new(0),
            down_since: parking_lot::Mutex::new(None),
            base: Instant::now(),
            went_down: Notify::new(),
        }
    }

    /// Is the database known to be down?
    pub fn is_down(&self) -> bool {
        self.down.load(Ordering::Acquire)
    }

    /// Should operations be refused without trying?
    pub fn refuses(&self) -> bool {
        self.gated && self.is_down()
    }

    /// A connection failed: every connection made before now is suspect.
    pub fn suspect(&self) {
        let at = u64::try_from(self.base.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.suspected_at.store(at.max(1), Ordering::Release);
    }

    /// Was a connection that is `age` old made before the last suspected outage?
    pub fn is_stale(&self, age: Duration) -> bool {
        let at = self.suspected_at.load(Ordering::Acquire);
        if at == 0 {
            return false;
        }
        let made = self.base.elapsed().saturating_sub(age);
        made <= Duration::from_nanos(at)
    }

    /// The database is down: logs it once, counts it, and wakes the prober.
    pub fn mark_down(&self, why: &dyn std::fmt::Display) {
        self.suspect();
        if !self.down.swap(true, Ordering::AcqRel) {
            *self.down_since.lock() = Some(Instant::now());
            metrics::counter!("communitarium_db_outages_total").increment(1);
            metrics::gauge!("communitarium_db_up").set(0.0);
            tracing::error!(
                error = %why,
                "the database is unavailable; clients get `error:` answers until it is back"
            );
            self.went_down.notify_waiters();
        }
    }

    /// The database answers again: logs it once and counts the reconnection.
    pub fn mark_up(&self) {
        if self.down.swap(false, Ordering::AcqRel) {
            let lasted = self.down_since.lock().take().map(|s| s.elapsed());
            metrics::counter!("communitarium_db_reconnects_total").increment(1);
            metrics::gauge!("communitarium_db_up").set(1.0);
            tracing::info!(
                outage_secs = lasted.map_or(0.0, |d| d.as_secs_f64()),
                "the database is available again"
            );
        }
    }

    /// Resolves the next time the database goes down.
    pub async fn went_down(&self) {
        self.went_down.notified().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_made_before_an_outage_are_stale() {
        let h = Health::gated();
        assert!(!h.is_stale(Duration::from_secs(3600)), "no outage yet");
        std::thread::sleep(Duration::from_millis(5));
        h.suspect();
        assert!(h.is_stale(Duration::from_millis(4)), "made before it");
        std::thread::sleep(Duration::from_millis(5));
        assert!(!h.is_stale(Duration::from_millis(1)), "made after it");
    }

    #[test]
    fn down_refuses_only_when_gated_and_comes_back() {
        let gated = Health::gated();
        let reporting = Health::reporting();
        for h in [&gated, &reporting] {
            h.mark_down(&"connection refused");
            assert!(h.is_down());
        }
        assert!(gated.refuses());
        assert!(!reporting.refuses());
        gated.mark_up();
        assert!(!gated.is_down() && !gated.refuses());
    }
}
