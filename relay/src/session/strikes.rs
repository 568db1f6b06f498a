//! Strikes: rate-limited refusals a connection collects. Too many within a minute and the
//! connection is told, closed, and its address made to wait before reconnecting.

use std::time::{Duration, Instant};

use parking_lot::Mutex;

/// Refusals counted over a one-minute window.
#[derive(Debug)]
pub struct Strikes {
    window: Mutex<(Instant, u32)>,
    limit: u32,
}

impl Strikes {
    /// Closing after `limit` strikes in a minute (0: never).
    pub fn new(limit: u32) -> Self {
        Self {
            window: Mutex::new((Instant::now(), 0)),
            limit,
        }
    }

    /// Counts one strike; true exactly when this one reaches the limit.
    pub fn add(&self) -> bool {
        let mut w = self.window.lock();
        let now = Instant::now();
        if now.duration_since(w.0) > Duration::from_secs(60) {
            *w = (now, 0);
        }
        w.1 += 1;
        self.limit > 0 && w.1 == self.limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trips_once_at_the_limit() {
        let s = Strikes::new(3);
        assert!(!s.add());
        assert!(!s.add());
        assert!(s.add());
        assert!(!s.add(), "only the strike that reaches the limit trips");
        assert!(!Strikes::new(0).add(), "0 never trips");
    }
}
