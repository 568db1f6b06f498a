//! The community governance extension (the project's own NIP, `nips/NIP-CG.md`): relay-signed
//! decisions (kind 8002), policy documents (kind 33535) and members' vote delegations (kind
//! 33536). The numbers are provisional and
//! named only here.

/// Relay-signed: one entry of the hash-chained decision log.
pub const KIND_DECISION: u16 = 8002;
/// Relay-signed, addressable (`d` = `relay`): the whole current policy.
pub const KIND_POLICY: u16 = 33535;
/// Member-signed, addressable (`d` = a class or `all`): whom the member lends their vote to.
pub const KIND_DELEGATION: u16 = 33536;
/// The `d` value of the policy document.
pub const POLICY_D: &str = "relay";

/// Proposal action tag name: `["gov", <action>]`.
pub const TAG_GOV: &str = "gov";
/// Proposal class tag name: `["class", <class>]`.
pub const TAG_CLASS: &str = "class";
/// Parameter change tag name: `["change", <name>, <value>]`.
pub const TAG_CHANGE: &str = "change";

/// On a member event (kind 8000/8001): the member is off the list for a ban (`8001`) or back
/// on it when the ban ended (`8000`), still a member of the community's record. The ledger's
/// membership does not change.
pub const TAG_SUSPENDED: &str = "suspended";
