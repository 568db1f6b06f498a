//! Sending direct messages on to members' inbox relays: a queue and a few workers, each
//! delivery bounded in time, so slow or dead relays cost a worker a few seconds and the relay
//! nothing else. Relays on private or loopback addresses are refused unless the operator
//! allows them (`server.notices_to_private_addresses`): a member's list must not make this
//! relay knock on its own network's doors.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use super::Sender;

/// Deliveries waiting; beyond this, new ones are dropped.
const QUEUE: usize = 1_000;
/// Deliveries made at once.
const WORKERS: usize = 4;
/// The most one delivery (connect, send, answer) may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// One message for one relay.
struct Delivery {
    url: String,
    json: Arc<str>,
}

/// The queue of deliveries to other relays.
pub struct Outbox {
    tx: mpsc::Sender<Delivery>,
}

impl Outbox {
    /// Starts the workers; they stop when the relay shuts down.
    pub fn new(relay: &Arc<Sender>) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE);
        let rx = Arc::new(tokio::sync::Mutex::new(rx));
        let private = relay.hands.config.server.notices_to_private_addresses;
        for _ in 0..WORKERS {
            let (rx, stop) = (rx.clone(), relay.hands.shutdown.clone());
            relay.hands.tasks.spawn(async move {
                loop {
                    let next = tokio::select! {
                        () = stop.cancelled() => return,
                        d = async { rx.lock().await.recv().await } => d,
                    };
                    let Some(d) = next else { return };
                    let sent = tokio::time::timeout(TIMEOUT, send(&d, private)).await;
                    let outcome = match sent {
                        Ok(Ok(())) => "sent",
                        Ok(Err(e)) => {
                            tracing::debug!(url = %d.url, error = %e, "an inbox relay did not take a message");
                            "refused"
                        }
                        Err(_) => "timeout",
                    };
                    metrics::counter!("communitarium_inbox_deliveries_total", "outcome" => outcome)
                        .increment(1);
                }
            });
        }
        Self { tx }
    }

    /// Queues `json` (an event) for each of `urls`, without waiting.
    pub fn deliver(&self, urls: Vec<String>, json: Arc<str>) {
        for url in urls {
            let delivery = Delivery {
                url,
                json: json.clone(),
            };
            if self.tx.try_send(delivery).is_err() {
                metrics::counter!("communitarium_inbox_deliveries_total", "outcome" => "dropped")
                    .increment(1);
            }
        }
    }
}

/// Connects, sends the event, and waits for the relay's `OK`.
async fn send(d: &Delivery, private: bool) -> Result<(), String> {
    let url = url_checked(&d.url, private).await?;
    let (mut ws, _) = tokio_tungstenite::connect_async(url.as_str())
        .await
        .map_err(|e| e.to_string())?;
    let message = format!("[\"EVENT\",{}]", d.json);
    ws.send(Message::Text(message.into()))
        .await
        .map_err(|e| e.to_string())?;
    while let Some(frame) = ws.next().await {
        let Ok(Message::Text(text)) = frame else {
            continue;
        };
        let reply: serde_json::Value = serde_json::from_str(text.as_str()).unwrap_or_default();
        if reply[0] == "OK" {
            let _ = ws.close(None).await;
            return match reply[2].as_bool() {
                Some(true) => Ok(()),
                _ => Err(reply[3].as_str().unwrap_or("refused").to_string()),
            };
        }
    }
    Err("closed without an answer".into())
}

/// `url` if it is a WebSocket URL whose host resolves only to public addresses (or any, when
/// `private` is allowed).
async fn url_checked(url: &str, private: bool) -> Result<String, String> {
    let rest = url
        .strip_prefix("wss://")
        .map(|r| (r, 443))
        .or_else(|| url.strip_prefix("ws://").map(|r| (r, 80)));
    let Some((rest, port)) = rest else {
        return Err("not a ws:// or wss:// URL".into());
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let target = match authority.rsplit_once(':') {
        Some((_, p)) if p.parse::<u16>().is_ok() && !authority.ends_with(']') => {
            authority.to_string()
        }
        _ => format!("{authority}:{port}"),
    };
    let addrs: Vec<IpAddr> = tokio::net::lookup_host(&target)
        .await
        .map_err(|e| e.to_string())?
        .map(|a| a.ip())
        .collect();
    if addrs.is_empty() || (!private && addrs.iter().any(|ip| !public(ip))) {
        return Err("not a public address".into());
    }
    Ok(url.to_string())
}

fn public(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.octets()[0] == 100 && (v4.octets()[1] & 0xc0) == 64)
        }
        IpAddr::V6(v6) => {
            !(v6.is_loopback()
                || v6.is_unspecified()
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn only_public_websocket_relays_unless_allowed() {
        assert!(url_checked("https://example.org", false).await.is_err());
        assert!(url_checked("ws://127.0.0.1:7777", false).await.is_err());
        assert!(url_checked("ws://10.1.2.3", false).await.is_err());
        assert!(url_checked("ws://[::1]:7777", false).await.is_err());
        assert!(url_checked("ws://127.0.0.1:7777", true).await.is_ok());
        assert!(public(&"1.1.1.1".parse().unwrap()));
        assert!(!public(&"100.64.0.1".parse().unwrap()), "carrier-grade NAT");
    }
}
