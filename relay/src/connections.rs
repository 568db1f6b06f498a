//! The open WebSocket connections, by id, so that a block decided by the community closes an
//! address's connections at once. Governance holds this registry, not the whole relay.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio_util::sync::CancellationToken;

use crate::fanout::ConnId;

/// A live connection: its address, and the token that ends it.
struct Connection {
    ip: IpAddr,
    close: CancellationToken,
}

/// Every open connection of this process.
#[derive(Default)]
pub struct Connections {
    next: AtomicU64,
    by_id: parking_lot::Mutex<HashMap<ConnId, Connection>>,
}

impl Connections {
    /// A fresh connection id (from 1).
    pub fn next_id(&self) -> ConnId {
        self.next.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Registers connection `conn` from `ip`; `close` ends it.
    pub fn register(&self, conn: ConnId, ip: IpAddr, close: CancellationToken) {
        self.by_id.lock().insert(conn, Connection { ip, close });
    }

    /// Forgets `conn`, returning its address if it was registered.
    pub fn unregister(&self, conn: ConnId) -> Option<IpAddr> {
        self.by_id.lock().remove(&conn).map(|c| c.ip)
    }

    /// Closes every connection from `ip` (it was just blocked).
    pub fn disconnect_ip(&self, ip: &IpAddr) {
        for c in self.by_id.lock().values().filter(|c| c.ip == *ip) {
            c.close.cancel();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_closes_only_that_address() {
        let open = Connections::default();
        let (a, b) = (CancellationToken::new(), CancellationToken::new());
        let (ip_a, ip_b): (IpAddr, IpAddr) =
            ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        let (first, second) = (open.next_id(), open.next_id());
        assert_ne!(first, second);
        open.register(first, ip_a, a.clone());
        open.register(second, ip_b, b.clone());
        open.disconnect_ip(&ip_a);
        assert!(a.is_cancelled() && !b.is_cancelled());
        assert_eq!(open.unregister(first), Some(ip_a));
        assert_eq!(open.unregister(first), None);
    }
}
