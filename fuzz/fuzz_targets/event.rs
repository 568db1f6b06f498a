//! Events: any JSON parses or is refused; a parsed event's checks (id, signature, size,
//! proof of work, expiration, protection, vanish) never panic, and re-serializing is stable.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nips::{Event, Limits};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(event) = Event::from_json(text) else {
        return;
    };
    let _ = event.verify();
    let json = event.to_json();
    let back = Event::from_json(&json).expect("our own serialization parses");
    assert_eq!(back, event);
    let _ = Limits::default().check_event(&event, json.len(), 1_700_000_000);
    let _ = Limits::default().check_pow(&event, 8);
    let _ = nips::nip13::effective_difficulty(&event);
    let _ = nips::nip40::expiration(&event);
    let _ = nips::nip70::is_protected(&event);
    let _ = nips::nip62::targets_relay(&event, "wss://relay.example.org");
    let _ = nips::nip09::targets(&event);
    let _ = nips::nip59::recipient(&event);
    let _ = event.address_d();
});
