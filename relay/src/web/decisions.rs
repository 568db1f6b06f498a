//! The decision log: every decision newest first, with its result, tally and electorate, a
//! chart of decisions over time, and a check of the chain the visitor's browser runs itself.

use governance::Decision;
use governance::decision::Resolution;
use maud::{Markup, html};
use nips::Event;

use super::format::{self, short_id};
use super::layout::{self, Nav};
use super::{Visit, data};
use crate::relay::unix_now;

/// Decisions listed per page, newest first.
const PER_PAGE: usize = 100;

/// `?page=` (0: the newest).
#[derive(Debug, Default, serde::Deserialize)]
pub struct Params {
    pub page: Option<usize>,
}

pub async fn page(v: &Visit<'_>, q: &Params) -> Markup {
    let relay = v.relay;
    let decisions = data::decisions(v).await;
    let pages = decisions.len().div_ceil(PER_PAGE).max(1);
    let n = q.page.unwrap_or(0).min(pages - 1);
    let shown =
        &decisions[(n * PER_PAGE).min(decisions.len())..((n + 1) * PER_PAGE).min(decisions.len())];
    let keys = shown.iter().filter_map(|(_, d)| d.author);
    let names = data::names(v, keys).await;
    let body = html! {
        h1 { "Decisions" }
        p { "Every change of this community's policy is a decision the relay signed, each naming the one before it. Anyone can replay them." }
        div id="chain-check" class="check" role="status" data-live="8002" {
            p { "Check it yourself: " code { "communitarium verify " (relay.public_url) } }
        }
        div id="log" data-refresh {
        (chart(&decisions))
        ol class="decisions" reversed start=(decisions.len() - n * PER_PAGE) {
            @for (event, d) in shown {
                li id=(event.id.to_hex()) {
                    (entry(event, d, &names))
                }
            }
        }
        (pager(n, pages))
        }
    };
    layout::page(relay, "Decisions", Nav::Decisions, body)
}

/// Links to newer and older pages of the log.
fn pager(n: usize, pages: usize) -> Markup {
    html! {
        @if pages > 1 {
            nav class="pager" aria-label="More decisions" {
                @if n > 0 { a href=(format!("/decisions?page={}", n - 1)) { "Newer decisions" } " " }
                "Page " (n + 1) " of " (pages)
                @if n + 1 < pages { " " a href=(format!("/decisions?page={}", n + 1)) { "Older decisions" } }
            }
        }
    }
}

fn entry(event: &Event, d: &Decision, names: &format::Names) -> Markup {
    html! {
        article class="decision" {
            p class="head" {
                span class=(format!("result {}", d.resolution.as_str())) { (d.resolution.as_str()) }
                " " (super::format::when(event.created_at))
                " · policy version " (d.version)
            }
            p { (format::decision_line(event, d)) }
            @if let Some(action) = &d.action {
                p class="action" { (format::action_done(action, names)) }
            }
            @if let (Resolution::Cofounder, Some(who)) = (d.resolution, &d.author) {
                p class="action" { (format::person(who, names)) " joined with a co-founder link from the founding and became one of the founders." }
            }
            @if let Some(t) = &d.tally {
                p class="tally-line" {
                    "Yes " (t.counts[0]) ", no " (t.counts[1]) ", abstain " (t.counts[2])
                    @if t.counts[3] > 0 { ", block " (t.counts[3]) }
                    " of " (t.electorate) " members"
                    @if t.delegated > 0 { " (" (t.delegated) " through delegations)" }
                }
            }
            @if let Some(original) = &d.amends {
                p class="hint" { "An amendment: if passed, it changed " a href=(format!("/proposals/{}", original.to_hex())) { "the proposal it amends" } ", not the policy." }
            }
            @if let Some(em) = &d.emergency {
                p class="hint" { "An operator's emergency action (" code { (em.method) } ") by " (format::person(&em.operator, names)) "; the members ratify it or it is reverted." }
            }
            p class="ids" {
                "Decision " code { (short_id(&event.id.to_hex())) }
                @if let Some(prev) = &d.prev { ", after " a href=(format!("#{}", prev.to_hex())) { code { (short_id(&prev.to_hex())) } } }
                @if let Some(p) = &d.proposal { " · " a href=(format!("/proposals/{}", p.to_hex())) { "the proposal" } }
            }
        }
    }
}

/// Decisions per week, as bars, over the weeks since the genesis (the last 26 at most).
fn chart(decisions: &[(Event, Decision)]) -> Markup {
    const WEEK: u64 = 7 * 86_400;
    let now = unix_now();
    let first = decisions
        .iter()
        .map(|(e, _)| e.created_at)
        .min()
        .unwrap_or(now);
    let weeks = (((now - first.min(now)) / WEEK) + 1).clamp(8, 26) as usize;
    let mut counts = vec![0u32; weeks];
    for (e, _) in decisions {
        let back = (now.saturating_sub(e.created_at) / WEEK) as usize;
        if back < weeks {
            counts[weeks - 1 - back] += 1;
        }
    }
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    let width = 12 * weeks;
    let label = format!(
        "Decisions per week over the last {weeks} weeks: {}",
        counts
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
    html! {
        figure class="chart" {
            svg viewBox=(format!("0 0 {width} 60")) role="img" aria-label=(label) {
                @for (i, n) in counts.iter().enumerate() {
                    rect x=(i * 12 + 2) y=(format!("{:.1}", 58.0 - 56.0 * f64::from(*n) / f64::from(max)))
                        width="8" height=(format!("{:.1}", 56.0 * f64::from(*n) / f64::from(max))) class="bar" {}
                }
            }
            figcaption { "Decisions per week" }
        }
    }
}
