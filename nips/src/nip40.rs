//! NIP-40: the `expiration` tag.

use crate::event::Event;

/// The expiration time of `event`, if it carries a well-formed `expiration` tag.
pub fn expiration(event: &Event) -> Option<u64> {
    event.first_tag_value("expiration")?.parse().ok()
}

/// True when `event` has expired at `now` (an event expiring exactly now is expired).
pub fn is_expired(event: &Event, now: u64) -> bool {
    expiration(event).is_some_and(|at| at <= now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::Keys;

    #[test]
    fn reads_expiration() {
        let k = Keys::generate();
        let e = k.sign(
            1,
            1,
            vec![vec!["expiration".into(), "100".into()]],
            String::new(),
        );
        assert_eq!(expiration(&e), Some(100));
        assert!(is_expired(&e, 100));
        assert!(!is_expired(&e, 99));
        let bad = k.sign(
            1,
            1,
            vec![vec!["expiration".into(), "soon".into()]],
            String::new(),
        );
        assert_eq!(expiration(&bad), None);
    }
}
