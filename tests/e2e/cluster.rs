//! Several nodes on one PostgreSQL database (issue 13): three real nodes, each its own
//! process and port, one relay to every client.

use std::time::Duration;

use nips::Keys;
use serde_json::json;

use crate::db::TestPostgres;
use crate::gov::{self, config, decision_on, member, proposal, set, vote};
use crate::harness::{Store, TestRelay};
use crate::raw::Raw;
use crate::{now, sign};

/// Nodes sharing one database and one relay key.
pub(crate) struct Cluster {
    db: TestPostgres,
    key: Keys,
    toml: String,
    pub(crate) nodes: Vec<TestRelay>,
}

impl Cluster {
    pub(crate) async fn start(n: usize, toml: &str) -> Self {
        // Every node founds the same community: one founder for all when the test names none.
        let toml = match toml.contains("founders = [\"") {
            true => toml.to_string(),
            false => format!(
                "founders = [\"{}\"]\n{toml}",
                Keys::generate().pubkey().to_hex()
            ),
        };
        let mut c = Self {
            db: TestPostgres::create().await,
            key: Keys::generate(),
            toml,
            nodes: Vec::new(),
        };
        for i in 0..n {
            let node = c.node(&format!("node-{i}")).start().await;
            c.nodes.push(node);
        }
        c
    }

    /// A node of this cluster named `id`, not yet started.
    fn node(&self, id: &str) -> crate::harness::Builder {
        TestRelay::builder(Store::Postgres)
            .database_url(self.db.url.clone())
            .config(&self.toml)
            .args(["--relay-key", &self.key.secret_hex(), "--node-id", id])
    }

    pub(crate) fn pubkey(&self) -> String {
        self.key.pubkey().to_hex()
    }

    /// The node that leads now, waiting for one to take over.
    async fn leader(&self) -> usize {
        for _ in 0..100 {
            for (i, n) in self.nodes.iter().enumerate() {
                if n.is_running()
                    && n.metrics()
                        .await
                        .lines()
                        .any(|l| l == "communitarium_cluster_leader 1")
                {
                    return i;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no node leads within 10 s");
    }
}

fn keys(n: usize) -> Vec<Keys> {
    (0..n).map(|_| Keys::generate()).collect()
}

/// Events published on one node reach live subscribers on the others, stored ones in order
/// and without duplicates, ephemeral ones (small and large) without being stored.
#[tokio::test]
async fn events_reach_subscribers_on_other_nodes() {
    let c = Cluster::start(3, "").await;
    let author = Keys::generate();
    let mut watcher = Raw::connect(&c.nodes[1].url).await;
    watcher
        .req("live", json!([{"authors": [author.pubkey().to_hex()]}]))
        .await;
    let mut far = Raw::connect(&c.nodes[2].url).await;
    far.req("live", json!([{"authors": [author.pubkey().to_hex()]}]))
        .await;
    let mut publisher = Raw::connect(&c.nodes[0].url).await;
    let start = now() - 100;
    let mut sent = Vec::new();
    for i in 0..30 {
        let e = sign(&author, start + i, 1, &[], &format!("note {i}"));
        publisher.accept(&e).await;
        sent.push(e.id.to_hex());
    }
    let small = sign(&author, now(), 20_001, &[], "typing…");
    let large = sign(&author, now(), 20_002, &[], &"x".repeat(20_000));
    publisher.accept(&small).await;
    publisher.accept(&large).await;
    for client in [&mut watcher, &mut far] {
        let mut got = Vec::new();
        while got.len() < 32 {
            let Some(m) = client.try_recv(Duration::from_secs(5)).await else {
                panic!("only {} of 32 events arrived on another node", got.len());
            };
            if m[0] == "EVENT" {
                got.push(m[2]["id"].as_str().unwrap().to_string());
            }
        }
        assert_eq!(&got[..30], &sent[..], "stored events in order, once each");
        assert_eq!(got[30..], [small.id.to_hex(), large.id.to_hex()]);
        assert!(
            client.try_recv(Duration::from_millis(300)).await.is_none(),
            "no duplicates"
        );
    }
    // Ephemeral events were delivered, not stored, on any node.
    let mut reader = Raw::connect(&c.nodes[2].url).await;
    let stored = reader
        .req("past", json!([{"authors": [author.pubkey().to_hex()]}]))
        .await
        .events();
    assert_eq!(stored.len(), 30);
}

/// Anyone who can connect to the shared database can `pg_notify` the nodes' channel: a forged
/// announcement (a "decision" with a made-up signature, from a role with no table privileges)
/// never reaches a subscriber, while a genuine one does.
#[tokio::test]
async fn forged_announcements_are_not_delivered() {
    use sqlx::Connection;
    let c = Cluster::start(2, "").await;
    let mut watcher = Raw::connect(&c.nodes[1].url).await;
    watcher
        .req("live", json!([{"kinds": [8002, 20001]}]))
        .await
        .events();
    let role = format!("intruder_{:08x}", rand::random::<u32>());
    let mut admin = sqlx::PgConnection::connect(&c.db.url).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE ROLE {role} LOGIN")))
        .execute(&mut admin)
        .await
        .unwrap();
    let url = c.db.url.replacen("postgres@", &format!("{role}@"), 1);
    let mut intruder = sqlx::PgConnection::connect(&url).await.unwrap();
    let mut fake = sign(
        &Keys::generate(),
        now(),
        8002,
        &[&["result", "passed"]],
        "forged",
    );
    fake.pubkey = c.key.pubkey();
    let payload = format!("Eforger:{}", fake.to_json());
    sqlx::query("SELECT pg_notify('communitarium_events', $1)")
        .bind(&payload)
        .execute(&mut intruder)
        .await
        .unwrap();
    let typing = sign(&Keys::generate(), now(), 20_001, &[], "typing…");
    Raw::connect(&c.nodes[0].url).await.accept(&typing).await;
    let got = watcher
        .recv_until(|m| (m[0] == "EVENT").then(|| m[2]["id"].clone()))
        .await;
    assert_eq!(
        got,
        typing.id.to_hex(),
        "the forged decision was not delivered first"
    );
    assert!(watcher.try_recv(Duration::from_millis(300)).await.is_none());
    drop(intruder);
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP ROLE {role}")))
        .execute(&mut admin)
        .await
        .unwrap();
}

/// A proposal made on one node and voted on the other two is decided once, and every node
/// applies the new policy (NIP-11 too) within a second or two.
#[tokio::test]
async fn one_decision_and_every_node_enforces_it() {
    let f = keys(3);
    let refs: Vec<&Keys> = f.iter().collect();
    let c = Cluster::start(3, &config(&refs, &[], "invite", "")).await;
    let pk = c.pubkey();
    let mut proposer = member(&c.nodes[0], &f[0]).await;
    let p = proposal(
        &f[0],
        &set("limitation.max_content_length", "1000"),
        4,
        &c.nodes[0].url,
        "short notes",
    );
    proposer.accept(&p).await;
    for (i, k) in f.iter().enumerate().skip(1) {
        let mut voter = member(&c.nodes[i], k).await;
        // The proposal reached this node's state: its vote is taken here.
        let (ok, msg) = voter.publish(&vote(k, &p, "yes")).await;
        assert!(ok, "vote on node {i}: {msg}");
    }
    let decision = decision_on(&mut proposer, &pk, &p.id.to_hex()).await;
    assert_eq!(gov::tag(&decision, "result"), Some("passed"), "{decision}");
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    for (i, node) in c.nodes.iter().enumerate() {
        let mut r = Raw::connect(&node.url).await;
        let decisions = r
            .req(
                "d",
                json!([{"authors": [&pk], "kinds": [8002], "#e": [p.id.to_hex()]}]),
            )
            .await
            .events();
        assert_eq!(decisions.len(), 1, "node {i}: one decision on the proposal");
        assert_eq!(
            gov::info(node).await["limitation"]["max_content_length"],
            1000,
            "node {i} shows the new policy"
        );
        let long = sign(&f[1], now(), 1, &[], &"x".repeat(1001));
        let mut w = member(node, &f[1]).await;
        let (ok, msg) = w.publish(&long).await;
        assert!(
            !ok && msg.starts_with("invalid:"),
            "node {i} enforces it: {msg}"
        );
    }
    // The chain did not fork: each decision names a different predecessor.
    let mut r = Raw::connect(&c.nodes[2].url).await;
    let all = r
        .req("all", json!([{"authors": [&pk], "kinds": [8002]}]))
        .await
        .events();
    let mut prevs: Vec<&str> = all.iter().filter_map(|d| gov::tag(d, "prev")).collect();
    let n = prevs.len();
    prevs.sort();
    prevs.dedup();
    assert_eq!(prevs.len(), n, "no two decisions share a prev");
    assert_eq!(
        n + 1,
        all.len(),
        "every decision but the genesis names a prev"
    );
}

/// A vote lent on one node counts at a close made by another: delegations are part of the
/// state every node reloads when another changed it.
#[tokio::test]
async fn a_vote_lent_on_one_node_counts_on_the_others() {
    let f = keys(3);
    let refs: Vec<&Keys> = f.iter().collect();
    let c = Cluster::start(2, &config(&refs, &[], "invite", "")).await;
    let pk = c.pubkey();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let lend = f[2].sign(
        now(),
        nips::cg::KIND_DELEGATION,
        vec![
            vec!["d".into(), "ordinary".into()],
            vec!["p".into(), f[0].pubkey().to_hex()],
        ],
        String::new(),
    );
    // Lent on the node that does not lead; the leader closes proposals.
    let other = 1 - c.leader().await;
    member(&c.nodes[other], &f[2]).await.accept(&lend).await;
    let mut proposer = member(&c.nodes[0], &f[0]).await;
    let p = proposal(
        &f[0],
        &set("reports.threshold", "6"),
        3,
        &c.nodes[0].url,
        "more reports",
    );
    proposer.accept(&p).await;
    proposer.accept(&vote(&f[0], &p, "yes")).await;
    member(&c.nodes[0], &f[1])
        .await
        .accept(&vote(&f[1], &p, "no"))
        .await;
    let decision = decision_on(&mut proposer, &pk, &p.id.to_hex()).await;
    assert_eq!(gov::tag(&decision, "result"), Some("passed"), "{decision}");
    assert_eq!(gov::tag(&decision, "delegated"), Some("1"), "{decision}");
}

/// The leader is killed with -9 while a proposal is open: another node takes over, the
/// proposal closes once, and what the dead node acknowledged is served by the others.
#[tokio::test]
async fn a_killed_leader_is_replaced_and_loses_nothing() {
    let f = keys(3);
    let refs: Vec<&Keys> = f.iter().collect();
    let mut c = Cluster::start(3, &config(&refs, &[], "invite", "")).await;
    let pk = c.pubkey();
    let leader = c.leader().await;
    let others: Vec<usize> = (0..3).filter(|i| *i != leader).collect();
    let p = proposal(
        &f[0],
        &set("limitation.max_content_length", "1099"),
        5,
        &c.nodes[others[0]].url,
        "",
    );
    member(&c.nodes[others[0]], &f[0]).await.accept(&p).await;
    member(&c.nodes[others[1]], &f[1])
        .await
        .accept(&vote(&f[1], &p, "yes"))
        .await;
    // Notes the leader acknowledges just before it dies.
    let author = &f[2];
    let mut doomed = member(&c.nodes[leader], author).await;
    let mut acked = Vec::new();
    for i in 0..20 {
        let e = sign(author, now() - 60 + i, 1, &[], &format!("acked {i}"));
        doomed.accept(&e).await;
        acked.push(e.id.to_hex());
    }
    c.nodes[leader].kill().await;
    let next = c.leader().await;
    assert_ne!(next, leader, "another node took over");
    let mut r = Raw::connect(&c.nodes[next].url).await;
    let decision = decision_on(&mut r, &pk, &p.id.to_hex()).await;
    assert_eq!(gov::tag(&decision, "result"), Some("passed"));
    tokio::time::sleep(Duration::from_secs(2)).await;
    let decisions = r
        .req(
            "d",
            json!([{"authors": [&pk], "kinds": [8002], "#e": [p.id.to_hex()]}]),
        )
        .await
        .events();
    assert_eq!(decisions.len(), 1, "closed once");
    for i in others {
        let mut r = Raw::connect(&c.nodes[i].url).await;
        let served = r
            .req("acked", json!([{"authors": [author.pubkey().to_hex()]}]))
            .await
            .events();
        assert_eq!(
            served.len(),
            acked.len(),
            "node {i} serves all the dead node acknowledged"
        );
    }
    // The dead node comes back under its own name and joins again.
    c.nodes[leader].start_again().await;
    let mut back = Raw::connect(&c.nodes[leader].url).await;
    let policy = gov::policy(&mut back, &pk).await;
    assert_eq!(policy["limitation"]["max_content_length"], 1099);
}

/// In a cluster, a decision whose removal fails is stored nowhere; once it can be, the event
/// is gone from every node, and stays gone when the leader is killed and comes back.
#[tokio::test]
async fn a_decision_and_its_effects_commit_together_in_a_cluster() {
    use crate::decision_effects::{Refusal, served};
    let f = keys(2);
    let refs: Vec<&Keys> = f.iter().collect();
    let mut c = Cluster::start(2, &config(&refs, &[], "open", "")).await;
    let pk = c.pubkey();
    let spam = sign(&Keys::generate(), now(), 1, &[], "buy now");
    Raw::connect(&c.nodes[0].url).await.accept(&spam).await;
    let refusal = Refusal::install(&c.nodes[0], Some(&c.db.url), &spam.id).await;
    let remove = proposal(
        &f[0],
        &governance::Action::RemoveEvent(spam.id),
        8,
        &c.nodes[0].url,
        "",
    );
    member(&c.nodes[0], &f[0]).await.accept(&remove).await;
    for (k, node) in f.iter().zip(&c.nodes) {
        member(node, k).await.accept(&vote(k, &remove, "yes")).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut r = Raw::connect(&c.nodes[1].url).await;
    let found = r
        .req(
            "d",
            json!([{"authors": [&pk], "kinds": [8002], "#e": [remove.id.to_hex()]}]),
        )
        .await
        .events();
    assert!(found.is_empty(), "no decision without its effect");
    for node in &c.nodes {
        assert!(served(&node.url, &spam.id).await);
    }
    refusal.lift().await;
    let d = decision_on(&mut r, &pk, &remove.id.to_hex()).await;
    assert_eq!(gov::tag(&d, "result"), Some("passed"));
    for node in &c.nodes {
        assert!(!served(&node.url, &spam.id).await, "gone on {}", node.url);
    }
    let leader = c.leader().await;
    c.nodes[leader].kill().await;
    c.nodes[leader].start_again().await;
    for node in &c.nodes {
        assert!(
            !served(&node.url, &spam.id).await,
            "still gone on {}",
            node.url
        );
    }
}

/// One invite code, redeemed by two newcomers on two nodes at the same moment: one gets in.
#[tokio::test]
async fn an_invite_code_is_redeemed_once_across_nodes() {
    let f = keys(1);
    let c = Cluster::start(2, &config(&[&f[0]], &[], "invite", "")).await;
    for round in 0..5 {
        let mut m = member(&c.nodes[0], &f[0]).await;
        let invite = m.req("i", json!([{"kinds": [28935]}])).await.events();
        let code = gov::tag(&invite[0], "claim").unwrap().to_string();
        let (a, b) = (Keys::generate(), Keys::generate());
        let mut ca = member(&c.nodes[0], &a).await;
        let mut cb = member(&c.nodes[1], &b).await;
        let ja = sign(&a, now(), 28934, &[&["-"], &["claim", &code]], "");
        let jb = sign(&b, now(), 28934, &[&["-"], &["claim", &code]], "");
        let ((oka, ma), (okb, mb)) = tokio::join!(ca.publish(&ja), cb.publish(&jb));
        assert!(
            oka ^ okb,
            "round {round}: exactly one redeems the code ({ma} / {mb})"
        );
        let refused = if oka { mb } else { ma };
        assert!(refused.starts_with("restricted:"), "{refused}");
    }
    // Both nodes agree on the members: the founder and the five who got in.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let pk = c.pubkey();
    let mut lists = Vec::new();
    for node in &c.nodes {
        let mut r = Raw::connect(&node.url).await;
        lists.push(gov::members(&mut r, &pk).await);
    }
    assert_eq!(lists[0].len(), 6);
    assert_eq!(lists[0], lists[1]);
}

/// A note cannot collect several times its cap by spreading reactions over the nodes.
#[tokio::test]
async fn per_target_caps_hold_across_nodes() {
    let toml = "[policy.rate]\nstrikes_before_disconnect = 0\n\n\
                [policy.rate.target.reactions]\nmembers = 40\nothers = 40\n";
    let c = Cluster::start(3, toml).await;
    let author = Keys::generate();
    let note = sign(&author, now(), 1, &[], "a note that goes viral");
    Raw::connect(&c.nodes[0].url).await.accept(&note).await;
    let mut accepted = 0;
    // 40 reactions through each node: 120 in all, three times the cap.
    for node in &c.nodes {
        let mut conn = Raw::connect(&node.url).await;
        for _ in 0..40 {
            let fan = Keys::generate();
            let r = sign(&fan, now(), 7, &[&["e", &note.id.to_hex()]], "+");
            let (ok, msg) = conn.publish(&r).await;
            if ok {
                accepted += 1;
            } else {
                assert!(msg.starts_with("rate-limited:"), "{msg}");
            }
        }
    }
    // Within the documented bound: the cap, plus at most a quarter granted unreported,
    // less at most an eighth leased and unused.
    assert!(
        (35..=50).contains(&accepted),
        "{accepted} reactions accepted for a cap of 40"
    );
}

/// Misconfigured nodes refuse to start, each with a message that says why.
#[tokio::test]
async fn wrong_nodes_refuse_to_join() {
    let c = Cluster::start(1, "").await;
    let refusal = |args: Vec<String>| {
        let node = &c.nodes[0];
        let mut cmd = node.command(&[]);
        cmd.args(args);
        async move {
            let out = tokio::time::timeout(Duration::from_secs(30), cmd.output())
                .await
                .expect("refused in time")
                .expect("ran");
            assert!(!out.status.success(), "refused to start");
            String::from_utf8_lossy(&out.stderr).to_string()
        }
    };
    let url = c.db.url.clone();
    let key = c.key.secret_hex();
    let stranger = Keys::generate().secret_hex();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().display().to_string();
    // `serve` on this data directory with `flags`, on the cluster's database unless `db` is None.
    let serve = |db: Option<&str>, flags: &[&str]| -> Vec<String> {
        let mut args = vec!["serve", "--listen", "127.0.0.1:0", "--data-dir", &data];
        if let Some(db) = db {
            args.extend(["--database-url", db]);
        }
        args.extend(flags);
        args.into_iter().map(String::from).collect()
    };
    let same_name = serve(Some(&url), &["--relay-key", &key, "--node-id", "node-0"]);
    assert!(refusal(same_name).await.contains("node id `node-0`"));
    let other_key = serve(
        Some(&url),
        &["--relay-key", &stranger, "--node-id", "node-9"],
    );
    assert!(refusal(other_key).await.contains("record of another relay"));
    let alone = serve(Some(&url), &["--relay-key", &key]);
    assert!(refusal(alone).await.contains("give this relay a --node-id"));
    let sqlite = serve(None, &["--node-id", "n"]);
    assert!(
        refusal(sqlite)
            .await
            .contains("SQLite store serves one node")
    );
}
