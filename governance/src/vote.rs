//! Votes: NIP-88 responses (kind 1018) to proposals.

use nips::{Event, EventId, PubKey, nip88};

/// A voter's choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Choice {
    Yes,
    No,
    Abstain,
    Block,
}

impl Choice {
    pub fn as_str(self) -> &'static str {
        match self {
            Choice::Yes => "yes",
            Choice::No => "no",
            Choice::Abstain => "abstain",
            Choice::Block => "block",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "yes" => Some(Choice::Yes),
            "no" => Some(Choice::No),
            "abstain" => Some(Choice::Abstain),
            "block" => Some(Choice::Block),
            _ => None,
        }
    }
}

/// A vote on a proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vote {
    pub id: EventId,
    pub voter: PubKey,
    pub created_at: u64,
    pub proposal: EventId,
    pub choice: Choice,
}

impl Vote {
    /// Reads a kind-1018 event; `None` when it is not a well-formed response.
    pub fn parse(event: &Event) -> Option<Self> {
        if event.kind != nip88::KIND_RESPONSE {
            return None;
        }
        Some(Self {
            id: event.id,
            voter: event.pubkey,
            created_at: event.created_at,
            proposal: nip88::responds_to(event)?,
            choice: Choice::parse(nip88::choice(event)?)?,
        })
    }

    /// Orders a member's votes: the latest `created_at` wins, ties go to the highest id.
    pub fn supersedes(&self, other: &Vote) -> bool {
        (self.created_at, self.id) > (other.created_at, other.id)
    }
}
