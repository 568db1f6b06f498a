-- Events, their single-letter tag index, and the tombstones that keep deleted events out.

CREATE TABLE events (
    id          BYTEA   PRIMARY KEY,
    pubkey      BYTEA   NOT NULL,
    created_at  BIGINT  NOT NULL,
    kind        INTEGER NOT NULL,
    -- '' for replaceable kinds, the `d` value for addressable kinds, NULL otherwise.
    d_tag       TEXT,
    -- NIP-40 expiration (unix seconds), if any.
    expires_at  BIGINT,
    -- Canonical event JSON, served verbatim.
    json        TEXT    NOT NULL
);

-- Recent global feed, and the tie-break order of NIP-01 (newest first, then lowest id).
CREATE INDEX events_created_idx ON events (created_at DESC, id);
-- By author, with or without kinds.
CREATE INDEX events_pubkey_created_idx ON events (pubkey, created_at DESC, id);
CREATE INDEX events_pubkey_kind_created_idx ON events (pubkey, kind, created_at DESC, id);
-- By kind.
CREATE INDEX events_kind_created_idx ON events (kind, created_at DESC, id);
-- One row per replaceable/addressable address; the writer keeps the newest.
CREATE UNIQUE INDEX events_address_idx ON events (pubkey, kind, d_tag) WHERE d_tag IS NOT NULL;
-- The expiration sweep.
CREATE INDEX events_expires_idx ON events (expires_at) WHERE expires_at IS NOT NULL;

-- First values of single-letter tags. kind and created_at are copied here so tag queries are
-- answered in order from one index, without joining and sorting.
CREATE TABLE event_tags (
    event_id    BYTEA   NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    value       TEXT    NOT NULL,
    kind        INTEGER NOT NULL,
    created_at  BIGINT  NOT NULL,
    PRIMARY KEY (event_id, name, value)
);
CREATE INDEX event_tags_value_created_idx ON event_tags (name, value, created_at DESC, event_id);
CREATE INDEX event_tags_value_kind_created_idx ON event_tags (name, value, kind, created_at DESC, event_id);

-- NIP-09: ids deleted by their author; a later copy signed by that author is refused.
CREATE TABLE deleted_events (
    id      BYTEA NOT NULL,
    pubkey  BYTEA NOT NULL,
    PRIMARY KEY (id, pubkey)
);

-- NIP-09 `a` deletions: versions of an address up to `until` are refused.
CREATE TABLE deleted_addresses (
    pubkey  BYTEA   NOT NULL,
    kind    INTEGER NOT NULL,
    d_tag   TEXT    NOT NULL,
    until   BIGINT  NOT NULL,
    PRIMARY KEY (pubkey, kind, d_tag)
);

-- NIP-62: authors who vanished; their events up to `until` are refused.
CREATE TABLE vanished_pubkeys (
    pubkey  BYTEA  PRIMARY KEY,
    until   BIGINT NOT NULL
);
