//! The community's rooms (NIP-29 groups), served: requests to create, join, leave and moderate
//! a room are checked against the rooms and the community's policy, recorded together with
//! the room state the relay signs for them (one transaction), and the rooms' state is the fold
//! of those records, so every node and every restart rebuilds the same rooms from the store.
//! Posts carrying a room's `h` tag are accepted only for rooms that exist, from those allowed
//! to post there.

mod listing;
pub mod signed;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use governance::rooms::Rooms;
use governance::rooms::check::{Change, Who};
use nips::{Event, Filter, Keys, Reason, nip09, nip29};
use parking_lot::RwLock;
use serde_json::json;

use crate::community::hands::Hands;
use crate::community::{CommunityError, Snapshot};
use crate::dates::unix_now;
use crate::store::{Effect, Reader, Record, Saved, Store, Wraps, WriteOp};

/// The rooms, and what changing them needs.
pub struct RoomService {
    rooms: RwLock<Arc<Rooms>>,
    /// One change at a time on this node.
    write: tokio::sync::Mutex<()>,
    /// The last `created_at` given to a relay-signed room event; they must increase.
    clock: parking_lot::Mutex<u64>,
    /// What the listing chore last signed (see `listing`).
    listed: parking_lot::Mutex<Option<listing::Listed>>,
    /// The number of room changes stored when this node last read them (a cluster's nodes
    /// read them again when another node added one).
    seen: AtomicU64,
}

/// Who `key` is to the community now.
pub fn who(snapshot: &Snapshot, key: &nips::PubKey, now: u64) -> Who {
    Who {
        key: *key,
        member: snapshot.is_member(key, now),
        operator: snapshot.policy.operators.keys.contains(key),
    }
}

fn state_filter() -> serde_json::Value {
    json!({ "kinds": nip29::STATE_KINDS })
}

/// Every recorded room change.
async fn read_changes(store: &dyn Store, now: u64) -> Result<Vec<Event>, CommunityError> {
    crate::community::all(store, state_filter(), now).await
}

impl RoomService {
    /// The rooms as the store records them.
    pub async fn load(store: &dyn Store, now: u64) -> Result<Self, CommunityError> {
        let changes = read_changes(store, now).await?;
        Ok(Self {
            rooms: RwLock::new(Arc::new(Rooms::replay(&changes))),
            write: tokio::sync::Mutex::new(()),
            clock: parking_lot::Mutex::new(0),
            listed: parking_lot::Mutex::new(None),
            seen: AtomicU64::new(changes.len() as u64),
        })
    }

    /// The rooms in force.
    pub fn current(&self) -> Arc<Rooms> {
        self.rooms.read().clone()
    }

    /// Reads the rooms from the store again, when another node may have changed them: at
    /// once with `force`, else only when the number of recorded changes moved.
    pub async fn refresh(&self, store: &dyn Store, force: bool) -> Result<(), CommunityError> {
        let _one = self.write.lock().await;
        let now = unix_now();
        if !force {
            let filter = Filter::from_value(&state_filter())
                .map_err(|e| CommunityError::Genesis(e.to_string()))?;
            let n = store
                .count(
                    std::slice::from_ref(&filter),
                    now,
                    Reader::Relay,
                    Wraps::All,
                )
                .await?;
            if n == self.seen.load(Ordering::Relaxed) {
                return Ok(());
            }
        }
        self.reload(store, now).await
    }

    /// Reads every room change again (the caller holds `write`).
    async fn reload(&self, store: &dyn Store, now: u64) -> Result<(), CommunityError> {
        let changes = read_changes(store, now).await?;
        self.seen.store(changes.len() as u64, Ordering::Relaxed);
        *self.rooms.write() = Arc::new(Rooms::replay(&changes));
        Ok(())
    }

    /// A `created_at` for a relay-signed replaceable room event: now, or one past the last.
    fn tick(&self, now: u64) -> u64 {
        let mut clock = self.clock.lock();
        *clock = now.max(*clock + 1);
        *clock
    }

    /// May `event`, an ordinary post with an `h` tag, go into its room? On a cluster the
    /// room may be a moment old on another node: the rooms are read again before a refusal.
    pub async fn may_post(
        &self,
        store: &dyn Store,
        clustered: bool,
        snapshot: &Snapshot,
        event: &Event,
    ) -> Result<(), Reason> {
        let Some(id) = nip29::room(event) else {
            return Ok(());
        };
        let who = who(snapshot, &event.pubkey, unix_now());
        let first = self.current().may_post(id, who);
        if first.is_err() && clustered && self.refresh(store, true).await.is_ok() {
            return self.current().may_post(id, who);
        }
        first
    }

    /// Refuses a deletion (NIP-09) that would erase a room's recorded change: the rooms are
    /// rebuilt from those records.
    pub async fn guard_deletion(&self, store: &dyn Store, event: &Event) -> Result<(), Reason> {
        let targets = nip09::targets(event);
        if targets.ids.is_empty() {
            return Ok(());
        }
        let ids: Vec<String> = targets.ids.iter().map(|i| i.to_hex()).collect();
        let filter = json!({"ids": ids, "kinds": nip29::STATE_KINDS});
        let found = crate::community::all(store, filter, unix_now())
            .await
            .map_err(|_| Reason::error("could not check the deletion; try again"))?;
        match found.is_empty() {
            true => Ok(()),
            false => Err(Reason::blocked(
                "a room's changes are part of its record and cannot be deleted",
            )),
        }
    }

    /// Takes a room request: checks it, then records it with what it sets off (the relay's
    /// answer to a join or leave, a deleted post, the room's new signed state) in one
    /// transaction, applies it, and delivers the new events live.
    pub async fn handle(
        &self,
        hands: &Hands,
        keys: &Keys,
        snapshot: &Snapshot,
        record: &Arc<Record>,
        clustered: bool,
    ) -> Result<std::borrow::Cow<'static, str>, Reason> {
        let event = &record.event;
        let _one = self.write.lock().await;
        let now = unix_now();
        let (who, creators) = (
            who(snapshot, &event.pubkey, now),
            snapshot.policy.rooms.create,
        );
        let mut rooms = self.current();
        let mut checked = rooms.check(event, who, creators);
        // On a cluster the room may be a moment old on another node: read the rooms again
        // before refusing.
        if checked.is_err() && clustered && self.reload(&*hands.store, now).await.is_ok() {
            rooms = self.current();
            checked = rooms.check(event, who, creators);
        }
        let change = checked?;
        let id = nip29::room(event).unwrap_or_default().to_string();
        let mut next = (*rooms).clone();
        next.apply(event);
        let mut out: Vec<Event> = Vec::new();
        let mut effects: Vec<Effect> = Vec::new();
        match &change {
            Change::Admit(key) | Change::Release(key) => {
                let added = matches!(change, Change::Admit(_));
                let at = self.tick(now);
                let answer = signed::put_or_remove(keys, &id, key, added, at);
                next.apply(&answer);
                out.push(answer);
            }
            Change::DeleteEvent(target) => {
                self.in_room(&*hands.store, target, &id).await?;
                effects.push(Effect::Remove(*target));
            }
            Change::Recorded | Change::Pending => {}
        }
        if let Some(room) = next.get(&id) {
            out.extend(self.room_state(keys, snapshot, room, event.kind, now));
        }
        let records: Vec<Arc<Record>> = std::iter::once(record.clone())
            .chain(out.into_iter().map(|e| Arc::new(Record::new(e))))
            .collect();
        let mut ops: Vec<WriteOp> = records.iter().map(|r| WriteOp::Save(r.clone())).collect();
        ops.extend(effects.into_iter().map(WriteOp::Effect));
        let saved = hands.writer.write_all(ops).await.map_err(|e| {
            tracing::warn!(error = %e, "could not record a room change");
            Reason::error("could not record this now; try again shortly")
        })?;
        if saved.first() == Some(&Saved::Duplicate) {
            return Ok("duplicate: already have this event".into());
        }
        let changes = records
            .iter()
            .filter(|r| nip29::STATE_KINDS.contains(&r.event.kind));
        self.seen
            .fetch_add(changes.count() as u64, Ordering::Relaxed);
        *self.rooms.write() = Arc::new(next);
        for (r, outcome) in records.iter().zip(&saved) {
            if *outcome == Saved::Stored {
                hands.fanout.send(r, snapshot.policy.visibility).await;
            }
        }
        Ok(match change {
            Change::Pending => "your request to join waits for the room's admins".into(),
            _ => "".into(),
        })
    }

    /// The room's signed state after a change of kind `kind`: metadata and roles when it is
    /// new or edited, admins and members when they may have changed.
    fn room_state(
        &self,
        keys: &Keys,
        snapshot: &Snapshot,
        room: &governance::rooms::Room,
        kind: u16,
        now: u64,
    ) -> Vec<Event> {
        let at = self.tick(now);
        let mut out = Vec::new();
        if matches!(kind, nip29::KIND_CREATE_GROUP | nip29::KIND_EDIT_METADATA) {
            out.push(signed::metadata(keys, room, at));
        }
        if kind == nip29::KIND_CREATE_GROUP {
            out.push(signed::roles(keys, room, at));
        }
        if kind != nip29::KIND_EDIT_METADATA && kind != nip29::KIND_DELETE_EVENT {
            out.push(signed::admins(keys, room, at));
            let listed = listing::listed(room, snapshot, now);
            out.push(signed::members(keys, room, &listed, at));
        }
        out
    }

    /// Is `target` a post in room `id`? An admin deletes only in their room, and never a
    /// room's recorded change.
    async fn in_room(
        &self,
        store: &dyn Store,
        target: &nips::EventId,
        id: &str,
    ) -> Result<(), Reason> {
        let filter = json!({"ids": [target.to_hex()]});
        let found = crate::community::all(store, filter, unix_now())
            .await
            .map_err(|_| Reason::error("could not find that post now; try again"))?;
        match found.first() {
            Some(e) if nip29::room(e) == Some(id) && !nip29::STATE_KINDS.contains(&e.kind) => {
                Ok(())
            }
            _ => Err(Reason::invalid("that post is not in this room")),
        }
    }
}
