//! What the community keeps beside events: invite codes, blocked addresses, quarantined events
//! and the decision chain.

use super::*;

/// Applies `effect` alone and returns its outcome.
pub(crate) async fn effect(store: &dyn Store, effect: Effect) -> Saved {
    store.write(&[WriteOp::Effect(effect)]).await.unwrap()[0]
}

fn block(ip: &str, reason: &str) -> Effect {
    Effect::BlockIp {
        ip: ip.into(),
        reason: reason.into(),
        at: NOW as i64,
    }
}

pub(crate) async fn invites_are_single_use_with_quota_and_expiry(store: &dyn Store) {
    let inviter = Keys::generate().pubkey();
    let invite = |n: u8, expires_at: u64| Invite {
        code_hash: [n; 32],
        inviter,
        created_at: NOW,
        expires_at,
    };
    assert!(
        store
            .mint_invite(&invite(1, NOW + 100), Some(2), NOW)
            .await
            .unwrap()
    );
    assert!(
        store
            .mint_invite(&invite(2, NOW + 100), Some(2), NOW)
            .await
            .unwrap()
    );
    assert!(
        !store
            .mint_invite(&invite(3, NOW + 100), Some(2), NOW)
            .await
            .unwrap(),
        "quota of 2 open codes"
    );
    let unlimited = Invite {
        code_hash: [4; 32],
        inviter: Keys::generate().pubkey(),
        created_at: NOW,
        expires_at: NOW + 100,
    };
    assert!(
        store.mint_invite(&unlimited, None, NOW).await.unwrap(),
        "no quota"
    );
    let newcomer = Keys::generate().pubkey();
    assert_eq!(
        store.claim_invite(&[1; 32], &newcomer, NOW).await.unwrap(),
        Claim::Claimed { inviter }
    );
    assert_eq!(
        store.claim_invite(&[1; 32], &newcomer, NOW).await.unwrap(),
        Claim::Used
    );
    assert_eq!(
        store.claim_invite(&[9; 32], &newcomer, NOW).await.unwrap(),
        Claim::Unknown
    );
    assert_eq!(
        store
            .claim_invite(&[2; 32], &newcomer, NOW + 100)
            .await
            .unwrap(),
        Claim::Expired
    );
    assert!(
        store
            .mint_invite(&invite(5, NOW + 100), Some(2), NOW)
            .await
            .unwrap(),
        "a claimed code frees the quota"
    );
}

pub(crate) async fn ip_blocks_persist(store: &dyn Store) {
    effect(store, block("10.0.0.1", "flood")).await;
    effect(store, block("2001:db8::1", "")).await;
    effect(store, block("10.0.0.1", "flood again")).await;
    let ips = store.blocked_ips().await.unwrap();
    assert_eq!(
        ips,
        vec![
            ("10.0.0.1".to_string(), "flood again".to_string()),
            ("2001:db8::1".to_string(), String::new())
        ]
    );
    let unblock = || Effect::UnblockIp {
        ip: "10.0.0.1".into(),
        at: NOW as i64,
    };
    assert_eq!(effect(store, unblock()).await, Saved::Stored);
    assert_eq!(
        effect(store, unblock()).await,
        Saved::Duplicate,
        "already lifted"
    );
    assert_eq!(store.blocked_ips().await.unwrap().len(), 1);
    assert_eq!(
        store.known_ips().await.unwrap().len(),
        2,
        "a lifted block is remembered"
    );
    effect(store, block("10.0.0.1", "back")).await;
    assert_eq!(store.blocked_ips().await.unwrap().len(), 2);
}

pub(crate) async fn quarantine_hides_and_restores(store: &dyn Store) {
    let k = Keys::generate();
    let e = sign(&k, NOW - 1, 1, &[&["t", "q"]], "questionable");
    save(store, &e).await;
    let quarantine = || Effect::Quarantine {
        id: e.id,
        at: NOW as i64,
    };
    assert_eq!(effect(store, quarantine()).await, Saved::Stored);
    assert_eq!(
        effect(store, quarantine()).await,
        Saved::Duplicate,
        "already gone"
    );
    assert!(ids(store, json!({"#t": ["q"]})).await.is_empty());
    assert_eq!(effect(store, Effect::Release(e.id)).await, Saved::Stored);
    assert_eq!(ids(store, json!({"#t": ["q"]})).await, vec![e.id]);
    assert_eq!(
        query(store, json!({"ids": [e.id.to_hex()]})).await[0].json,
        e.to_json(),
        "restored verbatim"
    );
    effect(store, quarantine()).await;
    assert_eq!(effect(store, Effect::Purge(e.id)).await, Saved::Stored);
    assert_eq!(effect(store, Effect::Release(e.id)).await, Saved::Duplicate);
    // Removed for good, whether stored or quarantined; and with the decision that removes it.
    save(store, &e).await;
    let decision = sign(&k, NOW, 8002, &[], "remove it");
    let done = store
        .write(&[
            WriteOp::Save(Arc::new(Record::new(decision.clone()))),
            WriteOp::Effect(Effect::Remove(e.id)),
        ])
        .await
        .unwrap();
    assert_eq!(done, vec![Saved::Stored, Saved::Stored]);
    assert!(ids(store, json!({"#t": ["q"]})).await.is_empty());
    assert_eq!(effect(store, Effect::Remove(e.id)).await, Saved::Duplicate);
}

/// No two decisions of one relay name the same `prev`: a forked chain is refused by the store
/// itself, whichever writer tries.
pub(crate) async fn decision_chain_cannot_fork(store: &dyn Store) {
    let relay = Keys::generate();
    let genesis = sign(&relay, NOW - 10, 8002, &[&["result", "genesis"]], "");
    let prev = genesis.id.to_hex();
    let one = sign(&relay, NOW - 5, 8002, &[&["prev", &prev]], "one");
    let fork = sign(&relay, NOW - 4, 8002, &[&["prev", &prev]], "fork");
    save(store, &genesis).await;
    save(store, &one).await;
    let refused = store
        .write(&[WriteOp::Save(Arc::new(Record::new(fork)))])
        .await;
    assert!(refused.is_err(), "a second decision after the same one");
    let next = sign(&relay, NOW - 3, 8002, &[&["prev", &one.id.to_hex()]], "two");
    assert_eq!(save(store, &next).await, Saved::Stored);
    let other = Keys::generate();
    let theirs = sign(
        &other,
        NOW - 3,
        8002,
        &[&["prev", &prev]],
        "another relay's",
    );
    assert_eq!(save(store, &theirs).await, Saved::Stored, "per relay key");
}

super::conformance!(
    invites_are_single_use_with_quota_and_expiry,
    ip_blocks_persist,
    quarantine_hides_and_restores,
    decision_chain_cannot_fork,
);
