//! Amendments: a proposal that names another open proposal of its class
//! (`["e", id, "", "amends"]`) and, if it passes, puts its own action in that proposal's place.
//! The rule is small so everyone can follow it: an amendment changes the values of what the
//! original changes (never what it targets), ends no later than the original, and cannot
//! itself be amended; the amended proposal does not close while an amendment of it is open,
//! and once one passes, the votes cast on it before count no longer (members vote again, for
//! at least the class's `revote` seconds).

use governance::Proposal;
use nips::{EventId, Reason};

use super::{Community, CommunityError, State};
use crate::community::hands::Hands;

/// Checks an incoming `proposal` that amends another against the open proposals.
pub(super) fn check(state: &State, proposal: &Proposal) -> Result<(), Reason> {
    let Some(original) = proposal.amends else {
        return Ok(());
    };
    let invalid = |m: String| Err(Reason::invalid(m));
    let Some(open) = state.open.get(&original) else {
        return invalid("an amendment names an open proposal; that one is not open".into());
    };
    let target = &open.proposal;
    if target.amends.is_some() {
        return invalid(
            "an amendment cannot itself be amended; amend the original proposal".into(),
        );
    }
    if !target.action.amendable() || target.action.name() != proposal.action.name() {
        return invalid(format!(
            "an amendment proposes the same kind of action as the proposal it amends (`{}`)",
            target.action.name()
        ));
    }
    // What the original changes is what its voters voted on: the same settings, the same
    // person. An amendment changes only how (the values, a ban's length).
    let now_proposed = state.ledger.action_of(target);
    if !now_proposed.same_target(&proposal.action) {
        return invalid(format!(
            "an amendment changes only the values of what the proposal it amends changes ({}); \
             to change something else, make a proposal of your own",
            now_proposed.target_text()
        ));
    }
    if target.class != proposal.class {
        return invalid(format!(
            "an amendment belongs to the class of the proposal it amends ({})",
            target.class
        ));
    }
    let ends = open.ends_at(&state.ledger);
    if proposal.ends_at > ends {
        return invalid(format!(
            "an amendment must end no later than the proposal it amends (endsAt {ends})"
        ));
    }
    Ok(())
}

impl Community {
    /// Closes proposal `id` at `at`. When it was an amendment, the proposal it amends no
    /// longer waits for it: if that one is settled and waits for no other amendment, it closes
    /// too, as it would have when its last vote came in.
    pub(super) async fn close_and_settle(
        &self,
        hands: &Hands,
        state: &mut State,
        id: &EventId,
        at: u64,
    ) -> Result<(), CommunityError> {
        let original = state.open.get(id).and_then(|o| o.proposal.amends);
        self.close(hands, state, id, at).await?;
        let Some(original) = original else {
            return Ok(());
        };
        let settled = !state.amendment_open(&original)
            && state
                .open
                .get(&original)
                .is_some_and(|o| o.settled(at, &state.ledger));
        if !settled {
            return Ok(());
        }
        // Its grace runs from its last vote: it may be over already.
        if let Some(open) = state.open.get_mut(&original)
            && open.has_grace()
            && open.rules.closes_after(open.last_vote()) > at
        {
            open.settled_at = Some(open.last_vote());
            return Ok(());
        }
        self.close(hands, state, &original, at).await
    }
}
