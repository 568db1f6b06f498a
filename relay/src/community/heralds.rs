//! What the community tells its members, and when: a proposal opened, a day left to vote, a
//! decision made. This only decides *that* a notice is due; [`crate::notices`] writes and
//! sends it, off governance's path.

use std::collections::HashSet;

use governance::Proposal;
use governance::decision::Resolution;
use governance::notify::Moment;
use nips::{EventId, Keys};
use serde_json::json;

use super::record::all;
use super::{Community, CommunityError, State};
use crate::community::hands::Hands;
use crate::community::notice::Notice;
use crate::store::Store;

/// A day: the reminder comes this long before a vote closes, for votes that last longer.
const DAY: u64 = 86_400;

/// A proposal's title for a notice: its first line (120 characters at most), or its action.
pub(super) fn title(p: &Proposal) -> String {
    let first = p.title.lines().next().unwrap_or_default().trim();
    match first.is_empty() {
        true => format!("a proposal to {}", p.action.name()),
        false => first.chars().take(120).collect(),
    }
}

/// A decision's outcome, in words.
pub(super) fn outcome(resolution: Resolution) -> &'static str {
    match resolution {
        Resolution::Passed => "passed",
        Resolution::Failed => "did not pass",
        Resolution::NoQuorum => "did not reach its quorum",
        Resolution::Reverted => "was not ratified, and is undone",
        Resolution::Emergency => "was done by an operator in an emergency",
        Resolution::Genesis => "founded the community",
        Resolution::Cofounder => "made a co-founder",
    }
}

/// The notice that `p` opened.
pub(super) fn opened(p: &Proposal) -> Notice {
    Notice {
        moment: Moment::Opened,
        proposal: p.id,
        title: title(p),
        decision: None,
    }
}

/// Reminders already sent for open proposals (their announcements, `t` = `closing`), so a
/// restart does not send them again.
pub(super) async fn reminded(
    store: &dyn Store,
    keys: &Keys,
    since: u64,
    now: u64,
) -> Result<HashSet<EventId>, CommunityError> {
    let filter = json!({"authors": [keys.pubkey().to_hex()], "kinds": [1], "#t": [Moment::Closing.as_str()], "since": since});
    Ok(all(store, filter, now)
        .await?
        .iter()
        .filter_map(|e| e.first_tag_value("e")?.parse().ok())
        .collect())
}

impl Community {
    /// Hands over a reminder for each open proposal whose vote closes within a day (and lasts
    /// longer than one), once.
    pub async fn remind_due(&self, hands: &Hands, now: u64) {
        let mut state = self.state.lock().await;
        let due: Vec<Notice> = due_reminders(&state, now);
        for notice in due {
            state.reminded.insert(notice.proposal);
            hands.notices.send(notice);
        }
    }
}

fn due_reminders(state: &State, now: u64) -> Vec<Notice> {
    state
        .open
        .values()
        .filter(|o| !state.reminded.contains(&o.proposal.id))
        .filter_map(|o| {
            let ends = o.ends_at(&state.ledger);
            let long = ends.saturating_sub(o.rules.opens(&o.proposal)) > DAY;
            (long && ends > now && ends - now <= DAY).then(|| Notice {
                moment: Moment::Closing,
                proposal: o.proposal.id,
                title: title(&o.proposal),
                decision: None,
            })
        })
        .collect()
}
