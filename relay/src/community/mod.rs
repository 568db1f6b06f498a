//! The community: the relay's identity, its members, and the governance that changes its
//! policy. State is rebuilt from the relay's public record at start-up (the same replay
//! `verify` does), changed only here, and published to sessions as an immutable snapshot.

mod amendments;
mod ballots;
mod cofounders;
mod deferred;
mod delegations;
mod effects;
mod emergency;
pub mod events;
pub mod founding;
mod genesis;
pub mod hands;
mod heralds;
pub mod identity;
mod listing;
mod membership;
pub mod notice;
mod proposals;
mod record;
mod reports;
#[cfg(test)]
mod tests;
pub mod view;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::IpAddr;
use std::sync::Arc;

use arc_swap::ArcSwap;
use governance::decision::Resolution;
use governance::ledger::{Draft, Ledger, Prepared, ReplayError};
use governance::{Policy, Roster};
use nips::{Event, EventId, Keys, PubKey, Reason, nip56};
use parking_lot::RwLock;
use tokio::sync::Mutex;

use crate::cluster::governance::{Generations, Stale, bump};
use crate::cluster::{Cluster, ClusterError, GovGuard};
use crate::community::hands::Hands;
use crate::dates::unix_now;
use crate::store::{Effect, Record, Saved, Store, StoreError, WriteOp};
use crate::writer::WriteError;

pub use emergency::{CallError, CallOutcome};
pub use membership::mint_relay_invite;
pub use proposals::Open;
pub use record::all;

/// What sessions read: the policy and membership in force. Swapped whole on every change.
#[derive(Debug)]
pub struct Snapshot {
    pub policy: Arc<Policy>,
    pub roster: Arc<Roster>,
    /// Decisions in the chain (the page's copy of the log is read again when it grows).
    pub decisions: usize,
}

impl Snapshot {
    /// Is `key` a member in good standing (on the roster, not banned) at `now`?
    pub fn is_member(&self, key: &PubKey, now: u64) -> bool {
        self.policy.in_good_standing(&self.roster, key, now)
    }
}

/// Failures of the community service (internal; clients see `error:`).
#[derive(Debug, thiserror::Error)]
pub enum CommunityError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error("the relay's record does not replay: {0}")]
    Replay(#[from] ReplayError),
    #[error(transparent)]
    Identity(#[from] identity::IdentityError),
    #[error("{0}")]
    Genesis(String),
    #[error("cannot record a decision: {0}")]
    Decision(String),
    #[error("a relay event was not stored ({0:?})")]
    NotStored(Saved),
    #[error("no member could vote on this proposal")]
    NoElectorate,
    #[error("this community is not founded yet")]
    NotFounded,
    #[error(transparent)]
    Cluster(#[from] ClusterError),
}

/// Mutable governance state, behind one lock so changes happen one at a time.
pub(crate) struct State {
    pub ledger: Ledger,
    /// Proposals still open for votes.
    pub open: BTreeMap<EventId, Open>,
    /// When the relay last opened a proposal from reports about each target.
    pub reported: HashMap<nip56::Target, u64>,
    /// Last `created_at` given to a relay-signed replaceable event; they must increase.
    pub clock: u64,
    /// The latest `created_at` of a proposal the relay accepted (its own included).
    pub accepted_up_to: u64,
    /// The latest `created_at` of a relay-signed member event or decision.
    pub changed_at: u64,
    /// Members' vote delegations in force.
    pub delegations: governance::delegation::Delegations,
    /// Decisions applied here but not yet committed, while proposals close together.
    pub deferred: Option<deferred::Deferred>,
    /// Electorate digests already computed, for the decisions that record them.
    pub digests: governance::ledger::Digests,
    /// A write of the record failed after it may have been stored: this state may disagree
    /// with the record, and is reloaded from it before it is used again.
    pub stale: bool,
    /// Open proposals whose "a day left" reminder was sent.
    pub reminded: HashSet<EventId>,
}

impl State {
    /// The state of `ledger`, before any proposal is reopened.
    pub(super) fn new(ledger: Ledger) -> Self {
        Self {
            ledger,
            open: BTreeMap::new(),
            reported: HashMap::new(),
            clock: 0,
            accepted_up_to: 0,
            changed_at: 0,
            delegations: Default::default(),
            deferred: None,
            digests: Default::default(),
            stale: false,
            reminded: HashSet::new(),
        }
    }

    /// A `created_at` for a replaceable relay event: now, or one past the previous one.
    fn tick(&mut self, now: u64) -> u64 {
        self.clock = now.max(self.clock + 1);
        self.clock
    }

    /// The time of a change of membership or policy the relay makes at `at`: later than every
    /// proposal it has accepted, so their electorates (members and bans as of their
    /// `created_at`, inclusive) stay what they were when accepted. When a proposal was
    /// accepted in this very second, waits for the next one (proposals are never dated ahead,
    /// so the wait is under a second).
    async fn change_time(&mut self, at: u64) -> u64 {
        let floor = self.accepted_up_to.saturating_add(1);
        if at < floor {
            wait_until(floor).await;
        }
        let at = at.max(floor);
        self.changed_at = self.changed_at.max(at);
        at
    }

    /// Is an amendment of `original` still open? Then `original` waits for it.
    fn amendment_open(&self, original: &EventId) -> bool {
        self.open
            .values()
            .any(|o| o.proposal.amends.as_ref() == Some(original))
    }

    /// Join requests waiting for the members: open admission proposals.
    pub fn open_join_requests(&self) -> usize {
        self.open
            .values()
            .filter(|o| matches!(o.proposal.action, governance::Action::Admit(_)))
            .count()
    }

    /// Records that a proposal dated `created_at` was accepted.
    fn accepted(&mut self, created_at: u64) {
        self.accepted_up_to = self.accepted_up_to.max(created_at);
    }
}

/// What a client hears when the community's state cannot be taken (on a cluster, the
/// governance lock was not granted, or the database is away).
pub(super) fn busy(e: CommunityError) -> Reason {
    if matches!(e, CommunityError::NotFounded) {
        return Reason::restricted(
            "this community is not founded yet: its founder opens the setup link the relay \
             printed when it started",
        );
    }
    tracing::warn!(error = %e, "could not take the community's state");
    Reason::error("the relay could not record this now; try again shortly")
}

/// What a member's governance event's write came to: delivered live and `Ok(true)` when
/// stored, `Ok(false)` when it was already stored, or the refusal to answer.
async fn member_saved(
    hands: &Hands,
    record: &Arc<Record>,
    outcome: Result<Saved, WriteError>,
    what: &str,
) -> Result<bool, Reason> {
    match outcome {
        Ok(Saved::Stored) => {
            hands.fanout.send(record, Default::default()).await;
            Ok(true)
        }
        Ok(Saved::Duplicate) => Ok(false),
        Ok(Saved::Superseded) => Err(Reason::duplicate(format!(
            "a newer {what} is already in force"
        ))),
        Ok(_) => Err(Reason::blocked(format!("this {what} was deleted"))),
        Err(_) => Err(Reason::error(format!(
            "could not save the {what}; try again"
        ))),
    }
}

/// A decision's title for a notice: the first line of its proposal's text.
fn draft_title(reason: &str) -> String {
    let first = reason.lines().next().unwrap_or_default().trim();
    match first.is_empty() {
        true => "a proposal".into(),
        false => first.chars().take(120).collect(),
    }
}

/// Sleeps until the wall clock reaches `unix` seconds.
async fn wait_until(unix: u64) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let target = std::time::Duration::from_secs(unix);
    if let Some(left) = target.checked_sub(now) {
        tokio::time::sleep(left).await;
    }
}

/// A decision to record: how it was resolved, what it decides, when, the text that sums it up
/// for people, and any effects its caller adds (an emergency's blocked address).
pub(crate) struct Ruling {
    pub resolution: Resolution,
    pub draft: Draft,
    pub at: u64,
    pub summary: String,
    pub also: Vec<Effect>,
}

/// The state, taken to be changed: on a node of a cluster, with the cluster's governance lock
/// held until it is dropped.
pub(crate) struct Locked<'a> {
    state: tokio::sync::MutexGuard<'a, State>,
    _gov: Option<GovGuard>,
    /// Bumped when the guard is dropped: the state may have changed, so views of it are old.
    generation: &'a std::sync::atomic::AtomicU64,
}

impl Drop for Locked<'_> {
    fn drop(&mut self) {
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::Release);
    }
}

impl std::ops::Deref for Locked<'_> {
    type Target = State;
    fn deref(&self) -> &State {
        &self.state
    }
}

impl std::ops::DerefMut for Locked<'_> {
    fn deref_mut(&mut self) -> &mut State {
        &mut self.state
    }
}

/// The community service.
pub struct Community {
    keys: Keys,
    public_url: String,
    /// Where the record is read from when another node changed it.
    store: Arc<dyn Store>,
    /// Set on a node of a cluster.
    cluster: Option<Arc<Cluster>>,
    snapshot: ArcSwap<Snapshot>,
    /// Bumped with every new snapshot, so sessions re-check what their clients may read.
    changes: tokio::sync::watch::Sender<u64>,
    state: Mutex<State>,
    blocked_ips: RwLock<HashSet<IpAddr>>,
    /// Votes waiting to be counted together.
    ballots: ballots::Ballots,
    /// Moves whenever the state may have changed (see [`Locked`]).
    generation: std::sync::atomic::AtomicU64,
    /// The page's view of the state, and the generation it was taken at.
    view: tokio::sync::Mutex<Option<(u64, Arc<view::GovView>)>>,
    /// Who the membership list named at the last check (see `listing.rs`).
    listed: parking_lot::Mutex<Option<listing::Checked>>,
}

impl Community {
    /// The relay's public key (NIP-11 `self`).
    pub fn pubkey(&self) -> PubKey {
        self.keys.pubkey()
    }

    /// The relay's signing key, for the room events it signs.
    pub(crate) fn keys(&self) -> &Keys {
        &self.keys
    }

    /// The policy and membership in force now.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot.load_full()
    }

    /// What `sign` makes with the relay's key (announcements, direct messages).
    pub fn sign_with<T>(&self, sign: impl FnOnce(&Keys) -> T) -> T {
        sign(&self.keys)
    }

    /// Is connecting from `ip` refused?
    pub fn is_blocked(&self, ip: &IpAddr) -> bool {
        self.blocked_ips.read().contains(ip)
    }

    /// Takes the state to change it. On a node of a cluster this also takes the cluster's
    /// governance lock, and first reloads what another node changed since this one looked.
    pub(crate) async fn lock(&self, hands: &Hands) -> Result<Locked<'_>, CommunityError> {
        let locked = self.lock_any(hands).await?;
        if locked.ledger.head.is_none() {
            return Err(CommunityError::NotFounded);
        }
        Ok(locked)
    }

    /// As [`Community::lock`], founded or not (what founding itself takes).
    pub(crate) async fn lock_any(&self, hands: &Hands) -> Result<Locked<'_>, CommunityError> {
        let mut state = self.state.lock().await;
        if state.stale {
            self.reload(hands, &mut state, Stale::Ledger).await?;
        }
        let gov = match &self.cluster {
            None => None,
            Some(c) => {
                let mut gov = c.governance.acquire().await?;
                if let Some(level) = gov.stale() {
                    self.reload(hands, &mut state, level).await?;
                }
                gov.caught_up();
                Some(gov)
            }
        };
        Ok(Locked {
            state,
            _gov: gov,
            generation: &self.generation,
        })
    }

    /// Called under [`Community::lock`] before writing a change: on a node of a cluster,
    /// tells the other nodes (committed before the write, so even a node that dies mid-change
    /// leaves them knowing they must reload).
    pub(crate) async fn will_change(&self, level: Stale) -> Result<(), CommunityError> {
        if let Some(c) = &self.cluster {
            bump(c.pool(), level).await.map_err(ClusterError::from)?;
        }
        Ok(())
    }

    /// On a node of a cluster: reloads the state if another node changed it. The counters
    /// are read without the lock, but the reload happens under it: a node bumps a counter
    /// *before* it writes its change, so a reload outside the lock could miss the write yet
    /// record the bump as seen, and a later close would tally without it.
    pub async fn refresh(&self, hands: &Hands) -> Result<(), CommunityError> {
        let Some(cluster) = &self.cluster else {
            return Ok(());
        };
        let mut conn = cluster.pool().acquire().await.map_err(ClusterError::from)?;
        let current = Generations::read(&mut conn)
            .await
            .map_err(ClusterError::from)?;
        drop(conn);
        if cluster.governance.known().await.stale(&current).is_some() {
            drop(self.lock(hands).await?);
        }
        Ok(())
    }

    /// Rebuilds `level` of the state from the record another node changed.
    async fn reload(
        &self,
        hands: &Hands,
        state: &mut State,
        level: Stale,
    ) -> Result<(), CommunityError> {
        let started = std::time::Instant::now();
        let now = unix_now();
        match level {
            Stale::Ledger => {
                let (fresh, blocked) = genesis::load(&*self.store, &self.keys, now).await?;
                *state = fresh;
                let newly: Vec<IpAddr> = {
                    let mut current = self.blocked_ips.write();
                    let newly = blocked.difference(&current).copied().collect();
                    *current = blocked;
                    newly
                };
                for ip in &newly {
                    hands.disconnect_ip(ip);
                }
            }
            Stale::Open => {
                state.open.clear();
                state.reported.clear();
                proposals::reopen(&*self.store, &self.keys, state, now).await?;
            }
        }
        self.publish_snapshot(state);
        metrics::histogram!("communitarium_cluster_reload_seconds")
            .record(started.elapsed().as_secs_f64());
        tracing::debug!(?level, "community state reloaded: another node changed it");
        Ok(())
    }

    fn publish_snapshot(&self, state: &State) {
        self.publish_snapshot_with(state, true);
    }

    /// As [`Self::publish_snapshot`]; an unchanged roster is shared with the previous
    /// snapshot rather than copied (100,000 members are megabytes to copy per decision).
    fn publish_snapshot_with(&self, state: &State, roster_changed: bool) {
        let roster = match roster_changed {
            true => Arc::new(state.ledger.roster.clone()),
            false => self.snapshot.load().roster.clone(),
        };
        self.snapshot.store(Arc::new(Snapshot {
            policy: Arc::new(state.ledger.policy.clone()),
            roster,
            decisions: state.ledger.chain.len(),
        }));
        self.changes.send_modify(|n| *n += 1);
    }

    /// The member events and membership list a decision's `effects` publish (into `out`), and
    /// the roster and member sequence after them; `None` when it changes no one, so a
    /// decision that admits or removes nobody never copies the roster.
    fn member_changes(
        &self,
        state: &mut State,
        effects: &governance::state::Effects,
        id: &EventId,
        at: u64,
        out: &mut Vec<Event>,
    ) -> Option<(Roster, u64)> {
        if effects.admit.is_empty() && effects.remove.is_empty() && effects.roles.is_empty() {
            return None;
        }
        let mut roster = state.ledger.roster.clone();
        let mut seq = state.ledger.member_seq;
        for (added, keys) in [(true, &effects.admit), (false, &effects.remove)] {
            for k in keys {
                seq += 1;
                out.push(events::member_event(
                    &self.keys,
                    added,
                    k,
                    at,
                    seq,
                    None,
                    Some(id),
                ));
                match added {
                    true => roster.add(*k, at, None),
                    false => roster.remove(k, at),
                };
            }
        }
        for (k, role, assign) in &effects.roles {
            roster.set_role(k, role, *assign);
        }
        if roster != state.ledger.roster {
            let at = state.tick(at);
            out.push(events::membership_list(
                &self.keys,
                &roster,
                &state.ledger.policy,
                at,
            ));
        }
        Some((roster, seq))
    }

    /// Changes whenever membership or the policy changes.
    pub fn changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changes.subscribe()
    }

    /// Commits a member's governance event (a proposal, a vote, a delegation) and delivers it
    /// live, first telling the other nodes their open state is stale. `Ok(false)`: it was
    /// already stored. `what` names it in refusals.
    async fn save_member_event(
        &self,
        hands: &Hands,
        record: &Arc<Record>,
        what: &str,
    ) -> Result<bool, Reason> {
        self.will_change(Stale::Open).await.map_err(busy)?;
        let outcome = hands.writer.write(WriteOp::Save(record.clone())).await;
        member_saved(hands, record, outcome, what).await
    }

    /// Commits relay-signed `events` in one transaction, then delivers them live.
    async fn publish(
        &self,
        hands: &Hands,
        state: &mut State,
        events: Vec<Event>,
    ) -> Result<(), CommunityError> {
        self.commit(hands, state, events, Vec::new()).await
    }

    /// Commits relay-signed `events` and a decision's `effects` in one transaction (all or
    /// nothing), then delivers the events live and applies blocked addresses in memory. When
    /// the write fails, it may still have been committed (a connection lost during `COMMIT`),
    /// so the state is reloaded from the store, which is the truth either way.
    async fn commit(
        &self,
        hands: &Hands,
        state: &mut State,
        events: Vec<Event>,
        effects: Vec<Effect>,
    ) -> Result<(), CommunityError> {
        self.will_change(Stale::Ledger).await?;
        let records: Vec<Arc<Record>> = events
            .into_iter()
            .map(|e| Arc::new(Record::new(e)))
            .collect();
        let mut ops: Vec<WriteOp> = records.iter().map(|r| WriteOp::Save(r.clone())).collect();
        ops.extend(effects.iter().cloned().map(WriteOp::Effect));
        let saved = match hands.writer.write_all(ops).await {
            Ok(saved) => saved,
            Err(e) => {
                self.recover(hands, state).await;
                return Err(e.into());
            }
        };
        for (record, outcome) in records.iter().zip(&saved) {
            match outcome {
                Saved::Stored => hands.fanout.send(record, Default::default()).await,
                Saved::Duplicate => {}
                // Committed with the rest, so the record holds what it holds: read it again.
                other => {
                    self.recover(hands, state).await;
                    return Err(CommunityError::NotStored(*other));
                }
            }
        }
        for effect in &effects {
            self.blocks_changed(hands, effect);
        }
        Ok(())
    }

    /// After a failure once the record may have changed: reloads the state from the store now,
    /// or, if the store cannot answer, leaves it marked stale so the next lock reloads it first.
    async fn recover(&self, hands: &Hands, state: &mut State) {
        state.stale = true;
        state.deferred = None;
        match self.reload(hands, state, Stale::Ledger).await {
            Ok(()) => {
                tracing::warn!("a change of the record failed; the state was reloaded from it")
            }
            Err(e) => {
                tracing::warn!(error = %e, "a change of the record failed; the state is reloaded at the next change")
            }
        }
    }

    /// Records a decision with everything it causes, in one transaction: the 8002, a new
    /// 33535 when the policy changed, member events and a new 13534 when membership changed,
    /// events removed or restored, addresses blocked or unblocked (and the ruling's own
    /// effects). An action that cannot be applied any more (the policy moved on) is recorded
    /// as failed.
    async fn record(
        &self,
        hands: &Hands,
        state: &mut State,
        ruling: Ruling,
    ) -> Result<EventId, CommunityError> {
        let Ruling {
            resolution,
            draft,
            at,
            summary,
            also,
        } = ruling;
        let (prepared, summary) = prepare(&state.ledger, resolution, draft, at, summary)?;
        let decision = &prepared.decision;
        let decision_event = events::decision_event(&self.keys, decision, at, summary);
        let id = decision_event.id;
        let mut out = vec![decision_event];
        if prepared.doc.version() != state.ledger.doc.version() {
            let at = state.tick(at);
            out.push(events::policy_event(&self.keys, &prepared.doc, &id, at));
        }
        let members = self.member_changes(state, &prepared.effects, &id, at, &mut out);
        let mut effects = self.event_effects(state, decision, resolution, &prepared.effects, at);
        if let Some((was_block, digest)) = decision
            .reverts
            .and_then(|em| state.ledger.pending.get(&em))
            .and_then(|p| p.ip.clone())
        {
            effects.extend(self.ip_revert(hands, was_block, &digest).await?);
        }
        effects.extend(also);
        // A decision whose effects are events alone waits to be committed with the others
        // closing together; any other is committed now, with its effects, after those that
        // wait. Kept back until the ledger has the decision: a decision the ledger refuses is
        // then never committed with the others.
        let waiting = match effects.is_empty() && state.deferred.is_some() {
            true => Some(out),
            false => {
                self.flush(hands, state).await?;
                self.commit(hands, state, out, effects).await?;
                None
            }
        };
        if let Err(why) =
            state
                .ledger
                .commit(id, at, &prepared.decision, prepared.doc, prepared.pending)
        {
            // Stored, or about to be, yet refused in memory: only the record can say.
            self.recover(hands, state).await;
            return Err(CommunityError::Decision(why));
        }
        let roster_changed = members.is_some();
        if let Some((roster, seq)) = members {
            state.ledger.roster = roster;
            state.ledger.member_seq = seq;
        }
        let notice = decided_notice(&prepared.decision, id);
        self.make_known(hands, state, waiting, roster_changed, notice)
            .await?;
        metrics::counter!("communitarium_decisions_total", "result" => resolution.as_str())
            .increment(1);
        tracing::info!(decision = %id, result = %resolution, version = state.ledger.doc.version(), "decision recorded");
        Ok(id)
    }

    /// Makes a recorded decision known: its events (unless they wait for the others closing
    /// together), the new snapshot, and the members' notice.
    async fn make_known(
        &self,
        hands: &Hands,
        state: &mut State,
        waiting: Option<Vec<Event>>,
        roster_changed: bool,
        notice: Option<notice::Notice>,
    ) -> Result<(), CommunityError> {
        match (waiting, state.deferred.as_mut()) {
            (Some(events), Some(d)) => d.add(events, roster_changed, notice),
            (Some(events), None) => {
                self.publish(hands, state, events).await?;
                self.publish_snapshot_with(state, roster_changed);
                notice.into_iter().for_each(|n| hands.notices.send(n));
            }
            (None, _) => {
                self.publish_snapshot_with(state, roster_changed);
                notice.into_iter().for_each(|n| hands.notices.send(n));
            }
        }
        Ok(())
    }
}

/// The ruling prepared against `ledger`; a passed proposal the ledger cannot apply is
/// recorded as failed, with the reason in its summary.
fn prepare(
    ledger: &Ledger,
    resolution: Resolution,
    draft: Draft,
    at: u64,
    summary: String,
) -> Result<(Prepared, String), CommunityError> {
    match ledger.prepare(resolution, draft.clone(), at) {
        Ok(p) => Ok((p, summary)),
        Err(why) if resolution == Resolution::Passed => {
            let p = ledger
                .prepare(Resolution::Failed, draft, at)
                .map_err(CommunityError::Decision)?;
            Ok((p, format!("{summary} It could not be applied: {why}.")))
        }
        Err(why) => Err(CommunityError::Decision(why)),
    }
}

/// What members hear of decision `id` on a proposal: its outcome, in words.
fn decided_notice(decision: &governance::Decision, id: EventId) -> Option<notice::Notice> {
    decision.proposal.map(|p| notice::Notice {
        moment: governance::notify::Moment::Decided,
        proposal: p,
        title: draft_title(&decision.reason),
        decision: Some((id, heralds::outcome(decision.resolution).to_string())),
    })
}
