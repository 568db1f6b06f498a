//! The room events the relay signs: a room's metadata, admins, members and roles (390xx), who
//! may create rooms (19004), and the `put-user`/`remove-user` that answer a join or a leave.

use governance::rooms::{ADMIN, Room};
use nips::{Event, Keys, PubKey, Tag, nip29};

fn tag(v: &[&str]) -> Tag {
    v.iter().map(|s| s.to_string()).collect()
}

/// Kind 39000: how clients show the room. Every room here is readable by whoever may read the
/// community, so it is never `private` or `hidden`.
pub fn metadata(keys: &Keys, room: &Room, at: u64) -> Event {
    let mut tags = vec![tag(&["d", &room.id])];
    let name = match room.name.is_empty() {
        true => room.id.as_str(),
        false => room.name.as_str(),
    };
    tags.push(tag(&["name", name]));
    if !room.about.is_empty() {
        tags.push(tag(&["about", &room.about]));
    }
    if !room.picture.is_empty() {
        let mut t = vec!["picture".to_string()];
        t.extend(room.picture.iter().cloned());
        tags.push(t);
    }
    tags.push(tag(&["public"]));
    tags.push(tag(&[if room.closed { "closed" } else { "open" }]));
    if room.restricted {
        tags.push(tag(&["restricted"]));
    }
    keys.sign(at, nip29::KIND_METADATA, tags, String::new())
}

/// Kind 39001: the room's admins.
pub fn admins(keys: &Keys, room: &Room, at: u64) -> Event {
    let mut tags = vec![tag(&["d", &room.id])];
    tags.extend(room.admins.iter().map(|k| tag(&["p", &k.to_hex(), ADMIN])));
    keys.sign(at, nip29::KIND_ADMINS, tags, String::new())
}

/// Kind 39002: the room's members, less `banned` (a ban from the community is a ban from
/// every room).
pub fn members(keys: &Keys, room: &Room, listed: &[PubKey], at: u64) -> Event {
    let mut tags = vec![tag(&["d", &room.id])];
    tags.extend(listed.iter().map(|k| tag(&["p", &k.to_hex()])));
    keys.sign(at, nip29::KIND_MEMBERS, tags, String::new())
}

/// Kind 39003: the one role rooms know.
pub fn roles(keys: &Keys, room: &Room, at: u64) -> Event {
    let tags = vec![
        tag(&["d", &room.id]),
        tag(&[
            "role",
            ADMIN,
            "adds and removes people, edits and deletes the room, deletes posts",
        ]),
    ];
    keys.sign(at, nip29::KIND_ROLES, tags, String::new())
}

/// Kind 19004: the keys that may create rooms now.
pub fn creators(keys: &Keys, who: &[PubKey], at: u64) -> Event {
    let tags = who.iter().map(|k| tag(&["p", &k.to_hex()])).collect();
    keys.sign(at, nip29::KIND_CREATE_PERMISSION, tags, String::new())
}

/// Kind 9000 (`added`) or 9001 for `key` in room `id`, answering their join or leave.
pub fn put_or_remove(keys: &Keys, id: &str, key: &PubKey, added: bool, at: u64) -> Event {
    let kind = match added {
        true => nip29::KIND_PUT_USER,
        false => nip29::KIND_REMOVE_USER,
    };
    let tags = vec![tag(&["h", id]), tag(&["p", &key.to_hex()])];
    keys.sign(at, kind, tags, String::new())
}
