//! Storing a run of plain saves in a fixed number of statements, whatever its length. The
//! backend reads what it already holds about the run ([`Known`]) in one query; [`plan`] then
//! applies NIP-01's rules to the whole run in memory, in order, exactly as saving the events one
//! by one would; the backend writes the [`Plan`] in one or a few statements.

use std::collections::{HashMap, HashSet};

use super::{Record, Saved, WriteOp, existing_wins};

/// Can this op join a bulk run? Any plain save, replaceable and addressable included; deletion
/// and vanish requests change other rows and go one by one.
pub(crate) fn bulkable(op: &WriteOp) -> bool {
    matches!(op, WriteOp::Save(r) if r.event.kind != nips::nip09::KIND_DELETION)
}

/// A replaceable/addressable address: pubkey, kind, `d`.
type Address = (Vec<u8>, i32, String);

/// One row of a backend's "what do you hold" query: what the row says, then id, pubkey, kind,
/// `d` and a time, each where that kind of row has it.
pub(crate) type KnownRow = (
    String,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Option<i32>,
    Option<String>,
    Option<i64>,
);

/// What the store already holds that bears on a run of events.
#[derive(Debug, Default)]
pub(crate) struct Known {
    stored: HashSet<Vec<u8>>,
    /// (id, author) pairs the author deleted.
    deleted: HashSet<(Vec<u8>, Vec<u8>)>,
    /// Authors who vanished, up to a time.
    vanished: HashMap<Vec<u8>, i64>,
    /// Current version of each address: id and created_at.
    versions: HashMap<Address, (Vec<u8>, i64)>,
    /// Addresses deleted up to a time.
    address_deleted: HashMap<Address, i64>,
}

impl Known {
    /// Reads the rows of the backend's query: `stored` (id), `deleted` (id, pubkey),
    /// `vanished` (pubkey, until), `version` (id, pubkey, kind, d, created_at) and
    /// `address-deleted` (pubkey, kind, d, until).
    pub(crate) fn from_rows(rows: Vec<KnownRow>) -> Self {
        let mut known = Self::default();
        for (what, id, pubkey, kind, d, at) in rows {
            match (what.as_str(), id, pubkey, kind, d, at) {
                ("stored", Some(id), ..) => {
                    known.stored.insert(id);
                }
                ("deleted", Some(id), Some(pk), ..) => {
                    known.deleted.insert((id, pk));
                }
                ("vanished", _, Some(pk), _, _, Some(until)) => {
                    known.vanished.insert(pk, until);
                }
                ("version", Some(id), Some(pk), Some(kind), Some(d), Some(at)) => {
                    known.versions.insert((pk, kind, d), (id, at));
                }
                ("address-deleted", _, Some(pk), Some(kind), Some(d), Some(until)) => {
                    known.address_deleted.insert((pk, kind, d), until);
                }
                _ => {}
            }
        }
        known
    }
}

/// The keys a backend must look up for a run: event ids, distinct authors, and the addresses
/// of its replaceable and addressable events (as parallel columns).
pub(crate) struct Lookup<'a> {
    pub ids: Vec<&'a [u8]>,
    pub authors: Vec<&'a [u8]>,
    pub address_pubkeys: Vec<&'a [u8]>,
    pub address_kinds: Vec<i32>,
    pub address_ds: Vec<&'a str>,
}

impl<'a> Lookup<'a> {
    pub(crate) fn new(records: &[&'a Record]) -> Self {
        let ids = records
            .iter()
            .map(|r| r.event.id.as_bytes().as_slice())
            .collect();
        let mut authors: Vec<&[u8]> = records
            .iter()
            .map(|r| r.event.pubkey.as_bytes().as_slice())
            .collect();
        authors.sort_unstable();
        authors.dedup();
        let (mut address_pubkeys, mut address_kinds, mut address_ds) = (vec![], vec![], vec![]);
        for r in records {
            if let Some(d) = r.address_d() {
                address_pubkeys.push(r.event.pubkey.as_bytes().as_slice());
                address_kinds.push(i32::from(r.event.kind));
                address_ds.push(d);
            }
        }
        Self {
            ids,
            authors,
            address_pubkeys,
            address_kinds,
            address_ds,
        }
    }
}

/// What a run comes to: each event's outcome, the events to insert, and the stored versions
/// they replace (to delete first).
#[derive(Debug)]
pub(crate) struct Plan<'a> {
    pub outcomes: Vec<Saved>,
    pub fresh: Vec<&'a Record>,
    pub replaced: Vec<Vec<u8>>,
}

impl Plan<'_> {
    /// Nothing to write.
    pub(crate) fn is_empty(&self) -> bool {
        self.fresh.is_empty() && self.replaced.is_empty()
    }

    /// The tag index rows of the fresh events, as columns: event id, name, value, kind,
    /// created_at.
    pub(crate) fn tag_columns(&self) -> TagColumns<'_> {
        let mut c = TagColumns::default();
        for r in &self.fresh {
            for (name, value) in r.indexed_tags() {
                c.ids.push(r.event.id.as_bytes().as_slice());
                c.names.push(name);
                c.values.push(value);
                c.kinds.push(i32::from(r.event.kind));
                c.times.push(r.created_at());
            }
        }
        c
    }
}

/// Tag index rows as parallel columns, ready to bind.
#[derive(Debug, Default)]
pub(crate) struct TagColumns<'a> {
    pub ids: Vec<&'a [u8]>,
    pub names: Vec<&'a str>,
    pub values: Vec<&'a str>,
    pub kinds: Vec<i32>,
    pub times: Vec<i64>,
}

/// Applies NIP-01's storage rules to `records` in order, as if each were saved alone after
/// the ones before it: duplicates, author deletions, vanished authors, and newest-wins
/// replacement with the lowest-id tie-break (a version replaced later in the same run is
/// never inserted).
pub(crate) fn plan<'a>(records: &[&'a Record], mut known: Known) -> Plan<'a> {
    let mut outcomes = Vec::with_capacity(records.len());
    let mut fresh: Vec<Option<&Record>> = Vec::with_capacity(records.len());
    let mut replaced = Vec::new();
    // Where the current version of an address was put, when it is fresh in this run.
    let mut in_run: HashMap<Address, usize> = HashMap::new();
    for r in records {
        let id = r.event.id.as_bytes().to_vec();
        let pk = r.event.pubkey.as_bytes().to_vec();
        let at = r.created_at();
        let address = r
            .address_d()
            .map(|d| (pk.clone(), i32::from(r.event.kind), d.to_string()));
        let outcome = if known.stored.contains(&id) {
            Saved::Duplicate
        } else if known.deleted.contains(&(id.clone(), pk.clone()))
            || address
                .as_ref()
                .and_then(|a| known.address_deleted.get(a))
                .is_some_and(|until| *until >= at)
        {
            Saved::Deleted
        } else if known.vanished.get(&pk).is_some_and(|until| *until >= at) {
            Saved::Vanished
        } else if let Some(address) = address {
            match known.versions.get(&address) {
                Some((old_id, old_at)) if existing_wins((*old_at, old_id), r) => Saved::Superseded,
                current => {
                    if let Some((old_id, _)) = current {
                        known.stored.remove(old_id);
                        match in_run.get(&address) {
                            Some(&i) => fresh[i] = None,
                            None => replaced.push(old_id.clone()),
                        }
                    }
                    in_run.insert(address.clone(), fresh.len());
                    known.stored.insert(id.clone());
                    known.versions.insert(address, (id, at));
                    fresh.push(Some(*r));
                    Saved::Stored
                }
            }
        } else {
            known.stored.insert(id);
            fresh.push(Some(*r));
            Saved::Stored
        };
        outcomes.push(outcome);
    }
    Plan {
        outcomes,
        fresh: fresh.into_iter().flatten().collect(),
        replaced,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nips::Keys;

    fn record(keys: &Keys, at: u64, kind: u16, tags: &[&[&str]]) -> Record {
        let tags = tags
            .iter()
            .map(|t| t.iter().map(|s| s.to_string()).collect())
            .collect();
        Record::new(keys.sign(at, kind, tags, String::new()))
    }

    #[test]
    fn a_version_replaced_within_the_run_is_never_inserted() {
        let k = Keys::generate();
        let (v1, v2, v3) = (
            record(&k, 10, 0, &[]),
            record(&k, 20, 0, &[]),
            record(&k, 15, 0, &[]),
        );
        let p = plan(&[&v1, &v2, &v3], Known::default());
        assert_eq!(
            p.outcomes,
            vec![Saved::Stored, Saved::Stored, Saved::Superseded]
        );
        assert_eq!(p.fresh.len(), 1);
        assert_eq!(p.fresh[0].event.id, v2.event.id);
        assert!(p.replaced.is_empty());
    }

    #[test]
    fn a_stored_version_is_replaced_once() {
        let k = Keys::generate();
        let (old, v1, v2) = (
            record(&k, 5, 3, &[]),
            record(&k, 10, 3, &[]),
            record(&k, 20, 3, &[]),
        );
        let rows = vec![(
            "version".to_string(),
            Some(old.event.id.as_bytes().to_vec()),
            Some(old.event.pubkey.as_bytes().to_vec()),
            Some(3),
            Some(String::new()),
            Some(5),
        )];
        let p = plan(&[&v1, &v2], Known::from_rows(rows));
        assert_eq!(p.outcomes, vec![Saved::Stored, Saved::Stored]);
        assert_eq!(p.replaced, vec![old.event.id.as_bytes().to_vec()]);
        assert_eq!(
            p.fresh.iter().map(|r| r.event.id).collect::<Vec<_>>(),
            vec![v2.event.id]
        );
    }

    #[test]
    fn copies_within_the_run_are_duplicates() {
        let k = Keys::generate();
        let e = record(&k, 10, 1, &[&["t", "x"], &["t", "x"], &["e", "ab"]]);
        let p = plan(&[&e, &e], Known::default());
        assert_eq!(p.outcomes, vec![Saved::Stored, Saved::Duplicate]);
        assert_eq!(
            p.tag_columns().names,
            vec!["e", "t"],
            "one index row per distinct tag"
        );
    }
}
