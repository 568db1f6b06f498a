//! What governance needs of the running relay, and nothing more: the store and the writer to
//! record decisions, the fan-out to deliver them live, the channel members' notices go
//! through, the open connections (a block closes an address's at once), the task tracker and
//! shutdown signal its background work follows, the rate limiters, and the settings it reads. The relay builds
//! one at start; governance never sees the relay itself.

use std::net::IpAddr;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::notice::Notices;
use crate::config::Config;
use crate::connections::Connections;
use crate::fanout::Fanout;
use crate::ratelimit::CurrentLimits;
use crate::store::Store;
use crate::writer::Writer;

/// The narrow handles governance works with.
pub struct Hands {
    pub config: Config,
    /// The URL clients reach this relay at.
    pub public_url: String,
    pub store: Arc<dyn Store>,
    pub writer: Writer,
    pub fanout: Arc<Fanout>,
    pub notices: Notices,
    pub open: Arc<Connections>,
    /// The rate limiters in force (a join request is a candidacy, limited relay-wide).
    pub limits: Arc<CurrentLimits>,
    pub tasks: TaskTracker,
    pub shutdown: CancellationToken,
}

impl Hands {
    /// Closes every connection from `ip` (it was just blocked).
    pub fn disconnect_ip(&self, ip: &IpAddr) {
        self.open.disconnect_ip(ip);
    }
}
