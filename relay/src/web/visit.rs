//! One page view, and what it may take. A page is read as a client's `REQ` is: each view counts
//! against its address's request rate (the governed `rate.reqs_per_minute`), holds one of the
//! address's read slots and a place among the pages rendering at once while it renders, and
//! reads through the clients' pool within the query budget, stopped if the visitor leaves. The
//! visitor is known (for members-only reading) by a NIP-98 signature on the request.

use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::{CancellationToken, DropGuard};

use super::cache::Caches;
use crate::relay::{Relay, unix_now};

/// How long a view waits for a place among the pages rendering at once before it is told the
/// relay is busy.
const RENDER_WAIT: Duration = Duration::from_secs(3);

/// What every page view shares: the places to render in, and the caches pages read through.
pub struct Pages {
    renders: Arc<Semaphore>,
    pub caches: Caches,
}

impl Pages {
    /// At most `renders` pages render at once, relay-wide.
    pub fn new(renders: u32) -> Self {
        Self {
            renders: Arc::new(Semaphore::new(renders.max(1) as usize)),
            caches: Caches::default(),
        }
    }
}

/// One page view: the relay, whether the visitor may read members' content (always on a
/// public relay; on a members-only relay, a member who signed this request with NIP-98), and
/// the shares it holds while it renders.
pub struct Visit<'a> {
    pub relay: &'a Relay,
    pub pages: &'a Pages,
    /// May the visitor read members' content (as REQ would serve it to them)?
    pub members: bool,
    /// Is the visitor known to be a member in good standing (a signed request)?
    pub member: bool,
    /// Stops the view's queries when it is dropped (the visitor left).
    pub cancel: CancellationToken,
    failed: AtomicBool,
    _stop: DropGuard,
    _render: OwnedSemaphorePermit,
    _slot: OwnedSemaphorePermit,
}

impl Deref for Visit<'_> {
    type Target = Relay;

    fn deref(&self) -> &Relay {
        self.relay
    }
}

impl<'a> Visit<'a> {
    /// Admits the view of a request from `peer` with `headers` at `uri`, or answers it: blocked,
    /// too many requests from its address, or the relay too busy to render now.
    pub async fn enter(
        relay: &'a Relay,
        pages: &'a Pages,
        peer: &SocketAddr,
        headers: &HeaderMap,
        uri: &Uri,
    ) -> Result<Self, Response> {
        let ip = crate::caller::client_ip(relay, peer, headers);
        if relay.community.is_blocked(&ip) {
            return Err(refusal(
                relay,
                StatusCode::FORBIDDEN,
                "Your address is blocked by this community.",
            ));
        }
        let signed = signed_member(relay, headers, uri);
        if let Err(limited) = relay.limits().req(&ip, signed.is_some()) {
            metrics::counter!("communitarium_rate_limited_total", "limit" => limited.limit)
                .increment(1);
            return Err(refusal(
                relay,
                StatusCode::TOO_MANY_REQUESTS,
                "Too many requests from your address. Wait a minute, then reload the page.",
            ));
        }
        let render = tokio::time::timeout(RENDER_WAIT, pages.renders.clone().acquire_owned());
        let Ok(Ok(render)) = render.await else {
            return Err(busy(relay));
        };
        let cancel = CancellationToken::new();
        let Some(slot) = relay.reads.enter(ip, &cancel).await else {
            return Err(busy(relay));
        };
        let member = match signed {
            Some(sig) => crate::caller::first_use(relay, &sig, unix_now()).await,
            None => false,
        };
        let public = relay.snapshot().policy.admission.read == governance::ReadAccess::Public;
        Ok(Self {
            relay,
            pages,
            members: public || member,
            member,
            _stop: cancel.clone().drop_guard(),
            cancel,
            failed: AtomicBool::new(false),
            _render: render,
            _slot: slot,
        })
    }

    /// A read of this view failed (the database was busy or down, or the query ran over its
    /// budget): the view is answered with "busy" rather than shown incomplete.
    pub fn fail(&self) {
        self.failed.store(true, Ordering::Relaxed);
    }

    pub fn failed(&self) -> bool {
        self.failed.load(Ordering::Relaxed)
    }
}

/// The signature of a request signed (NIP-98, `GET`, this page's URL) by a member in good
/// standing: the page's script signs its requests once its visitor signed in.
fn signed_member(relay: &Relay, headers: &HeaderMap, uri: &Uri) -> Option<nips::Signature> {
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| nips::nip98::parse_header(v).ok())?;
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let page = crate::caller::page_urls(&relay.public_url, path);
    let now = unix_now();
    (nips::nip98::check(&auth, &page, "GET", &[], now).is_ok()
        && relay.snapshot().is_member(&auth.pubkey, now))
    .then_some(auth.sig)
}

/// The page for a view the relay cannot serve now.
pub fn busy(relay: &Relay) -> Response {
    refusal(
        relay,
        StatusCode::SERVICE_UNAVAILABLE,
        "The relay is busy and could not prepare this page. Reload it in a moment.",
    )
}

fn refusal(relay: &Relay, status: StatusCode, why: &str) -> Response {
    let body = maud::html! { p { (why) } };
    let mut response = super::html(
        relay,
        status,
        super::layout::page(relay, "Not now", super::layout::Nav::None, body),
    );
    if status != StatusCode::FORBIDDEN {
        response.headers_mut().insert(
            header::RETRY_AFTER,
            axum::http::HeaderValue::from_static("5"),
        );
    }
    response.into_response()
}
