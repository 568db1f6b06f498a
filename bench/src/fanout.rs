//! `fanout`: time from one publish until each of M live subscribers has the event.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::Args;
use nips::Keys;
use serde_json::json;

use crate::client::Conn;
use crate::stats::{Latency, Report};

#[derive(Debug, Args)]
pub struct FanoutArgs {
    #[arg(long, default_value = "ws://127.0.0.1:7777")]
    pub url: String,
    /// Where the subscribers connect, when not to `--url` (another node of a cluster: the
    /// latency is then publish → other node)
    #[arg(long)]
    pub subscribe_url: Option<String>,
    /// Live subscribers, each on its own connection
    #[arg(long, default_value_t = 1_000)]
    pub subscribers: usize,
    /// Events published
    #[arg(long, default_value_t = 100)]
    pub events: usize,
    /// Pause between events, milliseconds
    #[arg(long, default_value_t = 50)]
    pub interval: u64,
}

fn nanos() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

pub async fn run(a: FanoutArgs, quiet: bool) -> anyhow::Result<Report> {
    let topic = format!("fanout-{}", rand::random::<u32>());
    let filter = json!({"kinds": [1], "#t": [topic], "limit": 0});
    let mut subs = Vec::with_capacity(a.subscribers);
    let sub_url = a.subscribe_url.clone().unwrap_or_else(|| a.url.clone());
    for i in 0..a.subscribers {
        let mut c = Conn::connect(&sub_url, None).await?;
        c.query(&filter).await?;
        // Subscribe for real (query closes its REQ after EOSE).
        c.send(json!(["REQ", "live", filter]).to_string()).await?;
        subs.push(c);
        if !quiet && (i + 1) % 500 == 0 {
            eprintln!("fanout: {} subscribers", i + 1);
        }
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let expected = a.events;
    let readers: Vec<_> = subs
        .into_iter()
        .map(|mut c| {
            tokio::spawn(async move {
                let mut lat = Latency::default();
                let mut got = 0;
                while got < expected {
                    let Ok(text) = c.next_text().await else { break };
                    if !text.starts_with("[\"EVENT\",\"live\",") {
                        continue;
                    }
                    let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
                        continue;
                    };
                    let sent: u128 = v[2]["content"]
                        .as_str()
                        .and_then(|s| s.parse().ok())
                        .unwrap_or(0);
                    lat.record(Duration::from_nanos(
                        u64::try_from(nanos().saturating_sub(sent)).unwrap_or(u64::MAX),
                    ));
                    got += 1;
                }
                (lat, got)
            })
        })
        .collect();
    let keys = Keys::generate();
    let mut publisher = Conn::connect(&a.url, None).await?;
    for _ in 0..a.events {
        let at = crate::sign::now();
        let e = keys.sign(
            at,
            1,
            vec![vec!["t".into(), topic.clone()]],
            nanos().to_string(),
        );
        publisher.publish(&e.to_json(), &e.id.to_hex()).await?;
        tokio::time::sleep(Duration::from_millis(a.interval)).await;
    }
    let mut lat = Latency::default();
    let mut delivered = 0;
    for r in readers {
        let (l, got) = tokio::time::timeout(Duration::from_secs(30), r).await??;
        lat.merge(&l);
        delivered += got;
    }
    Ok(Report {
        scenario: "fanout",
        params: json!({"url": a.url, "subscribe_url": sub_url, "subscribers": a.subscribers, "events": a.events, "interval_ms": a.interval}),
        results: json!({
            "deliveries": delivered,
            "missing": a.subscribers * a.events - delivered,
            "delivery_latency": lat.summary(),
        }),
    })
}
