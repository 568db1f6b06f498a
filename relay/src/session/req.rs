//! `REQ` and `CLOSE`: stored events newest first, then `EOSE`, then live events until closed.

use std::sync::Arc;

use governance::admit::Context;
use nips::message::relay as msg;
use nips::{Filter, nip43};
use tokio_util::sync::CancellationToken;

use super::{Outbound, Session};
use crate::relay::{Relay, unix_now};
use crate::store::{Reader, StoreError, StoredEvent};

/// The text a client gets when its read fails: what happened and what to do, never internals.
pub(super) fn read_refusal(relay: &Relay, e: &StoreError, what: &str) -> String {
    match e {
        StoreError::Unavailable => "error: the database is unavailable; try again shortly".into(),
        StoreError::Busy => "error: the relay is busy; try again shortly".into(),
        StoreError::TimedOut => format!(
            "blocked: this query ran longer than the {} ms this relay allows; narrow it with \
             ids, authors, kinds or a time range",
            relay.config.server.query_timeout_ms
        ),
        other => {
            tracing::warn!(error = %other, "{what}");
            format!("error: {what}; try again")
        }
    }
}

impl Session {
    /// Checks the limits and read access every `REQ`/`COUNT` shares. `Err` is the `CLOSED`
    /// text.
    pub(super) fn check_filters(&self, sub_id: &str, filters: &[Filter]) -> Result<(), String> {
        let snapshot = self.relay.snapshot();
        let limits = &snapshot.policy.limitation;
        if sub_id.chars().count() > limits.max_subid_length as usize {
            return Err(format!(
                "invalid: subscription id is longer than {} characters",
                limits.max_subid_length
            ));
        }
        if filters.len() > limits.max_filters as usize {
            return Err(format!(
                "invalid: {} filters in one request; this relay accepts at most {}",
                filters.len(),
                limits.max_filters
            ));
        }
        if filters.iter().any(|f| f.search.is_some()) {
            return Err("invalid: this relay does not support NIP-50 search".into());
        }
        let relay_key = self.relay.community.pubkey();
        let ctx = Context {
            relay: &relay_key,
            roster: &snapshot.roster,
            authed: &self.authed,
            now: unix_now(),
        };
        snapshot
            .policy
            .may_read(filters, &ctx)
            .map_err(|r| r.to_string())
    }

    pub(super) async fn req(&mut self, sub_id: String, filters: Vec<Filter>) {
        if !self.request_allowed(&sub_id).await {
            self.close(&sub_id);
            return;
        }
        if let Err(reason) = self.check_filters(&sub_id, &filters) {
            self.close(&sub_id);
            self.send(msg::closed(&sub_id, &reason)).await;
            return;
        }
        // A subscription whose query failed has cancelled itself; forget it.
        self.subs.retain(|_, token| !token.is_cancelled());
        let max = self.relay.snapshot().policy.limitation.max_subscriptions as usize;
        if !self.subs.contains_key(&sub_id) && self.subs.len() >= max {
            let reason = format!("rate-limited: {max} subscriptions are open; close one first");
            self.send(msg::closed(&sub_id, &reason)).await;
            return;
        }
        if let Some(old) = self.subs.remove(&sub_id) {
            old.cancel();
        }
        // NIP-43: asking for kind 28935 mints an invite code for an authenticated member.
        let wants_invite = filters.iter().any(|f| {
            f.kinds
                .as_ref()
                .is_some_and(|k| k.contains(&nip43::KIND_INVITE))
        });
        if wants_invite {
            match self.relay.community.invite(&self.relay, &self.authed).await {
                Ok(invite) => self.send(msg::event(&sub_id, &invite.to_json())).await,
                Err(reason) => {
                    self.relay.fanout.unsubscribe(self.conn, &sub_id);
                    self.send(msg::closed(&sub_id, &reason.to_string())).await;
                    return;
                }
            }
        }
        let sub: Arc<str> = Arc::from(sub_id.as_str());
        // Live delivery starts before the stored query so nothing committed in between is
        // missed; an event in both is sent twice, which clients already deduplicate by id.
        self.relay.fanout.subscribe(
            self.conn,
            sub.clone(),
            filters.clone(),
            self.subscriber.clone(),
        );
        let token = self.cancel.child_token();
        self.subs.insert(sub_id, token.clone());
        let relay = self.relay.clone();
        let out = self.out.clone();
        let conn = self.conn;
        let ip = self.ip;
        self.relay.tasks.spawn(async move {
            if let Err(reason) = send_stored(&relay, &out, &sub, &filters, ip, &token).await {
                relay.fanout.unsubscribe(conn, &sub);
                token.cancel();
                out.send(msg::closed(&sub, &reason)).await;
            }
        });
    }

    pub(super) fn close(&mut self, sub_id: &str) {
        if let Some(token) = self.subs.remove(sub_id) {
            token.cancel();
        }
        self.relay.fanout.unsubscribe(self.conn, sub_id);
    }
}

/// Queries each filter (limits apply per filter), merges newest first, sends, then `EOSE`.
/// The queries wait for one of the client address's read slots, and run within the query
/// budget; `Err` is the `CLOSED` text.
async fn send_stored(
    relay: &Relay,
    out: &Outbound,
    sub: &str,
    filters: &[Filter],
    ip: std::net::IpAddr,
    cancel: &CancellationToken,
) -> Result<(), String> {
    let now = unix_now();
    let snapshot = relay.snapshot();
    let limits = &snapshot.policy.limitation;
    let mut events: Vec<StoredEvent> = Vec::new();
    let wanted = filters
        .iter()
        .any(|f| limits.effective_limit(f.limit) > 0 && !f.is_unsatisfiable());
    let _slot = match wanted {
        true => match relay.reads.enter(ip, cancel).await {
            Some(slot) => Some(slot),
            None => return Ok(()),
        },
        false => None,
    };
    for f in filters {
        let limit = limits.effective_limit(f.limit);
        if limit == 0 || f.is_unsatisfiable() {
            continue;
        }
        let started = std::time::Instant::now();
        let found = relay
            .store
            .query(f, limit, now, Reader::Client(cancel))
            .await;
        metrics::histogram!("communitarium_query_seconds").record(started.elapsed().as_secs_f64());
        match found {
            Ok(mut found) => events.append(&mut found),
            Err(StoreError::Cancelled) => return Ok(()),
            Err(e) => return Err(read_refusal(relay, &e, "could not query stored events")),
        }
    }
    if filters.len() > 1 {
        events.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(a.id.cmp(&b.id)));
        events.dedup_by(|a, b| a.id == b.id);
    }
    for e in events {
        if cancel.is_cancelled() || !out.send(msg::event(sub, &e.json)).await {
            return Ok(());
        }
    }
    if !cancel.is_cancelled() {
        out.send(msg::eose(sub)).await;
    }
    Ok(())
}
