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

/// At most this many queued messages go out in one socket write (one flush): enough for a
/// REQ's events and its EOSE, few enough that a ping or a close is not held back long.
const COALESCE: usize = 128;

/// What the session asks the pump to write.
pub enum Out {
    Text(String),
    /// Several messages written back to back and flushed once (a REQ's stored events and EOSE).
    Batch(Vec<String>),
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

    /// Queues several messages to go out together, waiting for room. Returns false once the
    /// connection is gone.
    pub async fn send_all(&self, texts: Vec<String>) -> bool {
        self.tx.send(Out::Batch(texts)).await.is_ok()
    }

    /// Asks for the connection to be closed after what is already queued.
    pub async fn close(&self, code: u16, reason: &'static str) {
        let _ = self.tx.send(Out::Close(code, reason)).await;
    }
}

/// How a coalesced write ended.
enum Written {
    Flushed,
    /// Flushed, and the session asked to close after it.
    ThenClose(u16, &'static str),
    Broken,
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
                    Some(Out::Close(code, reason)) => break Some((code, reason)),
                    Some(first) => match self.write_direct(first).await {
                        Written::Flushed => {}
                        Written::ThenClose(code, reason) => break Some((code, reason)),
                        Written::Broken => break None,
                    },
                    // The session ended and everything it queued has been written.
                    None if self.shutdown.is_cancelled() => break Some((1001, "relay shutting down")),
                    None => break Some((1000, "")),
                },
                frame = self.live.recv() => {
                    if let Some(frame) = frame
                        && !self.write_live(frame).await
                    {
                        break None;
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

    /// Writes `first` and what else the session has already queued, then flushes once: one
    /// socket write for a REQ's events and EOSE instead of one per frame (each write on a busy
    /// relay costs more than building the frame).
    async fn write_direct(&mut self, first: Out) -> Written {
        let work = async {
            let mut next = Some(first);
            let mut then_close = None;
            for _ in 0..COALESCE {
                match next.take() {
                    Some(Out::Text(text)) => self.sink.feed(Message::Text(text.into())).await?,
                    Some(Out::Batch(texts)) => {
                        for text in texts {
                            self.sink.feed(Message::Text(text.into())).await?;
                        }
                    }
                    Some(Out::Close(code, reason)) => {
                        then_close = Some((code, reason));
                        break;
                    }
                    None => break,
                }
                next = self.direct.try_recv().ok();
            }
            self.sink.flush().await?;
            Ok::<_, axum::Error>(then_close)
        };
        match tokio::time::timeout(WRITE_TIMEOUT, work).await {
            Ok(Ok(None)) => Written::Flushed,
            Ok(Ok(Some((code, reason)))) => Written::ThenClose(code, reason),
            _ => Written::Broken,
        }
    }

    /// Writes a live event and any others already waiting, flushing once.
    async fn write_live(&mut self, first: LiveFrame) -> bool {
        let work = async {
            let mut next = Some(first);
            for _ in 0..COALESCE {
                let Some(frame) = next.take() else { break };
                let text = relay::event(&frame.sub_id, &frame.json);
                self.sink.feed(Message::Text(text.into())).await?;
                next = self.live.try_recv().ok();
            }
            self.sink.flush().await
        };
        matches!(tokio::time::timeout(WRITE_TIMEOUT, work).await, Ok(Ok(())))
    }

    async fn write(&mut self, message: Message) -> bool {
        matches!(
            tokio::time::timeout(WRITE_TIMEOUT, self.sink.send(message)).await,
            Ok(Ok(()))
        )
    }
}
