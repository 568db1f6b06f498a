//! Signature checks on a pool of their own. Schnorr verification is the costliest step of an
//! `EVENT` (tens of microseconds); run inline it would stall every session sharing that async
//! worker, so it is spread over one thread per core and the session awaits the answer.

use std::sync::Arc;

use nips::EventError;
use tokio::sync::oneshot;

use crate::store::Record;

/// Why a check gave no verdict.
#[derive(Debug, thiserror::Error)]
pub enum SigError {
    #[error(transparent)]
    Event(#[from] EventError),
    /// The checking thread went away without answering (it panicked).
    #[error("the signature check was interrupted")]
    Lost,
}

/// Checks `record`'s id and signature on the verification pool.
pub async fn verify(record: Arc<Record>) -> Result<(), SigError> {
    let (tx, rx) = oneshot::channel();
    rayon::spawn(move || {
        // The session may have gone; nobody is left to tell then.
        let _ = tx.send(record.event.verify());
    });
    rx.await
        .map_err(|_| SigError::Lost)?
        .map_err(SigError::Event)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed() -> nips::Event {
        nips::Keys::generate().sign(1_700_000_000, 1, vec![], "hello".into())
    }

    #[tokio::test]
    async fn a_good_signature_passes_and_a_forged_one_does_not() {
        let event = signed();
        assert!(verify(Arc::new(Record::new(event.clone()))).await.is_ok());
        let mut forged = event;
        forged.sig.0[0] ^= 1;
        let err = verify(Arc::new(Record::new(forged))).await.unwrap_err();
        assert!(matches!(err, SigError::Event(EventError::BadSignature)));
    }
}
