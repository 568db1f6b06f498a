//! Welcome: what comes next, for a founder who just founded the community or a newcomer who
//! just joined. Say who you are (a profile, so people see a name and not a key), read and
//! write from a Nostr client, bring people in, and decide together.

use maud::{Markup, html};
use serde::Deserialize;

use super::Visit;
use super::layout::{self, Nav};

/// `?as=founder`, `?as=cofounder` or `?as=member`.
#[derive(Debug, Default, Deserialize)]
pub struct Params {
    #[serde(rename = "as")]
    pub role: Option<String>,
}

/// Clients that treat a relay as a community, and general ones; links only, the page loads
/// nothing from them.
const CLIENTS: &[(&str, &str, &str)] = &[
    (
        "Flotilla",
        "https://flotilla.social",
        "a chat app that shows a relay as a community: its members, rooms and threads",
    ),
    (
        "Chachi",
        "https://chachi.chat",
        "group chats, a relay as a community",
    ),
    (
        "Coracle",
        "https://coracle.social",
        "a feed of notes, on the web",
    ),
    (
        "Amethyst",
        "https://github.com/vitorpamplona/amethyst",
        "on Android",
    ),
    ("Damus", "https://damus.io", "on iPhone"),
];

/// The choice of a direct message for each vote (a setting the member signs: kind 30078).
pub fn hearing(v: &Visit<'_>) -> Markup {
    let key = v.relay.community.sign_with(|k| k.pubkey());
    html! {
        p { "This community announces each vote when it opens, a day before it closes and when it is decided, in notes from its own key ("
            span class="key" title=(nips::nip19::encode_npub(&key)) { "follow it" } " in any Nostr app). "
            "It can also tell you directly, in a private message your app shows with your other messages." }
        form id="notify-choice" {
            div class="choice" {
                input type="checkbox" id="notify-direct" name="direct";
                label for="notify-direct" { "Send me a private message for each vote" }
            }
            button type="submit" disabled { "Save my choice" }
        }
    }
}

pub fn page(v: &Visit<'_>, q: &Params) -> Markup {
    let relay = v.relay;
    let snapshot = relay.snapshot();
    let name = &snapshot.policy.info.name;
    let cofounder = q.role.as_deref() == Some("cofounder");
    let founder = cofounder || q.role.as_deref() == Some("founder");
    let body = html! {
        h1 { "Welcome to " (name) }
        @if cofounder {
            p class="lead" { "You are one of the founders of " (name) ". Its rules change only by the members' votes; while it is small, the founders' votes carry them. Here is what comes next." }
        } @else if founder {
            p class="lead" { "You founded " (name) ". It is yours and your members' now: its rules change only by your votes. Here is what comes next." }
        } @else {
            p class="lead" { "You are a member of " (name) ". Here is what comes next." }
        }
        ol class="next" {
            li {
                h2 { "Say who you are" }
                p { "People here see your name, not your key. Tell them what to call you." }
                form id="profile" {
                    label for="profile-name" { "Your name" }
                    input id="profile-name" name="name" type="text" maxlength="64" required autocomplete="nickname";
                    label for="profile-about" { "A few words about you (optional)" }
                    textarea id="profile-about" name="about" rows="2" maxlength="500" {}
                    label for="profile-picture" { "A picture (optional)" }
                    input id="profile-picture" name="picture" type="file" accept="image/*";
                    p class="hint" { "The picture is made small in your browser and kept in your profile itself: nobody's browser fetches it from another site." }
                    button type="submit" disabled { "Save my profile" }
                }
            }
            li {
                h2 { "Hear of votes" }
                (hearing(v))
            }
            @if founder {
                li {
                    h2 { "Bring people in" }
                    p { "On the " a href="/members" { "members page" } " you get invite links to hand to the people you want: each works once." }
                }
            }
            li {
                h2 { "Talk together" }
                p { "Read and write in " (name) " from any Nostr app, on your phone or computer: add this address as a relay." }
                p { code class="relay-url" { (relay.public_url) } }
                p { "Apps that show a relay as a community:" }
                ul {
                    @for (app, url, what) in CLIENTS {
                        li { a href=(url) rel="noopener noreferrer" { (app) } " — " (what) }
                    }
                }
                p class="hint" { "Sign in to the app with the same key: a signer app, or your key's backup (import its ncryptsec and your passphrase)." }
            }
            li {
                h2 { "Decide together" }
                p { "Any member may " a href="/propose" { "propose a change" } ": a rule, a limit, letting someone in. "
                    "It is first discussed, then everyone votes; when it passes, the relay applies it at once and records the decision, which anyone can check. "
                    "Open votes are on the " a href="/" { "overview" } "." }
            }
        }
    };
    layout::page(relay, "Welcome", Nav::None, body)
}
