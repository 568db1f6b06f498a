//! NIP-01 client and relay messages: parsing what clients send, rendering what relays send.

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::event::{Event, EventError, EventId};
use crate::filter::{Filter, FilterError};
use crate::hex;
use crate::nip77::{NegError, NegMessage};

/// A parsed client message.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientMessage {
    /// `["EVENT", <event>]`
    Event(Box<Event>),
    /// `["REQ", <sub id>, <filter>...]`
    Req {
        sub_id: String,
        filters: Vec<Filter>,
    },
    /// `["COUNT", <query id>, <filter>...]` (NIP-45)
    Count {
        sub_id: String,
        filters: Vec<Filter>,
    },
    /// `["CLOSE", <sub id>]`
    Close { sub_id: String },
    /// `["AUTH", <signed 22242 event>]` (NIP-42)
    Auth(Box<Event>),
    /// `NEG-OPEN`, `NEG-MSG` or `NEG-CLOSE` (NIP-77)
    Neg(NegMessage),
}

/// Why a client message could not be parsed, and so how the relay must answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    /// Not a JSON array with a known verb: answer with `NOTICE`.
    #[error("{0}")]
    Malformed(String),
    /// An `EVENT`/`AUTH` whose event is bad: answer `OK false` when its id is readable.
    #[error("{error}")]
    BadEvent {
        id: Option<EventId>,
        error: EventError,
    },
    /// A `REQ`/`COUNT` with a bad filter: answer `CLOSED`.
    #[error("{error}")]
    BadFilter { sub_id: String, error: FilterError },
    /// A bad NIP-77 message: answer `NEG-ERR` when its subscription id is readable.
    #[error("{0}")]
    BadNeg(NegError),
}

impl ClientMessage {
    /// Parses one WebSocket text frame.
    pub fn from_json(text: &str) -> Result<Self, MessageError> {
        let parts: Vec<&RawValue> = serde_json::from_str(text)
            .map_err(|_| MessageError::Malformed("message must be a JSON array".into()))?;
        let (verb, args) = parts
            .split_first()
            .ok_or_else(|| MessageError::Malformed("message must not be empty".into()))?;
        let verb: &str = serde_json::from_str(verb.get())
            .map_err(|_| MessageError::Malformed("message type must be a string".into()))?;
        match verb {
            "EVENT" => parse_event_arg(args, "EVENT").map(ClientMessage::Event),
            "AUTH" => parse_event_arg(args, "AUTH").map(ClientMessage::Auth),
            "REQ" => {
                let (sub_id, filters) = parse_sub_and_filters(args, "REQ")?;
                Ok(ClientMessage::Req { sub_id, filters })
            }
            "COUNT" => {
                let (sub_id, filters) = parse_sub_and_filters(args, "COUNT")?;
                Ok(ClientMessage::Count { sub_id, filters })
            }
            "CLOSE" => match args {
                [id] => Ok(ClientMessage::Close {
                    sub_id: parse_sub_id(id, "CLOSE")?,
                }),
                _ => Err(MessageError::Malformed(
                    "CLOSE takes exactly one subscription id".into(),
                )),
            },
            other if other.starts_with("NEG-") => match NegMessage::parse(other, args) {
                Some(parsed) => parsed.map(ClientMessage::Neg).map_err(MessageError::BadNeg),
                None => Err(MessageError::Malformed(format!(
                    "unknown message type `{}`",
                    truncate(other, 32)
                ))),
            },
            other => Err(MessageError::Malformed(format!(
                "unknown message type `{}`",
                truncate(other, 32)
            ))),
        }
    }
}

fn parse_event_arg(args: &[&RawValue], verb: &str) -> Result<Box<Event>, MessageError> {
    let [raw] = args else {
        return Err(MessageError::Malformed(format!(
            "{verb} takes exactly one event"
        )));
    };
    Event::from_json(raw.get())
        .map(Box::new)
        .map_err(|error| MessageError::BadEvent {
            id: readable_id(raw.get()),
            error,
        })
}

/// The `id` of an event that failed to parse, if it is at least a well-formed id, so the
/// relay can answer with `OK false` instead of an uncorrelated `NOTICE`.
pub fn readable_id(json: &str) -> Option<EventId> {
    #[derive(Deserialize)]
    struct IdOnly<'a> {
        #[serde(borrow)]
        id: &'a str,
    }
    let id = serde_json::from_str::<IdOnly<'_>>(json).ok()?.id;
    hex::decode_lower::<32>(id).map(EventId)
}

/// Finds `"id":"<64 hex>"` in a message too large to parse, so it can still get `OK false`.
pub fn sniff_event_id(text: &str) -> Option<EventId> {
    let head = text.get(..text.len().min(4096))?;
    if !head.trim_start().starts_with("[\"EVENT\"") {
        return None;
    }
    let at = head.find("\"id\"")?;
    let rest = head[at + 4..].trim_start().strip_prefix(':')?.trim_start();
    let rest = rest.strip_prefix('"')?;
    rest.get(..64)
        .and_then(hex::decode_lower::<32>)
        .map(EventId)
}

/// The subscription id of a `REQ` or `COUNT` that will not be processed (a client over its
/// message rate), so its refusal can be a `CLOSED` the client matches to what it asked.
pub fn sniff_sub_id(text: &str) -> Option<String> {
    let head = text.trim_start();
    if !(head.starts_with("[\"REQ\"") || head.starts_with("[\"COUNT\"")) {
        return None;
    }
    let parts: Vec<&RawValue> = serde_json::from_str(text).ok()?;
    parts.get(1).and_then(|raw| parse_sub_id(raw, "").ok())
}

fn parse_sub_id(raw: &RawValue, verb: &str) -> Result<String, MessageError> {
    match serde_json::from_str::<String>(raw.get()) {
        Ok(id) if !id.is_empty() => Ok(id),
        _ => Err(MessageError::Malformed(format!(
            "{verb} subscription id must be a non-empty string"
        ))),
    }
}

fn parse_sub_and_filters(
    args: &[&RawValue],
    verb: &str,
) -> Result<(String, Vec<Filter>), MessageError> {
    let (id, filters) = args.split_first().ok_or_else(|| {
        MessageError::Malformed(format!("{verb} needs a subscription id and filters"))
    })?;
    let sub_id = parse_sub_id(id, verb)?;
    if filters.is_empty() {
        return Err(MessageError::BadFilter {
            sub_id,
            error: FilterError::NotAnObject,
        });
    }
    let filters = filters
        .iter()
        .map(|raw| {
            serde_json::from_str::<serde_json::Value>(raw.get())
                .map_err(|_| FilterError::NotAnObject)
                .and_then(|v| Filter::from_value(&v))
        })
        .collect::<Result<Vec<_>, _>>();
    match filters {
        Ok(filters) => Ok((sub_id, filters)),
        Err(error) => Err(MessageError::BadFilter { sub_id, error }),
    }
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((at, _)) => &s[..at],
        None => s,
    }
}

/// Renders relay-to-client messages. Events are spliced in as already-serialized JSON so a
/// stored event is never parsed or re-encoded on its way out.
pub mod relay {
    use crate::event::EventId;

    fn quoted(s: &str) -> String {
        serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
    }

    /// `["EVENT", <sub id>, <event>]`
    pub fn event(sub_id: &str, event_json: &str) -> String {
        let sub = quoted(sub_id);
        let mut out = String::with_capacity(event_json.len() + sub.len() + 12);
        out.push_str("[\"EVENT\",");
        out.push_str(&sub);
        out.push(',');
        out.push_str(event_json);
        out.push(']');
        out
    }

    /// `["OK", <id>, <accepted>, <message>]`
    pub fn ok(id: &EventId, accepted: bool, message: &str) -> String {
        format!(
            "[\"OK\",\"{}\",{},{}]",
            id.to_hex(),
            accepted,
            quoted(message)
        )
    }

    /// `["EOSE", <sub id>]`
    pub fn eose(sub_id: &str) -> String {
        format!("[\"EOSE\",{}]", quoted(sub_id))
    }

    /// `["CLOSED", <sub id>, <message>]`
    pub fn closed(sub_id: &str, message: &str) -> String {
        format!("[\"CLOSED\",{},{}]", quoted(sub_id), quoted(message))
    }

    /// `["NOTICE", <message>]`
    pub fn notice(message: &str) -> String {
        format!("[\"NOTICE\",{}]", quoted(message))
    }

    /// `["AUTH", <challenge>]` (NIP-42)
    pub fn auth(challenge: &str) -> String {
        format!("[\"AUTH\",{}]", quoted(challenge))
    }

    /// `["COUNT", <query id>, {"count": n}]` (NIP-45)
    pub fn count(sub_id: &str, count: u64) -> String {
        format!("[\"COUNT\",{},{{\"count\":{count}}}]", quoted(sub_id))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sniffs_the_subscription_of_a_req_or_count() {
        assert_eq!(
            super::sniff_sub_id(r#"["REQ","feed",{"kinds":[1]}]"#).as_deref(),
            Some("feed")
        );
        assert_eq!(
            super::sniff_sub_id(r#" ["COUNT","n",{}]"#).as_deref(),
            Some("n")
        );
        assert_eq!(super::sniff_sub_id(r#"["CLOSE","feed"]"#), None);
        assert_eq!(super::sniff_sub_id(r#"["REQ",5,{}]"#), None);
        assert_eq!(super::sniff_sub_id(r#"["REQ","x""#), None);
    }

    use super::*;
    use crate::keys::Keys;

    #[test]
    fn parses_every_verb() {
        let e = Keys::generate().sign(1, 1, vec![], "x".into());
        let json = e.to_json();
        assert_eq!(
            ClientMessage::from_json(&format!("[\"EVENT\",{json}]")).unwrap(),
            ClientMessage::Event(Box::new(e.clone()))
        );
        assert_eq!(
            ClientMessage::from_json(&format!("[\"AUTH\",{json}]")).unwrap(),
            ClientMessage::Auth(Box::new(e))
        );
        match ClientMessage::from_json(r#"["REQ","s",{"kinds":[1]},{"limit":2}]"#).unwrap() {
            ClientMessage::Req { sub_id, filters } => {
                assert_eq!(sub_id, "s");
                assert_eq!(filters.len(), 2);
                assert_eq!(filters[1].limit, Some(2));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            ClientMessage::from_json(r#"["COUNT","c",{}]"#).unwrap(),
            ClientMessage::Count { .. }
        ));
        assert_eq!(
            ClientMessage::from_json(r#"["CLOSE","s"]"#).unwrap(),
            ClientMessage::Close { sub_id: "s".into() }
        );
    }

    #[test]
    fn classifies_bad_messages() {
        for text in [
            "",
            "{}",
            "[]",
            "[1]",
            "[\"NOPE\"]",
            "[\"CLOSE\"]",
            "[\"REQ\"]",
            "[\"REQ\",\"\",{}]",
            "[\"EVENT\"]",
        ] {
            assert!(
                matches!(
                    ClientMessage::from_json(text),
                    Err(MessageError::Malformed(_))
                ),
                "{text}"
            );
        }
        assert!(matches!(
            ClientMessage::from_json(r#"["REQ","s",{"ids":["zz"]}]"#),
            Err(MessageError::BadFilter { sub_id, .. }) if sub_id == "s"
        ));
        assert!(matches!(
            ClientMessage::from_json(r#"["REQ","s"]"#),
            Err(MessageError::BadFilter { .. })
        ));
        let id = "ab".repeat(32);
        let bad = format!(r#"["EVENT",{{"id":"{id}","kind":"x"}}]"#);
        match ClientMessage::from_json(&bad) {
            Err(MessageError::BadEvent { id: Some(got), .. }) => assert_eq!(got.to_hex(), id),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn sniffs_ids_of_oversized_events() {
        let id = "cd".repeat(32);
        let text = format!(
            r#"["EVENT", {{"id" : "{id}", "content":"{}"}}]"#,
            "x".repeat(10)
        );
        assert_eq!(sniff_event_id(&text).unwrap().to_hex(), id);
        assert_eq!(sniff_event_id(r#"["REQ","x"]"#), None);
    }

    #[test]
    fn renders_relay_messages() {
        assert_eq!(relay::eose("a\"b"), r#"["EOSE","a\"b"]"#);
        assert_eq!(relay::count("q", 5), r#"["COUNT","q",{"count":5}]"#);
        assert_eq!(relay::event("s", "{}"), r#"["EVENT","s",{}]"#);
        assert_eq!(
            relay::ok(&EventId([0; 32]), false, "invalid: x"),
            format!(r#"["OK","{}",false,"invalid: x"]"#, "00".repeat(32))
        );
    }
}
