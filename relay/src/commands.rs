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

/// Refuses a data directory that holds no community (no relay key, none configured): a
/// command run in the wrong folder must say so, not create an empty relay there.
pub fn existing(config: &Config) -> Result<(), StartError> {
    let key = config.data_dir.join(identity::KEY_FILE);
    match config.relay_key.is_some() || key.exists() {
        true => Ok(()),
        false => Err(StartError::NoCommunity(
            config.data_dir.display().to_string(),
        )),
    }
}

/// Opens the relay's data. Fails if the relay was never started (no genesis yet).
pub async fn open(config: &Config) -> Result<Opened, StartError> {
    existing(config)?;
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

/// An invite minted from the relay itself.
pub struct Minted {
    pub code: String,
    pub expires_at: u64,
    /// The page where the invited person joins with it.
    pub link: String,
}

/// Mints an invite code from the relay itself, with its join link.
pub async fn invite(config: &Config) -> Result<Minted, StartError> {
    let opened = open(config).await?;
    let expiry = opened.ledger.policy.admission.invite_expiry;
    let (code, expires_at) =
        mint_relay_invite(&*opened.store, &opened.keys, expiry, unix_now()).await?;
    opened.store.close().await;
    let link = format!("{}/join?code={code}", page_url(config));
    Ok(Minted {
        code,
        expires_at,
        link,
    })
}

/// The page's address: the public URL as people open it, or the listening address.
fn page_url(config: &Config) -> String {
    let ws = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("ws://{}", config.listen));
    ws.replacen("wss://", "https://", 1)
        .replacen("ws://", "http://", 1)
        .trim_end_matches('/')
        .to_string()
}

/// One line per member: npub, since when, and how they came in (founders marked).
pub async fn members(config: &Config) -> Result<Vec<String>, StartError> {
    let opened = open(config).await?;
    let founders = &opened.ledger.policy.founders.keys;
    let relay = opened.keys.pubkey();
    let lines = opened
        .ledger
        .roster
        .iter()
        .map(|(key, m)| {
            let how = match m.inviter {
                _ if founders.contains(key) => "a founder".to_string(),
                Some(k) if k == relay => "invited with an operator's code".into(),
                Some(k) => format!("invited by {}", nip19::encode_npub(&k)),
                None => "admitted by the members".into(),
            };
            let roles: Vec<&str> = m.roles.iter().map(String::as_str).collect();
            format!(
                "{}  since {}  {how}{}",
                nip19::encode_npub(key),
                crate::dates::date(m.since),
                if roles.is_empty() {
                    String::new()
                } else {
                    format!("  roles: {}", roles.join(", "))
                }
            )
        })
        .collect();
    opened.store.close().await;
    Ok(lines)
}
