//! Delegated votes on the members page: the delegations in force (they are public events,
//! and a community should see who carries whose vote), and the form a member lends or takes
//! back their vote with (kind 33536, signed by their signer).

use governance::Class;
use governance::delegation::{ALL, Delegation, MAX_DEPTH};
use maud::{Markup, html};
use nips::PubKey;

use super::format::{Names, person};

/// The scope of a delegation, as members read it.
fn scope(d: &Delegation) -> String {
    match d.class {
        Some(c) => format!("{c} decisions"),
        None => "every decision".into(),
    }
}

/// Delegations listed at most.
const MAX_LISTED: usize = 500;

/// The section: the form (lending to one of `members`, those on the page), then who lends
/// their vote to whom.
pub fn section(delegations: &[Delegation], members: &[PubKey], names: &Names) -> Markup {
    let lent: Vec<&Delegation> = delegations
        .iter()
        .filter(|d| d.delegate.is_some())
        .collect();
    html! {
        section aria-labelledby="delegation-title" id="delegation" data-refresh data-live=(nips::cg::KIND_DELEGATION) {
            h2 id="delegation-title" { "Lending your vote" }
            p { "A member who cannot follow every question may lend their vote to another member, for one kind of decision or for all. "
                "When a vote closes, your own vote counts if you cast one; otherwise your delegate's does (following their delegate in turn, up to "
                (MAX_DEPTH) " steps, and only among the members who may vote on it). Take it back at any time." }
            form id="delegate" novalidate {
                label for="delegate-scope" { "For" }
                select id="delegate-scope" name="scope" {
                    option value=(ALL) { "every decision" }
                    @for c in Class::ALL { option value=(c.as_str()) { (c.as_str()) " decisions" } }
                }
                label for="delegate-to" { "Lend my vote to" }
                select id="delegate-to" name="to" {
                    @for k in members { option value=(k.to_hex()) { (names.get(k).cloned().unwrap_or_else(|| super::format::short_npub(k))) } }
                }
                button type="submit" disabled { "Lend my vote" }
                button type="button" id="undelegate" class="secondary" disabled { "Take it back" }
                p class="hint needs-js" { "Sign in as a member to lend your vote." }
            }
            h3 { "Who lends their vote now" }
            @if lent.is_empty() {
                p class="hint" { "Nobody." }
            } @else {
                @if lent.len() > MAX_LISTED { p class="hint" { (lent.len()) " members lend their vote; the first " (MAX_LISTED) " are listed." } }
                ul class="delegations" {
                    @for d in lent.iter().take(MAX_LISTED) {
                        @if let Some(to) = &d.delegate {
                            li data-delegator=(d.delegator.to_hex()) { (person(&d.delegator, names)) " lends their vote on " (scope(d)) " to " (person(to, names)) }
                        }
                    }
                }
            }
        }
    }
}
