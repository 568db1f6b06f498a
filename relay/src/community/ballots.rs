//! Members' votes, counted in batches. A vote is checked, committed and counted under the
//! governance lock, so no proposal closes between a vote being stored and being counted. One
//! vote at a time under that lock made votes wait for each other's commits (about 55 a second
//! beside ingest load); instead, votes that arrive while the lock is busy queue here, and the
//! next one to take the lock checks, commits and counts them all together: one lock, one
//! commit cycle of the writer, however many votes arrived meanwhile. They are committed on the
//! writer's governance lane, so they do not wait behind a batch of ordinary events either.

use std::sync::Arc;

use futures_util::future::join_all;
use governance::tally::Electors;
use governance::{Choice, Vote};
use nips::{EventId, Reason, nip88};
use tokio::sync::oneshot;

use super::{Community, State, busy, member_saved};
use crate::cluster::governance::Stale;
use crate::community::hands::Hands;
use crate::dates::unix_now;
use crate::store::Record;

/// What a vote is answered: `None` when it answers an ordinary poll, not a proposal.
type Answer = Option<Result<&'static str, Reason>>;

/// A vote waiting to be counted, and who waits for its answer.
struct Pending {
    record: Arc<Record>,
    target: EventId,
    done: oneshot::Sender<Answer>,
}

/// The votes waiting for the governance lock.
#[derive(Default)]
pub(super) struct Ballots {
    queue: parking_lot::Mutex<Vec<Pending>>,
    /// Held by the vote that counts the queue, so the others wait for their answers instead
    /// of each taking the governance lock (on a cluster node, a database transaction) in turn.
    counter: tokio::sync::Mutex<()>,
}

impl Community {
    /// A vote from a client. `None` when it answers an ordinary poll.
    pub async fn vote(self: &Arc<Self>, hands: &Arc<Hands>, record: &Arc<Record>) -> Answer {
        let target = nip88::responds_to(&record.event)?;
        let (done, mut answer) = oneshot::channel();
        self.ballots.queue.lock().push(Pending {
            record: record.clone(),
            target,
            done,
        });
        loop {
            tokio::select! {
                biased;
                got = &mut answer => return got.unwrap_or_else(|_| lost()),
                _counting = self.ballots.counter.lock() => {
                    if let Ok(got) = answer.try_recv() {
                        return got;
                    }
                    // A task of its own: a client that disconnects mid-count cancels its own
                    // future, which must not cancel the count of everyone's votes with it.
                    let counted = hands.tasks.spawn({
                        let (community, hands) = (self.clone(), hands.clone());
                        async move { community.count_queued(&hands).await }
                    });
                    if counted.await.is_err() {
                        tracing::error!("counting votes failed");
                    }
                }
            }
        }
    }

    /// Takes the governance lock and counts every queued vote.
    async fn count_queued(&self, hands: &Hands) {
        let locked = self.lock(hands).await;
        let queued = std::mem::take(&mut *self.ballots.queue.lock());
        let mut state = match locked {
            Ok(state) => state,
            Err(e) => return refuse_all(queued, e),
        };
        let now = unix_now();
        let mut valid = Vec::with_capacity(queued.len());
        for p in queued {
            match check(&state, &p, now) {
                Ok(vote) => valid.push((p, vote)),
                Err(answer) => {
                    let _ = p.done.send(answer);
                }
            }
        }
        if valid.is_empty() {
            return;
        }
        if let Err(e) = self.will_change(Stale::Open).await {
            return refuse_all(valid.into_iter().map(|(p, _)| p), e);
        }
        self.commit_and_count(hands, &mut state, valid, now).await;
    }

    /// Commits `valid` votes together (one writer batch, each vote its own outcome), counts
    /// the stored ones, closes the proposals they settled, and only then answers each.
    async fn commit_and_count(
        &self,
        hands: &Hands,
        state: &mut State,
        valid: Vec<(Pending, Vote)>,
        now: u64,
    ) {
        let writes = valid
            .iter()
            .map(|(p, _)| hands.writer.write_vote(p.record.clone()));
        let outcomes = join_all(writes).await;
        let mut answers = Vec::with_capacity(valid.len());
        let mut touched: Vec<(EventId, u64)> = Vec::new();
        for ((p, vote), outcome) in valid.into_iter().zip(outcomes) {
            let answer = match member_saved(hands, &p.record, outcome, "vote").await {
                Ok(true) => {
                    let at = now.max(vote.created_at);
                    if let Some(open) = state.open.get_mut(&p.target) {
                        open.votes.push(vote);
                        touched.push((p.target, at));
                    }
                    Ok("")
                }
                Ok(false) => Ok("duplicate: already have this vote"),
                Err(reason) => Err(reason),
            };
            answers.push((p.done, Some(answer)));
        }
        // Each settled proposal is checked once, as of its latest vote.
        touched.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        touched.dedup_by_key(|(id, _)| *id);
        for (target, at) in touched {
            let settled = !state.amendment_open(&target)
                && state
                    .open
                    .get(&target)
                    .is_some_and(|open| open.settled(at, &state.ledger));
            // A class with a grace waits for changed minds: the closer decides it later.
            if let Some(open) = state.open.get_mut(&target)
                && open.has_grace()
            {
                open.settled_at = settled.then_some(at);
                continue;
            }
            if settled && let Err(e) = self.close_and_settle(hands, state, &target, at).await {
                tracing::error!(error = %e, proposal = %target, "could not close a settled proposal");
            }
        }
        for (done, answer) in answers {
            let _ = done.send(answer);
        }
    }
}

/// A queued vote's checks against the state: the vote to count, or its answer.
fn check(state: &State, p: &Pending, now: u64) -> Result<Vote, Answer> {
    if state.ledger.decided.contains(&p.target) {
        return Err(Some(Err(Reason::invalid(
            "voting on this proposal has closed",
        ))));
    }
    let Some(open) = state.open.get(&p.target) else {
        return Err(None);
    };
    let proposal = &open.proposal;
    let Some(vote) = Vote::parse(&p.record.event) else {
        return Err(Some(Err(Reason::invalid(
            "a vote needs a `response` tag: yes, no, abstain (or block where offered)",
        ))));
    };
    let window = state.ledger.window(proposal, &open.rules, u64::MAX);
    let deliberation_ends = open.rules.opens(proposal);
    let refusal = if !state.ledger.electors(open.electorate).contains(&vote.voter) {
        Reason::restricted("only members at the time of the proposal may vote on it")
    } else if now > window.ends {
        Reason::invalid("voting on this proposal has closed")
    } else if now < deliberation_ends {
        Reason::invalid(format!(
            "voting opens in {}s (at {deliberation_ends}, Unix time): until then the proposal \
             is open for discussion (comments, NIP-22)",
            deliberation_ends - now
        ))
    } else if vote.created_at < window.opens && window.opens > deliberation_ends {
        Reason::invalid(format!(
            "an amendment changed this proposal (at {}, Unix time): votes cast before it no \
             longer count; vote again",
            window.opens
        ))
    } else if vote.created_at < window.opens || vote.created_at > window.ends {
        Reason::invalid("this vote is dated outside the proposal's voting window")
    } else if vote.choice == Choice::Block && !proposal.block {
        Reason::invalid("this proposal has no block option")
    } else {
        return Ok(vote);
    };
    Err(Some(Err(refusal)))
}

/// Answers every vote of `pending` with the one refusal `e` calls for.
fn refuse_all(pending: impl IntoIterator<Item = Pending>, e: super::CommunityError) {
    let reason = busy(e);
    for p in pending {
        let _ = p.done.send(Some(Err(reason.clone())));
    }
}

/// The answer when the vote's counter went away without one (it cannot, short of a panic).
fn lost() -> Answer {
    Some(Err(Reason::error("could not record the vote; try again")))
}
