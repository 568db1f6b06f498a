//! The rules each part of a raw configuration must meet. Every error names the key.

use std::net::SocketAddr;

use governance::{Policy, PolicyDoc};
use nips::{Keys, PubKey};
use serde_json::Value;

use super::raw::{ClusterConfig, RawConfig, SearchConfig, ServerConfig};
use super::{ConfigError, bad};
use crate::store::SearchIndex;

/// The listening address, the database URL and the public URL.
pub(super) fn addresses(
    raw: &RawConfig,
) -> Result<(SocketAddr, Option<String>, Option<String>), ConfigError> {
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
    Ok((listen, database_url, public_url))
}

/// The administrative contact's public key and the relay's own secret key, when configured.
pub(super) fn own_keys(raw: &RawConfig) -> Result<(Option<PubKey>, Option<Keys>), ConfigError> {
    let admin_pubkey = match &raw.info.pubkey {
        Some(k) if !k.trim().is_empty() => Some(
            nips::nip19::parse_pubkey(k)
                .map_err(|e| bad("info.pubkey", format!("is not a hex or npub key: {e}")))?,
        ),
        _ => None,
    };
    let relay_key = match raw.relay_key.as_deref().map(str::trim) {
        Some(k) if !k.is_empty() => Some(
            Keys::parse(k).map_err(|e| bad("relay_key", format!("is not a secret key: {e}")))?,
        ),
        _ => None,
    };
    Ok((admin_pubkey, relay_key))
}

/// A list of public keys (hex or npub), sorted and without repeats.
pub(super) fn keys(key: &'static str, list: &[String]) -> Result<Vec<PubKey>, ConfigError> {
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
}

/// Sizes and counts that must be positive, addresses that must parse, and the headers a
/// proxy may name.
pub(super) fn server(s: &ServerConfig) -> Result<(), ConfigError> {
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
    Ok(())
}

/// The search index's text configuration.
pub(super) fn search(search: &SearchConfig) -> Result<SearchIndex, ConfigError> {
    let language = search.language.trim();
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
    Ok(SearchIndex::new(search.kinds.clone(), language.to_owned()))
}

/// Replicas are PostgreSQL servers, of a PostgreSQL primary.
pub(super) fn replicas(
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
pub(super) fn cluster(
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
pub(super) fn genesis_policy(
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

/// `web.client_dir`, when set, must hold a built client: its `index.html` is the app.
pub(super) fn web(web: &super::WebConfig) -> Result<(), ConfigError> {
    let Some(dir) = &web.client_dir else {
        return Ok(());
    };
    if !dir.join("index.html").is_file() {
        return Err(bad(
            "web.client_dir",
            format!(
                "is {}, which has no index.html: build the chat app into it first (README \"Chat\")",
                dir.display()
            ),
        ));
    }
    Ok(())
}
