//! The overview: who this community is, how it admits and reads, what is open for a vote and
//! what was decided last.

use governance::{AdmissionMode, ReadAccess};
use maud::{Markup, html};

use super::cards::proposal_card;
use super::format::{self, short_id};
use super::layout::{self, Nav};
use super::{Visit, data};
use crate::relay::unix_now;

fn admission_text(mode: AdmissionMode) -> (&'static str, &'static str) {
    match mode {
        AdmissionMode::Open => ("Open", "anyone may post; members decide"),
        AdmissionMode::Invite => ("By invitation", "newcomers join with a member's invite"),
        AdmissionMode::Vouch => ("By vouching", "members vouch for a newcomer"),
        AdmissionMode::Vote => ("By vote", "the members vote on each newcomer"),
    }
}

pub async fn page(v: &Visit<'_>) -> Markup {
    let relay = v.relay;
    let snapshot = relay.snapshot();
    let policy = &snapshot.policy;
    let view = relay.community.view().await;
    let decisions = data::decisions(v).await;
    let doc = format::doc_of(policy);
    let authors = view.open.iter().map(|o| o.proposal.author);
    let names = data::names(v, authors).await;
    let now = unix_now();
    let body = html! {
        section class="intro" id="intro" data-refresh data-live="1068,1018,8002,8000,8001" {
            h1 { (policy.info.name) }
            p class="description" { (policy.info.description) }
            @if snapshot.roster.is_empty() {
                p class="notice" { "This community has no members yet, so nobody can propose or vote. Its operator names the founders when starting the relay: " code { "communitarium serve --founder npub1…" } "." }
            }
            dl class="facts" {
                @let (mode, how) = admission_text(policy.admission.mode);
                div { dt { "Admission" } dd { (mode) br; span class="hint" { (how) } } }
                div { dt { "Reading" } dd { @if policy.admission.read == ReadAccess::Members { "Members only" } @else { "Public" } } }
                div { dt { "Members" } dd { a href="/members" { (snapshot.roster.len()) } } }
                div { dt { "Policy" } dd { a href="/policy" { "version " (policy.version) } } }
                div { dt { "Decisions" } dd { a href="/decisions" { (view.decisions) } } }
            }
        }
        section aria-labelledby="open-title" id="open" data-refresh {
            h2 id="open-title" { "Open for a vote (" (view.open.len()) ")" }
            @if view.open.is_empty() {
                p { "Nothing is open for a vote. " a href="/propose" { "Propose something" } "." }
            }
            @for open in &view.open {
                (proposal_card(v, open, &doc, &names, now))
            }
        }
        section aria-labelledby="latest-title" id="latest" data-refresh {
            h2 id="latest-title" { "Latest decisions" }
            ol class="decisions brief" {
                @for (event, d) in decisions.iter().take(5) {
                    li {
                        span class=(format!("result {}", d.resolution.as_str())) { (d.resolution.as_str()) }
                        " "
                        a href=(format!("/decisions#{}", event.id.to_hex())) { (format::decision_line(event, d)) }
                        " "
                        (super::format::when(event.created_at))
                    }
                }
            }
            p { a href="/decisions" { "The whole decision log" } " (decision " (short_id(&decisions.first().map(|(e, _)| e.id.to_hex()).unwrap_or_default())) " is the latest)" }
        }
    };
    layout::page(relay, "Overview", Nav::Overview, body)
}
