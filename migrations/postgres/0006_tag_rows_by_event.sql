-- A tag row is looked up by its event only to be deleted with it (the trigger of 0003), and
-- every event's tags are deduplicated before they are written. The primary key on
-- (event_id, name, value) copied each tag's value into a third B-tree, 15 MB of a 184 MB
-- database after 60,000 events; a plain index on the event's id stores each id once for all
-- its tags (B-tree deduplication) and is about a third of that size.
ALTER TABLE event_tags DROP CONSTRAINT event_tags_pkey;
CREATE INDEX event_tags_event_idx ON event_tags (event_id);
