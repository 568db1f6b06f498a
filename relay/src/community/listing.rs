//! The membership list tells the truth about bans: a member banned now is off the list (a
//! ban means not a member, in every client), and back on it when the ban ends. The ledger's
//! membership does not change; the list and the marked member events say who may take part
//! now. Checked every second on the leader, and cheaply: only the bans are read each time
//! (never the whole roster), and the store only when the members or the bans in force
//! changed since the last check.

use std::collections::BTreeSet;
use std::sync::Arc;

use nips::{Event, PubKey, nip43};
use serde_json::json;

use super::hands::Hands;
use super::record::all;
use super::{Community, CommunityError, Snapshot, events};

/// What the last check saw: the snapshot (members and policy) and who was banned then.
pub(super) type Checked = (Arc<Snapshot>, BTreeSet<PubKey>);

impl Community {
    /// Publishes the list again when a ban began or ended since it was signed, with a marked
    /// 8001 for each member it leaves off and a marked 8000 for each it names again.
    pub async fn relist_due(&self, hands: &Hands, now: u64) {
        let snapshot = self.snapshot();
        let banned = snapshot.policy.banned_members(&snapshot.roster, now);
        if let Some((seen, was)) = self.listed.lock().as_ref()
            && Arc::ptr_eq(seen, &snapshot)
            && *was == banned
        {
            return;
        }
        match self.relist(hands, now).await {
            Ok(true) => *self.listed.lock() = Some((snapshot, banned)),
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "could not publish the membership list"),
        }
    }

    /// Compares the list in the store with who should be on it, under the governance lock,
    /// and publishes the difference. False when there is no list yet (not founded).
    async fn relist(&self, hands: &Hands, now: u64) -> Result<bool, CommunityError> {
        let mut state = self.lock(hands).await?;
        let filter = json!({
            "authors": [self.keys.pubkey().to_hex()],
            "kinds": [nip43::KIND_MEMBERSHIP_LIST],
            "limit": 1,
        });
        let latest: Option<Event> = all(&*hands.store, filter, now).await?.into_iter().next();
        let Some(latest) = latest else {
            return Ok(false);
        };
        let listed: BTreeSet<PubKey> = nip43::listed_members(&latest).into_iter().collect();
        let (roster, policy) = (&state.ledger.roster, &state.ledger.policy);
        let wanted: BTreeSet<PubKey> = policy.listed(roster, now).map(|(k, _)| *k).collect();
        if listed == wanted {
            return Ok(true);
        }
        let off: Vec<PubKey> = listed
            .difference(&wanted)
            .filter(|k| roster.contains(k))
            .copied()
            .collect();
        let at = state.tick(now.max(latest.created_at));
        let mut out: Vec<Event> = off
            .iter()
            .map(|k| events::suspension_event(&self.keys, false, k, at))
            .collect();
        for k in wanted.difference(&listed) {
            out.push(events::suspension_event(&self.keys, true, k, at));
        }
        out.push(events::membership_list(
            &self.keys,
            &state.ledger.roster,
            &state.ledger.policy,
            at,
        ));
        self.publish(hands, &mut state, out).await?;
        Ok(true)
    }
}
