//! NIP-86: the management API, JSON-RPC over `POST /` with NIP-98 authorization. Authorization
//! is checked strictly (kind, exact URL, method, payload hash, freshness, signature, operator
//! key) and each authorization event is accepted once.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use nips::nip98;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::community::CallError;
use crate::relay::{Relay, unix_now};
use crate::sockets::Peer;

/// Content type of management requests.
pub const CONTENT_TYPE: &str = "application/nostr+json+rpc";

#[derive(Deserialize)]
struct Request {
    method: String,
    #[serde(default)]
    params: Vec<Value>,
}

fn reply(status: StatusCode, body: Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn error(status: StatusCode, message: &str) -> Response {
    reply(status, json!({"error": message}))
}

/// `POST /` handler. Cheap refusals come first: the caller's request rate, then the
/// authorization, then whether its key is an operator's; only an operator's authorization is
/// remembered against replay, so strangers cannot fill that memory.
pub async fn handle(
    State(relay): State<Arc<Relay>>,
    ConnectInfo(peer): ConnectInfo<Peer>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let ip = crate::caller::client_ip(&relay, &peer.addr, &headers);
    if let Err(limited) = relay.limits().req(&ip, false) {
        metrics::counter!("communitarium_rate_limited_total", "limit" => limited.limit)
            .increment(1);
        return error(StatusCode::TOO_MANY_REQUESTS, &limited.reason.to_string());
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !content_type.starts_with(CONTENT_TYPE) {
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "management requests use Content-Type: application/nostr+json+rpc",
        );
    }
    let now = unix_now();
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let auth = match nip98::parse_header(authorization) {
        Ok(event) => event,
        Err(e) => return error(StatusCode::UNAUTHORIZED, &e.to_string()),
    };
    if let Err(e) = nip98::check(
        &auth,
        &crate::caller::accepted_urls(&relay.public_url),
        "POST",
        &body,
        now,
    ) {
        return error(StatusCode::UNAUTHORIZED, &e.to_string());
    }
    if !relay
        .snapshot()
        .policy
        .operators
        .keys
        .contains(&auth.pubkey)
    {
        return error(
            StatusCode::UNAUTHORIZED,
            "this key is not an operator of this relay",
        );
    }
    if !crate::caller::first_use(&relay, &auth.sig, now).await {
        return error(
            StatusCode::UNAUTHORIZED,
            "this authorization was already used",
        );
    }
    let request: Request = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                "body must be {\"method\": …, \"params\": […]}",
            );
        }
    };
    let body_text = String::from_utf8_lossy(&body);
    let called = relay
        .community
        .call(
            &relay.hands,
            &auth.pubkey,
            &request.method,
            &request.params,
            &body_text,
            &auth.to_json(),
        )
        .await;
    match called {
        Ok(result) => reply(StatusCode::OK, json!({"result": result})),
        Err(CallError::Unauthorized(m)) => error(StatusCode::UNAUTHORIZED, &m),
        Err(CallError::Bad(m)) => reply(StatusCode::OK, json!({"result": null, "error": m})),
        Err(CallError::Internal(crate::community::CommunityError::NotFounded)) => error(
            StatusCode::CONFLICT,
            "this community is not founded yet: its founder opens the setup link first",
        ),
        Err(CallError::Internal(e)) => {
            tracing::error!(error = %e, method = request.method, "management call failed");
            error(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
        }
    }
}
