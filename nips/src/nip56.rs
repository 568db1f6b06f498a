//! NIP-56: reports (kind 1984).

use crate::event::{Event, EventId, PubKey};
use crate::hex;

/// A report.
pub const KIND_REPORT: u16 = 1984;

/// What a report points at: an event (with its author) or a pubkey alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    Event(EventId, PubKey),
    Pubkey(PubKey),
}

/// The target of a report: its `e` tag with the `p` tag as author, or the `p` tag alone.
pub fn target(report: &Event) -> Option<Target> {
    let pubkey = report
        .first_tag_value("p")
        .and_then(hex::decode_lower::<32>)
        .map(PubKey)?;
    match report
        .first_tag_value("e")
        .and_then(hex::decode_lower::<32>)
    {
        Some(id) => Some(Target::Event(EventId(id), pubkey)),
        None => Some(Target::Pubkey(pubkey)),
    }
}
