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

    /// Folds the relay's member events (kinds 8000/8001) into the roster, in `seq` order.
    pub fn fold_membership(&mut self, events: &[Event]) {
        let mut ordered: Vec<(u64, &Event)> = events
            .iter()
            .filter(|e| {
                matches!(
                    e.kind,
                    nip43::KIND_MEMBER_ADDED | nip43::KIND_MEMBER_REMOVED
                )
            })
            .map(|e| (member_seq(e), e))
            .collect();
        ordered.sort_by_key(|(seq, e)| (*seq, e.created_at, e.id));
        for (seq, e) in ordered {
            let Some(key) = nip43::subject(e) else {
                continue;
            };
            if e.kind == nip43::KIND_MEMBER_ADDED {
                let inviter = e.first_tag_value("inviter").and_then(|v| v.parse().ok());
                self.roster.add(key, e.created_at, inviter);
            } else {
                self.roster.remove(&key, e.created_at);
            }
            self.member_seq = self.member_seq.max(seq);
        }
    }

    /// Rebuilds the ledger from the relay's decisions and member events, checking that every
    /// decision's recorded policy is what replaying gives.
    pub fn replay(decisions: &[Event], membership: &[Event]) -> Result<Ledger, ReplayError> {
        Self::replay_with(decisions, membership, |_, _, _| Ok(()))
    }

    /// As [`Ledger::replay`], calling `inspect` with the ledger as it stood before each
    /// decision after the genesis, so an auditor can check the decision against it.
    pub fn replay_with(
        decisions: &[Event],
        membership: &[Event],
        mut inspect: impl FnMut(&Ledger, &Event, &Decision) -> Result<(), String>,
    ) -> Result<Ledger, ReplayError> {
        let mut parsed: Vec<(&Event, Decision)> = Vec::with_capacity(decisions.len());
        for e in decisions {
            let d = Decision::parse(e).map_err(|m| ReplayError::Malformed(e.id, m))?;
            parsed.push((e, d));
        }
        let mut geneses = parsed
            .iter()
            .filter(|(_, d)| d.resolution == Resolution::Genesis);
        let (genesis_event, genesis) = geneses.next().ok_or(ReplayError::NoGenesis)?;
        if geneses.next().is_some() {
            return Err(ReplayError::TwoGenesis);
        }
        let doc = PolicyDoc::from_json(&genesis_event.content)
            .map_err(|e| ReplayError::Malformed(genesis_event.id, e.to_string()))?;
        if doc.hash() != genesis.policy {
            return Err(ReplayError::PolicyMismatch(
                genesis_event.id,
                genesis.version,
                doc.version(),
            ));
        }
        let mut ledger =
            Ledger::genesis(doc).map_err(|m| ReplayError::Malformed(genesis_event.id, m))?;
        ledger.fold_membership(membership);
        ledger
            .commit(
                genesis_event.id,
                genesis_event.created_at,
                genesis,
                ledger.doc.clone(),
                None,
            )
            .map_err(|m| ReplayError::Malformed(genesis_event.id, m))?;
        let mut by_prev: BTreeMap<EventId, Vec<(&Event, &Decision)>> = BTreeMap::new();
        for (e, d) in &parsed {
            if let Some(prev) = d.prev {
                by_prev.entry(prev).or_default().push((e, d));
            }
        }
        let mut at = genesis_event.id;
        let mut linked = 1;
        while let Some(next) = by_prev.get(&at) {
            let [(event, decision)] = next.as_slice() else {
                return Err(ReplayError::Fork(at));
            };
            inspect(&ledger, event, decision).map_err(|m| ReplayError::Rejected(event.id, m))?;
            let (doc, pending) = ledger
                .next_doc(decision, event.created_at)
                .map_err(|m| ReplayError::Inapplicable(event.id, m))?;
            if doc.hash() != decision.policy || doc.version() != decision.version {
                return Err(ReplayError::PolicyMismatch(
                    event.id,
                    decision.version,
                    doc.version(),
                ));
            }
            ledger
                .commit(event.id, event.created_at, decision, doc, pending)
                .map_err(|m| ReplayError::Inapplicable(event.id, m))?;
            at = event.id;
            linked += 1;
        }
        if linked != parsed.len() {
            let orphan = parsed
                .iter()
                .find(|(e, _)| !ledger.chain.contains(&e.id))
                .map_or(at, |(e, _)| e.id);
            return Err(ReplayError::Unlinked(orphan));
        }
        Ok(ledger)
    }
}

/// A proposal's electorate: the members as of its creation, less keys banned then. Held as
/// that instant and its size: a community of many members with many open proposals would
/// otherwise hold a copy of its membership for each. Later changes are dated after the
/// proposals the relay has accepted, so it stays what it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Electorate {
    pub at: u64,
    pub len: usize,
}

/// An [`Electorate`] with the ledger that answers who is in it.
#[derive(Debug, Clone, Copy)]
pub struct Frozen<'a> {
    ledger: &'a Ledger,
    electorate: Electorate,
}

impl Frozen<'_> {
    /// The members, as a set.
    pub fn keys(&self) -> BTreeSet<PubKey> {
        self.ledger.electorate_at(self.electorate.at)
    }

    /// The digest a decision records of the members (as [`crate::roster::digest_keys`] of
    /// [`Frozen::keys`]), hashed as the roster yields them in key order: a close of a
    /// 100,000-member community builds no set.
    pub fn digest(&self) -> [u8; 32] {
        let at = self.electorate.at;
        let policy = self.ledger.policy_at(at);
        let members = self.ledger.roster.members_at_in_order(at);
        crate::roster::digest_sorted_keys(members.filter(|k| !policy.is_banned(k, at)))
    }
}

impl Frozen<'_> {
    /// What decides the set: the membership changes up to its moment and the keys banned
    /// then. Equal identities are equal sets. `None` when the roster cannot tell.
    fn identity(&self) -> Option<(usize, Vec<PubKey>)> {
        let at = self.electorate.at;
        let changes = self.ledger.roster.changes_upto(at)?;
        let policy = self.ledger.policy_at(at);
        let banned = policy
            .bans
            .keys()
            .filter(|k| policy.is_banned(k, at))
            .copied()
            .collect();
        Some((changes, banned))
    }
}

/// Electorate digests already computed. Proposals opened while membership stood still share
/// one electorate; a thousand of them closing together (or re-counted by an audit) hash their
/// 100,000 members once, not a thousand times: the walk over the roster is most of a close.
#[derive(Debug, Default, Clone)]
pub struct Digests {
    known: std::collections::HashMap<(usize, Vec<PubKey>), [u8; 32]>,
}

impl Digests {
    /// Digests kept; past it the memory starts over (a few kilobytes at most).
    const MAX: usize = 256;

    /// [`Frozen::digest`], from memory when an equal electorate was digested before.
    pub fn of(&mut self, electors: &Frozen<'_>) -> [u8; 32] {
        let Some(identity) = electors.identity() else {
            return electors.digest();
        };
        if let Some(digest) = self.known.get(&identity) {
            return *digest;
        }
        let digest = electors.digest();
        if self.known.len() >= Self::MAX {
            self.known.clear();
        }
        self.known.insert(identity, digest);
        digest
    }
}

impl Electors for Frozen<'_> {
    fn contains(&self, key: &PubKey) -> bool {
        let at = self.electorate.at;
        self.ledger.roster.was_member(key, at) && !self.ledger.policy_at(at).is_banned(key, at)
    }
    fn len(&self) -> usize {
        self.electorate.len
    }
}

/// The `seq` tag of a member event (its place in the membership log).
pub fn member_seq(event: &Event) -> u64 {
    event
        .first_tag_value("seq")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proposal::Change;
    use nips::Keys;
    use proptest::prelude::*;

    /// Signs a genesis decision the way the relay does.
    fn genesis(relay: &Keys, doc: &PolicyDoc, at: u64) -> Event {
        let d = Decision::genesis(doc);
        relay.sign(at, nips::cg::KIND_DECISION, d.tags(), doc.canonical())
    }

    #[derive(Debug, Clone)]
    enum Step {
        Pass(Action),
        Fail(Action),
        Emergency(Action),
        RevertLast,
    }

    fn arb_action() -> impl Strategy<Value = Action> {
        let key = (0u8..4).prop_map(|i| PubKey([i + 1; 32]));
        prop_oneof![
            (10u32..1000).prop_map(|n| Action::Set(vec![
                Change::parse("limitation.max_content_length", &n.to_string())
                    .unwrap()
                    .0
            ])),
            (0u32..5).prop_map(|n| Action::Set(vec![
                Change::parse("reports.threshold", &n.to_string())
                    .unwrap()
                    .0
            ])),
            (key.clone(), 0u64..100)
                .prop_map(|(target, duration)| Action::Ban { target, duration }),
            key.prop_map(Action::Unban),
            (0u8..4).prop_map(|i| Action::RemoveEvent(EventId([i; 32]))),
            (0u8..4).prop_map(|i| Action::RestoreEvent(EventId([i; 32]))),
        ]
    }

    fn arb_step() -> impl Strategy<Value = Step> {
        prop_oneof![
            arb_action().prop_map(Step::Pass),
            arb_action().prop_map(Step::Fail),
            arb_action().prop_map(Step::Emergency),
            Just(Step::RevertLast),
        ]
    }

    /// Runs `steps` as the relay would, returning the signed decisions and the final ledger.
    fn run(steps: &[Step]) -> (Vec<Event>, Ledger) {
        let relay = Keys::generate();
        let doc = PolicyDoc::from_policy(&Policy::default());
        let g = genesis(&relay, &doc, 1_000);
        let mut ledger = Ledger::genesis(doc).unwrap();
        ledger
            .commit(
                g.id,
                g.created_at,
                &Decision::parse(&g).unwrap(),
                ledger.doc.clone(),
                None,
            )
            .unwrap();
        let mut events = vec![g];
        for (i, step) in steps.iter().enumerate() {
            let at = 1_000 + 10 * (i as u64 + 1);
            let (resolution, draft) = match step {
                Step::Pass(a) => (
                    Resolution::Passed,
                    Draft {
                        action: Some(a.clone()),
                        proposal: Some(EventId([200; 32])),
                        author: Some(PubKey([9; 32])),
                        ..Draft::default()
                    },
                ),
                Step::Fail(a) => (
                    Resolution::Failed,
                    Draft {
                        action: Some(a.clone()),
                        ..Draft::default()
                    },
                ),
                Step::Emergency(a) => (
                    Resolution::Emergency,
                    Draft {
                        action: Some(a.clone()),
                        author: Some(PubKey([8; 32])),
                        reason: "now".into(),
                        ..Draft::default()
                    },
                ),
                Step::RevertLast => match ledger.pending.keys().next_back() {
                    Some(em) => (
                        Resolution::Reverted,
                        Draft {
                            reverts: Some(*em),
                            ..Draft::default()
                        },
                    ),
                    None => continue,
                },
            };
            let Ok(prepared) = ledger.prepare(resolution, draft, at) else {
                continue;
            };
            let e = relay.sign(
                at,
                nips::cg::KIND_DECISION,
                prepared.decision.tags(),
                String::new(),
            );
            ledger
                .commit(e.id, at, &prepared.decision, prepared.doc, prepared.pending)
                .unwrap();
            events.push(e);
        }
        (events, ledger)
    }

    proptest! {
        #[test]
        fn replaying_the_chain_reproduces_the_policy(steps in prop::collection::vec(arb_step(), 0..25)) {
            let (events, live) = run(&steps);
            // Replay from the events alone, in any storage order.
            let mut shuffled = events.clone();
            shuffled.reverse();
            let replayed = Ledger::replay(&shuffled, &[]).unwrap();
            prop_assert_eq!(replayed.doc.hash(), live.doc.hash());
            prop_assert_eq!(&replayed.chain, &live.chain);
            prop_assert_eq!(replayed.pending.keys().collect::<Vec<_>>(), live.pending.keys().collect::<Vec<_>>());
        }

        #[test]
        fn apply_is_deterministic(action in arb_action()) {
            let doc = PolicyDoc::from_policy(&Policy::default());
            let ctx = ApplyContext { author: &PubKey([1; 32]), reason: "r", now: 5 };
            let a = state::apply(&doc, &Roster::default(), &action, &ctx);
            let b = state::apply(&doc, &Roster::default(), &action, &ctx);
            prop_assert_eq!(a.map(|x| x.doc.hash()), b.map(|x| x.doc.hash()));
        }
    }

    #[test]
    fn a_frozen_electorate_agrees_with_the_set() {
        let keys: Vec<PubKey> = (1..=6).map(|i| PubKey([i; 32])).collect();
        let mut policy = Policy::default();
        let ban = |until| crate::policy::Ban {
            until,
            reason: String::new(),
        };
        policy.bans.insert(keys[0], ban(0));
        policy.bans.insert(keys[1], ban(35));
        policy.bans.insert(PubKey([99; 32]), ban(0));
        let mut ledger = Ledger::genesis(PolicyDoc::from_policy(&policy)).unwrap();
        for (i, k) in keys.iter().enumerate() {
            ledger.roster.add(*k, 10 * i as u64, None);
        }
        ledger.roster.remove(&keys[2], 42);
        for at in 0..70 {
            let set = ledger.electorate_at(at);
            let frozen = ledger.electorate(at);
            assert_eq!(frozen.len, set.len(), "at {at}");
            let electors = ledger.electors(frozen);
            for k in keys.iter().chain([&PubKey([99; 32])]) {
                assert_eq!(electors.contains(k), set.contains(k), "{k:?} at {at}");
            }
            assert_eq!(electors.keys(), set);
            assert_eq!(
                electors.digest(),
                crate::roster::digest_keys(&set),
                "the streamed digest at {at}"
            );
        }
    }

    #[test]
    fn remembered_digests_follow_the_roster() {
        let keys: Vec<PubKey> = (0..8).map(|i| PubKey([i; 32])).collect();
        let mut ledger = Ledger::genesis(PolicyDoc::from_policy(&Policy::default())).unwrap();
        let mut digests = Digests::default();
        let fresh = |ledger: &Ledger, at| crate::roster::digest_keys(&ledger.electorate_at(at));
        for (i, k) in keys.iter().enumerate() {
            let at = 10 + 5 * (i as u64 / 2);
            ledger.roster.add(*k, at, None);
            // Asked at every moment so far, before and after a change in the same second.
            for t in 0..=at + 1 {
                let frozen = ledger.electors(ledger.electorate(t));
                assert_eq!(digests.of(&frozen), fresh(&ledger, t), "at {t} after {i}");
            }
        }
        ledger.roster.remove(&keys[3], 30);
        let frozen = ledger.electors(ledger.electorate(30));
        assert_eq!(digests.of(&frozen), fresh(&ledger, 30), "after a leave");
        let mut policy = ledger.policy.clone();
        policy.bans.insert(
            keys[0],
            crate::policy::Ban {
                until: 0,
                reason: String::new(),
            },
        );
        ledger.versions.push((40, policy));
        let frozen = ledger.electors(ledger.electorate(41));
        assert_eq!(digests.of(&frozen), fresh(&ledger, 41), "after a ban");
        assert_ne!(digests.of(&frozen), fresh(&ledger, 39));
    }

    #[test]
    fn founders_vote_on_a_proposal_made_in_the_genesis_second() {
        let relay = Keys::generate();
        let founder = Keys::generate().pubkey();
        let doc = PolicyDoc::from_policy(&Policy::default());
        let g = genesis(&relay, &doc, 1_000);
        let added = relay.sign(
            1_000,
            nip43::KIND_MEMBER_ADDED,
            vec![
                vec!["p".into(), founder.to_hex()],
                vec!["seq".into(), "1".into()],
            ],
            String::new(),
        );
        let ledger = Ledger::replay(&[g], &[added]).unwrap();
        assert_eq!(ledger.electorate_at(1_000), [founder].into());
        assert!(ledger.electorate_at(999).is_empty());
    }

    #[test]
    fn tampering_is_detected() {
        let steps = vec![Step::Pass(Action::Set(vec![
            Change::parse("limitation.max_content_length", "280")
                .unwrap()
                .0,
        ]))];
        let (mut events, _) = run(&steps);
        // Forge the second decision's recorded policy: replay must refuse it.
        let forged_tags: Vec<nips::Tag> = events[1]
            .tags
            .iter()
            .map(|t| {
                if t[0] == "policy" {
                    vec!["policy".into(), "00".repeat(32)]
                } else {
                    t.clone()
                }
            })
            .collect();
        let relay = Keys::generate();
        events[1] = relay.sign(
            events[1].created_at,
            nips::cg::KIND_DECISION,
            forged_tags,
            String::new(),
        );
        assert!(matches!(
            Ledger::replay(&events, &[]),
            Err(ReplayError::PolicyMismatch(..))
        ));
        // A decision not linked to the chain.
        let (mut events, _) = run(&steps);
        events.push(relay.sign(
            5,
            nips::cg::KIND_DECISION,
            vec![
                vec!["result".into(), "failed".into()],
                vec!["prev".into(), "11".repeat(32)],
                vec!["v".into(), "0".into()],
                vec!["policy".into(), "00".repeat(32)],
            ],
            String::new(),
        ));
        assert!(matches!(
            Ledger::replay(&events, &[]),
            Err(ReplayError::Unlinked(_))
        ));
    }

    /// After an amendment of a proposal passes, only votes cast after it count, and the
    /// proposal stays open `revote` seconds for them; a document without `revote` (an older
    /// record) keeps the old rule, so it replays as decided.
    #[test]
    fn a_passed_amendment_opens_a_new_vote() {
        const DAY: u64 = 86_400;
        let change = |n: &str| {
            Action::Set(vec![
                Change::parse("limitation.max_content_length", n).unwrap().0,
            ])
        };
        let p = crate::proposal::Proposal {
            id: EventId([7; 32]),
            author: PubKey([1; 32]),
            created_at: 100,
            ends_at: 100 + 3 * DAY,
            class: crate::class::Class::Ordinary,
            action: change("280"),
            block: false,
            title: String::new(),
            amends: None,
        };
        let mut ledger = Ledger::genesis(PolicyDoc::from_policy(&Policy::default())).unwrap();
        let rules = ledger.rules_with(&p, 3);
        let before = ledger.window(&p, &rules, u64::MAX);
        assert_eq!((before.opens, before.ends), (100 + DAY, p.ends_at));
        let at = p.ends_at - 60;
        let amendment = Decision {
            resolution: Resolution::Passed,
            prev: None,
            proposal: Some(EventId([8; 32])),
            action: Some(change("500")),
            reverts: None,
            amends: Some(p.id),
            tally: None,
            author: None,
            reason: String::new(),
            version: ledger.doc.version(),
            policy: ledger.doc.hash(),
            emergency: None,
            code: None,
        };
        let doc = ledger.doc.clone();
        ledger
            .commit(EventId([9; 32]), at, &amendment, doc, None)
            .unwrap();
        let after = ledger.window(&p, &rules, u64::MAX);
        assert_eq!(
            after.opens, at,
            "votes before the amendment no longer count"
        );
        assert_eq!(after.ends, at + DAY, "a day to vote again");
        assert_eq!(ledger.ends_at(&p, &rules), at + DAY);
        assert_eq!(ledger.action_of(&p), &change("500"));
        let mut legacy = rules.clone();
        legacy.rule.revote = None;
        let old = ledger.window(&p, &legacy, u64::MAX);
        assert_eq!((old.opens, old.ends), (before.opens, before.ends));
    }
}
