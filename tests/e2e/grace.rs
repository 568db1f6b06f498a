//! The last voter can change their mind: a proposal everyone has voted on closes its class's
//! grace after the last vote, not at once, and a vote changed inside the grace counts.

use std::time::Duration;

use serde_json::json;

use crate::gov::{self, config, decision_on, member, proposal, set, vote};
use crate::harness::Store;
use crate::verify::run_verify;
use crate::{now, on_both_stores};

async fn a_changed_mind_inside_the_grace_counts(store: Store) {
    let f: Vec<nips::Keys> = (0..2).map(|_| nips::Keys::generate()).collect();
    let extra = "[policy.classes.ordinary]\ndeliberation = 0\ngrace = 4\n";
    let relay = gov::start(store, &config(&[&f[0], &f[1]], &[], "invite", extra)).await;
    let pk = gov::relay_key(&relay).await;
    let mut c = member(&relay, &f[0]).await;
    let p = proposal(
        &f[0],
        &set("reports.threshold", "5"),
        600,
        &relay.url,
        "Fewer reports",
    );
    c.accept(&p).await;
    for k in &f {
        member(&relay, k).await.accept(&vote(k, &p, "yes")).await;
    }
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let pid = p.id.to_hex();
    let page = relay.page(&format!("/proposals/{pid}")).await;
    assert!(
        page.contains("Everyone has voted.") && page.contains("unless someone changes their vote"),
        "the page says when it closes"
    );
    let filter = json!([{"authors": [&pk], "kinds": [8002], "#e": [&pid]}]);
    assert!(
        c.req("d", filter).await.events().is_empty(),
        "not decided at the last vote"
    );
    // The second member changes their mind inside the grace.
    let changed = vote(&f[1], &p, "no");
    let changed_at = changed.created_at;
    member(&relay, &f[1]).await.accept(&changed).await;
    let d = decision_on(&mut c, &pk, &pid).await;
    assert_eq!(
        gov::tag(&d, "result"),
        Some("failed"),
        "one yes, one no: {d}"
    );
    let decided_at = d["created_at"].as_u64().unwrap();
    assert!(
        decided_at >= changed_at + 4,
        "closed {}s after the last vote",
        decided_at - changed_at
    );
    assert!(decided_at < now() + 1);
    // The page says why, in words; the decision names the proposal by its title.
    let page = relay.page(&format!("/proposals/{pid}")).await;
    assert!(
        page.contains("a tie does not pass under the ordinary rule"),
        "the page explains the tie"
    );
    assert!(
        d["content"]
            .as_str()
            .unwrap()
            .starts_with("Fewer reports — failed"),
        "{d}"
    );
    let (ok, text) = run_verify(&relay).await;
    assert!(ok, "{text}");
}

/// A decision is explained by the rule it was decided under: after the community lowers the
/// rule's minimum of yes votes, an earlier failure still says it lacked the minimum then.
async fn a_decision_is_explained_by_its_own_rule(store: Store) {
    let f: Vec<nips::Keys> = (0..2).map(|_| nips::Keys::generate()).collect();
    let extra = "[policy.classes.ordinary]\ndeliberation = 0\ngrace = 1\nmin_yes = 2\n\
                 [policy.classes.constitutional]\ndeliberation = 0\ngrace = 1\n";
    let relay = gov::start(store, &config(&[&f[0], &f[1]], &[], "invite", extra)).await;
    let pk = gov::relay_key(&relay).await;
    let mut c = member(&relay, &f[0]).await;
    let p = proposal(
        &f[0],
        &set("reports.threshold", "5"),
        600,
        &relay.url,
        "One yes",
    );
    c.accept(&p).await;
    c.accept(&vote(&f[0], &p, "yes")).await;
    member(&relay, &f[1])
        .await
        .accept(&vote(&f[1], &p, "abstain"))
        .await;
    let pid = p.id.to_hex();
    let d = decision_on(&mut c, &pk, &pid).await;
    assert_eq!(gov::tag(&d, "result"), Some("failed"), "{d}");
    let lower = gov::decide(
        &relay,
        &f,
        &governance::Action::Constitution(vec![
            governance::proposal::Change::parse("classes.ordinary.min_yes", "1")
                .unwrap()
                .0,
        ]),
        600,
        "One yes is enough",
    )
    .await;
    assert_eq!(gov::tag(&lower, "result"), Some("passed"), "{lower}");
    let page = relay.page(&format!("/proposals/{pid}")).await;
    assert!(
        page.contains("the ordinary rule needs at least 2 yes votes"),
        "the failure is explained by the rule it was decided under"
    );
}

on_both_stores!(
    a_changed_mind_inside_the_grace_counts,
    a_decision_is_explained_by_its_own_rule
);
