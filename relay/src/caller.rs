//! Who is asking over HTTP: the client's address (behind a trusted proxy, the one the proxy
//! saw), and the URLs and one-time use of NIP-98 authorizations. The page and the management
//! API both ask, so it sits below both.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;
use nips::{Signature, nip98};

use crate::relay::Relay;

/// The client's address: the peer's, or, from a trusted proxy, the configured header's (the
/// rightmost `X-Forwarded-For` entry: the one the proxy added).
pub fn client_ip(relay: &Relay, peer: &SocketAddr, headers: &HeaderMap) -> IpAddr {
    let server = &relay.config.server;
    let Some(name) = &server.real_ip_header else {
        return peer.ip();
    };
    if !server.trusted_proxies.contains(&peer.ip()) {
        return peer.ip();
    }
    headers
        .get(name.as_str())
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| peer.ip())
}

/// Records an authorization's signature as used; false if it was used before, on any node
/// sharing the database (or if the database cannot tell). Keyed by signature, not id: a client
/// that signs the same request twice in one second gets two signatures (BIP-340 signing is
/// randomized), while a replayed header repeats one. Only operators' and members'
/// authorizations get here, at the request rate of their addresses.
pub async fn first_use(relay: &Relay, sig: &Signature, now: u64) -> bool {
    let until = now + 2 * nip98::MAX_SKEW + 1;
    match relay.store.first_use(&sig.0, until, now).await {
        Ok(first) => first,
        Err(e) => {
            tracing::warn!(error = %e, "could not record an authorization; refused");
            false
        }
    }
}

/// The URLs a `u` tag may name: the relay's public URL, as ws(s) or http(s).
pub fn accepted_urls(public_url: &str) -> Vec<String> {
    let http = public_url
        .replacen("wss://", "https://", 1)
        .replacen("ws://", "http://", 1);
    vec![public_url.to_string(), http]
}

/// The URLs of a page at `path` (with its query) of the relay, as a NIP-98 `u` names them.
pub fn page_urls(public_url: &str, path: &str) -> Vec<String> {
    accepted_urls(public_url)
        .into_iter()
        .map(|base| format!("{}{path}", base.trim_end_matches('/')))
        .collect()
}
