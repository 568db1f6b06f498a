//! The page shell every page shares, and the small components several pages draw: tally bars
//! and turnout against quorum, as inline SVG.

use governance::tally::Tally;
use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::relay::Relay;

/// Which navigation entry is the current page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Overview,
    Propose,
    Decisions,
    Policy,
    Members,
    Reports,
    None,
}

const ENTRIES: &[(Nav, &str, &str)] = &[
    (Nav::Overview, "/", "Overview"),
    (Nav::Propose, "/propose", "Propose"),
    (Nav::Decisions, "/decisions", "Decisions"),
    (Nav::Policy, "/policy", "Policy"),
    (Nav::Members, "/members", "Members"),
    (Nav::Reports, "/reports", "Reports"),
];

/// A whole page: `title`, the current `nav` entry, and `body` inside `<main>`.
pub fn page(relay: &Relay, title: &str, nav: Nav, body: Markup) -> Markup {
    let snapshot = relay.snapshot();
    let info = &snapshot.policy.info;
    let relay_key = relay.community.pubkey().to_hex();
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="light dark";
                title { (title) " · " (info.name) }
                link rel="stylesheet" href="/assets/style.css";
                // No favicon request (and no 404 for it).
                link rel="icon" href="data:,";
                script type="module" src="/assets/app.js" {}
            }
            body data-relay=(relay.public_url) data-relay-key=(relay_key) data-name=(info.name)
                data-read=(snapshot.policy.admission.read.as_str())
                data-admission=(snapshot.policy.admission.mode.as_str()) {
                a class="skip" href="#main" { "Skip to the content" }
                header class="top" {
                    a class="community" href="/" {
                        (icon(&info.icon, &info.name))
                        span { (info.name) }
                    }
                    button type="button" id="menu" class="menu secondary" aria-expanded="false" aria-controls="site-nav" { "Menu" }
                    nav aria-label="Community" id="site-nav" {
                        ul {
                            @for (entry, href, label) in ENTRIES {
                                li {
                                    @if *entry == nav {
                                        a href=(href) aria-current="page" { (label) }
                                    } @else {
                                        a href=(href) { (label) }
                                    }
                                }
                            }
                            @if relay.client_app.is_some() {
                                li { a href="/app" { "Chat" } }
                            }
                        }
                    }
                    div class="signin" {
                        button type="button" id="signin" hidden { "Sign in" }
                        span id="whoami" {}
                        button type="button" id="signout" class="secondary" hidden { "Sign out" }
                        noscript { span class="hint" { "Reading needs nothing. To take part, enable JavaScript." } }
                    }
                }
                (signin_dialog(relay))
                main id="main" tabindex="-1" { (body) }
                p id="status" class="status" role="status" aria-live="polite" {}
                footer {
                    p {
                        "This is a Nostr relay governed by its members. Add "
                        code { (relay.public_url) }
                        " to any Nostr client."
                    }
                    p {
                        "Check its record yourself: "
                        code { "communitarium verify " (relay.public_url) }
                    }
                }
            }
        }
    }
}

/// The ways to sign in (see `assets/signin.js`): each says what it is, in plain words.
fn signin_dialog(relay: &Relay) -> Markup {
    html! {
        dialog id="signin-dialog" aria-labelledby="signin-title" {
            h2 id="signin-title" { "Sign in" }
            p { "What you do here (vote, propose, comment, invite) is signed with your Nostr key, so everyone can check it was you. "
                "Your key stays with you: this page only asks it to sign. Choose how:" }
            div class="ways" {
                button type="button" id="way-extension" { "With a signer extension in this browser" }
                p class="hint" id="no-extension" hidden { "No signer extension (such as nos2x or Alby) is installed in this browser." }
                button type="button" id="way-remote" { "With a signer app (Amber, nsec.app, …)" }
                button type="button" id="way-local" { "With a key kept in this browser" }
            }
            section id="remote-panel" hidden {
                h3 { "Connect your signer app" }
                p { "Scan this code with your signer app, or copy the text into it. Then approve the connection there." }
                div id="connect-qr" {}
                label for="connect-uri" { "Connection text" }
                input id="connect-uri" type="text" readonly;
                p { "Or paste a " code { "bunker://" } " link from your signer:" }
                label for="bunker-uri" { "Bunker link" }
                input id="bunker-uri" type="text" autocomplete="off" placeholder="bunker://…";
                button type="button" id="use-bunker" { "Connect" }
                p class="hint" { "Your signer must use this community's relay, " code { (relay.public_url) } ": the page talks to no other." }
            }
            section id="local-panel" hidden {
                div id="local-new" {
                    h3 { "Make a key for yourself" }
                    p { "If you are new to Nostr, this page can make you a key: your identity here and on any Nostr app. "
                        "It is kept in this browser, locked with a passphrase you choose; nobody else ever sees it, not even this relay. "
                        "Later you can move it into a signer app." }
                    label for="new-pass" { "Passphrase (8 characters at least)" }
                    input id="new-pass" type="password" autocomplete="new-password";
                    label for="new-pass-again" { "The same passphrase again" }
                    input id="new-pass-again" type="password" autocomplete="new-password";
                    button type="button" id="make-key" { "Make my key" }
                }
                div id="local-backup" hidden {
                    h3 { "Keep a copy" }
                    p { "Download this backup and keep it with your passphrase. If this browser forgets its data, the backup is the only way back to your key." }
                    a id="key-backup" download="nostr-key-backup.txt" hidden { "Download my key's backup" }
                    button type="button" id="key-saved" { "I have kept it: continue" }
                }
                div id="local-stored" hidden {
                    h3 { "Unlock your key" }
                    label for="unlock-pass" { "Your passphrase" }
                    input id="unlock-pass" type="password" autocomplete="current-password";
                    button type="button" id="unlock-key" { "Unlock" }
                    button type="button" id="forget-key" class="secondary" { "Remove this key from this browser" }
                }
            }
            p class="error" id="signin-error" role="alert" {}
            button type="button" id="signin-close" class="secondary" { "Close" }
        }
    }
}

/// The community's icon when it is inline (`data:`), else its initial: an icon on another
/// host would be a request to that host from every visitor.
fn icon(url: &str, name: &str) -> Markup {
    if url.starts_with("data:image/") {
        return html! { img class="icon" src=(url) alt="" width="32" height="32"; };
    }
    let initial: String = name
        .chars()
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    html! { span class="icon initial" aria-hidden="true" { (initial) } }
}

/// Counts of `t` as a horizontal bar chart (yes, no, abstain and, when offered, block), with
/// the numbers in text for those who do not see the picture.
pub fn tally_bars(t: &Tally, block: bool) -> Markup {
    let rows: Vec<(&str, u32)> = [("yes", t.yes), ("no", t.no), ("abstain", t.abstain)]
        .into_iter()
        .chain(block.then_some(("block", t.block)))
        .collect();
    let max = rows.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let height = 22 * rows.len();
    html! {
        figure class="tally" {
            svg viewBox=(format!("0 0 240 {height}")) role="img"
                aria-label=(format!("Votes: {}", rows.iter().map(|(o, n)| format!("{o} {n}")).collect::<Vec<_>>().join(", "))) {
                @for (i, (option, n)) in rows.iter().enumerate() {
                    text x="0" y=(i * 22 + 15) class="label" { (option) }
                    rect x="60" y=(i * 22 + 4) height="14" rx="3" class=(format!("bar {option}"))
                        width=(format!("{:.1}", 150.0 * f64::from(*n) / f64::from(max))) {}
                    text x=(format!("{:.1}", 66.0 + 150.0 * f64::from(*n) / f64::from(max))) y=(i * 22 + 15) class="count" { (n) }
                }
            }
        }
    }
}

/// Turnout against the quorum, as a bar with a mark where the quorum is.
pub fn turnout(t: &Tally, quorum: u32) -> Markup {
    let electorate = t.electorate.max(1);
    let done = 240.0 * f64::from(t.turnout().min(electorate)) / f64::from(electorate);
    let mark = 240.0 * f64::from(quorum.min(electorate)) / f64::from(electorate);
    let text = format!(
        "{} of {} members voted; {} needed for the quorum",
        t.turnout(),
        t.electorate,
        quorum
    );
    html! {
        figure class="turnout" {
            svg viewBox="0 0 240 16" role="img" aria-label=(text) {
                rect x="0" y="3" width="240" height="10" rx="3" class="track" {}
                rect x="0" y="3" width=(format!("{done:.1}")) height="10" rx="3" class="done" {}
                line x1=(format!("{mark:.1}")) x2=(format!("{mark:.1}")) y1="0" y2="16" class="quorum" {}
            }
            figcaption { (text) }
        }
    }
}

/// JSON for the page's script, in a data block (not executed; CSP allows it).
pub fn data_block(id: &str, json: &serde_json::Value) -> Markup {
    // `<` only occurs inside JSON strings, where `\u003c` means the same: no `</script>` or
    // `<!--` can end or confuse the element.
    let text = json.to_string().replace('<', "\\u003c");
    html! { script type="application/json" id=(id) { (PreEscaped(text)) } }
}
