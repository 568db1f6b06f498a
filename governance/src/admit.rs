//! Who may write and read: the ordered admission rules the relay applies to every `EVENT`
//! (and, for members-only relays, to every `REQ`/`COUNT`).

use nips::{Event, Filter, PubKey, Reason, nip43, nip59, nip62};

use crate::policy::{AdmissionMode, Policy, ReadAccess};
use crate::roster::Roster;

/// Kinds only the relay itself signs.
pub const RELAY_ONLY_KINDS: &[u16] = &[
    nip43::KIND_MEMBER_ADDED,
    nip43::KIND_MEMBER_REMOVED,
    nip43::KIND_MEMBERSHIP_LIST,
    nip43::KIND_ROLE,
    nip43::KIND_INVITE,
    nips::cg::KIND_DECISION,
    nips::cg::KIND_POLICY,
];

/// What the rules need besides the policy.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The relay's own key.
    pub relay: &'a PubKey,
    /// The relay's public URL, which requests to vanish (NIP-62) name.
    pub relay_url: &'a str,
    pub roster: &'a Roster,
    /// Keys the connection authenticated as (NIP-42).
    pub authed: &'a [PubKey],
    pub now: u64,
}

impl Context<'_> {
    /// Is the connection authenticated as a member in good standing (not banned)?
    fn authed_member(&self, policy: &Policy) -> bool {
        self.authed
            .iter()
            .any(|k| policy.in_good_standing(self.roster, k, self.now))
    }
}

impl Policy {
    /// Is `key` a member with a member's rights at `now`: on the roster and not banned? A ban
    /// suspends every right of membership (reading, writing, inviting, voting) while it lasts.
    pub fn in_good_standing(&self, roster: &Roster, key: &PubKey, now: u64) -> bool {
        roster.contains(key) && !self.is_banned(key, now)
    }

    /// Do `filters` ask only for events signed by the relay (its public record)?
    pub fn asks_for_record_only(filters: &[Filter], relay: &PubKey) -> bool {
        filters.iter().all(|f| {
            f.authors
                .as_ref()
                .is_some_and(|a| !a.is_empty() && a.iter().all(|k| k == relay))
        })
    }

    /// Decides whether `event` may be written. Rules, in order:
    pub fn admit(&self, event: &Event, ctx: &Context<'_>) -> Result<(), Reason> {
        // 1. Nobody else publishes as the relay, and the relay's own kinds come only from it.
        if event.pubkey == *ctx.relay {
            return Err(Reason::restricted(
                "only this relay publishes with its own key",
            ));
        }
        if RELAY_ONLY_KINDS.contains(&event.kind) {
            return Err(Reason::restricted(format!(
                "kind {} is published only by the relay",
                event.kind
            )));
        }
        // 2. A request to vanish from this relay is honoured whoever sends it, banned or not:
        //    it only erases its author's own data (NIP-62). One naming other relays only is an
        //    ordinary event and meets every rule below.
        if event.kind == nip62::KIND_VANISH && nip62::targets_relay(event, ctx.relay_url) {
            return Ok(());
        }
        // 3. Banned keys may not write — except to appeal their ban, which a member banned
        //    from a members-only relay may do once authenticated as themselves.
        if self.is_banned(&event.pubkey, ctx.now) {
            if !crate::proposal::is_appeal(event) {
                return Err(Reason::blocked("this key is banned from this relay"));
            }
            if self.admission.mode != AdmissionMode::Open && !ctx.authed.contains(&event.pubkey) {
                return Err(Reason::auth_required(
                    "authenticate as yourself to appeal your ban",
                ));
            }
            return Ok(());
        }
        // 4. Events removed by decision stay removed.
        if self.removed_events.contains_key(&event.id) {
            return Err(Reason::blocked(
                "this event was removed by a decision of the members",
            ));
        }
        // 5. Kinds the community does not accept.
        if !self.kind_allowed(event.kind) {
            return Err(Reason::blocked(format!(
                "kind {} is not accepted on this relay",
                event.kind
            )));
        }
        // 6. Join and leave requests are how outsiders become members (NIP-43).
        if matches!(
            event.kind,
            nip43::KIND_JOIN_REQUEST | nip43::KIND_LEAVE_REQUEST
        ) {
            return Ok(());
        }
        // 6b. Messages between a person's app and their signer (NIP-46) pass through from
        //     anyone: encrypted, addressed to one key, never stored, so a member's signer can
        //     use the community's own relay even when it is invite-only.
        if event.kind == nips::nip46::KIND_SIGNER && event.has_tag("p") {
            return Ok(());
        }
        // 7. Open relays take everyone's events.
        if self.admission.mode == AdmissionMode::Open {
            return Ok(());
        }
        // 8. A gift wrap (NIP-59) is signed by a throwaway key; one addressed to a member is
        //    that member's mail, from anyone (NIP-17 inboxes on members-only relays).
        if event.kind == nip59::KIND_GIFT_WRAP
            && nip59::recipient(event)
                .is_some_and(|r| self.in_good_standing(ctx.roster, &r, ctx.now))
        {
            return Ok(());
        }
        // 9. Otherwise members write, after authenticating; they may pass on other members'
        //    events, but not outsiders'.
        if ctx.authed.is_empty() {
            return Err(Reason::auth_required(
                "this relay accepts events from its members; authenticate first",
            ));
        }
        if !ctx.authed_member(self) {
            return Err(Reason::restricted(
                "only members may write here; ask a member for an invite",
            ));
        }
        if !ctx.roster.contains(&event.pubkey) {
            return Err(Reason::restricted(
                "the author of this event is not a member",
            ));
        }
        Ok(())
    }

    /// Decides whether a connection may run `filters`. On members-only relays, outsiders may
    /// still read the relay's own public record (filters with `authors` = the relay only).
    pub fn may_read(&self, filters: &[Filter], ctx: &Context<'_>) -> Result<(), Reason> {
        if self.admission.read == ReadAccess::Public || ctx.authed_member(self) {
            return Ok(());
        }
        if Self::asks_for_record_only(filters, ctx.relay)
            || nips::nip46::asks_for_signer_only(filters)
        {
            return Ok(());
        }
        if ctx.authed.is_empty() {
            Err(Reason::auth_required(
                "this relay serves its members; authenticate first",
            ))
        } else {
            Err(Reason::restricted("only members may read this relay"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Ban;
    use nips::{Keys, Prefix};
    use serde_json::json;

    struct World {
        relay: Keys,
        member: Keys,
        outsider: Keys,
        roster: Roster,
        policy: Policy,
    }

    fn world(mode: AdmissionMode) -> World {
        let member = Keys::generate();
        let mut roster = Roster::default();
        roster.add(member.pubkey(), 1, None);
        let mut policy = Policy::default();
        policy.admission.mode = mode;
        World {
            relay: Keys::generate(),
            member,
            outsider: Keys::generate(),
            roster,
            policy,
        }
    }

    fn note(k: &Keys, kind: u16) -> Event {
        k.sign(100, kind, vec![], "hi".into())
    }

    fn admit(w: &World, e: &Event, authed: &[PubKey]) -> Result<(), Prefix> {
        let relay = w.relay.pubkey();
        let ctx = Context {
            relay: &relay,
            relay_url: "wss://relay.example",
            roster: &w.roster,
            authed,
            now: 100,
        };
        w.policy.admit(e, &ctx).map_err(|r| r.prefix)
    }

    #[test]
    fn invite_only_needs_authenticated_members() {
        let w = world(AdmissionMode::Invite);
        let (m, o) = (w.member.pubkey(), w.outsider.pubkey());
        assert_eq!(
            admit(&w, &note(&w.member, 1), &[]),
            Err(Prefix::AuthRequired)
        );
        assert_eq!(admit(&w, &note(&w.member, 1), &[m]), Ok(()));
        assert_eq!(
            admit(&w, &note(&w.outsider, 1), &[o]),
            Err(Prefix::Restricted)
        );
        assert_eq!(
            admit(&w, &note(&w.outsider, 1), &[m]),
            Err(Prefix::Restricted),
            "members cannot relay outsiders"
        );
        assert_eq!(
            admit(&w, &note(&w.outsider, nip43::KIND_JOIN_REQUEST), &[]),
            Ok(())
        );
        let vanish = |relay: &str| {
            w.outsider.sign(
                100,
                nip62::KIND_VANISH,
                vec![vec!["relay".into(), relay.into()]],
                String::new(),
            )
        };
        assert_eq!(
            admit(&w, &vanish("wss://relay.example"), &[]),
            Ok(()),
            "anyone may vanish from this relay"
        );
        assert_eq!(
            admit(&w, &vanish("wss://elsewhere.example"), &[]),
            Err(Prefix::AuthRequired),
            "a request to vanish from other relays is an ordinary event"
        );
    }

    #[test]
    fn open_relays_take_everyone_but_the_rules_still_hold() {
        let mut w = world(AdmissionMode::Open);
        assert_eq!(admit(&w, &note(&w.outsider, 1), &[]), Ok(()));
        assert_eq!(
            admit(&w, &note(&w.relay, 1), &[]),
            Err(Prefix::Restricted),
            "nobody posts as the relay"
        );
        assert_eq!(
            admit(&w, &note(&w.outsider, 8000), &[]),
            Err(Prefix::Restricted)
        );
        assert_eq!(
            admit(&w, &note(&w.outsider, 13534), &[]),
            Err(Prefix::Restricted)
        );
        w.policy.bans.insert(
            w.outsider.pubkey(),
            Ban {
                until: 0,
                reason: "spam".into(),
            },
        );
        assert_eq!(admit(&w, &note(&w.outsider, 1), &[]), Err(Prefix::Blocked));
        w.policy.bans.insert(
            w.outsider.pubkey(),
            Ban {
                until: 50,
                reason: String::new(),
            },
        );
        assert_eq!(
            admit(&w, &note(&w.outsider, 1), &[]),
            Ok(()),
            "the ban has ended"
        );
        w.policy.kinds.blocked.push(4);
        assert_eq!(admit(&w, &note(&w.outsider, 4), &[]), Err(Prefix::Blocked));
        w.policy.kinds.allowed = vec![1];
        assert_eq!(admit(&w, &note(&w.outsider, 7), &[]), Err(Prefix::Blocked));
        let e = note(&w.outsider, 1);
        w.policy.removed_events.insert(e.id, Default::default());
        assert_eq!(admit(&w, &e, &[]), Err(Prefix::Blocked));
    }

    #[test]
    fn members_only_reads() {
        let mut w = world(AdmissionMode::Invite);
        w.policy.admission.read = ReadAccess::Members;
        let relay = w.relay.pubkey();
        let any = vec![Filter::from_value(&json!({"kinds": [1]})).unwrap()];
        let record = vec![
            Filter::from_value(&json!({"authors": [relay.to_hex()], "kinds": [13534]})).unwrap(),
        ];
        let read = |authed: &[PubKey], f: &[Filter]| {
            let ctx = Context {
                relay: &relay,
                relay_url: "wss://relay.example",
                roster: &w.roster,
                authed,
                now: 1,
            };
            w.policy.may_read(f, &ctx).map_err(|r| r.prefix)
        };
        assert_eq!(read(&[], &any), Err(Prefix::AuthRequired));
        assert_eq!(read(&[w.outsider.pubkey()], &any), Err(Prefix::Restricted));
        assert_eq!(read(&[w.member.pubkey()], &any), Ok(()));
        assert_eq!(
            read(&[], &record),
            Ok(()),
            "the relay's own record is public"
        );
    }
}
