//! What `/metrics` says of each family: a `# HELP` line for every metric the relay records
//! (the catalogue is in [`crate::telemetry`]), and the counters a dashboard sums present at
//! zero from the start, so a healthy relay's dashboard shows zeros, not "No data".

use metrics::{describe_counter, describe_gauge, describe_histogram};

/// Counters: name and what they count.
const COUNTERS: &[(&str, &str)] = &[
    (
        "communitarium_messages_total",
        "Client messages received, by verb.",
    ),
    (
        "communitarium_events_accepted_total",
        "Events accepted (OK true) and stored or delivered.",
    ),
    (
        "communitarium_events_refused_total",
        "Events refused (OK false), by the refusal's prefix.",
    ),
    (
        "communitarium_rate_limited_total",
        "Messages held back by a rate limit, by limit.",
    ),
    (
        "communitarium_event_cache_total",
        "Events of clients' reads found in the cache or not.",
    ),
    (
        "communitarium_query_waits_total",
        "Queries that waited for their address's share of the database.",
    ),
    (
        "communitarium_live_deliveries_total",
        "Events delivered to live subscriptions.",
    ),
    (
        "communitarium_slow_consumers_dropped_total",
        "Connections dropped for not reading what they asked for.",
    ),
    ("communitarium_db_errors_total", "Database errors, by kind."),
    (
        "communitarium_db_outages_total",
        "Times the database stopped answering.",
    ),
    (
        "communitarium_db_reconnects_total",
        "Times the database answered again after an outage.",
    ),
    (
        "communitarium_decisions_total",
        "Decisions the relay signed, by result.",
    ),
    (
        "communitarium_ip_backoffs_total",
        "Addresses made to wait before reconnecting.",
    ),
    (
        "communitarium_client_reads_total",
        "Clients' reads, by the database that served them.",
    ),
    (
        "communitarium_fanout_queue_full_total",
        "Live deliveries dropped because a subscriber's queue was full.",
    ),
    (
        "communitarium_notices_dropped_total",
        "Notices to members dropped because too many were waiting.",
    ),
    (
        "communitarium_direct_notices_total",
        "Private messages the relay sent its members.",
    ),
    (
        "communitarium_inbox_deliveries_total",
        "Private messages sent on to members' inbox relays, by outcome.",
    ),
    (
        "communitarium_sync_bytes_total",
        "Bytes of negentropy sync, by direction.",
    ),
    (
        "communitarium_cluster_announcements_total",
        "Announcements between the nodes of a cluster.",
    ),
    (
        "communitarium_cluster_forged_total",
        "Cluster announcements refused as forged.",
    ),
    (
        "communitarium_cluster_listener_reconnects_total",
        "Times a node's cluster listener reconnected.",
    ),
];

const GAUGES: &[(&str, &str)] = &[
    ("communitarium_connections", "Open client connections."),
    (
        "communitarium_db_up",
        "1 while the database answers, 0 while it does not.",
    ),
    (
        "communitarium_rate_limit_keys",
        "Keys the rate limiters remember.",
    ),
    (
        "communitarium_replica_lag_seconds",
        "How far each read replica is behind.",
    ),
    (
        "communitarium_cluster_nodes",
        "Nodes of the cluster this node sees.",
    ),
    (
        "communitarium_cluster_leader",
        "1 while this node leads the cluster.",
    ),
    ("communitarium_members", "Members of the community."),
    (
        "communitarium_open_proposals",
        "Proposals open for discussion or a vote.",
    ),
];

const HISTOGRAMS: &[(&str, &str)] = &[
    (
        "communitarium_write_batch_events",
        "Events committed per transaction, by lane.",
    ),
    (
        "communitarium_write_commit_seconds",
        "Time to commit a write batch, by store and lane.",
    ),
    (
        "communitarium_query_seconds",
        "Time of clients' queries, by store.",
    ),
    (
        "communitarium_cluster_reload_seconds",
        "Time for a node to reload the community's state.",
    ),
];

/// Refusal prefixes (NIP-01), each a series from the start.
const REFUSALS: &[&str] = &[
    "invalid",
    "blocked",
    "rate-limited",
    "restricted",
    "pow",
    "auth-required",
    "error",
];

/// Describes every family and sets the counters a dashboard sums at zero.
pub fn describe() {
    for (name, help) in COUNTERS {
        describe_counter!(*name, *help);
    }
    for (name, help) in GAUGES {
        describe_gauge!(*name, *help);
    }
    for (name, help) in HISTOGRAMS {
        describe_histogram!(*name, *help);
    }
    for name in [
        "communitarium_events_accepted_total",
        "communitarium_live_deliveries_total",
        "communitarium_query_waits_total",
        "communitarium_slow_consumers_dropped_total",
        "communitarium_db_outages_total",
        "communitarium_db_reconnects_total",
        "communitarium_ip_backoffs_total",
    ] {
        metrics::counter!(name).increment(0);
    }
    for reason in REFUSALS {
        metrics::counter!("communitarium_events_refused_total", "reason" => *reason).increment(0);
    }
    for result in ["passed", "failed", "no-quorum"] {
        metrics::counter!("communitarium_decisions_total", "result" => result).increment(0);
    }
}

/// The community's size and its open proposals, for dashboards.
pub fn community(members: usize, open_proposals: usize) {
    metrics::gauge!("communitarium_members").set(members as f64);
    metrics::gauge!("communitarium_open_proposals").set(open_proposals as f64);
}
