//! The per-connection socket writer. It is the only task that writes to the socket: it drains
//! the session's direct queue (answers, stored events) and the live queue (fan-out), pings idle
//! clients, and closes the connection when the client is too slow or the relay shuts down.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures_util::SinkExt;
use futures_util::stream::SplitSink;
use nips::message::relay;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::fanout::{LiveFrame, Subscriber};

/// A write that takes longer than this means the client stopped reading.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// Answers and stored events waiting for the socket; senders wait when it is full, which
/// stops the session reading more from a client that does not read its answers.
pub const DIRECT_QUEUE: usize = 256;

/// What the session asks the pump to write.
pub enum Out {
    Text(String),
    /// Close the connection with this WebSocket status code and reason.
    Close(u16, &'static str),
}

/// The session's handle for sending to its client.
#[derive(Clone)]
pub struct Outbound {
    tx: mpsc::Sender<Out>,
}

impl Outbound {
    /// Queues `text`, waiting for room. Returns false once the connection is gone.
    pub async fn send(&self, text: String) -> bool {
        self.tx.send(Out::Text(text)).await.is_ok()
    }

    /// Asks for the connection to be closed after what is already queued.
    pub async fn close(&self, code: u16, reason: &'static str) {
        let _ = self.tx.send(Out::Close(code, reason)).await;
    }
}

/// The writer half of a connection.
pub struct Pump {
    sink: SplitSink<WebSocket, Message>,
    direct: mpsc::Receiver<Out>,
    live: mpsc::Receiver<LiveFrame>,
    subscriber: Arc<Subscriber>,
    shutdown: CancellationToken,
    closed: CancellationToken,
    ping_every: Duration,
}

/// Creates the queues of a connection: the direct sender, the live subscriber handle, and the
/// pump that owns the socket's write half. `closed` is cancelled when the pump ends.
pub fn channel(
    sink: SplitSink<WebSocket, Message>,
    live_capacity: usize,
    shutdown: CancellationToken,
    closed: CancellationToken,
    ping_every: Duration,
) -> (Outbound, Arc<Subscriber>, Pump) {
    let (tx, direct) = mpsc::channel(DIRECT_QUEUE);
    let (live_tx, live) = mpsc::channel(live_capacity.max(1));
    let subscriber = Arc::new(Subscriber::new(live_tx));
    let pump = Pump {
        sink,
        direct,
        live,
        subscriber: subscriber.clone(),
        shutdown,
        closed,
        ping_every,
    };
    (Outbound { tx }, subscriber, pump)
}

impl Pump {
    /// Runs until the session ends, the client stops reading, or the connection breaks.
    pub async fn run(mut self) {
        let mut ping = tokio::time::interval(self.ping_every);
        ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ping.tick().await;
        let close = loop {
            tokio::select! {
                biased;
                () = self.subscriber.lagged.cancelled() => {
                    let notice = relay::notice(
                        "error: this connection is not reading events fast enough; closing it",
                    );
                    let _ = self.write(Message::Text(notice.into())).await;
                    break Some((1008, "too slow"));
                }
                out = self.direct.recv() => match out {
                    Some(Out::Text(text)) => {
                        if !self.write(Message::Text(text.into())).await {
                            break None;
                        }
                    }
                    Some(Out::Close(code, reason)) => break Some((code, reason)),
                    // The session ended and everything it queued has been written.
                    None if self.shutdown.is_cancelled() => break Some((1001, "relay shutting down")),
                    None => break Some((1000, "")),
                },
                frame = self.live.recv() => {
                    if let Some(frame) = frame {
                        let text = relay::event(&frame.sub_id, &frame.json);
                        if !self.write(Message::Text(text.into())).await {
                            break None;
                        }
                    }
                }
                _ = ping.tick() => {
                    if !self.write(Message::Ping(Default::default())).await {
                        break None;
                    }
                }
            }
        };
        if let Some((code, reason)) = close {
            let frame = CloseFrame {
                code,
                reason: Utf8Bytes::from_static(reason),
            };
            let _ = self.write(Message::Close(Some(frame))).await;
        }
        let _ = self.sink.close().await;
        self.closed.cancel();
    }

    async fn write(&mut self, message: Message) -> bool {
        matches!(
            tokio::time::timeout(WRITE_TIMEOUT, self.sink.send(message)).await,
            Ok(Ok(()))
        )
    }
}
