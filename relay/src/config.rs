//! Configuration in two stages: a raw serde struct with defaults, layered from a TOML file,
//! `COMMUNITARIUM_*` environment variables and command-line flags (later wins), then validated
//! into a typed [`Config`]. Every error names the offending key.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use governance::{Policy, PolicyDoc};
use nips::{Keys, Limits, PubKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::store::SearchIndex;

/// Prefix of the environment variables that override config keys; `__` separates sections
/// (`COMMUNITARIUM_LIMITS__MAX_LIMIT=100`).
pub const ENV_PREFIX: &str = "COMMUNITARIUM_";

/// A configuration problem, reported at start-up before anything is served.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("config file {0} does not exist")]
    MissingFile(PathBuf),
    #[error("invalid configuration: {0}")]
    Invalid(String),
    #[error("invalid configuration: `{key}` {problem}")]
    Key { key: &'static str, problem: String },
}

fn bad(key: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError::Key {
        key,
        problem: problem.into(),
    }
}

/// The file/environment shape. Unknown keys are errors, so a typo never silently falls back to
/// a default.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawConfig {
    /// Address to listen on.
    pub listen: String,
    /// Where the embedded database and the relay's key live.
    pub data_dir: PathBuf,
    /// `postgres://…` selects PostgreSQL; unset selects SQLite in `data_dir`.
    pub database_url: Option<String>,
    /// PostgreSQL streaming replicas of `database_url` that answer clients' queries.
    pub read_database_urls: Vec<String>,
    /// The URL clients use (`wss://relay.example.com`); NIP-42 AUTH must name it.
    pub public_url: Option<String>,
    /// The relay's own secret key (hex or nsec). Unset: generated once into `data_dir/relay.key`.
    pub relay_key: Option<String>,
    /// Founding members (hex or npub). Used at genesis; changed afterwards only by decision.
    pub founders: Vec<String>,
    /// Keys allowed to use the NIP-86 management API. Used at genesis, like founders.
    pub operators: Vec<String>,
    pub info: InfoConfig,
    /// Limits of the genesis policy (NIP-11 names).
    pub limits: Limits,
    /// Any other governed parameter of the genesis policy, by its canonical name
    /// (`[policy.admission] mode = "invite"`).
    pub policy: Value,
    pub server: ServerConfig,
    pub search: SearchConfig,
    pub cluster: ClusterConfig,
}

/// Several nodes on one PostgreSQL database (README "Several nodes").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClusterConfig {
    /// This node's name, unique among the nodes sharing the database. Setting it makes the
    /// relay one node of a cluster; unset, it runs alone and refuses to share its database.
    pub node_id: Option<String>,
}

impl Default for RawConfig {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:7777".into(),
            data_dir: PathBuf::from("data"),
            database_url: None,
            read_database_urls: Vec::new(),
            public_url: None,
            relay_key: None,
            founders: Vec::new(),
            operators: Vec::new(),
            info: InfoConfig::default(),
            limits: Limits::default(),
            policy: Value::Object(Default::default()),
            server: ServerConfig::default(),
            search: SearchConfig::default(),
            cluster: ClusterConfig::default(),
        }
    }
}

/// NIP-50 search: what is indexed, and how PostgreSQL splits words.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SearchConfig {
    /// Kinds whose text search finds (a profile's names and about, other kinds' content).
    pub kinds: Vec<u16>,
    /// PostgreSQL text search configuration. `simple` folds case only, so every language is
    /// searched alike; a language's own (`english`, `german`) also finds other word forms.
    pub language: String,
}

impl Default for SearchConfig {
    fn default() -> Self {
        Self {
            kinds: crate::store::DEFAULT_SEARCH_KINDS.to_vec(),
            language: "simple".into(),
        }
    }
}

/// NIP-11 descriptive fields.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InfoConfig {
    pub name: String,
    pub description: String,
    /// Administrative contact pubkey (hex or npub).
    pub pubkey: Option<String>,
    /// Alternative contact URI (`mailto:…`, `https://…`).
    pub contact: Option<String>,
    pub icon: Option<String>,
    pub banner: Option<String>,
    pub terms_of_service: Option<String>,
}

impl Default for InfoConfig {
    fn default() -> Self {
        Self {
            name: "Communitarium".into(),
            description: "A Nostr relay governed by its community.".into(),
            pubkey: None,
            contact: None,
            icon: None,
            banner: None,
            terms_of_service: None,
        }
    }
}

/// Resource bounds of the server itself (not advertised in NIP-11).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Open WebSocket connections beyond this are refused with HTTP 503.
    pub max_connections: u32,
    /// Live events queued for one connection before it is judged too slow and dropped.
    pub outbound_queue: u32,
    /// EVENTs of one connection processed concurrently; further messages wait.
    pub max_events_in_flight: u32,
    /// Most events the writer commits in one transaction.
    pub write_batch: u32,
    /// Database connections for clients' queries.
    pub db_pool_size: u32,
    /// The most one client query may run, in milliseconds; the database stops it then and
    /// the subscription is closed with `CLOSED "blocked: …"`.
    pub query_timeout_ms: u64,
    /// How far, in milliseconds, a read replica may lag behind the primary and still answer
    /// clients' queries (a client's own writes are always found, however small this is).
    pub replica_max_lag_ms: u64,
    /// Megabytes of stored events kept in memory for clients' reads (0: none). Only the
    /// events' JSON is held, by id, so an entry is never stale; the database still decides
    /// which events match.
    pub event_cache_mb: u64,
    /// Client queries one IP address may have running at once; more wait their turn, so one
    /// client cannot hold every database connection.
    pub queries_per_ip: u32,
    /// Filter values (ids, authors, kinds, tag values) all of one connection's open
    /// subscriptions may hold: what its live subscriptions cost in memory.
    pub max_filter_values_per_connection: u32,
    /// The same, over every connection from one IP address.
    pub max_filter_values_per_ip: u32,
    /// Search filters one connection's open subscriptions may hold: each new event is
    /// matched against every one of them, so they are counted apart from other filters.
    pub max_live_searches_per_connection: u32,
    /// The same, over every connection from one IP address.
    pub max_live_searches_per_ip: u32,
    /// The most events one NIP-77 sync may cover; a filter selecting more gets
    /// `NEG-ERR "blocked: …"` (split it by time). Each costs about 40 bytes while it is open.
    pub max_sync_events: u32,
    /// Syncs one connection may have open at once.
    pub max_syncs_per_connection: u32,
    /// Events all open syncs from one IP address may cover together.
    pub max_sync_events_per_ip: u32,
    /// Seconds between sweeps that delete expired (NIP-40) events.
    pub expiration_sweep_secs: u64,
    /// A connection that sends nothing (not even a pong) for this long is closed.
    pub idle_timeout_secs: u64,
    /// A connection that has not become a WebSocket this long after it was accepted is closed
    /// (plain HTTP requests included: a client makes a new connection for the next one).
    pub handshake_timeout_secs: u64,
    /// Behind a reverse proxy: the header carrying the client's address (`X-Forwarded-For`
    /// or `X-Real-IP`). Unset: the peer address is the client's.
    pub real_ip_header: Option<String>,
    /// Peers whose `real_ip_header` is believed; anyone else could forge it.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Pages of the community's site rendered at once, relay-wide; more wait a moment, then
    /// are told the relay is busy. Each also holds one of its address's query slots.
    pub max_page_renders: u32,
    /// Send direct messages on to members' inbox relays on private or loopback addresses too
    /// (a relay in a test, or on a community's own network); off, only public ones.
    pub notices_to_private_addresses: bool,
    /// Serve Prometheus metrics at `/metrics`: on the relay's own address only to the machine
    /// itself (or to a scraper presenting `metrics_token`), and to anyone who reaches
    /// `metrics_listen` when that is set.
    pub metrics: bool,
    /// A separate `HOST:PORT` serving only `/metrics` (for example `127.0.0.1:9477`, or a
    /// private network's address the scraper reaches). Unset: no separate listener.
    pub metrics_listen: Option<String>,
    /// A secret that lets a scraper elsewhere read `/metrics` on the relay's own address, sent
    /// as `Authorization: Bearer <token>`.
    pub metrics_token: Option<String>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            max_connections: 20_000,
            outbound_queue: 1_000,
            max_events_in_flight: 16,
            write_batch: 500,
            db_pool_size: 8,
            query_timeout_ms: 1_000,
            replica_max_lag_ms: 5_000,
            event_cache_mb: 64,
            queries_per_ip: 2,
            max_filter_values_per_connection: 20_000,
            max_filter_values_per_ip: 100_000,
            max_live_searches_per_connection: 10,
            max_live_searches_per_ip: 40,
            max_sync_events: 250_000,
            max_syncs_per_connection: 4,
            max_sync_events_per_ip: 500_000,
            expiration_sweep_secs: 60,
            idle_timeout_secs: 300,
            handshake_timeout_secs: 10,
            real_ip_header: None,
            trusted_proxies: vec![
                std::net::IpAddr::from([127, 0, 0, 1]),
                std::net::IpAddr::from(std::net::Ipv6Addr::LOCALHOST),
            ],
            max_page_renders: 2,
            notices_to_private_addresses: false,
            metrics: true,
            metrics_listen: None,
            metrics_token: None,
        }
    }
}

/// Settings given on the command line; `None` leaves the file/environment value.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_database_urls: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub founders: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operators: Option<Vec<String>>,
    /// `[policy]` settings from flags (`--admission`, `--read-access`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relay_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<Value>,
}

/// Validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
    /// Streaming replicas for clients' queries (PostgreSQL only).
    pub read_database_urls: Vec<String>,
    /// `None` until the listener is bound; then `ws://<bound address>` unless configured.
    pub public_url: Option<String>,
    pub info: InfoConfig,
    /// Administrative contact pubkey, validated.
    pub admin_pubkey: Option<PubKey>,
    /// The configured relay key, if any (else the key file in `data_dir`).
    pub relay_key: Option<Keys>,
    pub founders: Vec<PubKey>,
    pub operators: Vec<PubKey>,
    /// The policy to sign at genesis. After genesis the decision log governs.
    pub genesis: Policy,
    pub server: ServerConfig,
    pub search: SearchIndex,
    pub cluster: ClusterConfig,
}

impl Config {
    /// What the store needs to know.
    pub fn store_options(&self) -> crate::store::Options {
        crate::store::Options {
            pool_size: self.server.db_pool_size,
            query_timeout: std::time::Duration::from_millis(self.server.query_timeout_ms),
            search: self.search.clone(),
            announce: None,
            replicas: self.read_database_urls.clone(),
            replica_max_lag: std::time::Duration::from_millis(self.server.replica_max_lag_ms),
            event_cache_bytes: self.server.event_cache_mb.saturating_mul(1 << 20),
        }
    }

    /// Layers defaults, `file`, the environment and `overrides`, then validates.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(RawConfig::default()));
        if let Some(path) = file {
            if !path.exists() {
                return Err(ConfigError::MissingFile(path.to_owned()));
            }
            figment = figment.merge(Toml::file_exact(path));
        }
        let raw: RawConfig = figment
            .merge(Env::prefixed(ENV_PREFIX).split("__").ignore(&[
                "config",
                "log",
                "log_format",
                "verify_key",
                "sync_key",
            ]))
            .merge(Serialized::defaults(overrides))
            .extract()
            // Keys as the file writes them, not under the loader's profile name.
            .map_err(|e| ConfigError::Invalid(e.to_string().replace("key \"default.", "key \"")))?;
        Self::validate(raw)
    }

    /// Checks a raw configuration.
    pub fn validate(raw: RawConfig) -> Result<Self, ConfigError> {
        let listen: SocketAddr = raw
            .listen
            .parse()
            .map_err(|_| bad("listen", format!("must be HOST:PORT, got `{}`", raw.listen)))?;
        let database_url = raw.database_url.clone().filter(|u| !u.trim().is_empty());
        if let Some(url) = &database_url {
            let known = ["postgres://", "postgresql://", "sqlite:"];
            if !known.iter().any(|p| url.starts_with(p)) {
                return Err(bad(
                    "database_url",
                    "must start with postgres:// (or sqlite:), or be empty for the embedded store",
                ));
            }
        }
        let public_url = raw.public_url.clone().filter(|u| !u.trim().is_empty());
        if let Some(url) = &public_url
            && !(url.starts_with("ws://") || url.starts_with("wss://"))
        {
            return Err(bad("public_url", "must start with ws:// or wss://"));
        }
        let admin_pubkey = match &raw.info.pubkey {
            Some(k) if !k.trim().is_empty() => Some(
                nips::nip19::parse_pubkey(k)
                    .map_err(|e| bad("info.pubkey", format!("is not a hex or npub key: {e}")))?,
            ),
            _ => None,
        };
        raw.limits
            .validate()
            .map_err(|e| ConfigError::Invalid(format!("limits.{e}")))?;
        let relay_key = match raw.relay_key.as_deref().map(str::trim) {
            Some(k) if !k.is_empty() => Some(
                Keys::parse(k)
                    .map_err(|e| bad("relay_key", format!("is not a secret key: {e}")))?,
            ),
            _ => None,
        };
        let keys = |key: &'static str, list: &[String]| -> Result<Vec<PubKey>, ConfigError> {
            let mut out = list
                .iter()
                .map(|k| {
                    nips::nip19::parse_pubkey(k)
                        .map_err(|_| bad(key, format!("`{k}` is not a hex or npub key")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            out.sort();
            out.dedup();
            Ok(out)
        };
        let founders = keys("founders", &raw.founders)?;
        let operators = keys("operators", &raw.operators)?;
        let genesis = genesis_policy(&raw, &founders, &operators)?;
        let s = &raw.server;
        let positive = [
            ("server.max_connections", u64::from(s.max_connections)),
            ("server.outbound_queue", u64::from(s.outbound_queue)),
            (
                "server.max_events_in_flight",
                u64::from(s.max_events_in_flight),
            ),
            ("server.write_batch", u64::from(s.write_batch)),
            ("server.db_pool_size", u64::from(s.db_pool_size)),
            ("server.query_timeout_ms", s.query_timeout_ms),
            ("server.replica_max_lag_ms", s.replica_max_lag_ms),
            ("server.queries_per_ip", u64::from(s.queries_per_ip)),
            (
                "server.max_filter_values_per_connection",
                u64::from(s.max_filter_values_per_connection),
            ),
            (
                "server.max_filter_values_per_ip",
                u64::from(s.max_filter_values_per_ip),
            ),
            ("server.max_sync_events", u64::from(s.max_sync_events)),
            (
                "server.max_syncs_per_connection",
                u64::from(s.max_syncs_per_connection),
            ),
            (
                "server.max_sync_events_per_ip",
                u64::from(s.max_sync_events_per_ip),
            ),
            ("server.expiration_sweep_secs", s.expiration_sweep_secs),
            ("server.idle_timeout_secs", s.idle_timeout_secs),
            ("server.handshake_timeout_secs", s.handshake_timeout_secs),
            ("server.max_page_renders", u64::from(s.max_page_renders)),
        ];
        if let Some((key, _)) = positive.iter().find(|(_, v)| *v == 0) {
            return Err(bad(key, "must be greater than 0"));
        }
        if let Some(at) = &s.metrics_listen
            && at.parse::<SocketAddr>().is_err()
        {
            return Err(bad(
                "server.metrics_listen",
                format!("must be HOST:PORT, got `{at}`"),
            ));
        }
        if s.metrics_token.as_ref().is_some_and(|t| t.len() < 16) {
            return Err(bad(
                "server.metrics_token",
                "must be at least 16 characters: it is a password",
            ));
        }
        if let Some(h) = &s.real_ip_header {
            let known = ["x-forwarded-for", "x-real-ip"];
            if !known.contains(&h.to_ascii_lowercase().as_str()) {
                return Err(bad(
                    "server.real_ip_header",
                    "must be X-Forwarded-For or X-Real-IP",
                ));
            }
        }
        let language = raw.search.language.trim();
        if language.is_empty()
            || !language
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
        {
            return Err(bad(
                "search.language",
                "must name a text search configuration, like `simple` or `english`",
            ));
        }
        let search = SearchIndex::new(raw.search.kinds.clone(), language.to_owned());
        let cluster = validate_cluster(&raw.cluster, database_url.as_deref())?;
        let read_database_urls =
            validate_replicas(&raw.read_database_urls, database_url.as_deref())?;
        Ok(Self {
            listen,
            data_dir: raw.data_dir,
            database_url,
            read_database_urls,
            public_url,
            info: raw.info,
            admin_pubkey,
            relay_key,
            founders,
            operators,
            genesis,
            server: raw.server,
            search,
            cluster,
        })
    }
}

/// Replicas are PostgreSQL servers, of a PostgreSQL primary.
fn validate_replicas(
    urls: &[String],
    database_url: Option<&str>,
) -> Result<Vec<String>, ConfigError> {
    let urls: Vec<String> = urls
        .iter()
        .map(|u| u.trim().to_owned())
        .filter(|u| !u.is_empty())
        .collect();
    let postgres = |u: &str| u.starts_with("postgres://") || u.starts_with("postgresql://");
    if urls.is_empty() {
        return Ok(urls);
    }
    if !database_url.is_some_and(postgres) {
        return Err(bad(
            "read_database_urls",
            "need database_url = postgres://…: read replicas are PostgreSQL standbys of it",
        ));
    }
    // By position, not by text: a URL may carry a password.
    if let Some(i) = urls.iter().position(|u| !postgres(u)) {
        return Err(bad(
            "read_database_urls",
            format!("entry {i} must start with postgres://"),
        ));
    }
    Ok(urls)
}

/// A node id is a short name, and nodes need PostgreSQL.
fn validate_cluster(
    c: &ClusterConfig,
    database_url: Option<&str>,
) -> Result<ClusterConfig, ConfigError> {
    let postgres = database_url.is_some_and(|u| u.starts_with("postgres"));
    let node_id = c
        .node_id
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    if let Some(id) = node_id {
        let fits = id.len() <= 64
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
        if !fits {
            return Err(bad(
                "cluster.node_id",
                "must be at most 64 letters, digits, `-`, `_` or `.`",
            ));
        }
        if !postgres {
            return Err(bad(
                "cluster.node_id",
                "needs database_url = postgres://…: the embedded SQLite store serves one node \
                 only; several nodes share one PostgreSQL database",
            ));
        }
    }
    Ok(ClusterConfig {
        node_id: node_id.map(str::to_owned),
    })
}

/// The genesis policy: defaults, then `[policy]`, `[limits]` and `[info]`, founders and
/// operators. Every `[policy]` key must be a governed parameter.
fn genesis_policy(
    raw: &RawConfig,
    founders: &[PubKey],
    operators: &[PubKey],
) -> Result<Policy, ConfigError> {
    let mut doc = PolicyDoc::from_policy(&Policy::default());
    let mut leaves = Vec::new();
    collect_leaves(&raw.policy, String::new(), &mut leaves);
    for (path, value) in leaves {
        if path.starts_with("limitation.") {
            return Err(ConfigError::Invalid(format!(
                "`policy.{path}`: set limits in the [limits] section"
            )));
        }
        let Some(spec) = governance::params::spec(&path) else {
            return Err(ConfigError::Invalid(format!(
                "`policy.{path}` is not a governed parameter"
            )));
        };
        // Checked as a proposal's value would be, so the error names the key.
        let written = as_written(&value);
        if let Err(why) = governance::params::parse_value(&spec, &written) {
            return Err(ConfigError::Invalid(format!(
                "`policy.{path}`: {why}; the file says `{written}`"
            )));
        }
        doc.set(&path, Some(value));
    }
    let limits =
        serde_json::to_value(&raw.limits).map_err(|e| ConfigError::Invalid(e.to_string()))?;
    doc.set("limitation", Some(limits));
    doc.set("info.name", Some(Value::from(raw.info.name.clone())));
    doc.set(
        "info.description",
        Some(Value::from(raw.info.description.clone())),
    );
    doc.set(
        "info.icon",
        Some(Value::from(raw.info.icon.clone().unwrap_or_default())),
    );
    let hex = |keys: &[PubKey]| Value::from(keys.iter().map(PubKey::to_hex).collect::<Vec<_>>());
    doc.set("founders.keys", Some(hex(founders)));
    doc.set("operators.keys", Some(hex(operators)));
    doc.set("version", Some(Value::from(1)));
    doc.policy()
        .map_err(|e| ConfigError::Invalid(format!("policy: {e}")))
}

/// A configured value as a proposal's `change` tag would write it.
fn as_written(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(as_written).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

/// `(dotted path, value)` of every non-object value under `value`.
fn collect_leaves(value: &Value, prefix: String, out: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                collect_leaves(v, path, out);
            }
        }
        other if !prefix.is_empty() => out.push((prefix, other.clone())),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_toml(toml: &str) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, toml).unwrap();
        Config::load(Some(&path), &Overrides::default())
    }

    #[test]
    fn defaults_serve_sqlite_on_localhost() {
        let c = Config::validate(RawConfig::default()).unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:7777");
        assert!(c.database_url.is_none());
        assert_eq!(c.data_dir, PathBuf::from("data"));
    }

    #[test]
    fn file_values_apply_and_flags_win() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(
            &path,
            "listen = \"0.0.0.0:1\"\n[limits]\nmax_limit = 10\ndefault_limit = 5\n",
        )
        .unwrap();
        let over = Overrides {
            listen: Some("127.0.0.1:2".into()),
            ..Overrides::default()
        };
        let c = Config::load(Some(&path), &over).unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:2");
        assert_eq!(c.genesis.limitation.max_limit, 10);
    }

    /// The README's "slower community" genesis, minus its placeholder founders.
    #[test]
    fn community_norms_are_set_at_genesis() {
        let c = load_toml(
            "[policy.admission]\nmode = \"invite\"\n\
             [policy.visibility]\nreactions = \"private\"\nfollowers = \"private\"\n\
             [policy.rate.min_interval.notes]\nmembers = 900\nothers = 3600\n\
             [policy.classes.ordinary]\ndeliberation = 172800\nwindow = 432000\n\
             [policy.classes.constitutional]\ndeliberation = 604800\n",
        )
        .unwrap();
        let p = &c.genesis;
        use governance::visibility::Scope;
        assert_eq!(p.visibility.reactions, Scope::Private);
        assert_eq!(p.visibility.followers, Scope::Private);
        assert_eq!(p.rate.min_interval.notes.members, 900);
        assert_eq!(p.classes.ordinary.deliberation, 172_800);
        assert_eq!(p.classes.constitutional.deliberation, 604_800);
        assert_eq!(p.classes.moderation.deliberation, 0, "defaults elsewhere");
        assert!(load_toml("[policy.visibility]\nreactions = \"secret\"\n").is_err());
    }

    #[test]
    fn genesis_policy_from_file_and_flags() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        let founder = nips::Keys::generate().pubkey();
        std::fs::write(
            &path,
            format!(
                "founders = [\"{}\"]\n[limits]\nmax_limit = 100\ndefault_limit = 10\n[policy.classes.ordinary]\nwindow = 60\n[policy.admission]\nread = \"members\"\n",
                nips::nip19::encode_npub(&founder)
            ),
        )
        .unwrap();
        let over = Overrides {
            policy: Some(serde_json::json!({"admission": {"mode": "vouch"}})),
            ..Overrides::default()
        };
        let c = Config::load(Some(&path), &over).unwrap();
        assert_eq!(c.founders, vec![founder]);
        let p = &c.genesis;
        assert_eq!(p.version, 1);
        assert_eq!(p.founders.keys, vec![founder]);
        assert_eq!(p.limitation.max_limit, 100);
        assert_eq!(p.classes.ordinary.window, 60);
        assert_eq!(p.admission.mode, governance::AdmissionMode::Vouch);
        assert_eq!(p.admission.read, governance::ReadAccess::Members);
    }

    #[test]
    fn errors_name_the_bad_key() {
        let e = load_toml("listen = \"nowhere\"").unwrap_err().to_string();
        assert!(e.contains("`listen`"), "{e}");
        let e = load_toml("[limits]\nmax_limit = \"lots\"")
            .unwrap_err()
            .to_string();
        assert!(e.contains("max_limit"), "{e}");
        let e = load_toml("[limits]\nmax_limt = 3").unwrap_err().to_string();
        assert!(e.contains("max_limt"), "{e}");
        let e = load_toml("[server]\nwrite_batch = 0")
            .unwrap_err()
            .to_string();
        assert!(e.contains("server.write_batch"), "{e}");
        let e = load_toml("database_url = \"mysql://x\"")
            .unwrap_err()
            .to_string();
        assert!(e.contains("database_url"), "{e}");
        let e = load_toml("[limits]\ndefault_limit = 9000")
            .unwrap_err()
            .to_string();
        assert!(e.contains("limits.default_limit"), "{e}");
        let e = load_toml("[info]\npubkey = \"npub1bad\"")
            .unwrap_err()
            .to_string();
        assert!(e.contains("info.pubkey"), "{e}");
        let e = load_toml("[policy.admission]\nmode = \"invites\"")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("`policy.admission.mode`") && e.contains("`invites`") && e.contains("vouch"),
            "{e}"
        );
        let e = load_toml("foundrs = []").unwrap_err().to_string();
        assert!(
            e.contains("key \"foundrs\"") && !e.contains("default."),
            "as written: {e}"
        );
        let missing = Config::load(Some(Path::new("/nonexistent.toml")), &Overrides::default());
        assert!(matches!(missing, Err(ConfigError::MissingFile(_))));
    }

    #[test]
    fn read_replicas_need_a_postgres_primary_and_hide_their_urls() {
        let e = load_toml("read_database_urls = [\"postgres://r\"]")
            .unwrap_err()
            .to_string();
        assert!(e.contains("need database_url = postgres"), "{e}");
        let e = load_toml(
            "database_url = \"postgres://p/db\"\nread_database_urls = [\"postgres://r\", \"mysql://u:secret@r\"]",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("entry 1") && !e.contains("secret"), "{e}");
        let c = load_toml(
            "database_url = \"postgres://p/db\"\nread_database_urls = [\"postgres://r1\", \" \"]\n[server]\nreplica_max_lag_ms = 250",
        )
        .unwrap();
        let o = c.store_options();
        assert_eq!(o.replicas, ["postgres://r1"]);
        assert_eq!(o.replica_max_lag, std::time::Duration::from_millis(250));
    }
}
