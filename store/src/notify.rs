//! Announcing committed events to the other nodes sharing a PostgreSQL database: inside the
//! writing transaction, so an announcement exists exactly when its events are committed, and
//! PostgreSQL delivers announcements in commit order. A payload carries ids, never events: a
//! notification is limited to 8,000 bytes, and the other nodes fetch what their subscribers
//! want.

use nips::EventId;
use sqlx::postgres::PgConnection;

/// The channel committed events are announced on.
pub const EVENTS_CHANNEL: &str = "communitarium_events";

/// Ids per notification: 100 × 65 bytes stays well under PostgreSQL's 8,000-byte payload.
const IDS_PER_PAYLOAD: usize = 100;

/// What one notification on [`EVENTS_CHANNEL`] says. `token` names the announcing process,
/// which ignores its own announcements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Announcement {
    /// Events committed, by id, in the order they were written.
    Stored { token: String, ids: Vec<EventId> },
    /// An ephemeral event, whole.
    Ephemeral { token: String, json: String },
    /// An ephemeral event too large for a payload, parked in `cluster_ephemeral`.
    Parked { token: String, id: EventId },
}

/// The largest ephemeral event sent whole (PostgreSQL refuses payloads of 8,000 bytes).
pub const MAX_INLINE: usize = 7_900;

impl Announcement {
    /// The payloads announcing `ids` (several when there are many).
    pub fn stored(token: &str, ids: &[EventId]) -> Vec<String> {
        ids.chunks(IDS_PER_PAYLOAD)
            .map(|chunk| {
                let list: Vec<String> = chunk.iter().map(EventId::to_hex).collect();
                format!("S{token}:{}", list.join(","))
            })
            .collect()
    }

    /// The payload announcing an ephemeral event that fits ([`MAX_INLINE`]).
    pub fn ephemeral(token: &str, json: &str) -> String {
        format!("E{token}:{json}")
    }

    /// The payload announcing a parked ephemeral event.
    pub fn parked(token: &str, id: &EventId) -> String {
        format!("X{token}:{}", id.to_hex())
    }

    /// Reads a payload; `None` for anything malformed (it is logged and skipped).
    pub fn parse(payload: &str) -> Option<Self> {
        let (head, body) = payload.split_once(':')?;
        let mut chars = head.chars();
        let tag = chars.next()?;
        let token = chars.as_str().to_owned();
        match tag {
            'S' => {
                let ids = body
                    .split(',')
                    .map(|h| h.parse().ok())
                    .collect::<Option<Vec<EventId>>>()?;
                Some(Self::Stored { token, ids })
            }
            'E' => Some(Self::Ephemeral {
                token,
                json: body.to_owned(),
            }),
            'X' => Some(Self::Parked {
                token,
                id: body.parse().ok()?,
            }),
            _ => None,
        }
    }

    /// The announcing process.
    pub fn token(&self) -> &str {
        match self {
            Self::Stored { token, .. }
            | Self::Ephemeral { token, .. }
            | Self::Parked { token, .. } => token,
        }
    }
}

/// Announces `ids` on `conn`, inside the transaction that writes them.
pub(super) async fn announce(
    conn: &mut PgConnection,
    token: &str,
    ids: &[EventId],
) -> Result<(), sqlx::Error> {
    if ids.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "SELECT pg_notify($1, p) FROM UNNEST($2::text[]) WITH ORDINALITY AS u(p, n) ORDER BY n",
    )
    .bind(EVENTS_CHANNEL)
    .bind(Announcement::stored(token, ids))
    .execute(conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_round_trip_and_fit() {
        let ids: Vec<EventId> = (0..250u8).map(|i| EventId([i; 32])).collect();
        let payloads = Announcement::stored("n1-abc", &ids);
        assert_eq!(payloads.len(), 3);
        assert!(payloads.iter().all(|p| p.len() < 8_000));
        let mut back = Vec::new();
        for p in &payloads {
            match Announcement::parse(p) {
                Some(Announcement::Stored { token, ids }) => {
                    assert_eq!(token, "n1-abc");
                    back.extend(ids);
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(back, ids);
        let e = Announcement::ephemeral("t", r#"{"kind":20001,"content":"a:b"}"#);
        assert_eq!(
            Announcement::parse(&e),
            Some(Announcement::Ephemeral {
                token: "t".into(),
                json: r#"{"kind":20001,"content":"a:b"}"#.into()
            })
        );
        let x = Announcement::parked("t", &EventId([7; 32]));
        assert_eq!(
            Announcement::parse(&x),
            Some(Announcement::Parked {
                token: "t".into(),
                id: EventId([7; 32])
            })
        );
        assert_eq!(Announcement::parse("Snope:zz"), None);
        assert_eq!(Announcement::parse("garbage"), None);
    }
}
