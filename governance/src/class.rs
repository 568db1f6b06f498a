//! Decision classes: who must take part and what majority a proposal needs, by kind of action.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The classes of DESIGN §3. Each action belongs to exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    /// Remove an event, ban for up to 30 days, unban, ratify an emergency action, appeals.
    Moderation,
    /// Admit a candidate (vouch and vote modes).
    Admission,
    /// Remove a member, ban for longer, assign roles.
    Membership,
    /// Limits, kinds, PoW, invite quotas, reports, rate limits.
    Ordinary,
    /// Classes, admission mode and read access, founders, operator powers.
    Constitutional,
}

impl Class {
    pub const ALL: [Class; 5] = [
        Class::Moderation,
        Class::Admission,
        Class::Membership,
        Class::Ordinary,
        Class::Constitutional,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Class::Moderation => "moderation",
            Class::Admission => "admission",
            Class::Membership => "membership",
            Class::Ordinary => "ordinary",
            Class::Constitutional => "constitutional",
        }
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Class {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Class::ALL.into_iter().find(|c| c.as_str() == s).ok_or(())
    }
}

/// How a class decides. All counts are of distinct members of the frozen electorate, each
/// with their latest vote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassRule {
    /// Quorum as a percentage of the electorate (rounded up); abstentions count toward it.
    pub quorum_percent: u32,
    /// Quorum floor in voters (capped at the electorate size).
    pub quorum_min: u32,
    /// The yes share of yes+no needed: `yes/(yes+no) ≥ pass_num/pass_den` (or `>` if strict).
    pub pass_num: u32,
    pub pass_den: u32,
    pub pass_strict: bool,
    /// Yes votes needed at least, whatever the share.
    pub min_yes: u32,
    /// Whether proposals of this class offer a `block` option.
    pub block: bool,
    /// A proposal fails when blocks reach this percentage of voters (0: any block fails it).
    pub max_block_percent: u32,
    /// Longest voting window, seconds.
    pub window: u64,
    /// Seconds a proposal is open for discussion before votes count; the voting window
    /// starts after it. A document that predates this parameter has none, so its record
    /// replays as it was decided.
    #[serde(default)]
    pub deliberation: u64,
    /// Seconds a proposal stays open for a new vote after an amendment of it passes: votes
    /// cast before the amendment no longer count, so members vote again on what it now
    /// proposes. A document that predates this parameter has none (`null`): votes then kept
    /// counting across amendments, and its record replays as it was decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revote: Option<u64>,
    /// Seconds a proposal everyone has voted on stays open for changed minds: it closes this
    /// long after the last vote (or at `endsAt`, if sooner), so a mis-click in a small
    /// community does not decide at once. A document that predates this parameter has none
    /// (`null`): its proposals closed at the last vote, and its record replays so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grace: Option<u64>,
}

impl ClassRule {
    /// DESIGN §3 defaults for `class`.
    pub fn default_for(class: Class) -> Self {
        const HOUR: u64 = 3_600;
        const DAY: u64 = 86_400;
        match class {
            Class::Moderation => Self {
                quorum_percent: 10,
                quorum_min: 3,
                pass_num: 1,
                pass_den: 2,
                pass_strict: true,
                min_yes: 1,
                block: false,
                max_block_percent: 0,
                window: 2 * DAY,
                deliberation: 0,
                revote: Some(DAY),
                grace: Some(HOUR),
            },
            Class::Admission => Self {
                quorum_percent: 0,
                quorum_min: 0,
                pass_num: 0,
                pass_den: 1,
                pass_strict: false,
                min_yes: 2,
                block: true,
                max_block_percent: 0,
                window: 3 * DAY,
                deliberation: 0,
                revote: Some(DAY),
                grace: Some(HOUR),
            },
            Class::Membership => Self {
                quorum_percent: 25,
                quorum_min: 1,
                pass_num: 3,
                pass_den: 5,
                pass_strict: false,
                min_yes: 1,
                block: false,
                max_block_percent: 0,
                window: 7 * DAY,
                deliberation: DAY,
                revote: Some(DAY),
                grace: Some(HOUR),
            },
            Class::Ordinary => Self {
                quorum_percent: 20,
                quorum_min: 1,
                pass_num: 1,
                pass_den: 2,
                pass_strict: true,
                min_yes: 1,
                block: false,
                max_block_percent: 0,
                window: 7 * DAY,
                deliberation: DAY,
                revote: Some(DAY),
                grace: Some(HOUR),
            },
            Class::Constitutional => Self {
                quorum_percent: 40,
                quorum_min: 1,
                pass_num: 2,
                pass_den: 3,
                pass_strict: false,
                min_yes: 1,
                block: true,
                max_block_percent: 10,
                window: 14 * DAY,
                deliberation: 3 * DAY,
                revote: Some(DAY),
                grace: Some(HOUR),
            },
        }
    }

    /// When voting on a proposal created at `created_at` opens.
    pub fn voting_opens(&self, created_at: u64) -> u64 {
        created_at.saturating_add(self.deliberation)
    }

    /// Voters needed for an electorate of `electorate` members: the larger of the percentage
    /// (rounded up) and the floor, capped at the electorate, and never below one.
    pub fn quorum(&self, electorate: u32) -> u32 {
        let by_share = (u64::from(electorate) * u64::from(self.quorum_percent)).div_ceil(100);
        let wanted = by_share
            .max(u64::from(self.quorum_min))
            .min(u64::from(electorate));
        u32::try_from(wanted).unwrap_or(u32::MAX).max(1)
    }

    /// Does the yes share pass? (`yes + no == 0` passes only a zero threshold.)
    pub fn share_passes(&self, yes: u32, no: u32) -> bool {
        let lhs = u64::from(yes) * u64::from(self.pass_den);
        let rhs = u64::from(self.pass_num) * (u64::from(yes) + u64::from(no));
        if self.pass_strict {
            lhs > rhs
        } else {
            lhs >= rhs
        }
    }

    /// Do the blocks sink the proposal?
    pub fn blocked(&self, blocks: u32, voters: u32) -> bool {
        if blocks == 0 {
            return false;
        }
        u64::from(blocks) * 100 >= u64::from(self.max_block_percent) * u64::from(voters)
    }

    /// Checks internal consistency; the error names the field.
    pub fn validate(&self) -> Result<(), String> {
        if self.pass_den == 0 {
            return Err("pass_den must be greater than 0".into());
        }
        if self.pass_num > self.pass_den {
            return Err("pass_num must not exceed pass_den".into());
        }
        if self.quorum_percent > 100 || self.max_block_percent > 100 {
            return Err("percentages must be at most 100".into());
        }
        if self.window == 0 {
            return Err("window must be greater than 0".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quorum_rounds_up_caps_and_floors() {
        let m = ClassRule::default_for(Class::Moderation);
        assert_eq!(m.quorum(100), 10);
        assert_eq!(m.quorum(20), 3, "max(3, 10%)");
        assert_eq!(m.quorum(2), 2, "capped at the electorate");
        assert_eq!(m.quorum(0), 1, "never zero");
        let o = ClassRule::default_for(Class::Ordinary);
        assert_eq!(o.quorum(11), 3, "20% of 11 rounds up");
    }

    #[test]
    fn thresholds() {
        let o = ClassRule::default_for(Class::Ordinary);
        assert!(o.share_passes(2, 1));
        assert!(!o.share_passes(1, 1), "yes must exceed no");
        let c = ClassRule::default_for(Class::Constitutional);
        assert!(c.share_passes(2, 1), "exactly two thirds");
        assert!(!c.share_passes(3, 2));
        assert!(!c.blocked(0, 10));
        assert!(c.blocked(1, 10), "10% of voters");
        assert!(!c.blocked(1, 11));
        let a = ClassRule::default_for(Class::Admission);
        assert!(a.blocked(1, 50), "admission: any block");
    }
}
