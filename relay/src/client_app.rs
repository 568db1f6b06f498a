//! The community's chat app: a static community client (Flotilla, built for this relay) served
//! from `web.client_dir`. Such a client routes by absolute paths (`/spaces/…`, `/_app/…`), so
//! its files and pages are served at the paths the community's page does not use, and `/app`
//! (the address the page links to) opens the community's space in it. Every answer carries a
//! content security policy that lets the app reach this relay and nothing else.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use base64::Engine;
use sha2::{Digest, Sha256};
use tower_http::services::ServeDir;

/// A built client, ready to serve.
pub struct ClientApp {
    dir: PathBuf,
    index: Vec<u8>,
    csp: HeaderValue,
    space: String,
}

/// Files under this path never change (their names carry their hash).
const IMMUTABLE: &str = "/_app/immutable/";

impl ClientApp {
    /// Reads the client in `dir` for the relay at `public_url` (its WebSocket URL).
    pub fn load(dir: &Path, public_url: &str) -> std::io::Result<Self> {
        let index = std::fs::read(dir.join("index.html"))?;
        let csp = policy(&String::from_utf8_lossy(&index), public_url);
        let csp = HeaderValue::from_str(&csp)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        Ok(Self {
            dir: dir.to_owned(),
            index,
            csp,
            space: format!("/spaces/{}", space_id(public_url)),
        })
    }
}

/// The app's routes: `/app` and every path the page leaves free.
pub fn router(app: Arc<ClientApp>) -> Router {
    Router::new()
        .route("/app", get(entry))
        .route("/app/", get(entry))
        .fallback(serve)
        .with_state(app)
}

/// `/app` opens the community's space.
async fn entry(State(app): State<Arc<ClientApp>>) -> Response {
    secured(&app, Redirect::to(&app.space).into_response())
}

/// A file of the client, or (for any other page address) its `index.html`, which routes in
/// the browser. A missing asset is a 404, never the page.
async fn serve(State(app): State<Arc<ClientApp>>, request: Request) -> Response {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return StatusCode::NOT_FOUND.into_response();
    }
    let path = request.uri().path().to_string();
    let page = wants_page(request.headers());
    let found = match ServeDir::new(&app.dir).try_call(request).await {
        Ok(r) if r.status() != StatusCode::NOT_FOUND => Some(r.map(Body::new)),
        _ => None,
    };
    let mut response = match found {
        Some(r) => r,
        None if page && !path.starts_with("/_app/") => index(&app),
        None => StatusCode::NOT_FOUND.into_response(),
    };
    let cache = match path.starts_with(IMMUTABLE) && response.status().is_success() {
        true => "public, max-age=31536000, immutable",
        false => "no-cache",
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    secured(&app, response)
}

fn index(app: &ClientApp) -> Response {
    let mut r = Response::new(Body::from(app.index.clone()));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r
}

impl ClientApp {
    /// The app's page, which routes in the browser: for an address the page also uses (the
    /// app's invite links open `/join`).
    pub fn page(&self) -> Response {
        let mut r = secured(self, index(self));
        r.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        r
    }
}

/// A browser opening a page asks for HTML; a missing image or script does not get the page.
fn wants_page(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

fn secured(app: &ClientApp, mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, app.csp.clone());
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// The app may load its own files and connect to this relay only. Inline scripts in its
/// `index.html` (the client's start-up code) are allowed by their digest.
fn policy(index: &str, public_url: &str) -> String {
    let digests: Vec<String> = inline_scripts(index)
        .map(|s| {
            let digest = Sha256::digest(s.as_bytes());
            let b64 = base64::engine::general_purpose::STANDARD.encode(digest);
            format!(" 'sha256-{b64}'")
        })
        .collect();
    let origin = http_origin(public_url);
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob:; media-src 'self' data: blob:; font-src 'self' data:; \
         connect-src 'self' {public_url} {origin}; worker-src 'self' blob:; manifest-src 'self'; \
         frame-src 'none'; object-src 'none'; base-uri 'self'; form-action 'self'",
        digests.concat()
    )
}

/// The bodies of `<script>` elements without a `src`.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|rest| {
        let (attrs, after) = rest.split_once('>')?;
        if attrs.contains("src=") {
            return None;
        }
        after.split_once("</script>").map(|(body, _)| body)
    })
}

/// `wss://host/path` → `https://host`: where the app's HTTP calls (NIP-86, NIP-11) go.
fn http_origin(public_url: &str) -> String {
    let (scheme, rest) = match public_url.split_once("://") {
        Some(("wss", rest)) => ("https", rest),
        Some((_, rest)) => ("http", rest),
        None => ("http", public_url),
    };
    let host = rest.split('/').next().unwrap_or(rest);
    format!("{scheme}://{host}")
}

/// How the client names the relay's space in its addresses: the URL lower-cased, without
/// `wss://` and a trailing slash, then URI-component encoded.
fn space_id(public_url: &str) -> String {
    let url = public_url.to_lowercase();
    let url = url.strip_prefix("wss://").unwrap_or(&url);
    let url = url.strip_suffix('/').unwrap_or(url);
    let mut out = String::new();
    for b in url.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'!'
            | b'~'
            | b'*'
            | b'\''
            | b'('
            | b')' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_space_is_named_as_the_client_names_it() {
        assert_eq!(space_id("wss://Relay.Example.com/"), "relay.example.com");
        assert_eq!(
            space_id("ws://127.0.0.1:7777"),
            "ws%3A%2F%2F127.0.0.1%3A7777"
        );
    }

    #[test]
    fn inline_scripts_are_allowed_by_digest_and_nothing_else_is_reached() {
        let html = "<script src=\"/a.js\"></script><script>boot()</script>";
        let csp = policy(html, "wss://r.example");
        let digest = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(b"boot()"));
        assert!(csp.contains(&format!("'sha256-{digest}'")), "{csp}");
        assert_eq!(csp.matches("'sha256-").count(), 1);
        assert!(
            csp.contains("connect-src 'self' wss://r.example https://r.example;"),
            "{csp}"
        );
        assert!(csp.contains("img-src 'self' data: blob:;"));
    }
}
