use nips::{Event, Keys, Prefix, Tag};

use super::check::{Change, Who};
use super::*;

fn tags(v: &[&[&str]]) -> Vec<Tag> {
    v.iter()
        .map(|t| t.iter().map(|s| s.to_string()).collect())
        .collect()
}

fn ev(keys: &Keys, at: u64, kind: u16, t: &[&[&str]]) -> Event {
    keys.sign(at, kind, tags(t), String::new())
}

fn member(keys: &Keys) -> Who {
    Who {
        key: keys.pubkey(),
        member: true,
        operator: false,
    }
}

/// A room "r" created by `alice` at 10, closed, named "Garden".
fn garden(alice: &Keys) -> Vec<Event> {
    vec![
        ev(alice, 10, nip29::KIND_CREATE_GROUP, &[&["h", "r"]]),
        ev(
            alice,
            10,
            nip29::KIND_EDIT_METADATA,
            &[&["h", "r"], &["name", "Garden"], &["closed"]],
        ),
    ]
}

#[test]
fn a_room_is_its_changes_folded_in_order() {
    let (alice, bob) = (Keys::generate(), Keys::generate());
    let b = bob.pubkey().to_hex();
    let mut events = garden(&alice);
    events.push(ev(
        &alice,
        11,
        nip29::KIND_PUT_USER,
        &[&["h", "r"], &["p", &b, "admin"]],
    ));
    events.push(ev(
        &bob,
        12,
        nip29::KIND_REMOVE_USER,
        &[&["h", "r"], &["p", &alice.pubkey().to_hex()]],
    ));
    // Given out of order: the fold sorts them.
    events.reverse();
    let rooms = Rooms::replay(&events);
    let room = rooms.get("r").unwrap();
    assert_eq!(room.name, "Garden");
    assert!(room.closed && !room.restricted);
    assert_eq!(room.members, BTreeSet::from([bob.pubkey()]));
    assert_eq!(room.admins, BTreeSet::from([bob.pubkey()]));
}

#[test]
fn a_deleted_room_is_gone_and_its_id_not_reused() {
    let alice = Keys::generate();
    let mut events = garden(&alice);
    events.push(ev(&alice, 20, nip29::KIND_DELETE_GROUP, &[&["h", "r"]]));
    let rooms = Rooms::replay(&events);
    assert!(rooms.get("r").is_none() && rooms.was_deleted("r"));
    let again = ev(&alice, 30, nip29::KIND_CREATE_GROUP, &[&["h", "r"]]);
    let err = rooms
        .check(&again, member(&alice), Creators::Members)
        .unwrap_err();
    assert_eq!(err.prefix, Prefix::Duplicate);
}

#[test]
fn joining_is_granted_in_an_open_room_and_waits_in_a_closed_one() {
    let (alice, bob) = (Keys::generate(), Keys::generate());
    let mut rooms = Rooms::replay(&garden(&alice));
    let join = ev(&bob, 30, nip29::KIND_JOIN_REQUEST, &[&["h", "r"]]);
    assert_eq!(
        rooms.check(&join, member(&bob), Creators::Members),
        Ok(Change::Pending)
    );
    rooms.apply(&ev(
        &alice,
        31,
        nip29::KIND_EDIT_METADATA,
        &[&["h", "r"], &["name", "Garden"]],
    ));
    assert_eq!(
        rooms.check(&join, member(&bob), Creators::Members),
        Ok(Change::Admit(bob.pubkey()))
    );
    let own = ev(&alice, 32, nip29::KIND_JOIN_REQUEST, &[&["h", "r"]]);
    let err = rooms
        .check(&own, member(&alice), Creators::Members)
        .unwrap_err();
    assert!(err.to_string().starts_with("duplicate: ") && err.message.contains("already"));
}

#[test]
fn only_admins_and_operators_moderate() {
    let (alice, bob) = (Keys::generate(), Keys::generate());
    let rooms = Rooms::replay(&garden(&alice));
    let kick = ev(
        &bob,
        30,
        nip29::KIND_REMOVE_USER,
        &[&["h", "r"], &["p", &alice.pubkey().to_hex()]],
    );
    let err = rooms
        .check(&kick, member(&bob), Creators::Members)
        .unwrap_err();
    assert_eq!(err.prefix, Prefix::Restricted);
    let operator = Who {
        operator: true,
        ..member(&bob)
    };
    assert_eq!(
        rooms.check(&kick, operator, Creators::Members),
        Ok(Change::Recorded)
    );
    let by_admin = ev(
        &alice,
        30,
        nip29::KIND_DELETE_EVENT,
        &[&["h", "r"], &["e", &"ab".repeat(32)]],
    );
    assert_eq!(
        rooms.check(&by_admin, member(&alice), Creators::Members),
        Ok(Change::DeleteEvent(nips::EventId([0xab; 32])))
    );
}

#[test]
fn a_ban_or_the_creation_rule_keeps_people_out() {
    let (alice, bob) = (Keys::generate(), Keys::generate());
    let rooms = Rooms::replay(&garden(&alice));
    let banned = Who {
        member: false,
        ..member(&alice)
    };
    let post = rooms.may_post("r", banned).unwrap_err();
    assert_eq!(post.prefix, Prefix::Restricted);
    assert_eq!(
        rooms.may_post("r", member(&bob)).unwrap_err().prefix,
        Prefix::Restricted
    );
    assert!(rooms.may_post("r", member(&alice)).is_ok());
    assert_eq!(
        rooms.may_post("nope", member(&alice)).unwrap_err().prefix,
        Prefix::Invalid
    );
    let create = ev(&bob, 40, nip29::KIND_CREATE_GROUP, &[&["h", "new"]]);
    assert_eq!(
        rooms.check(&create, member(&bob), Creators::Members),
        Ok(Change::Recorded)
    );
    let err = rooms
        .check(&create, member(&bob), Creators::Operators)
        .unwrap_err();
    assert_eq!(err.prefix, Prefix::Restricted);
    let private = ev(
        &alice,
        40,
        nip29::KIND_EDIT_METADATA,
        &[&["h", "r"], &["private"]],
    );
    assert!(
        rooms
            .check(&private, member(&alice), Creators::Members)
            .is_err()
    );
}

#[test]
fn a_late_change_folds_in_its_place() {
    let (alice, bob) = (Keys::generate(), Keys::generate());
    let b = bob.pubkey().to_hex();
    let put = ev(&alice, 20, nip29::KIND_PUT_USER, &[&["h", "r"], &["p", &b]]);
    let remove = ev(
        &alice,
        20,
        nip29::KIND_REMOVE_USER,
        &[&["h", "r"], &["p", &b]],
    );
    let mut live = Rooms::replay(&garden(&alice));
    live.apply(&remove);
    live.apply(&put);
    let replayed = Rooms::replay(&[garden(&alice), vec![put, remove]].concat());
    assert_eq!(
        live, replayed,
        "the same rooms whatever order the changes arrived in"
    );
    assert!(!live.get("r").unwrap().members.contains(&bob.pubkey()));
}
