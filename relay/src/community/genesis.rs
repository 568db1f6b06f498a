//! Start-up: rebuild the community from the relay's record, or sign the genesis on first start.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::IpAddr;
use std::sync::Arc;

use arc_swap::ArcSwap;
use governance::decision::Resolution;
use governance::ledger::Ledger;
use governance::{Decision, PolicyDoc, Proposal, Vote};
use nips::{Event, EventId, Filter, Keys, PubKey, cg, nip43, nip88};
use parking_lot::RwLock;
use serde_json::json;
use tokio::sync::Mutex;

use super::{Community, CommunityError, Snapshot, State, events, proposals};
use crate::cluster::governance::{Stale, bump};
use crate::cluster::{Cluster, ClusterError};
use crate::config::Config;
use crate::store::{Effect, Reader, Record, Saved, Store, StoredEvent, WriteOp};
use crate::writer::Writer;

/// Everything matching `filter`, newest first: all of it, unless the filter sets a `limit`.
pub async fn all(
    store: &dyn Store,
    filter: serde_json::Value,
    now: u64,
) -> Result<Vec<Event>, CommunityError> {
    let filter = Filter::from_value(&filter).map_err(|e| CommunityError::Genesis(e.to_string()))?;
    let limit = filter.limit.unwrap_or(i64::MAX as u64);
    let rows: Vec<StoredEvent> = store.query(&filter, limit, now, Reader::Relay).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| Event::from_json(&r.json).ok())
        .collect())
}

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
            if let Some(c) = &cluster {
                bump(c.pool(), Stale::Ledger)
                    .await
                    .map_err(ClusterError::from)?;
            }
            genesis(writer, &keys, config, now).await?;
        }
        let (state, blocked) = load(&**store, &keys, now).await?;
        check_config(config, &state.ledger)?;
        heal(writer, &state.ledger).await?;
        if let Some(g) = &mut gov {
            g.caught_up();
        }
        drop(gov);
        let snapshot = Snapshot {
            policy: Arc::new(state.ledger.policy.clone()),
            roster: Arc::new(state.ledger.roster.clone()),
            decisions: state.ledger.chain.len(),
        };
        tracing::info!(
            pubkey = %keys.pubkey(),
            members = state.ledger.roster.len(),
            policy_version = state.ledger.doc.version(),
            decisions = state.ledger.chain.len(),
            open_proposals = state.open.len(),
            "community loaded"
        );
        Ok(Self {
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
        })
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
    let mut state = State {
        ledger,
        open: BTreeMap::new(),
        reported: HashMap::new(),
        clock,
        accepted_up_to: 0,
        changed_at,
        delegations: Default::default(),
        deferred: None,
        digests: Default::default(),
        stale: false,
    };
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

/// Signs and stores the genesis: the `genesis` decision (carrying the initial policy), the
/// policy document, one member event per founder and the membership list.
async fn genesis(
    writer: &Writer,
    keys: &Keys,
    config: &Config,
    now: u64,
) -> Result<(), CommunityError> {
    let doc = PolicyDoc::from_policy(&config.genesis);
    let mut ledger = Ledger::genesis(doc.clone()).map_err(CommunityError::Genesis)?;
    let decision = Decision {
        resolution: Resolution::Genesis,
        prev: None,
        proposal: None,
        action: None,
        reverts: None,
        amends: None,
        tally: None,
        author: None,
        reason: String::new(),
        version: doc.version(),
        policy: doc.hash(),
        emergency: None,
    };
    let genesis = events::decision_event(keys, &decision, now, doc.canonical());
    let mut out = vec![
        genesis.clone(),
        events::policy_event(keys, &doc, &genesis.id, now),
    ];
    for (i, founder) in config.founders.iter().enumerate() {
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
    out.push(events::membership_list(keys, &ledger.roster, now));
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
    tracing::info!(founders = config.founders.len(), "genesis signed");
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
        return Err(CommunityError::Genesis(
            "the founders in the configuration differ from this relay's founders; after genesis \
             founders change only by a constitutional decision of the members. Restore the \
             founders setting (or remove it)."
                .into(),
        ));
    }
    if !config.operators.is_empty() && config.operators != ledger.policy.operators.keys {
        tracing::warn!(
            "configured operators differ from the governed policy; the policy is in force"
        );
    }
    let configured = PolicyDoc::from_policy(&config.genesis);
    for (name, value) in [
        ("admission.mode", configured.get("admission.mode")),
        ("admission.read", configured.get("admission.read")),
        ("limitation", configured.get("limitation")),
    ] {
        if value != ledger.doc.get(name) {
            tracing::warn!(
                parameter = name,
                "the configured value differs from the governed policy; the policy is in force \
                 (members change it by proposal)"
            );
        }
    }
    Ok(())
}

/// Is `event` a governance proposal (a poll with a `gov` tag)?
pub(crate) fn is_proposal(event: &Event) -> bool {
    event.kind == nip88::KIND_POLL && event.has_tag(cg::TAG_GOV)
}

/// Votes among `events`.
pub(crate) fn votes(events: &[Event]) -> Vec<Vote> {
    events.iter().filter_map(Vote::parse).collect()
}

/// Proposals among `events` (malformed ones skipped).
pub(crate) fn parse_proposals(events: &[Event]) -> Vec<(Event, Proposal)> {
    events
        .iter()
        .filter(|e| is_proposal(e))
        .filter_map(|e| Proposal::parse(e).ok().flatten().map(|p| (e.clone(), p)))
        .collect()
}
