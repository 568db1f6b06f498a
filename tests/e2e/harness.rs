//! Starts the real `communitarium` binary on an ephemeral port, on SQLite or PostgreSQL, and
//! stops it when the test ends.

use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::db::TestPostgres;

/// Which event store the relay under test uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    Sqlite,
    Postgres,
}

/// How to start a relay.
pub struct Builder {
    store: Store,
    /// Leave the community unfounded when the test names no founders (else one is made up).
    unfounded: bool,
    args: Vec<String>,
    env: Vec<(String, String)>,
    config: Option<String>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
}

impl Builder {
    /// Adds command-line arguments after `serve`.
    pub fn args<I: IntoIterator<Item = S>, S: Into<String>>(mut self, args: I) -> Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Sets an environment variable for the relay process.
    pub fn env(mut self, key: &str, value: impl ToString) -> Self {
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    /// Turns off the per-author rates and per-target caps, for tests that publish in bulk.
    pub fn unlimited(self) -> Self {
        let mut b = self;
        for class in ["metadata", "notes", "reactions", "other"] {
            for tier in ["MEMBERS", "OTHERS"] {
                let key = format!(
                    "COMMUNITARIUM_POLICY__RATE__EVENTS_PER_MINUTE__{}__{tier}",
                    class.to_uppercase()
                );
                b = b.env(&key, 0);
            }
        }
        for sort in ["REPOSTS", "REACTIONS", "REPLIES", "MENTIONS"] {
            for tier in ["MEMBERS", "OTHERS"] {
                b = b.env(
                    &format!("COMMUNITARIUM_POLICY__RATE__TARGET__{sort}__{tier}"),
                    0,
                );
            }
        }
        b.env("COMMUNITARIUM_POLICY__RATE__MESSAGES_PER_SECOND", 0)
    }

    /// Starts without founders, so the community waits to be founded (its setup page). Without
    /// this, a test that names no founders gets one made up: most tests want a community.
    pub fn unfounded(mut self) -> Self {
        self.unfounded = true;
        self
    }

    /// Keeps the relay's data (SQLite file, key) in `dir` instead of a fresh temporary one.
    pub fn data_dir(mut self, dir: PathBuf) -> Self {
        self.data_dir = Some(dir);
        self
    }

    /// Uses this PostgreSQL database (a test's own cluster) instead of a fresh one.
    pub fn database_url(mut self, url: String) -> Self {
        self.database_url = Some(url);
        self
    }

    /// Writes `toml` to a config file the relay is started with.
    pub fn config(mut self, toml: &str) -> Self {
        self.config = Some(toml.to_string());
        self
    }

    /// Starts the relay and waits until it listens.
    pub async fn start(mut self) -> TestRelay {
        let named = self.args.iter().any(|a| a == "--founder")
            || self
                .config
                .as_deref()
                .is_some_and(|c| c.contains("founders = [\""));
        if !self.unfounded && !named {
            let founder = nips::Keys::generate().pubkey().to_hex();
            self.args.extend(["--founder".to_string(), founder]);
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let db = match (self.store, &self.database_url) {
            (Store::Postgres, None) => Some(TestPostgres::create().await),
            _ => None,
        };
        let config = self.config.map(|toml| {
            let path = dir.path().join("communitarium.toml");
            std::fs::write(&path, toml).expect("write config");
            path
        });
        let mut relay = TestRelay {
            args: self.args,
            env: self.env,
            config,
            data_dir: self.data_dir.unwrap_or_else(|| dir.path().join("data")),
            _dir: dir,
            db,
            database_url: self.database_url,
            child: None,
            log: Arc::default(),
            url: String::new(),
            http: String::new(),
        };
        relay.launch().await;
        relay
    }
}

/// A running relay process.
pub struct TestRelay {
    args: Vec<String>,
    env: Vec<(String, String)>,
    config: Option<PathBuf>,
    pub data_dir: PathBuf,
    _dir: tempfile::TempDir,
    pub db: Option<TestPostgres>,
    /// A database the test brought (its own cluster).
    database_url: Option<String>,
    child: Option<Child>,
    /// Every line the relay logged (stderr), across restarts.
    pub log: Arc<Mutex<Vec<String>>>,
    /// `ws://127.0.0.1:<port>`
    pub url: String,
    /// `http://127.0.0.1:<port>`
    pub http: String,
}

impl TestRelay {
    /// A relay with default settings on `store`.
    pub async fn start(store: Store) -> Self {
        Self::builder(store).start().await
    }

    pub fn builder(store: Store) -> Builder {
        Builder {
            store,
            unfounded: false,
            args: Vec::new(),
            env: Vec::new(),
            config: None,
            data_dir: None,
            database_url: None,
        }
    }

    /// The binary's command for this relay's settings (not yet spawned).
    pub fn command(&self, args: &[&str]) -> Command {
        // `RELAY_UNDER_TEST` runs the suite against another build (an older one, to see a
        // test fail on what it fixes).
        let bin = std::env::var("RELAY_UNDER_TEST")
            .unwrap_or_else(|_| env!("CARGO_BIN_EXE_communitarium").to_string());
        let mut cmd = Command::new(bin);
        cmd.args(args);
        cmd.env_remove("DATABASE_URL").env(
            "RUST_LOG",
            std::env::var("RELAY_LOG").unwrap_or_else(|_| "warn".into()),
        );
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    fn serve_args(&self) -> Vec<String> {
        let mut args = vec!["serve".to_string()];
        // An ephemeral port, unless the test names its own address (`--listen`).
        if !self.args.iter().any(|a| a == "--listen") {
            args.extend(["--listen".to_string(), "127.0.0.1:0".into()]);
        }
        args.extend(self.store_args());
        args.extend(self.args.iter().cloned());
        args
    }

    /// `--data-dir`, `--database-url` and `--config` of this relay, for its other commands.
    pub fn store_args(&self) -> Vec<String> {
        let mut args = vec!["--data-dir".into(), self.data_dir.display().to_string()];
        if let Some(url) = self
            .db
            .as_ref()
            .map(|d| &d.url)
            .or(self.database_url.as_ref())
        {
            args.extend(["--database-url".into(), url.clone()]);
        }
        if let Some(config) = &self.config {
            args.extend(["--config".into(), config.display().to_string()]);
        }
        args
    }

    async fn launch(&mut self) {
        let args = self.serve_args();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut child = self
            .command(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("spawn communitarium");
        let stderr = child.stderr.take().expect("stderr");
        let log = self.log.clone();
        tokio::spawn(async move {
            let mut lines = BufReader::new(stderr).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                eprintln!("relay: {line}");
                log.lock().expect("log").push(line);
            }
        });
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
            .await
            .expect("relay did not report its address in time")
            .expect("read relay stdout")
            .expect("relay exited before listening");
        let url = line
            .strip_prefix("communitarium listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {line}"))
            .to_string();
        self.http = url.replacen("ws://", "http://", 1);
        self.url = url;
        // Keep draining stdout so the relay never blocks on a full pipe; its lines join the log.
        let log = self.log.clone();
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                log.lock().expect("log").push(format!("stdout: {line}"));
            }
        });
        self.child = Some(child);
    }

    /// Sends SIGTERM and waits for the process to exit.
    pub async fn stop(&mut self) -> ExitStatus {
        let mut child = self.child.take().expect("relay is running");
        let pid = child.id().expect("pid");
        std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .expect("kill -TERM");
        tokio::time::timeout(Duration::from_secs(30), child.wait())
            .await
            .expect("relay did not stop within 30 s of SIGTERM")
            .expect("wait for relay")
    }

    /// Is the process running (not stopped or killed by the test)?
    pub fn is_running(&self) -> bool {
        self.child.is_some()
    }

    /// Kills the process outright (SIGKILL): no shutdown, no flush.
    pub async fn kill(&mut self) {
        let mut child = self.child.take().expect("relay is running");
        child.kill().await.expect("kill -9");
    }

    /// Starts the relay again on the same data after [`TestRelay::kill`] (new port).
    pub async fn start_again(&mut self) {
        self.launch().await;
    }

    /// The page at `path` (`/proposals/<id>`), as a reader without a session gets it.
    pub async fn page(&self, path: &str) -> String {
        reqwest::get(format!("{}{path}", self.http))
            .await
            .expect("GET a page")
            .text()
            .await
            .expect("page text")
    }

    /// The relay's `/metrics` text.
    pub async fn metrics(&self) -> String {
        reqwest::get(format!("{}/metrics", self.http))
            .await
            .expect("GET /metrics")
            .text()
            .await
            .expect("metrics text")
    }

    /// The relay process's resident memory, in KiB.
    pub fn rss_kib(&self) -> u64 {
        let pid = self
            .child
            .as_ref()
            .and_then(|c| c.id())
            .expect("relay is running");
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS")
    }

    /// The setup link the relay printed (an unfounded community), waiting for it a little.
    pub async fn setup_link(&self) -> String {
        for _ in 0..50 {
            let found = self.log.lock().expect("log").iter().rev().find_map(|l| {
                l.strip_prefix("stdout: found this community: open ")
                    .map(str::to_owned)
            });
            if let Some(link) = found {
                return link;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the relay printed no setup link");
    }

    /// Lines the relay logged that contain `needle`.
    pub fn logged(&self, needle: &str) -> usize {
        self.log
            .lock()
            .expect("log")
            .iter()
            .filter(|l| l.contains(needle))
            .count()
    }

    /// Stops and starts again on the same data (new port).
    pub async fn restart(&mut self) {
        let status = self.stop().await;
        assert!(status.success(), "relay exited with {status}");
        self.launch().await;
    }
}

/// Runs each named scenario `async fn name(store: Store)` once per store.
#[macro_export]
macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::harness::Store::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::harness::Store::Postgres).await;
                }
            )*
        }
    };
}

/// Installs the Node dependencies of `dir` (`npm ci`) unless `marker` (a path inside it)
/// shows they are there. Test processes run side by side, so one installs while the others
/// wait on a lock file: two `npm ci` in one directory delete each other's files.
pub async fn ensure_npm(dir: &std::path::Path, marker: &str) {
    let lock_path = dir.join("node_modules.lock");
    let lock = std::fs::File::create(&lock_path).expect("create the npm lock file");
    let lock = tokio::task::spawn_blocking(move || {
        lock.lock().expect("lock the npm lock file");
        lock
    })
    .await
    .expect("lock task");
    if !dir.join(marker).exists() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(dir)
            .status()
            .await
            .expect("npm is needed for the Node and browser tests");
        assert!(status.success(), "npm ci failed in {}", dir.display());
    }
    drop(lock);
}
