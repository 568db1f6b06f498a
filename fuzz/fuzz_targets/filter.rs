//! Filters: parsing any JSON answers, a parsed filter matches an event the same way whatever
//! order its lists came in, and a search finds a note made of its own words.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nips::{Filter, Keys};

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let Ok(filter) = Filter::from_value(&value) else {
        return;
    };
    let _ = (filter.values(), filter.longest_list(), filter.is_unsatisfiable());
    // A fixed key keeps the run deterministic; the event's shape comes from the input.
    let keys = Keys::parse(&"11".repeat(32)).expect("a fixed test key");
    let tags: Vec<Vec<String>> = filter
        .tags
        .iter()
        .map(|t| vec![t.name.to_string(), t.values.first().cloned().unwrap_or_default()])
        .collect();
    let kind = filter.kinds.as_ref().and_then(|k| k.first().copied()).unwrap_or(1);
    let at = filter.since.unwrap_or(0);
    let event = keys.sign(at, kind, tags, String::from_utf8_lossy(data).into_owned());
    let once = filter.matches(&event);
    // A search finds a note that says exactly what was searched for.
    if let Some(search) = &filter.search
        && nips::nip50::Query::parse(search).is_ok()
    {
        let note = keys.sign(at, 1, vec![], search.clone());
        assert!(nips::nip50::matches(search, &note), "{search:?}");
    }
    let again = Filter::from_value(&value).expect("parsed before");
    assert_eq!(once, again.matches(&event));
});
