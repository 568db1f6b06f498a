//! What the operator sees: Prometheus metrics for each part of the relay, a dashboard that asks
//! only for metrics the relay records, and JSON log lines on request.

use std::collections::BTreeSet;

use nips::Keys;
use serde_json::{Value, json};

use crate::harness::{Store, TestRelay};
use crate::raw::Raw;
use crate::{now, on_both_stores, sign};

/// `communitarium_*` names in `text` (histogram series reduced to their metric).
fn names(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("communitarium_") {
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        let name = &tail[..end];
        let name = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| name.strip_suffix(s))
            .unwrap_or(name);
        out.insert(name.to_string());
        rest = &tail[end..];
    }
    out
}

async fn each_part_reports_its_metrics(store: Store) {
    let relay = TestRelay::start(store).await;
    let keys = Keys::generate();
    let mut listener = Raw::connect(&relay.url).await;
    listener.req("live", json!([{"kinds": [1]}])).await.events();
    let mut c = Raw::connect(&relay.url).await;
    c.accept(&sign(&keys, now(), 1, &[], "counted")).await;
    let mut bad = sign(&keys, now(), 1, &[], "x");
    bad.content = "tampered".into();
    assert!(!c.publish(&bad).await.0);
    c.req("q", json!([{"kinds": [1], "limit": 5}]))
        .await
        .events();
    listener.recv().await;
    let text = relay.metrics().await;
    let backend = match store {
        Store::Sqlite => "sqlite",
        Store::Postgres => "postgres",
    };
    for expected in [
        "communitarium_connections 2".to_string(),
        "communitarium_messages_total{verb=\"EVENT\"} 2".into(),
        "communitarium_messages_total{verb=\"REQ\"} 2".into(),
        "communitarium_events_accepted_total 1".into(),
        "communitarium_events_refused_total{reason=\"invalid\"} 1".into(),
        format!(
            "communitarium_write_commit_seconds_bucket{{store=\"{backend}\",lane=\"events\",le=\"0.005\"}}"
        ),
        "communitarium_write_batch_events_bucket{lane=\"events\",le=\"1\"}".into(),
        format!("communitarium_query_seconds_count{{store=\"{backend}\"}}"),
        "communitarium_live_deliveries_total 1".into(),
        "communitarium_decisions_total{result=\"genesis\"} 1".into(),
        "communitarium_db_up 1".into(),
        // Described, and at zero before anything happened.
        "# HELP communitarium_events_accepted_total Events accepted".into(),
        "# HELP communitarium_query_seconds ".into(),
        "communitarium_events_refused_total{reason=\"blocked\"} 0".into(),
        "communitarium_decisions_total{result=\"passed\"} 0".into(),
        "communitarium_ip_backoffs_total 0".into(),
        "communitarium_members 1".into(),
        "communitarium_open_proposals 0".into(),
    ] {
        assert!(text.contains(&expected), "missing {expected} in\n{text}");
    }
}

#[test]
fn the_dashboard_asks_only_for_recorded_metrics() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dashboard = std::fs::read_to_string(root.join("ops/grafana-dashboard.json")).unwrap();
    let catalogue = std::fs::read_to_string(root.join("relay/src/telemetry.rs")).unwrap();
    let parsed: Value = serde_json::from_str(&dashboard).expect("the dashboard is JSON");
    assert!(parsed["panels"].as_array().unwrap().len() >= 10);
    // Importing it asks which Prometheus to use, and the database-up stat says up or down.
    assert_eq!(parsed["__inputs"][0]["type"], "datasource");
    let up = parsed["panels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["title"] == "Database up")
        .unwrap();
    assert_eq!(
        up["fieldConfig"]["defaults"]["mappings"][0]["options"]["1"]["text"],
        "up"
    );
    let asked = names(&dashboard);
    let known = names(&catalogue);
    let unknown: Vec<&String> = asked.difference(&known).collect();
    assert!(unknown.is_empty(), "the dashboard asks for {unknown:?}");
    // Every source file of the relay and the store, at any depth.
    let mut sources = String::new();
    let mut dirs = vec![root.join("relay/src"), root.join("store/src")];
    while let Some(dir) = dirs.pop() {
        for f in std::fs::read_dir(dir).unwrap() {
            let path = f.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("telemetry.rs")
            {
                sources.push_str(&std::fs::read_to_string(path).unwrap());
            }
        }
    }
    let recorded = names(&sources);
    let unrecorded: Vec<&String> = known.difference(&recorded).collect();
    assert!(
        unrecorded.is_empty(),
        "documented but never recorded: {unrecorded:?}"
    );
}

#[tokio::test]
async fn logs_can_be_json_lines() {
    let relay = TestRelay::builder(Store::Sqlite)
        .env("COMMUNITARIUM_LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .start()
        .await;
    for _ in 0..50 {
        if relay.logged("serving") > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let lines = relay.log.lock().unwrap().clone();
    let serving = lines
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|v| v["message"] == "serving")
        .unwrap_or_else(|| panic!("no JSON `serving` line in {lines:?}"));
    assert_eq!(serving["level"], "INFO");
    assert_eq!(serving["store"], "sqlite");
}

on_both_stores!(each_part_reports_its_metrics);

/// `/metrics` is for the operator: the machine itself, a scraper with the token, or a listener
/// of its own; never a stranger, and never to another site's scripts (no CORS).
#[tokio::test]
async fn metrics_are_not_public() {
    let relay = TestRelay::builder(Store::Sqlite)
        .env("COMMUNITARIUM_SERVER__REAL_IP_HEADER", "X-Forwarded-For")
        .start()
        .await;
    let http = reqwest::Client::new();
    let url = format!("{}/metrics", relay.http);
    let here = http
        .get(&url)
        .header("Origin", "https://elsewhere.example")
        .send()
        .await
        .unwrap();
    assert_eq!(here.status(), 200, "from this machine");
    assert!(here.headers().get("access-control-allow-origin").is_none());
    let forwarded = http
        .get(&url)
        .header("X-Forwarded-For", "203.0.113.9")
        .send()
        .await
        .unwrap();
    assert_eq!(
        forwarded.status(),
        404,
        "a client behind the proxy is a stranger"
    );
    let page = http
        .get(&relay.http)
        .header("Origin", "https://x.example")
        .send()
        .await
        .unwrap();
    assert_eq!(
        page.headers()["access-control-allow-origin"],
        "*",
        "NIP-11 keeps its CORS"
    );

    let token = "a-long-scraper-secret";
    let with_token = TestRelay::builder(Store::Sqlite)
        .env("COMMUNITARIUM_SERVER__METRICS_TOKEN", token)
        .start()
        .await;
    let url = format!("{}/metrics", with_token.http);
    assert_eq!(
        http.get(&url).send().await.unwrap().status(),
        404,
        "the token is needed"
    );
    let bad = http
        .get(&url)
        .bearer_auth("wrong-secret-of-some-length")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 404);
    let good = http.get(&url).bearer_auth(token).send().await.unwrap();
    assert_eq!(good.status(), 200);
    assert!(
        good.text()
            .await
            .unwrap()
            .lines()
            .any(|l| l == "communitarium_db_up 1")
    );

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let apart = TestRelay::builder(Store::Sqlite)
        .env(
            "COMMUNITARIUM_SERVER__METRICS_LISTEN",
            format!("127.0.0.1:{port}"),
        )
        .start()
        .await;
    let main = http
        .get(format!("{}/metrics", apart.http))
        .send()
        .await
        .unwrap();
    assert_eq!(
        main.status(),
        404,
        "served apart, not on the relay's address"
    );
    let own = http
        .get(format!("http://127.0.0.1:{port}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), 200);
}
