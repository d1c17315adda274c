//! The tables of `diary show`: hours per entry or day, the limit, billable
//! and over-limit time, the amount, and where each week stands.

use crate::core::diary::{billable_split, counting_until, entry_ref, stage_words};
use crate::core::model::{DisputeStatus, Role};
use crate::core::week::Week;
use crate::core::{Instant, Money, Settings};
use crate::render::rows::{Sheet, fee_net, sheet_rate, week_dispute};
use crate::render::text::{clean, duration};
use crate::render::{Out, table};
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
/// contract its rows, totals and (for the freelancer) fee and net.
/// `single` is a `diary show ID`, which shows an empty week as such.
pub fn diary(
    weeks: &[(Week, Vec<Sheet>)],
    by: DiaryBy,
    single: bool,
    s: &Settings,
    role: Role,
    o: &Out,
    now: Instant,
) -> String {
    let cur = s.currency;
    let color = o.color;
    let zone = o.zone_name(now);
    let mut text = Vec::new();
    for (week, sheets) in weeks {
        text.push(format!(
            "{week} · Mon {} – Sun {} (billing weeks are UTC: {} to {}) · {}",
            week.start().format("%-d %b"),
            week.sunday().format("%-d %b %Y"),
            week.start().format("%a %H:%M"),
            (week.end() - chrono::Duration::minutes(1)).format("%a %H:%M"),
            stage_words(*week, now)
        ));
        if sheets.iter().all(|sh| sh.wf.entries.is_empty()) {
            text.push(if single {
                "  no time logged this week".into()
            } else {
                "  no contract has time in this week".into()
            });
            text.push(String::new());
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
            text.push(format!(
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
            ));
            let until = counting_until(c, sh.wf.week, now);
            let split = billable_split(c, &sh.wf, now);
            let t = match by {
                DiaryBy::Entry => {
                    let mut t = table::new(
                        &[
                            "Entry",
                            "Day",
                            &format!("Start–End ({zone})"),
                            "Duration",
                            "Billable",
                            "Kind",
                            "Memo",
                        ],
                        color,
                    );
                    for (e, (bill_m, _)) in sh.wf.entries.iter().zip(&split) {
                        let start_l = o.zone().local(e.start);
                        let end_txt = match e.end {
                            None => "running".to_string(),
                            Some(end) => {
                                let end_l = o.zone().local(end);
                                if end_l.date() == start_l.date() {
                                    hm(end_l)
                                } else {
                                    format!("{} {} {}", end_l.weekday(), end_l.day(), hm(end_l))
                                }
                            }
                        };
                        t.add_row(vec![
                            table::text(&entry_ref(&c.id, &e.id)),
                            table::text(&day_month(start_l.date())),
                            table::text(&format!("{}–{end_txt}", hm(start_l))),
                            table::num(duration(e.seconds(until))),
                            table::num(duration(*bill_m)),
                            table::text(if e.end.is_none() {
                                "tracking"
                            } else if e.history {
                                "history"
                            } else if e.manual {
                                "manual"
                            } else {
                                "tracked"
                            }),
                            table::text(&e.memo),
                        ]);
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
                    let mut t = table::new(
                        &[&format!("Day ({zone})"), "Entries", "Duration", "Billable"],
                        color,
                    );
                    for (d, (n, m, bm)) in days {
                        t.add_row(vec![
                            table::text(&day_month(d)),
                            table::num(n.to_string()),
                            table::num(duration(m)),
                            table::num(duration(bm)),
                        ]);
                    }
                    t
                }
            };
            text.push(t.to_string());
            let limit = b
                .limit_hours
                .map_or("none".to_string(), |h| format!("{h}h"));
            let history = if b.history > 0 {
                format!(" · history {} (not billed)", duration(b.history))
            } else {
                String::new()
            };
            let mut footer = format!(
                "Total {} · limit {limit} · billable {} · over limit {}{history} · rate {}/h · amount {} {}",
                duration(b.seconds),
                duration(b.billable),
                duration(b.over),
                cur.show(sheet_rate(c)),
                cur.show(b.amount),
                cur.code()
            );
            if let Some(x) = fee_net(role, b.amount, b.fee) {
                footer.push_str(&format!(
                    "\nFor you: gross {} · fee {}% {} · net {}",
                    cur.show(b.amount),
                    s.fee_percent,
                    cur.show(x.fee),
                    cur.show(x.net)
                ));
            }
            if let Some(d) = week_dispute(c, *week) {
                footer.push_str(&format!(
                    "\nDisputed by the client ({}): {}{}",
                    d.status,
                    clean(&d.reason),
                    match (d.status, d.refunded) {
                        (DisputeStatus::Accepted, Some(r)) =>
                            format!(" · {} refunded", cur.show(r)),
                        _ => String::new(),
                    }
                ));
            }
            text.push(footer);
            text.push(String::new());
        }
        if sheets.len() > 1 {
            let mut line = format!(
                "All contracts, {week}: total {} · billable {} · over limit {} · amount {} {}",
                duration(tot_m),
                duration(tot_b),
                duration(tot_o),
                cur.show(tot_a),
                cur.code()
            );
            if let Some(x) = fee_net(role, tot_a, tot_f) {
                line.push_str(&format!(
                    " · fee {} · net {}",
                    cur.show(x.fee),
                    cur.show(x.net)
                ));
            }
            text.push(line);
            text.push(String::new());
        }
    }
    text.push(format!(
        "Times in {zone}{}; amounts = billable seconds × rate ÷ 3600, rounded once per week, half away from zero.",
        if o.zone() == crate::time::Zone::Utc { "" } else { " (--utc for UTC)" }
    ));
    text.join("\n")
}

// Formatted by hand, not with chrono's `format`: a week of many contracts has
// hundreds of rows, and `format` parses its pattern at every call.
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `Mon 21 Sep`.
fn day_month(d: NaiveDate) -> String {
    format!(
        "{} {} {}",
        d.weekday(),
        d.day(),
        MONTHS[d.month0() as usize]
    )
}

/// `07:05`.
fn hm(t: NaiveDateTime) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}
