//! Governance as a service of its own: a community built from a store and its narrow handles
//! (no relay, no server), deciding a proposal and delivering the decision live.

use std::sync::Arc;
use std::time::Duration;

use governance::Action;
use governance::proposal::{Change, proposal_tags};
use nips::{Filter, Keys, cg, nip88};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::Community;
use super::hands::Hands;
use super::notice::Notices;
use crate::config::{Config, RawConfig};
use crate::dates::unix_now;
use crate::fanout::{Fanout, Subscriber};
use crate::ratelimit::CurrentLimits;
use crate::store::Record;
use crate::writer::Writer;

const URL: &str = "ws://community.test";

/// A community founded by `founder` in `dir`, with decisions made as soon as everyone voted.
async fn community(dir: &std::path::Path, founder: &Keys) -> (Arc<Community>, Arc<Hands>) {
    let raw = RawConfig {
        data_dir: dir.to_owned(),
        founders: vec![founder.pubkey().to_hex()],
        policy: serde_json::json!({"classes": {"ordinary": {"deliberation": 0, "grace": 0}}}),
        ..RawConfig::default()
    };
    let config = Config::validate(raw).unwrap();
    let store = crate::store::open(None, dir, config.store_options())
        .await
        .unwrap();
    let (writer, _task) = Writer::spawn(store.clone(), 16, CancellationToken::new());
    let community = Community::start(&store, &writer, &config, URL.into(), unix_now(), None)
        .await
        .unwrap();
    let (notices, _pending) = Notices::new();
    let limits = Arc::new(CurrentLimits::new(&community.snapshot().policy.rate));
    let hands = Hands {
        config,
        public_url: URL.into(),
        store,
        writer,
        fanout: Arc::new(Fanout::default()),
        notices,
        open: Arc::default(),
        limits,
        tasks: TaskTracker::new(),
        shutdown: CancellationToken::new(),
    };
    (Arc::new(community), Arc::new(hands))
}

#[tokio::test]
async fn a_community_needs_only_its_hands() {
    let dir = tempfile::tempdir().unwrap();
    let founder = Keys::generate();
    let (community, hands) = community(dir.path(), &founder).await;
    // Someone listening for decisions, as a connection's subscription would.
    let (tx, mut live) = mpsc::channel(16);
    let decisions = Filter::from_value(&serde_json::json!({"kinds": [cg::KIND_DECISION]})).unwrap();
    hands.fanout.subscribe(
        1,
        "d".into(),
        vec![decisions],
        Arc::new(Subscriber::new(tx)),
    );

    let now = unix_now();
    let action = Action::Set(vec![Change::parse("reports.threshold", "7").unwrap().0]);
    let tags = proposal_tags(&action, false, now + 7_200, URL);
    let proposal = founder.sign(now, nip88::KIND_POLL, tags, "Seven reports".into());
    let opened = community
        .propose(&hands, &Arc::new(Record::new(proposal.clone())))
        .await;
    assert!(matches!(opened, Some(Ok(_))), "{opened:?}");
    let tags = vec![
        vec!["e".into(), proposal.id.to_hex()],
        vec!["response".into(), "yes".into()],
    ];
    let vote = founder.sign(now, nip88::KIND_RESPONSE, tags, String::new());
    let counted = community.vote(&hands, &Arc::new(Record::new(vote))).await;
    assert!(matches!(counted, Some(Ok(_))), "{counted:?}");

    let frame = tokio::time::timeout(Duration::from_secs(5), live.recv())
        .await
        .expect("the decision is delivered live")
        .unwrap();
    assert!(frame.json.contains(&proposal.id.to_hex()), "{}", frame.json);
    assert_eq!(community.snapshot().policy.reports.threshold, 7);
}
