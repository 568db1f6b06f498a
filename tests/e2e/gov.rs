//! Helpers for membership and governance scenarios: community configs, proposals, votes,
//! waiting for decisions, NIP-86 calls.

use std::time::Duration;

use governance::Action;
use nips::{Event, Keys};
use serde_json::{Value, json};

use crate::harness::{Store, TestRelay};
use crate::now;
use crate::raw::Raw;

/// A config for a community of `founders`, with `operators`, the `[policy.admission]` lines
/// `admission` (a bare word is the mode), short windows and no deliberation so tests decide
/// in seconds (unless `extra` sets a class's rule itself), and `extra` TOML appended.
pub fn config(founders: &[&Keys], operators: &[&Keys], admission: &str, extra: &str) -> String {
    let list = |keys: &[&Keys]| {
        keys.iter()
            .map(|k| format!("\"{}\"", k.pubkey().to_hex()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let admission = if admission.contains('=') {
        admission.to_string()
    } else {
        format!("mode = \"{admission}\"")
    };
    // Quick classes: no discussion first, and a proposal everyone voted on closes at once
    // (tests of the grace period set their own).
    let quick: String = governance::Class::ALL
        .iter()
        .map(|c| format!("[policy.classes.{c}]"))
        .filter(|section| !extra.contains(section.as_str()))
        .map(|section| format!("{section}\ndeliberation = 0\ngrace = 0\n\n"))
        .collect();
    format!(
        "founders = [{}]\noperators = [{}]\n\n[policy.admission]\n{admission}\n\n\
         [policy.proposals]\nmin_window = 1\n\n{quick}{extra}\n",
        list(founders),
        list(operators),
    )
}

/// Starts a relay with `toml`. Founders may propose and vote at once: a proposal's electorate
/// includes the members admitted in its own second, the genesis included.
pub async fn start(store: Store, toml: &str) -> TestRelay {
    TestRelay::builder(store).config(toml).start().await
}

/// The relay's NIP-11 document.
pub async fn info(relay: &TestRelay) -> Value {
    reqwest::Client::new()
        .get(&relay.http)
        .header("Accept", "application/nostr+json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The relay's own pubkey (NIP-11 `self`).
pub async fn relay_key(relay: &TestRelay) -> String {
    info(relay).await["self"].as_str().unwrap().to_string()
}

/// A connection authenticated as `keys`.
pub async fn member(relay: &TestRelay, keys: &Keys) -> Raw {
    let mut c = Raw::connect(&relay.url).await;
    c.auth(keys).await;
    c
}

/// Signs a proposal for `action` ending in `window` seconds, as a NIP-88 poll.
pub fn proposal(keys: &Keys, action: &Action, window: u64, relay_url: &str, title: &str) -> Event {
    proposal_at(keys, action, now(), window, relay_url, title)
}

/// As [`proposal`], dated `at`.
pub fn proposal_at(
    keys: &Keys,
    action: &Action,
    at: u64,
    window: u64,
    relay_url: &str,
    title: &str,
) -> Event {
    let block = governance::Policy::default()
        .classes
        .get(action.class())
        .block;
    keys.sign(
        at,
        1068,
        governance::proposal::proposal_tags(action, block, at + window, relay_url),
        title.to_string(),
    )
}

/// Signs a vote.
pub fn vote(keys: &Keys, proposal: &Event, choice: &str) -> Event {
    keys.sign(
        now(),
        1018,
        vec![
            vec!["e".into(), proposal.id.to_hex()],
            vec!["response".into(), choice.into()],
        ],
        String::new(),
    )
}

/// A `set` of one ordinary parameter.
pub fn set(name: &str, value: &str) -> Action {
    Action::Set(vec![
        governance::proposal::Change::parse(name, value).unwrap().0,
    ])
}

/// Proposes `action` as `voters[0]` (voting open `window` seconds), has every one of `voters`
/// vote yes, and returns the decision.
pub async fn decide(
    relay: &TestRelay,
    voters: &[Keys],
    action: &Action,
    window: u64,
    title: &str,
) -> Value {
    let pk = relay_key(relay).await;
    let mut c = member(relay, &voters[0]).await;
    let p = proposal(&voters[0], action, window, &relay.url, title);
    c.accept(&p).await;
    for k in voters {
        member(relay, k).await.accept(&vote(k, &p, "yes")).await;
    }
    decision_on(&mut c, &pk, &p.id.to_hex()).await
}

/// Waits for the decision on `proposal` (or any decision with `tag`) and returns it.
pub async fn decision_on(c: &mut Raw, relay_pk: &str, proposal: &str) -> Value {
    for _ in 0..60 {
        let found = c
            .req(
                "d",
                json!([{"authors": [relay_pk], "kinds": [8002], "#e": [proposal]}]),
            )
            .await
            .events();
        if let Some(d) = found.into_iter().next() {
            return d;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    panic!("no decision on {proposal} within 30 s");
}

/// A decision's count for `option` (its `tally` tag).
pub fn tally(decision: &Value, option: &str) -> u64 {
    decision["tags"]
        .as_array()
        .and_then(|tags| tags.iter().find(|t| t[0] == "tally" && t[1] == option))
        .and_then(|t| t[2].as_str()?.parse().ok())
        .unwrap_or_else(|| panic!("no tally for {option} in {decision}"))
}

/// The value of the first tag named `name` of a JSON event.
pub fn tag<'a>(event: &'a Value, name: &str) -> Option<&'a str> {
    event["tags"]
        .as_array()?
        .iter()
        .find(|t| t[0] == name)
        .and_then(|t| t[1].as_str())
}

/// The current policy document (33535 content).
pub async fn policy(c: &mut Raw, relay_pk: &str) -> Value {
    let docs = c
        .req(
            "p",
            json!([{"authors": [relay_pk], "kinds": [33535], "#d": ["relay"]}]),
        )
        .await
        .events();
    assert_eq!(docs.len(), 1, "exactly one current policy document");
    serde_json::from_str(docs[0]["content"].as_str().unwrap()).unwrap()
}

/// Members listed by the relay's current 13534.
pub async fn members(c: &mut Raw, relay_pk: &str) -> Vec<String> {
    let lists = c
        .req("m", json!([{"authors": [relay_pk], "kinds": [13534]}]))
        .await
        .events();
    assert_eq!(lists.len(), 1, "one current membership list");
    let mut keys: Vec<String> = lists[0]["tags"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t[0] == "member")
        .map(|t| t[1].as_str().unwrap().to_string())
        .collect();
    keys.sort();
    keys
}

/// A NIP-86 call authorized by `keys` with a NIP-98 header built by nostr-sdk.
pub async fn manage(relay: &TestRelay, keys: &Keys, method: &str, params: Value) -> (u16, Value) {
    use nostr_sdk::hashes::Hash;
    use nostr_sdk::hashes::sha256::Hash as Sha256Hash;
    use nostr_sdk::nips::nip98::{HttpData, HttpMethod};
    let body = json!({"method": method, "params": params}).to_string();
    let sdk_keys = nostr_sdk::Keys::parse(&keys.secret_hex()).unwrap();
    let url = nostr_sdk::Url::parse(&relay.http).unwrap();
    let header = HttpData::new(url, HttpMethod::POST)
        .payload(Sha256Hash::hash(body.as_bytes()))
        .to_authorization(&sdk_keys)
        .await
        .unwrap();
    post(relay, &header, body).await
}

/// POSTs a management request with the given `Authorization` header.
pub async fn post(relay: &TestRelay, authorization: &str, body: String) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(&relay.http)
        .header("Content-Type", "application/nostr+json+rpc")
        .header("Authorization", authorization)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}
