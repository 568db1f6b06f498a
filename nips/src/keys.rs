//! Signing keys: the relay's own identity and test/bench clients sign events with these.

use rand::RngCore;
use secp256k1::{Keypair, Message, SecretKey};

use crate::event::{Event, EventId, PubKey, Signature, Tag, compute_id};
use crate::nip19;

/// Why a secret key could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("secret key must be 64 lowercase hex characters or an nsec")]
    Format,
    #[error("secret key is out of range for secp256k1")]
    Range,
}

/// A secp256k1 keypair that signs Nostr events.
#[derive(Clone)]
pub struct Keys {
    keypair: Keypair,
    pubkey: PubKey,
}

impl Keys {
    /// A fresh random keypair.
    pub fn generate() -> Self {
        loop {
            let mut bytes = [0u8; 32];
            rand::rng().fill_bytes(&mut bytes);
            if let Ok(keys) = Self::from_secret_bytes(&bytes) {
                return keys;
            }
        }
    }

    /// From 32 secret bytes.
    pub fn from_secret_bytes(bytes: &[u8; 32]) -> Result<Self, KeyError> {
        let secret = SecretKey::from_slice(bytes).map_err(|_| KeyError::Range)?;
        let keypair = Keypair::from_secret_key(secp256k1::global::SECP256K1, &secret);
        let (xonly, _) = keypair.x_only_public_key();
        Ok(Self {
            keypair,
            pubkey: PubKey(xonly.serialize()),
        })
    }

    /// From lowercase hex or an `nsec1…` string.
    pub fn parse(s: &str) -> Result<Self, KeyError> {
        let s = s.trim();
        let bytes = if s.starts_with("nsec1") {
            nip19::decode_nsec(s).map_err(|_| KeyError::Format)?
        } else {
            crate::hex::decode_lower::<32>(s).ok_or(KeyError::Format)?
        };
        Self::from_secret_bytes(&bytes)
    }

    /// The public key.
    pub fn pubkey(&self) -> PubKey {
        self.pubkey
    }

    /// The secret key as lowercase hex (for persisting the relay's key file).
    pub fn secret_hex(&self) -> String {
        crate::hex::encode(&self.keypair.secret_bytes())
    }

    /// Signs an event with these keys.
    pub fn sign(&self, created_at: u64, kind: u16, tags: Vec<Tag>, content: String) -> Event {
        let id: EventId = compute_id(&self.pubkey, created_at, kind, &tags, &content);
        let sig =
            secp256k1::global::SECP256K1.sign_schnorr(&Message::from_digest(id.0), &self.keypair);
        Event {
            id,
            pubkey: self.pubkey,
            created_at,
            kind,
            tags,
            content,
            sig: Signature(sig.serialize()),
        }
    }
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Keys({})", self.pubkey.to_hex())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_events_verify() {
        let keys = Keys::generate();
        let event = keys.sign(
            1_700_000_000,
            1,
            vec![vec!["t".into(), "x".into()]],
            "hi".into(),
        );
        event.verify().unwrap();
        assert_eq!(event.pubkey, keys.pubkey());
        let again = Keys::parse(&keys.secret_hex()).unwrap();
        assert_eq!(again.pubkey(), keys.pubkey());
    }

    #[test]
    fn refuses_bad_secrets() {
        assert_eq!(Keys::parse("xyz").unwrap_err(), KeyError::Format);
        assert_eq!(Keys::parse(&"0".repeat(64)).unwrap_err(), KeyError::Range);
    }
}
