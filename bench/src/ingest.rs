//! `ingest`: events/s accepted with a durable `OK true`, and OK latency, at N connections.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use clap::Args;
use serde_json::json;

use crate::client::Conn;
use crate::corpus::Corpus;
use crate::sign::{progress, serialize, sign_many};
use crate::stats::{Latency, Report};

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Relay URL; repeat it for several nodes of a cluster (connections are spread over them)
    #[arg(long, default_value = "ws://127.0.0.1:7777")]
    pub url: Vec<String>,
    /// Concurrent connections, each publishing and waiting for its OK
    #[arg(long, default_value_t = 50)]
    pub connections: usize,
    /// Events to publish (signed before the measured phase)
    #[arg(long, default_value_t = 100_000)]
    pub events: u64,
    /// Distinct authors
    #[arg(long, default_value_t = 10_000)]
    pub authors: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

pub async fn run(a: IngestArgs, quiet: bool) -> anyhow::Result<Report> {
    let corpus = Arc::new(Corpus::new(a.seed, a.authors));
    let events = serialize(sign_many(
        &corpus,
        a.events,
        a.seed + 1000,
        |_| crate::sign::now(),
        quiet,
    ));
    let per = events.len().div_ceil(a.connections.max(1));
    let mut conns = Vec::new();
    for i in 0..a.connections {
        conns.push(Conn::connect(&a.url[i % a.url.len().max(1)], None).await?);
    }
    let sent = Arc::new(AtomicU64::new(0));
    let bar = progress(a.events, "ingest", quiet);
    let start = Instant::now();
    let mut tasks = Vec::new();
    let mut chunks = events.chunks(per.max(1)).map(|c| {
        c.iter()
            .map(|s| (s.id.clone(), s.json.clone()))
            .collect::<Vec<_>>()
    });
    for mut conn in conns {
        let chunk = chunks.next().unwrap_or_default();
        let sent = sent.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Latency::default();
            let (mut ok, mut refused) = (0u64, 0u64);
            for (id, json) in chunk {
                let (accepted, took) = conn.publish(&json, &id).await?;
                lat.record(took);
                if accepted {
                    ok += 1
                } else {
                    refused += 1
                }
                sent.fetch_add(1, Ordering::Relaxed);
            }
            anyhow::Ok((lat, ok, refused))
        }));
    }
    let ticker = {
        let sent = sent.clone();
        let bar = bar.clone();
        tokio::spawn(async move {
            loop {
                bar.set_position(sent.load(Ordering::Relaxed));
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
        })
    };
    let mut lat = Latency::default();
    let (mut ok, mut refused) = (0, 0);
    for t in tasks {
        let (l, o, r) = t.await??;
        lat.merge(&l);
        ok += o;
        refused += r;
    }
    let secs = start.elapsed().as_secs_f64();
    ticker.abort();
    bar.finish_and_clear();
    Ok(Report {
        scenario: "ingest",
        params: json!({"url": a.url, "connections": a.connections, "events": a.events, "authors": a.authors}),
        results: json!({
            "accepted": ok,
            "refused": refused,
            "seconds": secs,
            "events_per_sec": ok as f64 / secs,
            "ok_latency": lat.summary(),
        }),
    })
}
