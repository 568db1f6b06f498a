//! Proposals: NIP-88 polls (kind 1068) with a `gov` tag naming an action. Parsing reads the
//! action and its payload; validation checks them against the policy in force.

use std::collections::BTreeSet;

use nips::{Event, EventId, PubKey, Tag, hex, nip42, nip88};
use serde_json::Value;

use crate::class::Class;
use crate::params;
use crate::policy::{Policy, PolicyDoc};
use crate::roster::Roster;

/// Bans up to this long are moderation; longer or permanent bans are membership decisions.
pub const SHORT_BAN: u64 = 30 * 86_400;

/// How far a proposal's `created_at` may be from now: it freezes the electorate, so it must
/// not be backdated.
pub const MAX_CREATED_SKEW: u64 = 600;

/// One parameter change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub name: String,
    /// The value as written in the tag.
    pub raw: String,
    /// The value as stored in the policy document.
    pub value: Value,
}

impl Change {
    /// Reads `["change", name, raw]`.
    pub fn parse(name: &str, raw: &str) -> Result<(Self, Class), String> {
        let spec = params::spec(name).ok_or_else(|| format!("unknown parameter `{name}`"))?;
        let value = params::parse_value(&spec, raw)?;
        Ok((
            Self {
                name: name.to_string(),
                raw: raw.to_string(),
                value,
            },
            spec.class,
        ))
    }
}

/// What a proposal asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Change ordinary parameters.
    Set(Vec<Change>),
    /// Change constitutional parameters (classes, admission, founders, operators).
    Constitution(Vec<Change>),
    Admit(PubKey),
    RemoveMember(PubKey),
    /// Ban a key for `duration` seconds (0: permanent).
    Ban {
        target: PubKey,
        duration: u64,
    },
    Unban(PubKey),
    /// Remove an event and refuse copies of it.
    RemoveEvent(EventId),
    /// Undo a removal.
    RestoreEvent(EventId),
    Role {
        member: PubKey,
        role: String,
        assign: bool,
    },
    /// Confirm an emergency decision; if the proposal does not pass, the action is reverted.
    Ratify(EventId),
    /// A banned key asks to lift the ban imposed by decision `.0`.
    Appeal(EventId),
}

impl Action {
    /// The `gov` tag value.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Set(_) => "set",
            Action::Constitution(_) => "constitution",
            Action::Admit(_) => "admit",
            Action::RemoveMember(_) => "remove-member",
            Action::Ban { .. } => "ban",
            Action::Unban(_) => "unban",
            Action::RemoveEvent(_) => "remove-event",
            Action::RestoreEvent(_) => "restore-event",
            Action::Role { .. } => "role",
            Action::Ratify(_) => "ratify",
            Action::Appeal(_) => "appeal",
        }
    }

    /// May a proposal of this action be amended? Only actions with values beside their target
    /// may: settings (their values) and bans (their length). The others are one exact thing,
    /// and changing it would be another proposal.
    pub fn amendable(&self) -> bool {
        matches!(
            self,
            Action::Set(_) | Action::Constitution(_) | Action::Ban { .. }
        )
    }

    /// Does `other` act on the same thing as this action, values aside: the same parameters,
    /// the same key to ban? An amendment may change only what this leaves out.
    pub fn same_target(&self, other: &Action) -> bool {
        fn names(changes: &[Change]) -> Vec<&str> {
            let mut n: Vec<&str> = changes.iter().map(|c| c.name.as_str()).collect();
            n.sort_unstable();
            n.dedup();
            n
        }
        match (self, other) {
            (Action::Set(a), Action::Set(b))
            | (Action::Constitution(a), Action::Constitution(b)) => names(a) == names(b),
            (Action::Ban { target: a, .. }, Action::Ban { target: b, .. }) => a == b,
            _ => false,
        }
    }

    /// What this action targets, in words, for a refusal.
    pub fn target_text(&self) -> String {
        match self {
            Action::Set(c) | Action::Constitution(c) => {
                let names: Vec<&str> = c.iter().map(|c| c.name.as_str()).collect();
                format!("the settings {}", names.join(", "))
            }
            Action::Ban { target, .. } => format!("a ban of {}", nips::nip19::encode_npub(target)),
            other => format!("`{}`", other.name()),
        }
    }

    /// The class that decides this action.
    pub fn class(&self) -> Class {
        match self {
            Action::Set(_) => Class::Ordinary,
            Action::Constitution(_) => Class::Constitutional,
            Action::Admit(_) => Class::Admission,
            Action::RemoveMember(_) | Action::Role { .. } => Class::Membership,
            Action::Ban { duration, .. } if *duration == 0 || *duration > SHORT_BAN => {
                Class::Membership
            }
            Action::Ban { .. }
            | Action::Unban(_)
            | Action::RemoveEvent(_)
            | Action::RestoreEvent(_)
            | Action::Ratify(_)
            | Action::Appeal(_) => Class::Moderation,
        }
    }

    /// The tags that carry this action (`gov` and payload), as in proposals and decisions.
    pub fn to_tags(&self) -> Vec<Tag> {
        let t = |v: &[&str]| -> Tag { v.iter().map(|s| s.to_string()).collect() };
        let mut tags = vec![t(&["gov", self.name()])];
        match self {
            Action::Set(changes) | Action::Constitution(changes) => {
                for c in changes {
                    tags.push(t(&["change", &c.name, &c.raw]));
                }
            }
            Action::Admit(k) | Action::RemoveMember(k) | Action::Unban(k) => {
                tags.push(t(&["p", &k.to_hex()]))
            }
            Action::Ban { target, duration } => {
                tags.push(t(&["p", &target.to_hex()]));
                if *duration > 0 {
                    tags.push(t(&["duration", &duration.to_string()]));
                }
            }
            Action::RemoveEvent(id) | Action::RestoreEvent(id) => {
                tags.push(t(&["e", &id.to_hex(), "", "target"]))
            }
            Action::Role {
                member,
                role,
                assign,
            } => {
                tags.push(t(&["p", &member.to_hex()]));
                let op = if *assign { "assign" } else { "unassign" };
                tags.push(t(&["role", role, op]));
            }
            Action::Ratify(id) => tags.push(t(&["e", &id.to_hex(), "", "ratify"])),
            Action::Appeal(id) => tags.push(t(&["e", &id.to_hex(), "", "appeal-of"])),
        }
        tags
    }

    /// Reads the action from an event's tags (a proposal or a decision). `None` when there is
    /// no `gov` tag.
    pub fn from_tags(tags: &[Tag]) -> Option<Result<Self, String>> {
        let find = |name: &str| tags.iter().find(|t| t.first().is_some_and(|n| n == name));
        let gov = find("gov")?.get(1)?.clone();
        Some(parse_action(&gov, tags))
    }
}

fn pubkey_tag(tags: &[Tag]) -> Result<PubKey, String> {
    tags.iter()
        .find(|t| t.first().is_some_and(|n| n == "p"))
        .and_then(|t| t.get(1))
        .and_then(|v| hex::decode_lower::<32>(v))
        .map(PubKey)
        .ok_or_else(|| "needs a `p` tag with the target pubkey".to_string())
}

fn marked_event(tags: &[Tag], marker: &str, unmarked_ok: bool) -> Result<EventId, String> {
    tags.iter()
        .filter(|t| t.first().is_some_and(|n| n == "e"))
        .find(|t| match t.get(3) {
            Some(m) => m == marker,
            None => unmarked_ok,
        })
        .and_then(|t| t.get(1))
        .and_then(|v| hex::decode_lower::<32>(v))
        .map(EventId)
        .ok_or_else(|| format!("needs an `e` tag marked `{marker}`"))
}

fn parse_action(gov: &str, tags: &[Tag]) -> Result<Action, String> {
    let changes = |want: Class| -> Result<Vec<Change>, String> {
        let mut out = Vec::new();
        for t in tags
            .iter()
            .filter(|t| t.first().is_some_and(|n| n == "change"))
        {
            let (name, raw) = match (t.get(1), t.get(2)) {
                (Some(n), Some(v)) => (n, v),
                _ => return Err("a `change` tag is [\"change\", name, value]".into()),
            };
            let (change, class) = Change::parse(name, raw)?;
            if class != want {
                let action = if class == Class::Constitutional {
                    "constitution"
                } else {
                    "set"
                };
                return Err(format!("`{name}` is changed by a `{action}` proposal"));
            }
            out.push(change);
        }
        if out.is_empty() {
            return Err("needs at least one `change` tag".into());
        }
        let names: BTreeSet<&str> = out.iter().map(|c| c.name.as_str()).collect();
        if names.len() != out.len() {
            return Err("each parameter may be changed once per proposal".into());
        }
        Ok(out)
    };
    Ok(match gov {
        "set" => Action::Set(changes(Class::Ordinary)?),
        "constitution" => Action::Constitution(changes(Class::Constitutional)?),
        "admit" => Action::Admit(pubkey_tag(tags)?),
        "remove-member" => Action::RemoveMember(pubkey_tag(tags)?),
        "unban" => Action::Unban(pubkey_tag(tags)?),
        "ban" => {
            let duration = match tags
                .iter()
                .find(|t| t.first().is_some_and(|n| n == "duration"))
            {
                Some(t) => t
                    .get(1)
                    .and_then(|v| v.parse::<u64>().ok())
                    .ok_or("`duration` is a number of seconds")?,
                None => 0,
            };
            Action::Ban {
                target: pubkey_tag(tags)?,
                duration,
            }
        }
        "remove-event" => Action::RemoveEvent(marked_event(tags, "target", true)?),
        "restore-event" => Action::RestoreEvent(marked_event(tags, "target", true)?),
        "role" => {
            let member = pubkey_tag(tags)?;
            let t = tags
                .iter()
                .find(|t| t.first().is_some_and(|n| n == "role"))
                .ok_or("needs a [\"role\", id, \"assign\"|\"unassign\"] tag")?;
            let role = t
                .get(1)
                .filter(|r| !r.is_empty())
                .ok_or("role id is empty")?;
            let assign = match t.get(2).map(String::as_str) {
                Some("assign") | None => true,
                Some("unassign") => false,
                Some(_) => return Err("role operation is `assign` or `unassign`".into()),
            };
            Action::Role {
                member,
                role: role.clone(),
                assign,
            }
        }
        "ratify" => Action::Ratify(marked_event(tags, "ratify", false)?),
        "appeal" => Action::Appeal(marked_event(tags, "appeal-of", false)?),
        other => return Err(format!("unknown governance action `{other}`")),
    })
}

/// Is `event` an appeal proposal? (Banned keys may publish these.)
pub fn is_appeal(event: &Event) -> bool {
    event.kind == nip88::KIND_POLL && event.first_tag_value(nips::cg::TAG_GOV) == Some("appeal")
}

/// A governance proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub id: EventId,
    pub author: PubKey,
    pub created_at: u64,
    pub ends_at: u64,
    pub class: Class,
    pub action: Action,
    /// Whether the `block` option is offered.
    pub block: bool,
    pub title: String,
    /// The open proposal this one amends (`["e", id, "", "amends"]`), if any.
    pub amends: Option<EventId>,
}

/// The `e` tag marker naming the proposal an amendment amends.
pub const AMENDS: &str = "amends";

/// The options every proposal offers (plus `block` where its class allows).
pub const OPTIONS: [&str; 3] = ["yes", "no", "abstain"];

impl Proposal {
    /// Parses a kind-1068 event. `Ok(None)` for an ordinary poll (no `gov` tag); `Err` for a
    /// governance proposal whose shape is wrong (the text follows `invalid: `).
    pub fn parse(event: &Event) -> Result<Option<Self>, String> {
        if event.kind != nip88::KIND_POLL {
            return Ok(None);
        }
        let Some(action) = Action::from_tags(&event.tags) else {
            return Ok(None);
        };
        let action = action?;
        let class: Class = event
            .first_tag_value(nips::cg::TAG_CLASS)
            .ok_or("a proposal needs a `class` tag")?
            .parse()
            .map_err(|_| "unknown class".to_string())?;
        if class != action.class() {
            return Err(format!(
                "a `{}` proposal belongs to the `{}` class",
                action.name(),
                action.class()
            ));
        }
        if nip88::poll_type(event) != "singlechoice" {
            return Err("proposals are single-choice polls".into());
        }
        let options: BTreeSet<&str> = nip88::options(event).into_iter().collect();
        let block = options.contains("block");
        let expected: BTreeSet<&str> = OPTIONS
            .iter()
            .copied()
            .chain(block.then_some("block"))
            .collect();
        if options != expected || nip88::options(event).len() != expected.len() {
            return Err(
                "options must be yes, no and abstain (and block where the class allows it)".into(),
            );
        }
        let ends_at = nip88::ends_at(event).ok_or("a proposal needs an `endsAt` tag")?;
        if ends_at <= event.created_at {
            return Err("`endsAt` must be after the proposal's creation".into());
        }
        Ok(Some(Self {
            id: event.id,
            author: event.pubkey,
            created_at: event.created_at,
            ends_at,
            class,
            action,
            block,
            title: event.content.clone(),
            amends: marked_event(&event.tags, AMENDS, false).ok(),
        }))
    }

    /// Checks the proposal against the policy in force and the relay's URL.
    pub fn validate(
        &self,
        event: &Event,
        policy: &Policy,
        relay_url: &str,
        now: u64,
    ) -> Result<(), String> {
        if self.created_at.abs_diff(now) > MAX_CREATED_SKEW {
            return Err("a proposal's created_at must be now: it freezes the electorate".into());
        }
        let rule = policy.classes.get(self.class);
        if self.block != rule.block {
            return Err(format!(
                "the {} class {} a block option",
                self.class,
                if rule.block { "requires" } else { "has no" }
            ));
        }
        let opens = rule.voting_opens(self.created_at);
        if self.ends_at <= opens {
            return Err(format!(
                "the {} class deliberates for {}s before voting: endsAt must be after {opens}",
                self.class, rule.deliberation
            ));
        }
        let window = self.ends_at - opens;
        if window > rule.window {
            return Err(format!(
                "the voting window is {window}s; the {} class allows at most {}s",
                self.class, rule.window
            ));
        }
        if window < policy.proposals.min_window {
            return Err(format!(
                "the voting window is {window}s; proposals run at least {}s",
                policy.proposals.min_window
            ));
        }
        if !event
            .tag_values("relay")
            .any(|u| nip42::same_relay(u, relay_url))
        {
            return Err(format!("a proposal needs a `relay` tag naming {relay_url}"));
        }
        if let Action::Set(changes) | Action::Constitution(changes) = &self.action {
            let mut doc = PolicyDoc::from_policy(policy);
            for c in changes {
                doc.set(&c.name, Some(c.value.clone()));
            }
            doc.policy().map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    /// Checks the target of the action against the current membership and policy.
    pub fn check_target(&self, policy: &Policy, roster: &Roster, now: u64) -> Result<(), String> {
        match &self.action {
            Action::Admit(k) if roster.contains(k) => Err("that key is already a member".into()),
            Action::RemoveMember(k) if !roster.contains(k) => {
                Err("that key is not a member".into())
            }
            Action::Role { member, .. } if !roster.contains(member) => {
                Err("roles are for members".into())
            }
            Action::Unban(k) if !policy.is_banned(k, now) => Err("that key is not banned".into()),
            Action::RestoreEvent(id) if !policy.removed_events.contains_key(id) => {
                Err("that event was not removed".into())
            }
            Action::Appeal(_) if !policy.is_banned(&self.author, now) => {
                Err("only a banned key may appeal".into())
            }
            _ => Ok(()),
        }
    }
}

/// Builds the tags of a proposal (for the relay's own proposals, clients and tests).
pub fn proposal_tags(action: &Action, block: bool, ends_at: u64, relay_url: &str) -> Vec<Tag> {
    let t = |v: &[&str]| -> Tag { v.iter().map(|s| s.to_string()).collect() };
    let mut tags = action.to_tags();
    tags.push(t(&["class", action.class().as_str()]));
    for o in OPTIONS {
        tags.push(t(&["option", o, o]));
    }
    if block {
        tags.push(t(&["option", "block", "block"]));
    }
    tags.push(t(&["polltype", "singlechoice"]));
    tags.push(t(&["endsAt", &ends_at.to_string()]));
    tags.push(t(&["relay", relay_url]));
    tags
}

#[cfg(test)]
mod tests {
    use super::*;
    use nips::Keys;

    const URL: &str = "wss://relay.example";

    fn propose(k: &Keys, action: &Action, at: u64, window: u64) -> Event {
        let block = Policy::default().classes.get(action.class()).block;
        k.sign(
            at,
            1068,
            proposal_tags(action, block, at + window, URL),
            "proposal".into(),
        )
    }

    fn limit_change(v: &str) -> Action {
        Action::Set(vec![
            Change::parse("limitation.max_content_length", v).unwrap().0,
        ])
    }

    #[test]
    fn an_amendment_keeps_its_originals_target() {
        let set = |name: &str, v: &str| Action::Set(vec![Change::parse(name, v).unwrap().0]);
        let (x, y) = (PubKey([1; 32]), PubKey([2; 32]));
        let limit = "limitation.max_content_length";
        assert!(set(limit, "280").same_target(&set(limit, "500")));
        assert!(!set(limit, "280").same_target(&set("limitation.max_event_tags", "5")));
        let ban = |target, duration| Action::Ban { target, duration };
        assert!(
            ban(x, 600).same_target(&ban(x, 86_400)),
            "a ban's length may change"
        );
        assert!(!ban(x, 600).same_target(&ban(y, 600)), "not whom it bans");
        assert!(!Action::RemoveEvent(EventId([3; 32])).amendable());
        assert!(!Action::Unban(x).amendable());
    }

    #[test]
    fn round_trips_every_action() {
        let k = Keys::generate();
        let p = PubKey([3; 32]);
        let id = EventId([4; 32]);
        let actions = vec![
            limit_change("280"),
            Action::Constitution(vec![Change::parse("admission.mode", "vouch").unwrap().0]),
            Action::Admit(p),
            Action::RemoveMember(p),
            Action::Ban {
                target: p,
                duration: 86_400,
            },
            Action::Ban {
                target: p,
                duration: 0,
            },
            Action::Unban(p),
            Action::RemoveEvent(id),
            Action::RestoreEvent(id),
            Action::Role {
                member: p,
                role: "moderator".into(),
                assign: true,
            },
            Action::Ratify(id),
            Action::Appeal(id),
        ];
        for a in actions {
            let e = propose(&k, &a, 1000, 3600);
            let parsed = Proposal::parse(&e).unwrap().unwrap();
            assert_eq!(parsed.action, a);
            assert_eq!(parsed.class, a.class());
        }
        assert_eq!(
            Action::Ban {
                target: p,
                duration: 86_400
            }
            .class(),
            Class::Moderation
        );
        assert_eq!(
            Action::Ban {
                target: p,
                duration: 0
            }
            .class(),
            Class::Membership
        );
    }

    #[test]
    fn ordinary_polls_are_not_proposals() {
        let k = Keys::generate();
        let poll = k.sign(
            1,
            1068,
            vec![vec!["option".into(), "a".into(), "A".into()]],
            "pizza?".into(),
        );
        assert_eq!(Proposal::parse(&poll), Ok(None));
    }

    #[test]
    fn refuses_wrong_shapes() {
        let k = Keys::generate();
        let mut tags = proposal_tags(&limit_change("280"), false, 2000, URL);
        tags.retain(|t| t[0] != "class");
        tags.push(vec!["class".into(), "constitutional".into()]);
        assert!(
            Proposal::parse(&k.sign(1000, 1068, tags, String::new())).is_err(),
            "wrong class"
        );
        let bogus = vec![
            vec!["gov".into(), "set".into()],
            vec!["change".into(), "limitation.nope".into(), "1".into()],
        ];
        assert!(
            Proposal::parse(&k.sign(1000, 1068, bogus, String::new())).is_err(),
            "unknown parameter"
        );
        let typed = Action::Set(vec![Change {
            name: "admission.mode".into(),
            raw: "open".into(),
            value: Value::from("open"),
        }]);
        let e = k.sign(
            1000,
            1068,
            proposal_tags(&typed, false, 2000, URL),
            String::new(),
        );
        assert!(
            Proposal::parse(&e).unwrap_err().contains("constitution"),
            "set cannot change the constitution"
        );
        let mut no_abstain = proposal_tags(&limit_change("1"), false, 2000, URL);
        no_abstain.retain(|t| !(t[0] == "option" && t[1] == "abstain"));
        assert!(Proposal::parse(&k.sign(1000, 1068, no_abstain, String::new())).is_err());
    }

    #[test]
    fn validates_window_relay_freshness_and_values() {
        let k = Keys::generate();
        let policy = Policy::default();
        // Ordinary proposals deliberate a day; the window runs after it.
        const DAY: u64 = 86_400;
        assert_eq!(policy.classes.ordinary.deliberation, DAY);
        let ok = propose(&k, &limit_change("280"), 10_000, DAY + 3_600);
        let p = Proposal::parse(&ok).unwrap().unwrap();
        assert_eq!(p.validate(&ok, &policy, URL, 10_000), Ok(()));
        let in_deliberation = propose(&k, &limit_change("280"), 10_000, DAY);
        let p = Proposal::parse(&in_deliberation).unwrap().unwrap();
        assert!(
            p.validate(&in_deliberation, &policy, URL, 10_000)
                .unwrap_err()
                .contains("deliberates")
        );
        let ok = propose(&k, &limit_change("280"), 10_000, DAY + 3_600);
        let p = Proposal::parse(&ok).unwrap().unwrap();
        assert_eq!(p.validate(&ok, &policy, URL, 10_000), Ok(()));
        assert!(
            p.validate(&ok, &policy, "wss://other.example", 10_000)
                .is_err()
        );
        assert!(p.validate(&ok, &policy, URL, 20_000).is_err(), "backdated");
        let long = propose(&k, &limit_change("280"), 10_000, DAY + 8 * 86_400);
        let p = Proposal::parse(&long).unwrap().unwrap();
        assert!(
            p.validate(&long, &policy, URL, 10_000)
                .unwrap_err()
                .contains("at most")
        );
        let short = propose(&k, &limit_change("280"), 10_000, DAY + 60);
        let p = Proposal::parse(&short).unwrap().unwrap();
        assert!(
            p.validate(&short, &policy, URL, 10_000)
                .unwrap_err()
                .contains("at least")
        );
        let broken = propose(
            &k,
            &Action::Set(vec![
                Change::parse("limitation.default_limit", "100000")
                    .unwrap()
                    .0,
            ]),
            10_000,
            DAY + 3_600,
        );
        let p = Proposal::parse(&broken).unwrap().unwrap();
        assert!(
            p.validate(&broken, &policy, URL, 10_000).is_err(),
            "default above max_limit"
        );
    }
}
