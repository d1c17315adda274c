//! A week's bill: billable time under the weekly limit, its amount, and
//! where the week's money stands.

use super::week_file::*;
use crate::core::Settings;
use crate::core::model::*;
use crate::core::money::Money;
use crate::core::week::{Stage, Week, utc_words};

/// A week's bill for one contract. Time is in seconds, summed exactly; the
/// amount is rounded once, from the billable seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Bill {
    /// All logged seconds, history included.
    pub seconds: i64,
    /// Seconds of history moved over from another tracker: counted in
    /// hours, never billed, kept apart from billable and over-limit time.
    pub history: i64,
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

/// The weeks of a contract's diary that may still take edits at `now`
/// (open, or in review): last week and this one. A week among them that
/// has time closes for edits at its [`Week::invoiced_from`], unless the
/// contract's diary is locked (ended).
pub fn weeks_closing(c: &Contract, now: Instant) -> Vec<Week> {
    if c.kind() != Kind::Hourly || c.ending.is_some() {
        return Vec::new();
    }
    let this = Week::of(now);
    [this.prev(), this]
        .into_iter()
        .filter(|w| w.stage(now).editable())
        .collect()
}

/// The weeks whose time a timer may still be counting at `now`, or that a
/// clock ahead may have recorded: a timer counts until its week's review
/// closes, and one left running two weeks ago is still to be stopped.
pub fn recent_weeks(now: Instant) -> [Week; 3] {
    let this = Week::of(now);
    [this.prev().prev(), this.prev(), this]
}

/// The weeks a change of time in `week` must see besides `week` itself:
/// the weeks beside it (an entry may cross a week boundary) and the
/// [`recent_weeks`] (a running timer, time recorded later).
pub fn weeks_a_change_sees(week: Week, now: Instant) -> Vec<Week> {
    let mut weeks = vec![week.prev(), week.next()];
    weeks.extend(recent_weeks(now));
    weeks.sort();
    weeks.dedup();
    weeks.retain(|w| *w != week);
    weeks
}

/// The weeks of `c` whose money may be unpaid at `now`: the invoiced week
/// (disputable), the one before it, and every week an open dispute holds.
pub fn weeks_with_unpaid_money(c: &Contract, now: Instant) -> Vec<Week> {
    if c.kind() != Kind::Hourly {
        return Vec::new();
    }
    let mut weeks: Vec<Week> = c
        .disputes
        .iter()
        .filter(|d| d.status == DisputeStatus::Open)
        .map(|d| d.week)
        .collect();
    let this = Week::of(now);
    weeks.extend([this.prev(), this.prev().prev()]);
    weeks.sort();
    weeks.dedup();
    weeks
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
    let history: i64 = wf
        .entries
        .iter()
        .filter(|e| e.history)
        .map(|e| e.seconds(until))
        .sum();
    let billable = (seconds - history).min(cap);
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
        history,
        billable,
        over: seconds - history - billable,
        limit_hours,
        amount,
        fee: settings.fee_on(amount),
        refunded: refunded.unwrap_or_default(),
    }
}

/// Where a week's money stands at `now`. A settled week's pay is recorded
/// on the contract as a payment (see `timers::pay_week`); this says
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
    let mut b = String::with_capacity(12);
    push_hours_words(&mut b, seconds);
    b
}

/// Adds [`hours_words`] of `seconds` to `b`: written by hand, not with
/// `format!` (a week's tables write a few thousand of them).
pub fn push_hours_words(b: &mut String, seconds: i64) {
    let _ = write_hours_words(b, seconds);
}

/// [`hours_words`] as a `Display`, for `format!` arguments: no string of
/// its own unless a width is asked for.
#[derive(Debug, Clone, Copy)]
pub struct HoursWords(pub i64);

impl std::fmt::Display for HoursWords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if f.width().is_some() {
            return f.pad(&hours_words(self.0));
        }
        write_hours_words(f, self.0)
    }
}

fn write_hours_words<W: std::fmt::Write + ?Sized>(w: &mut W, seconds: i64) -> std::fmt::Result {
    if seconds < 0 {
        w.write_char('-')?;
    }
    let s = seconds.unsigned_abs();
    let (h, m, sec) = (s / 3600, s / 60 % 60, s % 60);
    if h == 0 {
        write_decimal(w, m)?;
    } else {
        write_decimal(w, h)?;
        w.write_char('h')?;
        write_two_digits(w, m)?;
    }
    w.write_char('m')?;
    if sec != 0 {
        write_two_digits(w, sec)?;
        w.write_char('s')?;
    }
    Ok(())
}

/// Writes `n` in decimal.
fn write_decimal<W: std::fmt::Write + ?Sized>(w: &mut W, n: u64) -> std::fmt::Result {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[i..] {
        w.write_char(char::from(d))?;
    }
    Ok(())
}

/// Writes `n` (under 100) in two digits.
fn write_two_digits<W: std::fmt::Write + ?Sized>(w: &mut W, n: u64) -> std::fmt::Result {
    w.write_char(char::from(b'0' + (n / 10 % 10) as u8))?;
    w.write_char(char::from(b'0' + (n % 10) as u8))
}

/// Seconds of each entry that are billable and over the limit, in entry
/// order (the limit fills up entry by entry; history is neither).
pub fn billable_split(c: &Contract, wf: &WeekFile, now: Instant) -> Vec<(i64, i64)> {
    let until = counting_until(c, wf.week, now);
    let mut left = limit_for(c, wf.week).map_or(i64::MAX, |h| i64::from(h) * 3600);
    wf.entries
        .iter()
        .map(|e| {
            if e.history {
                return (0, 0);
            }
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
