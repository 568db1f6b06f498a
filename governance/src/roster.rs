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
        let mut set = BTreeSet::new();
        for c in self.history.iter().filter(|c| c.at <= at) {
            if c.joined {
                set.insert(c.key);
            } else {
                set.remove(&c.key);
            }
        }
        set
    }
}

/// sha256 over the 32-byte keys in ascending order: how decisions commit to a set of members.
pub fn digest_keys<'a>(keys: impl IntoIterator<Item = &'a PubKey>) -> [u8; 32] {
    let mut sorted: Vec<&PubKey> = keys.into_iter().collect();
    sorted.sort();
    let mut hasher = Sha256::new();
    for k in sorted {
        hasher.update(k.as_bytes());
    }
    hasher.finalize().into()
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
}
