//! Founding a community. A relay started without founders signs nothing: it serves clients
//! under its default policy and waits to be founded, by the person who opens its setup link
//! (printed at start, its token kept in the data directory) or by flags at a later start.
//! Founding signs the genesis with the founders, name, admission and read access chosen then.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use governance::ledger::Ledger;
use governance::{AdmissionMode, Policy, PolicyDoc, ReadAccess};
use nips::{Keys, PubKey};
use serde_json::Value;

use super::{Community, CommunityError, State, genesis};
use crate::cluster::Cluster;
use crate::cluster::governance::Stale;
use crate::community::hands::Hands;
use crate::config::Config;
use crate::dates::unix_now;
use crate::store::Store;

/// The file in the data directory holding the setup link's token until the community is
/// founded.
const TOKEN_FILE: &str = "setup.token";

/// What the founder chose on the setup page.
#[derive(Debug, Clone)]
pub struct Founding {
    pub name: String,
    pub description: String,
    pub admission: AdmissionMode,
    pub read: ReadAccess,
    /// Co-founders besides the founder who signs.
    pub cofounders: Vec<PubKey>,
    /// How many co-founder links to make: each makes whoever joins with it a founder, once,
    /// within `links_for` seconds of the founding.
    pub cofounder_links: u32,
    pub links_for: u64,
}

/// At most this many co-founder links at a founding, and for at most this long.
pub const MAX_COFOUNDER_LINKS: u32 = 10;
pub const MAX_LINKS_FOR: u64 = 30 * 86_400;

/// Why a founding was refused.
#[derive(Debug, thiserror::Error)]
pub enum FoundingError {
    #[error("this community is already founded")]
    Founded,
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Community(#[from] CommunityError),
}

/// The setup link's token: read from the data directory, or made and kept there.
pub fn setup_token(data_dir: &Path) -> std::io::Result<String> {
    let path = data_dir.join(TOKEN_FILE);
    if let Ok(token) = std::fs::read_to_string(&path)
        && token.trim().len() == 32
    {
        return Ok(token.trim().to_string());
    }
    std::fs::create_dir_all(data_dir)?;
    let token = hex::encode(rand::random::<[u8; 16]>());
    std::fs::write(&path, &token)?;
    Ok(token)
}

/// Does `given` match the setup token kept in `data_dir`? (In time that does not depend on
/// where they differ.)
pub fn token_matches(data_dir: &Path, given: &str) -> bool {
    use sha2::{Digest, Sha256};
    let Ok(kept) = std::fs::read_to_string(data_dir.join(TOKEN_FILE)) else {
        return false;
    };
    let (a, b) = (Sha256::digest(kept.trim()), Sha256::digest(given.trim()));
    !kept.trim().is_empty()
        && a.iter()
            .zip(b.iter())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl Community {
    /// A community not founded yet: the configured policy, no members, no record.
    pub(super) fn unfounded(
        store: &Arc<dyn Store>,
        keys: &Keys,
        config: &Config,
        public_url: String,
        cluster: Option<Arc<Cluster>>,
    ) -> Result<Self, CommunityError> {
        let doc = PolicyDoc::from_policy(&config.genesis);
        let ledger = Ledger::genesis(doc).map_err(CommunityError::Genesis)?;
        tracing::info!(pubkey = %keys.pubkey(), "not founded yet: waiting for its founder");
        let state = State::new(ledger);
        Ok(Self::with_state(
            store,
            keys.clone(),
            public_url,
            cluster,
            state,
            HashSet::new(),
        ))
    }

    /// Has the community been founded (is there a genesis)?
    pub fn is_founded(&self) -> bool {
        self.snapshot().decisions > 0
    }

    /// Founds the community for `founder` with what they chose: signs the genesis and loads
    /// the state it starts. Refused once founded (on any node). Returns the co-founder codes
    /// (each an invite code too, valid until the links' deadline).
    pub async fn found(
        &self,
        hands: &Hands,
        founder: PubKey,
        choice: &Founding,
    ) -> Result<Vec<String>, FoundingError> {
        let mut state = self.lock_any(hands).await?;
        if state.ledger.head.is_some() {
            return Err(FoundingError::Founded);
        }
        let mut founders = vec![founder];
        for k in &choice.cofounders {
            if !founders.contains(k) {
                founders.push(*k);
            }
        }
        let mut policy = founding_policy(&hands.config.genesis, choice, &founders)?;
        let now = unix_now();
        let mut codes = Vec::new();
        if choice.cofounder_links > 0 {
            let links_for = choice.links_for.clamp(3_600, MAX_LINKS_FOR);
            for _ in 0..choice.cofounder_links.min(MAX_COFOUNDER_LINKS) {
                let (code, until) =
                    super::mint_relay_invite(&*hands.store, &self.keys, links_for, now).await?;
                policy
                    .founders
                    .invites
                    .push(governance::policy::code_digest(&code));
                policy.founders.invites_until = until;
                codes.push(code);
            }
        }
        self.will_change(Stale::Ledger).await?;
        genesis::sign_genesis(&hands.writer, &self.keys, &policy, &founders, now).await?;
        let (fresh, blocked) = genesis::load(&*self.store, &self.keys, now).await?;
        *state = fresh;
        *self.blocked_ips.write() = blocked;
        self.publish_snapshot(&state);
        if let Err(e) = std::fs::remove_file(hands.config.data_dir.join(TOKEN_FILE)) {
            tracing::debug!(error = %e, "no setup token to forget");
        }
        tracing::info!(
            founders = founders.len(),
            "community founded through its setup page"
        );
        Ok(codes)
    }
}

/// The genesis policy of a founding: the configured one, with the founders' choices.
fn founding_policy(
    configured: &Policy,
    choice: &Founding,
    founders: &[PubKey],
) -> Result<Policy, FoundingError> {
    let name = choice.name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(FoundingError::Invalid(
            "give the community a name of at most 80 characters".into(),
        ));
    }
    if choice.description.chars().count() > 2_000 {
        return Err(FoundingError::Invalid(
            "the description is longer than 2,000 characters".into(),
        ));
    }
    let mut doc = PolicyDoc::from_policy(configured);
    let hex: Vec<String> = founders.iter().map(PubKey::to_hex).collect();
    doc.set("info.name", Some(Value::from(name)));
    doc.set(
        "info.description",
        Some(Value::from(choice.description.trim())),
    );
    doc.set(
        "admission.mode",
        Some(Value::from(choice.admission.as_str())),
    );
    doc.set("admission.read", Some(Value::from(choice.read.as_str())));
    doc.set("founders.keys", Some(Value::from(hex)));
    doc.policy()
        .map_err(|e| FoundingError::Invalid(format!("the policy would be invalid: {e}")))
}
