//! Logging, tracking, editing and deleting time: the rules every entry
//! obeys, however it is made.

use super::billing::*;
use super::week_file::*;
use crate::core::error::{AfterEnd, HourlyOnly, Latest, Refusal, RuleError, refused};
use crate::core::model::*;
use crate::core::step::{self};
use crate::core::week::{Stage, Week, utc_words};

fn check_freelancer(c: &Contract, role: Role, doing: &str) -> Result<(), RuleError> {
    if role != Role::Freelancer {
        return refused(Refusal::NotTheParty {
            need: Role::Freelancer,
            name: None,
            doing: doing.to_string(),
            id: Some(c.id.clone()),
        });
    }
    check_diary(c)
}

/// The contract has a work diary that is not locked: hourly, not ended.
fn check_diary(c: &Contract) -> Result<(), RuleError> {
    if c.kind() != Kind::Hourly {
        return refused(Refusal::NotHourly {
            id: c.id.clone(),
            what: HourlyOnly::Diary,
        });
    }
    if let Some(e) = &c.ending {
        return refused(Refusal::Ended {
            id: c.id.clone(),
            at: e.at,
            what: AfterEnd::Diary,
        });
    }
    Ok(())
}

fn check_active(c: &Contract) -> Result<(), RuleError> {
    if c.status == Status::Offered {
        return refused(Refusal::Offer {
            id: c.id.clone(),
            client: c.client.clone(),
            freelancer: c.freelancer.clone(),
            diary: true,
        });
    }
    if c.status == Status::Paused {
        return refused(Refusal::ContractPaused { id: c.id.clone() });
    }
    Ok(())
}

/// How an entry comes into the diary. Every door is held to the one rule of
/// [`admit`] (SPEC §2, "Every way time enters obeys one rule").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Door {
    /// `diary log`: a finished interval entered after the fact (manual).
    Log,
    /// `diary start`: a timer running from now (tracked, not manual).
    Timer,
    /// `diary edit` of an entry's times: the entry becomes manual.
    Edit,
    /// `diary import`: an interval from another tracker (manual). With
    /// `history`, a week past review takes it as unbilled history.
    Import {
        /// `--history`: moving one's past over from another tracker.
        history: bool,
    },
}

impl Door {
    /// Whether what comes in this way is manual time.
    fn manual(self) -> bool {
        !matches!(self, Door::Timer)
    }
}

/// The one rule every entry obeys, however it comes in: the contract has a
/// diary that is not locked (hourly, not ended — whenever the entry lies),
/// takes new time (not an offer, not paused), allows manual time where the
/// entry is manual; the entry ends after it starts, not in the future, lasts
/// at most 7 days, lies within the contract's life, in a week still `open`
/// or in `review` — except an import with `history`, which a week past
/// review takes as unbilled history (which may also lie before the start).
/// `end` is `None` for a timer. Overlaps are [`check_overlap`]'s, against
/// the entries the caller has. Returns whether the entry is history.
pub fn admit(
    c: &Contract,
    door: Door,
    start: Instant,
    end: Option<Instant>,
    now: Instant,
) -> Result<bool, RuleError> {
    check_diary(c)?;
    check_active(c)?;
    if door.manual()
        && let Terms::Hourly {
            manual_time: false, ..
        } = c.terms
    {
        return refused(Refusal::ManualTimeNotAllowed {
            id: c.id.clone(),
            door,
        });
    }
    match end {
        Some(end) => check_times(start, end, now)?,
        None if start > now => {
            return refused(Refusal::TimerInFuture { start, now });
        }
        None => {}
    }
    let week = Week::of(start);
    let past = matches!(week.stage(now), Stage::Invoiced | Stage::Settled);
    let history = past && door == (Door::Import { history: true });
    check_life_of(c, start, end, !history)?;
    if !history {
        check_editable(week, now)?;
    }
    Ok(history)
}

/// Refuses unless `week` may still be edited at `now`, saying which may.
pub fn check_editable(week: Week, now: Instant) -> Result<(), RuleError> {
    let stage = week.stage(now);
    if stage.editable() {
        return Ok(());
    }
    refused(Refusal::WeekClosed { week, stage, now })
}

/// An entry's times: it ends after it starts, not in the future, and lasts
/// at most 7 days.
fn check_times(start: Instant, end: Instant, now: Instant) -> Result<(), RuleError> {
    if end <= start {
        return refused(Refusal::EndNotAfterStart { start, end });
    }
    if end > now {
        return refused(Refusal::EndsInFuture { end });
    }
    if end - start > MAX_ENTRY {
        return refused(Refusal::TooLong { start, end });
    }
    Ok(())
}

/// Time lies within the contract's life: from `started_at` (unless
/// `from_start` is false: history from before the contract came into the
/// ledger), never while it was paused, never after `ended_at`. `end` is
/// `None` for a timer.
fn check_life_of(
    c: &Contract,
    start: Instant,
    end: Option<Instant>,
    from_start: bool,
) -> Result<(), RuleError> {
    if from_start && start < c.started_at {
        // Said with its year, as the start it is compared with: an import
        // may reach years back.
        return refused(Refusal::BeforeStart {
            id: c.id.clone(),
            start,
            started: c.started_at,
        });
    }
    if let Some(ended) = c.ended_at()
        && end.unwrap_or(start) > ended
    {
        return refused(Refusal::EntryAfterEnd {
            id: c.id.clone(),
            ended,
        });
    }
    let stop = end.unwrap_or(start + chrono::Duration::seconds(1));
    for (from, to) in c.paused_spans() {
        if start < to.unwrap_or(Instant::MAX_UTC) && from < stop {
            return refused(Refusal::InPause {
                id: c.id.clone(),
                from,
                to,
            });
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
    step::refuse_before_latest(c, now)?;
    let latest = entries
        .into_iter()
        .map(|e| (e.end.unwrap_or(e.start), e))
        .max_by_key(|(t, _)| *t);
    if let Some((t, e)) = latest
        && t > now
    {
        return refused(Refusal::BeforeLatest {
            id: c.id.clone(),
            now,
            latest: Latest::Entry {
                entry: entry_ref(&c.id, &e.id),
                at: t,
                running: e.end.is_none(),
            },
        });
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
            return refused(Refusal::Overlap {
                id: c.id.clone(),
                entry: entry_ref(&c.id, &o.id),
                start: o.start,
                end: o_end,
                running: o.end.is_none(),
            });
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
    admit(c, Door::Log, req.start, Some(req.end), now)?;
    check_overlap(c, &wf.entries, None, req.start, req.end, now)?;
    check_overlap(c, others, None, req.start, req.end, now)?;
    let mut out = wf.clone();
    let e = Entry {
        id: wf.next_id(),
        start: req.start,
        end: Some(req.end),
        memo: req.memo,
        manual: true,
        origin: None,
        history: false,
        at: Some(now),
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
    admit(c, Door::Timer, now, None, now)?;
    // A timer still counting blocks a new one; one past its week's close
    // or its 7 days counts no more (`diary stop` records its end there).
    if let Some(r) = wf
        .entries
        .iter()
        .chain(others)
        .find(|e| still_counting(c, e, now))
    {
        return refused(Refusal::TimerRunning {
            id: c.id.clone(),
            entry: entry_ref(&c.id, &r.id),
            since: r.start,
        });
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
        origin: None,
        history: false,
        at: Some(now),
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
        return refused(Refusal::NotTheParty {
            need: Role::Freelancer,
            name: None,
            doing: "stops the timer".into(),
            id: Some(c.id.clone()),
        });
    }
    let Some(idx) = wf.entries.iter().position(|e| e.end.is_none()) else {
        return Err(no_timer(c));
    };
    let started = wf.entries[idx].start;
    if now < started {
        return refused(Refusal::StopBeforeStart {
            id: c.id.clone(),
            entry: entry_ref(&c.id, &wf.entries[idx].id),
            now,
            started,
        });
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
        return refused(Refusal::NoTimePassed {
            id: c.id.clone(),
            entry: entry_ref(&c.id, &e.id),
            started: e.start,
        });
    }
    e.end = Some(end);
    e.at = Some(now);
    let done = e.clone();
    Ok((out, done, note))
}

/// The refusal of `diary stop` where no timer runs.
pub fn no_timer(c: &Contract) -> RuleError {
    RuleError::Refused(Refusal::NoTimer { id: c.id.clone() })
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
        if e.end.is_none() && req.end.is_some() {
            return refused(Refusal::EntryRunning {
                id: c.id.clone(),
                entry: entry_ref(&c.id, local),
            });
        }
        let start = req.start.unwrap_or(e.start);
        if Week::of(start) != wf.week {
            return refused(Refusal::OtherWeek {
                week: wf.week,
                to: Week::of(start),
            });
        }
        let end = req.end.or(e.end);
        admit(c, Door::Edit, start, end, now)?;
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
    e.at = Some(now);
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
    // A record of the removal: a merge or a re-import does not bring it back.
    out.removed.push(Removed {
        id: e.id.clone(),
        at: now,
        origin: e.origin.clone(),
    });
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
        out.removed.push(Removed {
            id: gone.id.clone(),
            at,
            origin: gone.origin.clone(),
        });
        return Some((out, gone));
    }
    out.entries[idx].end = Some(end);
    out.entries[idx].at = Some(at);
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
pub fn timer_stopped_event(e: &Entry, actor: Actor, at: Instant) -> Event {
    let op = Op::TimerStopped {
        entry: e.id.clone(),
        stopped_at: e.end,
        seconds: e.end.map(|end| (end - e.start).num_seconds()),
    };
    event(at, actor, op, None)
}
