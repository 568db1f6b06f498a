//! `connections`: the relay's resident memory with K idle connections open.

use std::time::Duration;

use clap::Args;
use serde_json::json;

use crate::client::Conn;
use crate::stats::Report;

#[derive(Debug, Args)]
pub struct ConnectionsArgs {
    #[arg(long, default_value = "ws://127.0.0.1:7777")]
    pub url: String,
    /// Idle connections to open
    #[arg(long, default_value_t = 10_000)]
    pub count: usize,
    /// The relay's process id (default: the only process named `communitarium`)
    #[arg(long)]
    pub pid: Option<u32>,
}

/// Resident set size of `pid`, in MiB.
pub fn rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

/// The pid of the only running process named `communitarium`.
pub fn find_relay() -> Option<u32> {
    let mut found = std::fs::read_dir("/proc").ok()?.filter_map(|e| {
        let e = e.ok()?;
        let pid: u32 = e.file_name().to_str()?.parse().ok()?;
        let comm = std::fs::read_to_string(e.path().join("comm")).ok()?;
        (comm.trim() == "communitarium").then_some(pid)
    });
    let pid = found.next()?;
    found.next().is_none().then_some(pid)
}

pub async fn run(a: ConnectionsArgs, quiet: bool) -> anyhow::Result<Report> {
    let pid = a
        .pid
        .or_else(find_relay)
        .ok_or_else(|| anyhow::anyhow!("pass --pid: no single `communitarium` process found"))?;
    let before = rss_mib(pid);
    let mut conns = Vec::with_capacity(a.count);
    for i in 0..a.count {
        conns.push(Conn::connect(&a.url, None).await?);
        if !quiet && (i + 1) % 1_000 == 0 {
            eprintln!("connections: {} open", i + 1);
        }
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let after = rss_mib(pid);
    drop(conns);
    let per_conn = match (before, after) {
        (Some(b), Some(a2)) => Some((a2 - b) * 1024.0 / a.count.max(1) as f64),
        _ => None,
    };
    Ok(Report {
        scenario: "connections",
        params: json!({"url": a.url, "count": a.count, "pid": pid}),
        results: json!({"rss_mib_before": before, "rss_mib_after": after, "kib_per_connection": per_conn}),
    })
}
