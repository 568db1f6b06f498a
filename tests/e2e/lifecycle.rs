//! The process: durability across restarts, graceful shutdown, slow clients, bad configuration.

use std::process::Stdio;
use std::time::Duration;

use serde_json::json;

use crate::harness::{Store, TestRelay};
use crate::raw::Raw;
use crate::{now, on_both_stores, sign};

async fn acknowledged_events_survive_a_restart(store: Store) {
    let mut relay = TestRelay::builder(store).unlimited().start().await;
    let keys = nips::Keys::generate();
    let mut c = Raw::connect(&relay.url).await;
    let events: Vec<nips::Event> = (0..20)
        .map(|i| sign(&keys, now() - i, 1, &[], &format!("n{i}")))
        .collect();
    // Publish without waiting, then collect every OK: all are committed before their OK.
    for e in &events {
        c.send(format!("[\"EVENT\",{}]", e.to_json())).await;
    }
    for e in &events {
        assert!(c.ok_for(&e.id.to_hex()).await.0);
    }
    relay.restart().await;
    let mut c = Raw::connect(&relay.url).await;
    let stored = c
        .req("all", json!([{"authors": [keys.pubkey().to_hex()]}]))
        .await
        .events();
    assert_eq!(stored.len(), events.len());
}

async fn shutdown_closes_sessions_cleanly(store: Store) {
    let mut relay = TestRelay::start(store).await;
    let mut c = Raw::connect(&relay.url).await;
    assert!(
        c.req("s", json!([{"kinds": [1]}]))
            .await
            .events()
            .is_empty()
    );
    let stopping = tokio::spawn(async move {
        let status = relay.stop().await;
        (status, relay)
    });
    let (code, _) = c.until_closed().await;
    assert_eq!(
        code,
        Some(1001),
        "sessions are told the relay is going away"
    );
    let (status, _relay) = stopping.await.unwrap();
    assert!(status.success(), "clean exit: {status}");
}

on_both_stores!(
    acknowledged_events_survive_a_restart,
    shutdown_closes_sessions_cleanly
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_readers_are_told_and_dropped() {
    let relay = TestRelay::builder(Store::Sqlite)
        .env("COMMUNITARIUM_SERVER__OUTBOUND_QUEUE", 8)
        .unlimited()
        .start()
        .await;
    let keys = nips::Keys::generate();
    let mut slow = Raw::connect(&relay.url).await;
    slow.send_json(json!(["REQ", "everything", {"kinds": [1]}]))
        .await;
    let eose = slow.recv().await;
    assert_eq!(eose[0], "EOSE");
    // `slow` stops reading while ~12 MB of live events are published.
    let mut publisher = Raw::connect(&relay.url).await;
    let body = "x".repeat(100_000);
    for i in 0..120 {
        publisher
            .accept(&sign(&keys, now(), 1, &[], &format!("{i}{body}")))
            .await;
    }
    let (code, seen) = slow.until_closed().await;
    assert_eq!(code, Some(1008), "dropped for being too slow");
    let last = seen.last().expect("messages before the close");
    assert_eq!(last[0], "NOTICE");
    assert!(last[1].as_str().unwrap().starts_with("error:"));
    assert!(
        seen.len() < 120,
        "the relay did not buffer everything for the slow client"
    );
    // The publisher was never affected.
    publisher
        .accept(&sign(&keys, now(), 1, &[], "still here"))
        .await;
}

#[tokio::test]
async fn bad_configuration_is_named_and_refused() {
    let relay = TestRelay::start(Store::Sqlite).await;
    let cases = [
        ("COMMUNITARIUM_LIMITS__MAX_LIMIT", "lots", "max_limit"),
        ("COMMUNITARIUM_LISTEN", "nowhere", "listen"),
        ("COMMUNITARIUM_LIMITS__MAX_LIMT", "5", "max_limt"),
        ("COMMUNITARIUM_DATABASE_URL", "mysql://x", "database_url"),
    ];
    for (key, value, named) in cases {
        let output = relay
            .command(&["serve", "--data-dir", &relay.data_dir.display().to_string()])
            .env(key, value)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output();
        let output = tokio::time::timeout(Duration::from_secs(20), output)
            .await
            .unwrap()
            .unwrap();
        assert!(!output.status.success(), "{key}={value} must be refused");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.to_lowercase().contains(named),
            "{key}: error should name `{named}`: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[tokio::test]
async fn help_explains_each_flag() {
    let relay = TestRelay::start(Store::Sqlite).await;
    let output = relay.command(&["serve", "--help"]).output().await.unwrap();
    let help = String::from_utf8_lossy(&output.stdout);
    for flag in [
        "--listen",
        "--data-dir",
        "--database-url",
        "--public-url",
        "--config",
    ] {
        assert!(help.contains(flag), "{flag} in help:\n{help}");
    }
}
