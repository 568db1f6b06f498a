//! Interop with nostr-tools on Node: the scripts of `tests/node` run against the relay on both
//! stores. Installs the Node dependencies (`npm ci`) on first use.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::process::Command;

use crate::harness::{Store, TestRelay};

fn node_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/node")
}

async fn ensure_dependencies(dir: &Path) {
    crate::harness::ensure_npm(dir, "node_modules/nostr-tools/package.json").await;
}

/// Runs `node <script> <args>` in `tests/node`, asserting success.
async fn node(script: &str, args: &[String], store: Store) {
    let dir = node_dir();
    let run = Command::new("node")
        .arg(script)
        .args(args)
        .current_dir(&dir)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(120), run)
        .await
        .expect("node timed out")
        .expect("node is needed for the nostr-tools tests");
    assert!(
        output.status.success(),
        "{script} failed on {store:?}:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nostr_tools_governs_a_community_on_both_stores() {
    ensure_dependencies(&node_dir()).await;
    for store in [Store::Sqlite, Store::Postgres] {
        let founders: Vec<nips::Keys> = (0..2).map(|_| nips::Keys::generate()).collect();
        let toml = crate::gov::config(&[&founders[0], &founders[1]], &[], "invite", "");
        let relay = crate::gov::start(store, &toml).await;
        let mut args = vec![relay.url.clone()];
        args.extend(founders.iter().map(|k| k.secret_hex()));
        node("governance.mjs", &args, store).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nostr_tools_interop_on_both_stores() {
    let dir = node_dir();
    ensure_dependencies(&dir).await;
    for store in [Store::Sqlite, Store::Postgres] {
        let relay = TestRelay::start(store).await;
        node("interop.mjs", std::slice::from_ref(&relay.url), store).await;
    }
}

/// Private reactions and followers (`visibility.*`) as three keys and a stranger see them,
/// stored, counted and live, with each setting, on both stores.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nostr_tools_sees_reactions_and_followers_as_the_community_decided() {
    let dir = node_dir();
    ensure_dependencies(&dir).await;
    for store in [Store::Sqlite, Store::Postgres] {
        for mode in ["public", "private"] {
            let relay = TestRelay::builder(store)
                .env("COMMUNITARIUM_POLICY__VISIBILITY__REACTIONS", mode)
                .env("COMMUNITARIUM_POLICY__VISIBILITY__FOLLOWERS", mode)
                .start()
                .await;
            let args = [relay.url.clone(), mode.to_string()];
            node("norms.mjs", &args, store).await;
        }
    }
}
