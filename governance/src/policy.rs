//! The community's policy: every rule the relay enforces. A typed [`Policy`] is what the relay
//! reads; the canonical JSON [`PolicyDoc`] is what decisions patch (by dotted path) and what the
//! decision chain commits to by hash. Patching the document rather than the typed value keeps
//! old decisions reproducible when later versions add parameters.

use std::collections::BTreeMap;

use nips::{EventId, Limits, PubKey};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::class::{Class, ClassRule};
use crate::rate::RateLimits;
use crate::roster::{Member, Roster};

/// Who may write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AdmissionMode {
    /// Anyone writes; members (admitted by invite) still form the electorate.
    #[default]
    Open,
    /// Members write; newcomers join with invite codes (NIP-43).
    Invite,
    /// A join request plus enough members' yes votes ("vouches") admits a candidate.
    Vouch,
    /// A join request opens an admission proposal decided by vote.
    Vote,
}

impl AdmissionMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Invite => "invite",
            Self::Vouch => "vouch",
            Self::Vote => "vote",
        }
    }
}

/// Who may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReadAccess {
    #[default]
    Public,
    /// Only authenticated members (NIP-42) may read, except the relay's own public record.
    Members,
}

impl ReadAccess {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Members => "members",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AdmissionPolicy {
    pub mode: AdmissionMode,
    pub read: ReadAccess,
    /// Yes votes that admit a candidate in `vouch` mode.
    pub vouches_required: u32,
    /// Unclaimed, unexpired invite codes a member may hold at once.
    pub invites_per_member: u32,
    /// Seconds an invite code stays valid.
    pub invite_expiry: u64,
    /// Join requests (vouch and vote modes) that may wait before the members at once; more
    /// are refused until some are decided.
    pub max_open_requests: u32,
}

impl Default for AdmissionPolicy {
    fn default() -> Self {
        Self {
            mode: AdmissionMode::default(),
            read: ReadAccess::default(),
            vouches_required: 2,
            invites_per_member: 5,
            invite_expiry: 7 * 86_400,
            max_open_requests: 50,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct KindsPolicy {
    /// When not empty, only these kinds are accepted.
    pub allowed: Vec<u16>,
    /// Never accepted.
    pub blocked: Vec<u16>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReportsPolicy {
    /// Distinct members' NIP-56 reports that open a moderation proposal.
    pub threshold: u32,
    /// Length of the ban such a proposal asks for, seconds.
    pub ban_duration: u64,
}

impl Default for ReportsPolicy {
    fn default() -> Self {
        Self {
            threshold: 3,
            ban_duration: 7 * 86_400,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProposalsPolicy {
    /// Open proposals one member may have at once.
    pub max_open_per_member: u32,
    /// Shortest voting window a proposal may set, seconds.
    pub min_window: u64,
}

impl Default for ProposalsPolicy {
    fn default() -> Self {
        Self {
            max_open_per_member: 3,
            min_window: 3_600,
        }
    }
}

/// NIP-11 descriptive fields members govern (NIP-86 `changerelay*`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InfoPolicy {
    pub name: String,
    pub description: String,
    pub icon: String,
}

impl Default for InfoPolicy {
    fn default() -> Self {
        Self {
            name: "Communitarium".into(),
            description: "A Nostr relay governed by its community.".into(),
            icon: String::new(),
        }
    }
}

/// The rule of every class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Classes {
    pub moderation: ClassRule,
    pub admission: ClassRule,
    pub membership: ClassRule,
    pub ordinary: ClassRule,
    pub constitutional: ClassRule,
}

impl Default for Classes {
    fn default() -> Self {
        Self {
            moderation: ClassRule::default_for(Class::Moderation),
            admission: ClassRule::default_for(Class::Admission),
            membership: ClassRule::default_for(Class::Membership),
            ordinary: ClassRule::default_for(Class::Ordinary),
            constitutional: ClassRule::default_for(Class::Constitutional),
        }
    }
}

impl Classes {
    pub fn get(&self, class: Class) -> &ClassRule {
        match class {
            Class::Moderation => &self.moderation,
            Class::Admission => &self.admission,
            Class::Membership => &self.membership,
            Class::Ordinary => &self.ordinary,
            Class::Constitutional => &self.constitutional,
        }
    }
}

/// The founding members and when their bootstrap powers end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Founders {
    pub keys: Vec<PubKey>,
    /// Powers end once the electorate has this many members (0: never by count).
    pub sunset_members: u32,
    /// Powers end at this time (0: never by date).
    pub sunset_at: u64,
    /// Co-founder links not used yet: the sha256 (hex) of each one-time code. Whoever joins
    /// with one, by `invites_until`, becomes a founder (a `cofounder` decision).
    pub invites: Vec<String>,
    pub invites_until: u64,
}

impl Default for Founders {
    fn default() -> Self {
        Self {
            keys: Vec::new(),
            sunset_members: 20,
            sunset_at: 0,
            invites: Vec::new(),
            invites_until: 0,
        }
    }
}

impl Founders {
    /// Are founder powers in force for an electorate of `members` at time `at`?
    pub fn active(&self, members: u32, at: u64) -> bool {
        !self.keys.is_empty()
            && (self.sunset_members == 0 || members < self.sunset_members)
            && (self.sunset_at == 0 || at < self.sunset_at)
    }

    /// Does `code` make its holder a founder at `at`: an unused co-founder code, in time?
    pub fn takes_invite(&self, code: &str, at: u64) -> bool {
        at <= self.invites_until && self.invites.contains(&code_digest(code))
    }
}

/// The digest a co-founder code is listed by: sha256 of its text, lowercase hex.
pub fn code_digest(code: &str) -> String {
    let digest: [u8; 32] = Sha256::digest(code.trim().as_bytes()).into();
    nips::hex::encode(&digest)
}

/// Who may take emergency actions through NIP-86, and which.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Operators {
    pub keys: Vec<PubKey>,
    pub methods: Vec<String>,
}

impl Default for Operators {
    fn default() -> Self {
        Self {
            keys: Vec::new(),
            methods: crate::params::METHODS
                .iter()
                .map(|m| m.to_string())
                .collect(),
        }
    }
}

/// A ban on a pubkey.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Ban {
    /// End of the ban (0: permanent).
    pub until: u64,
    pub reason: String,
}

/// An event removed by decision; copies are refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Removal {
    pub at: u64,
}

/// Every rule the relay enforces.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Policy {
    /// Increases by one with every decision that changes the policy.
    pub version: u64,
    pub admission: AdmissionPolicy,
    pub kinds: KindsPolicy,
    /// NIP-11 limits; names as in NIP-11 `limitation`.
    pub limitation: Limits,
    pub reports: ReportsPolicy,
    pub proposals: ProposalsPolicy,
    pub info: InfoPolicy,
    pub classes: Classes,
    pub founders: Founders,
    pub operators: Operators,
    /// Rate limits and anti-virality caps.
    pub rate: RateLimits,
    /// Who sees reactions and follows.
    pub visibility: crate::visibility::Visibility,
    /// How members hear of proposals and decisions.
    pub notify: crate::notify::Notify,
    /// Who may create rooms.
    pub rooms: crate::rooms::RoomsPolicy,
    pub bans: BTreeMap<PubKey, Ban>,
    pub removed_events: BTreeMap<EventId, Removal>,
}

impl Policy {
    /// Is `key` banned at `now`?
    pub fn is_banned(&self, key: &PubKey, now: u64) -> bool {
        self.bans
            .get(key)
            .is_some_and(|b| b.until == 0 || now < b.until)
    }

    /// The members the membership list names at `at`: a ban means not a member, so those
    /// banned then are left out (NIP-CG "Suspension events").
    pub fn listed<'a>(
        &'a self,
        roster: &'a Roster,
        at: u64,
    ) -> impl Iterator<Item = (&'a PubKey, &'a Member)> + 'a {
        roster.iter().filter(move |(k, _)| !self.is_banned(k, at))
    }

    /// Members banned at `at`: few, read from the bans, not the roster.
    pub fn banned_members(&self, roster: &Roster, at: u64) -> std::collections::BTreeSet<PubKey> {
        self.bans
            .keys()
            .filter(|k| self.is_banned(k, at) && roster.contains(k))
            .copied()
            .collect()
    }

    /// Is kind `kind` accepted?
    pub fn kind_allowed(&self, kind: u16) -> bool {
        !self.kinds.blocked.contains(&kind)
            && (self.kinds.allowed.is_empty() || self.kinds.allowed.contains(&kind))
    }

    /// Checks values that must agree with each other; the error names the parameter.
    pub fn validate(&self) -> Result<(), String> {
        self.limitation
            .validate()
            .map_err(|e| format!("limitation.{e}"))?;
        for class in Class::ALL {
            self.classes
                .get(class)
                .validate()
                .map_err(|e| format!("classes.{class}.{e}"))?;
        }
        if self.proposals.min_window == 0 {
            return Err("proposals.min_window must be greater than 0".into());
        }
        Ok(())
    }
}

/// Why a policy document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("policy document is not a JSON object")]
    NotAnObject,
    #[error("policy document does not match the policy schema: {0}")]
    Schema(String),
    #[error("policy is inconsistent: {0}")]
    Invalid(String),
}

/// The canonical policy document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyDoc(Map<String, Value>);

impl PolicyDoc {
    /// The document of a typed policy.
    pub fn from_policy(policy: &Policy) -> Self {
        match serde_json::to_value(policy) {
            Ok(Value::Object(map)) => Self(map),
            _ => Self(Map::new()),
        }
    }

    /// Reads a document (e.g. a 33535 event's content).
    /// Numbers must be integers, as in the canonical form: a fraction or an exponent would
    /// not survive a round trip digit for digit, and the hash would change.
    pub fn from_json(json: &str) -> Result<Self, PolicyError> {
        match serde_json::from_str(json) {
            Ok(Value::Object(map)) => {
                let doc = Self(map);
                if !integers_only(&Value::Object(doc.0.clone())) {
                    return Err(PolicyError::Schema(
                        "numbers in a policy document must be integers".into(),
                    ));
                }
                Ok(doc)
            }
            Ok(_) => Err(PolicyError::NotAnObject),
            Err(e) => Err(PolicyError::Schema(e.to_string())),
        }
    }

    /// The typed policy, with defaults for parameters this document predates.
    pub fn policy(&self) -> Result<Policy, PolicyError> {
        let policy: Policy = serde_json::from_value(Value::Object(self.0.clone()))
            .map_err(|e| PolicyError::Schema(e.to_string()))?;
        policy.validate().map_err(PolicyError::Invalid)?;
        Ok(policy)
    }

    /// Compact JSON with keys sorted, as hashed and published.
    pub fn canonical(&self) -> String {
        // serde_json's map is ordered by key, so this is canonical.
        Value::Object(self.0.clone()).to_string()
    }

    /// sha256 of [`PolicyDoc::canonical`].
    pub fn hash(&self) -> [u8; 32] {
        Sha256::digest(self.canonical().as_bytes()).into()
    }

    /// The policy version.
    pub fn version(&self) -> u64 {
        self.0.get("version").and_then(Value::as_u64).unwrap_or(0)
    }

    /// The value at a dotted path (`limitation.max_limit`, `bans.<pubkey>`).
    pub fn get(&self, path: &str) -> Option<&Value> {
        let mut parts = path.split('.');
        let mut at = self.0.get(parts.next()?)?;
        for part in parts {
            at = at.as_object()?.get(part)?;
        }
        Some(at)
    }

    /// Sets (or with `None`, removes) the value at a dotted path, creating objects on the way.
    pub fn set(&mut self, path: &str, value: Option<Value>) {
        let parts: Vec<&str> = path.split('.').collect();
        let Some((last, parents)) = parts.split_last() else {
            return;
        };
        let mut at = &mut self.0;
        for part in parents {
            let entry = at
                .entry(part.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if !entry.is_object() {
                *entry = Value::Object(Map::new());
            }
            match entry {
                Value::Object(map) => at = map,
                _ => return,
            }
        }
        match value {
            Some(v) => {
                at.insert(last.to_string(), v);
            }
            None => {
                at.remove(*last);
            }
        }
    }

    /// Bumps the version by one.
    pub fn bump_version(&mut self) {
        let next = self.version() + 1;
        self.0.insert("version".into(), Value::from(next));
    }
}

/// Are all numbers in `v` integers?
fn integers_only(v: &Value) -> bool {
    match v {
        Value::Number(n) => n.is_i64() || n.is_u64(),
        Value::Array(items) => items.iter().all(integers_only),
        Value::Object(map) => map.values().all(integers_only),
        _ => true,
    }
}

/// Hex of a sha256 digest, as written in tags.
pub fn hex_digest(digest: &[u8; 32]) -> String {
    nips::hex::encode(digest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_round_trips_and_hashes_canonically() {
        let mut policy = Policy::default();
        policy.founders.keys.push(PubKey([7; 32]));
        let doc = PolicyDoc::from_policy(&policy);
        assert_eq!(doc.policy().unwrap(), policy);
        let again = PolicyDoc::from_json(&doc.canonical()).unwrap();
        assert_eq!(again.hash(), doc.hash());
        assert!(
            doc.canonical().starts_with("{\"admission\":"),
            "keys sorted"
        );
    }

    #[test]
    fn paths_patch_the_document() {
        let mut doc = PolicyDoc::from_policy(&Policy::default());
        doc.set("limitation.max_limit", Some(Value::from(10)));
        doc.set("limitation.default_limit", Some(Value::from(5)));
        let key = PubKey([1; 32]).to_hex();
        doc.set(
            &format!("bans.{key}"),
            Some(serde_json::json!({"until": 0, "reason": "spam"})),
        );
        let p = doc.policy().unwrap();
        assert_eq!(p.limitation.max_limit, 10);
        assert!(p.is_banned(&PubKey([1; 32]), 5));
        doc.set(&format!("bans.{key}"), None);
        assert!(!doc.policy().unwrap().is_banned(&PubKey([1; 32]), 5));
        doc.bump_version();
        assert_eq!(doc.version(), 1);
    }

    #[test]
    fn missing_parameters_take_defaults() {
        let doc =
            PolicyDoc::from_json("{\"version\":3,\"admission\":{\"mode\":\"open\"}}").unwrap();
        let p = doc.policy().unwrap();
        assert_eq!(p.version, 3);
        assert_eq!(p.admission.mode, AdmissionMode::Open);
        assert_eq!(p.admission.vouches_required, 2);
        assert_eq!(p.limitation, Limits::default());
    }

    #[test]
    fn fractions_are_refused_so_the_hash_is_stable() {
        assert!(PolicyDoc::from_json("{\"version\":1,\"x\":1.7000055555555556e80}").is_err());
        assert!(PolicyDoc::from_json("{\"version\":1,\"x\":[{\"y\":0.5}]}").is_err());
        let doc = PolicyDoc::from_json("{\"version\":18446744073709551615,\"x\":-3}").unwrap();
        assert_eq!(
            PolicyDoc::from_json(&doc.canonical()).unwrap().hash(),
            doc.hash()
        );
    }

    #[test]
    fn inconsistent_documents_are_refused() {
        let mut doc = PolicyDoc::from_policy(&Policy::default());
        doc.set("limitation.default_limit", Some(Value::from(999_999)));
        assert!(matches!(doc.policy(), Err(PolicyError::Invalid(_))));
    }
}
