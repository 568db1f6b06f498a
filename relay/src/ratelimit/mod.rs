//! Rate limits: GCRA limiters (governor) keyed by IP, by author and by target, built from the
//! governed `rate.*` policy and rebuilt when the members change it. Limits are keyed by IP and
//! pubkey, never only by connection, so reconnecting resets nothing.

mod slowmode;

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governance::rate::{KindClass, RateLimits, Sort, Tier, targets};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::keyed::DashMapStateStore;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use nips::{Event, Reason};
use parking_lot::Mutex;

use slowmode::SlowMode;

type Keyed<K, C> = RateLimiter<K, DashMapStateStore<K>, C, NoOpMiddleware<<C as Clock>::Instant>>;

/// A per-connection message limiter.
pub type MessageLimiter<C = DefaultClock> =
    RateLimiter<NotKeyed, InMemoryState, C, NoOpMiddleware<<C as Clock>::Instant>>;

/// A refusal, with the limit that caused it (for metrics and logs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limited {
    pub limit: &'static str,
    pub reason: Reason,
}

fn limited(limit: &'static str, message: impl Into<std::borrow::Cow<'static, str>>) -> Limited {
    Limited {
        limit,
        reason: Reason::rate_limited(message),
    }
}

/// `count` per `window`, all of it available at once; `None` when `count` is 0 (no limit).
fn quota(count: u32, window: Duration) -> Option<Quota> {
    bursting(count, window, count)
}

/// `count` per `window` sustained, with up to `burst` (at least `count`) at once: GCRA lets
/// a client that was quiet spend its saved allowance in one go, and refills it at the rate.
fn bursting(count: u32, window: Duration, burst: u32) -> Option<Quota> {
    let rate = NonZeroU32::new(count)?;
    let period = (window / rate.get()).max(Duration::from_nanos(1));
    let burst = NonZeroU32::new(burst).map_or(rate, |b| b.max(rate));
    Quota::with_period(period).map(|q| q.allow_burst(burst))
}

fn keyed<K: Hash + Eq + Clone, C: Clock + Clone>(
    q: Option<Quota>,
    clock: &C,
) -> Option<Keyed<K, C>> {
    q.map(|q| RateLimiter::dashmap_with_clock(q, clock.clone()))
}

/// A limit with separate limiters for members and everyone else.
struct Tiered<K: Hash + Eq + Clone, C: Clock> {
    members: Option<Keyed<K, C>>,
    others: Option<Keyed<K, C>>,
}

impl<K: Hash + Eq + Clone, C: Clock + Clone> Tiered<K, C> {
    fn new(tier: &Tier, window: Duration, clock: &C) -> Self {
        Self::with_burst(tier, window, tier, clock)
    }

    /// `tier` per `window`, with bursts up to `burst`.
    fn with_burst(tier: &Tier, window: Duration, burst: &Tier, clock: &C) -> Self {
        Self {
            members: keyed(bursting(tier.members, window, burst.members), clock),
            others: keyed(bursting(tier.others, window, burst.others), clock),
        }
    }

    /// True when `key` may go ahead (and it is counted).
    fn allow(&self, member: bool, key: &K) -> bool {
        let limiter = if member { &self.members } else { &self.others };
        limiter.as_ref().is_none_or(|l| l.check_key(key).is_ok())
    }

    fn prune(&self) {
        for l in [&self.members, &self.others].into_iter().flatten() {
            l.retain_recent();
            l.shrink_to_fit();
        }
    }

    fn len(&self) -> usize {
        [&self.members, &self.others]
            .into_iter()
            .flatten()
            .map(|l| l.len())
            .sum()
    }
}

/// The limiters for the `rate` policy in force: rebuilt (once) when members change it.
pub struct CurrentLimits(arc_swap::ArcSwap<Limits>);

impl CurrentLimits {
    pub fn new(rate: &RateLimits) -> Self {
        Self(arc_swap::ArcSwap::from_pointee(Limits::new(
            rate,
            Default::default(),
        )))
    }

    /// The limiters for `rate`, the policy in force now.
    pub fn get(&self, rate: &RateLimits) -> Arc<Limits> {
        let current = self.0.load_full();
        if current.config == *rate {
            return current;
        }
        let fresh = Arc::new(Limits::new(rate, Default::default()));
        self.0.store(fresh.clone());
        tracing::info!("rate limits changed by decision; limiters rebuilt");
        fresh
    }
}

/// Every relay-wide limiter, for one version of the `rate` policy.
pub struct Limits<C: Clock = DefaultClock> {
    /// The policy these limiters implement.
    pub config: RateLimits,
    clock: C,
    connections: Option<Keyed<IpAddr, C>>,
    reqs: Tiered<IpAddr, C>,
    joins_per_ip: Option<Keyed<IpAddr, C>>,
    joins: Option<MessageLimiter<C>>,
    wraps_per_ip: Option<Keyed<IpAddr, C>>,
    wraps_per_recipient: Option<Keyed<[u8; 32], C>>,
    signer_per_ip: Option<Keyed<IpAddr, C>>,
    signer_per_recipient: Option<Keyed<[u8; 32], C>>,
    /// Keyed by author.
    events: [Tiered<[u8; 32], C>; 4],
    targets: [Tiered<[u8; 32], C>; 4],
    /// Targets that hit a cap, and until when they refuse that sort.
    cooling: Mutex<HashMap<Cooling, C::Instant>>,
    slow: SlowMode<C>,
}

const MINUTE: Duration = Duration::from_secs(60);

/// A target cooling off: what sort, for which tier (members or not), and the target.
type Cooling = (Sort, bool, [u8; 32]);

impl<C: Clock + Clone> Limits<C> {
    /// Limiters for `config`, timed by `clock`.
    pub fn new(config: &RateLimits, clock: C) -> Self {
        let window = Duration::from_secs(config.target.window.max(1));
        let events = KindClass::ALL.map(|c| {
            let burst = config.events_burst.get(c);
            Tiered::with_burst(config.events_per_minute.get(c), MINUTE, burst, &clock)
        });
        let targets = Sort::ALL.map(|s| Tiered::new(config.target.get(s), window, &clock));
        Self {
            connections: keyed(quota(config.connections_per_minute, MINUTE), &clock),
            reqs: Tiered::new(&config.reqs_per_minute, MINUTE, &clock),
            joins_per_ip: keyed(quota(config.joins_per_minute_per_ip, MINUTE), &clock),
            joins: quota(config.joins_per_minute, MINUTE)
                .map(|q| RateLimiter::direct_with_clock(q, clock.clone())),
            wraps_per_ip: keyed(quota(config.wraps_per_minute_per_ip, MINUTE), &clock),
            signer_per_ip: keyed(
                quota(config.signer_messages_per_minute_per_ip, MINUTE),
                &clock,
            ),
            signer_per_recipient: keyed(
                quota(config.signer_messages_per_minute_per_recipient, MINUTE),
                &clock,
            ),
            wraps_per_recipient: keyed(
                quota(config.wraps_per_minute_per_recipient, MINUTE),
                &clock,
            ),
            events,
            targets,
            cooling: Mutex::new(HashMap::new()),
            slow: SlowMode::new(config.min_interval),
            config: config.clone(),
            clock,
        }
    }

    /// A new connection from `ip`.
    pub fn connect(&self, ip: &IpAddr) -> Result<(), Limited> {
        match &self.connections {
            Some(l) if l.check_key(ip).is_err() => Err(limited(
                "connections_per_minute",
                "too many new connections from your address; wait a minute",
            )),
            _ => Ok(()),
        }
    }

    /// A join request (NIP-43) from `ip`.
    pub fn join(&self, ip: &IpAddr) -> Result<(), Limited> {
        if self
            .joins_per_ip
            .as_ref()
            .is_some_and(|l| l.check_key(ip).is_err())
        {
            return Err(limited(
                "joins_per_minute_per_ip",
                "too many join requests from your address; wait a minute",
            ));
        }
        Ok(())
    }

    /// A join request that would open a proposal before the members, from anyone: limited
    /// relay-wide, since the members' attention is shared.
    pub fn candidacy(&self) -> Result<(), Limited> {
        if self.joins.as_ref().is_some_and(|l| l.check().is_err()) {
            return Err(limited(
                "joins_per_minute",
                "this relay is taking many join requests right now; try again in a minute",
            ));
        }
        Ok(())
    }

    /// A gift wrap sent from `ip`: limited per sending address and per recipient.
    pub fn wrap(&self, event: &Event, ip: &IpAddr) -> Result<(), Limited> {
        if self
            .wraps_per_ip
            .as_ref()
            .is_some_and(|l| l.check_key(ip).is_err())
        {
            return Err(limited(
                "wraps_per_minute_per_ip",
                "you are sending direct messages too fast; slow down",
            ));
        }
        let recipient = nips::nip59::recipient(event).map(|k| k.0);
        let limiter = self.wraps_per_recipient.as_ref();
        if let (Some(l), Some(r)) = (limiter, recipient)
            && l.check_key(&r).is_err()
        {
            return Err(limited(
                "wraps_per_minute_per_recipient",
                "this person is receiving direct messages faster than this community allows",
            ));
        }
        Ok(())
    }

    /// A message to a remote signer (NIP-46) from `ip`: limited per sending address and per
    /// recipient, as gift wraps are.
    pub fn signer_message(&self, event: &Event, ip: &IpAddr) -> Result<(), Limited> {
        if self
            .signer_per_ip
            .as_ref()
            .is_some_and(|l| l.check_key(ip).is_err())
        {
            return Err(limited(
                "signer_messages_per_minute_per_ip",
                "your address is sending signer messages too fast; slow down",
            ));
        }
        let recipient = nips::nip46::recipient(event).map(|k| k.0);
        if let (Some(l), Some(r)) = (self.signer_per_recipient.as_ref(), recipient)
            && l.check_key(&r).is_err()
        {
            return Err(limited(
                "signer_messages_per_minute_per_recipient",
                "this key is receiving signer messages faster than this relay allows",
            ));
        }
        Ok(())
    }

    /// A REQ or COUNT from `ip`.
    pub fn req(&self, ip: &IpAddr, member: bool) -> Result<(), Limited> {
        if self.reqs.allow(member, ip) {
            Ok(())
        } else {
            Err(limited(
                "reqs_per_minute",
                "too many requests from your address; slow down",
            ))
        }
    }

    /// The limiter for one connection's messages: bursts up to four times the rate, since a
    /// client opening its feeds sends dozens of `REQ`s at once.
    pub fn messages(&self) -> Option<MessageLimiter<C>> {
        let rate = NonZeroU32::new(self.config.messages_per_second)?;
        let burst = rate.saturating_mul(NonZeroU32::new(4)?);
        let q = Quota::per_second(rate).allow_burst(burst);
        Some(RateLimiter::direct_with_clock(q, self.clock.clone()))
    }

    /// An event by an author who is (`member`) or is not a member: the author's rate for its
    /// kind class, then the caps on everything it amplifies.
    pub fn event(&self, event: &Event, member: bool) -> Result<(), Limited> {
        let class = KindClass::of(event.kind);
        let i = KindClass::ALL.iter().position(|c| *c == class).unwrap_or(0);
        if !self.events[i].allow(member, event.pubkey.as_bytes()) {
            return Err(limited(
                "events_per_minute",
                format!("you are publishing {} too fast; slow down", class.as_str()),
            ));
        }
        let now = self.clock.now();
        let cooloff = Nanos::from(Duration::from_secs(self.config.target.cooloff));
        for (sort, target) in targets(event) {
            let key = (sort, member, target);
            {
                let mut cooling = self.cooling.lock();
                match cooling.get(&key) {
                    Some(until) if now < *until => return Err(spreading(sort)),
                    Some(_) => {
                        cooling.remove(&key);
                    }
                    None => {}
                }
            }
            let j = Sort::ALL.iter().position(|s| *s == sort).unwrap_or(0);
            if !self.targets[j].allow(member, &target) {
                self.cooling.lock().insert(key, now + cooloff);
                return Err(spreading(sort));
            }
        }
        // Last: a note refused above does not start the author's interval.
        self.slow.check(event, member, now)
    }

    /// Makes `target` refuse `sort` for the cool-off period, as when its cap was hit here
    /// (used when the cluster-wide count says the cap is reached).
    pub fn cool(&self, sort: Sort, member: bool, target: [u8; 32]) {
        let until = self.clock.now() + Nanos::from(Duration::from_secs(self.config.target.cooloff));
        self.cooling.lock().insert((sort, member, target), until);
    }

    /// Forgets keys whose limits are back to full, so memory stays bounded under key churn.
    pub fn prune(&self) {
        for l in [
            &self.connections,
            &self.joins_per_ip,
            &self.wraps_per_ip,
            &self.signer_per_ip,
        ]
        .into_iter()
        .flatten()
        {
            l.retain_recent();
            l.shrink_to_fit();
        }
        for l in [&self.wraps_per_recipient, &self.signer_per_recipient]
            .into_iter()
            .flatten()
        {
            l.retain_recent();
            l.shrink_to_fit();
        }
        self.reqs.prune();
        for t in self.events.iter().chain(&self.targets) {
            t.prune();
        }
        let now = self.clock.now();
        self.slow.prune(now);
        let mut cooling = self.cooling.lock();
        cooling.retain(|_, until| now < *until);
        cooling.shrink_to_fit();
    }

    /// Keys currently held by all limiters.
    pub fn keys(&self) -> usize {
        self.connections.as_ref().map_or(0, |l| l.len())
            + self.joins_per_ip.as_ref().map_or(0, |l| l.len())
            + self.wraps_per_ip.as_ref().map_or(0, |l| l.len())
            + self.wraps_per_recipient.as_ref().map_or(0, |l| l.len())
            + self.signer_per_ip.as_ref().map_or(0, |l| l.len())
            + self.signer_per_recipient.as_ref().map_or(0, |l| l.len())
            + self.reqs.len()
            + self
                .events
                .iter()
                .chain(&self.targets)
                .map(Tiered::len)
                .sum::<usize>()
            + self.cooling.lock().len()
            + self.slow.len()
    }
}

pub(crate) fn spreading(sort: Sort) -> Limited {
    let (limit, what) = match sort {
        Sort::Reposts => (
            "target_reposts",
            "this note is being reposted faster than this community allows",
        ),
        Sort::Reactions => (
            "target_reactions",
            "this note is collecting reactions faster than this community allows",
        ),
        Sort::Replies => (
            "target_replies",
            "this note is drawing replies faster than this community allows",
        ),
        Sort::Mentions => (
            "target_mentions",
            "this person is being mentioned faster than this community allows",
        ),
    };
    limited(limit, format!("{what}; try again later"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use governor::clock::FakeRelativeClock;
    use nips::Keys;

    fn limits(
        edit: impl FnOnce(&mut RateLimits),
    ) -> (Limits<FakeRelativeClock>, FakeRelativeClock) {
        let mut config = RateLimits::default();
        edit(&mut config);
        let clock = FakeRelativeClock::default();
        (Limits::new(&config, clock.clone()), clock)
    }

    fn reaction(k: &Keys, target: &str) -> Event {
        k.sign(1, 7, vec![vec!["e".into(), target.into()]], "+".into())
    }

    #[test]
    fn per_target_caps_cool_off_and_spare_other_targets() {
        let (l, clock) = limits(|c| {
            c.target.reactions.others = 3;
            c.target.window = 60;
            c.target.cooloff = 600;
        });
        let (hot, other) = ("aa".repeat(32), "bb".repeat(32));
        for _ in 0..3 {
            assert!(l.event(&reaction(&Keys::generate(), &hot), false).is_ok());
        }
        let refused = l
            .event(&reaction(&Keys::generate(), &hot), false)
            .unwrap_err();
        assert_eq!(refused.limit, "target_reactions");
        assert!(refused.reason.to_string().starts_with("rate-limited:"));
        assert!(
            l.event(&reaction(&Keys::generate(), &other), false).is_ok(),
            "other notes are unaffected"
        );
        assert!(
            l.event(&reaction(&Keys::generate(), &hot), true).is_ok(),
            "members have their own cap"
        );
        // The window refills, but the cool-off still holds.
        clock.advance(Duration::from_secs(120));
        assert!(
            l.event(&reaction(&Keys::generate(), &hot), false).is_err(),
            "cooling off"
        );
        clock.advance(Duration::from_secs(600));
        assert!(
            l.event(&reaction(&Keys::generate(), &hot), false).is_ok(),
            "after the cool-off"
        );
    }

    #[test]
    fn per_author_rates_by_kind_class() {
        let (l, clock) = limits(|c| {
            c.events_per_minute.notes.others = 2;
            c.events_burst.notes.others = 0;
        });
        let flood = Keys::generate();
        let note = |k: &Keys| k.sign(1, 1, vec![], "x".into());
        assert!(l.event(&note(&flood), false).is_ok());
        assert!(l.event(&note(&flood), false).is_ok());
        assert_eq!(
            l.event(&note(&flood), false).unwrap_err().limit,
            "events_per_minute"
        );
        assert!(
            l.event(&note(&Keys::generate()), false).is_ok(),
            "another author is unaffected"
        );
        assert!(
            l.event(&reaction(&flood, &"cc".repeat(32)), false).is_ok(),
            "another class is unaffected"
        );
        clock.advance(Duration::from_secs(30));
        assert!(
            l.event(&note(&flood), false).is_ok(),
            "one note per 30 s comes back"
        );
    }

    /// One reading session of an ordinary user: a note, replies, reactions, a repost, and
    /// follow-list and mute-list edits, spread over a minute and a half.
    fn session(k: &Keys, notes: &[String]) -> Vec<(u64, Event)> {
        let tag = |n: &str, v: &str| vec![n.to_string(), v.to_string()];
        let mut out = vec![(0, k.sign(1, 1, vec![], "good morning".into()))];
        for (i, n) in notes.iter().enumerate().take(12) {
            out.push((
                5 + 5 * i as u64,
                k.sign(1, 7, vec![tag("e", n)], "+".into()),
            ));
        }
        for (i, n) in notes.iter().enumerate().take(4) {
            out.push((
                8 + 20 * i as u64,
                k.sign(1, 1, vec![tag("e", n)], "reply".into()),
            ));
        }
        out.push((40, k.sign(1, 6, vec![tag("e", &notes[0])], String::new())));
        for i in 0..4 {
            out.push((50 + 10 * i, k.sign(1, 3, vec![], String::new())));
        }
        out.push((85, k.sign(1, 10000, vec![], String::new())));
        out.sort_by_key(|(at, _)| *at);
        out
    }

    #[test]
    fn defaults_take_sign_up_and_an_hour_of_use_but_stop_a_flood() {
        for member in [false, true] {
            let (l, clock) = limits(|_| {});
            let k = Keys::generate();
            // Sign-up: profile, follows, relay lists, mutes, bookmarks, interests, media
            // servers, all at once, then a first note.
            for kind in [0, 3, 10002, 10050, 10000, 10003, 10015, 10063, 1] {
                let e = k.sign(1, kind, vec![], String::new());
                assert!(l.event(&e, member).is_ok(), "kind {kind} at sign-up");
            }
            // Six sessions in the hour, every ten minutes, each at its own pace.
            let notes: Vec<String> = (0..12).map(|i| format!("{i:02x}").repeat(32)).collect();
            for _ in 0..6 {
                let mut elapsed = 0;
                for (at, e) in session(&k, &notes) {
                    clock.advance(Duration::from_secs(at - elapsed));
                    elapsed = at;
                    assert!(
                        l.event(&e, member).is_ok(),
                        "kind {} at {at} s (member: {member})",
                        e.kind
                    );
                }
                clock.advance(Duration::from_secs(600 - elapsed));
            }
        }
        // A flood still stops: a burst, then the per-minute rate.
        let (l, _) = limits(|_| {});
        let flood = Keys::generate();
        let accepted = (0..1000)
            .filter(|i| {
                l.event(&flood.sign(*i, 1, vec![], "spam".into()), false)
                    .is_ok()
            })
            .count();
        let d = RateLimits::default();
        assert_eq!(accepted as u32, d.events_burst.notes.others);
    }

    #[test]
    fn connections_and_reqs_are_keyed_by_ip() {
        let (l, clock) = limits(|c| {
            c.connections_per_minute = 2;
            c.reqs_per_minute.others = 1;
        });
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        assert!(l.connect(&a).is_ok() && l.connect(&a).is_ok());
        assert!(l.connect(&a).is_err());
        assert!(l.connect(&b).is_ok());
        assert!(l.req(&a, false).is_ok());
        assert!(l.req(&a, false).is_err());
        assert!(l.req(&a, true).is_ok(), "members have their own tier");
        clock.advance(Duration::from_secs(60));
        assert!(l.connect(&a).is_ok());
    }

    #[test]
    fn zero_disables_a_limit() {
        let (l, _) = limits(|c| c.events_per_minute.notes.others = 0);
        let k = Keys::generate();
        for _ in 0..1000 {
            assert!(l.event(&k.sign(1, 1, vec![], String::new()), false).is_ok());
        }
    }

    #[test]
    fn messages_burst_to_four_times_the_rate() {
        let (l, clock) = limits(|c| c.messages_per_second = 5);
        let m = l.messages().unwrap();
        assert_eq!((0..40).filter(|_| m.check().is_ok()).count(), 20);
        clock.advance(Duration::from_secs(1));
        assert_eq!((0..20).filter(|_| m.check().is_ok()).count(), 5);
    }

    #[test]
    fn memory_stays_flat_under_key_churn() {
        let (l, clock) = limits(|_| {});
        for round in 0..10u32 {
            for i in 0..10_000u32 {
                let ip = IpAddr::from(((round * 10_000 + i) | 0x0a00_0000).to_be_bytes());
                let _ = l.connect(&ip);
                let _ = l.req(&ip, false);
            }
            clock.advance(Duration::from_secs(120));
            l.prune();
            assert_eq!(
                l.keys(),
                0,
                "round {round}: 100k distinct keys over time, none retained"
            );
        }
    }
}
