//! Communitarium: a Nostr relay that its community governs itself.
//!
//! The library holds everything with IO: storage, the WebSocket sessions, HTTP, limits and the
//! binary's commands. Protocol rules live in `nips`, policy in `governance`.

pub mod caller;
pub mod cli;
pub mod client_app;
pub mod cluster;
pub mod commands;
pub mod community;
pub mod config;
pub mod connections;
pub mod dates;
pub mod fanout;
pub mod http;
pub mod ingest;
pub mod meters;
pub mod notices;
pub mod peer;
pub mod ratelimit;
pub mod reads;
pub mod relay;
pub mod rooms;
pub mod server;
pub mod session;
pub mod shares;
pub mod sigcheck;
pub mod sockets;
pub mod sync;
pub mod telemetry;
pub mod transfer;
pub mod verify;
pub mod web;
pub mod writer;

/// Event storage lives in its own crate; `crate::store` names it here.
pub use store;
