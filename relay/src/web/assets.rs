//! The page's static files, embedded in the binary: its stylesheet, its script, and the one
//! library the script uses (noble-secp256k1, MIT, vendored unchanged, to check the relay's
//! Schnorr signatures in the visitor's browser).

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

const FILES: &[(&str, &str, &str)] = &[
    (
        "style.css",
        "text/css; charset=utf-8",
        include_str!("assets/style.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/app.js"),
    ),
    (
        "signin.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/signin.js"),
    ),
    (
        "nostr.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/nostr.js"),
    ),
    (
        "profile.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/profile.js"),
    ),
    (
        "values.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/values.js"),
    ),
    (
        "setup.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/setup.js"),
    ),
    (
        "secp256k1.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/secp256k1.js"),
    ),
];

/// `GET /assets/{name}`.
pub async fn serve(Path(name): Path<String>) -> Response {
    let Some((_, mime, body)) = FILES.iter().find(|(n, _, _)| *n == name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut response = (*body).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}
