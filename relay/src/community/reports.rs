//! NIP-56 reports. A report never acts alone: once enough distinct members report the same
//! event or pubkey, the relay opens a moderation proposal citing their reports.

use std::collections::BTreeSet;

use governance::Action;
use nips::{Event, EventId, PubKey, nip19, nip56};
use serde_json::json;

use super::record::{all, parse_proposals};
use super::{Community, State};
use crate::community::hands::Hands;
use crate::dates::unix_now;

/// Records, from the relay's own proposals, when reports last opened one for each target.
pub(super) fn remember(relay_proposals: &[Event], state: &mut State) {
    for (event, proposal) in parse_proposals(relay_proposals) {
        let cites_reports = event.tags.iter().any(|t| {
            t.first().is_some_and(|n| n == "e") && t.get(3).is_some_and(|m| m == "report")
        });
        if !cites_reports {
            continue;
        }
        let target = match proposal.action {
            Action::RemoveEvent(id) => nip56::Target::Event(id, PubKey([0; 32])),
            Action::Ban { target, .. } => nip56::Target::Pubkey(target),
            _ => continue,
        };
        let at = state.reported.entry(normalize(target)).or_default();
        *at = (*at).max(event.created_at);
    }
}

/// Reports about an event are counted by event, whoever they name as its author.
fn normalize(target: nip56::Target) -> nip56::Target {
    match target {
        nip56::Target::Event(id, _) => nip56::Target::Event(id, PubKey([0; 32])),
        other => other,
    }
}

impl Community {
    /// Counts a stored report; opens a proposal when enough members agree.
    pub async fn report(&self, hands: &Hands, report: &Event) {
        let Some(target) = nip56::target(report) else {
            return;
        };
        let mut state = match self.lock(hands).await {
            Ok(state) => state,
            Err(e) => {
                tracing::warn!(error = %e, "could not take the community's state to count a report");
                return;
            }
        };
        let now = unix_now();
        let ledger = &state.ledger;
        if !ledger
            .policy
            .in_good_standing(&ledger.roster, &report.pubkey, now)
        {
            return;
        }
        let key = normalize(target);
        let since = state.reported.get(&key).map_or(0, |t| t + 1);
        let filter = match target {
            nip56::Target::Event(id, _) => {
                json!({"kinds": [nip56::KIND_REPORT], "#e": [id.to_hex()], "since": since})
            }
            nip56::Target::Pubkey(pk) => {
                json!({"kinds": [nip56::KIND_REPORT], "#p": [pk.to_hex()], "since": since})
            }
        };
        let reports = match all(&*hands.store, filter, now).await {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(error = %e, "could not count reports");
                return;
            }
        };
        let mut reporters = BTreeSet::new();
        let mut cited: Vec<EventId> = Vec::new();
        for r in &reports {
            let same_target = nip56::target(r).map(normalize) == Some(key);
            let stands = state
                .ledger
                .policy
                .in_good_standing(&state.ledger.roster, &r.pubkey, now);
            if same_target && stands && reporters.insert(r.pubkey) {
                cited.push(r.id);
            }
        }
        let policy = &state.ledger.policy;
        let threshold = policy.reports.threshold as usize;
        if threshold == 0 || reporters.len() < threshold {
            return;
        }
        let (action, title) = match target {
            nip56::Target::Event(id, _) => (
                Action::RemoveEvent(id),
                format!("{} members reported an event. Remove it?", reporters.len()),
            ),
            nip56::Target::Pubkey(pk) => (
                Action::Ban {
                    target: pk,
                    duration: policy.reports.ban_duration,
                },
                format!(
                    "{} members reported {}. Ban them for {} days?",
                    reporters.len(),
                    nip19::encode_npub(&pk),
                    policy.reports.ban_duration / 86_400
                ),
            ),
        };
        cited.sort();
        match self
            .open_relay_proposal(hands, &mut state, action, &cited, title, now)
            .await
        {
            Ok(_) => {
                state.reported.insert(key, now);
            }
            Err(e) => tracing::warn!(error = %e, "could not open a proposal from reports"),
        }
    }
}
