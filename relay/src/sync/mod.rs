//! NIP-77 negentropy syncing. A client names a set of events with a filter; the relay builds
//! the set's keys (time and id) from the store, and the two sides reconcile in a few rounds of
//! `NEG-MSG`, each learning which ids the other lacks without either sending the whole list.
//! The reconciliation is the `negentropy` crate's (protocol version 1).
//!
//! Each open sync holds its set in memory until closed, so sets are capped per sync
//! (`server.max_sync_events`), per connection (`server.max_syncs_per_connection`) and per
//! address (`server.max_sync_events_per_ip`).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

use negentropy::{Id, Negentropy, NegentropyStorageVector};
use parking_lot::Mutex;

use crate::shares::PerIp;
use crate::store::EventKey;

/// The largest `NEG-MSG` the relay sends, in bytes before hex (the crate splits larger
/// answers into more rounds).
pub const FRAME_SIZE_LIMIT: u64 = 60_000;

/// Why a sync failed; the text follows NIP-01's prefixes and goes into `NEG-ERR`.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("invalid: {0}")]
    Protocol(negentropy::Error),
    #[error("closed: no open sync has this id")]
    Unknown,
    #[error("invalid: this sync is still being opened; wait for the relay's first NEG-MSG")]
    Opening,
}

impl From<negentropy::Error> for SyncError {
    fn from(e: negentropy::Error) -> Self {
        SyncError::Protocol(e)
    }
}

type Reconciler = Negentropy<'static, NegentropyStorageVector>;

/// Keys held against an address's share, given back when the sync ends.
pub struct Held {
    shares: Arc<PerIp>,
    ip: IpAddr,
    keys: usize,
}

impl Held {
    /// Takes `keys` from `ip`'s share in `shares`, unless that passes `cap`.
    pub fn take(shares: &Arc<PerIp>, ip: IpAddr, keys: usize, cap: usize) -> Option<Self> {
        shares.try_add(ip, keys, cap).then(|| Self {
            shares: shares.clone(),
            ip,
            keys,
        })
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.shares.release(self.ip, self.keys);
    }
}

enum Slot {
    /// The set is being read; the number tells this opening from a later one of the same id.
    Opening(u64),
    /// The reconciler, and the share its set holds (given back when the slot goes).
    Open(Box<Reconciler>, #[allow(dead_code)] Held),
}

/// One connection's syncs, by subscription id.
#[derive(Default)]
pub struct Syncs {
    slots: Mutex<HashMap<String, Slot>>,
    openings: std::sync::atomic::AtomicU64,
}

impl Syncs {
    /// Reserves `sub_id` for a sync being opened (replacing any sync of that id), unless the
    /// connection already has `max` others. Returns the opening's number for [`Syncs::open`].
    pub fn reserve(&self, sub_id: &str, max: usize) -> Option<u64> {
        let mut slots = self.slots.lock();
        slots.remove(sub_id);
        if slots.len() >= max {
            return None;
        }
        let n = self
            .openings
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        slots.insert(sub_id.to_owned(), Slot::Opening(n));
        Some(n)
    }

    /// Installs the reconciler of opening `n`; false when it was closed or replaced meanwhile.
    pub fn open(&self, sub_id: &str, n: u64, reconciler: Reconciler, held: Held) -> bool {
        let mut slots = self.slots.lock();
        match slots.get(sub_id) {
            Some(Slot::Opening(m)) if *m == n => {
                slots.insert(sub_id.to_owned(), Slot::Open(Box::new(reconciler), held));
                true
            }
            _ => false,
        }
    }

    /// Answers a client's `NEG-MSG`. A sync whose message does not parse is closed.
    pub fn reconcile(&self, sub_id: &str, message: &[u8]) -> Result<Vec<u8>, SyncError> {
        let mut slots = self.slots.lock();
        let answer = match slots.get_mut(sub_id) {
            None => return Err(SyncError::Unknown),
            Some(Slot::Opening(_)) => return Err(SyncError::Opening),
            Some(Slot::Open(reconciler, _)) => reconciler.reconcile(message),
        };
        answer.map_err(|e| {
            slots.remove(sub_id);
            SyncError::from(e)
        })
    }

    /// Ends sync `sub_id` (or its opening), freeing its set.
    pub fn close(&self, sub_id: &str) {
        self.slots.lock().remove(sub_id);
    }

    /// Ends every sync of the connection.
    pub fn clear(&self) {
        self.slots.lock().clear();
    }
}

/// A reconciler over `keys`, with the answer to the client's first message.
pub fn start(keys: &[EventKey], first: &[u8]) -> Result<(Reconciler, Vec<u8>), SyncError> {
    let mut storage = NegentropyStorageVector::with_capacity(keys.len());
    for k in keys {
        let at = u64::try_from(k.created_at).unwrap_or(0);
        storage.insert(at, Id::from_byte_array(*k.id.as_bytes()))?;
    }
    storage.seal()?;
    let mut reconciler = Negentropy::owned(storage, FRAME_SIZE_LIMIT)?;
    let answer = reconciler.reconcile(first)?;
    Ok((reconciler, answer))
}

#[cfg(test)]
mod tests;
