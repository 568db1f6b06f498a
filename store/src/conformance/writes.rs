//! Writing in batches and lanes: order and outcomes kept, lanes committing side by side.

use super::*;

pub(crate) async fn mixed_batches_keep_order_and_outcomes(store: &dyn Store) {
    let (a, v) = (Keys::generate(), Keys::generate());
    let x = sign(&a, NOW - 50, 1, &[], "already stored");
    let y = sign(&a, NOW - 50, 1, &[], "deleted before it arrived");
    save(store, &x).await;
    save(store, &sign(&a, NOW - 40, 5, &[&["e", &y.id.to_hex()]], "")).await;
    let old = sign(&v, NOW - 60, 1, &[], "from before the vanish");
    vanish(
        store,
        &sign(&v, NOW - 30, 62, &[&["relay", "ALL_RELAYS"]], ""),
    )
    .await;
    let p1 = sign(&a, NOW - 20, 1, &[&["t", "batch"]], "p1");
    let p2 = sign(&a, NOW - 19, 1, &[&["t", "batch"]], "p2");
    let p3 = sign(&a, NOW - 18, 7, &[&["e", &p1.id.to_hex()]], "+");
    let profile = sign(&a, NOW - 17, 0, &[], "{}");
    let delete_p2 = sign(&a, NOW - 16, 5, &[&["e", &p2.id.to_hex()]], "");
    let newer_profile = sign(&a, NOW - 15, 0, &[], "{\"name\":\"a\"}");
    let list_v1 = sign(&a, NOW - 14, 30023, &[&["d", "post"]], "v1");
    let list_v2 = sign(&a, NOW - 13, 30023, &[&["d", "post"]], "v2");
    let other_d = sign(&a, NOW - 13, 30023, &[&["d", "other"]], "other");
    let batch = [
        &x,
        &y,
        &old,
        &p1,
        &p1,
        &profile,
        &p2,
        &delete_p2,
        &p3,
        &newer_profile,
        &profile,
        &list_v2,
        &list_v1,
        &other_d,
        &y,
    ];
    let ops: Vec<WriteOp> = batch
        .iter()
        .map(|e| WriteOp::Save(Arc::new(Record::new((*e).clone()))))
        .collect();
    let out = store.write(&ops).await.unwrap();
    use Saved::*;
    assert_eq!(
        out,
        vec![
            Duplicate, Deleted, Vanished, Stored, Duplicate, Stored, Stored, Stored, Stored,
            Stored, Superseded, Stored, Superseded, Stored, Deleted,
        ]
    );
    assert_eq!(
        ids(
            store,
            json!({"kinds": [0], "authors": [a.pubkey().to_hex()]})
        )
        .await,
        vec![newer_profile.id]
    );
    let mut lists = ids(store, json!({"kinds": [30023]})).await;
    lists.sort();
    let mut expected = vec![list_v2.id, other_d.id];
    expected.sort();
    assert_eq!(lists, expected, "one version per address");
    assert_eq!(
        ids(store, json!({"#t": ["batch"]})).await,
        vec![p1.id],
        "p2 was deleted later in the same batch"
    );
    assert_eq!(
        ids(store, json!({"#e": [p1.id.to_hex()]})).await,
        vec![p3.id],
        "tags of a bulk-stored event are indexed"
    );
    assert_eq!(save(store, &p2).await, Deleted);
}

/// The writer's two lanes commit at once (on PostgreSQL, on two connections) without losing or
/// doubling anything, and an event stored on one is a duplicate on the other.
pub(crate) async fn lanes_commit_side_by_side(store: &dyn Store) {
    use crate::Lane;
    let k = Keys::generate();
    let batch = |kind: u16| -> Vec<WriteOp> {
        (0..20)
            .map(|i| {
                let e = sign(&k, NOW - 100 + i, kind, &[&["e", &"ab".repeat(32)]], "");
                WriteOp::Save(Arc::new(Record::new(e)))
            })
            .collect()
    };
    let (notes, votes) = (batch(1), batch(1018));
    let (a, b) = tokio::join!(
        store.write_on(Lane::Events, &notes),
        store.write_on(Lane::Governance, &votes)
    );
    assert_eq!(a.unwrap(), vec![Saved::Stored; 20]);
    assert_eq!(b.unwrap(), vec![Saved::Stored; 20]);
    let all = ids(store, json!({"authors": [k.pubkey().to_hex()]})).await;
    assert_eq!(all.len(), 40, "every event of both lanes is stored once");
    let again = store.write_on(Lane::Events, &votes[..1]).await.unwrap();
    assert_eq!(again, vec![Saved::Duplicate]);
}

super::conformance!(
    mixed_batches_keep_order_and_outcomes,
    lanes_commit_side_by_side,
);
