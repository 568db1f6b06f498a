//! Direct messages (NIP-17) from the relay's key to the members who want them: each a gift
//! wrap stored here (where a member's client reading this relay finds it) and sent to the
//! inbox relays the member lists (kind 10050). A member says yes or no with a setting they
//! sign (kind 30078, `d` = [`SETTING`], content `{"direct": true}`); members who said nothing
//! get what `notify.direct` says. Each member receives at most [`PER_HOUR`] an hour.

use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::sync::{Arc, OnceLock};

use futures_util::FutureExt;
use governor::{DefaultKeyedRateLimiter, Quota};
use nips::{Event, PubKey};
use serde_json::json;

use super::Sender;
use super::inbox::Outbox;
use crate::community::all;
use crate::dates::unix_now;
use crate::store::{Record, Saved, WriteOp};

/// The `d` of a member's notification setting.
pub const SETTING: &str = "communitarium/notify";
/// The kind of that setting (NIP-78 application data).
pub const SETTING_KIND: u16 = 30_078;
/// Direct messages one member receives an hour at most, whatever happens.
pub const PER_HOUR: u32 = 20;
/// Members whose inbox lists are read per query.
const CHUNK: usize = 200;

/// Sends `text` to every member who wants direct messages.
pub async fn send(relay: &Sender, outbox: &Outbox, text: &str) {
    let recipients = match wanting(relay).await {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(error = %e, "could not read members' notification settings");
            return;
        }
    };
    let recipients: Vec<PubKey> = recipients
        .into_iter()
        .filter(|k| limiter().check_key(k).is_ok())
        .collect();
    for chunk in recipients.chunks(CHUNK) {
        let secret = relay.community.sign_with(|keys| keys.secret_hex());
        let (text, chunk_keys) = (text.to_string(), chunk.to_vec());
        let built = tokio::task::spawn_blocking(move || wraps(&secret, &chunk_keys, &text)).await;
        let Ok(wraps) = built else { continue };
        store(relay, &wraps).await;
        deliver(relay, outbox, wraps).await;
    }
}

/// Members in good standing who want direct messages: those who said so, and (when
/// `notify.direct`) those who said nothing.
async fn wanting(relay: &Sender) -> Result<Vec<PubKey>, crate::community::CommunityError> {
    let now = unix_now();
    let snapshot = relay.snapshot();
    let filter = json!({"kinds": [SETTING_KIND], "#d": [SETTING]});
    let mut said: BTreeMap<PubKey, bool> = BTreeMap::new();
    for e in all(&*relay.hands.store, filter, now).await? {
        let yes = serde_json::from_str::<serde_json::Value>(&e.content)
            .ok()
            .and_then(|v| v["direct"].as_bool());
        if let Some(yes) = yes {
            said.insert(e.pubkey, yes);
        }
    }
    let by_default = snapshot.policy.notify.direct;
    Ok(snapshot
        .roster
        .iter()
        .map(|(k, _)| *k)
        .filter(|k| snapshot.is_member(k, now))
        .filter(|k| said.get(k).copied().unwrap_or(by_default))
        .collect())
}

fn limiter() -> &'static DefaultKeyedRateLimiter<PubKey> {
    static LIMITER: OnceLock<DefaultKeyedRateLimiter<PubKey>> = OnceLock::new();
    LIMITER.get_or_init(|| {
        let per_hour = NonZeroU32::new(PER_HOUR).unwrap_or(NonZeroU32::MIN);
        DefaultKeyedRateLimiter::keyed(Quota::per_hour(per_hour))
    })
}

/// One gift-wrapped message (NIP-17, via rust-nostr's NIP-44 and NIP-59) from the relay's key
/// to each of `to`.
fn wraps(relay_secret: &str, to: &[PubKey], text: &str) -> Vec<(PubKey, Event)> {
    let Ok(keys) = nostr::Keys::parse(relay_secret) else {
        return Vec::new();
    };
    to.iter()
        .filter_map(|k| {
            let receiver = nostr::PublicKey::from_slice(k.as_bytes()).ok()?;
            // The relay's own keys sign at once: the future is ready when made.
            let wrap = nostr::EventBuilder::private_msg(&keys, receiver, text, [])
                .now_or_never()?
                .ok()?;
            let event = Event::from_json(&nostr::JsonUtil::as_json(&wrap)).ok()?;
            Some((*k, event))
        })
        .collect()
}

async fn store(relay: &Sender, wraps: &[(PubKey, Event)]) {
    let records: Vec<Arc<Record>> = wraps
        .iter()
        .map(|(_, e)| Arc::new(Record::new(e.clone())))
        .collect();
    let ops = records.iter().map(|r| WriteOp::Save(r.clone())).collect();
    match relay.hands.writer.write_all(ops).await {
        Ok(saved) => {
            for (record, outcome) in records.iter().zip(saved) {
                if outcome == Saved::Stored {
                    relay.hands.fanout.send(record, Default::default()).await;
                }
            }
            metrics::counter!("communitarium_direct_notices_total").increment(records.len() as u64);
        }
        Err(e) => tracing::warn!(error = %e, "could not store direct messages"),
    }
}

/// Hands each wrap to the outbox for its recipient's inbox relays (their kind 10050), this
/// relay aside (it already holds it).
async fn deliver(relay: &Sender, outbox: &Outbox, wraps: Vec<(PubKey, Event)>) {
    let authors: Vec<String> = wraps.iter().map(|(k, _)| k.to_hex()).collect();
    let filter = json!({"kinds": [10050], "authors": authors});
    let lists = match all(&*relay.hands.store, filter, unix_now()).await {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!(error = %e, "could not read inbox relay lists");
            return;
        }
    };
    let here = relay.hands.public_url.trim_end_matches('/');
    for (to, wrap) in wraps {
        let urls: Vec<String> = lists
            .iter()
            .filter(|l| l.pubkey == to)
            .flat_map(|l| l.tag_values("relay").map(str::to_owned).collect::<Vec<_>>())
            .filter(|u| u.trim_end_matches('/') != here)
            .take(5)
            .collect();
        if !urls.is_empty() {
            outbox.deliver(urls, Arc::from(wrap.to_json()));
        }
    }
}
