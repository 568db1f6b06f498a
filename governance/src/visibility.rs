//! Appreciation without a scoreboard (`visibility.*`): when the community keeps reactions or
//! followers private, reads are narrowed so nobody but the people concerned can see them.
//!
//! - Private reactions: a reaction or repost (kinds 7, 6, 16) reaches its own author and the
//!   keys it names in `p` tags (the author of what it reacts to, NIP-25/18). Filters asking for
//!   those kinds are rewritten into the parts the reader may see, so limits and COUNTs stay
//!   exact; filters that name no kinds are filtered event by event ([`Visibility::may_see`]).
//! - Private followers: "who follows X" (kind 3 asked by `#p`) is answered only to X. Contact
//!   lists stay readable by author, as clients need for feeds.

use nips::{Event, Filter, PubKey, Reason, TagFilter};
use serde::{Deserialize, Serialize};

/// Who may see a kind of appreciation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    #[default]
    Public,
    Private,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Public => "public",
            Scope::Private => "private",
        }
    }
}

/// Kinds that are reactions to a note: reposts (6, 16) and reactions (7).
pub const REACTION_KINDS: [u16; 3] = [6, 7, 16];
/// Contact lists (NIP-02).
pub const CONTACTS: u16 = 3;

/// The `visibility.*` policy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Visibility {
    pub reactions: Scope,
    pub followers: Scope,
}

impl Visibility {
    /// May a reader authenticated as `authed` see `event`? Only private reactions are ever
    /// hidden, and never from their author or the keys they name.
    pub fn may_see(&self, event: &Event, authed: &[PubKey]) -> bool {
        self.reactions == Scope::Public
            || !REACTION_KINDS.contains(&event.kind)
            || authed.contains(&event.pubkey)
            || event
                .tag_values("p")
                .any(|p| authed.iter().any(|k| k.to_hex() == p))
    }

    /// Rewrites `filters` into what a reader authenticated as `authed` may ask. `Err` is the
    /// refusal: asking who follows someone else, or counting reactions without naming kinds
    /// (`counting`), which no rewriting can make exact.
    pub fn shape(
        &self,
        filters: Vec<Filter>,
        authed: &[PubKey],
        counting: bool,
    ) -> Result<Vec<Filter>, Reason> {
        Ok(self.shape_each(filters, authed, counting)?.concat())
    }

    /// As [`Visibility::shape`], keeping the parts of each filter together: its `limit`
    /// bounds them together, as it bounded the filter they came from.
    pub fn shape_each(
        &self,
        filters: Vec<Filter>,
        authed: &[PubKey],
        counting: bool,
    ) -> Result<Vec<Vec<Filter>>, Reason> {
        if *self == Visibility::default() {
            return Ok(filters.into_iter().map(|f| vec![f]).collect());
        }
        let mut out = Vec::with_capacity(filters.len());
        for f in filters {
            let f = match self.followers {
                Scope::Private => followers(f, authed)?,
                Scope::Public => f,
            };
            match self.reactions {
                Scope::Private => out.push(reactions(f, authed, counting)?),
                Scope::Public => out.push(vec![f]),
            }
        }
        Ok(out)
    }
}

impl Visibility {
    /// The kinds `f` might match that this reader may not see: a sync (NIP-77) is one
    /// filter and cannot be rewritten into parts, so it leaves these kinds out instead.
    pub fn hidden_kinds(&self, f: &Filter, authed: &[PubKey]) -> Vec<u16> {
        let mut kinds = Vec::new();
        if self.reactions == Scope::Private
            && REACTION_KINDS.iter().any(|k| asks_kind(f, *k))
            && !own_reactions(f, authed)
        {
            kinds.extend(REACTION_KINDS);
        }
        if self.followers == Scope::Private
            && followers(f.clone(), authed).map_or(true, |shaped| shaped != *f)
        {
            kinds.push(CONTACTS);
        }
        kinds
    }
}

fn asks_kind(f: &Filter, kind: u16) -> bool {
    f.kinds.as_ref().is_none_or(|k| k.contains(&kind))
}

fn hexes(keys: &[PubKey]) -> Vec<String> {
    let mut v: Vec<String> = keys.iter().map(PubKey::to_hex).collect();
    v.sort();
    v.dedup();
    v
}

/// Only `authed` keys (or no `p` condition at all) in the filter's `#p`?
fn own_p(f: &Filter, authed: &[PubKey]) -> bool {
    let mine = hexes(authed);
    f.tags
        .iter()
        .filter(|t| t.name == 'p')
        .all(|t| t.values.iter().all(|v| mine.binary_search(v).is_ok()))
}

/// "Who follows X" asked by someone other than X: contact lists filtered by `#p`. Listing
/// authors does not make it a different question (a count over a thousand candidate authors
/// is a list of X's followers among them), unless they are all the reader's own keys.
fn followers(mut f: Filter, authed: &[PubKey]) -> Result<Filter, Reason> {
    let by_p = f.tags.iter().any(|t| t.name == 'p');
    let own_authors = f
        .authors
        .as_ref()
        .is_some_and(|a| a.iter().all(|k| authed.contains(k)));
    if !by_p || own_authors || !asks_kind(&f, CONTACTS) || own_p(&f, authed) {
        return Ok(f);
    }
    match &mut f.kinds {
        Some(kinds) if kinds.len() > 1 => {
            kinds.retain(|k| *k != CONTACTS);
            Ok(f)
        }
        _ if authed.is_empty() => Err(Reason::auth_required(
            "who follows whom is private in this community: only the followed may ask; authenticate first",
        )),
        _ => Err(Reason::restricted(
            "who follows whom is private in this community: only the followed may ask",
        )),
    }
}

/// Sets `#name` to `values` ∩ what the filter already asks (all of `values` if nothing).
/// `None` when the intersection is empty.
fn narrow_tag(mut f: Filter, name: char, values: &[String]) -> Option<Filter> {
    match f.tags.iter_mut().find(|t| t.name == name) {
        Some(t) => {
            t.values.retain(|v| values.binary_search(v).is_ok());
            if t.values.is_empty() {
                return None;
            }
        }
        None => {
            f.tags.push(TagFilter {
                name,
                values: values.to_vec(),
            });
            f.tags.sort_by_key(|t| t.name);
        }
    }
    Some(f)
}

/// Does every reaction `f` matches concern the reader (theirs, or naming them)?
fn own_reactions(f: &Filter, authed: &[PubKey]) -> bool {
    let own_authors = f
        .authors
        .as_ref()
        .is_some_and(|a| !a.is_empty() && a.iter().all(|k| authed.contains(k)));
    own_authors || (f.tags.iter().any(|t| t.name == 'p') && own_p(f, authed))
}

fn reactions(f: Filter, authed: &[PubKey], counting: bool) -> Result<Vec<Filter>, Reason> {
    if own_reactions(&f, authed) {
        return Ok(vec![f]);
    }
    let Some(kinds) = f.kinds.clone() else {
        if counting {
            return Err(Reason::restricted(
                "reactions are private in this community: name the kinds you count",
            ));
        }
        // Filtered event by event instead (Visibility::may_see).
        return Ok(vec![f]);
    };
    let (hidden, shown): (Vec<u16>, Vec<u16>) =
        kinds.iter().partition(|k| REACTION_KINDS.contains(k));
    if hidden.is_empty() {
        return Ok(vec![f]);
    }
    let mut out = Vec::new();
    if !shown.is_empty() {
        out.push(Filter {
            kinds: Some(shown),
            ..f.clone()
        });
    }
    let reactions = Filter {
        kinds: Some(hidden),
        ..f
    };
    let mine: Vec<PubKey> = {
        let mut v = authed.to_vec();
        v.sort();
        v.dedup();
        v
    };
    let by_author: Vec<PubKey> = match &reactions.authors {
        Some(a) => a.iter().filter(|k| mine.contains(k)).copied().collect(),
        None => mine.clone(),
    };
    if !by_author.is_empty() {
        out.push(Filter {
            authors: Some(by_author),
            ..reactions.clone()
        });
    }
    if !mine.is_empty()
        && let Some(to_me) = narrow_tag(reactions, 'p', &hexes(&mine))
    {
        out.push(to_me);
    }
    if out.is_empty() {
        // Nothing the reader may see: a filter that matches nothing keeps the REQ's shape.
        out.push(Filter {
            ids: Some(Vec::new()),
            ..Filter::default()
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use nips::Keys;
    use serde_json::json;

    fn filter(v: serde_json::Value) -> Filter {
        Filter::from_value(&v).unwrap()
    }

    fn private() -> Visibility {
        Visibility {
            reactions: Scope::Private,
            followers: Scope::Private,
        }
    }

    /// Every event the rewritten filters match is one the reader may see, and every event the
    /// original matched that the reader may see is still matched.
    #[test]
    fn rewritten_reaction_filters_match_exactly_what_may_be_seen() {
        let (alice, bob, carol) = (Keys::generate(), Keys::generate(), Keys::generate());
        let note = alice.sign(1, 1, vec![], "hi".into());
        let p = |k: &Keys| vec!["p".to_string(), k.pubkey().to_hex()];
        let e = vec!["e".to_string(), note.id.to_hex()];
        let events = [
            bob.sign(2, 7, vec![e.clone(), p(&alice)], "+".into()),
            carol.sign(3, 7, vec![e.clone(), p(&alice)], "+".into()),
            carol.sign(4, 6, vec![e.clone(), p(&alice)], String::new()),
            carol.sign(5, 1, vec![e.clone(), p(&alice)], "reply".into()),
            note.clone(),
        ];
        let v = private();
        let filters = [
            json!({"kinds": [7]}),
            json!({"kinds": [1, 6, 7], "#e": [note.id.to_hex()]}),
            json!({"kinds": [7], "authors": [carol.pubkey().to_hex()]}),
            json!({"kinds": [7, 16], "#p": [alice.pubkey().to_hex()]}),
        ];
        for reader in [&alice, &bob, &carol] {
            let authed = [reader.pubkey()];
            for f in &filters {
                let original = filter(f.clone());
                let shaped = v.shape(vec![original.clone()], &authed, true).unwrap();
                for ev in &events {
                    let want = original.matches(ev) && v.may_see(ev, &authed);
                    let got = shaped.iter().any(|s| s.matches(ev));
                    assert_eq!(got, want, "{f} for reader, event kind {}", ev.kind);
                }
            }
        }
        // Unauthenticated: no reaction at all, notes still.
        let shaped = v
            .shape(vec![filter(filters[1].clone())], &[], false)
            .unwrap();
        assert!(shaped.iter().any(|s| s.matches(&events[3])));
        assert!(
            !events[..3]
                .iter()
                .any(|ev| shaped.iter().any(|s| s.matches(ev)))
        );
        assert!(
            v.shape(vec![filter(json!({"#e": [note.id.to_hex()]}))], &[], true)
                .is_err(),
            "a kindless COUNT cannot be made exact"
        );
        assert!(!v.may_see(&events[1], &[bob.pubkey()]));
        let own = filter(json!({"authors": [bob.pubkey().to_hex()]}));
        assert!(
            v.shape(vec![own.clone()], &[bob.pubkey()], true).is_ok(),
            "own, kindless"
        );
        assert!(v.hidden_kinds(&own, &[bob.pubkey()]).is_empty());
        assert_eq!(
            v.hidden_kinds(&own, &[carol.pubkey()]),
            REACTION_KINDS.to_vec()
        );
        assert!(Visibility::default().hidden_kinds(&own, &[]).is_empty());
        assert!(v.may_see(&events[1], &[alice.pubkey()]));
        assert!(Visibility::default().may_see(&events[1], &[]));
    }

    #[test]
    fn followers_are_answered_only_to_the_followed() {
        let (x, y) = (Keys::generate(), Keys::generate());
        let v = private();
        let who_follows = json!({"kinds": [3], "#p": [x.pubkey().to_hex()]});
        let err = v
            .shape(vec![filter(who_follows.clone())], &[], false)
            .unwrap_err();
        assert!(err.to_string().starts_with("auth-required:"));
        let err = v
            .shape(vec![filter(who_follows.clone())], &[y.pubkey()], true)
            .unwrap_err();
        assert!(err.to_string().starts_with("restricted:"));
        assert!(
            v.shape(vec![filter(who_follows)], &[x.pubkey()], true)
                .is_ok()
        );
        let mixed = v
            .shape(
                vec![filter(
                    json!({"kinds": [1, 3], "#p": [x.pubkey().to_hex()]}),
                )],
                &[],
                false,
            )
            .unwrap();
        assert_eq!(
            mixed[0].kinds,
            Some(vec![1]),
            "kind 3 dropped, mentions kept"
        );
        let by_author =
            json!({"kinds": [3], "authors": [y.pubkey().to_hex()], "#p": [x.pubkey().to_hex()]});
        assert!(
            v.shape(vec![filter(by_author.clone())], &[], true).is_err(),
            "listing authors still asks who follows x"
        );
        assert!(
            v.shape(vec![filter(by_author.clone())], &[y.pubkey()], true)
                .is_ok(),
            "y may ask whether y follows x"
        );
        assert!(
            v.shape(vec![filter(by_author)], &[x.pubkey()], true)
                .is_ok()
        );
        let lists = json!({"kinds": [3], "authors": [y.pubkey().to_hex()]});
        assert!(
            v.shape(vec![filter(lists)], &[], true).is_ok(),
            "contact lists by author stay readable"
        );
        let public = Visibility::default();
        let anyone = json!({"kinds": [3], "#p": [x.pubkey().to_hex()]});
        assert!(public.shape(vec![filter(anyone)], &[], true).is_ok());
    }
}
