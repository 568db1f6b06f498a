//! The community page in a real browser: `tests/browser/community.mjs`, which drives Debian's
//! chromium through playwright-core with a test NIP-07 signer, against the relay on both
//! stores. The SQLite run also takes screenshots: into `docs/screenshots/` when
//! `SCREENSHOTS=1` (to refresh the README's), otherwise into a scratch directory.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::process::Command;

use crate::harness::Store;

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/browser")
}

async fn ensure_dependencies(dir: &Path) {
    assert!(
        Path::new(&std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()))
            .exists(),
        "the browser tests need Debian's chromium (apt-get install chromium), or CHROMIUM=<path>"
    );
    crate::harness::ensure_npm(dir, "node_modules/playwright-core/package.json").await;
}

async fn community_in_a_browser(store: Store) {
    let dir = browser_dir();
    ensure_dependencies(&dir).await;
    let founders: Vec<nips::Keys> = (0..3).map(|_| nips::Keys::generate()).collect();
    let refs: Vec<&nips::Keys> = founders.iter().collect();
    let relay = crate::gov::start(store, &crate::gov::config(&refs, &[], "invite", "")).await;
    let scratch = tempfile::tempdir().unwrap();
    let args = founders_args(&relay, &founders, store, scratch.path());
    node(&dir, "community.mjs", &args, store).await;
    // A members-only community: members' content only for members, signed in.
    let toml = crate::gov::config(&refs[..2], &[], "mode = \"invite\"\nread = \"members\"", "");
    let relay = crate::gov::start(store, &toml).await;
    let args = [
        relay.url.clone(),
        founders[0].secret_hex(),
        founders[1].secret_hex(),
    ];
    node(&dir, "members-only.mjs", &args, store).await;
    // Deliberation, an amendment and a lent vote, through the page. A `max_limit` of two
    // makes the browser's check of the decision log page through it.
    let extra = "[policy.classes.ordinary]\ndeliberation = 6\ngrace = 0\n\n[limits]\nmax_limit = 2\ndefault_limit = 2\n";
    let relay = crate::gov::start(store, &crate::gov::config(&refs, &[], "invite", extra)).await;
    let args = founders_args(&relay, &founders, store, scratch.path());
    node(&dir, "norms.mjs", &args, store).await;
}

/// Founding and joining with only a browser: keys made in it, and a remote signer; the
/// relay's private message and announcement of a vote.
async fn founding_in_a_browser(store: Store) {
    let dir = browser_dir();
    ensure_dependencies(&dir).await;
    let relay = crate::harness::TestRelay::builder(store)
        .unfounded()
        .config(&crate::gov::config(&[], &[], "invite", ""))
        .start()
        .await;
    let scratch = tempfile::tempdir().unwrap();
    let mut args = vec![relay.url.clone(), relay.setup_link().await];
    args.extend(
        founders_args(&relay, &[], store, scratch.path())
            .into_iter()
            .skip(1),
    );
    node(&dir, "founding.mjs", &args, store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_founding_in_a_browser() {
    founding_in_a_browser(Store::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_founding_in_a_browser() {
    founding_in_a_browser(Store::Postgres).await;
}

/// A scenario's arguments: the relay, the founders' secrets and, on SQLite, where its
/// screenshots go (`docs/screenshots/` when `SCREENSHOTS=1`, else `scratch`).
fn founders_args(
    relay: &crate::harness::TestRelay,
    founders: &[nips::Keys],
    store: Store,
    scratch: &Path,
) -> Vec<String> {
    let mut args = vec![relay.url.clone()];
    args.extend(founders.iter().map(|k| k.secret_hex()));
    if store == Store::Sqlite {
        let shots = match std::env::var("SCREENSHOTS").as_deref() {
            Ok("1") => Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshots"),
            _ => scratch.to_owned(),
        };
        args.push(shots.display().to_string());
    }
    args
}

/// Runs `node <script> <args>` in `dir`, asserting success.
async fn node(dir: &Path, script: &str, args: &[String], store: Store) {
    let run = Command::new("node")
        .arg(script)
        .args(args)
        .current_dir(dir)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(150), run)
        .await
        .expect("the browser scenario timed out")
        .expect("node is needed for the browser tests");
    assert!(
        output.status.success(),
        "{script} failed on {store:?}:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_community_in_a_browser() {
    community_in_a_browser(Store::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_community_in_a_browser() {
    community_in_a_browser(Store::Postgres).await;
}
