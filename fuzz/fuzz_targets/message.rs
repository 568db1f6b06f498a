//! Client messages: whatever a WebSocket text frame holds, parsing answers and never panics;
//! an id sniffed from a broken EVENT is a real id in the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nips::ClientMessage;
use nips::message::{readable_id, sniff_event_id};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = ClientMessage::from_json(text);
    if let Some(id) = sniff_event_id(text) {
        assert!(text.contains(&id.to_hex()));
    }
    let _ = readable_id(text);
});
