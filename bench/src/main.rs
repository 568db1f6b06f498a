//! `communitarium-bench`: drives a running relay over real WebSockets from many concurrent
//! connections and reports throughput and latency percentiles, as a table or JSON.

mod client;
mod connections;
mod corpus;
mod fanout;
mod flood;
mod governance;
mod ingest;
mod preload;
mod query;
mod record;
mod sign;
mod soak;
mod stats;
mod votes;

use clap::{Parser, Subcommand};

/// Load tool for Nostr relays.
#[derive(Debug, Parser)]
#[command(name = "communitarium-bench", version)]
struct Cli {
    /// Print the report as one JSON object
    #[arg(long, global = true)]
    json: bool,
    /// Leave Nagle's algorithm on (no TCP_NODELAY): by default the tool disables it, as
    /// browsers and most WebSocket clients do
    #[arg(long, global = true)]
    nagle: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Events/s accepted with OK true, and OK latency, at N connections
    Ingest(ingest::IngestArgs),
    /// REQ→EOSE latency and queries/s for typical filter shapes
    Query(query::QueryArgs),
    /// Publish-to-delivery latency to M live subscribers
    Fanout(fanout::FanoutArgs),
    /// The relay's RSS at K idle connections
    Connections(connections::ConnectionsArgs),
    /// Fill a store with N events directly (relay not needed)
    Preload(preload::PreloadArgs),
    /// Well-behaved latencies with and without a flooding client
    Flood(flood::FloodArgs),
    /// A long mixed load with governance decisions: memory, p99 and errors per window
    Soak(soak::SoakArgs),
    /// The governance engine in process at community scale: electorates, votes, closes, memory
    Governance(governance::GovernanceArgs),
    /// Write a governance record at community scale into a store (members, open proposals, votes)
    Record(record::RecordArgs),
    /// Members' votes on a written record's open proposals at a steady rate: OK latency
    Votes(votes::VotesArgs),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    client::set_nagle(cli.nagle);
    // Thousands of sockets: lift the soft file limit to the hard one.
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let quiet = cli.json;
    let report = match cli.command {
        Command::Ingest(a) => ingest::run(a, quiet).await?,
        Command::Query(a) => query::run(a, quiet).await?,
        Command::Fanout(a) => fanout::run(a, quiet).await?,
        Command::Connections(a) => connections::run(a, quiet).await?,
        Command::Preload(a) => preload::run(a, quiet).await?,
        Command::Flood(a) => flood::run(a, quiet).await?,
        Command::Soak(a) if a.print_founders => {
            for k in soak::founders() {
                println!("{}", k.pubkey().to_hex());
            }
            return Ok(());
        }
        Command::Soak(a) => soak::run(a, quiet).await?,
        Command::Governance(a) => governance::run(a, quiet).await?,
        Command::Record(a) if a.print_pubkey.is_some() => {
            let secret = a.print_pubkey.unwrap_or_default();
            println!("{}", nips::Keys::parse(&secret)?.pubkey().to_hex());
            return Ok(());
        }
        Command::Record(a) => record::run(a, quiet).await?,
        Command::Votes(a) => votes::run(a, quiet).await?,
    };
    report.print(cli.json);
    Ok(())
}
