//! A PostgreSQL server of the test's own (initdb + pg_ctl), so a test can stop and start it
//! under a running relay. It listens only on a Unix socket in its own directory: no port to
//! race for. As root, the server runs as the `postgres` user, as initdb requires.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Where Debian keeps the server binaries.
const BIN: &str = "/usr/lib/postgresql/15/bin";

pub struct Cluster {
    dir: tempfile::TempDir,
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// A temporary directory the server may own.
fn own_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    if is_root() {
        let ok = Command::new("chown")
            .args(["postgres:postgres", &dir.path().display().to_string()])
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "chown the cluster directory to postgres");
    }
    dir
}

/// Runs a server binary, as `postgres` when we are root.
fn run(tool: &str, args: &[&str]) {
    let path = Path::new(BIN).join(tool);
    let status = if is_root() {
        Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(&path)
            .args(args)
            .status()
    } else {
        Command::new(&path).args(args).status()
    }
    .unwrap_or_else(|e| panic!("cannot run {}: {e}", path.display()));
    assert!(status.success(), "{tool} {args:?} failed: {status}");
}

impl Cluster {
    /// Creates and starts a fresh cluster.
    pub fn start() -> Self {
        let dir = own_dir();
        let data = dir.path().join("data").display().to_string();
        run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "--auth=trust",
                "-N",
                "-E",
                "UTF8",
            ],
        );
        let cluster = Self { dir };
        cluster.start_again();
        cluster
    }

    /// A streaming replica of this cluster (pg_basebackup -R), started.
    pub fn replica(&self) -> Self {
        let dir = own_dir();
        let data = dir.path().join("data").display().to_string();
        let primary = self.dir.path().display().to_string();
        run(
            "pg_basebackup",
            &[
                "-D", &data, "-h", &primary, "-U", "postgres", "-R", "-X", "stream", "-c", "fast",
            ],
        );
        let replica = Self { dir };
        replica.start_again();
        replica
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Starts the server (after [`Cluster::stop`]) and waits until it accepts connections.
    pub fn start_again(&self) {
        let options = format!(
            "-c listen_addresses='' -c unix_socket_directories='{}' -c fsync=on",
            self.dir.path().display()
        );
        run(
            "pg_ctl",
            &[
                "-D",
                &self.data().display().to_string(),
                "-o",
                &options,
                "-l",
                &self.dir.path().join("log").display().to_string(),
                "-w",
                "start",
            ],
        );
    }

    /// Stops the server the way an operator's restart does (`-m fast`: sessions cut).
    pub fn stop(&self) {
        run(
            "pg_ctl",
            &[
                "-D",
                &self.data().display().to_string(),
                "-m",
                "fast",
                "-w",
                "stop",
            ],
        );
    }

    /// The URL of its `postgres` database.
    pub fn url(&self) -> String {
        format!(
            "postgres://postgres@localhost/postgres?host={}",
            self.dir.path().display()
        )
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new(Path::new(BIN).join("pg_ctl"))
            .args([
                "-D",
                &self.data().display().to_string(),
                "-m",
                "immediate",
                "stop",
            ])
            .status();
        if is_root() {
            let _ = Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(Path::new(BIN).join("pg_ctl"))
                .args([
                    "-D",
                    &self.data().display().to_string(),
                    "-m",
                    "immediate",
                    "stop",
                ])
                .status();
        }
    }
}
