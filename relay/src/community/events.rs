//! Builders of the events the relay signs: member events, membership lists, decisions, policy
//! documents, invite codes and the relay's own proposals.

use governance::policy::PolicyDoc;
use governance::{Decision, Policy, Roster};
use nips::{Event, EventId, Keys, PubKey, Tag, cg, nip43, nip88};

fn tag(v: &[&str]) -> Tag {
    v.iter().map(|s| s.to_string()).collect()
}

/// Kind 8000/8001 for `member`, at position `seq` of the membership log.
pub fn member_event(
    keys: &Keys,
    added: bool,
    member: &PubKey,
    at: u64,
    seq: u64,
    inviter: Option<&PubKey>,
    decision: Option<&EventId>,
) -> Event {
    let mut tags = vec![
        tag(&["-"]),
        tag(&["p", &member.to_hex()]),
        tag(&["seq", &seq.to_string()]),
    ];
    if let Some(i) = inviter {
        tags.push(tag(&["inviter", &i.to_hex()]));
    }
    if let Some(d) = decision {
        tags.push(tag(&["e", &d.to_hex(), "", "decision"]));
    }
    let kind = if added {
        nip43::KIND_MEMBER_ADDED
    } else {
        nip43::KIND_MEMBER_REMOVED
    };
    keys.sign(at, kind, tags, String::new())
}

/// Kind 13534: every member not banned at `at`, with their roles (a ban means not a member).
pub fn membership_list(keys: &Keys, roster: &Roster, policy: &Policy, at: u64) -> Event {
    let mut tags = vec![tag(&["-"])];
    for (key, member) in policy.listed(roster, at) {
        let mut t = vec!["member".to_string(), key.to_hex()];
        t.extend(member.roles.iter().cloned());
        tags.push(t);
    }
    keys.sign(at, nip43::KIND_MEMBERSHIP_LIST, tags, String::new())
}

/// Kind 8001 when `member` goes off the list for a ban, 8000 when the ban ended and they are
/// back on it; marked [`cg::TAG_SUSPENDED`], so their membership itself does not change.
pub fn suspension_event(keys: &Keys, listed: bool, member: &PubKey, at: u64) -> Event {
    let tags = vec![
        tag(&["-"]),
        tag(&["p", &member.to_hex()]),
        tag(&[cg::TAG_SUSPENDED, if listed { "ended" } else { "ban" }]),
    ];
    let kind = match listed {
        true => nip43::KIND_MEMBER_ADDED,
        false => nip43::KIND_MEMBER_REMOVED,
    };
    keys.sign(at, kind, tags, String::new())
}

/// Kind 8002 for `decision`.
pub fn decision_event(keys: &Keys, decision: &Decision, at: u64, content: String) -> Event {
    keys.sign(at, cg::KIND_DECISION, decision.tags(), content)
}

/// Kind 33535: the whole policy, with the main values mirrored in tags for clients.
pub fn policy_event(keys: &Keys, doc: &PolicyDoc, decision: &EventId, at: u64) -> Event {
    let mut tags = vec![
        tag(&["d", cg::POLICY_D]),
        tag(&["v", &doc.version().to_string()]),
        tag(&["e", &decision.to_hex(), "", "decision"]),
    ];
    if let Ok(p) = doc.policy() {
        tags.push(tag(&["admission", p.admission.mode.as_str()]));
        tags.push(tag(&["read", p.admission.read.as_str()]));
        tags.push(tag(&["pow", &p.limitation.min_pow_difficulty.to_string()]));
    }
    keys.sign(at, cg::KIND_POLICY, tags, doc.canonical())
}

/// Kind 28935: an invite code (generated on request, never stored).
pub fn invite_event(keys: &Keys, code: &str, expires_at: u64, at: u64) -> Event {
    let tags = vec![
        tag(&["-"]),
        tag(&["claim", code]),
        tag(&["expiration", &expires_at.to_string()]),
    ];
    keys.sign(at, nip43::KIND_INVITE, tags, String::new())
}

/// Kind 1068 opened by the relay itself (ratifications, admissions, reports), running for the
/// whole window of its class.
pub fn relay_proposal(
    keys: &Keys,
    action: &governance::Action,
    rule: &governance::ClassRule,
    at: u64,
    relay_url: &str,
    cites: &[EventId],
    title: String,
) -> Event {
    let ends_at = rule.voting_opens(at) + rule.window;
    let mut tags = governance::proposal::proposal_tags(action, rule.block, ends_at, relay_url);
    for c in cites {
        tags.push(tag(&["e", &c.to_hex(), "", "report"]));
    }
    keys.sign(at, nip88::KIND_POLL, tags, title)
}
