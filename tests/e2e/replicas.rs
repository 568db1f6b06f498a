//! Read replicas (`--read-database-url`): a real PostgreSQL primary and a streaming standby
//! of it (pg_basebackup), each the test's own server. Replay on the standby is paused and
//! resumed to make its lag visible: a client that wrote nothing is served by the standby, so
//! it does not see what the standby has not replayed, while the writer always finds its own
//! event; a standby too far behind, or gone, serves no one.

use std::time::Duration;

use nips::{Event, Keys};
use serde_json::json;
use sqlx::{Connection, PgConnection};

use crate::harness::{Store, TestRelay};
use crate::pgcluster::Cluster;
use crate::raw::Raw;
use crate::{now, sign};

/// Whether `client` finds event `e` right now.
async fn finds(client: &mut Raw, e: &Event) -> bool {
    let found = client
        .req("find", json!([{"ids": [e.id.to_hex()]}]))
        .await
        .events();
    client.send_json(json!(["CLOSE", "find"])).await;
    found.len() == 1
}

/// Waits until `client` finds `e`.
async fn until_found(client: &mut Raw, e: &Event, what: &str) {
    for _ in 0..100 {
        if finds(client, e).await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what}: not found within 10 s");
}

/// Pauses (or resumes) WAL replay on the standby, waiting until it has taken effect.
async fn replay(standby: &mut PgConnection, paused: bool) {
    let call = if paused {
        "SELECT pg_wal_replay_pause()"
    } else {
        "SELECT pg_wal_replay_resume()"
    };
    sqlx::query(call).execute(&mut *standby).await.unwrap();
    let want = if paused { "paused" } else { "not paused" };
    for _ in 0..100 {
        let (state,): (String,) = sqlx::query_as("SELECT pg_get_wal_replay_pause_state()")
            .fetch_one(&mut *standby)
            .await
            .unwrap();
        if state == want {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("replay did not become {want}");
}

/// The value of counter `communitarium_client_reads_total{on="<on>"}`.
fn reads_on(metrics: &str, on: &str) -> f64 {
    let prefix = format!("communitarium_client_reads_total{{on=\"{on}\"}} ");
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_answer_reads_and_writers_find_their_own_events() {
    let primary = Cluster::start();
    let standby = primary.replica();
    let relay = TestRelay::builder(Store::Postgres)
        .database_url(primary.url())
        .args(["--read-database-url", &standby.url()])
        .config("[server]\nreplica_max_lag_ms = 1500\n")
        .start()
        .await;
    let author = Keys::generate();
    let mut writer = Raw::connect(&relay.url).await;
    let mut reader = Raw::connect(&relay.url).await;
    let first = sign(&author, now(), 1, &[], "before the pause");
    writer.accept(&first).await;
    assert!(
        finds(&mut writer, &first).await,
        "the writer finds its event"
    );
    until_found(&mut reader, &first, "the reader, once the standby has it").await;

    // Replay paused: the standby falls behind.
    let mut control = PgConnection::connect(&standby.url()).await.unwrap();
    replay(&mut control, true).await;
    let second = sign(&author, now(), 1, &[], "during the pause");
    writer.accept(&second).await;
    assert!(
        finds(&mut writer, &second).await,
        "the writer finds its event at once: the lagging standby does not serve it"
    );
    assert!(
        !finds(&mut reader, &second).await,
        "the reader wrote nothing, so the standby serves it, and has not replayed the event"
    );
    replay(&mut control, false).await;
    until_found(&mut reader, &second, "the reader, once replay resumes").await;

    // A standby further behind than replica_max_lag_ms serves no one.
    replay(&mut control, true).await;
    let third = sign(&author, now(), 1, &[], "a long pause");
    writer.accept(&third).await;
    tokio::time::sleep(Duration::from_millis(2000)).await;
    assert!(
        finds(&mut reader, &third).await,
        "a standby 2 s behind (bound 1.5 s) leaves the reader to the primary"
    );
    replay(&mut control, false).await;
    drop(control);

    let metrics = relay.metrics().await;
    assert!(reads_on(&metrics, "replica") >= 1.0, "{metrics}");
    assert!(reads_on(&metrics, "primary") >= 1.0, "{metrics}");

    // The standby goes away: every read is still answered, by the primary.
    standby.stop();
    let fourth = sign(&author, now(), 1, &[], "the standby is gone");
    writer.accept(&fourth).await;
    for _ in 0..5 {
        assert!(finds(&mut reader, &fourth).await, "served by the primary");
    }
}

/// A replica URL pointing at a primary is refused at start, with a clear message.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_primary_is_not_taken_for_a_replica() {
    let primary = Cluster::start();
    let other = Cluster::start();
    let data = tempfile::tempdir().unwrap();
    let run = tokio::process::Command::new(env!("CARGO_BIN_EXE_communitarium"))
        .env_remove("DATABASE_URL")
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data.path())
        .args([
            "--database-url",
            &primary.url(),
            "--read-database-url",
            &other.url(),
        ])
        .output();
    let out = tokio::time::timeout(Duration::from_secs(30), run)
        .await
        .expect("refused in time")
        .expect("ran");
    assert!(!out.status.success(), "refused to start");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("read replica 0") && said.contains("is not a standby"),
        "{said}"
    );
}
