//! `NEG-OPEN`, `NEG-MSG`, `NEG-CLOSE` (NIP-77): a connection's negentropy syncs, read under
//! the same rules as `REQ` (request rate, read access, the address's query slots and budget).

use std::sync::Arc;

use nips::nip77::{NegMessage, relay as neg};
use nips::{Filter, nip59};
use tokio_util::sync::CancellationToken;

use super::Session;
use super::access::read_refusal;
use super::outbound::Outbound;
use crate::relay::{Relay, unix_now};
use crate::store::{EventKey, Reader, StoreError};
use crate::sync::{self, Admitted, Held, Syncs};

impl Session {
    pub(super) async fn neg(&mut self, message: NegMessage) {
        match message {
            NegMessage::Open {
                sub_id,
                filter,
                message,
            } => self.neg_open(sub_id, *filter, message).await,
            NegMessage::Msg { sub_id, message } => {
                metrics::counter!("communitarium_sync_bytes_total", "direction" => "in")
                    .increment(message.len() as u64);
                let reply = match self.syncs.reconcile(&sub_id, &message) {
                    Ok(answer) => answer_msg(&sub_id, &answer),
                    Err(e) => neg::err(&sub_id, &e.to_string()),
                };
                self.send(reply).await;
            }
            NegMessage::Close { sub_id } => self.syncs.close(&sub_id),
        }
    }

    async fn neg_open(&mut self, sub_id: String, filter: Filter, first: Vec<u8>) {
        self.syncs.close(&sub_id);
        if let Err(limited) = self.relay.limits().req(&self.ip, self.is_member()) {
            self.send(neg::err(&sub_id, &limited.reason.to_string()))
                .await;
            self.refused(&limited).await;
            return;
        }
        if filter.search.is_some() {
            let reason = "invalid: a search cannot be synced; sync the kinds or authors instead";
            return self.send(neg::err(&sub_id, reason)).await;
        }
        let filters = [filter];
        if let Err(reason) = self.check_filters(&sub_id, &filters, true) {
            return self.send(neg::err(&sub_id, &reason)).await;
        }
        let [mut filter] = filters;
        // NIP-77 gives `limit` no meaning in a sync: a set is the whole set (Flotilla asks for
        // all reports with `limit: 0`).
        filter.limit = None;
        // What the community keeps private stays out of the set (a sync is one filter, so it
        // cannot be rewritten into parts: the private kinds are left out instead).
        let visibility = self.relay.snapshot().policy.visibility;
        if let Err(reason) = self.visible(vec![filter.clone()], false) {
            return self.send(neg::err(&sub_id, &reason)).await;
        }
        let private = visibility.hidden_kinds(&filter, &self.authed);
        let max = self.relay.config.server.max_syncs_per_connection as usize;
        if self.syncs.open_count() >= max && first.len() > sync::MAX_WAITING_MESSAGE {
            let reason = format!("blocked: {max} syncs are open on this connection; close one");
            return self.send(neg::err(&sub_id, &reason)).await;
        }
        let opener = Arc::new(Opener {
            relay: self.relay.clone(),
            out: self.out.clone(),
            syncs: self.syncs.clone(),
            ip: self.ip,
            cancel: self.cancel.clone(),
            wrote: self.wrote.get(),
            private,
        });
        let start: sync::Start = {
            let sub_id = sub_id.clone();
            Box::new(move |opening| {
                let tasks = opener.relay.tasks.clone();
                tasks.spawn(async move {
                    metrics::counter!("communitarium_sync_bytes_total", "direction" => "in")
                        .increment(first.len() as u64);
                    if let Err(reason) = opener.open(&sub_id, opening, &filter, &first).await {
                        opener.syncs.close(&sub_id);
                        opener.out.send(neg::err(&sub_id, &reason)).await;
                    }
                });
            })
        };
        if self.syncs.start_or_wait(&sub_id, max, start) == Admitted::Full {
            let reason = format!(
                "blocked: {max} syncs are open on this connection and {} wait; close one",
                sync::MAX_WAITING
            );
            self.send(neg::err(&sub_id, &reason)).await;
        }
    }
}

fn answer_msg(sub_id: &str, answer: &[u8]) -> String {
    metrics::counter!("communitarium_sync_bytes_total", "direction" => "out")
        .increment(answer.len() as u64);
    neg::msg(sub_id, answer)
}

/// What opening a sync needs, moved into its task.
struct Opener {
    relay: Arc<Relay>,
    out: Outbound,
    syncs: Arc<Syncs>,
    ip: std::net::IpAddr,
    cancel: CancellationToken,
    /// When the connection's last write was acknowledged (see [`super::LastWrite`]).
    wrote: Option<std::time::Instant>,
    /// Kinds the community keeps private from this reader, left out of the set.
    private: Vec<u16>,
}

impl Opener {
    /// Reads the set's keys, starts the reconciliation and sends its first answer. `Err` is
    /// the `NEG-ERR` reason.
    async fn open(
        &self,
        sub_id: &str,
        opening: u64,
        filter: &Filter,
        first: &[u8],
    ) -> Result<(), String> {
        let server = &self.relay.config.server;
        let cap = server.max_sync_events as usize;
        let keys = self.keys(filter, cap).await?;
        let Some(held) = Held::take(
            &self.relay.sync_keys,
            self.ip,
            keys.len(),
            server.max_sync_events_per_ip as usize,
        ) else {
            return Err(format!(
                "rate-limited: syncs from your address cover too many events (at most {}); \
                 close some first",
                server.max_sync_events_per_ip
            ));
        };
        let first = first.to_vec();
        let started = tokio::task::spawn_blocking(move || sync::start(&keys, &first))
            .await
            .map_err(|_| "error: could not start the sync; try again".to_string())?;
        let (reconciler, answer) = started.map_err(|e| e.to_string())?;
        if self.syncs.open(sub_id, opening, reconciler, held) {
            self.out.send(answer_msg(sub_id, &answer)).await;
        }
        Ok(())
    }

    /// The keys of the whole set `filter` selects, refusing sets over `cap`. Gift wraps are
    /// left out unless the filter asks for them, which access checks allowed only for the
    /// connection's own.
    async fn keys(&self, filter: &Filter, cap: usize) -> Result<Vec<EventKey>, String> {
        let Some(_slot) = self.relay.reads.enter(self.ip, &self.cancel).await else {
            return Err("closed: the connection is closing".into());
        };
        let wanted = cap + 1;
        let found = self
            .relay
            .store
            .keys(
                filter,
                wanted as u64,
                unix_now(),
                Reader::Client {
                    cancel: &self.cancel,
                    wrote: self.wrote,
                },
            )
            .await;
        let mut keys = match found {
            Ok(keys) => keys,
            Err(StoreError::Cancelled) => return Err("closed: the connection is closing".into()),
            Err(e) => return Err(read_refusal(&self.relay, &e, "could not read the set")),
        };
        if keys.len() > cap {
            return Err(format!(
                "blocked: this filter selects more than {cap} events; sync it in parts \
                 (since/until, kinds or authors)"
            ));
        }
        let asks_wraps = filter
            .kinds
            .as_ref()
            .is_some_and(|k| k.contains(&nip59::KIND_GIFT_WRAP));
        if !asks_wraps {
            keys.retain(|k| k.kind != nip59::KIND_GIFT_WRAP);
        }
        keys.retain(|k| !self.private.contains(&k.kind));
        Ok(keys)
    }
}
