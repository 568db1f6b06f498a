//! Rebuilding the ledger from the public record: member events folded into the roster in
//! order, and the decision chain replayed, each decision checked against what replaying gives.

use super::*;

impl Ledger {
    /// Folds the relay's member events (kinds 8000/8001) into the roster, in `seq` order.
    pub fn fold_membership(&mut self, events: &[Event]) {
        let mut ordered: Vec<(u64, &Event)> = events
            .iter()
            .filter(|e| {
                matches!(
                    e.kind,
                    nip43::KIND_MEMBER_ADDED | nip43::KIND_MEMBER_REMOVED
                ) && !e.has_tag(nips::cg::TAG_SUSPENDED)
            })
            .map(|e| (member_seq(e), e))
            .collect();
        ordered.sort_by_key(|(seq, e)| (*seq, e.created_at, e.id));
        for (seq, e) in ordered {
            let Some(key) = nip43::subject(e) else {
                continue;
            };
            if e.kind == nip43::KIND_MEMBER_ADDED {
                let inviter = e.first_tag_value("inviter").and_then(|v| v.parse().ok());
                self.roster.add(key, e.created_at, inviter);
            } else {
                self.roster.remove(&key, e.created_at);
            }
            self.member_seq = self.member_seq.max(seq);
        }
    }

    /// Rebuilds the ledger from the relay's decisions and member events, checking that every
    /// decision's recorded policy is what replaying gives.
    pub fn replay(decisions: &[Event], membership: &[Event]) -> Result<Ledger, ReplayError> {
        Self::replay_with(decisions, membership, |_, _, _| Ok(()))
    }

    /// As [`Ledger::replay`], calling `inspect` with the ledger as it stood before each
    /// decision after the genesis, so an auditor can check the decision against it.
    pub fn replay_with(
        decisions: &[Event],
        membership: &[Event],
        mut inspect: impl FnMut(&Ledger, &Event, &Decision) -> Result<(), String>,
    ) -> Result<Ledger, ReplayError> {
        let mut parsed: Vec<(&Event, Decision)> = Vec::with_capacity(decisions.len());
        for e in decisions {
            let d = Decision::parse(e).map_err(|m| ReplayError::Malformed(e.id, m))?;
            parsed.push((e, d));
        }
        let mut geneses = parsed
            .iter()
            .filter(|(_, d)| d.resolution == Resolution::Genesis);
        let (genesis_event, genesis) = geneses.next().ok_or(ReplayError::NoGenesis)?;
        if geneses.next().is_some() {
            return Err(ReplayError::TwoGenesis);
        }
        let doc = PolicyDoc::from_json(&genesis_event.content)
            .map_err(|e| ReplayError::Malformed(genesis_event.id, e.to_string()))?;
        if doc.hash() != genesis.policy {
            return Err(ReplayError::PolicyMismatch(
                genesis_event.id,
                genesis.version,
                doc.version(),
            ));
        }
        let mut ledger =
            Ledger::genesis(doc).map_err(|m| ReplayError::Malformed(genesis_event.id, m))?;
        ledger.fold_membership(membership);
        ledger
            .commit(
                genesis_event.id,
                genesis_event.created_at,
                genesis,
                ledger.doc.clone(),
                None,
            )
            .map_err(|m| ReplayError::Malformed(genesis_event.id, m))?;
        let mut by_prev: BTreeMap<EventId, Vec<(&Event, &Decision)>> = BTreeMap::new();
        for (e, d) in &parsed {
            if let Some(prev) = d.prev {
                by_prev.entry(prev).or_default().push((e, d));
            }
        }
        let mut at = genesis_event.id;
        let mut linked = 1;
        while let Some(next) = by_prev.get(&at) {
            let [(event, decision)] = next.as_slice() else {
                return Err(ReplayError::Fork(at));
            };
            inspect(&ledger, event, decision).map_err(|m| ReplayError::Rejected(event.id, m))?;
            let (doc, pending) = ledger
                .next_doc(decision, event.created_at)
                .map_err(|m| ReplayError::Inapplicable(event.id, m))?;
            if doc.hash() != decision.policy || doc.version() != decision.version {
                return Err(ReplayError::PolicyMismatch(
                    event.id,
                    decision.version,
                    doc.version(),
                ));
            }
            ledger
                .commit(event.id, event.created_at, decision, doc, pending)
                .map_err(|m| ReplayError::Inapplicable(event.id, m))?;
            at = event.id;
            linked += 1;
        }
        if linked != parsed.len() {
            let orphan = parsed
                .iter()
                .find(|(e, _)| !ledger.chain.contains(&e.id))
                .map_or(at, |(e, _)| e.id);
            return Err(ReplayError::Unlinked(orphan));
        }
        Ok(ledger)
    }
}
