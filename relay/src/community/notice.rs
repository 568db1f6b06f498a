//! What governance hands over for members to hear of (a proposal opened, closing soon,
//! decided), and the bounded channel it goes through. Governance never waits on it: the
//! sending is a task of its own (`crate::notices`).

use governance::notify::Moment;
use nips::EventId;
use tokio::sync::mpsc;

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
#[derive(Clone)]
pub struct Notices {
    tx: mpsc::Sender<Notice>,
}

/// The receiving end, for the task that sends them (`crate::notices::run`).
pub struct Pending(mpsc::Receiver<Notice>);

impl Pending {
    /// The next notice; `None` once every sender is gone.
    pub async fn recv(&mut self) -> Option<Notice> {
        self.0.recv().await
    }
}

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
