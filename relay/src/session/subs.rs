//! The connection's open subscriptions: the token that stops each one's stored query, and the
//! filter values each holds in the live index, counted against the connection's share (and,
//! by the session, its address's).

use std::collections::HashMap;

use tokio_util::sync::CancellationToken;

/// What a subscription holds in the live index, counted against the connection's and the
/// address's shares.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Held {
    /// Values of its filters (ids, authors, kinds, tag values).
    pub values: usize,
    /// Its filters with a `search`: each is matched against every new event it could match.
    pub searches: usize,
}

impl Held {
    pub fn of(filters: &[nips::Filter]) -> Self {
        Self {
            values: filters.iter().map(nips::Filter::values).sum(),
            searches: filters.iter().filter(|f| f.search.is_some()).count(),
        }
    }
}

impl std::ops::AddAssign for Held {
    fn add_assign(&mut self, o: Self) {
        self.values += o.values;
        self.searches += o.searches;
    }
}

impl std::ops::SubAssign for Held {
    fn sub_assign(&mut self, o: Self) {
        self.values -= o.values;
        self.searches -= o.searches;
    }
}

/// One open subscription.
#[derive(Debug)]
pub(crate) struct Sub {
    pub token: CancellationToken,
    /// What it holds in the live index.
    pub held: Held,
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
    held: Held,
}

impl Subs {
    pub fn len(&self) -> usize {
        self.open.len()
    }

    /// What all of them hold.
    pub fn held(&self) -> Held {
        self.held
    }

    pub fn insert(&mut self, id: String, sub: Sub) {
        self.held += sub.held;
        if let Some(old) = self.open.insert(id, sub) {
            self.held -= old.held;
            old.token.cancel();
        }
    }

    /// Removes subscription `id`, stopping its query; its values are no longer held.
    pub fn take(&mut self, id: &str) -> Option<Sub> {
        let sub = self.open.remove(id)?;
        self.held -= sub.held;
        sub.token.cancel();
        Some(sub)
    }

    /// Forgets subscriptions that ended by themselves (their query failed); returns their ids
    /// and what they held.
    pub fn forget_ended(&mut self) -> (Vec<String>, Held) {
        let ended: Vec<String> = self
            .open
            .iter()
            .filter(|(_, s)| s.token.is_cancelled())
            .map(|(id, _)| id.clone())
            .collect();
        let mut freed = Held::default();
        for sub in ended.iter().filter_map(|id| self.take(id)) {
            freed += sub.held;
        }
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

    /// Closes them all; returns what they held.
    pub fn clear(&mut self) -> Held {
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
            held: Held {
                values,
                searches: values % 2,
            },
            record_only: false,
        }
    }

    fn held(values: usize, searches: usize) -> Held {
        Held { values, searches }
    }

    #[test]
    fn counts_values_through_replace_take_and_end() {
        let mut subs = Subs::default();
        subs.insert("a".into(), sub(10));
        subs.insert("b".into(), sub(5));
        assert_eq!(subs.held(), held(15, 1));
        subs.insert("a".into(), sub(3));
        assert_eq!(subs.held(), held(8, 2), "a re-used id replaces");
        let b = subs.take("b").unwrap();
        assert!(b.token.is_cancelled(), "taking stops its query");
        assert_eq!(subs.held(), held(3, 1));
        subs.insert("c".into(), sub(7));
        if let Some(s) = subs.open.get("c") {
            s.token.cancel();
        }
        assert_eq!(subs.forget_ended(), (vec!["c".to_string()], held(7, 1)));
        assert_eq!(subs.clear(), held(3, 1));
        assert_eq!(subs.len(), 0);
    }
}
