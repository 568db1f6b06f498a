//! Storage failures and crashes: nothing acknowledged is lost and every message is answered.
//! The database goes away under load and comes back; the SQLite disk fills up and frees; the
//! relay is killed with -9 under full ingest load.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use nips::Keys;
use parking_lot::Mutex;
use serde_json::json;

use crate::harness::{Store, TestRelay};
use crate::pgcluster::Cluster;
use crate::raw::Raw;
use crate::{now, on_both_stores, sign};

/// What the publishers saw.
#[derive(Default)]
struct Seen {
    /// Ids answered `OK true`.
    acked: BTreeSet<String>,
    /// `OK false` messages.
    refused: Vec<String>,
    /// EVENTs that got no answer in time.
    unanswered: usize,
    slowest: Duration,
}

/// Publishers on `connections` connections, each sending a note and waiting (at most `wait`)
/// for its `OK` before the next, until `stop`.
fn publish_until(
    url: &str,
    connections: usize,
    wait: Duration,
    stop: Arc<AtomicBool>,
    seen: Arc<Mutex<Seen>>,
) -> Vec<tokio::task::JoinHandle<()>> {
    (0..connections)
        .map(|i| {
            let (url, stop, seen) = (url.to_string(), stop.clone(), seen.clone());
            tokio::spawn(async move {
                let keys = Keys::generate();
                let mut c = Raw::connect(&url).await;
                let mut n = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    let e = sign(&keys, now(), 1, &[], &format!("load {i} {n}"));
                    n += 1;
                    let started = Instant::now();
                    c.send(format!("[\"EVENT\",{}]", e.to_json())).await;
                    let answer = tokio::time::timeout(wait, c.ok_for(&e.id.to_hex())).await;
                    {
                        let mut s = seen.lock();
                        s.slowest = s.slowest.max(started.elapsed());
                        match answer {
                            Ok((true, _)) => {
                                s.acked.insert(e.id.to_hex());
                            }
                            Ok((false, message)) => s.refused.push(message),
                            Err(_) => {
                                s.unanswered += 1;
                                return;
                            }
                        }
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            })
        })
        .collect()
}

/// Every id in `ids` is served by the relay.
async fn all_served(relay: &TestRelay, ids: &BTreeSet<String>) -> usize {
    let mut c = Raw::connect(&relay.url).await;
    let ids: Vec<&String> = ids.iter().collect();
    let mut served = 0;
    for chunk in ids.chunks(500) {
        served += c
            .req("check", json!([{"ids": chunk, "limit": chunk.len()}]))
            .await
            .events()
            .len();
    }
    served
}

/// Waits until the relay reports the database up again.
async fn until_recovered(relay: &TestRelay) {
    for _ in 0..100 {
        if relay
            .metrics()
            .await
            .lines()
            .any(|l| l == "communitarium_db_up 1")
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the relay did not reconnect within 10 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_goes_away_under_load() {
    let cluster = Cluster::start();
    let relay = TestRelay::builder(Store::Postgres)
        .database_url(cluster.url())
        .env("RUST_LOG", "communitarium=info")
        .unlimited()
        .start()
        .await;
    let stop = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(Mutex::new(Seen::default()));
    let load = publish_until(
        &relay.url,
        5,
        Duration::from_secs(5),
        stop.clone(),
        seen.clone(),
    );
    // Two connected clients keep talking through the relay while its database is gone.
    let mut listener = Raw::connect(&relay.url).await;
    listener
        .req("live", json!([{"kinds": [20001]}]))
        .await
        .events();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before_outage = seen.lock().acked.len();
    assert!(before_outage > 0, "the load is running");

    cluster.stop();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mut c = Raw::connect(&relay.url).await;
    let (ok, message) = c
        .publish(&sign(&Keys::generate(), now(), 1, &[], "down"))
        .await;
    assert!(!ok && message.starts_with("error:"), "{message}");
    let refused = c
        .req("q", json!([{"kinds": [1], "limit": 5}]))
        .await
        .closed();
    assert!(refused.starts_with("error:"), "{refused}");
    let ping = sign(&Keys::generate(), now(), 20001, &[], "still here");
    let (ok, message) = c.publish(&ping).await;
    assert!(ok, "ephemeral events need no database: {message}");
    let delivered = listener
        .recv_until(|m| (m[0] == "EVENT" && m[1] == "live").then(|| m[2]["id"].clone()))
        .await;
    assert_eq!(delivered, ping.id.to_hex(), "live fan-out goes on");

    cluster.start_again();
    until_recovered(&relay).await;
    let mut after = Raw::connect(&relay.url).await;
    after
        .accept(&sign(&Keys::generate(), now(), 1, &[], "the first after"))
        .await;
    after
        .req("first", json!([{"kinds": [1], "limit": 5}]))
        .await
        .events();
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    for task in load {
        task.await.unwrap();
    }

    let seen = std::mem::take(&mut *seen.lock());
    assert_eq!(seen.unanswered, 0, "every EVENT was answered within 5 s");
    assert!(
        seen.refused.iter().all(|m| m.starts_with("error:")),
        "{:?}",
        seen.refused
    );
    assert!(
        !seen.refused.is_empty(),
        "writes were refused during the outage"
    );
    assert!(seen.acked.len() > before_outage, "writes resumed");
    let served = all_served(&relay, &seen.acked).await;
    assert_eq!(
        served,
        seen.acked.len(),
        "every acknowledged event is there"
    );
    eprintln!(
        "outage: {} acknowledged, {} refused, 0 lost, slowest answer {:?}",
        seen.acked.len(),
        seen.refused.len(),
        seen.slowest
    );
    assert_eq!(
        relay.logged("the database is unavailable"),
        1,
        "logged once"
    );
    assert_eq!(relay.logged("the database is available again"), 1);
}

/// Mounts a small tmpfs at `dir` (root only), so the test can fill the disk.
fn small_disk(dir: &std::path::Path) -> bool {
    std::fs::create_dir_all(dir).unwrap();
    std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=16m", "tmpfs"])
        .arg(dir)
        .status()
        .is_ok_and(|s| s.success())
}

/// Fills the disk at `dir` to the last byte with a file to delete later.
fn fill(dir: &std::path::Path) -> std::path::PathBuf {
    use std::io::Write;
    let path = dir.join("filler");
    let mut f = std::fs::File::create(&path).unwrap();
    let block = vec![0u8; 64 * 1024];
    while f.write_all(&block).is_ok() {}
    let small = [0u8; 512];
    while f.write_all(&small).is_ok() {}
    let _ = f.sync_all();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_disk_full_then_freed() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    if !small_disk(&data) {
        eprintln!("skipped: mounting a tmpfs needs root");
        return;
    }
    struct Unmount(std::path::PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount")
                .arg("-l")
                .arg(&self.0)
                .status();
        }
    }
    let _unmount = Unmount(data.clone());
    let relay = TestRelay::builder(Store::Sqlite)
        .data_dir(data.clone())
        .env("RUST_LOG", "communitarium=info")
        .unlimited()
        .start()
        .await;
    let keys = Keys::generate();
    let mut c = Raw::connect(&relay.url).await;
    let mut acked = BTreeSet::new();
    for i in 0..20 {
        let e = sign(&keys, now(), 1, &[], &format!("before {i}"));
        c.accept(&e).await;
        acked.insert(e.id.to_hex());
    }
    let filler = fill(&data);
    let mut refused = 0;
    for i in 0..200 {
        let e = sign(
            &keys,
            now(),
            1,
            &[],
            &format!("full {i} {}", "x".repeat(2000)),
        );
        let (ok, message) = c.publish(&e).await;
        if ok {
            acked.insert(e.id.to_hex());
        } else {
            assert!(message.starts_with("error:"), "{message}");
            refused += 1;
        }
    }
    assert!(refused > 0, "a full disk refuses writes");
    let still = c
        .req(
            "r",
            json!([{"authors": [keys.pubkey().to_hex()], "limit": 5}]),
        )
        .await;
    assert_eq!(still.events().len(), 5, "reads go on");
    std::fs::remove_file(filler).unwrap();
    let e = sign(&keys, now(), 1, &[], "after");
    c.accept(&e).await;
    acked.insert(e.id.to_hex());
    let served = all_served(&relay, &acked).await;
    eprintln!(
        "disk full: {} acknowledged, {refused} refused, {served} served",
        acked.len()
    );
    let mut relay = relay;
    relay.restart().await;
    let served2 = all_served(&relay, &acked).await;
    eprintln!("after restart: {served2} served");
    assert_eq!(served, acked.len());
    assert_eq!(
        relay.logged("the database is unavailable"),
        1,
        "logged once"
    );
    assert_eq!(relay.logged("the database is available again"), 1);
}

/// Killed with -9 under full ingest load, the relay serves every id it acknowledged once it
/// is started again.
async fn killed_under_load_loses_nothing_acknowledged(store: Store) {
    let mut relay = TestRelay::builder(store).unlimited().start().await;
    let stop = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(Mutex::new(Seen::default()));
    let load = publish_until(
        &relay.url,
        50,
        Duration::from_secs(30),
        stop.clone(),
        seen.clone(),
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    relay.kill().await;
    stop.store(true, Ordering::Relaxed);
    for task in load {
        let _ = task.await;
    }
    let acked = seen.lock().acked.clone();
    assert!(acked.len() > 100, "the load ran: {}", acked.len());
    relay.start_again().await;
    let served = all_served(&relay, &acked).await;
    eprintln!("kill -9: {} acknowledged, {served} served", acked.len());
    assert_eq!(served, acked.len(), "every acknowledged event survived");
}

on_both_stores!(killed_under_load_loses_nothing_acknowledged);
