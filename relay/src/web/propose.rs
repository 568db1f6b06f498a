//! Proposing: a form for each action, built from the policy's own parameter catalogue (each
//! parameter with its value now, its type and the class that decides it). The page's script
//! checks what the relay would refuse before asking the signer, then builds the NIP-88 poll.

use governance::params;
use governance::{Class, PolicyDoc};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::{Value, json};

use super::Visit;
use super::format;
use super::layout::{self, Nav};
use crate::relay::Relay;

/// `?action=` picks the form.
#[derive(Debug, Default, Deserialize)]
pub struct Params {
    pub action: Option<String>,
    pub param: Option<String>,
    /// The open proposal an amendment amends.
    pub amends: Option<String>,
}

/// Every action a member can propose, with what it asks for.
const ACTIONS: &[(&str, &str)] = &[
    ("set", "Change a setting"),
    ("constitution", "Change the constitution"),
    ("ban", "Ban a key"),
    ("unban", "Lift a ban"),
    ("remove-event", "Remove an event"),
    ("restore-event", "Restore an event"),
    ("admit", "Admit a member"),
    ("remove-member", "Remove a member"),
    ("role", "Give or take a role"),
    ("appeal", "Appeal your ban"),
];

/// What the script needs: the catalogue, the classes' windows and blocks, the bans and
/// removals in force, and the limits it checks values against.
fn catalogue(relay: &Relay, doc: &PolicyDoc) -> Value {
    let snapshot = relay.snapshot();
    let policy = &snapshot.policy;
    let params: Vec<Value> = params::all()
        .into_iter()
        .map(|p| {
            let (ty, words) = (p.ty.as_str(), p.ty.words());
            let plain = governance::labels::of(&p.name);
            json!({"name": p.name, "class": p.class.as_str(), "type": ty, "words": words,
                   "now": doc.get(&p.name),
                   "now_words": super::words::value(&p.name, doc.get(&p.name)),
                   "label": super::words::label(&p.name),
                   "description": plain.as_ref().map(|w| w.description.clone()),
                   "unit": plain.as_ref().map_or("", |w| w.unit.as_str())})
        })
        .collect();
    let classes: serde_json::Map<String, Value> = Class::ALL
        .iter()
        .map(|c| {
            let r = policy.classes.get(*c);
            (
                c.as_str().to_string(),
                json!({"window": r.window, "block": r.block, "deliberation": r.deliberation}),
            )
        })
        .collect();
    json!({
        "params": params,
        "classes": classes,
        "min_window": policy.proposals.min_window,
        "short_ban": governance::proposal::SHORT_BAN,
        "bans": policy.bans.keys().map(|k| k.to_hex()).collect::<Vec<_>>(),
        "removed": policy.removed_events.keys().map(|id| id.to_hex()).collect::<Vec<_>>(),
        "doc": serde_json::from_str::<Value>(&doc.canonical()).unwrap_or_default(),
    })
}

pub async fn page(v: &Visit<'_>, q: &Params) -> Markup {
    let relay = v.relay;
    let snapshot = relay.snapshot();
    let doc = format::doc_of(&snapshot.policy);
    let amending = amended(v, q).await;
    let action = amending
        .as_ref()
        .map(|o| o.proposal.action.name())
        .or(q.action.as_deref())
        .filter(|a| ACTIONS.iter().any(|(n, _)| n == a))
        .unwrap_or("set");
    let body = html! {
        h1 { "Propose" }
        p { "A proposal is a poll the members vote on. When it passes, the relay applies it at once and records the decision. Your signer signs it; the relay checks it like any event." }
        @if let Some(o) = &amending {
            p class="amending" {
                "You are amending " a href=(format!("/proposals/{}", o.proposal.id.to_hex())) { (super::cards::title(&o.proposal)) }
                ". If your amendment passes, its change replaces the original's before the original is decided. It proposes the same kind of change and its vote ends by "
                (format::when(o.ends)) "."
            }
        }
        nav class="actions" aria-label="What to propose" hidden[amending.is_some()] {
            ul {
                @for (name, label) in ACTIONS {
                    li {
                        @if *name == action {
                            a href=(format!("/propose?action={name}")) aria-current="page" { (label) }
                        } @else {
                            a href=(format!("/propose?action={name}")) { (label) }
                        }
                    }
                }
            }
        }
        form id="propose" data-action=(action) novalidate
            data-amends=[amending.as_ref().map(|o| o.proposal.id.to_hex())]
            data-amends-ends=[amending.as_ref().map(|o| o.ends)] {
            (fields(action, &amending_params(q, amending.as_ref()), &doc, &snapshot.policy, amending.as_ref().map(|o| &o.action)))
            label for="text" { "Title and explanation" }
            textarea id="text" name="text" rows="5" required
                placeholder="The first line is the title. Say why." {}
            label for="window" { "Voting open for (days)" }
            input id="window" name="window" type="number" min="0.05" step="0.05" inputmode="decimal";
            p class="hint" id="window-hint" {}
            p class="error" id="propose-error" role="alert" {}
            button type="submit" disabled { "Sign and propose" }
            p class="hint needs-js" { "Proposing needs JavaScript." }
        }
        (layout::data_block("catalogue", &catalogue(relay, &doc)))
    };
    layout::page(relay, "Propose", Nav::Propose, body)
}

/// `q`, with the parameter an amended proposal changes chosen when `q` names none.
fn amending_params(q: &Params, amending: Option<&crate::community::view::OpenView>) -> Params {
    let changed = amending.and_then(|o| match &o.action {
        governance::Action::Set(c) | governance::Action::Constitution(c) => {
            c.first().map(|c| c.name.clone())
        }
        _ => None,
    });
    Params {
        action: q.action.clone(),
        param: q.param.clone().or(changed),
        amends: q.amends.clone(),
    }
}

/// The open proposal `q` asks to amend, if it may be amended and the visitor may read it (on
/// a members-only relay, a member's proposal is members' content, as REQ serves it).
async fn amended(v: &Visit<'_>, q: &Params) -> Option<crate::community::view::OpenView> {
    let id: nips::EventId = q.amends.as_deref()?.parse().ok()?;
    let view = v.relay.community.view().await;
    let open = view.open.iter().find(|o| o.proposal.id == id)?;
    let readable = v.members || open.proposal.author == v.relay.community.pubkey();
    (readable && open.proposal.amends.is_none() && open.proposal.action.amendable())
        .then(|| open.clone())
}

/// The form's fields for `action`. When amending, only what the original changes is offered:
/// its settings (for new values), its ban's person (for a new length).
fn fields(
    action: &str,
    q: &Params,
    doc: &PolicyDoc,
    policy: &governance::Policy,
    amending: Option<&governance::Action>,
) -> Markup {
    let amended_names: Option<Vec<&str>> = match amending {
        Some(governance::Action::Set(c) | governance::Action::Constitution(c)) => {
            Some(c.iter().map(|c| c.name.as_str()).collect())
        }
        _ => None,
    };
    let banned = match amending {
        Some(governance::Action::Ban { target, .. }) => Some(nips::nip19::encode_npub(target)),
        _ => None,
    };
    match action {
        "set" | "constitution" => {
            let class = if action == "set" {
                Class::Ordinary
            } else {
                Class::Constitutional
            };
            let specs: Vec<_> = params::all()
                .into_iter()
                .filter(|p| p.class == class)
                .filter(|p| {
                    amended_names
                        .as_ref()
                        .is_none_or(|n| n.contains(&p.name.as_str()))
                })
                .collect();
            let chosen = q
                .param
                .as_deref()
                .filter(|p| specs.iter().any(|s| s.name == *p));
            let groups = governance::labels::GROUPS.iter().map(|g| {
                let members: Vec<_> = specs
                    .iter()
                    .filter(|s| governance::labels::of(&s.name).is_some_and(|w| w.group == *g))
                    .collect();
                (*g, members)
            });
            html! {
                label for="param" { "What to change" }
                select id="param" name="param" required {
                    @for (group, members) in groups {
                        @if !members.is_empty() {
                            optgroup label=(group) {
                                @for s in members {
                                    option value=(s.name) selected[Some(s.name.as_str()) == chosen] {
                                        (super::words::label(&s.name)) " (now " (super::words::value(&s.name, doc.get(&s.name))) ")"
                                    }
                                }
                            }
                        }
                    }
                }
                p class="hint" id="param-hint" {}
                label for="value" id="value-label" { "New value" }
                div class="value-row" {
                    input id="value" name="value" type="text" required autocomplete="off";
                    select id="value-unit" name="value_unit" aria-label="Unit" hidden {
                        option value="60" { "minutes" }
                        option value="3600" { "hours" }
                        option value="86400" selected { "days" }
                    }
                }
            }
        }
        "ban" => html! {
            label for="target" { "Key to ban (npub or hex)" }
            input id="target" name="target" type="text" required autocomplete="off" value=[banned.as_deref()] readonly[banned.is_some()];
            label for="days" { "For how many days (0: for good)" }
            input id="days" name="days" type="number" min="0" value="7";
            p class="hint" { "Bans of 30 days or less are decided by the moderation rule, longer ones by the membership rule." }
        },
        "unban" => html! {
            label for="target" { "Ban to lift" }
            select id="target" name="target" required {
                @for key in policy.bans.keys() { option value=(key.to_hex()) { (format::short_npub(key)) } }
            }
            @if policy.bans.is_empty() { p class="hint" { "Nobody is banned." } }
        },
        "remove-event" => html! {
            label for="target" { "Event to remove (note id, note1… or nevent1…)" }
            input id="target" name="target" type="text" required autocomplete="off";
        },
        "restore-event" => html! {
            label for="target" { "Removed event to restore" }
            select id="target" name="target" required {
                @for id in policy.removed_events.keys() { option value=(id.to_hex()) { (format::short_id(&id.to_hex())) } }
            }
            @if policy.removed_events.is_empty() { p class="hint" { "No event is removed." } }
        },
        "admit" | "remove-member" => html! {
            label for="target" { "Key (npub or hex)" }
            input id="target" name="target" type="text" required autocomplete="off";
        },
        "role" => html! {
            label for="target" { "Member (npub or hex)" }
            input id="target" name="target" type="text" required autocomplete="off";
            label for="role" { "Role" }
            input id="role" name="role" type="text" required autocomplete="off";
            label for="assign" { "Give or take" }
            select id="assign" name="assign" { option value="assign" { "Give the role" } option value="unassign" { "Take it away" } }
        },
        _ => html! {
            label for="target" { "The decision that banned you (its id)" }
            input id="target" name="target" type="text" required autocomplete="off";
            p class="hint" { "Find it in the " a href="/decisions" { "decision log" } ". One appeal per ban." }
        },
    }
}
