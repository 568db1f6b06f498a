//! NIP-11: the relay information document and CORS.

use serde_json::Value;

use crate::harness::{Store, TestRelay};

#[tokio::test]
async fn information_document_matches_the_enforced_limits() {
    let relay = TestRelay::builder(Store::Sqlite)
        .config("[info]\nname = \"Test Commons\"\ncontact = \"mailto:ops@example.org\"\n[limits]\nmax_subscriptions = 7\n")
        .env("COMMUNITARIUM_LIMITS__MAX_FILTERS", 3)
        .start()
        .await;
    let http = reqwest::Client::new();
    let response = http
        .get(&relay.http)
        .header("Accept", "application/nostr+json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/nostr+json");
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    let doc: Value = response.json().await.unwrap();
    assert_eq!(doc["name"], "Test Commons");
    assert_eq!(doc["contact"], "mailto:ops@example.org");
    assert!(doc["software"].as_str().unwrap().starts_with("https://"));
    assert!(doc["version"].is_string());
    let nips: Vec<u64> = doc["supported_nips"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_u64().unwrap())
        .collect();
    for n in [1, 9, 11, 40, 42, 45, 50, 62, 70] {
        assert!(nips.contains(&n), "NIP-{n} advertised");
    }
    let limitation = &doc["limitation"];
    assert_eq!(
        limitation["max_subscriptions"], 7,
        "the config file's value"
    );
    assert_eq!(limitation["max_filters"], 3, "the environment's value");
    assert_eq!(limitation["max_subid_length"], 64);
    assert_eq!(limitation["auth_required"], false);
    assert!(limitation["max_message_length"].as_u64().unwrap() > 0);
    assert!(limitation["created_at_upper_limit"].as_u64().unwrap() > 0);

    // CORS preflight.
    let preflight = http
        .request(reqwest::Method::OPTIONS, &relay.http)
        .header("Origin", "https://client.example")
        .header("Access-Control-Request-Method", "GET")
        .header("Access-Control-Request-Headers", "accept")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success());
    for h in [
        "access-control-allow-origin",
        "access-control-allow-methods",
        "access-control-allow-headers",
    ] {
        assert!(preflight.headers().contains_key(h), "{h} on preflight");
    }

    // Browsers get a page, not JSON.
    let page = http.get(&relay.http).send().await.unwrap();
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(page.text().await.unwrap().contains("Test Commons"));
}

/// NIP-11 links the rules in words: each governed parameter with its label, sentence, unit,
/// group and value now, the catalogue the page uses.
#[tokio::test]
async fn the_rules_in_words_are_linked_from_nip11() {
    let relay = TestRelay::builder(Store::Sqlite)
        .config("[limits]\nmax_content_length = 4000\n")
        .start()
        .await;
    let http = reqwest::Client::new();
    let doc: Value = http
        .get(&relay.http)
        .header("Accept", "application/nostr+json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url = doc["governance"]["parameters"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(url.ends_with("/parameters.json"), "{url}");
    let response = http
        .get(format!("{}/parameters.json", relay.http))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    let catalogue: Value = response.json().await.unwrap();
    let params = catalogue["parameters"].as_array().unwrap();
    assert_eq!(
        params.len(),
        governance::params::all().len(),
        "every parameter"
    );
    let longest = params
        .iter()
        .find(|p| p["name"] == "limitation.max_content_length")
        .unwrap();
    assert_eq!(longest["label"], "Longest post");
    assert_eq!(longest["unit"], "characters");
    assert_eq!(longest["group"], "Posting limits");
    assert_eq!(longest["value"], 4000, "the value in force");
    assert!(
        params
            .iter()
            .all(|p| p["label"].is_string() && p["description"].is_string())
    );
}
