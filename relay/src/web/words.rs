//! Parameters and their values in words, for people: "Longest post: 2,000 characters" rather
//! than `limitation.max_content_length = 2000`. The words come from the governance catalogue
//! ([`governance::labels`]); the dotted name stays a detail beside them.

use governance::labels::{self, Unit};
use nips::{PubKey, nip19};
use serde_json::Value;

use crate::dates::date;

/// Parameter `name`'s label, or its name when it has none.
pub fn label(name: &str) -> String {
    labels::of(name).map_or_else(|| name.to_string(), |w| w.label)
}

/// Parameter `name`'s value `v` in words, with its unit.
pub fn value(name: &str, v: Option<&Value>) -> String {
    let unit = labels::of(name).map_or(Unit::None, |w| w.unit);
    match (unit, v) {
        (_, Some(Value::Bool(true))) => "yes".into(),
        (_, Some(Value::Bool(false))) => "no".into(),
        (Unit::Seconds, Some(Value::Number(n))) => match n.as_u64() {
            Some(0) => "none".into(),
            Some(s) => duration(s),
            None => n.to_string(),
        },
        (Unit::Time, Some(Value::Number(n))) => match n.as_u64() {
            Some(0) | None => "not set".into(),
            Some(t) => date(t),
        },
        (Unit::Characters | Unit::Bytes | Unit::Percent | Unit::Count, Some(Value::Number(n))) => {
            let Some(count) = n.as_u64() else {
                return n.to_string();
            };
            match unit {
                Unit::Characters => format!("{} characters", grouped(count)),
                Unit::Bytes => format!("{} bytes", grouped(count)),
                Unit::Percent => format!("{count}%"),
                _ => grouped(count),
            }
        }
        _ => value_text(v),
    }
}

/// `102400` as `102,400`.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `npub1abcd…wxyz`.
pub fn short_npub(key: &PubKey) -> String {
    let npub = nip19::encode_npub(key);
    format!("{}…{}", &npub[..10], &npub[npub.len() - 4..])
}

/// `3 days`, `5 hours`, `40 minutes`, `20 seconds`.
pub fn duration(secs: u64) -> String {
    let unit = |n: u64, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    // Rounded to the nearest unit: a 7-day vote a minute old closes "in 7 days", as its date
    // says, not "in 6 days".
    let near = |s: u64, per: u64| (s + per / 2) / per;
    match secs {
        s if s >= 2 * 86_400 - 43_200 => unit(near(s, 86_400), "day"),
        s if s >= 2 * 3_600 - 1_800 => unit(near(s, 3_600), "hour"),
        s if s >= 120 - 30 => unit(near(s, 60), "minute"),
        s => unit(s, "second"),
    }
}

/// A parameter's value as text (lists joined, keys as npubs).
pub fn value_text(v: Option<&serde_json::Value>) -> String {
    match v {
        None | Some(serde_json::Value::Null) => "(not set)".into(),
        Some(serde_json::Value::String(s)) if s.is_empty() => "(empty)".into(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Array(items)) if items.is_empty() => "(none)".into(),
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .map(|i| match i {
                serde_json::Value::String(s) => s
                    .parse::<PubKey>()
                    .map(|k| short_npub(&k))
                    .unwrap_or_else(|_| s.clone()),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(", "),
        Some(other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_read_as_people_say_them() {
        let v = |name: &str, json: Value| value(name, Some(&json));
        assert_eq!(
            v("limitation.max_content_length", json!(102400)),
            "102,400 characters"
        );
        assert_eq!(v("classes.ordinary.window", json!(604800)), "7 days");
        assert_eq!(v("classes.ordinary.quorum_percent", json!(20)), "20%");
        assert_eq!(v("notify.announce", json!(true)), "yes");
        assert_eq!(v("founders.sunset_at", json!(0)), "not set");
        assert_eq!(v("admission.mode", json!("invite")), "invite");
        assert_eq!(label("limitation.max_content_length"), "Longest post");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(grouped(999), "999");
    }
}
