//! Emergency actions: NIP-86 management calls by operators. Each takes effect at once as an
//! `emergency` decision and must then be ratified by the members, or it is reverted.

use nips::{EventId, PubKey};
use serde_json::Value;

use crate::policy::Policy;
use crate::proposal::{Action, Change};

pub use crate::params::{METHODS, READ_METHODS};

/// What an emergency call does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Emergency {
    /// A change to the policy or membership, as a proposal would make it.
    Act {
        action: Action,
        reason: String,
    },
    /// Refuse connections from an IP. IPs are kept private; decisions carry their sha256.
    BlockIp {
        ip: String,
        reason: String,
    },
    UnblockIp {
        ip: String,
    },
}

fn string_param(params: &[Value], i: usize, what: &str) -> Result<String, String> {
    params
        .get(i)
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| format!("parameter {} must be {what}", i + 1))
}

fn pubkey_param(params: &[Value]) -> Result<PubKey, String> {
    let s = string_param(params, 0, "a 32-byte hex pubkey")?;
    s.parse()
        .map_err(|_| "parameter 1 must be a 32-byte hex pubkey".to_string())
}

fn id_param(params: &[Value]) -> Result<EventId, String> {
    let s = string_param(params, 0, "a 32-byte hex event id")?;
    s.parse()
        .map_err(|_| "parameter 1 must be a 32-byte hex event id".to_string())
}

fn kind_param(params: &[Value]) -> Result<u16, String> {
    params
        .first()
        .and_then(|v| {
            v.as_u64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        })
        .and_then(|k| u16::try_from(k).ok())
        .ok_or_else(|| "parameter 1 must be a kind number".to_string())
}

fn optional_reason(params: &[Value]) -> String {
    params
        .get(1)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn set(name: &str, raw: String) -> Result<Action, String> {
    let (change, _) = Change::parse(name, &raw)?;
    Ok(Action::Set(vec![change]))
}

fn kinds_raw(kinds: &[u16]) -> String {
    kinds
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// Maps a NIP-86 call to what it does, given the policy in force (for list edits).
pub fn from_call(method: &str, params: &[Value], policy: &Policy) -> Result<Emergency, String> {
    let act = |action: Action, reason: String| Ok(Emergency::Act { action, reason });
    match method {
        "banpubkey" => act(
            Action::Ban {
                target: pubkey_param(params)?,
                duration: 0,
            },
            optional_reason(params),
        ),
        "unbanpubkey" => act(
            Action::Unban(pubkey_param(params)?),
            optional_reason(params),
        ),
        "allowpubkey" => act(
            Action::Admit(pubkey_param(params)?),
            optional_reason(params),
        ),
        "unallowpubkey" => act(
            Action::RemoveMember(pubkey_param(params)?),
            optional_reason(params),
        ),
        "banevent" => act(
            Action::RemoveEvent(id_param(params)?),
            optional_reason(params),
        ),
        "allowevent" => act(
            Action::RestoreEvent(id_param(params)?),
            optional_reason(params),
        ),
        "allowkind" | "disallowkind" => {
            let kind = kind_param(params)?;
            let mut allowed = policy.kinds.allowed.clone();
            if method == "allowkind" {
                allowed.push(kind);
            } else {
                allowed.retain(|k| *k != kind);
            }
            allowed.sort_unstable();
            allowed.dedup();
            act(set("kinds.allowed", kinds_raw(&allowed))?, String::new())
        }
        "changerelayname" => act(
            set("info.name", string_param(params, 0, "a name")?)?,
            String::new(),
        ),
        "changerelaydescription" => act(
            set(
                "info.description",
                string_param(params, 0, "a description")?,
            )?,
            String::new(),
        ),
        "changerelayicon" => act(
            set("info.icon", string_param(params, 0, "a URL")?)?,
            String::new(),
        ),
        "blockip" | "unblockip" => {
            let ip = string_param(params, 0, "an IP address")?;
            ip.parse::<std::net::IpAddr>()
                .map_err(|_| "parameter 1 must be an IP address".to_string())?;
            if method == "blockip" {
                Ok(Emergency::BlockIp {
                    ip,
                    reason: optional_reason(params),
                })
            } else {
                Ok(Emergency::UnblockIp { ip })
            }
        }
        other => Err(format!("`{other}` is not a method this relay supports")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn maps_calls() {
        let mut policy = Policy::default();
        let pk = "ab".repeat(32);
        assert!(matches!(
            from_call("banpubkey", &[json!(pk), json!("spam")], &policy),
            Ok(Emergency::Act { action: Action::Ban { duration: 0, .. }, ref reason }) if reason == "spam"
        ));
        policy.kinds.allowed = vec![1];
        match from_call("allowkind", &[json!(7)], &policy).unwrap() {
            Emergency::Act {
                action: Action::Set(c),
                ..
            } => assert_eq!(c[0].value, json!([1, 7])),
            other => panic!("{other:?}"),
        }
        match from_call("disallowkind", &[json!("1")], &policy).unwrap() {
            Emergency::Act {
                action: Action::Set(c),
                ..
            } => assert_eq!(c[0].value, json!([])),
            other => panic!("{other:?}"),
        }
        assert!(from_call("banpubkey", &[json!("nope")], &policy).is_err());
        assert!(from_call("blockip", &[json!("300.1.1.1")], &policy).is_err());
        assert!(matches!(
            from_call("blockip", &[json!("10.0.0.1")], &policy),
            Ok(Emergency::BlockIp { .. })
        ));
        assert!(from_call("shutdown", &[], &policy).is_err());
    }
}
