//! The work diary [211068518]: one contract's entries in one billing week,
//! the rules for logging, tracking, editing and deleting time, the weekly
//! limit, the week's bill, and hourly disputes [211062158].

use super::error::{RuleError, refused};
use super::lifecycle::{self, event, instant_words, transition};
use super::model::*;
use super::money::Money;
use super::week::utc_words;
use super::week::{Stage, Week};
use super::{Outcome, Settings};

/// One interval of work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Stable within its week file, e.g. `2026W47-3`.
    pub id: String,
    /// When work started.
    pub start: Instant,
    /// When it stopped; `None` while a timer runs.
    pub end: Option<Instant>,
    /// What was done.
    pub memo: String,
    /// Logged after the fact (needs the contract's permission) rather than tracked.
    pub manual: bool,
}

impl Entry {
    /// Seconds worked, counting a running entry up to `until`.
    pub fn seconds(&self, until: Instant) -> i64 {
        (self.end_or(until) - self.start).num_seconds().max(0)
    }

    /// Whole minutes of [`Entry::seconds`], rounded down: for display only.
    pub fn minutes(&self, until: Instant) -> i64 {
        self.seconds(until) / 60
    }

    /// The end, or while running `until` — at most 7 days after the start
    /// (an entry lasts at most 7 days, a timer left running too).
    pub fn end_or(&self, until: Instant) -> Instant {
        self.end
            .unwrap_or_else(|| until.max(self.start).min(self.start + MAX_ENTRY))
    }
}

/// The entries of one contract in one week, sorted by start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeekFile {
    /// The contract.
    pub contract: ContractId,
    /// The billing week (entries start in it).
    pub week: Week,
    /// Entries, sorted by start.
    pub entries: Vec<Entry>,
    /// The highest entry number ever given out here, so that a deleted
    /// entry's id is never reused.
    pub last_number: u64,
}

impl WeekFile {
    /// An empty week.
    pub fn new(contract: ContractId, week: Week) -> WeekFile {
        WeekFile {
            contract,
            week,
            entries: Vec::new(),
            last_number: 0,
        }
    }

    /// Seconds logged, counting running entries up to `now`.
    pub fn seconds(&self, now: Instant) -> i64 {
        self.entries.iter().map(|e| e.seconds(now)).sum()
    }

    /// The running entry, if any.
    pub fn running(&self) -> Option<&Entry> {
        self.entries.iter().find(|e| e.end.is_none())
    }

    /// The highest entry number in use or ever given out here.
    fn highest(&self) -> u64 {
        self.entries
            .iter()
            .filter_map(|e| e.id.rsplit_once('-')?.1.parse::<u64>().ok())
            .max()
            .unwrap_or(0)
            .max(self.last_number)
    }

    /// The highest number given out, when it is above every entry's (after
    /// the newest entries were deleted): only then is it worth writing down.
    pub fn deleted_beyond(&self) -> Option<u64> {
        let max = self
            .entries
            .iter()
            .filter_map(|e| e.id.rsplit_once('-')?.1.parse::<u64>().ok())
            .max()
            .unwrap_or(0);
        (self.last_number > max).then_some(self.last_number)
    }

    /// The id a new entry gets: never one given out before.
    pub fn next_id(&self) -> String {
        let n = self.highest().saturating_add(1);
        format!("{}-{n}", self.week.to_string().replace('-', ""))
    }

    /// Adds an entry, keeping the order by start and the id counter.
    pub fn insert(&mut self, e: Entry) {
        if let Some(n) =
            e.id.rsplit_once('-')
                .and_then(|(_, n)| n.parse::<u64>().ok())
        {
            self.last_number = self.highest().max(n);
        }
        let at = self.entries.partition_point(|x| x.start <= e.start);
        self.entries.insert(at, e);
    }
}

/// The global name of an entry: `c7/2026W47-3`.
pub fn entry_ref(contract: &ContractId, local: &str) -> String {
    format!("{contract}/{local}")
}

/// Splits `c7/2026W47-3` into the contract, the week and the local id.
pub fn parse_entry_ref(s: &str) -> Result<(ContractId, Week, String), String> {
    let bad = || {
        format!(
            "`{}` is not an entry: entries are named like c7/2026W47-3 (see `contracts diary show`)",
            s.escape_default()
        )
    };
    let (c, local) = s.split_once('/').ok_or_else(bad)?;
    let id = ContractId::parse(c)?;
    let (yw, n) = local.rsplit_once('-').ok_or_else(bad)?;
    n.parse::<u64>().map_err(|_| bad())?;
    let (y, w) = yw.split_once('W').ok_or_else(bad)?;
    let week: Week = format!("{y}-W{w}").parse().map_err(|_| bad())?;
    Ok((id, week, local.to_string()))
}

/// The weekly limit (hours) that governs `week`: the initial limit, or the
/// last change that took effect before the week ended.
pub fn limit_for(c: &Contract, week: Week) -> Option<u32> {
    match &c.terms {
        Terms::Hourly {
            weekly_limit,
            limit_changes,
            ..
        } => limit_changes
            .iter()
            .rev()
            .find(|l| l.from < week.end())
            .map_or(*weekly_limit, |l| l.hours),
        Terms::Fixed { .. } => None,
    }
}

/// A week's bill for one contract. Time is in seconds, summed exactly; the
/// amount is rounded once, from the billable seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Bill {
    /// All logged seconds.
    pub seconds: i64,
    /// Seconds within the limit (filled in entry order).
    pub billable: i64,
    /// Seconds over the limit: kept, not billed.
    pub over: i64,
    /// The limit that applied.
    pub limit_hours: Option<u32>,
    /// billable x rate / 3600, rounded once (zero if a dispute was accepted).
    pub amount: Money,
    /// The service fee on the amount.
    pub fee: Money,
    /// Refunded by an accepted dispute.
    pub refunded: Money,
}

/// The instant after which a week's running time stops counting: now, the
/// end of the contract, or the week's close for edits (Monday 12:00 after),
/// whichever comes first — so an invoiced week never changes.
pub fn counting_until(c: &Contract, week: Week, now: Instant) -> Instant {
    let until = c.ended_at().map_or(now, |e| e.min(now));
    until.min(week.invoiced_from())
}

/// Bills `wf` at `now`: running time counts up to now (or the end).
pub fn bill(c: &Contract, wf: &WeekFile, settings: &Settings, now: Instant) -> Bill {
    let until = counting_until(c, wf.week, now);
    let rate = match &c.terms {
        Terms::Hourly { rate, .. } => *rate,
        Terms::Fixed { .. } => Money::ZERO,
    };
    let limit_hours = limit_for(c, wf.week);
    let cap = limit_hours.map_or(i64::MAX, |h| i64::from(h) * 3600);
    let seconds = wf.seconds(until);
    let billable = seconds.min(cap);
    let gross = rate.per_hour_for_seconds(billable);
    let refunded = c
        .disputes
        .iter()
        .find(|d| d.week == wf.week && d.status == DisputeStatus::Accepted)
        .map(|d| d.refunded.unwrap_or(gross));
    let amount = if refunded.is_some() {
        Money::ZERO
    } else {
        gross
    };
    Bill {
        seconds,
        billable,
        over: seconds - billable,
        limit_hours,
        amount,
        fee: settings.fee_on(amount),
        refunded: refunded.unwrap_or_default(),
    }
}

/// Where a week's money stands at `now`. A settled week's pay is recorded
/// on the contract as a payment (see [`super::timers::pay_week`]); this says
/// what is not recorded yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WeekMoney {
    /// Still open or in review: not billed yet.
    Unbilled,
    /// Invoiced, disputable until it settles.
    Invoiced(Money),
    /// Past settlement, held by an open dispute until it ends.
    Held(Money),
    /// Paid: recorded on the contract.
    Paid(Money),
    /// Refunded to the client by an accepted dispute.
    Refunded(Money),
}

/// The week's [`WeekMoney`] at `now`, from its one bill (of a contract whose
/// due timers were applied, so a settled week is paid unless held).
pub fn week_money(c: &Contract, wf: &WeekFile, settings: &Settings, now: Instant) -> WeekMoney {
    if let Some(p) = c.payments.iter().find(|p| p.week == Some(wf.week)) {
        return WeekMoney::Paid(p.amount);
    }
    let stage = wf.week.stage(now);
    if !matches!(stage, Stage::Invoiced | Stage::Settled) {
        return WeekMoney::Unbilled;
    }
    let b = bill(c, wf, settings, now);
    let dispute = c.disputes.iter().find(|d| d.week == wf.week);
    match dispute.map(|d| d.status) {
        Some(DisputeStatus::Accepted) => WeekMoney::Refunded(b.refunded),
        Some(DisputeStatus::Open) if stage == Stage::Settled => WeekMoney::Held(b.amount),
        _ => WeekMoney::Invoiced(b.amount),
    }
}

/// Seconds as `3h05m` (or `45m`); seconds are shown only when there are
/// some (`29m59s`), so a sum is never shown rounded.
pub fn hours_words(seconds: i64) -> String {
    let sign = if seconds < 0 { "-" } else { "" };
    let s = seconds.abs();
    let (h, m, sec) = (s / 3600, s / 60 % 60, s % 60);
    let secs = if sec == 0 {
        String::new()
    } else {
        format!("{sec:02}s")
    };
    if h == 0 {
        format!("{sign}{m}m{secs}")
    } else {
        format!("{sign}{h}h{m:02}m{secs}")
    }
}

/// Seconds of each entry that are billable and over the limit, in entry
/// order (the limit fills up entry by entry).
pub fn billable_split(c: &Contract, wf: &WeekFile, now: Instant) -> Vec<(i64, i64)> {
    let until = counting_until(c, wf.week, now);
    let mut left = limit_for(c, wf.week).map_or(i64::MAX, |h| i64::from(h) * 3600);
    wf.entries
        .iter()
        .map(|e| {
            let m = e.seconds(until);
            let b = m.min(left);
            left -= b;
            (b, m - b)
        })
        .collect()
}

/// When the stage of `week` next changes, in words: "open until Sun 22 Nov
/// 23:59 UTC", "in review until Mon 23 Nov 12:00 UTC", ...
pub fn stage_words(week: Week, now: Instant) -> String {
    let last = |t: Instant| utc_words(t - chrono::Duration::minutes(1));
    match week.stage(now) {
        Stage::Future => format!("not started; opens {}", utc_words(week.start())),
        Stage::Open => format!("open until {}", last(week.review_from())),
        Stage::Review => format!("in review until {}", utc_words(week.invoiced_from())),
        Stage::Invoiced => format!("invoiced; disputes until {}", last(week.settled_from())),
        Stage::Settled => format!("settled {}", utc_words(week.settled_from())),
    }
}

fn check_freelancer(c: &Contract, role: Role, doing: &str) -> Result<(), RuleError> {
    if role != Role::Freelancer {
        return refused(format!(
            "only the freelancer {doing} on {} (use --as freelancer)",
            c.id
        ));
    }
    if c.kind() != Kind::Hourly {
        return refused(format!(
            "{} is a fixed-price contract: only hourly contracts have a work diary",
            c.id
        ));
    }
    if let Some(e) = &c.ending {
        return refused(format!(
            "cannot change the work diary of {}: the contract ended on {} (the work diary is locked)",
            c.id,
            e.at.format("%Y-%m-%d %H:%M UTC")
        ));
    }
    Ok(())
}

fn check_active(c: &Contract) -> Result<(), RuleError> {
    if c.status == Status::Paused {
        return refused(format!(
            "cannot add time to {}: the contract is paused (the client can `contracts resume {}`)",
            c.id, c.id
        ));
    }
    Ok(())
}

/// Refuses unless `week` may still be edited at `now`, saying which may.
pub fn check_editable(week: Week, now: Instant) -> Result<(), RuleError> {
    let stage = week.stage(now);
    if stage.editable() {
        return Ok(());
    }
    let current = Week::of(now);
    let prev = current.prev();
    let also = if prev.stage(now).editable() {
        format!(
            " and {prev} (in review until {})",
            utc_words(prev.invoiced_from())
        )
    } else {
        String::new()
    };
    let why = match stage {
        Stage::Future => format!("{week} has not started"),
        _ => format!("{week} is {} ({})", stage.as_str(), stage_words(week, now)),
    };
    refused(format!(
        "{why}: time can be logged, edited and deleted only in {current} (open until {}){also}",
        utc_words(current.review_from() - chrono::Duration::minutes(1))
    ))
}

/// The longest an entry may last.
pub const MAX_ENTRY: chrono::Duration = chrono::Duration::days(7);

/// One rule for every entry, however it is made (log, stop, edit, import):
/// it ends after it starts, not in the future, lasts at most 7 days, and
/// lies within the contract's life.
pub fn check_interval(
    c: &Contract,
    start: Instant,
    end: Instant,
    now: Instant,
) -> Result<(), RuleError> {
    if end <= start {
        return refused(format!(
            "an entry must end after it starts ({} is not after {})",
            utc_words(end),
            utc_words(start)
        ));
    }
    if end > now {
        return refused(format!(
            "the entry ends at {}, in the future: log time once it is worked (or use `diary start`)",
            utc_words(end)
        ));
    }
    if end - start > MAX_ENTRY {
        return refused(format!(
            "an entry lasts at most 7 days; {} to {} is {}: split it into several",
            utc_words(start),
            utc_words(end),
            hours_words((end - start).num_seconds())
        ));
    }
    check_life(c, start, Some(end))
}

/// Time lies within the contract's life: from `started_at`, never while it
/// was paused, never after `ended_at`. `end` is `None` for a timer.
pub fn check_life(c: &Contract, start: Instant, end: Option<Instant>) -> Result<(), RuleError> {
    if start < c.started_at {
        return refused(format!(
            "the entry starts at {}, before {} started ({}): time lies within the contract's life",
            utc_words(start),
            c.id,
            instant_words(c.started_at)
        ));
    }
    if let Some(ended) = c.ended_at()
        && end.unwrap_or(start) > ended
    {
        return refused(format!(
            "the entry ends after {} ended ({}): the work diary is locked from the end",
            c.id,
            instant_words(ended)
        ));
    }
    let stop = end.unwrap_or(start + chrono::Duration::seconds(1));
    for (from, to) in c.paused_spans() {
        if start < to.unwrap_or(Instant::MAX_UTC) && from < stop {
            return refused(format!(
                "the entry overlaps a pause of {} ({} to {}): a paused contract takes no time",
                c.id,
                instant_words(from),
                to.map_or("now".to_string(), instant_words)
            ));
        }
    }
    Ok(())
}

/// The ledger's clock only moves forward, in the diary too: refuses a change
/// of `c`'s diary at `now` when its history has a later event, or its diary
/// (`entries`) records time later than `now` (recorded with a clock ahead).
pub fn refuse_before_latest<'e>(
    c: &Contract,
    entries: impl IntoIterator<Item = &'e Entry>,
    now: Instant,
) -> Result<(), RuleError> {
    lifecycle::refuse_before_latest(c, now)?;
    let latest = entries
        .into_iter()
        .map(|e| (e.end.unwrap_or(e.start), e))
        .max_by_key(|(t, _)| *t);
    if let Some((t, e)) = latest
        && t > now
    {
        return refused(format!(
            "cannot change the work diary of {} at {}: it already records time until {} ({}{}), and the ledger's clock only moves forward",
            c.id,
            instant_words(now),
            instant_words(t),
            entry_ref(&c.id, &e.id),
            if e.end.is_none() {
                ", a timer started then"
            } else {
                ""
            }
        ));
    }
    Ok(())
}

/// Refuses if [start, end) overlaps an entry of `others` (except `skip`).
pub fn check_overlap(
    c: &Contract,
    others: &[Entry],
    skip: Option<&str>,
    start: Instant,
    end: Instant,
    now: Instant,
) -> Result<(), RuleError> {
    for o in others {
        if Some(o.id.as_str()) == skip {
            continue;
        }
        // A running timer counts up to now, or to its week's close.
        let o_end = o
            .end
            .unwrap_or_else(|| o.end_or(counting_until(c, Week::of(o.start), now)));
        if o.start < end && start < o_end {
            let running = if o.end.is_none() {
                format!(
                    ", a timer still running: `contracts diary stop {}` stops it",
                    c.id
                )
            } else {
                String::new()
            };
            return refused(format!(
                "the entry overlaps {} ({} to {}{running}) on {}: entries of one contract never overlap",
                entry_ref(&c.id, &o.id),
                utc_words(o.start),
                utc_words(o_end),
                c.id
            ));
        }
    }
    Ok(())
}

/// What `diary log` asks for.
#[derive(Debug, Clone)]
pub struct LogRequest {
    /// Start.
    pub start: Instant,
    /// End.
    pub end: Instant,
    /// Memo.
    pub memo: String,
}

/// `diary log` (freelancer): a finished interval of manual time into its
/// start week `wf`. `others` are the contract's entries of neighbouring weeks
/// (for the overlap check).
pub fn log(
    c: &Contract,
    role: Role,
    wf: &WeekFile,
    others: &[Entry],
    req: LogRequest,
    now: Instant,
) -> Result<(WeekFile, Entry), RuleError> {
    check_freelancer(c, role, "logs time")?;
    refuse_before_latest(c, wf.entries.iter().chain(others), now)?;
    check_active(c)?;
    if let Terms::Hourly {
        manual_time: false, ..
    } = c.terms
    {
        return refused(format!(
            "{} does not allow manual time: only tracked time counts (`contracts diary start {}`)",
            c.id, c.id
        ));
    }
    check_interval(c, req.start, req.end, now)?;
    check_editable(wf.week, now)?;
    check_overlap(c, &wf.entries, None, req.start, req.end, now)?;
    check_overlap(c, others, None, req.start, req.end, now)?;
    let mut out = wf.clone();
    let e = Entry {
        id: wf.next_id(),
        start: req.start,
        end: Some(req.end),
        memo: req.memo,
        manual: true,
    };
    out.insert(e.clone());
    Ok((out, e))
}

/// `diary start` (freelancer): a running timer from now, in this week.
/// `running` is any running entry of the contract (at most one may run).
pub fn start(
    c: &Contract,
    role: Role,
    wf: &WeekFile,
    others: &[Entry],
    memo: String,
    now: Instant,
) -> Result<(WeekFile, Entry), RuleError> {
    check_freelancer(c, role, "tracks time")?;
    refuse_before_latest(c, wf.entries.iter().chain(others), now)?;
    check_active(c)?;
    check_life(c, now, None)?;
    // A timer still counting blocks a new one; one past its week's close
    // or its 7 days counts no more (`diary stop` records its end there).
    if let Some(r) = wf
        .entries
        .iter()
        .chain(others)
        .find(|e| still_counting(c, e, now))
    {
        return refused(format!(
            "a timer is already running on {} since {} ({}): `contracts diary stop {}` stops it first",
            c.id,
            utc_words(r.start),
            entry_ref(&c.id, &r.id),
            c.id
        ));
    }
    let tick = now + chrono::Duration::seconds(1);
    check_overlap(c, &wf.entries, None, now, tick, now)?;
    check_overlap(c, others, None, now, tick, now)?;
    let mut out = wf.clone();
    let e = Entry {
        id: wf.next_id(),
        start: now,
        end: None,
        memo,
        manual: false,
    };
    out.insert(e.clone());
    Ok((out, e))
}

/// `diary stop` (freelancer): ends the running timer of `wf` at `now`. Time
/// past the week's review close cannot be billed in that week, so the end is
/// capped there; a timer that ran past the contract's end stops at the end.
pub fn stop(
    c: &Contract,
    role: Role,
    wf: &WeekFile,
    others: &[Entry],
    now: Instant,
) -> Result<(WeekFile, Entry, Option<String>), RuleError> {
    if role != Role::Freelancer {
        return refused(format!(
            "only the freelancer stops the timer on {} (use --as freelancer)",
            c.id
        ));
    }
    let Some(idx) = wf.entries.iter().position(|e| e.end.is_none()) else {
        return refused(format!("no timer is running on {}", c.id));
    };
    let started = wf.entries[idx].start;
    if now < started {
        return refused(format!(
            "cannot stop the timer of {} at {}: it started at {}, later (the ledger's clock only moves forward); stop it at {} or later, or delete it with `contracts diary rm {}`",
            c.id,
            instant_words(now),
            instant_words(started),
            instant_words(started),
            entry_ref(&c.id, &wf.entries[idx].id)
        ));
    }
    refuse_before_latest(c, wf.entries.iter().chain(others), now)?;
    let mut out = wf.clone();
    let e = &mut out.entries[idx];
    let mut end = now;
    let mut note = None;
    if let Some(ended) = c.ended_at()
        && ended < end
    {
        end = ended;
        note = Some(format!(
            "stopped at the contract's end, {}",
            utc_words(ended)
        ));
    }
    let cutoff = wf.week.invoiced_from();
    if end > cutoff {
        end = cutoff;
        note = Some(format!(
            "{} closed for edits at {}: the entry ends there",
            wf.week,
            utc_words(cutoff)
        ));
    }
    let longest = e.start + MAX_ENTRY;
    if end > longest {
        end = longest;
        note = Some(format!(
            "an entry lasts at most 7 days: the timer stopped counting at {}",
            utc_words(longest)
        ));
    }
    if end <= e.start {
        // An entry must end after it starts; the timer is kept, not discarded.
        return refused(format!(
            "no time has passed since the timer of {} started at {}: stop it later, or delete it with `contracts diary rm {}`",
            c.id,
            instant_words(e.start),
            entry_ref(&c.id, &e.id)
        ));
    }
    e.end = Some(end);
    let done = e.clone();
    Ok((out, done, note))
}

/// What `diary edit` asks for.
#[derive(Debug, Clone, Default)]
pub struct EditRequest {
    /// New start.
    pub start: Option<Instant>,
    /// New end.
    pub end: Option<Instant>,
    /// New memo.
    pub memo: Option<String>,
}

/// `diary edit` (freelancer): same window as logging. Changing the times of
/// an entry makes it manual time, so it needs the contract's permission; an
/// entry stays in the week it starts in.
pub fn edit(
    c: &Contract,
    role: Role,
    wf: &WeekFile,
    others: &[Entry],
    local: &str,
    req: EditRequest,
    now: Instant,
) -> Result<(WeekFile, Entry), RuleError> {
    check_freelancer(c, role, "edits time")?;
    refuse_before_latest(c, wf.entries.iter().chain(others), now)?;
    check_editable(wf.week, now)?;
    let Some(idx) = wf.entries.iter().position(|e| e.id == local) else {
        return Err(RuleError::NotFound(format!(
            "no entry {} in {}",
            entry_ref(&c.id, local),
            wf.week
        )));
    };
    let mut e = wf.entries[idx].clone();
    let times = req.start.is_some() || req.end.is_some();
    if times {
        if let Terms::Hourly {
            manual_time: false, ..
        } = c.terms
        {
            return refused(format!(
                "{} does not allow manual time: tracked entries keep their times (only --memo can change)",
                c.id
            ));
        }
        if e.end.is_none() && req.end.is_some() {
            return refused(format!(
                "{} is running: stop it with `contracts diary stop {}`",
                entry_ref(&c.id, local),
                c.id
            ));
        }
        let start = req.start.unwrap_or(e.start);
        if Week::of(start) != wf.week {
            return refused(format!(
                "an entry stays in the week it starts in ({}): delete it and log a new one in {}",
                wf.week,
                Week::of(start)
            ));
        }
        let end = req.end.or(e.end);
        match end {
            Some(end) => check_interval(c, start, end, now)?,
            None if start > now => {
                return refused(format!(
                    "a running timer cannot start in the future ({} is after now, {})",
                    instant_words(start),
                    instant_words(now)
                ));
            }
            None => check_life(c, start, None)?,
        }
        let end_check = end.unwrap_or(now);
        check_overlap(c, &wf.entries, Some(local), start, end_check, now)?;
        check_overlap(c, others, None, start, end_check, now)?;
        e.start = start;
        e.end = end;
        e.manual = true;
    }
    if let Some(m) = req.memo {
        e.memo = m;
    }
    let mut out = wf.clone();
    out.entries.remove(idx);
    out.insert(e.clone());
    Ok((out, e))
}

/// `diary rm` (freelancer): same window as logging.
pub fn remove(
    c: &Contract,
    role: Role,
    wf: &WeekFile,
    others: &[Entry],
    local: &str,
    now: Instant,
) -> Result<(WeekFile, Entry), RuleError> {
    check_freelancer(c, role, "deletes time")?;
    refuse_before_latest(c, wf.entries.iter().chain(others), now)?;
    check_editable(wf.week, now)?;
    let Some(idx) = wf.entries.iter().position(|e| e.id == local) else {
        return Err(RuleError::NotFound(format!(
            "no entry {} in {}",
            entry_ref(&c.id, local),
            wf.week
        )));
    };
    let mut out = wf.clone();
    // Remember the number, so the deleted entry's id is never given out again.
    out.last_number = wf.highest();
    let e = out.entries.remove(idx);
    Ok((out, e))
}

/// Whether `e` is a timer that still counts time at `now`: running, and
/// before its week's close for edits, its 7 days and the contract's end.
pub fn still_counting(c: &Contract, e: &Entry, now: Instant) -> bool {
    if e.end.is_some() {
        return false;
    }
    let mut cap = Week::of(e.start).invoiced_from().min(e.start + MAX_ENTRY);
    if let Some(ended) = c.ended_at() {
        cap = cap.min(ended);
    }
    cap > now
}

/// The week files among `weeks` whose timer was left running past the point
/// where it stopped counting, with its end recorded there (when a new timer
/// starts, the old one ends where it stopped counting).
pub fn close_stale<'w>(
    c: &Contract,
    weeks: impl IntoIterator<Item = &'w WeekFile>,
    now: Instant,
) -> Vec<WeekFile> {
    weeks
        .into_iter()
        .filter(|wf| wf.running().is_some_and(|e| !still_counting(c, e, now)))
        .filter_map(|wf| stop_at(wf, now).map(|(new, _)| new))
        .collect()
}

/// New time stops at `at` (a pause, the pause of an hourly dispute, the
/// end): the running timer of `wf`, if any, ends there (or at its week's
/// close, if that came first). A timer stopped the instant it started had
/// no time to record and is removed. Returns the new week file and entry.
pub fn stop_at(wf: &WeekFile, at: Instant) -> Option<(WeekFile, Entry)> {
    let idx = wf.entries.iter().position(|e| e.end.is_none())?;
    let mut out = wf.clone();
    let end = at
        .min(wf.week.invoiced_from())
        .min(out.entries[idx].start + MAX_ENTRY);
    if end <= out.entries[idx].start {
        let gone = out.entries.remove(idx);
        out.last_number = wf.highest();
        return Some((out, gone));
    }
    out.entries[idx].end = Some(end);
    let e = out.entries[idx].clone();
    Some((out, e))
}

/// Whether a change from `before` to `after` stops new time on an hourly
/// contract (a pause, an hourly dispute's pause, the end): then a running
/// timer stops at that instant, recorded by the same command.
pub fn stops_new_time(before: &Contract, after: &Contract) -> bool {
    after.kind() == Kind::Hourly
        && ((before.status == Status::Active && after.status != Status::Active)
            || (before.ending.is_none() && after.ending.is_some()))
}

/// Records in `outcome` that the running timer `e` of its contract stopped
/// at `at` (see [`stop_at`]), as an event of `actor`.
pub fn timer_stopped_event(c: &Contract, e: &Entry, actor: Actor, at: Instant) -> Event {
    let what = match e.end {
        Some(end) => format!(
            "timer {} stopped at {} ({}): a paused or ended contract takes no new time",
            entry_ref(&c.id, &e.id),
            instant_words(end),
            hours_words((end - e.start).num_seconds())
        ),
        None => format!(
            "timer {} removed: it started the same second, with no time to record",
            entry_ref(&c.id, &e.id)
        ),
    };
    event(at, actor, "timer_stopped", None, what)
}

/// `limit ID HOURS|none` (client, hourly): a raise applies at once, a cut
/// from the next Monday 00:00 UTC [211062418].
pub fn set_limit(
    c: &Contract,
    role: Role,
    hours: Option<u32>,
    settings: &Settings,
    now: Instant,
) -> Result<Outcome, RuleError> {
    transition(c, settings, now, |c| {
        if role != Role::Client {
            return refused(format!(
                "only the client sets the weekly limit of {} (use --as client)",
                c.id
            ));
        }
        if let Some(e) = &c.ending {
            return refused(format!(
                "{} ended on {}: its limit no longer changes",
                c.id,
                e.at.format("%Y-%m-%d")
            ));
        }
        let week = Week::of(now);
        let current = limit_for(c, week);
        let next = limit_for(c, week.next());
        let Terms::Hourly { limit_changes, .. } = &mut c.terms else {
            return refused(format!(
                "{} is a fixed-price contract: only hourly contracts have a weekly limit",
                c.id
            ));
        };
        let cap = |h: Option<u32>| h.map_or(u64::MAX, u64::from);
        let show = |h: Option<u32>| h.map_or("none".to_string(), |h| format!("{h} h"));
        if hours == current && hours == next {
            return refused(format!("the weekly limit is already {}", show(hours)));
        }
        let (from, detail) = if cap(hours) >= cap(current) {
            (
                now,
                format!(
                    "weekly limit raised from {} to {}, from this week ({week})",
                    show(current),
                    show(hours)
                ),
            )
        } else {
            let monday = week.end();
            (
                monday,
                format!(
                    "weekly limit cut from {} to {} from {} ({}); {week} keeps {}",
                    show(current),
                    show(hours),
                    utc_words(monday),
                    week.next(),
                    show(current)
                ),
            )
        };
        // A later change replaces changes not yet in effect.
        limit_changes.retain(|l| l.from <= now);
        limit_changes.push(LimitChange {
            at: now,
            from,
            hours,
        });
        Ok(vec![event(
            now,
            Actor::Client,
            "limit_changed",
            None,
            detail,
        )])
    })
}

/// What an hourly dispute command does.
#[derive(Debug, Clone)]
pub enum DisputeAction {
    /// The client opens one, with a reason.
    Open(String),
    /// The freelancer accepts: the week's amount is refunded.
    Accept,
    /// The freelancer declines: the hours stand.
    Decline,
    /// The client withdraws: billed as normal.
    Withdraw,
}

/// `diary dispute` [211062158]: the client may dispute a week while it is
/// invoiced (also after the end); an active contract is paused. The
/// freelancer accepts (the week's bill is refunded) or declines; the client
/// may withdraw. A dispute that ends after the week settled releases its
/// pay then. `wf` is the disputed week's file, if it has one.
pub fn dispute(
    c: &Contract,
    role: Role,
    week: Week,
    action: DisputeAction,
    wf: Option<&WeekFile>,
    settings: &Settings,
    now: Instant,
) -> Result<Outcome, RuleError> {
    let cur = settings.currency;
    transition(c, settings, now, |c| {
        if c.kind() != Kind::Hourly {
            return refused(format!(
                "{} is a fixed-price contract: hourly disputes concern hourly weeks (see `contracts refund`)",
                c.id
            ));
        }
        let open = c
            .disputes
            .iter()
            .position(|d| d.week == week && d.status == DisputeStatus::Open);
        let need = |r: Role, what: &str| -> Result<(), RuleError> {
            if role != r {
                return refused(format!(
                    "only the {r} can {what} a dispute of {week} on {} (use --as {r})",
                    c.id
                ));
            }
            Ok(())
        };
        match action {
            DisputeAction::Open(reason) => {
                need(Role::Client, "open")?;
                if week.stage(now) != Stage::Invoiced {
                    return refused(format!(
                        "{week} cannot be disputed now: it is {} ({}); a week can be disputed while it is invoiced, next Mon 12:00 to Fri 23:59 UTC",
                        week.stage(now).as_str(),
                        stage_words(week, now)
                    ));
                }
                if c.disputes.iter().any(|d| d.week == week) {
                    return refused(format!("{week} of {} was already disputed", c.id));
                }
                let mut detail = format!("{week} disputed: {reason}");
                if c.status == Status::Active {
                    c.status = Status::Paused;
                    detail.push_str("; contract paused");
                }
                c.disputes.push(HourlyDispute {
                    week,
                    reason,
                    status: DisputeStatus::Open,
                    opened_at: now,
                    closed_at: None,
                    refunded: None,
                });
                Ok(vec![event(
                    now,
                    Actor::Client,
                    "week_disputed",
                    None,
                    detail,
                )])
            }
            DisputeAction::Accept => {
                need(Role::Freelancer, "accept")?;
                let i = open.ok_or_else(|| no_open(c, week))?;
                let amount = wf.map_or(Money::ZERO, |wf| bill(c, wf, settings, now).amount);
                let d = &mut c.disputes[i];
                d.status = DisputeStatus::Accepted;
                d.closed_at = Some(now);
                d.refunded = Some(amount);
                Ok(vec![event(
                    now,
                    Actor::Freelancer,
                    "dispute_accepted",
                    Some(amount),
                    format!(
                        "dispute of {week} accepted: its hours are refunded ({} to {})",
                        cur.show(amount),
                        c.client
                    ),
                )])
            }
            DisputeAction::Decline => {
                need(Role::Freelancer, "decline")?;
                let i = open.ok_or_else(|| no_open(c, week))?;
                c.disputes[i].status = DisputeStatus::Declined;
                c.disputes[i].closed_at = Some(now);
                let mut evs = vec![event(
                    now,
                    Actor::Freelancer,
                    "dispute_declined",
                    None,
                    format!("dispute of {week} declined: the hours stand"),
                )];
                evs.extend(release_held(c, week, wf, settings, now));
                Ok(evs)
            }
            DisputeAction::Withdraw => {
                need(Role::Client, "withdraw")?;
                let i = open.ok_or_else(|| no_open(c, week))?;
                c.disputes[i].status = DisputeStatus::Withdrawn;
                c.disputes[i].closed_at = Some(now);
                let mut evs = vec![event(
                    now,
                    Actor::Client,
                    "dispute_withdrawn",
                    None,
                    format!("dispute of {week} withdrawn: billed as normal"),
                )];
                evs.extend(release_held(c, week, wf, settings, now));
                Ok(evs)
            }
        }
    })
}

/// A dispute ended without a refund after its week settled: the pay it held
/// is recorded now.
fn release_held(
    c: &mut Contract,
    week: Week,
    wf: Option<&WeekFile>,
    settings: &Settings,
    now: Instant,
) -> Option<Event> {
    let wf = wf.filter(|wf| !wf.entries.is_empty() && wf.week == week)?;
    let paid = c.payments.iter().any(|p| p.week == Some(week));
    (now >= week.settled_from() && !paid).then(|| super::timers::pay_week(c, wf, settings, now))
}

fn no_open(c: &Contract, week: Week) -> RuleError {
    RuleError::Refused(format!("{week} of {} has no open dispute", c.id))
}

/// Checks an imported interval against the contract's life.
pub fn check_import(
    c: &Contract,
    start: Instant,
    end: Instant,
    now: Instant,
) -> Result<(), String> {
    if c.kind() != Kind::Hourly {
        return Err(format!(
            "{} is fixed-price: only hourly contracts have a work diary",
            c.id
        ));
    }
    check_interval(c, start, end, now).map_err(|e| e.to_string())?;
    let week = Week::of(start);
    // The pay of every week up to the last one paid is recorded: time added
    // there would never be paid.
    if let Some(last) = c.payments.iter().filter_map(|p| p.week).max()
        && week <= last
    {
        return Err(format!(
            "{week} of {} is settled and its pay recorded up to {last}: a paid week does not change",
            c.id
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::lifecycle::tests as lt;

    fn t(s: &str) -> Instant {
        lt::t(s)
    }
    fn week(s: &str) -> Week {
        s.parse().unwrap()
    }
    fn entry(id: &str, a: &str, b: &str) -> Entry {
        Entry {
            id: id.into(),
            start: t(a),
            end: Some(t(b)),
            memo: "m".into(),
            manual: true,
        }
    }

    #[test]
    fn log_rules() {
        let c = lt::hourly();
        let wf = WeekFile::new(c.id.clone(), week("2026-W47"));
        let now = t("2026-11-18T10:00:00Z");
        let req = |a: &str, b: &str| LogRequest {
            start: t(a),
            end: t(b),
            memo: "x".into(),
        };
        let (wf2, e) = log(
            &c,
            Role::Freelancer,
            &wf,
            &[],
            req("2026-11-16T09:00:00Z", "2026-11-16T10:30:00Z"),
            now,
        )
        .unwrap();
        assert_eq!(e.id, "2026W47-1");
        assert!(e.manual);
        // overlap
        assert!(
            log(
                &c,
                Role::Freelancer,
                &wf2,
                &[],
                req("2026-11-16T10:00:00Z", "2026-11-16T11:00:00Z"),
                now
            )
            .is_err()
        );
        // touching is fine
        assert!(
            log(
                &c,
                Role::Freelancer,
                &wf2,
                &[],
                req("2026-11-16T10:30:00Z", "2026-11-16T11:00:00Z"),
                now
            )
            .is_ok()
        );
        // client, future, backwards
        assert!(
            log(
                &c,
                Role::Client,
                &wf,
                &[],
                req("2026-11-16T09:00:00Z", "2026-11-16T10:00:00Z"),
                now
            )
            .is_err()
        );
        assert!(
            log(
                &c,
                Role::Freelancer,
                &wf,
                &[],
                req("2026-11-18T09:00:00Z", "2026-11-18T11:00:00Z"),
                now
            )
            .is_err()
        );
        assert!(
            log(
                &c,
                Role::Freelancer,
                &wf,
                &[],
                req("2026-11-16T10:00:00Z", "2026-11-16T09:00:00Z"),
                now
            )
            .is_err()
        );
        // a week in review is still editable; invoiced is not
        let prev = WeekFile::new(c.id.clone(), week("2026-W46"));
        let mon = t("2026-11-16T11:59:59Z");
        assert!(
            log(
                &c,
                Role::Freelancer,
                &prev,
                &[],
                req("2026-11-13T09:00:00Z", "2026-11-13T10:00:00Z"),
                mon
            )
            .is_ok()
        );
        let noon = t("2026-11-16T12:00:00Z");
        let err = log(
            &c,
            Role::Freelancer,
            &prev,
            &[],
            req("2026-11-13T09:00:00Z", "2026-11-13T10:00:00Z"),
            noon,
        )
        .unwrap_err();
        assert!(err.to_string().contains("2026-W47"), "{err}");
    }

    #[test]
    fn limit_split_and_rounding() {
        let mut c = lt::hourly(); // 50/h, 10 h
        let mut wf = WeekFile::new(c.id.clone(), week("2026-W47"));
        wf.entries = vec![
            entry("a", "2026-11-16T08:00:00Z", "2026-11-16T16:00:00Z"),
            entry("b", "2026-11-17T08:00:00Z", "2026-11-17T12:30:00Z"),
        ];
        let s = lt::settings();
        let b = bill(&c, &wf, &s, t("2026-11-20T00:00:00Z"));
        assert_eq!((b.seconds, b.billable, b.over), (45_000, 36_000, 9_000));
        assert_eq!(b.amount, Money::from_minor(50_000));
        assert_eq!(b.fee, Money::from_minor(5_000));
        assert_eq!(
            billable_split(&c, &wf, t("2026-11-20T00:00:00Z")),
            vec![(28_800, 0), (7_200, 9_000)]
        );
        // 10 minutes at 33.33/h = 5.555 -> 5.56
        if let Terms::Hourly { rate, .. } = &mut c.terms {
            *rate = Money::from_minor(3333);
        }
        wf.entries = vec![entry("a", "2026-11-16T08:00:00Z", "2026-11-16T08:10:00Z")];
        assert_eq!(
            bill(&c, &wf, &s, t("2026-11-20T00:00:00Z")).amount,
            Money::from_minor(556)
        );
    }

    #[test]
    fn limit_raise_now_cut_next_monday() {
        let s = lt::settings();
        let c = lt::hourly();
        let now = t("2026-11-18T10:00:00Z");
        let up = set_limit(&c, Role::Client, Some(20), &s, now)
            .unwrap()
            .contract;
        assert_eq!(limit_for(&up, week("2026-W47")), Some(20));
        assert_eq!(limit_for(&up, week("2026-W46")), Some(10));
        let down = set_limit(&c, Role::Client, Some(5), &s, now)
            .unwrap()
            .contract;
        assert_eq!(limit_for(&down, week("2026-W47")), Some(10));
        assert_eq!(limit_for(&down, week("2026-W48")), Some(5));
        let none = set_limit(&c, Role::Client, None, &s, now).unwrap().contract;
        assert_eq!(limit_for(&none, week("2026-W47")), None);
        assert!(set_limit(&c, Role::Freelancer, Some(20), &s, now).is_err());
        assert!(set_limit(&lt::fixed("500"), Role::Client, Some(20), &s, now).is_err());
    }

    #[test]
    fn stage_words_name_the_deadline() {
        let w = week("2026-W47");
        assert_eq!(
            stage_words(w, t("2026-11-18T10:00:00Z")),
            "open until Sun 22 Nov 23:59 UTC"
        );
        assert_eq!(
            stage_words(w, t("2026-11-23T10:00:00Z")),
            "in review until Mon 23 Nov 12:00 UTC"
        );
        assert_eq!(
            stage_words(w, t("2026-11-24T10:00:00Z")),
            "invoiced; disputes until Fri 27 Nov 23:59 UTC"
        );
    }

    #[test]
    fn disputes() {
        let s = lt::settings();
        let c = lt::hourly();
        let w = week("2026-W47");
        let open = DisputeAction::Open("too many hours".into());
        assert!(
            dispute(
                &c,
                Role::Client,
                w,
                open.clone(),
                None,
                &s,
                t("2026-11-23T11:59:59Z")
            )
            .is_err()
        );
        let d = dispute(
            &c,
            Role::Client,
            w,
            open.clone(),
            None,
            &s,
            t("2026-11-23T12:00:00Z"),
        )
        .unwrap()
        .contract;
        assert_eq!(d.status, Status::Paused);
        assert!(
            dispute(
                &c,
                Role::Client,
                w,
                open,
                None,
                &s,
                t("2026-11-28T00:00:00Z")
            )
            .is_err()
        );
        let acc = dispute(
            &d,
            Role::Freelancer,
            w,
            DisputeAction::Accept,
            None,
            &s,
            t("2026-11-24T00:00:00Z"),
        )
        .unwrap()
        .contract;
        assert_eq!(acc.disputes[0].status, DisputeStatus::Accepted);
        assert!(
            dispute(
                &acc,
                Role::Client,
                w,
                DisputeAction::Withdraw,
                None,
                &s,
                t("2026-11-24T00:00:00Z")
            )
            .is_err()
        );
    }

    #[test]
    fn deleted_ids_are_never_reused() {
        let c = lt::hourly();
        let mut wf = WeekFile::new(c.id.clone(), week("2026-W47"));
        wf.insert(entry(
            "2026W47-1",
            "2026-11-16T08:00:00Z",
            "2026-11-16T09:00:00Z",
        ));
        wf.insert(entry(
            "2026W47-2",
            "2026-11-16T10:00:00Z",
            "2026-11-16T11:00:00Z",
        ));
        let now = t("2026-11-18T10:00:00Z");
        let (after, _) = remove(&c, Role::Freelancer, &wf, &[], "2026W47-2", now).unwrap();
        assert_eq!(after.next_id(), "2026W47-3");
        assert_eq!(after.deleted_beyond(), Some(2));
    }

    #[test]
    fn entry_refs_round_trip() {
        let (c, w, l) = parse_entry_ref("c-7_x/2026W47-3").unwrap();
        assert_eq!(
            (c.as_str(), w.to_string().as_str(), l.as_str()),
            ("c-7_x", "2026-W47", "2026W47-3")
        );
        assert!(parse_entry_ref("c7").is_err());
        assert!(parse_entry_ref("../x/2026W47-3").is_err());
    }
}
