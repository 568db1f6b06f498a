//! Applying decisions: an action turns a policy document (and membership) into the next one.
//! Deterministic: the same document, roster and action always give the same result.

use nips::{EventId, PubKey};
use serde_json::{Value, json};

use crate::policy::PolicyDoc;
use crate::proposal::Action;
use crate::roster::Roster;

/// Membership and event changes the relay carries out (and publishes) for a decision.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Effects {
    pub admit: Vec<PubKey>,
    pub remove: Vec<PubKey>,
    /// `(member, role, assign)`
    pub roles: Vec<(PubKey, String, bool)>,
    pub remove_events: Vec<EventId>,
    pub restore_events: Vec<EventId>,
}

impl Effects {
    /// The effects that undo these.
    pub fn inverse(&self) -> Effects {
        Effects {
            admit: self.remove.clone(),
            remove: self.admit.clone(),
            roles: self
                .roles
                .iter()
                .map(|(k, r, assign)| (*k, r.clone(), !assign))
                .collect(),
            remove_events: self.restore_events.clone(),
            restore_events: self.remove_events.clone(),
        }
    }

    /// Applies the membership part to `roster` as of `at`.
    pub fn apply_to(&self, roster: &mut Roster, at: u64) {
        for k in &self.admit {
            roster.add(*k, at, None);
        }
        for k in &self.remove {
            roster.remove(k, at);
        }
        for (k, role, assign) in &self.roles {
            roster.set_role(k, role, *assign);
        }
    }
}

/// A document path and the value it held before a change (`None`: absent).
pub type Before = Vec<(String, Option<Value>)>;

/// The result of applying an action.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    pub doc: PolicyDoc,
    pub effects: Effects,
    /// What the changed paths held before, so an emergency action can be reverted.
    pub before: Before,
}

/// Who asked and why, for actions whose result depends on it.
#[derive(Debug, Clone, Copy)]
pub struct ApplyContext<'a> {
    /// The proposal's author (an appeal lifts this key's ban).
    pub author: &'a PubKey,
    /// Stored with a ban.
    pub reason: &'a str,
    /// When the decision takes effect.
    pub now: u64,
}

/// Applies `action` to `doc` and `roster`. Fails when the result would be an inconsistent
/// policy (then the decision fails and nothing changes).
pub fn apply(
    doc: &PolicyDoc,
    roster: &Roster,
    action: &Action,
    ctx: &ApplyContext<'_>,
) -> Result<Applied, String> {
    let mut next = doc.clone();
    let mut before = Before::new();
    let mut effects = Effects::default();
    let mut put = |path: String, value: Option<Value>| {
        before.push((path.clone(), next.get(&path).cloned()));
        next.set(&path, value);
    };
    match action {
        Action::Set(changes) | Action::Constitution(changes) => {
            for c in changes {
                put(c.name.clone(), Some(c.value.clone()));
            }
        }
        Action::Ban { target, duration } => {
            let until = if *duration == 0 {
                0
            } else {
                ctx.now.saturating_add(*duration)
            };
            put(
                format!("bans.{target}"),
                Some(json!({"until": until, "reason": ctx.reason})),
            );
        }
        Action::Unban(target) => put(format!("bans.{target}"), None),
        Action::Appeal(_) => put(format!("bans.{}", ctx.author), None),
        Action::RemoveEvent(id) => {
            put(format!("removed_events.{id}"), Some(json!({"at": ctx.now})));
            effects.remove_events.push(*id);
        }
        Action::RestoreEvent(id) => {
            put(format!("removed_events.{id}"), None);
            effects.restore_events.push(*id);
        }
        Action::Admit(k) => {
            if !roster.contains(k) {
                effects.admit.push(*k);
            }
        }
        Action::RemoveMember(k) => {
            if roster.contains(k) {
                effects.remove.push(*k);
            }
        }
        Action::Role {
            member,
            role,
            assign,
        } => {
            let has = roster.get(member).is_some_and(|m| m.roles.contains(role));
            if roster.contains(member) && has != *assign {
                effects.roles.push((*member, role.clone(), *assign));
            }
        }
        Action::Ratify(_) => {}
    }
    finish(doc, next, effects, before)
}

/// Restores the paths in `before` (reverting an emergency action).
pub fn revert(doc: &PolicyDoc, before: &Before) -> Result<PolicyDoc, String> {
    let mut next = doc.clone();
    for (path, value) in before {
        next.set(path, value.clone());
    }
    finish(doc, next, Effects::default(), Before::new()).map(|a| a.doc)
}

/// A `cofounder` decision: `key` joined with the co-founder `code` at `at`. The code's digest
/// leaves `founders.invites` (it works once) and `key` joins the founders and, if not yet one,
/// the members.
pub fn cofounder(
    doc: &PolicyDoc,
    roster: &Roster,
    key: &PubKey,
    code: &str,
    at: u64,
) -> Result<Applied, String> {
    let founders = doc.policy().map_err(|e| e.to_string())?.founders;
    if !founders.takes_invite(code, at) {
        return Err("that co-founder code is not listed, used or past its deadline".into());
    }
    let digest = crate::policy::code_digest(code);
    let invites: Vec<&String> = founders.invites.iter().filter(|d| **d != digest).collect();
    let mut keys: Vec<String> = founders.keys.iter().map(PubKey::to_hex).collect();
    if !founders.keys.contains(key) {
        keys.push(key.to_hex());
    }
    let mut next = doc.clone();
    let mut before = Before::new();
    for (path, value) in [
        (
            "founders.invites",
            Value::from(invites.into_iter().cloned().collect::<Vec<_>>()),
        ),
        ("founders.keys", Value::from(keys)),
    ] {
        before.push((path.to_string(), next.get(path).cloned()));
        next.set(path, Some(value));
    }
    let mut effects = Effects::default();
    if !roster.contains(key) {
        effects.admit.push(*key);
    }
    finish(doc, next, effects, before)
}

fn finish(
    old: &PolicyDoc,
    mut next: PolicyDoc,
    effects: Effects,
    before: Before,
) -> Result<Applied, String> {
    if next != *old {
        next.bump_version();
    }
    next.policy().map_err(|e| e.to_string())?;
    Ok(Applied {
        doc: next,
        effects,
        before,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Policy;
    use crate::proposal::Change;

    fn ctx(author: &PubKey) -> ApplyContext<'_> {
        ApplyContext {
            author,
            reason: "spam",
            now: 1_000,
        }
    }

    #[test]
    fn a_cofounder_code_works_once_and_in_time() {
        let mut policy = Policy::default();
        policy.founders.keys = vec![PubKey([1; 32])];
        policy.founders.invites = vec![crate::policy::code_digest("abc")];
        policy.founders.invites_until = 2_000;
        let doc = PolicyDoc::from_policy(&policy);
        let who = PubKey([2; 32]);
        let a = cofounder(&doc, &Roster::default(), &who, "abc", 1_500).unwrap();
        let after = a.doc.policy().unwrap().founders;
        assert_eq!(after.keys, vec![PubKey([1; 32]), who]);
        assert!(after.invites.is_empty(), "the code is used up");
        assert_eq!(a.effects.admit, vec![who]);
        assert!(cofounder(&a.doc, &Roster::default(), &PubKey([3; 32]), "abc", 1_500).is_err());
        assert!(
            cofounder(&doc, &Roster::default(), &who, "abc", 2_001).is_err(),
            "too late"
        );
        assert!(cofounder(&doc, &Roster::default(), &who, "abd", 1_500).is_err());
    }

    #[test]
    fn set_ban_and_revert() {
        let doc = PolicyDoc::from_policy(&Policy::default());
        let roster = Roster::default();
        let who = PubKey([5; 32]);
        let set = Action::Set(vec![
            Change::parse("limitation.max_content_length", "280")
                .unwrap()
                .0,
        ]);
        let a = apply(&doc, &roster, &set, &ctx(&who)).unwrap();
        assert_eq!(a.doc.policy().unwrap().limitation.max_content_length, 280);
        assert_eq!(a.doc.version(), 1);
        let ban = Action::Ban {
            target: who,
            duration: 60,
        };
        let b = apply(&a.doc, &roster, &ban, &ctx(&who)).unwrap();
        let p = b.doc.policy().unwrap();
        assert!(p.is_banned(&who, 1_059) && !p.is_banned(&who, 1_060));
        assert_eq!(p.bans[&who].reason, "spam");
        let back = revert(&b.doc, &b.before).unwrap();
        assert!(!back.policy().unwrap().is_banned(&who, 1_000));
        assert_eq!(back.version(), 3);
        assert_eq!(
            back.policy().unwrap().limitation.max_content_length,
            280,
            "only the ban is undone"
        );
    }

    #[test]
    fn membership_effects_only_when_they_change_something() {
        let doc = PolicyDoc::from_policy(&Policy::default());
        let mut roster = Roster::default();
        let m = PubKey([1; 32]);
        roster.add(m, 1, None);
        let a = apply(&doc, &roster, &Action::Admit(m), &ctx(&m)).unwrap();
        assert!(a.effects.admit.is_empty());
        assert_eq!(a.doc, doc, "no policy change, no new version");
        let r = apply(&doc, &roster, &Action::RemoveMember(m), &ctx(&m)).unwrap();
        assert_eq!(r.effects.remove, vec![m]);
        assert_eq!(r.effects.inverse().admit, vec![m]);
    }

    #[test]
    fn inconsistent_results_fail() {
        let doc = PolicyDoc::from_policy(&Policy::default());
        let bad = Action::Set(vec![Change::parse("limitation.max_limit", "1").unwrap().0]);
        assert!(apply(&doc, &Roster::default(), &bad, &ctx(&PubKey([0; 32]))).is_err());
    }
}
