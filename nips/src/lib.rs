//! Nostr protocol types and checks for Communitarium, with no IO and no clock: callers pass
//! `now`. One module per NIP; `event`, `filter` and `message` are NIP-01.

pub mod cg;
pub mod event;
pub mod filter;
pub mod hex;
pub mod keys;
pub mod limits;
pub mod message;
pub mod nip09;
pub mod nip11;
pub mod nip13;
pub mod nip19;
pub mod nip29;
pub mod nip40;
pub mod nip42;
pub mod nip43;
pub mod nip46;
pub mod nip50;
pub mod nip56;
pub mod nip59;
pub mod nip62;
pub mod nip70;
pub mod nip77;
pub mod nip88;
pub mod nip98;
pub mod reason;

pub use event::{Event, EventError, EventId, KindClass, PubKey, Signature, Tag};
pub use filter::{Filter, FilterError, TagFilter};
pub use keys::Keys;
pub use limits::Limits;
pub use message::{ClientMessage, MessageError};
pub use reason::{Prefix, Reason};
