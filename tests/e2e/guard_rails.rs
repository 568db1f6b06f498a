//! Guard rails: the relay refuses, before anyone votes, a proposal whose policy would leave the
//! community unable to govern itself, and says why in words; a change above the floors is taken.

use governance::Action;
use governance::proposal::Change;

use crate::gov::{self, config, member, proposal, set};
use crate::harness::Store;
use crate::on_both_stores;

fn constitution(changes: &[(&str, &str)]) -> Action {
    Action::Constitution(
        changes
            .iter()
            .map(|(name, value)| Change::parse(name, value).unwrap().0)
            .collect(),
    )
}

async fn lock_outs_are_refused_with_reasons(store: Store) {
    let f: Vec<nips::Keys> = (0..3).map(|_| nips::Keys::generate()).collect();
    let relay = gov::start(
        store,
        &config(
            &[&f[0], &f[1], &f[2]],
            &[],
            "mode = \"invite\"\nvouches_required = 5",
            "",
        ),
    )
    .await;
    let mut c = member(&relay, &f[0]).await;
    let refused: Vec<(Action, &str)> = vec![
        (
            set("limitation.max_content_length", "0"),
            "proposals, comments and profiles need 1000 characters",
        ),
        (
            set("kinds.blocked", "1,1018"),
            "kind 1018 is how members vote",
        ),
        (
            set("rate.events_per_minute.notes.members", "1"),
            "votes, proposals or comments a minute",
        ),
        (
            set("limitation.min_pow_difficulty", "24"),
            "proof of work, which the community's page does not make",
        ),
        (
            set("admission.invites_per_member", "0"),
            "nobody new can join",
        ),
        (
            constitution(&[("admission.mode", "vouch")]),
            "5 members would have to vouch for a newcomer, and the community has 3",
        ),
        (
            constitution(&[("classes.constitutional.min_yes", "4")]),
            "none could pass",
        ),
    ];
    for (action, why) in refused {
        let p = proposal(&f[0], &action, 600, &relay.url, "A change");
        let (ok, message) = c.publish(&p).await;
        assert!(!ok, "{action:?} was taken");
        assert!(
            message.starts_with("invalid: this change would stop the community governing itself")
                && message.contains(why),
            "{action:?}: {message}"
        );
    }
    // Strict limits above the floors are the community's choice.
    let fine = proposal(
        &f[0],
        &set("limitation.max_content_length", "1000"),
        600,
        &relay.url,
        "Short notes",
    );
    c.accept(&fine).await;
    assert_eq!(gov::info(&relay).await["governance"]["open_proposals"], 1);
}

on_both_stores!(lock_outs_are_refused_with_reasons);
