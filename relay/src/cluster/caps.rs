//! Per-target caps across nodes. Each node keeps its own limiters (they bound how fast one
//! node takes hits), and the cap on a target per window is counted in a shared row. Asking
//! the database for every reaction would make every reaction a write, so a node grants the
//! first `cap / (4·nodes)` hits on a target per window on its own, then leases permits from
//! the row in chunks of `cap / (8·nodes)`, reporting its own grants with its first lease.
//!
//! Bounds, per target and window: nodes that never lease have granted at most
//! `(nodes - 1) · cap / (4·nodes)` unreported hits, so at most `cap × 1.25` hits are
//! accepted cluster-wide; permits leased and unused are at most `cap / 8`.

use std::collections::HashMap;

use governance::rate::{Sort, TargetCaps, targets};
use nips::Event;
use parking_lot::Mutex;
use sqlx::PgPool;

/// A target, its sort and its tier (members or not).
type Key = [u8; 34];

#[derive(Debug, Default)]
struct Lease {
    /// Hits granted without asking, not yet reported to the shared row.
    unreported: u32,
    /// Hits granted without asking in all.
    free_used: u32,
    /// Whether this node has leased for the target in this window (and so reported).
    leased: bool,
    /// Permits leased and not yet used.
    remaining: u32,
}

/// This node's view of the shared caps.
#[derive(Default)]
pub struct SharedCaps {
    leases: Mutex<HashMap<(Key, i64), Lease>>,
}

fn key(sort: Sort, member: bool, target: &[u8; 32]) -> Key {
    let mut k = [0u8; 34];
    k[0] = Sort::ALL.iter().position(|s| *s == sort).unwrap_or(0) as u8;
    k[1] = u8::from(member);
    k[2..].copy_from_slice(target);
    k
}

/// What a node may do on its own for a cap of `cap` among `nodes` nodes: grant `free`, then
/// lease `chunk` at a time.
pub fn shares(cap: u32, nodes: u32) -> (u32, u32) {
    let nodes = nodes.max(1);
    (cap / (4 * nodes), (cap / (8 * nodes)).max(1))
}

impl SharedCaps {
    /// Checks `event`'s targets against the caps of `caps`, counted across `nodes` nodes.
    /// `Err` names the sort and target whose cap is reached. A database failure lets the
    /// event through (the node's own limiters still hold) and is logged.
    pub async fn check(
        &self,
        pool: &PgPool,
        caps: &TargetCaps,
        nodes: u32,
        event: &Event,
        member: bool,
        now: u64,
    ) -> Result<(), (Sort, [u8; 32])> {
        let window = caps.window.max(1);
        let bucket = i64::try_from(now - now % window).unwrap_or(i64::MAX);
        for (sort, target) in targets(event) {
            let cap = caps.get(sort).for_member(member);
            if cap == 0 {
                continue;
            }
            match self
                .take(pool, key(sort, member, &target), bucket, cap, nodes)
                .await
            {
                Ok(true) => {}
                Ok(false) => return Err((sort, target)),
                Err(e) => tracing::warn!(error = %e, "could not count a target across nodes"),
            }
        }
        Ok(())
    }

    /// One hit on `key` in `bucket`: granted from the free share, from leased permits, or
    /// from a new lease.
    async fn take(
        &self,
        pool: &PgPool,
        key: Key,
        bucket: i64,
        cap: u32,
        nodes: u32,
    ) -> Result<bool, sqlx::Error> {
        let (free, chunk) = shares(cap, nodes);
        let report = {
            let mut leases = self.leases.lock();
            let lease = leases.entry((key, bucket)).or_default();
            if !lease.leased && lease.free_used < free {
                lease.free_used += 1;
                lease.unreported += 1;
                return Ok(true);
            }
            if lease.remaining > 0 {
                lease.remaining -= 1;
                return Ok(true);
            }
            std::mem::take(&mut lease.unreported)
        };
        let granted = lease(pool, &key, bucket, report + chunk, cap).await?;
        let mut leases = self.leases.lock();
        let lease = leases.entry((key, bucket)).or_default();
        lease.leased = true;
        lease.remaining += granted.saturating_sub(report);
        if lease.remaining == 0 {
            return Ok(false);
        }
        lease.remaining -= 1;
        Ok(true)
    }

    /// Forgets leases of windows before `bucket`.
    pub fn forget_before(&self, bucket: i64) {
        self.leases.lock().retain(|(_, b), _| *b >= bucket);
    }

    /// Deletes shared rows of windows that ended `window` seconds ago or more.
    pub async fn prune(&self, pool: &PgPool, now: u64, window: u64) -> Result<(), sqlx::Error> {
        let cutoff = i64::try_from(now.saturating_sub(2 * window.max(1))).unwrap_or(i64::MAX);
        sqlx::query("DELETE FROM cluster_target_use WHERE bucket < $1")
            .bind(cutoff)
            .execute(pool)
            .await
            .map(|_| ())
    }
}

/// Adds up to `want` to the shared count, never past `cap`; returns how much was added.
async fn lease(
    pool: &PgPool,
    key: &Key,
    bucket: i64,
    want: u32,
    cap: u32,
) -> Result<u32, sqlx::Error> {
    sqlx::query("INSERT INTO cluster_target_use (key, bucket, used) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING")
        .bind(key.as_slice())
        .bind(bucket)
        .execute(pool)
        .await?;
    let row: Option<(i32, i32)> = sqlx::query_as(
        "UPDATE cluster_target_use t SET used = LEAST(t.used + $3, $4) \
         FROM (SELECT used AS old FROM cluster_target_use WHERE key = $1 AND bucket = $2 FOR UPDATE) o \
         WHERE t.key = $1 AND t.bucket = $2 RETURNING o.old, t.used",
    )
    .bind(key.as_slice())
    .bind(bucket)
    .bind(i32::try_from(want).unwrap_or(i32::MAX))
    .bind(i32::try_from(cap).unwrap_or(i32::MAX))
    .fetch_optional(pool)
    .await?;
    Ok(row.map_or(0, |(old, new)| u32::try_from(new - old).unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_shrink_with_nodes_and_never_reach_zero_leases() {
        assert_eq!(shares(1_000, 1), (250, 125));
        assert_eq!(shares(1_000, 4), (62, 31));
        assert_eq!(shares(50, 10), (1, 1));
        assert_eq!(shares(3, 3), (0, 1));
        // The unreported bound: (nodes - 1) free shares stay within a quarter of the cap.
        for nodes in 1..50 {
            for cap in [1u32, 3, 50, 200, 1_000] {
                let (free, _) = shares(cap, nodes);
                assert!((nodes - 1) * free <= cap / 4 + 1);
            }
        }
    }
}
