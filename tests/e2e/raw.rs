//! A bare WebSocket client that sends exactly the bytes a test chooses (malformed input
//! included) and reads the relay's answers as JSON.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use nips::{Event, Keys};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

const WAIT: Duration = Duration::from_secs(10);

pub struct Raw {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// The NIP-42 challenge the relay greeted us with.
    pub challenge: String,
    url: String,
    /// `OK`s that arrived while another was awaited: a relay may answer EVENTs out of order.
    early_oks: std::collections::HashMap<String, (bool, String)>,
}

/// What a `REQ` produced before `EOSE` or `CLOSED`.
#[derive(Debug)]
pub enum ReqEnd {
    Eose(Vec<Value>),
    Closed(String),
}

impl ReqEnd {
    /// The events, panicking if the subscription was refused.
    pub fn events(self) -> Vec<Value> {
        match self {
            ReqEnd::Eose(events) => events,
            ReqEnd::Closed(reason) => panic!("subscription closed: {reason}"),
        }
    }

    /// The `CLOSED` reason, panicking if the subscription was served.
    pub fn closed(self) -> String {
        match self {
            ReqEnd::Closed(reason) => reason,
            ReqEnd::Eose(events) => panic!("expected CLOSED, got {} events and EOSE", events.len()),
        }
    }
}

impl Raw {
    /// Connects and reads the `AUTH` greeting.
    pub async fn connect(url: &str) -> Self {
        Self::connect_from(url, None).await
    }

    /// Connects as the client at `ip`, named in `X-Forwarded-For` (the relay must trust the
    /// test's loopback address as a proxy and read that header).
    pub async fn connect_as(url: &str, ip: &str) -> Self {
        Self::connect_from(url, Some(ip)).await
    }

    async fn connect_from(url: &str, ip: Option<&str>) -> Self {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let mut request = url.into_client_request().expect("request");
        if let Some(ip) = ip {
            request
                .headers_mut()
                .insert("X-Forwarded-For", ip.parse().expect("header"));
        }
        let (ws, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("connect");
        let mut raw = Self {
            ws,
            challenge: String::new(),
            url: url.to_string(),
            early_oks: Default::default(),
        };
        let greeting = raw.recv().await;
        assert_eq!(
            greeting[0], "AUTH",
            "relay greets with a NIP-42 challenge: {greeting}"
        );
        raw.challenge = greeting[1].as_str().expect("challenge").to_string();
        raw
    }

    pub async fn send(&mut self, text: impl Into<String>) {
        self.ws
            .send(Message::Text(text.into().into()))
            .await
            .expect("send");
    }

    /// Sends without asserting success (the relay may close the connection mid-frame).
    pub async fn send_unchecked(&mut self, text: impl Into<String>) {
        let _ = self.ws.send(Message::Text(text.into().into())).await;
    }

    /// Sends a WebSocket frame exactly as given (a text frame that is not UTF-8, say).
    pub async fn send_frame(
        &mut self,
        frame: tokio_tungstenite::tungstenite::protocol::frame::Frame,
    ) {
        let _ = self.ws.send(Message::Frame(frame)).await;
    }

    /// Sends a ping frame.
    pub async fn ping(&mut self) -> bool {
        self.ws.send(Message::Ping(vec![1].into())).await.is_ok()
    }

    /// Sends a binary frame, which Nostr does not use.
    pub async fn ws_binary(&mut self) {
        self.ws
            .send(Message::Binary(vec![1, 2, 3].into()))
            .await
            .expect("send");
    }

    pub async fn send_json(&mut self, v: Value) {
        self.send(v.to_string()).await;
    }

    /// The next JSON message (pings skipped); panics on timeout or close.
    pub async fn recv(&mut self) -> Value {
        loop {
            let next = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("timed out waiting for the relay");
            match next {
                Some(Ok(Message::Text(t))) => {
                    return serde_json::from_str(t.as_str()).expect("relay sent JSON");
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                other => panic!("connection ended: {other:?}"),
            }
        }
    }

    /// The next message, or `None` if nothing arrives within `wait`.
    pub async fn try_recv(&mut self, wait: Duration) -> Option<Value> {
        loop {
            match tokio::time::timeout(wait, self.ws.next()).await {
                Err(_) => return None,
                Ok(Some(Ok(Message::Text(t)))) => return serde_json::from_str(t.as_str()).ok(),
                Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => continue,
                Ok(other) => panic!("connection ended: {other:?}"),
            }
        }
    }

    /// Reads until the connection closes; returns the close code and the messages before it.
    pub async fn until_closed(&mut self) -> (Option<u16>, Vec<Value>) {
        let mut seen = Vec::new();
        loop {
            match tokio::time::timeout(Duration::from_secs(60), self.ws.next()).await {
                Err(_) => panic!("connection was not closed"),
                Ok(Some(Ok(Message::Text(t)))) => {
                    seen.push(serde_json::from_str(t.as_str()).unwrap_or(Value::Null))
                }
                Ok(Some(Ok(Message::Close(frame)))) => {
                    return (frame.map(|f| u16::from(f.code)), seen);
                }
                Ok(Some(Ok(_))) => continue,
                Ok(Some(Err(_)) | None) => return (None, seen),
            }
        }
    }

    /// Reads messages until `pick` returns something.
    pub async fn recv_until<T>(&mut self, mut pick: impl FnMut(&Value) -> Option<T>) -> T {
        loop {
            let v = self.recv().await;
            if let Some(t) = pick(&v) {
                return t;
            }
        }
    }

    /// Publishes `event` and returns the `OK` verdict and message.
    pub async fn publish(&mut self, event: &Event) -> (bool, String) {
        self.send(format!("[\"EVENT\",{}]", event.to_json())).await;
        self.ok_for(&event.id.to_hex()).await
    }

    /// Waits for the `OK` about `id`, keeping any other `OK` for a later call.
    pub async fn ok_for(&mut self, id: &str) -> (bool, String) {
        if let Some(verdict) = self.early_oks.remove(id) {
            return verdict;
        }
        loop {
            let v = self.recv().await;
            if v[0] != "OK" {
                continue;
            }
            let verdict = (
                v[2].as_bool().expect("OK flag"),
                v[3].as_str().expect("OK message").to_string(),
            );
            let about = v[1].as_str().expect("OK id");
            if about == id {
                return verdict;
            }
            self.early_oks.insert(about.to_string(), verdict);
        }
    }

    /// Publishes and asserts acceptance.
    pub async fn accept(&mut self, event: &Event) {
        let (ok, message) = self.publish(event).await;
        assert!(ok, "event refused: {message}");
    }

    /// Sends `REQ` and collects stored events until `EOSE` (or `CLOSED`).
    pub async fn req(&mut self, sub: &str, filters: Value) -> ReqEnd {
        let mut msg = vec![json!("REQ"), json!(sub)];
        msg.extend(filters.as_array().expect("filters array").iter().cloned());
        self.send_json(Value::Array(msg)).await;
        self.collect(sub).await
    }

    /// Collects `EVENT`s of `sub` until its `EOSE` or `CLOSED`.
    pub async fn collect(&mut self, sub: &str) -> ReqEnd {
        let mut events = Vec::new();
        loop {
            let v = self.recv().await;
            if v[1] != sub {
                continue;
            }
            match v[0].as_str() {
                Some("EVENT") => events.push(v[2].clone()),
                Some("EOSE") => return ReqEnd::Eose(events),
                Some("CLOSED") => return ReqEnd::Closed(v[2].as_str().unwrap_or("").to_string()),
                _ => {}
            }
        }
    }

    /// Authenticates as `keys` (NIP-42) and asserts success.
    pub async fn auth(&mut self, keys: &Keys) {
        let event = auth_event(keys, &self.url, &self.challenge);
        self.send(format!("[\"AUTH\",{}]", event.to_json())).await;
        let (ok, message) = self.ok_for(&event.id.to_hex()).await;
        assert!(ok, "AUTH refused: {message}");
    }
}

/// A kind-22242 answer to `challenge` for the relay at `url`.
pub fn auth_event(keys: &Keys, url: &str, challenge: &str) -> Event {
    keys.sign(
        crate::now(),
        22242,
        vec![
            vec!["relay".into(), url.into()],
            vec!["challenge".into(), challenge.into()],
        ],
        String::new(),
    )
}

/// Event ids in the order the relay sent them.
pub fn ids(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["id"].as_str().expect("id").to_string())
        .collect()
}
