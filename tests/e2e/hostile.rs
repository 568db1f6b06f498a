//! A hostile corpus against the real binary: every input gets a clear NIP-01 answer or a clean
//! close, other connections are unaffected, and memory stays bounded.

use std::time::{Duration, Instant};

use nips::Keys;
use serde_json::{Value, json};
use tokio::io::AsyncReadExt;
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};

use crate::harness::{Store, TestRelay};
use crate::raw::Raw;
use crate::{now, on_both_stores, sign};

/// An event's JSON with `field` replaced by raw `value` (which need not be valid).
fn event_with(field: &str, value: &str) -> (String, String) {
    let e = sign(&Keys::generate(), now(), 1, &[], "hostile");
    let mut v: Value = serde_json::from_str(&e.to_json()).unwrap();
    v[field] = json!("__X__");
    let text = v.to_string().replace("\"__X__\"", value);
    (e.id.to_hex(), format!("[\"EVENT\",{text}]"))
}

/// Sends `text` and expects `OK false "invalid: …"` about `id`.
async fn refused_by_id(c: &mut Raw, id: &str, text: String) -> String {
    c.send(text).await;
    let (ok, message) = c.ok_for(id).await;
    assert!(!ok && message.starts_with("invalid:"), "{message}");
    message
}

/// A second client still gets its answer quickly.
async fn bystander_is_fine(relay: &TestRelay) {
    let started = Instant::now();
    let mut b = Raw::connect(&relay.url).await;
    b.req("b", json!([{"kinds": [1], "limit": 1}]))
        .await
        .events();
    assert!(started.elapsed() < Duration::from_secs(2));
}

async fn every_hostile_input_is_answered(store: Store) {
    let relay = TestRelay::builder(store)
        .env("COMMUNITARIUM_SERVER__HANDSHAKE_TIMEOUT_SECS", 2)
        .start()
        .await;
    let rss_before = relay.rss_kib();
    let mut c = Raw::connect(&relay.url).await;
    // Numbers that are not timestamps or kinds.
    for (field, value) in [
        ("created_at", "-1"),
        ("created_at", "1.5"),
        ("created_at", "18446744073709551616"),
        ("created_at", "1e400"),
        ("kind", "99999999999999999999999"),
        ("kind", "-7"),
    ] {
        let (id, text) = event_with(field, value);
        refused_by_id(&mut c, &id, text).await;
    }
    // A raw control character inside a JSON string: still answered by id.
    let (id, text) = event_with("content", "\"a\u{1}b\"");
    refused_by_id(&mut c, &id, text).await;
    // Deep nesting, as a message and inside a filter.
    c.send(format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)))
        .await;
    assert_eq!(c.recv().await[0], "NOTICE");
    let nested = format!(
        "[\"REQ\",\"deep\",{}1{}]",
        "{\"a\":".repeat(5_000),
        "}".repeat(5_000)
    );
    c.send(nested).await;
    let closed = c.collect("deep").await.closed();
    assert!(closed.starts_with("invalid:"), "{closed}");
    // Ten thousand filters; a hundred thousand tags; a megabyte-long subscription id.
    let mut many = vec![json!("REQ"), json!("many")];
    many.extend((0..10_000).map(|_| json!({"kinds": [1]})));
    c.send_json(Value::Array(many)).await;
    assert!(c.collect("many").await.closed().starts_with("invalid:"));
    let (id, text) = event_with("tags", &format!("[{}]", vec!["[]"; 100_000].join(",")));
    refused_by_id(&mut c, &id, text).await;
    // A message over the limit is refused unread; far over it, the connection is closed.
    c.send(format!("[\"REQ\",\"{}\",{{}}]", "x".repeat(600_000)))
        .await;
    let answer = c.recv().await;
    assert_eq!(answer[0], "NOTICE", "{answer}");
    assert!(answer[1].as_str().unwrap().starts_with("invalid:"));
    let mut huge_id = Raw::connect(&relay.url).await;
    huge_id
        .send_unchecked(format!("[\"REQ\",\"{}\",{{}}]", "x".repeat(1 << 20)))
        .await;
    assert_eq!(huge_id.until_closed().await.0, Some(1009));
    // Binary frames are not the protocol, but the connection goes on.
    c.ws_binary().await;
    assert!(c.recv().await[1].as_str().unwrap().starts_with("invalid:"));
    c.req("still", json!([{"limit": 1}])).await.events();

    // A text frame that is not UTF-8 ends the connection with 1007.
    let mut bad = Raw::connect(&relay.url).await;
    bad.send_frame(Frame::message(
        vec![0x5b, 0xff, 0xfe, 0x5d],
        OpCode::Data(Data::Text),
        true,
    ))
    .await;
    assert_eq!(bad.until_closed().await.0, Some(1007));
    // A ten-megabyte frame ends it with 1009 (or the relay hangs up mid-frame).
    let mut big = Raw::connect(&relay.url).await;
    big.send_unchecked("x".repeat(10 << 20)).await;
    let code = big.until_closed().await.0;
    assert!(matches!(code, Some(1009) | None), "{code:?}");
    bystander_is_fine(&relay).await;
    let grew = relay.rss_kib().saturating_sub(rss_before);
    assert!(grew < 64 * 1024, "memory grew by {grew} KiB");
}

async fn a_silent_connection_is_closed(store: Store) {
    let relay = TestRelay::builder(store)
        .env("COMMUNITARIUM_SERVER__HANDSHAKE_TIMEOUT_SECS", 2)
        .start()
        .await;
    let addr = relay.url.trim_start_matches("ws://").to_string();
    let mut silent: Vec<tokio::net::TcpStream> = Vec::new();
    for _ in 0..50 {
        silent.push(tokio::net::TcpStream::connect(&addr).await.unwrap());
    }
    bystander_is_fine(&relay).await;
    let started = Instant::now();
    for s in &mut silent {
        let mut buf = [0u8; 16];
        let read = tokio::time::timeout(Duration::from_secs(10), s.read(&mut buf)).await;
        assert!(
            matches!(read, Ok(Ok(0)) | Ok(Err(_))),
            "closed by the relay: {read:?}"
        );
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "within the handshake timeout"
    );
}

async fn a_ping_flood_is_cut_off(store: Store) {
    let relay = TestRelay::builder(store)
        .env("COMMUNITARIUM_SERVER__REAL_IP_HEADER", "X-Forwarded-For")
        .env("COMMUNITARIUM_POLICY__RATE__MESSAGES_PER_SECOND", 10)
        .env("COMMUNITARIUM_POLICY__RATE__STRIKES_BEFORE_DISCONNECT", 5)
        .start()
        .await;
    let mut c = Raw::connect_as(&relay.url, "10.6.6.6").await;
    let mut sent = 0;
    while sent < 10_000 && c.ping().await {
        sent += 1;
        if sent % 100 == 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    // The relay cut it off: told with 1008, or reset while the pings still came.
    let (code, _) = c.until_closed().await;
    assert!(matches!(code, Some(1008) | None), "{code:?}");
    assert!(sent < 10_000, "the flood was stopped after {sent} pings");
    let back = tokio_tungstenite::connect_async({
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let mut r = relay.url.clone().into_client_request().unwrap();
        r.headers_mut()
            .insert("X-Forwarded-For", "10.6.6.6".parse().unwrap());
        r
    })
    .await;
    assert!(back.is_err(), "its address waits before reconnecting");
    bystander_is_fine(&relay).await;
}

on_both_stores!(
    every_hostile_input_is_answered,
    a_silent_connection_is_closed,
    a_ping_flood_is_cut_off,
);
