//! Operator commands that work on the relay's data directly, with or without a running
//! server: `invite`, `members`, `export`, `import` and `sync`.

use std::sync::Arc;

use governance::Ledger;
use nips::{Keys, cg, nip19, nip43};
use serde_json::json;

use crate::community::identity;
use crate::community::{CommunityError, mint_relay_invite};
use crate::config::Config;
use crate::relay::{StartError, unix_now};
use crate::store::{self, Store};

/// What a command needs: the store, the relay key and the replayed ledger.
pub struct Opened {
    pub store: Arc<dyn Store>,
    pub keys: Keys,
    pub ledger: Ledger,
}

/// Opens the store and the relay's key (created if this data directory has none yet), with
/// few connections: a command runs beside the relay.
pub async fn open_store(config: &Config) -> Result<(Arc<dyn Store>, Keys), StartError> {
    let options = store::Options {
        pool_size: 2,
        event_cache_bytes: 0,
        ..config.store_options()
    };
    let store = store::open(config.database_url.as_deref(), &config.data_dir, options).await?;
    let keys = identity::load_or_create(config.relay_key.as_ref(), &config.data_dir)
        .map_err(CommunityError::from)?;
    Ok((store, keys))
}

/// Opens the relay's data. Fails if the relay was never started (no genesis yet).
pub async fn open(config: &Config) -> Result<Opened, StartError> {
    let (store, keys) = open_store(config).await?;
    let Some(ledger) = ledger(&*store, &keys).await? else {
        return Err(CommunityError::Genesis(
            "this relay has no genesis yet; start it once with `communitarium serve`".into(),
        )
        .into());
    };
    Ok(Opened {
        store,
        keys,
        ledger,
    })
}

/// The community's ledger replayed from `store`, or `None` before its genesis.
pub async fn ledger(store: &dyn Store, keys: &Keys) -> Result<Option<Ledger>, StartError> {
    let now = unix_now();
    let relay = keys.pubkey().to_hex();
    let decisions = crate::community::all(
        store,
        json!({"authors": [relay], "kinds": [cg::KIND_DECISION]}),
        now,
    )
    .await?;
    if decisions.is_empty() {
        return Ok(None);
    }
    let members = crate::community::all(
        store,
        json!({"authors": [relay], "kinds": [nip43::KIND_MEMBER_ADDED, nip43::KIND_MEMBER_REMOVED]}),
        now,
    )
    .await?;
    let ledger = Ledger::replay(&decisions, &members).map_err(CommunityError::from)?;
    Ok(Some(ledger))
}

/// Mints an invite code from the relay itself; returns the code and its expiry.
pub async fn invite(config: &Config) -> Result<(String, u64), StartError> {
    let opened = open(config).await?;
    let expiry = opened.ledger.policy.admission.invite_expiry;
    let minted = mint_relay_invite(&*opened.store, &opened.keys, expiry, unix_now()).await?;
    opened.store.close().await;
    Ok(minted)
}

/// One line per member: npub, hex, member since, roles.
pub async fn members(config: &Config) -> Result<Vec<String>, StartError> {
    let opened = open(config).await?;
    let lines = opened
        .ledger
        .roster
        .iter()
        .map(|(key, m)| {
            let roles: Vec<&str> = m.roles.iter().map(String::as_str).collect();
            format!(
                "{} {} since {}{}",
                nip19::encode_npub(key),
                key.to_hex(),
                m.since,
                if roles.is_empty() {
                    String::new()
                } else {
                    format!(" roles {}", roles.join(","))
                }
            )
        })
        .collect();
    opened.store.close().await;
    Ok(lines)
}
