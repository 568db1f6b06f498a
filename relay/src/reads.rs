//! Fair shares of the database's read capacity. Each IP address may have a few client queries
//! running at once; the rest of its queries wait their turn. So one client, however many
//! connections and subscriptions it opens, can hold at most its share of the pooled database
//! connections, and everyone else's queries still find a free one.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

use parking_lot::Mutex;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;

/// The query slots of every address.
pub struct ReadGate {
    per_ip: usize,
    slots: Mutex<HashMap<IpAddr, Arc<Semaphore>>>,
}

impl ReadGate {
    /// At most `per_ip` queries running at once per address (at least one).
    pub fn new(per_ip: u32) -> Self {
        Self {
            per_ip: (per_ip as usize).max(1),
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// Waits for one of `ip`'s slots, held until the permit is dropped. `None` when `cancel`
    /// fires first (the subscription closed, the client left).
    pub async fn enter(
        &self,
        ip: IpAddr,
        cancel: &CancellationToken,
    ) -> Option<OwnedSemaphorePermit> {
        let slots = self
            .slots
            .lock()
            .entry(ip)
            .or_insert_with(|| Arc::new(Semaphore::new(self.per_ip)))
            .clone();
        if let Ok(permit) = slots.clone().try_acquire_owned() {
            return Some(permit);
        }
        metrics::counter!("communitarium_query_waits_total").increment(1);
        tokio::select! {
            permit = slots.acquire_owned() => permit.ok(),
            () = cancel.cancelled() => None,
        }
    }

    /// Forgets addresses with no query running or waiting, so memory follows the active ones.
    pub fn prune(&self) {
        let per_ip = self.per_ip;
        self.slots
            .lock()
            .retain(|_, s| Arc::strong_count(s) > 1 || s.available_permits() < per_ip);
    }

    /// Addresses currently tracked.
    pub fn len(&self) -> usize {
        self.slots.lock().len()
    }

    /// True when no address is tracked.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn an_address_waits_for_its_own_slots_only() {
        let gate = ReadGate::new(2);
        let never = CancellationToken::new();
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        let first = gate.enter(a, &never).await.unwrap();
        let _second = gate.enter(a, &never).await.unwrap();
        let third = tokio::time::timeout(Duration::from_millis(50), gate.enter(a, &never)).await;
        assert!(third.is_err(), "a third query from the same address waits");
        let other = tokio::time::timeout(Duration::from_millis(50), gate.enter(b, &never)).await;
        assert!(other.unwrap().is_some(), "another address does not");
        drop(first);
        let third = tokio::time::timeout(Duration::from_millis(50), gate.enter(a, &never)).await;
        assert!(third.unwrap().is_some(), "a slot came free");
    }

    #[tokio::test]
    async fn cancelled_waits_give_up_and_idle_addresses_are_forgotten() {
        let gate = ReadGate::new(1);
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let held = gate.enter(ip, &CancellationToken::new()).await.unwrap();
        let cancel = CancellationToken::new();
        cancel.cancel();
        assert!(gate.enter(ip, &cancel).await.is_none());
        gate.prune();
        assert_eq!(gate.len(), 1, "a running query keeps its address");
        drop(held);
        gate.prune();
        assert!(gate.is_empty());
    }
}
