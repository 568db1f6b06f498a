//! The `communitarium` binary: parse the command line, set up logging, run the command.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use communitarium::cli::{Cli, Command, ImportArgs, SelectionArgs, ServeArgs, StoreArgs, SyncArgs};
use communitarium::config::Config;
use communitarium::relay::Relay;
use communitarium::server;
use communitarium::transfer::{self, Importer, Progress, Selection};
use communitarium::{commands, telemetry, verify};

fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init_logging(cli.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        None => serve(cli.serve).await,
        Some(Command::Serve(args)) => serve(args).await,
        Some(Command::Invite(args)) => {
            let minted = commands::invite(&load(&args)?).await?;
            println!("{}", minted.link);
            eprintln!(
                "Send this link to the person you invite: it works once, until {}.\n\
                 (Its code, for Nostr apps that join with a code: {})",
                communitarium::dates::date(minted.expires_at),
                minted.code
            );
            Ok(())
        }
        Some(Command::Members(args)) => {
            for line in commands::members(&load(&args)?).await? {
                println!("{line}");
            }
            Ok(())
        }
        Some(Command::Verify(args)) => {
            let keys = match &args.key {
                Some(k) => Some(nips::Keys::parse(k).context("--key is not a secret key")?),
                None => None,
            };
            let report = verify::verify(&args.url, keys, args.bounds.bounds()).await?;
            println!(
                "OK: {} decisions replayed, {} tallies re-counted, {} emergency actions checked; policy v{}, {} members",
                report.decisions,
                report.tallies,
                report.emergencies,
                report.version,
                report.members
            );
            for note in &report.notes {
                println!("note: {note}");
            }
            Ok(())
        }
        Some(Command::Export(args)) => export(&load(&args.store)?, &args.selection).await,
        Some(Command::Import(args)) => import(&load(&args.store)?, &args).await,
        Some(Command::Sync(args)) => sync(&load(&args.store)?, &args).await,
    }
}

fn load(args: &StoreArgs) -> anyhow::Result<Config> {
    Ok(Config::load(args.config.as_deref(), &args.overrides())?)
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    // Every connection is a file descriptor: lift the soft limit to the hard one.
    if let Err(e) = rlimit::increase_nofile_limit(u64::MAX) {
        tracing::warn!("cannot raise the open-file limit: {e}");
    }
    let config = Config::load(args.store.config.as_deref(), &args.overrides())?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let bound = listener.local_addr()?;
    let backend = if config.database_url.is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    let metrics = if config.server.metrics {
        match telemetry::install_metrics() {
            Ok(handle) => {
                communitarium::meters::describe();
                Some(handle)
            }
            Err(e) => {
                tracing::warn!("metrics disabled: {e}");
                None
            }
        }
    } else {
        None
    };
    let metrics_listener = match (&config.server.metrics_listen, &metrics) {
        (Some(at), Some(_)) => Some(
            tokio::net::TcpListener::bind(at)
                .await
                .with_context(|| format!("cannot listen on {at} (server.metrics_listen)"))?,
        ),
        _ => None,
    };
    let relay = Relay::start(config, bound, metrics)
        .await
        .context("cannot start the relay")?;
    if let Some(listener) = metrics_listener {
        tracing::info!(at = %listener.local_addr()?, "metrics served at /metrics");
        tokio::spawn(server::serve_metrics(listener, relay.clone()));
    }
    tracing::info!(store = backend, url = %relay.public_url, "serving");
    // One machine-readable line on stdout, so scripts and tests learn the bound port.
    println!("communitarium listening on ws://{bound}");
    if !relay.community.is_founded() {
        let token = communitarium::community::founding::setup_token(&relay.config.data_dir)
            .context("cannot keep the setup link's token in the data directory")?;
        let page = relay
            .public_url
            .replacen("wss://", "https://", 1)
            .replacen("ws://", "http://", 1);
        let link = format!("{}/setup?token={token}", page.trim_end_matches('/'));
        println!("found this community: open {link}");
        tracing::warn!(
            "this relay has no community yet: its founder opens the setup link printed on \
             standard output ({page}/setup?token=…, the token kept in {}), or start it with \
             --founder",
            relay.config.data_dir.join("setup.token").display()
        );
    }
    let _ = std::io::stdout().flush();
    server::serve(listener, relay, server::shutdown_signal()).await?;
    Ok(())
}

fn selection(args: &SelectionArgs) -> anyhow::Result<Selection> {
    Ok(Selection::parse(
        args.filter.as_deref(),
        args.since,
        args.until,
    )?)
}

/// `export`: JSON lines on stdout, a progress bar on stderr.
async fn export(config: &Config, args: &SelectionArgs) -> anyhow::Result<()> {
    let selection = selection(args)?;
    commands::existing(config)?;
    let (store, _) = commands::open_store(config).await?;
    let total = transfer::export::total(&*store, &selection.filter).await?;
    let progress = Progress::new(Some(total), "exporting");
    let mut out = tokio::io::BufWriter::with_capacity(1 << 20, tokio::io::stdout());
    let written = transfer::export::export(&*store, &selection.filter, &mut out, &progress).await?;
    progress.finish();
    store.close().await;
    eprintln!("exported {written} events");
    Ok(())
}

fn importer<'a>(
    store: &'a dyn communitarium::store::Store,
    keys: &nips::Keys,
    config: &Config,
    foreign: bool,
) -> Importer<'a> {
    Importer {
        store,
        relay: keys.pubkey(),
        relay_url: config.public_url.clone().unwrap_or_default(),
        foreign_records: foreign,
    }
}

/// `import`: JSON lines from stdin; a report of what became of them.
async fn import(config: &Config, args: &ImportArgs) -> anyhow::Result<()> {
    let had_key = commands::existing(config).is_ok();
    let (store, keys) = commands::open_store(config).await?;
    let progress = Progress::new(None, "importing");
    let input = tokio::io::BufReader::with_capacity(1 << 20, tokio::io::stdin());
    let report = importer(&*store, &keys, config, args.foreign_records)
        .import(input, &progress)
        .await?;
    progress.finish();
    store.close().await;
    println!("{report}");
    if report
        .invalid
        .keys()
        .any(|why| why.starts_with("another relay's"))
    {
        eprintln!("{}", foreign_record_advice(config, had_key));
    }
    Ok(())
}

/// What to do when an import held a community's record signed by another relay key.
fn foreign_record_advice(config: &Config, had_key: bool) -> String {
    let dir = config.data_dir.display();
    match had_key {
        false => format!(
            "This folder had no relay.key, so a new one was made, and the community's own record \
             (signed by its relay's key) was refused. To move the community here, copy relay.key \
             from its old data folder into {dir}, replacing the new one, and import again."
        ),
        true => format!(
            "Some governance records are signed by another relay's key. If this is the same \
             community, {dir}/relay.key is not its key: copy the community's relay.key here and \
             import again. To keep them as plain events instead, add --foreign-records."
        ),
    }
}

/// `sync`: reconcile with another relay; a report of both directions.
async fn sync(config: &Config, args: &SyncArgs) -> anyhow::Result<()> {
    let selection = selection(&args.selection)?;
    let key = match &args.key {
        Some(k) => Some(nips::Keys::parse(k).context("--key is not a secret key")?),
        None => None,
    };
    let (store, keys) = commands::open_store(config).await?;
    // What is sent up follows this relay's read rules; a data directory with no community
    // yet has none beyond the defaults.
    let readers = match commands::ledger(&*store, &keys).await? {
        Some(ledger) => transfer::remote::Readers {
            policy: ledger.policy,
            roster: ledger.roster,
            relay: keys.pubkey(),
        },
        None => transfer::remote::Readers::default(),
    };
    let progress = Progress::new(None, "syncing");
    let importer = importer(&*store, &keys, config, args.foreign_records);
    let remote = transfer::remote::Remote {
        url: args.url.clone(),
        direction: args.direction,
        keys: key,
        bounds: args.bounds.bounds(),
        readers,
    };
    let report = transfer::remote::sync(&importer, remote, &selection, &progress).await?;
    progress.finish();
    store.close().await;
    println!("{report}");
    Ok(())
}
