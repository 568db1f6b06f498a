//! Limits on what a client may send, with the NIP-11 `limitation` names they are advertised by.

use serde::{Deserialize, Serialize};

use crate::event::Event;
use crate::nip13;
use crate::reason::Reason;

/// Every bound the relay enforces on messages, events and subscriptions. Field names are the
/// NIP-11 `limitation` names where NIP-11 has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest WebSocket message (bytes) the relay will decode.
    pub max_message_length: u32,
    /// Largest serialized event (bytes).
    pub max_event_size: u32,
    /// Most open subscriptions per connection.
    pub max_subscriptions: u32,
    /// Most filters in one `REQ` or `COUNT`.
    pub max_filters: u32,
    /// Most values in one list of one filter (`ids`, `authors`, `kinds`, each `#x`).
    pub max_filter_values: u32,
    /// Each filter's `limit` is clamped to this.
    pub max_limit: u32,
    /// The `limit` of a filter that gives none.
    pub default_limit: u32,
    /// Longest subscription id (characters).
    pub max_subid_length: u32,
    /// Most tags in one event.
    pub max_event_tags: u32,
    /// Longest `content` (unicode characters).
    pub max_content_length: u32,
    /// How far in the past `created_at` may be (seconds); 0 accepts any age.
    pub created_at_lower_limit: u64,
    /// How far in the future `created_at` may be (seconds).
    pub created_at_upper_limit: u64,
    /// Minimum NIP-13 difficulty for new events; 0 requires none.
    pub min_pow_difficulty: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_message_length: 393_216,
            max_event_size: 262_144,
            max_subscriptions: 100,
            max_filters: 32,
            max_filter_values: 5_000,
            max_limit: 5_000,
            default_limit: 500,
            max_subid_length: 64,
            max_event_tags: 2_500,
            max_content_length: 102_400,
            created_at_lower_limit: 0,
            created_at_upper_limit: 900,
            min_pow_difficulty: 0,
        }
    }
}

impl Limits {
    /// Checks the size, shape and timestamp of an event that `json_len` bytes carried. Proof of
    /// work is checked apart ([`Limits::check_pow`]) because who must show it is policy.
    pub fn check_event(&self, event: &Event, json_len: usize, now: u64) -> Result<(), Reason> {
        if json_len > self.max_event_size as usize {
            return Err(Reason::invalid(format!(
                "event is {json_len} bytes; this relay accepts at most {}",
                self.max_event_size
            )));
        }
        if event.tags.len() > self.max_event_tags as usize {
            return Err(Reason::invalid(format!(
                "event has {} tags; this relay accepts at most {}",
                event.tags.len(),
                self.max_event_tags
            )));
        }
        if event.content.len() > self.max_content_length as usize
            && event.content.chars().count() > self.max_content_length as usize
        {
            return Err(Reason::invalid(format!(
                "content is longer than {} characters",
                self.max_content_length
            )));
        }
        if self.created_at_lower_limit > 0
            && event.created_at < now.saturating_sub(self.created_at_lower_limit)
        {
            return Err(Reason::invalid(
                "event creation date is too far in the past",
            ));
        }
        if event.created_at > now.saturating_add(self.created_at_upper_limit) {
            return Err(Reason::invalid(
                "event creation date is too far in the future",
            ));
        }
        Ok(())
    }

    /// Checks the committed NIP-13 difficulty against `min`.
    pub fn check_pow(&self, event: &Event, min: u32) -> Result<(), Reason> {
        if min == 0 {
            return Ok(());
        }
        let got = nip13::effective_difficulty(event);
        if got < min {
            let committed = if nip13::committed_target(event).is_none() {
                " (commit the target in the nonce tag)"
            } else {
                ""
            };
            return Err(Reason::pow(format!(
                "difficulty {got} is less than {min}{committed}"
            )));
        }
        Ok(())
    }

    /// The `limit` a filter is served with: the client's, or the default, clamped.
    pub fn effective_limit(&self, requested: Option<u64>) -> u64 {
        requested
            .unwrap_or(u64::from(self.default_limit))
            .min(u64::from(self.max_limit))
    }

    /// Checks that the limits are coherent; the error names the offending key.
    pub fn validate(&self) -> Result<(), String> {
        let positive = [
            ("max_message_length", u64::from(self.max_message_length)),
            ("max_event_size", u64::from(self.max_event_size)),
            ("max_subscriptions", u64::from(self.max_subscriptions)),
            ("max_filters", u64::from(self.max_filters)),
            ("max_filter_values", u64::from(self.max_filter_values)),
            ("max_limit", u64::from(self.max_limit)),
            ("max_subid_length", u64::from(self.max_subid_length)),
        ];
        if let Some((name, _)) = positive.iter().find(|(_, v)| *v == 0) {
            return Err(format!("{name} must be greater than 0"));
        }
        if self.default_limit > self.max_limit {
            return Err("default_limit must not exceed max_limit".into());
        }
        if self.max_event_size > self.max_message_length {
            return Err("max_event_size must not exceed max_message_length".into());
        }
        if self.min_pow_difficulty > 256 {
            return Err("min_pow_difficulty must be at most 256".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::Keys;
    use crate::reason::Prefix;

    #[test]
    fn enforces_each_bound() {
        let k = Keys::generate();
        let limits = Limits {
            max_event_tags: 1,
            max_content_length: 3,
            created_at_lower_limit: 100,
            created_at_upper_limit: 10,
            max_event_size: 1000,
            ..Limits::default()
        };
        let now = 10_000;
        let ok = k.sign(now, 1, vec![], "héé".into());
        assert!(limits.check_event(&ok, 200, now).is_ok());
        assert!(limits.check_event(&ok, 1001, now).is_err());
        let tags = k.sign(
            now,
            1,
            vec![vec!["t".into()], vec!["t".into()]],
            String::new(),
        );
        assert!(limits.check_event(&tags, 200, now).is_err());
        let long = k.sign(now, 1, vec![], "abcd".into());
        assert!(limits.check_event(&long, 200, now).is_err());
        let old = k.sign(now - 101, 1, vec![], String::new());
        assert!(limits.check_event(&old, 200, now).is_err());
        let future = k.sign(now + 11, 1, vec![], String::new());
        assert!(limits.check_event(&future, 200, now).is_err());
    }

    #[test]
    fn pow_counts_only_committed_difficulty() {
        let k = Keys::generate();
        let limits = Limits {
            min_pow_difficulty: 1,
            ..Limits::default()
        };
        // Mine a tiny difficulty with and without a commitment.
        let mine = |commit: bool| {
            (0u64..)
                .map(|n| {
                    let mut tag = vec!["nonce".to_string(), n.to_string()];
                    if commit {
                        tag.push("1".into());
                    }
                    k.sign(1, 1, vec![tag], String::new())
                })
                .find(|e| nip13::difficulty(&e.id) >= 1)
                .unwrap()
        };
        assert!(limits.check_pow(&mine(true), 1).is_ok());
        let err = limits.check_pow(&mine(false), 1).unwrap_err();
        assert_eq!(err.prefix, Prefix::Pow);
    }

    #[test]
    fn clamps_limits() {
        let l = Limits {
            max_limit: 10,
            default_limit: 5,
            ..Limits::default()
        };
        assert_eq!(l.effective_limit(None), 5);
        assert_eq!(l.effective_limit(Some(3)), 3);
        assert_eq!(l.effective_limit(Some(100)), 10);
    }

    #[test]
    fn validation_names_the_key() {
        let l = Limits {
            default_limit: 10,
            max_limit: 5,
            ..Limits::default()
        };
        assert!(l.validate().unwrap_err().contains("default_limit"));
        assert!(Limits::default().validate().is_ok());
    }
}
