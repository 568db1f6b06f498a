//! The relay's notices to its members: when a proposal opens, a day before it closes and when
//! it is decided, an announcement (a kind-1 note signed with the relay's key, linking the
//! proposal's page and tagging the proposal and decision), and a NIP-17 direct message to
//! each member who asked for one (see [`direct`]). Governance only hands a notice over; the
//! notices are written and sent by a task of their own, so they never delay a vote or a
//! decision, and a notice that cannot be sent is dropped with a log line, never retried
//! into a pile.

pub mod direct;
mod inbox;

use std::sync::Arc;

use nips::{Event, EventId, Keys};
use tokio_util::sync::CancellationToken;

use crate::community::hands::Hands;
use crate::community::{Community, Snapshot};
use crate::dates::unix_now;
use crate::store::{Record, Saved, WriteOp};

pub use crate::community::notice::{Notice, Notices, Pending};

/// What sending notices needs: the community (its key, its policy in words) and governance's
/// handles (the store, the writer, the fan-out, the tasks).
pub struct Sender {
    pub community: Arc<Community>,
    pub hands: Arc<Hands>,
}

impl Sender {
    fn snapshot(&self) -> Arc<Snapshot> {
        self.community.snapshot()
    }
}

/// Sends what governance hands over, until `stop`.
pub async fn run(relay: Arc<Sender>, mut pending: Pending, stop: CancellationToken) {
    let outbox = inbox::Outbox::new(&relay);
    loop {
        let notice = tokio::select! {
            () = stop.cancelled() => return,
            n = pending.recv() => n,
        };
        let Some(notice) = notice else { return };
        let snapshot = relay.snapshot();
        let notify = &snapshot.policy.notify;
        let text = notify.text(
            notice.moment,
            &snapshot.policy.info.name,
            &notice.title,
            &link(&relay.hands.public_url, &notice.proposal),
            notice.decision.as_ref().map_or("", |(_, o)| o.as_str()),
        );
        if notify.announce {
            announce(&relay, &notice, &text).await;
        }
        direct::send(&relay, &outbox, &text).await;
    }
}

/// The proposal's page, as people open it.
pub fn link(public_url: &str, proposal: &EventId) -> String {
    let page = public_url
        .replacen("wss://", "https://", 1)
        .replacen("ws://", "http://", 1);
    format!(
        "{}/proposals/{}",
        page.trim_end_matches('/'),
        proposal.to_hex()
    )
}

/// The announcement of `notice`: a note from the relay's key, tagging the proposal (and the
/// decision) and the moment (`t`), stored and delivered like any note.
pub fn announcement(keys: &Keys, notice: &Notice, text: &str, at: u64) -> Event {
    let mut tags = vec![
        vec![
            "e".to_string(),
            notice.proposal.to_hex(),
            String::new(),
            "mention".into(),
        ],
        vec!["t".to_string(), notice.moment.as_str().into()],
    ];
    if let Some((decision, _)) = &notice.decision {
        tags.push(vec![
            "e".into(),
            decision.to_hex(),
            String::new(),
            "mention".into(),
        ]);
    }
    keys.sign(at, 1, tags, text.to_string())
}

async fn announce(relay: &Sender, notice: &Notice, text: &str) {
    let event = relay
        .community
        .sign_with(|keys| announcement(keys, notice, text, unix_now()));
    let record = Arc::new(Record::new(event));
    match relay
        .hands
        .writer
        .write(WriteOp::Save(record.clone()))
        .await
    {
        Ok(Saved::Stored) => relay.hands.fanout.send(&record, Default::default()).await,
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "could not store an announcement"),
    }
}
