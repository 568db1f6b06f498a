//! `communitarium verify <relay-url>`: an independent check of a relay's governance. It
//! connects as an ordinary client (NIP-11 over HTTP, then REQs over WebSocket), fetches the
//! genesis, every decision, the proposals and votes behind them, member events and the current
//! policy, and re-derives all of it with the pure `governance` crate.

use std::collections::BTreeSet;

use governance::audit::{self, Divergence, Record, Report};
use nips::{EventId, Keys, PubKey, cg, nip43, nip88};
use serde_json::{Value, json};

use crate::peer::{Bounds, Peer, PeerError, TIMEOUT};

/// The largest NIP-11 document read (a real one is a few kilobytes).
const MAX_INFO: usize = 1 << 20;

/// Why verification could not be done, or what it found.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("the relay URL must start with ws:// or wss://")]
    Url,
    #[error("cannot fetch the relay information document: {0}")]
    Info(String),
    #[error(transparent)]
    Peer(#[from] PeerError),
    #[error("the relay's record diverges: {0}")]
    Divergence(#[from] Divergence),
}

/// The relay's NIP-11 document.
async fn information(url: &str) -> Result<Value, VerifyError> {
    let http = if let Some(rest) = url.strip_prefix("wss://") {
        format!("https://{rest}")
    } else if let Some(rest) = url.strip_prefix("ws://") {
        format!("http://{rest}")
    } else {
        return Err(VerifyError::Url);
    };
    let mut response = reqwest::Client::new()
        .get(http)
        .header("Accept", "application/nostr+json")
        .timeout(TIMEOUT)
        .send()
        .await
        .map_err(|e| VerifyError::Info(e.to_string()))?;
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| VerifyError::Info(e.to_string()))?
    {
        if body.len() + chunk.len() > MAX_INFO {
            return Err(VerifyError::Info(format!(
                "the document is larger than {} KiB; a relay's is a few",
                MAX_INFO >> 10
            )));
        }
        body.extend_from_slice(&chunk);
    }
    serde_json::from_slice(&body).map_err(|e| VerifyError::Info(e.to_string()))
}

/// Fetches the relay's governance record and audits it, within `bounds`. `keys` authenticate
/// (NIP-42) on relays that serve only members.
pub async fn verify(url: &str, keys: Option<Keys>, bounds: Bounds) -> Result<Report, VerifyError> {
    let info = information(url).await?;
    let relay: PubKey = info["self"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .ok_or(Divergence::NoRelayKey)?;
    let page = info["limitation"]["max_limit"]
        .as_u64()
        .unwrap_or(500)
        .clamp(1, 5000);
    let mut client = Peer::connect(url, keys, bounds).await?;
    let me = relay.to_hex();
    let decisions = client
        .all(json!({"authors": [me], "kinds": [cg::KIND_DECISION]}), page)
        .await?;
    let members = client
        .all(json!({"authors": [me], "kinds": [nip43::KIND_MEMBER_ADDED, nip43::KIND_MEMBER_REMOVED]}), page)
        .await?;
    let policy = client
        .req(&json!({"authors": [me], "kinds": [cg::KIND_POLICY], "#d": [cg::POLICY_D]}))
        .await?
        .into_iter()
        .next();
    let list = client
        .req(&json!({"authors": [me], "kinds": [nip43::KIND_MEMBERSHIP_LIST]}))
        .await?
        .into_iter()
        .next();
    let proposal_ids: Vec<EventId> = decisions
        .iter()
        .filter_map(|e| governance::Decision::parse(e).ok()?.proposal)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let proposals = client.by_ids(&proposal_ids, page).await?;
    // One proposal at a time: each is one ordered index range on the relay, where a list of
    // proposals would be a large sort, over the relay's time budget in a big community.
    let mut votes = Vec::new();
    for id in &proposal_ids {
        votes.extend(
            client
                .all(
                    json!({"kinds": [nip88::KIND_RESPONSE], "#e": [id.to_hex()]}),
                    page,
                )
                .await?,
        );
    }
    let vanished = client
        .all(json!({"kinds": [nips::nip62::KIND_VANISH]}), page)
        .await?;
    let delegations = client
        .all(json!({"kinds": [cg::KIND_DELEGATION]}), page)
        .await?;
    let record = Record {
        relay: Some(relay),
        relay_url: url.to_string(),
        decisions,
        members,
        proposals,
        votes,
        delegations,
        vanished,
        policy,
        list,
    };
    Ok(audit::audit(&record)?)
}
