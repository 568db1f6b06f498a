//! The `communitarium` command line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use serde_json::json;

use crate::config::Overrides;

/// A Nostr relay that its community governs itself.
#[derive(Debug, Parser)]
#[command(
    name = "communitarium",
    version,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// How log lines are written to stderr (the level is set by RUST_LOG)
    #[arg(
        long,
        global = true,
        value_enum,
        default_value_t,
        env = "COMMUNITARIUM_LOG_FORMAT"
    )]
    pub log_format: crate::telemetry::LogFormat,
    /// With no subcommand, `communitarium` serves.
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the relay (the default when no subcommand is given).
    Serve(ServeArgs),
    /// Mint an invite code on behalf of the relay (for operators without a NIP-86 client).
    Invite(StoreArgs),
    /// List the relay's members.
    Members(StoreArgs),
    /// Check a relay's governance from its public record: replay every decision, re-count
    /// every vote, check every emergency action. Exits non-zero on the first divergence.
    Verify(VerifyArgs),
    /// Write the stored events (all, or those a filter selects) to stdout, one JSON object
    /// per line, the relay's own records included.
    Export(ExportArgs),
    /// Store events read from stdin, one JSON object per line: ids and signatures checked,
    /// NIP rules applied (replaceable, deletion, expiry, vanish), duplicates skipped.
    Import(ImportArgs),
    /// Reconcile the stored events with another relay: by NIP-77 negentropy, or plain REQs
    /// when it has none.
    Sync(SyncArgs),
}

/// Which events: a NIP-01 filter and a time range.
#[derive(Debug, Clone, Default, Args)]
pub struct SelectionArgs {
    /// A NIP-01 filter as JSON (`{"kinds":[1,30023]}`); every event when absent
    #[arg(long, value_name = "JSON")]
    pub filter: Option<String>,
    /// Only events created at or after this unix time
    #[arg(long, value_name = "UNIX_TIME")]
    pub since: Option<u64>,
    /// Only events created at or before this unix time
    #[arg(long, value_name = "UNIX_TIME")]
    pub until: Option<u64>,
}

/// Settings of `export`.
#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub selection: SelectionArgs,
    #[command(flatten)]
    pub store: StoreArgs,
}

/// Settings of `import`.
#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// Also store governance records signed by other relays (decisions, membership), as
    /// inert history; by default they are refused, so no relay's record can be passed off as
    /// this one's
    #[arg(long)]
    pub foreign_records: bool,
    #[command(flatten)]
    pub store: StoreArgs,
}

/// What another relay may make `sync` or `verify` receive and wait for.
#[derive(Debug, Clone, Args)]
pub struct BoundsArgs {
    /// The most events to receive from the other relay
    #[arg(long, value_name = "N", default_value_t = 2_000_000)]
    pub max_events: u64,
    /// The most seconds the whole command may take
    #[arg(long, value_name = "SECONDS", default_value_t = 3_600)]
    pub deadline: u64,
}

impl BoundsArgs {
    pub fn bounds(&self) -> crate::peer::Bounds {
        crate::peer::Bounds::new(self.max_events, self.deadline)
    }
}

/// Settings of `sync`.
#[derive(Debug, Clone, Args)]
pub struct SyncArgs {
    /// The other relay's WebSocket URL (ws:// or wss://)
    #[arg(value_name = "RELAY_URL")]
    pub url: String,
    /// Which way events go: down (fetch what only the other relay has), up (send what only
    /// this one has, that a client of the other relay's key could read here, never events
    /// marked for their author's relays alone), or both
    #[arg(long, value_enum, default_value = "down")]
    pub direction: crate::transfer::Direction,
    /// A secret key (hex or nsec) to authenticate with (NIP-42), for relays that ask
    #[arg(
        long,
        value_name = "KEY",
        env = "COMMUNITARIUM_SYNC_KEY",
        hide_env_values = true
    )]
    pub key: Option<String>,
    /// Also store other relays' governance records fetched from it (see `import`)
    #[arg(long)]
    pub foreign_records: bool,
    #[command(flatten)]
    pub bounds: BoundsArgs,
    #[command(flatten)]
    pub selection: SelectionArgs,
    #[command(flatten)]
    pub store: StoreArgs,
}

/// Settings of `verify`.
#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    /// The relay's WebSocket URL (ws:// or wss://)
    #[arg(value_name = "RELAY_URL")]
    pub url: String,
    /// A secret key (hex or nsec) to authenticate with, for relays that serve only members
    #[arg(
        long,
        value_name = "KEY",
        env = "COMMUNITARIUM_VERIFY_KEY",
        hide_env_values = true
    )]
    pub key: Option<String>,
    #[command(flatten)]
    pub bounds: BoundsArgs,
}

/// Who may write, at genesis.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum AdmissionArg {
    /// Anyone writes.
    Open,
    /// Members write; newcomers join with invite codes (NIP-43).
    Invite,
    /// A join request plus enough members' vouches admits a candidate.
    Vouch,
    /// A join request opens an admission vote.
    Vote,
}

/// Who may read, at genesis.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ReadArg {
    Public,
    /// Only authenticated members.
    Members,
}

/// Settings of `serve`. Each overrides the same key of the config file and environment.
#[derive(Debug, Clone, Default, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:7777]
    #[arg(long, value_name = "HOST:PORT")]
    pub listen: Option<String>,
    /// The ws:// or wss:// URL clients connect to; NIP-42 AUTH events must name it
    /// [default: ws://<listen address>]
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
    /// Admission mode of the genesis policy [default: open]
    #[arg(long, value_name = "MODE")]
    pub admission: Option<AdmissionArg>,
    /// Read access of the genesis policy [default: public]
    #[arg(long, value_name = "ACCESS")]
    pub read_access: Option<ReadArg>,
    /// A founding member, hex or npub (repeatable). Founders are fixed at genesis
    #[arg(long = "founder", value_name = "KEY")]
    pub founders: Vec<String>,
    /// An operator allowed to use the NIP-86 management API, hex or npub (repeatable)
    #[arg(long = "operator", value_name = "KEY")]
    pub operators: Vec<String>,
    /// The relay's secret key, hex or nsec; every node of a cluster needs the same one
    /// (COMMUNITARIUM_RELAY_KEY keeps it out of the process list)
    #[arg(long, value_name = "KEY")]
    pub relay_key: Option<String>,
    /// This node's name: makes the relay one of several nodes on one PostgreSQL database
    #[arg(long, value_name = "NAME")]
    pub node_id: Option<String>,
    /// A PostgreSQL streaming replica of --database-url that answers clients' queries
    /// (repeatable); a client's own writes are always found
    #[arg(long = "read-database-url", value_name = "URL")]
    pub read_database_urls: Vec<String>,
    #[command(flatten)]
    pub store: StoreArgs,
}

/// Where the relay keeps its data; shared by every command.
#[derive(Debug, Clone, Default, Args)]
pub struct StoreArgs {
    /// Directory for the embedded database and the relay's own key [default: ./data]
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// A postgres:// URL stores events in PostgreSQL; without one, the embedded SQLite
    /// store in the data directory is used
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
    /// TOML configuration file. COMMUNITARIUM_* environment variables override its keys
    /// (COMMUNITARIUM_LIMITS__MAX_LIMIT=100), and these flags override both
    #[arg(long, short, value_name = "FILE", env = "COMMUNITARIUM_CONFIG")]
    pub config: Option<PathBuf>,
}

impl StoreArgs {
    /// The config keys these flags set.
    pub fn overrides(&self) -> Overrides {
        Overrides {
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone(),
            ..Overrides::default()
        }
    }
}

impl ServeArgs {
    /// The config keys these flags set.
    pub fn overrides(&self) -> Overrides {
        let mut admission = serde_json::Map::new();
        if let Some(mode) = self.admission {
            let mode = match mode {
                AdmissionArg::Open => "open",
                AdmissionArg::Invite => "invite",
                AdmissionArg::Vouch => "vouch",
                AdmissionArg::Vote => "vote",
            };
            admission.insert("mode".into(), json!(mode));
        }
        if let Some(read) = self.read_access {
            let read = match read {
                ReadArg::Public => "public",
                ReadArg::Members => "members",
            };
            admission.insert("read".into(), json!(read));
        }
        let mut cluster = serde_json::Map::new();
        if let Some(id) = &self.node_id {
            cluster.insert("node_id".into(), json!(id));
        }
        Overrides {
            listen: self.listen.clone(),
            relay_key: self.relay_key.clone(),
            cluster: (!cluster.is_empty()).then_some(serde_json::Value::Object(cluster)),
            public_url: self.public_url.clone(),
            read_database_urls: (!self.read_database_urls.is_empty())
                .then(|| self.read_database_urls.clone()),
            founders: (!self.founders.is_empty()).then(|| self.founders.clone()),
            operators: (!self.operators.is_empty()).then(|| self.operators.clone()),
            policy: (!admission.is_empty()).then(|| json!({"admission": admission})),
            ..self.store.overrides()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serve_is_the_default() {
        let cli = Cli::try_parse_from(["communitarium", "--listen", "127.0.0.1:0"]).unwrap();
        assert!(cli.command.is_none());
        assert_eq!(cli.serve.listen.as_deref(), Some("127.0.0.1:0"));
        let cli = Cli::try_parse_from(["communitarium", "serve", "--data-dir", "x"]).unwrap();
        assert!(
            matches!(cli.command, Some(Command::Serve(a)) if a.store.data_dir == Some("x".into()))
        );
    }

    #[test]
    fn governance_flags_become_genesis_settings() {
        let cli = Cli::try_parse_from([
            "communitarium",
            "serve",
            "--admission",
            "invite",
            "--read-access",
            "members",
            "--founder",
            "a",
            "--founder",
            "b",
            "--operator",
            "c",
        ])
        .unwrap();
        let Some(Command::Serve(args)) = cli.command else {
            panic!()
        };
        let o = args.overrides();
        assert_eq!(o.founders, Some(vec!["a".into(), "b".into()]));
        assert_eq!(o.operators, Some(vec!["c".into()]));
        assert_eq!(
            o.policy,
            Some(json!({"admission": {"mode": "invite", "read": "members"}}))
        );
    }
}
