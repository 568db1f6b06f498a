//! The configuration's raw form: what a TOML file, `COMMUNITARIUM_*` variables and flags may
//! say, with the defaults a relay started with no configuration runs on.

use std::path::PathBuf;

use nips::Limits;
use serde::{Deserialize, Serialize};
use serde_json::Value;

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
    pub web: WebConfig,
}

/// What the relay serves over HTTP besides the community's page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebConfig {
    /// A directory holding a static community client (Flotilla built for this relay), served
    /// as the community's chat app from `/app` (README "Chat").
    pub client_dir: Option<PathBuf>,
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
            web: WebConfig::default(),
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
