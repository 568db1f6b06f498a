-- Tag rows follow their event through one statement-level trigger instead of a foreign key.
-- The foreign key checked every inserted tag row against `events` (a lookup and a row lock
-- each), which was the largest single cost of storing an event; tags are only ever written in
-- the transaction that writes their event, so the check bought nothing.
ALTER TABLE event_tags DROP CONSTRAINT event_tags_event_id_fkey;

CREATE FUNCTION events_drop_tags() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- `= ANY (ARRAY(…))` keeps this an index probe per deleted id whatever the batch size.
    DELETE FROM event_tags WHERE event_id = ANY (ARRAY(SELECT id FROM gone));
    RETURN NULL;
END
$$;

CREATE TRIGGER events_drop_tags AFTER DELETE ON events
    REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION events_drop_tags();
