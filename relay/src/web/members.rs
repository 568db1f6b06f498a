//! Members: who they are, when and through whom they joined (the invite tree), their roles,
//! and how a member brings someone in. The join page is where a newcomer redeems a code or
//! asks to join.

use std::collections::BTreeMap;

use governance::AdmissionMode;
use maud::{Markup, html};
use nips::PubKey;
use serde::Deserialize;

use super::format::{Names, person};
use super::layout::{self, Nav};
use super::{Visit, data};
use crate::relay::{Relay, unix_now};

/// Invite chains nest this deep on the page; deeper ones are listed flat.
const MAX_DEPTH: usize = 8;
/// Up to this many members, the page draws who brought whom as a tree; a larger community is
/// listed by when they joined, this many to a page.
const PER_PAGE: usize = 500;

/// `?page=` of a large community's list (0: the first to join).
#[derive(Debug, Default, Deserialize)]
pub struct Params {
    pub page: Option<usize>,
}

pub async fn page(v: &Visit<'_>, q: &Params) -> Markup {
    let relay = v.relay;
    let snapshot = relay.snapshot();
    let roster = &snapshot.roster;
    let mut by_joining: Vec<(u64, PubKey)> = roster.iter().map(|(k, m)| (m.since, *k)).collect();
    by_joining.sort_unstable();
    let pages = by_joining.len().div_ceil(PER_PAGE).max(1);
    let n = q.page.unwrap_or(0).min(pages - 1);
    let shown: Vec<PubKey> = by_joining
        .iter()
        .skip(n * PER_PAGE)
        .take(PER_PAGE)
        .map(|(_, k)| *k)
        .collect();
    let names = data::names(v, shown.iter().copied()).await;
    let mut children: BTreeMap<Option<PubKey>, Vec<PubKey>> = BTreeMap::new();
    if pages == 1 {
        for (key, m) in roster.iter() {
            let parent = m.inviter.filter(|i| roster.contains(i));
            children.entry(parent).or_default().push(*key);
        }
        for list in children.values_mut() {
            list.sort_by_key(|k| roster.get(k).map(|m| m.since));
        }
    }
    // Who lends their vote to whom is members' content, as REQ serves it.
    let delegations = match v.members {
        true => relay.community.delegations().await,
        false => Vec::new(),
    };
    let body = html! {
        h1 { "Members (" (roster.len()) ")" }
        section class="invite" aria-labelledby="invite-title" {
            h2 id="invite-title" { "Bring someone in" }
            p { "A member asks the relay for an invite code and hands on the join link. Each code works once and expires in "
                (super::format::duration(snapshot.policy.admission.invite_expiry)) "." }
            button type="button" id="mint-invite" disabled { "Get an invite link" }
            p class="hint needs-js" { "Sign in as a member to get one." }
            div id="invite-result" hidden {
                label for="invite-link" { "Join link" }
                input id="invite-link" type="text" readonly;
                button type="button" id="copy-invite" { "Copy" }
            }
        }
        section aria-labelledby="tree-title" id="tree" data-refresh data-live="8000,8001" {
            @if pages == 1 {
                h2 id="tree-title" { "Who brought whom" }
                (tree(relay, &None, &children, &names, 0))
            } @else {
                h2 id="tree-title" { "By when they joined" }
                ol class="tree flat" start=(n * PER_PAGE + 1) {
                    @for key in &shown { li { (member_line(relay, key, &names)) } }
                }
                nav class="pager" aria-label="More members" {
                    @if n > 0 { a href=(format!("/members?page={}", n - 1)) { "Earlier members" } " " }
                    "Page " (n + 1) " of " (pages)
                    @if n + 1 < pages { " " a href=(format!("/members?page={}", n + 1)) { "Later members" } }
                }
            }
        }
        @if v.members {
            (super::delegation::section(&delegations, &shown, &names))
        } @else {
            section aria-labelledby="delegation-title" id="delegation" {
                h2 id="delegation-title" { "Lending your vote" }
                p { "Who lends their vote to whom is for members. Sign in as a member to see it." }
            }
        }
        section class="hearing" aria-labelledby="hearing-title" {
            h2 id="hearing-title" { "Hearing of votes" }
            (super::welcome::hearing(v))
        }
    };
    layout::page(relay, "Members", Nav::Members, body)
}

fn member_line(relay: &Relay, key: &PubKey, names: &Names) -> Markup {
    let snapshot = relay.snapshot();
    let m = snapshot.roster.get(key);
    let banned = snapshot.policy.is_banned(key, unix_now());
    html! {
        (person(key, names))
        @if let Some(m) = m {
            " · joined " (super::format::when(m.since))
            // Those at the top of the tree came in without a member's invite: say how.
            @if snapshot.policy.founders.keys.contains(key) { " " span class="role" { "founder" } }
            @else if m.inviter == Some(relay.community.pubkey()) { " · invited by the operator" }
            @else if m.inviter.is_none() { " · admitted by the members" }
            @for role in &m.roles { " " span class="role" { (role) } }
        }
        @if banned { " " span class="result failed" { "banned" } }
    }
}

fn tree(
    relay: &Relay,
    parent: &Option<PubKey>,
    children: &BTreeMap<Option<PubKey>, Vec<PubKey>>,
    names: &Names,
    depth: usize,
) -> Markup {
    let Some(list) = children.get(parent) else {
        return html! {};
    };
    html! {
        ul class="tree" {
            @for key in list {
                li {
                    (member_line(relay, key, names))
                    @if depth < MAX_DEPTH {
                        (tree(relay, &Some(*key), children, names, depth + 1))
                    } @else {
                        (flat(relay, key, children, names))
                    }
                }
            }
        }
    }
}

/// Everyone brought in, directly or not, by `root`, in one list.
fn flat(
    relay: &Relay,
    root: &PubKey,
    children: &BTreeMap<Option<PubKey>, Vec<PubKey>>,
    names: &Names,
) -> Markup {
    let mut all = Vec::new();
    let mut stack = vec![*root];
    while let Some(k) = stack.pop() {
        for c in children.get(&Some(k)).into_iter().flatten() {
            all.push(*c);
            stack.push(*c);
        }
    }
    html! {
        @if !all.is_empty() {
            ul class="tree flat" { @for k in &all { li { (member_line(relay, k, names)) } } }
        }
    }
}

/// `?code=` from a join link.
#[derive(Debug, Default, Deserialize)]
pub struct JoinParams {
    pub code: Option<String>,
    /// The chat app's invite links (`/join?r=<relay>&c=<code>`) open the app's own join
    /// screen, when the relay serves the app.
    pub r: Option<String>,
    pub c: Option<String>,
}

pub fn join(v: &Visit<'_>, q: &JoinParams) -> Markup {
    let relay = v.relay;
    let snapshot = relay.snapshot();
    let mode = snapshot.policy.admission.mode;
    let code = q.code.as_deref().map(str::trim).filter(|c| !c.is_empty());
    let cofounder = code.is_some_and(|c| snapshot.policy.founders.takes_invite(c, unix_now()));
    let body = html! {
        h1 { "Join " (snapshot.policy.info.name) }
        p { "First sign in (at the top of the page): with a signer extension or a signer app if you have one, or with a key this page makes for you if you are new to Nostr. Your key stays with you; the page only asks it to sign." }
        form id="join" data-code=[code] data-cofounder=[cofounder.then_some("yes")] {
            @match (code, mode) {
                (Some(_), _) if cofounder => {
                    p { strong { "You are invited to be one of this community's founders." } " Founders decide together while the community is small, and may invite without limit." }
                    button type="submit" disabled { "Join as a co-founder" }
                }
                (Some(_), _) => {
                    p { "You have an invite code from a member." }
                    button type="submit" disabled { "Join with this code" }
                }
                (None, AdmissionMode::Vouch | AdmissionMode::Vote) => {
                    p { @if mode == AdmissionMode::Vouch { "Ask to join, and members vouch for you." } @else { "Ask to join, and the members vote on it." } }
                    label for="intro" { "Introduce yourself (optional)" }
                    textarea id="intro" name="intro" rows="3" {}
                    button type="submit" disabled { "Ask to join" }
                }
                (None, _) => {
                    p { "This community admits members with invite codes. Ask a member for a join link." }
                }
            }
            p class="hint needs-js" { "Joining needs JavaScript." }
        }
        p id="join-result" role="status" {}
    };
    layout::page(relay, "Join", Nav::None, body)
}
