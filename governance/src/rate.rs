//! Rate limits and anti-virality caps, as governed policy values (`rate.*`). Counts are per
//! window; "members"/"others" tiers apply to events by members and by everyone else.

use serde::{Deserialize, Serialize};

pub use crate::params::{RATE_NAMES as NAMES, rate_type as param_type};

/// A limit with a tier for members and one for everyone else.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Tier {
    pub members: u32,
    pub others: u32,
}

impl Tier {
    const fn new(members: u32, others: u32) -> Self {
        Self { members, others }
    }

    /// The value for a writer of this membership; 0 means unlimited.
    pub fn for_member(&self, member: bool) -> u32 {
        if member { self.members } else { self.others }
    }
}

/// Events per author per minute, by kind class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EventRates {
    /// Profiles, follow lists and other replaceable kinds (0, 3, 10000–19999).
    pub metadata: Tier,
    /// Notes and long-form (1, 1111, 30023, …): every other regular or addressable kind
    /// that is not a reaction or repost.
    pub notes: Tier,
    /// Reactions and reposts (6, 7, 16).
    pub reactions: Tier,
    /// Everything else (ephemeral kinds, DMs, …).
    pub other: Tier,
}

impl Default for EventRates {
    fn default() -> Self {
        Self {
            metadata: Tier::new(12, 6),
            notes: Tier::new(60, 20),
            reactions: Tier::new(120, 30),
            other: Tier::new(120, 30),
        }
    }
}

/// How many events of each class an author may send at once before the per-minute rate holds
/// them back (GCRA burst): clients publish several lists at sign-up, or a few reactions while
/// reading, then little for a long while. The allowance refills at the per-minute rate. A burst
/// below the rate counts as the rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EventBursts {
    pub metadata: Tier,
    pub notes: Tier,
    pub reactions: Tier,
    pub other: Tier,
}

impl Default for EventBursts {
    fn default() -> Self {
        Self {
            metadata: Tier::new(40, 30),
            notes: Tier::new(60, 40),
            reactions: Tier::new(120, 60),
            other: Tier::new(120, 60),
        }
    }
}

impl EventBursts {
    /// The burst for events of `class`.
    pub fn get(&self, class: KindClass) -> &Tier {
        match class {
            KindClass::Metadata => &self.metadata,
            KindClass::Notes => &self.notes,
            KindClass::Reactions => &self.reactions,
            KindClass::Other => &self.other,
        }
    }
}

/// Relay-wide caps on how fast one note or one person can be amplified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TargetCaps {
    /// The window the caps count over, seconds.
    pub window: u64,
    /// After a cap is hit, that target accepts nothing of that sort for this long, seconds.
    pub cooloff: u64,
    /// Reposts (kinds 6, 16) of one event per window.
    pub reposts: Tier,
    /// Reactions (kind 7) to one event per window.
    pub reactions: Tier,
    /// Replies, comments and quotes (`e`/`q`/`a` tags and NIP-22's `E`/`Q`/`A`) pointing at
    /// one event per window.
    pub replies: Tier,
    /// Events mentioning (`p` or NIP-22's `P` tag) one pubkey per window.
    pub mentions: Tier,
}

impl Default for TargetCaps {
    fn default() -> Self {
        Self {
            window: 3_600,
            cooloff: 600,
            reposts: Tier::new(200, 50),
            reactions: Tier::new(1_000, 200),
            replies: Tier::new(500, 100),
            mentions: Tier::new(1_000, 200),
        }
    }
}

/// Slow mode (0: off): the least number of seconds between two top-level notes of one author,
/// and between two of their replies or comments. A pace for conversation, not a flood limit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MinIntervals {
    /// Top-level notes (kind 1 that replies to nothing) and threads (kind 11).
    pub notes: Tier,
    /// Replies (kind 1 with a NIP-10 reply `e` tag) and comments (kind 1111).
    pub replies: Tier,
}

/// What slow mode paces an event as, if at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Paced {
    Note,
    Reply,
}

impl Paced {
    /// How `event` is paced: kind 1 is a note unless it replies (NIP-10: an `e` tag marked
    /// `root` or `reply`, or an unmarked one in the older positional form; a `mention` is not a
    /// reply); a thread (kind 11, NIP-7D) is a note; a comment (kind 1111) is a reply.
    pub fn of(event: &nips::Event) -> Option<Self> {
        match event.kind {
            1 if replies(event) => Some(Paced::Reply),
            1 | 11 => Some(Paced::Note),
            1111 => Some(Paced::Reply),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Paced::Note => "note",
            Paced::Reply => "reply",
        }
    }
}

/// Does kind-1 `event` reply to a note under NIP-10's markers?
fn replies(event: &nips::Event) -> bool {
    event
        .tags
        .iter()
        .filter(|t| t.first().is_some_and(|n| n == "e") && t.len() >= 2)
        .any(|t| {
            matches!(
                t.get(3).map(String::as_str),
                None | Some("" | "root" | "reply")
            )
        })
}

impl MinIntervals {
    /// The interval for `paced` events, for a writer who is (`member`) or is not a member.
    pub fn get(&self, paced: Paced, member: bool) -> u32 {
        match paced {
            Paced::Note => self.notes.for_member(member),
            Paced::Reply => self.replies.for_member(member),
        }
    }
}

/// Every rate limit (0 disables a limit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RateLimits {
    /// New connections per IP per minute.
    pub connections_per_minute: u32,
    /// Concurrent connections per IP.
    pub connections_per_ip: u32,
    /// Messages per connection per second (bursts up to four times that).
    pub messages_per_second: u32,
    /// REQs and COUNTs per IP per minute.
    pub reqs_per_minute: Tier,
    /// Events per author per minute, by kind class.
    pub events_per_minute: EventRates,
    /// Events an author may send at once, by kind class, before the per-minute rate applies.
    pub events_burst: EventBursts,
    /// Per-target amplification caps.
    pub target: TargetCaps,
    /// Slow mode: least seconds between two notes (or two replies) of one author.
    pub min_interval: MinIntervals,
    /// Require `limitation.min_pow_difficulty` only of non-members.
    pub pow_non_members_only: bool,
    /// Refusals within a minute after which a connection is closed.
    pub strikes_before_disconnect: u32,
    /// Seconds an IP whose connections keep getting closed must wait before reconnecting.
    pub ip_backoff: u64,
    /// Join requests (NIP-43) per IP per minute.
    pub joins_per_minute_per_ip: u32,
    /// Gift wraps (NIP-59) per sending IP per minute: wraps are signed by throwaway keys, so
    /// their authors' rates mean nothing.
    pub wraps_per_minute_per_ip: u32,
    /// Gift wraps per recipient per minute, relay-wide: no inbox can be flooded.
    pub wraps_per_minute_per_recipient: u32,
    /// Messages between a person's app and their signer (NIP-46, kind 24133) per sending IP
    /// per minute: they come from anyone, signed by throwaway keys.
    pub signer_messages_per_minute_per_ip: u32,
    /// The same per recipient key, relay-wide.
    pub signer_messages_per_minute_per_recipient: u32,
    /// Join requests without an invite code (in vouch and vote modes) per minute, from
    /// everyone together: each opens a proposal before the members, whose attention is the
    /// scarce thing.
    pub joins_per_minute: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            connections_per_minute: 60,
            connections_per_ip: 50,
            messages_per_second: 50,
            reqs_per_minute: Tier::new(1_200, 300),
            events_per_minute: EventRates::default(),
            events_burst: EventBursts::default(),
            target: TargetCaps::default(),
            min_interval: MinIntervals::default(),
            pow_non_members_only: false,
            strikes_before_disconnect: 30,
            ip_backoff: 60,
            joins_per_minute_per_ip: 10,
            wraps_per_minute_per_ip: 60,
            wraps_per_minute_per_recipient: 60,
            signer_messages_per_minute_per_ip: 120,
            signer_messages_per_minute_per_recipient: 120,
            joins_per_minute: 60,
        }
    }
}

/// The kind classes events are limited by, per author.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KindClass {
    Metadata,
    Notes,
    Reactions,
    Other,
}

impl KindClass {
    pub const ALL: [KindClass; 4] = [
        KindClass::Metadata,
        KindClass::Notes,
        KindClass::Reactions,
        KindClass::Other,
    ];

    /// The class of `kind`.
    pub fn of(kind: u16) -> Self {
        match nips::KindClass::of(kind) {
            _ if matches!(kind, 6 | 7 | 16) => KindClass::Reactions,
            nips::KindClass::Replaceable => KindClass::Metadata,
            nips::KindClass::Regular | nips::KindClass::Addressable => KindClass::Notes,
            nips::KindClass::Ephemeral => KindClass::Other,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            KindClass::Metadata => "metadata",
            KindClass::Notes => "notes",
            KindClass::Reactions => "reactions",
            KindClass::Other => "other",
        }
    }
}

impl EventRates {
    /// The tier for events of `class`.
    pub fn get(&self, class: KindClass) -> &Tier {
        match class {
            KindClass::Metadata => &self.metadata,
            KindClass::Notes => &self.notes,
            KindClass::Reactions => &self.reactions,
            KindClass::Other => &self.other,
        }
    }
}

/// What an event amplifies, for the per-target caps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sort {
    /// A repost (kinds 6, 16) of an event.
    Reposts,
    /// A reaction (kind 7) to an event.
    Reactions,
    /// A reply or quote (`e`/`q` tag) pointing at an event.
    Replies,
    /// A mention (`p` tag) of a pubkey.
    Mentions,
}

impl Sort {
    pub const ALL: [Sort; 4] = [
        Sort::Reposts,
        Sort::Reactions,
        Sort::Replies,
        Sort::Mentions,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Reposts => "reposts",
            Sort::Reactions => "reactions",
            Sort::Replies => "replies",
            Sort::Mentions => "mentions",
        }
    }
}

impl TargetCaps {
    /// The cap for `sort`.
    pub fn get(&self, sort: Sort) -> &Tier {
        match sort {
            Sort::Reposts => &self.reposts,
            Sort::Reactions => &self.reactions,
            Sort::Replies => &self.replies,
            Sort::Mentions => &self.mentions,
        }
    }
}

/// Kinds whose references amplify what they point at: notes, comments, reposts, reactions.
const AMPLIFYING: &[u16] = &[1, 6, 7, 16, 1111];

/// The targets an event amplifies: a repost's event, a reaction's event (its last `e` tag, as
/// NIP-25 says), and for notes and comments every event they reply to or quote and every pubkey
/// they mention. NIP-22's uppercase tags (`E`, `A`, `Q`, `P`: a comment's root) count as their
/// lowercase forms, and an addressable event (`a`/`A`, `kind:pubkey:d`) is a target by its
/// coordinate. Each target once.
pub fn targets(event: &nips::Event) -> Vec<(Sort, [u8; 32])> {
    if !AMPLIFYING.contains(&event.kind) {
        return Vec::new();
    }
    let hex32 = |v: &str| nips::hex::decode_lower::<32>(v);
    let mut out: Vec<(Sort, [u8; 32])> = match event.kind {
        6 | 16 => event
            .tag_values("e")
            .find_map(hex32)
            .map(|t| (Sort::Reposts, t))
            .into_iter()
            .collect(),
        7 => event
            .tag_values("e")
            .filter_map(hex32)
            .last()
            .map(|t| (Sort::Reactions, t))
            .into_iter()
            .collect(),
        _ => ["e", "E", "q", "Q", "a", "A"]
            .iter()
            .flat_map(|name| event.tag_values(name))
            .filter_map(|v| hex32(v).or_else(|| coordinate(v)))
            .map(|t| (Sort::Replies, t))
            .chain(
                ["p", "P"]
                    .iter()
                    .flat_map(|name| event.tag_values(name))
                    .filter_map(hex32)
                    .map(|t| (Sort::Mentions, t)),
            )
            .collect(),
    };
    out.sort_unstable();
    out.dedup();
    out
}

/// An addressable event's coordinate (`kind:pubkey:d`) as a target key: its SHA-256, so every
/// version of the address is one target.
fn coordinate(value: &str) -> Option<[u8; 32]> {
    use sha2::Digest;
    let mut parts = value.splitn(3, ':');
    let kind = parts.next()?.parse::<u16>().ok()?;
    let pubkey = parts.next()?;
    nips::hex::decode_lower::<32>(pubkey)?;
    Some(sha2::Sha256::digest(format!("{kind}:{pubkey}:{}", parts.next().unwrap_or(""))).into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use nips::Keys;

    #[test]
    fn classes_and_targets() {
        assert_eq!(KindClass::of(0), KindClass::Metadata);
        assert_eq!(KindClass::of(1), KindClass::Notes);
        assert_eq!(KindClass::of(7), KindClass::Reactions);
        assert_eq!(KindClass::of(16), KindClass::Reactions);
        assert_eq!(KindClass::of(30023), KindClass::Notes);
        assert_eq!(KindClass::of(20001), KindClass::Other);
        let k = Keys::generate();
        let (a, b, p) = ("aa".repeat(32), "bb".repeat(32), "cc".repeat(32));
        let tag = |n: &str, v: &str| vec![n.to_string(), v.to_string()];
        let reaction = k.sign(
            1,
            7,
            vec![tag("e", &a), tag("e", &b), tag("p", &p)],
            "+".into(),
        );
        assert_eq!(
            targets(&reaction),
            vec![(Sort::Reactions, [0xbb; 32])],
            "the last e tag; no mention"
        );
        let repost = k.sign(1, 6, vec![tag("e", &a), tag("p", &p)], String::new());
        assert_eq!(targets(&repost), vec![(Sort::Reposts, [0xaa; 32])]);
        let reply = k.sign(
            1,
            1,
            vec![tag("e", &a), tag("q", &b), tag("e", &a), tag("p", &p)],
            "hi".into(),
        );
        assert_eq!(
            targets(&reply),
            vec![
                (Sort::Replies, [0xaa; 32]),
                (Sort::Replies, [0xbb; 32]),
                (Sort::Mentions, [0xcc; 32])
            ]
        );
        let vote = k.sign(1, 1018, vec![tag("e", &a)], String::new());
        assert!(targets(&vote).is_empty(), "votes are not amplification");
        // NIP-22: a comment names its root in uppercase; it counts as the lowercase would.
        let upper = k.sign(1, 1111, vec![tag("E", &a), tag("P", &p)], "hi".into());
        let lower = k.sign(1, 1111, vec![tag("e", &a), tag("p", &p)], "hi".into());
        assert_eq!(targets(&upper), targets(&lower));
        assert_eq!(targets(&upper).len(), 2);
        let article = format!("30023:{p}:essay");
        let on_article = k.sign(1, 1111, vec![tag("A", &article)], "hi".into());
        let on_article_too = k.sign(1, 1, vec![tag("a", &article)], "hi".into());
        assert_eq!(targets(&on_article), targets(&on_article_too));
        assert_eq!(targets(&on_article).len(), 1);
        assert!(targets(&k.sign(1, 1, vec![tag("a", "not:a:coordinate")], "x".into())).is_empty());
    }

    #[test]
    fn slow_mode_reads_nip10_markers_and_paces_threads() {
        let k = Keys::generate();
        let id = "aa".repeat(32);
        let t = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<String>>();
        let note = |tags: Vec<Vec<String>>| k.sign(1, 1, tags, "x".into());
        assert_eq!(Paced::of(&note(vec![])), Some(Paced::Note));
        let mention = note(vec![t(&["e", &id, "", "mention"])]);
        assert_eq!(
            Paced::of(&mention),
            Some(Paced::Note),
            "a mention is not a reply"
        );
        for marked in [
            t(&["e", &id, "", "reply"]),
            t(&["e", &id, "", "root"]),
            t(&["e", &id]),
        ] {
            assert_eq!(Paced::of(&note(vec![marked])), Some(Paced::Reply));
        }
        assert_eq!(
            Paced::of(&k.sign(1, 11, vec![], "a thread".into())),
            Some(Paced::Note)
        );
        assert_eq!(
            Paced::of(&k.sign(1, 1111, vec![], "a comment".into())),
            Some(Paced::Reply)
        );
        assert_eq!(Paced::of(&k.sign(1, 7, vec![], "+".into())), None);
    }
}
