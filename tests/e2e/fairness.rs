//! One client, one share: a client sending heavy queries from many connections cannot take the
//! database from everyone else, and a query over its time budget is stopped and refused.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use nips::Keys;
use serde_json::{Value, json};

use crate::harness::{Store, TestRelay};
use crate::raw::Raw;
use crate::{now, on_both_stores, sign};

/// A relay that believes `X-Forwarded-For` from the test, with no request rate limits (the
/// read share is what is tested), four database connections and `extra` settings.
async fn relay(store: Store, extra: &[(&str, &str)]) -> TestRelay {
    let mut b = TestRelay::builder(store)
        .unlimited()
        .env("COMMUNITARIUM_SERVER__REAL_IP_HEADER", "X-Forwarded-For")
        .env("COMMUNITARIUM_SERVER__DB_POOL_SIZE", 4)
        .env("COMMUNITARIUM_POLICY__RATE__REQS_PER_MINUTE__OTHERS", 0)
        .env("COMMUNITARIUM_POLICY__RATE__CONNECTIONS_PER_IP", 0)
        .env("COMMUNITARIUM_POLICY__RATE__CONNECTIONS_PER_MINUTE", 0);
    for (k, v) in extra {
        b = b.env(k, v);
    }
    b.start().await
}

/// Stores `n` notes tagged `#t load`, sent in one stream.
async fn load(relay: &TestRelay, n: usize) {
    let mut c = Raw::connect(&relay.url).await;
    let keys = Keys::generate();
    let at = now();
    let events: Vec<_> = (0..n)
        .map(|i| sign(&keys, at - i as u64, 1, &[&["t", "load"]], &format!("{i}")))
        .collect();
    for e in &events {
        c.send(format!("[\"EVENT\",{}]", e.to_json())).await;
    }
    for e in &events {
        assert!(c.ok_for(&e.id.to_hex()).await.0);
    }
}

/// A `COUNT` whose 32 filters each walk every stored note.
fn heavy_count(id: &str) -> Value {
    let mut msg = vec![json!("COUNT"), json!(id)];
    for i in 0..32 {
        msg.push(json!({"kinds": [1], "#t": ["load"], "since": i}));
    }
    Value::Array(msg)
}

async fn a_heavy_client_leaves_room_for_others(store: Store) {
    let relay = relay(store, &[]).await;
    load(&relay, 8_000).await;
    let answered = Arc::new(AtomicUsize::new(0));
    let mut attackers = Vec::new();
    for i in 0..20 {
        let (url, answered) = (relay.url.clone(), answered.clone());
        attackers.push(tokio::spawn(async move {
            let mut c = Raw::connect_as(&url, "10.9.9.9").await;
            for round in 0.. {
                for j in 0..5 {
                    c.send_json(heavy_count(&format!("a{i}-{round}-{j}"))).await;
                }
                for _ in 0..5 {
                    let m = c
                        .try_recv(Duration::from_secs(120))
                        .await
                        .expect("an answer");
                    assert!(matches!(m[0].as_str(), Some("COUNT" | "CLOSED")), "{m}");
                    answered.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut bystander = Raw::connect_as(&relay.url, "10.1.1.1").await;
    let mut slowest = Duration::ZERO;
    for i in 0..15 {
        let started = Instant::now();
        let events = bystander
            .req(&format!("b{i}"), json!([{"kinds": [1], "limit": 10}]))
            .await
            .events();
        slowest = slowest.max(started.elapsed());
        assert_eq!(events.len(), 10);
        bystander.send_json(json!(["CLOSE", format!("b{i}")])).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for a in &attackers {
        assert!(!a.is_finished(), "the heavy client is still being served");
        a.abort();
    }
    let answered = answered.load(Ordering::Relaxed);
    eprintln!("fair share: bystander's slowest REQ {slowest:?}; {answered} heavy COUNTs answered");
    assert!(
        slowest < Duration::from_secs(1),
        "a bystander's simple REQ waited {slowest:?} behind a heavy client"
    );
    assert!(answered > 0, "the heavy client is served too, in turn");
}

async fn a_query_over_budget_is_stopped_and_refused(store: Store) {
    let relay = relay(store, &[("COMMUNITARIUM_SERVER__QUERY_TIMEOUT_MS", "2")]).await;
    load(&relay, 8_000).await;
    let mut c = Raw::connect(&relay.url).await;
    c.send_json(heavy_count("heavy")).await;
    let answer = c.recv_until(|m| (m[1] == "heavy").then(|| m.clone())).await;
    assert_eq!(answer[0], "CLOSED", "{answer}");
    assert!(
        answer[2]
            .as_str()
            .unwrap()
            .starts_with("blocked: this query ran longer"),
        "{answer}"
    );
    let mut filters = vec![json!("REQ"), json!("wide")];
    filters
        .extend((0..32).map(|i| json!({"kinds": [1], "#t": ["load"], "since": i, "limit": 5000})));
    c.send_json(Value::Array(filters)).await;
    let closed = c.collect("wide").await.closed();
    assert!(closed.starts_with("blocked:"), "{closed}");
}

on_both_stores!(
    a_heavy_client_leaves_room_for_others,
    a_query_over_budget_is_stopped_and_refused,
);
