//! Relay-private state that is not public events: invite codes, blocked IPs and quarantined
//! events. A trait of its own, beside [`EventStore`](super::EventStore), implemented by both
//! backends with the same SQL.

use async_trait::async_trait;
use nips::PubKey;

use super::StoreError;

/// A minted invite code, stored by its sha256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    pub code_hash: [u8; 32],
    pub inviter: PubKey,
    pub created_at: u64,
    pub expires_at: u64,
}

/// The result of claiming a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    Claimed { inviter: PubKey },
    Unknown,
    Expired,
    Used,
}

/// Private relay state.
#[async_trait]
pub trait PrivateStore: Send + Sync + 'static {
    /// Stores `invite` unless its inviter already holds `quota` unclaimed, unexpired codes
    /// (`None`: no quota). Returns whether it was stored.
    async fn mint_invite(
        &self,
        invite: &Invite,
        quota: Option<u32>,
        now: u64,
    ) -> Result<bool, StoreError>;

    /// Claims the code with hash `code_hash` for `claimer`, once.
    async fn claim_invite(
        &self,
        code_hash: &[u8; 32],
        claimer: &PubKey,
        now: u64,
    ) -> Result<Claim, StoreError>;

    /// `(ip, reason)` of blocks in force (changed only by decisions' effects, see
    /// [`super::Effect`]).
    async fn blocked_ips(&self) -> Result<Vec<(String, String)>, StoreError>;
    /// Every IP ever blocked, lifted or not.
    async fn known_ips(&self) -> Result<Vec<String>, StoreError>;

    /// Records a NIP-98 authorization's signature as used until `until`; false if it was used
    /// before (by any node sharing this database). Forgets those expired by `now`.
    async fn first_use(&self, sig: &[u8], until: u64, now: u64) -> Result<bool, StoreError>;
}

/// Implements [`PrivateStore`] for a backend struct whose `$pool` field is its writing pool.
/// Every statement runs inside the backend's `run`, which refuses at once while the database
/// is down and reports an outage once.
macro_rules! private_store_impl {
    ($store:ty, $pool:ident) => {
        #[async_trait::async_trait]
        impl $crate::PrivateStore for $store {
            async fn mint_invite(
                &self,
                invite: &$crate::Invite,
                quota: Option<u32>,
                now: u64,
            ) -> Result<bool, $crate::StoreError> {
                let inviter = invite.inviter.as_bytes().as_slice();
                let now = i64::try_from(now).unwrap_or(i64::MAX);
                self.run(|| async move {
                    let mut tx = self.$pool.begin().await?;
                    if let Some(quota) = quota {
                        let (open,): (i64,) = sqlx::query_as(
                            "SELECT COUNT(*) FROM invites WHERE inviter = $1 AND claimed_by IS NULL AND expires_at > $2",
                        )
                        .bind(inviter)
                        .bind(now)
                        .fetch_one(&mut *tx)
                        .await?;
                        if open >= i64::from(quota) {
                            return Ok(false);
                        }
                    }
                    sqlx::query(
                        "INSERT INTO invites (code_hash, inviter, created_at, expires_at) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(invite.code_hash.as_slice())
                    .bind(inviter)
                    .bind(i64::try_from(invite.created_at).unwrap_or(i64::MAX))
                    .bind(i64::try_from(invite.expires_at).unwrap_or(i64::MAX))
                    .execute(&mut *tx)
                    .await?;
                    tx.commit().await?;
                    Ok(true)
                })
                .await
            }

            async fn claim_invite(
                &self,
                code_hash: &[u8; 32],
                claimer: &nips::PubKey,
                now: u64,
            ) -> Result<$crate::Claim, $crate::StoreError> {
                use $crate::Claim;
                let now = i64::try_from(now).unwrap_or(i64::MAX);
                let claimed: Result<Claim, Vec<u8>> = self.run(|| async move {
                    let mut tx = self.$pool.begin().await?;
                    let row: Option<(Vec<u8>, i64, Option<Vec<u8>>)> = sqlx::query_as(
                        "SELECT inviter, expires_at, claimed_by FROM invites WHERE code_hash = $1",
                    )
                    .bind(code_hash.as_slice())
                    .fetch_optional(&mut *tx)
                    .await?;
                    let claim = match row {
                        None => Ok(Claim::Unknown),
                        Some((_, _, Some(_))) => Ok(Claim::Used),
                        Some((_, expires, None)) if expires <= now => Ok(Claim::Expired),
                        Some((inviter, _, None)) => {
                            // Conditional: of two claims racing (on two nodes), one updates
                            // the row and the other finds it claimed.
                            let updated = sqlx::query(
                                "UPDATE invites SET claimed_by = $2, claimed_at = $3 \
                                 WHERE code_hash = $1 AND claimed_by IS NULL",
                            )
                            .bind(code_hash.as_slice())
                            .bind(claimer.as_bytes().as_slice())
                            .bind(now)
                            .execute(&mut *tx)
                            .await?;
                            match nips::PubKey::from_slice(&inviter) {
                                _ if updated.rows_affected() == 0 => Ok(Claim::Used),
                                Some(inviter) => Ok(Claim::Claimed { inviter }),
                                None => Err(inviter),
                            }
                        }
                    };
                    tx.commit().await?;
                    Ok(claim)
                })
                .await?;
                claimed.map_err(|_| $crate::StoreError::Corrupt("invite inviter".into()))
            }

            async fn blocked_ips(&self) -> Result<Vec<(String, String)>, $crate::StoreError> {
                self.run(|| async move {
                    sqlx::query_as("SELECT ip, reason FROM blocked_ips WHERE lifted_at IS NULL ORDER BY ip")
                        .fetch_all(&self.$pool)
                        .await
                })
                .await
            }

            async fn known_ips(&self) -> Result<Vec<String>, $crate::StoreError> {
                let rows: Vec<(String,)> = self
                    .run(|| async move {
                        sqlx::query_as("SELECT ip FROM blocked_ips ORDER BY ip")
                            .fetch_all(&self.$pool)
                            .await
                    })
                    .await?;
                Ok(rows.into_iter().map(|(ip,)| ip).collect())
            }

            async fn first_use(&self, sig: &[u8], until: u64, now: u64) -> Result<bool, $crate::StoreError> {
                let until = i64::try_from(until).unwrap_or(i64::MAX);
                let now = i64::try_from(now).unwrap_or(i64::MAX);
                self.run(|| async move {
                    sqlx::query("DELETE FROM used_authorizations WHERE until < $1")
                        .bind(now)
                        .execute(&self.$pool)
                        .await?;
                    sqlx::query(
                        "INSERT INTO used_authorizations (sig, until) VALUES ($1, $2) ON CONFLICT (sig) DO NOTHING",
                    )
                    .bind(sig)
                    .bind(until)
                    .execute(&self.$pool)
                    .await
                    .map(|done| done.rows_affected() == 1)
                })
                .await
            }

        }
    };
}

pub(crate) use private_store_impl;
