//! What the relay tells its operator: logs (human or JSON lines) and Prometheus metrics at
//! `GET /metrics`. Every metric the relay records is listed here, so the Grafana dashboard
//! (`ops/grafana-dashboard.json`) and the README can rely on them:
//!
//! | metric | type | labels |
//! |---|---|---|
//! | `communitarium_connections` | gauge | |
//! | `communitarium_messages_total` | counter | `verb`: EVENT, REQ, COUNT, CLOSE, AUTH, invalid, binary, ping |
//! | `communitarium_events_accepted_total` | counter | |
//! | `communitarium_events_refused_total` | counter | `reason`: the refusal's prefix |
//! | `communitarium_rate_limited_total` | counter | `limit` |
//! | `communitarium_write_batch_events` | histogram | `lane`: events, governance (events committed per transaction) |
//! | `communitarium_write_commit_seconds` | histogram | `store`, `lane` |
//! | `communitarium_query_seconds` | histogram | `store` (clients' queries) |
//! | `communitarium_event_cache_total` | counter | `outcome`: hit, miss (events of clients' reads) |
//! | `communitarium_query_waits_total` | counter | queries that waited for their address's share |
//! | `communitarium_live_deliveries_total` | counter | events delivered to live subscriptions |
//! | `communitarium_slow_consumers_dropped_total` | counter | connections dropped for not reading |
//! | `communitarium_db_up` | gauge | 1 while the database answers |
//! | `communitarium_db_errors_total` | counter | `kind`: connection, timeout, storage, other |
//! | `communitarium_db_outages_total`, `communitarium_db_reconnects_total` | counter | |
//! | `communitarium_decisions_total` | counter | `result` |
//! | `communitarium_ip_backoffs_total`, `communitarium_rate_limit_keys` | counter, gauge | |
//! | `communitarium_members`, `communitarium_open_proposals` | gauge | the community's size and open proposals |
//!
//! Each family has a `# HELP` line, and the counters a dashboard sums are present at zero from
//! the start ([`crate::meters`]).

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::EnvFilter;

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// For people reading a terminal.
    #[default]
    Human,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Logs to stderr in `format`, at the level `RUST_LOG` sets (default `info`).
pub fn init_logging(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Human => builder.init(),
        LogFormat::Json => builder.json().flatten_event(true).init(),
    }
}

/// Seconds buckets for latencies: from half a millisecond to the query budget and beyond.
const SECONDS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// Buckets for the writer's batch sizes.
const BATCH: &[f64] = &[1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0];

/// How often recorded histogram samples are folded into their buckets.
const UPKEEP: std::time::Duration = std::time::Duration::from_secs(5);

/// Installs the Prometheus recorder, with histogram buckets (so latencies can be aggregated
/// across instances and over time, which summaries cannot), and a task that folds recorded
/// samples into the buckets every few seconds. The recorder keeps every sample until then,
/// so without it a relay nobody scrapes grows by each event's timings. Must be called from
/// within the runtime.
pub fn install_metrics() -> Result<PrometheusHandle, String> {
    let handle = PrometheusBuilder::new()
        .set_buckets(SECONDS)
        .and_then(|b| {
            b.set_buckets_for_metric(
                Matcher::Full("communitarium_write_batch_events".into()),
                BATCH,
            )
        })
        .map_err(|e| e.to_string())?
        .install_recorder()
        .map_err(|e| e.to_string())?;
    let upkeep = handle.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(UPKEEP);
        loop {
            every.tick().await;
            upkeep.run_upkeep();
        }
    });
    Ok(handle)
}
