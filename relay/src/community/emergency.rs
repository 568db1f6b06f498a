//! NIP-86 calls by operators. Reads answer from the policy; every change is an emergency
//! decision in force at once, with a ratification proposal opened for the members. If they do
//! not ratify it, it is reverted.

use super::effects::ip_digest;
use super::{Community, CommunityError, Ruling, State};
use crate::community::hands::Hands;
use crate::dates::unix_now;
use crate::store::Effect;
use governance::Action;
use governance::decision::{EmergencyRecord, Resolution};
use governance::emergency::{self, Emergency, METHODS, READ_METHODS};
use governance::ledger::Draft;
use nips::{EventId, PubKey};
use serde_json::{Value, json};

/// A successful call's `result`.
pub type CallOutcome = Value;

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// Not an operator, or not allowed this method: HTTP 401.
    #[error("{0}")]
    Unauthorized(String),
    /// Unknown method or bad parameters.
    #[error("{0}")]
    Bad(String),
    #[error("internal error")]
    Internal(#[from] CommunityError),
}

impl Community {
    /// Runs NIP-86 `method` for `operator`. `request` and `auth` (the body and the NIP-98 event)
    /// are published with the decision so members can check who asked for what.
    pub async fn call(
        &self,
        hands: &Hands,
        operator: &PubKey,
        method: &str,
        params: &[Value],
        request: &str,
        auth: &str,
    ) -> Result<CallOutcome, CallError> {
        let mut state = self.lock(hands).await?;
        let policy = state.ledger.policy.clone();
        if !policy.operators.keys.contains(operator) {
            return Err(CallError::Unauthorized(
                "this key is not an operator of this relay".into(),
            ));
        }
        if READ_METHODS.contains(&method) {
            return self.read(hands, &state, method).await;
        }
        if !METHODS.contains(&method) {
            return Err(CallError::Bad(format!("unknown method `{method}`")));
        }
        if !policy.operators.methods.iter().any(|m| m == method) {
            return Err(CallError::Unauthorized(format!(
                "the members have not given operators the `{method}` power"
            )));
        }
        let call = emergency::from_call(method, params, &policy).map_err(CallError::Bad)?;
        let now = state.change_time(unix_now()).await;
        self.will_change(crate::cluster::governance::Stale::Ledger)
            .await?;
        let record = EmergencyRecord {
            operator: *operator,
            method: method.to_string(),
            request: Some(request.to_string()),
            auth: Some(auth.to_string()),
            ip_digest: None,
        };
        let (draft, summary, also) = ruling(call, record, now);
        let id = self
            .record(
                hands,
                &mut state,
                Ruling {
                    resolution: Resolution::Emergency,
                    draft,
                    at: now,
                    summary,
                    also,
                },
            )
            .await?;
        self.ask_ratification(hands, &mut state, id, method, now)
            .await?;
        Ok(Value::Bool(true))
    }

    /// Opens the members' vote on emergency action `id`: ratified, it stands; otherwise it
    /// is reverted.
    async fn ask_ratification(
        &self,
        hands: &Hands,
        state: &mut State,
        id: EventId,
        method: &str,
        now: u64,
    ) -> Result<(), CallError> {
        let ratification = self
            .open_relay_proposal(
                hands,
                state,
                Action::Ratify(id),
                &[],
                format!("Ratify the operator's emergency action `{method}`? If it is not ratified, it is reverted."),
                now,
            )
            .await;
        match ratification {
            Ok(_) => {}
            // A community without members cannot ratify; the action stands until it has some.
            Err(CommunityError::NoElectorate) => {
                tracing::warn!(decision = %id, "no members to ratify an emergency action; it stands");
            }
            Err(e) => return Err(e.into()),
        }
        Ok(())
    }

    async fn read(
        &self,
        hands: &Hands,
        state: &State,
        method: &str,
    ) -> Result<CallOutcome, CallError> {
        let policy = &state.ledger.policy;
        Ok(match method {
            "supportedmethods" => json!(READ_METHODS.iter().chain(METHODS).collect::<Vec<_>>()),
            "listbannedpubkeys" => json!(
                policy
                    .bans
                    .iter()
                    .map(|(k, b)| json!({"pubkey": k.to_hex(), "reason": b.reason}))
                    .collect::<Vec<_>>()
            ),
            "listallowedpubkeys" => json!(
                state
                    .ledger
                    .roster
                    .iter()
                    .map(|(k, _)| json!({"pubkey": k.to_hex()}))
                    .collect::<Vec<_>>()
            ),
            "listbannedevents" => json!(
                policy
                    .removed_events
                    .keys()
                    .map(|id| json!({"id": id.to_hex()}))
                    .collect::<Vec<_>>()
            ),
            "listallowedkinds" => json!(policy.kinds.allowed),
            "listblockedips" => {
                let ips = hands
                    .store
                    .blocked_ips()
                    .await
                    .map_err(CommunityError::from)?;
                json!(
                    ips.into_iter()
                        .map(|(ip, reason)| json!({"ip": ip, "reason": reason}))
                        .collect::<Vec<_>>()
                )
            }
            other => return Err(CallError::Bad(format!("unknown method `{other}`"))),
        })
    }
}

/// The decision draft, summary and stored effects of an emergency `call` by the operator in
/// `record`: an action on the policy, or an address blocked or unblocked (kept as a digest in
/// the public record, never the address itself).
fn ruling(call: Emergency, mut record: EmergencyRecord, now: u64) -> (Draft, String, Vec<Effect>) {
    let at = i64::try_from(now).unwrap_or(i64::MAX);
    let operator = record.operator;
    let (effect, summary) = match call {
        Emergency::Act { action, reason } => {
            let summary = format!(
                "Emergency action by operator {}: {}. Members must ratify it.",
                nips::nip19::encode_npub(&operator),
                record.method
            );
            let draft = Draft {
                action: Some(action),
                author: Some(operator),
                reason,
                emergency: Some(record),
                ..Draft::default()
            };
            return (draft, summary, Vec::new());
        }
        Emergency::BlockIp { ip, reason } => {
            record.ip_digest = Some(ip_digest(&ip));
            let summary = "Emergency action by an operator: an IP address was blocked. Members must ratify it.";
            (Effect::BlockIp { ip, reason, at }, summary)
        }
        Emergency::UnblockIp { ip } => {
            record.ip_digest = Some(ip_digest(&ip));
            let summary = "Emergency action by an operator: an IP address was unblocked. Members must ratify it.";
            (Effect::UnblockIp { ip, at }, summary)
        }
    };
    // The request names the address: only its digest is published.
    record.request = None;
    record.auth = None;
    let draft = Draft {
        author: Some(operator),
        emergency: Some(record),
        ..Draft::default()
    };
    (draft, summary.into(), vec![effect])
}
