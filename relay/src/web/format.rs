//! Words for the page: people's names, times, durations and what an action does. All text;
//! the templates escape it.

use std::collections::BTreeMap;

use governance::{Action, Policy, PolicyDoc};
use maud::{Markup, html};
use nips::{PubKey, nip19};

/// How people appear: the name and picture each gave in their profile (kind 0), by key.
#[derive(Debug, Clone, Default)]
pub struct Names {
    names: BTreeMap<PubKey, String>,
    /// Pictures kept inside the profile (`data:image/…`): any other would be fetched from
    /// another site by every visitor's browser.
    pictures: BTreeMap<PubKey, String>,
}

impl Names {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn insert(&mut self, key: PubKey, name: String) {
        self.names.insert(key, name);
    }

    pub fn set_picture(&mut self, key: PubKey, picture: String) {
        self.pictures.insert(key, picture);
    }

    pub fn get(&self, key: &PubKey) -> Option<&String> {
        self.names.get(key)
    }

    pub fn picture(&self, key: &PubKey) -> Option<&String> {
        self.pictures.get(key)
    }
}

/// A person: their picture and name where they gave them, with their npub on hover.
pub fn person(key: &PubKey, names: &Names) -> Markup {
    let npub = nip19::encode_npub(key);
    let picture = names.picture(key);
    match names.get(key) {
        Some(name) => html! {
            span class="person" title=(npub) {
                @if let Some(p) = picture { img class="avatar" src=(p) alt="" width="20" height="20"; " " }
                (name)
            }
        },
        None => html! { span class="person key" title=(npub) { (short_npub(key)) } },
    }
}

pub use super::words::{duration, short_npub};
pub use crate::dates::date;

/// A moment in the page: in UTC as served, shown in the reader's own time zone by the script,
/// with UTC on hover.
pub fn when(at: u64) -> Markup {
    html! { time datetime=(crate::dates::iso(at)) data-at=(at) title=(date(at)) { (date(at)) } }
}

/// `closes in 3 days` or `closed`.
pub fn time_left(ends_at: u64, now: u64) -> String {
    if ends_at > now {
        format!("closes in {}", duration(ends_at - now))
    } else {
        "closing now".into()
    }
}

/// What `action` does, in a sentence, against the policy in force.
pub fn action_summary(action: &Action, doc: &PolicyDoc, names: &Names) -> Markup {
    summary(action, Some(doc), names)
}

/// What `action` did, in a sentence (for the log: no "now").
pub fn action_done(action: &Action, names: &Names) -> Markup {
    summary(action, None, names)
}

fn summary(action: &Action, doc: Option<&PolicyDoc>, names: &Names) -> Markup {
    match action {
        Action::Set(changes) | Action::Constitution(changes) => html! {
            @for (i, c) in changes.iter().enumerate() {
                @if i > 0 { "; " }
                (super::words::label(&c.name)) ": " strong { (super::words::value(&c.name, Some(&c.value))) }
                @if let Some(doc) = doc { " (now " (super::words::value(&c.name, doc.get(&c.name))) ")" }
                " " code class="key" { (c.name) }
            }
        },
        Action::Admit(k) => html! { "Admit " (person(k, names)) " as a member" },
        Action::RemoveMember(k) => html! { "Remove " (person(k, names)) " from the members" },
        Action::Ban {
            target,
            duration: 0,
        } => html! { "Ban " (person(target, names)) " for good" },
        Action::Ban {
            target,
            duration: d,
        } => {
            html! { "Ban " (person(target, names)) " for " (duration(*d)) }
        }
        Action::Unban(k) => html! { "Lift the ban on " (person(k, names)) },
        Action::RemoveEvent(id) => html! { "Remove the event " code { (short_id(&id.to_hex())) } },
        Action::RestoreEvent(id) => {
            html! { "Restore the event " code { (short_id(&id.to_hex())) } }
        }
        Action::Role {
            member,
            role,
            assign: true,
        } => {
            html! { "Give " (person(member, names)) " the role " strong { (role) } }
        }
        Action::Role {
            member,
            role,
            assign: false,
        } => {
            html! { "Take the role " strong { (role) } " from " (person(member, names)) }
        }
        Action::Ratify(em) => html! {
            "Ratify the operator's emergency action " a href=(format!("/decisions#{}", em.to_hex())) { (short_id(&em.to_hex())) }
        },
        Action::Appeal(ban) => html! {
            "Appeal the ban of decision " a href=(format!("/decisions#{}", ban.to_hex())) { (short_id(&ban.to_hex())) }
        },
    }
}

/// A decision in a line: the founding, or the first line of the relay's summary.
pub fn decision_line(event: &nips::Event, d: &governance::Decision) -> String {
    if d.resolution == governance::decision::Resolution::Genesis {
        return "The community's founding: its first policy and founders.".into();
    }
    if d.resolution == governance::decision::Resolution::Cofounder {
        return "A co-founder joined.".into();
    }
    event.content.lines().next().unwrap_or_default().to_string()
}

/// The first 12 hex digits of an id.
pub fn short_id(hex: &str) -> &str {
    hex.get(..12).unwrap_or(hex)
}

/// How a class decides, in words.
pub fn rule_text(rule: &governance::ClassRule) -> String {
    let share = if rule.pass_den == 0 || rule.pass_num == 0 {
        String::new()
    } else {
        let op = if rule.pass_strict {
            "more than"
        } else {
            "at least"
        };
        format!(
            "; passes with {op} {}% yes among yes and no",
            100 * rule.pass_num / rule.pass_den
        )
    };
    let block = if !rule.block {
        String::new()
    } else if rule.max_block_percent == 0 {
        "; any block stops it".into()
    } else {
        format!(
            "; blocks from {}% of voters stop it",
            rule.max_block_percent
        )
    };
    format!(
        "quorum {}% of the electorate (at least {}){share}; at least {} yes{block}; open up to {}",
        rule.quorum_percent,
        rule.quorum_min,
        rule.min_yes,
        duration(rule.window)
    )
}

/// The policy a page describes, with its document.
pub fn doc_of(policy: &Policy) -> PolicyDoc {
    PolicyDoc::from_policy(policy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_durations_read_well() {
        assert_eq!(date(0), "1970-01-01 00:00 UTC");
        assert_eq!(date(1_764_597_900), "2025-12-01 14:05 UTC");
        assert_eq!(duration(3 * 86_400), "3 days");
        assert_eq!(
            duration(7 * 86_400 - 60),
            "7 days",
            "a 7-day vote a minute old closes in 7 days"
        );
        assert_eq!(duration(5 * 3_600 + 1_700), "5 hours");
        assert_eq!(crate::dates::iso(1_764_597_909), "2025-12-01T14:05:09Z");
        assert_eq!(duration(86_400), "24 hours");
        assert_eq!(duration(60), "60 seconds");
        assert_eq!(time_left(100, 40), "closes in 60 seconds");
    }
}
