//! `REQ` and `CLOSE`: stored events newest first, then `EOSE`, then live events until closed.

use std::sync::Arc;

use governance::Policy;
use governance::visibility::{Scope, Visibility};
use nips::message::relay as msg;
use nips::{Filter, PubKey, nip43};
use tokio_util::sync::CancellationToken;

use super::access::{may_see, read_refusal};
use super::subs::{Held, Sub};
use super::{Outbound, Session};
use crate::relay::{Relay, unix_now};
use crate::store::{Reader, StoreError, StoredEvent};

impl Session {
    pub(super) async fn req(&mut self, sub_id: String, filters: Vec<Filter>) {
        if !self.request_allowed(&sub_id).await {
            self.close(&sub_id);
            return;
        }
        // A search finds only indexed kinds, live as stored.
        let filters: Vec<Filter> = filters
            .into_iter()
            .map(|f| self.relay.config.search.narrow(f))
            .collect();
        let checked = self
            .check_filters(&sub_id, &filters, false)
            .and_then(|()| self.visible(filters, false));
        let parts = match checked {
            Ok(parts) => parts,
            Err(reason) => {
                self.close(&sub_id);
                self.send(msg::closed(&sub_id, &reason)).await;
                return;
            }
        };
        let filters = parts.concat();
        let held = Held::of(&filters);
        if let Err(reason) = self.make_room(&sub_id, held) {
            self.send(msg::closed(&sub_id, &reason)).await;
            return;
        }
        // NIP-43: asking for kind 28935 mints an invite code for an authenticated member.
        let wants_invite = filters.iter().any(|f| {
            f.kinds
                .as_ref()
                .is_some_and(|k| k.contains(&nip43::KIND_INVITE))
        });
        if wants_invite {
            match self
                .relay
                .community
                .invite(&self.relay.hands, &self.authed)
                .await
            {
                Ok(invite) => self.send(msg::event(&sub_id, &invite.to_json())).await,
                Err(reason) => {
                    self.send(msg::closed(&sub_id, &reason.to_string())).await;
                    return;
                }
            }
        }
        self.open(sub_id, parts, held);
    }

    /// Frees a place for subscription `sub_id` holding `held`: closes the one it replaces and
    /// forgets ended ones, then checks the connection's subscription count and what the
    /// connection and its address hold (filter values, live searches). `Err` is the `CLOSED`
    /// text.
    fn make_room(&mut self, sub_id: &str, held: Held) -> Result<(), String> {
        self.close(sub_id);
        let (ended, freed) = self.subs.forget_ended();
        for id in ended {
            self.relay.fanout.unsubscribe(self.conn, &id);
        }
        self.relay.filter_values.release(self.ip, freed.values);
        self.relay.live_searches.release(self.ip, freed.searches);
        let max = self.relay.snapshot().policy.limitation.max_subscriptions as usize;
        if self.subs.len() >= max {
            return Err(format!(
                "rate-limited: {max} subscriptions are open; close one first"
            ));
        }
        let server = &self.relay.config.server;
        let values = held.values;
        let per_conn = server.max_filter_values_per_connection as usize;
        if self.subs.held().values + values > per_conn {
            return Err(format!(
                "rate-limited: this connection's subscriptions would hold {} filter values; \
                 at most {per_conn} are allowed; close some first",
                self.subs.held().values + values
            ));
        }
        let searches = held.searches;
        let per_conn = server.max_live_searches_per_connection as usize;
        if per_conn > 0 && searches > 0 && self.subs.held().searches + searches > per_conn {
            return Err(format!(
                "rate-limited: at most {per_conn} search filters may stay open on one \
                 connection; close a search subscription first"
            ));
        }
        let per_ip = server.max_live_searches_per_ip as usize;
        if !self.relay.live_searches.try_add(self.ip, searches, per_ip) {
            return Err(format!(
                "rate-limited: at most {per_ip} search filters may stay open from your \
                 address; close a search subscription first"
            ));
        }
        let per_ip = server.max_filter_values_per_ip as usize;
        if !self.relay.filter_values.try_add(self.ip, values, per_ip) {
            self.relay.live_searches.release(self.ip, searches);
            return Err(format!(
                "rate-limited: subscriptions from your address hold too many filter values \
                 (at most {per_ip}); close some first"
            ));
        }
        Ok(())
    }

    /// Opens the subscription: live delivery, then the stored events. `parts` are the
    /// client's filters, each as the parts the community's visibility lets it see.
    fn open(&mut self, sub_id: String, parts: Vec<Vec<Filter>>, held: Held) {
        let filters = parts.concat();
        let sub: Arc<str> = Arc::from(sub_id.as_str());
        let relay_key = self.relay.community.pubkey();
        let record_only = Policy::asks_for_record_only(&filters, &relay_key);
        // Live delivery starts before the stored query so nothing committed in between is
        // missed; an event in both is sent twice, which clients already deduplicate by id.
        self.relay.fanout.subscribe(
            self.conn,
            sub.clone(),
            filters.clone(),
            self.subscriber.clone(),
        );
        let token = self.cancel.child_token();
        self.subs.insert(
            sub_id,
            Sub {
                follows: asks_who_follows(&filters, &self.authed),
                token: token.clone(),
                held,
                record_only,
            },
        );
        let relay = self.relay.clone();
        let out = self.out.clone();
        let conn = self.conn;
        let reader = Requester {
            ip: self.ip,
            authed: self.authed.clone(),
            wrote: self.wrote.get(),
        };
        self.relay.tasks.spawn(async move {
            if let Err(reason) = send_stored(&relay, &out, &sub, &parts, &reader, &token).await {
                relay.fanout.unsubscribe(conn, &sub);
                token.cancel();
                out.send(msg::closed(&sub, &reason)).await;
            }
        });
    }

    /// Closes subscription `sub_id`, if open, and gives back the filter values it held.
    pub(super) fn close(&mut self, sub_id: &str) {
        if let Some(sub) = self.subs.take(sub_id) {
            self.relay.filter_values.release(self.ip, sub.held.values);
            self.relay.live_searches.release(self.ip, sub.held.searches);
        }
        self.relay.fanout.unsubscribe(self.conn, sub_id);
    }
}

/// Do `filters` ask who follows someone other than `authed` (what private followers refuse)?
fn asks_who_follows(filters: &[Filter], authed: &[PubKey]) -> bool {
    let private = Visibility {
        followers: Scope::Private,
        ..Visibility::default()
    };
    filters
        .iter()
        .any(|f| !private.hidden_kinds(f, authed).is_empty())
}

/// Who a subscription serves: the address its reads are counted against and the keys its
/// connection authenticated as.
pub(super) struct Requester {
    pub ip: std::net::IpAddr,
    pub authed: Arc<[PubKey]>,
    /// When the connection's last write was acknowledged (see [`super::LastWrite`]).
    pub wrote: Option<std::time::Instant>,
}

/// Queries each filter (limits apply per filter, and to the parts of one filter together),
/// merges newest first, sends what the reader may see, then `EOSE`. The queries wait for one
/// of the client address's read slots, and run within the query budget; `Err` is the `CLOSED`
/// text.
async fn send_stored(
    relay: &Relay,
    out: &Outbound,
    sub: &str,
    parts: &[Vec<Filter>],
    reader: &Requester,
    cancel: &CancellationToken,
) -> Result<(), String> {
    let now = unix_now();
    let snapshot = relay.snapshot();
    let limits = &snapshot.policy.limitation;
    let mut events: Vec<StoredEvent> = Vec::new();
    let wanted = parts
        .iter()
        .flatten()
        .any(|f| limits.effective_limit(f.limit) > 0 && !f.is_unsatisfiable());
    let _slot = match wanted {
        true => match relay.reads.enter(reader.ip, cancel).await {
            Some(slot) => Some(slot),
            None => return Ok(()),
        },
        false => None,
    };
    for filter in parts {
        let mut found = Vec::new();
        for f in filter {
            match query(relay, f, now, reader, cancel).await {
                Ok(mut more) => found.append(&mut more),
                Err(None) => return Ok(()),
                Err(Some(reason)) => return Err(reason),
            }
        }
        if filter.len() > 1 {
            merge(&mut found, filter);
            let limit = filter
                .first()
                .map_or(0, |f| limits.effective_limit(f.limit));
            found.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        }
        events.append(&mut found);
    }
    let filters: Vec<Filter> = parts.concat();
    merge(&mut events, &filters);
    if cancel.is_cancelled() {
        return Ok(());
    }
    // Filters naming kinds were rewritten to match only what the reader may see; only a
    // kindless one needs each reaction it returns parsed and checked.
    let mut visibility = snapshot.policy.visibility;
    if filters.iter().all(|f| f.kinds.is_some()) {
        visibility.reactions = Scope::Public;
    }
    let mut frames: Vec<String> = events
        .iter()
        .filter(|e| may_see(e, &reader.authed, &visibility))
        .map(|e| msg::event(sub, &e.json))
        .collect();
    drop(events);
    frames.push(msg::eose(sub));
    out.send_all(frames).await;
    Ok(())
}

/// One filter's stored events. `Err(None)`: cancelled; `Err(Some(_))`: the `CLOSED` text.
async fn query(
    relay: &Relay,
    f: &Filter,
    now: u64,
    reader: &Requester,
    cancel: &CancellationToken,
) -> Result<Vec<StoredEvent>, Option<String>> {
    let limit = relay.snapshot().policy.limitation.effective_limit(f.limit);
    if limit == 0 || f.is_unsatisfiable() {
        return Ok(Vec::new());
    }
    let started = std::time::Instant::now();
    let found = relay
        .store
        .query(
            f,
            limit,
            now,
            Reader::Client {
                cancel,
                wrote: reader.wrote,
            },
        )
        .await;
    metrics::histogram!("communitarium_query_seconds", "store" => relay.store.name())
        .record(started.elapsed().as_secs_f64());
    match found {
        Ok(found) => Ok(found),
        Err(StoreError::Cancelled) => Err(None),
        Err(e) => Err(Some(read_refusal(
            relay,
            &e,
            "could not query stored events",
        ))),
    }
}

/// Orders the events of several filters newest first, each once. Searches keep each filter's
/// relevance order instead (NIP-50), filter after filter.
fn merge(events: &mut Vec<StoredEvent>, filters: &[Filter]) {
    if filters.len() < 2 {
        return;
    }
    if filters.iter().any(|f| f.search.is_some()) {
        let mut seen = std::collections::HashSet::new();
        events.retain(|e| seen.insert(e.id));
        return;
    }
    events.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(a.id.cmp(&b.id)));
    events.dedup_by(|a, b| a.id == b.id);
}
