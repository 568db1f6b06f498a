//! Vote delegations (kind 33536): members lend their vote per class or for all classes, and
//! take it back by publishing the same `d` with no delegate. The relay keeps the latest of
//! each in memory for closes; the store keeps them as any addressable event.
//!
//! A delegation must be dated after the community's last change. Then the delegations a
//! decision counted are exactly those dated at or before it, and anyone re-deriving the
//! decision from the public events sees the same ones (unless they were replaced since).

use std::sync::Arc;

use governance::delegation::{Delegation, Delegations};
use nips::{Reason, cg};
use serde_json::json;

use super::record::all;
use super::{Community, CommunityError, State, busy};
use crate::community::hands::Hands;
use crate::dates::unix_now;
use crate::store::{Record, Store};

/// The refusal of a deletion request aimed at a delegation: decisions counted it, so it stays
/// in the record until replaced.
pub(super) fn undeletable() -> Reason {
    Reason::blocked(
        "delegations are part of the public record; to take your vote back, publish the same \
         `d` without a delegate",
    )
}

/// Loads every delegation in the store.
pub(super) async fn reload(
    store: &dyn Store,
    state: &mut State,
    now: u64,
) -> Result<(), CommunityError> {
    let stored = all(store, json!({"kinds": [cg::KIND_DELEGATION]}), now).await?;
    state.delegations = Delegations::from_events(&stored);
    Ok(())
}

impl Community {
    /// The delegations in force (revocations included), for the page.
    pub async fn delegations(&self) -> Vec<Delegation> {
        self.state
            .lock()
            .await
            .delegations
            .iter()
            .cloned()
            .collect()
    }

    /// A delegation (or its revocation) from a client. `None` for other kinds.
    pub async fn delegate(
        &self,
        hands: &Hands,
        record: &Arc<Record>,
    ) -> Option<Result<&'static str, Reason>> {
        let event = &record.event;
        if event.kind != cg::KIND_DELEGATION {
            return None;
        }
        let delegation = match Delegation::parse(event) {
            Ok(d) => d,
            Err(m) => return Some(Err(Reason::invalid(m))),
        };
        let mut state = match self.lock(hands).await {
            Ok(state) => state,
            Err(e) => return Some(Err(busy(e))),
        };
        Some(
            self.accept_delegation(hands, &mut state, record, delegation)
                .await,
        )
    }

    async fn accept_delegation(
        &self,
        hands: &Hands,
        state: &mut State,
        record: &Arc<Record>,
        delegation: Delegation,
    ) -> Result<&'static str, Reason> {
        let now = unix_now();
        let ledger = &state.ledger;
        if !ledger
            .policy
            .in_good_standing(&ledger.roster, &delegation.delegator, now)
        {
            return Err(Reason::restricted("only members delegate their vote"));
        }
        if let Some(to) = &delegation.delegate
            && !ledger.policy.in_good_standing(&ledger.roster, to, now)
        {
            return Err(Reason::invalid("votes are delegated to members"));
        }
        if delegation.created_at > now {
            return Err(Reason::invalid(
                "a delegation's created_at must not be in the future",
            ));
        }
        if delegation.created_at <= state.changed_at {
            return Err(Reason::invalid(
                "the community changed (a decision, or a member joined or left) after this \
                 delegation was dated; sign it again with the current time",
            ));
        }
        if !self.save_member_event(hands, record, "delegation").await? {
            return Ok("duplicate: already have this delegation");
        }
        state.delegations.insert(delegation);
        Ok("")
    }
}
