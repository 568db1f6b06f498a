-- Several nodes on one database: what they must share beyond the events themselves.

-- NIP-98 authorizations the management API has accepted, so none is used twice on any node.
CREATE TABLE used_authorizations (
    sig     BYTEA  PRIMARY KEY,
    until   BIGINT NOT NULL
);

-- Generations of the community's state: `ledger` moves with every decision and membership
-- change, `open` with every accepted proposal or vote. A node whose copy is older reloads.
CREATE TABLE cluster_state (
    name    TEXT   PRIMARY KEY,
    value   BIGINT NOT NULL
);
INSERT INTO cluster_state (name, value) VALUES ('ledger', 0), ('open', 0);

-- Ephemeral events too large for a notification's payload, read by the other nodes once and
-- pruned after a minute. Unlogged: they are never meant to survive a crash.
CREATE UNLOGGED TABLE cluster_ephemeral (
    id      BYTEA  PRIMARY KEY,
    json    TEXT   NOT NULL,
    at      BIGINT NOT NULL
);

-- Permits of the per-target caps handed out to nodes, per target and fixed window.
CREATE UNLOGGED TABLE cluster_target_use (
    key     BYTEA  NOT NULL,
    bucket  BIGINT NOT NULL,
    used    INTEGER NOT NULL,
    PRIMARY KEY (key, bucket)
);

-- The decision chain cannot fork: no two decisions of one relay name the same `prev`.
CREATE UNIQUE INDEX events_decision_prev_idx
    ON events (pubkey, substring(json from '\["prev","([0-9a-f]{64})"\]'))
    WHERE kind = 8002;
