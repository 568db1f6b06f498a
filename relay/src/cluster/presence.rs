//! A node's presence on its database: a session-level advisory lock that PostgreSQL releases
//! the moment the node's connection ends (a crash, `kill -9`, a lost network), so a claim can
//! never outlive its node. The same connection tries for the leader lock every second.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use tokio_util::sync::CancellationToken;

use super::{Cluster, ClusterError, LEADER, NODE_IDS, NODES, SPACE};

/// How often the claim is checked, nodes counted and leadership sought: a dead leader is
/// replaced within about this (plus the server noticing the dead connection).
const BEAT: Duration = Duration::from_secs(1);

/// A held claim on the database: its connection holds the locks.
pub struct Claim {
    conn: PgConnection,
    node_id: Option<String>,
}

async fn try_lock(
    conn: &mut PgConnection,
    sql: &str,
    a: i32,
    b: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned())).bind(a);
    let q = match b {
        Some(b) => q.bind(b.to_owned()),
        None => q,
    };
    q.fetch_one(conn).await
}

impl Claim {
    /// Claims a place among the nodes as `node_id`.
    pub async fn node(options: &PgConnectOptions, node_id: &str) -> Result<Self, ClusterError> {
        let mut conn = PgConnection::connect_with(options).await?;
        Self::claim_node(&mut conn, node_id).await?;
        Ok(Self {
            conn,
            node_id: Some(node_id.to_owned()),
        })
    }

    async fn claim_node(conn: &mut PgConnection, node_id: &str) -> Result<(), ClusterError> {
        let shared = format!("SELECT pg_try_advisory_lock_shared({SPACE}, $1)");
        if !try_lock(conn, &shared, NODES, None).await? {
            return Err(ClusterError::SoleRelayRunning);
        }
        let named = "SELECT pg_try_advisory_lock($1, hashtext($2))";
        if !try_lock(conn, named, NODE_IDS, Some(node_id)).await? {
            return Err(ClusterError::DuplicateNodeId(node_id.to_owned()));
        }
        Ok(())
    }

    /// Claims the database for a relay running alone.
    pub async fn sole(options: &PgConnectOptions) -> Result<Self, ClusterError> {
        let mut conn = PgConnection::connect_with(options).await?;
        Self::claim_sole(&mut conn).await?;
        Ok(Self {
            conn,
            node_id: None,
        })
    }

    async fn claim_sole(conn: &mut PgConnection) -> Result<(), ClusterError> {
        let sql = format!("SELECT pg_try_advisory_lock({SPACE}, $1)");
        if try_lock(conn, &sql, NODES, None).await? {
            return Ok(());
        }
        // Held exclusively: another relay alone; shared: the nodes of a cluster.
        let alone: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted \
             AND mode = 'ExclusiveLock' AND classid::int8 = $1 AND objid::int8 = $2 \
             AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))",
        )
        .bind(i64::from(SPACE))
        .bind(i64::from(NODES))
        .fetch_one(&mut *conn)
        .await?;
        Err(match alone {
            true => ClusterError::AnotherRelay,
            false => ClusterError::ClusterRunning,
        })
    }

    /// Claims again on a new connection after the old one was lost (the database restarted).
    async fn renew(&mut self, options: &PgConnectOptions) -> Result<(), ClusterError> {
        let mut conn = PgConnection::connect_with(options).await?;
        match &self.node_id {
            Some(id) => Self::claim_node(&mut conn, id).await?,
            None => Self::claim_sole(&mut conn).await?,
        }
        self.conn = conn;
        Ok(())
    }
}

/// Nodes holding the shared claim now.
const COUNT_NODES: &str = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted \
     AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
     AND classid::int8 = $1 AND objid::int8 = $2 AND objsubid = 2";

/// One beat of a node: count the nodes, and take the leader lock when it is free.
async fn beat(cluster: &Cluster, conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    let nodes: i64 = sqlx::query_scalar(COUNT_NODES)
        .bind(i64::from(SPACE))
        .bind(i64::from(NODES))
        .fetch_one(&mut *conn)
        .await?;
    cluster
        .nodes
        .store(u32::try_from(nodes).unwrap_or(u32::MAX), Ordering::Relaxed);
    metrics::gauge!("communitarium_cluster_nodes").set(nodes as f64);
    if !cluster.is_leader() {
        let sql = format!("SELECT pg_try_advisory_lock({SPACE}, $1)");
        if try_lock(conn, &sql, LEADER, None).await? {
            cluster.leader.store(true, Ordering::Release);
            tracing::info!(node = %cluster.node_id, "this node leads the cluster");
        }
    }
    metrics::gauge!("communitarium_cluster_leader").set(if cluster.is_leader() {
        1.0
    } else {
        0.0
    });
    Ok(())
}

/// Keeps `claim` (and, on a node, seeks leadership) until `stop`. A lost connection ends
/// leadership at once and is claimed again as soon as the database answers.
pub async fn keep(
    mut claim: Claim,
    cluster: Option<Arc<Cluster>>,
    options: PgConnectOptions,
    stop: CancellationToken,
) {
    let mut tick = tokio::time::interval(BEAT);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut lost = false;
    loop {
        tokio::select! {
            () = stop.cancelled() => break,
            _ = tick.tick() => {}
        }
        if lost {
            match claim.renew(&options).await {
                Ok(()) => {
                    lost = false;
                    tracing::info!("database claim renewed");
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot renew this node's claim on the database");
                    continue;
                }
            }
        }
        let alive = match &cluster {
            Some(c) => beat(c, &mut claim.conn).await,
            None => sqlx::query("SELECT 1")
                .execute(&mut claim.conn)
                .await
                .map(|_| ()),
        };
        if let Err(e) = alive {
            lost = true;
            if let Some(c) = &cluster
                && c.leader.swap(false, Ordering::AcqRel)
            {
                tracing::warn!(error = %e, "lost the database connection; no longer leading");
            }
        }
    }
    let _ = claim.conn.close().await;
}
