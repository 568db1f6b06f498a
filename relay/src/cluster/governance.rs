//! The governance lock: every change of the community's state (a decision, a member joining,
//! a proposal or a vote accepted) happens inside a transaction holding one advisory lock, so
//! changes are made one at a time across the cluster and the decision chain cannot fork. The
//! holder reads the state's generations under the lock, so it knows whether its copy of the
//! state is current before it changes it, and moves them before it writes.

use std::sync::Arc;

use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use tokio::sync::{Mutex, OwnedMutexGuard};

use super::{ClusterError, GOVERNANCE, SPACE};

/// The channel generation changes are announced on.
pub const STATE_CHANNEL: &str = "communitarium_state";

/// How long a node waits for the governance lock before answering `error:`.
const LOCK_TIMEOUT: &str = "10s";

/// How far the community's state has moved: `ledger` with each decision or membership change,
/// `open` with each proposal or vote accepted (and each close).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Generations {
    pub ledger: i64,
    pub open: i64,
}

/// How much of a node's state must be rebuilt to catch up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stale {
    /// Open proposals and their votes.
    Open,
    /// Everything: the ledger, membership, bans, blocked addresses, and open proposals.
    Ledger,
}

impl Generations {
    /// What must be reloaded to go from `self` to `current`.
    pub fn stale(&self, current: &Generations) -> Option<Stale> {
        if self.ledger != current.ledger {
            Some(Stale::Ledger)
        } else if self.open != current.open {
            Some(Stale::Open)
        } else {
            None
        }
    }

    /// Reads the generations on `conn`.
    pub async fn read(conn: &mut PgConnection) -> Result<Self, sqlx::Error> {
        let rows: Vec<(String, i64)> = sqlx::query_as("SELECT name, value FROM cluster_state")
            .fetch_all(conn)
            .await?;
        Ok(Self::from_rows(rows))
    }

    fn from_rows(rows: Vec<(String, i64)>) -> Self {
        let mut g = Self::default();
        for (name, value) in rows {
            match name.as_str() {
                "ledger" => g.ledger = value,
                "open" => g.open = value,
                _ => {}
            }
        }
        g
    }
}

struct Inner {
    conn: Option<PgConnection>,
    /// The generations this node's state reflects.
    known: Generations,
}

/// The lock, with the connection that takes it.
pub struct GovLock {
    options: PgConnectOptions,
    inner: Arc<Mutex<Inner>>,
}

impl GovLock {
    pub(super) fn new(options: PgConnectOptions) -> Self {
        Self {
            options,
            inner: Arc::new(Mutex::new(Inner {
                conn: None,
                known: Generations::default(),
            })),
        }
    }

    /// Takes the lock (waiting for another node's change to finish) and reads where the
    /// state stands.
    pub async fn acquire(&self) -> Result<GovGuard, ClusterError> {
        let mut inner = self.inner.clone().lock_owned().await;
        let conn = match inner.conn.take() {
            Some(conn) => conn,
            None => PgConnection::connect_with(&self.options).await?,
        };
        let mut conn = conn;
        match lock_and_read(&mut conn).await {
            Ok(current) => {
                inner.conn = Some(conn);
                Ok(GovGuard {
                    inner: Some(inner),
                    current,
                })
            }
            // A lock wait over the timeout, or a lost connection: either way this connection
            // is dropped (rolling back) and the next attempt starts afresh.
            Err(e) if is_lock_timeout(&e) => Err(ClusterError::Busy),
            Err(e) => Err(ClusterError::Database(e)),
        }
    }

    /// The generations this node's state reflects.
    pub async fn known(&self) -> Generations {
        self.inner.lock().await.known
    }
}

fn is_lock_timeout(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .and_then(|d| d.code())
        .is_some_and(|c| c == "55P03")
}

async fn lock_and_read(conn: &mut PgConnection) -> Result<Generations, sqlx::Error> {
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "BEGIN; SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"
    )))
    .execute(&mut *conn)
    .await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1, $2)")
        .bind(SPACE)
        .bind(GOVERNANCE)
        .execute(&mut *conn)
        .await?;
    // A statement after the lock: its snapshot sees every change made before the lock was
    // granted.
    Generations::read(conn).await
}

/// The held lock. Dropping it releases the lock; the next holder on this node waits for the
/// release.
pub struct GovGuard {
    inner: Option<OwnedMutexGuard<Inner>>,
    /// Where the database said the state stood when the lock was granted.
    pub current: Generations,
}

impl GovGuard {
    /// What this node must reload before changing anything.
    pub fn stale(&self) -> Option<Stale> {
        let known = self.inner.as_ref().map(|i| i.known).unwrap_or_default();
        known.stale(&self.current)
    }

    /// This node's state now reflects the database.
    pub fn caught_up(&mut self) {
        if let Some(inner) = &mut self.inner {
            inner.known = self.current;
        }
    }
}

/// Moves generation `level` forward, committed at once: called *before* the holder writes
/// what changes the state, so a holder that dies mid-change still leaves the others knowing
/// that they must reload.
pub async fn bump(pool: &sqlx::PgPool, level: Stale) -> Result<(), sqlx::Error> {
    let name = match level {
        Stale::Ledger => "ledger",
        Stale::Open => "open",
    };
    sqlx::query("UPDATE cluster_state SET value = value + 1 WHERE name = $1")
        .bind(name)
        .execute(pool)
        .await
        .map(|_| ())
}

impl Drop for GovGuard {
    fn drop(&mut self) {
        let Some(mut inner) = self.inner.take() else {
            return;
        };
        let before = self.current;
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        runtime.spawn(async move {
            let Some(mut conn) = inner.conn.take() else {
                return;
            };
            match release(&mut conn, before).await {
                Ok(g) => {
                    inner.known = g;
                    inner.conn = Some(conn);
                }
                Err(e) => tracing::warn!(error = %e, "could not release the governance lock cleanly; its connection is closed"),
            }
        });
    }
}

/// Reads the generations (every bump since the lock was granted is this holder's), announces
/// them if they moved, and commits, which releases the lock.
async fn release(conn: &mut PgConnection, before: Generations) -> Result<Generations, sqlx::Error> {
    let now = Generations::read(conn).await?;
    if now != before {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(STATE_CHANNEL)
            .bind(format!("{}:{}", now.ledger, now.open))
            .execute(&mut *conn)
            .await?;
    }
    sqlx::raw_sql("COMMIT").execute(&mut *conn).await?;
    Ok(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staleness_prefers_the_ledger() {
        let a = Generations { ledger: 1, open: 1 };
        assert_eq!(a.stale(&a), None);
        assert_eq!(
            a.stale(&Generations { ledger: 1, open: 2 }),
            Some(Stale::Open)
        );
        assert_eq!(
            a.stale(&Generations { ledger: 2, open: 2 }),
            Some(Stale::Ledger)
        );
        assert_eq!(
            a.stale(&Generations { ledger: 2, open: 1 }),
            Some(Stale::Ledger)
        );
    }
}
