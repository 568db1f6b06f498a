//! What other nodes commit, delivered here: a listener on the events channel fetches the
//! announced events and hands them to this node's live subscriptions, and a listener on the
//! state channel has this node reload the community's state. Announcements come in commit
//! order, so an author's events arrive in the order they were stored.

use std::sync::Arc;
use std::time::Duration;

use nips::{Event, EventId, Filter};
use sqlx::postgres::{PgListener, PgPoolOptions};
use tokio::sync::Notify;

use governance::visibility::Visibility;
use tokio_util::sync::CancellationToken;

use super::Cluster;
use super::governance::STATE_CHANNEL;
use crate::dates::unix_now;
use crate::fanout::Fanout;
use crate::store::Store;
use crate::store::notify::{Announcement, EVENTS_CHANNEL, MAX_INLINE};
use crate::store::{Reader, Record};

/// How often a node checks the state's generations even without a notification (one may be
/// lost while its listening connection is re-established).
const POLL: Duration = Duration::from_secs(1);

/// How long a parked ephemeral event waits for the other nodes to read it.
pub const PARKED_FOR: u64 = 60;

/// What the listener needs of this node: where announced events are read and delivered, the
/// read rules in force (which decide who may see them), and when to stop.
pub struct Local {
    pub store: Arc<dyn Store>,
    pub fanout: Arc<Fanout>,
    pub visibility: Box<dyn Fn() -> Visibility + Send + Sync>,
    pub shutdown: CancellationToken,
}

impl Cluster {
    /// Sends an ephemeral event to the other nodes' subscribers. Never stored: a small event
    /// travels in the notification itself, a large one waits a minute in an unlogged table.
    pub async fn announce_ephemeral(&self, event: &Event, json: &str) -> Result<(), sqlx::Error> {
        let payload = if json.len() <= MAX_INLINE {
            Announcement::ephemeral(&self.token, json)
        } else {
            sqlx::query(
                "INSERT INTO cluster_ephemeral (id, json, at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
            )
            .bind(event.id.as_bytes().as_slice())
            .bind(json)
            .bind(i64::try_from(unix_now()).unwrap_or(i64::MAX))
            .execute(&self.pool)
            .await?;
            Announcement::parked(&self.token, &event.id)
        };
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(EVENTS_CHANNEL)
            .bind(payload)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Forgets parked ephemeral events nobody needs any more, and shared cap counts of
    /// windows (`window` seconds) long past: the leader's chore.
    pub async fn prune(&self, now: u64, window: u64) -> Result<(), sqlx::Error> {
        let cutoff = i64::try_from(now.saturating_sub(PARKED_FOR)).unwrap_or(i64::MAX);
        sqlx::query("DELETE FROM cluster_ephemeral WHERE at < $1")
            .bind(cutoff)
            .execute(&self.pool)
            .await?;
        self.caps.prune(&self.pool, now, window).await
    }
}

/// Listens until shutdown: other nodes' events go to this node's subscribers, and news of a
/// changed state wakes `reload`.
pub async fn listen(hands: Arc<Local>, cluster: Arc<Cluster>, reload: Arc<Notify>) {
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect_lazy_with(cluster.options.clone());
    let mut listener = loop {
        match PgListener::connect_with(&pool).await {
            Ok(l) => break l,
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for other nodes yet");
                tokio::select! {
                    () = hands.shutdown.cancelled() => return,
                    () = tokio::time::sleep(POLL) => {}
                }
            }
        }
    };
    if let Err(e) = listener.listen_all([EVENTS_CHANNEL, STATE_CHANNEL]).await {
        tracing::error!(error = %e, "cannot listen for other nodes; live events from them will not arrive");
        return;
    }
    loop {
        let next = tokio::select! {
            () = hands.shutdown.cancelled() => return,
            n = listener.try_recv() => n,
        };
        match next {
            Ok(Some(n)) if n.channel() == STATE_CHANNEL => reload.notify_one(),
            Ok(Some(n)) => deliver(&hands, &cluster, n.payload()).await,
            // The connection was lost and is re-established by the next call; what was
            // announced meanwhile is not replayed, but the state is checked again.
            Ok(None) => {
                tracing::warn!("lost the listening connection to the database; reconnecting");
                metrics::counter!("communitarium_cluster_listener_reconnects_total").increment(1);
                reload.notify_one();
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "listening for other nodes failed; retrying");
                tokio::select! {
                    () = hands.shutdown.cancelled() => return,
                    () = tokio::time::sleep(POLL) => {}
                }
            }
        }
    }
}

/// Hands one announcement's events to the subscriptions they match.
async fn deliver(hands: &Local, cluster: &Cluster, payload: &str) {
    let Some(announcement) = Announcement::parse(payload) else {
        tracing::warn!("ignored a malformed announcement");
        return;
    };
    if announcement.token() == cluster.token {
        return;
    }
    // Stored events are read back from the events table, which only the relay writes after
    // checking them; the others come with the notification (or its parking table).
    let (events, from_table) = match announcement {
        Announcement::Stored { ids, .. } if !hands.fanout.is_empty() => {
            (stored(hands, &ids).await, true)
        }
        Announcement::Stored { .. } => (Vec::new(), true),
        Announcement::Ephemeral { json, .. } => (parse(json).into_iter().collect(), false),
        Announcement::Parked { id, .. } => (parked(cluster, &id).await, false),
    };
    for record in events {
        // Anyone who can connect to the database can notify this channel: an event that did
        // not come from the events table is delivered only if its id and signature are its own.
        if !from_table && let Err(e) = crate::sigcheck::verify(record.clone()).await {
            tracing::warn!(error = %e, "ignored an announced event that is not validly signed");
            metrics::counter!("communitarium_cluster_forged_total").increment(1);
            continue;
        }
        let visibility = (hands.visibility)();
        hands.fanout.send(&record, visibility).await;
    }
    metrics::counter!("communitarium_cluster_announcements_total").increment(1);
}

/// The announced event, re-serialized canonically (what is delivered is what was checked).
fn parse(json: String) -> Option<Arc<Record>> {
    let event = Event::from_json(&json).ok()?;
    Some(Arc::new(Record::new(event)))
}

/// The announced events still stored, oldest first.
async fn stored(hands: &Local, ids: &[EventId]) -> Vec<Arc<Record>> {
    let hex: Vec<String> = ids.iter().map(EventId::to_hex).collect();
    let Ok(filter) = Filter::from_value(&serde_json::json!({ "ids": hex })) else {
        return Vec::new();
    };
    let limit = ids.len() as u64;
    match hands
        .store
        .query(&filter, limit, unix_now(), Reader::Relay)
        .await
    {
        Ok(rows) => {
            let mut events: Vec<Arc<Record>> =
                rows.into_iter().filter_map(|r| parse(r.json)).collect();
            // In the order they were written: an author's events reach subscribers in order.
            events.sort_by_key(|r| ids.iter().position(|id| *id == r.event.id));
            events
        }
        Err(e) => {
            tracing::warn!(error = %e, "could not fetch events announced by another node");
            Vec::new()
        }
    }
}

async fn parked(cluster: &Cluster, id: &EventId) -> Vec<Arc<Record>> {
    let row: Result<Option<(String,)>, _> =
        sqlx::query_as("SELECT json FROM cluster_ephemeral WHERE id = $1")
            .bind(id.as_bytes().as_slice())
            .fetch_optional(&cluster.pool)
            .await;
    match row {
        Ok(Some((json,))) => parse(json).into_iter().collect(),
        Ok(None) => Vec::new(),
        Err(e) => {
            tracing::warn!(error = %e, "could not fetch a parked ephemeral event");
            Vec::new()
        }
    }
}

/// Reloads the community's state when another node changed it: woken by the state channel,
/// and every second regardless. Reloads closer together than 50 ms are merged.
pub async fn reload<F, Fut>(shutdown: CancellationToken, wake: Arc<Notify>, refresh: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = wake.notified() => {}
            () = tokio::time::sleep(POLL) => {}
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        refresh().await;
    }
}
