//! End-to-end tests: each starts the real `communitarium` binary on an ephemeral port (SQLite
//! and PostgreSQL alike) and speaks to it as a client — nostr-sdk where a real client can say
//! it, a bare WebSocket where the test needs to send what no client would.

// Test code: failing loudly is the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../support/db.rs"]
mod db;
mod gov;
mod governance;
mod harness;
mod hostile_peers;
mod pgcluster;
mod raw;
mod sdk;

mod auth;
mod bad_input;
mod ballots;
mod banlist;
mod browser;
mod closes;
mod cluster;
mod count;
pub mod decision_effects;
mod defaults;
mod deletion;
mod electorate;
mod expiration;
mod fairness;
mod flotilla;
mod founding;
mod grace;
mod guard_rails;
mod hostile;
mod info;
mod lifecycle;
mod live_search;
mod management;
mod membership;
mod nip01;
mod node;
mod norms;
mod notices;
mod operator;
mod outage;
mod page_flood;
mod page_reads;
mod ratelimits;
mod replicas;
mod rooms;
mod search;
mod security;
mod sync;
mod telemetry;
pub mod transfer;
mod vanish;
mod verify;

use nips::{Event, Keys};

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs()
}

/// Signs an event with `nips` (for the bare-WebSocket tests).
pub fn sign(keys: &Keys, created_at: u64, kind: u16, tags: &[&[&str]], content: &str) -> Event {
    let tags = tags
        .iter()
        .map(|t| t.iter().map(|s| s.to_string()).collect())
        .collect();
    keys.sign(created_at, kind, tags, content.to_string())
}
