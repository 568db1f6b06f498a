//! `flood`: well-behaved clients publish and query while one flooding client sends as fast as
//! it can. Reports the well-behaved latencies without and with the flood, and what the flood
//! got through. Each client presents its own address in `X-Forwarded-For`, so run the relay
//! with `server.real_ip_header = "X-Forwarded-For"` (see `bench/relay-flood.toml`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::Args;
use nips::Keys;
use serde_json::json;

use crate::client::Conn;
use crate::stats::{Latency, Report};

#[derive(Debug, Args)]
pub struct FloodArgs {
    #[arg(long, default_value = "ws://127.0.0.1:7777")]
    pub url: String,
    /// Well-behaved clients
    #[arg(long, default_value_t = 20)]
    pub clients: usize,
    /// Seconds of each phase
    #[arg(long, default_value_t = 15)]
    pub duration: u64,
}

/// Well-behaved clients for `seconds`, paced like people within the default limits: each reads
/// the latest notes every 300 ms and, every third read, publishes a note or a reaction to its
/// last note.
async fn behave(
    url: &str,
    clients: usize,
    seconds: u64,
    phase: u8,
) -> anyhow::Result<(Latency, Latency)> {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for i in 0..clients {
        let url = url.to_string();
        tasks.push(tokio::spawn(async move {
            let keys = Keys::generate();
            let mut c = Conn::connect(&url, Some(&format!("10.1.{phase}.{i}"))).await?;
            let (mut ok, mut eose) = (Latency::default(), Latency::default());
            let mut n = 0u64;
            let mut last_note = None;
            while Instant::now() < deadline {
                if n.is_multiple_of(3) {
                    let e = match last_note.take() {
                        Some(id) if n.is_multiple_of(2) => keys.sign(
                            crate::sign::now(),
                            7,
                            vec![vec!["e".into(), id]],
                            "+".into(),
                        ),
                        _ => keys.sign(crate::sign::now(), 1, vec![], format!("hello {n}")),
                    };
                    let (accepted, took) = c.publish(&e.to_json(), &e.id.to_hex()).await?;
                    anyhow::ensure!(accepted, "a well-behaved client was refused");
                    ok.record(took);
                    if e.kind == 1 {
                        last_note = Some(e.id.to_hex());
                    }
                }
                let (_, took) = c.query(&json!({"kinds": [1], "limit": 20})).await?;
                eose.record(took);
                n += 1;
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
            anyhow::Ok((ok, eose))
        }));
    }
    let (mut ok, mut eose) = (Latency::default(), Latency::default());
    for t in tasks {
        let (o, e) = t.await??;
        ok.merge(&o);
        eose.merge(&e);
    }
    Ok((ok, eose))
}

#[derive(Default)]
struct FloodCount {
    sent: AtomicU64,
    accepted: AtomicU64,
    refused_connections: AtomicU64,
}

/// One client sending reactions to one note and notes as fast as it can, reconnecting when
/// dropped, until `stop`.
async fn flood(url: String, stop: Arc<AtomicBool>, count: Arc<FloodCount>) {
    let keys = Keys::generate();
    let target = "ab".repeat(32);
    let mut n = 0u64;
    while !stop.load(Ordering::Relaxed) {
        let Ok(c) = Conn::connect(&url, Some("10.9.9.9")).await else {
            count.refused_connections.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        };
        let (mut tx, mut rx) = c.split();
        let reader = {
            let count = count.clone();
            tokio::spawn(async move {
                while let Ok(text) = rx.next_text().await {
                    if text.starts_with("[\"OK\",") && text.contains("\",true,") {
                        count.accepted.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        };
        while !stop.load(Ordering::Relaxed) && !reader.is_finished() {
            let e = if n.is_multiple_of(2) {
                keys.sign(
                    crate::sign::now(),
                    7,
                    vec![vec!["e".into(), target.clone()]],
                    "+".into(),
                )
            } else {
                keys.sign(crate::sign::now(), 1, vec![], format!("spam {n}"))
            };
            n += 1;
            if tx
                .send(format!("[\"EVENT\",{}]", e.to_json()))
                .await
                .is_err()
            {
                break;
            }
            count.sent.fetch_add(1, Ordering::Relaxed);
        }
        reader.abort();
    }
}

pub async fn run(a: FloodArgs, quiet: bool) -> anyhow::Result<Report> {
    if !quiet {
        eprintln!("flood: {} s without the flood", a.duration);
    }
    let (ok0, eose0) = behave(&a.url, a.clients, a.duration, 0).await?;
    if !quiet {
        eprintln!("flood: {} s with the flood", a.duration);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let count = Arc::new(FloodCount::default());
    let flooder = tokio::spawn(flood(a.url.clone(), stop.clone(), count.clone()));
    let start = Instant::now();
    let (ok1, eose1) = behave(&a.url, a.clients, a.duration, 1).await?;
    let secs = start.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    let _ = tokio::time::timeout(Duration::from_secs(5), flooder).await;
    let (s0, s1) = (ok0.summary(), ok1.summary());
    let (q0, q1) = (eose0.summary(), eose1.summary());
    let sent = count.sent.load(Ordering::Relaxed);
    let accepted = count.accepted.load(Ordering::Relaxed);
    Ok(Report {
        scenario: "flood",
        params: json!({"url": a.url, "clients": a.clients, "seconds_per_phase": a.duration}),
        results: json!({
            "without_flood": {"ok": s0, "eose": q0},
            "with_flood": {"ok": s1, "eose": q1},
            "p99_ratio": {"ok": s1.p99_ms / s0.p99_ms.max(0.001), "eose": q1.p99_ms / q0.p99_ms.max(0.001)},
            "flood": {
                "sent": sent,
                "accepted": accepted,
                "accepted_per_sec": accepted as f64 / secs,
                "refused_connections": count.refused_connections.load(Ordering::Relaxed),
            },
        }),
    })
}
