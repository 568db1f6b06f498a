//! The community's own page: server-rendered HTML (readable without JavaScript), with a small
//! ES module that signs with the visitor's signer (an extension, a signer app, or a key kept
//! encrypted in their browser) and keeps the page live over the relay's own WebSocket. Every
//! action is an ordinary signed event the relay judges like any other; no private key ever
//! leaves the visitor's browser or signer, and the relay keeps no session and sets no cookie.
//!
//! Routes: `/` (overview, when a browser asks for HTML), `/proposals/{id}`, `/propose`,
//! `/decisions`, `/policy`, `/members`, `/join`, `/reports`, `/setup`, `/welcome`, and
//! `/assets/…`.

mod assets;
mod cache;
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
mod setup;
mod visit;
mod welcome;
mod words;

use std::sync::Arc;

use axum::Router;
use axum::extract::{ConnectInfo, FromRef, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::Markup;

use crate::relay::Relay;
use crate::sockets::Peer;
pub use visit::{Pages, Visit};

/// What the HTTP handlers share: the relay, and what its pages share.
#[derive(Clone)]
pub struct App {
    pub relay: Arc<Relay>,
    pub pages: Arc<Pages>,
}

impl FromRef<App> for Arc<Relay> {
    fn from_ref(app: &App) -> Self {
        app.relay.clone()
    }
}

impl FromRef<App> for Arc<Pages> {
    fn from_ref(app: &App) -> Self {
        app.pages.clone()
    }
}

/// The page's routes (the overview at `/` is dispatched by [`crate::http`], which shares
/// that path with the WebSocket and NIP-11).
pub fn routes() -> Router<App> {
    Router::new()
        .route("/proposals/{id}", get(proposal_page))
        .route("/propose", get(propose_page))
        .route("/decisions", get(decisions_page))
        .route("/policy", get(policy_page))
        .route("/members", get(members_page))
        .route("/join", get(join_page))
        .route("/reports", get(reports_page))
        .route("/setup", get(setup::page).post(setup::found))
        .route("/welcome", get(welcome_page))
        .route("/assets/{name}", get(assets::serve))
}

/// A request for a page, as every page handler receives it.
pub struct Request {
    peer: std::net::SocketAddr,
    headers: HeaderMap,
    uri: Uri,
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Request {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<Peer>>().map_or_else(
            || std::net::SocketAddr::from(([0, 0, 0, 0], 0)),
            |c| c.0.addr,
        );
        Ok(Self {
            peer,
            headers: parts.headers.clone(),
            uri: parts.uri.clone(),
        })
    }
}

impl App {
    /// Admits the view of `request`, or answers why not (see [`Visit::enter`]).
    async fn visit(&self, request: &Request) -> Result<Visit<'_>, Response> {
        Visit::enter(
            &self.relay,
            &self.pages,
            &request.peer,
            &request.headers,
            &request.uri,
        )
        .await
    }
}

/// The answer to view `v` that rendered `page` (`None`: nothing by that id): "busy" if one of
/// its reads failed, rather than a page with parts missing.
fn respond(v: &Visit<'_>, page: Option<Markup>) -> Response {
    match (v.failed(), page) {
        (true, _) => visit::busy(v.relay),
        (false, Some(page)) => html(v.relay, StatusCode::OK, page),
        (false, None) => not_found(v.relay, "No proposal with that id is known here."),
    }
}

/// Admits the view of `$request` in `$app` as `$v`, or returns the refusal.
macro_rules! enter {
    ($app:expr, $request:expr) => {
        match $app.visit(&$request).await {
            Ok(v) => v,
            Err(refused) => return refused,
        }
    };
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
pub async fn overview(app: &App, request: &Request) -> Response {
    let v = enter!(app, request);
    let page = overview::page(&v).await;
    respond(&v, Some(page))
}

async fn proposal_page(
    State(app): State<App>,
    Path(id): Path<String>,
    Query(q): Query<proposal::Params>,
    request: Request,
) -> Response {
    let v = enter!(app, request);
    let page = proposal::page(&v, &id, &q).await;
    respond(&v, page)
}

async fn propose_page(
    State(app): State<App>,
    Query(q): Query<propose::Params>,
    request: Request,
) -> Response {
    let v = enter!(app, request);
    let page = propose::page(&v, &q).await;
    respond(&v, Some(page))
}

async fn decisions_page(
    State(app): State<App>,
    Query(q): Query<decisions::Params>,
    request: Request,
) -> Response {
    let v = enter!(app, request);
    let page = decisions::page(&v, &q).await;
    respond(&v, Some(page))
}

async fn policy_page(State(app): State<App>, request: Request) -> Response {
    let v = enter!(app, request);
    let page = policy::page(&v).await;
    respond(&v, Some(page))
}

async fn members_page(
    State(app): State<App>,
    Query(q): Query<members::Params>,
    request: Request,
) -> Response {
    let v = enter!(app, request);
    let page = members::page(&v, &q).await;
    respond(&v, Some(page))
}

async fn join_page(
    State(app): State<App>,
    Query(q): Query<members::JoinParams>,
    request: Request,
) -> Response {
    if let (Some(client), Some(_), Some(_)) = (&app.relay.client_app, &q.r, &q.c) {
        return client.page();
    }
    let v = enter!(app, request);
    let page = members::join(&v, &q);
    respond(&v, Some(page))
}

async fn welcome_page(
    State(app): State<App>,
    Query(q): Query<welcome::Params>,
    request: Request,
) -> Response {
    let v = enter!(app, request);
    let page = welcome::page(&v, &q);
    respond(&v, Some(page))
}

async fn reports_page(State(app): State<App>, request: Request) -> Response {
    let v = enter!(app, request);
    let page = reports::page(&v).await;
    respond(&v, Some(page))
}

fn not_found(relay: &Relay, why: &str) -> Response {
    let body = maud::html! { p { (why) } p { a href="/" { "Back to the overview" } } };
    html(
        relay,
        StatusCode::NOT_FOUND,
        layout::page(relay, "Not found", layout::Nav::None, body),
    )
}
