//! NIP-62: requests to vanish (kind 62).

use crate::event::Event;
use crate::nip42::same_relay;

/// Kind of a request to vanish.
pub const KIND_VANISH: u16 = 62;

/// The `relay` value that addresses every relay.
pub const ALL_RELAYS: &str = "ALL_RELAYS";

/// Does the request name this relay (by URL) or all relays? Only then must it be honoured.
pub fn targets_relay(event: &Event, relay_url: &str) -> bool {
    event
        .tag_values("relay")
        .any(|v| v == ALL_RELAYS || same_relay(v, relay_url))
}
