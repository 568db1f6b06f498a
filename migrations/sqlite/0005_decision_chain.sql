-- The decision chain cannot fork: no two decisions of one relay name the same `prev` (as on
-- PostgreSQL). The canonical JSON holds `["prev","<64 hex>"]` once in a decision; a genesis has
-- none, and its expression is then a slice of its own id, unique anyway.
CREATE UNIQUE INDEX events_decision_prev_idx
    ON events (pubkey, substr(json, instr(json, '["prev","') + 9, 64))
    WHERE kind = 8002;
