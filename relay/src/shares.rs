//! Per-address tallies of what clients hold (open connections, filter values of live
//! subscriptions), so one address cannot take more than its share however many connections it
//! opens. Addresses holding nothing are forgotten at once.

use std::collections::HashMap;
use std::net::IpAddr;

use parking_lot::Mutex;

/// An amount per address.
#[derive(Debug, Default)]
pub struct PerIp(Mutex<HashMap<IpAddr, usize>>);

impl PerIp {
    /// Adds `n` for `ip` unless that would pass `cap` (0: no cap); true when added.
    pub fn try_add(&self, ip: IpAddr, n: usize, cap: usize) -> bool {
        let mut held = self.0.lock();
        let now = held.get(&ip).copied().unwrap_or(0);
        if cap > 0 && now.saturating_add(n) > cap {
            return false;
        }
        if n > 0 {
            held.insert(ip, now + n);
        }
        true
    }

    /// Gives back `n` held by `ip`.
    pub fn release(&self, ip: IpAddr, n: usize) {
        let mut held = self.0.lock();
        if let Some(v) = held.get_mut(&ip) {
            *v = v.saturating_sub(n);
            if *v == 0 {
                held.remove(&ip);
            }
        }
    }

    /// What `ip` holds.
    pub fn get(&self, ip: &IpAddr) -> usize {
        self.0.lock().get(ip).copied().unwrap_or(0)
    }

    /// Addresses holding something.
    pub fn len(&self) -> usize {
        self.0.lock().len()
    }

    /// True when no address holds anything.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_each_address_and_forgets_empty_ones() {
        let shares = PerIp::default();
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        assert!(shares.try_add(a, 60, 100));
        assert!(!shares.try_add(a, 41, 100), "over the cap");
        assert!(
            shares.try_add(b, 100, 100),
            "another address has its own share"
        );
        assert!(shares.try_add(a, 40, 100));
        shares.release(a, 100);
        assert_eq!(shares.get(&a), 0);
        assert_eq!(shares.len(), 1, "an address holding nothing is forgotten");
        assert!(shares.try_add(a, 1_000_000, 0), "0 is no cap");
    }
}
