//! The setup page: where the person who started the relay (and holds its setup link) founds
//! the community. They sign in, name it, say who may join and read, name co-founders, and
//! sign; the relay then signs the genesis. The request is signed (NIP-98 over the form), so
//! the founder is whoever signed it, and only the holder of the link may.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use governance::{AdmissionMode, ReadAccess};
use maud::{Markup, html};
use nips::PubKey;
use serde::Deserialize;
use serde_json::json;

use super::layout::{self, Nav};
use super::{App, Request, Visit, respond};
use crate::community::founding::{self, Founding, FoundingError};
use crate::relay::{Relay, unix_now};

/// `?token=` from the setup link.
#[derive(Debug, Default, Deserialize)]
pub struct Params {
    pub token: Option<String>,
}

/// What the setup form sends.
#[derive(Debug, Deserialize)]
struct Form {
    name: String,
    #[serde(default)]
    description: String,
    admission: AdmissionMode,
    read: ReadAccess,
    #[serde(default)]
    cofounders: Vec<String>,
    /// How many co-founder links to make, and for how many days.
    #[serde(default)]
    cofounder_links: u32,
    #[serde(default = "default_link_days")]
    link_days: u64,
}

fn default_link_days() -> u64 {
    7
}

/// `GET /setup`.
pub async fn page(State(app): State<App>, Query(q): Query<Params>, request: Request) -> Response {
    let v = match app.visit(&request).await {
        Ok(v) => v,
        Err(refused) => return refused,
    };
    let page = render(&v, q.token.as_deref());
    respond(&v, Some(page))
}

fn render(v: &Visit<'_>, token: Option<&str>) -> Markup {
    let relay = v.relay;
    let body = if relay.community.is_founded() {
        html! {
            h1 { "This community is founded" }
            p { "It has its founders and its rules; they change only by the members' decisions. " a href="/" { "See the community" } "." }
        }
    } else if !token.is_some_and(|t| founding::token_matches(&relay.config.data_dir, t)) {
        html! {
            h1 { "This community is not founded yet" }
            p { "Whoever started this relay founds it, with the setup link the relay printed when it started (its token is also in the file "
                code { "setup.token" } " of the relay's data folder). Ask them for it, or open it if you are them." }
        }
    } else {
        form(relay)
    };
    layout::page(relay, "Found a community", Nav::None, body)
}

fn form(relay: &Relay) -> Markup {
    let configured = &relay.snapshot().policy;
    html! {
        h1 { "Found your community" }
        p { "You are about to found the community this relay serves. You become its first founder: with the co-founders you name, "
            "you decide together until the community grows, and from then on its rules change only by the members' votes." }
        form id="setup" novalidate {
            fieldset {
                legend { "1. Sign in" }
                p class="hint" { "You sign the founding with your key. " span class="signed-out" { "Use “Sign in” at the top of the page first." } }
            }
            fieldset {
                legend { "2. Name it" }
                label for="setup-name" { "Name" }
                input id="setup-name" name="name" type="text" maxlength="80" required value=(configured.info.name);
                label for="setup-description" { "What it is for, in a sentence or two" }
                textarea id="setup-description" name="description" rows="3" maxlength="2000" { (configured.info.description) }
            }
            fieldset {
                legend { "3. Who may join" }
                @for (mode, label, hint) in ADMISSION {
                    div class="choice" {
                        input type="radio" name="admission" id=(format!("admission-{mode}")) value=(mode) checked[*mode == "invite"];
                        label for=(format!("admission-{mode}")) { strong { (label) } " — " (hint) }
                    }
                }
            }
            fieldset {
                legend { "4. Who may read" }
                div class="choice" {
                    input type="radio" name="read" id="read-public" value="public" checked;
                    label for="read-public" { strong { "Anyone" } " — what members write is public, like most of Nostr." }
                }
                div class="choice" {
                    input type="radio" name="read" id="read-members" value="members";
                    label for="read-members" { strong { "Members only" } " — only members can read what members write (the community's own record stays public)." }
                }
            }
            fieldset {
                legend { "5. Co-founders (optional)" }
                label for="setup-cofounders" { "Their keys (npub1…), one per line" }
                textarea id="setup-cofounders" name="cofounders" rows="3" {}
                label for="setup-links" { "How many co-founder links, for people with no key yet" }
                input id="setup-links" name="cofounder_links" type="number" min="0" max=(founding::MAX_COFOUNDER_LINKS) value="0" inputmode="numeric";
                label for="setup-link-days" { "Days they have to use them" }
                input id="setup-link-days" name="link_days" type="number" min="1" max=(founding::MAX_LINKS_FOR / 86_400) value="7" inputmode="numeric";
                p class="hint" { "Whoever opens such a link and joins becomes a founder; each link works once. Founders have no invite quota and decide together while the community is small. You can also invite people after founding." }
            }
            p class="error" id="setup-error" role="alert" {}
            button type="submit" disabled { "Found the community" }
        }
        section id="setup-links-made" hidden {
            h2 { "Founded. Send each co-founder one link" }
            p { "Each link works once, for one person, until the date below. Send them privately: whoever opens one first becomes a founder." }
            ul id="cofounder-links" {}
            p class="hint" id="cofounder-until" {}
            a class="button" href="/welcome?as=founder" { "Continue" }
        }
    }
}

const ADMISSION: &[(&str, &str, &str)] = &[
    (
        "invite",
        "By invitation",
        "members bring people in with invite links",
    ),
    (
        "vouch",
        "By vouching",
        "anyone may ask; two members vouching lets them in",
    ),
    ("vote", "By vote", "anyone may ask; the members vote on it"),
    ("open", "Open", "anyone may post; only members govern"),
];

/// `POST /setup?token=…`: a founding signed with NIP-98 over this URL and its JSON body.
pub async fn found(
    State(app): State<App>,
    Query(q): Query<Params>,
    request: Request,
    body: Bytes,
) -> Response {
    let relay = &app.relay;
    let ip = crate::caller::client_ip(relay, &request.peer, &request.headers);
    if relay.limits().req(&ip, false).is_err() {
        return refuse(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many requests; wait a minute.",
        );
    }
    if relay.community.is_founded() {
        return refuse(StatusCode::CONFLICT, "This community is already founded.");
    }
    if !q
        .token
        .as_deref()
        .is_some_and(|t| founding::token_matches(&relay.config.data_dir, t))
    {
        return refuse(
            StatusCode::FORBIDDEN,
            "This setup link is not (or no longer) valid.",
        );
    }
    let founder = match signer(relay, &request.headers, &request.uri, &body) {
        Ok(k) => k,
        Err(why) => return refuse(StatusCode::UNAUTHORIZED, why),
    };
    let choice = match parse(&body) {
        Ok(c) => c,
        Err(why) => return refuse(StatusCode::BAD_REQUEST, &why),
    };
    match relay.community.found(&relay.hands, founder, &choice).await {
        Ok(codes) => {
            let until = relay.snapshot().policy.founders.invites_until;
            Json(json!({"ok": true, "cofounder_codes": codes, "until": until})).into_response()
        }
        Err(FoundingError::Founded) => {
            refuse(StatusCode::CONFLICT, "This community is already founded.")
        }
        Err(FoundingError::Invalid(why)) => refuse(StatusCode::BAD_REQUEST, &why),
        Err(FoundingError::Community(e)) => {
            tracing::warn!(error = %e, "could not found the community");
            refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "The relay could not record the founding now; try again in a moment.",
            )
        }
    }
}

/// Who signed the request (NIP-98: `POST`, this URL, the body's digest), or why it is refused.
fn signer(
    relay: &Relay,
    headers: &HeaderMap,
    uri: &axum::http::Uri,
    body: &[u8],
) -> Result<PubKey, &'static str> {
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| nips::nip98::parse_header(v).ok())
        .ok_or("Sign in first: the founding is signed with your key.")?;
    let path = uri.path_and_query().map_or("/setup", |p| p.as_str());
    let urls = crate::caller::page_urls(&relay.public_url, path);
    nips::nip98::check(&auth, &urls, "POST", body, unix_now())
        .map_err(|_| "The signature does not match this request; reload the page and try again.")?;
    Ok(auth.pubkey)
}

fn parse(body: &[u8]) -> Result<Founding, String> {
    let form: Form = serde_json::from_slice(body).map_err(|_| {
        "The form could not be read: give a name, and choose who may join and who may read."
            .to_string()
    })?;
    let cofounders = form
        .cofounders
        .iter()
        .map(|k| k.trim())
        .filter(|k| !k.is_empty())
        .map(|k| {
            nips::nip19::decode_npub(k)
                .or_else(|_| k.parse::<PubKey>().map_err(|_| ()))
                .map_err(|_| format!("“{k}” is not a key (npub1… or 64 hex characters)."))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if cofounders.len() > 20 {
        return Err("Name at most 20 co-founders; invite the others after founding.".into());
    }
    if form.cofounder_links > founding::MAX_COFOUNDER_LINKS {
        return Err(format!(
            "Make at most {} co-founder links.",
            founding::MAX_COFOUNDER_LINKS
        ));
    }
    if !(1..=founding::MAX_LINKS_FOR / 86_400).contains(&form.link_days) {
        return Err(format!(
            "Give co-founders between 1 and {} days to use their links.",
            founding::MAX_LINKS_FOR / 86_400
        ));
    }
    Ok(Founding {
        name: form.name,
        description: form.description,
        admission: form.admission,
        read: form.read,
        cofounders,
        cofounder_links: form.cofounder_links,
        links_for: form.link_days * 86_400,
    })
}

fn refuse(status: StatusCode, why: &str) -> Response {
    (status, Json(json!({"error": why}))).into_response()
}
