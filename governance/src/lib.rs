//! Communitarium's governance core: the relay's policy as a value that only members' decisions
//! change. Pure: no IO, no clock (callers pass `now`), so anyone can re-derive the policy from
//! public events and check the relay.
//!
//! - [`policy`]: the rules, and the canonical document decisions patch and hash;
//! - [`params`]: the governed parameters and the class that changes each; [`labels`]: each in words;
//! - [`admit`]: who may write and read;
//! - [`proposal`], [`vote`], [`tally`]: proposals, votes and how they are counted;
//! - [`floors`]: the least a community needs to keep governing itself;
//! - [`state`]: applying an action; [`emergency`]: operator actions;
//! - [`decision`], [`ledger`]: the hash-chained decision log and its replay.

pub mod admit;
pub mod audit;
pub mod class;
pub mod decision;
pub mod delegation;
pub mod emergency;
pub mod floors;
pub mod labels;
pub mod ledger;
pub mod notify;
pub mod params;
pub mod policy;
pub mod proposal;
pub mod rate;
pub mod rooms;
pub mod roster;
pub mod state;
pub mod tally;
pub mod visibility;
pub mod vote;

pub use class::{Class, ClassRule};
pub use decision::{Decision, Resolution};
pub use ledger::Ledger;
pub use policy::{AdmissionMode, Policy, PolicyDoc, ReadAccess};
pub use proposal::{Action, Proposal};
pub use roster::Roster;
pub use tally::{Outcome, Tally};
pub use vote::{Choice, Vote};
