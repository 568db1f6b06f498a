//! Decisions recorded together. When many proposals close at once (a thousand ending in the
//! same second), each decision is applied to the state in memory as before, but their events
//! are committed in one transaction at the end instead of one commit per decision under the
//! governance lock. Until that commit nothing is published: sessions keep the previous
//! snapshot. If the commit fails, the state is reloaded from the store, which says what was
//! decided (nothing, or everything: it was one transaction); the proposals that were not are
//! open again, to be closed on the next pass. Only decisions whose effects are events alone
//! wait; one that also moves stored events or blocked addresses first commits what waits, and
//! is recorded on its own.

use nips::Event;

use super::{Community, CommunityError, State};
use crate::community::hands::Hands;

/// Decisions applied in memory whose events are not committed yet.
#[derive(Default)]
pub(crate) struct Deferred {
    events: Vec<Event>,
    decisions: usize,
    roster_changed: bool,
    /// Sent once the decisions are committed.
    notices: Vec<crate::community::notice::Notice>,
}

impl Deferred {
    /// Adds a decision's events, and whether it changed the membership.
    pub(super) fn add(
        &mut self,
        events: Vec<Event>,
        roster_changed: bool,
        notice: Option<crate::community::notice::Notice>,
    ) {
        self.events.extend(events);
        self.decisions += 1;
        self.roster_changed |= roster_changed;
        self.notices.extend(notice);
    }
}

impl Community {
    /// Commits the deferred decisions' events in one transaction and publishes the state they
    /// made; if the commit fails, the state is reloaded from the store (see
    /// [`Community::commit`]).
    pub(super) async fn flush(
        &self,
        hands: &Hands,
        state: &mut State,
    ) -> Result<(), CommunityError> {
        let Some(d) = state.deferred.take() else {
            return Ok(());
        };
        if d.events.is_empty() {
            return Ok(());
        }
        self.commit(hands, state, d.events, Vec::new()).await?;
        self.publish_snapshot_with(state, d.roster_changed);
        d.notices.into_iter().for_each(|n| hands.notices.send(n));
        tracing::info!(decisions = d.decisions, "decisions committed together");
        Ok(())
    }
}
