//! The relay's own key: from the configuration, or generated once into the data directory.

use std::io::Write;
use std::path::Path;

use nips::Keys;

/// File in the data directory holding the relay's secret key (hex).
pub const KEY_FILE: &str = "relay.key";

/// Why the relay key could not be had.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error("cannot read or create the relay key {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the relay key file {0} does not hold a valid secret key")]
    Corrupt(String),
}

/// The configured key, or the one in `data_dir`, created on first use (mode 0600).
pub fn load_or_create(configured: Option<&Keys>, data_dir: &Path) -> Result<Keys, IdentityError> {
    if let Some(keys) = configured {
        return Ok(keys.clone());
    }
    let path = data_dir.join(KEY_FILE);
    let io = |source| IdentityError::Io {
        path: path.display().to_string(),
        source,
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            Keys::parse(text.trim()).map_err(|_| IdentityError::Corrupt(path.display().to_string()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(data_dir).map_err(io)?;
            let keys = Keys::generate();
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&path).map_err(io)?;
            writeln!(file, "{}", keys.secret_hex()).map_err(io)?;
            file.sync_all().map_err(io)?;
            Ok(keys)
        }
        Err(e) => Err(io(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_once_then_reuses() {
        let dir = tempfile::tempdir().unwrap();
        let a = load_or_create(None, dir.path()).unwrap();
        let b = load_or_create(None, dir.path()).unwrap();
        assert_eq!(a.pubkey(), b.pubkey());
        let given = Keys::generate();
        assert_eq!(
            load_or_create(Some(&given), dir.path()).unwrap().pubkey(),
            given.pubkey()
        );
        std::fs::write(dir.path().join(KEY_FILE), "garbage").unwrap();
        assert!(matches!(
            load_or_create(None, dir.path()),
            Err(IdentityError::Corrupt(_))
        ));
    }
}
