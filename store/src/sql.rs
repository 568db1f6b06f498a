//! SQL building blocks shared by both backends: the statement builder and the conditions a
//! filter puts on events and tags ([`crate::plan`] chooses how they combine). Statements use `$n` placeholders, which PostgreSQL and
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
    pub(crate) fn new(style: ListStyle, text: &str) -> Self {
        Self {
            text: text.to_owned(),
            params: Vec::new(),
            style,
        }
    }

    /// Appends `$n` for `param`.
    pub(crate) fn bind(&mut self, param: Param) -> &mut Self {
        self.params.push(param);
        let _ = write!(self.text, "${}", self.params.len());
        self
    }

    pub(crate) fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }

    /// How this statement binds lists, which says which database it is for.
    pub(crate) fn style(&self) -> ListStyle {
        self.style
    }

    /// `column` equals one of `values` (never empty: unsatisfiable filters are skipped earlier).
    pub(crate) fn push_in(&mut self, column: &str, list: Param) -> &mut Self {
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

pub(crate) fn clamp(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// ` AND <alias>.created_at >= since AND … <= until` for the filter's time range.
pub(crate) fn push_time_range(sql: &mut Sql, alias: &str, f: &Filter) {
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
pub(crate) fn push_kinds(sql: &mut Sql, alias: &str, f: &Filter) {
    if let Some(k) = kinds(f) {
        sql.push(" AND ");
        sql.push_in(&format!("{alias}.kind"), k);
    }
}

/// Conditions on the `events` row aliased `e`, each prefixed with ` AND `.
pub(crate) fn push_event_conditions(sql: &mut Sql, f: &Filter, now: u64) {
    push_event_matches(sql, f);
    sql.push(" AND (e.expires_at IS NULL OR e.expires_at > ")
        .bind(Param::Int(clamp(now)))
        .push(")");
}

/// The filter's own conditions on the `events` row aliased `e` (not expiration).
pub(crate) fn push_event_matches(sql: &mut Sql, f: &Filter) {
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
}

/// How a non-driving tag condition is written: as a probe of the tag table's primary key per
/// candidate row (when the candidates are few), or as a set the planner may build once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TagForm {
    Probe,
    Set,
}

/// ` AND …` for one tag condition.
pub(crate) fn push_tag_condition(sql: &mut Sql, tf: &TagFilter, f: &Filter, form: TagForm) {
    match form {
        TagForm::Probe => {
            sql.push(
                " AND EXISTS (SELECT 1 FROM event_tags t WHERE t.event_id = e.id AND t.name = ",
            )
            .bind(Param::Text(tf.name.to_string()))
            .push(" AND ");
            sql.push_in("t.value", Param::TextList(tf.values.clone()));
            sql.push(")");
        }
        TagForm::Set => {
            // The tag table carries kind and created_at so the subquery can narrow by them
            // without touching `events`.
            sql.push(" AND e.id IN (SELECT t.event_id FROM event_tags t WHERE t.name = ")
                .bind(Param::Text(tf.name.to_string()))
                .push(" AND ");
            sql.push_in("t.value", Param::TextList(tf.values.clone()));
            push_kinds(sql, "t", f);
            push_time_range(sql, "t", f);
            sql.push(")");
        }
    }
}
