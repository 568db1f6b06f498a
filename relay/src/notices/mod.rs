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

use governance::notify::Moment;
use nips::{Event, EventId, Keys};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::relay::{Relay, unix_now};
use crate::store::{Record, Saved, WriteOp};

/// Notices waiting to be sent; beyond this, new ones are dropped (and logged).
const QUEUE: usize = 1_024;

/// What a notice is about.
#[derive(Debug, Clone)]
pub struct Notice {
    pub moment: Moment,
    pub proposal: EventId,
    pub title: String,
    /// For a decision: its id, and the outcome in words.
    pub decision: Option<(EventId, String)>,
}

/// Where governance hands notices over.
pub struct Notices {
    tx: mpsc::Sender<Notice>,
}

/// The receiving end, for [`run`].
pub struct Pending(mpsc::Receiver<Notice>);

impl Notices {
    pub fn new() -> (Self, Pending) {
        let (tx, rx) = mpsc::channel(QUEUE);
        (Self { tx }, Pending(rx))
    }

    /// Hands `notice` over without waiting.
    pub fn send(&self, notice: Notice) {
        if self.tx.try_send(notice).is_err() {
            metrics::counter!("communitarium_notices_dropped_total").increment(1);
            tracing::warn!("too many notices waiting; one was dropped");
        }
    }
}

/// Sends what governance hands over, until `stop`.
pub async fn run(relay: Arc<Relay>, mut pending: Pending, stop: CancellationToken) {
    let outbox = inbox::Outbox::new(&relay);
    loop {
        let notice = tokio::select! {
            () = stop.cancelled() => return,
            n = pending.0.recv() => n,
        };
        let Some(notice) = notice else { return };
        let snapshot = relay.snapshot();
        let notify = &snapshot.policy.notify;
        let text = notify.text(
            notice.moment,
            &snapshot.policy.info.name,
            &notice.title,
            &link(&relay.public_url, &notice.proposal),
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

async fn announce(relay: &Relay, notice: &Notice, text: &str) {
    let event = relay
        .community
        .sign_with(|keys| announcement(keys, notice, text, unix_now()));
    let record = Arc::new(Record::new(event));
    match relay.writer.write(WriteOp::Save(record.clone())).await {
        Ok(Saved::Stored) => relay.fanout.send(&record, Default::default()).await,
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "could not store an announcement"),
    }
}
