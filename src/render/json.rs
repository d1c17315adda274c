//! The JSON of SPEC §3: stable snake_case keys, money as strings, times as
//! RFC 3339 UTC.

use super::utc;
use crate::core::diary::stage_words;
use crate::core::diary::{Entry, entry_ref};
use crate::core::feedback::{self, FeedbackView, Mean, Received};
use crate::core::lifecycle::milestone_escrow;
use crate::core::model::*;
use crate::core::report::{By, Row};
use crate::core::timers;
use crate::core::week::Week;
use crate::core::{Money, Settings};
use crate::render::rows::{
    Figures, MilestoneRow, Sheet, ToGive, days_left, fee_net, sheet_rate, week_dispute,
};
pub use crate::render::rows::{ThisWeek, Viewer};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

/// The contract object of SPEC §3, keys in this order.
#[derive(Debug, Serialize)]
pub struct ContractJson<'a> {
    id: &'a str,
    title: &'a str,
    client: &'a str,
    freelancer: &'a str,
    kind: &'static str,
    status: &'static str,
    rate: Option<String>,
    /// The limit of the current week (hourly; null for none).
    weekly_limit_hours: Option<u32>,
    manual_time: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    limit_changes: Option<Vec<LimitChangeJson>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    disputes: Option<Vec<DisputeJson<'a>>>,
    price: Option<String>,
    currency: &'a str,
    funded: String,
    escrow: String,
    /// Held by an open refund request or dispute.
    held: String,
    /// Invoiced hourly weeks the client may still dispute (null where the
    /// diary was not read).
    disputable: Option<String>,
    paid: String,
    refunded: String,
    /// The freelancer's fee and net (only for the freelancer).
    #[serde(skip_serializing_if = "Option::is_none")]
    fee: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    net: Option<String>,
    started_at: String,
    ended_at: Option<String>,
    ended_by: Option<&'static str>,
    end_reason: Option<&'static str>,
    end_note: Option<&'a str>,
    diary_locked: bool,
    milestones: Vec<MilestoneJson<'a>>,
    payments: Vec<PaymentJson>,
    refunds: Vec<RefundJson<'a>>,
    feedback: FeedbackPairJson,
    timers: Vec<TimerJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    this_week: Option<ThisWeekJson>,
}

/// A change of the weekly limit.
#[derive(Debug, Serialize)]
pub struct LimitChangeJson {
    at: String,
    from: String,
    weekly_limit_hours: Option<u32>,
}

/// An hourly dispute of one week.
#[derive(Debug, Serialize)]
pub struct DisputeJson<'a> {
    week: String,
    reason: &'a str,
    status: &'static str,
    opened_at: String,
    closed_at: Option<String>,
    refunded: Option<String>,
}

/// A milestone.
#[derive(Debug, Serialize)]
pub struct MilestoneJson<'a> {
    number: u32,
    title: &'a str,
    amount: String,
    status: &'static str,
    funded: String,
    escrow: String,
    funded_at: Option<String>,
    submitted_at: Option<String>,
}

/// A payment to the freelancer: a release, or a settled hourly week.
#[derive(Debug, Serialize)]
pub struct PaymentJson {
    at: String,
    milestone: Option<u32>,
    week: Option<String>,
    amount: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    fee: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    net: Option<String>,
}

/// A refund.
#[derive(Debug, Serialize)]
pub struct RefundJson<'a> {
    number: usize,
    origin: &'static str,
    milestone: Option<u32>,
    amount: String,
    status: &'static str,
    requested_at: String,
    deadline: String,
    disputed_at: Option<String>,
    dispute_deadline: Option<String>,
    note: Option<&'a str>,
    settled_at: Option<String>,
    client_part: Option<String>,
    freelancer_part: Option<String>,
}

/// Both directions of feedback, keyed by author.
#[derive(Debug, Serialize)]
pub struct FeedbackPairJson {
    client: FeedbackJson,
    freelancer: FeedbackJson,
}

/// One direction of feedback, as its viewer may see it: the content only
/// where it is visible, the private note only to its author.
#[derive(Debug, Serialize)]
pub struct FeedbackJson {
    status: &'static str,
    hidden: bool,
    /// Given by commitment, never published though the window closed.
    withheld: bool,
    #[serde(flatten)]
    given: Option<GivenJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    private: Option<String>,
    window_closes: Option<String>,
}

/// The visible content of given feedback.
#[derive(Debug, Serialize)]
pub struct GivenJson {
    stars: Option<u8>,
    comment: Option<String>,
    scores: BTreeMap<&'static str, u8>,
    given_at: Option<String>,
    reply: Option<String>,
    replied_at: Option<String>,
}

/// A pending timer.
#[derive(Debug, Serialize)]
pub struct TimerJson {
    at: String,
    what: String,
}

/// This week's time of an hourly contract.
#[derive(Debug, Serialize)]
pub struct ThisWeekJson {
    week: String,
    minutes: i64,
    seconds: i64,
    running_since: Option<String>,
}

/// The contract object, its money the figures `f` (the same the `show`
/// table prints).
pub fn contract_with<'a>(
    c: &'a Contract,
    v: &Viewer<'a>,
    this_week: Option<ThisWeek>,
    f: &Figures,
) -> ContractJson<'a> {
    let money = |m: Money| v.settings.currency.format(m);
    let opt_money = |m: Option<Money>| m.map(money);
    let hourly = match &c.terms {
        Terms::Hourly {
            rate,
            manual_time,
            limit_changes,
            ..
        } => Some((rate, manual_time, limit_changes)),
        Terms::Fixed { .. } => None,
    };
    let e = c.ending.as_ref();
    ContractJson {
        id: c.id.as_str(),
        title: &c.title,
        client: &c.client,
        freelancer: &c.freelancer,
        kind: c.kind().as_str(),
        status: c.status.as_str(),
        rate: hourly.map(|(r, _, _)| money(*r)),
        weekly_limit_hours: hourly.and_then(|_| crate::core::diary::limit_for(c, Week::of(v.now))),
        manual_time: hourly.map(|(_, m, _)| *m),
        limit_changes: hourly.map(|(_, _, changes)| {
            changes
                .iter()
                .map(|l| LimitChangeJson {
                    at: utc(l.at),
                    from: utc(l.from),
                    weekly_limit_hours: l.hours,
                })
                .collect()
        }),
        disputes: hourly.map(|_| {
            c.disputes
                .iter()
                .map(|d| DisputeJson {
                    week: d.week.to_string(),
                    reason: &d.reason,
                    status: d.status.as_str(),
                    opened_at: utc(d.opened_at),
                    closed_at: d.closed_at.map(utc),
                    refunded: opt_money(d.refunded),
                })
                .collect()
        }),
        price: match &c.terms {
            Terms::Fixed { price } => Some(money(*price)),
            Terms::Hourly { .. } => None,
        },
        currency: v.settings.currency.code(),
        funded: money(f.funded),
        escrow: money(f.escrow),
        held: money(f.held),
        disputable: opt_money(f.disputable),
        paid: money(f.paid),
        refunded: money(f.refunded),
        fee: f.fee_net.map(|x| money(x.fee)),
        net: f.fee_net.map(|x| money(x.net)),
        started_at: utc(c.started_at),
        ended_at: e.map(|e| utc(e.at)),
        ended_by: e.map(|e| e.by.as_str()),
        end_reason: e.map(|e| e.reason.as_str()),
        end_note: e.and_then(|e| e.note.as_deref()),
        diary_locked: e.is_some(),
        milestones: c
            .milestones
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let n = i as u32 + 1;
                MilestoneJson {
                    number: n,
                    title: &m.title,
                    amount: money(m.amount),
                    status: m.status.as_str(),
                    funded: money(m.funded),
                    escrow: money(milestone_escrow(c, n)),
                    funded_at: m.funded_at.map(utc),
                    submitted_at: m.submitted_at.map(utc),
                }
            })
            .collect(),
        payments: c
            .payments
            .iter()
            .map(|p| {
                let fee_net = fee_net(v.role, p.amount, p.fee);
                PaymentJson {
                    at: utc(p.at),
                    milestone: p.milestone,
                    week: p.week.map(|w| w.to_string()),
                    amount: money(p.amount),
                    fee: fee_net.map(|x| money(x.fee)),
                    net: fee_net.map(|x| money(x.net)),
                }
            })
            .collect(),
        refunds: c
            .refunds
            .iter()
            .enumerate()
            .map(|(i, r)| RefundJson {
                number: i + 1,
                origin: r.origin.as_str(),
                milestone: r.milestone,
                amount: money(r.amount),
                status: r.status.as_str(),
                requested_at: utc(r.requested_at),
                deadline: utc(r.deadline),
                disputed_at: r.disputed_at.map(utc),
                dispute_deadline: r.dispute_deadline.map(utc),
                note: r.note.as_deref(),
                settled_at: r.settled_at.map(utc),
                client_part: opt_money(r.client_part),
                freelancer_part: opt_money(r.client_part.map(|cp| r.amount - cp)),
            })
            .collect(),
        feedback: FeedbackPairJson {
            client: feedback_json(&feedback::view(c, Role::Client, v.role)),
            freelancer: feedback_json(&feedback::view(c, Role::Freelancer, v.role)),
        },
        timers: timers::pending(c)
            .iter()
            .map(|tm| TimerJson {
                at: utc(tm.at),
                what: timers::describe(c, tm, v.settings),
            })
            .collect(),
        this_week: this_week.map(|w| ThisWeekJson {
            week: w.week.to_string(),
            minutes: w.seconds / 60,
            seconds: w.seconds,
            running_since: w.running_since.map(utc),
        }),
    }
}

/// One direction of feedback, as its viewer may see it.
pub fn feedback_json(f: &FeedbackView) -> FeedbackJson {
    FeedbackJson {
        status: f.status.as_str(),
        hidden: f.hidden,
        withheld: f.withheld,
        given: f.stars.is_some().then(|| GivenJson {
            stars: f.stars,
            comment: f.comment.clone(),
            scores: f
                .scores
                .named()
                .into_iter()
                .filter_map(|(name, s)| Some((name, s?)))
                .collect(),
            given_at: f.given_at.map(utc),
            reply: f.reply.clone(),
            replied_at: f.replied_at.map(utc),
        }),
        private: f.private.clone(),
        window_closes: f.window_closes.map(utc),
    }
}

/// A history event, naming its contract.
#[derive(Debug, Serialize)]
pub struct EventJson<'a> {
    contract: &'a str,
    /// The operation's id, unique across clones of the ledger.
    id: &'a str,
    at: String,
    actor: &'static str,
    event: &'a str,
    amount: Option<String>,
    detail: String,
    /// Why a merge of two clones set it aside (SPEC §7); a single ledger
    /// never does.
    superseded: Option<&'a str>,
}

/// A history event, naming its contract.
pub fn event<'a>(c: &'a Contract, e: &'a Event, v: &Viewer<'_>) -> EventJson<'a> {
    EventJson {
        contract: c.id.as_str(),
        id: &e.id,
        at: utc(e.at),
        actor: e.actor.as_str(),
        event: e.kind().as_str(),
        amount: e.amount.map(|m| v.settings.currency.format(m)),
        detail: crate::core::history::detail(c, e, &v.settings.currency),
        superseded: e.superseded.as_deref(),
    }
}

/// `feedback show ID --json`.
#[derive(Debug, Serialize)]
pub struct FeedbackShowJson<'a> {
    contract: &'a str,
    title: &'a str,
    role: &'static str,
    status: &'static str,
    ended_at: Option<String>,
    window_closes: Option<String>,
    reply_window_closes: Option<String>,
    feedback: BTreeMap<&'static str, AuthoredJson<'a>>,
    can_give_until: Option<String>,
    can_reply_until: Option<String>,
}

/// One direction of feedback with its parties' names.
#[derive(Debug, Serialize)]
pub struct AuthoredJson<'a> {
    author: &'static str,
    author_name: &'a str,
    recipient_name: &'a str,
    #[serde(flatten)]
    feedback: FeedbackJson,
}

/// `feedback show ID --json`: both directions as `me` may see them.
pub fn feedback_show<'a>(
    c: &'a Contract,
    me: Role,
    views: &[FeedbackView],
    give_until: Option<Instant>,
    reply_until: Option<Instant>,
) -> FeedbackShowJson<'a> {
    FeedbackShowJson {
        contract: c.id.as_str(),
        title: &c.title,
        role: me.as_str(),
        status: c.status.as_str(),
        ended_at: c.ended_at().map(utc),
        window_closes: c.feedback_window_closes().map(utc),
        reply_window_closes: c.reply_window_closes().map(utc),
        feedback: views
            .iter()
            .map(|v| {
                (
                    v.author.as_str(),
                    AuthoredJson {
                        author: v.author.as_str(),
                        author_name: c.party(v.author),
                        recipient_name: c.party(v.author.other()),
                        feedback: feedback_json(v),
                    },
                )
            })
            .collect(),
        can_give_until: give_until.map(utc),
        can_reply_until: reply_until.map(utc),
    }
}

/// What a mutation of one contract prints: the contract and the events it
/// applied (the timers' and its own).
#[derive(Debug, Serialize)]
pub struct MutationJson<'a> {
    /// The contract after the change.
    pub contract: ContractJson<'a>,
    /// The events applied.
    pub events: Vec<EventJson<'a>>,
    /// Whether nothing was written.
    pub dry_run: bool,
}

/// A diary entry.
#[derive(Debug, Serialize)]
pub struct EntryJson<'a> {
    id: String,
    start: String,
    end: Option<String>,
    minutes: i64,
    seconds: i64,
    memo: &'a str,
    manual: bool,
    /// Moved over with `diary import --history`: never billed.
    history: bool,
    running: bool,
}

/// A diary entry, its time counted up to `now` while it runs.
pub fn entry<'a>(c: &Contract, e: &'a Entry, now: Instant) -> EntryJson<'a> {
    let until = crate::core::diary::counting_until(c, Week::of(e.start), now);
    EntryJson {
        id: entry_ref(&c.id, &e.id),
        start: utc(e.start),
        end: e.end.map(utc),
        minutes: e.minutes(until),
        seconds: e.seconds(until),
        memo: &e.memo,
        manual: e.manual,
        history: e.history,
        running: e.end.is_none(),
    }
}

/// What a change of the work diary prints.
#[derive(Debug, Serialize)]
pub struct EntryChangeJson<'a> {
    /// The contract.
    pub contract: ContractJson<'a>,
    /// The entry as it now is (or was, when deleted).
    pub entry: EntryJson<'a>,
    /// The change as an event.
    pub events: Vec<EntryEventJson<'a>>,
    /// What the change did that was not asked (a timer capped at its week's close).
    pub note: Option<String>,
    /// Whether nothing was written.
    pub dry_run: bool,
}

/// A change of the diary, in the shape of a history event.
#[derive(Debug, Serialize)]
pub struct EntryEventJson<'a> {
    /// The contract.
    pub contract: &'a str,
    /// When.
    pub at: String,
    /// Who.
    pub actor: &'static str,
    /// `entry_logged`, `entry_stopped`, ...
    pub event: String,
    /// Always null: time is not money until its week is billed.
    pub amount: Option<String>,
    /// What changed.
    pub detail: String,
    /// Never set for a diary change.
    pub superseded: Option<&'a str>,
}

/// `sweep --json`.
#[derive(Debug, Serialize)]
pub struct SweepJson<'a> {
    /// The clock.
    pub now: String,
    /// The contracts that changed.
    pub contracts: Vec<ContractJson<'a>>,
    /// The timers applied.
    pub events: Vec<EventJson<'a>>,
    /// Files written.
    pub files_written: usize,
    /// Whether nothing was written.
    pub dry_run: bool,
}

/// `diary show --json`.
#[derive(Debug, Serialize)]
pub struct DiaryJson<'a> {
    /// The weeks shown, oldest first.
    pub weeks: Vec<WeekJson<'a>>,
    /// The ledger's currency.
    pub currency: &'a str,
}

/// `diary show --json`: the weeks, oldest first, each with its contracts.
pub fn diary<'a>(weeks: &'a [(Week, Vec<Sheet>)], v: &Viewer<'a>) -> DiaryJson<'a> {
    let cur = v.settings.currency;
    DiaryJson {
        weeks: weeks
            .iter()
            .map(|(week, sheets)| {
                let seconds = sheets.iter().map(|sh| sh.bill.seconds).sum::<i64>();
                let amount = sheets.iter().map(|sh| sh.bill.amount).sum::<Money>();
                WeekJson {
                    week: week.to_string(),
                    start: utc(week.start()),
                    end: utc(week.end()),
                    stage: week.stage(v.now).as_str(),
                    stage_detail: stage_words(*week, v.now),
                    contracts: sheets
                        .iter()
                        .map(|sh| {
                            let (c, b) = (&sh.contract, &sh.bill);
                            let fee_net = fee_net(v.role, b.amount, b.fee);
                            SheetJson {
                                id: c.id.as_str(),
                                title: &c.title,
                                status: c.status.as_str(),
                                minutes: b.seconds / 60,
                                billable_minutes: b.billable / 60,
                                over_limit_minutes: b.over / 60,
                                seconds: b.seconds,
                                billable_seconds: b.billable,
                                over_limit_seconds: b.over,
                                history_seconds: b.history,
                                weekly_limit_hours: b.limit_hours,
                                rate: cur.format(sheet_rate(c)),
                                amount: cur.format(b.amount),
                                dispute: week_dispute(c, *week).map(|d| dispute(d, v)),
                                entries: sh.wf.entries.iter().map(|e| entry(c, e, v.now)).collect(),
                                fee: fee_net.map(|x| cur.format(x.fee)),
                                net: fee_net.map(|x| cur.format(x.net)),
                            }
                        })
                        .collect(),
                    minutes: seconds / 60,
                    seconds,
                    amount: cur.format(amount),
                }
            })
            .collect(),
        currency: v.settings.currency.code(),
    }
}

/// One billing week of `diary show --json`.
#[derive(Debug, Serialize)]
pub struct WeekJson<'a> {
    /// `2026-W47`.
    pub week: String,
    /// Monday 00:00 UTC.
    pub start: String,
    /// The next Monday 00:00 UTC.
    pub end: String,
    /// `open`, `review`, `invoiced`, `settled` (or `future`).
    pub stage: &'static str,
    /// The stage in words, with its deadline.
    pub stage_detail: String,
    /// Each contract with time in the week.
    pub contracts: Vec<SheetJson<'a>>,
    /// Whole minutes of `seconds`, for display.
    pub minutes: i64,
    /// All contracts' time.
    pub seconds: i64,
    /// All contracts' amount.
    pub amount: String,
}

/// One contract's week in `diary show --json`.
#[derive(Debug, Serialize)]
pub struct SheetJson<'a> {
    /// The contract.
    pub id: &'a str,
    /// Its title.
    pub title: &'a str,
    /// Its status.
    pub status: &'static str,
    /// Whole minutes of `seconds`, for display.
    pub minutes: i64,
    /// Whole minutes of `billable_seconds`.
    pub billable_minutes: i64,
    /// Whole minutes of `over_limit_seconds`.
    pub over_limit_minutes: i64,
    /// Time logged.
    pub seconds: i64,
    /// Time within the weekly limit.
    pub billable_seconds: i64,
    /// Time over the limit: kept, not billed.
    pub over_limit_seconds: i64,
    /// Seconds of history moved over from another tracker (`diary import
    /// --history`): counted in `seconds`, never billed, apart from
    /// `billable_seconds` and `over_limit_seconds`.
    pub history_seconds: i64,
    /// The limit that applied.
    pub weekly_limit_hours: Option<u32>,
    /// Per hour.
    pub rate: String,
    /// billable seconds × rate ÷ 3600, rounded once.
    pub amount: String,
    /// The week's dispute, if any.
    pub dispute: Option<DisputeJson<'a>>,
    /// The entries.
    pub entries: Vec<EntryJson<'a>>,
    /// The fee on the amount (for the freelancer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fee: Option<String>,
    /// The amount less the fee (for the freelancer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub net: Option<String>,
}

/// A week's dispute, as `diary show` gives it.
pub fn dispute<'a>(d: &'a HourlyDispute, v: &Viewer<'_>) -> DisputeJson<'a> {
    DisputeJson {
        week: d.week.to_string(),
        reason: &d.reason,
        status: d.status.as_str(),
        opened_at: utc(d.opened_at),
        closed_at: d.closed_at.map(utc),
        refunded: d.refunded.map(|m| v.money(m)),
    }
}

/// The error document of SPEC §3, printed on stderr.
#[derive(Debug, Serialize)]
pub struct ErrorJson<'a> {
    /// The error.
    pub error: ErrorBodyJson<'a>,
}

/// What failed.
#[derive(Debug, Serialize)]
pub struct ErrorBodyJson<'a> {
    /// `usage`, `not_found`, `refused`, `invalid`, `busy`, `failure`.
    pub kind: &'static str,
    /// What was refused, why, and what would be allowed.
    pub message: &'a str,
    /// The process's exit code.
    pub exit_code: u8,
    /// For a refusal (`kind` `refused`), why: the reason's stable name
    /// (`week_closed`, `overlap`, ...); `null` otherwise.
    pub reason: Option<&'static str>,
    /// For a refused import (`reason` `import`): each interval and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problems: Option<Vec<ImportProblemJson>>,
}

/// An interval a refused import names.
#[derive(Debug, Serialize)]
pub struct ImportProblemJson {
    /// The interval as its format names it; `null` for the whole import.
    pub interval: Option<String>,
    /// Why, by its stable name (`week_closed`, `overlap`, `ended`, ...).
    pub reason: &'static str,
    /// Why, in words.
    pub message: String,
}

/// The problems of a refused import, for its error document.
pub fn import_problems(r: &crate::core::error::Refusal) -> Option<Vec<ImportProblemJson>> {
    match r {
        crate::core::error::Refusal::Import { problems } => Some(
            problems
                .iter()
                .map(|p| ImportProblemJson {
                    interval: p.interval.clone(),
                    reason: p.why.kind(),
                    message: p.why.to_string(),
                })
                .collect(),
        ),
        _ => None,
    }
}

/// A row of `refund list --json`: an open refund with its deadline.
#[derive(Debug, Serialize)]
pub struct RefundRowJson {
    /// The contract.
    pub contract: String,
    /// The refund's number on it.
    pub number: usize,
    /// The milestone whose escrow it holds.
    pub milestone: Option<u32>,
    /// The amount.
    pub amount: String,
    /// `requested`, `disputed` or `escalated`.
    pub status: &'static str,
    /// When it was requested.
    pub requested_at: String,
    /// When its timer falls due (none in mediation).
    pub deadline: Option<String>,
    /// What happens then.
    pub then: String,
}

/// `check --json`.
#[derive(Debug, Serialize)]
pub struct CheckJson {
    /// No problem found.
    pub ok: bool,
    /// Contract files read.
    pub contracts: usize,
    /// Week files read.
    pub week_files: usize,
    /// Diary entries read.
    pub entries: usize,
    /// Every problem, with its place.
    pub problems: Vec<ProblemJson>,
}

/// A problem of a file, at `file:line:column`.
#[derive(Debug, Serialize)]
pub struct ProblemJson {
    /// The file, relative to the ledger.
    pub file: String,
    /// Its line (1-based), where known.
    pub line: Option<usize>,
    /// Its column (1-based), where known.
    pub column: Option<usize>,
    /// What is wrong.
    pub message: String,
}

/// `init --json`.
#[derive(Debug, Serialize)]
pub struct InitJson {
    /// The ledger directory.
    pub ledger: String,
    /// Its currency.
    pub currency: String,
    /// Its default role.
    pub role: &'static str,
    /// The freelancer's fee.
    pub fee_percent: u8,
    /// Whether nothing was written.
    pub dry_run: bool,
}

/// `milestone list ID --json`: the rows of [`MilestoneRow`].
pub fn milestones<'a>(
    id: &'a str,
    rows: &'a [MilestoneRow<'a>],
    s: &Settings,
) -> MilestonesJson<'a> {
    let cur = s.currency;
    MilestonesJson {
        contract: id,
        milestones: rows
            .iter()
            .map(|(n, m, esc, held, auto)| MilestoneRowJson {
                number: *n,
                title: &m.title,
                amount: cur.format(m.amount),
                status: m.status.as_str(),
                funded: cur.format(m.funded),
                escrow: cur.format(*esc),
                held: cur.format(*held),
                funded_at: m.funded_at.map(utc),
                submitted_at: m.submitted_at.map(utc),
                auto_release_at: auto.map(utc),
            })
            .collect(),
    }
}

/// `milestone list ID --json`.
#[derive(Debug, Serialize)]
pub struct MilestonesJson<'a> {
    /// The contract.
    pub contract: &'a str,
    /// Its milestones, in order.
    pub milestones: Vec<MilestoneRowJson<'a>>,
}

/// A milestone with its escrow and deadline.
#[derive(Debug, Serialize)]
pub struct MilestoneRowJson<'a> {
    /// 1-based.
    pub number: u32,
    /// Its title.
    pub title: &'a str,
    /// The agreed amount.
    pub amount: String,
    /// Where it stands.
    pub status: &'static str,
    /// Put into escrow for it.
    pub funded: String,
    /// In escrow now.
    pub escrow: String,
    /// Held by open refunds.
    pub held: String,
    /// When funded.
    pub funded_at: Option<String>,
    /// When work was submitted.
    pub submitted_at: Option<String>,
    /// When the system releases it unless the client acts.
    pub auto_release_at: Option<String>,
}

/// `diary import --json`.
#[derive(Debug, Serialize)]
pub struct ImportJson {
    /// Entries added.
    pub imported: usize,
    /// Intervals already in the diary (a re-import).
    pub already_present: usize,
    /// Intervals whose tags name no contract.
    pub unmatched: usize,
    /// Week files written.
    pub files_written: usize,
    /// Per contract.
    pub contracts: Vec<ImportedJson>,
    /// Whether nothing was written.
    pub dry_run: bool,
}

/// What one contract received from an import.
#[derive(Debug, Serialize)]
pub struct ImportedJson {
    /// The contract.
    pub id: String,
    /// Entries added.
    pub imported: usize,
    /// Already present.
    pub already_present: usize,
}

/// `feedback show --json` without an id.
pub fn to_give<'a>(rows: &'a [ToGive], me: Role, now: Instant) -> ToGiveJson<'a> {
    ToGiveJson {
        role: me.as_str(),
        to_give: rows
            .iter()
            .map(|(closes, c, theirs)| ToGiveRowJson {
                id: c.id.as_str(),
                title: &c.title,
                client: &c.client,
                freelancer: &c.freelancer,
                other_party: c.party(me.other()),
                ended_at: c.ended_at().map(utc),
                window_closes: utc(*closes),
                days_left: days_left(*closes, now),
                other_status: theirs.status.as_str(),
            })
            .collect(),
    }
}

/// `feedback show --json` without an id: what is still to give.
#[derive(Debug, Serialize)]
pub struct ToGiveJson<'a> {
    /// The acting role.
    pub role: &'static str,
    /// Ended contracts waiting for its feedback, soonest window first.
    pub to_give: Vec<ToGiveRowJson<'a>>,
}

/// One ended contract waiting for feedback.
#[derive(Debug, Serialize)]
pub struct ToGiveRowJson<'a> {
    /// The contract.
    pub id: &'a str,
    /// Its title.
    pub title: &'a str,
    /// The client.
    pub client: &'a str,
    /// The freelancer.
    pub freelancer: &'a str,
    /// The party the feedback is about.
    pub other_party: &'a str,
    /// When it ended.
    pub ended_at: Option<String>,
    /// When the window closes.
    pub window_closes: String,
    /// Whole days left.
    pub days_left: i64,
    /// Where the other party's feedback stands.
    pub other_status: &'static str,
}

/// `feedback summary --json`.
pub fn summary(by: &BTreeMap<(String, &'static str), Received>) -> SummaryJson {
    let names = Scores::default().named().map(|(n, _)| n);
    SummaryJson {
        parties: by
            .iter()
            .map(|((name, role), r)| PartyJson {
                party: name.clone(),
                as_role: role,
                feedback_count: r.contracts,
                average_stars: mean_json(r.stars),
                average_scores: names.iter().copied().zip(r.scores.map(mean_json)).collect(),
            })
            .collect(),
    }
}

/// A mean to two decimals.
fn mean_json(m: Mean) -> Option<f64> {
    m.value().map(|v| (v * 100.0).round() / 100.0)
}

/// `feedback summary --json`.
#[derive(Debug, Serialize)]
pub struct SummaryJson {
    /// Each party in each role it received feedback in.
    pub parties: Vec<PartyJson>,
}

/// What one party received in one role (revealed feedback only).
#[derive(Debug, Serialize)]
pub struct PartyJson {
    /// The party's name.
    pub party: String,
    /// `client` or `freelancer`.
    #[serde(rename = "as")]
    pub as_role: &'static str,
    /// How many contracts' feedback.
    pub feedback_count: u32,
    /// Average stars, to two decimals.
    pub average_stars: Option<f64>,
    /// Average category scores, to two decimals.
    pub average_scores: BTreeMap<&'static str, Option<f64>>,
}

/// `report --json`: the rows and the total, money as `role` sees it.
pub fn report<'a>(
    by: By,
    role: Role,
    period: (Option<NaiveDate>, Option<NaiveDate>),
    rows: &[Row],
    total: &Row,
    s: &'a Settings,
) -> ReportJson<'a> {
    let cur = s.currency;
    let (from, to) = period;
    let row = |r: &Row| {
        // The freelancer's columns are gross, fee and net; the client's
        // spent and refunded.
        let fee_net = fee_net(role, r.paid, r.fee);
        let freelancer = fee_net.is_some();
        ReportRowJson {
            key: r.key.clone(),
            tracked_seconds: r.tracked,
            manual_seconds: r.manual,
            billable_seconds: r.billable,
            gross: freelancer.then(|| cur.format(r.paid)),
            fee: fee_net.map(|x| cur.format(x.fee)),
            net: fee_net.map(|x| cur.format(x.net)),
            spent: (!freelancer).then(|| cur.format(r.paid)),
            refunded: (!freelancer).then(|| cur.format(r.refunded)),
        }
    };
    ReportJson {
        by: by_name(by),
        role: role.as_str(),
        from: from.map(|d| d.to_string()),
        to: to.map(|d| d.to_string()),
        currency: s.currency.code(),
        rows: rows.iter().map(row).collect(),
        total: row(total),
    }
}

fn by_name(b: By) -> &'static str {
    match b {
        By::Week => "week",
        By::Month => "month",
        By::Client => "client",
        By::Contract => "contract",
    }
}

/// `report --json`.
#[derive(Debug, Serialize)]
pub struct ReportJson<'a> {
    /// `week`, `month`, `client` or `contract`.
    pub by: &'static str,
    /// The viewpoint.
    pub role: &'static str,
    /// The first UTC day, if given.
    pub from: Option<String>,
    /// The last UTC day, if given.
    pub to: Option<String>,
    /// The ledger's currency.
    pub currency: &'a str,
    /// One per week, month, client or contract.
    pub rows: Vec<ReportRowJson>,
    /// The sums of the rows.
    pub total: ReportRowJson,
}

/// A row of `report --json`: money for the freelancer (gross, fee, net) or
/// the client (spent, refunded).
#[derive(Debug, Serialize)]
pub struct ReportRowJson {
    /// What the row is.
    pub key: String,
    /// Tracked time.
    pub tracked_seconds: i64,
    /// Manual time.
    pub manual_seconds: i64,
    /// Time within the weekly limits.
    pub billable_seconds: i64,
    /// Paid, gross (freelancer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gross: Option<String>,
    /// Fees (freelancer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fee: Option<String>,
    /// Gross less fees (freelancer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub net: Option<String>,
    /// Paid to freelancers (client).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spent: Option<String>,
    /// Returned to the client (client).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refunded: Option<String>,
}
