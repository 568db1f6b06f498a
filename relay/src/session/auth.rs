//! `AUTH` (NIP-42): a signed answer to the connection's challenge authenticates its key.

use std::sync::Arc;

use nips::message::relay as msg;
use nips::{Event, nip42};

use super::Session;
use crate::relay::unix_now;

impl Session {
    pub(super) async fn auth(&mut self, event: Event) {
        let id = event.id;
        let checked = event.verify().map_err(|e| e.to_string()).and_then(|()| {
            nip42::check(&event, &self.challenge, &self.relay.public_url, unix_now())
                .map_err(|e| e.to_string())
        });
        match checked {
            Ok(()) => {
                if !self.authed.contains(&event.pubkey) {
                    let mut keys = self.authed.to_vec();
                    keys.push(event.pubkey);
                    self.authed = Arc::from(keys);
                }
                tracing::debug!(conn = self.conn, pubkey = %event.pubkey, "authenticated");
                self.send(msg::ok(&id, true, "")).await;
            }
            Err(problem) => {
                self.send(msg::ok(&id, false, &format!("invalid: {problem}")))
                    .await;
            }
        }
    }
}
