//! `communitarium sync <relay>`: reconciles this relay's events with another relay's, by
//! NIP-77 negentropy when the other side speaks it, otherwise by fetching its ids with plain
//! `REQ`s. Down (the default): what only the other relay has is imported (under
//! [`Importer`]'s rules), and only what was asked for: events of the ids it named that match
//! the filter. Up: what only this relay has is published to the other one, as far as a client
//! of the other relay's key could read it here ([`Readers`]), never an event its author marked
//! for their own relays alone (NIP-70).

use std::collections::HashSet;

use governance::{Policy, ReadAccess, Roster};
use negentropy::{Id, Negentropy, NegentropyStorageVector};
use nips::{Event, EventId, Filter, Keys, PubKey, nip59, nip70};
use serde_json::{Value, json};

use super::{Importer, Progress, Report, Selection, TransferError};
use crate::peer::{Bounds, NegReply, Peer};
use crate::store::{Reader, Store};

/// Which way events flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Direction {
    /// Fetch what only the other relay has.
    Down,
    /// Send what only this relay has.
    Up,
    /// Both.
    Both,
}

/// The most events one sync covers on this side; larger sets are synced in parts (`--since`,
/// `--until`).
pub const MAX_LOCAL: u64 = 1_000_000;

/// Events per `REQ` by id, and per publishing window.
const CHUNK: usize = 200;

/// What a sync found and did.
#[derive(Debug, Default)]
pub struct SyncReport {
    /// Negentropy (true) or the plain-REQ fallback.
    pub negentropy: bool,
    /// Ids only the other relay had, and only this one had.
    pub missing_here: usize,
    pub missing_there: usize,
    /// What importing the downloaded events did.
    pub down: Report,
    /// Events the other relay accepted, and its refusals by reason.
    pub sent: u64,
    pub refused: std::collections::BTreeMap<String, u64>,
    /// Events only this relay has that were not sent, by reason.
    pub withheld: std::collections::BTreeMap<String, u64>,
}

impl std::fmt::Display for SyncReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let how = if self.negentropy {
            "negentropy (NIP-77)"
        } else {
            "listing (no NIP-77)"
        };
        writeln!(
            f,
            "reconciled by {how}: {} events only there, {} only here",
            self.missing_here, self.missing_there
        )?;
        writeln!(f, "down: {}", self.down)?;
        write!(
            f,
            "up: sent {}, refused {}",
            self.sent,
            self.refused.values().sum::<u64>()
        )?;
        for (why, n) in &self.refused {
            write!(f, "\n  refused {n}: {why}")?;
        }
        for (why, n) in &self.withheld {
            write!(f, "\n  withheld {n}: {why}")?;
        }
        Ok(())
    }
}

/// What this relay's read rules let a reader see: the policy and members in force, and the
/// relay's own key (whose public record anyone may read).
pub struct Readers {
    pub policy: Policy,
    pub roster: Roster,
    pub relay: PubKey,
}

impl Readers {
    /// May a client authenticated as `authed` read `event` here? Members' content on a
    /// members-only relay only to a member in good standing, gift wraps only to their
    /// recipient, private reactions only to those concerned.
    pub fn may_read(&self, event: &Event, authed: &[PubKey], now: u64) -> bool {
        let member = authed
            .iter()
            .any(|k| self.policy.in_good_standing(&self.roster, k, now));
        let public = self.policy.admission.read == ReadAccess::Public || event.pubkey == self.relay;
        (public || member)
            && nip59::may_receive(event, authed)
            && self.policy.visibility.may_see(event, authed)
    }
}

impl Default for Readers {
    /// A relay with no community yet: public reading, no members.
    fn default() -> Self {
        Self {
            policy: Policy::default(),
            roster: Roster::default(),
            relay: PubKey([0; 32]),
        }
    }
}

/// The other side of a sync: where it is, which way events go, who this relay is to it, and
/// what it may make the command hold or wait for.
pub struct Remote {
    pub url: String,
    pub direction: Direction,
    pub keys: Option<Keys>,
    pub bounds: Bounds,
    /// This relay's read rules, applied to what is sent up.
    pub readers: Readers,
}

/// Syncs `importer.store`'s events in `selection` with `remote`.
pub async fn sync(
    importer: &Importer<'_>,
    remote: Remote,
    selection: &Selection,
    progress: &Progress,
) -> Result<SyncReport, TransferError> {
    let Remote {
        url,
        direction,
        keys,
        bounds,
        readers,
    } = remote;
    let as_keys: Vec<PubKey> = keys.iter().map(Keys::pubkey).collect();
    let store = importer.store;
    let now = crate::relay::unix_now();
    let local = store
        .keys(&selection.filter, MAX_LOCAL + 1, now, Reader::Relay)
        .await?;
    if local.len() as u64 > MAX_LOCAL {
        return Err(TransferError::Filter(format!(
            "this filter selects more than {MAX_LOCAL} local events; sync in parts with --since/--until"
        )));
    }
    let mut peer = Peer::connect(&url, keys, bounds).await?;
    let filter_json = &selection.json;
    progress.set_message("reconciling");
    let mut report = SyncReport::default();
    let (need, have) = match reconcile(&mut peer, filter_json, &local).await? {
        Some(diff) => {
            report.negentropy = true;
            diff
        }
        None => by_listing(&mut peer, filter_json, &local).await?,
    };
    report.missing_here = need.len();
    report.missing_there = have.len();
    if direction != Direction::Up {
        progress.set_message("downloading");
        for chunk in need.chunks(CHUNK) {
            let events = peer.by_ids(chunk, CHUNK as u64).await?;
            let asked = asked_for(events, chunk, &selection.filter, &mut report.down);
            importer.events(asked, &mut report.down).await?;
            progress.advance(chunk.len() as u64);
        }
    }
    if direction != Direction::Down {
        progress.set_message("uploading");
        let rules = Shared {
            readers: &readers,
            as_keys: &as_keys,
        };
        upload(store, &mut peer, &have, &rules, &mut report, progress).await?;
    }
    Ok(report)
}

/// The events among `events` that a sync asked for: one of the ids in `chunk`, matching the
/// selection's filter. Anything else the other relay sent is counted as invalid, not kept.
fn asked_for(
    events: Vec<Event>,
    chunk: &[EventId],
    filter: &Filter,
    report: &mut Report,
) -> Vec<Event> {
    let wanted: HashSet<&EventId> = chunk.iter().collect();
    let (asked, other): (Vec<Event>, Vec<Event>) = events
        .into_iter()
        .partition(|e| wanted.contains(&e.id) && filter.matches(e));
    for _ in other {
        report.refuse("not what the sync asked for (another id, or outside the filter)".into());
    }
    asked
}

/// What may be sent up: what a client of `as_keys` could read here, and not protected.
struct Shared<'a> {
    readers: &'a Readers,
    as_keys: &'a [PubKey],
}

impl Shared<'_> {
    /// `Err` names why `event` stays here.
    fn check(&self, event: &Event, now: u64) -> Result<(), &'static str> {
        if nip70::is_protected(event) {
            return Err("not sent: its author marked it for their own relays alone (NIP-70)");
        }
        if !self.readers.may_read(event, self.as_keys, now) {
            return Err("not sent: the other relay's key may not read it here");
        }
        Ok(())
    }
}

/// Negentropy: `(ids only there, ids only here)`, or `None` when the other relay does not
/// speak NIP-77.
async fn reconcile(
    peer: &mut Peer,
    filter: &Value,
    local: &[crate::store::EventKey],
) -> Result<Option<(Vec<EventId>, Vec<EventId>)>, TransferError> {
    let neg_err = |e: negentropy::Error| TransferError::Negentropy(e.to_string());
    let mut storage = NegentropyStorageVector::with_capacity(local.len());
    for k in local {
        let at = u64::try_from(k.created_at).unwrap_or(0);
        storage
            .insert(at, Id::from_byte_array(*k.id.as_bytes()))
            .map_err(neg_err)?;
    }
    storage.seal().map_err(neg_err)?;
    let mut client = Negentropy::owned(storage, crate::sync::FRAME_SIZE_LIMIT).map_err(neg_err)?;
    let first = client.initiate().map_err(neg_err)?;
    let sub = peer.sub_id("neg");
    let mut message = json!(["NEG-OPEN", sub, filter, hex::encode(first)]);
    let (mut need, mut have) = (Vec::new(), Vec::new());
    loop {
        let answer = match peer.neg(message, &sub).await? {
            NegReply::Msg(m) => m,
            NegReply::Err(reason) => return Err(TransferError::Refused(reason)),
            NegReply::Unsupported => return Ok(None),
        };
        let (mut h, mut n) = (Vec::new(), Vec::new());
        let next = client
            .reconcile_with_ids(&answer, &mut h, &mut n)
            .map_err(neg_err)?;
        have.extend(h.into_iter().map(|id| EventId(id.to_bytes())));
        need.extend(n.into_iter().map(|id| EventId(id.to_bytes())));
        match next {
            Some(next) => message = json!(["NEG-MSG", sub, hex::encode(next)]),
            None => break,
        }
    }
    peer.send(json!(["NEG-CLOSE", sub])).await?;
    Ok(Some((need, have)))
}

/// Without NIP-77: lists every id the other relay has for the filter and compares.
async fn by_listing(
    peer: &mut Peer,
    filter: &Value,
    local: &[crate::store::EventKey],
) -> Result<(Vec<EventId>, Vec<EventId>), TransferError> {
    let theirs: HashSet<EventId> = peer.ids(filter.clone(), 500).await?.into_iter().collect();
    let ours: HashSet<EventId> = local.iter().map(|k| k.id).collect();
    let need = theirs.difference(&ours).copied().collect();
    let have = ours.difference(&theirs).copied().collect();
    Ok((need, have))
}

/// Publishes the events only this relay has that may be shared, from the store.
async fn upload(
    store: &dyn Store,
    peer: &mut Peer,
    have: &[EventId],
    rules: &Shared<'_>,
    report: &mut SyncReport,
    progress: &Progress,
) -> Result<(), TransferError> {
    let now = crate::relay::unix_now();
    for chunk in have.chunks(CHUNK) {
        let ids: Vec<String> = chunk.iter().map(EventId::to_hex).collect();
        let f = Filter::from_value(&json!({ "ids": ids }))
            .map_err(|e| TransferError::Filter(e.to_string()))?;
        let stored = store
            .query(&f, CHUNK as u64, crate::relay::unix_now(), Reader::Relay)
            .await?;
        let mut events: Vec<Event> = Vec::with_capacity(stored.len());
        for e in stored.iter().filter_map(|e| Event::from_json(&e.json).ok()) {
            match rules.check(&e, now) {
                Ok(()) => events.push(e),
                Err(why) => *report.withheld.entry(why.to_string()).or_default() += 1,
            }
        }
        for (ok, message) in peer.publish(&events, 50).await? {
            if ok {
                report.sent += 1;
            } else {
                *report.refused.entry(message).or_default() += 1;
            }
        }
        progress.advance(chunk.len() as u64);
    }
    Ok(())
}
