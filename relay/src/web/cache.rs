//! What pages read again and again, kept between views: the decision log (read again when it
//! grows, so a thousand views of a page read it once) and the names people gave themselves
//! (each profile read at most once a minute, one batch at a time, however many pages ask; a
//! key without one is asked again at the next view).

use std::sync::Arc;
use std::time::{Duration, Instant};

use governance::Decision;
use nips::{Event, PubKey};
use quick_cache::sync::Cache;
use tokio::sync::Mutex;

/// Names remembered (a name is at most 64 characters, a picture 16 KiB; few have one).
const NAMES: usize = 20_000;
/// How long a name is believed before its profile is read again.
const NAME_TTL: Duration = Duration::from_secs(60);

/// How a profile shows its author: a name, and a picture kept inside it (a data: URL).
pub type Shown = (String, Option<String>);

/// The relay's decisions, newest first, with their parsed form.
pub type DecisionLog = Arc<Vec<(Event, Decision)>>;

/// The caches every page view shares.
pub struct Caches {
    /// The log, and how many decisions it held when read.
    decisions: Mutex<Option<(usize, DecisionLog)>>,
    /// Each key's name and picture (or that it gave none), and when they were read.
    names: Cache<PubKey, (Option<Shown>, Instant)>,
    /// Held while profiles are read, so concurrent views do not each hold a batch of them.
    pub loading_names: Mutex<()>,
}

impl Default for Caches {
    fn default() -> Self {
        Self {
            decisions: Mutex::default(),
            names: Cache::new(NAMES),
            loading_names: Mutex::default(),
        }
    }
}

impl Caches {
    /// The log as of `count` decisions, reading it with `read` when the copy is older.
    pub async fn decisions<F, Fut>(&self, count: usize, read: F) -> Option<DecisionLog>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Option<Vec<(Event, Decision)>>>,
    {
        let mut cached = self.decisions.lock().await;
        if let Some((at, log)) = cached.as_ref()
            && *at == count
        {
            return Some(log.clone());
        }
        let log = Arc::new(read().await?);
        *cached = Some((count, log.clone()));
        Some(log)
    }

    /// A name (and picture) read less than a minute ago: `Some(None)` when the key gave none.
    pub fn name(&self, key: &PubKey) -> Option<Option<Shown>> {
        self.names
            .get(key)
            .filter(|(_, at)| at.elapsed() < NAME_TTL)
            .map(|(name, _)| name)
    }

    pub fn remember(&self, key: PubKey, name: Option<Shown>) {
        self.names.insert(key, (name, Instant::now()));
    }
}
