//! Moving data with relays that cannot be trusted, and files that are not what they claim:
//! `sync` keeps only what it asked for and by default only downloads; what it uploads follows
//! this relay's read rules and never carries protected events; `sync` and `verify` stop at
//! their bounds against a relay that sends without end; a stored proposal that was never
//! admissible is not reopened; `import` counts bad lines and imports the rest.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use nips::Keys;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::gov::{self, config, member};
use crate::harness::{Store, TestRelay};
use crate::raw::Raw;
use crate::transfer::{args, count, plain_relay, run};
use crate::{now, on_both_stores, sign};

/// What a fake relay answers to a `REQ` (`sub`, its filter): each reply whole, in order.
type Answer = Arc<dyn Fn(&Value, &nips::Filter) -> Vec<Value> + Send + Sync>;

/// A relay that answers `REQ`s with `answer`, `NOTICE`s anything else, and serves `info` as
/// its NIP-11 document to a plain HTTP request.
async fn fake_relay(answer: Answer, info: String) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (answer, info) = (answer.clone(), info.clone());
            tokio::spawn(async move {
                let mut head = [0u8; 4096];
                let n = tcp.peek(&mut head).await.unwrap_or(0);
                if !String::from_utf8_lossy(&head[..n])
                    .to_ascii_lowercase()
                    .contains("upgrade: websocket")
                {
                    use tokio::io::{AsyncReadExt, AsyncWriteExt};
                    let mut tcp = tcp;
                    // Read the request (a closed socket with unread bytes resets the reply).
                    let _ = tcp.read(&mut head).await;
                    let reply = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/nostr+json\r\ncontent-length: {}\r\n\r\n",
                        info.len()
                    );
                    let _ = tcp.write_all(reply.as_bytes()).await;
                    let _ = tcp.write_all(info.as_bytes()).await;
                    return;
                }
                let Ok(mut ws) = tokio_tungstenite::accept_async(tcp).await else {
                    return;
                };
                while let Some(Ok(Message::Text(text))) = ws.next().await {
                    let m: Value = serde_json::from_str(&text).unwrap_or_default();
                    let replies = match m[0].as_str() {
                        Some("REQ") => match nips::Filter::from_value(&m[2]) {
                            Ok(f) => answer(&m[1], &f),
                            Err(_) => vec![json!(["CLOSED", m[1], "invalid: filter"])],
                        },
                        Some("CLOSE") => continue,
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
    url
}

fn event_json(sub: &Value, e: &nips::Event) -> Value {
    json!([
        "EVENT",
        sub,
        serde_json::from_str::<Value>(&e.to_json()).unwrap()
    ])
}

/// The events of `held` a filter selects, newest first, within its limit.
fn select(held: &[nips::Event], f: &nips::Filter) -> Vec<nips::Event> {
    let mut found: Vec<nips::Event> = held.iter().filter(|e| f.matches(e)).cloned().collect();
    found.sort_by_key(|e| std::cmp::Reverse(e.created_at));
    found.truncate(f.limit.unwrap_or(500) as usize);
    found
}

/// A relay that answers every query honestly, plus a note of a stranger's and one of the
/// asked author's from outside the asked time: neither is what the sync asked for.
async fn sync_keeps_only_what_it_asked_for(store: Store) {
    let here = TestRelay::builder(store).unlimited().start().await;
    let (k, stranger) = (Keys::generate(), Keys::generate());
    let t = now() - 1_000;
    let held: Vec<nips::Event> = (0..5)
        .map(|i| sign(&k, t + i, 1, &[], &format!("n{i}")))
        .collect();
    let extra = [
        sign(&stranger, t, 1, &[], "not asked for"),
        sign(&k, t - 500, 1, &[], "before --since"),
    ];
    let answer: Answer = Arc::new(move |sub, f| {
        let mut out: Vec<Value> = select(&held, f)
            .iter()
            .map(|e| event_json(sub, e))
            .collect();
        out.extend(extra.iter().map(|e| event_json(sub, e)));
        out.push(json!(["EOSE", sub]));
        out
    });
    let url = fake_relay(answer, "{}".into()).await;
    let filter = format!("{{\"authors\":[\"{}\"]}}", k.pubkey().to_hex());
    let since = (t - 10).to_string();
    let sync = args(
        "sync",
        here.store_args(),
        &[&url, "--filter", &filter, "--since", &since],
    );
    let (ok, report, err) = run(&here, &sync, b"").await;
    assert!(ok, "{err}");
    assert!(report.contains("down: accepted 5,"), "{report}");
    assert!(report.contains("not what the sync asked for"), "{report}");
    assert_eq!(
        count(&here, json!({"authors": [stranger.pubkey().to_hex()]})).await,
        0
    );
    assert_eq!(
        count(&here, json!({"authors": [k.pubkey().to_hex()]})).await,
        5
    );
}

/// What goes up: nothing by default; on request, what the other relay's key may read here,
/// and never a protected event.
async fn uploads_follow_the_read_rules(store: Store) {
    let f: Vec<Keys> = (0..2).map(|_| Keys::generate()).collect();
    let toml = config(
        &[&f[0], &f[1]],
        &[],
        "mode = \"invite\"\nread = \"members\"",
        "",
    );
    let here = gov::start(store, &toml).await;
    let mut c = member(&here, &f[0]).await;
    let note = sign(&f[0], now() - 5, 1, &[], "members' talk");
    let protected = sign(&f[0], now() - 4, 1, &[&["-"]], "for my relays alone");
    c.accept(&note).await;
    c.accept(&protected).await;
    let (url, there) = plain_relay(Vec::new()).await;
    let filter = format!("{{\"authors\":[\"{}\"]}}", f[0].pubkey().to_hex());
    let plain = args("sync", here.store_args(), &[&url, "--filter", &filter]);
    let (ok, report, err) = run(&here, &plain, b"").await;
    assert!(ok, "{err}");
    assert!(report.contains("up: sent 0"), "down by default: {report}");
    let up = args(
        "sync",
        here.store_args(),
        &[&url, "--filter", &filter, "--direction", "up"],
    );
    let (ok, report, err) = run(&here, &up, b"").await;
    assert!(ok, "{err}");
    assert!(
        report.contains("withheld 1: not sent: the other relay's key may not read it here"),
        "{report}"
    );
    assert!(
        report.contains("withheld 1: not sent: its author marked it"),
        "{report}"
    );
    assert!(
        there.lock().unwrap().is_empty(),
        "a stranger's key reads nothing of members'"
    );
    let as_member = args(
        "sync",
        here.store_args(),
        &[
            &url,
            "--filter",
            &filter,
            "--direction",
            "up",
            "--key",
            &f[1].secret_hex(),
        ],
    );
    let (ok, report, err) = run(&here, &as_member, b"").await;
    assert!(ok, "{err}");
    assert!(report.contains("up: sent 1"), "{report}");
    let sent: Vec<String> = there
        .lock()
        .unwrap()
        .iter()
        .map(|e| e.id.to_hex())
        .collect();
    assert_eq!(sent, vec![note.id.to_hex()], "never the protected one");
}

/// A relay that sends without end: new full pages forever, more than a request's limit, a
/// huge NIP-11 document, or nothing at all. Each command stops at its bound and says which.
async fn a_hostile_relay_cannot_exhaust_sync_or_verify(store: Store) {
    let here = TestRelay::builder(store).unlimited().start().await;
    let k = Keys::generate();
    let endless: Answer = Arc::new(move |sub, f| {
        let n = f.limit.unwrap_or(500).min(500);
        let mut out: Vec<Value> = (0..n)
            .map(|i| {
                event_json(
                    sub,
                    &sign(&k, 1_000, 1, &[], &format!("{}", rand::random::<u64>() ^ i)),
                )
            })
            .collect();
        out.push(json!(["EOSE", sub]));
        out
    });
    let url = fake_relay(endless, "{}".into()).await;
    let started = Instant::now();
    let sync = args("sync", here.store_args(), &[&url, "--max-events", "3000"]);
    let (ok, _, err) = run(&here, &sync, b"").await;
    assert!(!ok && err.contains("more than 3000 events"), "{err}");
    eprintln!("endless pages: stopped after {:?}", started.elapsed());
    let k = Keys::generate();
    let over: Answer = Arc::new(move |sub, f| {
        let n = f.limit.unwrap_or(10) + 5;
        let mut out: Vec<Value> = (0..n)
            .map(|i| event_json(sub, &sign(&k, 1_000 + i, 1, &[], "over")))
            .collect();
        out.push(json!(["EOSE", sub]));
        out
    });
    let url = fake_relay(over, "{}".into()).await;
    let (ok, _, err) = run(&here, &args("sync", here.store_args(), &[&url]), b"").await;
    assert!(
        !ok && err.contains("more events than a request asked for"),
        "{err}"
    );
    let huge_info = format!(
        "{{\"self\":\"{}\",\"x\":\"{}\"}}",
        "a".repeat(64),
        "y".repeat(2 << 20)
    );
    let silent: Answer = Arc::new(|_, _| Vec::new());
    let url = fake_relay(silent.clone(), huge_info).await;
    let (ok, _, err) = run(&here, &["verify".to_string(), url], b"").await;
    assert!(!ok && err.contains("larger than 1024 KiB"), "{err}");
    let info = format!("{{\"self\":\"{}\"}}", Keys::generate().pubkey().to_hex());
    let url = fake_relay(silent, info).await;
    let started = Instant::now();
    let verify = vec!["verify".to_string(), url, "--deadline".into(), "2".into()];
    let (ok, _, err) = run(&here, &verify, b"").await;
    assert!(
        !ok && err.contains("not done within the time allowed"),
        "{err}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

/// A proposal that was never admissible here (a non-member's, or one whose window its class
/// does not allow, carried in by an import) is not reopened when the relay starts.
async fn an_imported_proposal_is_not_reopened(store: Store) {
    let f: Vec<Keys> = (0..2).map(|_| Keys::generate()).collect();
    let mut relay = gov::start(store, &config(&[&f[0], &f[1]], &[], "open", "")).await;
    let stranger = Keys::generate();
    let action = gov::set("limitation.max_content_length", "10");
    let theirs = gov::proposal(&stranger, &action, 3_600, &relay.url, "Tiny notes");
    let too_long = gov::proposal(&f[0], &action, 60 * 86_400, &relay.url, "Tiny notes");
    let mut lines = theirs.to_json();
    lines.push('\n');
    lines.push_str(&too_long.to_json());
    lines.push('\n');
    let (ok, report, err) = run(
        &relay,
        &args("import", relay.store_args(), &[]),
        lines.as_bytes(),
    )
    .await;
    assert!(ok && report.contains("accepted 2"), "{report}{err}");
    relay.restart().await;
    assert_eq!(gov::info(&relay).await["governance"]["open_proposals"], 0);
    assert_eq!(relay.logged("is not reopened"), 2);
}

/// Bad lines (not UTF-8, too long, not an event) are counted by number; the rest imported.
async fn import_counts_bad_lines_and_goes_on(store: Store) {
    let relay = TestRelay::builder(store).unlimited().start().await;
    let k = Keys::generate();
    let (a, b) = (
        sign(&k, now() - 2, 1, &[], "first"),
        sign(&k, now() - 1, 1, &[], "last"),
    );
    let mut input = Vec::new();
    input.extend_from_slice(a.to_json().as_bytes());
    input.extend_from_slice(b"\n\xff\xfe not text\n");
    input.extend(std::iter::repeat_n(b'x', 5 << 20));
    input.extend_from_slice(b"\nnot json\n");
    input.extend_from_slice(b.to_json().as_bytes());
    input.push(b'\n');
    let (ok, report, err) = run(&relay, &args("import", relay.store_args(), &[]), &input).await;
    assert!(ok, "{err}");
    assert!(
        report.starts_with("accepted 2, duplicate 0, skipped 0, invalid 3"),
        "{report}"
    );
    assert!(report.contains("line 2: not UTF-8"), "{report}");
    assert!(report.contains("line 3: longer than 4 MiB"), "{report}");
    assert!(report.contains("line 4: "), "{report}");
    let mut c = Raw::connect(&relay.url).await;
    let stored = c
        .req("i", json!([{"authors": [k.pubkey().to_hex()]}]))
        .await
        .events();
    assert_eq!(stored.len(), 2);
}

on_both_stores!(
    sync_keeps_only_what_it_asked_for,
    uploads_follow_the_read_rules,
    a_hostile_relay_cannot_exhaust_sync_or_verify,
    an_imported_proposal_is_not_reopened,
    import_counts_bad_lines_and_goes_on,
);
