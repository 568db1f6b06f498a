//! `EVENT`: publish through the ingest pipeline and answer with `OK`.

use std::future::Future;

use nips::Event;
use nips::message::relay as msg;

use super::Session;
use crate::ingest::{self, Origin, Refusal};

impl Session {
    /// The work of one `EVENT`, detached from the session so several can run at once.
    pub(super) fn event(&self, event: Event) -> impl Future<Output = ()> + Send + 'static {
        let relay = self.relay.clone();
        let out = self.out.clone();
        let origin = Origin {
            authed: self.authed.clone(),
            ip: self.ip,
        };
        let conn = self.conn;
        let strikes = self.strikes.clone();
        let ip = self.ip;
        let wrote = self.wrote.clone();
        async move {
            let id = event.id;
            let reply = match ingest::publish(&relay, event, &origin).await {
                Ok(message) => {
                    wrote.now();
                    metrics::counter!("communitarium_events_accepted_total").increment(1);
                    msg::ok(&id, true, &message)
                }
                Err(Refusal::Limited(limited)) => {
                    metrics::counter!("communitarium_events_refused_total", "reason" => "rate-limited").increment(1);
                    out.send(msg::ok(&id, false, &limited.reason.to_string()))
                        .await;
                    super::strike(&relay, &out, &strikes, &ip, &limited).await;
                    return;
                }
                Err(Refusal::Reason(reason)) => {
                    metrics::counter!("communitarium_events_refused_total", "reason" => reason.prefix.as_str()).increment(1);
                    tracing::debug!(conn, %id, %reason, "event refused");
                    msg::ok(&id, false, &reason.to_string())
                }
            };
            out.send(reply).await;
        }
    }
}
