//! The ledger: the community's state as a fold over the relay's public record — the decision
//! chain (kind 8002) for the policy, and member events (kinds 8000/8001) for membership.
//! The relay rebuilds it this way at start-up, and `verify` rebuilds it to check the relay.

use std::collections::{BTreeMap, BTreeSet};

use nips::{Event, EventId, PubKey, nip43};

use crate::decision::{Decision, Resolution};
use crate::policy::{Founders, Policy, PolicyDoc};
use crate::proposal::Action;
use crate::roster::Roster;
use crate::state::{self, ApplyContext, Before, Effects};
use crate::tally::Electors;

mod electorate;
mod replay;
#[cfg(test)]
mod tests;

pub use electorate::{Digests, Electorate, Frozen, member_seq};

/// An emergency action awaiting ratification.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub at: u64,
    /// What the policy paths held before, for a revert.
    pub before: Before,
    /// The membership/event effects, for a revert.
    pub effects: Effects,
    /// For IP blocks: `(blocked, sha256 of the IP)`.
    pub ip: Option<(bool, String)>,
}

/// What a decision needs besides the policy result.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub proposal: Option<EventId>,
    pub action: Option<Action>,
    pub reverts: Option<EventId>,
    pub amends: Option<EventId>,
    pub tally: Option<crate::decision::TallyRecord>,
    pub author: Option<PubKey>,
    pub reason: String,
    pub emergency: Option<crate::decision::EmergencyRecord>,
    /// For a `cofounder` decision: the code used.
    pub code: Option<String>,
}

/// A decision ready to sign, with the state it leads to.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub decision: Decision,
    pub doc: PolicyDoc,
    pub pending: Option<Pending>,
    /// Membership and event changes to carry out.
    pub effects: Effects,
}

/// Why the record does not replay.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    #[error("no genesis decision")]
    NoGenesis,
    #[error("more than one genesis decision")]
    TwoGenesis,
    #[error("decision {0} is not a well-formed decision: {1}")]
    Malformed(EventId, String),
    #[error("the chain forks after {0}")]
    Fork(EventId),
    #[error("decision {0} is not linked into the chain")]
    Unlinked(EventId),
    #[error("decision {0}: the policy it records (v{1}) is not what replaying gives (v{2})")]
    PolicyMismatch(EventId, u64, u64),
    #[error("decision {0}: {1}")]
    Inapplicable(EventId, String),
    #[error("decision {0}: {1}")]
    Rejected(EventId, String),
}

/// The replayed state.
#[derive(Debug, Clone)]
pub struct Ledger {
    pub doc: PolicyDoc,
    pub policy: Policy,
    pub roster: Roster,
    /// The latest decision and its time.
    pub head: Option<(EventId, u64)>,
    /// Decisions in chain order.
    pub chain: Vec<EventId>,
    /// Policies by the time they took effect.
    versions: Vec<(u64, Policy)>,
    /// Emergency decisions not yet ratified or reverted.
    pub pending: BTreeMap<EventId, Pending>,
    /// Proposals already decided.
    pub decided: BTreeSet<EventId>,
    /// Ban decisions already appealed (one appeal each).
    pub appealed: BTreeSet<EventId>,
    /// Decisions that banned a key, and the key: what an appeal may name.
    pub bans: BTreeMap<EventId, PubKey>,
    /// The sequence number of the last member event.
    pub member_seq: u64,
    /// Proposals whose action a passed amendment replaced, with the action now proposed.
    pub amended: BTreeMap<EventId, Action>,
    /// When the last amendment of each of those passed (its decision's `created_at`).
    pub amended_at: BTreeMap<EventId, u64>,
    /// When the community was founded (its genesis decision's `created_at`).
    pub founded_at: u64,
}

impl Ledger {
    /// A ledger starting from the genesis policy.
    pub fn genesis(doc: PolicyDoc) -> Result<Self, String> {
        let policy = doc.policy().map_err(|e| e.to_string())?;
        Ok(Self {
            versions: vec![(0, policy.clone())],
            doc,
            policy,
            roster: Roster::default(),
            head: None,
            chain: Vec::new(),
            pending: BTreeMap::new(),
            decided: BTreeSet::new(),
            appealed: BTreeSet::new(),
            bans: BTreeMap::new(),
            member_seq: 0,
            amended: BTreeMap::new(),
            amended_at: BTreeMap::new(),
            founded_at: 0,
        })
    }

    /// The policy in force as of `at`: decisions dated at or before `at` count. Like
    /// membership, it cannot change for a proposal once accepted, because the relay dates later
    /// decisions after it.
    pub fn policy_at(&self, at: u64) -> &Policy {
        self.versions
            .iter()
            .rev()
            .find(|(from, _)| *from <= at)
            .or(self.versions.first())
            .map_or(&self.policy, |(_, p)| p)
    }

    /// The genesis policy.
    pub fn genesis_policy(&self) -> &Policy {
        self.versions.first().map_or(&self.policy, |(_, p)| p)
    }

    /// The electorate of a proposal created at `at`: members as of then, less keys banned
    /// then.
    pub fn electorate_at(&self, at: u64) -> BTreeSet<PubKey> {
        let policy = self.policy_at(at);
        self.roster
            .members_at(at)
            .into_iter()
            .filter(|k| !policy.is_banned(k, at))
            .collect()
    }

    /// Members of `electorate` whose ban (in the policy in force now) covers `at`: their votes
    /// do not count at a close at `at`.
    pub fn suspended(&self, electorate: &impl Electors, at: u64) -> BTreeSet<PubKey> {
        // From the bans, which are few, not the electorate, which may be every member: the
        // relay asks on every vote.
        self.policy
            .bans
            .keys()
            .filter(|k| self.policy.is_banned(k, at) && electorate.contains(k))
            .copied()
            .collect()
    }

    /// The electorate of a proposal created at `at`, frozen as that instant and its size
    /// rather than as a set: what the relay holds for each open proposal.
    pub fn electorate(&self, at: u64) -> Electorate {
        let policy = self.policy_at(at);
        let banned = policy
            .bans
            .keys()
            .filter(|k| policy.is_banned(k, at) && self.roster.was_member(k, at))
            .count();
        let len = self.roster.count_at(at).saturating_sub(banned);
        Electorate { at, len }
    }

    /// `electorate`, answering from this ledger's roster and policies.
    pub fn electors(&self, electorate: Electorate) -> Frozen<'_> {
        Frozen {
            ledger: self,
            electorate,
        }
    }

    /// Founder powers for a proposal created at `at` with `electorate` members, if in force.
    pub fn founders_at(&self, at: u64, electorate: usize) -> Option<&Founders> {
        let f = &self.policy_at(at).founders;
        f.active(u32::try_from(electorate).unwrap_or(u32::MAX), at)
            .then_some(f)
    }

    /// The action `proposal` now asks for: its own, or the last passed amendment's.
    pub fn action_of<'a>(&'a self, proposal: &'a crate::proposal::Proposal) -> &'a Action {
        self.amended.get(&proposal.id).unwrap_or(&proposal.action)
    }

    /// When votes on `proposal` count, for a close at `closed_at`: from the end of its
    /// deliberation to its end; after an amendment of it passed (where its class has a new
    /// vote, `revote`), only votes dated from that decision's second on (a vote cast right
    /// after it, in the same second, counts), until `revote` seconds after it if that is later
    /// than its end.
    pub fn window(
        &self,
        proposal: &crate::proposal::Proposal,
        rules: &crate::tally::Rules,
        closed_at: u64,
    ) -> crate::tally::Window {
        let mut window = crate::tally::Window {
            opens: rules.opens(proposal),
            ends: proposal.ends_at,
            closed_at,
        };
        if let (Some(at), Some(revote)) = (self.amended_at.get(&proposal.id), rules.rule.revote) {
            window.opens = window.opens.max(*at);
            window.ends = window.ends.max(at.saturating_add(revote));
        }
        window
    }

    /// When `proposal` closes at the latest: its `endsAt`, or later for a new vote after an
    /// amendment (see [`Ledger::window`]).
    pub fn ends_at(
        &self,
        proposal: &crate::proposal::Proposal,
        rules: &crate::tally::Rules,
    ) -> u64 {
        self.window(proposal, rules, u64::MAX).ends
    }

    /// The rules that decide `proposal`: its class rule, founder powers and vouching, all as
    /// they stood when it was made.
    pub fn rules_for(&self, proposal: &crate::proposal::Proposal) -> crate::tally::Rules {
        self.rules_with(proposal, self.electorate_at(proposal.created_at).len())
    }

    /// As [`Ledger::rules_for`], for a caller that already froze the electorate (of
    /// `electorate` members): freezing one is the costly part in a large community.
    pub fn rules_with(
        &self,
        proposal: &crate::proposal::Proposal,
        electorate: usize,
    ) -> crate::tally::Rules {
        let at = proposal.created_at;
        let policy = self.policy_at(at);
        let vouches = match (&proposal.action, policy.admission.mode) {
            (Action::Admit(_), crate::policy::AdmissionMode::Vouch) => {
                Some(policy.admission.vouches_required)
            }
            _ => None,
        };
        crate::tally::Rules {
            rule: policy.classes.get(proposal.class).clone(),
            founders: self.founders_at(at, electorate).cloned(),
            vouches,
        }
    }

    /// The resolution a proposal with `outcome` is recorded with: a ratification that does not
    /// pass reverts its emergency action (if still pending).
    pub fn resolution_for(
        &self,
        action: &Action,
        outcome: crate::tally::Outcome,
    ) -> (Resolution, Option<EventId>) {
        use crate::tally::Outcome;
        match (action, outcome) {
            (_, Outcome::Passed) => (Resolution::Passed, None),
            (Action::Ratify(em), _) if self.pending.contains_key(em) => {
                (Resolution::Reverted, Some(*em))
            }
            (_, Outcome::Failed) => (Resolution::Failed, None),
            (_, Outcome::NoQuorum) => (Resolution::NoQuorum, None),
        }
    }

    /// Records decision `id` (taking effect at `at`) with the document after it.
    pub fn commit(
        &mut self,
        id: EventId,
        at: u64,
        decision: &Decision,
        doc: PolicyDoc,
        pending: Option<Pending>,
    ) -> Result<(), String> {
        let policy = doc.policy().map_err(|e| e.to_string())?;
        if policy != self.policy {
            self.versions.push((at, policy.clone()));
        }
        self.doc = doc;
        self.policy = policy;
        self.head = Some((id, at));
        self.chain.push(id);
        if decision.resolution == Resolution::Genesis {
            self.founded_at = at;
        }
        if let Some(p) = decision.proposal {
            self.decided.insert(p);
        }
        if let (Some(original), Some(action), Resolution::Passed) =
            (decision.amends, &decision.action, decision.resolution)
        {
            self.amended.insert(original, action.clone());
            self.amended_at.insert(original, at);
        }
        if let Some(Action::Appeal(of)) = &decision.action {
            self.appealed.insert(*of);
        }
        if let Some(Action::Ban { target, .. }) = &decision.action
            && matches!(
                decision.resolution,
                Resolution::Passed | Resolution::Emergency
            )
        {
            self.bans.insert(id, *target);
        }
        if let Some(Action::Ratify(em)) = &decision.action
            && decision.resolution == Resolution::Passed
        {
            self.pending.remove(em);
        }
        if let Some(em) = decision.reverts {
            self.pending.remove(&em);
        }
        if let Some(p) = pending {
            self.pending.insert(id, p);
        }
        Ok(())
    }

    /// Computes the document after `decision` from the current one, as replay and the relay
    /// both must: emergencies and passed actions apply, reverts restore, the rest change
    /// nothing.
    pub fn next_doc(
        &self,
        decision: &Decision,
        at: u64,
    ) -> Result<(PolicyDoc, Option<Pending>), String> {
        self.next(decision, at)
            .map(|(doc, pending, _)| (doc, pending))
    }

    /// [`Self::next_doc`], with the effects of an action that applied. The roster as of `at`
    /// is rebuilt only for an action that applies (a copy of every member: most decisions,
    /// which fail or lack a quorum, need none).
    fn next(
        &self,
        decision: &Decision,
        at: u64,
    ) -> Result<(PolicyDoc, Option<Pending>, Option<Effects>), String> {
        match decision.resolution {
            Resolution::Genesis => Err("a second genesis".into()),
            // A passed amendment changes the proposal it amends, not the policy.
            Resolution::Passed if decision.amends.is_some() => Ok((self.doc.clone(), None, None)),
            Resolution::Passed | Resolution::Emergency => {
                let Some(action) = &decision.action else {
                    // An emergency without a policy action (an IP block).
                    return match (&decision.emergency, decision.resolution) {
                        (Some(em), Resolution::Emergency) => Ok((
                            self.doc.clone(),
                            Some(Pending {
                                at,
                                before: Vec::new(),
                                effects: Effects::default(),
                                ip: em.ip_digest.clone().map(|d| (em.method == "blockip", d)),
                            }),
                            None,
                        )),
                        _ => Err("a passed decision needs an action".into()),
                    };
                };
                let author = decision.author.unwrap_or(PubKey([0; 32]));
                let applied = state::apply(
                    &self.doc,
                    &self.roster_at(at),
                    action,
                    &ApplyContext {
                        author: &author,
                        reason: &decision.reason,
                        now: at,
                    },
                )?;
                let pending = (decision.resolution == Resolution::Emergency).then(|| Pending {
                    at,
                    before: applied.before.clone(),
                    effects: applied.effects.clone(),
                    ip: None,
                });
                Ok((applied.doc, pending, Some(applied.effects)))
            }
            Resolution::Failed | Resolution::NoQuorum => Ok((self.doc.clone(), None, None)),
            Resolution::Cofounder => {
                let (Some(key), Some(code)) = (&decision.author, &decision.code) else {
                    return Err("a cofounder decision names its author and code".into());
                };
                let applied = state::cofounder(&self.doc, &self.roster_at(at), key, code, at)?;
                Ok((applied.doc, None, Some(applied.effects)))
            }
            Resolution::Reverted => {
                let em = decision
                    .reverts
                    .ok_or("a revert must name the emergency decision")?;
                let pending = self
                    .pending
                    .get(&em)
                    .ok_or("reverts an emergency that is not pending")?;
                Ok((state::revert(&self.doc, &pending.before)?, None, None))
            }
        }
    }

    /// Builds the next decision for `resolution` at `at`, chained to the current head.
    pub fn prepare(
        &self,
        resolution: Resolution,
        draft: Draft,
        at: u64,
    ) -> Result<Prepared, String> {
        let mut decision = Decision {
            resolution,
            prev: self.head.map(|(id, _)| id),
            proposal: draft.proposal,
            action: draft.action,
            reverts: draft.reverts,
            amends: draft.amends,
            tally: draft.tally,
            author: draft.author,
            reason: draft.reason,
            version: 0,
            policy: [0; 32],
            emergency: draft.emergency,
            code: draft.code,
        };
        let (doc, pending, applied) = self.next(&decision, at)?;
        let effects = match (resolution, decision.reverts) {
            (Resolution::Reverted, Some(em)) => self
                .pending
                .get(&em)
                .map(|p| p.effects.inverse())
                .unwrap_or_default(),
            _ => applied.unwrap_or_default(),
        };
        decision.version = doc.version();
        decision.policy = doc.hash();
        Ok(Prepared {
            decision,
            doc,
            pending,
            effects,
        })
    }

    /// A roster holding exactly the members at `at` (for applying a decision then).
    fn roster_at(&self, at: u64) -> Roster {
        let mut r = Roster::default();
        for k in self.roster.members_at(at) {
            r.add(k, at, None);
            if let Some(m) = self.roster.get(&k) {
                for role in &m.roles {
                    r.set_role(&k, role, true);
                }
            }
        }
        r
    }
}
