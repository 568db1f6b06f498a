//! What a decision does besides its own events, as store effects committed in the decision's
//! transaction ([`Effect`]), and the in-memory state that follows the blocked addresses.

use std::net::IpAddr;

use governance::decision::Resolution;
use governance::{Action, Decision};
use sha2::{Digest, Sha256};

use super::{Community, CommunityError, State};
use crate::community::hands::Hands;
use crate::store::Effect;

/// The digest a decision publishes for an address (never the address itself).
pub(super) fn ip_digest(ip: &str) -> String {
    hex::encode(Sha256::digest(ip.as_bytes()))
}

impl Community {
    /// The store effects of `decision` on events: an emergency removal quarantines (its
    /// ratification decides), any other removal deletes; a restoration releases; a passed
    /// ratification forgets what its emergency quarantined.
    pub(super) fn event_effects(
        &self,
        state: &State,
        decision: &Decision,
        resolution: Resolution,
        effects: &governance::state::Effects,
        at: u64,
    ) -> Vec<Effect> {
        let at = i64::try_from(at).unwrap_or(i64::MAX);
        let mut out: Vec<Effect> = effects
            .remove_events
            .iter()
            .map(|id| match resolution {
                Resolution::Emergency => Effect::Quarantine { id: *id, at },
                _ => Effect::Remove(*id),
            })
            .collect();
        out.extend(effects.restore_events.iter().map(|id| Effect::Release(*id)));
        if let (Some(Action::Ratify(em)), Resolution::Passed) = (&decision.action, resolution)
            && let Some(pending) = state.ledger.pending.get(em)
        {
            out.extend(
                pending
                    .effects
                    .remove_events
                    .iter()
                    .map(|id| Effect::Purge(*id)),
            );
        }
        out
    }

    /// The effect that undoes an unratified IP action (lifts a block, or restores a lifted
    /// one), found by its digest among the addresses ever blocked.
    pub(super) async fn ip_revert(
        &self,
        hands: &Hands,
        was_block: bool,
        digest: &str,
    ) -> Result<Option<Effect>, CommunityError> {
        let known = hands.store.known_ips().await?;
        let Some(ip) = known.into_iter().find(|ip| ip_digest(ip) == digest) else {
            return Ok(None);
        };
        let at = i64::try_from(crate::dates::unix_now()).unwrap_or(i64::MAX);
        Ok(Some(match was_block {
            true => Effect::UnblockIp { ip, at },
            false => Effect::BlockIp {
                ip,
                reason: "restored: unblock not ratified".into(),
                at,
            },
        }))
    }

    /// After `effect` is committed: the blocked addresses in memory follow it, and a newly
    /// blocked address is disconnected.
    pub(super) fn blocks_changed(&self, hands: &Hands, effect: &Effect) {
        match effect {
            Effect::BlockIp { ip, .. } => {
                if let Ok(addr) = ip.parse::<IpAddr>() {
                    self.blocked_ips.write().insert(addr);
                    hands.disconnect_ip(&addr);
                }
            }
            Effect::UnblockIp { ip, .. } => {
                if let Ok(addr) = ip.parse::<IpAddr>() {
                    self.blocked_ips.write().remove(&addr);
                }
            }
            _ => {}
        }
    }
}
