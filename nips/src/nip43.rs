//! NIP-43: relay membership events and join/invite/leave requests.

use crate::event::{Event, PubKey};
use crate::hex;

/// Relay-signed: a member was added.
pub const KIND_MEMBER_ADDED: u16 = 8000;
/// Relay-signed: a member was removed.
pub const KIND_MEMBER_REMOVED: u16 = 8001;
/// Relay-signed: the membership list (replaceable).
pub const KIND_MEMBERSHIP_LIST: u16 = 13534;
/// Relay-signed: a role definition (addressable).
pub const KIND_ROLE: u16 = 33534;
/// User: a request to join, with a `claim` tag holding an invite code.
pub const KIND_JOIN_REQUEST: u16 = 28934;
/// Relay-signed, generated on request: an invite code.
pub const KIND_INVITE: u16 = 28935;
/// User: a request to leave.
pub const KIND_LEAVE_REQUEST: u16 = 28936;

/// How far a join/leave request's `created_at` may be from now, seconds ("now, plus or minus a
/// few minutes").
pub const MAX_REQUEST_SKEW: u64 = 600;

/// The invite code claimed by a join request, if any.
pub fn claim(event: &Event) -> Option<&str> {
    event.first_tag_value("claim").filter(|c| !c.is_empty())
}

/// Members named by a membership list's `member` tags.
pub fn listed_members(event: &Event) -> Vec<PubKey> {
    event
        .tag_values("member")
        .filter_map(|v| hex::decode_lower::<32>(v).map(PubKey))
        .collect()
}

/// The member named by an add/remove event's `p` tag.
pub fn subject(event: &Event) -> Option<PubKey> {
    event
        .first_tag_value("p")
        .and_then(hex::decode_lower::<32>)
        .map(PubKey)
}
