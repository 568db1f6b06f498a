//! `communitarium verify`: passes on an honest relay, and catches a database edited behind the
//! relay's back.

use std::process::Stdio;
use std::time::Duration;

use serde_json::json;
use sqlx::Connection;

use crate::gov::{self, config, decision_on, member, proposal, set, vote};
use crate::harness::{Store, TestRelay};
use crate::on_both_stores;

/// Runs `communitarium verify` against `relay`: success and everything it printed.
pub async fn run_verify(relay: &TestRelay) -> (bool, String) {
    let out = relay
        .command(&["verify", &relay.url])
        .stderr(Stdio::piped())
        .output();
    let out = tokio::time::timeout(Duration::from_secs(60), out)
        .await
        .unwrap()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// Runs `sql` (with one hex id bound as bytes) against the relay's database.
pub async fn tamper(relay: &TestRelay, sql: &str, id: &str) {
    let id = hex::decode(id).unwrap();
    match &relay.db {
        Some(db) => {
            let mut c = sqlx::PgConnection::connect(&db.url).await.unwrap();
            let done = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
                .bind(id)
                .execute(&mut c)
                .await
                .unwrap();
            assert_eq!(done.rows_affected(), 1);
        }
        None => {
            let path = relay.data_dir.join("communitarium.db");
            let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
                .await
                .unwrap();
            let done = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
                .bind(id)
                .execute(&mut c)
                .await
                .unwrap();
            assert_eq!(done.rows_affected(), 1);
        }
    }
}

async fn verify_passes_then_catches_tampering(store: Store) {
    let f: Vec<::nips::Keys> = (0..3).map(|_| ::nips::Keys::generate()).collect();
    let operator = ::nips::Keys::generate();
    let toml = config(&[&f[0], &f[1], &f[2]], &[&operator], "invite", "");
    let relay = gov::start(store, &toml).await;
    let pk = gov::relay_key(&relay).await;
    // A passed change, an emergency ban that is ratified, and an invited member.
    let mut c = member(&relay, &f[0]).await;
    let p = proposal(
        &f[0],
        &set("limitation.max_content_length", "1500"),
        60,
        &relay.url,
        "Shorter notes",
    );
    c.accept(&p).await;
    for k in &f {
        member(&relay, k).await.accept(&vote(k, &p, "yes")).await;
    }
    decision_on(&mut c, &pk, &p.id.to_hex()).await;
    let spammer = ::nips::Keys::generate();
    assert_eq!(
        gov::manage(
            &relay,
            &operator,
            "banpubkey",
            json!([spammer.pubkey().to_hex(), "spam"])
        )
        .await
        .0,
        200
    );
    let polls = c
        .req("r", json!([{"authors": [pk], "kinds": [1068]}]))
        .await
        .events();
    let ratify = ::nips::Event::from_json(&polls[0].to_string()).unwrap();
    for k in &f {
        member(&relay, k)
            .await
            .accept(&vote(k, &ratify, "yes"))
            .await;
    }
    decision_on(&mut c, &pk, &ratify.id.to_hex()).await;
    let invite = c.req("i", json!([{"kinds": [28935]}])).await.events();
    let code = gov::tag(&invite[0], "claim").unwrap().to_string();
    let newcomer = ::nips::Keys::generate();
    let mut n = member(&relay, &newcomer).await;
    n.accept(&crate::sign(
        &newcomer,
        crate::now(),
        28934,
        &[&["-"], &["claim", &code]],
        "",
    ))
    .await;

    let (ok, text) = run_verify(&relay).await;
    assert!(ok, "verify fails on an honest relay:\n{text}");
    assert!(
        text.contains("4 decisions replayed")
            && text.contains("2 tallies re-counted")
            && text.contains("1 emergency"),
        "genesis, a change, an emergency, its ratification: {text}"
    );
    assert!(text.contains("4 members"), "{text}");

    // Someone deletes a counted vote in the database: the tally no longer adds up.
    let my_vote = c
        .req(
            "v",
            json!([{"authors": [f[1].pubkey().to_hex()], "kinds": [1018], "#e": [p.id.to_hex()]}]),
        )
        .await
        .events();
    tamper(
        &relay,
        "DELETE FROM events WHERE id = $1",
        my_vote[0]["id"].as_str().unwrap(),
    )
    .await;
    let (ok, text) = run_verify(&relay).await;
    assert!(!ok, "verify must catch a deleted vote:\n{text}");
    assert!(text.contains("re-counting the votes"), "{text}");
}

async fn verify_catches_an_edited_policy(store: Store) {
    let f = ::nips::Keys::generate();
    let mut relay = gov::start(store, &config(&[&f], &[], "invite", "")).await;
    let pk = gov::relay_key(&relay).await;
    let mut c = member(&relay, &f).await;
    let doc = c
        .req("p", json!([{"authors": [pk], "kinds": [33535]}]))
        .await
        .events();
    let (ok, text) = run_verify(&relay).await;
    assert!(ok, "{text}");
    // Rewrite the policy document to open the relay, behind the members' backs.
    let sql = "UPDATE events SET json = replace(json, '\\\"mode\\\":\\\"invite\\\"', '\\\"mode\\\":\\\"open\\\"') WHERE id = $1";
    tamper(&relay, sql, doc[0]["id"].as_str().unwrap()).await;
    // The running relay still serves the copy it checked, from memory; restarted, it serves
    // what is in the database.
    relay.restart().await;
    let (ok, text) = run_verify(&relay).await;
    assert!(!ok, "verify must catch an edited policy document:\n{text}");
}

/// Three founders pass a proposal unanimously: the relay and its decision.
async fn a_passed_proposal(store: Store) -> (TestRelay, Vec<::nips::Keys>, ::nips::Event) {
    let f: Vec<::nips::Keys> = (0..3).map(|_| ::nips::Keys::generate()).collect();
    let relay = gov::start(store, &config(&[&f[0], &f[1], &f[2]], &[], "open", "")).await;
    let pk = gov::relay_key(&relay).await;
    let mut c = member(&relay, &f[0]).await;
    let p = proposal(&f[0], &set("reports.threshold", "4"), 60, &relay.url, "");
    c.accept(&p).await;
    for k in &f {
        member(&relay, k).await.accept(&vote(k, &p, "yes")).await;
    }
    decision_on(&mut c, &pk, &p.id.to_hex()).await;
    (relay, f, p)
}

async fn vote_id(relay: &TestRelay, voter: &::nips::Keys, p: &::nips::Event) -> String {
    let mut c = crate::raw::Raw::connect(&relay.url).await;
    let votes = c
        .req(
            "v",
            json!([{"authors": [voter.pubkey().to_hex()], "kinds": [1018], "#e": [p.id.to_hex()]}]),
        )
        .await
        .events();
    votes[0]["id"].as_str().unwrap().to_string()
}

async fn a_vanish_for_another_relay_excuses_nothing(store: Store) {
    let (relay, f, p) = a_passed_proposal(store).await;
    // A dishonest operator removes a counted vote; a member then asks *another* relay to
    // erase them, which a careless audit would take as the reason the vote is gone.
    tamper(
        &relay,
        "DELETE FROM events WHERE id = $1",
        &vote_id(&relay, &f[1], &p).await,
    )
    .await;
    let elsewhere = crate::sign(
        &f[1],
        crate::now(),
        62,
        &[&["relay", "wss://elsewhere.example"]],
        "",
    );
    member(&relay, &f[1]).await.accept(&elsewhere).await;
    let (ok, text) = run_verify(&relay).await;
    assert!(!ok, "the deleted vote is not explained:\n{text}");
    assert!(text.contains("no vanished voters explain"), "{text}");
}

async fn a_voter_who_vanishes_after_a_decision_leaves_it_verifiable(store: Store) {
    let (relay, f, _) = a_passed_proposal(store).await;
    let here = crate::sign(&f[2], crate::now() + 1, 62, &[&["relay", &relay.url]], "");
    member(&relay, &f[2]).await.accept(&here).await;
    let (ok, text) = run_verify(&relay).await;
    assert!(ok, "{text}");
    assert!(text.contains("gone with voters who vanished"), "{text}");
}

async fn a_voter_who_vanishes_before_the_close_is_not_counted(store: Store) {
    let f: Vec<::nips::Keys> = (0..3).map(|_| ::nips::Keys::generate()).collect();
    let relay = gov::start(store, &config(&[&f[0], &f[1], &f[2]], &[], "open", "")).await;
    let pk = gov::relay_key(&relay).await;
    let mut c = member(&relay, &f[0]).await;
    let p = proposal(&f[0], &set("reports.threshold", "4"), 3, &relay.url, "");
    c.accept(&p).await;
    let mut leaver = member(&relay, &f[2]).await;
    leaver.accept(&vote(&f[2], &p, "no")).await;
    let here = crate::sign(&f[2], crate::now(), 62, &[&["relay", &relay.url]], "");
    leaver.accept(&here).await;
    for k in &f[..2] {
        member(&relay, k).await.accept(&vote(k, &p, "yes")).await;
    }
    let decision = decision_on(&mut c, &pk, &p.id.to_hex()).await;
    let no = decision["tags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t[0] == "tally" && t[1] == "no")
        .unwrap()[2]
        .clone();
    assert_eq!(no, "0", "the vanished voter's vote went with them");
    let (ok, text) = run_verify(&relay).await;
    assert!(ok, "{text}");
}

/// Commands read a record query by query (verify, sync, transfer) and close each
/// subscription: more queries than the relay's 100 open subscriptions all answer.
async fn a_peer_closes_what_it_has_read(store: Store) {
    let relay = TestRelay::builder(store).start().await;
    let mut peer = communitarium::peer::Peer::connect(&relay.url, None, Default::default())
        .await
        .unwrap();
    for since in 0..120 {
        let read = peer.req(&json!({"kinds": [1], "since": since})).await;
        assert!(read.is_ok(), "query {since}: {read:?}");
        // Within the default message rate (50 a second; a REQ and its CLOSE are two).
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// A record whose decision closed before its class's grace ran out, signed by the relay's own
/// key (as a relay that skips the grace would sign it), is caught: `verify` does not trust the
/// relay's clock, it re-derives the earliest close from the votes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_catches_a_decision_closed_inside_the_grace() {
    let f: Vec<::nips::Keys> = (0..2).map(|_| ::nips::Keys::generate()).collect();
    let extra = "[policy.classes.ordinary]\ndeliberation = 0\ngrace = 3\n";
    let toml = config(&[&f[0], &f[1]], &[], "invite", extra);
    let old = gov::start(Store::Sqlite, &toml).await;
    let pk = gov::relay_key(&old).await;
    let mut c = member(&old, &f[0]).await;
    let p = proposal(&f[0], &set("reports.threshold", "4"), 600, &old.url, "");
    c.accept(&p).await;
    let mut last = 0;
    for k in &f {
        let v = vote(k, &p, "yes");
        last = last.max(v.created_at);
        member(&old, k).await.accept(&v).await;
    }
    let d = decision_on(&mut c, &pk, &p.id.to_hex()).await;
    assert!(d["created_at"].as_u64().unwrap() >= last + 3, "{d}");
    // The record, with the decision dated at the last vote and signed again by the relay.
    let key = std::fs::read_to_string(old.data_dir.join("relay.key")).unwrap();
    let relay_keys = ::nips::Keys::parse(key.trim()).unwrap();
    let (ok, out, err) = crate::transfer::run(
        &old,
        &crate::transfer::args("export", old.store_args(), &[]),
        b"",
    )
    .await;
    assert!(ok, "{err}");
    let lines: Vec<String> = out
        .lines()
        .map(|line| {
            let e = ::nips::Event::from_json(line).unwrap();
            match e.id.to_hex() == d["id"].as_str().unwrap() {
                true => relay_keys.sign(last, e.kind, e.tags, e.content).to_json(),
                false => line.to_string(),
            }
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(old.data_dir.join("relay.key"), dir.path().join("relay.key")).unwrap();
    let into = vec!["--data-dir".to_string(), dir.path().display().to_string()];
    let input = lines.join("\n") + "\n";
    let (ok, _, err) = crate::transfer::run(
        &old,
        &crate::transfer::args("import", into, &[]),
        input.as_bytes(),
    )
    .await;
    assert!(ok, "import failed: {err}");
    let forged = TestRelay::builder(Store::Sqlite)
        .config(&toml)
        .data_dir(dir.path().to_owned())
        .start()
        .await;
    let (ok, text) = run_verify(&forged).await;
    assert!(!ok, "verify must catch a close inside the grace:\n{text}");
    assert!(text.contains("closed early"), "{text}");
}

on_both_stores!(
    a_peer_closes_what_it_has_read,
    verify_passes_then_catches_tampering,
    verify_catches_an_edited_policy,
    a_vanish_for_another_relay_excuses_nothing,
    a_voter_who_vanishes_after_a_decision_leaves_it_verifiable,
    a_voter_who_vanishes_before_the_close_is_not_counted,
);
