//! The room lists tell the truth about the community: who may create rooms (19004) follows
//! the members and `rooms.create`, and each room's member list (39002) leaves out whoever is
//! no longer a member in good standing (a ban from the community is a ban from every room).
//! Checked every second on the leader, and cheaply: the lists are compared in memory, and
//! signed again only when the members, the policy, the bans in force or the rooms changed.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use governance::rooms::{Creators, Room, Rooms};
use nips::{Event, Keys, PubKey};

use super::{RoomService, signed};
use crate::community::Snapshot;
use crate::community::hands::Hands;
use crate::store::{Record, Saved, WriteOp};

/// What the chore last signed, and what it was signed from.
pub(super) struct Listed {
    snapshot: Arc<Snapshot>,
    rooms: Arc<Rooms>,
    banned: BTreeSet<PubKey>,
    creators: Vec<PubKey>,
    members: BTreeMap<String, Vec<PubKey>>,
}

/// The members of `room` the lists name at `now`.
pub(super) fn listed(room: &Room, snapshot: &Snapshot, now: u64) -> Vec<PubKey> {
    room.members
        .iter()
        .filter(|k| snapshot.is_member(k, now))
        .copied()
        .collect()
}

/// The keys that may create rooms at `now`.
fn creators(snapshot: &Snapshot, now: u64) -> Vec<PubKey> {
    let policy = &snapshot.policy;
    match policy.rooms.create {
        Creators::Members => {
            let mut keys: Vec<PubKey> = policy
                .listed(&snapshot.roster, now)
                .map(|(k, _)| *k)
                .collect();
            keys.extend(
                policy
                    .operators
                    .keys
                    .iter()
                    .filter(|k| !snapshot.roster.contains(k)),
            );
            keys
        }
        Creators::Operators => policy.operators.keys.clone(),
    }
}

impl RoomService {
    /// Signs the lists again where they changed since they were last signed (after a start,
    /// since the lists the store holds).
    pub async fn relist_due(&self, hands: &Hands, keys: &Keys, snapshot: Arc<Snapshot>, now: u64) {
        let rooms = self.current();
        let banned = snapshot.policy.banned_members(&snapshot.roster, now);
        let previous = {
            let last = self.listed.lock();
            match last.as_ref() {
                Some(l)
                    if Arc::ptr_eq(&l.snapshot, &snapshot)
                        && Arc::ptr_eq(&l.rooms, &rooms)
                        && l.banned == banned =>
                {
                    return;
                }
                Some(l) => Some((Some(l.creators.clone()), l.members.clone())),
                None => None,
            }
        };
        let (was_creators, was_members) = match previous {
            Some(p) => p,
            None => match stored(hands, keys, now).await {
                Ok(p) => p,
                Err(e) => {
                    tracing::warn!(error = %e, "could not read the rooms' lists");
                    return;
                }
            },
        };
        let creators_now = creators(&snapshot, now);
        let members_now: BTreeMap<String, Vec<PubKey>> = rooms
            .iter()
            .map(|r| (r.id.clone(), listed(r, &snapshot, now)))
            .collect();
        let at = self.tick(now);
        let mut out: Vec<Event> = Vec::new();
        if was_creators.as_ref() != Some(&creators_now) {
            out.push(signed::creators(keys, &creators_now, at));
        }
        for room in rooms.iter() {
            let is = &members_now[&room.id];
            if was_members.get(&room.id) != Some(is) {
                out.push(signed::members(keys, room, is, at));
            }
        }
        if !out.is_empty() && !publish(hands, &snapshot, out).await {
            return;
        }
        *self.listed.lock() = Some(Listed {
            snapshot,
            rooms,
            banned,
            creators: creators_now,
            members: members_now,
        });
    }
}

/// The lists the store holds: who may create rooms, and each room's members.
async fn stored(
    hands: &Hands,
    keys: &Keys,
    now: u64,
) -> Result<(Option<Vec<PubKey>>, BTreeMap<String, Vec<PubKey>>), crate::community::CommunityError>
{
    let relay = keys.pubkey().to_hex();
    let keys_of = |e: &Event| -> Vec<PubKey> {
        e.tag_values("p")
            .filter_map(|v| nips::hex::decode_lower::<32>(v).map(PubKey))
            .collect()
    };
    let filter = serde_json::json!({"authors": [&relay], "kinds": [nips::nip29::KIND_CREATE_PERMISSION], "limit": 1});
    let creators = crate::community::all(&*hands.store, filter, now).await?;
    let filter = serde_json::json!({"authors": [&relay], "kinds": [nips::nip29::KIND_MEMBERS]});
    let members = crate::community::all(&*hands.store, filter, now)
        .await?
        .iter()
        .filter_map(|e| Some((e.first_tag_value("d")?.to_string(), keys_of(e))))
        .collect();
    Ok((creators.first().map(keys_of), members))
}

/// Stores and delivers the relay's lists; false when they could not be stored.
async fn publish(hands: &Hands, snapshot: &Snapshot, events: Vec<Event>) -> bool {
    let records: Vec<Arc<Record>> = events
        .into_iter()
        .map(|e| Arc::new(Record::new(e)))
        .collect();
    let ops = records.iter().map(|r| WriteOp::Save(r.clone())).collect();
    match hands.writer.write_all(ops).await {
        Ok(saved) => {
            for (r, outcome) in records.iter().zip(&saved) {
                if *outcome == Saved::Stored {
                    hands.fanout.send(r, snapshot.policy.visibility).await;
                }
            }
            true
        }
        Err(e) => {
            tracing::warn!(error = %e, "could not publish the rooms' lists");
            false
        }
    }
}
