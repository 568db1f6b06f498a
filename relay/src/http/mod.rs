//! HTTP: `GET /` is the WebSocket endpoint, the NIP-11 document (`Accept: application/nostr+json`)
//! or a short page for browsers. CORS is open, as NIP-11 requires.

mod nip11;
pub mod nip86;
mod parameters;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::{ConnectInfo, State, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::cors::{Any, CorsLayer};

use crate::relay::Relay;
use crate::session;
use crate::sockets::Peer;

/// The relay's HTTP application. CORS is open on everything but `/metrics`, which no web page
/// elsewhere has any business reading.
pub fn router(relay: Arc<Relay>) -> Router {
    let pages = Arc::new(crate::web::Pages::new(relay.config.server.max_page_renders));
    let app = crate::web::App { relay, pages };
    let public = Router::new()
        .route("/", get(root).post(nip86::handle))
        .route("/parameters.json", get(parameters::catalogue))
        .merge(crate::web::routes())
        .layer(
            CorsLayer::new()
                .allow_origin(Any)
                .allow_methods(Any)
                .allow_headers(Any),
        );
    let client = app.relay.client_app.clone();
    let router = Router::new()
        .route("/metrics", get(metrics))
        .merge(public)
        .with_state(app);
    match client {
        Some(client) => router.merge(crate::client_app::router(client)),
        None => router,
    }
}

/// The separate metrics listener's application (`server.metrics_listen`): `/metrics` for
/// whoever reaches that address.
pub fn metrics_router(relay: Arc<Relay>) -> Router {
    Router::new()
        .route("/metrics", get(render_metrics))
        .with_state(relay)
}

/// Starting size of each connection's read buffer.
const READ_BUFFER: usize = 4 * 1024;

/// Frames larger than this end the connection outright; frames up to it but over
/// `max_message_length` still get a protocol answer (`OK false`/`NOTICE`).
fn hard_frame_limit(relay: &Relay) -> usize {
    (relay.snapshot().policy.limitation.max_message_length as usize)
        .saturating_mul(2)
        .max(1 << 20)
}

/// Prometheus metrics on the relay's own address: for the machine itself, or a scraper with
/// the configured token. They tell how busy the relay is and who it serves, so strangers get
/// the same 404 as a relay without metrics.
async fn metrics(
    State(relay): State<Arc<Relay>>,
    ConnectInfo(peer): ConnectInfo<Peer>,
    headers: HeaderMap,
) -> Response {
    if !may_scrape(&relay, &peer.addr, &headers) {
        return StatusCode::NOT_FOUND.into_response();
    }
    render_metrics(State(relay)).await
}

async fn render_metrics(State(relay): State<Arc<Relay>>) -> Response {
    match (&relay.metrics, relay.config.server.metrics) {
        (Some(handle), true) => handle.render().into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// With a token configured, only a request bearing it; otherwise only one from this machine
/// that no proxy forwarded (a client behind a proxy is judged by its forwarded address).
fn may_scrape(relay: &Relay, peer: &SocketAddr, headers: &HeaderMap) -> bool {
    let server = &relay.config.server;
    if server.metrics_listen.is_some() {
        return false;
    }
    match &server.metrics_token {
        Some(token) => headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|given| same_secret(given.trim(), token)),
        None => {
            let forwarded = server
                .real_ip_header
                .as_ref()
                .is_some_and(|h| headers.contains_key(h.as_str()));
            !forwarded && crate::caller::client_ip(relay, peer, headers).is_loopback()
        }
    }
}

/// Compares two secrets in time that does not depend on where they differ.
fn same_secret(a: &str, b: &str) -> bool {
    use sha2::{Digest, Sha256};
    let (a, b) = (Sha256::digest(a), Sha256::digest(b));
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

async fn root(
    State(app): State<crate::web::App>,
    ConnectInfo(peer): ConnectInfo<Peer>,
    headers: HeaderMap,
    page: crate::web::Request,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let relay = app.relay.clone();
    if let Ok(upgrade) = upgrade {
        let ip = crate::caller::client_ip(&relay, &peer.addr, &headers);
        if relay.community.is_blocked(&ip) {
            return (StatusCode::FORBIDDEN, "blocked: this address is blocked").into_response();
        }
        if relay.shutdown.is_cancelled() {
            return (StatusCode::SERVICE_UNAVAILABLE, "shutting down").into_response();
        }
        if let Err(limited) = relay.may_connect(&ip) {
            metrics::counter!("communitarium_rate_limited_total", "limit" => limited.limit)
                .increment(1);
            return (StatusCode::TOO_MANY_REQUESTS, limited.reason.to_string()).into_response();
        }
        let Ok(permit) = relay.connections.clone().try_acquire_owned() else {
            return (StatusCode::SERVICE_UNAVAILABLE, "too many connections").into_response();
        };
        let limit = hard_frame_limit(&relay);
        peer.upgrading();
        return upgrade
            .max_message_size(limit)
            .max_frame_size(limit)
            // A small read buffer: most connections sit idle, and the default 128 KiB each
            // made 10k of them cost 1.3 GiB. Big messages still fit; the buffer grows for them.
            // (The write buffer is only filled while sending, so it keeps its default.)
            .read_buffer_size(READ_BUFFER)
            .on_upgrade(move |socket| {
                let tasks = relay.tasks.clone();
                tasks.track_future(session::run(socket, relay, ip, permit))
            });
    }
    let wants_nip11 = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("application/nostr+json"));
    if wants_nip11 {
        return nip11::response(&relay).await;
    }
    crate::web::overview(&app, &page).await
}
