//! Membership: who the members are now and who they were at any past moment, so a proposal's
//! electorate can be frozen at its creation. It is the fold of the relay's kind-8000/8001 events.

use std::collections::{BTreeMap, BTreeSet};

use nips::PubKey;
use sha2::{Digest, Sha256};

/// A current member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub since: u64,
    pub inviter: Option<PubKey>,
    pub roles: BTreeSet<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Change {
    at: u64,
    key: PubKey,
    joined: bool,
}

/// The members, with their join/leave history.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roster {
    members: BTreeMap<PubKey, Member>,
    history: Vec<Change>,
    /// Each key's changes `(at, joined)`, in the order they were made: answers "was this key
    /// a member then?" without rebuilding the whole membership of that moment.
    timeline: BTreeMap<PubKey, Vec<(u64, bool)>>,
    /// The number of members after each change of `history`.
    counts: Vec<usize>,
    /// Whether `history` is in time order (the relay dates its changes so): then the members
    /// at any moment are counted by a binary search instead of a pass over every key.
    unordered: bool,
}

impl Roster {
    /// Adds `key` as of `at`; false if already a member.
    pub fn add(&mut self, key: PubKey, at: u64, inviter: Option<PubKey>) -> bool {
        if self.members.contains_key(&key) {
            return false;
        }
        self.members.insert(
            key,
            Member {
                since: at,
                inviter,
                roles: BTreeSet::new(),
            },
        );
        self.history.push(Change {
            at,
            key,
            joined: true,
        });
        self.timeline.entry(key).or_default().push((at, true));
        self.counted(at);
        true
    }

    /// Removes `key` as of `at`; false if not a member.
    pub fn remove(&mut self, key: &PubKey, at: u64) -> bool {
        if self.members.remove(key).is_none() {
            return false;
        }
        self.history.push(Change {
            at,
            key: *key,
            joined: false,
        });
        self.timeline.entry(*key).or_default().push((at, false));
        self.counted(at);
        true
    }

    /// Assigns or unassigns a role; false if `key` is not a member.
    pub fn set_role(&mut self, key: &PubKey, role: &str, assign: bool) -> bool {
        match self.members.get_mut(key) {
            Some(m) => {
                if assign {
                    m.roles.insert(role.to_string());
                } else {
                    m.roles.remove(role);
                }
                true
            }
            None => false,
        }
    }

    pub fn contains(&self, key: &PubKey) -> bool {
        self.members.contains_key(key)
    }

    pub fn get(&self, key: &PubKey) -> Option<&Member> {
        self.members.get(key)
    }

    /// Current members, ordered by key.
    pub fn iter(&self) -> impl Iterator<Item = (&PubKey, &Member)> {
        self.members.iter()
    }

    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Who was a member as of `at`: every change dated at or before `at` counts. The relay
    /// dates the changes it makes after accepting a proposal later than that proposal, so the
    /// answer for a proposal's `created_at` cannot change once it was accepted.
    pub fn members_at(&self, at: u64) -> BTreeSet<PubKey> {
        // The timeline is in key order, so the set is built in one pass from sorted keys
        // rather than by a hundred thousand inserts (each close of a large community asks).
        self.members_at_in_order(at).copied().collect()
    }

    /// [`Roster::members_at`] in ascending key order, without building the set: one pass over
    /// the timeline, each key's changes read where they lie rather than looked up again.
    pub fn members_at_in_order(&self, at: u64) -> impl Iterator<Item = &PubKey> {
        self.timeline
            .iter()
            .filter(move |(_, changes)| member_then(changes, at))
            .map(|(key, _)| key)
    }

    /// Whether `key` was a member as of `at`, by the same rule as [`Roster::members_at`]: the
    /// last of its changes dated at or before `at` decides.
    pub fn was_member(&self, key: &PubKey, at: u64) -> bool {
        self.timeline
            .get(key)
            .is_some_and(|changes| member_then(changes, at))
    }

    /// Every key that was ever a member, in key order.
    pub fn ever(&self) -> impl Iterator<Item = &PubKey> {
        self.timeline.keys()
    }

    /// How many changes are dated at or before `at`, when the changes were recorded in time
    /// order: then the members as of `at` are those changes' fold, and two moments with the
    /// same count have the same members. `None` when they were not recorded in time order.
    pub fn changes_upto(&self, at: u64) -> Option<usize> {
        (!self.unordered).then(|| self.history.partition_point(|c| c.at <= at))
    }

    /// How many were members as of `at`: `members_at(at).len()` without building the set.
    pub fn count_at(&self, at: u64) -> usize {
        if self.unordered {
            return self.ever().filter(|k| self.was_member(k, at)).count();
        }
        let changes = self.history.partition_point(|c| c.at <= at);
        changes.checked_sub(1).map_or(0, |i| self.counts[i])
    }

    /// Notes the member count after a change just recorded at `at`.
    fn counted(&mut self, at: u64) {
        let before = self
            .history
            .len()
            .checked_sub(2)
            .map(|i| self.history[i].at);
        self.unordered |= before.is_some_and(|b| at < b);
        self.counts.push(self.members.len());
    }
}

/// Whether a key with these changes was a member at `at`: its last change dated at or before.
fn member_then(changes: &[(u64, bool)], at: u64) -> bool {
    changes
        .iter()
        .rev()
        .find(|(t, _)| *t <= at)
        .is_some_and(|(_, joined)| *joined)
}

/// sha256 over keys already in ascending order (see [`digest_keys`]).
pub fn digest_sorted_keys<'a>(keys: impl IntoIterator<Item = &'a PubKey>) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for k in keys {
        hasher.update(k.as_bytes());
    }
    hasher.finalize().into()
}

/// sha256 over the 32-byte keys in ascending order: how decisions commit to a set of members.
pub fn digest_keys<'a>(keys: impl IntoIterator<Item = &'a PubKey>) -> [u8; 32] {
    let mut sorted: Vec<&PubKey> = keys.into_iter().collect();
    sorted.sort();
    digest_sorted_keys(sorted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_past_electorates() {
        let (a, b) = (PubKey([1; 32]), PubKey([2; 32]));
        let mut r = Roster::default();
        assert!(r.add(a, 10, None));
        assert!(!r.add(a, 11, None));
        assert!(r.add(b, 20, Some(a)));
        assert!(r.remove(&a, 30));
        assert_eq!(r.members_at(9).len(), 0);
        assert_eq!(
            r.members_at(10),
            [a].into(),
            "a join in the same second counts"
        );
        assert_eq!(r.members_at(25), [a, b].into());
        assert_eq!(r.members_at(29), [a, b].into());
        assert_eq!(r.members_at(30), [b].into(), "so does a removal");
        assert!(r.contains(&b) && !r.contains(&a));
        assert_eq!(r.get(&b).unwrap().inviter, Some(a));
        assert_eq!(digest_keys([&a, &b]), digest_keys([&b, &a]));
    }

    #[test]
    fn was_member_agrees_with_members_at() {
        let keys: Vec<PubKey> = (0..6).map(|i| PubKey([i; 32])).collect();
        let mut r = Roster::default();
        // Joins, leaves and rejoins, some dated out of order, some in the same second.
        let steps = [
            (0, 10, true),
            (1, 10, true),
            (2, 15, true),
            (0, 20, false),
            (3, 18, true),
            (0, 25, true),
            (1, 25, false),
            (4, 30, true),
            (2, 30, false),
        ];
        for (k, at, join) in steps {
            match join {
                true => r.add(keys[k], at, None),
                false => r.remove(&keys[k], at),
            };
        }
        for at in 0..40 {
            let set = r.members_at(at);
            for k in &keys {
                assert_eq!(r.was_member(k, at), set.contains(k), "key {k:?} at {at}");
            }
            assert_eq!(r.count_at(at), set.len(), "at {at}");
        }
        assert_eq!(r.ever().count(), 5);
        assert!(
            r.unordered,
            "one change was dated before the one made before it"
        );
    }

    #[test]
    fn counts_in_time_order_by_search() {
        let keys: Vec<PubKey> = (0..5).map(|i| PubKey([i; 32])).collect();
        let mut r = Roster::default();
        for (i, k) in keys.iter().enumerate() {
            r.add(*k, 10 * i as u64, None);
        }
        r.remove(&keys[1], 45);
        r.add(keys[1], 45, None);
        r.remove(&keys[0], 50);
        assert!(!r.unordered);
        for at in 0..60 {
            assert_eq!(r.count_at(at), r.members_at(at).len(), "at {at}");
        }
    }
}
