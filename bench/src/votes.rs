//! `votes`: members' votes answered by a relay serving a record written by `record`, at a
//! steady rate, while whatever else runs beside it (`bench/record` runs `ingest` at the same
//! time). Each vote comes from a member who has not yet voted on that proposal, so every one is
//! a real vote the relay checks, stores and counts.

use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use serde_json::{Value, json};

use crate::client::Conn;
use crate::governance::Scale;
use crate::record::member_keys;
use crate::sign::{Signed, now, serialize};
use crate::stats::{Latency, Report};

#[derive(Debug, Args)]
pub struct VotesArgs {
    #[arg(long, default_value = "ws://127.0.0.1:7777")]
    pub url: String,
    /// Votes per second, over all connections
    #[arg(long, default_value_t = 100)]
    pub rate: u64,
    /// Seconds to vote for
    #[arg(long, default_value_t = 20)]
    pub seconds: u64,
    /// Connections voting
    #[arg(long, default_value_t = 4)]
    pub connections: usize,
    /// Rounds of votes already sent to this record by earlier runs: each run's votes come from
    /// members who have not voted yet
    #[arg(long, default_value_t = 0)]
    pub after: u32,
    /// The record's size, to know who has already voted
    #[command(flatten)]
    pub scale: Scale,
}

pub async fn run(a: VotesArgs, quiet: bool) -> anyhow::Result<Report> {
    let open = open_proposals(&a.url).await?;
    anyhow::ensure!(!open.is_empty(), "no open proposals on {}", a.url);
    let votes = sign_votes(&a, &open)?;
    let conns = a.connections.max(1);
    let every = Duration::from_secs_f64(conns as f64 / a.rate.max(1) as f64);
    let mut clients = Vec::new();
    for _ in 0..conns {
        clients.push(Conn::connect(&a.url, None).await?);
    }
    // Timed from when every connection is ready and the first vote goes out.
    let start = Instant::now();
    let mut tasks = Vec::new();
    for (c, mut conn) in clients.into_iter().enumerate() {
        let mine: Vec<(String, String)> = votes
            .iter()
            .skip(c)
            .step_by(conns)
            .map(|s| (s.id.clone(), s.json.clone()))
            .collect();
        tasks.push(tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            let (mut lat, mut refused) = (Latency::default(), Vec::new());
            for (id, json) in mine {
                ticks.tick().await;
                let (accepted, took) = conn.publish(&json, &id).await?;
                lat.record(took);
                if !accepted {
                    refused.push(id);
                }
            }
            anyhow::Ok((lat, refused))
        }));
    }
    let (mut lat, mut refused) = (Latency::default(), 0);
    for t in tasks {
        let (l, r) = t.await??;
        lat.merge(&l);
        refused += r.len();
    }
    if !quiet && refused > 0 {
        eprintln!("{refused} votes refused");
    }
    Ok(Report {
        scenario: "votes",
        params: json!({"url": a.url, "rate": a.rate, "seconds": a.seconds, "connections": conns, "proposals": open.len()}),
        results: json!({
            "votes": votes.len(),
            "refused": refused,
            "seconds": start.elapsed().as_secs_f64(),
            "ok_latency": lat.summary(),
        }),
    })
}

/// The open proposals the relay returns first: `(id, number in the record)`.
async fn open_proposals(url: &str) -> anyhow::Result<Vec<(String, u32)>> {
    let mut conn = Conn::connect(url, None).await?;
    conn.send(json!(["REQ", "open", {"kinds": [1068], "limit": 100}]).to_string())
        .await?;
    let mut open = Vec::new();
    loop {
        let text = conn.next_text().await?;
        let msg: Value = serde_json::from_str(&text).context("a relay message")?;
        match msg[0].as_str() {
            Some("EVENT") => {
                let event = &msg[2];
                let number = event["content"]
                    .as_str()
                    .and_then(|c| c.strip_prefix("proposal "))
                    .and_then(|n| n.parse().ok());
                if let (Some(id), Some(n)) = (event["id"].as_str(), number) {
                    open.push((id.to_owned(), n));
                }
            }
            Some("EOSE") => return Ok(open),
            Some("CLOSED") => anyhow::bail!("the relay refused the proposals' query: {text}"),
            _ => {}
        }
    }
}

/// Votes by members the record did not have vote on each proposal (`record` gives proposal j
/// the votes of members 7j … 7j + per − 1, modulo the membership).
fn sign_votes(a: &VotesArgs, open: &[(String, u32)]) -> anyhow::Result<Vec<Signed>> {
    let per = a.scale.votes / a.scale.proposals.max(1);
    let total = a.rate * a.seconds;
    let at = now();
    let mut events = Vec::new();
    for k in 0..total {
        let (id, j) = &open[(k % open.len() as u64) as usize];
        let round = a.after + (k / open.len() as u64) as u32;
        anyhow::ensure!(
            per + round < a.scale.members,
            "every member has voted on proposal {j}"
        );
        let member = (7 * j + per + round) % a.scale.members;
        let tags = vec![
            vec!["e".into(), id.clone()],
            vec!["response".into(), "yes".into()],
        ];
        events.push(member_keys(member)?.sign(at, 1018, tags, String::new()));
    }
    Ok(serialize(events))
}
