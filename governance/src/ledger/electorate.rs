//! Electorates frozen at a moment, answered from the ledger's roster, and the digests that
//! name them in decisions.

use super::*;

/// A proposal's electorate: the members as of its creation, less keys banned then. Held as
/// that instant and its size: a community of many members with many open proposals would
/// otherwise hold a copy of its membership for each. Later changes are dated after the
/// proposals the relay has accepted, so it stays what it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Electorate {
    pub at: u64,
    pub len: usize,
}

/// An [`Electorate`] with the ledger that answers who is in it.
#[derive(Debug, Clone, Copy)]
pub struct Frozen<'a> {
    pub(super) ledger: &'a Ledger,
    pub(super) electorate: Electorate,
}

impl Frozen<'_> {
    /// The members, as a set.
    pub fn keys(&self) -> BTreeSet<PubKey> {
        self.ledger.electorate_at(self.electorate.at)
    }

    /// The digest a decision records of the members (as [`crate::roster::digest_keys`] of
    /// [`Frozen::keys`]), hashed as the roster yields them in key order: a close of a
    /// 100,000-member community builds no set.
    pub fn digest(&self) -> [u8; 32] {
        let at = self.electorate.at;
        let policy = self.ledger.policy_at(at);
        let members = self.ledger.roster.members_at_in_order(at);
        crate::roster::digest_sorted_keys(members.filter(|k| !policy.is_banned(k, at)))
    }
}

impl Frozen<'_> {
    /// What decides the set: the membership changes up to its moment and the keys banned
    /// then. Equal identities are equal sets. `None` when the roster cannot tell.
    fn identity(&self) -> Option<(usize, Vec<PubKey>)> {
        let at = self.electorate.at;
        let changes = self.ledger.roster.changes_upto(at)?;
        let policy = self.ledger.policy_at(at);
        let banned = policy
            .bans
            .keys()
            .filter(|k| policy.is_banned(k, at))
            .copied()
            .collect();
        Some((changes, banned))
    }
}

/// Electorate digests already computed. Proposals opened while membership stood still share
/// one electorate; a thousand of them closing together (or re-counted by an audit) hash their
/// 100,000 members once, not a thousand times: the walk over the roster is most of a close.
#[derive(Debug, Default, Clone)]
pub struct Digests {
    known: std::collections::HashMap<(usize, Vec<PubKey>), [u8; 32]>,
}

impl Digests {
    /// Digests kept; past it the memory starts over (a few kilobytes at most).
    const MAX: usize = 256;

    /// [`Frozen::digest`], from memory when an equal electorate was digested before.
    pub fn of(&mut self, electors: &Frozen<'_>) -> [u8; 32] {
        let Some(identity) = electors.identity() else {
            return electors.digest();
        };
        if let Some(digest) = self.known.get(&identity) {
            return *digest;
        }
        let digest = electors.digest();
        if self.known.len() >= Self::MAX {
            self.known.clear();
        }
        self.known.insert(identity, digest);
        digest
    }
}

impl Electors for Frozen<'_> {
    fn contains(&self, key: &PubKey) -> bool {
        let at = self.electorate.at;
        self.ledger.roster.was_member(key, at) && !self.ledger.policy_at(at).is_banned(key, at)
    }
    fn len(&self) -> usize {
        self.electorate.len
    }
}

/// The `seq` tag of a member event (its place in the membership log).
pub fn member_seq(event: &Event) -> u64 {
    event
        .first_tag_value("seq")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}
