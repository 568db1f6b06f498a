//! What a member may do in rooms. Every request comes from a member in good standing (a ban
//! from the community is a ban from every room); a room's admins moderate it, within the
//! community's rules, and the community's operators may moderate any room.

use nips::{Event, EventId, PubKey, Reason, hex, nip29};

use super::{ADMIN, Creators, Room, Rooms};

/// Who is asking, as the community sees them now.
#[derive(Debug, Clone, Copy)]
pub struct Who {
    pub key: PubKey,
    /// A member in good standing (on the roster, not banned).
    pub member: bool,
    /// One of the community's operators.
    pub operator: bool,
}

/// What an accepted request comes to, besides being recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The request itself changes the room (create, put, remove, edit, delete).
    Recorded,
    /// An open room lets the member in: the relay adds them (a signed `put-user`).
    Admit(PubKey),
    /// The member leaves: the relay removes them (a signed `remove-user`).
    Release(PubKey),
    /// A closed room: the request waits for an admin.
    Pending,
    /// An admin deletes an event posted in the room.
    DeleteEvent(EventId),
}

impl Rooms {
    /// Checks a room request (`nip29::is_request`) from `who` under `creators`.
    pub fn check(&self, event: &Event, who: Who, creators: Creators) -> Result<Change, Reason> {
        let id = nip29::room(event).ok_or_else(|| Reason::invalid("name the room in an h tag"))?;
        if !nip29::valid_id(id) {
            return Err(Reason::invalid(
                "a room id is 1 to 64 letters, digits, - or _",
            ));
        }
        if !who.member {
            return Err(Reason::restricted(
                "only members of this community take part in its rooms; join the community first",
            ));
        }
        if event.kind == nip29::KIND_CREATE_GROUP {
            return self.check_create(id, who, creators);
        }
        let room = self.get(id).ok_or_else(|| no_room(id))?;
        match event.kind {
            nip29::KIND_JOIN_REQUEST => join(room, who),
            nip29::KIND_LEAVE_REQUEST => match room.members.contains(&who.key) {
                true => Ok(Change::Release(who.key)),
                false => Err(Reason::duplicate("you are not in this room")),
            },
            nip29::KIND_PUT_USER
            | nip29::KIND_REMOVE_USER
            | nip29::KIND_EDIT_METADATA
            | nip29::KIND_DELETE_EVENT
            | nip29::KIND_DELETE_GROUP => {
                if !(who.operator || room.admins.contains(&who.key)) {
                    return Err(Reason::restricted(
                        "only this room's admins (or the community's operators) may do that",
                    ));
                }
                moderate(event)
            }
            nip29::KIND_CREATE_INVITE => Err(Reason::restricted(
                "rooms here have no invite codes: add people by their key, or let them ask to join",
            )),
            _ => Err(Reason::restricted(
                "this relay does not offer that room action",
            )),
        }
    }

    fn check_create(&self, id: &str, who: Who, creators: Creators) -> Result<Change, Reason> {
        if creators == Creators::Operators && !who.operator {
            return Err(Reason::restricted(
                "in this community only its operators create rooms; ask one, or propose a change",
            ));
        }
        if self.get(id).is_some() {
            return Err(Reason::duplicate("this room already exists"));
        }
        if self.was_deleted(id) {
            return Err(Reason::duplicate(
                "a room with this id was deleted here; choose another id",
            ));
        }
        Ok(Change::Recorded)
    }

    /// May `who` post an ordinary event in room `id`? Any member may post in an open room;
    /// a closed or restricted room takes posts from its members and the operators only.
    pub fn may_post(&self, id: &str, who: Who) -> Result<(), Reason> {
        let room = self.get(id).ok_or_else(|| no_room(id))?;
        if !who.member {
            return Err(Reason::restricted(
                "only members of this community post in its rooms; join the community first",
            ));
        }
        if room.members_only() && !who.operator && !room.members.contains(&who.key) {
            return Err(Reason::restricted(
                "only this room's members post here; ask to join it first",
            ));
        }
        Ok(())
    }
}

fn no_room(id: &str) -> Reason {
    let shown: String = id.chars().take(64).collect();
    Reason::invalid(format!(
        "there is no room \"{shown}\" here; it may have been deleted"
    ))
}

fn join(room: &Room, who: Who) -> Result<Change, Reason> {
    if room.members.contains(&who.key) {
        return Err(Reason::duplicate("you are already in this room"));
    }
    Ok(match room.closed {
        true => Change::Pending,
        false => Change::Admit(who.key),
    })
}

/// The shape of an admin's request.
fn moderate(event: &Event) -> Result<Change, Reason> {
    match event.kind {
        nip29::KIND_PUT_USER => {
            let (_, roles) = nip29::target(event)
                .ok_or_else(|| Reason::invalid("name the person in a p tag (hex key)"))?;
            if roles.iter().any(|r| r != ADMIN) {
                return Err(Reason::invalid("rooms here know one role: admin"));
            }
            Ok(Change::Recorded)
        }
        nip29::KIND_REMOVE_USER => nip29::target(event)
            .map(|_| Change::Recorded)
            .ok_or_else(|| Reason::invalid("name the person in a p tag (hex key)")),
        nip29::KIND_EDIT_METADATA => {
            if event.has_tag("private") || event.has_tag("hidden") {
                return Err(Reason::restricted(
                    "every member of the community may read every room here; \
                     private or hidden rooms are not offered",
                ));
            }
            Ok(Change::Recorded)
        }
        nip29::KIND_DELETE_EVENT => event
            .first_tag_value("e")
            .and_then(hex::decode_lower::<32>)
            .map(|id| Change::DeleteEvent(EventId(id)))
            .ok_or_else(|| Reason::invalid("name the event to delete in an e tag")),
        _ => Ok(Change::Recorded),
    }
}
