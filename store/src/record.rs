//! A validated event prepared for storage: its canonical JSON and the columns derived from it.

use std::sync::Arc;

use nips::{Event, nip40};

/// Tag values longer than this (bytes) are stored but not indexed: a B-tree entry must stay
/// well under PostgreSQL's ~2.7 KB row limit, and filters on such values are not a real use.
pub const MAX_INDEXED_TAG_VALUE: usize = 1024;

/// An event plus everything the store derives from it, computed once per event.
#[derive(Debug, Clone)]
pub struct Record {
    pub event: Event,
    /// Canonical JSON, stored and sent verbatim.
    pub json: Arc<str>,
    /// NIP-40 expiration, if any.
    pub expires_at: Option<i64>,
}

impl Record {
    /// Prepares `event` for storage.
    pub fn new(event: Event) -> Self {
        let json: Arc<str> = event.to_json().into();
        let expires_at = nip40::expiration(&event).map(clamp_i64);
        Self {
            event,
            json,
            expires_at,
        }
    }

    /// `created_at` as stored (SQL integers are signed).
    pub fn created_at(&self) -> i64 {
        clamp_i64(self.event.created_at)
    }

    /// The `d` value addressing this event, if replaceable (`""`) or addressable.
    pub fn address_d(&self) -> Option<&str> {
        self.event.address_d()
    }

    /// The (letter, value) pairs the tag index holds: NIP-01 indexes the first value of every
    /// single-letter tag. Deduplicated, and over-long values left out.
    pub fn indexed_tags(&self) -> Vec<(&str, &str)> {
        let mut out: Vec<(&str, &str)> = self
            .event
            .tags
            .iter()
            .filter_map(|t| match (t.first(), t.get(1)) {
                (Some(name), Some(value))
                    if name.len() == 1
                        && name.as_bytes()[0].is_ascii_alphabetic()
                        && value.len() <= MAX_INDEXED_TAG_VALUE =>
                {
                    Some((name.as_str(), value.as_str()))
                }
                _ => None,
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

fn clamp_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}
