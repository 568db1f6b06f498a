//! NIP-50 full-text search inside each store: which events are indexed, how a query becomes
//! SQL, and rebuilding the index when what is indexed changes.
//!
//! Both stores index the same text, [`nips::nip50::document`] (folded words), and are queried
//! with the same parsed terms, so they find the same events; each ranks with its own measure
//! (PostgreSQL `ts_rank_cd`, cover density over log length; SQLite FTS5 `bm25`), then by recency.

mod postgres;
mod sqlite;

#[cfg(test)]
pub(crate) use postgres::prefer_walking;
pub(crate) use postgres::reindex as reindex_postgres;
pub(crate) use sqlite::reindex as reindex_sqlite;

use nips::nip50::Query;
use nips::{Event, Filter};

use super::sql::{self, ListStyle, Param, Sql, TagForm};

/// What search indexes. The same on every node of a community (the index is shared).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchIndex {
    /// Kinds whose text is indexed, sorted.
    pub kinds: Vec<u16>,
    /// PostgreSQL text search configuration (`simple` stems nothing, so no language is
    /// mangled); SQLite always works like `simple`.
    pub language: String,
}

/// Notes, threads, polls (proposals), comments, long-form posts and profiles.
pub const DEFAULT_KINDS: &[u16] = &[0, 1, 11, 1068, 1111, 30023];

impl Default for SearchIndex {
    fn default() -> Self {
        Self {
            kinds: DEFAULT_KINDS.to_vec(),
            language: "simple".into(),
        }
    }
}

impl SearchIndex {
    /// Indexing `kinds` with `language`.
    pub fn new(mut kinds: Vec<u16>, language: String) -> Self {
        kinds.sort_unstable();
        kinds.dedup();
        Self { kinds, language }
    }

    /// The text to index for `event`, if its kind is searchable and it has any words.
    pub fn document(&self, event: &Event) -> Option<String> {
        self.kinds
            .binary_search(&event.kind)
            .is_ok()
            .then(|| nips::nip50::document(event))
            .flatten()
    }

    /// Names what is indexed; a store rebuilds its index when this changes.
    pub fn signature(&self) -> String {
        let kinds: Vec<String> = self.kinds.iter().map(u16::to_string).collect();
        format!("v1 {} {}", self.language, kinds.join(","))
    }

    /// `filter` limited to the searchable kinds when it searches, so a live subscription
    /// matches exactly what the stored query finds.
    pub fn narrow(&self, mut filter: Filter) -> Filter {
        if terms(&filter).is_none() {
            return filter;
        }
        filter.kinds = Some(match filter.kinds.take() {
            None => self.kinds.clone(),
            Some(k) => k
                .into_iter()
                .filter(|k| self.kinds.binary_search(k).is_ok())
                .collect(),
        });
        filter
    }
}

/// The parsed terms of the filter's search, when it has any (a search of only extensions, or
/// one that does not parse, is answered as if absent; queries are checked before they run).
pub(crate) fn terms(f: &Filter) -> Option<Query> {
    let q = Query::parse(f.search.as_deref()?).ok()?;
    (!q.is_empty()).then_some(q)
}

/// `to_tsquery` text: phrases as `<->` chains, all terms with `&`. Words are letters and
/// digits only, so quoting them cannot be escaped from.
fn tsquery(q: &Query) -> String {
    tsquery_joined(q, " <-> ")
}

/// `to_tsquery` text for every word of `q`, wherever it stands: what the word index can tell
/// without reading the events.
fn tsquery_words(q: &Query) -> String {
    tsquery_joined(q, " & ")
}

fn tsquery_joined(q: &Query, within: &str) -> String {
    q.terms
        .iter()
        .map(|t| {
            let words: Vec<String> = t.iter().map(|w| format!("'{w}'")).collect();
            format!("({})", words.join(within))
        })
        .collect::<Vec<_>>()
        .join(" & ")
}

/// FTS5 `MATCH` text: each term a quoted phrase, all required.
fn fts5_query(q: &Query) -> String {
    q.terms
        .iter()
        .map(|t| format!("\"{}\"", t.join(" ")))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// How many of the newest matches a search ranks by relevance. Ranking every match of a
/// common word would read a large part of the store; the newest few hundred hold what a
/// reader of a conversation looks for, and keep every search's cost bounded.
pub const RANK_WINDOW: u64 = 500;

/// Appends `SELECT <columns> FROM … WHERE <match q>`.
fn push_matches(sql: &mut Sql, columns: &str, q: &Query) {
    match sql.style() {
        ListStyle::Array => {
            sql.push(&format!(
                "SELECT {columns} FROM events e WHERE e.search @@ to_tsquery("
            ))
            .bind(Param::Text(tsquery(q)))
            .push(")");
        }
        ListStyle::Expand => {
            sql.push(&format!(
                "SELECT {columns} FROM event_search JOIN events e ON e.rowid = event_search.rowid \
                 WHERE event_search MATCH "
            ))
            .bind(Param::Text(fts5_query(q)));
        }
    }
}

/// The other conditions of `f`; tags are probed per matching event.
fn push_conditions(sql: &mut Sql, f: &Filter, now: u64) {
    sql::push_event_conditions(sql, f, now);
    for tf in &f.tags {
        sql::push_tag_condition(sql, tf, f, TagForm::Probe);
    }
}

/// How many of the newest events meeting a search's other conditions PostgreSQL reads first,
/// as a sample that tells a common term from a rare one.
pub const PROBE_WINDOW: u64 = 10 * RANK_WINDOW;

/// The best `limit` events matching `f` and its search `q`: of the newest [`RANK_WINDOW`]
/// matches, the most relevant first, then the newest. SQLite takes the newest by storage
/// order, which FTS5 walks backwards without sorting, and which follows time for events that
/// arrive live or are imported from an export. PostgreSQL: see [`postgres::select`].
pub(crate) fn select(f: &Filter, q: &Query, limit: u64, now: u64, style: ListStyle) -> Sql {
    let mut sql = Sql::new(style, "");
    match style {
        ListStyle::Array => postgres::select(&mut sql, f, q, now),
        ListStyle::Expand => {
            sql.push("SELECT e.created_at, e.id, e.kind, e.json FROM (");
            push_matches(
                &mut sql,
                "event_search.rowid AS r, event_search.rank AS score",
                q,
            );
            push_conditions(&mut sql, f, now);
            sql.push(&format!(
                " ORDER BY event_search.rowid DESC LIMIT {RANK_WINDOW}) c \
                 JOIN events e ON e.rowid = c.r ORDER BY c.score, e.created_at DESC, e.id ASC LIMIT "
            ));
        }
    }
    sql.bind(Param::Int(sql::clamp(limit)));
    sql
}

/// One arm of a count's union: ids of events matching `f` and its search `q`.
pub(crate) fn push_count_arm(sql: &mut Sql, f: &Filter, q: &Query, now: u64) {
    push_matches(sql, "e.id", q);
    push_conditions(sql, f, now);
}

/// How many events a rebuild reads and re-indexes per statement.
const REINDEX_BATCH: i64 = 2_000;

/// Rows of a rebuild batch: the row's key, kind and JSON.
fn documents<K>(index: &SearchIndex, rows: Vec<(K, i32, String)>) -> Vec<(K, Option<String>)> {
    rows.into_iter()
        .map(|(key, kind, json)| {
            let doc = u16::try_from(kind)
                .ok()
                .filter(|k| index.kinds.binary_search(k).is_ok())
                .and_then(|_| nips::Event::from_json(&json).ok())
                .and_then(|e| nips::nip50::document(&e));
            (key, doc)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn filter(v: serde_json::Value) -> Filter {
        Filter::from_value(&v).unwrap()
    }

    #[test]
    fn queries_render_safely_for_each_store() {
        let q = Query::parse("\"good morning\" café it's").unwrap();
        assert_eq!(
            tsquery(&q),
            "('good' <-> 'morning') & ('cafe') & ('it' <-> 's')"
        );
        assert_eq!(fts5_query(&q), "\"good morning\" AND \"cafe\" AND \"it s\"");
        assert_eq!(
            tsquery_words(&q),
            "('good' & 'morning') & ('cafe') & ('it' & 's')"
        );
    }

    #[test]
    fn search_filters_are_narrowed_to_indexed_kinds() {
        let index = SearchIndex::new(vec![1, 0], "simple".into());
        let f = index.narrow(filter(json!({"search": "x"})));
        assert_eq!(f.kinds, Some(vec![0, 1]));
        let f = index.narrow(filter(json!({"search": "x", "kinds": [1, 7]})));
        assert_eq!(f.kinds, Some(vec![1]));
        let f = index.narrow(filter(json!({"search": "x", "kinds": [7]})));
        assert!(f.is_unsatisfiable());
        let f = index.narrow(filter(json!({"search": "lang:en", "kinds": [7]})));
        assert_eq!(f.kinds, Some(vec![7]), "no terms: not a search");
    }

    #[test]
    fn the_signature_names_language_and_kinds() {
        let a = SearchIndex::default().signature();
        assert_ne!(a, SearchIndex::new(vec![1], "simple".into()).signature());
        assert_ne!(
            a,
            SearchIndex::new(DEFAULT_KINDS.to_vec(), "english".into()).signature()
        );
    }
}

#[cfg(test)]
mod conformance;
