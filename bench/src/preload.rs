//! `preload`: fills a store with N corpus events quickly, straight through the store's batch
//! write path (no relay needed), dated over the last 30 days.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use clap::Args;
use communitarium::store::{self, Record, Saved, WriteOp};
use rand::Rng;
use serde_json::json;

use crate::corpus::Corpus;
use crate::sign::{progress, sign_many};
use crate::stats::Report;

#[derive(Debug, Args)]
pub struct PreloadArgs {
    /// postgres://… (default: the embedded store in --data-dir)
    #[arg(long)]
    pub database_url: Option<String>,
    #[arg(long, default_value = "data")]
    pub data_dir: PathBuf,
    /// Events to store
    #[arg(long, default_value_t = 100_000)]
    pub events: u64,
    #[arg(long, default_value_t = 10_000)]
    pub authors: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Events per transaction
    #[arg(long, default_value_t = 2_000)]
    pub batch: usize,
}

fn last_month(rng: &mut rand::rngs::StdRng) -> u64 {
    crate::sign::now() - rng.random_range(0..30 * 86_400)
}

pub async fn run(a: PreloadArgs, quiet: bool) -> anyhow::Result<Report> {
    let options = store::Options {
        pool_size: 4,
        ..store::Options::default()
    };
    let store = store::open(a.database_url.as_deref(), &a.data_dir, options).await?;
    let corpus = Arc::new(Corpus::new(a.seed, a.authors));
    let start = Instant::now();
    let mut stored = 0u64;
    let bar = progress(a.events, "storing", quiet);
    let chunk = 100_000u64;
    let mut done = 0;
    while done < a.events {
        let n = chunk.min(a.events - done);
        let events = sign_many(&corpus, n, a.seed.wrapping_add(done), last_month, true);
        for batch in events.chunks(a.batch.max(1)) {
            let ops: Vec<WriteOp> = batch
                .iter()
                .map(|e| WriteOp::Save(Arc::new(Record::new(e.clone()))))
                .collect();
            let saved = store.write(&ops).await?;
            stored += saved.iter().filter(|s| **s == Saved::Stored).count() as u64;
            bar.inc(batch.len() as u64);
        }
        done += n;
    }
    bar.finish_and_clear();
    store.close().await;
    let secs = start.elapsed().as_secs_f64();
    Ok(Report {
        scenario: "preload",
        params: json!({"events": a.events, "authors": a.authors, "store": if a.database_url.is_some() { "postgres" } else { "sqlite" }}),
        results: json!({"stored": stored, "seconds": secs, "events_per_sec": a.events as f64 / secs}),
    })
}
