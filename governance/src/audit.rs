//! Auditing a relay from its public record: replays the decision chain and, for every decision,
//! re-counts the votes, re-derives the outcome, and checks emergency actions against the
//! operators' own signed requests. `communitarium verify` runs this on what it fetched as an
//! ordinary client; any divergence means the relay's policy is not what its members decided.

use std::collections::{BTreeMap, BTreeSet};

use nips::{Event, EventId, PubKey, nip43, nip98};
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::decision::{Decision, Resolution};
use crate::emergency::{self, Emergency};
use crate::ledger::{Ledger, ReplayError};
use crate::policy::PolicyDoc;
use crate::proposal::Proposal;
use crate::roster::digest_keys;
use crate::tally;
use crate::vote::Vote;

/// The public record, as fetched from the relay.
#[derive(Debug, Clone, Default)]
pub struct Record {
    /// The relay's key (NIP-11 `self`).
    pub relay: Option<PubKey>,
    /// Kind 8002.
    pub decisions: Vec<Event>,
    /// Kinds 8000/8001.
    pub members: Vec<Event>,
    /// The proposals decisions name (kind 1068).
    pub proposals: Vec<Event>,
    /// Votes on those proposals (kind 1018).
    pub votes: Vec<Event>,
    /// Requests to vanish (kind 62): their authors' votes may be gone.
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
        .chain(&record.policy)
        .chain(&record.list);
    for e in all {
        e.verify().map_err(|_| Divergence::Signature(e.id))?;
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
    let vanished: BTreeSet<PubKey> = record.vanished.iter().map(|e| e.pubkey).collect();
    let mut report = Report::default();
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
                    };
                    if context.check(&mut report)? {
                        report.tallies += 1;
                    }
                }
                Resolution::Genesis => {}
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
        let derived: Vec<PubKey> = ledger.roster.iter().map(|(k, _)| *k).collect();
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
    vanished: &'a BTreeSet<PubKey>,
}

impl Tallied<'_> {
    /// Re-counts and re-decides. `Ok(false)` when the proposal is gone and nothing could be
    /// re-counted.
    fn check(&self, report: &mut Report) -> Result<bool, String> {
        let id = self.event.id;
        let pid = self
            .decision
            .proposal
            .ok_or("a decision on a vote must name its proposal")?;
        let Some(event) = self.proposals.get(&pid) else {
            report.notes.push(format!(
                "decision {id}: proposal {pid} is not on the relay (its author may have vanished); not re-counted"
            ));
            return Ok(false);
        };
        let proposal =
            Proposal::parse(event)?.ok_or("the decision names a poll that is not a proposal")?;
        if Some(&proposal.action) != self.decision.action.as_ref() {
            return Err("the decision records another action than its proposal".into());
        }
        let recorded = self
            .decision
            .tally
            .as_ref()
            .ok_or("a decision on a vote must carry its tally")?;
        let electorate = self.ledger.electorate_at(proposal.created_at);
        if digest_keys(&electorate) != recorded.electorate_digest
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
        let t = tally::count(&proposal, votes, &electorate, self.event.created_at);
        let counts = [t.yes, t.no, t.abstain, t.block];
        if counts != recorded.counts || t.votes_digest() != recorded.votes_digest {
            if electorate.iter().any(|k| self.vanished.contains(k)) {
                report.notes.push(format!(
                    "decision {id}: a voter has since vanished (NIP-62), so their vote is gone; not re-counted"
                ));
                return Ok(false);
            }
            return Err(format!(
                "re-counting the votes gives yes {}, no {}, abstain {}, block {}; the decision records {:?}",
                t.yes, t.no, t.abstain, t.block, recorded.counts
            ));
        }
        let rules = self.ledger.rules_for(&proposal);
        let (expected, _) = self
            .ledger
            .resolution_for(&proposal.action, rules.outcome(&t));
        if expected != self.decision.resolution {
            return Err(format!(
                "the votes give `{expected}`; the decision records `{}`",
                self.decision.resolution
            ));
        }
        if self.event.created_at < proposal.ends_at && !rules.settled(&t) {
            return Err(
                "the proposal was closed before endsAt although not every member had voted".into(),
            );
        }
        Ok(true)
    }
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
