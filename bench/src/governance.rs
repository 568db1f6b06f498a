//! The governance engine at community scale, in process: the same `governance` calls the relay
//! makes under its governance lock, on a community of N members, P open proposals and V
//! votes. Members keep joining while proposals open (one joins between two proposals), so no
//! two proposals have the same electorate.
//!
//! Reports the time to open each proposal (freezing its electorate and its rules, as the
//! relay does), what each vote costs (the membership check and the settled-early tally the
//! relay runs on every vote), each close's tally, and the process's memory holding it all.

use std::time::Instant;

use anyhow::Context;
use clap::Args;
use governance::class::Class;
use governance::delegation::Delegations;
use governance::ledger::{Electorate, Ledger};
use governance::policy::{Policy, PolicyDoc};
use governance::proposal::{Action, Proposal};
use governance::tally::{self, Electors};
use governance::vote::{Choice, Vote};
use nips::{EventId, PubKey};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::connections::rss_mib;
use crate::stats::{Latency, Report};

/// The size of a community, shared by `governance` and `record`.
#[derive(Debug, Args)]
pub struct Scale {
    /// Members of the community
    #[arg(long, default_value_t = 100_000)]
    pub members: u32,
    /// Proposals open at once
    #[arg(long, default_value_t = 1_000)]
    pub proposals: u32,
    /// Votes, spread evenly over the proposals
    #[arg(long, default_value_t = 1_000_000)]
    pub votes: u32,
}

#[derive(Debug, Args)]
pub struct GovernanceArgs {
    #[command(flatten)]
    pub scale: Scale,
}

const T0: u64 = 1_700_000_000;

/// A key (or id) made from a number: the engine never checks signatures.
fn bytes(tag: &str, i: u32) -> [u8; 32] {
    Sha256::digest(format!("{tag}{i}")).into()
}

fn key(i: u32) -> anyhow::Result<PubKey> {
    PubKey::from_slice(&bytes("member", i)).context("a 32-byte key")
}

struct Open {
    proposal: Proposal,
    electorate: Electorate,
    rules: tally::Rules,
    votes: Vec<Vote>,
}

pub async fn run(args: GovernanceArgs, quiet: bool) -> anyhow::Result<Report> {
    let a = args.scale;
    let pid = std::process::id();
    let rss_start = rss_mib(pid).unwrap_or_default();
    let mut ledger = Ledger::genesis(PolicyDoc::from_policy(&Policy::default()))
        .map_err(|e| anyhow::anyhow!(e))?;
    let started = Instant::now();
    let n = a.members.max(a.proposals);
    for i in 0..n {
        ledger.roster.add(key(i)?, T0 + u64::from(i), None);
    }
    let roster_secs = started.elapsed().as_secs_f64();
    let rss_roster = rss_mib(pid).unwrap_or_default();

    // Proposal j opens just after member n - P + j joined.
    let mut open = Vec::with_capacity(a.proposals as usize);
    let mut opening = Latency::default();
    for j in 0..a.proposals {
        let at = T0 + u64::from(n - a.proposals + j);
        let proposal = Proposal {
            id: EventId::from_slice(&bytes("proposal", j)).context("a 32-byte id")?,
            author: key(0)?,
            created_at: at,
            ends_at: at + 7 * 86_400,
            class: Class::Ordinary,
            action: Action::Unban(key(0)?),
            block: false,
            title: format!("proposal {j}"),
            amends: None,
        };
        let t = Instant::now();
        let electorate = ledger.electorate(at);
        let rules = ledger.rules_with(&proposal, electorate.len);
        opening.record(t.elapsed());
        open.push(Open {
            proposal,
            electorate,
            rules,
            votes: Vec::new(),
        });
    }
    let rss_open = rss_mib(pid).unwrap_or_default();
    if !quiet {
        eprintln!("{n} members, {} proposals open; voting", a.proposals);
    }

    // Votes, round-robin over the proposals, each from a distinct member of its electorate.
    let mut voting = Latency::default();
    let now = T0 + u64::from(n) + 60;
    let mut settled = 0u64;
    for v in 0..a.votes {
        let o = &mut open[(v % a.proposals.max(1)) as usize];
        let voter = key(v / a.proposals.max(1) % n)?;
        let vote = Vote {
            id: EventId::from_slice(&bytes("vote", v)).context("a 32-byte id")?,
            voter,
            created_at: o.proposal.created_at + 1,
            proposal: o.proposal.id,
            choice: if v % 3 == 0 { Choice::No } else { Choice::Yes },
        };
        let t = Instant::now();
        let electors = ledger.electors(o.electorate);
        if electors.contains(&vote.voter) {
            o.votes.push(vote);
            settled += u64::from(o.rules.settled(&tally_at(o, &ledger, now)));
        }
        voting.record(t.elapsed());
    }
    let rss_votes = rss_mib(pid).unwrap_or_default();

    let mut closing = Latency::default();
    let mut passed = 0u64;
    for o in &open {
        let t = Instant::now();
        let electors = ledger.electors(o.electorate);
        let outcome = o.rules.outcome(&tally_at(o, &ledger, now));
        let _digest = governance::roster::digest_keys(electors.keys().iter());
        closing.record(t.elapsed());
        passed += u64::from(outcome == tally::Outcome::Passed);
    }
    Ok(Report {
        scenario: "governance",
        params: json!({"members": n, "proposals": a.proposals, "votes": a.votes}),
        results: json!({
            "roster_build_secs": roster_secs,
            "open_electorate": opening.summary(),
            "vote": voting.summary(),
            "close_tally_and_digest": closing.summary(),
            "settled_checks_true": settled,
            "passed": passed,
            "rss_mib": {
                "roster": rss_roster - rss_start,
                "open_proposals": rss_open - rss_roster,
                "votes": rss_votes - rss_open,
            },
        }),
    })
}

/// The tally of `o` at a close at `now`, as the relay counts it. The scenario's votes are
/// cast right after each proposal opens, so deliberation is left out (it changes no cost).
fn tally_at(o: &Open, ledger: &Ledger, now: u64) -> tally::Tally {
    let electors = ledger.electors(o.electorate);
    let suspended = ledger.suspended(&electors, now);
    let window = tally::Window {
        opens: o.proposal.created_at,
        ends: o.proposal.ends_at,
        closed_at: now,
    };
    tally::count_excluding(
        &o.proposal,
        &o.votes,
        &electors,
        window,
        &suspended,
        &Delegations::default(),
    )
}
