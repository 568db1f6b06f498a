//! The NIP-11 relay information document, built from the policy in force: its limits, its
//! access rules and a `governance` object describing how members change them.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use governance::{AdmissionMode, Class, ReadAccess};
use nips::nip11::{Limitation, RelayInformation};
use nips::{cg, nip88};
use serde_json::{Map, Value, json};

use crate::relay::Relay;

/// NIPs this relay implements end to end.
pub const SUPPORTED_NIPS: &[u16] = &[
    1, 9, 11, 13, 17, 29, 40, 42, 43, 45, 46, 50, 56, 59, 62, 70, 77, 86, 88,
];

/// The document for `relay` as governed now.
pub async fn document(relay: &Relay) -> RelayInformation {
    let (open, joins) = relay.community.open_counts().await;
    let snapshot = relay.snapshot();
    let policy = &snapshot.policy;
    let info = &relay.config.info;
    let restricted = policy.admission.mode != AdmissionMode::Open;
    let classes: Map<String, Value> = Class::ALL
        .iter()
        .map(|c| (c.as_str().to_string(), json!(policy.classes.get(*c))))
        .collect();
    let self_key = relay.community.pubkey().to_hex();
    let mut extra = Map::new();
    extra.insert(
        "governance".into(),
        json!({
            "policy": format!("{}:{}:{}", cg::KIND_POLICY, self_key, cg::POLICY_D),
            "policy_version": policy.version,
            "parameters": super::parameters::url(&relay.public_url),
            "decision_kind": cg::KIND_DECISION,
            "proposal_kind": nip88::KIND_POLL,
            "vote_kind": nip88::KIND_RESPONSE,
            "delegation_kind": cg::KIND_DELEGATION,
            "admission": policy.admission.mode.as_str(),
            "read": policy.admission.read.as_str(),
            "members": snapshot.roster.len(),
            "open_proposals": open,
            "join_requests": {
                "open": joins,
                "max": policy.admission.max_open_requests,
            },
            "classes": classes,
            "limits": policy.rate,
            "visibility": policy.visibility,
            "spec": "https://github.com/communitarium/communitarium/blob/main/nips/NIP-CG.md",
        }),
    );
    RelayInformation {
        name: policy.info.name.clone(),
        description: policy.info.description.clone(),
        icon: Some(policy.info.icon.clone()).filter(|i| !i.is_empty()),
        banner: info.banner.clone(),
        pubkey: relay.config.admin_pubkey.map(|k| k.to_hex()),
        self_pubkey: Some(self_key),
        contact: info.contact.clone(),
        supported_nips: SUPPORTED_NIPS.to_vec(),
        software: env!("CARGO_PKG_REPOSITORY").to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        terms_of_service: info.terms_of_service.clone(),
        limitation: Limitation {
            max_filter_values_per_connection: Some(
                relay.config.server.max_filter_values_per_connection,
            ),
            max_filter_values_per_ip: Some(relay.config.server.max_filter_values_per_ip),
            max_live_searches_per_connection: Some(
                relay.config.server.max_live_searches_per_connection,
            ),
            max_live_searches_per_ip: Some(relay.config.server.max_live_searches_per_ip),
            ..Limitation::new(
                &policy.limitation,
                false,
                restricted || policy.admission.read == ReadAccess::Members,
            )
        },
        extra,
    }
}

/// `application/nostr+json` response.
pub async fn response(relay: &Relay) -> Response {
    let body = serde_json::to_string(&document(relay).await).unwrap_or_else(|_| "{}".into());
    ([(header::CONTENT_TYPE, "application/nostr+json")], body).into_response()
}
