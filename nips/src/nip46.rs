//! NIP-46 (Nostr Connect): a person's app asks their signer, wherever it runs, to sign; both
//! speak through relays in encrypted kind-24133 events addressed (`p`) to each other.

use crate::{Event, Filter};

/// A message between an app and a remote signer.
pub const KIND_SIGNER: u16 = 24_133;

/// Do `filters` ask only for signer messages addressed to given keys (what an app or a signer
/// listens for)? Such events are encrypted, ephemeral and addressed, so anyone may ask.
pub fn asks_for_signer_only(filters: &[Filter]) -> bool {
    !filters.is_empty()
        && filters.iter().all(|f| {
            f.kinds.as_deref() == Some(&[KIND_SIGNER][..])
                && f.tags.iter().any(|t| t.name == 'p' && !t.values.is_empty())
        })
}

/// The key a signer message is addressed to.
pub fn recipient(event: &Event) -> Option<crate::PubKey> {
    event.first_tag_value("p")?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_addressed_signer_messages_are_for_anyone() {
        let f = |v: serde_json::Value| Filter::from_value(&v).unwrap();
        let p = "ab".repeat(32);
        assert!(asks_for_signer_only(&[f(
            json!({"kinds": [24133], "#p": [p]})
        )]));
        assert!(
            !asks_for_signer_only(&[f(json!({"kinds": [24133]}))]),
            "to anyone"
        );
        assert!(!asks_for_signer_only(&[f(
            json!({"kinds": [24133, 1], "#p": [p]})
        )]));
        assert!(!asks_for_signer_only(&[]));
    }
}
