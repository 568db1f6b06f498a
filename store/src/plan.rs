//! Filter → SQL: which condition drives a query (the one selecting the fewest events), and the
//! statements both backends run for a REQ, a COUNT, a sync's keys and a walk through a set.
//! Statements use `$n` placeholders, which PostgreSQL and sqlx's SQLite driver both bind
//! positionally; only list binding differs ([`ListStyle`]).

use nips::{Filter, TagFilter};

use crate::Wraps;
use crate::search;
use crate::sql::{
    ListStyle, Param, Sql, TagForm, clamp, push_event_conditions, push_event_matches, push_kinds,
    push_tag_condition, push_time_range,
};

/// Tag letters whose values name one event, key or address: a condition on them matches few
/// events, whatever else the filter says.
const PRECISE_TAGS: &[char] = &['e', 'E', 'p', 'P', 'q', 'Q', 'a', 'A'];

/// Up to this many authors, the filter's events are best found through the author index.
const FEW_AUTHORS: usize = 10;

/// Where a query starts: the condition that selects the fewest events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Driver<'a> {
    /// The `events` indexes: ids, authors, kinds or time.
    Events,
    /// The tag index, for one tag condition.
    Tag(&'a TagFilter),
}

/// Picks the most selective condition of `f`. Ids and a few authors beat any tag; a tag that
/// names events, keys or addresses beats many authors; a single-valued tag beats kinds and
/// time. So `{"#t":["nostr"],"authors":[k]}` walks `k`'s events, not every `#t nostr` row.
fn driver(f: &Filter) -> Driver<'_> {
    if f.ids.is_some() {
        return Driver::Events;
    }
    let authors = f.authors.as_ref().map(Vec::len);
    let precise = f
        .tags
        .iter()
        .filter(|t| PRECISE_TAGS.contains(&t.name))
        .min_by_key(|t| t.values.len());
    let single = f.tags.iter().find(|t| t.values.len() == 1);
    match (authors, precise, single) {
        (Some(n), _, _) if n <= FEW_AUTHORS => Driver::Events,
        (_, Some(t), _) => Driver::Tag(t),
        (None, None, Some(t)) => Driver::Tag(t),
        _ => Driver::Events,
    }
}

/// The newest `limit` events matching `f`: `SELECT created_at, id, kind, json …`.
///
/// Starts from the filter's most selective condition ([`driver`]). A single-valued tag drives
/// from the tag index `(name, value[, kind], created_at DESC)`, which yields rows already in
/// order, so the database stops after `limit`. Several values of a precise tag are gathered
/// first (they are few), then sorted. Other shapes use the `events` indexes.
pub(crate) fn select(f: &Filter, limit: u64, now: u64, style: ListStyle) -> Sql {
    if let Some(q) = search::terms(f) {
        return search::select(f, &q, limit, now, style);
    }
    select_columns(f, limit, now, style, Columns::Served)
}

/// What a query returns of each event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Columns {
    /// `created_at, id, kind, json`: events to send.
    Served,
    /// `created_at, id, kind`: the keys of a set, for reconciling it (NIP-77).
    Keys,
}

impl Columns {
    fn list(self) -> &'static str {
        match self {
            Columns::Served => "e.created_at, e.id, e.kind, e.json",
            Columns::Keys => "e.created_at, e.id, e.kind",
        }
    }
}

/// [`select`] for filters without search, returning `columns`.
pub(crate) fn select_columns(
    f: &Filter,
    limit: u64,
    now: u64,
    style: ListStyle,
    columns: Columns,
) -> Sql {
    let cols = columns.list();
    let driving = driver(f);
    let mut sql = match driving {
        Driver::Tag(tf) if tf.values.len() == 1 => {
            let mut sql = Sql::new(
                style,
                &format!(
                    "SELECT {cols} FROM event_tags t JOIN events e ON e.id = t.event_id WHERE t.name = "
                ),
            );
            sql.bind(Param::Text(tf.name.to_string()))
                .push(" AND t.value = ")
                .bind(Param::Text(tf.values[0].clone()));
            push_kinds(&mut sql, "t", f);
            push_time_range(&mut sql, "t", f);
            sql
        }
        Driver::Tag(tf) => {
            // SQLite keeps the join order as written only with CROSS JOIN.
            let join = match style {
                ListStyle::Array => "JOIN",
                ListStyle::Expand => "CROSS JOIN",
            };
            let mut sql = Sql::new(
                style,
                &format!(
                    "SELECT {cols} FROM (SELECT DISTINCT t.event_id FROM event_tags t WHERE t.name = "
                ),
            );
            sql.bind(Param::Text(tf.name.to_string())).push(" AND ");
            sql.push_in("t.value", Param::TextList(tf.values.clone()));
            push_kinds(&mut sql, "t", f);
            push_time_range(&mut sql, "t", f);
            sql.push(&format!(
                ") d {join} events e ON e.id = d.event_id WHERE TRUE"
            ));
            sql
        }
        Driver::Events => Sql::new(style, &format!("SELECT {cols} FROM events e WHERE TRUE")),
    };
    push_event_conditions(&mut sql, f, now);
    push_other_tags(&mut sql, f, driving);
    match driving {
        Driver::Tag(tf) if tf.values.len() == 1 => {
            sql.push(" ORDER BY t.created_at DESC, t.event_id ASC LIMIT ");
        }
        _ => {
            sql.push(" ORDER BY e.created_at DESC, e.id ASC LIMIT ");
        }
    }
    sql.bind(Param::Int(clamp(limit)));
    sql
}

/// The index step of a two-step read ([`super::hot`]): `created_at, id` of the newest `limit`
/// events matching `f`, expired or not, read from the indexes alone where the filter allows
/// (a single tag value, with kinds and times at most, never touches `events`). `None` for the
/// shapes read in one step: search, and several values of the driving tag.
pub(crate) fn refs(f: &Filter, limit: u64, style: ListStyle) -> Option<Sql> {
    if search::terms(f).is_some() {
        return None;
    }
    let driving = driver(f);
    let mut sql = match driving {
        Driver::Tag(tf) if tf.values.len() == 1 => {
            let on_events = f.ids.is_some() || f.authors.is_some() || f.tags.len() > 1;
            let from = match on_events {
                true => "event_tags t JOIN events e ON e.id = t.event_id",
                false => "event_tags t",
            };
            let mut sql = Sql::new(
                style,
                &format!("SELECT t.created_at, t.event_id FROM {from} WHERE t.name = "),
            );
            sql.bind(Param::Text(tf.name.to_string()))
                .push(" AND t.value = ")
                .bind(Param::Text(tf.values[0].clone()));
            push_kinds(&mut sql, "t", f);
            push_time_range(&mut sql, "t", f);
            if on_events {
                push_event_matches(&mut sql, f);
                push_other_tags(&mut sql, f, driving);
            }
            sql.push(" ORDER BY t.created_at DESC, t.event_id ASC LIMIT ");
            sql
        }
        Driver::Tag(_) => return None,
        Driver::Events => {
            let mut sql = Sql::new(style, "SELECT e.created_at, e.id FROM events e WHERE TRUE");
            push_event_matches(&mut sql, f);
            push_other_tags(&mut sql, f, driving);
            sql.push(" ORDER BY e.created_at DESC, e.id ASC LIMIT ");
            sql
        }
    };
    sql.bind(Param::Int(clamp(limit)));
    Some(sql)
}

/// The fetch step of a two-step read: the events with these ids, with their expiration.
pub(crate) fn by_ids(ids: &[nips::EventId], style: ListStyle) -> Sql {
    let mut sql = Sql::new(
        style,
        "SELECT e.created_at, e.id, e.kind, e.expires_at, e.json FROM events e WHERE ",
    );
    sql.push_in(
        "e.id",
        Param::BytesList(ids.iter().map(|i| i.0.to_vec()).collect()),
    );
    sql
}

/// The tag conditions besides the driving one: probes when the candidates are few (the
/// driver is ids, a few authors or a tag), sets otherwise.
fn push_other_tags(sql: &mut Sql, f: &Filter, driving: Driver<'_>) {
    let form = match driving {
        Driver::Tag(_) => TagForm::Probe,
        Driver::Events if f.ids.is_some() || f.authors.is_some() => TagForm::Probe,
        Driver::Events => TagForm::Set,
    };
    for tf in &f.tags {
        if !matches!(driving, Driver::Tag(d) if std::ptr::eq(d, tf)) {
            push_tag_condition(sql, tf, f, form);
        }
    }
}

/// One page of a walk through every event matching `f` (search aside): oldest first (ties:
/// highest id first, the exact reverse of query order, so one index serves both), strictly
/// after `after` in that order, at most `limit`. Walking by the last row seen, rather than by
/// offset, keeps each page one index range however deep.
pub(crate) fn scan(
    f: &Filter,
    after: Option<(i64, &[u8])>,
    limit: u64,
    now: u64,
    style: ListStyle,
) -> Sql {
    let mut sql = Sql::new(
        style,
        &format!("SELECT {} FROM events e WHERE TRUE", Columns::Served.list()),
    );
    push_event_conditions(&mut sql, f, now);
    for tf in &f.tags {
        push_tag_condition(&mut sql, tf, f, TagForm::Set);
    }
    if let Some((at, id)) = after {
        // The first bound alone is what an index range can start from.
        sql.push(" AND e.created_at >= ")
            .bind(Param::Int(at))
            .push(" AND (e.created_at > ")
            .bind(Param::Int(at))
            .push(" OR (e.created_at = ")
            .bind(Param::Int(at))
            .push(" AND e.id < ")
            .bind(Param::Bytes(id.to_vec()))
            .push("))");
    }
    sql.push(" ORDER BY e.created_at ASC, e.id DESC LIMIT ")
        .bind(Param::Int(clamp(limit)));
    sql
}

/// `SELECT COUNT(*)` of distinct events matching any of `filters` (all satisfiable): the union
/// of each filter's ids, each found from its own most selective condition, with only the gift
/// wraps `wraps` allows.
pub(crate) fn count(filters: &[Filter], now: u64, style: ListStyle, wraps: Wraps<'_>) -> Sql {
    let mut sql = Sql::new(style, "SELECT COUNT(DISTINCT u.id) FROM (");
    for (i, f) in filters.iter().enumerate() {
        if i > 0 {
            sql.push(" UNION ALL ");
        }
        if let Some(q) = search::terms(f) {
            search::push_count_arm(&mut sql, f, &q, now);
            push_wraps(&mut sql, f, wraps);
            continue;
        }
        let driving = driver(f);
        match driving {
            Driver::Tag(tf) => {
                sql.push("SELECT e.id FROM event_tags t JOIN events e ON e.id = t.event_id WHERE t.name = ")
                    .bind(Param::Text(tf.name.to_string()))
                    .push(" AND ");
                sql.push_in("t.value", Param::TextList(tf.values.clone()));
                push_kinds(&mut sql, "t", f);
                push_time_range(&mut sql, "t", f);
            }
            Driver::Events => {
                sql.push("SELECT e.id FROM events e WHERE TRUE");
            }
        }
        push_event_conditions(&mut sql, f, now);
        push_other_tags(&mut sql, f, driving);
        push_wraps(&mut sql, f, wraps);
    }
    sql.push(") u");
    sql
}

/// ` AND` the row is not a gift wrap addressed to someone `wraps` leaves out, when `f` could
/// match one: a wrap's `p` tag must name one of the keys. A filter whose `#p` names only
/// those keys already asks for nothing else.
fn push_wraps(sql: &mut Sql, f: &Filter, wraps: Wraps<'_>) {
    let Wraps::For(keys) = wraps else {
        return;
    };
    let wrap = nips::nip59::KIND_GIFT_WRAP;
    if f.kinds.as_ref().is_some_and(|k| !k.contains(&wrap)) {
        return;
    }
    let mine: Vec<String> = keys.iter().map(nips::PubKey::to_hex).collect();
    let own_p = f
        .tags
        .iter()
        .any(|t| t.name == 'p' && t.values.iter().all(|v| mine.contains(v)));
    if own_p {
        return;
    }
    sql.push(&format!(" AND (e.kind <> {wrap}"));
    if !mine.is_empty() {
        sql.push(
            " OR EXISTS (SELECT 1 FROM event_tags w WHERE w.event_id = e.id AND w.name = 'p' AND ",
        );
        sql.push_in("w.value", Param::TextList(mine));
        sql.push(")");
    }
    sql.push(")");
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
    fn the_most_selective_condition_drives() {
        let k = "a".repeat(64);
        let from = |v: serde_json::Value| {
            let s = select(&filter(v), 10, 5, ListStyle::Array).text;
            s["SELECT e.created_at, e.id, e.kind, e.json ".len()..].to_string()
        };
        let one_tag = "FROM event_tags t JOIN events e";
        let tag_set = "FROM (SELECT DISTINCT t.event_id FROM event_tags t";
        let events = "FROM events e";
        assert!(from(json!({"#e": [k], "kinds": [7]})).starts_with(one_tag));
        assert!(from(json!({"#t": ["nostr"]})).starts_with(one_tag));
        let s = from(json!({"#t": ["nostr"], "authors": [k]}));
        assert!(
            s.starts_with(events)
                && s.contains("EXISTS (SELECT 1 FROM event_tags t WHERE t.event_id = e.id"),
            "an author's events are walked, not every #t row: {s}"
        );
        let s = from(json!({"#t": ["nostr"], "#p": [k]}));
        assert!(
            s.starts_with(one_tag) && s.contains("t.name = $1 AND t.value = $2"),
            "{s}"
        );
        assert_eq!(
            select(
                &filter(json!({"#t": ["nostr"], "#p": [k]})),
                1,
                1,
                ListStyle::Array
            )
            .params[0],
            Param::Text("p".into())
        );
        assert!(from(json!({"#e": [k, "b".repeat(64)], "kinds": [7]})).starts_with(tag_set));
        let many: Vec<String> = (0..11).map(|i| format!("{i:02x}").repeat(32)).collect();
        assert!(from(json!({"#e": [k], "authors": many})).starts_with(one_tag));
        assert!(from(json!({"#t": ["a", "b"]})).starts_with(events));
        assert!(from(json!({"#t": ["a", "b"]})).contains("e.id IN (SELECT t.event_id"));
        assert!(from(json!({"ids": [k], "#e": [k]})).starts_with(events));
        let lite = select(
            &filter(json!({"#e": [k, "b".repeat(64)]})),
            1,
            1,
            ListStyle::Expand,
        )
        .text;
        assert!(lite.contains(") d CROSS JOIN events e"), "{lite}");
    }
}
