//! NIP-11: the relay information document.

use serde::Serialize;

use crate::limits::Limits;

/// The document served at `GET /` with `Accept: application/nostr+json`.
#[derive(Debug, Clone, Serialize)]
pub struct RelayInformation {
    pub name: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub banner: Option<String>,
    /// Administrative contact pubkey (hex).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pubkey: Option<String>,
    /// The relay's own pubkey (hex), which signs relay-authored events.
    #[serde(rename = "self", skip_serializing_if = "Option::is_none")]
    pub self_pubkey: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    pub supported_nips: Vec<u16>,
    pub software: String,
    pub version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub terms_of_service: Option<String>,
    pub limitation: Limitation,
    /// Extension objects (e.g. the governance description), flattened into the document.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// The `limitation` object: the enforced limits plus the access flags.
#[derive(Debug, Clone, Serialize)]
pub struct Limitation {
    pub max_message_length: u32,
    pub max_subscriptions: u32,
    pub max_limit: u32,
    pub max_subid_length: u32,
    pub max_event_tags: u32,
    pub max_content_length: u32,
    pub min_pow_difficulty: u32,
    pub auth_required: bool,
    pub payment_required: bool,
    pub restricted_writes: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at_lower_limit: Option<u64>,
    pub created_at_upper_limit: u64,
    pub default_limit: u32,
    /// Not in NIP-11; widely used names for the remaining enforced bounds.
    pub max_filters: u32,
    pub max_event_size: u32,
    /// Values in one list of one filter.
    pub max_filter_values: u32,
    /// Filter values all of one connection's open subscriptions may hold.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_filter_values_per_connection: Option<u32>,
    /// Filter values all subscriptions from one IP address may hold.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_filter_values_per_ip: Option<u32>,
    /// Search filters (NIP-50) one connection's open subscriptions may hold.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_live_searches_per_connection: Option<u32>,
    /// Search filters all subscriptions from one IP address may hold.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_live_searches_per_ip: Option<u32>,
}

impl Limitation {
    /// The limitation object for `limits` and the given access flags.
    pub fn new(limits: &Limits, auth_required: bool, restricted_writes: bool) -> Self {
        Self {
            max_message_length: limits.max_message_length,
            max_subscriptions: limits.max_subscriptions,
            max_limit: limits.max_limit,
            max_subid_length: limits.max_subid_length,
            max_event_tags: limits.max_event_tags,
            max_content_length: limits.max_content_length,
            min_pow_difficulty: limits.min_pow_difficulty,
            auth_required,
            payment_required: false,
            restricted_writes,
            created_at_lower_limit: (limits.created_at_lower_limit > 0)
                .then_some(limits.created_at_lower_limit),
            created_at_upper_limit: limits.created_at_upper_limit,
            default_limit: limits.default_limit,
            max_filters: limits.max_filters,
            max_event_size: limits.max_event_size,
            max_filter_values: limits.max_filter_values,
            max_filter_values_per_connection: None,
            max_filter_values_per_ip: None,
            max_live_searches_per_connection: None,
            max_live_searches_per_ip: None,
        }
    }
}
