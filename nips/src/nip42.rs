//! NIP-42: authentication of clients to relays with signed kind-22242 events.

use crate::event::Event;

/// Kind of an authentication event.
pub const KIND_AUTH: u16 = 22242;

/// How far an AUTH event's `created_at` may be from now, in seconds (NIP-42 suggests ~10 min).
pub const MAX_AUTH_SKEW: u64 = 600;

/// Why an AUTH event was refused. Client-visible after `invalid: ` / `restricted: `.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("AUTH event must be kind 22242")]
    WrongKind,
    #[error("AUTH event is too old or too far in the future")]
    Stale,
    #[error("AUTH event does not answer this connection's challenge")]
    WrongChallenge,
    #[error("AUTH event names another relay")]
    WrongRelay,
}

/// Checks kind, freshness, challenge and relay URL. The signature is checked by the caller
/// along with every other event.
pub fn check(event: &Event, challenge: &str, relay_url: &str, now: u64) -> Result<(), AuthError> {
    if event.kind != KIND_AUTH {
        return Err(AuthError::WrongKind);
    }
    if event.created_at.abs_diff(now) > MAX_AUTH_SKEW {
        return Err(AuthError::Stale);
    }
    if event.first_tag_value("challenge") != Some(challenge) {
        return Err(AuthError::WrongChallenge);
    }
    match event.first_tag_value("relay") {
        Some(url) if same_relay(url, relay_url) => Ok(()),
        _ => Err(AuthError::WrongRelay),
    }
}

/// Compares relay URLs as NIP-42 allows: case-insensitive host, default ports made explicit,
/// trailing slash ignored. `ws`/`wss` (and `http`/`https`) are treated alike because TLS is
/// usually terminated by a proxy in front of the relay.
pub fn same_relay(a: &str, b: &str) -> bool {
    match (normalize(a), normalize(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

fn normalize(url: &str) -> Option<(String, u16, String)> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let default_port = match scheme.to_ascii_lowercase().as_str() {
        "ws" | "http" => 80,
        "wss" | "https" => 443,
        _ => return None,
    };
    let (authority, path) = match rest.find(['/', '?', '#']) {
        Some(at) => (&rest[..at], &rest[at..]),
        None => (rest, ""),
    };
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => match p.parse() {
            Ok(port) => (h, port),
            Err(_) if p.is_empty() => (h, default_port),
            Err(_) => (authority, default_port),
        },
        _ => (authority, default_port),
    };
    if host.is_empty() {
        return None;
    }
    let path = path.trim_end_matches('/').to_owned();
    Some((host.to_ascii_lowercase(), port, path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::Keys;

    fn auth(keys: &Keys, at: u64, relay: &str, challenge: &str) -> Event {
        keys.sign(
            at,
            KIND_AUTH,
            vec![
                vec!["relay".into(), relay.into()],
                vec!["challenge".into(), challenge.into()],
            ],
            String::new(),
        )
    }

    #[test]
    fn accepts_the_right_answer_only() {
        let k = Keys::generate();
        let url = "ws://127.0.0.1:7777";
        assert_eq!(
            check(&auth(&k, 1000, "ws://127.0.0.1:7777/", "c"), "c", url, 1000),
            Ok(())
        );
        assert_eq!(
            check(&auth(&k, 1000, url, "other"), "c", url, 1000),
            Err(AuthError::WrongChallenge)
        );
        assert_eq!(
            check(&auth(&k, 1000, "ws://evil.example", "c"), "c", url, 1000),
            Err(AuthError::WrongRelay)
        );
        assert_eq!(
            check(
                &auth(&k, 1000, url, "c"),
                "c",
                url,
                1000 + MAX_AUTH_SKEW + 1
            ),
            Err(AuthError::Stale)
        );
        let note = k.sign(1000, 1, vec![], String::new());
        assert_eq!(check(&note, "c", url, 1000), Err(AuthError::WrongKind));
    }

    #[test]
    fn normalizes_urls() {
        assert!(same_relay(
            "wss://Relay.Example.com",
            "wss://relay.example.com/"
        ));
        assert!(same_relay(
            "wss://relay.example.com:443",
            "wss://relay.example.com"
        ));
        assert!(same_relay(
            "ws://relay.example.com",
            "wss://relay.example.com:80"
        ));
        assert!(!same_relay(
            "wss://relay.example.com/a",
            "wss://relay.example.com/b"
        ));
        assert!(!same_relay(
            "wss://relay.example.com:444",
            "wss://relay.example.com"
        ));
        assert!(!same_relay("relay.example.com", "wss://relay.example.com"));
        assert!(same_relay("ws://[::1]:7777", "ws://[::1]:7777/"));
    }
}
