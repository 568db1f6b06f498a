//! Reading sets of events other than by query: their keys (NIP-77 reconciles them) and a
//! page-by-page walk (export), each giving the same events in the same order as the query.

use nips::Keys;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use super::conformance::{Harness, NOW, conformance, ids, save, sign};
use super::{Reader, Store};

async fn keys_of(store: &dyn Store, f: serde_json::Value, limit: u64) -> Vec<nips::EventId> {
    let f = nips::Filter::from_value(&f).unwrap();
    let never = CancellationToken::new();
    let keys = store
        .keys(&f, limit, NOW, Reader::client(&never))
        .await
        .unwrap();
    keys.into_iter().map(|k| k.id).collect()
}

pub(crate) async fn keys_match_the_events_a_filter_selects(store: &dyn Store) {
    let (a, b) = (Keys::generate(), Keys::generate());
    let mut all = Vec::new();
    for i in 0..30u64 {
        let author = if i % 3 == 0 { &b } else { &a };
        let e = sign(
            author,
            NOW - 100 + i,
            1 + (i % 2) as u16,
            &[&["t", "sync"]],
            &format!("n{i}"),
        );
        save(store, &e).await;
        all.push(e);
    }
    let expired = sign(
        &a,
        NOW - 5,
        1,
        &[&["expiration", &(NOW - 1).to_string()]],
        "gone",
    );
    save(store, &expired).await;
    for f in [
        json!({}),
        json!({"kinds": [1]}),
        json!({"authors": [b.pubkey().to_hex()]}),
        json!({"#t": ["sync"], "kinds": [2]}),
        json!({"since": NOW - 80, "until": NOW - 75}),
    ] {
        assert_eq!(
            keys_of(store, f.clone(), 1000).await,
            ids(store, f.clone()).await,
            "{f}"
        );
    }
    let keys = keys_of(store, json!({}), 1000).await;
    assert_eq!(keys.len(), 30, "expired events are not in the set");
    assert_eq!(
        keys_of(store, json!({}), 7).await,
        keys[..7],
        "newest first, at most limit"
    );
    let f = nips::Filter::from_value(&json!({"kinds": [2]})).unwrap();
    let detail = store.keys(&f, 100, NOW, Reader::Relay).await.unwrap();
    assert!(
        detail
            .iter()
            .all(|k| k.kind == 2 && k.created_at <= NOW as i64)
    );
    assert_eq!(detail.len(), 15);
}

/// `scan` pages through everything a filter selects, oldest first, with nothing missed or
/// repeated, even across events that share a second.
pub(crate) async fn scan_pages_through_everything(store: &dyn Store) {
    let k = Keys::generate();
    for i in 0..23u64 {
        // Several events per second: pages must break ties by id.
        save(
            store,
            &sign(&k, NOW - 50 + i / 4, 1, &[&["t", "x"]], &format!("s{i}")),
        )
        .await;
    }
    save(store, &sign(&k, NOW - 10, 7, &[], "+")).await;
    for f in [json!({}), json!({"kinds": [1], "#t": ["x"]})] {
        let filter = nips::Filter::from_value(&f).unwrap();
        let mut walked = Vec::new();
        let mut after = None;
        loop {
            let page = store.scan(&filter, after, 5, NOW).await.unwrap();
            let Some(last) = page.last() else { break };
            after = Some((last.created_at, last.id));
            walked.extend(page.iter().map(|e| e.id));
        }
        let mut newest_first = ids(store, f.clone()).await;
        newest_first.reverse();
        assert_eq!(walked, newest_first, "oldest first: {f}");
    }
}

conformance!(
    keys_match_the_events_a_filter_selects,
    scan_pages_through_everything,
);
