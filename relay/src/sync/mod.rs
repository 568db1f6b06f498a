//! NIP-77 negentropy syncing. A client names a set of events with a filter; the relay builds
//! the set's keys (time and id) from the store, and the two sides reconcile in a few rounds of
//! `NEG-MSG`, each learning which ids the other lacks without either sending the whole list.
//! The reconciliation is the `negentropy` crate's (protocol version 1).
//!
//! Each open sync holds its set in memory until closed, so sets are capped per sync
//! (`server.max_sync_events`), per connection (`server.max_syncs_per_connection`) and per
//! address (`server.max_sync_events_per_ip`). Clients open many syncs at once (Flotilla about
//! a dozen per connection): beyond the connection's cap, up to [`MAX_WAITING`] wait their turn
//! and open as others close, and only past that queue is a sync refused.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Arc;

use negentropy::{Id, Negentropy, NegentropyStorageVector};
use parking_lot::Mutex;

use crate::shares::PerIp;
use crate::store::EventKey;

/// The largest `NEG-MSG` the relay sends, in bytes before hex (the crate splits larger
/// answers into more rounds).
pub const FRAME_SIZE_LIMIT: u64 = 60_000;

/// Syncs a connection may have waiting for a free place, beyond those open.
pub const MAX_WAITING: usize = 32;

/// The largest first message a waiting sync may hold, in bytes: a waiting sync keeps it in
/// memory, so a connection's queue holds at most `MAX_WAITING` times this.
pub const MAX_WAITING_MESSAGE: usize = 32 * 1024;

/// Starts a waiting sync once it has a place, with the opening number [`Syncs::open`] wants.
pub type Start = Box<dyn FnOnce(u64) + Send>;

/// What [`Syncs::start_or_wait`] did with a sync.
#[derive(Debug, PartialEq, Eq)]
pub enum Admitted {
    /// It is being opened now.
    Started,
    /// It waits for another sync of the connection to close.
    Waiting,
    /// The connection has its cap of syncs open and its queue full.
    Full,
}

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

/// One connection's syncs, by subscription id, and those waiting for a place.
#[derive(Default)]
pub struct Syncs {
    slots: Mutex<HashMap<String, Slot>>,
    openings: std::sync::atomic::AtomicU64,
    waiting: Mutex<Waiting>,
}

/// Syncs waiting for a place, oldest first, and the cap of open ones they wait under.
#[derive(Default)]
struct Waiting {
    queue: VecDeque<(String, Start)>,
    max: usize,
}

impl Syncs {
    /// Opens sync `sub_id` with `start` if the connection has fewer than `max` open, or queues
    /// it to open when another closes (at most [`MAX_WAITING`] wait).
    pub fn start_or_wait(&self, sub_id: &str, max: usize, start: Start) -> Admitted {
        self.forget_waiting(sub_id);
        if let Some(n) = self.reserve(sub_id, max) {
            start(n);
            return Admitted::Started;
        }
        let mut waiting = self.waiting.lock();
        if waiting.queue.len() >= MAX_WAITING {
            return Admitted::Full;
        }
        waiting.max = max;
        waiting.queue.push_back((sub_id.to_owned(), start));
        Admitted::Waiting
    }

    /// Opens waiting syncs while places are free.
    fn next(&self) {
        loop {
            let (start, n) = {
                let mut waiting = self.waiting.lock();
                let max = waiting.max;
                let Some(sub_id) = waiting.queue.front().map(|(id, _)| id.clone()) else {
                    return;
                };
                let Some(n) = self.reserve(&sub_id, max) else {
                    return;
                };
                let Some((_, start)) = waiting.queue.pop_front() else {
                    return;
                };
                (start, n)
            };
            start(n);
        }
    }

    /// Drops a waiting sync of id `sub_id`, if any.
    fn forget_waiting(&self, sub_id: &str) -> bool {
        let mut waiting = self.waiting.lock();
        let before = waiting.queue.len();
        waiting.queue.retain(|(id, _)| id != sub_id);
        waiting.queue.len() != before
    }

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
        match answer {
            Ok(answer) => Ok(answer),
            Err(e) => {
                slots.remove(sub_id);
                drop(slots);
                self.next();
                Err(SyncError::from(e))
            }
        }
    }

    /// Ends sync `sub_id` (or its opening, or its wait), freeing its set and its place for
    /// the next waiting sync.
    pub fn close(&self, sub_id: &str) {
        if !self.forget_waiting(sub_id) {
            self.slots.lock().remove(sub_id);
            self.next();
        }
    }

    /// Syncs open or being opened (not those waiting).
    pub fn open_count(&self) -> usize {
        self.slots.lock().len()
    }

    /// Ends every sync of the connection, waiting ones included.
    pub fn clear(&self) {
        self.waiting.lock().queue.clear();
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
