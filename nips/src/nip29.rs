//! NIP-29: relay-based groups ("rooms"). Members send moderation and membership requests
//! (90xx) with the room's `h` tag; the relay signs the room's state (390xx) with its own key.

use crate::event::{Event, PubKey};
use crate::hex;

/// Moderation: add a user to a room, with optional roles after the key.
pub const KIND_PUT_USER: u16 = 9000;
/// Moderation: remove a user from a room.
pub const KIND_REMOVE_USER: u16 = 9001;
/// Moderation: change a room's name, picture, description or flags.
pub const KIND_EDIT_METADATA: u16 = 9002;
/// Moderation: delete an event posted in a room.
pub const KIND_DELETE_EVENT: u16 = 9005;
/// Create a room.
pub const KIND_CREATE_GROUP: u16 = 9007;
/// Delete a room.
pub const KIND_DELETE_GROUP: u16 = 9008;
/// Moderation: create an invite code (not offered here).
pub const KIND_CREATE_INVITE: u16 = 9009;
/// User: ask to join a room.
pub const KIND_JOIN_REQUEST: u16 = 9021;
/// User: leave a room.
pub const KIND_LEAVE_REQUEST: u16 = 9022;
/// Relay-signed: who may create rooms (replaceable; read by Flotilla).
pub const KIND_CREATE_PERMISSION: u16 = 19004;
/// Relay-signed: a room's metadata (addressable by the room id).
pub const KIND_METADATA: u16 = 39000;
/// Relay-signed: a room's admins and their roles.
pub const KIND_ADMINS: u16 = 39001;
/// Relay-signed: a room's members.
pub const KIND_MEMBERS: u16 = 39002;
/// Relay-signed: the roles rooms know.
pub const KIND_ROLES: u16 = 39003;

/// The kinds a member sends to manage rooms and their place in them.
pub fn is_request(kind: u16) -> bool {
    (9000..=9020).contains(&kind) || kind == KIND_JOIN_REQUEST || kind == KIND_LEAVE_REQUEST
}

/// The kinds only the relay signs.
pub fn is_relay_signed(kind: u16) -> bool {
    kind == KIND_CREATE_PERMISSION || (KIND_METADATA..=KIND_ROLES).contains(&kind)
}

/// The kinds that change a room's state, folded in order to rebuild it.
pub const STATE_KINDS: [u16; 5] = [
    KIND_PUT_USER,
    KIND_REMOVE_USER,
    KIND_EDIT_METADATA,
    KIND_CREATE_GROUP,
    KIND_DELETE_GROUP,
];

/// The room an event is sent to: its first `h` tag, if any.
pub fn room(event: &Event) -> Option<&str> {
    event.first_tag_value("h")
}

/// The key and roles a `p` tag names (`["p", <hex>, <role>…]`), first tag only.
pub fn target(event: &Event) -> Option<(PubKey, Vec<String>)> {
    let tag = event
        .tags
        .iter()
        .find(|t| t.first().is_some_and(|n| n == "p"))?;
    let key = hex::decode_lower::<32>(tag.get(1)?).map(PubKey)?;
    let roles = tag[2..].iter().filter(|r| !r.is_empty()).cloned().collect();
    Some((key, roles))
}

/// Is `id` a room id this relay accepts: 1 to 64 characters of letters, digits, `-` and `_`.
/// (Clients make random ids; the limit keeps ids fit for URLs and tags.)
pub fn valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_short_and_plain() {
        assert!(valid_id("a1b2-c_3"));
        assert!(!valid_id(""));
        assert!(!valid_id("has space"));
        assert!(!valid_id("ünï"));
        assert!(!valid_id(&"x".repeat(65)));
    }

    #[test]
    fn requests_and_relay_kinds_are_told_apart() {
        assert!(is_request(KIND_CREATE_GROUP) && is_request(KIND_LEAVE_REQUEST));
        assert!(!is_request(9));
        assert!(is_relay_signed(KIND_MEMBERS) && is_relay_signed(KIND_CREATE_PERMISSION));
        assert!(!is_relay_signed(KIND_PUT_USER));
    }
}
