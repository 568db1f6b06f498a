//! `record`: writes a community's governance record at scale straight into a store, as a relay
//! would have stored it: M members admitted (the relay's NIP-43 member events, after the
//! genesis the relay wrote on its first start), P proposals open at once and V votes on them,
//! the proposals closing `--ends-in` seconds after writing began. Starting the relay
//! on it then measures a restart (rebuilding that state from the store), the closes (P
//! decisions signed, each re-counting its votes) and `communitarium verify` of the whole record
//! (`bench/record` runs all three).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use communitarium::community::events::{self, member_event};
use communitarium::store::{self, Reader, Record, WriteOp};
use governance::ledger::Ledger;
use governance::proposal::{Action, Change, proposal_tags};
use nips::{Event, Keys};
use nips::{cg, nip43};
use rayon::prelude::*;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::governance::Scale;
use crate::sign::{now, progress};
use crate::stats::Report;

#[derive(Debug, Args)]
pub struct RecordArgs {
    /// postgres://… (default: the embedded store in --data-dir)
    #[arg(long)]
    pub database_url: Option<String>,
    #[arg(long, default_value = "data")]
    pub data_dir: PathBuf,
    /// Print the public key of this secret key (hex) and exit
    #[arg(long)]
    pub print_pubkey: Option<String>,
    /// The relay's secret key (hex): it signs the member events
    #[arg(long, default_value = "")]
    pub relay_key: String,
    /// The founder's secret key (hex): the members' inviter
    #[arg(long, default_value = "")]
    pub founder_key: String,
    /// The relay's public URL, which proposals name
    #[arg(long, default_value = "")]
    pub url: String,
    #[command(flatten)]
    pub scale: Scale,
    /// Seconds from the start of writing until the proposals close
    #[arg(long, default_value_t = 900)]
    pub ends_in: u64,
}

/// Events per write.
const BATCH: usize = 2_000;

pub(crate) fn member_keys(i: u32) -> anyhow::Result<Keys> {
    let secret: [u8; 32] = Sha256::digest(format!("member{i}")).into();
    Keys::from_secret_bytes(&secret).context("a member key")
}

pub async fn run(a: RecordArgs, quiet: bool) -> anyhow::Result<Report> {
    anyhow::ensure!(
        a.scale.members > 0 && a.scale.proposals > 0,
        "a community needs members and proposals"
    );
    anyhow::ensure!(
        a.scale.votes / a.scale.proposals <= a.scale.members,
        "more votes per proposal than members"
    );
    let relay = Keys::parse(&a.relay_key).context("--relay-key")?;
    let founder = Keys::parse(&a.founder_key).context("--founder-key")?;
    let options = store::Options {
        pool_size: 4,
        event_cache_bytes: 0,
        ..store::Options::default()
    };
    let store = store::open(a.database_url.as_deref(), &a.data_dir, options).await?;
    let start = Instant::now();
    // After the genesis the relay wrote moments ago: members join over the next 100 s,
    // proposals follow within 10 s, votes over the minute after (in the past by the time the
    // record is written, at full scale). A client pages a relay by time, so no second may hold
    // more events of one kind than a page (a thousand members joining in one second could not
    // be read back whole).
    anyhow::ensure!(
        a.ends_in > 175,
        "--ends-in: proposals must close after the votes"
    );
    let t = now();
    let joined = t;
    let join_spread = 100;
    let keys: Vec<Keys> = (0..a.scale.members)
        .into_par_iter()
        .map(member_keys)
        .collect::<anyhow::Result<_>>()?;
    // The founder is member 1 (seq 1); the members follow.
    let members: Vec<Event> = keys
        .par_iter()
        .enumerate()
        .map(|(i, k)| {
            let seq = i as u64 + 2;
            let at = joined + seq * join_spread / (u64::from(a.scale.members) + 2);
            member_event(
                &relay,
                true,
                &k.pubkey(),
                at,
                seq,
                Some(&founder.pubkey()),
                None,
            )
        })
        .collect();
    let list = membership_list(&*store, &relay, &members, joined + join_spread).await?;
    write(&*store, members, "members", quiet).await?;
    write(&*store, vec![list], "membership list", quiet).await?;
    let proposed = t + join_spread + 1;
    let ends_at = t + a.ends_in;
    let change = Change::parse("reports.threshold", "4")
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .0;
    let action = Action::Set(vec![change]);
    let block = governance::Policy::default()
        .classes
        .get(action.class())
        .block;
    let proposals: Vec<Event> = (0..a.scale.proposals)
        .into_par_iter()
        .map(|j| {
            let by = &keys[(j % a.scale.members) as usize];
            let tags = proposal_tags(&action, block, ends_at, &a.url);
            by.sign(
                proposed + u64::from(j % 10),
                1068,
                tags,
                format!("proposal {j}"),
            )
        })
        .collect();
    let ids: Vec<String> = proposals.iter().map(|p| p.id.to_hex()).collect();
    write(&*store, proposals, "proposals", quiet).await?;
    let per = a.scale.votes / a.scale.proposals.max(1);
    let votes: Vec<Event> = (0..a.scale.votes)
        .into_par_iter()
        .map(|v| {
            let (j, n) = (v % a.scale.proposals, v / a.scale.proposals);
            let voter = &keys[((n + j * 7) % a.scale.members) as usize];
            let choice = if n % 3 == 0 { "no" } else { "yes" };
            let tags = vec![
                vec!["e".into(), ids[j as usize].clone()],
                vec!["response".into(), choice.into()],
            ];
            voter.sign(proposed + 11 + u64::from(n % 60), 1018, tags, String::new())
        })
        .collect();
    write(&*store, votes, "votes", quiet).await?;
    store.close().await;
    let secs = start.elapsed().as_secs_f64();
    Ok(Report {
        scenario: "record",
        params: json!({"members": a.scale.members, "proposals": a.scale.proposals, "votes": a.scale.votes, "votes_per_proposal": per}),
        results: json!({"seconds": secs, "ends_at": ends_at}),
    })
}

/// The membership list (kind 13534) naming the founders of the stored genesis and `added`,
/// as the relay publishes it after each change.
async fn membership_list(
    store: &dyn store::Store,
    relay: &Keys,
    added: &[Event],
    at: u64,
) -> anyhow::Result<Event> {
    let stored = |kinds: &[u16]| {
        let filter = nips::Filter::from_value(
            &json!({"authors": [relay.pubkey().to_hex()], "kinds": kinds, "limit": 500}),
        );
        async move {
            let filter = filter.map_err(|e| anyhow::anyhow!("{e}"))?;
            let found = store.query(&filter, 500, now(), Reader::Relay).await?;
            found
                .iter()
                .map(|e| Event::from_json(&e.json).map_err(|e| anyhow::anyhow!("{e}")))
                .collect::<anyhow::Result<Vec<Event>>>()
        }
    };
    let decisions = stored(&[cg::KIND_DECISION]).await?;
    let mut members = stored(&[nip43::KIND_MEMBER_ADDED]).await?;
    anyhow::ensure!(
        !decisions.is_empty(),
        "no genesis: start the relay once first"
    );
    members.extend(added.iter().cloned());
    let ledger = Ledger::replay(&decisions, &members).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(events::membership_list(
        relay,
        &ledger.roster,
        &ledger.policy,
        at,
    ))
}

async fn write(
    store: &dyn store::Store,
    events: Vec<Event>,
    what: &str,
    quiet: bool,
) -> anyhow::Result<()> {
    let bar = progress(events.len() as u64, what, quiet);
    for batch in events.chunks(BATCH) {
        let ops: Vec<WriteOp> = batch
            .iter()
            .map(|e| WriteOp::Save(Arc::new(Record::new(e.clone()))))
            .collect();
        store.write(&ops).await?;
        bar.inc(batch.len() as u64);
    }
    bar.finish_and_clear();
    Ok(())
}
