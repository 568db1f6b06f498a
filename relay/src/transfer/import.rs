//! `communitarium import`: events as JSON lines, each checked (id, signature) and stored under
//! the NIP rules the WebSocket path applies — replaceable and addressable versions, deletions
//! (NIP-09), expiry (NIP-40), requests to vanish (NIP-62) — in batches. Policy (admission, rate
//! limits) is not applied: importing is the operator's act, not a client's.

use std::collections::BTreeMap;
use std::sync::Arc;

use governance::admit::RELAY_ONLY_KINDS;
use nips::{Event, KindClass, PubKey, nip40, nip42, nip62};
use rayon::prelude::*;
use tokio::io::{AsyncBufRead, AsyncBufReadExt};

use super::{Progress, TransferError};
use crate::store::{Record, Saved, Store, WriteOp};

/// Events per write batch.
const BATCH: usize = 2_000;

/// Parses `lines` and checks ids and signatures, on every core, off the async workers.
async fn check(lines: Vec<String>) -> Result<Vec<Result<Event, String>>, TransferError> {
    tokio::task::spawn_blocking(move || {
        lines
            .into_par_iter()
            .map(|line| {
                let event = Event::from_json(&line).map_err(|e| e.to_string())?;
                event.verify().map_err(|e| e.to_string())?;
                Ok(event)
            })
            .collect()
    })
    .await
    .map_err(|e| TransferError::Io(std::io::Error::other(e)))
}

/// What an import did with each line.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    /// Newly stored.
    pub accepted: u64,
    /// Already stored.
    pub duplicate: u64,
    /// Valid, but not stored under the NIP rules (a newer version is stored, deleted by its
    /// author, its author vanished, ephemeral, expired), by reason.
    pub skipped: BTreeMap<String, u64>,
    /// Refused: not an event, a wrong id or signature, another relay's record, by reason.
    pub invalid: BTreeMap<String, u64>,
}

impl Report {
    fn skip(&mut self, why: &str) {
        *self.skipped.entry(why.to_owned()).or_default() += 1;
    }

    fn refuse(&mut self, why: String) {
        *self.invalid.entry(why).or_default() += 1;
    }

    /// Lines read.
    pub fn lines(&self) -> u64 {
        self.accepted
            + self.duplicate
            + self.skipped.values().sum::<u64>()
            + self.invalid.values().sum::<u64>()
    }
}

impl std::fmt::Display for Report {
    /// `accepted N, duplicate N, skipped N, invalid N`, then one line per reason.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let skipped: u64 = self.skipped.values().sum();
        let invalid: u64 = self.invalid.values().sum();
        write!(
            f,
            "accepted {}, duplicate {}, skipped {skipped}, invalid {invalid}",
            self.accepted, self.duplicate
        )?;
        for (why, n) in &self.skipped {
            write!(f, "\n  skipped {n}: {why}")?;
        }
        for (why, n) in &self.invalid {
            write!(f, "\n  invalid {n}: {why}")?;
        }
        Ok(())
    }
}

/// Imports into one store.
pub struct Importer<'a> {
    pub store: &'a dyn Store,
    /// This relay's key: its own records are welcome, another relay's are not.
    pub relay: PubKey,
    /// This relay's public URL, which requests to vanish name (besides `ALL_RELAYS`).
    pub relay_url: String,
    /// Store other relays' governance records too (as inert history).
    pub foreign_records: bool,
}

impl Importer<'_> {
    /// Reads `input` to its end. While one batch is written, the next is parsed and its
    /// signatures checked, so the store and the cores work at the same time.
    pub async fn import<R: AsyncBufRead + Unpin>(
        &self,
        input: R,
        progress: &Progress,
    ) -> Result<Report, TransferError> {
        let mut report = Report::default();
        let mut lines = input.lines();
        let mut checked: Vec<WriteOp> = Vec::new();
        loop {
            let mut batch = Vec::with_capacity(BATCH);
            while batch.len() < BATCH {
                match lines.next_line().await? {
                    Some(line) if line.trim().is_empty() => {}
                    Some(line) => batch.push(line),
                    None => break,
                }
            }
            let (n, last) = (checked.len() as u64, batch.is_empty());
            let writing = self.write(std::mem::take(&mut checked), &mut report);
            let (written, next) = tokio::join!(writing, check(batch));
            written?;
            progress.advance(n);
            if last {
                return Ok(report);
            }
            checked = self.sort(next?, &mut report);
        }
    }

    /// Imports already parsed events (what `sync` downloads).
    pub async fn events(
        &self,
        events: Vec<Event>,
        report: &mut Report,
    ) -> Result<(), TransferError> {
        let lines = events.into_iter().map(|e| e.to_json()).collect();
        let ops = self.sort(check(lines).await?, report);
        self.write(ops, report).await
    }

    /// The write op of each checked event; what is refused or not kept goes into `report`.
    fn sort(&self, checked: Vec<Result<Event, String>>, report: &mut Report) -> Vec<WriteOp> {
        let now = crate::relay::unix_now();
        let mut ops = Vec::with_capacity(checked.len());
        for event in checked {
            match event.and_then(|e| self.op(e, now)) {
                Ok(Some(op)) => ops.push(op),
                Ok(None) => report.skip("ephemeral or expired"),
                Err(why) => report.refuse(why),
            }
        }
        ops
    }

    async fn write(&self, ops: Vec<WriteOp>, report: &mut Report) -> Result<(), TransferError> {
        if ops.is_empty() {
            return Ok(());
        }
        for saved in self.store.write(&ops).await? {
            match saved {
                Saved::Stored => report.accepted += 1,
                Saved::Duplicate => report.duplicate += 1,
                Saved::Superseded => report.skip("a newer version is stored"),
                Saved::Deleted => report.skip("deleted by its author"),
                Saved::Vanished => report.skip("its author asked this relay to erase them"),
            }
        }
        Ok(())
    }

    /// How `event` is stored, if it is: `Err` is why it is refused, `None` that it is not
    /// kept (ephemeral, expired).
    fn op(&self, event: Event, now: u64) -> Result<Option<WriteOp>, String> {
        if event.kind == nip42::KIND_AUTH {
            return Err("an AUTH event".into());
        }
        if RELAY_ONLY_KINDS.contains(&event.kind)
            && event.pubkey != self.relay
            && !self.foreign_records
        {
            return Err("another relay's governance record (--foreign-records keeps them)".into());
        }
        if event.class() == KindClass::Ephemeral || nip40::is_expired(&event, now) {
            return Ok(None);
        }
        let vanish =
            event.kind == nip62::KIND_VANISH && nip62::targets_relay(&event, &self.relay_url);
        let record = Arc::new(Record::new(event));
        Ok(Some(if vanish {
            WriteOp::Vanish(record)
        } else {
            WriteOp::Save(record)
        }))
    }
}
