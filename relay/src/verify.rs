//! `communitarium verify <relay-url>`: an independent check of a relay's governance. It
//! connects as an ordinary client (NIP-11 over HTTP, then REQs over WebSocket), fetches the
//! genesis, every decision, the proposals and votes behind them, member events and the current
//! policy, and re-derives all of it with the pure `governance` crate.

use std::collections::BTreeSet;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use governance::audit::{self, Divergence, Record, Report};
use nips::{Event, EventId, Keys, PubKey, cg, nip43, nip88};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long one request may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Ids per filter when fetching by id.
const CHUNK: usize = 200;

/// Why verification could not be done, or what it found.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("the relay URL must start with ws:// or wss://")]
    Url,
    #[error("cannot fetch the relay information document: {0}")]
    Info(String),
    #[error("WebSocket error: {0}")]
    Socket(#[from] tokio_tungstenite::tungstenite::Error),
    #[error("the relay did not answer within {0:?}")]
    Timeout(Duration),
    #[error("the relay refused a request: {0}")]
    Refused(String),
    #[error("the relay's record diverges: {0}")]
    Divergence(#[from] Divergence),
}

struct Client {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    url: String,
    keys: Option<Keys>,
    authed: bool,
    next: u64,
}

impl Client {
    async fn connect(url: &str, keys: Option<Keys>) -> Result<Self, VerifyError> {
        let (ws, _) = tokio_tungstenite::connect_async(url).await?;
        Ok(Self {
            ws,
            url: url.to_string(),
            keys,
            authed: false,
            next: 0,
        })
    }

    async fn send(&mut self, value: Value) -> Result<(), VerifyError> {
        self.ws
            .send(Message::Text(value.to_string().into()))
            .await?;
        Ok(())
    }

    /// Answers an AUTH challenge when a key was given.
    async fn on_challenge(&mut self, challenge: &str) -> Result<(), VerifyError> {
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

    /// One REQ: stored events until EOSE.
    async fn req(&mut self, filter: &Value) -> Result<Vec<Event>, VerifyError> {
        self.next += 1;
        let sub = format!("verify-{}", self.next);
        self.send(json!(["REQ", sub, filter])).await?;
        let mut events = Vec::new();
        loop {
            let message = tokio::time::timeout(TIMEOUT, self.ws.next())
                .await
                .map_err(|_| VerifyError::Timeout(TIMEOUT))?;
            let text = match message {
                Some(Ok(Message::Text(t))) => t,
                Some(Ok(Message::Close(_))) | None => {
                    return Err(VerifyError::Refused(
                        "the relay closed the connection".into(),
                    ));
                }
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(e.into()),
            };
            let Ok(Value::Array(parts)) = serde_json::from_str::<Value>(&text) else {
                continue;
            };
            match (parts.first().and_then(Value::as_str), parts.get(1)) {
                (Some("AUTH"), Some(Value::String(challenge))) => {
                    let challenge = challenge.clone();
                    self.on_challenge(&challenge).await?;
                }
                (Some("EVENT"), Some(s)) if s == &json!(sub) => {
                    if let Some(e) = parts.get(2).and_then(|v| Event::from_value(v.clone()).ok()) {
                        events.push(e);
                    }
                }
                (Some("EOSE"), Some(s)) if s == &json!(sub) => return Ok(events),
                (Some("CLOSED"), Some(s)) if s == &json!(sub) => {
                    let reason = parts
                        .get(2)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string();
                    return Err(VerifyError::Refused(reason));
                }
                _ => {}
            }
        }
    }

    /// Every event matching `filter`, paging backwards with `until` in steps of `page`.
    async fn all(&mut self, filter: Value, page: u64) -> Result<Vec<Event>, VerifyError> {
        let mut seen: BTreeSet<EventId> = BTreeSet::new();
        let mut out = Vec::new();
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
            let mut added = 0;
            for e in batch {
                if seen.insert(e.id) {
                    out.push(e);
                    added += 1;
                }
            }
            match (full, oldest) {
                (true, Some(oldest)) if added > 0 => until = Some(oldest),
                _ => return Ok(out),
            }
        }
    }

    /// Events by id, in chunks.
    async fn by_ids(&mut self, ids: &[EventId], page: u64) -> Result<Vec<Event>, VerifyError> {
        let mut out = Vec::new();
        for chunk in ids.chunks(CHUNK) {
            let ids: Vec<String> = chunk.iter().map(EventId::to_hex).collect();
            out.extend(self.all(json!({"ids": ids}), page).await?);
        }
        Ok(out)
    }
}

/// The relay's NIP-11 document.
async fn information(url: &str) -> Result<Value, VerifyError> {
    let http = if let Some(rest) = url.strip_prefix("wss://") {
        format!("https://{rest}")
    } else if let Some(rest) = url.strip_prefix("ws://") {
        format!("http://{rest}")
    } else {
        return Err(VerifyError::Url);
    };
    let response = reqwest::Client::new()
        .get(http)
        .header("Accept", "application/nostr+json")
        .timeout(TIMEOUT)
        .send()
        .await
        .map_err(|e| VerifyError::Info(e.to_string()))?;
    response
        .json()
        .await
        .map_err(|e| VerifyError::Info(e.to_string()))
}

/// Fetches the relay's governance record and audits it. `keys` authenticate (NIP-42) on
/// relays that serve only members.
pub async fn verify(url: &str, keys: Option<Keys>) -> Result<Report, VerifyError> {
    let info = information(url).await?;
    let relay: PubKey = info["self"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .ok_or(Divergence::NoRelayKey)?;
    let page = info["limitation"]["max_limit"]
        .as_u64()
        .unwrap_or(500)
        .clamp(1, 5000);
    let mut client = Client::connect(url, keys).await?;
    let me = relay.to_hex();
    let decisions = client
        .all(json!({"authors": [me], "kinds": [cg::KIND_DECISION]}), page)
        .await?;
    let members = client
        .all(json!({"authors": [me], "kinds": [nip43::KIND_MEMBER_ADDED, nip43::KIND_MEMBER_REMOVED]}), page)
        .await?;
    let policy = client
        .req(&json!({"authors": [me], "kinds": [cg::KIND_POLICY], "#d": [cg::POLICY_D]}))
        .await?
        .into_iter()
        .next();
    let list = client
        .req(&json!({"authors": [me], "kinds": [nip43::KIND_MEMBERSHIP_LIST]}))
        .await?
        .into_iter()
        .next();
    let proposal_ids: Vec<EventId> = decisions
        .iter()
        .filter_map(|e| governance::Decision::parse(e).ok()?.proposal)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let proposals = client.by_ids(&proposal_ids, page).await?;
    let mut votes = Vec::new();
    for chunk in proposal_ids.chunks(CHUNK) {
        let ids: Vec<String> = chunk.iter().map(EventId::to_hex).collect();
        votes.extend(
            client
                .all(json!({"kinds": [nip88::KIND_RESPONSE], "#e": ids}), page)
                .await?,
        );
    }
    let vanished = client
        .all(json!({"kinds": [nips::nip62::KIND_VANISH]}), page)
        .await?;
    let record = Record {
        relay: Some(relay),
        relay_url: url.to_string(),
        decisions,
        members,
        proposals,
        votes,
        vanished,
        policy,
        list,
    };
    Ok(audit::audit(&record)?)
}
