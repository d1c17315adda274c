//! An independent model of the marketplace rules, written from SPEC §1–§2
//! (not from `src/`): the oracle of the simulation test.
//!
//! Pure: no I/O, nothing from the `contracts` crate. Money is `i64` minor
//! units (USD cents); instants are `i64` seconds since the Unix epoch, UTC.
//!
//! The model is told each command the simulation issued (`Op`), with its
//! instant and acting role, and answers with a `Verdict` (what the rules
//! say: accepted, refused, or not pinned down by SPEC) and the state after
//! it. The simulation keeps the state after a command only when the binary
//! accepted it.
//!
//! Timers are state: each contract keeps its *persisted* state (what its
//! file holds); a view at `now` applies the timers due by `now` to a copy,
//! in the order of their due instants, and a command that writes the
//! contract's file persists them with its own change (SPEC §2 "Timers").

use std::collections::BTreeMap;

/// Minor units of the currency.
pub type Money = i64;
/// Seconds since the Unix epoch, UTC.
pub type Instant = i64;

pub const MINUTE: i64 = 60;
pub const HOUR: i64 = 3600;
pub const DAY: i64 = 86_400;
pub const WEEK: i64 = 7 * DAY;

/// The ledger's fee (SPEC §1: default 10 %).
pub const FEE_PERCENT: i64 = 10;
/// A milestone's minimum (5.00) and an hourly rate's (3.00).
pub const MIN_MILESTONE: Money = 500;
pub const MIN_RATE: Money = 300;

// ------------------------------------------------------------------ calendar

/// 00:00 UTC of the day of `t`.
pub fn day_start(t: Instant) -> Instant {
    t - t.rem_euclid(DAY)
}

/// 0 = Monday ... 6 = Sunday (1970-01-01 was a Thursday).
pub fn weekday(t: Instant) -> i64 {
    (t.div_euclid(DAY) + 3).rem_euclid(7)
}

/// Monday 00:00 UTC of the billing week of `t` (the week's key).
pub fn monday(t: Instant) -> Instant {
    day_start(t) - weekday(t) * DAY
}

/// The end of a week's `review` stage: next Monday 12:00 UTC.
pub fn review_close(week: Instant) -> Instant {
    week + WEEK + 12 * HOUR
}

/// When a week settles: the Saturday 00:00 UTC after it.
pub fn settles(week: Instant) -> Instant {
    week + WEEK + 5 * DAY
}

/// The deadline of a disputed refund: 120 hours of weekday (Mon–Fri UTC)
/// time from `from`. In closed form, over whole weeks (the product walks the
/// calendar a day at a time): 120 weekday hours are exactly one week's
/// weekdays, so from a weekday instant the deadline is the same instant a
/// week later; counting from a Monday 00:00 (or, from a weekend, from the
/// next one), they end that Saturday 00:00.
pub fn business_deadline(from: Instant) -> Instant {
    let mon = monday(from);
    if from == mon {
        mon + 5 * DAY
    } else if weekday(from) < 5 {
        from + WEEK
    } else {
        mon + WEEK + 5 * DAY
    }
}

/// The close of the feedback window: midnight UTC ending the 14th day after
/// the end.
pub fn feedback_close(ended_at: Instant) -> Instant {
    day_start(ended_at) + 15 * DAY
}

/// An instant as RFC 3339 UTC, for messages.
pub fn show(t: Instant) -> String {
    chrono::DateTime::from_timestamp(t, 0).map_or_else(
        || t.to_string(),
        |d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    )
}

/// `n / d` rounded half away from zero (d > 0).
pub fn div_round(n: i128, d: i128) -> i128 {
    if n >= 0 {
        (2 * n + d) / (2 * d)
    } else {
        -((2 * -n + d) / (2 * d))
    }
}

/// The service fee on a payment.
pub fn fee_of(amount: Money) -> Money {
    div_round(amount as i128 * FEE_PERCENT as i128, 100) as Money
}

// ------------------------------------------------------------------ commands

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Client,
    Freelancer,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Client => "client",
            Role::Freelancer => "freelancer",
        }
    }
    fn idx(self) -> usize {
        match self {
            Role::Client => 0,
            Role::Freelancer => 1,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pay {
    Full,
    Nothing,
    Amount(Money),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeekAction {
    Open,
    Accept,
    Decline,
    Withdraw,
}

/// One command as the simulation issued it.
#[derive(Debug, Clone)]
pub enum Op {
    NewFixed {
        id: String,
        milestones: Vec<Money>,
    },
    NewHourly {
        id: String,
        rate: Money,
        limit: Option<i64>,
        manual: bool,
    },
    MilestoneAdd {
        id: String,
        amount: Money,
        fund: bool,
    },
    MilestoneFund {
        id: String,
        n: Option<usize>,
    },
    MilestoneSubmit {
        id: String,
        n: Option<usize>,
    },
    MilestoneRequestChanges {
        id: String,
        n: Option<usize>,
    },
    MilestoneApprove {
        id: String,
        n: Option<usize>,
        amount: Option<Money>,
    },
    RefundRequest {
        id: String,
        amount: Option<Money>,
    },
    RefundApprove {
        id: String,
    },
    RefundDispute {
        id: String,
    },
    RefundConcede {
        id: String,
    },
    RefundEscalate {
        id: String,
    },
    RefundResolve {
        id: String,
        client: Money,
        freelancer: Money,
    },
    RefundGive {
        id: String,
        amount: Money,
    },
    End {
        id: String,
        pay: Option<Pay>,
    },
    Pause {
        id: String,
    },
    Resume {
        id: String,
    },
    Limit {
        id: String,
        hours: Option<i64>,
    },
    Log {
        id: String,
        from: Instant,
        to: Instant,
    },
    Start {
        id: String,
    },
    Stop {
        id: String,
    },
    /// Edit the entry that starts at `entry` (times, or the memo only when
    /// both are `None`).
    Edit {
        id: String,
        entry: Instant,
        from: Option<Instant>,
        to: Option<Instant>,
    },
    Rm {
        id: String,
        entry: Instant,
    },
    WeekDispute {
        id: String,
        week: Instant,
        action: WeekAction,
    },
    /// Intervals of a `timew export`: the contracts their tags name (none,
    /// one, or several), start, end (`None`: open).
    Import {
        intervals: Vec<(Vec<String>, Instant, Option<Instant>)>,
    },
    FeedbackGive {
        id: String,
    },
    FeedbackReply {
        id: String,
    },
    Sweep,
}

impl Op {
    /// The contract the command names, if one.
    pub fn contract(&self) -> Option<&str> {
        use Op::*;
        match self {
            NewFixed { id, .. }
            | NewHourly { id, .. }
            | MilestoneAdd { id, .. }
            | MilestoneFund { id, .. }
            | MilestoneSubmit { id, .. }
            | MilestoneRequestChanges { id, .. }
            | MilestoneApprove { id, .. }
            | RefundRequest { id, .. }
            | RefundApprove { id }
            | RefundDispute { id }
            | RefundConcede { id }
            | RefundEscalate { id }
            | RefundResolve { id, .. }
            | RefundGive { id, .. }
            | End { id, .. }
            | Pause { id }
            | Resume { id }
            | Limit { id, .. }
            | Log { id, .. }
            | Start { id }
            | Stop { id }
            | Edit { id, .. }
            | Rm { id, .. }
            | WeekDispute { id, .. }
            | FeedbackGive { id }
            | FeedbackReply { id } => Some(id),
            Import { .. } | Sweep => None,
        }
    }

    /// Whether the command changes a contract's own file (and so is subject
    /// to the clock rule and persists the contract's due timers).
    fn writes_contract(&self) -> bool {
        use Op::*;
        !matches!(
            self,
            Log { .. }
                | Start { .. }
                | Stop { .. }
                | Edit { .. }
                | Rm { .. }
                | Import { .. }
                | Sweep
        )
    }
}

/// What the rules say of a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Allowed.
    Accept,
    /// Refused with this exit code (3 not found, 4 the rules) and why.
    Refuse(i32, String),
    /// SPEC does not pin this case down; the reason. The state returned is
    /// the model's reading, used when the binary accepts.
    Unsure(String),
}

/// The model's answer: the verdict and, unless refused, the state after.
pub struct Outcome {
    pub verdict: Verdict,
    pub next: Option<Model>,
}

// ------------------------------------------------------------------ state

/// Accounts of a contract's double-entry ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Account {
    /// The client's purse (goes negative as they pay).
    Client,
    /// Held by the marketplace.
    Escrow,
    /// Paid to the freelancer, gross.
    Freelancer,
    /// Returned to the client.
    Refunded,
    /// Fees the freelancer paid.
    Fees,
    /// The contra account of fees.
    FeeCharge,
}

/// One balanced movement.
#[derive(Debug, Clone)]
pub struct Posting {
    #[allow(dead_code)]
    pub at: Instant,
    pub from: Account,
    pub to: Account,
    pub amount: Money,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Active,
    Paused,
    Ended,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MStatus {
    Pending,
    Funded,
    Submitted,
    Released,
    Refunded,
}

#[derive(Debug, Clone)]
pub struct Milestone {
    pub amount: Money,
    pub status: MStatus,
    /// Escrow attributed to it (carried money on a pending one too).
    pub escrow: Money,
    pub submitted_at: Option<Instant>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RStatus {
    Requested,
    Disputed,
    Escalated,
    Refunded,
    Released,
    Resolved,
}

#[derive(Debug, Clone)]
pub struct Refund {
    pub amount: Money,
    pub status: RStatus,
    pub requested_at: Instant,
    pub disputed_at: Option<Instant>,
    /// The milestone whose escrow it holds (`None`: made by `end`).
    pub milestone: Option<usize>,
}

impl Refund {
    fn open(&self) -> bool {
        matches!(
            self.status,
            RStatus::Requested | RStatus::Disputed | RStatus::Escalated
        )
    }
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub start: Instant,
    /// `None` while the timer runs.
    pub end: Option<Instant>,
    pub manual: bool,
    /// For an imported entry, the interval it came from as the tracker had
    /// it (its tags and span): what makes a re-import add nothing.
    pub imported: Option<(Vec<String>, Instant, Instant)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DStatus {
    Open,
    Accepted,
    Declined,
    Withdrawn,
}

#[derive(Debug, Clone)]
pub struct WeekDispute {
    pub status: DStatus,
    pub closed_at: Option<Instant>,
    pub refunded: Money,
}

#[derive(Debug, Clone)]
pub struct Hourly {
    pub rate: Money,
    pub manual: bool,
    /// (first Monday it applies from, hours); the first from the start.
    pub limits: Vec<(Instant, Option<i64>)>,
    /// Sorted by start.
    pub entries: Vec<Entry>,
    /// Paused periods (from, to).
    pub pauses: Vec<(Instant, Option<Instant>)>,
    /// By week (Monday).
    pub disputes: BTreeMap<Instant, WeekDispute>,
    /// Weeks whose payment is recorded.
    pub settled: std::collections::BTreeSet<Instant>,
}

#[derive(Debug, Clone)]
pub struct Fixed {
    pub milestones: Vec<Milestone>,
    pub refunds: Vec<Refund>,
}

#[derive(Debug, Clone)]
pub enum Kind {
    Fixed(Fixed),
    Hourly(Hourly),
}

/// A released payment (gross), for `refund give`'s 180 days.
#[derive(Debug, Clone)]
pub struct Payment {
    pub at: Instant,
    pub gross: Money,
    pub fee: Money,
}

#[derive(Debug, Clone)]
pub struct Contract {
    pub id: String,
    pub kind: Kind,
    pub status: Status,
    pub started_at: Instant,
    pub ended_at: Option<Instant>,
    pub postings: Vec<Posting>,
    /// Fixed: releases. (Hourly weeks are derived from the clock.)
    pub payments: Vec<Payment>,
    /// Given back: (at, amount, fee returned).
    pub gives: Vec<(Instant, Money, Money)>,
    /// Feedback given: (at), by role index.
    pub feedback: [Option<Instant>; 2],
    pub replied: [bool; 2],
    /// The latest event the contract's file surely records.
    pub latest: Instant,
    /// The latest one it may record (SPEC leaves some events open).
    pub latest_maybe: Instant,
    /// Whether the feedback window's timer has been recorded.
    pub window_recorded: bool,
}

/// Money of a contract as `show` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Figures {
    pub escrow: Money,
    pub paid: Money,
    pub refunded: Money,
    pub fee: Money,
    pub held: Money,
}

/// One week of one hourly contract as `diary show` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WeekFigures {
    /// Whether its dispute was accepted (its hours refunded).
    pub refunded: bool,
    pub seconds: i64,
    pub billable_seconds: i64,
    pub amount: Money,
    pub entries: usize,
}

/// The whole model.
#[derive(Debug, Clone, Default)]
pub struct Model {
    pub contracts: BTreeMap<String, Contract>,
}

type R<T> = Result<T, (i32, String)>;

fn refuse<T>(why: impl Into<String>) -> R<T> {
    Err((4, why.into()))
}

fn not_found<T>(why: impl Into<String>) -> R<T> {
    Err((3, why.into()))
}

/// Collects doubts while a command is modelled.
#[derive(Default)]
struct Doubt(Option<String>);

impl Doubt {
    fn unsure(&mut self, why: impl Into<String>) {
        if self.0.is_none() {
            self.0 = Some(why.into());
        }
    }
}

/// The money range: amounts above it are refused as input (exit 2), and a
/// sum that would leave it is refused by the rules (exit 4).
pub const MONEY_MAX: Money = 1_000_000_000_000_000;

fn add(a: Money, b: Money) -> R<Money> {
    match a.checked_add(b) {
        Some(s) if s <= MONEY_MAX => Ok(s),
        _ => Err((4, format!("money out of range: {a} + {b}"))),
    }
}

fn overlaps(a: (Instant, Instant), b: (Instant, Instant)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

// ------------------------------------------------------------------ contract

impl Contract {
    fn post(&mut self, at: Instant, from: Account, to: Account, amount: Money) {
        if amount != 0 {
            self.postings.push(Posting {
                at,
                from,
                to,
                amount,
            });
        }
    }

    /// Balance of an account.
    pub fn balance(&self, a: Account) -> Money {
        self.postings.iter().fold(0i64, |s, p| {
            if p.to == a {
                s.saturating_add(p.amount)
            } else if p.from == a {
                s.saturating_sub(p.amount)
            } else {
                s
            }
        })
    }

    fn record(&mut self, at: Instant) {
        self.latest = self.latest.max(at);
        self.latest_maybe = self.latest_maybe.max(at);
    }

    /// Pays the freelancer `gross` out of escrow (a release).
    fn release(&mut self, at: Instant, gross: Money) {
        if gross == 0 {
            return;
        }
        let fee = fee_of(gross);
        self.post(at, Account::Escrow, Account::Freelancer, gross);
        self.post(at, Account::FeeCharge, Account::Fees, fee);
        self.payments.push(Payment { at, gross, fee });
    }

    fn refund_escrow(&mut self, at: Instant, amount: Money) {
        self.post(at, Account::Escrow, Account::Refunded, amount);
    }

    /// The oldest refund in `status`, which an answer goes to; refused with
    /// `none` when there is none, and unsure (`several`) when more than one
    /// is: SPEC does not say which an answer is for.
    fn oldest_refund(
        &mut self,
        status: RStatus,
        none: &str,
        several: &str,
        doubt: &mut Doubt,
    ) -> R<usize> {
        let open: Vec<usize> = self
            .fixed()?
            .refunds
            .iter()
            .enumerate()
            .filter(|(_, r)| r.status == status)
            .map(|(i, _)| i)
            .collect();
        let Some(&i) = open.first() else {
            return refuse(none);
        };
        if open.len() > 1 {
            doubt.unsure(several);
        }
        Ok(i)
    }

    fn fixed(&mut self) -> R<&mut Fixed> {
        match &mut self.kind {
            Kind::Fixed(f) => Ok(f),
            Kind::Hourly(_) => refuse(format!("{} is hourly (no milestones or escrow)", self.id)),
        }
    }

    fn hourly(&mut self) -> R<&mut Hourly> {
        match &mut self.kind {
            Kind::Hourly(h) => Ok(h),
            Kind::Fixed(_) => refuse(format!("{} is fixed-price (no work diary)", self.id)),
        }
    }

    /// The due instants of its timers, earliest first: (due, what).
    fn due_timers(&self) -> Vec<(Instant, Timer)> {
        let mut out = Vec::new();
        if let Kind::Fixed(f) = &self.kind {
            for (i, r) in f.refunds.iter().enumerate() {
                match r.status {
                    RStatus::Requested => out.push((r.requested_at + 7 * DAY, Timer::Approve(i))),
                    RStatus::Disputed => {
                        let d = r.disputed_at.unwrap_or(r.requested_at);
                        out.push((business_deadline(d), Timer::Default(i)));
                    }
                    _ => {}
                }
            }
            if self.status != Status::Ended {
                for (i, m) in f.milestones.iter().enumerate() {
                    if m.status == MStatus::Submitted
                        && let Some(s) = m.submitted_at
                    {
                        out.push((s + 14 * DAY, Timer::Release(i)));
                    }
                }
            }
        }
        if let Kind::Hourly(h) = &self.kind {
            for w in self.weeks() {
                let held = h
                    .disputes
                    .get(&w)
                    .is_some_and(|d| matches!(d.status, DStatus::Open | DStatus::Accepted));
                if !held && !h.settled.contains(&w) {
                    out.push((settles(w), Timer::Settle(w)));
                }
            }
        }
        if let Some(e) = self.ended_at
            && !self.window_recorded
        {
            out.push((feedback_close(e), Timer::Window));
        }
        out.sort_by_key(|(t, _)| *t);
        out
    }

    /// Applies every timer due by `now`, in order of due instant.
    fn advance(&mut self, now: Instant) {
        loop {
            let due = self.due_timers();
            let Some(&(at, t)) = due.first() else { return };
            if at > now {
                return;
            }
            self.fire(at, t);
        }
    }

    fn fire(&mut self, at: Instant, t: Timer) {
        match t {
            Timer::Approve(i) => {
                let (amount, m) = {
                    let Kind::Fixed(f) = &mut self.kind else {
                        return;
                    };
                    let r = &mut f.refunds[i];
                    r.status = RStatus::Refunded;
                    (r.amount, r.milestone)
                };
                self.refund_escrow(at, amount);
                self.take_from_milestone(m, amount, true);
                self.record(at);
            }
            Timer::Default(i) => {
                let (amount, m) = {
                    let Kind::Fixed(f) = &mut self.kind else {
                        return;
                    };
                    let r = &mut f.refunds[i];
                    r.status = RStatus::Released;
                    (r.amount, r.milestone)
                };
                self.release(at, amount);
                self.take_from_milestone(m, amount, false);
                self.record(at);
            }
            Timer::Release(i) => {
                let free = self.milestone_free(i);
                let Kind::Fixed(f) = &mut self.kind else {
                    return;
                };
                let m = &mut f.milestones[i];
                if free > 0 {
                    m.status = MStatus::Released;
                    m.escrow -= free;
                    m.submitted_at = None;
                    self.release(at, free);
                    self.record(at);
                } else {
                    // Nothing to release: the timer has nothing to do (and
                    // records nothing); stop it.
                    m.submitted_at = None;
                    self.latest_maybe = self.latest_maybe.max(at);
                }
            }
            Timer::Settle(w) => self.settle_week(w, at),
            Timer::Window => {
                self.window_recorded = true;
                if self.feedback.iter().all(Option::is_some) {
                    // Both gave before the close: whether a close event is
                    // recorded is not pinned down.
                    self.latest_maybe = self.latest_maybe.max(at);
                } else {
                    self.record(at);
                }
            }
        }
    }

    /// Escrow of milestone `i` not held by an open refund.
    fn milestone_free(&self, i: usize) -> Money {
        let Kind::Fixed(f) = &self.kind else { return 0 };
        let held: Money = f
            .refunds
            .iter()
            .filter(|r| r.open() && r.milestone == Some(i))
            .map(|r| r.amount)
            .sum();
        f.milestones[i].escrow - held
    }

    /// Takes `amount` of a closed refund off its milestone's escrow.
    fn take_from_milestone(&mut self, m: Option<usize>, amount: Money, refunded: bool) {
        let Kind::Fixed(f) = &mut self.kind else {
            return;
        };
        if let Some(i) = m {
            let ms = &mut f.milestones[i];
            ms.escrow -= amount;
            if ms.escrow == 0 && matches!(ms.status, MStatus::Funded | MStatus::Submitted) {
                ms.status = if refunded {
                    MStatus::Refunded
                } else {
                    MStatus::Released
                };
                ms.submitted_at = None;
            }
        }
    }

    fn held(&self) -> Money {
        match &self.kind {
            Kind::Fixed(f) => f
                .refunds
                .iter()
                .filter(|r| r.open())
                .map(|r| r.amount)
                .sum(),
            Kind::Hourly(_) => 0,
        }
    }

    /// The funded milestone (funded or submitted), if any.
    fn funded_milestone(&self) -> Option<usize> {
        let Kind::Fixed(f) = &self.kind else {
            return None;
        };
        f.milestones
            .iter()
            .position(|m| matches!(m.status, MStatus::Funded | MStatus::Submitted))
    }

    // ---------------------------------------------------------- hourly

    /// The limit in force in week `w`.
    pub fn limit_for(h: &Hourly, w: Instant) -> Option<i64> {
        let mut cur = h.limits.first().and_then(|l| l.1);
        for &(from, l) in &h.limits {
            if from <= w {
                cur = l;
            }
        }
        cur
    }

    /// Where a running timer started at `start` stops counting on its own:
    /// its week's review close, and at most 7 days.
    fn cap(start: Instant) -> Instant {
        review_close(monday(start)).min(start + WEEK)
    }

    /// An entry's end as seen at `now`.
    fn entry_end(e: &Entry, now: Instant) -> Instant {
        match e.end {
            Some(x) => x,
            None => now.min(Self::cap(e.start)).max(e.start),
        }
    }

    /// One week's figures at `now`.
    pub fn week(&self, w: Instant, now: Instant) -> WeekFigures {
        let Kind::Hourly(h) = &self.kind else {
            return WeekFigures::default();
        };
        let mut f = WeekFigures::default();
        for e in h.entries.iter().filter(|e| monday(e.start) == w) {
            f.seconds += Self::entry_end(e, now) - e.start;
            f.entries += 1;
        }
        f.billable_seconds = match Self::limit_for(h, w) {
            Some(l) => f.seconds.min(l * HOUR),
            None => f.seconds,
        };
        f.amount = div_round(f.billable_seconds as i128 * h.rate as i128, HOUR as i128) as Money;
        f.refunded = h
            .disputes
            .get(&w)
            .is_some_and(|d| d.status == DStatus::Accepted);
        f
    }

    /// The weeks with entries.
    pub fn weeks(&self) -> Vec<Instant> {
        let Kind::Hourly(h) = &self.kind else {
            return Vec::new();
        };
        let mut w: Vec<Instant> = h.entries.iter().map(|e| monday(e.start)).collect();
        w.dedup();
        w
    }

    /// Every payment (releases; settled hourly weeks once recorded — a
    /// view records them in memory through `advance`).
    fn all_payments(&self, _now: Instant) -> Vec<Payment> {
        self.payments.clone()
    }

    /// Records the payment of hourly week `w` at `at` (its settlement, or
    /// the end of its dispute after it).
    fn settle_week(&mut self, w: Instant, at: Instant) {
        let gross = self.week(w, at).amount;
        if let Kind::Hourly(h) = &mut self.kind {
            h.settled.insert(w);
        }
        if gross > 0 {
            let fee = fee_of(gross);
            self.post(at, Account::Client, Account::Freelancer, gross);
            self.post(at, Account::FeeCharge, Account::Fees, fee);
            self.payments.push(Payment { at, gross, fee });
            self.record(at);
        } else {
            self.latest_maybe = self.latest_maybe.max(at);
        }
    }

    /// Money as `show` reports it (timers already applied).
    pub fn figures(&self, _now: Instant) -> Figures {
        Figures {
            escrow: self.balance(Account::Escrow),
            paid: self.balance(Account::Freelancer),
            refunded: self.balance(Account::Refunded),
            fee: self.balance(Account::Fees),
            held: self.held(),
        }
    }

    /// Stops a running timer at `at` (pause, dispute, end).
    fn stop_timer_at(&mut self, at: Instant) {
        if let Kind::Hourly(h) = &mut self.kind {
            for e in h.entries.iter_mut() {
                if e.end.is_none() {
                    e.end = Some(at.min(Self::cap(e.start)).max(e.start));
                }
            }
            // A timer stopped the instant it started holds no time.
            h.entries.retain(|e| e.end != Some(e.start));
        }
    }

    /// The latest instant the diary records (an entry's end, a running
    /// timer's start): SPEC does not say whether a diary change dated
    /// before it is refused by the clock rule.
    pub fn diary_latest(&self) -> Instant {
        match &self.kind {
            Kind::Hourly(h) => h
                .entries
                .iter()
                .map(|e| e.end.unwrap_or(e.start))
                .max()
                .unwrap_or(Instant::MIN),
            Kind::Fixed(_) => Instant::MIN,
        }
    }

    /// Whether `[a, b)` may hold time: within the contract's life and not in
    /// a paused period. `Err` says why not.
    fn in_life(&self, a: Instant, b: Instant) -> R<()> {
        if a < self.started_at {
            return refuse("before the contract started");
        }
        if let Some(e) = self.ended_at
            && b > e
        {
            return refuse("after the contract ended");
        }
        if let Kind::Hourly(h) = &self.kind {
            for &(p, q) in &h.pauses {
                if overlaps((a, b), (p, q.unwrap_or(Instant::MAX))) {
                    return refuse("while the contract was paused");
                }
            }
        }
        Ok(())
    }

    /// Whether `[a, b)` overlaps an entry other than the one starting at
    /// `skip` (a running timer occupies everything after its start).
    fn overlaps_entry(&self, a: Instant, b: Instant, skip: Option<Instant>) -> bool {
        let Kind::Hourly(h) = &self.kind else {
            return false;
        };
        // A running timer holds the time up to where it stops counting on
        // its own.
        h.entries.iter().any(|e| {
            Some(e.start) != skip
                && overlaps((a, b), (e.start, e.end.unwrap_or(Self::cap(e.start))))
        })
    }
}

#[derive(Debug, Clone, Copy)]
enum Timer {
    Approve(usize),
    Default(usize),
    Release(usize),
    Settle(Instant),
    Window,
}

// ------------------------------------------------------------------ model

impl Model {
    /// A contract's view at `now`: its persisted state with the due timers
    /// applied in memory.
    pub fn view(&self, id: &str, now: Instant) -> Option<Contract> {
        let mut c = self.contracts.get(id)?.clone();
        c.advance(now);
        Some(c)
    }

    /// What the rules say of `op` by `role` at `now`, and the state after.
    pub fn exec(&self, op: &Op, role: Role, now: Instant) -> Outcome {
        let mut next = self.clone();
        let mut doubt = Doubt::default();
        match next.step(op, role, now, &mut doubt) {
            Ok(()) => Outcome {
                verdict: match doubt.0 {
                    Some(w) => Verdict::Unsure(w),
                    None => Verdict::Accept,
                },
                next: Some(next),
            },
            // A refusal names a rule SPEC states: it stands whatever else
            // was in doubt.
            Err((code, why)) => Outcome {
                verdict: Verdict::Refuse(code, why),
                next: None,
            },
        }
    }

    /// Checks the model's own invariants (double entry balanced, no negative
    /// holdings); `Err` names the broken one.
    pub fn invariants(&self, now: Instant) -> Result<(), String> {
        for (id, c) in &self.contracts {
            let mut c = c.clone();
            c.advance(now);
            let sum: i128 = [
                Account::Client,
                Account::Escrow,
                Account::Freelancer,
                Account::Refunded,
                Account::Fees,
                Account::FeeCharge,
            ]
            .iter()
            .map(|a| c.balance(*a) as i128)
            .sum();
            if sum != 0 {
                return Err(format!("{id}: postings do not balance ({sum})"));
            }
            let f = c.figures(now);
            if f.escrow < 0 || f.paid < 0 || f.refunded < 0 || f.fee < 0 || f.held > f.escrow {
                return Err(format!("{id}: impossible figures {f:?}"));
            }
            if let Kind::Fixed(fx) = &c.kind {
                let ms: Money = fx.milestones.iter().map(|m| m.escrow).sum();
                if ms != f.escrow {
                    return Err(format!(
                        "{id}: milestones hold {ms}, escrow is {}",
                        f.escrow
                    ));
                }
            }
        }
        Ok(())
    }

    fn step(&mut self, op: &Op, role: Role, now: Instant, doubt: &mut Doubt) -> R<()> {
        match op {
            Op::Sweep => {
                for c in self.contracts.values_mut() {
                    c.advance(now);
                }
                return Ok(());
            }
            Op::NewFixed { id, .. } | Op::NewHourly { id, .. } => {
                return self.create(op, id, role, now);
            }
            Op::Import { intervals } => return self.import(intervals, role, now, doubt),
            _ => {}
        }
        let id = op.contract().unwrap_or_default().to_string();
        let Some(persisted) = self.contracts.get(&id) else {
            return not_found(format!("no contract {id}"));
        };
        let mut c = persisted.clone();
        c.advance(now);
        if op.writes_contract() {
            if now < persisted.latest {
                return refuse(format!(
                    "the clock is before the contract's latest event ({})",
                    show(persisted.latest)
                ));
            }
            if now < persisted.latest_maybe {
                doubt.unsure("the clock is before an event the contract may record");
            }
        } else if now < persisted.latest {
            // The diary is the contract's too: the clock only moves forward.
            return refuse(format!(
                "the clock is before the contract's latest event ({})",
                show(persisted.latest)
            ));
        } else if now < persisted.latest_maybe || now < persisted.diary_latest() {
            doubt.unsure("a diary change dated before time the diary already records");
        }
        apply(&mut c, op, role, now, doubt)?;
        if op.writes_contract() {
            c.record(now);
            self.contracts.insert(id, c);
        } else {
            // The diary's week files change; the contract file (and its
            // timers) does not.
            let p = self.contracts.get_mut(&id).expect("exists");
            p.kind = match (&p.kind, c.kind) {
                (Kind::Hourly(old), Kind::Hourly(mut new)) => {
                    // Only the diary moved.
                    let entries = std::mem::take(&mut new.entries);
                    let mut h = old.clone();
                    h.entries = entries;
                    Kind::Hourly(h)
                }
                (_, k) => k,
            };
            p.latest_maybe = p.latest_maybe.max(now);
        }
        Ok(())
    }

    fn create(&mut self, op: &Op, id: &str, role: Role, now: Instant) -> R<()> {
        if role != Role::Client {
            return refuse("only the client creates contracts");
        }
        if self.contracts.contains_key(id) {
            return refuse(format!("{id} exists"));
        }
        let mut c = Contract {
            id: id.to_string(),
            kind: Kind::Fixed(Fixed {
                milestones: Vec::new(),
                refunds: Vec::new(),
            }),
            status: Status::Active,
            started_at: now,
            ended_at: None,
            postings: Vec::new(),
            payments: Vec::new(),
            gives: Vec::new(),
            feedback: [None, None],
            replied: [false, false],
            latest: now,
            latest_maybe: now,
            window_recorded: false,
        };
        match op {
            Op::NewFixed { milestones, .. } => {
                let mut price: Money = 0;
                for &m in milestones {
                    if m < MIN_MILESTONE {
                        return refuse("a milestone under 5.00");
                    }
                    price = add(price, m)?;
                }
                let first = milestones[0];
                c.kind = Kind::Fixed(Fixed {
                    milestones: milestones
                        .iter()
                        .enumerate()
                        .map(|(i, &amount)| Milestone {
                            amount,
                            status: if i == 0 {
                                MStatus::Funded
                            } else {
                                MStatus::Pending
                            },
                            escrow: if i == 0 { amount } else { 0 },
                            submitted_at: None,
                        })
                        .collect(),
                    refunds: Vec::new(),
                });
                c.post(now, Account::Client, Account::Escrow, first);
            }
            Op::NewHourly {
                rate,
                limit,
                manual,
                ..
            } => {
                if *rate < MIN_RATE {
                    return refuse("rate under 3.00");
                }
                c.kind = Kind::Hourly(Hourly {
                    rate: *rate,
                    manual: *manual,
                    limits: vec![(Instant::MIN, *limit)],
                    entries: Vec::new(),
                    pauses: Vec::new(),
                    disputes: BTreeMap::new(),
                    settled: Default::default(),
                });
            }
            _ => unreachable!(),
        }
        self.contracts.insert(id.to_string(), c);
        Ok(())
    }

    fn import(
        &mut self,
        intervals: &[(Vec<String>, Instant, Option<Instant>)],
        role: Role,
        now: Instant,
        doubt: &mut Doubt,
    ) -> R<()> {
        if role != Role::Freelancer {
            return refuse("only the freelancer imports");
        }
        let mut added: Vec<(String, Vec<String>, Instant, Instant)> = Vec::new();
        for (tags, a, b) in intervals {
            if b.is_none() {
                return refuse("an open interval");
            }
            let named: Vec<&String> = tags
                .iter()
                .filter(|t| self.contracts.contains_key(t.as_str()))
                .collect();
            let id = match named.len() {
                0 => continue, // reported and skipped
                1 => named[0].clone(),
                _ => return refuse("an interval names two contracts"),
            };
            let Some(b) = *b else {
                return refuse("an open interval");
            };
            let persisted = &self.contracts[&id];
            let mut c = persisted.clone();
            c.advance(now);
            let Kind::Hourly(h) = &c.kind else {
                return refuse(format!("{id} is fixed-price"));
            };
            // Already in the ledger: the same interval of the tracker (its
            // tags and span) in any contract, or, in this contract, an
            // entry with the same span that came from no import.
            let same = Some((tags.clone(), *a, b));
            if self.contracts.values().any(|x| match &x.kind {
                Kind::Hourly(xh) => xh.entries.iter().any(|e| e.imported == same),
                Kind::Fixed(_) => false,
            }) || h
                .entries
                .iter()
                .any(|e| e.imported.is_none() && e.start == *a && e.end == Some(b))
            {
                continue; // already imported: nothing changes, at any clock
            }
            if now < persisted.latest {
                return refuse(format!(
                    "the clock is before {id}'s latest event ({})",
                    show(persisted.latest)
                ));
            }
            if now < persisted.diary_latest() {
                doubt.unsure("an import dated before time the diary already records");
            }
            if *a >= b {
                return refuse("ends before it starts");
            }
            if b > now {
                return refuse("in the future");
            }
            if b - a > WEEK {
                return refuse("longer than 7 days");
            }
            // SPEC §2, one door for time: imported time is manual time,
            // into an active contract, in a week still open or in review.
            if c.status != Status::Active {
                return refuse("import into a contract that is not active");
            }
            if !h.manual {
                return refuse("imported time is manual; the contract allows none");
            }
            if now < persisted.latest_maybe {
                doubt.unsure("an import dated before the contract's latest event");
            }
            c.in_life(*a, b)?;
            if now >= review_close(monday(*a)) {
                return refuse("a week past review takes no new time");
            }
            if c.overlaps_entry(*a, b, None) {
                return refuse("overlaps an entry");
            }
            if added
                .iter()
                .any(|(i, _, x, y)| *i == id && overlaps((*a, b), (*x, *y)))
            {
                // Two intervals of one export overlap each other (or the
                // same one twice).
                if added
                    .iter()
                    .any(|(i, t, x, y)| *i == id && t == tags && *x == *a && *y == b)
                {
                    doubt.unsure("the same interval twice in one export");
                    continue;
                }
                return refuse("two intervals of the export overlap");
            }
            added.push((id, tags.clone(), *a, b));
        }
        for (id, tags, a, b) in added {
            let c = self.contracts.get_mut(&id).expect("exists");
            let Kind::Hourly(h) = &mut c.kind else {
                unreachable!()
            };
            h.entries.push(Entry {
                start: a,
                end: Some(b),
                manual: true,
                imported: Some((tags, a, b)),
            });
            h.entries.sort_by_key(|e| e.start);
            c.latest_maybe = c.latest_maybe.max(now);
        }
        Ok(())
    }
}

fn need(role: Role, want: Role, what: &str) -> R<()> {
    if role == want {
        Ok(())
    } else {
        refuse(format!("only the {} may {what}", want.name()))
    }
}

fn not_ended(c: &Contract) -> R<()> {
    if c.status == Status::Ended {
        refuse(format!("{} has ended", c.id))
    } else {
        Ok(())
    }
}

/// Resolves a milestone number (1-based) or the funded one.
fn milestone_of(c: &Contract, n: Option<usize>) -> R<usize> {
    let Kind::Fixed(f) = &c.kind else {
        return refuse("hourly");
    };
    match n {
        Some(n) if n >= 1 && n <= f.milestones.len() => Ok(n - 1),
        Some(n) => not_found(format!("no milestone {n}")),
        None => c
            .funded_milestone()
            .ok_or_else(|| (4, "no milestone is funded".to_string())),
    }
}

/// Funds milestone `i` (client's money tops its carried escrow up).
fn fund(c: &mut Contract, i: usize, now: Instant) -> R<()> {
    if c.funded_milestone().is_some() {
        return refuse("another milestone is still funded");
    }
    let amount = {
        let m = &c.fixed()?.milestones[i];
        if m.status != MStatus::Pending {
            return refuse("that milestone is not pending");
        }
        m.amount
    };
    // Money left over by a partial approval with no milestone after it
    // carries to the next milestone funded after it (a later number).
    carry_leftover(c, i)?;
    let escrow = c.fixed()?.milestones[i].escrow;
    let top = (amount - escrow).max(0);
    add(c.balance(Account::Escrow), top)?;
    c.post(now, Account::Client, Account::Escrow, top);
    let f = c.fixed()?;
    let m = &mut f.milestones[i];
    m.escrow += top;
    m.status = MStatus::Funded;
    Ok(())
}

/// Moves the free escrow of released milestones before `i` onto `i`;
/// returns how much.
fn carry_leftover(c: &mut Contract, i: usize) -> R<Money> {
    let n = c.fixed()?.milestones.len();
    let mut carried = 0;
    for j in 0..n {
        let st = c.fixed()?.milestones[j].status;
        if j < i && matches!(st, MStatus::Released | MStatus::Refunded) {
            let free = c.milestone_free(j);
            if free > 0 {
                c.fixed()?.milestones[j].escrow -= free;
                carried += free;
            }
        }
    }
    c.fixed()?.milestones[i].escrow += carried;
    Ok(carried)
}

fn open_refund(c: &Contract) -> Option<usize> {
    let Kind::Fixed(f) = &c.kind else { return None };
    f.refunds.iter().position(Refund::open)
}

/// One command on one contract (its due timers already applied).
fn apply(c: &mut Contract, op: &Op, role: Role, now: Instant, doubt: &mut Doubt) -> R<()> {
    use Role::*;
    match op {
        Op::MilestoneAdd {
            amount, fund: f, ..
        } => {
            need(role, Client, "add milestones")?;
            c.fixed()?;
            not_ended(c)?;
            if *amount < MIN_MILESTONE {
                return refuse("under 5.00");
            }
            let price: Money = c.fixed()?.milestones.iter().map(|m| m.amount).sum();
            add(price, *amount)?;
            let leftover = leftover(c);
            let fx = c.fixed()?;
            fx.milestones.push(Milestone {
                amount: *amount,
                status: MStatus::Pending,
                escrow: 0,
                submitted_at: None,
            });
            let i = fx.milestones.len() - 1;
            // Money left over by a partial approval carries to the milestone
            // added next (it is the next milestone).
            carry_leftover(c, i)?;
            if *f {
                if leftover > 0 {
                    doubt.unsure("funding a milestone added after money was left over");
                }
                fund(c, i, now)?;
            }
        }
        Op::MilestoneFund { n, .. } => {
            need(role, Client, "fund milestones")?;
            c.fixed()?;
            not_ended(c)?;
            let i = match n {
                Some(_) => milestone_of(c, *n)?,
                None => c
                    .fixed()?
                    .milestones
                    .iter()
                    .position(|m| m.status == MStatus::Pending)
                    .ok_or_else(|| (4, "no pending milestone".to_string()))?,
            };
            let first_pending = c
                .fixed()?
                .milestones
                .iter()
                .position(|m| m.status == MStatus::Pending);
            if first_pending.is_some_and(|p| p != i) {
                doubt.unsure("funding a pending milestone out of order");
            }
            if open_refund(c).is_some() {
                doubt.unsure("funding while a refund is open");
            }
            if leftover(c) > 0 {
                doubt.unsure("funding a milestone while money is left over");
            }
            fund(c, i, now)?;
        }
        Op::MilestoneSubmit { n, .. } => {
            need(role, Freelancer, "submit")?;
            c.fixed()?;
            not_ended(c)?;
            let i = milestone_of(c, *n)?;
            if open_refund(c).is_some() {
                doubt.unsure("submitting while a refund is open");
            }
            let m = &mut c.fixed()?.milestones[i];
            if m.status != MStatus::Funded {
                return refuse("not funded (or already submitted)");
            }
            m.status = MStatus::Submitted;
            m.submitted_at = Some(now);
        }
        Op::MilestoneRequestChanges { n, .. } => {
            need(role, Client, "request changes")?;
            c.fixed()?;
            not_ended(c)?;
            let i = milestone_of(c, *n)?;
            let m = &mut c.fixed()?.milestones[i];
            if m.status != MStatus::Submitted {
                return refuse("not submitted");
            }
            m.status = MStatus::Funded;
            m.submitted_at = None;
        }
        Op::MilestoneApprove { n, amount, .. } => {
            need(role, Client, "approve")?;
            c.fixed()?;
            not_ended(c)?;
            let i = milestone_of(c, *n)?;
            if !matches!(
                c.fixed()?.milestones[i].status,
                MStatus::Funded | MStatus::Submitted
            ) {
                return refuse("not funded");
            }
            let free = c.milestone_free(i);
            let pay = match amount {
                Some(a) if *a > free => return refuse("more than the free escrow"),
                Some(a) if *a <= 0 => {
                    doubt.unsure("approving 0.00");
                    *a
                }
                Some(a) => *a,
                None => {
                    if free == 0 {
                        doubt.unsure("approving with all of the escrow held");
                    }
                    free
                }
            };
            if open_refund(c).is_some() {
                doubt.unsure("approving while a refund is open");
            }
            let rest = free - pay;
            c.release(now, pay);
            let fx = c.fixed()?;
            fx.milestones[i].escrow -= pay;
            fx.milestones[i].status = MStatus::Released;
            fx.milestones[i].submitted_at = None;
            if rest > 0 {
                if let Some(j) = fx
                    .milestones
                    .iter()
                    .enumerate()
                    .position(|(j, m)| j > i && m.status == MStatus::Pending)
                {
                    fx.milestones[i].escrow -= rest;
                    fx.milestones[j].escrow += rest;
                } else if fx.milestones.iter().any(|m| m.status == MStatus::Pending) {
                    doubt.unsure(
                        "the rest of a partial approval with only earlier milestones pending",
                    );
                }
            }
        }
        Op::RefundRequest { amount, .. } => {
            need(role, Client, "request a refund")?;
            c.fixed()?;
            not_ended(c)?;
            if open_refund(c).is_some() {
                return refuse("a refund is already open");
            }
            let i = c
                .funded_milestone()
                .ok_or_else(|| (4, "no funded milestone".to_string()))?;
            let free = c.milestone_free(i);
            let a = match amount {
                Some(a) if *a > free => return refuse("more than the funded escrow"),
                Some(a) if *a <= 0 => return refuse("nothing to refund"),
                Some(a) => *a,
                None if free == 0 => return refuse("nothing to refund"),
                None => free,
            };
            c.fixed()?.refunds.push(Refund {
                amount: a,
                status: RStatus::Requested,
                requested_at: now,
                disputed_at: None,
                milestone: Some(i),
            });
        }
        Op::RefundApprove { .. } | Op::RefundDispute { .. } => {
            need(role, Freelancer, "answer a refund request")?;
            let i = c.oldest_refund(
                RStatus::Requested,
                "no refund request to answer",
                "two refund requests open",
                doubt,
            )?;
            if matches!(op, Op::RefundApprove { .. }) {
                let (amount, m) = {
                    let r = &mut c.fixed()?.refunds[i];
                    r.status = RStatus::Refunded;
                    (r.amount, r.milestone)
                };
                c.refund_escrow(now, amount);
                c.take_from_milestone(m, amount, true);
            } else {
                let r = &mut c.fixed()?.refunds[i];
                r.status = RStatus::Disputed;
                r.disputed_at = Some(now);
            }
        }
        Op::RefundConcede { .. } | Op::RefundEscalate { .. } => {
            need(role, Client, "answer a dispute")?;
            let i = c.oldest_refund(
                RStatus::Disputed,
                "no disputed refund",
                "two disputes open",
                doubt,
            )?;
            if matches!(op, Op::RefundConcede { .. }) {
                let (amount, m) = {
                    let r = &mut c.fixed()?.refunds[i];
                    r.status = RStatus::Released;
                    (r.amount, r.milestone)
                };
                c.release(now, amount);
                c.take_from_milestone(m, amount, false);
            } else {
                c.fixed()?.refunds[i].status = RStatus::Escalated;
            }
        }
        Op::RefundResolve {
            client, freelancer, ..
        } => {
            c.fixed()?;
            let open: Vec<usize> = c
                .fixed()?
                .refunds
                .iter()
                .enumerate()
                .filter(|(_, r)| r.status == RStatus::Escalated)
                .map(|(i, _)| i)
                .collect();
            let Some(&i) = open.first() else {
                return refuse("no escalated dispute");
            };
            if open.len() > 1 {
                doubt.unsure("two escalated disputes");
            }
            let (amount, m) = {
                let r = &c.fixed()?.refunds[i];
                (r.amount, r.milestone)
            };
            if add(*client, *freelancer)? != amount {
                return refuse("the parts do not add up");
            }
            c.fixed()?.refunds[i].status = RStatus::Resolved;
            c.refund_escrow(now, *client);
            c.release(now, *freelancer);
            if let Some(j) = m {
                let fx = c.fixed()?;
                fx.milestones[j].escrow -= amount;
                let ms = &mut fx.milestones[j];
                if ms.escrow == 0 && matches!(ms.status, MStatus::Funded | MStatus::Submitted) {
                    ms.status = MStatus::Released;
                    ms.submitted_at = None;
                }
            }
        }
        Op::RefundGive { amount, .. } => {
            need(role, Freelancer, "give a refund")?;
            if *amount <= 0 {
                return refuse("nothing to give");
            }
            // At most the net paid in the last 180 days, less what was given:
            // the edges (a payment exactly 180 days old; gives older than
            // the window) are read both ways.
            let pays = c.all_payments(now);
            let net = |strict: bool| -> Money {
                pays.iter()
                    .filter(|p| {
                        if strict {
                            now - p.at < 180 * DAY
                        } else {
                            now - p.at <= 180 * DAY
                        }
                    })
                    .map(|p| p.gross - p.fee)
                    .sum()
            };
            let given_all: Money = c.gives.iter().map(|g| g.1).sum();
            let given_window: Money = c
                .gives
                .iter()
                .filter(|g| now - g.0 <= 180 * DAY)
                .map(|g| g.1)
                .sum();
            let lo = net(true) - given_all;
            let hi = net(false) - given_window;
            if *amount > hi {
                return refuse("more than the net paid in the last 180 days");
            }
            if *amount > lo {
                doubt.unsure("a give at the edge of the 180 days");
            }
            if c.figures(now).paid < *amount {
                return refuse("more than was paid");
            }
            let fee_left = c.figures(now).fee;
            let back = fee_of(*amount).min(fee_left);
            c.post(now, Account::Freelancer, Account::Refunded, *amount);
            c.post(now, Account::Fees, Account::FeeCharge, back);
            c.gives.push((now, *amount, back));
        }
        Op::End { pay, .. } => {
            not_ended(c)?;
            // No time may lie after the end.
            if let Kind::Hourly(h) = &c.kind
                && h.entries
                    .iter()
                    .any(|e| e.end.is_some_and(|x| x > now) || e.start > now)
            {
                return refuse("time is logged after the end instant");
            }
            match (&c.kind, role) {
                (Kind::Fixed(_), Client) => {
                    let free = c.balance(Account::Escrow) - c.held();
                    let p = match pay {
                        None if free > 0 => return refuse("say what to pay with --pay"),
                        None => 0,
                        Some(Pay::Full) => free,
                        Some(Pay::Nothing) => 0,
                        Some(Pay::Amount(a)) if *a > free => {
                            return refuse("--pay more than the escrow");
                        }
                        Some(Pay::Amount(a)) => *a,
                    };
                    if free == 0 && pay.is_some() {
                        doubt.unsure("--pay with no free escrow");
                    }
                    let rest = free - p;
                    c.release(now, p);
                    take_free(c, p + rest);
                    if rest > 0 {
                        c.fixed()?.refunds.push(Refund {
                            amount: rest,
                            status: RStatus::Requested,
                            requested_at: now,
                            disputed_at: None,
                            milestone: None,
                        });
                        // The remainder's escrow moves to a pool attributed
                        // to the first milestone for bookkeeping.
                        let fx = c.fixed()?;
                        fx.milestones[0].escrow += rest;
                        let n = fx.refunds.len() - 1;
                        fx.refunds[n].milestone = Some(0);
                    }
                }
                (Kind::Fixed(_), Freelancer) => {
                    if pay.is_some() {
                        doubt.unsure("--pay by the freelancer");
                    }
                    let free = c.balance(Account::Escrow) - c.held();
                    c.refund_escrow(now, free);
                    take_free(c, free);
                }
                (Kind::Hourly(_), _) => {
                    if pay.is_some() {
                        doubt.unsure("--pay on an hourly contract");
                    }
                    c.stop_timer_at(now);
                }
            }
            c.status = Status::Ended;
            c.ended_at = Some(now);
        }
        Op::Pause { .. } => {
            need(role, Client, "pause")?;
            c.hourly()?;
            if c.status != Status::Active {
                return refuse("not active");
            }
            if let Kind::Hourly(h) = &c.kind
                && h.entries
                    .iter()
                    .any(|e| e.end.is_some_and(|x| x > now) || e.start > now)
            {
                doubt.unsure("pausing before time already logged");
            }
            c.stop_timer_at(now);
            c.status = Status::Paused;
            c.hourly()?.pauses.push((now, None));
        }
        Op::Resume { .. } => {
            need(role, Client, "resume")?;
            c.hourly()?;
            if c.status != Status::Paused {
                return refuse("not paused");
            }
            if c.hourly()?
                .disputes
                .values()
                .any(|d| d.status == DStatus::Open)
            {
                doubt.unsure("resuming while a week dispute is open");
            }
            c.status = Status::Active;
            if let Some(p) = c.hourly()?.pauses.last_mut() {
                p.1 = Some(now);
            }
        }
        Op::Limit { hours, .. } => {
            need(role, Client, "change the limit")?;
            c.hourly()?;
            if c.status == Status::Ended {
                doubt.unsure("a limit on an ended contract");
            }
            let w = monday(now);
            let h = c.hourly()?;
            let cur = Contract::limit_for(h, w);
            let pending = h.limits.iter().any(|l| l.0 > w);
            let bigger = |a: Option<i64>, b: Option<i64>| match (a, b) {
                (None, None) => false,
                (None, Some(_)) => true,
                (Some(_), None) => false,
                (Some(x), Some(y)) => x > y,
            };
            if *hours == cur {
                if pending {
                    doubt.unsure("a limit equal to the current one with a cut pending");
                    h.limits.retain(|l| l.0 <= w);
                } else {
                    return refuse("the limit is already that");
                }
            } else if bigger(*hours, cur) {
                h.limits.retain(|l| l.0 < w);
                h.limits.push((w, *hours));
            } else {
                h.limits.retain(|l| l.0 < w + WEEK);
                h.limits.push((w + WEEK, *hours));
            }
        }
        Op::Log { from, to, .. } => {
            need(role, Freelancer, "log time")?;
            c.hourly()?;
            if c.status != Status::Active {
                return refuse("the contract is not active");
            }
            if !c.hourly()?.manual {
                return refuse("manual time is not allowed");
            }
            check_interval(c, *from, *to, now, None)?;
            let h = c.hourly()?;
            h.entries.push(Entry {
                start: *from,
                end: Some(*to),
                manual: true,
                imported: None,
            });
            h.entries.sort_by_key(|e| e.start);
        }
        Op::Start { .. } => {
            need(role, Freelancer, "start a timer")?;
            c.hourly()?;
            if c.status != Status::Active {
                return refuse("the contract is not active");
            }
            // A timer past the point where it stops counting on its own is
            // no longer running: it ends there.
            let h = c.hourly()?;
            for e in h.entries.iter_mut() {
                if e.end.is_none() && Contract::cap(e.start) <= now {
                    e.end = Some(Contract::cap(e.start));
                    doubt.unsure("a new timer after one left running past its week's close");
                }
            }
            if c.hourly()?.entries.iter().any(|e| e.end.is_none()) {
                return refuse("a timer is already running");
            }
            c.in_life(now, now + 1)?;
            if c.overlaps_entry(now, Instant::MAX, None) {
                return refuse("time is logged after now");
            }
            let h = c.hourly()?;
            h.entries.push(Entry {
                start: now,
                end: None,
                manual: false,
                imported: None,
            });
            h.entries.sort_by_key(|e| e.start);
        }
        Op::Stop { .. } => {
            need(role, Freelancer, "stop a timer")?;
            let h = c.hourly()?;
            let Some(e) = h.entries.iter_mut().find(|e| e.end.is_none()) else {
                return refuse("no timer is running");
            };
            if now <= e.start {
                return refuse(format!(
                    "the clock is before the timer's start ({})",
                    show(e.start)
                ));
            }
            e.end = Some(now.min(Contract::cap(e.start)));
            if now > Contract::cap(e.start) && now - e.start > WEEK {
                doubt.unsure("a timer left running for more than 7 days");
            }
        }
        Op::Edit {
            entry, from, to, ..
        } => {
            need(role, Freelancer, "edit time")?;
            c.hourly()?;
            let Some(e) = c
                .hourly()?
                .entries
                .iter()
                .find(|e| e.start == *entry)
                .cloned()
            else {
                return not_found("no such entry");
            };
            not_ended(c)?;
            if c.status == Status::Paused {
                doubt.unsure("editing while paused");
            }
            if now >= review_close(monday(e.start)) {
                return refuse("the week is closed for edits");
            }
            if from.is_none() && to.is_none() {
                return Ok(()); // the memo only
            }
            if !c.hourly()?.manual {
                return refuse("editing times makes manual time, not allowed");
            }
            if e.end.is_none() && to.is_none() {
                // A running timer's start moves; it keeps running.
                let a = from.unwrap_or(e.start);
                if a > now {
                    return refuse("a running timer cannot start after now");
                }
                if monday(a) != monday(e.start) {
                    return refuse("an edit cannot move an entry to another week");
                }
                c.in_life(a, now.max(a + 1))?;
                if c.overlaps_entry(a, Instant::MAX, Some(e.start)) {
                    return refuse("overlaps another entry");
                }
                let h = c.hourly()?;
                let x = h
                    .entries
                    .iter_mut()
                    .find(|x| x.start == *entry)
                    .expect("found");
                x.start = a;
                x.manual = true;
                h.entries.sort_by_key(|e| e.start);
                return Ok(());
            }
            if e.end.is_none() {
                doubt.unsure("giving a running timer an end by editing it");
            }
            let a = from.unwrap_or(e.start);
            let b = match (to, e.end) {
                (Some(t), _) => *t,
                (None, Some(x)) => x,
                (None, None) => now,
            };
            if monday(a) != monday(e.start) {
                return refuse("an edit cannot move an entry to another week");
            }
            check_interval(c, a, b, now, Some(e.start))?;
            let h = c.hourly()?;
            let x = h
                .entries
                .iter_mut()
                .find(|x| x.start == *entry)
                .expect("found");
            x.start = a;
            x.end = Some(b);
            x.manual = true;
            h.entries.sort_by_key(|e| e.start);
        }
        Op::Rm { entry, .. } => {
            need(role, Freelancer, "delete time")?;
            c.hourly()?;
            let Some(e) = c
                .hourly()?
                .entries
                .iter()
                .find(|e| e.start == *entry)
                .cloned()
            else {
                return not_found("no such entry");
            };
            not_ended(c)?;
            if c.status == Status::Paused {
                doubt.unsure("deleting while paused");
            }
            if now >= review_close(monday(e.start)) && e.end.is_some() {
                return refuse("the week is closed for edits");
            }
            if e.end.is_none() && now >= review_close(monday(e.start)) {
                doubt.unsure("deleting a running timer of a closed week");
            }
            c.hourly()?.entries.retain(|x| x.start != *entry);
        }
        Op::WeekDispute { week, action, .. } => {
            c.hourly()?;
            let w = *week;
            match action {
                WeekAction::Open => {
                    need(role, Client, "dispute a week")?;
                    if now < review_close(w) || now >= settles(w) {
                        return refuse("the week is not invoiced");
                    }
                    if c.hourly()?.disputes.contains_key(&w) {
                        return refuse("already disputed");
                    }
                    if c.week(w, now).seconds == 0 {
                        doubt.unsure("disputing a week with no time");
                    }
                    if c.status == Status::Active {
                        c.stop_timer_at(now);
                        c.status = Status::Paused;
                        c.hourly()?.pauses.push((now, None));
                    }
                    c.hourly()?.disputes.insert(
                        w,
                        WeekDispute {
                            status: DStatus::Open,
                            closed_at: None,
                            refunded: 0,
                        },
                    );
                }
                _ => {
                    let want = if *action == WeekAction::Withdraw {
                        Client
                    } else {
                        Freelancer
                    };
                    need(role, want, "answer a week's dispute")?;
                    let amount = c.week(w, now).amount;
                    let Some(d) = c.hourly()?.disputes.get_mut(&w) else {
                        return refuse("no open dispute");
                    };
                    if d.status != DStatus::Open {
                        return refuse("no open dispute");
                    }
                    d.closed_at = Some(now);
                    d.status = match action {
                        WeekAction::Accept => DStatus::Accepted,
                        WeekAction::Decline => DStatus::Declined,
                        _ => DStatus::Withdrawn,
                    };
                    if *action == WeekAction::Accept {
                        d.refunded = amount;
                        c.post(now, Account::Client, Account::Refunded, amount);
                    } else if now >= settles(w) && c.week(w, now).entries > 0 {
                        // Held past its settlement: paid now (a week with
                        // no time has no pay to record).
                        c.settle_week(w, now);
                    }
                }
            }
        }
        Op::FeedbackGive { .. } => {
            let Some(e) = c.ended_at else {
                return refuse("feedback only after the end");
            };
            if now >= feedback_close(e) {
                return refuse("the feedback window has closed");
            }
            if c.feedback[role.idx()].is_some() {
                return refuse("feedback already given");
            }
            c.feedback[role.idx()] = Some(now);
        }
        Op::FeedbackReply { .. } => {
            let Some(e) = c.ended_at else {
                return refuse("nothing to reply to before the end");
            };
            let other = 1 - role.idx();
            if c.feedback[other].is_none() {
                return refuse("no feedback received");
            }
            let revealed = c.feedback.iter().all(Option::is_some) || now >= feedback_close(e);
            if !revealed {
                return refuse("not revealed yet");
            }
            if now > e + 28 * DAY {
                return refuse("more than 28 days after the end");
            }
            if now == e + 28 * DAY {
                doubt.unsure("a reply exactly 28 days after the end");
            }
            if c.replied[role.idx()] {
                return refuse("already replied");
            }
            c.replied[role.idx()] = true;
        }
        Op::Sweep | Op::NewFixed { .. } | Op::NewHourly { .. } | Op::Import { .. } => {
            unreachable!()
        }
    }
    Ok(())
}

/// Escrow left over by a partial approval with no pending milestone after.
fn leftover(c: &Contract) -> Money {
    let Kind::Fixed(f) = &c.kind else { return 0 };
    f.milestones
        .iter()
        .filter(|m| matches!(m.status, MStatus::Released | MStatus::Refunded))
        .map(|m| m.escrow)
        .sum::<Money>()
        - f.refunds
            .iter()
            .filter(|r| r.open())
            .filter(|r| {
                r.milestone.is_some_and(|i| {
                    matches!(
                        f.milestones[i].status,
                        MStatus::Released | MStatus::Refunded
                    )
                })
            })
            .map(|r| r.amount)
            .sum::<Money>()
}

/// Takes `amount` of free (unheld) escrow off the milestones at the end.
fn take_free(c: &mut Contract, mut amount: Money) {
    let frees: Vec<Money> = (0..match &c.kind {
        Kind::Fixed(f) => f.milestones.len(),
        Kind::Hourly(_) => 0,
    })
        .map(|i| c.milestone_free(i))
        .collect();
    let Kind::Fixed(f) = &mut c.kind else { return };
    for (i, free) in frees.into_iter().enumerate() {
        let t = free.min(amount).max(0);
        f.milestones[i].escrow -= t;
        amount -= t;
    }
}

/// The rules of a finished interval `[a, b)` logged or edited at `now`.
fn check_interval(
    c: &Contract,
    a: Instant,
    b: Instant,
    now: Instant,
    skip: Option<Instant>,
) -> R<()> {
    if a >= b {
        return refuse("ends before it starts");
    }
    if b > now {
        return refuse("in the future");
    }
    if b - a > WEEK {
        return refuse("longer than 7 days");
    }
    if now >= review_close(monday(a)) {
        return refuse("its week is closed for time");
    }
    c.in_life(a, b)?;
    if c.overlaps_entry(a, b, skip) {
        return refuse("overlaps another entry");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Instant {
        chrono::DateTime::parse_from_rfc3339(s)
            .expect("time")
            .timestamp()
    }

    #[test]
    fn the_calendar_of_the_model() {
        assert_eq!(weekday(t("2026-11-16T10:00:00Z")), 0);
        assert_eq!(weekday(t("2026-11-22T23:59:59Z")), 6);
        assert_eq!(monday(t("2026-11-22T23:59:59Z")), t("2026-11-16T00:00:00Z"));
        assert_eq!(
            settles(t("2026-11-16T00:00:00Z")),
            t("2026-11-28T00:00:00Z")
        );
        assert_eq!(
            review_close(t("2026-11-16T00:00:00Z")),
            t("2026-11-23T12:00:00Z")
        );
        // SPEC §2's examples.
        for (at, due) in [
            ("2026-11-20T23:59:00Z", "2026-11-27T23:59:00Z"), // Fri 23:59
            ("2026-11-21T00:00:00Z", "2026-11-28T00:00:00Z"), // Sat
            ("2026-11-21T12:00:00Z", "2026-11-28T00:00:00Z"),
            ("2026-11-22T23:59:59Z", "2026-11-28T00:00:00Z"), // Sun
            ("2026-11-18T10:00:00Z", "2026-11-25T10:00:00Z"), // Wed
            ("2026-11-16T00:00:00Z", "2026-11-21T00:00:00Z"), // Mon 00:00
        ] {
            assert_eq!(business_deadline(t(at)), t(due), "{at}");
        }
        assert_eq!(
            feedback_close(t("2026-11-03T10:00:00Z")),
            t("2026-11-18T00:00:00Z")
        );
        assert_eq!(fee_of(5), 1);
        assert_eq!(fee_of(4), 0);
        assert_eq!(fee_of(15), 2);
        assert_eq!(div_round(1800 * 5000, 3600), 2500);
        assert_eq!(div_round(-5, 10), -1);
    }
}
