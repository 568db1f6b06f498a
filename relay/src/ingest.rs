//! Accepting an event: the ordered checks every `EVENT` passes before it is committed and
//! delivered, and the hand-off of membership and governance kinds to the community. Each
//! refusal is a [`Reason`] with its standard prefix.

use std::sync::Arc;

use governance::admit::Context;
use nips::{
    Event, KindClass, PubKey, Reason, nip09, nip40, nip42, nip43, nip56, nip59, nip62, nip70, nip88,
};

use governance::Policy;

use crate::community::Snapshot;
use crate::ratelimit::Limited;
use crate::relay::{Relay, unix_now};
use crate::sigcheck::{self, SigError};
use crate::store::{Record, Saved, WriteOp};
use crate::writer::WriteError;

/// Why an event was not accepted: a rule (the reason goes in `OK false`), or a rate limit
/// (which also counts as a strike against the connection).
#[derive(Debug)]
pub enum Refusal {
    Reason(Reason),
    Limited(Limited),
}

impl From<Reason> for Refusal {
    fn from(r: Reason) -> Self {
        Refusal::Reason(r)
    }
}

/// Who is publishing: the keys the connection has authenticated as (NIP-42), and its address.
#[derive(Debug, Clone)]
pub struct Origin {
    pub authed: Arc<[PubKey]>,
    pub ip: std::net::IpAddr,
}

impl Origin {
    fn is_authed_as(&self, key: &PubKey) -> bool {
        self.authed.contains(key)
    }
}

/// The text of an `OK true`.
pub type Accepted = std::borrow::Cow<'static, str>;

/// Runs `event` through its stages, in order: the checks every event meets, admission, rate,
/// the kind's own route (the community's kinds, ephemeral events), storage, delivery and the
/// after-effects. `Ok` carries the message of an `OK true`; `Err` why it was refused.
pub async fn publish(
    relay: &Arc<Relay>,
    event: Event,
    origin: &Origin,
) -> Result<Accepted, Refusal> {
    let now = unix_now();
    let snapshot = relay.snapshot();
    let record = Arc::new(Record::new(event));
    let member = snapshot.is_member(&record.event.pubkey, now);
    checks(&snapshot.policy, &record, origin, member, now).await?;
    admission(relay, &snapshot, &record.event, origin, now)?;
    rate(relay, &snapshot.policy, &record.event, origin, member, now).await?;
    if let Some(answer) = room_route(relay, &snapshot, &record).await {
        return answer;
    }
    if let Some(answer) = community_route(relay, &record).await {
        return answer;
    }
    if record.event.class() == KindClass::Ephemeral {
        return ephemeral(relay, &record).await;
    }
    if !store(relay, &record).await? {
        return Ok("duplicate: already have this event".into());
    }
    relay.fanout.send(&record, snapshot.policy.visibility).await;
    after_effects(relay, &record).await;
    Ok("".into())
}

/// What every event must be, whoever sends it: within the size and time limits, with the
/// proof of work asked of its author, validly signed, and within the NIPs' own rules (no AUTH
/// events, nothing expired, protected events only from their author).
async fn checks(
    policy: &Policy,
    record: &Arc<Record>,
    origin: &Origin,
    member: bool,
    now: u64,
) -> Result<(), Refusal> {
    let event = &record.event;
    policy
        .limitation
        .check_event(event, record.json.len(), now)?;
    let pow = match policy.rate.pow_non_members_only && member {
        true => 0,
        false => policy.limitation.min_pow_difficulty,
    };
    policy.limitation.check_pow(event, pow)?;
    match sigcheck::verify(record.clone()).await {
        Ok(()) => {}
        Err(SigError::Event(e)) => return Err(Reason::invalid(e.to_string()).into()),
        Err(e @ SigError::Lost) => return Err(Reason::error(e.to_string()).into()),
    }
    if event.kind == nip42::KIND_AUTH {
        return Err(
            Reason::invalid("AUTH events are not published; send them in an AUTH message").into(),
        );
    }
    if nip40::is_expired(event, now) {
        return Err(Reason::invalid("this event has already expired").into());
    }
    if nip70::is_protected(event) && !origin.is_authed_as(&event.pubkey) {
        let why = "this event may only be published by its author";
        return Err(match origin.authed.is_empty() {
            true => Reason::auth_required(why),
            false => Reason::restricted(why),
        }
        .into());
    }
    Ok(())
}

/// The community's policy on who may publish what (members, kinds, read access, bans).
fn admission(
    relay: &Relay,
    snapshot: &Snapshot,
    event: &Event,
    origin: &Origin,
    now: u64,
) -> Result<(), Refusal> {
    let relay_key = relay.community.pubkey();
    let ctx = Context {
        relay: &relay_key,
        relay_url: &relay.public_url,
        roster: &snapshot.roster,
        authed: &origin.authed,
        now,
    };
    Ok(snapshot.policy.admit(event, &ctx)?)
}

/// The governed rate limits: the author's, the target's (across the cluster's nodes), and
/// the per-address limits of gift wraps, signer messages and join requests.
async fn rate(
    relay: &Relay,
    policy: &Policy,
    event: &Event,
    origin: &Origin,
    member: bool,
    now: u64,
) -> Result<(), Refusal> {
    let limits = relay.limits();
    limits.event(event, member).map_err(Refusal::Limited)?;
    if let Some(c) = &relay.cluster
        && let Err((sort, target)) = c
            .caps
            .check(c.pool(), &policy.rate.target, c.nodes(), event, member, now)
            .await
    {
        limits.cool(sort, member, target);
        return Err(Refusal::Limited(crate::ratelimit::spreading(sort)));
    }
    let per_address = match event.kind {
        nip59::KIND_GIFT_WRAP => limits.wrap(event, &origin.ip),
        nips::nip46::KIND_SIGNER => limits.signer_message(event, &origin.ip),
        nip43::KIND_JOIN_REQUEST => limits.join(&origin.ip),
        _ => Ok(()),
    };
    per_address.map_err(Refusal::Limited)
}

/// The kinds the community handles itself: joining and leaving, proposals, votes and
/// delegations (decided and answered there), and deletions that would erase the record.
/// `None` when the event goes on to be stored like any other.
async fn community_route(relay: &Relay, record: &Arc<Record>) -> Option<Result<Accepted, Refusal>> {
    let (community, hands, event) = (&relay.community, &relay.hands, &record.event);
    let answer = match event.kind {
        nip43::KIND_JOIN_REQUEST => community.join(hands, event).await.map(Into::into),
        nip43::KIND_LEAVE_REQUEST => community.leave(hands, event).await.map(Into::into),
        nip88::KIND_POLL => community.propose(hands, record).await?.map(Into::into),
        nip88::KIND_RESPONSE => community.vote(hands, record).await?.map(Into::into),
        nips::cg::KIND_DELEGATION => community.delegate(hands, record).await?.map(Into::into),
        nip09::KIND_DELETION => match community.guard_deletion(hands, event).await {
            Ok(()) => return None,
            Err(reason) => Err(reason),
        },
        _ => return None,
    };
    Some(answer.map_err(Refusal::from))
}

/// Rooms (NIP-29): requests to create, join, leave and moderate a room are the rooms' to
/// answer; the room state only the relay signs is refused from anyone else; a post in a room
/// goes on to be stored only when its room exists and its author may post there; and a
/// deletion may not erase a room's recorded change. `None` when the event goes on.
async fn room_route(
    relay: &Relay,
    snapshot: &Snapshot,
    record: &Arc<Record>,
) -> Option<Result<Accepted, Refusal>> {
    let event = &record.event;
    let rooms = &relay.rooms;
    let outcome = if nips::nip29::is_request(event.kind) {
        let keys = relay.community.keys();
        let clustered = relay.cluster.is_some();
        let answer = rooms
            .handle(&relay.hands, keys, snapshot, record, clustered)
            .await;
        return Some(answer.map_err(Refusal::from));
    } else if nips::nip29::is_relay_signed(event.kind) && event.pubkey != relay.community.pubkey() {
        Err(Reason::restricted(
            "only this relay signs the state of its rooms",
        ))
    } else if event.kind == nip09::KIND_DELETION {
        rooms.guard_deletion(&*relay.store, event).await
    } else {
        let clustered = relay.cluster.is_some();
        rooms
            .may_post(&*relay.store, clustered, snapshot, event)
            .await
    };
    outcome.err().map(|r| Err(Refusal::from(r)))
}

/// An ephemeral event is delivered, never stored: to this node's subscribers, and to the
/// other nodes' when the relay runs as a cluster.
async fn ephemeral(relay: &Relay, record: &Arc<Record>) -> Result<Accepted, Refusal> {
    relay.fanout.send(record, Default::default()).await;
    if let Some(c) = &relay.cluster
        && let Err(e) = c.announce_ephemeral(&record.event, &record.json).await
    {
        tracing::warn!(error = %e, "could not send an ephemeral event to the other nodes");
        return Err(
            Reason::error("could not reach the other nodes of this relay; try again").into(),
        );
    }
    Ok("".into())
}

/// Commits the event (a request to vanish from this relay goes through the community, which
/// keeps the record's votes countable): `true` when newly stored, `false` for a duplicate.
async fn store(relay: &Relay, record: &Arc<Record>) -> Result<bool, Refusal> {
    let event = &record.event;
    let vanish = event.kind == nip62::KIND_VANISH && nip62::targets_relay(event, &relay.public_url);
    let written = match vanish {
        true => relay.community.vanish(&relay.hands, record).await,
        false => relay.writer.write(WriteOp::Save(record.clone())).await,
    };
    let refused = match written {
        Ok(Saved::Stored) => return Ok(true),
        Ok(Saved::Duplicate) => return Ok(false),
        Ok(Saved::Superseded) => {
            Reason::duplicate("a newer version of this event is already stored")
        }
        Ok(Saved::Deleted) => Reason::blocked("this event was deleted by its author"),
        Ok(Saved::Vanished) => {
            Reason::blocked("this author asked this relay to erase their events")
        }
        Err(WriteError::Closed) => Reason::error("the relay is shutting down"),
        Err(WriteError::Unavailable) => {
            Reason::error("the database is unavailable; try again shortly")
        }
        Err(_) => Reason::error("could not save the event; try again"),
    };
    Err(refused.into())
}

/// What a stored event sets off: a report counts towards the community's threshold.
async fn after_effects(relay: &Relay, record: &Arc<Record>) {
    if record.event.kind == nip56::KIND_REPORT {
        relay.community.report(&relay.hands, &record.event).await;
    }
}
