//! The operator's command line in words: `invite` prints a join link and its expiry as a date,
//! `members` says since when and how each member came in, and a command run in a folder with
//! no community says so and creates nothing.

use crate::gov::{self, config, member};
use crate::harness::Store;
use crate::transfer::{args, run};
use crate::{now, on_both_stores, sign};

async fn invite_and_members_speak_plainly(store: Store) {
    let founder = nips::Keys::generate();
    let relay = gov::start(store, &config(&[&founder], &[], "invite", "")).await;
    let (ok, out, err) = run(&relay, &args("invite", relay.store_args(), &[]), b"").await;
    assert!(ok, "{err}");
    let link = out.trim();
    assert!(
        link.starts_with("http://") && link.contains("/join?code="),
        "a join link: {out}"
    );
    assert!(
        err.contains("it works once, until 20") && err.contains(" UTC"),
        "the expiry as a date: {err}"
    );
    // The link's code lets a newcomer in.
    let code = link.split("code=").nth(1).unwrap();
    let newcomer = nips::Keys::generate();
    let join = sign(&newcomer, now(), 28934, &[&["-"], &["claim", code]], "");
    let (ok, welcome) = member(&relay, &newcomer).await.publish(&join).await;
    assert!(
        ok && welcome.starts_with("info: welcome to ")
            && welcome.ends_with("You are a member now."),
        "{welcome}"
    );
    let (ok, out, err) = run(&relay, &args("members", relay.store_args(), &[]), b"").await;
    assert!(ok, "{err}");
    let line_of = |keys: &nips::Keys| {
        let npub = nips::nip19::encode_npub(&keys.pubkey());
        out.lines()
            .find(|l| l.starts_with(&npub))
            .unwrap_or_else(|| panic!("{npub} is listed: {out}"))
            .to_string()
    };
    assert!(line_of(&founder).contains("a founder"), "{out}");
    let theirs = line_of(&newcomer);
    assert!(
        theirs.contains("invited with an operator's code") && theirs.contains("since 20"),
        "{theirs}"
    );
    // The page does not show them as a founder either.
    let page = relay.page("/members").await;
    assert!(
        page.contains("invited by the operator"),
        "on the members page"
    );
}

async fn a_folder_without_a_community_is_left_alone(store: Store) {
    let relay = gov::start(store, &config(&[], &[], "open", "")).await;
    let empty = tempfile::tempdir().unwrap();
    let dir = empty.path().display().to_string();
    // The relay's database (on PostgreSQL), but a folder without its key.
    let mut elsewhere = relay.store_args();
    elsewhere[1] = dir.clone();
    for verb in ["invite", "members", "export"] {
        let (ok, _, err) = run(&relay, &args(verb, elsewhere.clone(), &[]), b"").await;
        assert!(!ok, "{verb} succeeded in an empty folder");
        assert!(
            err.contains("there is no community in") && err.contains("nothing was created"),
            "{verb}: {err}"
        );
    }
    let left: Vec<_> = std::fs::read_dir(empty.path()).unwrap().collect();
    assert!(left.is_empty(), "nothing was created: {left:?}");
}

/// The start-up warning that the policy overrides the configuration comes only for values the
/// operator set, not for every default the members have since changed.
async fn only_configured_values_are_said_to_differ(store: Store) {
    let f = nips::Keys::generate();
    let extra = "[limits]\nmax_event_tags = 3000\n";
    let mut relay = gov::start(store, &config(&[&f], &[], "invite", extra)).await;
    let keys = [f];
    for (name, value) in [
        ("limitation.max_content_length", "5000"),
        ("limitation.max_event_tags", "4000"),
    ] {
        gov::decide(&relay, &keys, &gov::set(name, value), 60, "A change").await;
    }
    relay.restart().await;
    assert_eq!(
        relay.logged("limitation.max_event_tags"),
        1,
        "the configured value the members changed"
    );
    assert_eq!(
        relay.logged("limitation.max_content_length"),
        0,
        "a default the operator never set"
    );
}

on_both_stores!(
    invite_and_members_speak_plainly,
    a_folder_without_a_community_is_left_alone,
    only_configured_values_are_said_to_differ
);

/// A PostgreSQL database that does not exist is named, with how to create it; nothing about
/// clusters.
#[tokio::test]
async fn a_missing_database_says_how_to_create_it() {
    let name = format!("communitarium_absent_{}", rand::random::<u32>());
    let url = crate::db::with_database(&crate::db::admin_url(), &name);
    let dir = tempfile::tempdir().unwrap();
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_communitarium"))
        .args(["serve", "--listen", "127.0.0.1:0", "--database-url", &url])
        .arg("--data-dir")
        .arg(dir.path())
        .env_remove("DATABASE_URL")
        .output()
        .await
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains(&format!("the database `{name}` does not exist"))
            && err.contains(&format!("createdb {name}"))
            && !err.contains("cluster"),
        "{err}"
    );
}

/// Importing a community into a folder without its relay key says the key must be copied.
#[tokio::test]
async fn an_import_without_the_relay_key_says_to_copy_it() {
    let f = nips::Keys::generate();
    let relay = gov::start(Store::Sqlite, &config(&[&f], &[], "invite", "")).await;
    let (ok, exported, err) = run(&relay, &args("export", relay.store_args(), &[]), b"").await;
    assert!(ok, "{err}");
    let fresh = tempfile::tempdir().unwrap();
    let into = vec!["--data-dir".to_string(), fresh.path().display().to_string()];
    let (ok, report, err) = run(&relay, &args("import", into, &[]), exported.as_bytes()).await;
    assert!(ok, "{err}");
    assert!(
        report.contains("another relay's governance record"),
        "{report}"
    );
    assert!(
        err.contains("had no relay.key") && err.contains("copy relay.key"),
        "{err}"
    );
}
