//! A minimal Nostr WebSocket client for load: publish and wait for `OK`, query and wait for
//! `EOSE`, and read raw frames.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, Stream, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long any single answer may take before the run is considered broken.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Whether connections keep Nagle's algorithm (`--nagle`); by default they set `TCP_NODELAY`.
static NAGLE: AtomicBool = AtomicBool::new(false);

/// Sets, for every connection made afterwards, whether Nagle's algorithm stays on.
pub fn set_nagle(on: bool) {
    NAGLE.store(on, Ordering::Relaxed);
}

pub struct Conn {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next: u64,
}

impl Conn {
    /// Connects; with `forwarded_for`, sends it as `X-Forwarded-For` (to stand for distinct
    /// clients behind a proxy the relay trusts).
    pub async fn connect(url: &str, forwarded_for: Option<&str>) -> anyhow::Result<Self> {
        let mut request = url.into_client_request()?;
        if let Some(ip) = forwarded_for {
            request.headers_mut().insert("X-Forwarded-For", ip.parse()?);
        }
        let nodelay = !NAGLE.load(Ordering::Relaxed);
        let (ws, _) = tokio_tungstenite::connect_async_with_config(request, None, nodelay)
            .await
            .with_context(|| format!("connecting to {url}"))?;
        Ok(Self { ws, next: 0 })
    }

    pub async fn send(&mut self, text: String) -> anyhow::Result<()> {
        self.ws.send(Message::Text(text.into())).await?;
        Ok(())
    }

    /// The next text frame.
    pub async fn next_text(&mut self) -> anyhow::Result<String> {
        next_text(&mut self.ws).await
    }

    /// Separate halves, for sending while another task reads.
    pub fn split(self) -> (Tx, Rx) {
        let (sink, stream) = self.ws.split();
        (Tx(sink), Rx(stream))
    }

    /// Publishes `event_json` and waits for its `OK`: `(accepted, latency)`.
    pub async fn publish(
        &mut self,
        event_json: &str,
        id: &str,
    ) -> anyhow::Result<(bool, Duration)> {
        let start = Instant::now();
        self.send(format!("[\"EVENT\",{event_json}]")).await?;
        let needle = format!("[\"OK\",\"{id}\",");
        loop {
            let text = self.next_text().await?;
            if let Some(rest) = text.strip_prefix(&needle) {
                return Ok((rest.starts_with("true"), start.elapsed()));
            }
        }
    }

    /// Runs a REQ to `EOSE` and closes it: `(events, latency)`; a refusal is an error.
    pub async fn query(&mut self, filter: &serde_json::Value) -> anyhow::Result<(usize, Duration)> {
        match self.try_query(filter).await? {
            Ok(answer) => Ok(answer),
            Err(text) => bail!("query refused: {text}"),
        }
    }

    /// Runs a REQ to `EOSE` and closes it: `(events, latency)`, or the `CLOSED` message that
    /// refused it.
    pub async fn try_query(
        &mut self,
        filter: &serde_json::Value,
    ) -> anyhow::Result<Result<(usize, Duration), String>> {
        self.next += 1;
        let sub = format!("b{}", self.next);
        let start = Instant::now();
        self.send(serde_json::json!(["REQ", sub, filter]).to_string())
            .await?;
        let (event, eose, closed) = (
            format!("[\"EVENT\",\"{sub}\","),
            format!("[\"EOSE\",\"{sub}\"]"),
            format!("[\"CLOSED\",\"{sub}\","),
        );
        let mut events = 0;
        loop {
            let text = self.next_text().await?;
            if text.starts_with(&event) {
                events += 1;
            } else if text == eose {
                let took = start.elapsed();
                self.send(format!("[\"CLOSE\",\"{sub}\"]")).await?;
                return Ok(Ok((events, took)));
            } else if text.starts_with(&closed) {
                return Ok(Err(text));
            }
        }
    }
}

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The sending half of a split connection.
pub struct Tx(SplitSink<Ws, Message>);

impl Tx {
    pub async fn send(&mut self, text: String) -> anyhow::Result<()> {
        self.0.send(Message::Text(text.into())).await?;
        Ok(())
    }
}

/// The receiving half of a split connection.
pub struct Rx(SplitStream<Ws>);

impl Rx {
    pub async fn next_text(&mut self) -> anyhow::Result<String> {
        next_text(&mut self.0).await
    }
}

async fn next_text<S>(stream: &mut S) -> anyhow::Result<String>
where
    S: Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    loop {
        match tokio::time::timeout(TIMEOUT, stream.next()).await {
            Err(_) => bail!("no answer within {TIMEOUT:?}"),
            Ok(Some(Ok(Message::Text(t)))) => return Ok(t.to_string()),
            Ok(Some(Ok(Message::Close(_)))) | Ok(None) => bail!("connection closed"),
            Ok(Some(Ok(_))) => continue,
            Ok(Some(Err(e))) => return Err(e.into()),
        }
    }
}
