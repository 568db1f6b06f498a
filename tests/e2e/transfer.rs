//! Moving data with the command line: `export`, `import` and `sync`, run beside live relays.
//! A community moves from SQLite to a fresh PostgreSQL database and comes back identical;
//! imports follow the NIP rules; two relays reconcile by negentropy, or by listing when the
//! other side has no NIP-77.

use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;

use crate::db::TestPostgres;
use crate::gov::{self, config, decision_on, member, proposal, set, vote};
use crate::harness::{Store, TestRelay};
use crate::raw::Raw;
use crate::{now, on_both_stores, sign};

/// Runs `communitarium <args>` with `input` on stdin: success, stdout, stderr.
pub async fn run(relay: &TestRelay, args: &[String], input: &[u8]) -> (bool, String, String) {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut child = relay
        .command(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let feed = tokio::spawn(async move {
        let _ = stdin.write_all(&input).await;
    });
    let out = tokio::time::timeout(Duration::from_secs(120), child.wait_with_output())
        .await
        .expect("the command finished in time")
        .unwrap();
    feed.await.unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

pub fn args(verb: &str, relay_args: Vec<String>, extra: &[&str]) -> Vec<String> {
    let mut out = vec![verb.to_string()];
    out.extend(relay_args);
    out.extend(extra.iter().map(|s| s.to_string()));
    out
}

/// Every stored event of `relay`, exported, as sorted lines.
async fn exported(relay: &TestRelay) -> Vec<String> {
    let (ok, out, err) = run(relay, &args("export", relay.store_args(), &[]), b"").await;
    assert!(ok, "export failed: {err}");
    let mut lines: Vec<String> = out.lines().map(str::to_owned).collect();
    lines.sort();
    lines
}

pub async fn count(relay: &TestRelay, filter: Value) -> u64 {
    let mut c = Raw::connect(&relay.url).await;
    c.send_json(json!(["COUNT", "n", filter])).await;
    c.recv().await[2]["count"].as_u64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_community_moves_from_sqlite_to_postgres() {
    let f: Vec<::nips::Keys> = (0..2).map(|_| ::nips::Keys::generate()).collect();
    let toml = config(&[&f[0], &f[1]], &[], "invite", "");
    let old = gov::start(Store::Sqlite, &toml).await;
    let relay_pk = gov::relay_key(&old).await;
    let mut c = member(&old, &f[0]).await;
    let p = proposal(
        &f[0],
        &set("limitation.max_content_length", "5000"),
        60,
        &old.url,
        "Shorter",
    );
    c.accept(&p).await;
    for k in &f {
        member(&old, k).await.accept(&vote(k, &p, "yes")).await;
    }
    decision_on(&mut c, &relay_pk, &p.id.to_hex()).await;
    let t = now();
    for i in 0..40 {
        c.accept(&sign(&f[0], t - 100 + i, 1, &[], &format!("note {i}")))
            .await;
    }
    let gone = sign(&f[0], t - 200, 1, &[], "to be deleted");
    c.accept(&gone).await;
    c.accept(&sign(&f[0], t - 1, 5, &[&["e", &gone.id.to_hex()]], ""))
        .await;
    c.accept(&sign(&f[1], t, 0, &[], r#"{"name":"second founder"}"#))
        .await;

    // Exported while the old relay runs; imported into a fresh database with the old key.
    let lines = exported(&old).await;
    assert!(lines.len() > 45, "{} events exported", lines.len());
    let new_dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        old.data_dir.join("relay.key"),
        new_dir.path().join("relay.key"),
    )
    .unwrap();
    let pg = TestPostgres::create().await;
    let into_new = vec![
        "--data-dir".to_string(),
        new_dir.path().display().to_string(),
        "--database-url".into(),
        pg.url.clone(),
    ];
    let input = lines.join("\n") + "\n";
    let (ok, report, err) = run(&old, &args("import", into_new, &[]), input.as_bytes()).await;
    assert!(ok, "import failed: {err}");
    assert!(
        report.starts_with(&format!(
            "accepted {}, duplicate 0, skipped 0, invalid 0",
            lines.len()
        )),
        "{report}"
    );

    let new = TestRelay::builder(Store::Postgres)
        .config(&toml)
        .data_dir(new_dir.path().to_owned())
        .database_url(pg.url.clone())
        .start()
        .await;
    assert_eq!(gov::relay_key(&new).await, relay_pk, "the same relay");
    assert_eq!(
        exported(&new).await,
        lines,
        "the same events, no new genesis"
    );
    assert_eq!(count(&new, json!({"ids": [gone.id.to_hex()]})).await, 0);
    let (ok, out) = crate::verify::run_verify(&new).await;
    assert!(ok, "verify on the new host: {out}");
}

async fn imports_follow_the_nip_rules(store: Store) {
    let relay = TestRelay::builder(store).unlimited().start().await;
    let (a, v) = (::nips::Keys::generate(), ::nips::Keys::generate());
    let t = now();
    let note = sign(&a, t - 50, 1, &[], "imported note");
    let newer = sign(&a, t - 10, 0, &[], r#"{"name":"new"}"#);
    let older = sign(&a, t - 20, 0, &[], r#"{"name":"old"}"#);
    let target = sign(&a, t - 40, 1, &[], "deleted later");
    let deletion = sign(&a, t - 5, 5, &[&["e", &target.id.to_hex()]], "");
    let expired = sign(
        &a,
        t - 30,
        1,
        &[&["expiration", &(t - 1).to_string()]],
        "stale",
    );
    let before_vanish = sign(&v, t - 60, 1, &[], "erased");
    let vanish = sign(&v, t - 3, 62, &[&["relay", "ALL_RELAYS"]], "");
    let foreign = sign(&::nips::Keys::generate(), t - 2, 8002, &[], "{}");
    let mut forged = sign(&a, t - 1, 1, &[], "forged");
    forged.content = "changed after signing".into();
    let lines = [
        note.to_json(),
        note.to_json(),
        newer.to_json(),
        older.to_json(),
        deletion.to_json(),
        target.to_json(),
        expired.to_json(),
        vanish.to_json(),
        before_vanish.to_json(),
        foreign.to_json(),
        forged.to_json(),
        "not json".into(),
    ];
    let input = lines.join("\n");
    let (ok, report, err) = run(
        &relay,
        &args("import", relay.store_args(), &[]),
        input.as_bytes(),
    )
    .await;
    assert!(ok, "{err}");
    assert!(
        report.starts_with("accepted 4, duplicate 1, skipped 4, invalid 3"),
        "{report}"
    );
    for why in [
        "a newer version is stored",
        "deleted by its author",
        "its author asked this relay to erase them",
        "ephemeral or expired",
        "another relay's governance record",
        "event id does not match its content",
        "not valid json",
    ] {
        assert!(
            report.to_lowercase().contains(&why.to_lowercase()),
            "{why}: {report}"
        );
    }
    // The running relay serves what was imported beside it.
    let mut c = Raw::connect(&relay.url).await;
    let served = c
        .req("s", json!([{"authors": [a.pubkey().to_hex()]}]))
        .await
        .events();
    let ids: Vec<&str> = served.iter().map(|e| e["id"].as_str().unwrap()).collect();
    let mut expected = vec![note.id.to_hex(), newer.id.to_hex(), deletion.id.to_hex()];
    expected.sort();
    let mut got: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    got.sort();
    assert_eq!(got, expected);
}

async fn two_relays_reconcile_by_negentropy(store: Store) {
    let here = TestRelay::builder(store).unlimited().start().await;
    let there = TestRelay::builder(Store::Sqlite).unlimited().start().await;
    let k = ::nips::Keys::generate();
    let t = now() - 1_000;
    let notes: Vec<::nips::Event> = (0..300)
        .map(|i| sign(&k, t + i, 1, &[], &format!("n{i}")))
        .collect();
    let mut h = Raw::connect(&here.url).await;
    let mut o = Raw::connect(&there.url).await;
    for (i, e) in notes.iter().enumerate() {
        if i % 50 != 7 {
            h.accept(e).await;
        }
        if i % 60 != 11 {
            o.accept(e).await;
        }
    }
    let filter = format!("{{\"authors\":[\"{}\"]}}", k.pubkey().to_hex());
    let sync = args(
        "sync",
        here.store_args(),
        &[&there.url, "--filter", &filter, "--direction", "down"],
    );
    let (ok, report, err) = run(&here, &sync, b"").await;
    assert!(ok, "{err}");
    assert!(
        report.starts_with("reconciled by negentropy (NIP-77): 6 events only there, 5 only here"),
        "{report}"
    );
    assert!(report.contains("down: accepted 6,"), "{report}");
    let pk = k.pubkey().to_hex();
    assert_eq!(count(&here, json!({"authors": [pk]})).await, 300);
    assert_eq!(
        count(&there, json!({"authors": [pk]})).await,
        295,
        "down only"
    );
    let both = args(
        "sync",
        here.store_args(),
        &[&there.url, "--filter", &filter, "--direction", "both"],
    );
    let (ok, report, err) = run(&here, &both, b"").await;
    assert!(ok, "{err}");
    assert!(
        report.contains("0 events only there, 5 only here"),
        "{report}"
    );
    assert!(report.contains("up: sent 5, refused 0"), "{report}");
    assert_eq!(count(&there, json!({"authors": [pk]})).await, 300);
}

/// A relay without NIP-77: answers `REQ` (newest first, `limit`, `until`) and `EVENT`, and
/// a `NOTICE` to anything else. Returns its URL and what it holds.
pub async fn plain_relay(
    events: Vec<::nips::Event>,
) -> (String, std::sync::Arc<std::sync::Mutex<Vec<::nips::Event>>>) {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let held = std::sync::Arc::new(std::sync::Mutex::new(events));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}", listener.local_addr().unwrap());
    let store = held.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let store = store.clone();
            tokio::spawn(async move {
                let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
                while let Some(Ok(Message::Text(text))) = ws.next().await {
                    let m: Value = serde_json::from_str(&text).unwrap();
                    let replies: Vec<Value> = match m[0].as_str() {
                        Some("REQ") => {
                            let f = ::nips::Filter::from_value(&m[2]).unwrap();
                            let mut found: Vec<::nips::Event> = store
                                .lock()
                                .unwrap()
                                .iter()
                                .filter(|e| f.matches(e))
                                .cloned()
                                .collect();
                            found.sort_by_key(|e| std::cmp::Reverse(e.created_at));
                            found.truncate(f.limit.unwrap_or(500) as usize);
                            let mut out: Vec<Value> = found
                                .iter()
                                .map(|e| {
                                    json!([
                                        "EVENT",
                                        m[1],
                                        serde_json::from_str::<Value>(&e.to_json()).unwrap()
                                    ])
                                })
                                .collect();
                            out.push(json!(["EOSE", m[1]]));
                            out
                        }
                        Some("EVENT") => {
                            let e = ::nips::Event::from_value(m[1].clone()).unwrap();
                            let id = e.id.to_hex();
                            store.lock().unwrap().push(e);
                            vec![json!(["OK", id, true, ""])]
                        }
                        _ => vec![json!(["NOTICE", "unknown message type"])],
                    };
                    for r in replies {
                        if ws.send(Message::Text(r.to_string().into())).await.is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    (url, held)
}

async fn without_negentropy_sync_lists_ids(store: Store) {
    let here = TestRelay::builder(store).unlimited().start().await;
    let k = ::nips::Keys::generate();
    let t = now() - 1_000;
    let notes: Vec<::nips::Event> = (0..30)
        .map(|i| sign(&k, t + i, 1, &[], &format!("p{i}")))
        .collect();
    let mut h = Raw::connect(&here.url).await;
    for e in &notes[..25] {
        h.accept(e).await;
    }
    let (url, there) = plain_relay(notes[3..].to_vec()).await;
    let filter = format!("{{\"authors\":[\"{}\"]}}", k.pubkey().to_hex());
    let sync = args(
        "sync",
        here.store_args(),
        &[&url, "--filter", &filter, "--direction", "both"],
    );
    let (ok, report, err) = run(&here, &sync, b"").await;
    assert!(ok, "{err}");
    assert!(
        report.starts_with("reconciled by listing (no NIP-77): 5 events only there, 3 only here"),
        "{report}"
    );
    assert!(report.contains("up: sent 3, refused 0"), "{report}");
    assert_eq!(
        count(&here, json!({"authors": [k.pubkey().to_hex()]})).await,
        30
    );
    assert_eq!(there.lock().unwrap().len(), 30);
}

on_both_stores!(
    imports_follow_the_nip_rules,
    two_relays_reconcile_by_negentropy,
    without_negentropy_sync_lists_ids,
);
