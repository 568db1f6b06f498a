//! Slow mode (`rate.min_interval.*`): the least time between two top-level notes of one
//! author, and between two of their replies. A community's pace for conversation rather than
//! a flood limit, so the refusal says when the next one may be sent.

use std::collections::HashMap;
use std::time::Duration;

use governance::rate::{MinIntervals, Paced};
use governor::clock::{Clock, Reference};
use governor::nanos::Nanos;
use nips::Event;
use parking_lot::Mutex;

use super::Limited;

/// An author and what they sent.
type Paces = ([u8; 32], Paced);

/// When each author last sent a note and a reply, for the intervals in force.
pub struct SlowMode<C: Clock> {
    intervals: MinIntervals,
    last: Mutex<HashMap<Paces, C::Instant>>,
}

impl<C: Clock> SlowMode<C> {
    pub fn new(intervals: MinIntervals) -> Self {
        Self {
            intervals,
            last: Mutex::new(HashMap::new()),
        }
    }

    /// Is slow mode on for anyone?
    fn off(&self) -> bool {
        self.intervals == MinIntervals::default()
    }

    /// Checks `event` (by a writer who is, or is not, a `member`) at `now`, and when it may go
    /// ahead remembers it as the author's latest of its sort.
    pub fn check(&self, event: &Event, member: bool, now: C::Instant) -> Result<(), Limited> {
        if self.off() {
            return Ok(());
        }
        let Some(paced) = Paced::of(event) else {
            return Ok(());
        };
        let interval = self.intervals.get(paced, member);
        if interval == 0 {
            return Ok(());
        }
        let key = (*event.pubkey.as_bytes(), paced);
        let mut last = self.last.lock();
        if let Some(before) = last.get(&key) {
            let since = Duration::from(now.duration_since(*before));
            let wait = Duration::from_secs(u64::from(interval));
            if since < wait {
                let left = (wait - since).as_secs_f64().ceil() as u64;
                return Err(Limited {
                    limit: "min_interval",
                    reason: nips::Reason::rate_limited(format!(
                        "slow mode: next {} in {left}s",
                        paced.as_str()
                    )),
                });
            }
        }
        last.insert(key, now);
        Ok(())
    }

    /// Forgets authors whose interval has passed: memory stays bounded by who wrote lately.
    pub fn prune(&self, now: C::Instant) {
        let longest = [
            self.intervals.notes.members,
            self.intervals.notes.others,
            self.intervals.replies.members,
            self.intervals.replies.others,
        ]
        .into_iter()
        .max()
        .unwrap_or(0);
        let longest = Nanos::from(Duration::from_secs(u64::from(longest)));
        let mut last = self.last.lock();
        last.retain(|_, at| now.duration_since(*at) < longest);
        last.shrink_to_fit();
    }

    /// Authors remembered.
    pub fn len(&self) -> usize {
        self.last.lock().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use governance::rate::Tier;
    use governor::clock::FakeRelativeClock;
    use nips::Keys;

    #[test]
    fn notes_and_replies_have_their_own_pace_and_the_refusal_says_when() {
        let clock = FakeRelativeClock::default();
        let slow = SlowMode::<FakeRelativeClock>::new(MinIntervals {
            notes: Tier {
                members: 60,
                others: 600,
            },
            replies: Tier {
                members: 10,
                others: 0,
            },
        });
        let k = Keys::generate();
        let note = |n: u64| k.sign(n, 1, vec![], format!("note {n}"));
        let reply = |n: u64| {
            let e = vec!["e".to_string(), "ab".repeat(32)];
            k.sign(n, 1, vec![e], format!("reply {n}"))
        };
        assert!(slow.check(&note(1), true, clock.now()).is_ok());
        assert!(slow.check(&reply(2), true, clock.now()).is_ok(), "own pace");
        clock.advance(Duration::from_secs(18));
        let refused = slow.check(&note(3), true, clock.now()).unwrap_err();
        assert_eq!(
            refused.reason.to_string(),
            "rate-limited: slow mode: next note in 42s"
        );
        let comment = k.sign(4, 1111, vec![], "comment".into());
        assert!(
            slow.check(&comment, true, clock.now()).is_ok(),
            "10s passed"
        );
        assert!(slow.check(&reply(5), true, clock.now()).is_err());
        clock.advance(Duration::from_secs(42));
        assert!(slow.check(&note(6), true, clock.now()).is_ok());
        let other = Keys::generate();
        let theirs = other.sign(7, 1, vec![], "hi".into());
        assert!(slow.check(&theirs, false, clock.now()).is_ok());
        let again = other.sign(8, 1, vec![], "hi again".into());
        assert!(
            slow.check(&again, false, clock.now())
                .unwrap_err()
                .reason
                .to_string()
                .ends_with("next note in 600s")
        );
        let reaction = k.sign(9, 7, vec![], "+".into());
        assert!(
            slow.check(&reaction, true, clock.now()).is_ok(),
            "not paced"
        );
        clock.advance(Duration::from_secs(600));
        slow.prune(clock.now());
        assert_eq!(slow.len(), 0, "forgotten once their interval passed");
    }

    #[test]
    fn off_by_default() {
        let slow = SlowMode::<FakeRelativeClock>::new(MinIntervals::default());
        let k = Keys::generate();
        let clock = FakeRelativeClock::default();
        for n in 0..5 {
            assert!(
                slow.check(&k.sign(n, 1, vec![], n.to_string()), true, clock.now())
                    .is_ok()
            );
        }
        assert_eq!(slow.len(), 0);
    }
}
