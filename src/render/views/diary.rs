//! The tables of `diary show`: hours per entry or day, the limit, billable
//! and over-limit time, the amount, and where each week stands.

use crate::core::diary::{
    HoursWords as Hours, billable_split, counting_until, push_hours_words as push_duration,
    stage_words,
};
use crate::core::model::{DisputeStatus, Role};
use crate::core::week::Week;
use crate::core::{Instant, Money, Settings};
use crate::render::Out;
use crate::render::rows::{Sheet, fee_net, sheet_rate, week_dispute};
use crate::render::table::{Grid, Kind, push_piece};
use crate::render::text::{clean, duration};
use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use std::collections::BTreeMap;

/// How `diary show` groups a week's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiaryBy {
    /// One row per entry.
    Entry,
    /// One row per local day.
    Day,
}

/// `diary show` for people: each week's heading and stage, then per
/// contract its rows, totals and (for the freelancer) fee and net, written
/// to `out` as they are laid out. `single` is a `diary show ID`, which
/// shows an empty week as such.
#[allow(clippy::too_many_arguments)]
pub fn diary(
    out: &mut dyn std::fmt::Write,
    weeks: &[(Week, Vec<Sheet>)],
    by: DiaryBy,
    single: bool,
    s: &Settings,
    role: Role,
    o: &Out,
    now: Instant,
) -> std::fmt::Result {
    let cur = s.currency;
    let color = o.color;
    let zone = o.zone_name(now);
    let mut text = Lines {
        out,
        started: false,
    };
    let span_head = format!("Start–End ({zone})");
    for (week, sheets) in weeks {
        text.fmt(format_args!(
            "{week} · Mon {} – Sun {} (billing weeks are UTC: {} to {}) · {}",
            week.start().format("%-d %b"),
            week.sunday().format("%-d %b %Y"),
            week.start().format("%a %H:%M"),
            (week.end() - chrono::Duration::minutes(1)).format("%a %H:%M"),
            stage_words(*week, now)
        ))?;
        if sheets.iter().all(|sh| sh.wf.entries.is_empty()) {
            text.push(if single {
                "  no time logged this week"
            } else {
                "  no contract has time in this week"
            })?;
            text.push("")?;
            continue;
        }
        let (mut tot_m, mut tot_b, mut tot_o, mut tot_a, mut tot_f) =
            (0, 0, 0, Money::ZERO, Money::ZERO);
        for sh in sheets {
            let c = &sh.contract;
            let b = &sh.bill;
            tot_m += b.seconds;
            tot_b += b.billable;
            tot_o += b.over;
            tot_a += b.amount;
            tot_f += b.fee;
            text.fmt(format_args!(
                "{} — {} ({} for {}){}",
                c.id,
                clean(&c.title),
                clean(&c.freelancer),
                clean(&c.client),
                if c.ending.is_some() {
                    " · ended: diary locked"
                } else {
                    ""
                }
            ))?;
            let until = counting_until(c, sh.wf.week, now);
            let split = billable_split(c, &sh.wf, now);
            let t = match by {
                DiaryBy::Entry => {
                    let mut t = Grid::new(
                        &[
                            "Entry", "Day", &span_head, "Duration", "Billable", "Kind", "Memo",
                        ],
                        color,
                    );
                    t.reserve(sh.wf.entries.len(), 64);
                    for (e, (bill_m, _)) in sh.wf.entries.iter().zip(&split) {
                        let start_l = o.zone().local(e.start);
                        let kind = if e.end.is_none() {
                            "tracking"
                        } else if e.history {
                            "history"
                        } else if e.manual {
                            "manual"
                        } else {
                            "tracked"
                        };
                        // Written into the grid's text, not a string per cell.
                        t.cell(Kind::Text, |b| {
                            push_piece(b, c.id.as_str());
                            b.push('/');
                            push_piece(b, &e.id);
                        });
                        t.cell(Kind::Text, |b| push_day_month(b, start_l.date()));
                        t.cell(Kind::Text, |b| {
                            push_hm(b, start_l);
                            b.push('–');
                            match e.end {
                                None => b.push_str("running"),
                                Some(end) => {
                                    let end_l = o.zone().local(end);
                                    if end_l.date() != start_l.date() {
                                        b.push_str(
                                            WEEKDAYS
                                                [end_l.weekday().num_days_from_monday() as usize],
                                        );
                                        b.push(' ');
                                        push_number(b, end_l.day());
                                        b.push(' ');
                                    }
                                    push_hm(b, end_l);
                                }
                            }
                        });
                        t.cell(Kind::Num, |b| push_duration(b, e.seconds(until)));
                        t.cell(Kind::Num, |b| push_duration(b, *bill_m));
                        t.cell(Kind::Text, |b| push_piece(b, kind));
                        t.cell(Kind::Text, |b| push_piece(b, &e.memo));
                    }
                    t
                }
                DiaryBy::Day => {
                    let mut days: BTreeMap<NaiveDate, (usize, i64, i64)> = BTreeMap::new();
                    for (e, (bill_m, _)) in sh.wf.entries.iter().zip(&split) {
                        let d = days.entry(o.zone().local(e.start).date()).or_default();
                        d.0 += 1;
                        d.1 += e.seconds(until);
                        d.2 += bill_m;
                    }
                    let mut t = Grid::new(
                        &[&format!("Day ({zone})"), "Entries", "Duration", "Billable"],
                        color,
                    );
                    for (d, (n, m, bm)) in days {
                        t.add_row([
                            (day_month(d), Kind::Text),
                            (n.to_string(), Kind::Num),
                            (duration(m), Kind::Num),
                            (duration(bm), Kind::Num),
                        ]);
                    }
                    t
                }
            };
            text.table(&t)?;
            // Written piece by piece: no string of its own for a line,
            // an amount or a duration.
            text.fmt(format_args!("Total {} · limit ", Hours(b.seconds)))?;
            match b.limit_hours {
                Some(h) => text.more(format_args!("{h}h"))?,
                None => text.more(format_args!("none"))?,
            }
            text.more(format_args!(
                " · billable {} · over limit {}",
                Hours(b.billable),
                Hours(b.over)
            ))?;
            if b.history > 0 {
                text.more(format_args!(" · history {} (not billed)", Hours(b.history)))?;
            }
            text.more(format_args!(
                " · rate {}/h · amount {} {}",
                cur.show(sheet_rate(c)),
                cur.show(b.amount),
                cur.code()
            ))?;
            if let Some(x) = fee_net(role, b.amount, b.fee) {
                text.fmt(format_args!(
                    "For you: gross {} · fee {}% {} · net {}",
                    cur.show(b.amount),
                    s.fee_percent,
                    cur.show(x.fee),
                    cur.show(x.net)
                ))?;
            }
            if let Some(d) = week_dispute(c, *week) {
                text.fmt(format_args!(
                    "Disputed by the client ({}): {}",
                    d.status,
                    clean(&d.reason)
                ))?;
                if let (DisputeStatus::Accepted, Some(r)) = (d.status, d.refunded) {
                    text.more(format_args!(" · {} refunded", cur.show(r)))?;
                }
            }
            text.push("")?;
        }
        if sheets.len() > 1 {
            text.fmt(format_args!(
                "All contracts, {week}: total {} · billable {} · over limit {} · amount {} {}",
                Hours(tot_m),
                Hours(tot_b),
                Hours(tot_o),
                cur.show(tot_a),
                cur.code()
            ))?;
            if let Some(x) = fee_net(role, tot_a, tot_f) {
                text.more(format_args!(
                    " · fee {} · net {}",
                    cur.show(x.fee),
                    cur.show(x.net)
                ))?;
            }
            text.push("")?;
        }
    }
    text.fmt(format_args!(
        "Times in {zone}{}; amounts = billable seconds × rate ÷ 3600, rounded once per week, half away from zero.",
        if o.zone() == crate::time::Zone::Utc { "" } else { " (--utc for UTC)" }
    ))
}

/// Lines written to `out`, joined by newlines as they come.
struct Lines<'a> {
    out: &'a mut dyn std::fmt::Write,
    started: bool,
}

impl Lines<'_> {
    fn push(&mut self, line: &str) -> std::fmt::Result {
        self.newline()?;
        self.out.write_str(line)
    }

    fn fmt(&mut self, line: std::fmt::Arguments<'_>) -> std::fmt::Result {
        self.newline()?;
        self.out.write_fmt(line)
    }

    /// More of the last line.
    fn more(&mut self, text: std::fmt::Arguments<'_>) -> std::fmt::Result {
        self.out.write_fmt(text)
    }

    /// A table, laid out as it is written.
    fn table(&mut self, t: &Grid) -> std::fmt::Result {
        self.newline()?;
        t.render_to(self.out)
    }

    // Before every line but the first.
    fn newline(&mut self) -> std::fmt::Result {
        if self.started {
            self.out.write_char('\n')
        } else {
            self.started = true;
            Ok(())
        }
    }
}

// Formatted by hand, not with chrono's `format`: a week of many contracts has
// hundreds of rows, and `format` parses its pattern at every call.
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// `Mon 21 Sep`.
fn day_month(d: NaiveDate) -> String {
    let mut s = String::with_capacity(10);
    push_day_month(&mut s, d);
    s
}

/// Adds `Mon 21 Sep` to `b`.
fn push_day_month(b: &mut String, d: NaiveDate) {
    push_piece(b, WEEKDAYS[d.weekday().num_days_from_monday() as usize]);
    b.push(' ');
    push_number(b, d.day());
    b.push(' ');
    push_piece(b, MONTHS[d.month0() as usize]);
}

/// Adds `07:05` to `b`.
fn push_hm(b: &mut String, t: NaiveDateTime) {
    push_two(b, t.hour());
    b.push(':');
    push_two(b, t.minute());
}

/// Adds `n` (under 100) to `b` in two digits.
fn push_two(b: &mut String, n: u32) {
    b.push(char::from(b'0' + (n / 10 % 10) as u8));
    b.push(char::from(b'0' + (n % 10) as u8));
}

/// Adds `n` (under 100) to `b`.
fn push_number(b: &mut String, n: u32) {
    if n >= 10 {
        push_two(b, n);
    } else {
        b.push(char::from(b'0' + n as u8));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hand-written forms against chrono's own.
    #[test]
    fn days_and_times_are_written_as_chrono_writes_them() {
        let mut d = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default();
        for _ in 0..400 {
            assert_eq!(day_month(d), d.format("%a %-d %b").to_string());
            let t = d
                .and_hms_opt(d.day() % 24, (d.day() * 7) % 60, 0)
                .unwrap_or_default();
            let mut s = String::new();
            push_hm(&mut s, t);
            assert_eq!(s, t.format("%H:%M").to_string());
            d = d.succ_opt().unwrap_or_default();
        }
    }
}
