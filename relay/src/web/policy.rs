//! The policy: every parameter, its value, and the decisions that changed it.

use std::collections::BTreeMap;

use governance::decision::Resolution;
use governance::{Action, Class, Decision};
use maud::{Markup, html};
use nips::{Event, EventId};

use super::format::{self, short_id};
use super::layout::{self, Nav};
use super::{Visit, data};

/// One change of a parameter: its new value (as proposed), the decision, and when.
struct Change {
    value: String,
    decision: EventId,
    at: u64,
    reverted: bool,
}

/// The changes of each parameter, oldest first, from the decision log.
fn history(decisions: &[(Event, Decision)]) -> BTreeMap<String, Vec<Change>> {
    let mut by_decision: BTreeMap<EventId, Vec<String>> = BTreeMap::new();
    let mut out: BTreeMap<String, Vec<Change>> = BTreeMap::new();
    for (event, d) in decisions.iter().rev() {
        match (&d.action, d.resolution) {
            (
                Some(Action::Set(cs) | Action::Constitution(cs)),
                Resolution::Passed | Resolution::Emergency,
            ) => {
                for c in cs {
                    out.entry(c.name.clone()).or_default().push(Change {
                        value: super::words::value(&c.name, Some(&c.value)),
                        decision: event.id,
                        at: event.created_at,
                        reverted: false,
                    });
                    by_decision
                        .entry(event.id)
                        .or_default()
                        .push(c.name.clone());
                }
            }
            (_, Resolution::Reverted) => {
                let undone = d.reverts.and_then(|em| by_decision.get(&em)).cloned();
                for name in undone.into_iter().flatten() {
                    out.entry(name).or_default().push(Change {
                        value: "(the emergency change, reverted)".into(),
                        decision: event.id,
                        at: event.created_at,
                        reverted: true,
                    });
                }
            }
            _ => {}
        }
    }
    out
}

pub async fn page(v: &Visit<'_>) -> Markup {
    let relay = v.relay;
    let snapshot = relay.snapshot();
    let policy = &snapshot.policy;
    let doc = format::doc_of(policy);
    let decisions = data::decisions(v).await;
    let history = history(&decisions);
    // In the catalogue's groups, in the order members look for them.
    let specs = governance::params::all();
    let groups: Vec<(&str, Vec<&governance::params::ParamSpec>)> = governance::labels::GROUPS
        .iter()
        .map(|g| {
            let members: Vec<_> = specs
                .iter()
                .filter(|s| governance::labels::of(&s.name).is_some_and(|w| w.group == *g))
                .collect();
            (*g, members)
        })
        .filter(|(_, members)| !members.is_empty())
        .collect();
    let body = html! {
        h1 { "Policy, version " (policy.version) }
        p { "Every rule the relay enforces. Each changes only by a decision of the members: settings by the ordinary rule, the constitution by the constitutional rule." }
        @for (i, (group, specs)) in groups.iter().enumerate() {
            section aria-labelledby=(format!("g-{i}")) {
                h2 id=(format!("g-{i}")) { (group) }
                table class="policy" {
                    thead { tr { th scope="col" { "Rule" } th scope="col" { "Now" } th scope="col" { "Changed by" } } }
                    tbody {
                        @for spec in specs {
                            @let words = governance::labels::of(&spec.name);
                            tr id=(spec.name) {
                                th scope="row" {
                                    (super::words::label(&spec.name))
                                    @if let Some(w) = &words { br; span class="hint" { (w.description) } }
                                    br;
                                    code class="key" { (spec.name) }
                                    " · "
                                    span class="hint" { (if spec.class == Class::Constitutional { "constitutional" } else { "ordinary" }) }
                                }
                                td { (super::words::value(&spec.name, doc.get(&spec.name))) }
                                td { (changes(history.get(&spec.name), &spec.name, spec.class)) }
                            }
                        }
                    }
                }
            }
        }
        section aria-labelledby="bans-title" {
            h2 id="bans-title" { "Bans and removed events" }
            @if policy.bans.is_empty() && policy.removed_events.is_empty() { p { "None." } }
            ul {
                @for (key, ban) in &policy.bans {
                    li { (format::short_npub(key)) ": " @if ban.until == 0 { "for good" } @else { "until " (super::format::when(ban.until)) } @if !ban.reason.is_empty() { " (" (ban.reason) ")" } }
                }
                @for (id, r) in &policy.removed_events {
                    li { "Event " code { (short_id(&id.to_hex())) } " removed " (super::format::when(r.at)) }
                }
            }
        }
    };
    layout::page(relay, "Policy", Nav::Policy, body)
}

fn changes(changes: Option<&Vec<Change>>, name: &str, class: Class) -> Markup {
    let action = if class == Class::Constitutional {
        "constitution"
    } else {
        "set"
    };
    let propose = format!("/propose?action={action}&param={name}");
    match changes {
        None => {
            html! { "the genesis " a class="propose-link" href=(propose) { "Propose a change" } }
        }
        Some(list) => {
            let last = list.last();
            html! {
                @if let Some(c) = last {
                    a href=(format!("/decisions#{}", c.decision.to_hex())) { "decision " (short_id(&c.decision.to_hex())) }
                    " (" (super::format::when(c.at)) ") "
                }
                details {
                    summary { "History (" (list.len()) ")" }
                    ol {
                        @for c in list {
                            li class=[c.reverted.then_some("reverted")] {
                                (super::format::when(c.at)) ": " (c.value) " — "
                                a href=(format!("/decisions#{}", c.decision.to_hex())) { (short_id(&c.decision.to_hex())) }
                            }
                        }
                    }
                }
                " " a class="propose-link" href=(propose) { "Propose a change" }
            }
        }
    }
}
