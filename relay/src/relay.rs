//! The running relay: configuration, storage, the writer, live subscriptions and the task
//! bookkeeping that every session and background job shares.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::cluster::{Cluster, ClusterError, presence};
use crate::community::hands::Hands;
use crate::community::{Community, CommunityError, Snapshot};
use crate::config::Config;
use crate::connections::Connections;
use crate::fanout::{ConnId, Fanout};
use crate::ratelimit::{CurrentLimits, Limited, Limits};
use crate::reads::ReadGate;
use crate::shares::PerIp;
use crate::store::{self, Store, StoreError};
use crate::writer::Writer;

pub use crate::dates::unix_now;

/// Why the relay could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Community(#[from] CommunityError),
    #[error(transparent)]
    Cluster(#[from] ClusterError),
    #[error(
        "another relay is already serving from {0} (it holds {0}/relay.lock); stop it first, or \
         start this one with another --data-dir"
    )]
    DataDirInUse(String),
    #[error("cannot read the chat app in {0}: {1}")]
    ClientApp(String, std::io::Error),
    #[error("cannot lock the data directory {0}: {1}")]
    Lock(String, std::io::Error),
    #[error(
        "there is no community in {0} (it has no relay.key): start one there with `communitarium`, \
         or point --data-dir at an existing one; nothing was created"
    )]
    NoCommunity(String),
}

/// Takes the data directory for this process: two relays on one embedded database would each
/// believe they write alone. The lock goes with the process (the OS releases it on exit).
fn lock_data_dir(config: &Config) -> Result<Option<std::fs::File>, StartError> {
    let embedded = config
        .database_url
        .as_deref()
        .is_none_or(|u| u.starts_with("sqlite:"));
    if !embedded {
        return Ok(None);
    }
    let dir = &config.data_dir;
    let shown = dir.display().to_string();
    std::fs::create_dir_all(dir).map_err(|e| StartError::Lock(shown.clone(), e))?;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join("relay.lock"))
        .map_err(|e| StartError::Lock(shown.clone(), e))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Err(StartError::DataDirInUse(shown)),
        Err(std::fs::TryLockError::Error(e)) => Err(StartError::Lock(shown, e)),
    }
}

/// Events the live matcher may fall behind the writers before a poster waits for it.
const FANOUT_QUEUE: usize = 4_096;

/// An IP whose connections were closed for hammering: it waits before reconnecting, longer each
/// time.
struct Penalty {
    until: std::time::Instant,
    offences: u32,
}

/// Shared state of one relay process.
pub struct Relay {
    pub config: Config,
    /// The URL clients reach this relay at; NIP-42 and NIP-62 compare against it.
    pub public_url: String,
    pub store: Arc<dyn Store>,
    pub writer: Writer,
    pub fanout: Arc<Fanout>,
    /// Identity, members and governance.
    pub community: Arc<Community>,
    /// The community's rooms (NIP-29).
    pub rooms: Arc<crate::rooms::RoomService>,
    /// The chat app served from `web.client_dir`, if any.
    pub client_app: Option<Arc<crate::client_app::ClientApp>>,
    /// What governance works with: the narrow handles it gets instead of the relay.
    pub hands: Arc<Hands>,
    /// Where governance hands over what members should hear of.
    pub notices: crate::notices::Notices,
    /// This node's part in a cluster, when several nodes share the database.
    pub cluster: Option<Arc<Cluster>>,
    /// Each address's share of the database's read capacity.
    pub reads: ReadGate,
    /// Rate limiters for the `rate` policy in force.
    limits: Arc<CurrentLimits>,
    /// Open connections per IP.
    per_ip: PerIp,
    /// Filter values held by live subscriptions, per IP.
    pub filter_values: PerIp,
    /// Search filters held by live subscriptions, per IP.
    pub live_searches: PerIp,
    /// Event keys held by open NIP-77 syncs, per address.
    pub sync_keys: Arc<PerIp>,
    penalties: parking_lot::Mutex<HashMap<IpAddr, Penalty>>,
    /// Renders `/metrics`, when a recorder is installed.
    pub metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
    /// Cancelled when the relay shuts down; sessions and background jobs watch it.
    pub shutdown: CancellationToken,
    /// Sessions and their tasks, so shutdown can wait for them.
    pub tasks: TaskTracker,
    /// One permit per open WebSocket connection.
    pub connections: Arc<Semaphore>,
    /// Open connections, so a block can close an address's at once.
    pub open: Arc<Connections>,
    writer_stop: CancellationToken,
    writer_task: parking_lot::Mutex<Option<JoinHandle<()>>>,
    /// Held while this process serves an embedded database.
    _data_lock: Option<std::fs::File>,
}

impl Relay {
    /// Opens storage, loads (or founds) the community, and starts the writer and background
    /// jobs. `bound` is the listener's address, which names the relay when no public URL is
    /// configured.
    pub async fn start(
        config: Config,
        bound: SocketAddr,
        metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
    ) -> Result<Arc<Self>, StartError> {
        let data_lock = lock_data_dir(&config)?;
        let (cluster, claim) = claim(&config).await?;
        let options = store::Options {
            announce: cluster.as_ref().map(|c| c.token.clone()),
            ..config.store_options()
        };
        let store = store::open(config.database_url.as_deref(), &config.data_dir, options).await?;
        let writer_stop = CancellationToken::new();
        let (writer, writer_task) = Writer::spawn(
            store.clone(),
            config.server.write_batch as usize,
            writer_stop.clone(),
        );
        let public_url = config
            .public_url
            .clone()
            .unwrap_or_else(|| format!("ws://{bound}"));
        let community = Community::start(
            &store,
            &writer,
            &config,
            public_url.clone(),
            unix_now(),
            cluster.clone(),
        )
        .await?;
        let rooms = Arc::new(crate::rooms::RoomService::load(&*store, unix_now()).await?);
        let client_app = match &config.web.client_dir {
            Some(dir) => Some(Arc::new(
                crate::client_app::ClientApp::load(dir, &public_url)
                    .map_err(|e| StartError::ClientApp(dir.display().to_string(), e))?,
            )),
            None => None,
        };
        let limits = Arc::new(CurrentLimits::new(&community.snapshot().policy.rate));
        let (notices, pending) = crate::notices::Notices::new();
        let (fanout, queue) = Fanout::queued(FANOUT_QUEUE);
        let fanout = Arc::new(fanout);
        let (open, shutdown, tasks) =
            (Arc::default(), CancellationToken::new(), TaskTracker::new());
        let hands = Arc::new(Hands {
            config: config.clone(),
            public_url: public_url.clone(),
            store: store.clone(),
            writer: writer.clone(),
            fanout: fanout.clone(),
            notices: notices.clone(),
            open: Arc::clone(&open),
            limits: limits.clone(),
            tasks: tasks.clone(),
            shutdown: shutdown.clone(),
        });
        let relay = Arc::new(Self {
            reads: ReadGate::new(config.server.queries_per_ip),
            connections: Arc::new(Semaphore::new(config.server.max_connections as usize)),
            config,
            public_url,
            store,
            writer,
            fanout: fanout.clone(),
            community: Arc::new(community),
            rooms,
            client_app,
            hands,
            notices,
            cluster,
            limits,
            per_ip: PerIp::default(),
            filter_values: PerIp::default(),
            live_searches: PerIp::default(),
            sync_keys: Arc::default(),
            penalties: Default::default(),
            metrics,
            open,
            shutdown,
            tasks,
            writer_stop,
            writer_task: parking_lot::Mutex::new(Some(writer_task)),
            _data_lock: data_lock,
        });
        // The rooms' lists are signed before the first client connects (then kept true by a
        // chore on the leader).
        let snapshot = relay.snapshot();
        if !snapshot.roster.is_empty() && relay.cluster.is_none() {
            let keys = relay.community.keys();
            relay
                .rooms
                .relist_due(&relay.hands, keys, snapshot, unix_now())
                .await;
        }
        spawn_chores(&relay, queue, pending, claim);
        if let Some(cluster) = &relay.cluster {
            follow_the_cluster(&relay, cluster);
        }
        Ok(relay)
    }

    /// Does this process run the relay's chores (closing proposals, sweeping expired events)?
    /// Alone, always; in a cluster, while it leads.
    pub fn leads(&self) -> bool {
        self.cluster.as_ref().is_none_or(|c| c.is_leader())
    }

    /// The policy and membership in force now.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.community.snapshot()
    }

    /// The rate limiters for the policy in force, rebuilt when members change `rate.*`.
    pub fn limits(&self) -> Arc<Limits> {
        self.limits.get(&self.snapshot().policy.rate)
    }

    /// May a new connection from `ip` open? Checks the address's backoff, its open connections
    /// and its rate of new connections.
    pub fn may_connect(&self, ip: &IpAddr) -> Result<(), Limited> {
        let refuse = |limit, message: &'static str| Limited {
            limit,
            reason: nips::Reason::rate_limited(message),
        };
        if let Some(p) = self.penalties.lock().get(ip)
            && p.until > std::time::Instant::now()
        {
            return Err(refuse(
                "ip_backoff",
                "your address was disconnected for flooding; wait before reconnecting",
            ));
        }
        let cap = self.snapshot().policy.rate.connections_per_ip as usize;
        if cap > 0 && self.per_ip.get(ip) >= cap {
            return Err(refuse(
                "connections_per_ip",
                "too many open connections from your address",
            ));
        }
        self.limits().connect(ip)
    }

    /// Makes `ip` wait before reconnecting: `rate.ip_backoff`, doubling with each offence in
    /// the last hour (at most 64 times).
    pub fn penalize(&self, ip: &IpAddr) {
        let base = self.snapshot().policy.rate.ip_backoff;
        if base == 0 {
            return;
        }
        let now = std::time::Instant::now();
        let mut penalties = self.penalties.lock();
        penalties.retain(|_, p| p.until + Duration::from_secs(3_600) > now);
        let p = penalties.entry(*ip).or_insert(Penalty {
            until: now,
            offences: 0,
        });
        p.offences = (p.offences + 1).min(7);
        p.until = now + Duration::from_secs(base << (p.offences - 1));
        metrics::counter!("communitarium_ip_backoffs_total").increment(1);
        tracing::info!(%ip, offences = p.offences, "address backed off for flooding");
    }

    /// Registers a connection from `ip`; `close` ends it.
    pub fn register(&self, conn: ConnId, ip: IpAddr, close: CancellationToken) {
        self.open.register(conn, ip, close);
        self.per_ip.try_add(ip, 1, 0);
        metrics::gauge!("communitarium_connections").increment(1.0);
    }

    pub fn unregister(&self, conn: ConnId) {
        if let Some(ip) = self.open.unregister(conn) {
            self.per_ip.release(ip, 1);
        }
        metrics::gauge!("communitarium_connections").decrement(1.0);
    }

    /// Closes every connection from `ip` (it was just blocked).
    pub fn disconnect_ip(&self, ip: &IpAddr) {
        self.open.disconnect_ip(ip);
    }

    /// A fresh connection id.
    pub fn next_conn_id(&self) -> ConnId {
        self.open.next_id()
    }

    /// Ends every session, lets in-flight writes commit, stops the writer and closes storage.
    pub async fn shut_down(&self, grace: Duration) {
        self.shutdown.cancel();
        self.tasks.close();
        if tokio::time::timeout(grace, self.tasks.wait())
            .await
            .is_err()
        {
            tracing::warn!("some sessions did not finish within {grace:?}");
        }
        self.writer_stop.cancel();
        let task = self.writer_task.lock().take();
        if let Some(task) = task {
            let _ = task.await;
        }
        self.store.close().await;
    }
}

/// Joins the cluster (with a node id) or claims the database alone (PostgreSQL without one);
/// the embedded store needs no claim, its file is this process's own.
async fn claim(
    config: &Config,
) -> Result<
    (
        Option<Arc<Cluster>>,
        Option<(presence::Claim, sqlx::postgres::PgConnectOptions)>,
    ),
    StartError,
> {
    let Some(url) = config
        .database_url
        .as_deref()
        .filter(|u| u.starts_with("postgres"))
    else {
        return Ok((None, None));
    };
    let options: sqlx::postgres::PgConnectOptions = url
        .parse()
        .map_err(|e| StartError::Cluster(ClusterError::Database(e)))?;
    match &config.cluster.node_id {
        Some(id) => {
            let (cluster, claim) = Cluster::join(url, id).await?;
            Ok((Some(cluster), Some((claim, options))))
        }
        None => {
            let claim = presence::Claim::sole(&options).await?;
            Ok((None, Some((claim, options))))
        }
    }
}

/// Closes proposals whose voting window has ended; decisions follow within a second.
async fn proposal_closer(relay: Arc<Relay>) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut ticks: u64 = 0;
    loop {
        tokio::select! {
            () = relay.shutdown.cancelled() => return,
            _ = tick.tick() => {}
        }
        // Every node shows the community's size; every few seconds is enough for a dashboard.
        if ticks.is_multiple_of(5) {
            let (open, _) = relay.community.open_counts().await;
            crate::meters::community(relay.snapshot().roster.len(), open);
        }
        ticks = ticks.wrapping_add(1);
        if relay.leads() {
            relay.community.close_due(&relay.hands, unix_now()).await;
            relay.community.remind_due(&relay.hands, unix_now()).await;
            relay.community.relist_due(&relay.hands, unix_now()).await;
            let snapshot = relay.snapshot();
            if !snapshot.roster.is_empty() {
                let keys = relay.community.keys();
                relay
                    .rooms
                    .relist_due(&relay.hands, keys, snapshot, unix_now())
                    .await;
            }
        }
    }
}

/// Forgets rate-limit keys that are back to full, every ten seconds, so memory stays flat.
async fn limit_pruner(relay: Arc<Relay>) {
    let mut tick = tokio::time::interval(Duration::from_secs(10));
    loop {
        tokio::select! {
            () = relay.shutdown.cancelled() => return,
            _ = tick.tick() => {}
        }
        let limits = relay.limits();
        limits.prune();
        if let Some(cluster) = &relay.cluster {
            let now = unix_now();
            let window = relay.snapshot().policy.rate.target.window.max(1);
            let bucket = i64::try_from(now - now % window).unwrap_or(i64::MAX);
            cluster.caps.forget_before(bucket);
            if cluster.is_leader()
                && let Err(e) = cluster.prune(now, window).await
            {
                tracing::warn!(error = %e, "could not prune the cluster's shared tables");
            }
        }
        metrics::gauge!("communitarium_rate_limit_keys").set(limits.keys() as f64);
        relay.reads.prune();
    }
}

/// While the database is down (and so refused without trying), asks it again and again (every
/// quarter second at first, at most every second), and marks it up as soon as it answers:
/// reconnection needs no restart.
async fn database_prober(relay: Arc<Relay>) {
    let health = relay.store.health();
    loop {
        if !health.refuses() {
            tokio::select! {
                () = relay.shutdown.cancelled() => return,
                () = health.went_down() => {}
                // A missed wake-up costs at most this much.
                () = tokio::time::sleep(Duration::from_secs(5)) => continue,
            }
        }
        let mut wait = Duration::from_millis(250);
        while health.refuses() {
            tokio::select! {
                () = relay.shutdown.cancelled() => return,
                () = tokio::time::sleep(wait) => {}
            }
            match relay.store.ping().await {
                Ok(()) => health.mark_up(),
                Err(e) => tracing::debug!(error = %e, "the database is still unavailable"),
            }
            wait = (wait * 2).min(Duration::from_secs(1));
        }
    }
}

/// Deletes expired events periodically (NIP-40); queries never serve them in between.
async fn expiration_sweeper(relay: Arc<Relay>) {
    let every = Duration::from_secs(relay.config.server.expiration_sweep_secs);
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = relay.shutdown.cancelled() => return,
            _ = tick.tick() => {}
        }
        if !relay.leads() {
            continue;
        }
        match relay.store.purge_expired(unix_now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(purged = n, "deleted expired events"),
            Err(e) => tracing::warn!(error = %e, "expiration sweep failed"),
        }
    }
}

/// Rebuilds the search index in the background when the relay indexes other kinds or another
/// language than it was built for (or was built by a version without search). Searches run
/// meanwhile find what is indexed so far.
async fn search_reindexer(relay: Arc<Relay>) {
    // In a cluster the leader rebuilds; the others would only repeat its work.
    while !relay.leads() {
        tokio::select! {
            () = relay.shutdown.cancelled() => return,
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
    }
    let started = std::time::Instant::now();
    tokio::select! {
        () = relay.shutdown.cancelled() => {}
        done = relay.store.reindex_search() => match done {
            Ok(None) => {}
            Ok(Some(n)) => tracing::info!(
                events = n,
                seconds = started.elapsed().as_secs(),
                "search index rebuilt"
            ),
            Err(e) => tracing::warn!(error = %e, "could not rebuild the search index; it rebuilds at the next start"),
        },
    }
}

/// The relay's background work: the live matcher, members' notices, expiry, closing
/// proposals, pruning limiters, probing the database, reindexing search and, on a cluster
/// node, keeping its presence.
fn spawn_chores(
    relay: &Arc<Relay>,
    queue: crate::fanout::Queue,
    pending: crate::notices::Pending,
    claim: Option<(presence::Claim, sqlx::postgres::PgConnectOptions)>,
) {
    let stop = relay.shutdown.clone();
    relay
        .tasks
        .spawn(crate::fanout::dispatch(relay.fanout.clone(), queue, stop));
    let stop = relay.shutdown.clone();
    relay.tasks.spawn(crate::notices::run(
        Arc::new(crate::notices::Sender {
            community: relay.community.clone(),
            hands: relay.hands.clone(),
        }),
        pending,
        stop,
    ));
    relay.tasks.spawn(expiration_sweeper(relay.clone()));
    relay.tasks.spawn(proposal_closer(relay.clone()));
    relay.tasks.spawn(limit_pruner(relay.clone()));
    relay.tasks.spawn(database_prober(relay.clone()));
    relay.tasks.spawn(search_reindexer(relay.clone()));
    if let Some((claim, options)) = claim {
        let stop = relay.shutdown.clone();
        relay
            .tasks
            .spawn(presence::keep(claim, relay.cluster.clone(), options, stop));
    }
}

/// On a node of a cluster: delivers what the other nodes commit to this node's subscribers,
/// and reloads the community's state when another node changed it.
fn follow_the_cluster(relay: &Arc<Relay>, cluster: &Arc<Cluster>) {
    let wake = Arc::new(tokio::sync::Notify::new());
    let community = relay.community.clone();
    let local = Arc::new(crate::cluster::feed::Local {
        store: relay.store.clone(),
        fanout: relay.fanout.clone(),
        visibility: Box::new(move || community.snapshot().policy.visibility),
        shutdown: relay.shutdown.clone(),
    });
    let feed = crate::cluster::feed::listen(local, cluster.clone(), wake.clone());
    relay.tasks.spawn(feed);
    let (community, hands) = (relay.community.clone(), relay.hands.clone());
    let rooms = relay.rooms.clone();
    relay.tasks.spawn(crate::cluster::feed::reload(
        relay.shutdown.clone(),
        wake,
        move || {
            let (community, hands, rooms) = (community.clone(), hands.clone(), rooms.clone());
            async move {
                if let Err(e) = community.refresh(&hands).await {
                    tracing::warn!(error = %e, "could not reload the community's state");
                }
                if let Err(e) = rooms.refresh(&*hands.store, false).await {
                    tracing::warn!(error = %e, "could not read the rooms again");
                }
            }
        },
    ));
    tracing::info!(node = %cluster.node_id, "joined the cluster");
}
