//! The community's own page: server-rendered HTML (readable without JavaScript), with a small
//! ES module that signs with the visitor's NIP-07 extension and keeps the page live over the
//! relay's own WebSocket. Every action is an ordinary signed event the relay judges like any
//! other; the page never sees a private key, keeps no session, and sets no cookie.
//!
//! Routes: `/` (overview, when a browser asks for HTML), `/proposals/{id}`, `/propose`,
//! `/decisions`, `/policy`, `/members`, `/join`, `/reports`, and `/assets/…`.

mod assets;
mod cards;
mod data;
mod decisions;
mod delegation;
mod format;
mod layout;
mod members;
mod overview;
mod policy;
mod proposal;
mod propose;
mod reports;

use std::ops::Deref;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::Markup;

use crate::relay::{Relay, unix_now};

/// One page view: the relay, and whether the visitor may read members' content (always on a
/// public relay; on a members-only relay, a member who signed this request with NIP-98).
pub struct Visit<'a> {
    pub relay: &'a Relay,
    pub members: bool,
}

impl Deref for Visit<'_> {
    type Target = Relay;

    fn deref(&self) -> &Relay {
        self.relay
    }
}

impl<'a> Visit<'a> {
    /// The view of a request with these headers at `uri`. On a members-only relay, the page's
    /// script signs its requests (NIP-98, `GET`, the page's URL) once its visitor signed in;
    /// no session, no cookie.
    pub async fn of(relay: &'a Relay, headers: &HeaderMap, uri: &Uri) -> Self {
        let snapshot = relay.snapshot();
        if snapshot.policy.admission.read == governance::ReadAccess::Public {
            return Self {
                relay,
                members: true,
            };
        }
        let auth = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| nips::nip98::parse_header(v).ok())
            .filter(|auth| {
                let path = uri.path_and_query().map_or("/", |p| p.as_str());
                let page = crate::http::nip86::page_urls(&relay.public_url, path);
                nips::nip98::check(auth, &page, "GET", &[], unix_now()).is_ok()
                    && snapshot.is_member(&auth.pubkey, unix_now())
            });
        let member = match auth {
            Some(auth) => crate::http::nip86::first_use(relay, &auth.sig, unix_now()).await,
            None => false,
        };
        Self {
            relay,
            members: member,
        }
    }
}

/// The page's routes (the overview at `/` is dispatched by [`crate::http`], which shares
/// that path with the WebSocket and NIP-11).
pub fn routes() -> Router<Arc<Relay>> {
    Router::new()
        .route("/proposals/{id}", get(proposal_page))
        .route("/propose", get(propose_page))
        .route("/decisions", get(decisions_page))
        .route("/policy", get(policy_page))
        .route("/members", get(members_page))
        .route("/join", get(join_page))
        .route("/reports", get(reports_page))
        .route("/assets/{name}", get(assets::serve))
}

/// Only the relay's own scripts, styles and WebSocket; images inline only (a community icon
/// on another host would tell that host who reads the page).
fn csp(relay: &Relay) -> HeaderValue {
    let socket: String = relay
        .public_url
        .chars()
        .filter(|c| c.is_ascii_graphic() && *c != ';' && *c != ',')
        .collect();
    let policy = format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self' {socket}; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    );
    HeaderValue::from_str(&policy)
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'"))
}

/// An HTML page with the headers every page carries.
pub(crate) fn html(relay: &Relay, status: StatusCode, page: Markup) -> Response {
    let mut response = (status, page.into_string()).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CONTENT_SECURITY_POLICY, csp(relay));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The overview, for `GET /` from a browser.
pub async fn overview(relay: &Relay, headers: &HeaderMap, uri: &Uri) -> Response {
    let v = Visit::of(relay, headers, uri).await;
    html(relay, StatusCode::OK, overview::page(&v).await)
}

async fn proposal_page(
    State(relay): State<Arc<Relay>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let v = Visit::of(&relay, &headers, &uri).await;
    match proposal::page(&v, &id).await {
        Some(page) => html(&relay, StatusCode::OK, page),
        None => not_found(&relay, "No proposal with that id is known here."),
    }
}

async fn propose_page(
    State(relay): State<Arc<Relay>>,
    Query(q): Query<propose::Params>,
) -> Response {
    html(&relay, StatusCode::OK, propose::page(&relay, &q).await)
}

async fn decisions_page(State(relay): State<Arc<Relay>>, headers: HeaderMap, uri: Uri) -> Response {
    let v = Visit::of(&relay, &headers, &uri).await;
    html(&relay, StatusCode::OK, decisions::page(&v).await)
}

async fn policy_page(State(relay): State<Arc<Relay>>) -> Response {
    html(&relay, StatusCode::OK, policy::page(&relay).await)
}

async fn members_page(State(relay): State<Arc<Relay>>, headers: HeaderMap, uri: Uri) -> Response {
    let v = Visit::of(&relay, &headers, &uri).await;
    html(&relay, StatusCode::OK, members::page(&v).await)
}

async fn join_page(
    State(relay): State<Arc<Relay>>,
    Query(q): Query<members::JoinParams>,
) -> Response {
    html(&relay, StatusCode::OK, members::join(&relay, &q))
}

async fn reports_page(State(relay): State<Arc<Relay>>, headers: HeaderMap, uri: Uri) -> Response {
    let v = Visit::of(&relay, &headers, &uri).await;
    html(&relay, StatusCode::OK, reports::page(&v).await)
}

fn not_found(relay: &Relay, why: &str) -> Response {
    let body = maud::html! { p { (why) } p { a href="/" { "Back to the overview" } } };
    html(
        relay,
        StatusCode::NOT_FOUND,
        layout::page(relay, "Not found", layout::Nav::None, body),
    )
}
