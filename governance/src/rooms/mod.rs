//! Rooms (NIP-29 groups) inside the community: their state, rebuilt by folding the room
//! changes the relay accepted (create, put and remove a user, edit, delete) in order, and the
//! community's rule on who may create them (`rooms.create`). What a room's admins may do is
//! checked in [`check`]; the community's own rules (membership, bans) bound all of it.

pub mod check;

use std::collections::{BTreeMap, BTreeSet};

use nips::{Event, PubKey, nip29};
use serde::{Deserialize, Serialize};

/// The one role a room knows: its admins moderate it.
pub const ADMIN: &str = "admin";

/// Who may create a room (`rooms.create`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Creators {
    /// Any member in good standing.
    #[default]
    Members,
    /// Only the community's operators.
    Operators,
}

impl Creators {
    pub fn as_str(self) -> &'static str {
        match self {
            Creators::Members => "members",
            Creators::Operators => "operators",
        }
    }
}

/// The `rooms.*` policy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RoomsPolicy {
    pub create: Creators,
}

/// One room as its changes left it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Room {
    pub id: String,
    pub name: String,
    pub about: String,
    /// The `picture` tag's values (the URL, then any image details).
    pub picture: Vec<String>,
    /// Join requests wait for an admin instead of being granted at once.
    pub closed: bool,
    /// Only the room's members may post in it.
    pub restricted: bool,
    pub admins: BTreeSet<PubKey>,
    /// Everyone in the room, admins included.
    pub members: BTreeSet<PubKey>,
    pub created_by: PubKey,
    pub created_at: u64,
}

impl Room {
    fn new(id: &str, creator: PubKey, at: u64) -> Self {
        Self {
            id: id.to_string(),
            name: String::new(),
            about: String::new(),
            picture: Vec::new(),
            closed: false,
            restricted: false,
            admins: BTreeSet::from([creator]),
            members: BTreeSet::from([creator]),
            created_by: creator,
            created_at: at,
        }
    }

    /// Are only members let in, or only members let post?
    pub fn members_only(&self) -> bool {
        self.closed || self.restricted
    }

    /// Takes the metadata an edit names; flags are set by their presence, as NIP-29 has them.
    fn edit(&mut self, event: &Event) {
        if let Some(name) = event.first_tag_value("name") {
            self.name = name.to_string();
        }
        if let Some(about) = event.first_tag_value("about") {
            self.about = about.to_string();
        }
        if let Some(t) = event
            .tags
            .iter()
            .find(|t| t.first().is_some_and(|n| n == "picture"))
        {
            self.picture = t[1..].to_vec();
        }
        self.closed = event.has_tag("closed");
        self.restricted = event.has_tag("restricted");
    }
}

/// Every room of the community, the ids of those deleted (never reused), and the changes
/// they were folded from: a change that sorts before one already applied (two nodes, or two
/// people in one second) folds them all again, so the rooms are always the fold of their
/// changes in one order, the same on every node and after every restart.
#[derive(Debug, Clone, Default)]
pub struct Rooms {
    rooms: BTreeMap<String, Room>,
    deleted: BTreeSet<String>,
    log: Vec<Event>,
}

/// Rooms are equal when the rooms are, however their changes arrived.
impl PartialEq for Rooms {
    fn eq(&self, other: &Self) -> bool {
        self.rooms == other.rooms && self.deleted == other.deleted
    }
}

impl Eq for Rooms {}

/// The order changes are folded in: by time; within a second, creation first, then edits and
/// additions, then removals, then deletion; then by id.
fn order(e: &Event) -> (u64, u8, [u8; 32]) {
    (e.created_at, rank(e.kind), e.id.0)
}

impl Rooms {
    /// Folds the accepted room changes `events` (any order; sorted here) into rooms.
    pub fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> Self {
        let mut sorted: Vec<&Event> = events.into_iter().collect();
        sorted.sort_by_key(|e| order(e));
        sorted.dedup_by_key(|e| e.id);
        let mut rooms = Self::default();
        for e in sorted {
            rooms.fold(e);
            rooms.log.push(e.clone());
        }
        rooms
    }

    /// Applies one accepted change, in its place among the others.
    pub fn apply(&mut self, event: &Event) {
        match self.log.last() {
            Some(last) if order(event) <= order(last) => {
                let mut all = std::mem::take(&mut self.log);
                all.push(event.clone());
                *self = Self::replay(&all);
            }
            _ => {
                self.fold(event);
                self.log.push(event.clone());
            }
        }
    }

    /// Folds one change in. Changes to rooms that do not exist are ignored.
    fn fold(&mut self, event: &Event) {
        let Some(id) = nip29::room(event) else { return };
        if event.kind == nip29::KIND_CREATE_GROUP {
            if !self.rooms.contains_key(id) && !self.deleted.contains(id) {
                let room = Room::new(id, event.pubkey, event.created_at);
                self.rooms.insert(id.to_string(), room);
            }
            return;
        }
        if event.kind == nip29::KIND_DELETE_GROUP {
            if self.rooms.remove(id).is_some() {
                self.deleted.insert(id.to_string());
            }
            return;
        }
        let Some(room) = self.rooms.get_mut(id) else {
            return;
        };
        match event.kind {
            nip29::KIND_PUT_USER => {
                if let Some((key, roles)) = nip29::target(event) {
                    room.members.insert(key);
                    match roles.iter().any(|r| r == ADMIN) {
                        true => room.admins.insert(key),
                        false if !roles.is_empty() => room.admins.remove(&key),
                        false => false,
                    };
                }
            }
            nip29::KIND_REMOVE_USER => {
                if let Some((key, _)) = nip29::target(event) {
                    room.members.remove(&key);
                    room.admins.remove(&key);
                }
            }
            nip29::KIND_EDIT_METADATA => room.edit(event),
            _ => {}
        }
    }

    pub fn get(&self, id: &str) -> Option<&Room> {
        self.rooms.get(id)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Room> {
        self.rooms.values()
    }

    pub fn len(&self) -> usize {
        self.rooms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rooms.is_empty()
    }

    pub fn was_deleted(&self, id: &str) -> bool {
        self.deleted.contains(id)
    }
}

/// Within one second: a room is created before it changes, people are added before they
/// are removed, and a room is deleted last.
fn rank(kind: u16) -> u8 {
    match kind {
        nip29::KIND_CREATE_GROUP => 0,
        nip29::KIND_REMOVE_USER => 2,
        nip29::KIND_DELETE_GROUP => 3,
        _ => 1,
    }
}

#[cfg(test)]
mod tests;
