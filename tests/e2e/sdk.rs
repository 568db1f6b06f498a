//! nostr-sdk clients connected to the relay under test.

use std::time::Duration;

use nostr_sdk::prelude::*;

/// A nostr-sdk client with `keys`, connected to `url` only.
pub async fn client(keys: &Keys, url: &str) -> Client {
    let client = Client::new(keys.clone());
    client.add_relay(url).await.expect("add relay");
    client.try_connect(Duration::from_secs(10)).await;
    client
}

/// Sends `event` and asserts the relay accepted it.
pub async fn publish(client: &Client, event: &Event) {
    let out = client.send_event(event).await.expect("send");
    assert!(
        out.failed.is_empty(),
        "relay refused the event: {:?}",
        out.failed
    );
    assert_eq!(out.success.len(), 1);
}

/// Sends `event` and returns the relay's refusal message.
pub async fn refused(client: &Client, event: &Event) -> String {
    let out = client.send_event(event).await.expect("send");
    assert!(
        out.success.is_empty(),
        "relay accepted an event it should refuse"
    );
    out.failed.into_values().next().expect("a failure")
}

/// Fetches stored events (until EOSE), in the order the relay sent them.
pub async fn fetch(client: &Client, filter: Filter) -> Vec<Event> {
    client
        .fetch_events(filter, Duration::from_secs(10))
        .await
        .expect("fetch")
        .into_iter()
        .collect()
}

/// Waits for the next event pushed to a live subscription.
pub async fn next_live(
    notifications: &mut tokio::sync::broadcast::Receiver<RelayPoolNotification>,
) -> Event {
    let wait = async {
        loop {
            if let Ok(RelayPoolNotification::Event { event, .. }) = notifications.recv().await {
                return *event;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), wait)
        .await
        .expect("no live event arrived")
}
