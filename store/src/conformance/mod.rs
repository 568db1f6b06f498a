//! The one behaviour suite every [`EventStore`] backend must pass, run against SQLite and
//! PostgreSQL alike, by topic: reading, the NIPs' storage rules, the community's own state,
//! and writing in batches.

pub(crate) use std::sync::Arc;

pub(crate) use nips::{Event, Filter, Keys};
pub(crate) use serde_json::json;

use crate::testdb::TestPostgres;
use tokio_util::sync::CancellationToken;

mod community;
mod nip_rules;
mod reads;
mod writes;

pub(crate) use crate::{
    Claim, Effect, Invite, Options, PostgresStore, Reader, Record, Saved, SqliteStore, Store,
    StoredEvent, Wraps, WriteOp,
};

pub(crate) const NOW: u64 = 1_700_000_000;

/// A store under test plus whatever keeps its database alive.
pub(crate) struct Harness {
    pub store: Arc<dyn Store>,
    pub(crate) _pg: Option<TestPostgres>,
    _dir: Option<tempfile::TempDir>,
}

impl Harness {
    pub async fn sqlite() -> Self {
        Self::sqlite_with(options()).await
    }

    pub async fn sqlite_with(options: Options) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("t.db"), options)
            .await
            .unwrap();
        Self {
            store: Arc::new(store),
            _pg: None,
            _dir: Some(dir),
        }
    }

    pub async fn postgres() -> Self {
        Self::postgres_with(options()).await
    }

    pub async fn postgres_with(options: Options) -> Self {
        let pg = TestPostgres::create().await;
        let store = PostgresStore::connect(&pg.url, options).await.unwrap();
        Self {
            store: Arc::new(store),
            _pg: Some(pg),
            _dir: None,
        }
    }

    /// A second handle on the same database, as another node (or process) would have.
    pub async fn another(&self, options: Options) -> Arc<dyn Store> {
        match (&self._pg, &self._dir) {
            (Some(pg), _) => Arc::new(PostgresStore::connect(&pg.url, options).await.unwrap()),
            (None, Some(dir)) => Arc::new(
                SqliteStore::open(&dir.path().join("t.db"), options)
                    .await
                    .unwrap(),
            ),
            (None, None) => unreachable!("a harness holds a database"),
        }
    }

    /// Opens the same database again with `options`, as a restarted relay would.
    pub async fn reopen(&mut self, options: Options) {
        self.store.close().await;
        self.store = self.another(options).await;
    }
}

pub(crate) fn options() -> Options {
    Options {
        pool_size: 2,
        query_timeout: std::time::Duration::from_secs(10),
        ..Options::default()
    }
}

pub(crate) fn sign(keys: &Keys, at: u64, kind: u16, tags: &[&[&str]], content: &str) -> Event {
    let tags = tags
        .iter()
        .map(|t| t.iter().map(|s| s.to_string()).collect())
        .collect();
    keys.sign(at, kind, tags, content.to_string())
}

pub(crate) async fn save(store: &dyn Store, e: &Event) -> Saved {
    store
        .write(&[WriteOp::Save(Arc::new(Record::new(e.clone())))])
        .await
        .unwrap()[0]
}

pub(crate) async fn vanish(store: &dyn Store, e: &Event) -> Saved {
    store
        .write(&[WriteOp::Vanish(Arc::new(Record::new(e.clone())))])
        .await
        .unwrap()[0]
}

pub(crate) async fn query(store: &dyn Store, f: serde_json::Value) -> Vec<StoredEvent> {
    let f = Filter::from_value(&f).unwrap();
    let limit = f.limit.unwrap_or(500);
    let relays = store.query(&f, limit, NOW, Reader::Relay).await.unwrap();
    let never = CancellationToken::new();
    let clients = store
        .query(&f, limit, NOW, Reader::client(&never))
        .await
        .unwrap();
    assert_eq!(relays, clients, "the relay's and clients' reads agree");
    relays
}

pub(crate) async fn ids(store: &dyn Store, f: serde_json::Value) -> Vec<nips::EventId> {
    query(store, f).await.into_iter().map(|s| s.id).collect()
}

pub(crate) async fn count(store: &dyn Store, fs: serde_json::Value) -> u64 {
    let fs: Vec<Filter> = fs
        .as_array()
        .unwrap()
        .iter()
        .map(|f| Filter::from_value(f).unwrap())
        .collect();
    let relays = store
        .count(&fs, NOW, Reader::Relay, Wraps::All)
        .await
        .unwrap();
    let never = CancellationToken::new();
    let clients = store
        .count(&fs, NOW, Reader::client(&never), Wraps::All)
        .await
        .unwrap();
    assert_eq!(relays, clients, "the relay's and clients' counts agree");
    relays
}

/// Runs each named suite function on SQLite and on PostgreSQL.
macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let h = super::Harness::sqlite().await;
                    super::$name(&*h.store).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let h = super::Harness::postgres().await;
                    super::$name(&*h.store).await;
                }
            )*
        }
    };
}

pub(crate) use conformance;
