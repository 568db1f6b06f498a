//! NIP-13: proof of work as leading zero bits of the event id, with a committed target.

use crate::event::{Event, EventId};

/// Leading zero bits of `id`.
pub fn difficulty(id: &EventId) -> u32 {
    let mut bits = 0;
    for byte in id.0 {
        if byte == 0 {
            bits += 8;
        } else {
            bits += byte.leading_zeros();
            break;
        }
    }
    bits
}

/// The target committed in the `nonce` tag's third element, if any.
pub fn committed_target(event: &Event) -> Option<u32> {
    event
        .tags
        .iter()
        .find(|t| t.first().is_some_and(|n| n == "nonce"))
        .and_then(|t| t.get(2))
        .and_then(|v| v.parse().ok())
}

/// The difficulty that counts toward a minimum: the actual leading zeros, capped by the
/// committed target so that a lucky low-target miner cannot claim more than it aimed for.
/// An event without a committed target counts as zero.
pub fn effective_difficulty(event: &Event) -> u32 {
    match committed_target(event) {
        Some(target) => difficulty(&event.id).min(target),
        None => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_leading_zero_bits() {
        let id: EventId = "000000000e9d97a1ab09fc381030b346cdd7a142ad57e6df0b46dc9bef6c7e2d"
            .parse()
            .unwrap();
        assert_eq!(difficulty(&id), 36);
        let id: EventId = format!("002f{}", "f".repeat(60)).parse().unwrap();
        assert_eq!(difficulty(&id), 10);
        assert_eq!(difficulty(&EventId([0; 32])), 256);
    }
}
