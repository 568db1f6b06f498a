//! Strict lowercase hex, as NIP-01 requires for ids, pubkeys, signatures and filter values.

/// Decodes exactly `N` bytes from lowercase hex; `None` for any other length or character.
///
/// Uppercase is refused on purpose: NIP-01 says ids and keys are lowercase, and accepting
/// both would let two spellings of one id slip past duplicate and deletion checks.
pub fn decode_lower<const N: usize>(s: &str) -> Option<[u8; N]> {
    let bytes = s.as_bytes();
    if bytes.len() != N * 2 {
        return None;
    }
    let mut out = [0u8; N];
    for (i, pair) in bytes.chunks_exact(2).enumerate() {
        out[i] = (nibble(pair[0])? << 4) | nibble(pair[1])?;
    }
    Some(out)
}

/// True when `s` is exactly `len` lowercase hex characters.
pub fn is_lower_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| nibble(b).is_some())
}

fn nibble(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    }
}

/// Lowercase hex of `bytes`.
pub fn encode(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_lowercase_only() {
        assert_eq!(decode_lower::<2>("0aff"), Some([0x0a, 0xff]));
        assert_eq!(decode_lower::<2>("0AFF"), None);
        assert_eq!(decode_lower::<2>("0af"), None);
        assert_eq!(decode_lower::<2>("0afg"), None);
        assert!(is_lower_hex("00ff", 4));
        assert!(!is_lower_hex("00fF", 4));
    }
}
