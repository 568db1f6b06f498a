//! NIP-50: the `search` filter field, matched as case-insensitive words in `content`.

/// The words of a query that must all appear in the content; `key:value` extensions that this
/// relay does not support are ignored, as NIP-50 asks.
pub fn terms(query: &str) -> Vec<String> {
    query
        .split_whitespace()
        .filter(|w| !is_extension(w))
        .map(str::to_lowercase)
        .collect()
}

fn is_extension(word: &str) -> bool {
    match word.split_once(':') {
        Some((key, value)) => {
            !key.is_empty() && !value.is_empty() && key.bytes().all(|b| b.is_ascii_alphabetic())
        }
        None => false,
    }
}

/// Does `content` contain every term of `query` (case-insensitively)?
pub fn matches(query: &str, content: &str) -> bool {
    let content = content.to_lowercase();
    terms(query).iter().all(|t| content.contains(t.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_words_must_appear() {
        assert!(matches("Best nostr", "the best NOSTR apps"));
        assert!(!matches("best relay", "the best nostr apps"));
        assert!(matches("nostr include:spam language:en", "Nostr"));
        assert!(matches("", "anything"));
    }
}
