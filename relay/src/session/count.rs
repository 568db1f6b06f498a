//! `COUNT` (NIP-45): how many stored events match, answered once.

use nips::Filter;
use nips::message::relay as msg;

use super::Session;
use crate::relay::unix_now;

impl Session {
    pub(super) async fn count(&mut self, sub_id: String, filters: Vec<Filter>) {
        if !self.request_allowed(&sub_id).await {
            return;
        }
        if let Err(reason) = self.check_filters(&sub_id, &filters) {
            self.send(msg::closed(&sub_id, &reason)).await;
            return;
        }
        let relay = self.relay.clone();
        let out = self.out.clone();
        let cancel = self.cancel.clone();
        self.relay.tasks.spawn(async move {
            let counted = tokio::select! {
                () = cancel.cancelled() => return,
                n = relay.store.count(&filters, unix_now()) => n,
            };
            let reply = match counted {
                Ok(n) => msg::count(&sub_id, n),
                Err(e) => {
                    tracing::warn!(error = %e, "count failed");
                    msg::closed(&sub_id, "error: could not count events; try again")
                }
            };
            out.send(reply).await;
        });
    }
}
