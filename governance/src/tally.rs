//! Counting votes and deciding. Pure and order-independent: the same votes give the same
//! outcome whatever order they arrive in.

use std::collections::{BTreeMap, BTreeSet};

use nips::{EventId, PubKey};
use sha2::{Digest, Sha256};

use crate::class::ClassRule;
use crate::delegation::Delegations;
use crate::policy::Founders;
use crate::proposal::Proposal;
use crate::vote::{Choice, Vote};

/// The counted votes of a proposal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub yes: u32,
    pub no: u32,
    pub abstain: u32,
    pub block: u32,
    /// Size of the frozen electorate.
    pub electorate: u32,
    /// Who cast the counted votes.
    pub voters: BTreeSet<PubKey>,
    /// Ids of the counted votes (each voter's latest), ascending.
    pub counted: Vec<EventId>,
    /// Votes counted for members who did not vote, through their delegations (included in
    /// the counts above).
    pub delegated: u32,
    /// Ids of the delegation events those votes went through, ascending.
    pub delegations: Vec<EventId>,
}

impl Tally {
    /// Everyone who voted, abstentions and blocks included.
    pub fn turnout(&self) -> u32 {
        self.yes + self.no + self.abstain + self.block
    }

    /// Has every member of the electorate voted themselves? Then the proposal closes early
    /// (a delegated vote does not: its member may still vote in person).
    pub fn complete(&self) -> bool {
        self.electorate > 0 && self.voters.len() >= self.electorate as usize
    }

    /// sha256 over the delegation events counted through (32 bytes each, ascending).
    pub fn delegations_digest(&self) -> [u8; 32] {
        let mut hasher = Sha256::new();
        for id in &self.delegations {
            hasher.update(id.as_bytes());
        }
        hasher.finalize().into()
    }

    /// sha256 over the counted vote ids (32 bytes each, ascending): what decisions commit to.
    pub fn votes_digest(&self) -> [u8; 32] {
        let mut hasher = Sha256::new();
        for id in &self.counted {
            hasher.update(id.as_bytes());
        }
        hasher.finalize().into()
    }

    /// `(option, count)` pairs in a fixed order.
    pub fn counts(&self) -> [(&'static str, u32); 4] {
        [
            ("yes", self.yes),
            ("no", self.no),
            ("abstain", self.abstain),
            ("block", self.block),
        ]
    }
}

/// Who may vote on a proposal: a set of keys, or a frozen electorate answered from the roster
/// ([`crate::ledger::Electors`]).
pub trait Electors {
    fn contains(&self, key: &PubKey) -> bool;
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Electors for BTreeSet<PubKey> {
    fn contains(&self, key: &PubKey) -> bool {
        BTreeSet::contains(self, key)
    }
    fn len(&self) -> usize {
        BTreeSet::len(self)
    }
}

/// When votes count: from the end of deliberation (or just after an amendment of the proposal
/// passed) to the proposal's end (later, for a new vote after an amendment) or its close,
/// whichever is first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub opens: u64,
    pub ends: u64,
    pub closed_at: u64,
}

/// Counts the votes that count: from members of the frozen `electorate`, cast from the
/// proposal's creation to its end or `closed_at`, whichever is first, each member's latest
/// vote only; `block` only where offered. No deliberation, no delegations.
pub fn count(
    proposal: &Proposal,
    votes: &[Vote],
    electorate: &impl Electors,
    closed_at: u64,
) -> Tally {
    let window = Window {
        opens: proposal.created_at,
        ends: proposal.ends_at,
        closed_at,
    };
    count_excluding(
        proposal,
        votes,
        electorate,
        window,
        &BTreeSet::new(),
        &Delegations::default(),
    )
}

/// Counts the votes cast inside `window`, leaving out those of `suspended` members (banned at
/// the close: a ban suspends the right to vote; the electorate, and so the quorum, stays as
/// it was frozen), then counts for each member who did not vote the vote their `delegations`
/// lead to (see [`crate::delegation`]).
pub fn count_excluding(
    proposal: &Proposal,
    votes: &[Vote],
    electorate: &impl Electors,
    window: Window,
    suspended: &BTreeSet<PubKey>,
    delegations: &Delegations,
) -> Tally {
    let end = window.ends.min(window.closed_at);
    let mut latest: BTreeMap<PubKey, &Vote> = BTreeMap::new();
    for v in votes {
        let counts = v.proposal == proposal.id
            && electorate.contains(&v.voter)
            && !suspended.contains(&v.voter)
            && v.created_at >= proposal.created_at.max(window.opens)
            && v.created_at <= end
            && (v.choice != Choice::Block || proposal.block);
        if !counts {
            continue;
        }
        match latest.get(&v.voter) {
            Some(prev) if !v.supersedes(prev) => {}
            _ => {
                latest.insert(v.voter, v);
            }
        }
    }
    let mut tally = Tally {
        electorate: u32::try_from(electorate.len()).unwrap_or(u32::MAX),
        ..Tally::default()
    };
    for (voter, v) in &latest {
        tally.add(v.choice);
        tally.voters.insert(*voter);
        tally.counted.push(v.id);
    }
    tally.counted.sort();
    let eligible = |k: &PubKey| electorate.contains(k) && !suspended.contains(k);
    let mut through = BTreeSet::new();
    for delegator in delegations.delegators(proposal.class) {
        if latest.contains_key(&delegator) || !eligible(&delegator) {
            continue;
        }
        let found = delegations.resolve(&delegator, proposal.class, eligible, |k| {
            latest.contains_key(k)
        });
        if let Some((voter, path)) = found
            && let Some(v) = latest.get(&voter)
        {
            tally.add(v.choice);
            tally.delegated += 1;
            through.extend(path);
        }
    }
    tally.delegations = through.into_iter().collect();
    tally
}

impl Tally {
    fn add(&mut self, choice: Choice) {
        match choice {
            Choice::Yes => self.yes += 1,
            Choice::No => self.no += 1,
            Choice::Abstain => self.abstain += 1,
            Choice::Block => self.block += 1,
        }
    }
}

/// How a proposal ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    Failed,
    /// Too few voted; the status quo stands.
    NoQuorum,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed => "failed",
            Outcome::NoQuorum => "no-quorum",
        }
    }
}

/// Everything that decides a proposal, fixed at its creation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    pub rule: ClassRule,
    /// Founder powers, if in force when the proposal was made.
    pub founders: Option<Founders>,
    /// In `vouch` mode, admissions pass as soon as this many members voted yes and none
    /// blocked.
    pub vouches: Option<u32>,
}

impl Rules {
    /// When votes on `proposal` start to count: after its class's deliberation.
    pub fn opens(&self, proposal: &Proposal) -> u64 {
        self.rule.voting_opens(proposal.created_at)
    }

    /// Yes votes that admit at once in `vouch` mode (never fewer than one).
    fn vouches_needed(&self) -> Option<u32> {
        self.vouches.map(|k| k.max(1))
    }

    fn vouched(&self, t: &Tally) -> bool {
        self.vouches_needed()
            .is_some_and(|k| t.yes >= k && t.block == 0)
    }

    /// May the proposal close before `endsAt`? Everyone voted, or enough vouched.
    pub fn settled(&self, t: &Tally) -> bool {
        t.complete() || self.vouched(t)
    }

    /// When a proposal settled as of its last vote at `last_vote` may close: its class's
    /// grace later (at once for a class without one). The relay closes it then; a verifier
    /// refuses an early decision dated before it.
    pub fn closes_after(&self, last_vote: u64) -> u64 {
        last_vote.saturating_add(self.rule.grace.unwrap_or(0))
    }

    /// Could [`Rules::settled`] hold for a proposal of `electorate` members that has received
    /// `votes` votes in all? A tally counts at most one vote of each, so fewer votes than
    /// members (or than the vouches needed) cannot settle it. The relay asks after every
    /// vote; this spares it re-counting a large proposal's votes when they cannot suffice.
    pub fn may_settle(&self, votes: usize, electorate: usize) -> bool {
        votes >= electorate || self.vouches_needed().is_some_and(|k| votes >= k as usize)
    }

    /// The outcome of `t`.
    pub fn outcome(&self, t: &Tally) -> Outcome {
        if self.vouched(t) {
            Outcome::Passed
        } else {
            decide(t, &self.rule, self.founders.as_ref())
        }
    }
}

/// Applies the class rule to a tally. While founder powers are in force (`founders` active at
/// the proposal's creation), a vote in which every founder of the electorate took part meets
/// the quorum.
pub fn decide(tally: &Tally, rule: &ClassRule, founders: Option<&Founders>) -> Outcome {
    let founders_carry = founders
        .is_some_and(|f| !f.keys.is_empty() && f.keys.iter().all(|k| tally.voters.contains(k)));
    if tally.turnout() < rule.quorum(tally.electorate) && !founders_carry {
        return Outcome::NoQuorum;
    }
    if rule.blocked(tally.block, tally.turnout())
        || tally.yes < rule.min_yes
        || !rule.share_passes(tally.yes, tally.no)
    {
        return Outcome::Failed;
    }
    Outcome::Passed
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::class::Class;
    use crate::proposal::Action;
    use proptest::prelude::*;

    /// An ordinary proposal open from 100 to 200 (shared with the delegation tests).
    pub(crate) fn proposal(block: bool) -> Proposal {
        Proposal {
            id: EventId([9; 32]),
            author: PubKey([0; 32]),
            created_at: 100,
            ends_at: 200,
            class: Class::Ordinary,
            action: Action::Unban(PubKey([0; 32])),
            block,
            title: String::new(),
            amends: None,
        }
    }

    fn key(i: u8) -> PubKey {
        PubKey([i; 32])
    }

    fn vote(voter: u8, at: u64, choice: Choice, nonce: u8) -> Vote {
        Vote {
            id: EventId([voter.wrapping_mul(31).wrapping_add(nonce); 32]),
            voter: key(voter),
            created_at: at,
            proposal: EventId([9; 32]),
            choice,
        }
    }

    fn electorate(n: u8) -> BTreeSet<PubKey> {
        (1..=n).map(key).collect()
    }

    #[test]
    fn counts_only_valid_latest_votes() {
        let p = proposal(false);
        let votes = vec![
            vote(1, 110, Choice::No, 0),
            vote(1, 150, Choice::Yes, 1), // changed vote: the later one counts
            vote(2, 120, Choice::Yes, 0),
            vote(3, 90, Choice::Yes, 0),    // before the proposal
            vote(4, 210, Choice::Yes, 0),   // after endsAt
            vote(9, 120, Choice::Yes, 0),   // not in the electorate
            vote(5, 120, Choice::Block, 0), // no block option here
        ];
        let t = count(&p, &votes, &electorate(5), u64::MAX);
        assert_eq!((t.yes, t.no, t.abstain, t.block), (2, 0, 0, 0));
        assert_eq!(t.electorate, 5);
        assert_eq!(t.counted.len(), 2);
        let early = count(&p, &votes, &electorate(5), 130);
        assert_eq!(
            (early.yes, early.no),
            (1, 1),
            "votes after the close do not count"
        );
    }

    #[test]
    fn a_settled_proposal_waits_its_grace() {
        let mut rule = crate::class::ClassRule::default_for(Class::Ordinary);
        assert_eq!(
            rule.grace,
            Some(3_600),
            "an hour for changed minds by default"
        );
        let rules = |rule: &crate::class::ClassRule| Rules {
            rule: rule.clone(),
            founders: None,
            vouches: None,
        };
        assert_eq!(rules(&rule).closes_after(1_000), 4_600);
        rule.grace = Some(0);
        assert_eq!(rules(&rule).closes_after(1_000), 1_000);
        rule.grace = None;
        assert_eq!(
            rules(&rule).closes_after(1_000),
            1_000,
            "a document from before grace closes at the last vote"
        );
        let old: crate::class::ClassRule = serde_json::from_value(serde_json::json!({
            "quorum_percent": 20, "quorum_min": 2, "pass_num": 1, "pass_den": 2,
            "pass_strict": true, "min_yes": 1, "block": false, "max_block_percent": 0,
            "window": 604800
        }))
        .unwrap();
        assert_eq!(old.grace, None, "and reads as such");
        assert!(
            !serde_json::to_string(&old).unwrap().contains("grace"),
            "so its hash is unchanged"
        );
    }

    #[test]
    fn outcomes() {
        let rule = crate::class::ClassRule::default_for(Class::Ordinary);
        let p = proposal(false);
        let t = count(
            &p,
            &[vote(1, 110, Choice::Yes, 0)],
            &electorate(10),
            u64::MAX,
        );
        assert_eq!(decide(&t, &rule, None), Outcome::NoQuorum, "1 of 10 < 20%");
        let votes = vec![vote(1, 110, Choice::Yes, 0), vote(2, 110, Choice::No, 0)];
        let t = count(&p, &votes, &electorate(10), u64::MAX);
        assert_eq!(
            decide(&t, &rule, None),
            Outcome::Failed,
            "a tie fails yes > no"
        );
        let votes = vec![
            vote(1, 110, Choice::Yes, 0),
            vote(2, 110, Choice::Abstain, 0),
        ];
        let t = count(&p, &votes, &electorate(10), u64::MAX);
        assert_eq!(
            decide(&t, &rule, None),
            Outcome::Passed,
            "abstentions count toward quorum"
        );
        let founders = Founders {
            keys: vec![key(1)],
            ..Founders::default()
        };
        let t = count(
            &p,
            &[vote(1, 110, Choice::Yes, 0)],
            &electorate(10),
            u64::MAX,
        );
        assert_eq!(
            decide(&t, &rule, Some(&founders)),
            Outcome::Passed,
            "founders carry the quorum"
        );
        let admission = crate::class::ClassRule::default_for(Class::Admission);
        let p = proposal(true);
        let votes = vec![
            vote(1, 110, Choice::Yes, 0),
            vote(2, 110, Choice::Yes, 0),
            vote(3, 110, Choice::Block, 0),
        ];
        let t = count(&p, &votes, &electorate(10), u64::MAX);
        assert_eq!(
            decide(&t, &admission, None),
            Outcome::Failed,
            "any block stops an admission"
        );
    }

    fn arb_vote() -> impl Strategy<Value = Vote> {
        (1u8..8, 80u64..220, 0u8..4, any::<u8>()).prop_map(|(voter, at, c, nonce)| {
            let choice = [Choice::Yes, Choice::No, Choice::Abstain, Choice::Block][c as usize];
            Vote {
                id: EventId([nonce; 32]),
                voter: key(voter),
                created_at: at,
                proposal: EventId([9; 32]),
                choice,
            }
        })
    }

    /// Votes with distinct ids (an id is a hash; two votes never share one).
    fn arb_votes(max: usize) -> impl Strategy<Value = Vec<Vote>> {
        prop::collection::vec(arb_vote(), 0..max).prop_map(|mut votes| {
            for (i, v) in votes.iter_mut().enumerate() {
                v.id.0[0] = i as u8;
            }
            votes
        })
    }

    proptest! {
        #[test]
        fn vote_order_never_matters(mut votes in arb_votes(40), seed in any::<u64>()) {
            let p = proposal(true);
            let e = electorate(6);
            let before = count(&p, &votes, &e, u64::MAX);
            // A deterministic shuffle from the seed.
            let n = votes.len();
            for i in 0..n {
                let j = (seed.wrapping_mul(6364136223846793005).wrapping_add(i as u64) % n.max(1) as u64) as usize;
                votes.swap(i, j);
            }
            let after = count(&p, &votes, &e, u64::MAX);
            prop_assert_eq!(&before, &after);
            let rule = crate::class::ClassRule::default_for(Class::Constitutional);
            prop_assert_eq!(decide(&before, &rule, None), decide(&after, &rule, None));
        }

        #[test]
        fn what_cannot_settle_never_settles(votes in arb_votes(40), members in 1u8..12, vouches in proptest::option::of(0u32..6)) {
            let p = proposal(true);
            let e = electorate(members);
            let rules = Rules { rule: crate::class::ClassRule::default_for(Class::Ordinary), founders: None, vouches };
            let t = count(&p, &votes, &e, u64::MAX);
            if rules.settled(&t) {
                prop_assert!(rules.may_settle(votes.len(), e.len()));
            }
        }

        #[test]
        fn only_the_latest_vote_of_a_member_counts(votes in arb_votes(40)) {
            let p = proposal(true);
            let e = electorate(7);
            let t = count(&p, &votes, &e, u64::MAX);
            prop_assert!(t.turnout() as usize <= e.len());
            prop_assert_eq!(t.turnout() as usize, t.voters.len());
            for counted in &t.counted {
                let v = votes.iter().find(|v| v.id == *counted).unwrap();
                let later = votes.iter().any(|o| o.voter == v.voter && o.created_at <= 200 && o.created_at >= 100 && o.supersedes(v));
                prop_assert!(!later, "a later valid vote of the same member exists");
            }
        }

        #[test]
        fn outsiders_early_and_late_votes_never_count(votes in arb_votes(40)) {
            let p = proposal(true);
            let e: BTreeSet<PubKey> = (1..=3).map(key).collect();
            let t = count(&p, &votes, &e, u64::MAX);
            for id in &t.counted {
                let v = votes.iter().find(|v| v.id == *id).unwrap();
                prop_assert!(e.contains(&v.voter));
                prop_assert!(v.created_at >= 100 && v.created_at <= 200);
            }
        }
    }
}
