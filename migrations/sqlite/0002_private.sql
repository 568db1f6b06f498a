-- Relay-private state that is not public events.

-- NIP-43 invite codes, by sha256 of the code (the code itself is never stored).
CREATE TABLE invites (
    code_hash   BLOB   PRIMARY KEY,
    inviter     BLOB   NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    claimed_by  BLOB,
    claimed_at  INTEGER
);
CREATE INDEX invites_inviter_idx ON invites (inviter, expires_at) WHERE claimed_by IS NULL;

-- NIP-86 blocked IPs (decisions publish only their sha256). Lifted blocks are kept, so an
-- unratified unblock can be undone.
CREATE TABLE blocked_ips (
    ip          TEXT   PRIMARY KEY,
    reason      TEXT   NOT NULL,
    blocked_at  INTEGER NOT NULL,
    lifted_at   INTEGER
);

-- Events removed by an emergency action, kept until members ratify (then purged) or the
-- action is reverted (then restored).
CREATE TABLE quarantine (
    id          BLOB   PRIMARY KEY,
    json        TEXT   NOT NULL,
    removed_at  INTEGER NOT NULL
);
