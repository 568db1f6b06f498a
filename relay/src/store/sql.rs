//! Filter → SQL, shared by both backends. Statements use `$n` placeholders, which PostgreSQL and
//! sqlx's SQLite driver both bind positionally; only list binding differs ([`ListStyle`]).

use std::fmt::Write;

use nips::{Filter, TagFilter};

/// A bind parameter.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Param {
    Int(i64),
    Kind(i32),
    Text(String),
    Bytes(Vec<u8>),
    KindList(Vec<i32>),
    TextList(Vec<String>),
    BytesList(Vec<Vec<u8>>),
}

/// How a backend binds a list of values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ListStyle {
    /// `col = ANY($n)` with one array parameter: one statement shape for any list length, so
    /// PostgreSQL's prepared statement cache stays small.
    Array,
    /// `col IN ($n, $m, …)` with one parameter per value (SQLite has no arrays).
    Expand,
}

/// A statement under construction.
#[derive(Debug)]
pub(crate) struct Sql {
    pub text: String,
    pub params: Vec<Param>,
    style: ListStyle,
}

impl Sql {
    fn new(style: ListStyle, text: &str) -> Self {
        Self {
            text: text.to_owned(),
            params: Vec::new(),
            style,
        }
    }

    /// Appends `$n` for `param`.
    fn bind(&mut self, param: Param) -> &mut Self {
        self.params.push(param);
        let _ = write!(self.text, "${}", self.params.len());
        self
    }

    fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }

    /// `column` equals one of `values` (never empty: unsatisfiable filters are skipped earlier).
    fn push_in(&mut self, column: &str, list: Param) -> &mut Self {
        let single = match &list {
            Param::KindList(v) if v.len() == 1 => Some(Param::Kind(v[0])),
            Param::TextList(v) if v.len() == 1 => Some(Param::Text(v[0].clone())),
            Param::BytesList(v) if v.len() == 1 => Some(Param::Bytes(v[0].clone())),
            _ => None,
        };
        self.push(column);
        if let Some(one) = single {
            return self.push(" = ").bind(one);
        }
        match self.style {
            ListStyle::Array => self.push(" = ANY(").bind(list).push(")"),
            ListStyle::Expand => {
                let items: Vec<Param> = match list {
                    Param::KindList(v) => v.into_iter().map(Param::Kind).collect(),
                    Param::TextList(v) => v.into_iter().map(Param::Text).collect(),
                    Param::BytesList(v) => v.into_iter().map(Param::Bytes).collect(),
                    other => vec![other],
                };
                self.push(" IN (");
                for (i, p) in items.into_iter().enumerate() {
                    if i > 0 {
                        self.push(", ");
                    }
                    self.bind(p);
                }
                self.push(")")
            }
        }
    }
}

fn kinds(f: &Filter) -> Option<Param> {
    f.kinds
        .as_ref()
        .map(|k| Param::KindList(k.iter().map(|&k| i32::from(k)).collect()))
}

fn clamp(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// ` AND <alias>.created_at >= since AND … <= until` for the filter's time range.
fn push_time_range(sql: &mut Sql, alias: &str, f: &Filter) {
    if let Some(since) = f.since {
        sql.push(&format!(" AND {alias}.created_at >= "))
            .bind(Param::Int(clamp(since)));
    }
    if let Some(until) = f.until {
        sql.push(&format!(" AND {alias}.created_at <= "))
            .bind(Param::Int(clamp(until)));
    }
}

/// ` AND <alias>.kind IN (…)` when the filter names kinds.
fn push_kinds(sql: &mut Sql, alias: &str, f: &Filter) {
    if let Some(k) = kinds(f) {
        sql.push(" AND ");
        sql.push_in(&format!("{alias}.kind"), k);
    }
}

/// Conditions on the `events` row aliased `e`, each prefixed with ` AND `.
fn push_event_conditions(sql: &mut Sql, f: &Filter, now: u64) {
    if let Some(ids) = &f.ids {
        sql.push(" AND ");
        sql.push_in(
            "e.id",
            Param::BytesList(ids.iter().map(|i| i.0.to_vec()).collect()),
        );
    }
    if let Some(authors) = &f.authors {
        sql.push(" AND ");
        sql.push_in(
            "e.pubkey",
            Param::BytesList(authors.iter().map(|a| a.0.to_vec()).collect()),
        );
    }
    push_kinds(sql, "e", f);
    push_time_range(sql, "e", f);
    sql.push(" AND (e.expires_at IS NULL OR e.expires_at > ")
        .bind(Param::Int(clamp(now)))
        .push(")");
}

/// ` AND e.id IN (SELECT … FROM event_tags …)` for one tag condition. The tag table carries
/// kind and created_at so the subquery can narrow by them without touching `events`.
fn push_tag_subquery(sql: &mut Sql, tf: &TagFilter, f: &Filter) {
    sql.push(" AND e.id IN (SELECT t.event_id FROM event_tags t WHERE t.name = ")
        .bind(Param::Text(tf.name.to_string()))
        .push(" AND ");
    sql.push_in("t.value", Param::TextList(tf.values.clone()));
    push_kinds(sql, "t", f);
    push_time_range(sql, "t", f);
    sql.push(")");
}

/// The newest `limit` events matching `f`: `SELECT created_at, id, json …`.
///
/// A filter whose first tag condition has a single value is driven from the tag index
/// (`event_tags (name, value, created_at DESC)`), which returns rows already in order so the
/// database stops after `limit`; other shapes use the `events` indexes.
pub(crate) fn select(f: &Filter, limit: u64, now: u64, style: ListStyle) -> Sql {
    let driving = f.tags.first().filter(|t| t.values.len() == 1);
    let mut sql = match driving {
        Some(tf) => {
            let mut sql = Sql::new(
                style,
                "SELECT e.created_at, e.id, e.json FROM event_tags t JOIN events e ON e.id = t.event_id WHERE t.name = ",
            );
            sql.bind(Param::Text(tf.name.to_string()))
                .push(" AND t.value = ")
                .bind(Param::Text(tf.values[0].clone()));
            push_kinds(&mut sql, "t", f);
            push_time_range(&mut sql, "t", f);
            sql
        }
        None => Sql::new(
            style,
            "SELECT e.created_at, e.id, e.json FROM events e WHERE TRUE",
        ),
    };
    push_event_conditions(&mut sql, f, now);
    let rest = if driving.is_some() {
        &f.tags[1..]
    } else {
        &f.tags[..]
    };
    for tf in rest {
        push_tag_subquery(&mut sql, tf, f);
    }
    if driving.is_some() {
        sql.push(" ORDER BY t.created_at DESC, t.event_id ASC LIMIT ");
    } else {
        sql.push(" ORDER BY e.created_at DESC, e.id ASC LIMIT ");
    }
    sql.bind(Param::Int(clamp(limit)));
    sql
}

/// `SELECT COUNT(*)` of distinct events matching any of `filters` (all satisfiable).
pub(crate) fn count(filters: &[Filter], now: u64, style: ListStyle) -> Sql {
    let mut sql = Sql::new(style, "SELECT COUNT(*) FROM events e WHERE ");
    for (i, f) in filters.iter().enumerate() {
        if i > 0 {
            sql.push(" OR ");
        }
        sql.push("(TRUE");
        push_event_conditions(&mut sql, f, now);
        for tf in &f.tags {
            push_tag_subquery(&mut sql, tf, f);
        }
        sql.push(")");
    }
    sql
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn filter(v: serde_json::Value) -> Filter {
        Filter::from_value(&v).unwrap()
    }

    #[test]
    fn renders_lists_per_dialect() {
        let f = filter(json!({"kinds": [1, 7], "authors": ["a".repeat(64)]}));
        let pg = select(&f, 10, 5, ListStyle::Array);
        assert!(pg.text.contains("e.kind = ANY($2)"), "{}", pg.text);
        assert!(pg.text.contains("e.pubkey = $1"), "{}", pg.text);
        let lite = select(&f, 10, 5, ListStyle::Expand);
        assert!(lite.text.contains("e.kind IN ($2, $3)"), "{}", lite.text);
        assert_eq!(lite.params.len(), 5);
    }

    #[test]
    fn single_valued_tag_drives_from_the_tag_index() {
        let f = filter(json!({"#e": ["a".repeat(64)], "kinds": [7]}));
        let s = select(&f, 10, 5, ListStyle::Array);
        assert!(
            s.text
                .starts_with("SELECT e.created_at, e.id, e.json FROM event_tags t")
        );
        assert!(s.text.contains("ORDER BY t.created_at DESC"));
        let multi = filter(json!({"#t": ["a", "b"]}));
        let s = select(&multi, 10, 5, ListStyle::Array);
        assert!(
            s.text
                .starts_with("SELECT e.created_at, e.id, e.json FROM events e")
        );
        assert!(s.text.contains("e.id IN (SELECT t.event_id"));
    }
}
