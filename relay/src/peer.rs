//! Another relay, spoken to as an ordinary client over WebSocket: what `verify` and `sync`
//! use. Answers AUTH challenges (NIP-42) when given a key, pages through stored events with
//! `until`, publishes events and carries NIP-77 messages. The other relay may be hostile:
//! what it can make this process hold or wait for is bounded ([`Bounds`]), and each bound
//! reached is an error that says which.

use std::collections::BTreeSet;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use nips::{Event, EventId, Keys};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long one request may take.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// Ids per filter when fetching by id.
pub const CHUNK: usize = 200;

/// How long a relay may stay silent after a `NEG-OPEN` before it is taken not to speak NIP-77.
const NEG_TIMEOUT: Duration = Duration::from_secs(10);

/// The most one message from the other relay may weigh (this relay's own largest event is a
/// quarter of it).
pub const MAX_MESSAGE: usize = 4 << 20;

/// What another relay can make a command hold or wait for.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    /// Events received over the whole connection.
    pub max_events: u64,
    /// When the whole command must be done.
    pub deadline: std::time::Instant,
}

impl Bounds {
    /// At most `max_events` events, within `seconds`.
    pub fn new(max_events: u64, seconds: u64) -> Self {
        Self {
            max_events,
            deadline: std::time::Instant::now() + Duration::from_secs(seconds),
        }
    }
}

impl Default for Bounds {
    /// Two million events (a community of 100,000 members with a million votes needs about
    /// 1.1 million), within an hour.
    fn default() -> Self {
        Self::new(2_000_000, 3_600)
    }
}

/// A relay's answer to a NIP-77 message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NegReply {
    Msg(Vec<u8>),
    /// `NEG-ERR` with its reason.
    Err(String),
    /// No NIP-77 answer: a `NOTICE` or silence.
    Unsupported,
}

/// The string at `parts[i]`, or empty.
fn text_at(parts: &[Value], i: usize) -> String {
    parts
        .get(i)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// Why talking to the other relay failed.
#[derive(Debug, thiserror::Error)]
pub enum PeerError {
    #[error("the relay URL must start with ws:// or wss://")]
    Url,
    #[error("WebSocket error: {0}")]
    Socket(#[from] tokio_tungstenite::tungstenite::Error),
    #[error("the relay did not answer within {0:?}")]
    Timeout(Duration),
    #[error("the relay refused a request: {0}")]
    Refused(String),
    #[error(
        "the relay sent more than {0} events; raise --max-events if the record really is that large"
    )]
    TooManyEvents(u64),
    #[error("the relay sent more events than a request asked for ({0}); it does not follow NIP-01")]
    OverLimit(u64),
    #[error(
        "not done within the time allowed; raise --deadline if the record really is that large"
    )]
    Deadline,
}

/// A connection to another relay.
pub struct Peer {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    url: String,
    keys: Option<Keys>,
    authed: bool,
    next: u64,
    bounds: Bounds,
    /// Events received so far.
    received: u64,
}

impl Peer {
    /// Connects to `url` within `bounds`; `keys`, if any, answer AUTH challenges.
    pub async fn connect(url: &str, keys: Option<Keys>, bounds: Bounds) -> Result<Self, PeerError> {
        if !(url.starts_with("ws://") || url.starts_with("wss://")) {
            return Err(PeerError::Url);
        }
        let config = tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
            .max_message_size(Some(MAX_MESSAGE))
            .max_frame_size(Some(MAX_MESSAGE));
        let connecting = tokio_tungstenite::connect_async_with_config(url, Some(config), false);
        let left = bounds
            .deadline
            .saturating_duration_since(std::time::Instant::now());
        let (ws, _) = tokio::time::timeout(left.min(TIMEOUT), connecting)
            .await
            .map_err(|_| PeerError::Timeout(left.min(TIMEOUT)))??;
        Ok(Self {
            ws,
            url: url.to_string(),
            keys,
            authed: false,
            next: 0,
            bounds,
            received: 0,
        })
    }

    /// Counts one more event received; past the bound, the command stops.
    fn count_event(&mut self) -> Result<(), PeerError> {
        self.received += 1;
        match self.received > self.bounds.max_events {
            true => Err(PeerError::TooManyEvents(self.bounds.max_events)),
            false => Ok(()),
        }
    }

    /// Sends one message.
    pub async fn send(&mut self, value: Value) -> Result<(), PeerError> {
        self.ws
            .send(Message::Text(value.to_string().into()))
            .await?;
        Ok(())
    }

    /// Answers an AUTH challenge when a key was given.
    async fn on_challenge(&mut self, challenge: &str) -> Result<(), PeerError> {
        if let Some(keys) = &self.keys {
            let auth = keys.sign(
                crate::relay::unix_now(),
                nips::nip42::KIND_AUTH,
                vec![
                    vec!["relay".into(), self.url.clone()],
                    vec!["challenge".into(), challenge.into()],
                ],
                String::new(),
            );
            self.send(json!([
                "AUTH",
                serde_json::from_str::<Value>(&auth.to_json()).unwrap_or_default()
            ]))
            .await?;
            self.authed = true;
        }
        Ok(())
    }

    /// The next message, as the parts of its JSON array, answering AUTH challenges on the
    /// way; `None` when nothing came within `wait`.
    async fn recv_within(&mut self, wait: Duration) -> Result<Option<Vec<Value>>, PeerError> {
        loop {
            let left = self
                .bounds
                .deadline
                .saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return Err(PeerError::Deadline);
            }
            let Ok(message) = tokio::time::timeout(wait.min(left), self.ws.next()).await else {
                if left <= wait {
                    return Err(PeerError::Deadline);
                }
                return Ok(None);
            };
            let text = match message {
                Some(Ok(Message::Text(t))) => t,
                Some(Ok(Message::Close(_))) | None => {
                    return Err(PeerError::Refused("the relay closed the connection".into()));
                }
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(e.into()),
            };
            let Ok(Value::Array(parts)) = serde_json::from_str::<Value>(&text) else {
                continue;
            };
            if let (Some("AUTH"), Some(Value::String(challenge))) =
                (parts.first().and_then(Value::as_str), parts.get(1))
            {
                let challenge = challenge.clone();
                self.on_challenge(&challenge).await?;
                continue;
            }
            return Ok(Some(parts));
        }
    }

    /// The next message; a relay silent for [`TIMEOUT`] is an error.
    pub async fn recv(&mut self) -> Result<Vec<Value>, PeerError> {
        self.recv_within(TIMEOUT)
            .await?
            .ok_or(PeerError::Timeout(TIMEOUT))
    }

    /// A fresh subscription id.
    pub fn sub_id(&mut self, what: &str) -> String {
        self.next += 1;
        format!("{what}-{}", self.next)
    }

    /// One REQ: stored events until EOSE. A relay that sends more than the filter's `limit`
    /// is not believed.
    pub async fn req(&mut self, filter: &Value) -> Result<Vec<Event>, PeerError> {
        let sub = self.sub_id("req");
        let limit = filter["limit"].as_u64();
        self.send(json!(["REQ", sub, filter])).await?;
        let mut events = Vec::new();
        loop {
            let parts = self.recv().await?;
            match (parts.first().and_then(Value::as_str), parts.get(1)) {
                (Some("EVENT"), Some(s)) if s == &json!(sub) => {
                    self.count_event()?;
                    if let Some(limit) = limit.filter(|l| events.len() as u64 >= *l) {
                        return Err(PeerError::OverLimit(limit));
                    }
                    if let Some(e) = parts.get(2).and_then(|v| Event::from_value(v.clone()).ok()) {
                        events.push(e);
                    }
                }
                (Some("EOSE"), Some(s)) if s == &json!(sub) => {
                    // Stored events are all it wants: the subscription would otherwise stay
                    // open and count against the relay's limit of open subscriptions.
                    self.send(json!(["CLOSE", sub])).await?;
                    return Ok(events);
                }
                (Some("CLOSED"), Some(s)) if s == &json!(sub) => {
                    return Err(PeerError::Refused(text_at(&parts, 2)));
                }
                _ => {}
            }
        }
    }

    /// Publishes `events`, keeping up to `window` unanswered at once; each event's `OK`
    /// (accepted, message), in the order of `events`.
    pub async fn publish(
        &mut self,
        events: &[Event],
        window: usize,
    ) -> Result<Vec<(bool, String)>, PeerError> {
        let index: std::collections::HashMap<String, usize> = events
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.to_hex(), i))
            .collect();
        let mut answers: Vec<Option<(bool, String)>> = vec![None; events.len()];
        let (mut sent, mut answered) = (0, 0);
        while answered < events.len() {
            while sent < events.len() && sent - answered < window.max(1) {
                let event: Value =
                    serde_json::from_str(&events[sent].to_json()).unwrap_or_default();
                self.send(json!(["EVENT", event])).await?;
                sent += 1;
            }
            let parts = self.recv().await?;
            if parts.first().and_then(Value::as_str) != Some("OK") {
                continue;
            }
            let id = text_at(&parts, 1);
            if let Some(&i) = index.get(&id)
                && answers[i].is_none()
            {
                let ok = parts.get(2).and_then(Value::as_bool).unwrap_or(false);
                answers[i] = Some((ok, text_at(&parts, 3)));
                answered += 1;
            }
        }
        Ok(answers.into_iter().flatten().collect())
    }

    /// Sends a NIP-77 message and waits for the relay's answer on `sub`.
    pub async fn neg(&mut self, message: Value, sub: &str) -> Result<NegReply, PeerError> {
        self.send(message).await?;
        loop {
            let Some(parts) = self.recv_within(NEG_TIMEOUT).await? else {
                return Ok(NegReply::Unsupported);
            };
            match (parts.first().and_then(Value::as_str), parts.get(1)) {
                (Some("NEG-MSG"), Some(s)) if s == &json!(sub) => {
                    return match hex::decode(text_at(&parts, 2)) {
                        Ok(m) => Ok(NegReply::Msg(m)),
                        Err(_) => Ok(NegReply::Err(
                            "the relay sent a message that is not hex".into(),
                        )),
                    };
                }
                (Some("NEG-ERR"), Some(s)) if s == &json!(sub) => {
                    return Ok(NegReply::Err(text_at(&parts, 2)));
                }
                // Relays without NIP-77 answer an unknown verb with a NOTICE.
                (Some("NOTICE"), _) => return Ok(NegReply::Unsupported),
                _ => {}
            }
        }
    }

    /// Every event matching `filter`, paging backwards with `until` in steps of `page`.
    pub async fn all(&mut self, filter: Value, page: u64) -> Result<Vec<Event>, PeerError> {
        let mut out = Vec::new();
        self.pages(filter, page, |batch| out.extend(batch)).await?;
        Ok(out)
    }

    /// The ids of every event matching `filter`: what listing needs, without holding the
    /// events themselves (32 bytes each instead of the whole event).
    pub async fn ids(&mut self, filter: Value, page: u64) -> Result<Vec<EventId>, PeerError> {
        let mut out = Vec::new();
        self.pages(filter, page, |batch| {
            out.extend(batch.into_iter().map(|e| e.id))
        })
        .await?;
        Ok(out)
    }

    /// Pages backwards through `filter` with `until` in steps of `page`, handing each page's
    /// new events to `take`.
    async fn pages(
        &mut self,
        filter: Value,
        page: u64,
        mut take: impl FnMut(Vec<Event>),
    ) -> Result<(), PeerError> {
        let mut seen: BTreeSet<EventId> = BTreeSet::new();
        let mut until: Option<u64> = None;
        loop {
            let mut f = filter.clone();
            f["limit"] = json!(page);
            if let Some(u) = until {
                f["until"] = json!(u);
            }
            let batch = self.req(&f).await?;
            let full = batch.len() as u64 >= page;
            let oldest = batch.iter().map(|e| e.created_at).min();
            let fresh: Vec<Event> = batch.into_iter().filter(|e| seen.insert(e.id)).collect();
            let added = fresh.len();
            take(fresh);
            match (full, oldest) {
                (true, Some(oldest)) if added > 0 => until = Some(oldest),
                _ => return Ok(()),
            }
        }
    }

    /// Events by id, in chunks.
    pub async fn by_ids(&mut self, ids: &[EventId], page: u64) -> Result<Vec<Event>, PeerError> {
        let mut out = Vec::new();
        for chunk in ids.chunks(CHUNK) {
            let ids: Vec<String> = chunk.iter().map(EventId::to_hex).collect();
            out.extend(self.all(json!({"ids": ids}), page).await?);
        }
        Ok(out)
    }
}
