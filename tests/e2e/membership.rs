//! Membership (issue 3): genesis, invite-only admission with NIP-43 through nostr-sdk, leaving,
//! vouching, members-only reads, the relay's own kinds, and the operator CLI.

use std::process::Stdio;
use std::time::Duration;

use nostr_sdk::prelude::*;
use serde_json::json;

use crate::gov::{self, config};
use crate::harness::Store;
use crate::raw::Raw;
use crate::{now, on_both_stores, sdk, sign};

async fn genesis_on_first_start_only(store: Store) {
    let (a, b) = (::nips::Keys::generate(), ::nips::Keys::generate());
    let mut relay = gov::start(store, &config(&[&a, &b], &[], "invite", "")).await;
    let pk = gov::relay_key(&relay).await;
    let mut c = Raw::connect(&relay.url).await;
    assert_eq!(count(&mut c, &pk, 8002).await, 1);
    assert_eq!(count(&mut c, &pk, 8000).await, 2);
    let mut expected = vec![a.pubkey().to_hex(), b.pubkey().to_hex()];
    expected.sort();
    assert_eq!(gov::members(&mut c, &pk).await, expected);
    let genesis = c
        .req("g", json!([{"authors": [pk], "kinds": [8002]}]))
        .await
        .events();
    assert_eq!(gov::tag(&genesis[0], "result"), Some("genesis"));
    let doc: serde_json::Value =
        serde_json::from_str(genesis[0]["content"].as_str().unwrap()).unwrap();
    assert_eq!(
        doc["admission"]["mode"], "invite",
        "the genesis carries the initial policy"
    );
    assert_eq!(gov::policy(&mut c, &pk).await["version"], 1);

    relay.restart().await;
    assert_eq!(gov::relay_key(&relay).await, pk, "the relay keeps its key");
    let mut c = Raw::connect(&relay.url).await;
    assert_eq!(count(&mut c, &pk, 8002).await, 1, "no second genesis");
    assert_eq!(count(&mut c, &pk, 8000).await, 2);
}

async fn count(c: &mut Raw, author: &str, kind: u16) -> usize {
    c.req("k", json!([{"authors": [author], "kinds": [kind]}]))
        .await
        .events()
        .len()
}

async fn changing_founders_after_genesis_is_refused(store: Store) {
    let (a, b) = (::nips::Keys::generate(), ::nips::Keys::generate());
    let mut relay = gov::start(store, &config(&[&a], &[], "invite", "")).await;
    relay.stop().await;
    let toml = config(&[&a, &b], &[], "invite", "");
    std::fs::write(
        relay.data_dir.parent().unwrap().join("communitarium.toml"),
        toml,
    )
    .unwrap();
    let mut args = vec![
        "serve".to_string(),
        "--listen".into(),
        "127.0.0.1:0".into(),
        "--data-dir".into(),
        relay.data_dir.display().to_string(),
    ];
    args.extend([
        "--config".into(),
        relay
            .data_dir
            .parent()
            .unwrap()
            .join("communitarium.toml")
            .display()
            .to_string(),
    ]);
    if let Some(db) = &relay.db {
        args.extend(["--database-url".into(), db.url.clone()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = relay
        .command(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output();
    let out = tokio::time::timeout(Duration::from_secs(30), out)
        .await
        .unwrap()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("founders"), "{stderr}");
}

async fn invite_claim_and_write_with_nostr_sdk(store: Store) {
    let founder = ::nips::Keys::generate();
    let relay = gov::start(store, &config(&[&founder], &[], "invite", "")).await;
    let pk = gov::relay_key(&relay).await;
    let founder_keys = nostr_sdk::Keys::parse(&founder.secret_hex()).unwrap();
    let newcomer = nostr_sdk::Keys::generate();

    // Outsiders are refused: first asked to authenticate, then told they are not members.
    let outsider = sdk::client(&newcomer, &relay.url).await;
    let note = EventBuilder::text_note("hello?")
        .sign_with_keys(&newcomer)
        .unwrap();
    let refusal = sdk::refused(&outsider, &note).await;
    assert!(refusal.starts_with("restricted:"), "{refusal}");

    // The founder asks for an invite code (the client authenticates on its own).
    let f = sdk::client(&founder_keys, &relay.url).await;
    let invites = sdk::fetch(&f, Filter::new().kind(Kind::Custom(28935))).await;
    assert_eq!(invites.len(), 1, "one fresh invite");
    let invite = &invites[0];
    assert_eq!(invite.pubkey.to_hex(), pk, "signed by the relay");
    let code = invite
        .tags
        .find(TagKind::custom("claim"))
        .and_then(|t| t.content())
        .unwrap()
        .to_string();

    // The newcomer claims it with a NIP-43 join request.
    let join = |code: &str| {
        EventBuilder::new(Kind::Custom(28934), "")
            .tags([
                Tag::protected(),
                Tag::custom(TagKind::custom("claim"), [code]),
            ])
            .sign_with_keys(&newcomer)
            .unwrap()
    };
    let guessed = sdk::refused(&outsider, &join("0123456789abcdef01234567")).await;
    assert!(
        guessed.starts_with("restricted:") && guessed.contains("invalid"),
        "{guessed}"
    );
    sdk::publish(&outsider, &join(&code)).await;
    let again = outsider.send_event(&join(&code)).await.unwrap();
    assert!(
        again.failed.is_empty(),
        "a member re-joining is told they already are one"
    );

    let mut c = Raw::connect(&relay.url).await;
    let added = c
        .req(
            "a",
            json!([{"authors": [pk], "kinds": [8000], "#p": [newcomer.public_key().to_hex()]}]),
        )
        .await
        .events();
    assert_eq!(added.len(), 1);
    assert_eq!(
        gov::tag(&added[0], "inviter"),
        Some(founder.pubkey().to_hex().as_str())
    );
    assert!(
        gov::members(&mut c, &pk)
            .await
            .contains(&newcomer.public_key().to_hex())
    );

    // Now their writes are accepted.
    let hello = EventBuilder::text_note("hello, community")
        .sign_with_keys(&newcomer)
        .unwrap();
    sdk::publish(&outsider, &hello).await;

    // A used code cannot be claimed again by someone else.
    let third = nostr_sdk::Keys::generate();
    let t = sdk::client(&third, &relay.url).await;
    let reuse = EventBuilder::new(Kind::Custom(28934), "")
        .tags([
            Tag::protected(),
            Tag::custom(TagKind::custom("claim"), [code.as_str()]),
        ])
        .sign_with_keys(&third)
        .unwrap();
    let refusal = sdk::refused(&t, &reuse).await;
    assert!(refusal.contains("already been used"), "{refusal}");
}

async fn invites_expire_and_have_quotas(store: Store) {
    let founder = ::nips::Keys::generate();
    let member = ::nips::Keys::generate();
    let toml = config(
        &[&founder, &member],
        &[],
        "mode = \"invite\"\ninvite_expiry = 2\ninvites_per_member = 1",
        "[policy.founders]\nsunset_members = 1\n",
    );
    let relay = gov::start(store, &toml).await;
    let mut m = gov::member(&relay, &member).await;
    let code = |events: Vec<serde_json::Value>| gov::tag(&events[0], "claim").unwrap().to_string();
    let first = code(m.req("i1", json!([{"kinds": [28935]}])).await.events());
    let refusal = m.req("i2", json!([{"kinds": [28935]}])).await.closed();
    assert!(
        refusal.starts_with("rate-limited:"),
        "quota of one open code: {refusal}"
    );
    // Expiry is two seconds, so the second ticking between i1 and i2 cannot expire the first
    // code early; three seconds later it has expired.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let newcomer = ::nips::Keys::generate();
    let mut n = gov::member(&relay, &newcomer).await;
    let join = sign(&newcomer, now(), 28934, &[&["-"], &["claim", &first]], "");
    let (ok, message) = n.publish(&join).await;
    assert!(!ok && message.contains("expired"), "{message}");
    // The expired code no longer counts against the quota.
    assert_eq!(
        m.req("i3", json!([{"kinds": [28935]}]))
            .await
            .events()
            .len(),
        1
    );
    // Outsiders cannot ask for codes.
    let refusal = n.req("i4", json!([{"kinds": [28935]}])).await.closed();
    assert!(refusal.starts_with("restricted:"), "{refusal}");
    let mut anon = Raw::connect(&relay.url).await;
    assert!(
        anon.req("i5", json!([{"kinds": [28935]}]))
            .await
            .closed()
            .starts_with("auth-required:")
    );
}

async fn members_can_leave(store: Store) {
    let (a, b) = (::nips::Keys::generate(), ::nips::Keys::generate());
    let relay = gov::start(store, &config(&[&a, &b], &[], "invite", "")).await;
    let pk = gov::relay_key(&relay).await;
    let mut c = gov::member(&relay, &b).await;
    c.accept(&sign(&b, now(), 1, &[], "bye soon")).await;
    let leave = sign(&b, now(), 28936, &[&["-"]], "");
    let (ok, message) = c.publish(&leave).await;
    assert!(ok, "{message}");
    let removed = c
        .req("r", json!([{"authors": [pk], "kinds": [8001]}]))
        .await
        .events();
    assert_eq!(
        gov::tag(&removed[0], "p"),
        Some(b.pubkey().to_hex().as_str())
    );
    assert_eq!(gov::members(&mut c, &pk).await, vec![a.pubkey().to_hex()]);
    let (ok, message) = c.publish(&sign(&b, now(), 1, &[], "still here?")).await;
    assert!(!ok && message.starts_with("restricted:"), "{message}");
}

async fn vouches_admit_a_candidate(store: Store) {
    let founders: Vec<::nips::Keys> = (0..3).map(|_| ::nips::Keys::generate()).collect();
    let refs: Vec<&::nips::Keys> = founders.iter().collect();
    let toml = config(
        &refs,
        &[],
        "vouch",
        "[policy.classes.admission]\nwindow = 60\ngrace = 0\n",
    );
    let relay = gov::start(store, &toml).await;
    let pk = gov::relay_key(&relay).await;
    let candidate = ::nips::Keys::generate();
    let mut cand = gov::member(&relay, &candidate).await;
    let (ok, message) = cand
        .publish(&sign(
            &candidate,
            now(),
            28934,
            &[&["-"]],
            "I run the local library",
        ))
        .await;
    assert!(ok && message.contains("vouch"), "{message}");
    let mut f0 = gov::member(&relay, &founders[0]).await;
    let polls = f0
        .req("p", json!([{"authors": [pk], "kinds": [1068]}]))
        .await
        .events();
    assert_eq!(polls.len(), 1, "the relay opened an admission poll");
    let poll = ::nips::Event::from_json(&polls[0].to_string()).unwrap();
    assert_eq!(gov::tag(&polls[0], "gov"), Some("admit"));
    // The first vouch is not enough (two are required by default).
    f0.accept(&gov::vote(&founders[0], &poll, "yes")).await;
    let (ok, _) = cand
        .publish(&sign(&candidate, now(), 1, &[], "in yet?"))
        .await;
    assert!(!ok);
    let mut f1 = gov::member(&relay, &founders[1]).await;
    f1.accept(&gov::vote(&founders[1], &poll, "yes")).await;
    let decision = gov::decision_on(&mut f1, &pk, &poll.id.to_hex()).await;
    assert_eq!(gov::tag(&decision, "result"), Some("passed"));
    assert!(
        gov::members(&mut f1, &pk)
            .await
            .contains(&candidate.pubkey().to_hex())
    );
    cand.accept(&sign(&candidate, now(), 1, &[], "thank you"))
        .await;
}

async fn members_only_reads(store: Store) {
    let member = ::nips::Keys::generate();
    let toml = config(&[&member], &[], "mode = \"invite\"\nread = \"members\"", "");
    let relay = gov::start(store, &toml).await;
    let pk = gov::relay_key(&relay).await;
    let mut m = gov::member(&relay, &member).await;
    m.accept(&sign(&member, now(), 1, &[], "for members")).await;
    assert_eq!(m.req("a", json!([{"kinds": [1]}])).await.events().len(), 1);
    let mut anon = Raw::connect(&relay.url).await;
    assert!(
        anon.req("a", json!([{"kinds": [1]}]))
            .await
            .closed()
            .starts_with("auth-required:")
    );
    anon.send_json(json!(["COUNT", "c", {"kinds": [1]}])).await;
    let closed = anon.recv().await;
    assert_eq!(closed[0], "CLOSED");
    assert!(
        !anon
            .req("r", json!([{"authors": [pk], "kinds": [13534]}]))
            .await
            .events()
            .is_empty(),
        "the relay's own record is public"
    );
    let stranger = ::nips::Keys::generate();
    let mut s = gov::member(&relay, &stranger).await;
    assert!(
        s.req("a", json!([{"kinds": [1]}]))
            .await
            .closed()
            .starts_with("restricted:")
    );
    let nip11 = gov::info(&relay).await;
    assert_eq!(nip11["limitation"]["restricted_writes"], true);
    assert_eq!(nip11["governance"]["read"], "members");
}

async fn relay_kinds_and_key_are_the_relays_alone(store: Store) {
    let member = ::nips::Keys::generate();
    let relay = gov::start(store, &config(&[&member], &[], "open", "")).await;
    let pk = gov::relay_key(&relay).await;
    let mut c = gov::member(&relay, &member).await;
    for kind in [8000u16, 8001, 13534, 8002, 33535, 28935] {
        let fake = sign(
            &member,
            now(),
            kind,
            &[&["-"], &["p", &member.pubkey().to_hex()]],
            "",
        );
        let (ok, message) = c.publish(&fake).await;
        assert!(
            !ok && message.starts_with("restricted:"),
            "kind {kind}: {message}"
        );
    }
    // A forged event claiming the relay's key fails its signature.
    let mut forged = sign(&member, now(), 1, &[], "I am the relay");
    forged.pubkey = pk.parse().unwrap();
    forged.id = forged.compute_id();
    let (ok, message) = c.publish(&forged).await;
    assert!(!ok && message.starts_with("invalid:"), "{message}");
    let nip11 = gov::info(&relay).await;
    let supported: Vec<u64> = nip11["supported_nips"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_u64().unwrap())
        .collect();
    for n in [42, 43, 86] {
        assert!(supported.contains(&n), "NIP-{n}");
    }
    assert_eq!(nip11["governance"]["admission"], "open");
    assert_eq!(nip11["self"], pk.as_str());
}

on_both_stores!(
    genesis_on_first_start_only,
    changing_founders_after_genesis_is_refused,
    invite_claim_and_write_with_nostr_sdk,
    invites_expire_and_have_quotas,
    members_can_leave,
    vouches_admit_a_candidate,
    members_only_reads,
    relay_kinds_and_key_are_the_relays_alone,
);
