//! Proposals and votes: validation on arrival, the registry of open proposals, closing at
//! `endsAt` or as soon as the outcome is settled, and the decision that follows.

use std::sync::Arc;

use governance::decision::{Resolution, TallyRecord};
use governance::delegation::Delegations;
use governance::ledger::{Draft, Electorate, Ledger};
use governance::tally::{self, Rules, Tally};
use governance::{Action, Proposal, Vote};
use nips::{Event, EventId, Keys, Reason, nip09, nip88};
use serde_json::json;

use super::deferred::Deferred;
use super::record::{all, is_proposal, parse_proposals, votes};
use super::{Community, CommunityError, Ruling, State, busy, events, reports};
use crate::cluster::governance::Stale;
use crate::community::hands::Hands;
use crate::dates::unix_now;
use crate::store::{Record, Saved, Store, WriteOp};
use crate::writer::WriteError;

/// An open proposal with its frozen electorate and rules, and the votes so far.
#[derive(Debug, Clone)]
pub struct Open {
    pub proposal: Proposal,
    /// Members at the proposal's creation, less those banned then; shared between proposals
    /// opened while membership stood still.
    pub electorate: Electorate,
    pub rules: Rules,
    pub votes: Vec<Vote>,
    /// When the proposal settled (everyone voted, or enough vouched), as of its last vote: it
    /// closes its class's grace after that unless a vote changes it.
    pub settled_at: Option<u64>,
}

impl Open {
    /// Opens `proposal` with its electorate frozen as of its `created_at`. A proposal no
    /// member could vote on is refused: it would sit open for nothing.
    fn new(proposal: Proposal, state: &mut State) -> Result<Self, CommunityError> {
        let electorate = state.ledger.electorate(proposal.created_at);
        if electorate.len == 0 {
            return Err(CommunityError::NoElectorate);
        }
        Ok(Self {
            electorate,
            rules: state.ledger.rules_with(&proposal, electorate.len),
            proposal,
            votes: Vec::new(),
            settled_at: None,
        })
    }

    /// The tally at a close at `closed_at`, under the policy in force then (its bans
    /// suspend votes), with the votes `delegations` lend.
    pub(super) fn tally(
        &self,
        closed_at: u64,
        ledger: &Ledger,
        delegations: &Delegations,
    ) -> Tally {
        let electors = ledger.electors(self.electorate);
        let suspended = ledger.suspended(&electors, closed_at);
        let window = ledger.window(&self.proposal, &self.rules, closed_at);
        tally::count_excluding(
            &self.proposal,
            &self.votes,
            &electors,
            window,
            &suspended,
            delegations,
        )
    }

    /// When it closes: `endsAt` (or later, for a new vote after an amendment), or sooner once
    /// settled, its class's grace after the last vote.
    pub(super) fn ends_at(&self, ledger: &Ledger) -> u64 {
        let ends = ledger.ends_at(&self.proposal, &self.rules);
        match self.settled_at {
            Some(at) => ends.min(self.rules.closes_after(at)),
            None => ends,
        }
    }

    /// Does its class wait for changed minds once it is settled?
    pub(super) fn has_grace(&self) -> bool {
        self.rules.rule.grace.is_some_and(|g| g > 0)
    }

    /// The latest time among its votes.
    pub(super) fn last_vote(&self) -> u64 {
        self.votes.iter().map(|v| v.created_at).max().unwrap_or(0)
    }

    /// Settled before `endsAt`: everyone voted, or enough members vouched, in person (a
    /// delegated vote may still be replaced by its member's own until the end).
    pub(super) fn settled(&self, now: u64, ledger: &Ledger) -> bool {
        // Checked after every vote: a proposal of 100,000 members with a thousand votes
        // cannot have settled, and re-counting them took milliseconds under the lock.
        if !self.rules.may_settle(self.votes.len(), self.electorate.len) {
            return false;
        }
        let direct = self.tally(now, ledger, &Delegations::default());
        self.rules.settled(&direct)
    }
}

/// Rebuilds open proposals (and their votes) and report bookkeeping at start-up. Each stored
/// proposal is judged again as it was when it arrived: one that breaks a rule (a non-member's,
/// a window its class did not allow: one imported, say) is not reopened.
pub(super) async fn reopen(
    store: &dyn Store,
    keys: &Keys,
    state: &mut State,
    now: u64,
) -> Result<(), CommunityError> {
    let longest = governance::Class::ALL
        .iter()
        .map(|c| state.ledger.policy.classes.get(*c))
        .map(|rule| rule.window + rule.deliberation)
        .max()
        .unwrap_or(0);
    let since = now.saturating_sub(longest + governance::proposal::MAX_CREATED_SKEW);
    let recent = all(
        store,
        json!({"kinds": [nip88::KIND_POLL], "since": since}),
        now,
    )
    .await?;
    for (event, proposal) in parse_proposals(&recent) {
        if state.ledger.decided.contains(&proposal.id) {
            state.accepted(proposal.created_at);
            continue;
        }
        if let Err(why) = admissible(&state.ledger, &event, &proposal, keys) {
            tracing::warn!(proposal = %proposal.id, "a stored proposal is not reopened: {why}");
            continue;
        }
        state.accepted(proposal.created_at);
        match Open::new(proposal, state) {
            Ok(open) => {
                state.open.insert(open.proposal.id, open);
            }
            // Accepted before empty electorates were refused; nobody can decide it.
            Err(e) => {
                tracing::warn!(error = %e, "a stored proposal has no electorate; left closed")
            }
        }
    }
    // One proposal's votes at a time: a thousand open proposals of a thousand votes each are
    // then never a million stored events in memory at once, only their parsed votes.
    for (id, open) in state.open.iter_mut() {
        let cast = all(
            store,
            json!({"kinds": [nip88::KIND_RESPONSE], "#e": [id.to_hex()]}),
            now,
        )
        .await?;
        open.votes
            .extend(votes(&cast).into_iter().filter(|v| v.proposal == *id));
    }
    // Settled before the restart: they close their grace after their last vote.
    let settled: Vec<EventId> = state
        .open
        .iter()
        .filter(|(id, o)| !state.amendment_open(id) && o.settled(now, &state.ledger))
        .map(|(id, _)| *id)
        .collect();
    for id in settled {
        if let Some(open) = state.open.get_mut(&id) {
            open.settled_at = Some(open.last_vote());
        }
    }
    let mine = all(
        store,
        json!({"authors": [keys.pubkey().to_hex()], "kinds": [nip88::KIND_POLL]}),
        now,
    )
    .await?;
    reports::remember(&mine, state);
    state.reminded = super::heralds::reminded(store, keys, since, now).await?;
    super::delegations::reload(store, state, now).await
}

/// Would `proposal` have been accepted when it was made? Its author a member in good standing
/// then (a banned key only for its own appeal), within its class's rules then. The relay's own
/// proposals are its own. (Its `relay` tag is not judged again: the relay's address may have
/// changed since, and the nodes of a cluster may each know it by their own.)
fn admissible(
    ledger: &Ledger,
    event: &Event,
    proposal: &Proposal,
    keys: &Keys,
) -> Result<(), String> {
    if proposal.author == keys.pubkey() {
        return Ok(());
    }
    let at = proposal.created_at;
    let policy = ledger.policy_at(at);
    let standing = match &proposal.action {
        Action::Appeal(of) => ledger.bans.get(of) == Some(&proposal.author),
        _ => {
            ledger.roster.was_member(&proposal.author, at)
                && !policy.is_banned(&proposal.author, at)
        }
    };
    if !standing {
        return Err("its author was not a member in good standing when it was made".into());
    }
    let named = event
        .tag_values("relay")
        .next()
        .unwrap_or_default()
        .to_string();
    proposal.validate(event, policy, &named, at)
}

fn invalid(m: impl Into<std::borrow::Cow<'static, str>>) -> Reason {
    Reason::invalid(m)
}

impl Community {
    /// A proposal from a client. `None` when the event is an ordinary poll (no `gov` tag).
    pub async fn propose(
        &self,
        hands: &Hands,
        record: &Arc<Record>,
    ) -> Option<Result<&'static str, Reason>> {
        let event = &record.event;
        let proposal = match Proposal::parse(event) {
            Ok(None) => return None,
            Ok(Some(p)) => p,
            Err(m) => return Some(Err(invalid(m))),
        };
        let mut state = match self.lock(hands).await {
            Ok(state) => state,
            Err(e) => return Some(Err(busy(e))),
        };
        Some(
            self.admit_proposal(hands, &mut state, record, proposal)
                .await,
        )
    }

    async fn admit_proposal(
        &self,
        hands: &Hands,
        state: &mut State,
        record: &Arc<Record>,
        proposal: Proposal,
    ) -> Result<&'static str, Reason> {
        let now = unix_now();
        let event = &record.event;
        if proposal.created_at > now {
            return Err(invalid("a proposal's created_at must not be in the future"));
        }
        if proposal.created_at < state.changed_at {
            return Err(invalid(
                "the community changed (a decision, or a member joined or left) after this \
                 proposal was dated; sign it again with the current time",
            ));
        }
        let policy = &state.ledger.policy;
        proposal
            .validate(event, policy, &self.public_url, now)
            .map_err(invalid)?;
        let members = u32::try_from(state.ledger.roster.len()).unwrap_or(u32::MAX);
        governance::floors::check_proposal(&proposal, policy, members).map_err(invalid)?;
        match &proposal.action {
            Action::Ratify(_) => {
                return Err(invalid(
                    "ratifications are opened by the relay for each emergency action",
                ));
            }
            Action::Appeal(of) => {
                if state.ledger.bans.get(of) != Some(&proposal.author) {
                    return Err(invalid(
                        "an appeal names the decision that banned its author",
                    ));
                }
                let already_open = state
                    .open
                    .values()
                    .any(|o| matches!(o.proposal.action, Action::Appeal(x) if x == *of));
                if state.ledger.appealed.contains(of) || already_open {
                    return Err(Reason::blocked("this ban has already been appealed"));
                }
            }
            _ if !state.ledger.policy.in_good_standing(
                &state.ledger.roster,
                &proposal.author,
                now,
            ) =>
            {
                return Err(Reason::restricted("only members make proposals"));
            }
            _ => {}
        }
        proposal
            .check_target(policy, &state.ledger.roster, now)
            .map_err(invalid)?;
        super::amendments::check(state, &proposal)?;
        let max = policy.proposals.max_open_per_member as usize;
        let mine = state
            .open
            .values()
            .filter(|o| o.proposal.author == proposal.author)
            .count();
        if mine >= max {
            return Err(Reason::rate_limited(format!(
                "you have {mine} open proposals; this community allows {max} at a time"
            )));
        }
        let open = Open::new(proposal, state).map_err(|_| {
            Reason::restricted(
                "no member could vote on this proposal: the community has no members",
            )
        })?;
        if !self.save_member_event(hands, record, "proposal").await? {
            return Ok("duplicate: already have this proposal");
        }
        tracing::info!(proposal = %open.proposal.id, action = open.proposal.action.name(), "proposal opened");
        hands.notices.send(super::heralds::opened(&open.proposal));
        state.accepted(open.proposal.created_at);
        state.open.insert(open.proposal.id, open);
        Ok("")
    }

    /// Closes every proposal whose window has ended.
    pub async fn close_due(&self, hands: &Hands, now: u64) {
        let any_due = {
            let state = self.state.lock().await;
            state.open.values().any(|o| o.ends_at(&state.ledger) <= now)
        };
        if !any_due {
            return;
        }
        let mut state = match self.lock(hands).await {
            Ok(state) => state,
            Err(e) => {
                tracing::warn!(error = %e, "could not take the community's state to close proposals");
                return;
            }
        };
        // Amendments first: the proposals they amend wait for them.
        let mut due: Vec<(u64, bool, EventId)> = state
            .open
            .values()
            .filter(|o| o.ends_at(&state.ledger) <= now)
            .map(|o| {
                (
                    o.ends_at(&state.ledger),
                    o.proposal.amends.is_none(),
                    o.proposal.id,
                )
            })
            .collect();
        due.sort();
        // Closing together: their decisions are committed together (see `deferred`).
        let together = due.len() > 1;
        for (_, _, id) in due {
            if together && state.deferred.is_none() {
                state.deferred = Some(Deferred::default());
            }
            if let Err(e) = self.close_and_settle(hands, &mut state, &id, now).await {
                tracing::error!(error = %e, proposal = %id, "could not close a proposal");
            }
        }
        if let Err(e) = self.flush(hands, &mut state).await {
            tracing::error!(error = %e, "could not record the decisions of proposals closed together; they stay open");
        }
    }

    /// Tallies proposal `id` as of `at` and records the decision.
    pub(super) async fn close(
        &self,
        hands: &Hands,
        state: &mut State,
        id: &EventId,
        at: u64,
    ) -> Result<(), CommunityError> {
        if !state.open.contains_key(id) {
            return Ok(());
        }
        let at = state.change_time(at).await;
        let Some(open) = state.open.remove(id) else {
            return Ok(());
        };
        let t = open.tally(at, &state.ledger, &state.delegations);
        let p = &open.proposal;
        let action = state.ledger.action_of(p).clone();
        let (resolution, reverts) = state.ledger.resolution_for(&action, open.rules.outcome(&t));
        let draft = Draft {
            proposal: Some(*id),
            action: Some(action),
            reverts,
            amends: p.amends,
            tally: Some(TallyRecord::new(
                &t,
                state.digests.of(&state.ledger.electors(open.electorate)),
            )),
            author: Some(p.author),
            reason: p.title.chars().take(200).collect(),
            emergency: None,
            code: None,
        };
        // The title (the proposal's first line): its text stays on the proposal.
        let title = super::heralds::title(p);
        let delegated = match t.delegated {
            0 => String::new(),
            n => format!(" ({n} through delegations)"),
        };
        let summary = format!(
            "{title} — {}: yes {}, no {}, abstain {}, block {}; {} of {} members voted{delegated}.",
            match resolution {
                Resolution::Reverted => "not ratified, reverted",
                other => other.as_str(),
            },
            t.yes,
            t.no,
            t.abstain,
            t.block,
            t.turnout(),
            t.electorate
        );
        let ruling = Ruling {
            resolution,
            draft,
            at,
            summary,
            also: Vec::new(),
        };
        self.record(hands, state, ruling).await?;
        Ok(())
    }

    /// Opens a proposal signed by the relay (ratifications, admissions, reports).
    pub(super) async fn open_relay_proposal(
        &self,
        hands: &Hands,
        state: &mut State,
        action: Action,
        cites: &[EventId],
        title: String,
        now: u64,
    ) -> Result<EventId, CommunityError> {
        // Never dated before the latest change: its electorate includes everyone admitted
        // before it was opened.
        let now = now.max(state.changed_at);
        let rule = state.ledger.policy.classes.get(action.class()).clone();
        let event = events::relay_proposal(
            &self.keys,
            &action,
            &rule,
            now,
            &self.public_url,
            cites,
            title,
        );
        let proposal = Proposal::parse(&event).ok().flatten().ok_or_else(|| {
            CommunityError::Decision("the relay built an invalid proposal".into())
        })?;
        let id = event.id;
        let open = Open::new(proposal, state)?;
        self.publish(hands, state, vec![event]).await?;
        hands.notices.send(super::heralds::opened(&open.proposal));
        state.accepted(now);
        state.open.insert(id, open);
        tracing::info!(proposal = %id, "relay opened a proposal");
        Ok(id)
    }

    /// Its author asks this relay to vanish: their events up to it are erased, their votes
    /// on open proposals no longer count, and their open proposals are withdrawn. A decision
    /// then never counts a vote the public record no longer holds. The request is written
    /// under the governance lock, so no vote of theirs is being committed (on the governance
    /// lane) while their events are erased.
    pub async fn vanish(&self, hands: &Hands, record: &Arc<Record>) -> Result<Saved, WriteError> {
        let mut state = match self.lock(hands).await {
            Ok(state) => state,
            Err(e) => {
                tracing::warn!(error = %e, "could not take the community's state for a vanish");
                return Err(WriteError::Unavailable);
            }
        };
        // The other nodes reload open proposals from the record, which will not hold the
        // erased votes. Told first: a node that dies mid-change still leaves them knowing.
        if let Err(e) = self.will_change(Stale::Open).await {
            tracing::warn!(error = %e, "could not tell the other nodes of a vanish");
            return Err(WriteError::Unavailable);
        }
        let saved = hands.writer.write(WriteOp::Vanish(record.clone())).await?;
        if saved == Saved::Stored {
            forget_vanished(&mut state, &record.event);
        }
        Ok(saved)
    }

    /// Refuses deletion requests aimed at proposals or votes: they are the public record.
    pub async fn guard_deletion(&self, hands: &Hands, event: &Event) -> Result<(), Reason> {
        let targets = nip09::targets(event);
        if targets
            .coordinates
            .iter()
            .any(|c| c.kind == nips::cg::KIND_DELEGATION)
        {
            return Err(super::delegations::undeletable());
        }
        if targets.ids.is_empty() {
            return Ok(());
        }
        let ids: Vec<String> = targets.ids.iter().map(EventId::to_hex).collect();
        let kinds = [
            nip88::KIND_POLL,
            nip88::KIND_RESPONSE,
            nips::cg::KIND_DELEGATION,
        ];
        let filter = json!({"ids": ids, "authors": [event.pubkey.to_hex()], "kinds": kinds});
        let found = all(&*hands.store, filter, unix_now())
            .await
            .map_err(|_| Reason::error("could not check the deletion; try again"))?;
        let state = self.state.lock().await;
        for e in &found {
            if e.kind == nips::cg::KIND_DELEGATION {
                return Err(super::delegations::undeletable());
            }
            if is_proposal(e) {
                return Err(Reason::blocked(
                    "proposals are part of the public record and cannot be deleted",
                ));
            }
            let on_proposal = nip88::responds_to(e)
                .is_some_and(|p| state.open.contains_key(&p) || state.ledger.decided.contains(&p));
            if on_proposal {
                return Err(Reason::blocked("votes on proposals cannot be deleted"));
            }
        }
        Ok(())
    }

    /// Open proposals, and how many of them are join requests: the queue members can see.
    pub async fn open_counts(&self) -> (usize, usize) {
        let state = self.state.lock().await;
        (state.open.len(), state.open_join_requests())
    }
}

/// Forgets what a vanished author's erased events did: their votes, delegations and open
/// proposals up to the request.
fn forget_vanished(state: &mut State, request: &Event) {
    let (author, until) = (request.pubkey, request.created_at);
    for open in state.open.values_mut() {
        open.votes
            .retain(|v| v.voter != author || v.created_at > until);
    }
    state.delegations.forget(&author);
    let withdrawn: Vec<EventId> = state
        .open
        .values()
        .filter(|o| o.proposal.author == author && o.proposal.created_at <= until)
        .map(|o| o.proposal.id)
        .collect();
    for id in withdrawn {
        state.open.remove(&id);
        tracing::info!(proposal = %id, "proposal withdrawn: its author vanished");
    }
}
