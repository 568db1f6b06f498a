//! Co-founder links: the founding may list one-time codes (by digest, with a deadline) that
//! make whoever joins with one a founder. The relay records it as a `cofounder` decision that
//! names the code, so anyone replaying the record sees it was listed, unused and in time.

use governance::decision::Resolution;
use governance::ledger::Draft;
use nips::PubKey;

use super::{Community, CommunityError, Ruling, State};
use crate::community::hands::Hands;

impl Community {
    /// Is `code` an unused co-founder code, in time, now?
    pub(super) fn is_cofounder_code(state: &State, code: &str, now: u64) -> bool {
        state.ledger.policy.founders.takes_invite(code, now)
    }

    /// Makes `key` a member and a founder with `code` (claimed already), in one decision.
    pub(super) async fn seat_cofounder(
        &self,
        hands: &Hands,
        state: &mut State,
        key: &PubKey,
        code: &str,
        now: u64,
    ) -> Result<(), CommunityError> {
        let at = state.change_time(now).await;
        let draft = Draft {
            author: Some(*key),
            code: Some(code.trim().to_string()),
            ..Draft::default()
        };
        let summary = format!(
            "{} joined with a co-founder link and is now one of the founders.",
            nips::nip19::encode_npub(key)
        );
        self.record(
            hands,
            state,
            Ruling {
                resolution: Resolution::Cofounder,
                draft,
                at,
                summary,
                also: Vec::new(),
            },
        )
        .await?;
        tracing::info!(member = %key, "a co-founder joined");
        Ok(())
    }
}
