//! `communitarium import`: events as JSON lines, each checked (id, signature) and stored under
//! the NIP rules the WebSocket path applies — replaceable and addressable versions, deletions
//! (NIP-09), expiry (NIP-40), requests to vanish (NIP-62) — in batches. Policy (admission, rate
//! limits) is not applied: importing is the operator's act, not a client's. Lines are read as
//! bytes, at most [`MAX_LINE`] of each: a line that is too long or not UTF-8 is counted as
//! invalid, with its number, and the rest is imported.

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
/// The longest line read, in bytes; an event is at most a few hundred kilobytes.
pub const MAX_LINE: usize = 4 << 20;
/// Bad lines a report names by number; the others are only counted.
const NAMED: usize = 20;
/// Distinct reasons a report counts invalid lines by.
const REASONS: usize = 50;

/// A line's number (from 1), if it came from a file.
type LineNo = Option<u64>;

/// Parses `lines` and checks ids and signatures, on every core, off the async workers.
async fn check(
    lines: Vec<(LineNo, Result<String, &'static str>)>,
) -> Result<Vec<(LineNo, Result<Event, String>)>, TransferError> {
    tokio::task::spawn_blocking(move || {
        lines
            .into_par_iter()
            .map(|(n, line)| {
                let checked = line.map_err(str::to_owned).and_then(|line| {
                    let event = Event::from_json(&line).map_err(|e| e.to_string())?;
                    event.verify().map_err(|e| e.to_string())?;
                    Ok(event)
                });
                (n, checked)
            })
            .collect()
    })
    .await
    .map_err(|e| TransferError::Io(std::io::Error::other(e)))
}

/// Reads the next line of `input` into `buf`, at most [`MAX_LINE`] bytes of it: `None` at the
/// end, `Err` (inside) why the line is not one.
async fn next_line<R: AsyncBufRead + Unpin>(
    input: &mut R,
    buf: &mut Vec<u8>,
) -> std::io::Result<Option<Result<String, &'static str>>> {
    buf.clear();
    let (mut read_any, mut too_long) = (false, false);
    loop {
        let available = input.fill_buf().await?;
        if available.is_empty() {
            break;
        }
        read_any = true;
        let (take, end) = match available.iter().position(|b| *b == b'\n') {
            Some(i) => (i, true),
            None => (available.len(), false),
        };
        if !too_long && buf.len() + take <= MAX_LINE {
            buf.extend_from_slice(&available[..take]);
        } else {
            too_long = true;
            buf.clear();
        }
        input.consume(take + usize::from(end));
        if end {
            break;
        }
    }
    if !read_any {
        return Ok(None);
    }
    if too_long {
        return Ok(Some(Err("longer than 4 MiB")));
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    Ok(Some(
        String::from_utf8(std::mem::take(buf)).map_err(|_| "not UTF-8"),
    ))
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
    /// The first refused lines of a file, by number, and why.
    pub bad_lines: Vec<(u64, String)>,
}

impl Report {
    fn skip(&mut self, why: &str) {
        *self.skipped.entry(why.to_owned()).or_default() += 1;
    }

    /// Counts a refusal by its reason; past [`REASONS`] distinct reasons (a parser names the
    /// column it stopped at), the rest are counted together, so memory stays bounded.
    pub(crate) fn refuse(&mut self, why: String) {
        let why = match self.invalid.contains_key(&why) || self.invalid.len() < REASONS {
            true => why,
            false => "other reasons".into(),
        };
        *self.invalid.entry(why).or_default() += 1;
    }

    /// As [`Report::refuse`], naming the line when it came from a file.
    fn refuse_line(&mut self, line: LineNo, why: String) {
        if let Some(n) = line
            && self.bad_lines.len() < NAMED
        {
            self.bad_lines.push((n, why.clone()));
        }
        self.refuse(why);
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
        for (line, why) in &self.bad_lines {
            write!(f, "\n  line {line}: {why}")?;
        }
        if invalid as usize > self.bad_lines.len() && !self.bad_lines.is_empty() {
            write!(
                f,
                "\n  (the first {} invalid lines are named)",
                self.bad_lines.len()
            )?;
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
        let mut input = input;
        let (mut buf, mut number) = (Vec::new(), 0u64);
        let mut checked: Vec<WriteOp> = Vec::new();
        loop {
            let mut batch = Vec::with_capacity(BATCH);
            while batch.len() < BATCH {
                let Some(line) = next_line(&mut input, &mut buf).await? else {
                    break;
                };
                number += 1;
                match line {
                    Ok(text) if text.trim().is_empty() => {}
                    line => batch.push((Some(number), line)),
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
        let lines = events
            .into_iter()
            .map(|e| (None, Ok(e.to_json())))
            .collect();
        let ops = self.sort(check(lines).await?, report);
        self.write(ops, report).await
    }

    /// The write op of each checked event; what is refused or not kept goes into `report`.
    fn sort(
        &self,
        checked: Vec<(LineNo, Result<Event, String>)>,
        report: &mut Report,
    ) -> Vec<WriteOp> {
        let now = crate::relay::unix_now();
        let mut ops = Vec::with_capacity(checked.len());
        for (line, event) in checked {
            match event.and_then(|e| self.op(e, now)) {
                Ok(Some(op)) => ops.push(op),
                Ok(None) => report.skip("ephemeral or expired"),
                Err(why) => report.refuse_line(line, why),
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
