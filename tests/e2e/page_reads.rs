//! The page applies REQ's read rules to its visitor: on a members-only relay a stranger sees
//! neither a member's proposal through the amendment form nor who lends their vote to whom,
//! and on any relay how members voted on a newcomer is shown only to a member who signed the
//! request (NIP-98).

use governance::Action;
use nips::Keys;
use serde_json::json;

use crate::gov::{self, config, member, proposal, set};
use crate::harness::{Store, TestRelay};
use crate::{now, on_both_stores, sign};

/// `GET path`, signed (NIP-98) by `keys` when given.
async fn get(relay: &TestRelay, path: &str, keys: Option<&Keys>) -> String {
    use nostr_sdk::nips::nip98::{HttpData, HttpMethod};
    let url = format!("{}{path}", relay.http);
    let mut request = reqwest::Client::new().get(&url);
    if let Some(k) = keys {
        let sdk = nostr_sdk::Keys::parse(&k.secret_hex()).unwrap();
        let header = HttpData::new(nostr_sdk::Url::parse(&url).unwrap(), HttpMethod::GET)
            .to_authorization(&sdk)
            .await
            .unwrap();
        request = request.header("Authorization", header);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.text().await.unwrap()
}

async fn members_content_stays_with_members(store: Store) {
    let f: Vec<Keys> = (0..2).map(|_| Keys::generate()).collect();
    let toml = config(
        &[&f[0], &f[1]],
        &[],
        "mode = \"invite\"\nread = \"members\"",
        "",
    );
    let relay = gov::start(store, &toml).await;
    let title = "Quieter evenings after ten";
    let p = proposal(
        &f[0],
        &set("limitation.max_content_length", "1900"),
        3_600,
        &relay.url,
        title,
    );
    member(&relay, &f[0]).await.accept(&p).await;
    // A delegation is dated after the community's latest change (its genesis, this second).
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let lend = f[1].sign(
        now(),
        nips::cg::KIND_DELEGATION,
        vec![
            vec!["d".into(), "all".into()],
            vec!["p".into(), f[0].pubkey().to_hex()],
        ],
        String::new(),
    );
    member(&relay, &f[1]).await.accept(&lend).await;
    let amend = format!("/propose?amends={}", p.id.to_hex());
    assert!(
        !get(&relay, &amend, None).await.contains(title),
        "a stranger"
    );
    assert!(
        get(&relay, &amend, Some(&f[1])).await.contains(title),
        "a member"
    );
    assert!(
        !get(&relay, "/members", None)
            .await
            .contains("data-delegator")
    );
    assert!(
        get(&relay, "/members", Some(&f[0]))
            .await
            .contains("data-delegator")
    );
}

async fn admission_choices_are_for_members(store: Store) {
    let f: Vec<Keys> = (0..3).map(|_| Keys::generate()).collect();
    let refs: Vec<&Keys> = f.iter().collect();
    let toml = config(
        &refs,
        &[],
        "vote",
        "[policy.classes.admission]\nwindow = 600\ngrace = 0\n",
    );
    let relay = gov::start(store, &toml).await;
    let pk = gov::relay_key(&relay).await;
    let candidate = Keys::generate();
    let mut cand = member(&relay, &candidate).await;
    cand.accept(&sign(&candidate, now(), 28934, &[&["-"]], "I bake bread"))
        .await;
    let mut f0 = member(&relay, &f[0]).await;
    let polls = f0
        .req("p", json!([{"authors": [pk], "kinds": [1068]}]))
        .await
        .events();
    let poll = nips::Event::from_json(&polls[0].to_string()).unwrap();
    assert_eq!(
        gov::tag(&polls[0], "gov"),
        Some(Action::Admit(candidate.pubkey()).name())
    );
    f0.accept(&gov::vote(&f[0], &poll, "no")).await;
    let page = format!("/proposals/{}", poll.id.to_hex());
    let seen = get(&relay, &page, None).await;
    assert!(
        !seen.contains("data-voter"),
        "the candidate does not learn who voted no"
    );
    assert!(seen.contains("data-members-see"));
    let signed = get(&relay, &page, Some(&f[1])).await;
    assert!(signed.contains(&format!("data-voter=\"{}\"", f[0].pubkey().to_hex())));
    // Other proposals' votes stay public on a public relay.
    let other = proposal(
        &f[0],
        &set("limitation.max_content_length", "1900"),
        600,
        &relay.url,
        "x",
    );
    f0.accept(&other).await;
    f0.accept(&gov::vote(&f[0], &other, "yes")).await;
    let open = get(&relay, &format!("/proposals/{}", other.id.to_hex()), None).await;
    assert!(open.contains("data-voter"));
}

on_both_stores!(
    members_content_stays_with_members,
    admission_choices_are_for_members
);
