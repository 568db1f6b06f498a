//! Read-only views of the governance state, for the community's page: the same state the
//! relay enforces, copied out under the lock and rendered without it.

use std::collections::BTreeMap;
use std::sync::Arc;

use governance::tally::{Rules, Tally};
use governance::{Proposal, Vote};
use nips::{EventId, PubKey};

use super::Community;
use crate::dates::unix_now;

/// An open proposal as it stands now.
#[derive(Debug, Clone)]
pub struct OpenView {
    pub proposal: Proposal,
    /// Size of its frozen electorate.
    pub electorate: usize,
    pub rules: Rules,
    /// When its votes start to count (after deliberation).
    pub opens: u64,
    /// What it asks for now: its own action, or its last passed amendment's.
    pub action: governance::Action,
    /// The tally if it closed now.
    pub tally: Tally,
    /// Voters needed for the quorum.
    pub quorum: u32,
    /// Each voter's latest vote.
    pub votes: Vec<Vote>,
    /// When it closes at the latest (later than `endsAt` for a new vote after an amendment).
    pub ends: u64,
    /// When an amendment of it passed, if one did and the votes before it no longer count.
    pub revote_since: Option<u64>,
    /// Everyone has voted: it closes then, unless a vote changes.
    pub closes_settled: Option<u64>,
}

/// The governance state behind the page.
#[derive(Debug, Clone, Default)]
pub struct GovView {
    /// Open proposals, closing soonest first.
    pub open: Vec<OpenView>,
    /// Emergency decisions awaiting ratification.
    pub pending: Vec<EventId>,
    /// Decisions in the chain.
    pub decisions: usize,
    /// Join requests waiting.
    pub join_requests: usize,
}

impl Community {
    /// The open proposals and pending emergencies now, shared by every page view until the
    /// state changes: a flood of page views takes the governance state's lock (and tallies
    /// every open proposal) once per change, not once per view.
    pub async fn view(&self) -> Arc<GovView> {
        let mut cached = self.view.lock().await;
        let generation = self.generation.load(std::sync::atomic::Ordering::Acquire);
        if let Some((at, view)) = cached.as_ref()
            && *at == generation
        {
            return view.clone();
        }
        let view = Arc::new(self.fresh_view().await);
        *cached = Some((generation, view.clone()));
        view
    }

    /// The rule of `class` as it stood at `at`: a decision is explained by the rule it was
    /// decided under, not by one the community adopted later.
    pub async fn rule_at(&self, class: governance::Class, at: u64) -> governance::ClassRule {
        let state = self.state.lock().await;
        state.ledger.policy_at(at).classes.get(class).clone()
    }

    async fn fresh_view(&self) -> GovView {
        let state = self.state.lock().await;
        let now = unix_now();
        let mut open: Vec<OpenView> = state
            .open
            .values()
            .map(|o| {
                let tally = o.tally(now, &state.ledger, &state.delegations);
                let mut latest: BTreeMap<PubKey, &Vote> = BTreeMap::new();
                for v in &o.votes {
                    match latest.get(&v.voter) {
                        Some(prev) if !v.supersedes(prev) => {}
                        _ => {
                            latest.insert(v.voter, v);
                        }
                    }
                }
                let window = state.ledger.window(&o.proposal, &o.rules, u64::MAX);
                let revote_since =
                    (window.opens > o.rules.opens(&o.proposal)).then_some(window.opens);
                OpenView {
                    closes_settled: o.settled_at.map(|_| o.ends_at(&state.ledger)),
                    ends: window.ends,
                    revote_since,
                    opens: o.rules.opens(&o.proposal),
                    action: state.ledger.action_of(&o.proposal).clone(),
                    proposal: o.proposal.clone(),
                    electorate: o.electorate.len,
                    quorum: o.rules.rule.quorum(tally.electorate),
                    rules: o.rules.clone(),
                    tally,
                    votes: latest.into_values().cloned().collect(),
                }
            })
            .collect();
        open.sort_by_key(|o| (o.proposal.ends_at, o.proposal.id));
        GovView {
            open,
            pending: state.ledger.pending.keys().copied().collect(),
            decisions: state.ledger.chain.len(),
            join_requests: state.open_join_requests(),
        }
    }
}
