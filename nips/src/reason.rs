//! Machine-readable prefixes for `OK`, `CLOSED` and `NOTICE` texts (NIP-01, NIP-42).
//!
//! Every client-visible refusal is a [`Reason`], so prefixes are chosen in exactly one place.

use std::borrow::Cow;
use std::fmt;

/// The standard single-word prefixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prefix {
    Duplicate,
    Pow,
    Blocked,
    RateLimited,
    Invalid,
    Restricted,
    AuthRequired,
    Mute,
    Error,
}

impl Prefix {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Duplicate => "duplicate",
            Self::Pow => "pow",
            Self::Blocked => "blocked",
            Self::RateLimited => "rate-limited",
            Self::Invalid => "invalid",
            Self::Restricted => "restricted",
            Self::AuthRequired => "auth-required",
            Self::Mute => "mute",
            Self::Error => "error",
        }
    }
}

/// A prefixed, human-readable reason: `"blocked: you are banned from posting here"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    pub prefix: Prefix,
    pub message: Cow<'static, str>,
}

macro_rules! constructors {
    ($($fn:ident => $prefix:ident),* $(,)?) => {
        $(
            #[doc = concat!("A `", stringify!($fn), "` reason.")]
            pub fn $fn(message: impl Into<Cow<'static, str>>) -> Self {
                Self { prefix: Prefix::$prefix, message: message.into() }
            }
        )*
    };
}

impl Reason {
    constructors! {
        duplicate => Duplicate,
        pow => Pow,
        blocked => Blocked,
        rate_limited => RateLimited,
        invalid => Invalid,
        restricted => Restricted,
        auth_required => AuthRequired,
        mute => Mute,
        error => Error,
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.prefix.as_str(), self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_with_prefix() {
        assert_eq!(
            Reason::rate_limited("slow down").to_string(),
            "rate-limited: slow down"
        );
        assert_eq!(Reason::auth_required("x").to_string(), "auth-required: x");
    }
}
