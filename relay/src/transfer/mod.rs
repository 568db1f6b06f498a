//! Moving a community's events in and out of a store: `export` writes them as JSON lines,
//! `import` reads them back under the same NIP rules as the WebSocket path, and `sync`
//! reconciles with another relay (NIP-77, or plain `REQ`s when it has no negentropy). All
//! three work on a store the relay may be serving from at the same time.

pub mod export;
pub mod import;
mod progress;
pub mod remote;

pub use import::{Importer, Report};
pub use progress::Progress;
pub use remote::{Direction, SyncReport};

use crate::peer::PeerError;
use crate::store::StoreError;

/// Why a transfer stopped.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot read or write: {0}")]
    Io(#[from] std::io::Error),
    #[error("bad filter: {0}")]
    Filter(String),
    #[error(transparent)]
    Peer(#[from] PeerError),
    #[error("the other relay refused to sync: {0}")]
    Refused(String),
    #[error("negentropy: {0}")]
    Negentropy(String),
}

/// The events a command works on: a NIP-01 filter, as parsed and as JSON for another relay.
#[derive(Debug, Clone)]
pub struct Selection {
    pub filter: nips::Filter,
    pub json: serde_json::Value,
}

impl Selection {
    /// Parses a `--filter` argument (empty: every event) with `--since`/`--until` applied.
    /// `limit` and `search` do not apply to a whole set, so they are refused.
    pub fn parse(
        json: Option<&str>,
        since: Option<u64>,
        until: Option<u64>,
    ) -> Result<Self, TransferError> {
        let bad = |e: String| TransferError::Filter(e);
        let mut value: serde_json::Value = match json {
            Some(text) => serde_json::from_str(text).map_err(|e| bad(e.to_string()))?,
            None => serde_json::json!({}),
        };
        let object = value
            .as_object_mut()
            .ok_or_else(|| bad("a filter is a JSON object".into()))?;
        for key in ["limit", "search"] {
            if object.contains_key(key) {
                return Err(bad(format!(
                    "`{key}` does not apply to a whole set of events"
                )));
            }
        }
        if let Some(s) = since {
            object.insert("since".into(), s.into());
        }
        if let Some(u) = until {
            object.insert("until".into(), u.into());
        }
        let filter = nips::Filter::from_value(&value).map_err(|e| bad(e.to_string()))?;
        Ok(Self {
            filter,
            json: value,
        })
    }
}
