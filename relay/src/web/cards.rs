//! A proposal as a card, as the overview and the reports page list it.

use governance::{PolicyDoc, Proposal};
use maud::{Markup, html};

use super::Visit;
use super::format::{self, Names};
use super::layout;
use crate::community::view::OpenView;

/// A proposal's title: the first line of its text (at most 120 characters), or its action.
pub fn title(p: &Proposal) -> String {
    let first = p.title.lines().next().unwrap_or_default().trim();
    if first.is_empty() {
        return format!("Proposal to {}", p.action.name());
    }
    let mut t: String = first.chars().take(120).collect();
    if first.chars().count() > 120 {
        t.push('…');
    }
    t
}

/// An open proposal: what it would do, its tally against its quorum, and when it closes. On a
/// members-only relay a member's proposal shows no more than that one is open.
pub fn proposal_card(
    v: &Visit<'_>,
    open: &OpenView,
    doc: &PolicyDoc,
    names: &Names,
    now: u64,
) -> Markup {
    let p = &open.proposal;
    let href = format!("/proposals/{}", p.id.to_hex());
    if !v.members && p.author != v.community.pubkey() {
        return html! {
            article class="proposal" {
                h3 { a href=(href) { "A member's proposal" } }
                p class="meta" { "Members only; " (format::time_left(open.ends, now)) }
            }
        };
    }
    html! {
        article class="proposal" id=(p.id.to_hex()) {
            h3 { a href=(href) { (title(p)) } }
            p class="action" { (format::action_summary(&open.action, doc, names)) }
            @if now < open.opens {
                p class="deliberation" { "In discussion; voting opens in " (format::duration(open.opens - now)) "." }
            } @else {
                div class="standing" {
                    (layout::tally_bars(&open.tally, p.block))
                    (layout::turnout(&open.tally, open.quorum))
                }
            }
            p class="meta" {
                span class="class" { (p.class.as_str()) }
                @if p.amends.is_some() { " · amendment" }
                " · " (format::time_left(open.ends, now))
                " · proposed by " (format::person(&p.author, names))
            }
        }
    }
}
