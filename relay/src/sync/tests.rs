use negentropy::{Id, Negentropy, NegentropyStorageVector};
use nips::EventId;

use std::net::IpAddr;
use std::sync::Arc;

use super::*;

fn key(i: u32) -> EventKey {
    let mut id = [0u8; 32];
    id[..4].copy_from_slice(&i.to_be_bytes());
    id[31] = 7;
    EventKey {
        created_at: 1_000 + i64::from(i / 3),
        id: EventId(id),
        kind: 1,
    }
}

fn client(keys: &[EventKey]) -> Negentropy<'static, NegentropyStorageVector> {
    let mut storage = NegentropyStorageVector::new();
    for k in keys {
        storage
            .insert(k.created_at as u64, Id::from_byte_array(k.id.0))
            .unwrap();
    }
    storage.seal().unwrap();
    Negentropy::owned(storage, 0).unwrap()
}

/// Runs a whole reconciliation; returns what the client has that the relay lacks, what it
/// needs, and the bytes exchanged.
fn reconcile(relay: &[EventKey], mine: &[EventKey]) -> (Vec<Id>, Vec<Id>, usize) {
    let mut me = client(mine);
    let first = me.initiate().unwrap();
    let mut bytes = first.len();
    let (reconciler, mut answer) = start(relay, &first).unwrap();
    let syncs = Syncs::default();
    let n = syncs.reserve("s", 4).unwrap();
    let shares = Arc::new(PerIp::default());
    let held = Held::take(&shares, "127.0.0.1".parse().unwrap(), relay.len(), 0).unwrap();
    assert!(syncs.open("s", n, reconciler, held));
    let (mut have, mut need) = (Vec::new(), Vec::new());
    loop {
        bytes += answer.len();
        match me
            .reconcile_with_ids(&answer, &mut have, &mut need)
            .unwrap()
        {
            None => break,
            Some(next) => {
                bytes += next.len();
                answer = syncs.reconcile("s", &next).unwrap();
            }
        }
    }
    (have, need, bytes)
}

#[test]
fn finds_the_few_differences_in_thousands_cheaply() {
    let all: Vec<EventKey> = (0..5_000).map(key).collect();
    let not_on_relay = [17u32, 1_234, 4_000];
    let not_mine = [5u32, 2_500, 3_333, 4_999];
    let number = |k: &EventKey| u32::from_be_bytes([k.id.0[0], k.id.0[1], k.id.0[2], k.id.0[3]]);
    let relay: Vec<EventKey> = all
        .iter()
        .filter(|k| !not_on_relay.contains(&number(k)))
        .copied()
        .collect();
    let mine: Vec<EventKey> = all
        .iter()
        .filter(|k| !not_mine.contains(&number(k)))
        .copied()
        .collect();
    let (have, need, bytes) = reconcile(&relay, &mine);
    let missing_here: usize = all.len() - relay.len();
    let missing_there: usize = all.len() - mine.len();
    assert_eq!(have.len(), missing_here, "what the relay lacks");
    assert_eq!(need.len(), missing_there, "what the client lacks");
    assert!(
        bytes < all.len() * 32 / 10,
        "{bytes} bytes exchanged for {} ids",
        all.len()
    );
}

#[test]
fn a_sync_holds_its_share_until_closed() {
    let shares = Arc::new(PerIp::default());
    let ip: IpAddr = "10.0.0.1".parse().unwrap();
    let keys: Vec<EventKey> = (0..100).map(key).collect();
    let syncs = Syncs::default();
    let n = syncs.reserve("a", 2).unwrap();
    let first = client(&keys).initiate().unwrap();
    let (reconciler, _) = start(&keys, &first).unwrap();
    let held = Held::take(&shares, ip, keys.len(), 150).unwrap();
    assert!(
        Held::take(&shares, ip, 100, 150).is_none(),
        "past the address's cap"
    );
    assert!(syncs.open("a", n, reconciler, held));
    assert_eq!(shares.get(&ip), 100);
    syncs.close("a");
    assert_eq!(shares.get(&ip), 0, "closing gives the share back");
    assert!(matches!(
        syncs.reconcile("a", &first),
        Err(SyncError::Unknown)
    ));
}

#[test]
fn openings_are_capped_and_replaced_by_id() {
    let syncs = Syncs::default();
    let first = syncs.reserve("a", 2).unwrap();
    assert!(syncs.reserve("b", 2).is_some());
    assert!(syncs.reserve("c", 2).is_none(), "two per connection here");
    let again = syncs.reserve("a", 2).unwrap();
    assert_ne!(first, again, "re-opening an id replaces it");
    assert!(matches!(
        syncs.reconcile("a", &[0x61]),
        Err(SyncError::Opening)
    ));
    let keys: Vec<EventKey> = (0..10).map(key).collect();
    let (stale, _) = start(&keys, &client(&keys).initiate().unwrap()).unwrap();
    let shares = Arc::new(PerIp::default());
    let held = Held::take(&shares, "10.0.0.2".parse().unwrap(), 10, 0).unwrap();
    assert!(
        !syncs.open("a", first, stale, held),
        "a replaced opening is dropped"
    );
    assert_eq!(shares.get(&"10.0.0.2".parse().unwrap()), 0);
}

#[test]
fn a_bad_message_ends_the_sync() {
    let keys: Vec<EventKey> = (0..10).map(key).collect();
    let bad_mode = [0x61, 0x00, 0x00, 0x07];
    assert!(matches!(
        start(&keys, &bad_mode),
        Err(SyncError::Protocol(_))
    ));
    let old_version = start(&keys, &[0x60]).unwrap().1;
    assert_eq!(
        old_version,
        vec![0x61],
        "another version gets ours, per the protocol"
    );
}

#[test]
fn syncs_past_the_cap_wait_their_turn() {
    use std::sync::Mutex;
    let syncs = Syncs::default();
    let started: Arc<Mutex<Vec<String>>> = Arc::default();
    let start = |id: &str| -> super::Start {
        let (started, id) = (started.clone(), id.to_owned());
        Box::new(move |_| started.lock().unwrap().push(id))
    };
    assert_eq!(syncs.start_or_wait("a", 2, start("a")), Admitted::Started);
    assert_eq!(syncs.start_or_wait("b", 2, start("b")), Admitted::Started);
    assert_eq!(syncs.start_or_wait("c", 2, start("c")), Admitted::Waiting);
    assert_eq!(syncs.start_or_wait("d", 2, start("d")), Admitted::Waiting);
    assert_eq!(
        *started.lock().unwrap(),
        ["a", "b"],
        "two open at once here"
    );
    syncs.close("d");
    syncs.close("a");
    assert_eq!(
        *started.lock().unwrap(),
        ["a", "b", "c"],
        "c takes a's place; d left"
    );
    assert_eq!(syncs.open_count(), 2);
    syncs.close("b");
    assert_eq!(
        *started.lock().unwrap(),
        ["a", "b", "c"],
        "nothing else waits"
    );
    for i in 0..super::MAX_WAITING {
        let id = format!("w{i}");
        assert_eq!(syncs.start_or_wait(&id, 1, start(&id)), Admitted::Waiting);
    }
    assert_eq!(syncs.start_or_wait("x", 1, start("x")), Admitted::Full);
}
