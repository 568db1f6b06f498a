//! Client queries run within their budget and stop when their client goes away, on the server
//! too (a query left running would hold a connection and the database's time).

use std::sync::Arc;
use std::time::{Duration, Instant};

use nips::{Filter, Keys};
use serde_json::json;
use sqlx::Connection;
use tokio_util::sync::CancellationToken;

use super::testdb::TestPostgres;
use super::{
    EventStore, Options, PostgresStore, Reader, Record, SqliteStore, StoreError, Wraps, WriteOp,
};

fn options(timeout: Duration) -> Options {
    Options {
        pool_size: 2,
        query_timeout: timeout,
        ..Options::default()
    }
}

fn all_notes() -> Filter {
    Filter::from_value(&json!({"kinds": [1]})).unwrap()
}

/// Client queries still running on the server, besides the one asking.
async fn running(url: &str) -> i64 {
    let mut c = sqlx::PgConnection::connect(url).await.unwrap();
    let (n,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
         AND pid <> pg_backend_pid() AND state = 'active' AND query LIKE 'SELECT e.created_at%'",
    )
    .fetch_one(&mut c)
    .await
    .unwrap();
    n
}

#[tokio::test]
async fn postgres_stops_a_query_over_budget_and_a_cancelled_one() {
    let pg = TestPostgres::create().await;
    let store = PostgresStore::connect(&pg.url, options(Duration::from_millis(300)))
        .await
        .unwrap();
    // Another session locks the table: every read of it waits, as long as a slow query runs.
    let mut locker = sqlx::PgConnection::connect(&pg.url).await.unwrap();
    sqlx::raw_sql("BEGIN; LOCK TABLE events IN ACCESS EXCLUSIVE MODE")
        .execute(&mut locker)
        .await
        .unwrap();
    let never = CancellationToken::new();
    let started = Instant::now();
    let over = store
        .query(&all_notes(), 10, 1, Reader::client(&never))
        .await;
    assert!(matches!(over, Err(StoreError::TimedOut)), "{over:?}");
    assert!(started.elapsed() < Duration::from_secs(2));

    let patient = PostgresStore::connect(&pg.url, options(Duration::from_secs(60)))
        .await
        .unwrap();
    let cancel = CancellationToken::new();
    let query = {
        let (patient, cancel) = (patient.clone(), cancel.clone());
        tokio::spawn(async move {
            patient
                .query(&all_notes(), 10, 1, Reader::client(&cancel))
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(running(&pg.url).await, 1, "the query waits on the server");
    cancel.cancel();
    let cancelled = tokio::time::timeout(Duration::from_secs(1), query)
        .await
        .unwrap()
        .unwrap();
    assert!(
        matches!(cancelled, Err(StoreError::Cancelled)),
        "{cancelled:?}"
    );
    let mut gone = false;
    for _ in 0..30 {
        if running(&pg.url).await == 0 {
            gone = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(gone, "the server stopped the cancelled query");
    sqlx::raw_sql("ROLLBACK")
        .execute(&mut locker)
        .await
        .unwrap();
    let relays = patient.query(&all_notes(), 10, 1, Reader::Relay).await;
    assert!(
        relays.is_ok(),
        "the relay's own reads have no budget: {relays:?}"
    );
}

#[tokio::test]
async fn sqlite_interrupts_a_query_over_budget_and_a_cancelled_one() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("t.db"), options(Duration::from_nanos(1)))
        .await
        .unwrap();
    let k = Keys::generate();
    let ops: Vec<WriteOp> = (0..20_000u64)
        .map(|i| WriteOp::Save(Arc::new(Record::new(k.sign(i, 1, vec![], String::new())))))
        .collect();
    for chunk in ops.chunks(2_000) {
        store.write(chunk).await.unwrap();
    }
    let notes = [all_notes()];
    let count = |reader| store.count(&notes, 1, reader, Wraps::All);
    let never = CancellationToken::new();
    assert!(matches!(
        count(Reader::client(&never)).await,
        Err(StoreError::TimedOut)
    ));
    assert_eq!(
        count(Reader::Relay).await.unwrap(),
        20_000,
        "no budget for the relay"
    );
    let roomy = SqliteStore::open(&dir.path().join("t.db"), options(Duration::from_secs(60)))
        .await
        .unwrap();
    let cancelled = CancellationToken::new();
    cancelled.cancel();
    let got = roomy
        .count(&[all_notes()], 1, Reader::client(&cancelled), Wraps::All)
        .await;
    assert!(matches!(got, Err(StoreError::Cancelled)), "{got:?}");
    assert_eq!(
        roomy
            .count(&[all_notes()], 1, Reader::client(&never), Wraps::All)
            .await
            .unwrap(),
        20_000
    );
}
