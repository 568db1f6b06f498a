//! `query`: REQ→EOSE latency and queries/s for the filter shapes clients send, against a store
//! preloaded from the same corpus.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use crate::client::Conn;
use crate::corpus::{Corpus, VOCABULARY, word};
use crate::stats::{Latency, Report};

/// The filter shapes measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum Shape {
    /// One author's latest events
    Author,
    /// The latest notes (kind 1)
    Kind,
    /// A hashtag (`#t`)
    Tag,
    /// Reactions to one note (`#e` + kind 7)
    Thread,
    /// Mentions of one pubkey (`#p`)
    Mentions,
    /// The latest events of any kind
    Global,
    /// NIP-50: a common word (among the ten most frequent), best first
    SearchCommon,
    /// NIP-50: a rare word (frequency rank 1,000–5,000)
    SearchRare,
    /// NIP-50: two common words that must both appear
    SearchWords,
    /// NIP-50: a quoted two-word phrase
    SearchPhrase,
}

impl Shape {
    /// The shapes measured by default (searches are asked for by name).
    const ALL: [Shape; 6] = [
        Shape::Author,
        Shape::Kind,
        Shape::Tag,
        Shape::Thread,
        Shape::Mentions,
        Shape::Global,
    ];

    fn name(self) -> &'static str {
        match self {
            Shape::Author => "author",
            Shape::Kind => "kind",
            Shape::Tag => "tag",
            Shape::Thread => "thread",
            Shape::Mentions => "mentions",
            Shape::Global => "global",
            Shape::SearchCommon => "search-common",
            Shape::SearchRare => "search-rare",
            Shape::SearchWords => "search-words",
            Shape::SearchPhrase => "search-phrase",
        }
    }

    fn filter(self, corpus: &Corpus, rng: &mut StdRng, limit: u64) -> Value {
        let pick = |v: usize, rng: &mut StdRng| rng.random_range(0..v);
        match self {
            Shape::Author => {
                json!({"authors": [corpus.authors[pick(corpus.authors.len(), rng)].pubkey().to_hex()], "limit": limit})
            }
            Shape::Kind => json!({"kinds": [1], "limit": limit}),
            Shape::Tag => {
                json!({"#t": [corpus.hashtags[pick(corpus.hashtags.len(), rng)]], "limit": limit})
            }
            Shape::Thread => {
                json!({"#e": [corpus.targets[pick(corpus.targets.len(), rng)]], "kinds": [7], "limit": limit})
            }
            Shape::Mentions => {
                json!({"#p": [corpus.authors[pick(corpus.authors.len(), rng)].pubkey().to_hex()], "limit": limit})
            }
            Shape::Global => json!({"limit": limit}),
            Shape::SearchCommon => json!({"search": word(pick(10, rng)), "limit": limit}),
            Shape::SearchRare => {
                json!({"search": word(1_000 + pick(VOCABULARY - 1_000, rng)), "limit": limit})
            }
            Shape::SearchWords => {
                let q = format!("{} {}", word(pick(50, rng)), word(pick(50, rng)));
                json!({"search": q, "limit": limit})
            }
            Shape::SearchPhrase => {
                let q = format!("\"{} {}\"", word(pick(20, rng)), word(pick(20, rng)));
                json!({"search": q, "limit": limit})
            }
        }
    }
}

#[derive(Debug, Args)]
pub struct QueryArgs {
    #[arg(long, default_value = "ws://127.0.0.1:7777")]
    pub url: String,
    /// Concurrent connections, each sending a REQ and waiting for EOSE
    #[arg(long, default_value_t = 20)]
    pub connections: usize,
    /// Seconds per shape
    #[arg(long, default_value_t = 10)]
    pub duration: u64,
    /// Shapes to measure (all by default)
    #[arg(long, value_enum)]
    pub shape: Vec<Shape>,
    /// `limit` of every filter
    #[arg(long, default_value_t = 100)]
    pub limit: u64,
    /// Authors of the preloaded corpus
    #[arg(long, default_value_t = 10_000)]
    pub authors: usize,
    /// Seed of the preloaded corpus
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

pub async fn run(a: QueryArgs, quiet: bool) -> anyhow::Result<Report> {
    let corpus = Arc::new(Corpus::new(a.seed, a.authors));
    let shapes = if a.shape.is_empty() {
        Shape::ALL.to_vec()
    } else {
        a.shape.clone()
    };
    let mut conns = Vec::new();
    for _ in 0..a.connections {
        conns.push(Conn::connect(&a.url, None).await?);
    }
    let mut results = BTreeMap::new();
    for shape in shapes {
        if !quiet {
            eprintln!("query: {} for {} s", shape.name(), a.duration);
        }
        let deadline = Instant::now() + Duration::from_secs(a.duration);
        let start = Instant::now();
        let mut tasks = Vec::new();
        for (i, mut conn) in conns.drain(..).enumerate() {
            let corpus = corpus.clone();
            let limit = a.limit;
            tasks.push(tokio::spawn(async move {
                let mut rng = StdRng::seed_from_u64(i as u64);
                let mut lat = Latency::default();
                let (mut events, mut refused) = (0u64, 0u64);
                while Instant::now() < deadline {
                    match conn
                        .try_query(&shape.filter(&corpus, &mut rng, limit))
                        .await?
                    {
                        Ok((n, took)) => {
                            lat.record(took);
                            events += n as u64;
                        }
                        // Over the relay's time budget: counted, not timed.
                        Err(_) => refused += 1,
                    }
                }
                anyhow::Ok((conn, lat, events, refused))
            }));
        }
        let mut lat = Latency::default();
        let (mut events, mut refused) = (0, 0);
        for t in tasks {
            let (conn, l, e, r) = t.await??;
            conns.push(conn);
            lat.merge(&l);
            events += e;
            refused += r;
        }
        let secs = start.elapsed().as_secs_f64();
        results.insert(
            shape.name(),
            json!({
                "queries_per_sec": lat.count() as f64 / secs,
                "events_per_query": events as f64 / lat.count().max(1) as f64,
                "refused": refused,
                "eose_latency": lat.summary(),
            }),
        );
    }
    Ok(Report {
        scenario: "query",
        params: json!({"url": a.url, "connections": a.connections, "limit": a.limit, "seconds_per_shape": a.duration}),
        results: json!(results),
    })
}
