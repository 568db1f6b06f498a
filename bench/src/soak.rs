//! `soak`: a long mixed load: publishers at a steady rate, clients querying, live subscribers
//! timing delivery, and a governance decision every few minutes. Reports, per window, the
//! relay's memory, the p99 of each latency and the errors, so a leak or a slow drift shows.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Args;
use nips::Keys;
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::client::Conn;
use crate::connections::{find_relay, rss_mib};
use crate::corpus::Corpus;
use crate::stats::{Latency, Report};

#[derive(Debug, Args)]
pub struct SoakArgs {
    #[arg(long, default_value = "ws://127.0.0.1:7777")]
    pub url: String,
    /// The relay's process id (default: the only process named `communitarium`)
    #[arg(long)]
    pub pid: Option<u32>,
    /// Minutes to run
    #[arg(long, default_value_t = 30)]
    pub minutes: u64,
    /// Seconds per reported window
    #[arg(long, default_value_t = 300)]
    pub window: u64,
    /// Connections publishing
    #[arg(long, default_value_t = 10)]
    pub publishers: usize,
    /// Events per second each publisher sends
    #[arg(long, default_value_t = 10)]
    pub rate: u64,
    /// Connections querying, each one REQ every 200 ms
    #[arg(long, default_value_t = 5)]
    pub queriers: usize,
    /// Live subscribers, timing the delivery of a tagged event sent every second
    #[arg(long, default_value_t = 50)]
    pub subscribers: usize,
    /// Seconds between governance decisions
    #[arg(long, default_value_t = 180)]
    pub decision_every: u64,
    /// Print the founders' public keys (start the relay with them as `--founder`) and exit
    #[arg(long)]
    pub print_founders: bool,
}

/// The soak's three founders: fixed keys, so `bench/run` can start the relay with them.
pub fn founders() -> Vec<Keys> {
    (0..3)
        .filter_map(|i| {
            let secret = Sha256::digest(format!("communitarium soak founder {i}").as_bytes());
            Keys::parse(&hex_encode(&secret)).ok()
        })
        .collect()
}

fn hex_encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What one window measured.
#[derive(Default)]
struct Counts {
    ok: Latency,
    eose: Latency,
    live: Latency,
    accepted: u64,
    refused: u64,
    errors: u64,
    decisions: u64,
}

/// The current window, shared by the load tasks.
#[derive(Default)]
struct Window(Mutex<Counts>);

impl Window {
    fn with(&self, f: impl FnOnce(&mut Counts)) {
        if let Ok(mut c) = self.0.lock() {
            f(&mut c);
        }
    }

    /// The counts so far; a fresh window starts.
    fn take(&self) -> Counts {
        self.0
            .lock()
            .map(|mut c| std::mem::take(&mut *c))
            .unwrap_or_default()
    }
}

/// Publishes corpus events at `rate` per second until `stop`.
async fn publisher(url: String, rate: u64, seed: u64, stop: Arc<AtomicBool>, w: Arc<Window>) {
    let corpus = Corpus::new(seed, 1_000);
    let mut rng = StdRng::seed_from_u64(seed);
    let period = Duration::from_micros(1_000_000 / rate.max(1));
    while !stop.load(Ordering::Relaxed) {
        let Ok(mut c) = Conn::connect(&url, None).await else {
            w.with(|c| c.errors += 1);
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        };
        let mut tick = tokio::time::interval(period);
        while !stop.load(Ordering::Relaxed) {
            tick.tick().await;
            let e = corpus.event(&mut rng, crate::sign::now());
            match c.publish(&e.to_json(), &e.id.to_hex()).await {
                Ok((true, took)) => w.with(|c| {
                    c.ok.record(took);
                    c.accepted += 1;
                }),
                Ok((false, _)) => w.with(|c| c.refused += 1),
                Err(_) => {
                    w.with(|c| c.errors += 1);
                    break;
                }
            }
        }
    }
}

/// Queries typical shapes every 200 ms until `stop`.
async fn querier(url: String, stop: Arc<AtomicBool>, w: Arc<Window>) {
    let shapes = [
        json!({"kinds": [1], "limit": 20}),
        json!({"kinds": [1], "#t": ["nostr"], "limit": 20}),
        json!({"kinds": [0, 3], "limit": 20}),
        json!({"kinds": [7], "limit": 50}),
    ];
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        let Ok(mut c) = Conn::connect(&url, None).await else {
            w.with(|c| c.errors += 1);
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        };
        while !stop.load(Ordering::Relaxed) {
            n += 1;
            match c.query(&shapes[n % shapes.len()]).await {
                Ok((_, took)) => w.with(|c| c.eose.record(took)),
                Err(_) => {
                    w.with(|c| c.errors += 1);
                    break;
                }
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// Subscribes to the pulse and records how long each took to arrive.
async fn subscriber(url: String, start: Instant, stop: Arc<AtomicBool>, w: Arc<Window>) {
    let Ok(mut c) = Conn::connect(&url, None).await else {
        w.with(|c| c.errors += 1);
        return;
    };
    let req =
        json!(["REQ", "pulse", {"kinds": [1], "#t": ["soak-pulse"], "since": crate::sign::now()}]);
    if c.send(req.to_string()).await.is_err() {
        return;
    }
    while !stop.load(Ordering::Relaxed) {
        let Ok(text) = c.next_text().await else {
            if !stop.load(Ordering::Relaxed) {
                w.with(|c| c.errors += 1);
            }
            return;
        };
        let Ok(Value::Array(m)) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        let sent = m
            .get(2)
            .and_then(|e| e["content"].as_str()?.parse::<u64>().ok());
        if let Some(sent) = sent {
            let now = start.elapsed().as_micros() as u64;
            w.with(|c| {
                c.live
                    .record(Duration::from_micros(now.saturating_sub(sent)))
            });
        }
    }
}

/// Sends the pulse every second: a note whose content is the send time.
async fn pulse(url: String, start: Instant, stop: Arc<AtomicBool>, w: Arc<Window>) {
    let keys = Keys::generate();
    let Ok(mut c) = Conn::connect(&url, None).await else {
        w.with(|c| c.errors += 1);
        return;
    };
    while !stop.load(Ordering::Relaxed) {
        let sent = start.elapsed().as_micros() as u64;
        let e = keys.sign(
            crate::sign::now(),
            1,
            vec![vec!["t".into(), "soak-pulse".into()]],
            sent.to_string(),
        );
        if c.publish(&e.to_json(), &e.id.to_hex()).await.is_err() {
            w.with(|c| c.errors += 1);
            return;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// One proposal, voted through by every founder, which closes it at once.
async fn decide(url: &str, founders: &[Keys], n: u64) -> anyhow::Result<()> {
    let mut c = Conn::connect(url, None).await?;
    let at = crate::sign::now();
    let action = governance::proposal::Action::Set(vec![
        governance::proposal::Change::parse("reports.threshold", &(3 + n % 5).to_string())
            .map_err(anyhow::Error::msg)?
            .0,
    ]);
    let tags = governance::proposal::proposal_tags(&action, false, at + 3_600, url);
    let proposal = founders[0].sign(at, 1068, tags, format!("soak decision {n}"));
    let (ok, _) = c
        .publish(&proposal.to_json(), &proposal.id.to_hex())
        .await?;
    anyhow::ensure!(ok, "the soak's proposal was refused");
    for f in founders {
        let tags = vec![
            vec!["e".into(), proposal.id.to_hex()],
            vec!["response".into(), "yes".into()],
        ];
        let v = f.sign(crate::sign::now(), 1018, tags, String::new());
        let (ok, _) = c.publish(&v.to_json(), &v.id.to_hex()).await?;
        anyhow::ensure!(ok, "a soak vote was refused");
    }
    Ok(())
}

pub async fn run(a: SoakArgs, quiet: bool) -> anyhow::Result<Report> {
    let pid = a
        .pid
        .or_else(find_relay)
        .ok_or_else(|| anyhow::anyhow!("pass --pid: no single `communitarium` process found"))?;
    let (stop, w, start) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(Window::default()),
        Instant::now(),
    );
    let mut tasks = Vec::new();
    for i in 0..a.publishers {
        tasks.push(tokio::spawn(publisher(
            a.url.clone(),
            a.rate,
            i as u64,
            stop.clone(),
            w.clone(),
        )));
    }
    for _ in 0..a.queriers {
        tasks.push(tokio::spawn(querier(
            a.url.clone(),
            stop.clone(),
            w.clone(),
        )));
    }
    for _ in 0..a.subscribers {
        tasks.push(tokio::spawn(subscriber(
            a.url.clone(),
            start,
            stop.clone(),
            w.clone(),
        )));
    }
    tasks.push(tokio::spawn(pulse(
        a.url.clone(),
        start,
        stop.clone(),
        w.clone(),
    )));
    let founders = founders();
    let mut rows = Vec::new();
    let mut next_decision = Instant::now() + Duration::from_secs(a.decision_every);
    let mut window_end = Instant::now() + Duration::from_secs(a.window);
    let end = Instant::now() + Duration::from_secs(a.minutes * 60);
    let mut decisions = 0;
    while Instant::now() < end {
        tokio::time::sleep(Duration::from_secs(1)).await;
        if Instant::now() >= next_decision {
            decisions += 1;
            match decide(&a.url, &founders, decisions).await {
                Ok(()) => w.with(|c| c.decisions += 1),
                Err(_) => w.with(|c| c.errors += 1),
            }
            next_decision += Duration::from_secs(a.decision_every);
        }
        if Instant::now() >= window_end || Instant::now() >= end {
            let c = w.take();
            let minute = start.elapsed().as_secs_f64() / 60.0;
            let row = json!({
                "minute": (minute * 10.0).round() / 10.0,
                "rss_mib": rss_mib(pid),
                "accepted": c.accepted,
                "ok_p99_ms": c.ok.summary().p99_ms,
                "eose_p99_ms": c.eose.summary().p99_ms,
                "live_p99_ms": c.live.summary().p99_ms,
                "refused": c.refused,
                "errors": c.errors,
                "decisions": c.decisions,
            });
            if !quiet {
                eprintln!("soak: {row}");
            }
            rows.push(row);
            window_end += Duration::from_secs(a.window);
        }
    }
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.abort();
    }
    Ok(Report {
        scenario: "soak",
        params: json!({"url": a.url, "minutes": a.minutes, "window_s": a.window, "publishers": a.publishers,
            "rate_per_publisher": a.rate, "queriers": a.queriers, "subscribers": a.subscribers,
            "decision_every_s": a.decision_every}),
        results: json!({ "windows": rows }),
    })
}
