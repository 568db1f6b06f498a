-- The plans of the hot queries, as the relay renders them (relay/src/store/sql.rs: a single
-- value is compared with `=`, several with `= ANY`), on a preloaded Postgres store:
-- `PRELOAD=1000000 bench/run postgres explain`.
-- Values are picked from the store: the busiest author, hashtag, reaction target and mention.
\set QUIET on
\pset pager off
SELECT encode(pubkey, 'hex') AS author FROM events GROUP BY pubkey ORDER BY count(*) DESC LIMIT 1 \gset
SELECT value AS hashtag FROM event_tags WHERE name = 't' GROUP BY value ORDER BY count(*) DESC LIMIT 1 \gset
SELECT value AS target FROM event_tags WHERE name = 'e' AND kind = 7 GROUP BY value ORDER BY count(*) DESC LIMIT 1 \gset
SELECT value AS mentioned FROM event_tags WHERE name = 'p' GROUP BY value ORDER BY count(*) DESC LIMIT 1 \gset
SELECT extract(epoch FROM now())::bigint AS now \gset
SELECT count(*) AS events FROM events;
\echo '== author: {"authors": [busiest], "limit": 100}'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT e.created_at, e.id, e.json FROM events e WHERE TRUE AND e.pubkey = decode(:'author', 'hex')
  AND (e.expires_at IS NULL OR e.expires_at > :now) ORDER BY e.created_at DESC, e.id ASC LIMIT 100;
\echo '== kind: {"kinds": [1], "limit": 100}'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT e.created_at, e.id, e.json FROM events e WHERE TRUE AND e.kind = 1
  AND (e.expires_at IS NULL OR e.expires_at > :now) ORDER BY e.created_at DESC, e.id ASC LIMIT 100;
-- One tag value, as the relay binds it: `#t` and `#p` share this statement.
PREPARE by_tag(text, text, bigint) AS
SELECT e.created_at, e.id, e.json FROM event_tags t JOIN events e ON e.id = t.event_id
  WHERE t.name = $1 AND t.value = $2
  AND (e.expires_at IS NULL OR e.expires_at > $3) ORDER BY t.created_at DESC, t.event_id ASC LIMIT 100;
\echo '== tag: {"#t": [busiest], "limit": 100}'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE by_tag('t', :'hashtag', :now);
\echo '== thread: {"#e": [busiest], "kinds": [7], "limit": 100}'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT e.created_at, e.id, e.json FROM event_tags t JOIN events e ON e.id = t.event_id
  WHERE t.name = 'e' AND t.value = :'target' AND t.kind = 7
  AND e.kind = 7
  AND (e.expires_at IS NULL OR e.expires_at > :now) ORDER BY t.created_at DESC, t.event_id ASC LIMIT 100;
\echo '== mentions: {"#p": [busiest], "limit": 100}'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE by_tag('p', :'mentioned', :now);
\echo '== global: {"limit": 100}'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT e.created_at, e.id, e.json FROM events e WHERE TRUE
  AND (e.expires_at IS NULL OR e.expires_at > :now) ORDER BY e.created_at DESC, e.id ASC LIMIT 100;
