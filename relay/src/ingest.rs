//! Accepting an event: the ordered checks every `EVENT` passes before it is committed and
//! delivered, and the hand-off of membership and governance kinds to the community. Each
//! refusal is a [`Reason`] with its standard prefix.

use std::sync::Arc;

use governance::admit::Context;
use nips::{
    Event, KindClass, PubKey, Reason, nip09, nip40, nip42, nip43, nip56, nip59, nip62, nip70, nip88,
};

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

/// Runs `event` through the checks, commits it, and fans it out. `Ok` carries the message of an
/// `OK true`; `Err` why it was refused.
pub async fn publish(
    relay: &Arc<Relay>,
    event: Event,
    origin: &Origin,
) -> Result<Accepted, Refusal> {
    let now = unix_now();
    let snapshot = relay.snapshot();
    let policy = &snapshot.policy;
    let record = Arc::new(Record::new(event));
    let event = &record.event;
    policy
        .limitation
        .check_event(event, record.json.len(), now)?;
    let member = snapshot.is_member(&event.pubkey, now);
    let pow = if policy.rate.pow_non_members_only && member {
        0
    } else {
        policy.limitation.min_pow_difficulty
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
        return Err(if origin.authed.is_empty() {
            Reason::auth_required(why)
        } else {
            Reason::restricted(why)
        }
        .into());
    }
    let relay_key = relay.community.pubkey();
    let ctx = Context {
        relay: &relay_key,
        relay_url: &relay.public_url,
        roster: &snapshot.roster,
        authed: &origin.authed,
        now,
    };
    policy.admit(event, &ctx)?;
    let limits = relay.limits();
    limits.event(event, member).map_err(Refusal::Limited)?;
    if let Some(c) = &relay.cluster {
        let caps = &policy.rate.target;
        if let Err((sort, target)) = c
            .caps
            .check(c.pool(), caps, c.nodes(), event, member, now)
            .await
        {
            limits.cool(sort, member, target);
            return Err(Refusal::Limited(crate::ratelimit::spreading(sort)));
        }
    }
    if event.kind == nip59::KIND_GIFT_WRAP {
        limits.wrap(event, &origin.ip).map_err(Refusal::Limited)?;
    }
    if event.kind == nips::nip46::KIND_SIGNER {
        limits
            .signer_message(event, &origin.ip)
            .map_err(Refusal::Limited)?;
    }
    match event.kind {
        nip43::KIND_JOIN_REQUEST => {
            relay.limits().join(&origin.ip).map_err(Refusal::Limited)?;
            return Ok(relay.community.join(relay, event).await?.into());
        }
        nip43::KIND_LEAVE_REQUEST => return Ok(relay.community.leave(relay, event).await?.into()),
        nip88::KIND_POLL => {
            if let Some(result) = relay.community.propose(relay, &record).await {
                return Ok(result?.into());
            }
        }
        nip88::KIND_RESPONSE => {
            if let Some(result) = relay.community.vote(relay, &record).await {
                return Ok(result?.into());
            }
        }
        nips::cg::KIND_DELEGATION => {
            if let Some(result) = relay.community.delegate(relay, &record).await {
                return Ok(result?.into());
            }
        }
        nip09::KIND_DELETION => relay.community.guard_deletion(relay, event).await?,
        _ => {}
    }
    if event.class() == KindClass::Ephemeral {
        relay.fanout.send(&record, Default::default()).await;
        if let Some(c) = &relay.cluster
            && let Err(e) = c.announce_ephemeral(event, &record.json).await
        {
            tracing::warn!(error = %e, "could not send an ephemeral event to the other nodes");
            return Err(
                Reason::error("could not reach the other nodes of this relay; try again").into(),
            );
        }
        return Ok("".into());
    }
    let vanish = event.kind == nip62::KIND_VANISH && nip62::targets_relay(event, &relay.public_url);
    let written = match vanish {
        true => relay.community.vanish(relay, &record).await,
        false => relay.writer.write(WriteOp::Save(record.clone())).await,
    };
    match written {
        Ok(Saved::Stored) => {
            relay.fanout.send(&record, policy.visibility).await;
            if record.event.kind == nip56::KIND_REPORT {
                relay.community.report(relay, &record.event).await;
            }
            Ok("".into())
        }
        Ok(Saved::Duplicate) => Ok("duplicate: already have this event".into()),
        Ok(Saved::Superseded) => {
            Err(Reason::duplicate("a newer version of this event is already stored").into())
        }
        Ok(Saved::Deleted) => Err(Reason::blocked("this event was deleted by its author").into()),
        Ok(Saved::Vanished) => {
            Err(Reason::blocked("this author asked this relay to erase their events").into())
        }
        Err(WriteError::Closed) => Err(Reason::error("the relay is shutting down").into()),
        Err(WriteError::Unavailable) => {
            Err(Reason::error("the database is unavailable; try again shortly").into())
        }
        Err(_) => Err(Reason::error("could not save the event; try again").into()),
    }
}
