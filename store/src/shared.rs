//! Write steps whose SQL is identical on both backends, written once and instantiated for each
//! backend's connection type (`$n` placeholders bind positionally on both). What differs —
//! tag inserts, id-list deletes, row locks — stays in the backend modules.

/// Outcome of the pre-insert check: why an event must not be stored, if it must not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Precheck {
    Fresh,
    Duplicate,
    Deleted,
    Vanished,
}

/// Generates the write path for the connection type `$conn`. The invoking backend module
/// provides `insert_event(conn, record, search)` (the row and its search entry),
/// `insert_tags(conn, record)`, `delete_ids(conn, pubkey, ids)` and the `SELECT_ADDRESS`
/// statement (see `replace_address`).
macro_rules! shared_writes {
    ($conn:ty) => {
        use $crate::shared::Precheck;
        use $crate::{Effect, Record, Saved, SearchIndex, WriteOp, existing_wins};

        /// Applies one op (inside the caller's transaction).
        pub(super) async fn apply_one(
            conn: &mut $conn,
            op: &WriteOp,
            search: &SearchIndex,
        ) -> Result<Saved, sqlx::Error> {
            match op {
                WriteOp::Save(r) => save(conn, r, false, search).await,
                WriteOp::Vanish(r) => {
                    apply_vanish(conn, r).await?;
                    save(conn, r, true, search).await
                }
                WriteOp::Effect(e) => apply_effect(conn, e, search).await,
            }
        }

        /// A decision's effect: `Stored` when it changed something, `Duplicate` when not.
        async fn apply_effect(
            conn: &mut $conn,
            effect: &Effect,
            search: &SearchIndex,
        ) -> Result<Saved, sqlx::Error> {
            let changed = |rows: u64| match rows {
                0 => Saved::Duplicate,
                _ => Saved::Stored,
            };
            let done = match effect {
                Effect::Quarantine { id, at } => {
                    let id = id.as_bytes().as_slice();
                    let moved = sqlx::query(
                        "INSERT INTO quarantine (id, json, removed_at) \
                         SELECT id, json, $2 FROM events WHERE id = $1 ON CONFLICT (id) DO NOTHING",
                    )
                    .bind(id)
                    .bind(*at)
                    .execute(&mut *conn)
                    .await?;
                    sqlx::query("DELETE FROM events WHERE id = $1")
                        .bind(id)
                        .execute(&mut *conn)
                        .await?;
                    changed(moved.rows_affected())
                }
                Effect::Remove(id) => {
                    let id = id.as_bytes().as_slice();
                    let mut rows = 0;
                    for sql in ["DELETE FROM events WHERE id = $1", "DELETE FROM quarantine WHERE id = $1"] {
                        rows += sqlx::query(sql).bind(id).execute(&mut *conn).await?.rows_affected();
                    }
                    changed(rows)
                }
                Effect::Purge(id) => {
                    let gone = sqlx::query("DELETE FROM quarantine WHERE id = $1")
                        .bind(id.as_bytes().as_slice())
                        .execute(&mut *conn)
                        .await?;
                    changed(gone.rows_affected())
                }
                Effect::Release(id) => {
                    let row: Option<(String,)> =
                        sqlx::query_as("DELETE FROM quarantine WHERE id = $1 RETURNING json")
                            .bind(id.as_bytes().as_slice())
                            .fetch_optional(&mut *conn)
                            .await?;
                    let Some((json,)) = row else {
                        return Ok(Saved::Duplicate);
                    };
                    let event = nips::Event::from_json(&json)
                        .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
                    save(conn, &Record::new(event), false, search).await?
                }
                Effect::BlockIp { ip, reason, at } => {
                    sqlx::query(
                        "INSERT INTO blocked_ips (ip, reason, blocked_at) VALUES ($1, $2, $3) \
                         ON CONFLICT (ip) DO UPDATE SET reason = excluded.reason, \
                         blocked_at = excluded.blocked_at, lifted_at = NULL",
                    )
                    .bind(ip)
                    .bind(reason)
                    .bind(*at)
                    .execute(&mut *conn)
                    .await?;
                    Saved::Stored
                }
                Effect::UnblockIp { ip, at } => {
                    let lifted = sqlx::query(
                        "UPDATE blocked_ips SET lifted_at = $2 WHERE ip = $1 AND lifted_at IS NULL",
                    )
                    .bind(ip)
                    .bind(*at)
                    .execute(&mut *conn)
                    .await?;
                    changed(lifted.rows_affected())
                }
            };
            Ok(done)
        }

        /// Stores one event with NIP-01 replacement rules; a kind-5 event also deletes.
        async fn save(
            conn: &mut $conn,
            r: &Record,
            vanish_checked: bool,
            search: &SearchIndex,
        ) -> Result<Saved, sqlx::Error> {
            match precheck(conn, r, vanish_checked).await? {
                Precheck::Duplicate => return Ok(Saved::Duplicate),
                Precheck::Deleted => return Ok(Saved::Deleted),
                Precheck::Vanished => return Ok(Saved::Vanished),
                Precheck::Fresh => {}
            }
            if let Some(d) = r.address_d()
                && !replace_address(conn, r, d, super::SELECT_ADDRESS).await?
            {
                return Ok(Saved::Superseded);
            }
            super::insert_event(conn, r, search).await?;
            super::insert_tags(conn, r).await?;
            if r.event.kind == nips::nip09::KIND_DELETION {
                apply_deletion(conn, r).await?;
            }
            Ok(Saved::Stored)
        }

        /// NIP-09: deletes the author's own targeted events and remembers them so copies are
        /// refused. Deletion and vanish requests are never deleted this way.
        async fn apply_deletion(conn: &mut $conn, r: &Record) -> Result<(), sqlx::Error> {
            let targets = nips::nip09::targets(&r.event);
            if !targets.ids.is_empty() {
                super::delete_ids(conn, r.event.pubkey.as_bytes().as_slice(), &targets.ids).await?;
            }
            for c in &targets.coordinates {
                delete_address(conn, c, r.created_at()).await?;
            }
            Ok(())
        }

        /// Is the event already here, deleted by its author, or from a vanished author?
        /// `vanish_checked` skips the vanish test for a vanish request itself.
        async fn precheck(
            conn: &mut $conn,
            r: &Record,
            vanish_checked: bool,
        ) -> Result<Precheck, sqlx::Error> {
            let e = &r.event;
            let at = r.created_at();
            let (dup, deleted, vanished, address_deleted): (bool, bool, Option<i64>, Option<i64>) =
                sqlx::query_as(
                    "SELECT \
                     EXISTS (SELECT 1 FROM events WHERE id = $1), \
                     EXISTS (SELECT 1 FROM deleted_events WHERE id = $1 AND pubkey = $2), \
                     (SELECT until FROM vanished_pubkeys WHERE pubkey = $2), \
                     (SELECT until FROM deleted_addresses WHERE pubkey = $2 AND kind = $3 AND d_tag = $4)",
                )
                .bind(e.id.as_bytes().as_slice())
                .bind(e.pubkey.as_bytes().as_slice())
                .bind(i32::from(e.kind))
                .bind(r.address_d())
                .fetch_one(&mut *conn)
                .await?;
            Ok(if dup {
                Precheck::Duplicate
            } else if deleted || address_deleted.is_some_and(|until| until >= at) {
                Precheck::Deleted
            } else if !vanish_checked && vanished.is_some_and(|until| until >= at) {
                Precheck::Vanished
            } else {
                Precheck::Fresh
            })
        }

        /// For a replaceable/addressable event: removes the stored version it replaces, or
        /// returns false when the stored version wins (NIP-01: newest, then lowest id).
        /// `select` reads `(id, created_at)` of the current version by `$1` pubkey, `$2` kind,
        /// `$3` d tag (PostgreSQL adds `FOR UPDATE`).
        async fn replace_address(
            conn: &mut $conn,
            r: &Record,
            d: &str,
            select: &'static str,
        ) -> Result<bool, sqlx::Error> {
            let existing: Option<(Vec<u8>, i64)> = sqlx::query_as(select)
                .bind(r.event.pubkey.as_bytes().as_slice())
                .bind(i32::from(r.event.kind))
                .bind(d)
                .fetch_optional(&mut *conn)
                .await?;
            if let Some((old_id, old_at)) = existing {
                if existing_wins((old_at, &old_id), r) {
                    return Ok(false);
                }
                sqlx::query("DELETE FROM events WHERE id = $1")
                    .bind(old_id)
                    .execute(&mut *conn)
                    .await?;
            }
            Ok(true)
        }

        /// NIP-09 `a` deletion: removes versions of the address up to `until` and remembers
        /// `until` so older copies are refused later.
        async fn delete_address(
            conn: &mut $conn,
            c: &nips::nip09::Coordinate,
            until: i64,
        ) -> Result<(), sqlx::Error> {
            let pubkey = c.pubkey.as_bytes().as_slice();
            let kind = i32::from(c.kind);
            sqlx::query(
                "DELETE FROM events WHERE pubkey = $1 AND kind = $2 AND d_tag = $3 AND created_at <= $4",
            )
            .bind(pubkey)
            .bind(kind)
            .bind(&c.d)
            .bind(until)
            .execute(&mut *conn)
            .await?;
            sqlx::query(
                "INSERT INTO deleted_addresses (pubkey, kind, d_tag, until) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (pubkey, kind, d_tag) DO UPDATE SET until = excluded.until \
                 WHERE excluded.until > deleted_addresses.until",
            )
            .bind(pubkey)
            .bind(kind)
            .bind(&c.d)
            .bind(until)
            .execute(&mut *conn)
            .await?;
            Ok(())
        }

        /// NIP-62: hard-deletes everything of the author up to the request (and gift wraps
        /// addressed to them), forgets their tombstones, and refuses their older events from
        /// now on. The request itself is kept.
        async fn apply_vanish(conn: &mut $conn, r: &Record) -> Result<(), sqlx::Error> {
            let pubkey = r.event.pubkey.as_bytes().as_slice();
            let at = r.created_at();
            sqlx::query("DELETE FROM events WHERE pubkey = $1 AND created_at <= $2 AND id <> $3")
                .bind(pubkey)
                .bind(at)
                .bind(r.event.id.as_bytes().as_slice())
                .execute(&mut *conn)
                .await?;
            sqlx::query(
                "DELETE FROM events WHERE id IN (SELECT event_id FROM event_tags \
                 WHERE name = 'p' AND value = $1 AND kind = 1059)",
            )
            .bind(r.event.pubkey.to_hex())
            .execute(&mut *conn)
            .await?;
            for table in [
                "DELETE FROM deleted_events WHERE pubkey = $1",
                "DELETE FROM deleted_addresses WHERE pubkey = $1",
            ] {
                sqlx::query(table).bind(pubkey).execute(&mut *conn).await?;
            }
            sqlx::query(
                "INSERT INTO vanished_pubkeys (pubkey, until) VALUES ($1, $2) \
                 ON CONFLICT (pubkey) DO UPDATE SET until = excluded.until \
                 WHERE excluded.until > vanished_pubkeys.until",
            )
            .bind(pubkey)
            .bind(at)
            .execute(&mut *conn)
            .await?;
            Ok(())
        }
    };
}

pub(crate) use shared_writes;
