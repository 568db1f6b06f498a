//! Auditing a relay from its public record: replays the decision chain and, for every decision,
//! re-counts the votes, re-derives the outcome, and checks emergency actions against the
//! operators' own signed requests. `communitarium verify` runs this on what it fetched as an
//! ordinary client; any divergence means the relay's policy is not what its members decided.

use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

use nips::{Event, EventId, PubKey, nip43, nip98};
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::decision::{Decision, Resolution};
use crate::delegation::Delegations;
use crate::emergency::{self, Emergency};
use crate::ledger::{Digests, Frozen, Ledger, ReplayError};
use crate::policy::PolicyDoc;
use crate::proposal::Proposal;
use crate::roster::digest_keys;
use crate::tally;
use crate::tally::Electors;
use crate::vote::Vote;

/// The public record, as fetched from the relay.
#[derive(Debug, Clone, Default)]
pub struct Record {
    /// The relay's key (NIP-11 `self`).
    pub relay: Option<PubKey>,
    /// The relay's URL: only requests to vanish that name it (or all relays) count.
    pub relay_url: String,
    /// Kind 8002.
    pub decisions: Vec<Event>,
    /// Kinds 8000/8001.
    pub members: Vec<Event>,
    /// The proposals decisions name (kind 1068).
    pub proposals: Vec<Event>,
    /// Votes on those proposals (kind 1018).
    pub votes: Vec<Event>,
    /// Members' vote delegations (kind 33536), as they stand now.
    pub delegations: Vec<Event>,
    /// Requests to vanish (kind 62): their authors' votes and proposals may be gone.
    pub vanished: Vec<Event>,
    /// The current policy document (kind 33535).
    pub policy: Option<Event>,
    /// The current membership list (kind 13534).
    pub list: Option<Event>,
}

/// What an audit found, when nothing diverged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub decisions: usize,
    /// Tallies re-counted from the votes.
    pub tallies: usize,
    /// Emergency actions checked against the operator's request.
    pub emergencies: usize,
    pub version: u64,
    pub members: usize,
    /// Things that could not be checked, and why.
    pub notes: Vec<String>,
}

/// The first thing that does not add up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Divergence {
    #[error("the relay does not name its key (NIP-11 `self`)")]
    NoRelayKey,
    #[error("event {0} has a bad id or signature")]
    Signature(EventId),
    #[error("event {0} should be signed by the relay but is signed by {1}")]
    NotRelay(EventId, PubKey),
    #[error(transparent)]
    Replay(#[from] ReplayError),
    #[error("the published policy document does not match the decision log: {0}")]
    PolicyDocument(String),
    #[error("the published membership list does not match the member events")]
    MemberList,
}

#[derive(Deserialize)]
struct Call {
    method: String,
    #[serde(default)]
    params: Vec<Value>,
}

/// Audits `record`.
pub fn audit(record: &Record) -> Result<Report, Divergence> {
    let relay = record.relay.ok_or(Divergence::NoRelayKey)?;
    let all = record
        .decisions
        .iter()
        .chain(&record.members)
        .chain(&record.proposals)
        .chain(&record.votes)
        .chain(&record.delegations)
        .chain(&record.policy)
        .chain(&record.list);
    // A large community's record is a million signatures: checked on every core, the first
    // bad one (in record order) reported.
    let all: Vec<&Event> = all.collect();
    if let Some(bad) = all.par_iter().find_first(|e| e.verify().is_err()) {
        return Err(Divergence::Signature(bad.id));
    }
    let relay_events = record
        .decisions
        .iter()
        .chain(&record.members)
        .chain(&record.policy)
        .chain(&record.list);
    for e in relay_events {
        if e.pubkey != relay {
            return Err(Divergence::NotRelay(e.id, e.pubkey));
        }
    }
    let proposals: BTreeMap<EventId, &Event> = record.proposals.iter().map(|e| (e.id, e)).collect();
    let mut votes: BTreeMap<EventId, Vec<Vote>> = BTreeMap::new();
    for v in record.votes.iter().filter_map(Vote::parse) {
        votes.entry(v.proposal).or_default().push(v);
    }
    let vanished = vanishes(record);
    let delegations = Delegations::from_events(&record.delegations);
    let mut report = Report::default();
    let mut digests = Digests::default();
    let ledger = Ledger::replay_with(
        &record.decisions,
        &record.members,
        |ledger, event, decision| {
            match decision.resolution {
                Resolution::Emergency => {
                    check_emergency(ledger, decision, &mut report)?;
                    report.emergencies += 1;
                }
                Resolution::Passed
                | Resolution::Failed
                | Resolution::NoQuorum
                | Resolution::Reverted => {
                    let context = Tallied {
                        ledger,
                        event,
                        decision,
                        proposals: &proposals,
                        votes: &votes,
                        vanished: &vanished,
                        delegations: &delegations,
                    };
                    if context.check(&mut report, &mut digests)? {
                        report.tallies += 1;
                    }
                }
                // Replay checks a co-founder's code against the listed digests.
                Resolution::Genesis | Resolution::Cofounder => {}
            }
            Ok(())
        },
    )?;
    if let Some(policy) = &record.policy {
        let doc = PolicyDoc::from_json(&policy.content)
            .map_err(|e| Divergence::PolicyDocument(e.to_string()))?;
        if doc.canonical() != ledger.doc.canonical() {
            return Err(Divergence::PolicyDocument(format!(
                "it says version {}, the log gives version {}",
                doc.version(),
                ledger.doc.version()
            )));
        }
    } else {
        report
            .notes
            .push("the relay serves no policy document (kind 33535)".into());
    }
    if let Some(list) = &record.list {
        let mut listed = nip43::listed_members(list);
        listed.sort();
        // Members banned when the list was signed are off it (NIP-CG: a ban means not a
        // member), and back on it once the ban ends.
        let at = list.created_at;
        let derived: Vec<PubKey> = ledger
            .policy_at(at)
            .listed(&ledger.roster, at)
            .map(|(k, _)| *k)
            .collect();
        if listed != derived {
            return Err(Divergence::MemberList);
        }
    }
    report.decisions = ledger.chain.len();
    report.version = ledger.doc.version();
    report.members = ledger.roster.len();
    Ok(report)
}

/// A decision on a proposal, with what is needed to re-count it.
struct Tallied<'a> {
    ledger: &'a Ledger,
    event: &'a Event,
    decision: &'a Decision,
    proposals: &'a BTreeMap<EventId, &'a Event>,
    votes: &'a BTreeMap<EventId, Vec<Vote>>,
    /// Authors who asked this relay to vanish, and when (the latest such request).
    vanished: &'a BTreeMap<PubKey, u64>,
    /// The delegations as they stand now.
    delegations: &'a Delegations,
}

impl Tallied<'_> {
    /// Re-counts and re-decides. `Ok(false)` when the proposal is gone and nothing could be
    /// re-counted.
    fn check(&self, report: &mut Report, digests: &mut Digests) -> Result<bool, String> {
        let id = self.event.id;
        let pid = self
            .decision
            .proposal
            .ok_or("a decision on a vote must name its proposal")?;
        let Some(event) = self.proposals.get(&pid) else {
            let author = self.decision.author;
            if !author.is_some_and(|a| self.vanished.contains_key(&a)) {
                return Err(format!(
                    "the proposal it decided ({pid}) is missing, and its author did not ask this relay to vanish"
                ));
            }
            report.notes.push(format!(
                "decision {id}: proposal {pid} is gone with its author, who vanished (NIP-62); not re-counted"
            ));
            return Ok(false);
        };
        let proposal =
            Proposal::parse(event)?.ok_or("the decision names a poll that is not a proposal")?;
        self.check_action(&proposal)?;
        let recorded = self
            .decision
            .tally
            .as_ref()
            .ok_or("a decision on a vote must carry its tally")?;
        // Frozen, not a set: each of a thousand decisions of a 100,000-member community would
        // otherwise build the set of its moment.
        let electorate = self
            .ledger
            .electors(self.ledger.electorate(proposal.created_at));
        if digests.of(&electorate) != recorded.electorate_digest
            || u32::try_from(electorate.len()).ok() != Some(recorded.electorate)
        {
            return Err(format!(
                "the electorate at the proposal's creation has {} members; the decision records another one of {}",
                electorate.len(),
                recorded.electorate
            ));
        }
        let no_votes = Vec::new();
        let votes = self.votes.get(&pid).unwrap_or(&no_votes);
        let at = self.event.created_at;
        let suspended = self.ledger.suspended(&electorate, at);
        let rules = self.ledger.rules_with(&proposal, electorate.len());
        let window = self.ledger.window(&proposal, &rules, at);
        let (delegations, unknown) = self.delegations_at(at, &electorate);
        if !unknown.is_empty() {
            return self.check_direct(&proposal, votes, &electorate, window, &suspended, report);
        }
        let t = tally::count_excluding(
            &proposal,
            votes,
            &electorate,
            window,
            &suspended,
            &delegations,
        );
        let counts = [t.yes, t.no, t.abstain, t.block];
        let through = (t.delegated > 0).then(|| t.delegations_digest());
        if t.delegated != recorded.delegated || through != recorded.delegations_digest {
            return Err(format!(
                "re-counting gives {} delegated votes; the decision records {}",
                t.delegated, recorded.delegated
            ));
        }
        if counts != recorded.counts || t.votes_digest() != recorded.votes_digest {
            let missing = self.explain_missing(&t, recorded, &electorate)?;
            report.notes.push(format!(
                "decision {id}: {missing} counted votes are gone with voters who vanished (NIP-62) \
                 after it; the rest re-count as recorded"
            ));
            return Ok(false);
        }
        let (expected, _) = self
            .ledger
            .resolution_for(&proposal.action, rules.outcome(&t));
        if expected != self.decision.resolution {
            return Err(format!(
                "the votes give `{expected}`; the decision records `{}`",
                self.decision.resolution
            ));
        }
        if self.event.created_at < window.ends {
            if !rules.settled(&t) {
                return Err(
                    "the proposal was closed before endsAt although not every member had voted"
                        .into(),
                );
            }
            let last = votes
                .iter()
                .map(|v| v.created_at)
                .filter(|c| *c <= at)
                .max();
            if let Some(last) = last
                && rules.closes_after(last) > at
            {
                return Err(format!(
                    "the proposal was closed early, {}s after its last vote; its class waits {}s for changed minds",
                    at - last,
                    rules.rule.grace.unwrap_or(0)
                ));
            }
        }
        Ok(true)
    }
}

impl Tallied<'_> {
    /// The decision records the proposal's action, or the action its last passed amendment
    /// put in its place; a decision on an amendment names the proposal it amends, which must
    /// still be open.
    fn check_action(&self, proposal: &Proposal) -> Result<(), String> {
        if Some(self.ledger.action_of(proposal)) != self.decision.action.as_ref() {
            return Err(
                "the decision records another action than its proposal (as amended)".into(),
            );
        }
        if proposal.amends != self.decision.amends {
            return Err("the decision and its proposal name different proposals amended".into());
        }
        if let Some(original) = proposal.amends
            && self.ledger.decided.contains(&original)
        {
            return Err(format!(
                "an amendment was decided after the proposal it amends ({original}), which had to wait for it"
            ));
        }
        Ok(())
    }

    /// The delegations in force at `at`, and the members of `electorate` whose delegation at
    /// that time the record no longer shows: they replaced it since, or vanished since.
    fn delegations_at(&self, at: u64, electorate: &Frozen<'_>) -> (Delegations, BTreeSet<PubKey>) {
        let replaced = self
            .delegations
            .iter()
            .filter(|d| d.created_at > at)
            .map(|d| d.delegator);
        // A voter who vanished took their delegations with them; that matters only to a
        // decision that counted delegated votes.
        let delegated = self
            .decision
            .tally
            .as_ref()
            .is_some_and(|t| t.delegated > 0);
        let vanished = self
            .vanished
            .iter()
            .filter(|(_, when)| delegated && **when >= at)
            .map(|(k, _)| *k);
        let unknown = replaced
            .chain(vanished)
            .filter(|k| electorate.contains(k))
            .collect();
        (self.delegations.as_of(at), unknown)
    }

    /// When some delegations in force at the close are no longer public, only the direct
    /// votes can be re-counted: they must be the recorded ones, and the rest of each count
    /// must be the recorded delegated votes.
    fn check_direct(
        &self,
        proposal: &Proposal,
        votes: &[Vote],
        electorate: &Frozen<'_>,
        window: tally::Window,
        suspended: &BTreeSet<PubKey>,
        report: &mut Report,
    ) -> Result<bool, String> {
        let recorded = self.decision.tally.as_ref().ok_or("no tally")?;
        let none = Delegations::default();
        let t = tally::count_excluding(proposal, votes, electorate, window, suspended, &none);
        let direct = [t.yes, t.no, t.abstain, t.block];
        let fits = direct.iter().zip(recorded.counts).all(|(d, r)| *d <= r)
            && recorded.counts.iter().sum::<u32>() - direct.iter().sum::<u32>()
                == recorded.delegated;
        if !fits || t.votes_digest() != recorded.votes_digest {
            return Err(format!(
                "re-counting the direct votes gives yes {}, no {}, abstain {}, block {}; the decision records {:?} with {} delegated",
                t.yes, t.no, t.abstain, t.block, recorded.counts, recorded.delegated
            ));
        }
        report.notes.push(format!(
            "decision {}: some delegations in force at its close were replaced or vanished since; \
             its direct votes re-count as recorded, its {} delegated votes were not re-derived",
            self.event.id, recorded.delegated
        ));
        Ok(false)
    }

    /// A re-count `t` that falls short of `recorded` is explained only by voters of the
    /// electorate who asked this relay to vanish after the decision (taking their votes with
    /// them): every count may only fall, and some set of such voters, as many as the missing
    /// votes, must complete the present voters to the recorded voters' digest. Returns how
    /// many votes are missing.
    fn explain_missing(
        &self,
        t: &tally::Tally,
        recorded: &crate::decision::TallyRecord,
        electorate: &Frozen<'_>,
    ) -> Result<usize, String> {
        let unexplained = || {
            format!(
                "re-counting the votes gives yes {}, no {}, abstain {}, block {}; the decision records {:?}, \
                 and no vanished voters explain the difference",
                t.yes, t.no, t.abstain, t.block, recorded.counts
            )
        };
        let now = [t.yes, t.no, t.abstain, t.block];
        if now.iter().zip(recorded.counts).any(|(n, r)| *n > r) {
            return Err(unexplained());
        }
        let missing = (recorded.counts.iter().sum::<u32>() - now.iter().sum::<u32>()) as usize;
        let voters = recorded.voters_digest.ok_or_else(unexplained)?;
        let decided_at = self.event.created_at;
        let gone: Vec<PubKey> = self
            .vanished
            .iter()
            .filter(|(k, at)| **at >= decided_at && electorate.contains(k))
            .filter(|(k, _)| !t.voters.contains(k))
            .map(|(k, _)| *k)
            .collect();
        let found = subsets(&gone, missing, MAX_SUBSETS, &mut |chosen| {
            digest_keys(t.voters.iter().chain(chosen.iter().copied())) == voters
        });
        match found {
            true => Ok(missing),
            false => Err(unexplained()),
        }
    }
}

/// How many sets of vanished voters an audit tries before giving up on explaining a re-count.
const MAX_SUBSETS: usize = 1_000_000;

/// Calls `hit` with subsets of `keys` of size `k`, until one returns true or `budget` subsets
/// were tried; true when one did.
fn subsets(
    keys: &[PubKey],
    k: usize,
    budget: usize,
    hit: &mut dyn FnMut(&[&PubKey]) -> bool,
) -> bool {
    fn walk<'a>(
        keys: &'a [PubKey],
        k: usize,
        from: usize,
        chosen: &mut Vec<&'a PubKey>,
        left: &mut usize,
        hit: &mut dyn FnMut(&[&PubKey]) -> bool,
    ) -> bool {
        if chosen.len() == k {
            *left = left.saturating_sub(1);
            return hit(chosen);
        }
        for i in from..keys.len() {
            if *left == 0 || keys.len() - i < k - chosen.len() {
                return false;
            }
            chosen.push(&keys[i]);
            if walk(keys, k, i + 1, chosen, left, hit) {
                return true;
            }
            chosen.pop();
        }
        false
    }
    let mut left = budget;
    walk(keys, k, 0, &mut Vec::with_capacity(k), &mut left, hit)
}

/// The authors who asked this relay to vanish (a valid kind 62 naming its URL or all relays),
/// with the time of their latest request. Requests naming other relays excuse nothing.
fn vanishes(record: &Record) -> BTreeMap<PubKey, u64> {
    let mut out: BTreeMap<PubKey, u64> = BTreeMap::new();
    for e in &record.vanished {
        let valid = e.kind == nips::nip62::KIND_VANISH
            && e.verify().is_ok()
            && nips::nip62::targets_relay(e, &record.relay_url);
        if valid {
            let at = out.entry(e.pubkey).or_default();
            *at = (*at).max(e.created_at);
        }
    }
    out
}

/// An emergency decision must carry the operator's signed NIP-98 request for exactly what it
/// did, from a key that was an operator with that power.
fn check_emergency(
    ledger: &Ledger,
    decision: &Decision,
    report: &mut Report,
) -> Result<(), String> {
    let em = decision
        .emergency
        .as_ref()
        .ok_or("an emergency decision must name its operator")?;
    let policy = &ledger.policy;
    if !policy.operators.keys.contains(&em.operator) {
        return Err(format!("{} was not an operator", em.operator));
    }
    if !policy.operators.methods.contains(&em.method) {
        return Err(format!("operators did not have the `{}` power", em.method));
    }
    match (&em.request, &em.auth) {
        (Some(request), Some(auth)) => {
            let auth = Event::from_json(auth)
                .map_err(|e| format!("the operator's authorization is not an event: {e}"))?;
            auth.verify()
                .map_err(|_| "the operator's authorization is not validly signed")?;
            if auth.kind != nip98::KIND_HTTP_AUTH || auth.pubkey != em.operator {
                return Err("the authorization is not the operator's NIP-98 event".into());
            }
            let payload = hex_sha256(request.as_bytes());
            if auth.first_tag_value("payload") != Some(payload.as_str()) {
                return Err(
                    "the operator's authorization does not cover the recorded request".into(),
                );
            }
            let call: Call = serde_json::from_str(request)
                .map_err(|_| "the recorded request is not JSON-RPC")?;
            if call.method != em.method {
                return Err("the recorded request calls another method".into());
            }
            match emergency::from_call(&call.method, &call.params, policy)? {
                Emergency::Act { action, .. } if Some(&action) == decision.action.as_ref() => {
                    Ok(())
                }
                Emergency::Act { .. } => {
                    Err("the decision does not do what the operator asked".into())
                }
                _ => Err("an IP action must not carry its request".into()),
            }
        }
        (None, None) if em.ip_digest.is_some() => {
            report.notes.push(format!(
                "an `{}` emergency keeps its IP private; the operator's request is not published",
                em.method
            ));
            Ok(())
        }
        _ => Err("an emergency decision must carry the operator's signed request".into()),
    }
}

fn hex_sha256(bytes: &[u8]) -> String {
    nips::hex::encode(&Sha256::digest(bytes))
}
