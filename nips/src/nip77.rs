//! NIP-77 negentropy syncing: the `NEG-OPEN`, `NEG-MSG` and `NEG-CLOSE` messages a client
//! sends (the reconciliation itself is the `negentropy` crate's, in the relay).

use serde_json::value::RawValue;

use crate::filter::Filter;

/// A parsed NIP-77 client message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NegMessage {
    /// `["NEG-OPEN", <sub id>, <filter>, <initial message, hex>]`
    Open {
        sub_id: String,
        filter: Box<Filter>,
        message: Vec<u8>,
    },
    /// `["NEG-MSG", <sub id>, <message, hex>]`
    Msg { sub_id: String, message: Vec<u8> },
    /// `["NEG-CLOSE", <sub id>]`
    Close { sub_id: String },
}

/// Why a NIP-77 message was refused: with its subscription id when it could be read, so the
/// relay answers `NEG-ERR`; without, a `NOTICE`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct NegError {
    pub sub_id: Option<String>,
    pub reason: String,
}

fn err(sub_id: Option<&str>, reason: impl Into<String>) -> NegError {
    NegError {
        sub_id: sub_id.map(str::to_owned),
        reason: reason.into(),
    }
}

impl NegMessage {
    /// Parses the arguments after a `NEG-…` verb; `None` when `verb` is not NIP-77's.
    pub fn parse(verb: &str, args: &[&RawValue]) -> Option<Result<Self, NegError>> {
        let parsed = match verb {
            "NEG-OPEN" => parse_open(args),
            "NEG-MSG" => parse_msg(args),
            "NEG-CLOSE" => match args {
                [id] => sub_id(id).map(|sub_id| NegMessage::Close { sub_id }),
                _ => Err(err(None, "NEG-CLOSE takes a subscription id")),
            },
            _ => return None,
        };
        Some(parsed)
    }
}

fn sub_id(raw: &RawValue) -> Result<String, NegError> {
    match serde_json::from_str::<String>(raw.get()) {
        Ok(id) if !id.is_empty() => Ok(id),
        _ => Err(err(None, "subscription id must be a non-empty string")),
    }
}

fn parse_open(args: &[&RawValue]) -> Result<NegMessage, NegError> {
    let [id, filter, message] = args else {
        return Err(err(
            None,
            "NEG-OPEN takes a subscription id, a filter and a message",
        ));
    };
    let sub_id = sub_id(id)?;
    let filter = serde_json::from_str::<serde_json::Value>(filter.get())
        .ok()
        .and_then(|v| Filter::from_value(&v).ok())
        .ok_or_else(|| err(Some(&sub_id), "the filter is not a valid filter"))?;
    let message = hex_message(message, &sub_id)?;
    Ok(NegMessage::Open {
        sub_id,
        filter: Box::new(filter),
        message,
    })
}

fn parse_msg(args: &[&RawValue]) -> Result<NegMessage, NegError> {
    let [id, message] = args else {
        return Err(err(None, "NEG-MSG takes a subscription id and a message"));
    };
    let sub_id = sub_id(id)?;
    let message = hex_message(message, &sub_id)?;
    Ok(NegMessage::Msg { sub_id, message })
}

fn hex_message(raw: &RawValue, sub_id: &str) -> Result<Vec<u8>, NegError> {
    serde_json::from_str::<&str>(raw.get())
        .ok()
        .and_then(|s| hex::decode(s).ok())
        .filter(|m| !m.is_empty())
        .ok_or_else(|| err(Some(sub_id), "the message must be non-empty hex"))
}

/// Relay messages of NIP-77.
pub mod relay {
    fn quoted(s: &str) -> String {
        serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
    }

    /// `["NEG-MSG", <sub id>, <message, hex>]`
    pub fn msg(sub_id: &str, message: &[u8]) -> String {
        format!(
            "[\"NEG-MSG\",{},\"{}\"]",
            quoted(sub_id),
            hex::encode(message)
        )
    }

    /// `["NEG-ERR", <sub id>, <reason>]`
    pub fn err(sub_id: &str, reason: &str) -> String {
        format!("[\"NEG-ERR\",{},{}]", quoted(sub_id), quoted(reason))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Option<Result<NegMessage, NegError>> {
        let parts: Vec<&RawValue> = serde_json::from_str(json).unwrap();
        let verb: &str = serde_json::from_str(parts[0].get()).unwrap();
        NegMessage::parse(verb, &parts[1..])
    }

    #[test]
    fn parses_the_three_messages() {
        let open = parse(r#"["NEG-OPEN","s",{"kinds":[1]},"6100"]"#)
            .unwrap()
            .unwrap();
        match open {
            NegMessage::Open {
                sub_id,
                filter,
                message,
            } => {
                assert_eq!(sub_id, "s");
                assert_eq!(filter.kinds, Some(vec![1]));
                assert_eq!(message, vec![0x61, 0]);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            parse(r#"["NEG-MSG","s","61"]"#).unwrap().unwrap(),
            NegMessage::Msg {
                sub_id: "s".into(),
                message: vec![0x61]
            }
        );
        assert_eq!(
            parse(r#"["NEG-CLOSE","s"]"#).unwrap().unwrap(),
            NegMessage::Close { sub_id: "s".into() }
        );
        assert!(parse(r#"["REQ","s",{}]"#).is_none());
    }

    #[test]
    fn refusals_name_the_subscription_when_they_can() {
        let bad_hex = parse(r#"["NEG-MSG","s","zz"]"#).unwrap().unwrap_err();
        assert_eq!(bad_hex.sub_id.as_deref(), Some("s"));
        let bad_filter = parse(r#"["NEG-OPEN","s",{"kinds":"x"},"61"]"#)
            .unwrap()
            .unwrap_err();
        assert_eq!(bad_filter.sub_id.as_deref(), Some("s"));
        let no_id = parse(r#"["NEG-OPEN",5,{},"61"]"#).unwrap().unwrap_err();
        assert_eq!(no_id.sub_id, None);
        assert!(parse(r#"["NEG-MSG","s",""]"#).unwrap().is_err());
    }

    #[test]
    fn renders_relay_messages() {
        assert_eq!(relay::msg("s", &[0x61, 1]), r#"["NEG-MSG","s","6101"]"#);
        assert_eq!(
            relay::err("s", "blocked: too many"),
            r#"["NEG-ERR","s","blocked: too many"]"#
        );
    }
}
