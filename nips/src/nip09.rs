//! NIP-09: deletion requests (kind 5) and the events they may delete.

use std::fmt;
use std::str::FromStr;

use crate::event::{Event, EventId, KindClass, PubKey};
use crate::hex;

/// Kind of a deletion request.
pub const KIND_DELETION: u16 = 5;

/// An `a` coordinate: `<kind>:<pubkey>:<d>` (empty `d` for replaceable kinds).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Coordinate {
    pub kind: u16,
    pub pubkey: PubKey,
    pub d: String,
}

impl FromStr for Coordinate {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        let mut parts = s.splitn(3, ':');
        let kind = parts.next().ok_or(())?.parse::<u16>().map_err(|_| ())?;
        let pubkey = hex::decode_lower::<32>(parts.next().ok_or(())?).ok_or(())?;
        let d = parts.next().ok_or(())?.to_owned();
        Ok(Self {
            kind,
            pubkey: PubKey(pubkey),
            d,
        })
    }
}

impl fmt::Display for Coordinate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.kind, self.pubkey, self.d)
    }
}

/// What a deletion request asks to delete, already narrowed to what its author may delete.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeletionTargets {
    /// Event ids from `e` tags; only the deleter's own events with these ids are deleted.
    pub ids: Vec<EventId>,
    /// Coordinates from `a` tags that name the deleter's own replaceable/addressable events.
    pub coordinates: Vec<Coordinate>,
}

/// The targets of a kind-5 event. Coordinates owned by someone else, coordinates of
/// non-replaceable kinds and malformed tags are dropped: a deletion never reaches another
/// author's events.
pub fn targets(deletion: &Event) -> DeletionTargets {
    let mut ids: Vec<EventId> = deletion
        .tag_values("e")
        .filter_map(|v| hex::decode_lower::<32>(v).map(EventId))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let mut coordinates: Vec<Coordinate> = deletion
        .tag_values("a")
        .filter_map(|v| v.parse::<Coordinate>().ok())
        .filter(|c| c.pubkey == deletion.pubkey)
        .filter(|c| {
            matches!(
                KindClass::of(c.kind),
                KindClass::Replaceable | KindClass::Addressable
            )
        })
        .map(|mut c| {
            if KindClass::of(c.kind) == KindClass::Replaceable {
                c.d.clear();
            }
            c
        })
        .collect();
    coordinates.sort_by(|a, b| (a.kind, &a.d).cmp(&(b.kind, &b.d)));
    coordinates.dedup();
    DeletionTargets { ids, coordinates }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::Keys;

    #[test]
    fn keeps_only_own_coordinates() {
        let me = Keys::generate();
        let other = Keys::generate();
        let id = "ab".repeat(32);
        let tags = vec![
            vec!["e".into(), id.clone()],
            vec!["e".into(), "nothex".into()],
            vec!["a".into(), format!("30023:{}:post:1", me.pubkey())],
            vec!["a".into(), format!("30023:{}:post", other.pubkey())],
            vec!["a".into(), format!("1:{}:", me.pubkey())],
            vec!["a".into(), format!("0:{}:", me.pubkey())],
        ];
        let del = me.sign(10, KIND_DELETION, tags, String::new());
        let t = targets(&del);
        assert_eq!(t.ids, vec![id.parse().unwrap()]);
        assert_eq!(t.coordinates.len(), 2);
        assert_eq!(t.coordinates[0].kind, 0);
        assert_eq!(t.coordinates[1].d, "post:1");
    }
}
