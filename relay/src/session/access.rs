//! What a connection may read: the limits on requests, read access (members-only relays,
//! gift wraps for their recipient only), and what a client is told when a read fails.

use governance::admit::Context;
use governance::visibility::{REACTION_KINDS, Scope, Visibility};
use nips::{Event, Filter, PubKey, Reason, nip59};

use super::Session;
use crate::relay::{Relay, unix_now};
use crate::store::{StoreError, StoredEvent};

/// The text a client gets when its read fails: what happened and what to do, never internals.
pub(super) fn read_refusal(relay: &Relay, e: &StoreError, what: &str) -> String {
    match e {
        StoreError::Unavailable => "error: the database is unavailable; try again shortly".into(),
        StoreError::Busy => "error: the relay is busy; try again shortly".into(),
        StoreError::TimedOut => format!(
            "blocked: this query ran longer than the {} ms this relay allows; narrow it with \
             ids, authors, kinds or a time range",
            relay.config.server.query_timeout_ms
        ),
        other => {
            tracing::warn!(error = %other, "{what}");
            format!("error: {what}; try again")
        }
    }
}

impl Session {
    /// Checks the limits and read access every `REQ`/`COUNT` shares. `Err` is the `CLOSED`
    /// text. `counting`: a `COUNT`, whose number would tell about other people's gift wraps.
    pub(super) fn check_filters(
        &self,
        sub_id: &str,
        filters: &[Filter],
        counting: bool,
    ) -> Result<(), String> {
        let snapshot = self.relay.snapshot();
        let limits = &snapshot.policy.limitation;
        if sub_id.chars().count() > limits.max_subid_length as usize {
            return Err(format!(
                "invalid: subscription id is longer than {} characters",
                limits.max_subid_length
            ));
        }
        if filters.len() > limits.max_filters as usize {
            return Err(format!(
                "invalid: {} filters in one request; this relay accepts at most {}",
                filters.len(),
                limits.max_filters
            ));
        }
        let max_values = limits.max_filter_values as usize;
        if let Some(f) = filters.iter().find(|f| f.longest_list() > max_values) {
            return Err(format!(
                "invalid: a filter lists {} values; this relay accepts at most {max_values} per list",
                f.longest_list()
            ));
        }
        for q in filters.iter().filter_map(|f| f.search.as_deref()) {
            nips::nip50::Query::parse(q).map_err(|e| format!("invalid: {e}"))?;
        }
        self.check_wraps(filters, counting)?;
        let relay_key = self.relay.community.pubkey();
        let ctx = Context {
            relay: &relay_key,
            relay_url: &self.relay.public_url,
            roster: &snapshot.roster,
            authed: &self.authed,
            now: unix_now(),
        };
        snapshot
            .policy
            .may_read(filters, &ctx)
            .map_err(|r| r.to_string())
    }

    /// Gift wraps (NIP-59) go only to their recipient: asking for them needs authentication
    /// (so clients know to AUTH), and counting them needs `#p` naming only keys the connection
    /// authenticated as, in every filter that names them. What a `REQ` returns is filtered per
    /// event ([`may_see`]); a count leaves other people's wraps out in the store
    /// ([`crate::store::Wraps`]), whatever its filters, kindless ones included.
    fn check_wraps(&self, filters: &[Filter], counting: bool) -> Result<(), String> {
        let asks = |f: &&Filter| {
            f.kinds
                .as_ref()
                .is_some_and(|k| k.contains(&nip59::KIND_GIFT_WRAP))
        };
        for f in filters.iter().filter(asks) {
            if self.authed.is_empty() {
                return Err(Reason::auth_required(
                    "gift wraps are delivered only to their recipient; authenticate first",
                )
                .to_string());
            }
            let own = f.tags.iter().find(|t| t.name == 'p').is_some_and(|p| {
                p.values
                    .iter()
                    .all(|v| self.authed.iter().any(|k| k.to_hex() == *v))
            });
            if counting && !own {
                return Err(
                    Reason::restricted("you may count only gift wraps addressed to you")
                        .to_string(),
                );
            }
        }
        Ok(())
    }
}

/// May a connection authenticated as `authed` see stored event `e`? Gift wraps only if
/// addressed to one of its keys; private reactions only if theirs or naming them.
pub(super) fn may_see(e: &StoredEvent, authed: &[PubKey], visibility: &Visibility) -> bool {
    let wrap = e.kind == nip59::KIND_GIFT_WRAP;
    let reaction = visibility.reactions == Scope::Private && REACTION_KINDS.contains(&e.kind);
    if !wrap && !reaction {
        return true;
    }
    Event::from_json(&e.json).is_ok_and(|event| {
        (!wrap || nip59::may_receive(&event, authed)) && visibility.may_see(&event, authed)
    })
}

impl Session {
    /// `filters` as the community's `visibility` lets this connection ask them, each as the
    /// parts it may see; `Err` is the `CLOSED` text.
    pub(super) fn visible(
        &self,
        filters: Vec<Filter>,
        counting: bool,
    ) -> Result<Vec<Vec<Filter>>, String> {
        self.relay
            .snapshot()
            .policy
            .visibility
            .shape_each(filters, &self.authed, counting)
            .map_err(|r| r.to_string())
    }
}
