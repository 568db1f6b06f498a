//! Anonymous page views against the relay's memory and its members: a proposal with 300
//! comments of 90 KiB, viewed by 24 addresses at once, keeps the relay's memory bounded and a
//! founder's invite request fast; one view is one page of comments, not all of them.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::gov::{self, config, member, proposal, set};
use crate::harness::{Store, TestRelay};
use crate::{now, on_both_stores};

/// The founder's wait for an invite code (kind 28935), as a member's client asks for one.
async fn invite_latency(relay: &TestRelay, founder: &nips::Keys) -> Duration {
    let mut c = member(relay, founder).await;
    let started = Instant::now();
    let got = c.req("invite", json!([{"kinds": [28935]}])).await.events();
    assert_eq!(got.len(), 1, "an invite code");
    started.elapsed()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

async fn page_views_are_bounded(store: Store) {
    let f: Vec<nips::Keys> = (0..2).map(|_| nips::Keys::generate()).collect();
    let toml = config(
        &[&f[0], &f[1]],
        &[],
        "invite",
        "[server]\nreal_ip_header = \"X-Forwarded-For\"\n",
    );
    let relay = TestRelay::builder(store)
        .unlimited()
        .config(&toml)
        .start()
        .await;
    let action = set("limitation.max_content_length", "5000");
    let p = proposal(&f[0], &action, 86_400, &relay.url, "Shorter notes");
    let mut c = member(&relay, &f[0]).await;
    c.accept(&p).await;
    let root = p.id.to_hex();
    let text = "word ".repeat(90 * 1024 / 5);
    for i in 0..300u64 {
        let comment = f[i as usize % 2].sign(
            now() - 300 + i,
            1111,
            vec![
                vec!["E".into(), root.clone()],
                vec!["K".into(), "1068".into()],
                vec!["P".into(), f[0].pubkey().to_hex()],
            ],
            format!("{i} {text}"),
        );
        c.accept(&comment).await;
    }
    let url = format!("{}/proposals/{root}", relay.http);
    let http = reqwest::Client::new();
    let one = http.get(&url).send().await.unwrap().text().await.unwrap();
    eprintln!("page flood: one view is {} bytes", one.len());
    assert!(one.len() < 512 * 1024, "one view is {} bytes", one.len());
    assert!(one.contains("Older comments"), "the rest is a link away");
    assert!(one.contains("Read it all"), "long comments are shortened");
    let quiet = median(vec![
        invite_latency(&relay, &f[0]).await,
        invite_latency(&relay, &f[0]).await,
        invite_latency(&relay, &f[0]).await,
    ]);
    let before = relay.rss_kib();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut floods = Vec::new();
    for n in 0..24 {
        let (http, url, stop) = (http.clone(), url.clone(), stop.clone());
        floods.push(tokio::spawn(async move {
            let mut statuses = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let r = http
                    .get(&url)
                    .header("X-Forwarded-For", format!("10.9.0.{n}"))
                    .send()
                    .await;
                if let Ok(r) = r {
                    statuses.push(r.status().as_u16());
                    let _ = r.bytes().await;
                }
            }
            statuses
        }));
    }
    let mut peak = before;
    let mut during = Vec::new();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(8) {
        peak = peak.max(relay.rss_kib());
        during.push(invite_latency(&relay, &f[0]).await);
        peak = peak.max(relay.rss_kib());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut served = 0;
    for flood in floods {
        served += flood.await.unwrap().iter().filter(|s| **s == 200).count();
    }
    let during = median(during);
    eprintln!(
        "page flood: {served} views served; RSS {} MiB before, {} MiB at peak; invite {quiet:?} quiet, {during:?} during",
        before / 1024,
        peak / 1024
    );
    assert!(served > 24, "the flood was served, not refused outright");
    assert!(
        peak < before + 160 * 1024,
        "memory grew from {before} KiB to {peak} KiB"
    );
    assert!(
        during < Duration::from_millis(500),
        "invite took {during:?} during the flood"
    );
    let _ = gov::info(&relay).await;
}

on_both_stores!(page_views_are_bounded);
