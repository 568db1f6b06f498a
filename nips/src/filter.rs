//! NIP-01 filters: parsing with strict validation, and matching events against them.

use serde_json::{Map, Value};

use crate::event::{Event, EventId, PubKey};
use crate::hex;

/// Why a filter was refused. The text is client-visible after `invalid: `.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("a filter must be a JSON object")]
    NotAnObject,
    #[error("`{0}` must be an array")]
    NotAnArray(String),
    #[error("`{0}` must contain 64-character lowercase hex values")]
    BadHex(String),
    #[error("`kinds` must contain integers between 0 and 65535")]
    BadKind,
    #[error("`{0}` must be a non-negative integer")]
    BadNumber(&'static str),
    #[error("tag filter `{0}` must be `#` followed by a single letter")]
    BadTagName(String),
    #[error("`{0}` must contain strings")]
    NotAString(String),
    #[error("`search` must be a string")]
    BadSearch,
}

/// A condition on single-letter tags: the event must have a `name` tag whose first value is one
/// of `values`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagFilter {
    /// The tag letter (`a`–`z`, `A`–`Z`).
    pub name: char,
    /// Sorted, deduplicated accepted values.
    pub values: Vec<String>,
}

/// One NIP-01 filter. Lists are sorted and deduplicated so matching can binary-search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub ids: Option<Vec<EventId>>,
    pub authors: Option<Vec<PubKey>>,
    pub kinds: Option<Vec<u16>>,
    /// Sorted by tag name; all must match.
    pub tags: Vec<TagFilter>,
    pub since: Option<u64>,
    pub until: Option<u64>,
    pub limit: Option<u64>,
    /// NIP-50 full-text query, if any.
    pub search: Option<String>,
}

impl Filter {
    /// Parses a filter object. Unknown non-tag keys are ignored (forward compatible);
    /// malformed known keys are refused rather than silently widened.
    pub fn from_value(value: &Value) -> Result<Self, FilterError> {
        let map = value.as_object().ok_or(FilterError::NotAnObject)?;
        Self::from_map(map)
    }

    fn from_map(map: &Map<String, Value>) -> Result<Self, FilterError> {
        let mut filter = Filter::default();
        for (key, value) in map {
            match key.as_str() {
                "ids" => filter.ids = Some(parse_hex_list(key, value, EventId)?),
                "authors" => filter.authors = Some(parse_hex_list(key, value, PubKey)?),
                "kinds" => filter.kinds = Some(parse_kinds(value)?),
                "since" => filter.since = Some(parse_number(value, "since")?),
                "until" => filter.until = Some(parse_number(value, "until")?),
                "limit" => filter.limit = Some(parse_number(value, "limit")?),
                "search" => {
                    filter.search = Some(value.as_str().ok_or(FilterError::BadSearch)?.to_owned())
                }
                k if k.starts_with('#') => filter.tags.push(parse_tag_filter(k, value)?),
                _ => {}
            }
        }
        filter.tags.sort_by_key(|t| t.name);
        Ok(filter)
    }

    /// Values in the filter's lists: what a live subscription holds in memory per filter.
    pub fn values(&self) -> usize {
        self.ids.as_ref().map_or(0, Vec::len)
            + self.authors.as_ref().map_or(0, Vec::len)
            + self.kinds.as_ref().map_or(0, Vec::len)
            + self.tags.iter().map(|t| t.values.len()).sum::<usize>()
    }

    /// The longest single list of the filter.
    pub fn longest_list(&self) -> usize {
        [
            self.ids.as_ref().map_or(0, Vec::len),
            self.authors.as_ref().map_or(0, Vec::len),
            self.kinds.as_ref().map_or(0, Vec::len),
        ]
        .into_iter()
        .chain(self.tags.iter().map(|t| t.values.len()))
        .max()
        .unwrap_or(0)
    }

    /// True when some list is empty, so nothing can match (`{"ids": []}`).
    pub fn is_unsatisfiable(&self) -> bool {
        self.ids.as_ref().is_some_and(Vec::is_empty)
            || self.authors.as_ref().is_some_and(Vec::is_empty)
            || self.kinds.as_ref().is_some_and(Vec::is_empty)
            || self.tags.iter().any(|t| t.values.is_empty())
            || matches!((self.since, self.until), (Some(s), Some(u)) if s > u)
    }

    /// Does `event` satisfy every condition of this filter? (`limit` aside: it only shapes the
    /// stored query. `search` matches as the stores' full-text indexes do, see [`nip50`].)
    ///
    /// [`nip50`]: crate::nip50
    pub fn matches(&self, event: &Event) -> bool {
        self.matches_except_search(event)
            && self
                .search
                .as_deref()
                .is_none_or(|q| crate::nip50::matches(q, event))
    }

    /// Does `event` satisfy every condition but `search`? Live delivery tests that last, with
    /// the query parsed once per subscription and the event's words indexed once.
    pub fn matches_except_search(&self, event: &Event) -> bool {
        if let Some(ids) = &self.ids
            && ids.binary_search(&event.id).is_err()
        {
            return false;
        }
        if let Some(authors) = &self.authors
            && authors.binary_search(&event.pubkey).is_err()
        {
            return false;
        }
        if let Some(kinds) = &self.kinds
            && kinds.binary_search(&event.kind).is_err()
        {
            return false;
        }
        if self.since.is_some_and(|s| event.created_at < s)
            || self.until.is_some_and(|u| event.created_at > u)
        {
            return false;
        }
        self.tags.iter().all(|tf| tag_matches(tf, event))
    }
}

fn tag_matches(tf: &TagFilter, event: &Event) -> bool {
    let mut buf = [0u8; 4];
    let name: &str = tf.name.encode_utf8(&mut buf);
    event
        .tag_values(name)
        .any(|v| tf.values.binary_search_by(|x| x.as_str().cmp(v)).is_ok())
}

/// Parses a list of NIP-01 filters (`REQ`/`COUNT` arguments).
pub fn parse_filters(values: &[Value]) -> Result<Vec<Filter>, FilterError> {
    values.iter().map(Filter::from_value).collect()
}

/// Does `event` match any of `filters` (NIP-01: filters are OR'd)?
pub fn any_matches(filters: &[Filter], event: &Event) -> bool {
    filters.iter().any(|f| f.matches(event))
}

fn as_array<'a>(key: &str, value: &'a Value) -> Result<&'a Vec<Value>, FilterError> {
    value
        .as_array()
        .ok_or_else(|| FilterError::NotAnArray(key.to_owned()))
}

fn parse_hex_list<T: Ord, F: Fn([u8; 32]) -> T>(
    key: &str,
    value: &Value,
    wrap: F,
) -> Result<Vec<T>, FilterError> {
    let mut out = as_array(key, value)?
        .iter()
        .map(|v| {
            v.as_str()
                .and_then(hex::decode_lower::<32>)
                .map(&wrap)
                .ok_or_else(|| FilterError::BadHex(key.to_owned()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

fn parse_kinds(value: &Value) -> Result<Vec<u16>, FilterError> {
    let mut kinds = as_array("kinds", value)?
        .iter()
        .map(|v| {
            v.as_u64()
                .and_then(|k| u16::try_from(k).ok())
                .ok_or(FilterError::BadKind)
        })
        .collect::<Result<Vec<_>, _>>()?;
    kinds.sort_unstable();
    kinds.dedup();
    Ok(kinds)
}

fn parse_number(value: &Value, key: &'static str) -> Result<u64, FilterError> {
    value.as_u64().ok_or(FilterError::BadNumber(key))
}

fn parse_tag_filter(key: &str, value: &Value) -> Result<TagFilter, FilterError> {
    let mut chars = key.chars().skip(1);
    let name = match (chars.next(), chars.next()) {
        (Some(c), None) if c.is_ascii_alphabetic() => c,
        _ => return Err(FilterError::BadTagName(key.to_owned())),
    };
    // NIP-01: `#e` and `#p` lists MUST hold exact 64-character lowercase hex.
    let needs_hex = matches!(name, 'e' | 'p');
    let mut values = as_array(key, value)?
        .iter()
        .map(|v| match v.as_str() {
            Some(s) if needs_hex && !hex::is_lower_hex(s, 64) => {
                Err(FilterError::BadHex(key.to_owned()))
            }
            Some(s) => Ok(s.to_owned()),
            None => Err(FilterError::NotAString(key.to_owned())),
        })
        .collect::<Result<Vec<_>, _>>()?;
    values.sort_unstable();
    values.dedup();
    Ok(TagFilter { name, values })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::Keys;
    use serde_json::json;

    fn filter(v: Value) -> Filter {
        Filter::from_value(&v).unwrap()
    }

    fn note(keys: &Keys, created_at: u64, kind: u16, tags: Vec<Vec<&str>>) -> Event {
        let tags = tags
            .into_iter()
            .map(|t| t.into_iter().map(String::from).collect())
            .collect();
        keys.sign(created_at, kind, tags, "hello world".into())
    }

    #[test]
    fn matches_each_field() {
        let k = Keys::generate();
        let other = Keys::generate();
        let target = "a".repeat(64);
        let e = note(&k, 100, 1, vec![vec!["e", &target], vec!["t", "nostr"]]);
        let pk = k.pubkey().to_hex();
        assert!(filter(json!({})).matches(&e));
        assert!(filter(json!({"ids": [e.id.to_hex()]})).matches(&e));
        assert!(!filter(json!({"ids": ["b".repeat(64)]})).matches(&e));
        assert!(filter(json!({"authors": [pk]})).matches(&e));
        assert!(!filter(json!({"authors": [other.pubkey().to_hex()]})).matches(&e));
        assert!(filter(json!({"kinds": [7, 1]})).matches(&e));
        assert!(!filter(json!({"kinds": [7]})).matches(&e));
        assert!(filter(json!({"since": 100, "until": 100})).matches(&e));
        assert!(!filter(json!({"since": 101})).matches(&e));
        assert!(!filter(json!({"until": 99})).matches(&e));
        assert!(filter(json!({"#e": [target], "#t": ["nostr", "x"]})).matches(&e));
        assert!(!filter(json!({"#e": [target], "#t": ["x"]})).matches(&e));
        assert!(!filter(json!({"#p": ["c".repeat(64)]})).matches(&e));
        assert!(filter(json!({"search": "WORLD"})).matches(&e));
        assert!(!filter(json!({"search": "moon"})).matches(&e));
    }

    #[test]
    fn only_first_tag_value_is_indexed() {
        let k = Keys::generate();
        let e = note(&k, 1, 1, vec![vec!["t", "one", "two"]]);
        assert!(filter(json!({"#t": ["one"]})).matches(&e));
        assert!(!filter(json!({"#t": ["two"]})).matches(&e));
    }

    #[test]
    fn refuses_malformed_filters() {
        let bad = [
            json!([]),
            json!({"ids": "x"}),
            json!({"ids": ["ABC"]}),
            json!({"authors": ["a".repeat(63)]}),
            json!({"kinds": [70000]}),
            json!({"kinds": ["1"]}),
            json!({"since": -1}),
            json!({"limit": 1.5}),
            json!({"#ab": ["x"]}),
            json!({"#1": ["x"]}),
            json!({"#e": ["not-hex"]}),
            json!({"#t": [1]}),
            json!({"search": 5}),
        ];
        for b in bad {
            assert!(Filter::from_value(&b).is_err(), "{b} should be refused");
        }
    }

    #[test]
    fn empty_lists_and_inverted_ranges_match_nothing() {
        assert!(filter(json!({"ids": []})).is_unsatisfiable());
        assert!(filter(json!({"#t": []})).is_unsatisfiable());
        assert!(filter(json!({"since": 5, "until": 4})).is_unsatisfiable());
        assert!(!filter(json!({"since": 5, "until": 5})).is_unsatisfiable());
    }
}
