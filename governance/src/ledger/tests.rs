//! Replaying random histories as the relay would, and the ledger's answers about them.

use super::*;
use crate::proposal::Change;
use nips::Keys;
use proptest::prelude::*;

/// Signs a genesis decision the way the relay does.
fn genesis(relay: &Keys, doc: &PolicyDoc, at: u64) -> Event {
    let d = Decision::genesis(doc);
    relay.sign(at, nips::cg::KIND_DECISION, d.tags(), doc.canonical())
}

#[derive(Debug, Clone)]
enum Step {
    Pass(Action),
    Fail(Action),
    Emergency(Action),
    RevertLast,
}

fn arb_action() -> impl Strategy<Value = Action> {
    let key = (0u8..4).prop_map(|i| PubKey([i + 1; 32]));
    prop_oneof![
        (10u32..1000).prop_map(|n| Action::Set(vec![
            Change::parse("limitation.max_content_length", &n.to_string())
                .unwrap()
                .0
        ])),
        (0u32..5).prop_map(|n| Action::Set(vec![
            Change::parse("reports.threshold", &n.to_string())
                .unwrap()
                .0
        ])),
        (key.clone(), 0u64..100).prop_map(|(target, duration)| Action::Ban { target, duration }),
        key.prop_map(Action::Unban),
        (0u8..4).prop_map(|i| Action::RemoveEvent(EventId([i; 32]))),
        (0u8..4).prop_map(|i| Action::RestoreEvent(EventId([i; 32]))),
    ]
}

fn arb_step() -> impl Strategy<Value = Step> {
    prop_oneof![
        arb_action().prop_map(Step::Pass),
        arb_action().prop_map(Step::Fail),
        arb_action().prop_map(Step::Emergency),
        Just(Step::RevertLast),
    ]
}

/// Runs `steps` as the relay would, returning the signed decisions and the final ledger.
fn run(steps: &[Step]) -> (Vec<Event>, Ledger) {
    let relay = Keys::generate();
    let doc = PolicyDoc::from_policy(&Policy::default());
    let g = genesis(&relay, &doc, 1_000);
    let mut ledger = Ledger::genesis(doc).unwrap();
    ledger
        .commit(
            g.id,
            g.created_at,
            &Decision::parse(&g).unwrap(),
            ledger.doc.clone(),
            None,
        )
        .unwrap();
    let mut events = vec![g];
    for (i, step) in steps.iter().enumerate() {
        let at = 1_000 + 10 * (i as u64 + 1);
        let (resolution, draft) = match step {
            Step::Pass(a) => (
                Resolution::Passed,
                Draft {
                    action: Some(a.clone()),
                    proposal: Some(EventId([200; 32])),
                    author: Some(PubKey([9; 32])),
                    ..Draft::default()
                },
            ),
            Step::Fail(a) => (
                Resolution::Failed,
                Draft {
                    action: Some(a.clone()),
                    ..Draft::default()
                },
            ),
            Step::Emergency(a) => (
                Resolution::Emergency,
                Draft {
                    action: Some(a.clone()),
                    author: Some(PubKey([8; 32])),
                    reason: "now".into(),
                    ..Draft::default()
                },
            ),
            Step::RevertLast => match ledger.pending.keys().next_back() {
                Some(em) => (
                    Resolution::Reverted,
                    Draft {
                        reverts: Some(*em),
                        ..Draft::default()
                    },
                ),
                None => continue,
            },
        };
        let Ok(prepared) = ledger.prepare(resolution, draft, at) else {
            continue;
        };
        let e = relay.sign(
            at,
            nips::cg::KIND_DECISION,
            prepared.decision.tags(),
            String::new(),
        );
        ledger
            .commit(e.id, at, &prepared.decision, prepared.doc, prepared.pending)
            .unwrap();
        events.push(e);
    }
    (events, ledger)
}

proptest! {
    #[test]
    fn replaying_the_chain_reproduces_the_policy(steps in prop::collection::vec(arb_step(), 0..25)) {
        let (events, live) = run(&steps);
        // Replay from the events alone, in any storage order.
        let mut shuffled = events.clone();
        shuffled.reverse();
        let replayed = Ledger::replay(&shuffled, &[]).unwrap();
        prop_assert_eq!(replayed.doc.hash(), live.doc.hash());
        prop_assert_eq!(&replayed.chain, &live.chain);
        prop_assert_eq!(replayed.pending.keys().collect::<Vec<_>>(), live.pending.keys().collect::<Vec<_>>());
    }

    #[test]
    fn apply_is_deterministic(action in arb_action()) {
        let doc = PolicyDoc::from_policy(&Policy::default());
        let ctx = ApplyContext { author: &PubKey([1; 32]), reason: "r", now: 5 };
        let a = state::apply(&doc, &Roster::default(), &action, &ctx);
        let b = state::apply(&doc, &Roster::default(), &action, &ctx);
        prop_assert_eq!(a.map(|x| x.doc.hash()), b.map(|x| x.doc.hash()));
    }
}

#[test]
fn a_frozen_electorate_agrees_with_the_set() {
    let keys: Vec<PubKey> = (1..=6).map(|i| PubKey([i; 32])).collect();
    let mut policy = Policy::default();
    let ban = |until| crate::policy::Ban {
        until,
        reason: String::new(),
    };
    policy.bans.insert(keys[0], ban(0));
    policy.bans.insert(keys[1], ban(35));
    policy.bans.insert(PubKey([99; 32]), ban(0));
    let mut ledger = Ledger::genesis(PolicyDoc::from_policy(&policy)).unwrap();
    for (i, k) in keys.iter().enumerate() {
        ledger.roster.add(*k, 10 * i as u64, None);
    }
    ledger.roster.remove(&keys[2], 42);
    for at in 0..70 {
        let set = ledger.electorate_at(at);
        let frozen = ledger.electorate(at);
        assert_eq!(frozen.len, set.len(), "at {at}");
        let electors = ledger.electors(frozen);
        for k in keys.iter().chain([&PubKey([99; 32])]) {
            assert_eq!(electors.contains(k), set.contains(k), "{k:?} at {at}");
        }
        assert_eq!(electors.keys(), set);
        assert_eq!(
            electors.digest(),
            crate::roster::digest_keys(&set),
            "the streamed digest at {at}"
        );
    }
}

#[test]
fn remembered_digests_follow_the_roster() {
    let keys: Vec<PubKey> = (0..8).map(|i| PubKey([i; 32])).collect();
    let mut ledger = Ledger::genesis(PolicyDoc::from_policy(&Policy::default())).unwrap();
    let mut digests = Digests::default();
    let fresh = |ledger: &Ledger, at| crate::roster::digest_keys(&ledger.electorate_at(at));
    for (i, k) in keys.iter().enumerate() {
        let at = 10 + 5 * (i as u64 / 2);
        ledger.roster.add(*k, at, None);
        // Asked at every moment so far, before and after a change in the same second.
        for t in 0..=at + 1 {
            let frozen = ledger.electors(ledger.electorate(t));
            assert_eq!(digests.of(&frozen), fresh(&ledger, t), "at {t} after {i}");
        }
    }
    ledger.roster.remove(&keys[3], 30);
    let frozen = ledger.electors(ledger.electorate(30));
    assert_eq!(digests.of(&frozen), fresh(&ledger, 30), "after a leave");
    let mut policy = ledger.policy.clone();
    policy.bans.insert(
        keys[0],
        crate::policy::Ban {
            until: 0,
            reason: String::new(),
        },
    );
    ledger.versions.push((40, policy));
    let frozen = ledger.electors(ledger.electorate(41));
    assert_eq!(digests.of(&frozen), fresh(&ledger, 41), "after a ban");
    assert_ne!(digests.of(&frozen), fresh(&ledger, 39));
}

#[test]
fn founders_vote_on_a_proposal_made_in_the_genesis_second() {
    let relay = Keys::generate();
    let founder = Keys::generate().pubkey();
    let doc = PolicyDoc::from_policy(&Policy::default());
    let g = genesis(&relay, &doc, 1_000);
    let added = relay.sign(
        1_000,
        nip43::KIND_MEMBER_ADDED,
        vec![
            vec!["p".into(), founder.to_hex()],
            vec!["seq".into(), "1".into()],
        ],
        String::new(),
    );
    let ledger = Ledger::replay(&[g], &[added]).unwrap();
    assert_eq!(ledger.electorate_at(1_000), [founder].into());
    assert!(ledger.electorate_at(999).is_empty());
}

#[test]
fn tampering_is_detected() {
    let steps = vec![Step::Pass(Action::Set(vec![
        Change::parse("limitation.max_content_length", "280")
            .unwrap()
            .0,
    ]))];
    let (mut events, _) = run(&steps);
    // Forge the second decision's recorded policy: replay must refuse it.
    let forged_tags: Vec<nips::Tag> = events[1]
        .tags
        .iter()
        .map(|t| {
            if t[0] == "policy" {
                vec!["policy".into(), "00".repeat(32)]
            } else {
                t.clone()
            }
        })
        .collect();
    let relay = Keys::generate();
    events[1] = relay.sign(
        events[1].created_at,
        nips::cg::KIND_DECISION,
        forged_tags,
        String::new(),
    );
    assert!(matches!(
        Ledger::replay(&events, &[]),
        Err(ReplayError::PolicyMismatch(..))
    ));
    // A decision not linked to the chain.
    let (mut events, _) = run(&steps);
    events.push(relay.sign(
        5,
        nips::cg::KIND_DECISION,
        vec![
            vec!["result".into(), "failed".into()],
            vec!["prev".into(), "11".repeat(32)],
            vec!["v".into(), "0".into()],
            vec!["policy".into(), "00".repeat(32)],
        ],
        String::new(),
    ));
    assert!(matches!(
        Ledger::replay(&events, &[]),
        Err(ReplayError::Unlinked(_))
    ));
}

/// After an amendment of a proposal passes, only votes cast after it count, and the
/// proposal stays open `revote` seconds for them; a document without `revote` (an older
/// record) keeps the old rule, so it replays as decided.
#[test]
fn a_passed_amendment_opens_a_new_vote() {
    const DAY: u64 = 86_400;
    let change = |n: &str| {
        Action::Set(vec![
            Change::parse("limitation.max_content_length", n).unwrap().0,
        ])
    };
    let p = crate::proposal::Proposal {
        id: EventId([7; 32]),
        author: PubKey([1; 32]),
        created_at: 100,
        ends_at: 100 + 3 * DAY,
        class: crate::class::Class::Ordinary,
        action: change("280"),
        block: false,
        title: String::new(),
        amends: None,
    };
    let mut ledger = Ledger::genesis(PolicyDoc::from_policy(&Policy::default())).unwrap();
    let rules = ledger.rules_with(&p, 3);
    let before = ledger.window(&p, &rules, u64::MAX);
    assert_eq!((before.opens, before.ends), (100 + DAY, p.ends_at));
    let at = p.ends_at - 60;
    let amendment = Decision {
        resolution: Resolution::Passed,
        prev: None,
        proposal: Some(EventId([8; 32])),
        action: Some(change("500")),
        reverts: None,
        amends: Some(p.id),
        tally: None,
        author: None,
        reason: String::new(),
        version: ledger.doc.version(),
        policy: ledger.doc.hash(),
        emergency: None,
        code: None,
    };
    let doc = ledger.doc.clone();
    ledger
        .commit(EventId([9; 32]), at, &amendment, doc, None)
        .unwrap();
    let after = ledger.window(&p, &rules, u64::MAX);
    assert_eq!(
        after.opens, at,
        "votes before the amendment no longer count"
    );
    assert_eq!(after.ends, at + DAY, "a day to vote again");
    assert_eq!(ledger.ends_at(&p, &rules), at + DAY);
    assert_eq!(ledger.action_of(&p), &change("500"));
    let mut legacy = rules.clone();
    legacy.rule.revote = None;
    let old = ledger.window(&p, &legacy, u64::MAX);
    assert_eq!((old.opens, old.ends), (before.opens, before.ends));
}
