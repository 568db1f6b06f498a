//! Governance payloads: an event read as a proposal, a vote or a decision, and a policy
//! document, are parsed or refused without panics; a policy document that parses hashes the
//! same after a round trip.
#![no_main]

use governance::{Decision, PolicyDoc, Proposal, Vote};
use libfuzzer_sys::fuzz_target;
use nips::Event;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(doc) = PolicyDoc::from_json(text) {
        let again = PolicyDoc::from_json(&doc.canonical()).expect("canonical JSON parses");
        assert_eq!(again.hash(), doc.hash());
        if let Ok(policy) = doc.policy() {
            assert_eq!(PolicyDoc::from_policy(&policy).policy(), Ok(policy));
        }
    }
    let Ok(event) = Event::from_json(text) else {
        return;
    };
    if let Ok(Some(p)) = Proposal::parse(&event) {
        let _ = p.validate(&event, &governance::Policy::default(), "wss://relay.example.org", event.created_at);
        let tags = governance::proposal::proposal_tags(&p.action, p.block, p.ends_at, "wss://r");
        assert!(!tags.is_empty());
    }
    let _ = Vote::parse(&event);
    if let Ok(d) = Decision::parse(&event) {
        let _ = d.tags();
    }
});
