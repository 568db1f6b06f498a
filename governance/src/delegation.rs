//! Delegation: a member lends their vote, for one class or all, to another member with a
//! signed addressable event (kind [`nips::cg::KIND_DELEGATION`], `d` = the class or `all`, `p` =
//! the delegate; no `p` revokes). At a close, a member who did not vote directly counts as their
//! delegate voted, following chains up to [`MAX_DEPTH`] hops through members of the proposal's
//! electorate; a cycle, a hop outside the electorate or a chain that ends without a vote counts
//! nothing. Pure and order-independent: the latest event per (delegator, `d`) wins, ties to the
//! highest id, whatever order the events came in.

use std::collections::{BTreeMap, BTreeSet};

use nips::{Event, EventId, PubKey, cg, hex};

use crate::class::Class;

/// Longest chain of delegations followed: long enough for a delegate's own delegate, short
/// enough that nobody gathers a community's votes through a hidden ladder.
pub const MAX_DEPTH: usize = 3;

/// The `d` value of a delegation for every class.
pub const ALL: &str = "all";

/// One delegation event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delegation {
    pub id: EventId,
    pub delegator: PubKey,
    /// The class it covers; `None` for all classes.
    pub class: Option<Class>,
    /// `None`: revoked.
    pub delegate: Option<PubKey>,
    pub created_at: u64,
}

impl Delegation {
    /// Reads a delegation event. `Err` explains a malformed one (the text follows `invalid: `).
    pub fn parse(event: &Event) -> Result<Self, String> {
        if event.kind != cg::KIND_DELEGATION {
            return Err("not a delegation".into());
        }
        let d = event
            .first_tag_value("d")
            .ok_or("a delegation needs a `d` tag: a class or `all`")?;
        let class = match d {
            ALL => None,
            c => Some(c.parse::<Class>().map_err(|_| {
                format!("`d` is a class (moderation, admission, membership, ordinary, constitutional) or `{ALL}`")
            })?),
        };
        let mut delegates = event.tag_values("p");
        let delegate = match delegates.next() {
            Some(p) => Some(
                hex::decode_lower::<32>(p)
                    .map(PubKey)
                    .ok_or("the `p` tag is the delegate's hex pubkey")?,
            ),
            None => None,
        };
        if delegates.next().is_some() {
            return Err("a delegation names one delegate".into());
        }
        if delegate == Some(event.pubkey) {
            return Err("a member cannot delegate to themselves".into());
        }
        Ok(Self {
            id: event.id,
            delegator: event.pubkey,
            class,
            delegate,
            created_at: event.created_at,
        })
    }

    fn supersedes(&self, other: &Delegation) -> bool {
        (self.created_at, self.id) > (other.created_at, other.id)
    }
}

/// The delegations in force: the latest per delegator and scope.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delegations {
    latest: BTreeMap<(PubKey, Option<Class>), Delegation>,
}

impl Delegations {
    /// From events in any order; malformed ones are ignored.
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a Event>) -> Self {
        let mut out = Self::default();
        for e in events {
            if let Ok(d) = Delegation::parse(e) {
                out.insert(d);
            }
        }
        out
    }

    /// Adds `d` unless a later one for the same delegator and scope is held. True if held now.
    pub fn insert(&mut self, d: Delegation) -> bool {
        let key = (d.delegator, d.class);
        match self.latest.get(&key) {
            Some(held) if !d.supersedes(held) => false,
            _ => {
                self.latest.insert(key, d);
                true
            }
        }
    }

    /// Forgets every delegation of `key` (it vanished, NIP-62).
    pub fn forget(&mut self, key: &PubKey) {
        self.latest.retain(|(k, _), _| k != key);
    }

    /// Only those dated at or before `at`.
    pub fn as_of(&self, at: u64) -> Self {
        Self {
            latest: self
                .latest
                .iter()
                .filter(|(_, d)| d.created_at <= at)
                .map(|(k, d)| (*k, d.clone()))
                .collect(),
        }
    }

    /// Every delegation held, revocations included.
    pub fn iter(&self) -> impl Iterator<Item = &Delegation> {
        self.latest.values()
    }

    pub fn len(&self) -> usize {
        self.latest.len()
    }

    pub fn is_empty(&self) -> bool {
        self.latest.is_empty()
    }

    /// Whom `delegator` lends their vote to on `class`: the class's own delegation if it names
    /// a delegate, else the one for all classes.
    pub fn delegate(&self, delegator: &PubKey, class: Class) -> Option<(PubKey, EventId)> {
        let named = |scope: Option<Class>| {
            self.latest
                .get(&(*delegator, scope))
                .and_then(|d| d.delegate.map(|p| (p, d.id)))
        };
        named(Some(class)).or_else(|| named(None))
    }

    /// Delegators who may lend a vote on `class`, with at least one delegate named.
    pub fn delegators(&self, class: Class) -> BTreeSet<PubKey> {
        self.latest
            .iter()
            .filter(|((_, scope), d)| d.delegate.is_some() && scope.is_none_or(|c| c == class))
            .map(|((k, _), _)| *k)
            .collect()
    }

    /// Follows `from`'s chain on `class` to the first member who voted (`voted`), through
    /// members for whom `eligible` holds. Returns that voter and the delegation events on the
    /// way, or `None` for a cycle, an ineligible hop, a chain longer than [`MAX_DEPTH`] or one
    /// that ends without a vote.
    pub fn resolve(
        &self,
        from: &PubKey,
        class: Class,
        eligible: impl Fn(&PubKey) -> bool,
        voted: impl Fn(&PubKey) -> bool,
    ) -> Option<(PubKey, Vec<EventId>)> {
        let mut seen = BTreeSet::from([*from]);
        let mut at = *from;
        let mut path = Vec::new();
        for _ in 0..MAX_DEPTH {
            let (next, id) = self.delegate(&at, class)?;
            if !seen.insert(next) || !eligible(&next) {
                return None;
            }
            path.push(id);
            if voted(&next) {
                return Some((next, path));
            }
            at = next;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nips::Keys;

    pub(crate) fn delegation(k: &Keys, d: &str, to: Option<&Keys>, at: u64) -> Event {
        let mut tags = vec![vec!["d".to_string(), d.to_string()]];
        if let Some(to) = to {
            tags.push(vec!["p".to_string(), to.pubkey().to_hex()]);
        }
        k.sign(at, cg::KIND_DELEGATION, tags, String::new())
    }

    #[test]
    fn parses_scopes_and_revocations() {
        let (a, b) = (Keys::generate(), Keys::generate());
        let d = Delegation::parse(&delegation(&a, "ordinary", Some(&b), 5)).unwrap();
        assert_eq!(d.class, Some(Class::Ordinary));
        assert_eq!(d.delegate, Some(b.pubkey()));
        let all = Delegation::parse(&delegation(&a, ALL, Some(&b), 5)).unwrap();
        assert_eq!(all.class, None);
        let revoked = Delegation::parse(&delegation(&a, ALL, None, 6)).unwrap();
        assert_eq!(revoked.delegate, None);
        assert!(Delegation::parse(&delegation(&a, "everything", Some(&b), 5)).is_err());
        assert!(Delegation::parse(&delegation(&a, ALL, Some(&a), 5)).is_err());
    }

    #[test]
    fn class_delegation_wins_and_revocation_falls_back() {
        let (a, b, c) = (Keys::generate(), Keys::generate(), Keys::generate());
        let events = [
            delegation(&a, ALL, Some(&b), 5),
            delegation(&a, "ordinary", Some(&c), 6),
        ];
        let ds = Delegations::from_events(&events);
        assert_eq!(
            ds.delegate(&a.pubkey(), Class::Ordinary).map(|x| x.0),
            Some(c.pubkey())
        );
        assert_eq!(
            ds.delegate(&a.pubkey(), Class::Moderation).map(|x| x.0),
            Some(b.pubkey())
        );
        let revoke = delegation(&a, "ordinary", None, 7);
        let ds = Delegations::from_events(events.iter().chain([&revoke]));
        assert_eq!(
            ds.delegate(&a.pubkey(), Class::Ordinary).map(|x| x.0),
            Some(b.pubkey()),
            "a revoked class delegation falls back to the one for all classes"
        );
    }

    mod tallies {
        use super::*;
        use crate::proposal::Proposal;
        use crate::tally::{Window, count_excluding};
        use crate::vote::{Choice, Vote};
        use proptest::prelude::*;

        fn proposal() -> Proposal {
            crate::tally::tests::proposal(false)
        }

        fn vote(k: &Keys, choice: Choice) -> Vote {
            Vote {
                id: EventId([k.pubkey().as_bytes()[0]; 32]),
                voter: k.pubkey(),
                created_at: 150,
                proposal: EventId([9; 32]),
                choice,
            }
        }

        fn count(events: &[Event], votes: &[Vote], electorate: &BTreeSet<PubKey>) -> crate::Tally {
            let window = Window {
                opens: 100,
                ends: proposal().ends_at,
                closed_at: 200,
            };
            let ds = Delegations::from_events(events);
            count_excluding(
                &proposal(),
                votes,
                electorate,
                window,
                &BTreeSet::new(),
                &ds,
            )
        }

        #[test]
        fn chains_cycles_revocations_and_absent_delegates() {
            let k: Vec<Keys> = (0..6).map(|_| Keys::generate()).collect();
            let electorate: BTreeSet<PubKey> = k.iter().map(Keys::pubkey).collect();
            // 1 -> 0 (voted yes); 2 -> 1 -> 0 (a chain); 3 <-> 4 (a cycle, nobody voted);
            // 5 -> 0 for ordinary but revoked.
            let events = vec![
                delegation(&k[1], ALL, Some(&k[0]), 10),
                delegation(&k[2], "ordinary", Some(&k[1]), 10),
                delegation(&k[3], ALL, Some(&k[4]), 10),
                delegation(&k[4], ALL, Some(&k[3]), 10),
                delegation(&k[5], "ordinary", Some(&k[0]), 10),
                delegation(&k[5], "ordinary", None, 11),
            ];
            let votes = vec![vote(&k[0], Choice::Yes)];
            let t = count(&events, &votes, &electorate);
            assert_eq!(
                (t.yes, t.delegated),
                (3, 2),
                "0 in person, 1 and 2 through 0"
            );
            assert_eq!(t.voters.len(), 1);
            assert_eq!(t.delegations.len(), 2, "the events of 1 and 2");
            // A delegator who votes counts as themselves.
            let votes = vec![vote(&k[0], Choice::Yes), vote(&k[1], Choice::No)];
            let t = count(&events, &votes, &electorate);
            assert_eq!(
                (t.yes, t.no, t.delegated),
                (1, 2, 1),
                "2 follows 1, who voted no"
            );
            // A delegate outside the electorate lends nothing.
            let mut smaller = electorate.clone();
            smaller.remove(&k[0].pubkey());
            let t = count(&events, &[vote(&k[0], Choice::Yes)], &smaller);
            assert_eq!(t.turnout(), 0);
            // Nobody voted: nothing is counted, cycles included.
            assert_eq!(count(&events, &[], &electorate).turnout(), 0);
        }

        #[test]
        fn chains_stop_at_the_depth_bound() {
            let k: Vec<Keys> = (0..MAX_DEPTH + 2).map(|_| Keys::generate()).collect();
            let electorate: BTreeSet<PubKey> = k.iter().map(Keys::pubkey).collect();
            // k[i] -> k[i-1], k[0] voted: k[i] is i hops away.
            let events: Vec<Event> = (1..k.len())
                .map(|i| delegation(&k[i], ALL, Some(&k[i - 1]), 10))
                .collect();
            let t = count(&events, &[vote(&k[0], Choice::Yes)], &electorate);
            assert_eq!(
                t.delegated as usize, MAX_DEPTH,
                "only chains up to the bound"
            );
        }

        proptest! {
            /// Any order of the same events and votes gives the same tally.
            #[test]
            fn order_independent(
                edges in proptest::collection::vec((0usize..6, 0usize..6, 0u64..4, any::<bool>()), 0..14),
                voters in proptest::collection::vec((0usize..6, 0u8..3), 0..6),
                seed in any::<u64>(),
            ) {
                let k: Vec<Keys> = (0..6).map(|i| Keys::from_secret_bytes(&[i as u8 + 1; 32]).unwrap()).collect();
                let electorate: BTreeSet<PubKey> = k.iter().map(Keys::pubkey).collect();
                let mut events: Vec<Event> = edges
                    .iter()
                    .filter(|(a, b, _, _)| a != b)
                    .map(|(a, b, at, all)| {
                        let d = if *all { ALL } else { "ordinary" };
                        delegation(&k[*a], d, Some(&k[*b]), 10 + at)
                    })
                    .collect();
                let choices = [Choice::Yes, Choice::No, Choice::Abstain];
                let mut votes: Vec<Vote> = voters
                    .iter()
                    .map(|(v, c)| vote(&k[*v], choices[*c as usize]))
                    .collect();
                votes.sort_by_key(|v| v.voter);
                votes.dedup_by_key(|v| v.voter);
                let first = count(&events, &votes, &electorate);
                let n = events.len().max(1);
                events.rotate_left((seed as usize) % n);
                events.reverse();
                votes.reverse();
                let second = count(&events, &votes, &electorate);
                prop_assert_eq!(&first, &second);
                prop_assert!(first.turnout() <= 6);
                prop_assert_eq!(first.turnout() as usize, first.voters.len() + first.delegated as usize);
            }
        }
    }
}
