//! How members hear of what concerns them (`notify.*`): the relay announces each proposal
//! when it opens, a day before it closes and when it is decided, in notes signed with its own
//! key (so anyone following the relay's key sees them in any client), and, to members who ask
//! for it, in a direct message. The words are the community's to choose.

use serde::{Deserialize, Serialize};

/// The `notify.*` policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Notify {
    /// Publish announcements (kind 1 notes from the relay's key).
    pub announce: bool,
    /// Send direct messages to members who said nothing either way.
    pub direct: bool,
    /// The words of each moment; `{community}`, `{title}`, `{link}` and (decided) `{outcome}`
    /// are filled in.
    pub opened: String,
    pub closing: String,
    pub decided: String,
}

impl Default for Notify {
    fn default() -> Self {
        Self {
            announce: true,
            direct: false,
            opened: "New in {community}: “{title}”. Discuss it and vote: {link}".into(),
            closing: "One day left to vote in {community} on “{title}”: {link}".into(),
            decided: "Decided in {community}: “{title}” {outcome}. {link}".into(),
        }
    }
}

/// A moment members hear of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    Opened,
    Closing,
    Decided,
}

impl Moment {
    /// The `t` tag an announcement of this moment carries (so a relay finds, after a restart,
    /// which reminders it already sent).
    pub fn as_str(self) -> &'static str {
        match self {
            Moment::Opened => "opened",
            Moment::Closing => "closing",
            Moment::Decided => "decided",
        }
    }
}

impl Notify {
    /// The words for `moment`, filled in.
    pub fn text(
        &self,
        moment: Moment,
        community: &str,
        title: &str,
        link: &str,
        outcome: &str,
    ) -> String {
        let template = match moment {
            Moment::Opened => &self.opened,
            Moment::Closing => &self.closing,
            Moment::Decided => &self.decided,
        };
        template
            .replace("{community}", community)
            .replace("{title}", title)
            .replace("{link}", link)
            .replace("{outcome}", outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_filled_in() {
        let n = Notify::default();
        let t = n.text(
            Moment::Decided,
            "Elm Street",
            "Shorter notes",
            "https://x/p/1",
            "passed",
        );
        assert_eq!(
            t,
            "Decided in Elm Street: “Shorter notes” passed. https://x/p/1"
        );
        assert!(
            n.text(Moment::Opened, "E", "T", "L", "")
                .contains("Discuss it and vote: L")
        );
    }
}
