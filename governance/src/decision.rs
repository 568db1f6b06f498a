//! Decisions (kind 8002): the relay-signed, hash-chained log. Each decision names the previous
//! one, the proposal and the action it decided, the counted votes and electorate by digest, and
//! the resulting policy by hash, so anyone can replay the chain and check every step.

use std::fmt;
use std::str::FromStr;

use nips::{Event, EventId, PubKey, Tag, hex};

use crate::proposal::Action;
use crate::tally::Tally;

/// How a decision came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// The first decision: the founders' initial policy (carried in the content).
    Genesis,
    Passed,
    Failed,
    NoQuorum,
    /// An operator's NIP-86 action, in force until members ratify or it is reverted.
    Emergency,
    /// A ratification failed or lapsed; the emergency action is undone.
    Reverted,
    /// Someone joined with a co-founder code the founding listed, in time: they become a
    /// member and a founder. The code (`code` tag) proves it; the genesis listed its digest.
    Cofounder,
}

impl Resolution {
    pub fn as_str(self) -> &'static str {
        match self {
            Resolution::Genesis => "genesis",
            Resolution::Passed => "passed",
            Resolution::Failed => "failed",
            Resolution::NoQuorum => "no-quorum",
            Resolution::Emergency => "emergency",
            Resolution::Reverted => "reverted",
            Resolution::Cofounder => "cofounder",
        }
    }
}

impl FromStr for Resolution {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Ok(match s {
            "genesis" => Resolution::Genesis,
            "passed" => Resolution::Passed,
            "failed" => Resolution::Failed,
            "no-quorum" => Resolution::NoQuorum,
            "emergency" => Resolution::Emergency,
            "reverted" => Resolution::Reverted,
            "cofounder" => Resolution::Cofounder,
            _ => return Err(()),
        })
    }
}

impl fmt::Display for Resolution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The committed result of a vote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TallyRecord {
    /// yes, no, abstain, block
    pub counts: [u32; 4],
    pub electorate: u32,
    pub electorate_digest: [u8; 32],
    pub votes_digest: [u8; 32],
    /// Digest of the counted voters' keys (as the electorate's): when a voter vanishes after
    /// the decision, and their vote with them, it tells whose votes are missing.
    pub voters_digest: Option<[u8; 32]>,
    /// Votes counted through delegations (in `counts`), and the digest of the delegation
    /// events they went through; absent (0) when none were.
    pub delegated: u32,
    pub delegations_digest: Option<[u8; 32]>,
}

impl TallyRecord {
    pub fn new(tally: &Tally, electorate_digest: [u8; 32]) -> Self {
        Self {
            counts: [tally.yes, tally.no, tally.abstain, tally.block],
            electorate: tally.electorate,
            electorate_digest,
            votes_digest: tally.votes_digest(),
            voters_digest: Some(crate::roster::digest_keys(&tally.voters)),
            delegated: tally.delegated,
            delegations_digest: (tally.delegated > 0).then(|| tally.delegations_digest()),
        }
    }
}

/// The operator call behind an emergency decision. `request` and `auth` (the exact body and
/// the operator's NIP-98 event) let anyone check the operator asked for it; they are left out
/// for IP blocks, whose parameter is private.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmergencyRecord {
    pub operator: PubKey,
    pub method: String,
    pub request: Option<String>,
    pub auth: Option<String>,
    /// sha256 of the IP, for `blockip`/`unblockip`.
    pub ip_digest: Option<String>,
}

/// One entry of the decision log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub resolution: Resolution,
    pub prev: Option<EventId>,
    pub proposal: Option<EventId>,
    /// The decided action (copied from the proposal, so the log replays on its own).
    pub action: Option<Action>,
    /// For `reverted`: the emergency decision undone.
    pub reverts: Option<EventId>,
    /// For a decision on an amendment: the proposal it amends. A passed amendment changes
    /// that proposal's action, not the policy.
    pub amends: Option<EventId>,
    pub tally: Option<TallyRecord>,
    /// Who proposed it (an appeal lifts this key's ban), or the operator of an emergency.
    pub author: Option<PubKey>,
    /// The reason recorded with a ban.
    pub reason: String,
    /// Policy version and hash after this decision.
    pub version: u64,
    pub policy: [u8; 32],
    pub emergency: Option<EmergencyRecord>,
    /// For `cofounder`: the co-founder code used (its digest was listed; it is void now).
    pub code: Option<String>,
}

fn tag(v: &[&str]) -> Tag {
    v.iter().map(|s| s.to_string()).collect()
}

impl Decision {
    /// The founding decision for policy document `doc`: the first link of the chain.
    pub fn genesis(doc: &crate::policy::PolicyDoc) -> Self {
        Self {
            resolution: Resolution::Genesis,
            prev: None,
            proposal: None,
            action: None,
            reverts: None,
            amends: None,
            tally: None,
            author: None,
            reason: String::new(),
            version: doc.version(),
            policy: doc.hash(),
            emergency: None,
            code: None,
        }
    }

    /// The event tags.
    pub fn tags(&self) -> Vec<Tag> {
        let mut tags = vec![tag(&["result", self.resolution.as_str()])];
        if let Some(prev) = &self.prev {
            tags.push(tag(&["prev", &prev.to_hex()]));
        }
        if let Some(p) = &self.proposal {
            tags.push(tag(&["e", &p.to_hex(), "", "proposal"]));
        }
        if let Some(r) = &self.reverts {
            tags.push(tag(&["e", &r.to_hex(), "", "reverts"]));
        }
        if let Some(a) = &self.amends {
            tags.push(tag(&["e", &a.to_hex(), "", "amends"]));
        }
        if let Some(action) = &self.action {
            tags.extend(action.to_tags());
        }
        if let Some(author) = &self.author {
            tags.push(tag(&["author", &author.to_hex()]));
        }
        if !self.reason.is_empty() {
            tags.push(tag(&["reason", &self.reason]));
        }
        if let Some(code) = &self.code {
            tags.push(tag(&["code", code]));
        }
        if let Some(t) = &self.tally {
            for (name, n) in ["yes", "no", "abstain", "block"].iter().zip(t.counts) {
                tags.push(tag(&["tally", name, &n.to_string()]));
            }
            tags.push(tag(&[
                "electorate",
                &t.electorate.to_string(),
                &hex::encode(&t.electorate_digest),
            ]));
            tags.push(tag(&["votes", &hex::encode(&t.votes_digest)]));
            if let Some(voters) = &t.voters_digest {
                tags.push(tag(&["voters", &hex::encode(voters)]));
            }
            if let Some(through) = &t.delegations_digest {
                tags.push(tag(&[
                    "delegated",
                    &t.delegated.to_string(),
                    &hex::encode(through),
                ]));
            }
        }
        tags.push(tag(&["v", &self.version.to_string()]));
        tags.push(tag(&["policy", &hex::encode(&self.policy)]));
        if let Some(em) = &self.emergency {
            tags.push(tag(&["operator", &em.operator.to_hex()]));
            tags.push(tag(&["method", &em.method]));
            if let Some(r) = &em.request {
                tags.push(tag(&["request", r]));
            }
            if let Some(a) = &em.auth {
                tags.push(tag(&["auth", a]));
            }
            if let Some(ip) = &em.ip_digest {
                tags.push(tag(&["ip", ip]));
            }
        }
        tags
    }

    /// Reads a kind-8002 event.
    pub fn parse(event: &Event) -> Result<Self, String> {
        let one = |name: &str| event.first_tag_value(name);
        let digest = |name: &str, v: Option<&str>| -> Result<[u8; 32], String> {
            v.and_then(hex::decode_lower::<32>)
                .ok_or_else(|| format!("`{name}` must be a 32-byte hex digest"))
        };
        let marked = |marker: &str| {
            event
                .tags
                .iter()
                .find(|t| {
                    t.first().is_some_and(|n| n == "e") && t.get(3).is_some_and(|m| m == marker)
                })
                .and_then(|t| t.get(1))
                .and_then(|v| v.parse::<EventId>().ok())
        };
        let resolution: Resolution = one("result")
            .and_then(|r| r.parse().ok())
            .ok_or("missing or unknown `result`")?;
        let prev = match one("prev") {
            Some(p) => Some(p.parse::<EventId>().map_err(|_| "bad `prev`")?),
            None => None,
        };
        let action = match Action::from_tags(&event.tags) {
            Some(a) => Some(a?),
            None => None,
        };
        let tally = match event
            .tags
            .iter()
            .find(|t| t.first().is_some_and(|n| n == "electorate"))
        {
            Some(e) => {
                let delegated = event
                    .tags
                    .iter()
                    .find(|t| t.first().is_some_and(|n| n == "delegated"));
                let count = |opt: &str| -> u32 {
                    event
                        .tags
                        .iter()
                        .find(|t| {
                            t.first().is_some_and(|n| n == "tally")
                                && t.get(1).is_some_and(|o| o == opt)
                        })
                        .and_then(|t| t.get(2))
                        .and_then(|n| n.parse().ok())
                        .unwrap_or(0)
                };
                Some(TallyRecord {
                    counts: [count("yes"), count("no"), count("abstain"), count("block")],
                    electorate: e
                        .get(1)
                        .and_then(|n| n.parse().ok())
                        .ok_or("bad `electorate`")?,
                    electorate_digest: digest("electorate", e.get(2).map(String::as_str))?,
                    votes_digest: digest("votes", one("votes"))?,
                    voters_digest: match one("voters") {
                        Some(v) => Some(digest("voters", Some(v))?),
                        None => None,
                    },
                    delegated: match delegated {
                        Some(t) => t
                            .get(1)
                            .and_then(|n| n.parse().ok())
                            .ok_or("bad `delegated`")?,
                        None => 0,
                    },
                    delegations_digest: match delegated {
                        Some(t) => Some(digest("delegated", t.get(2).map(String::as_str))?),
                        None => None,
                    },
                })
            }
            None => None,
        };
        let emergency = match one("operator") {
            Some(op) => Some(EmergencyRecord {
                operator: op.parse().map_err(|_| "bad `operator`")?,
                method: one("method").ok_or("missing `method`")?.to_string(),
                request: one("request").map(str::to_string),
                auth: one("auth").map(str::to_string),
                ip_digest: one("ip").map(str::to_string),
            }),
            None => None,
        };
        Ok(Self {
            resolution,
            prev,
            proposal: marked("proposal"),
            action,
            reverts: marked("reverts"),
            amends: marked("amends"),
            tally,
            author: match one("author") {
                Some(a) => Some(a.parse().map_err(|_| "bad `author`")?),
                None => None,
            },
            reason: one("reason").unwrap_or_default().to_string(),
            version: one("v").and_then(|v| v.parse().ok()).ok_or("missing `v`")?,
            policy: digest("policy", one("policy"))?,
            emergency,
            code: one("code").map(str::to_string),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proposal::Change;
    use nips::Keys;

    #[test]
    fn tags_round_trip() {
        let d = Decision {
            resolution: Resolution::Passed,
            prev: Some(EventId([1; 32])),
            proposal: Some(EventId([2; 32])),
            action: Some(Action::Set(vec![
                Change::parse("limitation.max_content_length", "280")
                    .unwrap()
                    .0,
            ])),
            reverts: None,
            amends: Some(EventId([3; 32])),
            tally: Some(TallyRecord {
                counts: [3, 1, 1, 0],
                electorate: 7,
                electorate_digest: [4; 32],
                votes_digest: [5; 32],
                voters_digest: Some([8; 32]),
                delegated: 2,
                delegations_digest: Some([9; 32]),
            }),
            author: Some(PubKey([7; 32])),
            reason: "why".into(),
            version: 4,
            policy: [6; 32],
            emergency: None,
            code: Some("0a1b".into()),
        };
        let e = Keys::generate().sign(1, nips::cg::KIND_DECISION, d.tags(), "summary".into());
        assert_eq!(Decision::parse(&e).unwrap(), d);
        let em = Decision {
            resolution: Resolution::Emergency,
            action: Some(Action::Ban {
                target: PubKey([8; 32]),
                duration: 0,
            }),
            proposal: None,
            tally: None,
            emergency: Some(EmergencyRecord {
                operator: PubKey([9; 32]),
                method: "banpubkey".into(),
                request: Some("{}".into()),
                auth: Some("{}".into()),
                ip_digest: None,
            }),
            ..d
        };
        let e = Keys::generate().sign(1, nips::cg::KIND_DECISION, em.tags(), String::new());
        assert_eq!(Decision::parse(&e).unwrap(), em);
    }
}
