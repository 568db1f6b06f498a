-- NIP-50 search: an event's searchable words as a tsvector, built with the relay's
-- `search.language` (each connection's default_text_search_config); NULL for kinds that are
-- not indexed, so the index holds only what can be found.
ALTER TABLE events ADD COLUMN search tsvector;
CREATE INDEX events_search_idx ON events USING GIN (search) WHERE search IS NOT NULL;

-- What the index was built for (language and kinds). A relay configured otherwise rebuilds it.
CREATE TABLE search_settings (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    signature  TEXT    NOT NULL
);
