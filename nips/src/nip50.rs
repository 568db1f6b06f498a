//! NIP-50 search: what text of an event is searchable, and what a `search` query asks.
//!
//! Both sides are reduced to the same words — lowercased, Latin accents removed, split at
//! anything that is not a letter or digit — so a store's full-text index, built from
//! [`document`], and the live matcher ([`Query::matches`]) agree on what matches: `Café` finds
//! `cafe`, `"good morning"` is a phrase, and `domain:`/`language:`-style extensions this relay
//! does not support are ignored, as NIP-50 allows.

use unicode_normalization::UnicodeNormalization;

use crate::Event;

/// The most terms (words or quoted phrases) one query may hold.
pub const MAX_TERMS: usize = 16;
/// The longest query accepted, in bytes.
pub const MAX_QUERY_BYTES: usize = 512;
/// Words longer than this (in bytes) are neither indexed nor searched: they are not words, and
/// PostgreSQL would drop them anyway.
pub const MAX_WORD_BYTES: usize = 200;

/// Why a query is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("search is longer than {MAX_QUERY_BYTES} bytes")]
    TooLong,
    #[error("search has more than {MAX_TERMS} terms")]
    TooManyTerms,
}

/// A parsed query: every term must appear; a term is one word or a phrase of consecutive words.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    pub terms: Vec<Vec<String>>,
}

impl Query {
    /// Parses `search`: `"quoted text"` is a phrase; other words are terms, except `key:value`
    /// extensions, which are dropped. A word with punctuation inside (`foo-bar`) is the phrase
    /// of its parts.
    pub fn parse(search: &str) -> Result<Self, QueryError> {
        if search.len() > MAX_QUERY_BYTES {
            return Err(QueryError::TooLong);
        }
        let mut terms: Vec<Vec<String>> = Vec::new();
        for (i, part) in search.split('"').enumerate() {
            let quoted = i % 2 == 1;
            if quoted {
                terms.push(words_of(part));
            } else {
                terms.extend(
                    part.split_whitespace()
                        .filter(|w| !is_extension(w))
                        .map(words_of),
                );
            }
        }
        terms.retain(|t| !t.is_empty());
        terms.dedup();
        if terms.len() > MAX_TERMS {
            return Err(QueryError::TooManyTerms);
        }
        Ok(Self { terms })
    }

    /// A query without terms matches everything (NIP-50 leaves it to the relay).
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Does `doc` (as made by [`document`]) contain every term, phrases as consecutive words?
    pub fn matches(&self, doc: &str) -> bool {
        self.matches_words(&Words::new(doc))
    }

    /// As [`Query::matches`], against a document already indexed: each term costs a lookup
    /// of its first word, not a pass over the document, so one event indexed once can be
    /// tested against many queries.
    pub fn matches_words(&self, doc: &Words) -> bool {
        self.terms.iter().all(|term| doc.contains(term))
    }
}

/// An event's searchable words, indexed by word: built once per event, then asked whether
/// it holds each term of any number of queries.
#[derive(Debug, Clone, Default)]
pub struct Words {
    words: Vec<String>,
    /// Where each distinct word stands in `words`.
    at: std::collections::HashMap<String, Vec<u32>>,
}

impl Words {
    /// The words of `doc` (as made by [`document`]).
    pub fn new(doc: &str) -> Self {
        let words: Vec<String> = doc
            .split(' ')
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect();
        let mut at: std::collections::HashMap<String, Vec<u32>> = Default::default();
        for (i, w) in words.iter().enumerate() {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            at.entry(w.clone()).or_default().push(i);
        }
        Self { words, at }
    }

    /// The searchable words of `event` (none when it has no text search sees).
    pub fn of(event: &Event) -> Self {
        document(event).map_or_else(Self::default, |d| Self::new(&d))
    }

    /// Does the document hold `term`, its words consecutive?
    fn contains(&self, term: &[String]) -> bool {
        let Some((first, rest)) = term.split_first() else {
            return true;
        };
        let Some(starts) = self.at.get(first) else {
            return false;
        };
        rest.is_empty()
            || starts.iter().any(|&s| {
                let s = s as usize + 1;
                self.words
                    .get(s..s + rest.len())
                    .is_some_and(|w| w.iter().zip(rest).all(|(a, b)| a == b))
            })
    }
}

fn is_extension(word: &str) -> bool {
    match word.split_once(':') {
        Some((key, value)) => {
            !key.is_empty() && !value.is_empty() && key.bytes().all(|b| b.is_ascii_alphabetic())
        }
        None => false,
    }
}

/// Lowercases and removes the combining accents of Latin, Greek and Cyrillic letters
/// (U+0300–U+036F), leaving other scripts' marks alone: they are part of their letters.
pub fn fold(text: &str) -> String {
    text.to_lowercase()
        .nfd()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .nfc()
        .collect()
}

/// The searchable words of `text`, each folded on its own (so a word folds the same wherever
/// it stands: lowercasing can depend on the letters around it).
fn words_of(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(fold)
        .filter(|w| !w.is_empty() && w.len() <= MAX_WORD_BYTES)
        .collect()
}

/// The text of `event` that search sees, as folded words separated by single spaces: a
/// profile's (kind 0) names, NIP-05 and about; any other kind's content. `None` when there is
/// no word to index.
pub fn document(event: &Event) -> Option<String> {
    let text = match event.kind {
        0 => profile_text(&event.content)?,
        _ => event.content.clone(),
    };
    let words = words_of(&text);
    (!words.is_empty()).then(|| words.join(" "))
}

fn profile_text(content: &str) -> Option<String> {
    let profile: serde_json::Map<String, serde_json::Value> = serde_json::from_str(content).ok()?;
    let fields = ["name", "display_name", "displayName", "nip05", "about"];
    let parts: Vec<&str> = fields
        .iter()
        .filter_map(|f| profile.get(*f).and_then(serde_json::Value::as_str))
        .collect();
    Some(parts.join("\n"))
}

/// Does `event` match the `search` query? Unparseable queries match nothing (they are refused
/// before a subscription opens); empty ones match everything.
pub fn matches(search: &str, event: &Event) -> bool {
    match Query::parse(search) {
        Ok(q) if q.is_empty() => true,
        Ok(q) => document(event).is_some_and(|doc| q.matches(&doc)),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(s: &str) -> Query {
        Query::parse(s).unwrap()
    }

    fn doc(s: &str) -> String {
        words_of(s).join(" ")
    }

    #[test]
    fn all_terms_must_appear() {
        assert!(query("Best nostr").matches(&doc("the best NOSTR apps")));
        assert!(!query("best relay").matches(&doc("the best nostr apps")));
        assert!(query("nostr include:spam language:en").matches(&doc("Nostr")));
        assert!(query("").is_empty());
        assert!(query("language:en").is_empty());
    }

    #[test]
    fn words_are_whole_words_not_substrings() {
        assert!(!query("nost").matches(&doc("nostr")));
        assert!(query("nostr").matches(&doc("nostr, relays!")));
    }

    #[test]
    fn phrases_are_consecutive() {
        assert!(query("\"good morning\"").matches(&doc("Good morning, all")));
        assert!(!query("\"good morning\"").matches(&doc("morning is good")));
        assert!(query("good morning").matches(&doc("morning is good")));
        assert!(query("foo-bar").matches(&doc("a foo bar b")));
        assert!(!query("foo-bar").matches(&doc("bar foo")));
        assert_eq!(
            query("\"unclosed phrase").terms,
            vec![vec!["unclosed", "phrase"]]
        );
    }

    #[test]
    fn accents_and_case_fold_but_other_scripts_keep_their_marks() {
        assert!(query("cafe").matches(&doc("Un CAFÉ crème")));
        assert!(query("Crème").matches(&doc("creme brulee")));
        assert!(query("ΚΑΛΗΜΕΡΑ").matches(&doc("καλημέρα κόσμε")));
        assert_eq!(fold("नमस्ते"), "नमस्ते");
        assert!(query("नमस्ते").matches(&doc("नमस्ते दुनिया")));
        assert!(query("日本語").matches(&doc("日本語 テキスト")));
        // A lone accent is not a word (the fuzzer found it made an empty one).
        assert_eq!(doc("Ca=\u{369} x"), "ca x");
        assert!(query("\"Ca=\u{369} x\"").matches(&doc("Ca=\u{369} x")));
    }

    #[test]
    fn limits_are_enforced() {
        assert_eq!(
            Query::parse(&"a ".repeat(300)),
            Err(QueryError::TooLong),
            "over {MAX_QUERY_BYTES} bytes"
        );
        let many: Vec<String> = (0..17).map(|i| format!("w{i}")).collect();
        assert_eq!(Query::parse(&many.join(" ")), Err(QueryError::TooManyTerms));
        assert_eq!(query(&"x ".repeat(40)).terms.len(), 1, "repeats count once");
        assert!(words_of(&"y".repeat(300)).is_empty());
    }

    /// The indexed matcher answers as a pass over the words would, phrases included.
    #[test]
    fn indexed_words_agree_with_a_plain_scan() {
        fn scan(q: &Query, doc: &str) -> bool {
            let words: Vec<&str> = doc.split(' ').filter(|w| !w.is_empty()).collect();
            q.terms.iter().all(|term| {
                words
                    .windows(term.len())
                    .any(|w| w.iter().zip(term).all(|(a, b)| *a == b.as_str()))
            })
        }
        let vocabulary = ["a", "b", "c", "d"];
        proptest::proptest!(|(text in proptest::collection::vec(0..4usize, 0..40),
                              query in proptest::collection::vec((0..4usize, proptest::bool::ANY), 1..6))| {
            let doc: Vec<&str> = text.iter().map(|i| vocabulary[*i]).collect();
            let doc = doc.join(" ");
            let mut q = String::new();
            for (i, quoted) in &query {
                let w = vocabulary[*i];
                q.push_str(&if *quoted { format!("\"{w} {w}\" ") } else { format!("{w} ") });
            }
            let q = Query::parse(&q).unwrap();
            proptest::prop_assert_eq!(q.matches_words(&Words::new(&doc)), scan(&q, &doc));
        });
    }

    #[test]
    fn profiles_are_searched_by_name_and_about() {
        let mut e = crate::Event {
            id: crate::EventId([0; 32]),
            pubkey: crate::PubKey([0; 32]),
            created_at: 1,
            kind: 0,
            tags: vec![],
            content: r#"{"name":"Alice","about":"Gärtnerin","picture":"https://x/y.png"}"#.into(),
            sig: crate::Signature([0; 64]),
        };
        assert_eq!(document(&e).as_deref(), Some("alice gartnerin"));
        assert!(matches("gartnerin", &e));
        assert!(!matches("png", &e), "only names and about are searched");
        e.content = "not json".into();
        assert_eq!(document(&e), None);
        e.kind = 1;
        assert!(matches("JSON", &e));
        assert!(!matches(&"z ".repeat(300), &e));
    }
}
