//! The governed parameters: their canonical dotted names, value types and the class that may
//! change them. Proposals name parameters with these (`["change", "limitation.max_limit", "100"]`).

use nips::Limits;
use serde_json::Value;

use crate::class::Class;

/// The type of a parameter's value, and how its text in a `change` tag is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    /// A non-negative integer that fits in 32 bits.
    U32,
    /// A non-negative integer (seconds, timestamps).
    U64,
    /// `true` or `false`.
    Bool,
    /// Free text.
    Text,
    /// One of a fixed set of words.
    Enum(&'static [&'static str]),
    /// Comma-separated kind numbers (`1,7,30023`); empty for none.
    Kinds,
    /// Comma-separated pubkeys, hex or npub; empty for none.
    Pubkeys,
    /// Comma-separated NIP-86 method names.
    Methods,
    /// Comma-separated sha256 digests, lowercase hex (of one-time codes).
    Digests,
}

impl ParamType {
    /// The type's name, as the page and the parameter catalogue give it.
    pub fn as_str(self) -> &'static str {
        match self {
            ParamType::U32 => "u32",
            ParamType::U64 => "u64",
            ParamType::Bool => "bool",
            ParamType::Text => "text",
            ParamType::Enum(_) => "enum",
            ParamType::Kinds => "kinds",
            ParamType::Pubkeys => "pubkeys",
            ParamType::Methods => "methods",
            ParamType::Digests => "digests",
        }
    }

    /// The words a value may be, for types that take words.
    pub fn words(self) -> Vec<&'static str> {
        match self {
            ParamType::Bool => vec!["true", "false"],
            ParamType::Enum(words) => words.to_vec(),
            ParamType::Methods => METHODS.to_vec(),
            _ => Vec::new(),
        }
    }
}

/// A governed parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamSpec {
    pub name: String,
    pub class: Class,
    pub ty: ParamType,
}

const LIMIT_U32: &[&str] = &[
    "max_message_length",
    "max_event_size",
    "max_subscriptions",
    "max_filters",
    "max_filter_values",
    "max_limit",
    "default_limit",
    "max_subid_length",
    "max_event_tags",
    "max_content_length",
    "min_pow_difficulty",
];
const LIMIT_U64: &[&str] = &["created_at_lower_limit", "created_at_upper_limit"];
const CLASS_U32: &[&str] = &[
    "quorum_percent",
    "quorum_min",
    "pass_num",
    "pass_den",
    "min_yes",
    "max_block_percent",
];

fn fixed(name: &str) -> Option<(Class, ParamType)> {
    use Class::{Constitutional as C, Ordinary as O};
    use ParamType::*;
    Some(match name {
        "admission.mode" => (C, Enum(&["open", "invite", "vouch", "vote"])),
        "admission.read" => (C, Enum(&["public", "members"])),
        "admission.vouches_required"
        | "admission.invites_per_member"
        | "admission.max_open_requests" => (O, U32),
        "admission.invite_expiry" => (O, U64),
        "kinds.allowed" | "kinds.blocked" => (O, Kinds),
        "reports.threshold" => (O, U32),
        "reports.ban_duration" => (O, U64),
        "proposals.max_open_per_member" => (O, U32),
        "proposals.min_window" => (O, U64),
        "info.name" | "info.description" | "info.icon" => (O, Text),
        "visibility.reactions" | "visibility.followers" => (O, Enum(&["public", "private"])),
        "notify.announce" | "notify.direct" => (O, Bool),
        "notify.opened" | "notify.closing" | "notify.decided" => (O, Text),
        "founders.keys" => (C, Pubkeys),
        "founders.sunset_members" => (C, U32),
        "founders.sunset_at" => (C, U64),
        "founders.invites" => (C, Digests),
        "founders.invites_until" => (C, U64),
        "operators.keys" => (C, Pubkeys),
        "operators.methods" => (C, Methods),
        "rooms.create" => (O, Enum(&["members", "operators"])),
        _ => return None,
    })
}

/// The spec of parameter `name`, if it is governed.
pub fn spec(name: &str) -> Option<ParamSpec> {
    let found = fixed(name).or_else(|| {
        if let Some(limit) = name.strip_prefix("limitation.") {
            if LIMIT_U32.contains(&limit) {
                return Some((Class::Ordinary, ParamType::U32));
            }
            if LIMIT_U64.contains(&limit) {
                return Some((Class::Ordinary, ParamType::U64));
            }
        }
        if let Some(rest) = name.strip_prefix("rate.") {
            return rate_type(rest).map(|ty| (Class::Ordinary, ty));
        }
        let rest = name.strip_prefix("classes.")?;
        let (class, field) = rest.split_once('.')?;
        class.parse::<Class>().ok()?;
        let ty = match field {
            f if CLASS_U32.contains(&f) => ParamType::U32,
            "pass_strict" | "block" => ParamType::Bool,
            "window" | "deliberation" | "revote" | "grace" => ParamType::U64,
            _ => return None,
        };
        Some((Class::Constitutional, ty))
    });
    found.map(|(class, ty)| ParamSpec {
        name: name.to_string(),
        class,
        ty,
    })
}

/// Every governed parameter, for documentation and NIP-11.
pub fn all() -> Vec<ParamSpec> {
    let mut names: Vec<String> = [
        "admission.mode",
        "admission.read",
        "admission.vouches_required",
        "admission.invites_per_member",
        "admission.invite_expiry",
        "admission.max_open_requests",
        "kinds.allowed",
        "kinds.blocked",
        "reports.threshold",
        "reports.ban_duration",
        "proposals.max_open_per_member",
        "proposals.min_window",
        "info.name",
        "info.description",
        "info.icon",
        "visibility.reactions",
        "visibility.followers",
        "notify.announce",
        "notify.direct",
        "notify.opened",
        "notify.closing",
        "notify.decided",
        "founders.keys",
        "founders.sunset_members",
        "founders.sunset_at",
        "founders.invites",
        "founders.invites_until",
        "operators.keys",
        "operators.methods",
        "rooms.create",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    names.extend(
        LIMIT_U32
            .iter()
            .chain(LIMIT_U64)
            .map(|l| format!("limitation.{l}")),
    );
    names.extend(RATE_NAMES.iter().map(|r| format!("rate.{r}")));
    for class in Class::ALL {
        for field in CLASS_U32.iter().chain(&[
            "pass_strict",
            "block",
            "window",
            "deliberation",
            "revote",
            "grace",
        ]) {
            names.push(format!("classes.{class}.{field}"));
        }
    }
    names.iter().filter_map(|n| spec(n)).collect()
}

/// Reads the text of a `change` tag as the parameter's JSON value.
pub fn parse_value(spec: &ParamSpec, raw: &str) -> Result<Value, String> {
    let raw = raw.trim();
    let list = || raw.split(',').map(str::trim).filter(|s| !s.is_empty());
    match spec.ty {
        ParamType::U32 => raw
            .parse::<u32>()
            .map(Value::from)
            .map_err(|_| format!("{} takes a whole number", spec.name)),
        ParamType::U64 => raw
            .parse::<u64>()
            .map(Value::from)
            .map_err(|_| format!("{} takes a whole number", spec.name)),
        ParamType::Bool => match raw {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(format!("{} takes true or false", spec.name)),
        },
        ParamType::Text => Ok(Value::String(raw.to_string())),
        ParamType::Enum(words) => {
            if words.contains(&raw) {
                Ok(Value::String(raw.to_string()))
            } else {
                Err(format!("{} takes one of: {}", spec.name, words.join(", ")))
            }
        }
        ParamType::Kinds => {
            let mut kinds = list()
                .map(|k| {
                    k.parse::<u16>()
                        .map_err(|_| format!("{} takes kind numbers", spec.name))
                })
                .collect::<Result<Vec<_>, _>>()?;
            kinds.sort_unstable();
            kinds.dedup();
            Ok(Value::from(kinds))
        }
        ParamType::Pubkeys => {
            let mut keys = list()
                .map(|k| {
                    nips::nip19::parse_pubkey(k)
                        .map(|k| k.to_hex())
                        .map_err(|_| format!("{} takes hex or npub keys", spec.name))
                })
                .collect::<Result<Vec<_>, _>>()?;
            keys.sort();
            keys.dedup();
            Ok(Value::from(keys))
        }
        ParamType::Methods => {
            let mut methods = list()
                .map(|m| {
                    if METHODS.contains(&m) {
                        Ok(m.to_string())
                    } else {
                        Err(format!("{m} is not a NIP-86 method this relay has"))
                    }
                })
                .collect::<Result<Vec<_>, _>>()?;
            methods.sort();
            methods.dedup();
            Ok(Value::from(methods))
        }
        ParamType::Digests => {
            let mut digests = list()
                .map(|d| {
                    nips::hex::decode_lower::<32>(d)
                        .map(|_| d.to_string())
                        .ok_or_else(|| format!("{} takes sha256 digests in hex", spec.name))
                })
                .collect::<Result<Vec<_>, _>>()?;
            digests.sort();
            digests.dedup();
            Ok(Value::from(digests))
        }
    }
}

/// The limits a default relay starts with (re-exported for config defaults).
pub fn default_limits() -> Limits {
    Limits::default()
}

/// NIP-86 methods that change the relay, and so are emergency actions.
pub const METHODS: &[&str] = &[
    "banpubkey",
    "unbanpubkey",
    "allowpubkey",
    "unallowpubkey",
    "banevent",
    "allowevent",
    "allowkind",
    "disallowkind",
    "blockip",
    "unblockip",
    "changerelayname",
    "changerelaydescription",
    "changerelayicon",
];

/// NIP-86 methods that only read.
pub const READ_METHODS: &[&str] = &[
    "supportedmethods",
    "listbannedpubkeys",
    "listallowedpubkeys",
    "listbannedevents",
    "listallowedkinds",
    "listblockedips",
];

/// The governed `rate.*` parameter names (without the prefix).
pub const RATE_NAMES: &[&str] = &[
    "connections_per_minute",
    "connections_per_ip",
    "messages_per_second",
    "reqs_per_minute.members",
    "reqs_per_minute.others",
    "events_per_minute.metadata.members",
    "events_per_minute.metadata.others",
    "events_per_minute.notes.members",
    "events_per_minute.notes.others",
    "events_per_minute.reactions.members",
    "events_per_minute.reactions.others",
    "events_per_minute.other.members",
    "events_per_minute.other.others",
    "events_burst.metadata.members",
    "events_burst.metadata.others",
    "events_burst.notes.members",
    "events_burst.notes.others",
    "events_burst.reactions.members",
    "events_burst.reactions.others",
    "events_burst.other.members",
    "events_burst.other.others",
    "target.window",
    "target.cooloff",
    "target.reposts.members",
    "target.reposts.others",
    "target.reactions.members",
    "target.reactions.others",
    "target.replies.members",
    "target.replies.others",
    "target.mentions.members",
    "target.mentions.others",
    "min_interval.notes.members",
    "min_interval.notes.others",
    "min_interval.replies.members",
    "min_interval.replies.others",
    "pow_non_members_only",
    "strikes_before_disconnect",
    "ip_backoff",
    "joins_per_minute_per_ip",
    "wraps_per_minute_per_ip",
    "wraps_per_minute_per_recipient",
    "signer_messages_per_minute_per_ip",
    "signer_messages_per_minute_per_recipient",
    "joins_per_minute",
];

/// The type of `rate.<name>`, if governed.
pub fn rate_type(name: &str) -> Option<ParamType> {
    if !RATE_NAMES.contains(&name) {
        return None;
    }
    Some(match name {
        "pow_non_members_only" => ParamType::Bool,
        "target.window" | "target.cooloff" | "ip_backoff" => ParamType::U64,
        _ => ParamType::U32,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_classes_and_values() {
        let s = spec("limitation.max_content_length").unwrap();
        assert_eq!(s.class, Class::Ordinary);
        assert_eq!(parse_value(&s, "280").unwrap(), Value::from(280));
        assert!(parse_value(&s, "-1").is_err());
        assert_eq!(spec("admission.mode").unwrap().class, Class::Constitutional);
        assert_eq!(
            spec("classes.ordinary.quorum_percent").unwrap().class,
            Class::Constitutional
        );
        assert!(spec("classes.nope.quorum_percent").is_none());
        assert!(spec("limitation.bogus").is_none());
        assert!(spec("version").is_none(), "the version is not a parameter");
        let kinds = spec("kinds.allowed").unwrap();
        assert_eq!(
            parse_value(&kinds, "7, 1,1").unwrap(),
            serde_json::json!([1, 7])
        );
        assert!(parse_value(&spec("admission.mode").unwrap(), "anarchy").is_err());
        assert!(all().len() > 40);
        assert!(all().iter().all(|s| spec(&s.name).is_some()));
    }
}
