//! Start-up: rebuild the community from the relay's record, sign the genesis on first start
//! when the configuration names founders, or wait to be founded (see [`super::founding`]).

use std::collections::HashSet;
use std::net::IpAddr;
use std::sync::Arc;

use arc_swap::ArcSwap;
use governance::ledger::Ledger;
use governance::{Decision, Policy, PolicyDoc};
use nips::{EventId, Keys, PubKey, cg, nip43};
use parking_lot::RwLock;
use serde_json::json;
use tokio::sync::Mutex;

use super::record::all;
use super::{Community, CommunityError, Snapshot, State, events, proposals};
use crate::cluster::governance::{Stale, bump};
use crate::cluster::{Cluster, ClusterError};
use crate::config::Config;
use crate::store::{Effect, Record, Saved, Store, WriteOp};
use crate::writer::Writer;

impl Community {
    /// Loads the community from the store, creating the genesis on first start. On a node of
    /// a cluster this happens under the governance lock, so two nodes starting on an empty
    /// database sign one genesis between them.
    pub async fn start(
        store: &Arc<dyn Store>,
        writer: &Writer,
        config: &Config,
        public_url: String,
        now: u64,
        cluster: Option<Arc<Cluster>>,
    ) -> Result<Self, CommunityError> {
        let keys = super::identity::load_or_create(config.relay_key.as_ref(), &config.data_dir)?;
        let mut gov = match &cluster {
            Some(c) => Some(c.governance.acquire().await?),
            None => None,
        };
        let relay = keys.pubkey().to_hex();
        let decisions = all(
            &**store,
            json!({"authors": [relay], "kinds": [cg::KIND_DECISION], "limit": 1}),
            now,
        )
        .await?;
        if decisions.is_empty() {
            let foreign = all(
                &**store,
                json!({"kinds": [cg::KIND_DECISION], "limit": 1}),
                now,
            )
            .await?;
            if let Some(other) = foreign.first() {
                return Err(CommunityError::Genesis(format!(
                    "this database holds the record of another relay (key {}); configure that relay's \
                     key (relay_key) or use a new database",
                    other.pubkey
                )));
            }
            if config.founders.is_empty() {
                // Founded later, by its setup page or by flags: nothing is signed until then.
                drop(gov);
                return Self::unfounded(store, &keys, config, public_url, cluster);
            }
            if let Some(c) = &cluster {
                bump(c.pool(), Stale::Ledger)
                    .await
                    .map_err(ClusterError::from)?;
            }
            sign_genesis(writer, &keys, &config.genesis, &config.founders, now).await?;
        }
        let (state, blocked) = load(&**store, &keys, now).await?;
        check_config(config, &state.ledger)?;
        heal(writer, &state.ledger).await?;
        if let Some(g) = &mut gov {
            g.caught_up();
        }
        drop(gov);
        tracing::info!(
            pubkey = %keys.pubkey(),
            members = state.ledger.roster.len(),
            policy_version = state.ledger.doc.version(),
            decisions = state.ledger.chain.len(),
            open_proposals = state.open.len(),
            "community loaded"
        );
        Ok(Self::with_state(
            store, keys, public_url, cluster, state, blocked,
        ))
    }

    /// The service over `state`.
    pub(super) fn with_state(
        store: &Arc<dyn Store>,
        keys: Keys,
        public_url: String,
        cluster: Option<Arc<Cluster>>,
        state: State,
        blocked: HashSet<IpAddr>,
    ) -> Self {
        let snapshot = Snapshot {
            policy: Arc::new(state.ledger.policy.clone()),
            roster: Arc::new(state.ledger.roster.clone()),
            decisions: state.ledger.chain.len(),
        };
        Self {
            keys,
            public_url,
            store: store.clone(),
            cluster,
            snapshot: ArcSwap::from_pointee(snapshot),
            changes: tokio::sync::watch::Sender::new(0),
            state: Mutex::new(state),
            blocked_ips: RwLock::new(blocked),
            ballots: Default::default(),
            generation: Default::default(),
            view: Default::default(),
            listed: Default::default(),
        }
    }
}

/// Rebuilds the community's state from the relay's record (which must hold a genesis): the
/// ledger, open proposals with their votes, and the blocked addresses.
pub(super) async fn load(
    store: &dyn Store,
    keys: &Keys,
    now: u64,
) -> Result<(State, HashSet<IpAddr>), CommunityError> {
    let relay = keys.pubkey().to_hex();
    let decisions = all(
        store,
        json!({"authors": [relay], "kinds": [cg::KIND_DECISION]}),
        now,
    )
    .await?;
    let members = all(
        store,
        json!({"authors": [relay], "kinds": [nip43::KIND_MEMBER_ADDED, nip43::KIND_MEMBER_REMOVED]}),
        now,
    )
    .await?;
    let ledger = Ledger::replay(&decisions, &members)?;
    let latest = |kinds: serde_json::Value| {
        let filter = json!({"authors": [relay], "kinds": kinds, "limit": 1});
        async move {
            let newest = all(store, filter, now).await?;
            Ok::<u64, CommunityError>(newest.first().map_or(0, |e| e.created_at))
        }
    };
    let clock = latest(json!([nip43::KIND_MEMBERSHIP_LIST, cg::KIND_POLICY])).await?;
    let changed_at = latest(json!([
        cg::KIND_DECISION,
        nip43::KIND_MEMBER_ADDED,
        nip43::KIND_MEMBER_REMOVED
    ]))
    .await?;
    let mut state = State::new(ledger);
    state.clock = clock;
    state.changed_at = changed_at;
    proposals::reopen(store, keys, &mut state, now).await?;
    let blocked: HashSet<IpAddr> = store
        .blocked_ips()
        .await?
        .into_iter()
        .filter_map(|(ip, _)| ip.parse().ok())
        .collect();
    Ok((state, blocked))
}

/// Re-applies what the policy says is removed: an event removed by a decision is stored
/// nowhere (quarantined, while an emergency's ratification is pending). A decision and its
/// effects are committed together, so this finds nothing to do, unless the record was written
/// by an older version that applied them afterwards and stopped in between.
async fn heal(writer: &Writer, ledger: &Ledger) -> Result<(), CommunityError> {
    let removed = &ledger.policy.removed_events;
    if removed.is_empty() {
        return Ok(());
    }
    let pending: HashSet<EventId> = ledger
        .pending
        .values()
        .flat_map(|p| p.effects.remove_events.iter().copied())
        .collect();
    let ops: Vec<WriteOp> = removed
        .iter()
        .map(|(id, r)| match pending.contains(id) {
            true => Effect::Quarantine {
                id: *id,
                at: i64::try_from(r.at).unwrap_or(i64::MAX),
            },
            false => Effect::Remove(*id),
        })
        .map(WriteOp::Effect)
        .collect();
    let healed = writer
        .write_all(ops)
        .await?
        .into_iter()
        .filter(|s| *s == Saved::Stored)
        .count();
    if healed > 0 {
        tracing::warn!(
            events = healed,
            "removed events the record still held were removed"
        );
    }
    Ok(())
}

/// After genesis the decision log governs: founders in the config must still be the founders
/// (of the genesis or of the policy now), and other genesis settings that differ are ignored
/// with a warning.
fn check_config(config: &Config, ledger: &Ledger) -> Result<(), CommunityError> {
    let genesis_founders: Vec<PubKey> = ledger.genesis_policy().founders.keys.clone();
    let now_founders = &ledger.policy.founders.keys;
    if !config.founders.is_empty()
        && config.founders != genesis_founders
        && &config.founders != now_founders
    {
        let named: Vec<String> = genesis_founders
            .iter()
            .map(nips::nip19::encode_npub)
            .collect();
        return Err(CommunityError::Genesis(format!(
            "this data holds a community already, founded on {} by {}; its founders change \
             only by a decision of its members. To run it, drop the --founder flags (or the \
             founders setting). To start a new community, use another --data-dir (or another \
             --database-url).",
            crate::dates::date(ledger.founded_at),
            match named.is_empty() {
                true => "nobody".to_string(),
                false => named.join(", "),
            }
        )));
    }
    if !config.operators.is_empty() && config.operators != ledger.policy.operators.keys {
        tracing::warn!(
            "configured operators differ from the governed policy; the policy is in force"
        );
    }
    for name in configured_differences(config, ledger) {
        tracing::warn!(
            parameter = %name,
            "the configured value differs from the governed policy; the policy is in force \
             (members change it by proposal)"
        );
    }
    Ok(())
}

/// The configured settings the governed policy overrides. Only values the operator set count:
/// a default left alone is not a difference worth a warning at every start.
fn configured_differences(config: &Config, ledger: &Ledger) -> Vec<String> {
    let configured = PolicyDoc::from_policy(&config.genesis);
    let defaults = PolicyDoc::from_policy(&governance::Policy::default());
    let mut names: Vec<String> = vec!["admission.mode".into(), "admission.read".into()];
    if let Some(serde_json::Value::Object(limits)) = configured.get("limitation") {
        names.extend(limits.keys().map(|k| format!("limitation.{k}")));
    }
    names
        .into_iter()
        .filter(|n| configured.get(n) != defaults.get(n) && configured.get(n) != ledger.doc.get(n))
        .collect()
}

/// Signs and stores the genesis: the `genesis` decision (carrying the initial `policy`), the
/// policy document, one member event per founder and the membership list.
pub(super) async fn sign_genesis(
    writer: &Writer,
    keys: &Keys,
    policy: &Policy,
    founders: &[PubKey],
    now: u64,
) -> Result<(), CommunityError> {
    let doc = PolicyDoc::from_policy(policy);
    let mut ledger = Ledger::genesis(doc.clone()).map_err(CommunityError::Genesis)?;
    let decision = Decision::genesis(&doc);
    let genesis = events::decision_event(keys, &decision, now, doc.canonical());
    let mut out = vec![
        genesis.clone(),
        events::policy_event(keys, &doc, &genesis.id, now),
    ];
    for (i, founder) in founders.iter().enumerate() {
        let seq = i as u64 + 1;
        out.push(events::member_event(
            keys,
            true,
            founder,
            now,
            seq,
            None,
            Some(&genesis.id),
        ));
        ledger.roster.add(*founder, now, None);
        ledger.member_seq = seq;
    }
    out.push(events::membership_list(
        keys,
        &ledger.roster,
        &ledger.policy,
        now,
    ));
    let ops = out
        .into_iter()
        .map(|e| WriteOp::Save(Arc::new(Record::new(e))))
        .collect();
    for saved in writer.write_all(ops).await? {
        if saved != Saved::Stored {
            return Err(CommunityError::NotStored(saved));
        }
    }
    ledger
        .commit(genesis.id, now, &decision, doc, None)
        .map_err(CommunityError::Genesis)?;
    metrics::counter!("communitarium_decisions_total", "result" => "genesis").increment(1);
    tracing::info!(founders = founders.len(), "genesis signed");
    Ok(())
}
