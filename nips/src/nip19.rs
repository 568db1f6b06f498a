//! NIP-19: bech32 `npub`/`nsec` keys, accepted wherever config takes a key.

use bech32::{Bech32, Hrp};

use crate::event::PubKey;

/// Why a bech32 key could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Nip19Error {
    #[error("not a valid bech32 string")]
    Bech32,
    #[error("expected an `{0}` key")]
    WrongPrefix(&'static str),
    #[error("a key is 32 bytes")]
    Length,
}

fn decode_32(s: &str, hrp: &'static str) -> Result<[u8; 32], Nip19Error> {
    let (found, data) = bech32::decode(s).map_err(|_| Nip19Error::Bech32)?;
    if found.as_str() != hrp {
        return Err(Nip19Error::WrongPrefix(hrp));
    }
    <[u8; 32]>::try_from(data.as_slice()).map_err(|_| Nip19Error::Length)
}

/// Decodes `npub1…` into a public key.
pub fn decode_npub(s: &str) -> Result<PubKey, Nip19Error> {
    decode_32(s, "npub").map(PubKey)
}

/// Decodes `nsec1…` into secret key bytes.
pub fn decode_nsec(s: &str) -> Result<[u8; 32], Nip19Error> {
    decode_32(s, "nsec")
}

/// Encodes a public key as `npub1…`.
pub fn encode_npub(key: &PubKey) -> String {
    // "npub" is a valid human-readable part and 32 bytes always fit a bech32 string.
    Hrp::parse("npub")
        .ok()
        .and_then(|hrp| bech32::encode::<Bech32>(hrp, &key.0).ok())
        .unwrap_or_default()
}

/// Reads a public key given as 64 lowercase hex characters or as an `npub`.
pub fn parse_pubkey(s: &str) -> Result<PubKey, Nip19Error> {
    let s = s.trim();
    if s.starts_with("npub1") {
        decode_npub(s)
    } else {
        crate::hex::decode_lower::<32>(s)
            .map(PubKey)
            .ok_or(Nip19Error::Bech32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npub_round_trip_matches_nip19_vector() {
        // From NIP-19's examples.
        let hex = "7e7e9c42a91bfef19fa929e5fda1b72e0ebc1a4c1141673e2794234d86addf4e";
        let npub = "npub10elfcs4fr0l0r8af98jlmgdh9c8tcxjvz9qkw038js35mp4dma8qzvjptg";
        let key = decode_npub(npub).unwrap();
        assert_eq!(key.to_hex(), hex);
        assert_eq!(encode_npub(&key), npub);
        assert_eq!(parse_pubkey(hex).unwrap(), key);
        assert_eq!(
            decode_npub("nsec1vl029mgpspedva04g90vltkh6fvh240zqtv9k0t9af8935ke9laqsnlfe5"),
            Err(Nip19Error::WrongPrefix("npub"))
        );
    }
}
