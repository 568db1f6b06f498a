//! Reports and emergencies: operators' emergency actions awaiting the members' ratification,
//! the moderation proposals reports opened, and the reports of the last weeks.

use std::collections::BTreeMap;

use governance::Action;
use maud::{Markup, html};
use nips::nip56::{self, Target};

use super::cards::proposal_card;
use super::format::{self, person, short_id};
use super::layout::{self, Nav};
use super::{Visit, data};
use crate::relay::unix_now;

/// How far back the page lists reports.
const REPORT_DAYS: u64 = 30;

pub async fn page(v: &Visit<'_>) -> Markup {
    let relay = v.relay;
    let view = relay.community.view().await;
    let decisions = data::decisions(v).await;
    let reports = data::reports(v, REPORT_DAYS).await;
    let me = relay.community.pubkey();
    let doc = format::doc_of(&relay.snapshot().policy);
    let keys = reports.iter().map(|r| r.pubkey).chain(
        decisions
            .iter()
            .filter_map(|(_, d)| d.emergency.as_ref().map(|e| e.operator)),
    );
    let names = data::names(v, keys).await;
    let now = unix_now();
    let ratifications: Vec<_> = view
        .open
        .iter()
        .filter(|o| matches!(o.proposal.action, Action::Ratify(_)))
        .collect();
    let moderation: Vec<_> = view
        .open
        .iter()
        .filter(|o| o.proposal.author == me)
        .filter(|o| {
            matches!(
                o.proposal.action,
                Action::RemoveEvent(_) | Action::Ban { .. }
            )
        })
        .collect();
    let mut by_target: BTreeMap<Target, Vec<&nips::Event>> = BTreeMap::new();
    for r in &reports {
        if let Some(t) = nip56::target(r) {
            by_target.entry(t).or_default().push(r);
        }
    }
    let body = html! {
        h1 { "Reports and emergencies" }
        section aria-labelledby="em-title" id="emergencies" data-refresh data-live="1068,1018,8002,1984" {
            h2 id="em-title" { "Emergency actions awaiting ratification (" (view.pending.len()) ")" }
            p { "An operator may act at once in an emergency; the members then ratify the action, or it is reverted." }
            @for em in &view.pending {
                @if let Some((event, d)) = decisions.iter().find(|(e, _)| e.id == *em) {
                    article class="decision" {
                        p class="head" { span class="result emergency" { "emergency" } " " (super::format::when(event.created_at)) }
                        p { (event.content) }
                        @if let Some(e) = &d.emergency { p { code { (e.method) } " by " (person(&e.operator, &names)) } }
                    }
                }
            }
            @for open in &ratifications { (proposal_card(v, open, &doc, &names, now)) }
        }
        section aria-labelledby="mod-title" id="moderation" data-refresh {
            h2 id="mod-title" { "Opened by reports (" (moderation.len()) ")" }
            p { "When enough members report the same event or person, the relay opens a moderation proposal citing their reports." }
            @for open in &moderation { (proposal_card(v, open, &doc, &names, now)) }
        }
        section aria-labelledby="reports-title" id="reports" data-refresh {
            h2 id="reports-title" { "Reports of the last " (REPORT_DAYS) " days" }
            @if !v.members { p { "Reports are for members." } }
            @else if by_target.is_empty() { p { "None." } }
            ul class="reports" {
                @for (target, list) in &by_target {
                    li {
                        @match target {
                            Target::Event(id, author) => { "Event " code { (short_id(&id.to_hex())) } " by " (person(author, &names)) }
                            Target::Pubkey(key) => { "The account " (person(key, &names)) }
                        }
                        ": " (list.len()) " report" @if list.len() != 1 { "s" }
                        ul {
                            @for r in list.iter().take(20) {
                                li { (person(&r.pubkey, &names)) " (" (super::format::when(r.created_at)) ")" @if !r.content.is_empty() { ": " (r.content.chars().take(280).collect::<String>()) } }
                            }
                        }
                    }
                }
            }
        }
    };
    layout::page(relay, "Reports", Nav::Reports, body)
}
