//! A ban means not a member, in every client: the membership list (kind 13534) leaves a banned
//! member off, with a marked 8001, for the ban's length; when it ends, a marked 8000 and the
//! list name them again. Their membership in the record does not change, and `verify` agrees.

use std::time::Duration;

use governance::Action;
use serde_json::{Value, json};

use crate::gov::{self, config, decision_on, member, proposal, vote};
use crate::harness::Store;
use crate::raw::Raw;
use crate::verify::run_verify;
use crate::{now, on_both_stores};

/// Waits until the newest `kind` event of the relay matching `check` appears.
async fn until(c: &mut Raw, relay_pk: &str, kinds: Value, check: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..40 {
        let found = c
            .req("w", json!([{"authors": [relay_pk], "kinds": kinds}]))
            .await
            .events();
        if let Some(e) = found.into_iter().find(|e| check(e)) {
            return e;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("no matching event of kinds {kinds} within 10 s");
}

fn lists(e: &Value, key: &str) -> bool {
    e["tags"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t[0] == "member" && t[1] == key)
}

fn names(e: &Value, key: &str, marker: &str) -> bool {
    let tags = e["tags"].as_array().unwrap();
    tags.iter().any(|t| t[0] == "p" && t[1] == key)
        && tags.iter().any(|t| t[0] == "suspended" && t[1] == marker)
}

async fn a_ban_takes_a_member_off_the_list_for_its_length(store: Store) {
    let f: Vec<nips::Keys> = (0..4).map(|_| nips::Keys::generate()).collect();
    let founders: Vec<&nips::Keys> = f.iter().collect();
    let relay = gov::start(store, &config(&founders, &[], "invite", "")).await;
    let pk = gov::relay_key(&relay).await;
    let target = f[3].pubkey().to_hex();
    let mut c = member(&relay, &f[0]).await;
    let list = until(&mut c, &pk, json!([13534]), |_| true).await;
    assert!(lists(&list, &target), "a member before the ban: {list}");
    let ban = Action::Ban {
        target: f[3].pubkey(),
        duration: 6,
    };
    let p = proposal(&f[0], &ban, 3, &relay.url, "A short ban");
    c.accept(&p).await;
    for k in &f[..3] {
        member(&relay, k).await.accept(&vote(k, &p, "yes")).await;
    }
    let d = decision_on(&mut c, &pk, &p.id.to_hex()).await;
    assert_eq!(gov::tag(&d, "result"), Some("passed"), "{d}");
    let off = until(&mut c, &pk, json!([8001]), |e| names(e, &target, "ban")).await;
    let list = until(&mut c, &pk, json!([13534]), |e| !lists(e, &target)).await;
    assert!(
        lists(&list, &f[0].pubkey().to_hex()),
        "the others stay: {list}"
    );
    assert!(off["created_at"].as_u64() <= list["created_at"].as_u64());
    let (ok, text) = run_verify(&relay).await;
    assert!(ok, "verify agrees while the ban lasts: {text}");

    let back = until(&mut c, &pk, json!([8000]), |e| names(e, &target, "ended")).await;
    let until_ban = d["created_at"].as_u64().unwrap() + 6;
    assert!(back["created_at"].as_u64().unwrap() >= until_ban, "{back}");
    until(&mut c, &pk, json!([13534]), |e| lists(e, &target)).await;
    assert!(now() >= until_ban);
    let (ok, text) = run_verify(&relay).await;
    assert!(ok, "verify agrees once the ban ended: {text}");
}

on_both_stores!(a_ban_takes_a_member_off_the_list_for_its_length);
