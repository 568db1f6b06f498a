//! One WebSocket connection: reads client messages, dispatches each verb to its own module, and
//! keeps the connection's subscriptions and authentication state.

mod access;
mod auth;
mod count;
mod event;
mod outbound;
mod req;
mod strikes;
mod subs;
mod sync;

use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket};
use futures_util::StreamExt;
use futures_util::stream::{FuturesUnordered, SplitStream};
use nips::message::{relay as msg, sniff_event_id};
use nips::{ClientMessage, MessageError, PubKey, Reason};
use tokio::sync::OwnedSemaphorePermit;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::fanout::{ConnId, Subscriber};
use crate::ratelimit::{Limited, MessageLimiter};
use crate::relay::Relay;
pub use outbound::{DIRECT_QUEUE, Outbound};
use strikes::Strikes;

type InFlight = FuturesUnordered<Pin<Box<dyn Future<Output = ()> + Send>>>;

/// State of one connection.
pub(crate) struct Session {
    relay: Arc<Relay>,
    conn: ConnId,
    /// The client's address (behind a trusted proxy, the forwarded one).
    ip: IpAddr,
    out: Outbound,
    subscriber: Arc<Subscriber>,
    /// The NIP-42 challenge sent on connect.
    challenge: String,
    /// Keys this connection authenticated as; a snapshot travels with each EVENT.
    authed: Arc<[PubKey]>,
    /// Open subscriptions.
    subs: subs::Subs,
    /// Cancelled when the session ends; parent of every subscription token.
    cancel: CancellationToken,
    /// Messages per second from this connection.
    messages: Option<MessageLimiter>,
    /// Rate-limited refusals; too many close the connection.
    strikes: Arc<Strikes>,
    /// Open NIP-77 syncs.
    syncs: Arc<crate::sync::Syncs>,
    /// When this connection's last write was acknowledged.
    wrote: Arc<LastWrite>,
}

/// When a connection's last write was acknowledged: a read replica answers the connection's
/// queries only once it holds everything committed by then, so a client finds what it wrote.
#[derive(Debug, Default)]
pub(crate) struct LastWrite(parking_lot::Mutex<Option<std::time::Instant>>);

impl LastWrite {
    /// Notes a write acknowledged now (its commit is done).
    pub fn now(&self) {
        *self.0.lock() = Some(std::time::Instant::now());
    }

    pub fn get(&self) -> Option<std::time::Instant> {
        *self.0.lock()
    }
}

/// Serves one upgraded connection until the client leaves, the relay shuts down, or the client
/// is dropped for being too slow or idle.
pub async fn run(socket: WebSocket, relay: Arc<Relay>, ip: IpAddr, _permit: OwnedSemaphorePermit) {
    let conn = relay.next_conn_id();
    let (sink, mut stream) = socket.split();
    let closed = CancellationToken::new();
    let idle = Duration::from_secs(relay.config.server.idle_timeout_secs);
    let (out, subscriber, pump) = outbound::channel(
        sink,
        relay.config.server.outbound_queue as usize,
        relay.shutdown.clone(),
        closed.clone(),
        (idle / 3).max(Duration::from_secs(1)),
    );
    relay.tasks.spawn(pump.run());
    relay.register(conn, ip, closed.clone());
    let limits = relay.limits();
    let mut session = Session {
        cancel: relay.shutdown.child_token(),
        messages: limits.messages(),
        strikes: Arc::new(Strikes::new(limits.config.strikes_before_disconnect)),
        relay,
        conn,
        ip,
        out,
        subscriber,
        challenge: hex::encode(rand::random::<[u8; 16]>()),
        authed: Arc::from([]),
        subs: subs::Subs::default(),
        syncs: Arc::default(),
        wrote: Arc::default(),
    };
    tracing::debug!(conn, %ip, "connected");
    session.out.send(msg::auth(&session.challenge)).await;
    session.read(&mut stream, &closed, idle).await;
    session.finish();
    session.relay.unregister(conn);
    tracing::debug!(conn, "disconnected");
}

/// Counts a rate-limited refusal (metrics, strikes); closes the connection at the limit.
pub(crate) async fn strike(
    relay: &Relay,
    out: &Outbound,
    strikes: &Strikes,
    ip: &IpAddr,
    limited: &Limited,
) {
    metrics::counter!("communitarium_rate_limited_total", "limit" => limited.limit).increment(1);
    tracing::debug!(%ip, limit = limited.limit, "rate limited");
    if strikes.add() {
        out.send(msg::notice(
            "rate-limited: too many refused messages; closing this connection",
        ))
        .await;
        out.close(1008, "rate limited").await;
        relay.penalize(ip);
    }
}

/// The close code for a read error: 1009 when a frame was too big, 1007 for a text frame that
/// is not UTF-8, 1002 for a protocol violation, none when the peer just went away.
fn close_reason(e: axum::Error) -> Option<(u16, &'static str)> {
    use tungstenite::error::ProtocolError;
    let inner = e.into_inner();
    match inner.downcast_ref::<tungstenite::Error>() {
        Some(tungstenite::Error::Capacity(_)) => Some((1009, "message too big")),
        Some(tungstenite::Error::Utf8(_)) => Some((1007, "text frames must be UTF-8")),
        Some(tungstenite::Error::Protocol(ProtocolError::ResetWithoutClosingHandshake)) => None,
        Some(tungstenite::Error::Protocol(_)) => Some((1002, "protocol error")),
        _ => None,
    }
}

impl Session {
    async fn read(
        &mut self,
        stream: &mut SplitStream<WebSocket>,
        closed: &CancellationToken,
        idle: Duration,
    ) {
        let max_in_flight = self.relay.config.server.max_events_in_flight as usize;
        let mut in_flight = InFlight::new();
        let deadline = tokio::time::sleep(idle);
        tokio::pin!(deadline);
        let mut changes = self.relay.community.changes();
        loop {
            tokio::select! {
                biased;
                () = closed.cancelled() => break,
                () = self.cancel.cancelled() => break,
                Ok(()) = changes.changed() => self.recheck_access().await,
                Some(()) = in_flight.next(), if !in_flight.is_empty() => {}
                message = stream.next(), if in_flight.len() < max_in_flight => {
                    deadline.as_mut().reset(Instant::now() + idle);
                    match message {
                        Some(Ok(Message::Text(text))) => {
                            if self.messages.as_ref().is_some_and(|m| m.check().is_err()) {
                                self.flooding(text.as_str()).await;
                            } else {
                                self.on_text(text.as_str(), &mut in_flight).await;
                            }
                        }
                        Some(Ok(Message::Binary(_))) => {
                            metrics::counter!("communitarium_messages_total", "verb" => "binary").increment(1);
                            self.notice("invalid: binary messages are not part of the protocol").await;
                        }
                        Some(Err(e)) => {
                            if let Some((code, reason)) = close_reason(e) {
                                tracing::debug!(conn = self.conn, code, reason, "closing on a read error");
                                self.out.close(code, reason).await;
                            }
                            break;
                        }
                        Some(Ok(Message::Close(_))) | None => break,
                        // The WebSocket layer answers pings; a ping flood still counts against
                        // the connection's message rate.
                        Some(Ok(Message::Ping(_))) => {
                            metrics::counter!("communitarium_messages_total", "verb" => "ping").increment(1);
                            if self.messages.as_ref().is_some_and(|m| m.check().is_err()) {
                                self.flooding("").await;
                            }
                        }
                        Some(Ok(Message::Pong(_))) => {}
                    }
                }
                () = &mut deadline => {
                    tracing::debug!(conn = self.conn, "idle timeout");
                    break;
                }
            }
        }
        // Let accepted work finish so every EVENT gets its OK, but not forever.
        let drain = async { while in_flight.next().await.is_some() {} };
        let _ = tokio::time::timeout(Duration::from_secs(10), drain).await;
    }

    async fn on_text(&mut self, text: &str, in_flight: &mut InFlight) {
        let max = self.relay.snapshot().policy.limitation.max_message_length as usize;
        if text.len() > max {
            let reason = format!(
                "invalid: message is {} bytes; this relay accepts at most {max}",
                text.len()
            );
            match sniff_event_id(text) {
                Some(id) => self.send(msg::ok(&id, false, &reason)).await,
                None => self.notice(&reason).await,
            }
            return;
        }
        let parsed = ClientMessage::from_json(text);
        let verb = match &parsed {
            Ok(ClientMessage::Event(_)) => "EVENT",
            Ok(ClientMessage::Req { .. }) => "REQ",
            Ok(ClientMessage::Count { .. }) => "COUNT",
            Ok(ClientMessage::Close { .. }) => "CLOSE",
            Ok(ClientMessage::Auth(_)) => "AUTH",
            Ok(ClientMessage::Neg(_)) => "NEG",
            Err(_) => "invalid",
        };
        metrics::counter!("communitarium_messages_total", "verb" => verb).increment(1);
        match parsed {
            Ok(ClientMessage::Event(event)) => in_flight.push(Box::pin(self.event(*event))),
            Ok(ClientMessage::Req { sub_id, filters }) => self.req(sub_id, filters).await,
            Ok(ClientMessage::Count { sub_id, filters }) => self.count(sub_id, filters).await,
            Ok(ClientMessage::Close { sub_id }) => self.close(&sub_id),
            Ok(ClientMessage::Neg(message)) => self.neg(message).await,
            Ok(ClientMessage::Auth(event)) => {
                // AUTH is a barrier: EVENTs sent before it are judged and answered without it,
                // so a client sees their OKs first, in the order it caused them.
                while in_flight.next().await.is_some() {}
                self.auth(*event).await;
            }
            Err(MessageError::Malformed(m)) => {
                tracing::debug!(conn = self.conn, ip = %self.ip, "malformed message: {m}");
                // An EVENT whose JSON is broken (a raw control character in a string, say)
                // is still answered by id when the id can be read, so its client is not left
                // waiting for an OK.
                match sniff_event_id(text) {
                    Some(id) => {
                        let reason = format!("invalid: the event is not valid JSON ({m})");
                        self.send(msg::ok(&id, false, &reason)).await;
                    }
                    None => self.notice(&format!("invalid: {m}")).await,
                }
            }
            Err(MessageError::BadEvent {
                id: Some(id),
                error,
            }) => {
                self.send(msg::ok(&id, false, &format!("invalid: {error}")))
                    .await;
            }
            Err(MessageError::BadEvent { id: None, error }) => {
                self.notice(&format!("invalid: {error}")).await;
            }
            Err(MessageError::BadNeg(e)) => match e.sub_id {
                Some(sub_id) => {
                    self.syncs.close(&sub_id);
                    let reason = format!("invalid: {}", e.reason);
                    self.send(nips::nip77::relay::err(&sub_id, &reason)).await;
                }
                None => self.notice(&format!("invalid: {}", e.reason)).await,
            },
            Err(MessageError::BadFilter { sub_id, error }) => {
                self.close(&sub_id);
                self.send(msg::closed(&sub_id, &format!("invalid: {error}")))
                    .await;
            }
        }
    }

    /// Membership, bans or read access changed: on a members-only relay, a connection no longer
    /// authenticated as a member in good standing loses the subscriptions a member needs
    /// (everything but the relay's own record), each closed with its reason.
    async fn recheck_access(&mut self) {
        let snapshot = self.relay.snapshot();
        if snapshot.policy.visibility.followers == governance::visibility::Scope::Private {
            let reason = "restricted: who follows whom is now private in this community";
            for id in self.subs.ids_where(|s| !s.follows) {
                self.close(&id);
                self.send(msg::closed(&id, reason)).await;
            }
        }
        if snapshot.policy.admission.read == governance::ReadAccess::Public || self.is_member() {
            return;
        }
        let reason = if self.authed.is_empty() {
            "auth-required: this relay serves its members; authenticate first"
        } else {
            "restricted: you are no longer a member in good standing of this relay"
        };
        for id in self.subs.ids_where(|s| s.record_only) {
            self.close(&id);
            self.send(msg::closed(&id, reason)).await;
        }
    }

    /// Is the connection authenticated as a member? (Members get the members' rate tier.)
    fn is_member(&self) -> bool {
        let snapshot = self.relay.snapshot();
        let now = crate::relay::unix_now();
        self.authed.iter().any(|k| snapshot.is_member(k, now))
    }

    /// The per-IP request rate, for `REQ` and `COUNT`: `CLOSED` and a strike when exceeded.
    async fn request_allowed(&self, sub_id: &str) -> bool {
        match self.relay.limits().req(&self.ip, self.is_member()) {
            Ok(()) => true,
            Err(limited) => {
                self.send(msg::closed(sub_id, &limited.reason.to_string()))
                    .await;
                self.refused(&limited).await;
                false
            }
        }
    }

    /// A message over the per-connection rate: refused without being processed.
    async fn flooding(&self, text: &str) {
        let reason = Reason::rate_limited("you are sending messages too fast; slow down");
        let reply = match (sniff_event_id(text), nips::message::sniff_sub_id(text)) {
            (Some(id), _) => msg::ok(&id, false, &reason.to_string()),
            (None, Some(sub)) => msg::closed(&sub, &reason.to_string()),
            (None, None) => msg::notice(&reason.to_string()),
        };
        self.send(reply).await;
        self.refused(&Limited {
            limit: "messages_per_second",
            reason,
        })
        .await;
    }

    /// Records a rate-limited refusal; at the strike limit, closes the connection and backs
    /// off its address.
    async fn refused(&self, limited: &Limited) {
        strike(&self.relay, &self.out, &self.strikes, &self.ip, limited).await;
    }

    async fn send(&self, text: String) {
        self.out.send(text).await;
    }

    async fn notice(&self, text: &str) {
        self.out.send(msg::notice(text)).await;
    }

    /// Ends the session's subscriptions and tasks.
    fn finish(&mut self) {
        self.cancel.cancel();
        self.relay.fanout.remove_connection(self.conn);
        let held = self.subs.clear();
        self.relay.filter_values.release(self.ip, held.values);
        self.relay.live_searches.release(self.ip, held.searches);
        self.syncs.clear();
    }
}
