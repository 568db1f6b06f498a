//! Read replicas: PostgreSQL streaming standbys that answer clients' queries, so reading can
//! grow past what one primary serves.
//!
//! A replica replays the primary's write-ahead log a little behind it. So that a client which
//! has just been told `OK true` finds its event, every connection carries the instant of its
//! last acknowledged write, and a replica serves it only once it has replayed everything the
//! primary had committed by then. The relay learns that without any extra work on the write
//! path: every [`WATCH_EVERY`] it reads the primary's flushed WAL position (a *mark*, stamped
//! with the instant just before the question) and each replica's replayed position. A replica
//! that has replayed past a mark holds every commit acknowledged before that mark's instant:
//! it is *current as of* that instant. A replica more than `max_lag` behind, or unreachable,
//! serves no one; its readers go to the primary.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool};
use tokio_util::sync::CancellationToken;

use super::{Options, StoreError};

/// How often the primary's and the replicas' WAL positions are read.
pub const WATCH_EVERY: Duration = Duration::from_millis(100);

/// The primary's flushed WAL position, as a byte offset. Commits are flushed before they are
/// acknowledged, so every acknowledged commit lies at or before it.
const PRIMARY_LSN: &str = "SELECT (pg_current_wal_flush_lsn() - '0/0'::pg_lsn)::bigint";

/// How far a standby has replayed (`NULL` on a server that is not a standby).
const REPLAYED_LSN: &str = "SELECT (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint";

/// One standby.
#[derive(Debug)]
struct Replica {
    /// Its position in `read_database_urls`, for logs and metrics.
    index: usize,
    /// Clients' queries, with the same time budget as on the primary.
    pool: PgPool,
    /// Every commit acknowledged before this instant is on the replica; `None` while it is
    /// unreachable or not yet measured.
    current_as_of: Mutex<Option<Instant>>,
}

/// The replicas, and the primary's recent WAL positions they are measured against.
#[derive(Debug)]
pub struct Replicas {
    replicas: Vec<Replica>,
    /// `(instant just before asking, flushed position)`, oldest first.
    marks: Mutex<VecDeque<(Instant, i64)>>,
    max_lag: Duration,
    /// Spreads reads over the replicas that may serve them.
    next: AtomicUsize,
    stop: CancellationToken,
}

impl Replicas {
    /// Checks each replica once: a server that answers but is not a standby is refused (its
    /// data would not be this relay's); one that does not answer is left to the watcher.
    /// `pools` are the replicas' client pools, in order, with the options they connect with.
    async fn check(
        pools: Vec<(PgConnectOptions, PgPool)>,
        max_lag: Duration,
    ) -> Result<Self, StoreError> {
        let mut replicas = Vec::with_capacity(pools.len());
        for (index, (options, pool)) in pools.into_iter().enumerate() {
            match PgConnection::connect_with(&options).await {
                Ok(mut conn) => {
                    let (standby,): (bool,) = sqlx::query_as("SELECT pg_is_in_recovery()")
                        .fetch_one(&mut conn)
                        .await?;
                    let _ = conn.close().await;
                    if !standby {
                        return Err(StoreError::NotAReplica(index));
                    }
                }
                Err(e) => tracing::warn!(replica = index, error = %e,
                    "read replica unreachable; its reads go to the primary until it answers"),
            }
            replicas.push(Replica {
                index,
                pool,
                current_as_of: Mutex::new(None),
            });
        }
        Ok(Self {
            replicas,
            marks: Mutex::new(VecDeque::new()),
            max_lag,
            next: AtomicUsize::new(0),
            stop: CancellationToken::new(),
        })
    }

    /// Client pools (from `client_pool`) on the replicas `o` names, checked, and measured
    /// against the primary (through `primary`) from now on.
    pub async fn connect(
        o: &Options,
        client_pool: impl Fn(&PgConnectOptions) -> PgPool,
        primary: &PgPool,
    ) -> Result<Arc<Self>, StoreError> {
        let mut pools = Vec::with_capacity(o.replicas.len());
        for url in &o.replicas {
            let options: PgConnectOptions = url.parse()?;
            let options =
                options.options([("default_text_search_config", o.search.language.as_str())]);
            let pool = client_pool(&options);
            pools.push((options, pool));
        }
        let replicas = Arc::new(Self::check(pools, o.replica_max_lag).await?);
        let (watcher, primary) = (replicas.clone(), primary.clone());
        tokio::spawn(async move { watcher.watch(primary).await });
        Ok(replicas)
    }

    /// A replica's pool that may serve a client whose last acknowledged write was at
    /// `wrote`, taking turns among those that may; `None`: read from the primary.
    pub fn pick(&self, wrote: Option<Instant>) -> Option<(usize, &PgPool)> {
        let now = Instant::now();
        let fits = |r: &Replica| {
            r.current_as_of.lock().is_some_and(|t| {
                now.saturating_duration_since(t) <= self.max_lag && wrote.is_none_or(|w| t > w)
            })
        };
        let n = self.replicas.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        (0..n)
            .map(|i| &self.replicas[(start + i) % n])
            .find(|r| fits(r))
            .map(|r| (r.index, &r.pool))
    }

    /// Takes replica `index` out of service until the watcher measures it again (a query on
    /// it failed for a reason other than its time budget).
    pub fn failed(&self, index: usize) {
        if let Some(r) = self.replicas.get(index) {
            *r.current_as_of.lock() = None;
        }
    }

    /// Measures the primary against the replicas every [`WATCH_EVERY`] until [`Self::close`].
    pub async fn watch(&self, primary: PgPool) {
        let mut tick = tokio::time::interval(WATCH_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                () = self.stop.cancelled() => return,
            }
            let asked = Instant::now();
            match lsn(&primary, PRIMARY_LSN).await {
                Some(flushed) => self.mark(asked, flushed),
                None => continue,
            }
            for r in &self.replicas {
                let replayed = lsn(&r.pool, REPLAYED_LSN).await;
                self.observe(r, replayed);
            }
        }
    }

    /// Records a mark, keeping those young enough to matter (and always the newest).
    fn mark(&self, at: Instant, flushed: i64) {
        let mut marks = self.marks.lock();
        marks.push_back((at, flushed));
        let keep = self.max_lag * 2;
        while marks.len() > 1 && marks.front().is_some_and(|(t, _)| t.elapsed() > keep) {
            marks.pop_front();
        }
    }

    /// Updates what replica `r` is current as of, having replayed up to `replayed`.
    fn observe(&self, r: &Replica, replayed: Option<i64>) {
        let was = *r.current_as_of.lock();
        let now = match replayed {
            Some(pos) => self
                .marks
                .lock()
                .iter()
                .rev()
                .find(|(_, flushed)| *flushed <= pos)
                .map(|(t, _)| *t)
                .max(was),
            None => None,
        };
        if was.is_some() && now.is_none() {
            tracing::warn!(
                replica = r.index,
                "read replica unreachable; its reads go to the primary"
            );
        } else if was.is_none() && now.is_some() {
            tracing::info!(replica = r.index, "read replica serving");
        }
        *r.current_as_of.lock() = now;
        let lag = now.map_or(f64::INFINITY, |t| t.elapsed().as_secs_f64());
        metrics::gauge!("communitarium_replica_lag_seconds", "replica" => r.index.to_string())
            .set(lag);
    }

    /// Stops the watcher and closes the replicas' pools.
    pub async fn close(&self) {
        self.stop.cancel();
        for r in &self.replicas {
            r.pool.close().await;
        }
    }
}

/// A WAL position from `pool`, bounded in time; `None` when the server does not say.
async fn lsn(pool: &PgPool, sql: &'static str) -> Option<i64> {
    let asked = sqlx::query_as::<_, (Option<i64>,)>(sql).fetch_one(pool);
    match tokio::time::timeout(Duration::from_secs(1), asked).await {
        Ok(Ok((pos,))) => pos,
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replicas(n: usize, max_lag: Duration) -> Replicas {
        let options: PgConnectOptions = "postgres://nobody@127.0.0.1:1/none".parse().unwrap();
        Replicas {
            replicas: (0..n)
                .map(|index| Replica {
                    index,
                    pool: sqlx::postgres::PgPoolOptions::new().connect_lazy_with(options.clone()),
                    current_as_of: Mutex::new(None),
                })
                .collect(),
            marks: Mutex::new(VecDeque::new()),
            max_lag,
            next: AtomicUsize::new(0),
            stop: CancellationToken::new(),
        }
    }

    #[tokio::test]
    async fn a_replica_serves_only_writes_it_has_replayed() {
        let r = replicas(1, Duration::from_secs(5));
        assert!(r.pick(None).is_none(), "not measured yet");
        let t0 = Instant::now();
        r.mark(t0, 100);
        r.observe(&r.replicas[0], Some(100));
        assert!(r.pick(None).is_some(), "current as of the first mark");
        let wrote = Instant::now();
        assert!(r.pick(Some(wrote)).is_none(), "a write after the mark");
        let t1 = Instant::now();
        r.mark(t1, 200);
        r.observe(&r.replicas[0], Some(150));
        assert!(
            r.pick(Some(wrote)).is_none(),
            "not yet replayed to the new mark"
        );
        r.observe(&r.replicas[0], Some(200));
        assert!(
            r.pick(Some(wrote)).is_some(),
            "replayed past a mark after the write"
        );
        r.observe(&r.replicas[0], None);
        assert!(r.pick(None).is_none(), "unreachable");
    }

    #[tokio::test]
    async fn a_replica_too_far_behind_serves_no_one_and_reads_take_turns() {
        let r = replicas(2, Duration::from_millis(50));
        r.mark(Instant::now(), 10);
        r.observe(&r.replicas[0], Some(10));
        r.observe(&r.replicas[1], Some(10));
        let picked: Vec<usize> = (0..4).map(|_| r.pick(None).unwrap().0).collect();
        assert_eq!(picked, [0, 1, 0, 1]);
        r.failed(0);
        assert_eq!(r.pick(None).unwrap().0, 1);
        std::thread::sleep(Duration::from_millis(80));
        assert!(r.pick(None).is_none(), "over the lag bound");
    }
}
