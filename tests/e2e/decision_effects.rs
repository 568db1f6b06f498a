//! A decision and its effects are one: a failure injected between them (a trigger that refuses
//! the removal the decision orders) leaves neither stored, the proposal open and the relay's
//! state agreeing with its record; once the failure is gone the proposal is decided, its event
//! removed, and later decisions chain on as if nothing happened.

use std::time::Duration;

use governance::Action;
use nips::{EventId, Keys};
use serde_json::json;
use sqlx::Connection;

use crate::gov::{self, config, decision_on, member, proposal, set, tag, vote};
use crate::harness::{Store, TestRelay};
use crate::raw::Raw;
use crate::{now, on_both_stores, sign};

/// Makes the database refuse to delete event `id` (a removal the decision orders), until
/// [`Refusal::lift`].
pub enum Refusal {
    Postgres(sqlx::PgConnection),
    Sqlite(sqlx::SqliteConnection),
}

impl Refusal {
    pub async fn install(relay: &TestRelay, db_url: Option<&str>, id: &EventId) -> Self {
        let hex = id.to_hex();
        match db_url {
            Some(url) => {
                let mut c = sqlx::PgConnection::connect(url).await.unwrap();
                for sql in [
                    "CREATE FUNCTION cm_refuse() RETURNS trigger AS $$ BEGIN \
                     RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql"
                        .to_string(),
                    format!(
                        "CREATE TRIGGER cm_refuse BEFORE DELETE ON events FOR EACH ROW \
                         WHEN (OLD.id = '\\x{hex}'::bytea) EXECUTE FUNCTION cm_refuse()"
                    ),
                ] {
                    sqlx::query(sqlx::AssertSqlSafe(sql))
                        .execute(&mut c)
                        .await
                        .unwrap();
                }
                Refusal::Postgres(c)
            }
            None => {
                let path = relay.data_dir.join("communitarium.db");
                let url = format!("sqlite://{}", path.display());
                let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
                let sql = format!(
                    "CREATE TRIGGER cm_refuse BEFORE DELETE ON events WHEN OLD.id = X'{hex}' \
                     BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
                );
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .execute(&mut c)
                    .await
                    .unwrap();
                Refusal::Sqlite(c)
            }
        }
    }

    pub async fn lift(self) {
        match self {
            Refusal::Postgres(mut c) => {
                sqlx::query("DROP TRIGGER cm_refuse ON events")
                    .execute(&mut c)
                    .await
                    .unwrap();
            }
            Refusal::Sqlite(mut c) => {
                sqlx::query("DROP TRIGGER cm_refuse")
                    .execute(&mut c)
                    .await
                    .unwrap();
            }
        }
    }
}

/// Is event `id` served to a reader of `url`?
pub async fn served(url: &str, id: &EventId) -> bool {
    let mut c = Raw::connect(url).await;
    !c.req("s", json!([{"ids": [id.to_hex()]}]))
        .await
        .events()
        .is_empty()
}

async fn a_decision_and_its_effects_commit_together(store: Store) {
    let f: Vec<Keys> = (0..2).map(|_| Keys::generate()).collect();
    let relay = gov::start(store, &config(&[&f[0], &f[1]], &[], "open", "")).await;
    let pk = gov::relay_key(&relay).await;
    let spam = sign(&Keys::generate(), now(), 1, &[], "buy now");
    Raw::connect(&relay.url).await.accept(&spam).await;
    let refusal =
        Refusal::install(&relay, relay.db.as_ref().map(|d| d.url.as_str()), &spam.id).await;
    // Everyone votes, so it settles at once; the decision's transaction fails on the removal.
    let mut c = member(&relay, &f[0]).await;
    let remove = proposal(
        &f[0],
        &Action::RemoveEvent(spam.id),
        8,
        &relay.url,
        "Remove the spam",
    );
    c.accept(&remove).await;
    for k in &f {
        member(&relay, k)
            .await
            .accept(&vote(k, &remove, "yes"))
            .await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let decisions = c
        .req(
            "d",
            json!([{"authors": [pk], "kinds": [8002], "#e": [remove.id.to_hex()]}]),
        )
        .await
        .events();
    assert!(
        decisions.is_empty(),
        "no decision without its effect: {decisions:?}"
    );
    assert!(served(&relay.url, &spam.id).await, "nothing half-applied");
    assert_eq!(
        gov::info(&relay).await["governance"]["open_proposals"],
        1,
        "still open"
    );
    refusal.lift().await;
    // Decided at its end, with its effect; the chain goes on.
    let d = decision_on(&mut c, &pk, &remove.id.to_hex()).await;
    assert_eq!(tag(&d, "result"), Some("passed"));
    assert!(
        !served(&relay.url, &spam.id).await,
        "removed with its decision"
    );
    let next = gov::decide(
        &relay,
        &f,
        &set("limitation.max_content_length", "5000"),
        30,
        "Longer notes",
    )
    .await;
    assert_eq!(tag(&next, "result"), Some("passed"));
    assert_eq!(tag(&next, "prev"), Some(d["id"].as_str().unwrap()));
    assert_eq!(relay.logged("duplicate key"), 0);
    // A record an older version left half-applied (the event back in the table) is healed
    // at the next start.
    let mut relay = relay;
    assert!(relay.stop().await.success());
    put_back(&relay, &spam).await;
    relay.start_again().await;
    assert!(!served(&relay.url, &spam.id).await, "healed at start");
    assert_eq!(relay.logged("removed events the record still held"), 1);
}

/// Writes `event`'s row straight into the relay's database, behind the relay's back.
async fn put_back(relay: &TestRelay, event: &nips::Event) {
    let sql = "INSERT INTO events (id, pubkey, created_at, kind, json) VALUES ($1, $2, $3, $4, $5)";
    let (id, pk) = (
        event.id.as_bytes().to_vec(),
        event.pubkey.as_bytes().to_vec(),
    );
    let at = event.created_at as i64;
    match &relay.db {
        Some(db) => {
            let mut c = sqlx::PgConnection::connect(&db.url).await.unwrap();
            sqlx::query(sql)
                .bind(id)
                .bind(pk)
                .bind(at)
                .bind(i32::from(event.kind))
                .bind(event.to_json())
                .execute(&mut c)
                .await
                .unwrap();
        }
        None => {
            let path = relay.data_dir.join("communitarium.db");
            let url = format!("sqlite://{}", path.display());
            let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
            sqlx::query(sql)
                .bind(id)
                .bind(pk)
                .bind(at)
                .bind(i32::from(event.kind))
                .bind(event.to_json())
                .execute(&mut c)
                .await
                .unwrap();
        }
    }
}

on_both_stores!(a_decision_and_its_effects_commit_together);
