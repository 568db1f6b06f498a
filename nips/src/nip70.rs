//! NIP-70: protected events, carrying a bare `["-"]` tag.

use crate::event::Event;

/// True when `event` is protected and may only be published by its authenticated author.
pub fn is_protected(event: &Event) -> bool {
    event.tags.iter().any(|t| t.len() == 1 && t[0] == "-")
}
