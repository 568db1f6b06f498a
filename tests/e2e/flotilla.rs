//! The community in Flotilla, served by the relay (`web.client_dir`): Flotilla 1.6.3, built
//! from source for this relay once and cached by the hash of its source
//! (`tests/flotilla/build-cached`), driven in Debian's chromium by
//! `tests/browser/flotilla.mjs` as two people. A bundle in "platform mode" names its relay's
//! URL, so this relay listens on a fixed port. Screenshots go to `docs/screenshots/` when
//! `SCREENSHOTS=1`, otherwise into a scratch directory.

use std::path::Path;

use tokio::process::Command;

use crate::harness::{Store, TestRelay};

/// The port the cached bundle was built for (below the ephemeral range other tests use).
const PORT: u16 = 18447;

async fn bundle(url: &str) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/flotilla/build-cached");
    let out = Command::new(script)
        .arg(url)
        .output()
        .await
        .expect("run build-cached");
    assert!(
        out.status.success(),
        "could not build Flotilla: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_community_in_flotilla() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/browser");
    crate::harness::ensure_npm(&dir, "node_modules/playwright-core/package.json").await;
    let url = format!("ws://127.0.0.1:{PORT}");
    let client = bundle(&url).await;
    let (founder, newcomer) = (nips::Keys::generate(), nips::Keys::generate());
    let extra = format!("[info]\nname = \"Elm Street\"\n\n[web]\nclient_dir = \"{client}\"\n");
    let toml = crate::gov::config(&[&founder], &[&founder], "invite", &extra);
    let relay = TestRelay::builder(Store::Sqlite)
        .config(&toml)
        .args(["--listen", &format!("127.0.0.1:{PORT}")])
        .start()
        .await;
    assert_eq!(relay.url, url);
    let scratch = tempfile::tempdir().unwrap();
    let shots = match std::env::var("SCREENSHOTS").as_deref() {
        Ok("1") => Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshots"),
        _ => scratch.path().to_path_buf(),
    };
    let out = Command::new("node")
        .current_dir(&dir)
        .arg("flotilla.mjs")
        .args([&url, &founder.secret_hex(), &newcomer.secret_hex()])
        .arg(&shots)
        .output()
        .await
        .expect("run node");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "Flotilla scenario failed:\n{said}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("every screen checked"), "{said}");
}
