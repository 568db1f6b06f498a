//! A proposal's page: its text, what it would change, how it is decided, where the vote
//! stands and who voted what, the decision once made, and the deliberation (NIP-22 comments).

use std::collections::BTreeMap;

use governance::decision::Resolution;
use governance::tally::Tally;
use governance::{Action, Decision, Proposal, Vote};
use maud::{Markup, html};
use nips::{Event, EventId};

use super::cards::title;
use super::format::{self, Names, person};
use super::layout::{self, Nav};
use super::{Visit, data};
use crate::community::view::OpenView;
use crate::relay::{Relay, unix_now};

/// Where a proposal is: open (with its live standing) or decided.
enum Stage {
    Open(Box<OpenView>),
    /// The decision, and the class rule it was decided under.
    Decided(Box<(Event, Decision)>, governance::ClassRule),
}

/// Voters listed by name; the tally counts them all.
const MAX_VOTERS: usize = 200;
/// Votes read for a decided proposal's list of voters.
const VOTES_READ: u64 = 1_000;
/// Characters of a comment shown in the discussion; the rest is a link away.
const COMMENT_CHARS: usize = 2_000;

/// `?before=` pages back through the discussion (comments dated at or before it); `?comment=`
/// shows one comment whole.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Params {
    pub before: Option<u64>,
    pub comment: Option<String>,
}

pub async fn page(v: &Visit<'_>, id: &str, q: &Params) -> Option<Markup> {
    let relay = v.relay;
    let id: EventId = id.parse().ok()?;
    let view = relay.community.view().await;
    let amendments: Vec<Proposal> = view
        .open
        .iter()
        .filter(|o| o.proposal.amends == Some(id))
        .map(|o| o.proposal.clone())
        .collect();
    let (proposal, stage) = match view.open.iter().find(|o| o.proposal.id == id) {
        Some(open) => (open.proposal.clone(), Stage::Open(Box::new(open.clone()))),
        None => {
            let decided = data::decisions(v)
                .await
                .iter()
                .find(|(_, d)| d.proposal == Some(id))?
                .clone();
            let event = data::by_ids(v, &[id]).await.remove(&id);
            let proposal = match event.as_ref().map(Proposal::parse) {
                Some(Ok(Some(p))) => p,
                _ => stand_in(&decided.1, id)?,
            };
            let rule = relay
                .community
                .rule_at(proposal.class, proposal.created_at)
                .await;
            (proposal, Stage::Decided(Box::new(decided), rule))
        }
    };
    if !v.members && proposal.author != relay.community.pubkey() {
        let body = html! { h1 { "A member's proposal" } p { "This community's discussion is for its members." } };
        return Some(layout::page(relay, "Proposal", Nav::None, body));
    }
    // Votes are members' events, shown as REQ serves them; and how each member voted on
    // letting someone in is for members only, on any relay (a candidate would learn who
    // turned them away). The tally is the relay's public record.
    let admission = matches!(proposal.action, Action::Admit(_));
    let private_choices = !v.members || (admission && !v.member);
    let (votes, reasons) = match private_choices {
        true => (Vec::new(), Reasons::new()),
        false => votes(v, &id, &stage).await,
    };
    let discussion = Discussion::read(v, &id, q).await;
    // An amendment names the proposal it amends by its title.
    let original_title = match proposal.amends {
        Some(original) => data::by_ids(v, &[original])
            .await
            .remove(&original)
            .and_then(|e| Proposal::parse(&e).ok().flatten())
            .map(|o| title(&o)),
        None => None,
    };
    let keys = std::iter::once(proposal.author)
        .chain(votes.iter().take(MAX_VOTERS).map(|v| v.voter))
        .chain(discussion.comments.iter().map(|c| c.pubkey));
    let names = data::names(v, keys).await;
    let body = html! {
        article class="proposal-page" data-live="1018,1111,8002" data-proposal=(id.to_hex()) {
            h1 { (title(&proposal)) }
            p class="meta" {
                "Proposed by " (person(&proposal.author, &names)) " on " (super::format::when(proposal.created_at))
                " · " span class="class" { (proposal.class.as_str()) }
            }
            div class="text" { (body_text(&proposal)) }
            (amendment_links(&proposal, original_title.as_deref(), &amendments, &stage))
            (change_section(relay, &proposal, &names, &stage))
            (standing(relay, &proposal, &stage))
            (voters(&votes, &reasons, &names, private_choices))
            (discussion.render(v, &proposal, &names))
        }
    };
    Some(layout::page(relay, &title(&proposal), Nav::None, body))
}

/// The proposal's text below its title line.
fn body_text(p: &Proposal) -> String {
    let mut lines = p.title.lines();
    lines.next();
    lines.collect::<Vec<_>>().join("\n").trim().to_string()
}

/// A proposal whose event is gone (its author vanished), rebuilt from its decision.
fn stand_in(d: &Decision, id: EventId) -> Option<Proposal> {
    let action = d.action.clone()?;
    Some(Proposal {
        id,
        author: d.author.unwrap_or(nips::PubKey([0; 32])),
        created_at: 0,
        ends_at: 0,
        class: action.class(),
        block: false,
        title: d.reason.clone(),
        action,
        amends: d.amends,
    })
}

/// Each voter's latest vote (for a decided proposal, among the latest [`VOTES_READ`]), and
/// the reasons given with votes (their content), by vote id.
async fn votes(v: &Visit<'_>, id: &EventId, stage: &Stage) -> (Vec<Vote>, Reasons) {
    // An open proposal's votes are in memory; its reasons are read only when there are votes.
    let events = match stage {
        Stage::Open(open) if open.votes.is_empty() => Vec::new(),
        _ => data::votes(v, id, VOTES_READ).await,
    };
    let reasons: Reasons = events
        .iter()
        .filter(|e| !e.content.trim().is_empty())
        .map(|e| (e.id, e.content.trim().chars().take(MAX_REASON).collect()))
        .collect();
    if let Stage::Open(open) = stage {
        return (open.votes.clone(), reasons);
    }
    let mut latest: BTreeMap<nips::PubKey, Vote> = BTreeMap::new();
    for v in events.iter().filter_map(Vote::parse) {
        match latest.get(&v.voter) {
            Some(prev) if !v.supersedes(prev) => {}
            _ => {
                latest.insert(v.voter, v);
            }
        }
    }
    (latest.into_values().collect(), reasons)
}

/// Which proposal this one amends, and the open amendments of this one.
fn amendment_links(
    p: &Proposal,
    original_title: Option<&str>,
    amendments: &[Proposal],
    stage: &Stage,
) -> Markup {
    let amendable = matches!(stage, Stage::Open(_)) && p.amends.is_none() && p.action.amendable();
    html! {
        @if let Some(original) = p.amends {
            p class="amends" {
                "An amendment of " a href=(format!("/proposals/{}", original.to_hex())) { "“" (original_title.unwrap_or("another proposal")) "”" }
                ": if it passes, its change replaces that proposal's before that one is decided."
            }
        }
        @if !amendments.is_empty() {
            section aria-labelledby="amendments-title" class="amendments" {
                h2 id="amendments-title" { "Amendments" }
                p class="hint" { "This proposal is not decided while an amendment of it is open." }
                ul {
                    @for a in amendments {
                        li { a href=(format!("/proposals/{}", a.id.to_hex())) { (title(a)) } " · ends " (super::format::when(a.ends_at)) }
                    }
                }
            }
        }
        @if amendable {
            p { a class="amend" href=(format!("/propose?amends={}", p.id.to_hex())) { "Propose an amendment" } }
        }
    }
}

/// What the proposal would change (while open: its action as amended, against the values
/// now) or changed.
fn change_section(relay: &Relay, p: &Proposal, names: &Names, stage: &Stage) -> Markup {
    let doc = format::doc_of(&relay.snapshot().policy);
    let (open, action) = match stage {
        Stage::Open(o) => (true, &o.action),
        Stage::Decided(d, _) => (false, d.1.action.as_ref().unwrap_or(&p.action)),
    };
    html! {
        section aria-labelledby="change-title" {
            @if open {
                h2 id="change-title" { "What it would change" }
                p { (format::action_summary(action, &doc, names)) }
                @if action != &p.action { p class="hint" { "As amended." } }
            } @else {
                h2 id="change-title" { "What it asked for" }
                p { (format::action_done(action, names)) }
            }
            @if let (true, Action::Set(changes) | Action::Constitution(changes)) = (open, action) {
                table {
                    thead { tr { th scope="col" { "Parameter" } th scope="col" { "Now" } th scope="col" { "Proposed" } } }
                    tbody {
                        @for c in changes {
                            tr {
                                th scope="row" { (super::words::label(&c.name)) br; code class="key" { (c.name) } }
                                td { (super::words::value(&c.name, doc.get(&c.name))) }
                                td { (super::words::value(&c.name, Some(&c.value))) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn standing(relay: &Relay, p: &Proposal, stage: &Stage) -> Markup {
    let now = unix_now();
    match stage {
        Stage::Open(open) if now < open.opens => html! {
            section aria-labelledby="vote-title" id="standing" data-refresh {
                h2 id="vote-title" { "Deliberation" }
                p class="deliberation" {
                    "Open for discussion until " strong { (super::format::when(open.opens)) } " (in " (format::duration(open.opens - now)) "). "
                    "Votes count from then until " (super::format::when(p.ends_at)) "."
                }
                p { "Decided by the " strong { (p.class.as_str()) } " rule: " (format::rule_text(&open.rules.rule)) "." }
                p class="hint" { "Say what you think below; a member who sees a better way can propose an amendment." }
            }
        },
        Stage::Open(open) => html! {
            section aria-labelledby="vote-title" id="standing" data-refresh {
                h2 id="vote-title" { "The vote" }
                p { "Decided by the " strong { (p.class.as_str()) } " rule: " (format::rule_text(&open.rules.rule)) "." }
                @if open.rules.founders.is_some() { p class="hint" { "Until the founders' sunset, a vote in which every founder took part meets the quorum." } }
                @if let Some(k) = open.rules.vouches { p class="hint" { "It passes as soon as " (k) " members vouch (vote yes) and nobody blocks." } }
                @if let Some(since) = open.revote_since {
                    p class="notice revote" {
                        "An amendment changed this proposal on " (super::format::when(since)) ". Votes cast before it no longer count: "
                        "everyone votes again on what it proposes now."
                    }
                }
                (layout::tally_bars(&open.tally, p.block))
                (layout::turnout(&open.tally, open.quorum))
                @if let Some(at) = open.closes_settled {
                    p class="notice settled" { "Everyone has voted. The vote " (format::time_left(at, now)) " (" (super::format::when(at)) ") unless someone changes their vote." }
                } @else {
                    p { strong { (format::time_left(open.ends, now)) } " (" (super::format::when(open.ends)) ")" (early_close(&open.rules.rule)) }
                }
                div class="vote" data-proposal=(p.id.to_hex()) {
                    p class="hint" { span class="signed-out" { "Sign in to vote. " } "Your latest vote counts; you may change it until the vote closes." }
                    p class="my-vote" id="my-vote" aria-live="polite" {}
                    label for="vote-reason" { "Why (optional, shown beside your vote)" }
                    textarea id="vote-reason" rows="2" maxlength=(MAX_REASON) {}
                    @for option in governance::proposal::OPTIONS.iter().chain(p.block.then_some(&"block")) {
                        button type="button" data-vote=(option) disabled { (vote_label(option)) }
                    }
                }
            }
        },
        Stage::Decided(decided, rule) => {
            let (event, d) = &**decided;
            let t = d.tally.as_ref().map(|t| Tally {
                yes: t.counts[0],
                no: t.counts[1],
                abstain: t.counts[2],
                block: t.counts[3],
                electorate: t.electorate,
                ..Tally::default()
            });
            html! {
                section aria-labelledby="vote-title" id="standing" data-refresh {
                    h2 id="vote-title" { "The decision" }
                    p {
                        span class=(format!("result {}", d.resolution.as_str())) { (resolution_text(d.resolution)) }
                        " on " (super::format::when(event.created_at)) ". "
                        a href=(format!("/decisions#{}", event.id.to_hex())) { "In the decision log" }
                    }
                    @if let Some(t) = &t { p class="why" { (why(d.resolution, t, rule, p.class)) } }
                    @if let Some(t) = &t { (layout::tally_bars(t, t.block > 0 || p.block)) }
                    @if let Some(n) = d.tally.as_ref().map(|t| t.delegated).filter(|n| *n > 0) {
                        p class="hint" { (n) " of these votes were cast through delegations: members who did not vote counted as the member they lend their vote to." }
                    }
                    @if relay.snapshot().policy.version == d.version { p class="hint" { "The policy in force is the one this decision left." } }
                }
            }
        }
    }
}

fn vote_label(option: &str) -> &'static str {
    match option {
        "yes" => "Yes",
        "no" => "No",
        "abstain" => "Abstain",
        _ => "Block",
    }
}

fn resolution_text(r: Resolution) -> &'static str {
    match r {
        Resolution::Passed => "Passed",
        Resolution::Failed => "Failed",
        Resolution::NoQuorum => "No quorum",
        Resolution::Reverted => "Not ratified: reverted",
        Resolution::Emergency => "Emergency",
        Resolution::Genesis => "Genesis",
        Resolution::Cofounder => "A co-founder joined",
    }
}

/// Reasons given with votes, by vote id.
type Reasons = BTreeMap<EventId, String>;

/// The most of a vote's reason a page shows.
const MAX_REASON: usize = 500;

fn voters(votes: &[Vote], reasons: &Reasons, names: &Names, private: bool) -> Markup {
    html! {
        section aria-labelledby="voters-title" id="voters" data-refresh {
            h2 id="voters-title" { "Who voted" }
            @if private { p data-members-see { "How each member voted is shown to members. Sign in as a member to see it." } }
            @else if votes.is_empty() { p { "Nobody yet." } }
            @if votes.len() > MAX_VOTERS { p class="hint" { (votes.len()) " members voted; the first " (MAX_VOTERS) " are listed." } }
            ul class="voters" {
                @for v in votes.iter().take(MAX_VOTERS) {
                    li data-voter=(v.voter.to_hex()) {
                        (person(&v.voter, names)) ": "
                        span class=(format!("choice {}", v.choice.as_str())) { (v.choice.as_str()) }
                        " " (super::format::when(v.created_at))
                        @if let Some(reason) = reasons.get(&v.id) { " " q class="reason" { (reason) } }
                    }
                }
            }
        }
    }
}

/// The discussion a page shows: one page of comments (or one comment whole), and where the
/// older ones are.
struct Discussion {
    comments: Vec<Event>,
    /// Older comments exist: the link to them asks for those dated at or before this.
    older: Option<u64>,
    /// The one comment asked for by `?comment=`, shown whole.
    single: bool,
}

impl Discussion {
    async fn read(v: &Visit<'_>, proposal: &EventId, q: &Params) -> Self {
        if let Some(id) = q.comment.as_deref().and_then(|c| c.parse::<EventId>().ok()) {
            let comments = data::comment(v, proposal, &id).await.into_iter().collect();
            return Self {
                comments,
                older: None,
                single: true,
            };
        }
        let (comments, more) = data::comments(v, proposal, q.before).await;
        let older = more
            .then(|| comments.first().map(|c| c.created_at))
            .flatten();
        Self {
            comments,
            older,
            single: false,
        }
    }

    /// Comments, nested by the comment they answer (NIP-22 `e`), with a form to add one. A
    /// reply whose comment is on an older page stands at the top level.
    fn render(&self, v: &Visit<'_>, p: &Proposal, names: &Names) -> Markup {
        let root = p.id.to_hex();
        let here: std::collections::HashSet<String> =
            self.comments.iter().map(|c| c.id.to_hex()).collect();
        let mut children: BTreeMap<String, Vec<&Event>> = BTreeMap::new();
        for c in &self.comments {
            let parent = c
                .first_tag_value("e")
                .filter(|e| here.contains(*e))
                .unwrap_or(&root)
                .to_string();
            children.entry(parent).or_default().push(c);
        }
        let page = format!("/proposals/{root}");
        html! {
            section aria-labelledby="talk-title" class="discussion" {
                div id="thread" data-refresh {
                    h2 id="talk-title" { "Discussion" }
                    @if !v.members { p { "The discussion is for members." } }
                    @if self.single {
                        p { a href=(page) { "The whole discussion" } }
                        @for c in &self.comments { (comment(c, names, usize::MAX)) }
                    } @else {
                        @if let Some(older) = self.older {
                            p class="pager" { a href=(format!("{page}?before={older}#thread")) { "Older comments" } }
                        }
                        (thread(&root, &children, names, 0))
                    }
                }
                form class="comment" data-root=(root) data-root-author=(p.author.to_hex()) {
                    label for="comment-text" { "Add to the discussion" }
                    textarea id="comment-text" name="content" rows="3" required {}
                    button type="submit" disabled { "Comment" }
                }
            }
        }
    }
}

/// One comment: its author, date and text (shortened to `chars`, with a link to the rest).
fn comment(c: &Event, names: &Names, chars: usize) -> Markup {
    let long = c.content.chars().nth(chars).is_some();
    let proposal = c.first_tag_value("E").unwrap_or_default();
    html! {
        p class="meta" { (person(&c.pubkey, names)) " · " (super::format::when(c.created_at)) }
        div class="text" {
            @if long {
                (c.content.chars().take(chars).collect::<String>()) "… "
                a href=(format!("/proposals/{proposal}?comment={}", c.id.to_hex())) { "Read it all" }
            } @else {
                (c.content)
            }
        }
    }
}

fn thread(
    parent: &str,
    children: &BTreeMap<String, Vec<&Event>>,
    names: &Names,
    depth: usize,
) -> Markup {
    let Some(list) = children.get(parent) else {
        return html! {};
    };
    html! {
        ol class="thread" {
            @for c in list {
                li id=(format!("c-{}", c.id.to_hex())) {
                    (comment(c, names, COMMENT_CHARS))
                    button type="button" class="reply" data-reply-to=(c.id.to_hex()) data-reply-author=(c.pubkey.to_hex()) disabled { "Reply" }
                    @if depth < MAX_DEPTH {
                        (thread(&c.id.to_hex(), children, names, depth + 1))
                    } @else {
                        (flat(&c.id.to_hex(), children, names))
                    }
                }
            }
        }
    }
}

/// Replies nest this deep; deeper ones are listed flat under the last level.
const MAX_DEPTH: usize = 6;

/// Every reply below `parent`, in one list, oldest first.
fn flat(parent: &str, children: &BTreeMap<String, Vec<&Event>>, names: &Names) -> Markup {
    let mut all: Vec<&Event> = Vec::new();
    let mut stack = vec![parent.to_string()];
    while let Some(id) = stack.pop() {
        for c in children.get(&id).into_iter().flatten() {
            all.push(c);
            stack.push(c.id.to_hex());
        }
    }
    all.sort_by_key(|c| (c.created_at, c.id));
    html! {
        @if !all.is_empty() {
            ol class="thread flat" {
                @for c in all {
                    li id=(format!("c-{}", c.id.to_hex())) { (comment(c, names, COMMENT_CHARS)) }
                }
            }
        }
    }
}

/// How a proposal may close before its end, in words.
fn early_close(rule: &governance::ClassRule) -> String {
    match rule.grace {
        Some(g) if g > 0 => format!(", or {} after everyone has voted.", format::duration(g)),
        _ => ", or as soon as everyone has voted.".into(),
    }
}

/// Why a vote ended as it did, in a sentence: the counts, and for a proposal that did not pass,
/// what it lacked under its class's rule (a tie under a rule that needs more yes than no).
fn why(
    resolution: Resolution,
    t: &Tally,
    rule: &governance::ClassRule,
    class: governance::Class,
) -> String {
    let counts = format!(
        "{} yes, {} no, {} abstained{}; {} of {} members voted",
        t.yes,
        t.no,
        t.abstain,
        match t.block {
            0 => String::new(),
            n => format!(", {n} blocked"),
        },
        t.turnout(),
        t.electorate
    );
    let lacked = match resolution {
        Resolution::Passed => return format!("It passed: {counts}."),
        Resolution::NoQuorum => {
            return format!("Too few members voted for the result to stand: {counts}.");
        }
        Resolution::Failed if t.block > 0 && rule.blocked(t.block, t.turnout()) => {
            "blocks sink it".to_string()
        }
        Resolution::Failed if t.yes == t.no && t.yes > 0 => {
            format!("a tie does not pass under the {class} rule, which needs more yes than no")
        }
        Resolution::Failed if t.yes < rule.min_yes => {
            format!("the {class} rule needs at least {} yes votes", rule.min_yes)
        }
        Resolution::Failed => format!(
            "the {class} rule needs {}{}/{} of the yes and no votes to be yes",
            if rule.pass_strict { "more than " } else { "" },
            rule.pass_num,
            rule.pass_den
        ),
        _ => return format!("{counts}."),
    };
    format!("It did not pass: {counts}; {lacked}.")
}
