//! Governance (issue 4): proposals and votes decide the policy; decisions are relay-signed,
//! chained and applied at once.

use std::time::Duration;

use governance::Action;
use nostr_sdk::prelude::*;
use serde_json::json;

use crate::gov::{self, config, decision_on, member, proposal, set, vote};
use crate::harness::{Store, TestRelay};
use crate::raw::Raw;
use crate::{now, on_both_stores, sdk, sign};

fn keys(n: usize) -> Vec<::nips::Keys> {
    (0..n).map(|_| ::nips::Keys::generate()).collect()
}

async fn community(
    store: Store,
    founders: &[::nips::Keys],
    operators: &[&::nips::Keys],
    mode: &str,
    extra: &str,
) -> (TestRelay, String) {
    let refs: Vec<&::nips::Keys> = founders.iter().collect();
    let relay = gov::start(store, &config(&refs, operators, mode, extra)).await;
    let pk = gov::relay_key(&relay).await;
    (relay, pk)
}

async fn limit_change_passes_and_is_enforced_with_nostr_sdk(store: Store) {
    let f = keys(3);
    let (relay, pk) = community(store, &f, &[], "invite", "").await;
    // Proposing and voting from a stock client: NIP-88 polls and responses.
    let sdk_keys: Vec<nostr_sdk::Keys> = f
        .iter()
        .map(|k| nostr_sdk::Keys::parse(&k.secret_hex()).unwrap())
        .collect();
    let proposer = sdk::client(&sdk_keys[0], &relay.url).await;
    let ends = Timestamp::now().as_secs() + 60;
    let poll = EventBuilder::new(Kind::Poll, "Shorter notes: 1,000 characters")
        .tags([
            Tag::parse(["gov", "set"]).unwrap(),
            Tag::parse(["change", "limitation.max_content_length", "1000"]).unwrap(),
            Tag::parse(["class", "ordinary"]).unwrap(),
            Tag::parse(["option", "yes", "Yes"]).unwrap(),
            Tag::parse(["option", "no", "No"]).unwrap(),
            Tag::parse(["option", "abstain", "Abstain"]).unwrap(),
            Tag::parse(["polltype", "singlechoice"]).unwrap(),
            Tag::parse(["endsAt", &ends.to_string()]).unwrap(),
            Tag::parse(["relay", relay.url.as_str()]).unwrap(),
        ])
        .sign_with_keys(&sdk_keys[0])
        .unwrap();
    sdk::publish(&proposer, &poll).await;
    for k in &sdk_keys {
        let c = sdk::client(k, &relay.url).await;
        let response = EventBuilder::new(Kind::PollResponse, "")
            .tags([
                Tag::event(poll.id),
                Tag::parse(["response", "yes"]).unwrap(),
            ])
            .sign_with_keys(k)
            .unwrap();
        sdk::publish(&c, &response).await;
    }
    // Everyone voted: the proposal closes early and the relay applies the decision.
    let mut c = member(&relay, &f[1]).await;
    let decision = decision_on(&mut c, &pk, &poll.id.to_hex()).await;
    assert_eq!(gov::tag(&decision, "result"), Some("passed"));
    assert_eq!(gov::tag(&decision, "v"), Some("2"));
    let policy = gov::policy(&mut c, &pk).await;
    assert_eq!(policy["limitation"]["max_content_length"], 1000);
    assert_eq!(
        gov::info(&relay).await["limitation"]["max_content_length"],
        1000,
        "NIP-11 shows the live value"
    );
    let (ok, message) = c
        .publish(&sign(&f[1], now(), 1, &[], &"x".repeat(1001)))
        .await;
    assert!(
        !ok && message.starts_with("invalid:"),
        "the very next event is judged by the new policy: {message}"
    );
    c.accept(&sign(&f[1], now(), 1, &[], &"x".repeat(1000)))
        .await;
}

async fn ban_passes_and_is_enforced(store: Store) {
    let f = keys(4);
    let (relay, pk) = community(store, &f, &[], "invite", "").await;
    let mut c = member(&relay, &f[0]).await;
    let p = proposal(
        &f[0],
        &Action::Ban {
            target: f[3].pubkey(),
            duration: 86_400,
        },
        3,
        &relay.url,
        "Ban for spam",
    );
    c.accept(&p).await;
    for k in &f[..3] {
        member(&relay, k).await.accept(&vote(k, &p, "yes")).await;
    }
    let decision = decision_on(&mut c, &pk, &p.id.to_hex()).await;
    assert_eq!(gov::tag(&decision, "result"), Some("passed"));
    let mut banned = member(&relay, &f[3]).await;
    let (ok, message) = banned
        .publish(&sign(&f[3], now(), 1, &[], "let me in"))
        .await;
    assert!(!ok && message.starts_with("blocked:"), "{message}");
    let policy = gov::policy(&mut c, &pk).await;
    assert!(
        policy["bans"][f[3].pubkey().to_hex()]["until"]
            .as_u64()
            .unwrap()
            > now()
    );
}

async fn a_proposal_without_quorum_changes_nothing(store: Store) {
    let f = keys(10);
    let (relay, pk) = community(store, &f, &[], "invite", "").await;
    let mut c = member(&relay, &f[0]).await;
    let before = gov::policy(&mut c, &pk).await;
    let p = proposal(
        &f[0],
        &set("limitation.max_content_length", "2000"),
        2,
        &relay.url,
        "",
    );
    c.accept(&p).await;
    c.accept(&vote(&f[0], &p, "yes")).await;
    let decision = decision_on(&mut c, &pk, &p.id.to_hex()).await;
    assert_eq!(
        gov::tag(&decision, "result"),
        Some("no-quorum"),
        "1 of 10 is below 20%"
    );
    let after = gov::policy(&mut c, &pk).await;
    assert_eq!(after, before, "the status quo stands");
    c.accept(&sign(
        &f[0],
        now(),
        1,
        &[],
        "long enough to be over fifty characters for the test's sake",
    ))
    .await;
}

async fn changed_votes_count_once_and_late_votes_are_refused(store: Store) {
    let f = keys(3);
    let (relay, pk) = community(store, &f, &[], "invite", "").await;
    let mut a = member(&relay, &f[0]).await;
    let mut b = member(&relay, &f[1]).await;
    let p = proposal(&f[0], &set("reports.threshold", "5"), 3, &relay.url, "");
    a.accept(&p).await;
    a.accept(&vote(&f[0], &p, "no")).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    a.accept(&vote(&f[0], &p, "yes")).await;
    b.accept(&vote(&f[1], &p, "yes")).await;
    let decision = decision_on(&mut a, &pk, &p.id.to_hex()).await;
    assert_eq!(
        (gov::tally(&decision, "yes"), gov::tally(&decision, "no")),
        (2, 0),
        "the changed vote counts once, as yes"
    );
    assert_eq!(gov::tag(&decision, "result"), Some("passed"));
    let mut late = member(&relay, &f[2]).await;
    let (ok, message) = late.publish(&vote(&f[2], &p, "no")).await;
    assert!(
        !ok && message.starts_with("invalid:") && message.contains("closed"),
        "{message}"
    );
    // Votes on proposals cannot be deleted.
    let votes = a
        .req(
            "v",
            json!([{"authors": [f[0].pubkey().to_hex()], "kinds": [1018]}]),
        )
        .await
        .events();
    let del = sign(
        &f[0],
        now(),
        5,
        &[&["e", votes[0]["id"].as_str().unwrap()]],
        "",
    );
    let (ok, message) = a.publish(&del).await;
    assert!(!ok && message.starts_with("blocked:"), "{message}");
}

async fn invalid_proposals_are_refused(store: Store) {
    let f = keys(2);
    let (relay, _pk) = community(store, &f, &[], "open", "").await;
    let mut c = member(&relay, &f[0]).await;
    let limit = set("limitation.max_content_length", "2000");
    let mut tags = governance::proposal::proposal_tags(&limit, false, now() + 60, &relay.url);
    tags.retain(|t| t[0] != "class");
    tags.push(vec!["class".into(), "constitutional".into()]);
    let wrong_class = f[0].sign(now(), 1068, tags, String::new());
    let too_long = proposal(&f[0], &limit, 30 * 86_400, &relay.url, "");
    let elsewhere = proposal(&f[0], &limit, 60, "wss://elsewhere.example", "");
    let mode_by_set = f[0].sign(
        now(),
        1068,
        governance::proposal::proposal_tags(&limit, false, now() + 60, &relay.url)
            .into_iter()
            .map(|t| {
                if t[0] == "change" {
                    vec!["change".into(), "admission.mode".into(), "invite".into()]
                } else {
                    t
                }
            })
            .collect(),
        String::new(),
    );
    let ratify = proposal(
        &f[0],
        &Action::Ratify(::nips::EventId([1; 32])),
        60,
        &relay.url,
        "",
    );
    for (what, e) in [
        ("wrong class", &wrong_class),
        ("window too long", &too_long),
        ("other relay", &elsewhere),
        ("constitution by set", &mode_by_set),
        ("ratify by a member", &ratify),
    ] {
        let (ok, message) = c.publish(e).await;
        assert!(!ok && message.starts_with("invalid:"), "{what}: {message}");
    }
    // Outsiders may post on an open relay, but not propose.
    let outsider = ::nips::Keys::generate();
    let mut o = Raw::connect(&relay.url).await;
    let (ok, message) = o
        .publish(&proposal(&outsider, &limit, 60, &relay.url, ""))
        .await;
    assert!(!ok && message.starts_with("restricted:"), "{message}");
    // An ordinary poll (no `gov` tag) is just stored.
    o.accept(&sign(
        &outsider,
        now(),
        1068,
        &[&["option", "a", "Pizza"], &["option", "b", "Pasta"]],
        "Lunch?",
    ))
    .await;
}

async fn too_many_open_proposals_are_rate_limited(store: Store) {
    let f = keys(2);
    let toml = config(&[&f[0], &f[1]], &[], "invite", "")
        .replace("min_window = 1", "min_window = 1\nmax_open_per_member = 1");
    let relay = gov::start(store, &toml).await;
    let mut c = member(&relay, &f[0]).await;
    c.accept(&proposal(
        &f[0],
        &set("reports.threshold", "4"),
        60,
        &relay.url,
        "",
    ))
    .await;
    let (ok, message) = c
        .publish(&proposal(
            &f[0],
            &set("reports.threshold", "5"),
            60,
            &relay.url,
            "",
        ))
        .await;
    assert!(!ok && message.starts_with("rate-limited:"), "{message}");
    member(&relay, &f[1])
        .await
        .accept(&proposal(
            &f[1],
            &set("reports.threshold", "6"),
            60,
            &relay.url,
            "",
        ))
        .await;
}

async fn unratified_emergencies_are_reverted(store: Store) {
    let f = keys(3);
    let operator = ::nips::Keys::generate();
    let (relay, pk) = community(
        store,
        &f,
        &[&operator],
        "open",
        "[policy.classes.moderation]\nwindow = 3\ngrace = 0\n",
    )
    .await;
    let victim = ::nips::Keys::generate();
    let kept = ::nips::Keys::generate();
    let mut c = member(&relay, &f[0]).await;
    assert_eq!(
        gov::manage(
            &relay,
            &operator,
            "banpubkey",
            json!([victim.pubkey().to_hex()])
        )
        .await
        .0,
        200
    );
    assert_eq!(
        gov::manage(
            &relay,
            &operator,
            "banpubkey",
            json!([kept.pubkey().to_hex()])
        )
        .await
        .0,
        200
    );
    let (ok, _) = c.publish(&sign(&victim, now(), 1, &[], "banned")).await;
    assert!(!ok);
    // Members ratify the second ban only.
    let polls = c
        .req("r", json!([{"authors": [pk], "kinds": [1068]}]))
        .await
        .events();
    assert_eq!(polls.len(), 2, "one ratification per emergency");
    let decisions = c
        .req(
            "d",
            json!([{"authors": [pk], "kinds": [8002], "#p": [kept.pubkey().to_hex()]}]),
        )
        .await
        .events();
    let kept_decision = decisions[0]["id"].as_str().unwrap().to_string();
    let poll = polls
        .iter()
        .find(|p| {
            p["tags"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t[0] == "e" && t[1] == kept_decision.as_str())
        })
        .unwrap();
    let poll = ::nips::Event::from_json(&poll.to_string()).unwrap();
    for k in &f {
        member(&relay, k).await.accept(&vote(k, &poll, "yes")).await;
    }
    let ratified = decision_on(&mut c, &pk, &poll.id.to_hex()).await;
    assert_eq!(gov::tag(&ratified, "result"), Some("passed"));
    // The other lapses after its window and is reverted.
    let other = polls
        .iter()
        .find(|p| p["id"] != poll.id.to_hex().as_str())
        .unwrap();
    let reverted = decision_on(&mut c, &pk, other["id"].as_str().unwrap()).await;
    assert_eq!(gov::tag(&reverted, "result"), Some("reverted"));
    c.accept(&sign(&victim, now(), 1, &[], "free again")).await;
    let (ok, message) = c.publish(&sign(&kept, now(), 1, &[], "still banned")).await;
    assert!(!ok && message.starts_with("blocked:"), "{message}");
}

async fn reports_open_a_moderation_proposal(store: Store) {
    let f = keys(3);
    let (relay, pk) = community(store, &f, &[], "open", "[policy.reports]\nthreshold = 2\n").await;
    let troll = ::nips::Keys::generate();
    let mut c = Raw::connect(&relay.url).await;
    let bad = sign(&troll, now(), 1, &[], "abuse");
    c.accept(&bad).await;
    let report = |k: &::nips::Keys| {
        sign(
            k,
            now(),
            1984,
            &[
                &["e", &bad.id.to_hex(), "spam"],
                &["p", &troll.pubkey().to_hex()],
            ],
            "",
        )
    };
    // A non-member's report does not count.
    c.accept(&report(&::nips::Keys::generate())).await;
    member(&relay, &f[0]).await.accept(&report(&f[0])).await;
    assert!(
        c.req("p", json!([{"authors": [pk], "kinds": [1068]}]))
            .await
            .events()
            .is_empty(),
        "one member's report is not enough"
    );
    member(&relay, &f[1]).await.accept(&report(&f[1])).await;
    let polls = c
        .req("p2", json!([{"authors": [pk], "kinds": [1068]}]))
        .await
        .events();
    assert_eq!(polls.len(), 1, "two members' reports open a proposal");
    assert_eq!(gov::tag(&polls[0], "gov"), Some("remove-event"));
    let cited = polls[0]["tags"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t[0] == "e" && t[3] == "report")
        .count();
    assert_eq!(cited, 2);
    let poll = ::nips::Event::from_json(&polls[0].to_string()).unwrap();
    for k in &f {
        member(&relay, k).await.accept(&vote(k, &poll, "yes")).await;
    }
    let decision = decision_on(&mut c, &pk, &poll.id.to_hex()).await;
    assert_eq!(gov::tag(&decision, "result"), Some("passed"));
    assert!(
        c.req("gone", json!([{"ids": [bad.id.to_hex()]}]))
            .await
            .events()
            .is_empty()
    );
    let (ok, message) = c.publish(&bad).await;
    assert!(!ok && message.starts_with("blocked:"), "{message}");
}

async fn proposals_survive_a_restart(store: Store) {
    let f = keys(3);
    let (mut relay, pk) = community(store, &f, &[], "invite", "").await;
    let mut a = member(&relay, &f[0]).await;
    let p = proposal(&f[0], &set("reports.threshold", "7"), 6, &relay.url, "");
    a.accept(&p).await;
    a.accept(&vote(&f[0], &p, "yes")).await;
    relay.restart().await;
    let mut b = member(&relay, &f[1]).await;
    b.accept(&vote(&f[1], &p, "yes")).await;
    let decision = decision_on(&mut b, &pk, &p.id.to_hex()).await;
    assert_eq!(gov::tag(&decision, "result"), Some("passed"));
    let yes = decision["tags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t[0] == "tally" && t[1] == "yes")
        .unwrap()[2]
        .clone();
    assert_eq!(yes, "2", "the vote cast before the restart still counts");
    assert_eq!(gov::policy(&mut b, &pk).await["reports"]["threshold"], 7);
}

async fn constitution_needs_its_own_class(store: Store) {
    let f = keys(3);
    let (relay, pk) = community(store, &f, &[], "open", "").await;
    let mut c = member(&relay, &f[0]).await;
    let change = Action::Constitution(vec![
        governance::proposal::Change::parse("admission.mode", "invite")
            .unwrap()
            .0,
    ]);
    let p = proposal(&f[0], &change, 60, &relay.url, "Invite only from now on");
    assert!(
        p.tags.iter().any(|t| t[0] == "option" && t[1] == "block"),
        "constitutional proposals offer block"
    );
    c.accept(&p).await;
    c.accept(&vote(&f[0], &p, "yes")).await;
    member(&relay, &f[1])
        .await
        .accept(&vote(&f[1], &p, "yes"))
        .await;
    member(&relay, &f[2])
        .await
        .accept(&vote(&f[2], &p, "block"))
        .await;
    let decision = decision_on(&mut c, &pk, &p.id.to_hex()).await;
    assert_eq!(
        gov::tag(&decision, "result"),
        Some("failed"),
        "a third of voters blocked"
    );
    assert_eq!(gov::info(&relay).await["governance"]["admission"], "open");
}

async fn banned_members_may_appeal_once(store: Store) {
    let f = keys(3);
    let operator = ::nips::Keys::generate();
    let (relay, pk) = community(store, &f, &[&operator], "invite", "").await;
    assert_eq!(
        gov::manage(
            &relay,
            &operator,
            "banpubkey",
            json!([f[2].pubkey().to_hex(), "oops"])
        )
        .await
        .0,
        200
    );
    // The ban counts for electorates from the next second on.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let mut banned = member(&relay, &f[2]).await;
    let decisions = banned
        .req(
            "d",
            json!([{"authors": [pk], "kinds": [8002], "#p": [f[2].pubkey().to_hex()]}]),
        )
        .await
        .events();
    let ban: ::nips::EventId = decisions[0]["id"].as_str().unwrap().parse().unwrap();
    let appeal = proposal(
        &f[2],
        &Action::Appeal(ban),
        60,
        &relay.url,
        "That was a mistake",
    );
    banned.accept(&appeal).await;
    let again = proposal(&f[2], &Action::Appeal(ban), 60, &relay.url, "Please");
    let (ok, message) = banned.publish(&again).await;
    assert!(
        !ok && message.starts_with("blocked:"),
        "one appeal: {message}"
    );
    for k in &f[..2] {
        member(&relay, k)
            .await
            .accept(&vote(k, &appeal, "yes"))
            .await;
    }
    let decision = decision_on(&mut banned, &pk, &appeal.id.to_hex()).await;
    assert_eq!(gov::tag(&decision, "result"), Some("passed"));
    banned
        .accept(&sign(&f[2], now(), 1, &[], "thank you"))
        .await;
}

on_both_stores!(
    limit_change_passes_and_is_enforced_with_nostr_sdk,
    ban_passes_and_is_enforced,
    a_proposal_without_quorum_changes_nothing,
    changed_votes_count_once_and_late_votes_are_refused,
    invalid_proposals_are_refused,
    too_many_open_proposals_are_rate_limited,
    unratified_emergencies_are_reverted,
    reports_open_a_moderation_proposal,
    proposals_survive_a_restart,
    constitution_needs_its_own_class,
    banned_members_may_appeal_once,
);
