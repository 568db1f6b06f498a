//! The connection's open subscriptions: the token that stops each one's stored query, and the
//! filter values each holds in the live index, counted against the connection's share (and,
//! by the session, its address's).

use std::collections::HashMap;

use tokio_util::sync::CancellationToken;

/// One open subscription.
#[derive(Debug)]
pub(crate) struct Sub {
    pub token: CancellationToken,
    /// Values of its filters (what it holds in the live index).
    pub values: usize,
    /// It asks only for the relay's own public record, which anyone may read.
    pub record_only: bool,
    /// It asks who follows someone else than the connection: closed if the community makes
    /// followers private while it is open.
    pub follows: bool,
}

/// Every open subscription of a connection.
#[derive(Debug, Default)]
pub(crate) struct Subs {
    open: HashMap<String, Sub>,
    held: usize,
}

impl Subs {
    pub fn len(&self) -> usize {
        self.open.len()
    }

    /// Filter values held by all of them.
    pub fn held(&self) -> usize {
        self.held
    }

    pub fn insert(&mut self, id: String, sub: Sub) {
        self.held += sub.values;
        if let Some(old) = self.open.insert(id, sub) {
            self.held -= old.values;
            old.token.cancel();
        }
    }

    /// Removes subscription `id`, stopping its query; its values are no longer held.
    pub fn take(&mut self, id: &str) -> Option<Sub> {
        let sub = self.open.remove(id)?;
        self.held -= sub.values;
        sub.token.cancel();
        Some(sub)
    }

    /// Forgets subscriptions that ended by themselves (their query failed); returns their ids
    /// and the values they held.
    pub fn forget_ended(&mut self) -> (Vec<String>, usize) {
        let ended: Vec<String> = self
            .open
            .iter()
            .filter(|(_, s)| s.token.is_cancelled())
            .map(|(id, _)| id.clone())
            .collect();
        let freed = ended
            .iter()
            .filter_map(|id| self.take(id))
            .map(|s| s.values)
            .sum();
        (ended, freed)
    }

    /// Ids of the subscriptions for which `keep` is false.
    pub fn ids_where(&self, mut keep: impl FnMut(&Sub) -> bool) -> Vec<String> {
        self.open
            .iter()
            .filter(|(_, s)| !keep(s))
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// Closes them all; returns the values they held.
    pub fn clear(&mut self) -> usize {
        for sub in self.open.values() {
            sub.token.cancel();
        }
        self.open.clear();
        std::mem::take(&mut self.held)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(values: usize) -> Sub {
        Sub {
            follows: false,
            token: CancellationToken::new(),
            values,
            record_only: false,
        }
    }

    #[test]
    fn counts_values_through_replace_take_and_end() {
        let mut subs = Subs::default();
        subs.insert("a".into(), sub(10));
        subs.insert("b".into(), sub(5));
        assert_eq!(subs.held(), 15);
        subs.insert("a".into(), sub(3));
        assert_eq!(subs.held(), 8, "a re-used id replaces");
        let b = subs.take("b").unwrap();
        assert!(b.token.is_cancelled(), "taking stops its query");
        assert_eq!(subs.held(), 3);
        subs.insert("c".into(), sub(7));
        if let Some(s) = subs.open.get("c") {
            s.token.cancel();
        }
        assert_eq!(subs.forget_ended(), (vec!["c".to_string()], 7));
        assert_eq!(subs.clear(), 3);
        assert_eq!(subs.len(), 0);
    }
}
