//! `AUTH` (NIP-42): a signed answer to the connection's challenge authenticates its key.

use std::sync::Arc;

use nips::message::relay as msg;
use nips::{Event, Reason, nip42};

use super::Session;
use crate::relay::unix_now;

/// Keys one connection may authenticate as. Clients use one, multi-account clients a few;
/// each key is checked against the roster on every read and write.
pub const MAX_AUTHED_KEYS: usize = 8;

impl Session {
    pub(super) async fn auth(&mut self, event: Event) {
        let id = event.id;
        match self.check_auth(&event) {
            Ok(()) => {
                if !self.authed.contains(&event.pubkey) {
                    let mut keys = self.authed.to_vec();
                    keys.push(event.pubkey);
                    self.authed = Arc::from(keys);
                    *self.subscriber.authed.write() = self.authed.clone();
                }
                tracing::debug!(conn = self.conn, pubkey = %event.pubkey, "authenticated");
                self.send(msg::ok(&id, true, "")).await;
            }
            Err(reason) => self.send(msg::ok(&id, false, &reason.to_string())).await,
        }
    }

    /// The signature, the challenge and relay URL, and room for one more key.
    fn check_auth(&self, event: &Event) -> Result<(), Reason> {
        event.verify().map_err(|e| Reason::invalid(e.to_string()))?;
        nip42::check(event, &self.challenge, &self.relay.public_url, unix_now())
            .map_err(|e| Reason::invalid(e.to_string()))?;
        if self.authed.len() >= MAX_AUTHED_KEYS && !self.authed.contains(&event.pubkey) {
            return Err(Reason::rate_limited(format!(
                "this connection is authenticated as {MAX_AUTHED_KEYS} keys already; use \
                 another connection"
            )));
        }
        Ok(())
    }
}
