-- NIP-50 search: an FTS5 index of each searchable event's words, keyed by the event's rowid.
-- The words are folded by the relay before they get here (the same folding as queries), so
-- the tokenizer only has to split at spaces.
CREATE VIRTUAL TABLE event_search USING fts5(
    doc,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0'
);

-- Index entries leave with their event, however it is deleted.
CREATE TRIGGER events_drop_search AFTER DELETE ON events BEGIN
    DELETE FROM event_search WHERE rowid = old.rowid;
END;

-- What the index was built for (its kinds). A relay configured otherwise rebuilds it.
CREATE TABLE search_settings (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    signature  TEXT    NOT NULL
);
