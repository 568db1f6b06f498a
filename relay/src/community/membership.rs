//! NIP-43 membership: invite codes for members, join requests (with a code, or as a candidate in
//! vouch/vote modes), leave requests, and the member events they produce.

use nips::{Event, Keys, PubKey, Reason, nip19, nip43};
use sha2::{Digest, Sha256};

use super::{Community, CommunityError, State, busy, events};
use crate::community::hands::Hands;
use crate::dates::unix_now;
use crate::store::{Claim, Invite, PrivateStore};
use governance::{Action, AdmissionMode};

/// A fresh invite code: 96 random bits, hex.
fn new_code() -> String {
    hex::encode(rand::random::<[u8; 12]>())
}

fn code_hash(code: &str) -> [u8; 32] {
    Sha256::digest(code.trim().as_bytes()).into()
}

/// Mints a code on behalf of the relay itself (the operator's CLI), without quota.
pub async fn mint_relay_invite(
    store: &dyn PrivateStore,
    keys: &Keys,
    expiry: u64,
    now: u64,
) -> Result<(String, u64), CommunityError> {
    let code = new_code();
    let expires_at = now + expiry;
    let invite = Invite {
        code_hash: code_hash(&code),
        inviter: keys.pubkey(),
        created_at: now,
        expires_at,
    };
    store.mint_invite(&invite, None, now).await?;
    Ok((code, expires_at))
}

fn fresh(event: &Event, now: u64) -> Result<(), Reason> {
    if event.created_at.abs_diff(now) > nip43::MAX_REQUEST_SKEW {
        return Err(Reason::invalid("a membership request must be created now"));
    }
    Ok(())
}

impl Community {
    /// Mints an invite code for an authenticated member (an `{"kinds":[28935]}` request).
    pub async fn invite(&self, hands: &Hands, authed: &[PubKey]) -> Result<Event, Reason> {
        let snapshot = self.snapshot();
        let now = unix_now();
        let Some(member) = authed.iter().find(|k| snapshot.is_member(k, now)) else {
            return Err(if authed.is_empty() {
                Reason::auth_required("authenticate as a member to ask for an invite code")
            } else {
                Reason::restricted("only members can invite")
            });
        };
        let policy = &snapshot.policy;
        let members = u32::try_from(snapshot.roster.len()).unwrap_or(u32::MAX);
        let unlimited =
            policy.founders.keys.contains(member) && policy.founders.active(members, now);
        let quota = (!unlimited).then_some(policy.admission.invites_per_member);
        let code = new_code();
        let expires_at = now + policy.admission.invite_expiry;
        let invite = Invite {
            code_hash: code_hash(&code),
            inviter: *member,
            created_at: now,
            expires_at,
        };
        match hands.store.mint_invite(&invite, quota, now).await {
            Ok(true) => Ok(events::invite_event(&self.keys, &code, expires_at, now)),
            Ok(false) => Err(Reason::rate_limited(format!(
                "you hold {} unused invite codes; wait until they are claimed or expire",
                quota.unwrap_or_default()
            ))),
            Err(e) => {
                tracing::warn!(error = %e, "minting an invite failed");
                Err(Reason::error("could not mint an invite code; try again"))
            }
        }
    }

    /// A join request (kind 28934): with an invite code, claimed at once; otherwise, where the
    /// community admits by vouching or vote, a candidacy for the members to decide.
    pub async fn join(&self, hands: &Hands, event: &Event) -> Result<String, Reason> {
        let now = unix_now();
        fresh(event, now)?;
        let mut state = self.lock(hands).await.map_err(busy)?;
        if state.ledger.roster.contains(&event.pubkey) {
            return Ok("duplicate: you are already a member of this relay".into());
        }
        if let Some(code) = nip43::claim(event) {
            return self
                .join_with_code(hands, &mut state, event, code, now)
                .await;
        }
        match state.ledger.policy.admission.mode {
            AdmissionMode::Vouch | AdmissionMode::Vote => {
                self.candidacy(hands, &mut state, event, now).await
            }
            AdmissionMode::Open | AdmissionMode::Invite => Err(Reason::restricted(
                "this relay admits members with invite codes; ask a member for one",
            )),
        }
    }

    /// Claims invite `code` for the requester: a member, or a founder by a co-founder link.
    async fn join_with_code(
        &self,
        hands: &Hands,
        state: &mut State,
        event: &Event,
        code: &str,
        now: u64,
    ) -> Result<String, Reason> {
        let claim = hands
            .store
            .claim_invite(&code_hash(code), &event.pubkey, now)
            .await
            .map_err(|_| Reason::error("could not check the invite code; try again"))?;
        let inviter_stands = |inviter: &PubKey| {
            *inviter == self.keys.pubkey()
                || state
                    .ledger
                    .policy
                    .in_good_standing(&state.ledger.roster, inviter, now)
        };
        let cofounder = Self::is_cofounder_code(state, code, now);
        match claim {
            Claim::Claimed { inviter } if cofounder && inviter == self.keys.pubkey() => {
                self.seat_cofounder(hands, state, &event.pubkey, code, now)
                    .await
                    .map_err(|_| Reason::error("could not record the membership; try again"))?;
                Ok(format!(
                    "info: welcome to {}! You are one of its founders.",
                    community_name(state, &self.public_url)
                ))
            }
            // A banned or departed member's codes are void: the ban suspends inviting.
            Claim::Claimed { inviter } if !inviter_stands(&inviter) => Err(Reason::restricted(
                "that invite code is void: its inviter is not a member in good standing",
            )),
            Claim::Claimed { inviter } => {
                self.change_member(hands, state, &event.pubkey, true, Some(&inviter), now)
                    .await
                    .map_err(|_| Reason::error("could not record the membership; try again"))?;
                Ok(format!(
                    "info: welcome to {}! You are a member now.",
                    community_name(state, &self.public_url)
                ))
            }
            Claim::Unknown => Err(Reason::restricted("that is an invalid invite code")),
            Claim::Expired => Err(Reason::restricted("that invite code is expired")),
            Claim::Used => Err(Reason::restricted("that invite code has already been used")),
        }
    }

    /// Opens the members' vote on admitting the requester, within the community's bounds on
    /// candidacies waiting.
    async fn candidacy(
        &self,
        hands: &Hands,
        state: &mut State,
        event: &Event,
        now: u64,
    ) -> Result<String, Reason> {
        let policy = state.ledger.policy.clone();
        let pending = state
            .open
            .values()
            .any(|o| o.proposal.action == Action::Admit(event.pubkey));
        if pending {
            return Ok("duplicate: your request is already before the members".into());
        }
        hands
            .limits
            .get(&policy.rate)
            .candidacy()
            .map_err(|limited| limited.reason)?;
        let waiting = state.open_join_requests();
        let max = policy.admission.max_open_requests as usize;
        if waiting >= max {
            return Err(Reason::rate_limited(format!(
                "{waiting} join requests are waiting for the members already; try again \
                 when some are decided"
            )));
        }
        let title = format!(
            "Admit {} as a member?{}{}",
            nip19::encode_npub(&event.pubkey),
            if event.content.is_empty() {
                ""
            } else {
                " They write: "
            },
            event.content.chars().take(500).collect::<String>()
        );
        self.open_relay_proposal(hands, state, Action::Admit(event.pubkey), &[], title, now)
            .await
            .map_err(|e| match e {
                CommunityError::NoElectorate => {
                    Reason::restricted("this community has no members yet who could admit you")
                }
                _ => Reason::error("could not open your admission; try again"),
            })?;
        Ok(if policy.admission.mode == AdmissionMode::Vouch {
            format!(
                "info: your request is open; {} members must vouch for you by voting yes",
                policy.admission.vouches_required
            )
        } else {
            "info: your request is open for the members' vote".into()
        })
    }

    /// A leave request (kind 28936).
    pub async fn leave(&self, hands: &Hands, event: &Event) -> Result<String, Reason> {
        let now = unix_now();
        fresh(event, now)?;
        let mut state = self.lock(hands).await.map_err(busy)?;
        if !state.ledger.roster.contains(&event.pubkey) {
            return Ok("duplicate: you are not a member of this relay".into());
        }
        self.change_member(hands, &mut state, &event.pubkey, false, None, now)
            .await
            .map_err(|_| Reason::error("could not record leaving; try again"))?;
        Ok("info: you have left this relay".into())
    }

    /// Publishes a member event and the new membership list, and updates the snapshot.
    async fn change_member(
        &self,
        hands: &Hands,
        state: &mut State,
        key: &PubKey,
        added: bool,
        inviter: Option<&PubKey>,
        now: u64,
    ) -> Result<(), CommunityError> {
        if state.ledger.roster.contains(key) == added {
            return Ok(());
        }
        let now = state.change_time(now).await;
        let mut roster = state.ledger.roster.clone();
        if added {
            roster.add(*key, now, inviter.copied());
        } else {
            roster.remove(key, now);
        }
        let seq = state.ledger.member_seq + 1;
        let member = events::member_event(&self.keys, added, key, now, seq, inviter, None);
        let list_at = state.tick(now);
        let list = events::membership_list(&self.keys, &roster, &state.ledger.policy, list_at);
        self.publish(hands, state, vec![member, list]).await?;
        state.ledger.roster = roster;
        state.ledger.member_seq = seq;
        self.publish_snapshot(state);
        tracing::info!(member = %key, added, "membership changed");
        Ok(())
    }
}

/// The community as people call it: its name, or its address while it has none.
fn community_name<'a>(state: &'a State, public_url: &'a str) -> &'a str {
    match state.ledger.policy.info.name.trim() {
        "" => public_url,
        name => name,
    }
}
