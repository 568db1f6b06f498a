//! Loading and validating configurations: defaults, layering, and errors that name the key.
use super::*;

fn load_toml(toml: &str) -> Result<Config, ConfigError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    std::fs::write(&path, toml).unwrap();
    Config::load(Some(&path), &Overrides::default())
}

#[test]
fn defaults_serve_sqlite_on_localhost() {
    let c = Config::validate(RawConfig::default()).unwrap();
    assert_eq!(c.listen.to_string(), "127.0.0.1:7777");
    assert!(c.database_url.is_none());
    assert_eq!(c.data_dir, PathBuf::from("data"));
}

#[test]
fn file_values_apply_and_flags_win() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    std::fs::write(
        &path,
        "listen = \"0.0.0.0:1\"\n[limits]\nmax_limit = 10\ndefault_limit = 5\n",
    )
    .unwrap();
    let over = Overrides {
        listen: Some("127.0.0.1:2".into()),
        ..Overrides::default()
    };
    let c = Config::load(Some(&path), &over).unwrap();
    assert_eq!(c.listen.to_string(), "127.0.0.1:2");
    assert_eq!(c.genesis.limitation.max_limit, 10);
}

/// The README's "slower community" genesis, minus its placeholder founders.
#[test]
fn community_norms_are_set_at_genesis() {
    let c = load_toml(
        "[policy.admission]\nmode = \"invite\"\n\
         [policy.visibility]\nreactions = \"private\"\nfollowers = \"private\"\n\
         [policy.rate.min_interval.notes]\nmembers = 900\nothers = 3600\n\
         [policy.classes.ordinary]\ndeliberation = 172800\nwindow = 432000\n\
         [policy.classes.constitutional]\ndeliberation = 604800\n",
    )
    .unwrap();
    let p = &c.genesis;
    use governance::visibility::Scope;
    assert_eq!(p.visibility.reactions, Scope::Private);
    assert_eq!(p.visibility.followers, Scope::Private);
    assert_eq!(p.rate.min_interval.notes.members, 900);
    assert_eq!(p.classes.ordinary.deliberation, 172_800);
    assert_eq!(p.classes.constitutional.deliberation, 604_800);
    assert_eq!(p.classes.moderation.deliberation, 0, "defaults elsewhere");
    assert!(load_toml("[policy.visibility]\nreactions = \"secret\"\n").is_err());
}

#[test]
fn genesis_policy_from_file_and_flags() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    let founder = nips::Keys::generate().pubkey();
    std::fs::write(
        &path,
        format!(
            "founders = [\"{}\"]\n[limits]\nmax_limit = 100\ndefault_limit = 10\n[policy.classes.ordinary]\nwindow = 60\n[policy.admission]\nread = \"members\"\n",
            nips::nip19::encode_npub(&founder)
        ),
    )
    .unwrap();
    let over = Overrides {
        policy: Some(serde_json::json!({"admission": {"mode": "vouch"}})),
        ..Overrides::default()
    };
    let c = Config::load(Some(&path), &over).unwrap();
    assert_eq!(c.founders, vec![founder]);
    let p = &c.genesis;
    assert_eq!(p.version, 1);
    assert_eq!(p.founders.keys, vec![founder]);
    assert_eq!(p.limitation.max_limit, 100);
    assert_eq!(p.classes.ordinary.window, 60);
    assert_eq!(p.admission.mode, governance::AdmissionMode::Vouch);
    assert_eq!(p.admission.read, governance::ReadAccess::Members);
}

#[test]
fn errors_name_the_bad_key() {
    let e = load_toml("listen = \"nowhere\"").unwrap_err().to_string();
    assert!(e.contains("`listen`"), "{e}");
    let e = load_toml("[limits]\nmax_limit = \"lots\"")
        .unwrap_err()
        .to_string();
    assert!(e.contains("max_limit"), "{e}");
    let e = load_toml("[limits]\nmax_limt = 3").unwrap_err().to_string();
    assert!(e.contains("max_limt"), "{e}");
    let e = load_toml("[server]\nwrite_batch = 0")
        .unwrap_err()
        .to_string();
    assert!(e.contains("server.write_batch"), "{e}");
    let e = load_toml("database_url = \"mysql://x\"")
        .unwrap_err()
        .to_string();
    assert!(e.contains("database_url"), "{e}");
    let e = load_toml("[limits]\ndefault_limit = 9000")
        .unwrap_err()
        .to_string();
    assert!(e.contains("limits.default_limit"), "{e}");
    let e = load_toml("[info]\npubkey = \"npub1bad\"")
        .unwrap_err()
        .to_string();
    assert!(e.contains("info.pubkey"), "{e}");
    let e = load_toml("[policy.admission]\nmode = \"invites\"")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("`policy.admission.mode`") && e.contains("`invites`") && e.contains("vouch"),
        "{e}"
    );
    let e = load_toml("foundrs = []").unwrap_err().to_string();
    assert!(
        e.contains("key \"foundrs\"") && !e.contains("default."),
        "as written: {e}"
    );
    let missing = Config::load(Some(Path::new("/nonexistent.toml")), &Overrides::default());
    assert!(matches!(missing, Err(ConfigError::MissingFile(_))));
}

#[test]
fn read_replicas_need_a_postgres_primary_and_hide_their_urls() {
    let e = load_toml("read_database_urls = [\"postgres://r\"]")
        .unwrap_err()
        .to_string();
    assert!(e.contains("need database_url = postgres"), "{e}");
    let e = load_toml(
        "database_url = \"postgres://p/db\"\nread_database_urls = [\"postgres://r\", \"mysql://u:secret@r\"]",
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("entry 1") && !e.contains("secret"), "{e}");
    let c = load_toml(
        "database_url = \"postgres://p/db\"\nread_database_urls = [\"postgres://r1\", \" \"]\n[server]\nreplica_max_lag_ms = 250",
    )
    .unwrap();
    let o = c.store_options();
    assert_eq!(o.replicas, ["postgres://r1"]);
    assert_eq!(o.replica_max_lag, std::time::Duration::from_millis(250));
}
