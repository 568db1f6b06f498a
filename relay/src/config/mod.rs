//! Configuration in two stages: a raw serde struct with defaults, layered from a TOML file,
//! `COMMUNITARIUM_*` environment variables and command-line flags (later wins), then validated
//! into a typed [`Config`]. Every error names the offending key.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use governance::Policy;
use nips::{Keys, PubKey};

use crate::store::SearchIndex;

mod checks;
mod raw;
#[cfg(test)]
mod tests;

pub use raw::{
    ClusterConfig, InfoConfig, Overrides, RawConfig, SearchConfig, ServerConfig, WebConfig,
};

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
    pub web: WebConfig,
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

    /// Checks a raw configuration: each part by the rules of its own (`checks.rs`).
    pub fn validate(raw: RawConfig) -> Result<Self, ConfigError> {
        let (listen, database_url, public_url) = checks::addresses(&raw)?;
        raw.limits
            .validate()
            .map_err(|e| ConfigError::Invalid(format!("limits.{e}")))?;
        let (admin_pubkey, relay_key) = checks::own_keys(&raw)?;
        let founders = checks::keys("founders", &raw.founders)?;
        let operators = checks::keys("operators", &raw.operators)?;
        let genesis = checks::genesis_policy(&raw, &founders, &operators)?;
        checks::server(&raw.server)?;
        let search = checks::search(&raw.search)?;
        let cluster = checks::cluster(&raw.cluster, database_url.as_deref())?;
        let read_database_urls =
            checks::replicas(&raw.read_database_urls, database_url.as_deref())?;
        checks::web(&raw.web)?;
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
            web: raw.web,
        })
    }
}
