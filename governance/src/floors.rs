//! The least a community needs to keep governing itself. A proposal whose policy would fall
//! below one of these floors is refused before anyone votes on it: if it passed, members could
//! no longer propose, vote, comment, join or fix it. The floors come from the events governance
//! itself uses (a proposal with its title and reasons, a vote with a reason, a comment, a
//! profile, a join request) and from what the community's page and ordinary clients open.
//!
//! Only new shortfalls refuse a proposal: a policy already below a floor (an older community,
//! or a small one below a class's `min_yes`) can still be changed, and a proposal that fixes it
//! is welcome.

use crate::class::Class;
use crate::policy::{AdmissionMode, Policy, PolicyDoc};
use crate::proposal::{Action, Proposal};
use crate::rate::Tier;

/// Characters a proposal's title and reasons, a comment, or a profile with a short "about"
/// need (the page's profile form alone allows 64 + 500 characters, plus a picture address).
pub const CONTENT: u32 = 1_000;
/// Tags a proposal with several changes, its options and its relay, or a delegation needs.
pub const TAGS: u32 = 50;
/// Bytes such an event needs: [`CONTENT`] characters of up to four bytes each, [`TAGS`] tags,
/// the id, key and signature.
pub const EVENT_BYTES: u32 = 32_768;
/// Subscriptions the page and a community client hold open at once.
pub const SUBSCRIPTIONS: u32 = 20;
/// Filters in one request (the page asks for proposals, votes and decisions together).
pub const FILTERS: u32 = 10;
/// Values in one filter (the ids of the proposals a page shows).
pub const FILTER_VALUES: u32 = 100;
/// Events one request may return.
pub const LIMIT: u32 = 100;
/// Subscription ids clients use (NIP-01 allows 64 characters).
pub const SUBID: u32 = 64;
/// Seconds a signature may take: a remote signer asks its person first.
pub const PAST_SECS: u64 = 600;
/// Seconds a phone's clock may run ahead.
pub const FUTURE_SECS: u64 = 60;
/// Votes (and proposals, comments) a member may send at once: a vote on each open proposal.
pub const VOTES_AT_ONCE: u32 = 20;
/// The same, a minute, once the first are spent.
pub const VOTES_PER_MINUTE: u32 = 10;
/// Profiles, settings and lists a member publishes when they join.
pub const LISTS_AT_ONCE: u32 = 5;
/// Messages a second a page or client sends while it loads.
pub const MESSAGES_PER_SECOND: u32 = 5;
/// Requests a minute a member's page and client make.
pub const REQS_PER_MINUTE: u32 = 60;
/// Connections from one address: a household, or a page and a client.
pub const CONNECTIONS_PER_IP: u32 = 4;
/// Connections a minute from one address (pages reconnect as people move between them).
pub const CONNECTIONS_PER_MINUTE: u32 = 10;
/// Comments a member may add to one discussion in the caps' window.
pub const REPLIES_PER_TARGET: u32 = 20;
/// The longest slow mode between a member's replies: a discussion must be possible.
pub const REPLY_INTERVAL_MAX: u32 = 3_600;
/// Messages between a person's app and their remote signer while signing in.
pub const SIGNER_MESSAGES: u32 = 10;
/// The shortest life of an invite code: long enough to pass it on.
pub const INVITE_EXPIRY: u64 = 3_600;

/// Kinds members write to take part in governance: profiles, comments, votes, proposals,
/// reports, join and leave requests, their notification setting and delegations.
pub const GOVERNANCE_KINDS: &[u16] = &[0, 1018, 1068, 1111, 1984, 28934, 28936, 30078, 33536];

/// One floor a policy is below: the parameter, and what members could no longer do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortfall {
    pub param: String,
    pub why: String,
}

/// `next`'s shortfalls that `current` does not have, in a community of `members`: what a
/// proposal from `current` to `next` would break. The error is the first, in words.
pub fn check_change(current: &Policy, next: &Policy, members: u32) -> Result<(), String> {
    let before = shortfalls(current, members);
    let new = shortfalls(next, members)
        .into_iter()
        .find(|s| !before.iter().any(|b| b.param == s.param));
    match new {
        Some(s) => Err(format!(
            "this change would stop the community governing itself: {} ({})",
            s.why, s.param
        )),
        None => Ok(()),
    }
}

/// Every floor `policy` is below, in a community of `members`.
pub fn shortfalls(policy: &Policy, members: u32) -> Vec<Shortfall> {
    let mut out = Vec::new();
    limits(policy, &mut out);
    kinds(policy, &mut out);
    rates(policy, &mut out);
    admission(policy, members, &mut out);
    classes(policy, members, &mut out);
    out
}

fn short(out: &mut Vec<Shortfall>, param: &str, why: String) {
    out.push(Shortfall {
        param: param.into(),
        why,
    });
}

/// A limit below its floor (`0` is no limit for the limits where it means that).
fn below(out: &mut Vec<Shortfall>, param: &str, value: u64, floor: u64, what: &str) {
    if value < floor {
        short(
            out,
            param,
            format!(
                "{}; this would allow {value}",
                what.replace("{floor}", &floor.to_string())
            ),
        );
    }
}

fn limits(policy: &Policy, out: &mut Vec<Shortfall>) {
    let l = &policy.limitation;
    let rows: [(&str, u32, u32, &str); 8] = [
        (
            "limitation.max_content_length",
            l.max_content_length,
            CONTENT,
            "proposals, comments and profiles need {floor} characters",
        ),
        (
            "limitation.max_event_tags",
            l.max_event_tags,
            TAGS,
            "proposals and delegations need {floor} tags",
        ),
        (
            "limitation.max_event_size",
            l.max_event_size,
            EVENT_BYTES,
            "proposals, comments and profiles need {floor} bytes",
        ),
        (
            "limitation.max_subscriptions",
            l.max_subscriptions,
            SUBSCRIPTIONS,
            "the community's page and clients keep {floor} subscriptions open",
        ),
        (
            "limitation.max_filters",
            l.max_filters,
            FILTERS,
            "the community's page asks with {floor} filters at once",
        ),
        (
            "limitation.max_filter_values",
            l.max_filter_values,
            FILTER_VALUES,
            "the community's page asks for {floor} values in a filter",
        ),
        (
            "limitation.max_limit",
            l.max_limit,
            LIMIT,
            "the community's page asks for {floor} events at once",
        ),
        (
            "limitation.max_subid_length",
            l.max_subid_length,
            SUBID,
            "ordinary clients name subscriptions with up to {floor} characters",
        ),
    ];
    for (param, value, floor, what) in rows {
        below(out, param, value.into(), floor.into(), what);
    }
    if l.created_at_lower_limit != 0 && l.created_at_lower_limit < PAST_SECS {
        short(
            out,
            "limitation.created_at_lower_limit",
            format!(
                "a vote signed with a phone's signer app can take minutes; events must be accepted for at least {PAST_SECS} seconds after they are signed"
            ),
        );
    }
    below(
        out,
        "limitation.created_at_upper_limit",
        l.created_at_upper_limit,
        FUTURE_SECS,
        "phones' clocks run up to {floor} seconds ahead",
    );
    if l.min_pow_difficulty > 0 && !policy.rate.pow_non_members_only {
        short(out, "limitation.min_pow_difficulty", "members' votes and proposals would need proof of work, which the community's page does not make; ask it of non-members only (rate.pow_non_members_only) in the same proposal".into());
    }
}

fn kinds(policy: &Policy, out: &mut Vec<Shortfall>) {
    for &kind in GOVERNANCE_KINDS {
        if policy.kinds.blocked.contains(&kind) {
            short(
                out,
                "kinds.blocked",
                format!(
                    "kind {kind} is how members {}; it cannot be blocked",
                    use_of(kind)
                ),
            );
        } else if !policy.kind_allowed(kind) {
            short(
                out,
                "kinds.allowed",
                format!(
                    "kind {kind} is how members {}; a list of allowed kinds must include it",
                    use_of(kind)
                ),
            );
        }
    }
}

fn use_of(kind: u16) -> &'static str {
    match kind {
        0 => "show their names",
        1018 => "vote",
        1068 => "propose",
        1111 => "discuss proposals",
        1984 => "report abuse",
        28934 => "ask to join",
        28936 => "leave",
        30078 => "choose how they hear of votes",
        _ => "hand their vote to someone they trust",
    }
}

/// A members' rate that is neither unlimited (0) nor at least `floor`.
fn tier_below(out: &mut Vec<Shortfall>, param: &str, tier: &Tier, floor: u32, what: &str) {
    if tier.members != 0 && tier.members < floor {
        let why = format!(
            "{}; this would allow {}",
            what.replace("{floor}", &floor.to_string()),
            tier.members
        );
        short(out, param, why);
    }
}

fn rates(policy: &Policy, out: &mut Vec<Shortfall>) {
    let r = &policy.rate;
    let notes_rate = r.events_per_minute.notes;
    let notes_burst = Tier {
        members: effective_burst(notes_rate.members, r.events_burst.notes.members),
        others: 0,
    };
    tier_below(
        out,
        "rate.events_per_minute.notes.members",
        &notes_rate,
        VOTES_PER_MINUTE,
        "a member needs {floor} votes, proposals or comments a minute",
    );
    tier_below(
        out,
        "rate.events_burst.notes.members",
        &notes_burst,
        VOTES_AT_ONCE,
        "a member needs {floor} votes at once, one on each open proposal",
    );
    let lists_burst = Tier {
        members: effective_burst(
            r.events_per_minute.metadata.members,
            r.events_burst.metadata.members,
        ),
        others: 0,
    };
    tier_below(
        out,
        "rate.events_burst.metadata.members",
        &lists_burst,
        LISTS_AT_ONCE,
        "a newcomer publishes {floor} profiles, settings and lists at once",
    );
    tier_below(
        out,
        "rate.reqs_per_minute.members",
        &r.reqs_per_minute,
        REQS_PER_MINUTE,
        "a member's page and client make {floor} requests a minute",
    );
    tier_below(
        out,
        "rate.target.replies.members",
        &r.target.replies,
        REPLIES_PER_TARGET,
        "a proposal's discussion needs {floor} comments in the caps' window",
    );
    let plain = |v: u32| Tier {
        members: v,
        others: 0,
    };
    tier_below(
        out,
        "rate.messages_per_second",
        &plain(r.messages_per_second),
        MESSAGES_PER_SECOND,
        "the page and clients send {floor} messages a second",
    );
    tier_below(
        out,
        "rate.connections_per_ip",
        &plain(r.connections_per_ip),
        CONNECTIONS_PER_IP,
        "a household's page and clients need {floor} connections",
    );
    tier_below(
        out,
        "rate.connections_per_minute",
        &plain(r.connections_per_minute),
        CONNECTIONS_PER_MINUTE,
        "pages reconnect {floor} times a minute",
    );
    tier_below(
        out,
        "rate.signer_messages_per_minute_per_ip",
        &plain(r.signer_messages_per_minute_per_ip),
        SIGNER_MESSAGES,
        "signing in with a signer app takes {floor} messages a minute",
    );
    tier_below(
        out,
        "rate.signer_messages_per_minute_per_recipient",
        &plain(r.signer_messages_per_minute_per_recipient),
        SIGNER_MESSAGES,
        "signing in with a signer app takes {floor} messages a minute",
    );
    if r.min_interval.replies.members > REPLY_INTERVAL_MAX {
        short(
            out,
            "rate.min_interval.replies.members",
            format!(
                "a member could comment only once every {} seconds; discussion needs at least one comment an hour",
                r.min_interval.replies.members
            ),
        );
    }
}

/// The GCRA burst the relay applies: a burst below the rate counts as the rate; 0 rate is none.
fn effective_burst(rate: u32, burst: u32) -> u32 {
    match rate {
        0 => 0,
        r => r.max(burst),
    }
}

fn admission(policy: &Policy, members: u32, out: &mut Vec<Shortfall>) {
    let a = &policy.admission;
    match a.mode {
        AdmissionMode::Invite if a.invites_per_member == 0 => short(out, "admission.invites_per_member", "in an invite-only community, members must be able to hold at least one invite code, or nobody new can join".into()),
        AdmissionMode::Vouch | AdmissionMode::Vote if a.max_open_requests == 0 => short(out, "admission.max_open_requests", "at least one join request must be able to wait for the members, or nobody new can join".into()),
        AdmissionMode::Vouch if a.vouches_required > members.max(1) => short(out, "admission.vouches_required", format!(
            "{} members would have to vouch for a newcomer, and the community has {members}; nobody new could join",
            a.vouches_required
        )),
        _ => {}
    }
    if matches!(a.mode, AdmissionMode::Invite | AdmissionMode::Open)
        && a.invite_expiry < INVITE_EXPIRY
    {
        short(
            out,
            "admission.invite_expiry",
            format!("an invite code must last at least {INVITE_EXPIRY} seconds to be passed on"),
        );
    }
    if policy.proposals.max_open_per_member == 0 {
        short(
            out,
            "proposals.max_open_per_member",
            "members must be able to open at least one proposal each".into(),
        );
    }
}

fn classes(policy: &Policy, members: u32, out: &mut Vec<Shortfall>) {
    for class in Class::ALL {
        let rule = policy.classes.get(class);
        if rule.window < policy.proposals.min_window {
            short(
                out,
                &format!("classes.{class}.window"),
                format!(
                    "{class} proposals could run at most {} seconds, less than the {} every proposal must run; none could be made",
                    rule.window, policy.proposals.min_window
                ),
            );
        }
        if rule.pass_strict && rule.pass_num >= rule.pass_den {
            short(
                out,
                &format!("classes.{class}.pass_strict"),
                format!(
                    "{class} proposals would need more than all the votes to pass; none could pass"
                ),
            );
        }
        if rule.min_yes > members.max(1) {
            short(
                out,
                &format!("classes.{class}.min_yes"),
                format!(
                    "{class} proposals would need {} yes votes, and the community has {members} members; none could pass",
                    rule.min_yes
                ),
            );
        }
    }
}

/// Refuses `proposal` if the policy it asks for would fall below a floor `policy` is not
/// below, in a community of `members`. Only changes of parameters can.
pub fn check_proposal(proposal: &Proposal, policy: &Policy, members: u32) -> Result<(), String> {
    let (Action::Set(changes) | Action::Constitution(changes)) = &proposal.action else {
        return Ok(());
    };
    let mut doc = PolicyDoc::from_policy(policy);
    for c in changes {
        doc.set(&c.name, Some(c.value.clone()));
    }
    let next = doc.policy().map_err(|e| e.to_string())?;
    check_change(policy, &next, members)
}

#[cfg(test)]
mod tests {
    use nips::{Keys, Limits};
    use proptest::prelude::*;

    use super::*;

    const NOW: u64 = 1_800_000_000;

    /// The largest event governance needs a member to send: [`CONTENT`] four-byte characters
    /// and [`TAGS`] change tags, signed [`PAST_SECS`] ago (or [`FUTURE_SECS`] ahead).
    fn largest(kind: u16, created_at: u64) -> nips::Event {
        let tags = (0..TAGS)
            .map(|i| {
                vec![
                    "change".into(),
                    "limitation.max_content_length".into(),
                    format!("{}", 100_000 + i),
                ]
            })
            .collect();
        Keys::generate().sign(created_at, kind, tags, "🗳".repeat(CONTENT as usize))
    }

    fn changed(f: impl FnOnce(&mut Policy)) -> Policy {
        let mut p = Policy::default();
        f(&mut p);
        p
    }

    #[test]
    fn the_default_policy_keeps_governing() {
        assert_eq!(shortfalls(&Policy::default(), 3), vec![]);
    }

    #[test]
    fn each_lock_out_is_refused_with_its_reason() {
        let cases: Vec<(Policy, &str)> = vec![
            (
                changed(|p| p.limitation.max_content_length = 0),
                "limitation.max_content_length",
            ),
            (changed(|p| p.kinds.blocked = vec![1018]), "kinds.blocked"),
            (changed(|p| p.kinds.allowed = vec![1]), "kinds.allowed"),
            (
                changed(|p| p.rate.events_per_minute.notes.members = 1),
                "rate.events_per_minute.notes.members",
            ),
            (
                changed(|p| p.limitation.min_pow_difficulty = 20),
                "limitation.min_pow_difficulty",
            ),
            (
                changed(|p| {
                    p.admission.mode = AdmissionMode::Invite;
                    p.admission.invites_per_member = 0;
                }),
                "admission.invites_per_member",
            ),
            (
                changed(|p| {
                    p.admission.mode = AdmissionMode::Vouch;
                    p.admission.vouches_required = 4;
                }),
                "admission.vouches_required",
            ),
            (
                changed(|p| p.proposals.min_window = 30 * 86_400),
                "classes.moderation.window",
            ),
            (
                changed(|p| p.classes.ordinary.pass_num = p.classes.ordinary.pass_den),
                "classes.ordinary.pass_strict",
            ),
            (
                changed(|p| p.proposals.max_open_per_member = 0),
                "proposals.max_open_per_member",
            ),
        ];
        for (next, param) in cases {
            let Err(err) = check_change(&Policy::default(), &next, 3) else {
                panic!("{param} was let through");
            };
            assert!(err.contains(param), "{param}: {err}");
        }
    }

    #[test]
    fn fixes_and_old_shortfalls_are_not_refused() {
        let low = changed(|p| p.limitation.max_content_length = 10);
        let lower = changed(|p| p.limitation.max_content_length = 5);
        assert_eq!(check_change(&low, &Policy::default(), 3), Ok(()), "a fix");
        assert_eq!(check_change(&low, &lower, 3), Ok(()), "already below");
        // No limit at all is no floor.
        let unlimited = changed(|p| p.rate.events_per_minute.notes.members = 0);
        assert_eq!(check_change(&Policy::default(), &unlimited, 3), Ok(()));
        // Proof of work asked of non-members only leaves members free to vote.
        let pow = changed(|p| {
            p.limitation.min_pow_difficulty = 20;
            p.rate.pow_non_members_only = true;
        });
        assert_eq!(check_change(&Policy::default(), &pow, 3), Ok(()));
    }

    fn limitation() -> impl Strategy<Value = Limits> {
        // Mostly near or above each floor, sometimes below it.
        let around = |floor: u32| floor * 3 / 4..floor.saturating_mul(3);
        (
            (around(CONTENT), around(TAGS), around(EVENT_BYTES)),
            (0..PAST_SECS * 3, 0..FUTURE_SECS * 3, 0u32..4),
        )
            .prop_map(|((content, tags, bytes), (past, future, pow))| Limits {
                max_content_length: content,
                max_event_tags: tags,
                max_event_size: bytes,
                max_message_length: bytes.max(1) * 2,
                created_at_lower_limit: past,
                created_at_upper_limit: future,
                min_pow_difficulty: pow,
                ..Limits::default()
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { max_global_rejects: 50_000, ..ProptestConfig::default() })]

        /// Whatever limits a proposal sets, if the floors let it through, every event
        /// governance needs from a member still gets in, signed a while ago or by a clock
        /// running ahead.
        #[test]
        fn what_the_floors_allow_still_takes_votes(
            limits in limitation(),
            allowed in prop_oneof![
                Just(Vec::new()),
                (
                    proptest::sample::subsequence(GOVERNANCE_KINDS, GOVERNANCE_KINDS.len() - 1..=GOVERNANCE_KINDS.len()),
                    proptest::collection::vec(0u16..40_000, 0..4),
                ).prop_map(|(g, mut more)| { more.extend(g); more }),
            ],
            blocked in proptest::collection::vec(0u16..40_000, 0..4),
            pow_others_only in any::<bool>(),
            kind_ix in 0..GOVERNANCE_KINDS.len(),
        ) {
            let mut policy = Policy { limitation: limits, ..Policy::default() };
            policy.kinds.allowed = allowed;
            policy.kinds.blocked = blocked;
            policy.rate.pow_non_members_only = pow_others_only;
            let refused = shortfalls(&policy, 3);
            prop_assume!(refused.is_empty());
            let kind = GOVERNANCE_KINDS[kind_ix];
            prop_assert!(policy.kind_allowed(kind));
            for at in [NOW - PAST_SECS, NOW + FUTURE_SECS] {
                let event = largest(kind, at);
                let len = event.to_json().len();
                prop_assert!(policy.limitation.check_event(&event, len, NOW).is_ok(), "{len} bytes");
                // The relay asks a member for proof of work only when it is asked of all.
                if !policy.rate.pow_non_members_only {
                    let min = policy.limitation.min_pow_difficulty;
                    prop_assert!(policy.limitation.check_pow(&event, min).is_ok());
                }
            }
        }
    }
}
