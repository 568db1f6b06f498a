//! Several nodes on one PostgreSQL database, made one relay by PostgreSQL itself: advisory
//! locks say who runs (and who leads), `LISTEN/NOTIFY` carries committed events and changes of
//! the community's state between nodes, and shared rows hold what must be counted once.
//! Nothing here votes or elects by itself.
//!
//! - [`presence`]: each node's claim on the database, and the leader lock.
//! - [`governance`]: the lock every change of the community takes, and the generations that
//!   tell a node its copy of the state is old.
//! - [`caps`]: per-target caps counted across nodes.

pub mod caps;
pub mod feed;
pub mod governance;
pub mod presence;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

pub use governance::{Generations, GovGuard};

/// The advisory lock space of this relay (`pg_advisory_lock(SPACE, n)`).
const SPACE: i32 = 0x4367_5f31;
/// Shared by every node of a cluster; a relay running alone holds it exclusively.
const NODES: i32 = 1;
/// Held by the leader.
const LEADER: i32 = 2;
/// Held (per transaction) by whoever changes the community's state.
const GOVERNANCE: i32 = 3;
/// The space of node-id locks (`pg_advisory_lock(NODE_IDS, hashtext(node_id))`).
const NODE_IDS: i32 = SPACE + 1;

/// Why a node cannot join (or run alone on) its database.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("cannot reach the database for cluster coordination: {0}")]
    Database(sqlx::Error),
    #[error("{}", crate::store::missing_database_text(.0))]
    NoDatabase(String),
    #[error(
        "another relay runs on this database without a node id; stop it, or give every relay \
         sharing the database its own --node-id"
    )]
    SoleRelayRunning,
    #[error(
        "nodes of a cluster run on this database; give this relay a --node-id to join them \
         (or use another database)"
    )]
    ClusterRunning,
    #[error(
        "another relay uses this database; stop it first, or give this one another \
         --database-url"
    )]
    AnotherRelay,
    #[error("another node with node id `{0}` runs on this database; each node needs its own")]
    DuplicateNodeId(String),
    #[error("the governance lock was not granted in time; try again")]
    Busy,
}

impl From<sqlx::Error> for ClusterError {
    fn from(e: sqlx::Error) -> Self {
        match crate::store::missing_database(&e) {
            Some(name) => ClusterError::NoDatabase(name),
            None => ClusterError::Database(e),
        }
    }
}

/// This process's part in its database's cluster.
pub struct Cluster {
    /// This node's name (`cluster.node_id`).
    pub node_id: String,
    /// Names this process in announcements: the node id and a random suffix, so a restarted
    /// node never mistakes an old announcement for its own.
    pub token: String,
    options: PgConnectOptions,
    /// Short statements: announcing ephemeral events, reading generations, leasing permits.
    pool: PgPool,
    leader: AtomicBool,
    /// Nodes holding the shared claim, as last counted.
    nodes: AtomicU32,
    pub(crate) governance: governance::GovLock,
    pub(crate) caps: caps::SharedCaps,
}

impl Cluster {
    /// Joins the cluster on the database at `url` as `node_id`: fails if a relay runs there
    /// alone, or a node of that name runs already. Returns the node and its claim, which
    /// must be kept (see [`presence::keep`]).
    pub async fn join(
        url: &str,
        node_id: &str,
    ) -> Result<(Arc<Self>, presence::Claim), ClusterError> {
        let options: PgConnectOptions = url.parse()?;
        let claim = presence::Claim::node(&options, node_id).await?;
        let pool = PgPoolOptions::new()
            .max_connections(2)
            .acquire_timeout(std::time::Duration::from_secs(2))
            .connect_with(options.clone())
            .await?;
        let token = format!("{node_id}-{:08x}", rand::random::<u32>());
        let cluster = Arc::new(Self {
            node_id: node_id.to_owned(),
            token,
            governance: governance::GovLock::new(options.clone()),
            caps: caps::SharedCaps::default(),
            options,
            pool,
            leader: AtomicBool::new(false),
            nodes: AtomicU32::new(1),
        });
        Ok((cluster, claim))
    }

    /// Does this node lead (close proposals, sweep expirations, prune shared tables)?
    pub fn is_leader(&self) -> bool {
        self.leader.load(Ordering::Acquire)
    }

    /// Live nodes, as last counted (at least 1).
    pub fn nodes(&self) -> u32 {
        self.nodes.load(Ordering::Relaxed).max(1)
    }

    pub(crate) fn pool(&self) -> &PgPool {
        &self.pool
    }
}
