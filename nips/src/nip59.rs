//! NIP-59: gift wraps (kind 1059), the envelope of NIP-17 direct messages. A wrap is signed by
//! a throwaway key and names its one recipient in a `p` tag, so relays deliver it only to that
//! recipient, once authenticated.

use crate::event::{Event, PubKey};

/// Kind of a gift wrap.
pub const KIND_GIFT_WRAP: u16 = 1059;

/// The wrap's recipient: its first `p` tag.
pub fn recipient(event: &Event) -> Option<PubKey> {
    event.first_tag_value("p").and_then(|v| v.parse().ok())
}

/// May a connection authenticated as `authed` receive `event`? Anything but a gift wrap, and a
/// wrap only by its recipient.
pub fn may_receive(event: &Event, authed: &[PubKey]) -> bool {
    event.kind != KIND_GIFT_WRAP || recipient(event).is_some_and(|r| authed.contains(&r))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::Keys;

    #[test]
    fn only_the_recipient_receives_a_wrap() {
        let (to, other) = (Keys::generate().pubkey(), Keys::generate().pubkey());
        let wrap = Keys::generate().sign(
            1,
            KIND_GIFT_WRAP,
            vec![vec!["p".into(), to.to_hex()]],
            "x".into(),
        );
        assert_eq!(recipient(&wrap), Some(to));
        assert!(may_receive(&wrap, &[other, to]));
        assert!(!may_receive(&wrap, &[other]));
        assert!(!may_receive(&wrap, &[]));
        let note = Keys::generate().sign(1, 1, vec![], String::new());
        assert!(may_receive(&note, &[]), "other kinds go to anyone");
    }
}
