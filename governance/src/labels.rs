//! Every governed parameter in words: a plain label, a sentence on what it does for members,
//! its unit and its group. One place, read by the relay's NIP-11, the page's forms and policy
//! table, and the documentation; the dotted name stays a detail for those who want it.

use crate::class::Class;

/// The unit of a parameter's value, which decides how a form asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A length of time in seconds: asked for in days, hours or minutes.
    Seconds,
    /// A moment (Unix time); 0 for none.
    Time,
    Characters,
    Bytes,
    Percent,
    /// A count of something, named in the label.
    Count,
    /// Yes or no, a choice of words, text, or a list.
    None,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Seconds => "seconds",
            Unit::Time => "time",
            Unit::Characters => "characters",
            Unit::Bytes => "bytes",
            Unit::Percent => "percent",
            Unit::Count => "count",
            Unit::None => "",
        }
    }
}

/// Where a parameter is listed, in the order a member looks for them.
pub const GROUPS: &[&str] = &[
    "About the community",
    "Joining",
    "Reading",
    "Posting limits",
    "Slowing things down",
    "Moderation",
    "How decisions are made",
    "Hearing of votes",
    "Founders and operators",
    "Technical limits",
];

/// A parameter in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Words {
    pub label: String,
    pub description: String,
    pub unit: Unit,
    pub group: &'static str,
}

fn words(label: &str, description: &str, unit: Unit, group: &'static str) -> Words {
    Words {
        label: label.into(),
        description: description.into(),
        unit,
        group,
    }
}

/// Parameter `name` in words; every governed parameter has them (see the test).
pub fn of(name: &str) -> Option<Words> {
    fixed(name)
        .or_else(|| limitation(name.strip_prefix("limitation.")?))
        .or_else(|| rate(name.strip_prefix("rate.")?))
        .or_else(|| class(name.strip_prefix("classes.")?))
}

fn fixed(name: &str) -> Option<Words> {
    use Unit::*;
    let (label, description, unit, group) = match name {
        "info.name" => (
            "Name",
            "The community's name, as clients and the page show it.",
            None,
            GROUPS[0],
        ),
        "info.description" => (
            "Description",
            "What the community is about, in a few sentences.",
            None,
            GROUPS[0],
        ),
        "info.icon" => (
            "Picture",
            "The address of the community's picture.",
            None,
            GROUPS[0],
        ),
        "admission.mode" => (
            "How people join",
            "open: anyone may post; invite: with a member's invite link; vouch: when enough members vouch; vote: when the members vote them in.",
            None,
            GROUPS[1],
        ),
        "admission.vouches_required" => (
            "Vouches needed to join",
            "How many members must vouch for a newcomer when joining is by vouching.",
            Count,
            GROUPS[1],
        ),
        "admission.invites_per_member" => (
            "Invite links per member",
            "How many unused invite links a member may hold at once.",
            Count,
            GROUPS[1],
        ),
        "admission.invite_expiry" => (
            "Invite links last",
            "How long an invite link works before it expires.",
            Seconds,
            GROUPS[1],
        ),
        "admission.max_open_requests" => (
            "Join requests waiting at once",
            "How many requests to join may wait for the members at the same time.",
            Count,
            GROUPS[1],
        ),
        "admission.read" => (
            "Who can read",
            "public: anyone; members: only members, signed in.",
            None,
            GROUPS[2],
        ),
        "visibility.reactions" => (
            "Who sees reactions",
            "public: anyone who can read; private: only the person reacted to.",
            None,
            GROUPS[2],
        ),
        "visibility.followers" => (
            "Who sees who follows whom",
            "public: anyone who can read; private: each person sees only their own followers.",
            None,
            GROUPS[2],
        ),
        "kinds.allowed" => (
            "Only these kinds of posts",
            "Event kind numbers the community accepts; empty accepts every kind not blocked.",
            None,
            GROUPS[3],
        ),
        "kinds.blocked" => (
            "Kinds of posts refused",
            "Event kind numbers the community never accepts.",
            None,
            GROUPS[3],
        ),
        "reports.threshold" => (
            "Reports that start a moderation vote",
            "How many members must report the same post or person before the relay puts it to a vote.",
            Count,
            GROUPS[5],
        ),
        "reports.ban_duration" => (
            "Ban proposed after reports",
            "How long the ban that such a vote proposes lasts.",
            Seconds,
            GROUPS[5],
        ),
        "proposals.max_open_per_member" => (
            "Open proposals per member",
            "How many proposals one member may have open at once.",
            Count,
            GROUPS[6],
        ),
        "proposals.min_window" => (
            "Shortest vote",
            "The least time any proposal's vote stays open.",
            Seconds,
            GROUPS[6],
        ),
        "notify.announce" => (
            "Announce votes publicly",
            "Whether the relay posts a note, signed with its key, when a vote opens, the day before it closes, and when it is decided.",
            None,
            GROUPS[7],
        ),
        "notify.direct" => (
            "Message members by default",
            "Whether members who chose nothing get a private message for each of those moments.",
            None,
            GROUPS[7],
        ),
        "notify.opened" => (
            "Message when a vote opens",
            "The words of that message; {community}, {title} and {link} are filled in.",
            None,
            GROUPS[7],
        ),
        "notify.closing" => (
            "Message the day before a vote closes",
            "The words of that message.",
            None,
            GROUPS[7],
        ),
        "notify.decided" => (
            "Message when a vote is decided",
            "The words of that message; {outcome} is filled in too.",
            None,
            GROUPS[7],
        ),
        "founders.keys" => (
            "Founders",
            "The founders' keys; until the sunset, a vote in which every founder took part meets the quorum.",
            None,
            GROUPS[8],
        ),
        "founders.sunset_members" => (
            "Founders step back at this many members",
            "When the community reaches this many members, founders lose their special powers.",
            Count,
            GROUPS[8],
        ),
        "founders.sunset_at" => (
            "Founders step back on",
            "The date founders lose their special powers; none if not set.",
            Time,
            GROUPS[8],
        ),
        "founders.invites" => (
            "Unused co-founder links",
            "Fingerprints of co-founder links not used yet.",
            None,
            GROUPS[8],
        ),
        "founders.invites_until" => (
            "Co-founder links work until",
            "The last moment a co-founder link works.",
            Time,
            GROUPS[8],
        ),
        "operators.keys" => (
            "Operators",
            "Keys that may act in an emergency; members then ratify or undo what they did.",
            None,
            GROUPS[8],
        ),
        "operators.methods" => (
            "What operators may do in an emergency",
            "The management methods operators may use.",
            None,
            GROUPS[8],
        ),
        "rooms.create" => (
            "Who may create rooms",
            "members: any member may open a room to talk in; operators: only the operators.",
            None,
            GROUPS[5],
        ),
        _ => return Option::None,
    };
    Some(words(label, description, unit, group))
}

fn limitation(field: &str) -> Option<Words> {
    use Unit::*;
    let g = GROUPS[9];
    let (label, description, unit, group) = match field {
        "max_content_length" => (
            "Longest post",
            "The most characters a note, comment or proposal may have.",
            Characters,
            GROUPS[3],
        ),
        "max_event_tags" => (
            "Most tags on a post",
            "The most tags (mentions, links, topics) one event may carry.",
            Count,
            GROUPS[3],
        ),
        "max_event_size" => (
            "Largest event",
            "The most bytes one event may take, everything included.",
            Bytes,
            g,
        ),
        "max_message_length" => (
            "Largest message",
            "The most bytes one message to the relay may take.",
            Bytes,
            g,
        ),
        "max_subscriptions" => (
            "Subscriptions per connection",
            "How many feeds one app may keep open at once.",
            Count,
            g,
        ),
        "max_filters" => (
            "Filters per request",
            "How many filters one request may hold.",
            Count,
            g,
        ),
        "max_filter_values" => (
            "Values per filter",
            "How many ids, keys or tags one filter may list.",
            Count,
            g,
        ),
        "max_limit" => (
            "Most events per request",
            "The most events one request returns.",
            Count,
            g,
        ),
        "default_limit" => (
            "Events per request by default",
            "How many events a request returns when it does not say.",
            Count,
            g,
        ),
        "max_subid_length" => (
            "Longest subscription name",
            "The most characters an app may use to name a feed.",
            Characters,
            g,
        ),
        "min_pow_difficulty" => (
            "Proof of work asked",
            "How much computing work each event must show (0: none).",
            Count,
            GROUPS[4],
        ),
        "created_at_lower_limit" => (
            "Oldest date accepted",
            "How far in the past an event's date may be (0: any).",
            Seconds,
            g,
        ),
        "created_at_upper_limit" => (
            "Latest date accepted",
            "How far in the future an event's date may be.",
            Seconds,
            g,
        ),
        _ => return Option::None,
    };
    Some(words(label, description, unit, group))
}

/// Who a tier's value is for, in words.
fn tier(who: &str) -> Option<&'static str> {
    match who {
        "members" => Some("a member"),
        "others" => Some("someone who is not a member"),
        _ => Option::None,
    }
}

fn sort_of(class: &str) -> Option<&'static str> {
    Some(match class {
        "metadata" => "profiles and lists",
        "notes" => "notes, comments, votes and proposals",
        "reactions" => "reactions and reposts",
        "other" => "other events",
        "reposts" => "reposts",
        "replies" => "replies and quotes",
        "mentions" => "mentions",
        _ => return Option::None,
    })
}

fn rate(name: &str) -> Option<Words> {
    use Unit::*;
    let g = GROUPS[4];
    let fixed =
        |label: &str, description: &str, unit: Unit| Some(words(label, description, unit, g));
    match name {
        "connections_per_minute" => {
            return fixed(
                "New connections a minute, per address",
                "How often one internet address may connect (0: no limit).",
                Count,
            );
        }
        "connections_per_ip" => {
            return fixed(
                "Connections at once, per address",
                "How many apps one internet address may keep connected (0: no limit).",
                Count,
            );
        }
        "messages_per_second" => {
            return fixed(
                "Messages a second, per connection",
                "How fast one app may send (0: no limit).",
                Count,
            );
        }
        "pow_non_members_only" => {
            return fixed(
                "Proof of work only for non-members",
                "Whether members are spared the proof of work asked of everyone else.",
                None,
            );
        }
        "strikes_before_disconnect" => {
            return fixed(
                "Refusals before disconnecting",
                "How many refused messages in a minute close a connection.",
                Count,
            );
        }
        "ip_backoff" => {
            return fixed(
                "Wait after being disconnected",
                "How long an address that keeps being disconnected must wait, doubling each time.",
                Seconds,
            );
        }
        "joins_per_minute_per_ip" => {
            return fixed(
                "Join requests a minute, per address",
                "How many requests to join one address may send.",
                Count,
            );
        }
        "joins_per_minute" => {
            return fixed(
                "Join requests a minute, in all",
                "How many requests to join the members are asked to look at.",
                Count,
            );
        }
        "wraps_per_minute_per_ip" => {
            return fixed(
                "Private messages a minute, per sending address",
                "How many private messages one address may send.",
                Count,
            );
        }
        "wraps_per_minute_per_recipient" => {
            return fixed(
                "Private messages a minute, per person",
                "How many private messages one person may receive.",
                Count,
            );
        }
        "signer_messages_per_minute_per_ip" => {
            return fixed(
                "Signer-app messages a minute, per address",
                "How many messages between apps and signer apps one address may send.",
                Count,
            );
        }
        "signer_messages_per_minute_per_recipient" => {
            return fixed(
                "Signer-app messages a minute, per key",
                "How many such messages one key may receive.",
                Count,
            );
        }
        "target.window" => {
            return fixed(
                "Flood window",
                "The time over which reposts, reactions, replies and mentions of one post or person are counted.",
                Seconds,
            );
        }
        "target.cooloff" => {
            return fixed(
                "Flood pause",
                "After a post or person gets too much attention, how long it takes no more of that sort.",
                Seconds,
            );
        }
        _ => {}
    }
    let parts: Vec<&str> = name.split('.').collect();
    let (label, description) = match parts.as_slice() {
        ["reqs_per_minute", who] => (
            format!("Requests a minute, for {}", tier(who)?),
            format!(
                "How many reads {} may make a minute (0: no limit).",
                tier(who)?
            ),
        ),
        ["events_per_minute", sort, who] => (
            format!("{} a minute, for {}", capital(sort_of(sort)?), tier(who)?),
            format!(
                "How many {} {} may post a minute (0: no limit).",
                sort_of(sort)?,
                tier(who)?
            ),
        ),
        ["events_burst", sort, who] => (
            format!("{} at once, for {}", capital(sort_of(sort)?), tier(who)?),
            format!(
                "How many {} {} may post in a burst before the per-minute limit applies.",
                sort_of(sort)?,
                tier(who)?
            ),
        ),
        ["target", sort, who] => (
            format!(
                "{} of one post or person, from {}",
                capital(sort_of(sort)?),
                plural(tier(who)?)
            ),
            format!(
                "How many {} one post or person may get from {} in the flood window (0: no limit).",
                sort_of(sort)?,
                plural(tier(who)?)
            ),
        ),
        ["min_interval", paced, who] => {
            let what = match *paced {
                "notes" => "new notes",
                "replies" => "replies",
                _ => return Option::None,
            };
            (
                format!("Slow mode: time between {what}, for {}", tier(who)?),
                format!(
                    "The least time between two {what} of {} (0: off).",
                    tier(who)?
                ),
            )
        }
        _ => return Option::None,
    };
    let unit = match parts[0] {
        "min_interval" => Seconds,
        _ => Count,
    };
    Some(Words {
        label,
        description,
        unit,
        group: g,
    })
}

fn capital(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn plural(who: &str) -> &'static str {
    match who {
        "a member" => "members",
        _ => "non-members",
    }
}

fn class(rest: &str) -> Option<Words> {
    use Unit::*;
    let (class, field) = rest.split_once('.')?;
    let class: Class = class.parse().ok()?;
    let of = match class {
        Class::Moderation => "moderation votes",
        Class::Admission => "votes on newcomers",
        Class::Membership => "membership votes",
        Class::Ordinary => "ordinary rule changes",
        Class::Constitutional => "constitutional changes",
    };
    let (label, description, unit) = match field {
        "quorum_percent" => (
            "Quorum",
            "The share of members who must vote (abstaining counts) for the result to stand.",
            Percent,
        ),
        "quorum_min" => (
            "Quorum, at least",
            "The fewest voters for the result to stand, whatever the share.",
            Count,
        ),
        "pass_num" => (
            "Share of yes needed (numerator)",
            "With the denominator, the share of yes among yes and no needed to pass (1 of 2: half).",
            Count,
        ),
        "pass_den" => (
            "Share of yes needed (denominator)",
            "With the numerator, the share of yes among yes and no needed to pass.",
            Count,
        ),
        "pass_strict" => (
            "More than that share",
            "Whether yes must exceed the share (a tie does not pass) rather than reach it.",
            None,
        ),
        "min_yes" => (
            "Yes votes needed, at least",
            "The fewest yes votes that pass a proposal, whatever the share.",
            Count,
        ),
        "block" => (
            "Blocking allowed",
            "Whether members may block: a block is a strong no that sinks the proposal.",
            None,
        ),
        "max_block_percent" => (
            "Blocks that sink it",
            "The share of voters blocking that sinks a proposal (0: any block).",
            Percent,
        ),
        "window" => (
            "Longest vote",
            "The most time a vote may stay open.",
            Seconds,
        ),
        "deliberation" => (
            "Discussion before voting",
            "How long members discuss a proposal before votes count.",
            Seconds,
        ),
        "revote" => (
            "New vote after an amendment",
            "How long a proposal stays open for everyone to vote again after an amendment changes it.",
            Seconds,
        ),
        "grace" => (
            "Time to change one's mind",
            "Once everyone has voted, how long the vote stays open after the last vote.",
            Seconds,
        ),
        _ => return Option::None,
    };
    Some(Words {
        label: format!("{label}: {of}"),
        description: description.into(),
        unit,
        group: GROUPS[6],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_parameter_has_words() {
        for spec in crate::params::all() {
            let w = of(&spec.name).unwrap_or_else(|| panic!("{} has no words", spec.name));
            assert!(!w.label.contains('.'), "{}: a label, not a key", spec.name);
            assert!(!w.label.contains('_'), "{}: {}", spec.name, w.label);
            assert!(w.description.ends_with('.'), "{}", spec.name);
            assert!(GROUPS.contains(&w.group));
        }
        let labels: std::collections::BTreeSet<String> = crate::params::all()
            .iter()
            .filter_map(|s| of(&s.name))
            .map(|w| w.label)
            .collect();
        assert_eq!(
            labels.len(),
            crate::params::all().len(),
            "labels tell parameters apart"
        );
    }

    #[test]
    fn durations_are_asked_as_durations() {
        assert_eq!(of("classes.ordinary.window").unwrap().unit, Unit::Seconds);
        assert_eq!(of("admission.invite_expiry").unwrap().unit, Unit::Seconds);
        assert_eq!(
            of("limitation.max_content_length").unwrap().unit,
            Unit::Characters
        );
        assert_eq!(
            of("rate.events_per_minute.notes.members").unwrap().label,
            "Notes, comments, votes and proposals a minute, for a member"
        );
    }
}
