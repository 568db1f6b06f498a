-- NIP-98 authorizations the management API has accepted, so none is used twice.
CREATE TABLE used_authorizations (
    sig     BLOB    PRIMARY KEY,
    until   INTEGER NOT NULL
);
