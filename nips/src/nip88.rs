//! NIP-88: polls (kind 1068) and poll responses (kind 1018).

use crate::event::{Event, EventId};
use crate::hex;

/// A poll.
pub const KIND_POLL: u16 = 1068;
/// A response to a poll.
pub const KIND_RESPONSE: u16 = 1018;

/// The option ids of a poll, in tag order.
pub fn options(poll: &Event) -> Vec<&str> {
    poll.tag_values("option").collect()
}

/// The poll's `endsAt`, if well-formed.
pub fn ends_at(poll: &Event) -> Option<u64> {
    poll.first_tag_value("endsAt")?.parse().ok()
}

/// `singlechoice` unless the poll says otherwise.
pub fn poll_type(poll: &Event) -> &str {
    poll.first_tag_value("polltype").unwrap_or("singlechoice")
}

/// The poll a response answers: its first `e` tag.
pub fn responds_to(response: &Event) -> Option<EventId> {
    response
        .first_tag_value("e")
        .and_then(hex::decode_lower::<32>)
        .map(EventId)
}

/// The chosen option of a single-choice response: its first `response` tag.
pub fn choice(response: &Event) -> Option<&str> {
    response.first_tag_value("response")
}
