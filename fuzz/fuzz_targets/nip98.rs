//! NIP-98 `Authorization` headers: any header value is parsed or refused, and checking it
//! against a request never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nips::nip98;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for header in [text.to_string(), format!("Nostr {text}")] {
        if let Ok(event) = nip98::parse_header(&header) {
            let urls = ["wss://relay.example.org".to_string()];
            let _ = nip98::check(&event, &urls, "POST", data, 1_700_000_000);
        }
    }
});
