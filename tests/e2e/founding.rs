//! Founding a community. A relay started without founders signs nothing: it serves clients
//! under its default policy, prints a setup link, and waits. Whoever holds the link founds it
//! with a signed request; founding by flags at a later start works too. Starting over an
//! existing community with other founders explains itself, and two relays cannot share one
//! data directory.

use nostr_sdk::hashes::Hash;
use nostr_sdk::hashes::sha256::Hash as Sha256Hash;
use nostr_sdk::nips::nip98::{HttpData, HttpMethod};
use serde_json::{Value, json};

use crate::gov::{self, member, proposal, set};
use crate::harness::{Store, TestRelay};
use crate::raw::Raw;
use crate::{now, on_both_stores, sign};

/// `POST link` with `body`, signed (NIP-98) by `keys`: the status and the JSON answer.
pub async fn found(link: &str, keys: &nips::Keys, body: &Value) -> (u16, Value) {
    let body = body.to_string();
    let sdk = nostr_sdk::Keys::parse(&keys.secret_hex()).unwrap();
    let header = HttpData::new(nostr_sdk::Url::parse(link).unwrap(), HttpMethod::POST)
        .payload(Sha256Hash::hash(body.as_bytes()))
        .to_authorization(&sdk)
        .await
        .unwrap();
    let response = reqwest::Client::new()
        .post(link)
        .header("Content-Type", "application/json")
        .header("Authorization", header)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn decisions(relay: &TestRelay) -> usize {
    let pk = gov::relay_key(relay).await;
    let mut c = Raw::connect(&relay.url).await;
    c.req("d", json!([{"authors": [pk], "kinds": [8002]}]))
        .await
        .events()
        .len()
}

async fn a_community_is_founded_through_its_setup_page(store: Store) {
    let mut relay = TestRelay::builder(store).unfounded().start().await;
    let link = relay.setup_link().await;
    assert!(
        link.starts_with(&format!("{}/setup?token=", relay.http)),
        "{link}"
    );
    // Before founding: nothing signed, clients served as on an open relay, nothing governed.
    assert_eq!(decisions(&relay).await, 0);
    let anyone = nips::Keys::generate();
    let mut c = Raw::connect(&relay.url).await;
    c.accept(&sign(&anyone, now(), 1, &[], "hello before founding"))
        .await;
    let p = proposal(
        &anyone,
        &set("limitation.max_content_length", "5000"),
        600,
        &relay.url,
        "x",
    );
    let (ok, why) = member(&relay, &anyone).await.publish(&p).await;
    assert!(!ok && why.contains("not founded yet"), "{why}");
    let page = |url: String| async move { reqwest::get(url).await.unwrap().text().await.unwrap() };
    assert!(
        page(format!("{}/setup", relay.http))
            .await
            .contains("not founded yet")
    );
    assert!(page(link.clone()).await.contains("Found your community"));
    // The founding, signed by the founder, with a co-founder.
    let (founder, cofounder) = (nips::Keys::generate(), nips::Keys::generate());
    let form = json!({
        "name": "Elm Street Neighbours",
        "description": "Our street's own place to talk and decide.",
        "admission": "invite",
        "read": "members",
        "cofounders": [nips::nip19::encode_npub(&cofounder.pubkey())],
    });
    let wrong = format!("{}/setup?token=not-the-token", relay.http);
    assert_eq!(found(&wrong, &founder, &form).await.0, 403);
    let (status, answer) = found(&link, &founder, &form).await;
    assert_eq!(status, 200, "{answer}");
    let info = gov::info(&relay).await;
    assert_eq!(info["name"], "Elm Street Neighbours");
    assert_eq!(info["governance"]["members"], 2);
    assert_eq!(info["governance"]["admission"], "invite");
    assert_eq!(info["governance"]["read"], "members");
    assert_eq!(decisions(&relay).await, 1, "the genesis");
    assert!(
        !relay.data_dir.join("setup.token").exists(),
        "the link is spent"
    );
    let (status, _) = found(&link, &nips::Keys::generate(), &form).await;
    assert!(status == 403 || status == 409, "founded once: {status}");
    // A restart keeps it founded, and prints no link.
    relay.restart().await;
    assert_eq!(gov::info(&relay).await["name"], "Elm Street Neighbours");
    assert_eq!(relay.logged("found this community"), 1);
}

/// Co-founder links: the founding lists codes; whoever joins with one in time becomes a member
/// and a founder, by a `cofounder` decision that `verify` replays; each works once.
async fn cofounder_links_make_founders(store: Store) {
    let relay = TestRelay::builder(store).unfounded().start().await;
    let link = relay.setup_link().await;
    let founder = nips::Keys::generate();
    let form = json!({
        "name": "The Allotment Co-op",
        "admission": "invite",
        "read": "public",
        "cofounder_links": 2,
        "link_days": 3,
    });
    let (status, answer) = found(&link, &founder, &form).await;
    assert_eq!(status, 200, "{answer}");
    let codes: Vec<String> = serde_json::from_value(answer["cofounder_codes"].clone()).unwrap();
    assert_eq!(codes.len(), 2);
    let until = answer["until"].as_u64().unwrap();
    assert!(until.abs_diff(now() + 3 * 86_400) < 60, "{until}");
    let page = reqwest::get(format!("{}/join?code={}", relay.http, codes[0]))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("one of this community's founders"), "{page}");
    // Joining with a code makes a founder.
    let cofounder = nips::Keys::generate();
    let mut c = member(&relay, &cofounder).await;
    let join = sign(
        &cofounder,
        now(),
        28934,
        &[&["-"], &["claim", &codes[0]]],
        "",
    );
    let (ok, why) = c.publish(&join).await;
    assert!(ok && why.contains("founders"), "{why}");
    let pk = gov::relay_key(&relay).await;
    let policy = gov::policy(&mut c, &pk).await;
    let keys = policy["founders"]["keys"].as_array().unwrap();
    assert!(
        keys.contains(&json!(cofounder.pubkey().to_hex())),
        "{policy}"
    );
    assert_eq!(keys.len(), 2);
    assert_eq!(policy["founders"]["invites"].as_array().unwrap().len(), 1);
    assert_eq!(gov::info(&relay).await["governance"]["members"], 2);
    let log = c
        .req("d", json!([{"authors": [pk], "kinds": [8002]}]))
        .await
        .events();
    let seat = log
        .iter()
        .find(|d| gov::tag(d, "result") == Some("cofounder"));
    assert_eq!(
        seat.and_then(|d| gov::tag(d, "code")),
        Some(codes[0].as_str())
    );
    // A code works once: the next person is refused, and the record replays.
    let late = nips::Keys::generate();
    let again = sign(&late, now(), 28934, &[&["-"], &["claim", &codes[0]]], "");
    let (ok, why) = member(&relay, &late).await.publish(&again).await;
    assert!(!ok && why.contains("already been used"), "{why}");
    let (ok, said) = crate::verify::run_verify(&relay).await;
    assert!(ok, "{said}");
}

/// The README's first command, then its founding command, in one data directory: the relay
/// founded by flags at its second start. Then other founders are refused with the date and
/// the founders named, and a second relay on the same directory is refused with the reason.
async fn plain_start_then_flags_found_it(store: Store) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut relay = TestRelay::builder(store)
        .unfounded()
        .data_dir(data.clone())
        .start()
        .await;
    relay.setup_link().await;
    let second = TestRelay::builder(store).unfounded().data_dir(data.clone());
    let output = second_start(&relay, &[]).await;
    let said = match store {
        Store::Sqlite => "another relay is already serving from",
        Store::Postgres => "another relay uses this database",
    };
    assert!(output.contains(said), "{output}");
    assert!(relay.stop().await.success());
    let founder = nips::Keys::generate();
    let npub = nips::nip19::encode_npub(&founder.pubkey());
    let flags = ["--admission", "invite", "--founder", &npub];
    let output = second_start(&relay, &flags).await;
    assert!(
        output.contains("communitarium listening"),
        "founded by flags: {output}"
    );
    drop(second);
    let other = nips::nip19::encode_npub(&nips::Keys::generate().pubkey());
    let output = second_start(&relay, &["--founder", &other]).await;
    assert!(output.contains("founded on 20"), "{output}");
    assert!(output.contains(&npub), "names the founders: {output}");
    assert!(output.contains("--data-dir"), "says what to do: {output}");
}

/// Runs `serve` on `relay`'s data with `flags` until it prints its address (then stops it)
/// or exits: everything it printed.
async fn second_start(relay: &TestRelay, flags: &[&str]) -> String {
    let mut args = vec!["serve".to_string(), "--listen".into(), "127.0.0.1:0".into()];
    args.extend(relay.store_args());
    args.extend(flags.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut child = relay
        .command(&args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    use tokio::io::AsyncBufReadExt;
    let mut out = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let first = tokio::time::timeout(std::time::Duration::from_secs(60), out.next_line())
        .await
        .unwrap()
        .unwrap();
    if let Some(line) = first {
        let _ = child.kill().await;
        return line;
    }
    let output = child.wait_with_output().await.unwrap();
    String::from_utf8_lossy(&output.stderr).into_owned()
}

on_both_stores!(
    a_community_is_founded_through_its_setup_page,
    cofounder_links_make_founders,
    plain_start_then_flags_found_it
);
