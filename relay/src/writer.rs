//! The batching writer: every write goes through one task that commits many events per
//! transaction and only then answers each one, so `OK true` always means "committed". Members'
//! votes have a lane of their own beside ordinary events (see [`Lane`]).

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use crate::store::{EventStore, Lane, Saved, StoreError, WriteOp};

/// A write that could not be committed (details are logged, clients get `error:`).
#[derive(Debug, Clone, thiserror::Error)]
pub enum WriteError {
    #[error("storage failed: {0}")]
    Store(Arc<StoreError>),
    #[error("the relay is shutting down")]
    Closed,
    #[error("the store reported no outcome for a write")]
    NoOutcome,
    #[error("the database is unavailable")]
    Unavailable,
}

/// Ops committed together, and who waits for them.
struct Job {
    ops: Vec<WriteOp>,
    done: oneshot::Sender<Result<Vec<Saved>, WriteError>>,
}

/// Handle to the writer task.
#[derive(Clone)]
pub struct Writer {
    tx: mpsc::Sender<Job>,
    /// Members' votes, batched apart from ordinary events (see [`Lane::Governance`]).
    governance: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the writer. It stops accepting work when `stop` is cancelled, commits what is
    /// already queued, and then ends.
    pub fn spawn(
        store: Arc<dyn EventStore>,
        batch: usize,
        stop: CancellationToken,
    ) -> (Self, tokio::task::JoinHandle<()>) {
        // Twice a batch can wait while one commits; beyond that, callers feel backpressure.
        let (tx, rx) = mpsc::channel(batch.max(1) * 2);
        let (governance, governance_rx) = mpsc::channel(batch.max(1) * 2);
        // The writer has a thread and a runtime of its own. On the shared runtime each of its
        // round trips to the database waited in line behind every connection's task, and that
        // wait, not the database, was most of a commit under load. The store connects its
        // writer lazily, so that connection is made (and its socket polled) here.
        let task =
            tokio::task::spawn_blocking(
                move || match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt.block_on(async {
                        let votes =
                            run(store.clone(), Lane::Governance, governance_rx, batch, &stop);
                        tokio::join!(run(store, Lane::Events, rx, batch, &stop), votes);
                    }),
                    Err(e) => tracing::error!(error = %e, "cannot start the writer's runtime"),
                },
            );
        (Self { tx, governance }, task)
    }

    /// Queues `op` and waits until it is committed (or refused by the store's rules).
    pub async fn write(&self, op: WriteOp) -> Result<Saved, WriteError> {
        self.write_all(vec![op])
            .await?
            .pop()
            .ok_or(WriteError::NoOutcome)
    }

    /// Queues `ops` to be committed in one transaction (all or none) and waits for it.
    pub async fn write_all(&self, ops: Vec<WriteOp>) -> Result<Vec<Saved>, WriteError> {
        submit(&self.tx, ops).await
    }

    /// Saves a member's vote, a regular event, on the governance lane: it is committed with
    /// other votes, not queued behind a batch of ordinary events.
    pub async fn write_vote(&self, record: Arc<crate::store::Record>) -> Result<Saved, WriteError> {
        submit(&self.governance, vec![WriteOp::Save(record)])
            .await?
            .pop()
            .ok_or(WriteError::NoOutcome)
    }
}

async fn submit(tx: &mpsc::Sender<Job>, ops: Vec<WriteOp>) -> Result<Vec<Saved>, WriteError> {
    let (done, rx) = oneshot::channel();
    tx.send(Job { ops, done })
        .await
        .map_err(|_| WriteError::Closed)?;
    rx.await.map_err(|_| WriteError::Closed)?
}

/// One lane's loop: takes what is queued, up to `batch` jobs, and commits it together.
async fn run(
    store: Arc<dyn EventStore>,
    lane: Lane,
    mut rx: mpsc::Receiver<Job>,
    batch: usize,
    stop: &CancellationToken,
) {
    let batch = batch.max(1);
    let mut jobs = Vec::with_capacity(batch);
    loop {
        let first = tokio::select! {
            job = rx.recv() => job,
            () = stop.cancelled() => {
                // No new work; what is queued is still committed below.
                rx.close();
                rx.recv().await
            }
        };
        let Some(first) = first else { break };
        jobs.push(first);
        while jobs.len() < batch {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        commit(&*store, lane, &mut jobs).await;
    }
    tracing::debug!(?lane, "writer stopped");
}

/// Commits `jobs` in one transaction; if that fails, retries job by job so a single bad event
/// cannot fail its neighbours.
async fn commit(store: &dyn EventStore, lane: Lane, jobs: &mut Vec<Job>) {
    let ops: Vec<WriteOp> = jobs.iter().flat_map(|j| j.ops.iter().cloned()).collect();
    let started = std::time::Instant::now();
    let written = store.write_on(lane, &ops).await;
    let took = started.elapsed();
    metrics::histogram!("communitarium_write_batch_events", "lane" => lane.name())
        .record(ops.len() as f64);
    metrics::histogram!("communitarium_write_commit_seconds", "store" => store.name(), "lane" => lane.name())
        .record(took.as_secs_f64());
    tracing::trace!(
        events = ops.len(),
        micros = took.as_micros() as u64,
        "batch committed"
    );
    match written {
        Ok(outcomes) if outcomes.len() == ops.len() => {
            let mut outcomes = outcomes.into_iter();
            for job in jobs.drain(..) {
                let mine: Vec<Saved> = outcomes.by_ref().take(job.ops.len()).collect();
                let _ = job.done.send(Ok(mine));
            }
        }
        Ok(_) => {
            for job in jobs.drain(..) {
                let _ = job.done.send(Err(WriteError::NoOutcome));
            }
        }
        // The database is down: every job would fail the same way, and the outage is logged
        // once where it was noticed.
        Err(StoreError::Unavailable) => {
            for job in jobs.drain(..) {
                let _ = job.done.send(Err(WriteError::Unavailable));
            }
        }
        Err(e) if jobs.len() > 1 => {
            tracing::warn!(error = %e, batch = jobs.len(), "batch write failed; retrying job by job");
            for job in jobs.drain(..) {
                let result = store.write_on(lane, &job.ops).await.map_err(|e| match e {
                    StoreError::Unavailable => WriteError::Unavailable,
                    e => {
                        tracing::error!(error = %e, "write failed");
                        WriteError::Store(Arc::new(e))
                    }
                });
                let _ = job.done.send(result);
            }
        }
        Err(e) => {
            tracing::error!(error = %e, "write failed");
            let e = WriteError::Store(Arc::new(e));
            for job in jobs.drain(..) {
                let _ = job.done.send(Err(e.clone()));
            }
        }
    }
}
