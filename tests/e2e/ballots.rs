//! Votes that arrive together are checked, committed and counted together (issue 14), and
//! each is still answered as if it had come alone.

use futures_util::future::join_all;
use nips::Keys;

use crate::gov::{self, config, decision_on, member, proposal, set, vote};
use crate::harness::Store;
use crate::on_both_stores;

async fn votes_sent_at_once_are_each_answered_and_counted_once(store: Store) {
    let f: Vec<Keys> = (0..20).map(|_| Keys::generate()).collect();
    let refs: Vec<&Keys> = f.iter().collect();
    let relay = gov::start(store, &config(&refs, &[], "invite", "")).await;
    let pk = gov::relay_key(&relay).await;
    let mut c = member(&relay, &f[0]).await;
    let p = proposal(&f[0], &set("reports.threshold", "5"), 3, &relay.url, "");
    c.accept(&p).await;
    // Every connection first, so the votes leave together and meet in one count.
    let mut conns = join_all(f.iter().map(|k| member(&relay, k))).await;
    let mut twice = member(&relay, &f[2]).await;
    let stranger = Keys::generate();
    let mut outsider = member(&relay, &stranger).await;
    let block = vote(&f[1], &p, "block");
    let repeated = vote(&f[2], &p, "yes");
    let ballots: Vec<_> = f
        .iter()
        .enumerate()
        .map(|(i, k)| match i {
            1 => block.clone(),
            2 => repeated.clone(),
            _ => vote(k, &p, "yes"),
        })
        .collect();
    let strangers = vote(&stranger, &p, "yes");
    let sends = conns.iter_mut().zip(&ballots).map(|(c, v)| c.publish(v));
    let (answers, again, outside) = tokio::join!(
        join_all(sends),
        twice.publish(&repeated),
        outsider.publish(&strangers)
    );
    for (i, (ok, message)) in answers.iter().enumerate() {
        match i {
            1 => assert!(
                !ok && message.starts_with("invalid:") && message.contains("block"),
                "a block vote where none is offered: {message}"
            ),
            _ => assert!(ok, "vote {i}: {message}"),
        }
    }
    assert!(again.0, "the same vote sent again: {}", again.1);
    let first_says_duplicate = answers[2].1.starts_with("duplicate:");
    assert!(
        first_says_duplicate != again.1.starts_with("duplicate:"),
        "one of the two copies is stored, the other a duplicate: {:?} / {:?}",
        answers[2],
        again
    );
    assert!(!outside.0, "a stranger's vote: {}", outside.1);
    let decision = decision_on(&mut c, &pk, &p.id.to_hex()).await;
    assert_eq!(
        gov::tally(&decision, "yes"),
        19,
        "every accepted vote counted once, the refused ones not at all"
    );
    assert_eq!(gov::tally(&decision, "no"), 0);
    assert_eq!(gov::tag(&decision, "result"), Some("passed"));
}

on_both_stores!(votes_sent_at_once_are_each_answered_and_counted_once);
