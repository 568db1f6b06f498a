//! NIP-01 events: parsing, canonical serialization, id and signature checks, kind classes.

use std::fmt;
use std::str::FromStr;

use secp256k1::{Message, XOnlyPublicKey, schnorr};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::hex;

/// A tag: a name followed by values (`["e", "<id>", "<relay>"]`).
pub type Tag = Vec<String>;

/// Why an event is not acceptable as a NIP-01 event. The text is client-visible after `invalid: `.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    #[error("event is not valid JSON: {0}")]
    Json(String),
    #[error("`{0}` must be lowercase hex of the right length")]
    BadHex(&'static str),
    #[error("kind must be an integer between 0 and 65535")]
    BadKind,
    #[error("event id does not match its content")]
    IdMismatch,
    #[error("pubkey is not a valid secp256k1 x-only key")]
    BadPubkey,
    #[error("signature does not verify")]
    BadSignature,
}

macro_rules! fixed_hex {
    ($name:ident, $len:expr, $field:expr, $doc:expr) => {
        #[doc = $doc]
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub [u8; $len]);

        impl $name {
            /// Lowercase hex, as on the wire.
            pub fn to_hex(&self) -> String {
                hex::encode(&self.0)
            }

            /// The raw bytes.
            pub fn as_bytes(&self) -> &[u8; $len] {
                &self.0
            }

            /// From a byte slice of exactly the right length (as read back from storage).
            pub fn from_slice(bytes: &[u8]) -> Option<Self> {
                <[u8; $len]>::try_from(bytes).ok().map(Self)
            }
        }

        impl FromStr for $name {
            type Err = EventError;
            fn from_str(s: &str) -> Result<Self, EventError> {
                hex::decode_lower::<$len>(s)
                    .map(Self)
                    .ok_or(EventError::BadHex($field))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.to_hex())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.to_hex())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.to_hex())
            }
        }
    };
}

fixed_hex!(
    EventId,
    32,
    "id",
    "A 32-byte event id (sha256 of the canonical serialization)."
);
fixed_hex!(
    PubKey,
    32,
    "pubkey",
    "A 32-byte x-only secp256k1 public key."
);
fixed_hex!(Signature, 64, "sig", "A 64-byte BIP-340 schnorr signature.");

/// How relays store a kind (NIP-01 "kind ranges").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KindClass {
    /// Stored as is.
    Regular,
    /// Only the newest per (pubkey, kind) is kept.
    Replaceable,
    /// Fanned out to live subscribers, never stored.
    Ephemeral,
    /// Only the newest per (pubkey, kind, `d` tag) is kept.
    Addressable,
}

impl KindClass {
    /// The class of `kind` per NIP-01.
    pub fn of(kind: u16) -> Self {
        match kind {
            0 | 3 | 10_000..=19_999 => Self::Replaceable,
            20_000..=29_999 => Self::Ephemeral,
            30_000..=39_999 => Self::Addressable,
            _ => Self::Regular,
        }
    }
}

/// A signed Nostr event.
#[derive(Clone, PartialEq, Eq)]
pub struct Event {
    pub id: EventId,
    pub pubkey: PubKey,
    pub created_at: u64,
    pub kind: u16,
    pub tags: Vec<Tag>,
    pub content: String,
    pub sig: Signature,
}

/// The wire shape before field checks; unknown extra fields are ignored for interop.
#[derive(Deserialize)]
struct WireEvent {
    id: String,
    pubkey: String,
    created_at: u64,
    kind: u64,
    tags: Vec<Vec<String>>,
    content: String,
    sig: String,
}

impl Event {
    /// Parses the wire JSON and checks field formats. Does not check the id or signature:
    /// callers run [`Event::verify`] (possibly on another thread) before trusting it.
    pub fn from_json(json: &str) -> Result<Self, EventError> {
        let wire: WireEvent =
            serde_json::from_str(json).map_err(|e| EventError::Json(short_json_error(&e)))?;
        Self::from_wire(wire)
    }

    /// As [`Event::from_json`], from an already parsed JSON value.
    pub fn from_value(value: serde_json::Value) -> Result<Self, EventError> {
        let wire: WireEvent =
            serde_json::from_value(value).map_err(|e| EventError::Json(short_json_error(&e)))?;
        Self::from_wire(wire)
    }

    fn from_wire(wire: WireEvent) -> Result<Self, EventError> {
        Ok(Self {
            id: wire.id.parse()?,
            pubkey: wire.pubkey.parse()?,
            created_at: wire.created_at,
            kind: u16::try_from(wire.kind).map_err(|_| EventError::BadKind)?,
            tags: wire.tags,
            content: wire.content,
            sig: wire.sig.parse()?,
        })
    }

    /// The id this event's content hashes to.
    pub fn compute_id(&self) -> EventId {
        compute_id(
            &self.pubkey,
            self.created_at,
            self.kind,
            &self.tags,
            &self.content,
        )
    }

    /// Checks the id against the content and the schnorr signature against the id and pubkey.
    pub fn verify(&self) -> Result<(), EventError> {
        if self.compute_id() != self.id {
            return Err(EventError::IdMismatch);
        }
        let key = XOnlyPublicKey::from_slice(&self.pubkey.0).map_err(|_| EventError::BadPubkey)?;
        let sig =
            schnorr::Signature::from_slice(&self.sig.0).map_err(|_| EventError::BadSignature)?;
        let msg = Message::from_digest(self.id.0);
        secp256k1::global::SECP256K1
            .verify_schnorr(&sig, &msg, &key)
            .map_err(|_| EventError::BadSignature)
    }

    /// The NIP-01 storage class of this event's kind.
    pub fn class(&self) -> KindClass {
        KindClass::of(self.kind)
    }

    /// Values at position 1 of every tag named `name`.
    pub fn tag_values<'a, 'n>(
        &'a self,
        name: &'n str,
    ) -> impl Iterator<Item = &'a str> + use<'a, 'n> {
        self.tags
            .iter()
            .filter(move |t| t.first().is_some_and(|n| n == name))
            .filter_map(|t| t.get(1).map(String::as_str))
    }

    /// The first value of the first tag named `name`.
    pub fn first_tag_value(&self, name: &str) -> Option<&str> {
        self.tag_values(name).next()
    }

    /// True when some tag is exactly named `name` (with or without values).
    pub fn has_tag(&self, name: &str) -> bool {
        self.tags
            .iter()
            .any(|t| t.first().is_some_and(|n| n == name))
    }

    /// The `d` tag value that, with kind and pubkey, addresses a replaceable or addressable
    /// event: `""` for replaceable kinds and for addressable events without a `d` tag,
    /// `None` for regular and ephemeral kinds.
    pub fn address_d(&self) -> Option<&str> {
        match self.class() {
            KindClass::Replaceable => Some(""),
            KindClass::Addressable => Some(self.first_tag_value("d").unwrap_or("")),
            KindClass::Regular | KindClass::Ephemeral => None,
        }
    }

    /// Canonical wire JSON with fields in NIP-01 order; unknown client fields are dropped.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(self.content.len() + 64 * 4 + 64 * self.tags.len());
        out.push_str("{\"id\":\"");
        out.push_str(&self.id.to_hex());
        out.push_str("\",\"pubkey\":\"");
        out.push_str(&self.pubkey.to_hex());
        out.push_str("\",\"created_at\":");
        out.push_str(&self.created_at.to_string());
        out.push_str(",\"kind\":");
        out.push_str(&self.kind.to_string());
        out.push_str(",\"tags\":");
        push_json(&mut out, &self.tags);
        out.push_str(",\"content\":");
        push_json(&mut out, &self.content);
        out.push_str(",\"sig\":\"");
        out.push_str(&self.sig.to_hex());
        out.push_str("\"}");
        out
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_json())
    }
}

/// sha256 of `[0,<pubkey>,<created_at>,<kind>,<tags>,<content>]` serialized as NIP-01 says.
pub fn compute_id(
    pubkey: &PubKey,
    created_at: u64,
    kind: u16,
    tags: &[Tag],
    content: &str,
) -> EventId {
    let mut buf = String::with_capacity(content.len() + 128 + 64 * tags.len());
    buf.push_str("[0,\"");
    buf.push_str(&pubkey.to_hex());
    buf.push_str("\",");
    buf.push_str(&created_at.to_string());
    buf.push(',');
    buf.push_str(&kind.to_string());
    buf.push(',');
    push_json(&mut buf, tags);
    buf.push(',');
    push_json(&mut buf, content);
    buf.push(']');
    EventId(Sha256::digest(buf.as_bytes()).into())
}

/// Appends the compact JSON of `value`; serde_json escapes exactly as NIP-01 and
/// `JSON.stringify` do (the seven named escapes, `\u00XX` for other controls, all else verbatim).
fn push_json<T: serde::Serialize + ?Sized>(out: &mut String, value: &T) {
    // Serializing strings and vectors of strings cannot fail.
    if let Ok(s) = serde_json::to_string(value) {
        out.push_str(&s);
    }
}

/// serde_json errors carry line/column noise; keep the message short for clients.
fn short_json_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.find(" at line ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // NIP-13's example event: a real, mined and signed note.
    const REAL: &str = r#"{"id":"000006d8c378af1779d2feebc7603a125d99eca0ccf1085959b307f64e5dd358","pubkey":"a48380f4cfcc1ad5378294fcac36439770f9c878dd880ffa94bb74ea54a6f243","created_at":1651794653,"kind":1,"tags":[["nonce","776797","20"]],"content":"It's just me mining my own business","sig":"284622fc0a3f4f1303455d5175f7ba962a3300d136085b9566801bc2e0699de0c7e31e44c81fb40ad9049173742e904713c3594a1da0fc5d2382a25c11aba977"}"#;

    #[test]
    fn parses_and_verifies_a_real_event() {
        let event = Event::from_json(REAL).unwrap();
        assert_eq!(event.kind, 1);
        assert_eq!(event.first_tag_value("nonce"), Some("776797"));
        event.verify().unwrap();
        assert_eq!(event.to_json(), REAL);
    }

    #[test]
    fn tampered_content_fails_the_id_check() {
        let json = REAL.replace("my own business", "your business");
        let event = Event::from_json(&json).unwrap();
        assert_eq!(event.verify(), Err(EventError::IdMismatch));
    }

    #[test]
    fn tampered_signature_fails() {
        let json = REAL.replace("\"sig\":\"2846", "\"sig\":\"2847");
        let event = Event::from_json(&json).unwrap();
        assert_eq!(event.verify(), Err(EventError::BadSignature));
    }

    #[test]
    fn refuses_bad_fields() {
        let upper = REAL.replace("000006d8", "000006D8");
        assert_eq!(Event::from_json(&upper), Err(EventError::BadHex("id")));
        let kind = REAL.replace("\"kind\":1,", "\"kind\":70000,");
        assert_eq!(Event::from_json(&kind), Err(EventError::BadKind));
        let neg = REAL.replace("1651794653", "-5");
        assert!(matches!(Event::from_json(&neg), Err(EventError::Json(_))));
        let float = REAL.replace("1651794653", "1651794653.5");
        assert!(matches!(Event::from_json(&float), Err(EventError::Json(_))));
        let null_tag = REAL.replace("[\"nonce\",", "[null,");
        assert!(matches!(
            Event::from_json(&null_tag),
            Err(EventError::Json(_))
        ));
        assert!(matches!(Event::from_json("{}"), Err(EventError::Json(_))));
    }

    #[test]
    fn escapes_like_nip01() {
        let id = compute_id(&PubKey([1; 32]), 1, 1, &[], "a\"b\\c\nd\te\u{1}f/é");
        let mut expected = String::from("[0,\"");
        expected.push_str(&"01".repeat(32));
        expected.push_str("\",1,1,[],\"a\\\"b\\\\c\\nd\\te\\u0001f/é\"]");
        assert_eq!(id.0, <[u8; 32]>::from(Sha256::digest(expected.as_bytes())));
    }

    #[test]
    fn kind_classes_follow_nip01() {
        assert_eq!(KindClass::of(0), KindClass::Replaceable);
        assert_eq!(KindClass::of(1), KindClass::Regular);
        assert_eq!(KindClass::of(3), KindClass::Replaceable);
        assert_eq!(KindClass::of(9_999), KindClass::Regular);
        assert_eq!(KindClass::of(10_002), KindClass::Replaceable);
        assert_eq!(KindClass::of(20_000), KindClass::Ephemeral);
        assert_eq!(KindClass::of(29_999), KindClass::Ephemeral);
        assert_eq!(KindClass::of(30_023), KindClass::Addressable);
        assert_eq!(KindClass::of(40_000), KindClass::Regular);
    }
}
