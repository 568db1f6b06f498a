//! NIP-98: HTTP requests authorized by a signed kind-27235 event in the `Authorization` header.

use base64::Engine;
use sha2::{Digest, Sha256};

use crate::event::Event;

/// Kind of an HTTP auth event.
pub const KIND_HTTP_AUTH: u16 = 27235;

/// How far the auth event's `created_at` may be from now, seconds (NIP-98 suggests 60).
pub const MAX_SKEW: u64 = 60;

/// Why an authorization was refused. Each maps to HTTP 401.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("missing `Authorization: Nostr <base64 event>` header")]
    Header,
    #[error("authorization is not base64 of a Nostr event")]
    Encoding,
    #[error("authorization event is invalid: {0}")]
    Event(String),
    #[error("authorization event must be kind 27235")]
    Kind,
    #[error("authorization event is too old or too far in the future")]
    Stale,
    #[error("authorization `u` tag does not match this URL")]
    Url,
    #[error("authorization `method` tag does not match the request method")]
    Method,
    #[error("authorization needs a `payload` tag with the sha256 of the body")]
    MissingPayload,
    #[error("authorization `payload` does not match the request body")]
    Payload,
}

/// Reads the event from an `Authorization` header value (`Nostr <base64>`), and verifies its
/// id and signature.
pub fn parse_header(value: &str) -> Result<Event, AuthError> {
    let encoded = value
        .trim()
        .strip_prefix("Nostr ")
        .ok_or(AuthError::Header)?
        .trim();
    let json = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|_| AuthError::Encoding)?;
    let json = String::from_utf8(json).map_err(|_| AuthError::Encoding)?;
    let event = Event::from_json(&json).map_err(|e| AuthError::Event(e.to_string()))?;
    event
        .verify()
        .map_err(|e| AuthError::Event(e.to_string()))?;
    Ok(event)
}

/// Checks kind, freshness, URL (one of `urls`, ignoring a trailing slash), method and the
/// `payload` hash of `body`, which NIP-86 requires. A request without a body (a `GET`) may
/// leave `payload` out, as NIP-98 asks it only of requests with one.
pub fn check(
    event: &Event,
    urls: &[String],
    method: &str,
    body: &[u8],
    now: u64,
) -> Result<(), AuthError> {
    if event.kind != KIND_HTTP_AUTH {
        return Err(AuthError::Kind);
    }
    if event.created_at.abs_diff(now) > MAX_SKEW {
        return Err(AuthError::Stale);
    }
    let u = event.first_tag_value("u").ok_or(AuthError::Url)?;
    if !urls
        .iter()
        .any(|url| url.trim_end_matches('/') == u.trim_end_matches('/'))
    {
        return Err(AuthError::Url);
    }
    if !event
        .first_tag_value("method")
        .is_some_and(|m| m.eq_ignore_ascii_case(method))
    {
        return Err(AuthError::Method);
    }
    match event.first_tag_value("payload") {
        None if body.is_empty() => Ok(()),
        None => Err(AuthError::MissingPayload),
        Some(p) if p == crate::hex::encode(&Sha256::digest(body)) => Ok(()),
        Some(_) => Err(AuthError::Payload),
    }
}

/// Builds the header value for `event` (clients and tests).
pub fn header(event: &Event) -> String {
    format!(
        "Nostr {}",
        base64::engine::general_purpose::STANDARD.encode(event.to_json())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::Keys;

    fn auth(keys: &Keys, at: u64, url: &str, method: &str, body: &[u8]) -> Event {
        keys.sign(
            at,
            KIND_HTTP_AUTH,
            vec![
                vec!["u".into(), url.into()],
                vec!["method".into(), method.into()],
                vec!["payload".into(), crate::hex::encode(&Sha256::digest(body))],
            ],
            String::new(),
        )
    }

    #[test]
    fn checks_every_field() {
        let k = Keys::generate();
        let urls = vec!["http://relay.example/".to_string()];
        let body = b"{\"method\":\"supportedmethods\",\"params\":[]}";
        let good = auth(&k, 100, "http://relay.example", "POST", body);
        let parsed = parse_header(&header(&good)).unwrap();
        assert_eq!(check(&parsed, &urls, "POST", body, 100), Ok(()));
        assert_eq!(
            check(&good, &urls, "POST", b"other", 100),
            Err(AuthError::Payload)
        );
        assert_eq!(
            check(&good, &urls, "GET", body, 100),
            Err(AuthError::Method)
        );
        assert_eq!(
            check(&good, &urls, "POST", body, 161),
            Err(AuthError::Stale)
        );
        let elsewhere = auth(&k, 100, "http://evil.example", "POST", body);
        assert_eq!(
            check(&elsewhere, &urls, "POST", body, 100),
            Err(AuthError::Url)
        );
        // A GET has no body, and may name no payload; a POST must.
        let bare = |method: &str| {
            k.sign(
                100,
                KIND_HTTP_AUTH,
                vec![
                    vec!["u".into(), "http://relay.example".into()],
                    vec!["method".into(), method.into()],
                ],
                String::new(),
            )
        };
        assert_eq!(check(&bare("GET"), &urls, "GET", b"", 100), Ok(()));
        assert_eq!(
            check(&bare("POST"), &urls, "POST", body, 100),
            Err(AuthError::MissingPayload)
        );
        assert_eq!(parse_header("Bearer x"), Err(AuthError::Header));
        assert_eq!(parse_header("Nostr !!!"), Err(AuthError::Encoding));
        let mut forged = good.clone();
        forged.sig.0[3] ^= 1;
        assert!(matches!(
            parse_header(&header(&forged)),
            Err(AuthError::Event(_))
        ));
    }
}
