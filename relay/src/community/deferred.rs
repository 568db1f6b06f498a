//! Decisions recorded together. When many proposals close at once (a thousand ending in the
//! same second), each decision is applied to the state in memory as before, but their events
//! are committed in one transaction at the end instead of one commit per decision under the
//! governance lock. Until that commit nothing is published: sessions keep the previous
//! snapshot, and if the commit fails the state is put back as it was and the proposals are
//! open again, to be closed on the next pass. Only decisions whose effects are events alone
//! wait; one that also moves stored events or blocked addresses first commits what waits, and
//! is recorded on its own.

use governance::ledger::Ledger;
use nips::Event;

use super::{Community, CommunityError, Open, State};
use crate::relay::Relay;

/// Decisions applied in memory whose events are not committed yet, and what to put back if
/// they cannot be.
pub(crate) struct Deferred {
    events: Vec<Event>,
    ledger: Ledger,
    clock: u64,
    changed_at: u64,
    closed: Vec<Open>,
    roster_changed: bool,
}

impl Deferred {
    /// Starts deferring from `state` as it stands (the ledger is copied once for the batch).
    pub(super) fn start(state: &State) -> Self {
        Self {
            events: Vec::new(),
            ledger: state.ledger.clone(),
            clock: state.clock,
            changed_at: state.changed_at,
            closed: Vec::new(),
            roster_changed: false,
        }
    }

    /// Adds a decision's events, and whether it changed the membership.
    pub(super) fn add(&mut self, events: Vec<Event>, roster_changed: bool) {
        self.events.extend(events);
        self.roster_changed |= roster_changed;
    }

    /// Keeps a closed proposal, to reopen it if the decisions cannot be committed.
    pub(super) fn closed(&mut self, open: Open) {
        self.closed.push(open);
    }
}

impl Community {
    /// Commits the deferred decisions' events in one transaction and publishes the state they
    /// made; if the commit fails, puts the state back as it was before them.
    pub(super) async fn flush(
        &self,
        relay: &Relay,
        state: &mut State,
    ) -> Result<(), CommunityError> {
        let Some(d) = state.deferred.take() else {
            return Ok(());
        };
        if d.events.is_empty() {
            return Ok(());
        }
        let decisions = d.closed.len();
        match self.publish(relay, d.events).await {
            Ok(()) => {
                self.publish_snapshot_with(state, d.roster_changed);
                tracing::info!(decisions, "decisions committed together");
                Ok(())
            }
            Err(e) => {
                state.ledger = d.ledger;
                state.clock = d.clock;
                state.changed_at = d.changed_at;
                for open in d.closed {
                    state.open.insert(open.proposal.id, open);
                }
                Err(e)
            }
        }
    }
}
