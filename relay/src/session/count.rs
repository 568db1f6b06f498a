//! `COUNT` (NIP-45): how many stored events match, answered once.

use nips::Filter;
use nips::message::relay as msg;

use super::Session;
use super::access::read_refusal;
use crate::relay::unix_now;
use crate::store::{Reader, StoreError, Wraps};

impl Session {
    pub(super) async fn count(&mut self, sub_id: String, filters: Vec<Filter>) {
        if !self.request_allowed(&sub_id).await {
            return;
        }
        // A search finds only indexed kinds, live as stored.
        let filters: Vec<Filter> = filters
            .into_iter()
            .map(|f| self.relay.config.search.narrow(f))
            .collect();
        let checked = self
            .check_filters(&sub_id, &filters, true)
            .and_then(|()| self.visible(filters, true));
        let filters = match checked {
            Ok(parts) => parts.concat(),
            Err(reason) => {
                self.send(msg::closed(&sub_id, &reason)).await;
                return;
            }
        };
        let relay = self.relay.clone();
        let out = self.out.clone();
        let cancel = self.cancel.clone();
        let ip = self.ip;
        let wrote = self.wrote.get();
        let authed = self.authed.clone();
        self.relay.tasks.spawn(async move {
            let Some(_slot) = relay.reads.enter(ip, &cancel).await else {
                return;
            };
            let counted = relay
                .store
                .count(
                    &filters,
                    unix_now(),
                    Reader::Client {
                        cancel: &cancel,
                        wrote,
                    },
                    Wraps::For(&authed),
                )
                .await;
            let reply = match counted {
                Ok(n) => msg::count(&sub_id, n),
                Err(StoreError::Cancelled) => return,
                Err(e) => msg::closed(&sub_id, &read_refusal(&relay, &e, "could not count events")),
            };
            out.send(reply).await;
        });
    }
}
